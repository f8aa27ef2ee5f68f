# test_object_manager_client.py: ZbusObjectManagerClient, ZbusBusProxy and
# monitors through PyGObject
#
# Copyright 2026 The zbus-gobject authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run by `meson test --suite python`. The module's private bus comes from
# the `bus` fixture (conftest.py); the service is python-dbusmock acting as
# an object manager (`-m`), started as a subprocess on that bus.

import os
import subprocess
import sys
import time

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Zbus', '1.0')

from gi.repository import GLib, Gio, Zbus  # noqa: E402

import pytest  # noqa: E402

from zbustest import WAIT_SECONDS, record_signal, wait_for, zbus_call  # noqa: E402

MOCK_NAME = 'org.zbus.ManagerMock'
MOCK_PATH = '/org/zbus/ManagerMock'
MOCK_IFACE = 'org.zbus.ManagerMock'
MOCK_CONTROL = 'org.freedesktop.DBus.Mock'
THING_IFACE = 'org.zbus.Thing'


@pytest.fixture
def mock(bus, connection):
    """python-dbusmock implementing org.freedesktop.DBus.ObjectManager at
    MOCK_PATH."""
    proc = subprocess.Popen(
        [sys.executable, '-m', 'dbusmock', '--session', '-m', MOCK_NAME, MOCK_PATH, MOCK_IFACE],
        stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + WAIT_SECONDS
    while not zbus_call(connection, 'NameHasOwner', GLib.Variant('(s)', (MOCK_NAME,)),
                        '(b)').unpack()[0]:
        assert time.monotonic() < deadline, 'dbusmock did not start'
        time.sleep(0.02)
    yield proc
    proc.kill()
    proc.wait()


def control(connection, method, args, path=MOCK_PATH):
    return connection.call_sync(MOCK_NAME, path, MOCK_CONTROL, method, args, None,
                                Zbus.MessageFlags.NONE, Zbus.TIMEOUT_DEFAULT, None)


def emit_manager_signal(connection, name, types, args):
    """dbusmock leaves InterfacesAdded/Removed to its user."""
    control(connection, 'EmitSignal',
            GLib.Variant('(sssav)', ('org.freedesktop.DBus.ObjectManager', name, ''.join(types),
                                     [GLib.Variant(t, a) for t, a in zip(types, args)])))


def add_thing(connection, name, count):
    path = f'{MOCK_PATH}/{name}'
    props = {'Count': GLib.Variant('i', count)}
    control(connection, 'AddObject',
            GLib.Variant('(ssa{sv}a(ssss))', (path, THING_IFACE, props, [])))
    emit_manager_signal(connection, 'InterfacesAdded', ['o', 'a{sa{sv}}'],
                        [path, {THING_IFACE: props}])


def remove_thing(connection, name):
    path = f'{MOCK_PATH}/{name}'
    control(connection, 'RemoveObject', GLib.Variant('(o)', (path,)))
    emit_manager_signal(connection, 'InterfacesRemoved', ['o', 'as'], [path, [THING_IFACE]])


def test_model_iterates_and_follows(connection, mock):
    add_thing(connection, 'one', 1)
    manager = Zbus.ObjectManagerClient.new(connection, MOCK_NAME, MOCK_PATH,
                                           Zbus.ObjectManagerClientFlags.NONE, None)
    assert isinstance(manager, Gio.ListModel)
    assert manager.props.name_owner == manager.dup_name_owner()
    assert Gio.dbus_is_unique_name(manager.props.name_owner)
    assert manager.get_item_type() == Zbus.RemoteObject.__gtype__

    # Iterated from Python, each item an object with its proxies.
    objects = list(manager)
    assert [o.get_object_path() for o in objects] == [f'{MOCK_PATH}/one']
    assert objects[0].dup_interface_names() == [THING_IFACE]
    proxy = objects[0].get_interface(THING_IFACE)
    assert isinstance(proxy, Zbus.Proxy)
    assert proxy.get_cached_property('Count').unpack() == 1
    assert [p.get_interface_name() for p in objects[0].list_interfaces()] == [THING_IFACE]

    # An object added: items-changed, and the model holds it, sorted.
    changes = record_signal(manager, 'items-changed')
    add_thing(connection, 'a_two', 2)
    wait_for(lambda: manager.get_n_items() == 2, 'the new object')
    assert changes == [(0, 0, 1)]
    assert manager.props.n_items == 2
    assert [o.props.object_path for o in manager] == [f'{MOCK_PATH}/a_two', f'{MOCK_PATH}/one']
    two = manager.get_interface(f'{MOCK_PATH}/a_two', THING_IFACE)
    assert two.get_cached_property('Count').unpack() == 2

    # A property change reaches the object's proxy.
    control(connection, 'UpdateProperties',
            GLib.Variant('(sa{sv})', (THING_IFACE, {'Count': GLib.Variant('i', 20)})),
            path=f'{MOCK_PATH}/a_two')
    wait_for(lambda: two.get_cached_property('Count').unpack() == 20, 'the new Count')

    # An object removed.
    remove_thing(connection, 'one')
    wait_for(lambda: manager.get_n_items() == 1, 'the removal')
    assert changes[-1] == (1, 1, 0)
    assert manager.get_object(f'{MOCK_PATH}/one') is None


def test_model_async_and_owner_gone(connection, mock):
    add_thing(connection, 'x', 5)
    results = []
    Zbus.ObjectManagerClient.new_async(connection, MOCK_NAME, MOCK_PATH,
                                       Zbus.ObjectManagerClientFlags.NONE, None,
                                       lambda _src, res: results.append(res))
    wait_for(lambda: results, 'the manager')
    manager = Zbus.ObjectManagerClient.new_finish(results[0])
    assert manager.get_n_items() == 1

    mock.kill()
    mock.wait()
    wait_for(lambda: manager.get_n_items() == 0, 'the model to empty')
    assert manager.props.name_owner is None


def test_bus_proxy(connection):
    bus = Zbus.BusProxy.new(connection, None)
    assert isinstance(bus, Zbus.Proxy)
    unique = connection.get_unique_name()
    assert unique in bus.list_names(None)
    assert bus.get_name_owner('org.freedesktop.DBus', None) == 'org.freedesktop.DBus'
    assert bus.name_has_owner(unique, None)
    ok, uid = bus.get_connection_unix_user(unique, None)
    assert ok and uid == os.getuid()
    creds = bus.get_connection_credentials(unique, None).unpack()
    assert creds['ProcessID'] == os.getpid()
    assert bus.ping(None)
    assert 'org.freedesktop.DBus' in bus.introspect(None)
    assert bus.introspect_node_info(None).lookup_interface('org.freedesktop.DBus') is not None

    other = Zbus.Connection.session(None)
    try:
        changes = record_signal(bus, 'name-owner-changed')
        other.request_name_sync('org.zbus.Py.Someone', Zbus.RequestNameFlags.NONE, None)
        wait_for(lambda: ('org.zbus.Py.Someone', None, other.get_unique_name()) in changes,
                 'NameOwnerChanged')
    finally:
        other.close_sync(None)


def test_monitor(bus):
    monitor = Zbus.Connection.session(None)
    other = Zbus.Connection.session(None)
    try:
        stream = monitor.become_monitor(["type='signal',interface='org.zbus.Py.Monitor'"], None)
        other.emit_signal(None, '/org/zbus/Py', 'org.zbus.Py.Monitor', 'Hello',
                          GLib.Variant('(s)', ('there',)))
        other.flush_sync(None)
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            assert time.monotonic() < deadline, 'the monitored signal'
            message = stream.timed_pop(100 * 1000, None)
            if message.get_member() == 'Hello' and message.get_sender() == other.get_unique_name():
                break
        assert message.get_body().unpack() == ('there',)
    finally:
        other.close_sync(None)
        monitor.close_sync(None)
