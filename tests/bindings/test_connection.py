# test_connection.py: ZbusConnection and ZbusConnectionBuilder through
# PyGObject
#
# Copyright 2026 The zbus-gobject authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run by `meson test --suite python` with GI_TYPELIB_PATH and
# LD_LIBRARY_PATH pointing at the build tree. Each module gets a private
# dbus-daemon (the `bus` fixture in conftest.py).

import os
import socket
import threading

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Zbus', '1.0')

from gi.repository import GLib, Gio, Zbus  # noqa: E402

import pytest  # noqa: E402

from zbustest import (  # noqa: E402
    DBUS_ERROR, DBUS_INTERFACE, DBUS_NAME, DBUS_PATH, IO_ERROR, ZBUS_ERROR,
    assert_gerror, close_quietly, drain_context, gdbus_call, gdbus_connect,
    record_signal, run_loop, wait_for, zbus_call)

SLOW_XML = '''
<node>
  <interface name="org.zbus.Test.Slow">
    <method name="Echo">
      <arg type="s" direction="in"/>
      <arg type="s" direction="out"/>
    </method>
    <method name="Hang"/>
  </interface>
</node>
'''


@pytest.fixture
def slow_service(gdbus):
    """A GDBus object with a method that answers and one that never does.
    Returns the unique name that serves it."""
    info = Gio.DBusNodeInfo.new_for_xml(SLOW_XML).interfaces[0]
    held = []  # invocations of Hang, kept unanswered

    def method_call(conn, sender, path, interface, method, params, invocation):
        if method == 'Echo':
            invocation.return_value(params)
        else:
            held.append(invocation)

    reg_id = gdbus.register_object('/org/zbus/Test/Slow', info, method_call, None, None)
    yield gdbus.get_unique_name()
    gdbus.unregister_object(reg_id)


def name_owner(gdbus, name):
    return gdbus_call(gdbus, 'GetNameOwner', GLib.Variant('(s)', (name,)), '(s)')[0]


# --- Connecting -------------------------------------------------------------

def test_session_connection(bus, connection):
    assert isinstance(connection, Zbus.Connection)
    unique_name = connection.get_unique_name()
    assert unique_name.startswith(':')
    assert Gio.dbus_is_unique_name(unique_name)
    assert connection.props.unique_name == unique_name

    assert connection.is_bus()
    assert connection.props.message_bus
    assert not connection.is_closed()
    assert not connection.props.closed
    assert connection.get_gdbus_connection() is None
    assert connection.get_unix_fd_passing()
    assert connection.get_method_timeout() == 25000
    assert connection.props.method_timeout == 25000
    assert connection.get_main_context() == GLib.MainContext.default()

    # The GUID is the one in the bus's address.
    guid = connection.get_guid()
    assert Gio.dbus_is_guid(guid)
    assert f'guid={guid}' in bus
    assert connection.props.guid == guid


def test_session_async(bus):
    loop = GLib.MainLoop()
    results = []

    def done(source, result, user_data):
        assert source is None
        results.append((Zbus.Connection.session_finish(result), user_data))
        loop.quit()

    Zbus.Connection.session_async(None, done, 'user data')
    run_loop(loop, 'session_async')

    conn, user_data = results[0]
    assert user_data == 'user data'
    assert conn.is_bus()
    assert conn.get_unique_name().startswith(':')
    close_quietly(conn)


def test_two_connections_are_distinct(connection):
    other = Zbus.Connection.session(None)
    assert other.get_unique_name() != connection.get_unique_name()
    close_quietly(other)


# --- Method calls -----------------------------------------------------------

def test_get_id_matches_gdbus(connection, gdbus):
    reply = zbus_call(connection, 'GetId', reply_type='(s)')
    assert isinstance(reply, GLib.Variant)
    assert reply.get_type_string() == '(s)'
    (bus_id,) = reply.unpack()
    assert len(bus_id) == 32
    assert bus_id == gdbus_call(gdbus, 'GetId', reply_type='(s)')[0]


