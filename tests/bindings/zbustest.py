# zbustest.py: helpers shared by the PyGObject tests
#
# Copyright 2026 The zbus-gobject authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Zbus', '1.0')

from gi.repository import GLib, Gio, Zbus  # noqa: E402

import pytest  # noqa: E402

DBUS_NAME = 'org.freedesktop.DBus'
DBUS_PATH = '/org/freedesktop/DBus'
DBUS_INTERFACE = 'org.freedesktop.DBus'

IO_ERROR = Gio.io_error_quark()
DBUS_ERROR = Gio.DBusError.quark()
ZBUS_ERROR = Zbus.error_quark()

# How long anything the tests wait for may take before the test fails
# instead of hanging until meson's timeout.
WAIT_SECONDS = 10


def gdbus_connect(address):
    """A new private Gio.DBusConnection to the bus at address."""
    return Gio.DBusConnection.new_for_address_sync(
        address,
        Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
        | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION,
        None, None)


def close_quietly(connection):
    """Closes a Zbus.Connection or Gio.DBusConnection at the end of a test,
    whether or not the test closed it already."""
    try:
        connection.close_sync(None)
    except GLib.Error as e:
        if not e.matches(IO_ERROR, Gio.IOErrorEnum.CLOSED):
            raise


def wait_for(predicate, what, timeout=WAIT_SECONDS):
    """Runs the default main context until predicate() is true; fails the
    test after timeout seconds."""
    context = GLib.MainContext.default()
    timed_out = []

    def on_timeout():
        timed_out.append(True)
        return GLib.SOURCE_REMOVE

    # The timeout source also wakes the blocking iteration up.
    source_id = GLib.timeout_add(int(timeout * 1000), on_timeout)
    try:
        while not predicate():
            if timed_out:
                pytest.fail(f'timed out after {timeout} s waiting for {what}')
            context.iteration(True)
    finally:
        if not timed_out:
            GLib.source_remove(source_id)


def run_loop(loop, what, timeout=WAIT_SECONDS):
    """Runs loop until something quits it; fails the test after timeout
    seconds."""
    timed_out = []

    def on_timeout():
        timed_out.append(True)
        loop.quit()
        return GLib.SOURCE_REMOVE

    source_id = GLib.timeout_add(int(timeout * 1000), on_timeout)
    loop.run()
    if timed_out:
        pytest.fail(f'timed out after {timeout} s waiting for {what}')
    GLib.source_remove(source_id)


def drain_context(max_iterations=1000):
    """Dispatches whatever is ready on the default main context and returns
    how many iterations that took; a context that never goes idle (a source
    that stays ready) reaches max_iterations."""
    context = GLib.MainContext.default()
    n = 0
    while n < max_iterations and context.iteration(False):
        n += 1
    return n


def record_signal(obj, signal):
    """Connects to signal and returns the list each emission's arguments
    are appended to."""
    seen = []
    obj.connect(signal, lambda _obj, *args: seen.append(args))
    return seen


def gdbus_call(gdbus_connection, method, args=None, reply_type=None):
    """Calls a method of the bus daemon through GDBus and returns the
    unpacked reply."""
    reply = gdbus_connection.call_sync(
        DBUS_NAME, DBUS_PATH, DBUS_INTERFACE, method, args,
        GLib.VariantType(reply_type) if reply_type else None,
        Gio.DBusCallFlags.NONE, -1, None)
    return reply.unpack()


def zbus_call(connection, method, args=None, reply_type=None):
    """Calls a method of the bus daemon through a Zbus.Connection and
    returns the reply's body, a GLib.Variant."""
    return connection.call_sync(
        DBUS_NAME, DBUS_PATH, DBUS_INTERFACE, method, args,
        GLib.VariantType(reply_type) if reply_type else None,
        Zbus.MessageFlags.NONE, Zbus.TIMEOUT_DEFAULT, None)


def assert_gerror(excinfo, domain, code):
    """Checks that a pytest.raises(GLib.Error) caught the right error."""
    err = excinfo.value
    assert isinstance(err, GLib.Error)
    assert err.matches(domain, code), \
        (f'expected {GLib.quark_to_string(domain)} {code!r}, '
         f'got {err.domain} {err.code}: {err.message}')
