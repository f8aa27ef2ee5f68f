# test_interface_overrides.py: method tables, per-member overrides and
# introspection docs of a Zbus.Interface subclass written in Python
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

DOC = 'org.gtk.GDBus.DocString'


class Shop(Zbus.Interface):
    __gtype_name__ = 'PyTestShop'

    stock = GObject.Property(type=int, default=3, minimum=-100000, maximum=100000,
                             blurb='Items on the shelf')
    owner = GObject.Property(type=str, default='/nobody')
    kind = GObject.Property(type=Gio.FileType, default=Gio.FileType.REGULAR)
    label = GObject.Property(type=str, default='Corner shop')

    __gsignals__ = {
        'sold': (GObject.SignalFlags.RUN_LAST, None, (int, Gio.FileType)),
        'restock': (GObject.SignalFlags.RUN_LAST | GObject.SignalFlags.ACTION, str,
                    (Gio.FileType, int)),
    }

    def do_restock(self, kind, count):
        self.stock += count
        return '%s +%d' % (kind.value_nick, count)


def price(iface, invocation, parameters):
    item, count = parameters.unpack()
    assert isinstance(iface, Shop)
    assert Zbus.MethodInvocation.get_current() == invocation
    invocation.return_value(GLib.Variant('(sd)', (item, count * 1.5)))


def later(iface, invocation, parameters):
    # Answered from an idle: the invocation is kept alive by the closure.
    def answer():
        invocation.return_value(GLib.Variant('(u)', (parameters.unpack()[0] + 1,)))
        return GLib.SOURCE_REMOVE
    GLib.idle_add(answer)


def scaled(iface, invocation, parameters, factor):
    invocation.return_value(GLib.Variant('(d)', (parameters.unpack()[0] * factor,)))


def refuse(iface, invocation, parameters):
    invocation.return_gerror(GLib.Error.new_literal(Gio.dbus_error_quark(), 'closed today',
                                                    Gio.DBusError.ACCESS_DENIED))


T = Shop
Zbus.Interface.type_set_name(T, 'org.example.Shop')
Zbus.Interface.type_set_doc(T, 'A shop & its <stock>')
assert Zbus.Interface.type_add_method(T, 'Price', 'su', 'sd', ['item', 'count'],
                                      ['item', 'total'], price)
assert Zbus.Interface.type_add_method(T, 'Later', 'u', 'u', None, None, later)
assert Zbus.Interface.type_add_method(T, 'Scale', 'd', 'd', None, None, scaled, 2.5)
assert Zbus.Interface.type_add_method(T, 'Refuse', None, None, None, None, refuse)
Zbus.Interface.type_set_method_doc(T, 'Price', 'What it costs')
assert Zbus.Interface.type_set_property_signature(T, 'stock', 'n')
assert Zbus.Interface.type_set_property_signature(T, 'owner', 'o')
assert Zbus.Interface.type_set_property_signature(T, 'kind', 's')
assert Zbus.Interface.type_set_property_name(T, 'label', 'Title')
assert Zbus.Interface.type_set_property_doc(T, 'label', 'What the sign says')
assert Zbus.Interface.type_set_signal_name(T, 'sold', 'ItemSold')
assert Zbus.Interface.type_set_signal_signature(T, 'sold', 'ns', ['count', 'kind'])
assert Zbus.Interface.type_set_signal_doc(T, 'sold', 'Something was sold')
assert Zbus.Interface.type_set_method_in_signature(T, 'restock', 'sn', ['kind', 'count'])
assert Zbus.Interface.type_set_method_name(T, 'restock', 'Refill')


class Quiet(Zbus.Interface):
    __gtype_name__ = 'PyTestQuiet'

    level = GObject.Property(type=int, default=0, blurb='A blurb nobody sees')


Zbus.Interface.type_set_name(Quiet, 'org.example.Quiet')
Zbus.Interface.type_set_doc(Quiet, 'A doc nobody sees')
Zbus.Interface.type_set_introspection_docs(Quiet, False)


class Wrong(Zbus.Interface):
    __gtype_name__ = 'PyTestWrong'

    count = GObject.Property(type=int, default=0)


