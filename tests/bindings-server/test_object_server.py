# test_object_server.py: serving a Zbus.Interface subclass written in Python
#
# Copyright 2026 The zbus-gobject authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run by `meson test --suite python` with GI_TYPELIB_PATH and
# LD_LIBRARY_PATH pointing at the build tree.

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Zbus', '1.0')

from gi.repository import GLib, GObject, Gio, Zbus  # noqa: E402

import pytest  # noqa: E402


class Counter(Zbus.Interface):
    __gtype_name__ = 'PyTestCounter'

    count = GObject.Property(type=int, default=0, blurb='How many times Add ran')
    label = GObject.Property(type=str, default='start')

    __gsignals__ = {
        'reached': (GObject.SignalFlags.RUN_LAST, None, (int,)),
        'add': (GObject.SignalFlags.RUN_LAST | GObject.SignalFlags.ACTION, int, (int,)),
        'fail': (GObject.SignalFlags.RUN_LAST | GObject.SignalFlags.ACTION, None, (str,)),
        'fail-gerror': (GObject.SignalFlags.RUN_LAST | GObject.SignalFlags.ACTION, None, ()),
    }

    def do_add(self, n):
        self.count += n
        if self.count >= 10:
            self.emit('reached', self.count)
        return self.count

    def do_fail(self, why):
        inv = Zbus.MethodInvocation.get_current()
        inv.return_dbus_error('org.example.Counter.Error.Refused', 'refused: ' + why)

    def do_fail_gerror(self):
        inv = Zbus.MethodInvocation.get_current()
        inv.return_gerror(GLib.Error.new_literal(Gio.dbus_error_quark(), 'no way',
                                                 Gio.DBusError.ACCESS_DENIED))


Zbus.Interface.type_set_name(Counter, 'org.example.Counter')


@pytest.fixture
def bus():
    test_bus = Gio.TestDBus.new(Gio.TestDBusFlags.NONE)
    test_bus.up()
    yield test_bus
    test_bus.down()


def call(client, method, args, reply_type, interface='org.example.Counter'):
    return client.call_sync(None, '/counter', interface, method, args,
                            GLib.VariantType.new(reply_type) if reply_type else None,
                            Gio.DBusCallFlags.NONE, -1, None)


def spin():
    ctx = GLib.MainContext.default()
    for _ in range(50):
        ctx.iteration(False)


@pytest.fixture
def served(bus):
    server_conn = Zbus.Connection.session(None)
    counter = Counter()
    server = Zbus.ObjectServer.get_for_connection(server_conn)
    assert server.at('/counter', counter)
    assert not server.at('/counter', Counter())  # one of a name per path
    client = Gio.DBusConnection.new_for_address_sync(
        bus.get_bus_address(),
        Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
        Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
    yield server_conn, counter, client
    client.close_sync(None)
    server_conn.close_sync(None)


def run_call(client, server_conn, method, args, reply_type, interface='org.example.Counter'):
    result = {}

    def done(source, res):
        try:
            result['value'] = source.call_finish(res)
        except GLib.Error as e:
            result['error'] = e

    client.call(server_conn.get_unique_name(), '/counter', interface, method, args,
                GLib.VariantType.new(reply_type) if reply_type else None,
                Gio.DBusCallFlags.NONE, -1, None, done)
    ctx = GLib.MainContext.default()
    while not result:
        ctx.iteration(True)
    if 'error' in result:
        raise result['error']
    return result['value']


def test_name_is_set():
    assert Zbus.Interface.type_get_name(Counter) == 'org.example.Counter'
    xml = Zbus.Interface.type_introspect(Counter)
    assert '<method name="Add">' in xml
    assert '<signal name="Reached">' in xml
    assert '<property name="Count" type="i" access="readwrite">' in xml
    assert 'How many times Add ran' in xml


def test_method_property_signal(served):
    server_conn, counter, client = served
    seen = []
    client.signal_subscribe(None, None, None, '/counter', None, Gio.DBusSignalFlags.NONE,
                            lambda *a: seen.append((a[3], a[4], a[5].unpack())))
    assert run_call(client, server_conn, 'Add', GLib.Variant('(i)', (4,)), '(i)').unpack() == (4,)
    assert run_call(client, server_conn, 'Add', GLib.Variant('(i)', (6,)), '(i)').unpack() == (10,)
    value = run_call(client, server_conn, 'Get', GLib.Variant('(ss)', ('org.example.Counter', 'Count')),
                     '(v)', 'org.freedesktop.DBus.Properties')
    assert value.unpack() == (10,)
    run_call(client, server_conn, 'Set',
             GLib.Variant('(ssv)', ('org.example.Counter', 'Label', GLib.Variant('s', 'hi'))),
             None, 'org.freedesktop.DBus.Properties')
    assert counter.props.label == 'hi'
    spin()
    assert ('org.example.Counter', 'Reached', (10,)) in seen
    changes = [s for s in seen if s[1] == 'PropertiesChanged']
    assert changes[-1][2] == ('org.example.Counter', {'Label': 'hi'}, [])


def test_failing_methods(served):
    server_conn, counter, client = served
    with pytest.raises(GLib.Error) as info:
        run_call(client, server_conn, 'Fail', GLib.Variant('(s)', ('because',)), None)
    assert Gio.DBusError.get_remote_error(info.value) == 'org.example.Counter.Error.Refused'
    assert 'refused: because' in info.value.message
    with pytest.raises(GLib.Error) as info:
        run_call(client, server_conn, 'FailGerror', None, None)
    assert info.value.matches(Gio.dbus_error_quark(), Gio.DBusError.ACCESS_DENIED)
    assert 'no way' in info.value.message
    with pytest.raises(GLib.Error) as info:
        run_call(client, server_conn, 'Add', GLib.Variant('(s)', ('x',)), None)
    assert info.value.matches(Gio.dbus_error_quark(), Gio.DBusError.INVALID_ARGS)


def test_builder_serves_before_the_name(bus):
    builder = Zbus.ConnectionBuilder.new_session()
    counter = Counter()
    builder.serve_at('/counter', counter)
    builder.add_name('org.example.Counted', Zbus.RequestNameFlags.DO_NOT_QUEUE)
    server_conn = builder.build(None)

    # The object is there as soon as the name is.
    assert server_conn.get_object_server().lookup_by_name(
        '/counter', 'org.example.Counter') is counter

    client = Gio.DBusConnection.new_for_address_sync(
        bus.get_bus_address(),
        Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
        Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
    result = []
    client.call('org.example.Counted', '/counter', 'org.example.Counter', 'Add',
                GLib.Variant('(i)', (4,)), GLib.VariantType.new('(i)'),
                Gio.DBusCallFlags.NONE, 5000, None,
                lambda c, res: result.append(c.call_finish(res)))
    ctx = GLib.MainContext.default()
    while not result:
        ctx.iteration(True)
    assert result[0].unpack() == (4,)
    server_conn.close_sync(None)
    client.close_sync(None)