def test_call_with_arguments(connection, gdbus):
    reply = zbus_call(connection, 'NameHasOwner',
                      GLib.Variant('(s)', (gdbus.get_unique_name(),)), '(b)')
    assert reply.unpack() == (True,)

    (names,) = zbus_call(connection, 'ListNames', reply_type='(as)').unpack()
    assert connection.get_unique_name() in names
    assert gdbus.get_unique_name() in names
    assert DBUS_NAME in names


def test_async_call(connection, gdbus):
    loop = GLib.MainLoop()
    results = []

    def done(conn, result, user_data):
        results.append((conn, conn.call_finish(result), user_data))
        loop.quit()

    connection.call(DBUS_NAME, DBUS_PATH, DBUS_INTERFACE, 'GetId', None,
                    GLib.VariantType('(s)'), Zbus.MessageFlags.NONE,
                    Zbus.TIMEOUT_DEFAULT, None, done, 42)
    run_loop(loop, 'the reply to GetId')

    conn, reply, user_data = results[0]
    assert conn is connection
    assert user_data == 42
    assert reply.unpack() == gdbus_call(gdbus, 'GetId', reply_type='(s)')


def test_async_calls_complete_in_order(connection):
    loop = GLib.MainLoop()
    order = []

    def done(conn, result, n):
        conn.call_finish(result)
        order.append(n)
        if len(order) == 5:
            loop.quit()

    for n in range(5):
        connection.call(DBUS_NAME, DBUS_PATH, DBUS_INTERFACE, 'GetId', None, None,
                        Zbus.MessageFlags.NONE, Zbus.TIMEOUT_DEFAULT, None, done, n)
    run_loop(loop, 'five replies')
    assert order == [0, 1, 2, 3, 4]


def test_call_gdbus_service(connection, slow_service):
    # GDBus answers on this thread's context, so the call must not block it.
    loop = GLib.MainLoop()
    replies = []

    def done(conn, result):
        replies.append(conn.call_finish(result))
        loop.quit()

    connection.call(slow_service, '/org/zbus/Test/Slow', 'org.zbus.Test.Slow', 'Echo',
                    GLib.Variant('(s)', ('héllo',)), GLib.VariantType('(s)'),
                    Zbus.MessageFlags.NONE, Zbus.TIMEOUT_DEFAULT, None, done)
    run_loop(loop, 'the reply to Echo')
    assert replies[0].unpack() == ('héllo',)


def test_send_message_with_reply(connection, gdbus):
    bus_id = gdbus_call(gdbus, 'GetId', reply_type='(s)')[0]

    call = Zbus.Message.new_method_call(DBUS_NAME, DBUS_PATH, DBUS_INTERFACE, 'GetId')
    reply = connection.send_message_with_reply_sync(call, Zbus.TIMEOUT_DEFAULT, None)
    assert reply.get_message_type() == Zbus.MessageType.METHOD_RETURN
    assert call.get_serial() != 0
    assert reply.get_reply_serial() == call.get_serial()
    assert reply.get_sender() == DBUS_NAME
    assert reply.get_destination() == connection.get_unique_name()
    assert reply.get_body().unpack() == (bus_id,)

    loop = GLib.MainLoop()
    replies = []

    def done(conn, result):
        replies.append(conn.send_message_with_reply_finish(result))
        loop.quit()

    call = Zbus.Message.new_method_call(DBUS_NAME, DBUS_PATH, DBUS_INTERFACE, 'GetId')
    connection.send_message_with_reply(call, Zbus.TIMEOUT_DEFAULT, None, done)
    run_loop(loop, 'the reply to GetId')
    assert replies[0].get_reply_serial() == call.get_serial()
    assert replies[0].get_body().unpack() == (bus_id,)


def test_send_message(connection):
    # (out) serial and the boolean both come back.
    call = Zbus.Message.new_method_call(DBUS_NAME, DBUS_PATH, DBUS_INTERFACE, 'GetId')
    call.set_flags(Zbus.MessageFlags.NO_REPLY_EXPECTED)
    ok, serial = connection.send_message(call)
    assert ok is True
    assert serial == call.get_serial()
    assert serial > 0
    assert connection.flush_sync(None)


