# test_fds.py: file descriptors in methods and signals of a Zbus.Interface
# subclass written in Python
#
# Copyright 2026 The zbus-gobject authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Zbus', '1.0')

from gi.repository import GLib, GObject, Gio, Zbus  # noqa: E402

import pytest  # noqa: E402


def pipe_with(text):
    r, w = os.pipe()
    os.write(w, text.encode())
    os.close(w)
    return r


def read_all(fd):
    chunks = []
    while True:
        chunk = os.read(fd, 4096)
        if not chunk:
            return b''.join(chunks).decode()
        chunks.append(chunk)


class Files(Zbus.Interface):
    __gtype_name__ = 'PyTestFiles'

    __gsignals__ = {
        'read-all': (GObject.SignalFlags.RUN_LAST | GObject.SignalFlags.ACTION, str, (int,)),
        'open-text': (GObject.SignalFlags.RUN_LAST | GObject.SignalFlags.ACTION, int, (str,)),
        'handed': (GObject.SignalFlags.RUN_LAST, None, (int,)),
    }

    def do_read_all(self, fd):
        # Borrowed from the call: read it, don't close it.
        return read_all(fd)

    def do_open_text(self, text):
        # Handed over: the library closes it once the reply has a copy.
        return pipe_with(text)


def dup(iface, invocation, parameters):
    # A method-table method: the call's descriptors come with its message,
    # and the answer carries a list of its own.
    (handle,) = parameters.unpack()
    received = invocation.get_message().get_unix_fd_list()
    out = Gio.UnixFDList.new()
    fd = received.get(handle)
    index = out.append(fd)
    os.close(fd)
    invocation.return_value_with_unix_fd_list(GLib.Variant('(h)', (index,)), out)


Zbus.Interface.type_set_name(Files, 'org.example.Files')
assert Zbus.Interface.type_add_method(Files, 'Dup', 'h', 'h', None, None, dup)
Zbus.Interface.type_set_method_in_signature(Files, 'read-all', 'h', ['fd'])
Zbus.Interface.type_set_method_signature(Files, 'open-text', 'h', ['fd'])
Zbus.Interface.type_set_signal_signature(Files, 'handed', 'h', ['fd'])


@pytest.fixture
def served():
    bus = Gio.TestDBus.new(Gio.TestDBusFlags.NONE)
    bus.up()
    server_conn = Zbus.Connection.session(None)
    files = Files()
    assert Zbus.ObjectServer.get_for_connection(server_conn).at('/files', files)
    client = Gio.DBusConnection.new_for_address_sync(
        bus.get_bus_address(),
        Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
        Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
    yield server_conn, files, client
    client.close_sync(None)
    server_conn.close_sync(None)
    bus.down()


def call(client, server_conn, method, args, fd_list):
    result = {}

    def done(source, res):
        try:
            result['value'] = source.call_with_unix_fd_list_finish(res)
        except GLib.Error as e:
            result['error'] = e

    client.call_with_unix_fd_list(server_conn.get_unique_name(), '/files', 'org.example.Files',
                                  method, args, None, Gio.DBusCallFlags.NONE, 5000, fd_list,
                                  None, done)
    ctx = GLib.MainContext.default()
    while not result:
        ctx.iteration(True)
    if 'error' in result:
        raise result['error']
    return result['value']


def test_fd_in_and_out(served):
    server_conn, files, client = served
    fd_list = Gio.UnixFDList.new()
    fd = pipe_with('from python')
    index = fd_list.append(fd)
    os.close(fd)
    reply, _ = call(client, server_conn, 'ReadAll', GLib.Variant('(h)', (index,)), fd_list)
    assert reply.unpack() == ('from python',)

    reply, out = call(client, server_conn, 'OpenText', GLib.Variant('(s)', ('back',)), None)
    (handle,) = reply.unpack()
    got = out.get(handle)
    assert read_all(got) == 'back'
    os.close(got)


def test_method_table_answers_with_fds(served):
    server_conn, files, client = served
    fd_list = Gio.UnixFDList.new()
    fd = pipe_with('duplicated')
    fd_list.append(fd)
    os.close(fd)
    reply, out = call(client, server_conn, 'Dup', GLib.Variant('(h)', (0,)), fd_list)
    (handle,) = reply.unpack()
    got = out.get(handle)
    assert read_all(got) == 'duplicated'
    os.close(got)


def test_bad_handle_is_refused(served):
    server_conn, files, client = served
    with pytest.raises(GLib.Error) as info:
        call(client, server_conn, 'ReadAll', GLib.Variant('(h)', (7,)), None)
    assert info.value.matches(Gio.dbus_error_quark(), Gio.DBusError.INVALID_ARGS)


def test_signal_carries_a_copy(served):
    server_conn, files, client = served
    zclient = Zbus.Connection.session(None)
    rule = Zbus.MatchRule.new_from_string("type='signal',interface='org.example.Files'")
    stream = Zbus.MessageStream.new_for_match_rule(zclient, rule, 0, None)
    fd = pipe_with('signalled')
    files.emit('handed', fd)
    os.close(fd)  # the signal has its own copy
    # The pop reads the client's socket itself; nothing else needs to run.
    message = stream.timed_pop(5 * GLib.USEC_PER_SEC, None)
    assert message is not None
    (handle,) = message.get_body().unpack()
    got = message.get_unix_fd_list().get(handle)
    assert read_all(got) == 'signalled'
    os.close(got)
    zclient.close_sync(None)
