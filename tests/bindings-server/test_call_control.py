# test_call_control.py: authorizing calls and strict call order, from Python
#
# Copyright 2026 The zbus-gobject authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run by `meson test --suite python` with GI_TYPELIB_PATH and
# LD_LIBRARY_PATH pointing at the build tree.

import os

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Zbus', '1.0')

from gi.repository import GLib, GObject, Gio, Zbus  # noqa: E402

import pytest  # noqa: E402

ACTION = GObject.SignalFlags.RUN_LAST | GObject.SignalFlags.ACTION

# What the handlers did, in order, and the Slow calls not answered yet.
trace = []
held = []


class Queue(Zbus.Interface):
    __gtype_name__ = 'PyCallControlQueue'

    value = GObject.Property(type=int, default=3)

    __gsignals__ = {
        'echo': (ACTION, int, (int,)),
        'slow': (ACTION, None, (Zbus.MethodInvocation, int)),
    }

    def do_echo(self, n):
        trace.append('e%d' % n)
        return n

    def do_slow(self, invocation, n):
        trace.append('h%d' % n)
        held.append(invocation)


class StrictQueue(Queue):
    __gtype_name__ = 'PyCallControlStrictQueue'


Zbus.Interface.type_set_name(Queue, 'org.example.Queue')
Zbus.Interface.type_set_method_signature(Queue, 'slow', 'i', None)
Zbus.Interface.type_set_name(StrictQueue, 'org.example.StrictQueue')
Zbus.Interface.type_set_method_signature(StrictQueue, 'slow', 'i', None)
Zbus.Interface.type_set_strict_order(StrictQueue, True)


@pytest.fixture
def bus():
    test_bus = Gio.TestDBus.new(Gio.TestDBusFlags.NONE)
    test_bus.up()
    yield test_bus
    test_bus.down()


def connect_gdbus(bus):
    return Gio.DBusConnection.new_for_address_sync(
        bus.get_bus_address(),
        Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
        Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)


@pytest.fixture(params=['native', 'gdbus'])
def served(bus, request):
    if request.param == 'native':
        server_conn = Zbus.Connection.session(None)
    else:
        server_conn = Zbus.Connection.new_for_gdbus(connect_gdbus(bus))
    server = Zbus.ObjectServer.get_for_connection(server_conn)
    queue = Queue()
    strict = StrictQueue()
    assert server.at('/queue', queue)
    assert server.at('/strict', strict)
    client = connect_gdbus(bus)
    trace.clear()
    held.clear()
    yield server_conn, server, queue, client
    held.clear()
    client.close_sync(None)
    server_conn.close_sync(None)


def spin_until(condition):
    ctx = GLib.MainContext.default()
    deadline = GLib.get_monotonic_time() + 5 * GLib.USEC_PER_SEC
    while not condition():
        assert GLib.get_monotonic_time() < deadline, 'timed out'
        ctx.iteration(False)


def start_call(client, server_conn, path, interface, method, args, replies, tag):
    """Sends a call without waiting; its outcome goes to replies[tag]."""
    def done(source, res):
        try:
            replies[tag] = source.call_finish(res).unpack()
        except GLib.Error as e:
            replies[tag] = e
        order.append(tag)

    order = replies.setdefault('order', [])
    client.call(server_conn.get_unique_name(), path, interface, method, args, None,
                Gio.DBusCallFlags.NONE, 10000, None, done)


def run_call(client, server_conn, path, interface, method, args):
    replies = {}
    start_call(client, server_conn, path, interface, method, args, replies, 'x')
    spin_until(lambda: 'x' in replies)
    return replies['x']


def ping(client, server_conn):
    assert run_call(client, server_conn, '/queue', 'org.freedesktop.DBus.Peer', 'Ping', None) == ()


def remote_error(error):
    assert isinstance(error, GLib.Error), error
    return Gio.DBusError.get_remote_error(error)


