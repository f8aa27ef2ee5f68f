#!/usr/bin/python3
# example-service.py: the example service of example-service.c, in Python
#
# Copyright 2026 The zbus-gobject authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Serves org.myservice.Example at /org/zbus/path as org.zbus.MyService on the
# session bus until a client calls Quit. example-client drives it:
#
#   dbus-run-session -- sh -c 'examples/example-service.py & sleep 1;
#     _build/examples/example-client'
#
# (From a build tree, with GI_TYPELIB_PATH and LD_LIBRARY_PATH set to
# _build/zbus-gobject.)

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Zbus', '1.0')

from gi.repository import GLib, GObject, Zbus  # noqa: E402


class Example(Zbus.Interface):
    """org.myservice.Example: the GObject members below are its D-Bus members."""

    __gtype_name__ = 'ExamplePyService'

    # Properties: TheAnswer (u, read-only), IFail (i), Greeting (s).
    the_answer = GObject.Property(type=GObject.TYPE_UINT, default=42,
                                  flags=GObject.ParamFlags.READABLE)
    greeting = GObject.Property(type=str, default='Hello', blurb='The greeting')

    @GObject.Property(type=int, flags=GObject.ParamFlags.READABLE)
    def i_fail(self):
        # A property read fails by answering the call that asked.
        invocation = Zbus.MethodInvocation.get_current()
        if invocation is not None:
            invocation.return_dbus_error('org.freedesktop.DBus.Error.UnknownProperty',
                                         'IFail: this property always fails')
        return 0

    __gsignals__ = {
        # A signal without ACTION is a D-Bus signal ...
        'bye': (GObject.SignalFlags.RUN_LAST, None, (str,)),
        # ... and one with ACTION a method.
        'quit': (GObject.SignalFlags.RUN_LAST | GObject.SignalFlags.ACTION, None, ()),
        'meaning-of-life': (GObject.SignalFlags.RUN_LAST | GObject.SignalFlags.ACTION,
                            GLib.Variant, ()),
    }

    def __init__(self, loop):
        super().__init__()
        self.loop = loop

    def do_quit(self):
        invocation = Zbus.MethodInvocation.get_current()
        self.emit('bye', 'You are leaving me on the %s path?' % invocation.get_path())
        invocation.return_value(None)
        # Leave once the reply is out.
        invocation.get_connection().flush(None, lambda conn, res: self.loop.quit())

    def do_meaning_of_life(self):
        return GLib.Variant('(is)', (42, 'Meaning of life'))


Zbus.Interface.type_set_name(Example, 'org.myservice.Example')
Zbus.Interface.type_set_method_signature(Example, 'MeaningOfLife', 'is', ['answer', 'question'])
Zbus.Interface.type_set_signal_signature(Example, 'bye', None, ['message'])


def main():
    loop = GLib.MainLoop()
    connection = Zbus.Connection.session(None)
    server = Zbus.ObjectServer.get_for_connection(connection)
    server.at('/org/zbus/path', Example(loop))
    reply = connection.request_name_sync('org.zbus.MyService',
                                         Zbus.RequestNameFlags.DO_NOT_QUEUE, None)
    if reply != Zbus.RequestNameReply.PRIMARY_OWNER:
        raise SystemExit('Cannot own org.zbus.MyService')
    print('Serving org.myservice.Example at /org/zbus/path as org.zbus.MyService', flush=True)
    loop.run()


if __name__ == '__main__':
    main()