def test_emit_signal(connection, gdbus):
    received = []
    sub_id = gdbus.signal_subscribe(
        connection.get_unique_name(), 'org.zbus.Test', 'Hello', '/org/zbus/Test', None,
        Gio.DBusSignalFlags.NONE,
        lambda conn, sender, path, iface, member, params: received.append(
            (sender, path, iface, member, params.unpack())))
    # GDBus sends its AddMatch asynchronously: a round trip makes sure the
    # bus has it before the signal goes out.
    gdbus_call(gdbus, 'GetId')

    assert connection.emit_signal(None, '/org/zbus/Test', 'org.zbus.Test', 'Hello',
                                  GLib.Variant('(su)', ('world', 7)))
    wait_for(lambda: received, 'the signal to reach GDBus')
    gdbus.signal_unsubscribe(sub_id)

    assert received == [(connection.get_unique_name(), '/org/zbus/Test',
                         'org.zbus.Test', 'Hello', ('world', 7))]


# --- Errors -----------------------------------------------------------------

def test_unknown_method_sync(connection):
    with pytest.raises(GLib.Error) as excinfo:
        zbus_call(connection, 'NoSuchMethod')
    assert_gerror(excinfo, DBUS_ERROR, Gio.DBusError.UNKNOWN_METHOD)
    assert excinfo.value.domain == 'g-dbus-error-quark'
    # The D-Bus error name survives, as with GDBus.
    assert Gio.DBusError.get_remote_error(excinfo.value) == \
        'org.freedesktop.DBus.Error.UnknownMethod'
    assert Gio.DBusError.is_remote_error(excinfo.value)


def test_unknown_method_async(connection):
    loop = GLib.MainLoop()
    errors = []

    def done(conn, result):
        try:
            conn.call_finish(result)
        except GLib.Error as e:
            errors.append(e)
        loop.quit()

    connection.call(DBUS_NAME, DBUS_PATH, DBUS_INTERFACE, 'NoSuchMethod', None, None,
                    Zbus.MessageFlags.NONE, Zbus.TIMEOUT_DEFAULT, None, done)
    run_loop(loop, 'the error reply')
    assert len(errors) == 1
    assert errors[0].matches(DBUS_ERROR, Gio.DBusError.UNKNOWN_METHOD)


def test_name_without_owner(connection):
    with pytest.raises(GLib.Error) as excinfo:
        connection.call_sync('org.zbus.Test.Nobody', '/', 'org.zbus.Test', 'Ping', None, None,
                             Zbus.MessageFlags.NO_AUTO_START, Zbus.TIMEOUT_DEFAULT, None)
    assert_gerror(excinfo, DBUS_ERROR, Gio.DBusError.NAME_HAS_NO_OWNER)


def test_reply_of_wrong_type(connection):
    with pytest.raises(GLib.Error) as excinfo:
        zbus_call(connection, 'GetId', reply_type='(u)')
    assert_gerror(excinfo, IO_ERROR, Gio.IOErrorEnum.INVALID_ARGUMENT)


def test_bad_object_path(connection):
    with pytest.raises(GLib.Error) as excinfo:
        connection.call_sync(DBUS_NAME, 'not/a/path', DBUS_INTERFACE, 'GetId', None, None,
                             Zbus.MessageFlags.NONE, Zbus.TIMEOUT_DEFAULT, None)
    assert_gerror(excinfo, ZBUS_ERROR, Zbus.Error.INVALID_NAME)


