# test_converters.py: giving a type without a D-Bus mapping one, from Python
#
# Copyright 2026 The zbus-gobject authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Zbus', '1.0')

from gi.repository import GLib, GObject, Gio, Zbus  # noqa: E402

import pytest  # noqa: E402


def to_variant(value):
    # GLib.DateTime → seconds since the epoch
    return GLib.Variant('x', value.to_unix())


def from_variant(variant):
    seconds = variant.get_int64()
    if seconds < 0:
        return None  # refused: the call gets InvalidArgs
    return GLib.DateTime.new_from_unix_utc(seconds)


assert Zbus.Interface.register_converter(GLib.DateTime, 'x', to_variant, from_variant)


class Clock(Zbus.Interface):
    __gtype_name__ = 'PyTestClock'

    when = GObject.Property(type=GLib.DateTime)

    def __init__(self):
        super().__init__()
        self.when = GLib.DateTime.new_from_unix_utc(60)


Zbus.Interface.type_set_name(Clock, 'org.example.Clock')


@pytest.fixture
def served():
    bus = Gio.TestDBus.new(Gio.TestDBusFlags.NONE)
    bus.up()
    server_conn = Zbus.Connection.session(None)
    clock = Clock()
    assert Zbus.ObjectServer.get_for_connection(server_conn).at('/clock', clock)
    client = Gio.DBusConnection.new_for_address_sync(
        bus.get_bus_address(),
        Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
        Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
    yield server_conn, clock, client
    client.close_sync(None)
    server_conn.close_sync(None)
    bus.down()


def call(client, server_conn, method, args):
    result = {}

    def done(source, res):
        try:
            result['value'] = source.call_finish(res)
        except GLib.Error as e:
            result['error'] = e

    client.call(server_conn.get_unique_name(), '/clock', 'org.freedesktop.DBus.Properties',
                method, args, None, Gio.DBusCallFlags.NONE, 5000, None, done)
    ctx = GLib.MainContext.default()
    while not result:
        ctx.iteration(True)
    if 'error' in result:
        raise result['error']
    return result['value']


def test_introspection_uses_the_converter():
    xml = Zbus.Interface.type_introspect(Clock)
    assert '<property name="When" type="x" access="readwrite">' in xml


def test_get_and_set_through_the_converter(served):
    server_conn, clock, client = served
    reply = call(client, server_conn, 'Get', GLib.Variant('(ss)', ('org.example.Clock', 'When')))
    assert reply.unpack() == (60,)
    call(client, server_conn, 'Set',
         GLib.Variant('(ssv)', ('org.example.Clock', 'When', GLib.Variant('x', 3600))))
    assert clock.when.to_unix() == 3600
    with pytest.raises(GLib.Error) as info:
        call(client, server_conn, 'Set',
             GLib.Variant('(ssv)', ('org.example.Clock', 'When', GLib.Variant('x', -1))))
    assert info.value.matches(Gio.dbus_error_quark(), Gio.DBusError.INVALID_ARGS)
    assert clock.when.to_unix() == 3600
