# test_object_manager.py: org.freedesktop.DBus.ObjectManager over
# Zbus.Interface subclasses written in Python
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

OM = 'org.freedesktop.DBus.ObjectManager'


class Lamp(Zbus.Interface):
    __gtype_name__ = 'PyOmLamp'

    brightness = GObject.Property(type=int, default=0)
    color = GObject.Property(type=str, default='white')


class Battery(Zbus.Interface):
    __gtype_name__ = 'PyOmBattery'

    percent = GObject.Property(type=float, default=100.0)
    charging = GObject.Property(type=bool, default=False)


Zbus.Interface.type_set_name(Lamp, 'org.example.Lamp')
Zbus.Interface.type_set_name(Battery, 'org.example.Battery')


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
def served(request, bus):
    if request.param == 'native':
        server_conn = Zbus.Connection.session(None)
    else:
        server_conn = Zbus.Connection.new_for_gdbus(connect_gdbus(bus))
    server = Zbus.ObjectServer.get_for_connection(server_conn)
    client = connect_gdbus(bus)
    yield server_conn, server, client
    client.close_sync(None)
    server_conn.close_sync(None)


def run_call(client, server_conn, path, interface, method, reply_type):
    """Calls the server while this thread's context serves it."""
    result = {}

    def done(source, res):
        try:
            result['value'] = source.call_finish(res)
        except GLib.Error as e:
            result['error'] = e

    client.call(server_conn.get_unique_name(), path, interface, method, None,
                GLib.VariantType.new(reply_type), Gio.DBusCallFlags.NONE, -1, None, done)
    ctx = GLib.MainContext.default()
    while not result:
        ctx.iteration(True)
    if 'error' in result:
        raise result['error']
    return result['value']


def sync(client, server_conn):
    """A round trip: what the server sent before has been dispatched."""
    run_call(client, server_conn, '/', 'org.freedesktop.DBus.Peer', 'Ping', '()')
    ctx = GLib.MainContext.default()
    while ctx.iteration(False):
        pass


def test_get_managed_objects(served):
    server_conn, server, client = served
    assert server.add_object_manager('/org/example')
    assert not server.add_object_manager('/org/example')
    with pytest.raises(GLib.Error):
        server.add_object_manager('not a path')

    lamp = Lamp(brightness=40, color='red')
    battery = Battery(percent=55.5, charging=True)
    assert server.at('/org/example/lamp', lamp)
    assert server.at('/org/example/lamp', battery)
    assert server.at('/org/example/spare', Battery())
    assert server.at('/elsewhere', Lamp())

    reply = run_call(client, server_conn, '/org/example', OM, 'GetManagedObjects', '(a{oa{sa{sv}}})')
    assert reply.unpack() == ({
        '/org/example/lamp': {
            'org.example.Lamp': {'Brightness': 40, 'Color': 'red'},
            'org.example.Battery': {'Percent': 55.5, 'Charging': True},
        },
        '/org/example/spare': {
            'org.example.Battery': {'Percent': 100.0, 'Charging': False},
        },
    },)

    xml = server.introspect('/org/example')
    assert '<interface name="org.freedesktop.DBus.ObjectManager">' in xml
    assert server.remove_object_manager('/org/example')
    assert not server.remove_object_manager('/org/example')


def test_interfaces_added_and_removed(served):
    server_conn, server, client = served
    seen = []
    client.signal_subscribe(server_conn.get_unique_name(), OM, None, '/org/example', None,
                            Gio.DBusSignalFlags.NONE,
                            lambda conn, sender, path, iface, member, params:
                            seen.append((member, params.unpack())))
    assert server.add_object_manager('/org/example')
    sync(client, server_conn)

    assert server.at('/org/example/lamp', Lamp(brightness=3))
    assert server.at('/org/example/lamp', Battery(percent=20.0))
    assert server.at('/elsewhere', Lamp())
    sync(client, server_conn)
    assert seen == [
        ('InterfacesAdded', ('/org/example/lamp',
                             {'org.example.Lamp': {'Brightness': 3, 'Color': 'white'}})),
        ('InterfacesAdded', ('/org/example/lamp',
                             {'org.example.Battery': {'Percent': 20.0, 'Charging': False}})),
    ]

    del seen[:]
    assert server.remove_by_name('/org/example/lamp', 'org.example.Battery')
    assert server.remove('/org/example/lamp', Lamp)
    sync(client, server_conn)
    assert seen == [
        ('InterfacesRemoved', ('/org/example/lamp', ['org.example.Battery'])),
        ('InterfacesRemoved', ('/org/example/lamp', ['org.example.Lamp'])),
    ]