def test_timeout(connection, slow_service):
    with pytest.raises(GLib.Error) as excinfo:
        connection.call_sync(slow_service, '/org/zbus/Test/Slow', 'org.zbus.Test.Slow', 'Hang',
                             None, None, Zbus.MessageFlags.NONE, 100, None)
    assert_gerror(excinfo, IO_ERROR, Gio.IOErrorEnum.TIMED_OUT)

    loop = GLib.MainLoop()
    errors = []

    def done(conn, result):
        try:
            conn.call_finish(result)
        except GLib.Error as e:
            errors.append(e)
        loop.quit()

    connection.call(slow_service, '/org/zbus/Test/Slow', 'org.zbus.Test.Slow', 'Hang',
                    None, None, Zbus.MessageFlags.NONE, 100, None, done)
    run_loop(loop, 'the call to time out')
    assert errors[0].matches(IO_ERROR, Gio.IOErrorEnum.TIMED_OUT)


def test_cancel(connection, slow_service):
    loop = GLib.MainLoop()
    errors = []
    cancellable = Gio.Cancellable()

    def done(conn, result):
        try:
            conn.call_finish(result)
        except GLib.Error as e:
            errors.append(e)
        loop.quit()

    connection.call(slow_service, '/org/zbus/Test/Slow', 'org.zbus.Test.Slow', 'Hang',
                    None, None, Zbus.MessageFlags.NONE, Zbus.TIMEOUT_DEFAULT,
                    cancellable, done)

    def cancel():
        cancellable.cancel()
        return GLib.SOURCE_REMOVE

    GLib.idle_add(cancel)
    run_loop(loop, 'the call to be cancelled')
    assert errors[0].matches(IO_ERROR, Gio.IOErrorEnum.CANCELLED)

    # Already cancelled: the synchronous form fails at once.
    with pytest.raises(GLib.Error) as excinfo:
        connection.call_sync(slow_service, '/org/zbus/Test/Slow', 'org.zbus.Test.Slow',
                             'Hang', None, None, Zbus.MessageFlags.NONE,
                             Zbus.TIMEOUT_DEFAULT, cancellable)
    assert_gerror(excinfo, IO_ERROR, Gio.IOErrorEnum.CANCELLED)


# --- Names ------------------------------------------------------------------

def test_request_name(connection, gdbus):
    name = 'org.zbus.Test.Py.Owned'
    acquired = record_signal(connection, 'name-acquired')

    reply = connection.request_name_sync(name, Zbus.RequestNameFlags.NONE, None)
    assert reply == Zbus.RequestNameReply.PRIMARY_OWNER
    assert isinstance(reply, Zbus.RequestNameReply)
    assert name_owner(gdbus, name) == connection.get_unique_name()

    wait_for(lambda: (name,) in acquired, 'name-acquired')

    # Asking again changes nothing.
    assert connection.request_name_sync(name, Zbus.RequestNameFlags.NONE, None) == \
        Zbus.RequestNameReply.ALREADY_OWNER

    # A second connection that will not queue is told the name exists.
    other = Zbus.Connection.session(None)
    try:
        assert other.request_name_sync(name, Zbus.RequestNameFlags.DO_NOT_QUEUE, None) == \
            Zbus.RequestNameReply.EXISTS
        assert name_owner(gdbus, name) == connection.get_unique_name()
    finally:
        close_quietly(other)


def test_name_queue(connection, gdbus):
    name = 'org.zbus.Test.Py.Queued'
    first_lost = record_signal(connection, 'name-lost')
    second = Zbus.Connection.session(None)
    second_acquired = record_signal(second, 'name-acquired')
    try:
        assert connection.request_name_sync(name, Zbus.RequestNameFlags.NONE, None) == \
            Zbus.RequestNameReply.PRIMARY_OWNER
        assert second.request_name_sync(name, Zbus.RequestNameFlags.NONE, None) == \
            Zbus.RequestNameReply.IN_QUEUE

        # The owner lets go: the name passes to the connection in the queue.
        assert connection.release_name_sync(name, None) == Zbus.ReleaseNameReply.RELEASED
        wait_for(lambda: (name,) in first_lost and (name,) in second_acquired,
                 'name-lost on the first connection and name-acquired on the second')
        assert name_owner(gdbus, name) == second.get_unique_name()

        assert connection.release_name_sync(name, None) == Zbus.ReleaseNameReply.NOT_OWNER
        assert connection.release_name_sync('org.zbus.Test.Py.Nobody', None) == \
            Zbus.ReleaseNameReply.NON_EXISTENT
    finally:
        close_quietly(second)