Zbus.Interface.type_set_name(Wrong, 'org.example.Wrong')
Zbus.Interface.type_set_property_signature(Wrong, 'count', 's')


@pytest.fixture
def bus():
    test_bus = Gio.TestDBus.new(Gio.TestDBusFlags.NONE)
    test_bus.up()
    yield test_bus
    test_bus.down()


@pytest.fixture
def served(bus):
    server_conn = Zbus.Connection.session(None)
    shop = Shop()
    assert Zbus.ObjectServer.get_for_connection(server_conn).at('/shop', shop)
    client = Gio.DBusConnection.new_for_address_sync(
        bus.get_bus_address(),
        Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
        Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
    yield server_conn, shop, client
    client.close_sync(None)
    server_conn.close_sync(None)


def run_call(served, method, args, interface='org.example.Shop'):
    server_conn, _, client = served
    result = {}

    def done(source, res):
        try:
            result['value'] = source.call_finish(res)
        except GLib.Error as e:
            result['error'] = e

    client.call(server_conn.get_unique_name(), '/shop', interface, method, args, None,
                Gio.DBusCallFlags.NONE, 5000, None, done)
    ctx = GLib.MainContext.default()
    while not result:
        ctx.iteration(True)
    if 'error' in result:
        raise result['error']
    return result['value']


def get(served, name):
    """The value of a property, as the variant it travelled as."""
    reply = run_call(served, 'Get', GLib.Variant('(ss)', ('org.example.Shop', name)),
                     'org.freedesktop.DBus.Properties')
    return reply.get_child_value(0).get_variant()


def set_(served, name, value):
    run_call(served, 'Set', GLib.Variant('(ssv)', ('org.example.Shop', name, value)),
             'org.freedesktop.DBus.Properties')


def remote_error(info):
    return Gio.DBusError.get_remote_error(info.value)


def test_method_table(served):
    assert run_call(served, 'Price', GLib.Variant('(su)', ('apple', 4))).unpack() == ('apple', 6.0)
    assert run_call(served, 'Later', GLib.Variant('(u)', (41,))).unpack() == (42,)
    assert run_call(served, 'Scale', GLib.Variant('(d)', (2.0,))).unpack() == (5.0,)
    with pytest.raises(GLib.Error) as info:
        run_call(served, 'Price', GLib.Variant('(s)', ('apple',)))
    assert remote_error(info) == 'org.freedesktop.DBus.Error.InvalidArgs'
    assert '“(su)”' in info.value.message
    with pytest.raises(GLib.Error) as info:
        run_call(served, 'Refuse', None)
    assert info.value.matches(Gio.dbus_error_quark(), Gio.DBusError.ACCESS_DENIED)
    assert 'closed today' in info.value.message


def test_add_method_refuses_bad_signatures():
    class Fresh(Zbus.Interface):
        __gtype_name__ = 'PyTestFresh'

    with pytest.raises(GLib.Error) as info:
        Zbus.Interface.type_add_method(Fresh, 'Bad', '(i', None, None, None, price)
    assert info.value.matches(Zbus.error_quark(), Zbus.Error.INVALID_SIGNATURE)
    assert '“(i”' in info.value.message
    with pytest.raises(GLib.Error) as info:
        Zbus.Interface.type_add_method(Fresh, 'Bad', 'ii', None, ['only_one'], None, price)
    assert '2 in-arguments' in info.value.message


def test_property_overrides(served):
    _, shop, _ = served
    assert get(served, 'Stock').get_type_string() == 'n'
    assert get(served, 'Stock').unpack() == 3
    set_(served, 'Stock', GLib.Variant('n', -7))
    assert shop.props.stock == -7
    shop.props.stock = 40000
    with pytest.raises(GLib.Error) as info:
        get(served, 'Stock')
    assert remote_error(info) == 'org.freedesktop.DBus.Error.Failed'
    assert '40000' in info.value.message

    assert get(served, 'Owner').get_type_string() == 'o'
    set_(served, 'Owner', GLib.Variant('o', '/people/ann'))
    assert shop.props.owner == '/people/ann'
    with pytest.raises(GLib.Error) as info:
        set_(served, 'Owner', GLib.Variant('s', 'not a path'))
    assert remote_error(info) == 'org.freedesktop.DBus.Error.InvalidArgs'
    assert shop.props.owner == '/people/ann'

    assert get(served, 'Kind').unpack() == 'regular'
    set_(served, 'Kind', GLib.Variant('s', 'directory'))
    assert shop.props.kind == Gio.FileType.DIRECTORY
    with pytest.raises(GLib.Error) as info:
        set_(served, 'Kind', GLib.Variant('s', 'bogus'))
    assert 'bogus' in info.value.message

    assert get(served, 'Title').unpack() == 'Corner shop'
    with pytest.raises(GLib.Error) as info:
        get(served, 'Label')
    assert remote_error(info) == 'org.freedesktop.DBus.Error.UnknownProperty'


def test_member_overrides(served):
    _, shop, client = served
    seen = []
    client.signal_subscribe(None, 'org.example.Shop', None, '/shop', None,
                            Gio.DBusSignalFlags.NONE,
                            lambda *a: seen.append((a[4], a[5])))
    reply = run_call(served, 'Refill', GLib.Variant('(sn)', ('directory', 2)))
    assert reply.unpack() == ('directory +2',)
    assert shop.props.stock == 5
    with pytest.raises(GLib.Error) as info:
        run_call(served, 'Refill', GLib.Variant('(ui)', (2, 2)))
    assert remote_error(info) == 'org.freedesktop.DBus.Error.InvalidArgs'

    shop.emit('sold', 3, Gio.FileType.SPECIAL)
    run_call(served, 'Ping', None, 'org.freedesktop.DBus.Peer')
    ctx = GLib.MainContext.default()
    while ctx.iteration(False):
        pass
    sold = [body for member, body in seen if member == 'ItemSold']
    assert len(sold) == 1
    assert sold[0].get_type_string() == '(ns)'
    assert sold[0].unpack() == (3, 'special')


def test_introspection_docs():
    xml = '<node>%s</node>' % Zbus.Interface.type_introspect(Shop)
    iface = Gio.DBusNodeInfo.new_for_xml(xml).lookup_interface('org.example.Shop')
    docs = {a.key: a.value for a in iface.annotations}
    assert docs[DOC] == 'A shop & its <stock>'

    price_info = iface.lookup_method('Price')
    assert [a.name for a in price_info.in_args] == ['item', 'count']
    assert [a.signature for a in price_info.out_args] == ['s', 'd']
    assert {a.key: a.value for a in price_info.annotations}[DOC] == 'What it costs'

    refill = iface.lookup_method('Refill')
    assert [(a.name, a.signature) for a in refill.in_args] == [('kind', 's'), ('count', 'n')]
    kind_doc = {a.key: a.value for a in refill.in_args[0].annotations}[DOC]
    assert kind_doc.startswith('Values: unknown=0, regular=1')

    sold = iface.lookup_signal('ItemSold')
    assert [(a.name, a.signature) for a in sold.args] == [('count', 'n'), ('kind', 's')]
    assert {a.key: a.value for a in sold.annotations}[DOC] == 'Something was sold'

    stock = iface.lookup_property('Stock')
    assert stock.signature == 'n'
    assert {a.key: a.value for a in stock.annotations}[DOC] == 'Items on the shelf'
    title = iface.lookup_property('Title')
    assert {a.key: a.value for a in title.annotations}[DOC] == 'What the sign says'
    assert iface.lookup_property('Kind').signature == 's'


def test_docs_turned_off():
    xml = Zbus.Interface.type_introspect(Quiet)
    assert '<property name="Level" type="i" access="readwrite">' in xml
    assert 'DocString' not in xml
    assert 'nobody sees' not in xml


def test_signature_that_does_not_fit():
    with pytest.raises(GLib.Error) as info:
        Zbus.Interface.type_check(Wrong)
    assert '“count”' in info.value.message
    assert 'gint can be sent as “i”, “n” or “h”, not as “s”' in info.value.message