def test_authorize_now(served):
    server_conn, server, queue, client = served
    asked = []

    def on_authorize(server, invocation):
        asked.append((invocation.get_sender(), invocation.get_path(),
                      invocation.get_interface_name(), invocation.get_member()))
        if invocation.get_member() == 'Set':
            invocation.deny('no writes')
            return True
        if invocation.get_member() == 'Echo' and invocation.get_parameters().unpack() == (13,):
            invocation.deny('not 13')
            return True
        return False  # nobody takes charge: allowed

    server.connect('authorize-call', on_authorize)

    assert run_call(client, server_conn, '/queue', 'org.example.Queue', 'Echo',
                    GLib.Variant('(i)', (1,))) == (1,)
    assert asked == [(client.get_unique_name(), '/queue', 'org.example.Queue', 'Echo')]

    denied = run_call(client, server_conn, '/queue', 'org.example.Queue', 'Echo',
                      GLib.Variant('(i)', (13,)))
    assert remote_error(denied) == 'org.freedesktop.DBus.Error.AccessDenied'
    assert 'not 13' in denied.message
    assert trace == ['e1']

    refused = run_call(client, server_conn, '/queue', 'org.freedesktop.DBus.Properties', 'Set',
                       GLib.Variant('(ssv)', ('org.example.Queue', 'Value', GLib.Variant('i', 8))))
    assert remote_error(refused) == 'org.freedesktop.DBus.Error.AccessDenied'
    assert queue.props.value == 3

    # Introspection is not asked about.
    n = len(asked)
    run_call(client, server_conn, '/queue', 'org.freedesktop.DBus.Introspectable', 'Introspect', None)
    assert len(asked) == n


def test_authorize_later_keeps_order(served):
    server_conn, server, queue, client = served
    decided = []

    def decide(invocation, n):
        decided.append(n)
        if n % 2 == 0:
            invocation.authorize()
        else:
            invocation.deny('odd')
        return GLib.SOURCE_REMOVE

    def on_credentials(invocation, result):
        credentials = invocation.get_caller_credentials_finish(result).unpack()
        assert credentials['UnixUserID'] == os.getuid()
        assert credentials['ProcessID'] == os.getpid()
        n = invocation.get_parameters().unpack()[0]
        GLib.timeout_add(5, decide, invocation, n)

    def on_authorize(server, invocation):
        trace.append('a%d' % invocation.get_parameters().unpack()[0])
        invocation.get_caller_credentials(None, on_credentials)
        return True

    server.connect('authorize-call', on_authorize)

    replies = {}
    numbers = [2, 1, 4, 3, 6]
    for n in numbers:
        start_call(client, server_conn, '/queue', 'org.example.Queue', 'Echo',
                   GLib.Variant('(i)', (n,)), replies, n)
    spin_until(lambda: len(replies.get('order', [])) == len(numbers))

    # One decision at a time, in arrival order; replies in that order too.
    assert trace == ['a2', 'e2', 'a1', 'a4', 'e4', 'a3', 'a6', 'e6']
    assert decided == numbers
    assert replies['order'] == numbers
    for n in numbers:
        if n % 2 == 0:
            assert replies[n] == (n,)
        else:
            assert remote_error(replies[n]) == 'org.freedesktop.DBus.Error.AccessDenied'


def answer(invocation):
    n = invocation.get_parameters().unpack()[0]
    trace.append('r%d' % n)
    invocation.return_value(GLib.Variant('(i)', (n,)))


def test_strict_order(served):
    server_conn, server, queue, client = served
    replies = {}
    for n in (1, 2, 3):
        start_call(client, server_conn, '/strict', 'org.example.StrictQueue', 'Slow',
                   GLib.Variant('(i)', (n,)), replies, n)

    for n in (1, 2, 3):
        spin_until(lambda: len(held) == n)
        ping(client, server_conn)  # the later calls have arrived, and wait
        assert len(held) == n
        answer(held[n - 1])
        spin_until(lambda: n in replies)

    assert trace == ['h1', 'r1', 'h2', 'r2', 'h3', 'r3']
    assert [replies[n] for n in (1, 2, 3)] == [(1,), (2,), (3,)]


def test_loose_order(served):
    server_conn, server, queue, client = served
    replies = {}
    for n in (1, 2, 3):
        start_call(client, server_conn, '/queue', 'org.example.Queue', 'Slow',
                   GLib.Variant('(i)', (n,)), replies, n)

    spin_until(lambda: len(held) == 3)
    assert trace == ['h1', 'h2', 'h3']
    for invocation in reversed(held):
        answer(invocation)
    spin_until(lambda: len(replies.get('order', [])) == 3)
    assert replies['order'] == [3, 2, 1]