def test_request_name_async(connection, gdbus):
    name = 'org.zbus.Test.Py.Async'
    loop = GLib.MainLoop()
    replies = []

    def requested(conn, result):
        replies.append(conn.request_name_finish(result))
        conn.release_name(name, None, released)

    def released(conn, result):
        replies.append(conn.release_name_finish(result))
        loop.quit()

    connection.request_name(name, Zbus.RequestNameFlags.DO_NOT_QUEUE, None, requested)
    run_loop(loop, 'RequestName and ReleaseName')
    assert replies == [Zbus.RequestNameReply.PRIMARY_OWNER, Zbus.ReleaseNameReply.RELEASED]


def test_request_unique_name(connection):
    with pytest.raises(GLib.Error) as excinfo:
        connection.request_name_sync(':1.999', Zbus.RequestNameFlags.NONE, None)
    assert_gerror(excinfo, ZBUS_ERROR, Zbus.Error.INVALID_NAME)
    with pytest.raises(GLib.Error) as excinfo:
        connection.release_name_sync(':1.999', None)
    assert_gerror(excinfo, ZBUS_ERROR, Zbus.Error.INVALID_NAME)

    loop = GLib.MainLoop()
    errors = []

    def done(conn, result):
        try:
            conn.request_name_finish(result)
        except GLib.Error as e:
            errors.append(e)
        loop.quit()

    connection.request_name(':1.999', Zbus.RequestNameFlags.NONE, None, done)
    run_loop(loop, 'request_name to fail')
    assert errors[0].matches(ZBUS_ERROR, Zbus.Error.INVALID_NAME)


# --- The builder ------------------------------------------------------------

def test_builder_add_name(bus, gdbus):
    name = 'org.zbus.Test.Py.Builder'
    builder = Zbus.ConnectionBuilder.new_session()
    builder.add_name(name, Zbus.RequestNameFlags.DO_NOT_QUEUE)
    builder.set_method_timeout(3000)
    conn = builder.build(None)
    try:
        assert conn.is_bus()
        assert conn.get_method_timeout() == 3000
        # The name is ours by the time build() returns.
        assert name_owner(gdbus, name) == conn.get_unique_name()

        # The same request from another connection fails the build.
        taken = Zbus.ConnectionBuilder.new_session()
        taken.add_name(name, Zbus.RequestNameFlags.DO_NOT_QUEUE)
        with pytest.raises(GLib.Error) as excinfo:
            taken.build(None)
        assert_gerror(excinfo, DBUS_ERROR, Gio.DBusError.ADDRESS_IN_USE)
        assert name in excinfo.value.message
    finally:
        close_quietly(conn)


def test_builder_build_async(bus, gdbus):
    name = 'org.zbus.Test.Py.BuilderAsync'
    builder = Zbus.ConnectionBuilder.new_for_address(bus)
    builder.add_name(name, Zbus.RequestNameFlags.NONE)
    loop = GLib.MainLoop()
    results = []

    def built(source, result):
        results.append(source.build_finish(result))
        loop.quit()

    builder.build_async(None, built)
    run_loop(loop, 'build_async')
    conn = results[0]
    try:
        assert conn.is_bus()
        assert name_owner(gdbus, name) == conn.get_unique_name()
    finally:
        close_quietly(conn)


def test_builder_internal_thread(bus, gdbus):
    builder = Zbus.ConnectionBuilder.new_session()
    builder.set_internal_thread(True)
    conn = builder.build(None)
    try:
        # It dispatches on a context of its own, so a call completes without
        # this thread running any main loop.
        assert conn.get_main_context() != GLib.MainContext.default()
        assert zbus_call(conn, 'GetId').unpack() == gdbus_call(gdbus, 'GetId')
    finally:
        close_quietly(conn)


@pytest.mark.parametrize('address, code', [
    ('unix:path=/nonexistent/zbus-test-socket', Gio.IOErrorEnum.NOT_FOUND),
    ('not an address', Gio.IOErrorEnum.INVALID_ARGUMENT),
], ids=['missing-socket', 'malformed'])
def test_builder_bad_address(address, code):
    with pytest.raises(GLib.Error) as excinfo:
        Zbus.ConnectionBuilder.new_for_address(address).build(None)
    assert_gerror(excinfo, IO_ERROR, code)


# --- Peer to peer -----------------------------------------------------------

def socket_pair():
    """Both ends of a Unix socket pair as Gio.Sockets."""
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    return Gio.Socket.new_from_fd(a.detach()), Gio.Socket.new_from_fd(b.detach())


def test_p2p_server_in_thread():
    server_socket, client_socket = socket_pair()
    guid = Zbus.generate_guid()
    assert Gio.dbus_is_guid(guid)
    server = {}

    # The server's handshake blocks until the client talks; build it on a
    # thread. PyGObject releases the GIL while build() runs.
    def serve():
        builder = Zbus.ConnectionBuilder.new_for_socket(server_socket)
        builder.set_server(guid)
        try:
            server['connection'] = builder.build(None)
        except GLib.Error as e:
            server['error'] = e

    thread = threading.Thread(target=serve)
    thread.start()
    builder = Zbus.ConnectionBuilder.new_for_socket(client_socket)
    builder.set_p2p(True)
    try:
        client = builder.build(None)
    finally:
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert 'error' not in server, server.get('error')
    server = server['connection']

    try:
        assert not client.is_bus()
        assert not server.is_bus()
        assert client.get_unique_name() is None
        assert client.get_guid() == guid
        assert server.get_guid() == guid
        assert client.get_unix_fd_passing()

        credentials = server.get_peer_credentials()
        assert isinstance(credentials, Gio.Credentials)
        assert credentials.get_unix_pid() == os.getpid()
        assert credentials.get_unix_user() == os.getuid()

        # The server was built on the other thread, which had no
        # thread-default context: it dispatches on the global default one,
        # which this loop runs, and answers Peer.Ping there.
        loop = GLib.MainLoop()
        replies = []

        def pinged(conn, result):
            replies.append(conn.call_finish(result))
            loop.quit()

        client.call(None, '/', 'org.freedesktop.DBus.Peer', 'Ping', None, None,
                    Zbus.MessageFlags.NONE, Zbus.TIMEOUT_DEFAULT, None, pinged)
        run_loop(loop, 'the reply to Peer.Ping')
        assert replies[0].unpack() == ()

        # Names exist only on buses.
        with pytest.raises(GLib.Error) as excinfo:
            client.request_name_sync('org.zbus.Test.P2p', Zbus.RequestNameFlags.NONE, None)
        assert_gerror(excinfo, IO_ERROR, Gio.IOErrorEnum.NOT_SUPPORTED)
    finally:
        close_quietly(client)
        close_quietly(server)


def test_p2p_build_async_and_peer_closes():
    server_socket, client_socket = socket_pair()
    guid = Zbus.generate_guid()
    server_builder = Zbus.ConnectionBuilder.new_for_socket(server_socket)
    server_builder.set_server(guid)
    client_builder = Zbus.ConnectionBuilder.new_for_socket(client_socket)
    client_builder.set_p2p(True)

    # Both ends handshake at once on this thread's main loop.
    loop = GLib.MainLoop()
    built = {}

    def done(builder, result, role):
        try:
            built[role] = builder.build_finish(result)
        except GLib.Error as e:
            built[role] = e
        if len(built) == 2:
            loop.quit()

    server_builder.build_async(None, done, 'server')
    client_builder.build_async(None, done, 'client')
    run_loop(loop, 'both ends to be built')
    server, client = built['server'], built['client']
    assert isinstance(server, Zbus.Connection), server
    assert isinstance(client, Zbus.Connection), client
    assert client.get_guid() == guid

    closed = record_signal(client, 'closed')
    assert server.close_sync(None)
    wait_for(lambda: closed, 'closed on the client')
    remote_peer_vanished, error = closed[0]
    assert remote_peer_vanished is True
    assert isinstance(error, GLib.Error)
    assert client.is_closed()

    with pytest.raises(GLib.Error) as excinfo:
        client.call_sync(None, '/', 'org.freedesktop.DBus.Peer', 'Ping', None, None,
                         Zbus.MessageFlags.NONE, Zbus.TIMEOUT_DEFAULT, None)
    assert_gerror(excinfo, IO_ERROR, Gio.IOErrorEnum.CLOSED)


# --- Adopting a GDBus connection --------------------------------------------

def test_new_for_gdbus(bus, gdbus):
    adopted = gdbus_connect(bus)
    conn = Zbus.Connection.new_for_gdbus(adopted)
    try:
        assert conn.get_gdbus_connection() is adopted
        assert conn.props.gdbus_connection is adopted
        assert conn.get_unique_name() == adopted.get_unique_name()
        assert conn.get_guid() == adopted.get_guid()
        assert conn.is_bus()

        bus_id = gdbus_call(gdbus, 'GetId', reply_type='(s)')[0]
        assert zbus_call(conn, 'GetId', reply_type='(s)').unpack() == (bus_id,)

        # Names requested through it belong to the GDBus connection.
        name = 'org.zbus.Test.Py.Adopted'
        acquired = record_signal(conn, 'name-acquired')
        assert conn.request_name_sync(name, Zbus.RequestNameFlags.DO_NOT_QUEUE, None) == \
            Zbus.RequestNameReply.PRIMARY_OWNER
        assert name_owner(gdbus, name) == adopted.get_unique_name()
        wait_for(lambda: (name,) in acquired, 'name-acquired')

        # Errors cross the adoption the same way.
        with pytest.raises(GLib.Error) as excinfo:
            zbus_call(conn, 'NoSuchMethod')
        assert_gerror(excinfo, DBUS_ERROR, Gio.DBusError.UNKNOWN_METHOD)
    finally:
        close_quietly(conn)
        close_quietly(adopted)


def test_adopted_connection_closes_with_gdbus(bus):
    adopted = gdbus_connect(bus)
    conn = Zbus.Connection.new_for_gdbus(adopted)
    closed = record_signal(conn, 'closed')
    adopted.close_sync(None)
    wait_for(lambda: closed, 'closed')
    assert conn.is_closed()


# --- Closing ----------------------------------------------------------------

def test_close(connection):
    closed = record_signal(connection, 'closed')
    notified = record_signal(connection, 'notify::closed')

    assert connection.close_sync(None) is True
    assert connection.is_closed()
    wait_for(lambda: closed and notified, 'closed and notify::closed')
    assert closed == [(False, None)]

    # A closed connection leaves the context idle.
    assert drain_context() < 1000

    with pytest.raises(GLib.Error) as excinfo:
        connection.close_sync(None)
    assert_gerror(excinfo, IO_ERROR, Gio.IOErrorEnum.CLOSED)
    with pytest.raises(GLib.Error) as excinfo:
        zbus_call(connection, 'GetId')
    assert_gerror(excinfo, IO_ERROR, Gio.IOErrorEnum.CLOSED)


def test_close_async(connection):
    loop = GLib.MainLoop()
    results = []

    def done(conn, result):
        results.append(conn.close_finish(result))
        loop.quit()

    connection.close(None, done)
    run_loop(loop, 'close')
    assert results == [True]
    assert connection.is_closed()


# --- Introspection details --------------------------------------------------

def test_timeout_constants():
    assert Zbus.TIMEOUT_DEFAULT == -1


def test_timeout_infinite_constant():
    assert Zbus.TIMEOUT_INFINITE == GLib.MAXINT


def test_infinite_timeout_by_value(connection):
    # Until the constant is there, bindings pass G_MAXINT themselves.
    reply = connection.call_sync(DBUS_NAME, DBUS_PATH, DBUS_INTERFACE, 'GetId', None, None,
                                 Zbus.MessageFlags.NONE, GLib.MAXINT, None)
    assert len(reply.unpack()[0]) == 32
