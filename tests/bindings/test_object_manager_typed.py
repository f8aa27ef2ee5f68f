# test_object_manager_typed.py: Zbus.ObjectManagerClient with typed
# proxies, through PyGObject
#
# Copyright 2026 The zbus-gobject authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run by `meson test --suite python`. The module's private bus comes from
# the `bus` fixture (conftest.py). The service is a Zbus.Interface written
# here, served under an object manager on a second connection of this
# process, so every manager client is initialized without blocking.

import gi

gi.require_version('GLib', '2.0')
gi.require_version('GObject', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Zbus', '1.0')

from gi.repository import GLib, GObject, Gio, Zbus  # noqa: E402

import pytest  # noqa: E402

from zbustest import (IO_ERROR, ZBUS_ERROR, assert_gerror, close_quietly,  # noqa: E402
                      wait_for)

IFACE = 'org.zbus.PyOmTyped.Lamp'
MANAGER_PATH = '/org/zbus/lamps'
SERVICE_NAME = 'org.zbus.PyOmTyped'

LAMP_XML = f'''
<node>
  <interface name="{IFACE}">
    <property name="Brightness" type="i" access="readwrite"/>
    <property name="Label" type="s" access="readwrite"/>
    <signal name="Switched"><arg type="b"/><arg type="s"/></signal>
  </interface>
</node>
'''


class Lamp(Zbus.Interface):
    __gtype_name__ = 'PyOmTypedLamp'

    __gproperties__ = {
        'brightness': (int, 'brightness', 'How bright', 0, 100, 0,
                       GObject.ParamFlags.READWRITE),
        'label': (str, 'label', 'Its label', '', GObject.ParamFlags.READWRITE),
    }

    __gsignals__ = {
        'switched': (GObject.SignalFlags.RUN_LAST, None, (bool, str)),
    }

    # Reads of the properties by the object server, of every lamp.
    reads = 0

    def __init__(self, label, brightness):
        super().__init__()
        self.values = {'brightness': brightness, 'label': label}

    def do_get_property(self, pspec):
        Lamp.reads += 1
        return self.values[pspec.name]

    def do_set_property(self, pspec, value):
        self.values[pspec.name] = value


Zbus.Interface.type_set_name(Lamp, IFACE)


class Target(GObject.Object):
    __gtype_name__ = 'PyOmTypedTarget'

    level = GObject.Property(type=int, default=-1)


@pytest.fixture
def service(bus):
    """A second connection serving two lamps under an object manager."""
    conn = Zbus.Connection.session(None)
    server = Zbus.ObjectServer.get_for_connection(conn)
    assert server.add_object_manager(MANAGER_PATH)
    lamps = {name: Lamp(name, brightness) for name, brightness in (('a', 10), ('b', 20))}
    for name, lamp in lamps.items():
        assert server.at(f'{MANAGER_PATH}/{name}', lamp)
    yield conn, server, lamps
    close_quietly(conn)


def init(manager):
    """Initializes a manager client made with its constructor, without
    blocking the service on this thread."""
    results = []
    manager.init_async(GLib.PRIORITY_DEFAULT, None, lambda _m, res: results.append(res))
    wait_for(lambda: results, 'the manager client')
    assert manager.init_finish(results[0])
    return manager


def lamp_proxy(manager, name):
    obj = manager.get_object(f'{MANAGER_PATH}/{name}')
    assert obj is not None
    return obj.get_interface(IFACE)


def ping(connection, name):
    """A round trip through the service: what it sent before has arrived."""
    results = []
    connection.call(name, '/', 'org.freedesktop.DBus.Peer', 'Ping', None, None,
                    Zbus.MessageFlags.NONE, Zbus.TIMEOUT_DEFAULT, None,
                    lambda _c, res: results.append(res))
    wait_for(lambda: results, 'Ping')
    connection.call_finish(results[0])
    while GLib.MainContext.default().iteration(False):
        pass


def test_typed_proxies_from_interface_type(connection, service):
    conn, server, lamps = service
    name = conn.get_unique_name()

    # Constructed, given the types, then initialized: typed from the start.
    manager = Zbus.ObjectManagerClient(connection=connection, name=name,
                                       object_path=MANAGER_PATH)
    assert manager.add_interface_type(Lamp)
    proxy_type = Zbus.Proxy.type_for_interface_type(Lamp)
    assert manager.get_interface_type(IFACE) == proxy_type
    init(manager)
    assert manager.get_n_items() == 2

    # The values are there at once, from GetManagedObjects alone.
    reads = Lamp.reads
    proxy = lamp_proxy(manager, 'a')
    assert isinstance(proxy, Zbus.Proxy)
    assert type(proxy).__gtype__ == proxy_type
    assert proxy.props.brightness == 10
    assert proxy.props.label == 'a'
    assert lamp_proxy(manager, 'b').props.brightness == 20
    ping(connection, name)
    assert Lamp.reads == reads

    # notify:: and a binding follow the service.
    notified = []
    proxy.connect('notify::brightness', lambda p, _pspec: notified.append(p.props.brightness))
    target = Target()
    proxy.bind_property('brightness', target, 'level', GObject.BindingFlags.SYNC_CREATE)
    assert target.props.level == 10
    lamps['a'].props.brightness = 65
    wait_for(lambda: notified, 'notify::brightness')
    assert notified == [65]
    assert target.props.level == 65

    # A remote signal is a GObject signal.
    switched = []
    proxy.connect('switched', lambda _p, on, why: switched.append((on, why)))
    lamps['a'].emit('switched', True, 'motion')
    wait_for(lambda: switched, 'switched')
    assert switched == [(True, 'motion')]

    # Objects come, typed and with their values, and go.
    lamp_c = Lamp('c', 30)
    assert server.at(f'{MANAGER_PATH}/c', lamp_c)
    wait_for(lambda: manager.get_n_items() == 3, 'the new object')
    proxy_c = lamp_proxy(manager, 'c')
    assert type(proxy_c).__gtype__ == proxy_type
    assert proxy_c.props.brightness == 30
    assert server.remove(f'{MANAGER_PATH}/a', Lamp)
    wait_for(lambda: manager.get_n_items() == 2, 'the object to leave')
    assert manager.get_object(f'{MANAGER_PATH}/a') is None
    assert [o.get_object_path() for o in manager] == [f'{MANAGER_PATH}/b', f'{MANAGER_PATH}/c']


def test_types_from_xml_and_set_later(connection, service):
    conn, server, lamps = service
    name = conn.get_unique_name()

    # A manager made in one step has plain proxies.
    results = []
    Zbus.ObjectManagerClient.new_async(connection, name, MANAGER_PATH,
                                       Zbus.ObjectManagerClientFlags.NONE, None,
                                       lambda _s, res: results.append(res))
    wait_for(lambda: results, 'the manager client')
    manager = Zbus.ObjectManagerClient.new_finish(results[0])
    assert manager.get_interface_type(IFACE) == Zbus.Proxy.__gtype__
    assert type(lamp_proxy(manager, 'a')).__gtype__ == Zbus.Proxy.__gtype__

    # Wrong names and types are refused.
    info = Gio.DBusNodeInfo.new_for_xml(LAMP_XML).interfaces[0]
    runtime_type = Zbus.Proxy.type_for_interface_info(info)
    with pytest.raises(GLib.Error) as excinfo:
        manager.set_interface_type('org.zbus.PyOmTyped.Other', runtime_type)
    assert_gerror(excinfo, IO_ERROR, Gio.IOErrorEnum.INVALID_ARGUMENT)
    with pytest.raises(GLib.Error) as excinfo:
        manager.set_interface_type('not an interface', Zbus.Proxy)
    assert_gerror(excinfo, ZBUS_ERROR, Zbus.Error.INVALID_NAME)

    # Set later, from introspection XML: proxies already made stay as they
    # are, new ones are typed.
    assert manager.add_interface_info(info)
    assert manager.get_interface_type(IFACE) == runtime_type
    assert type(lamp_proxy(manager, 'a')).__gtype__ == Zbus.Proxy.__gtype__
    assert server.at(f'{MANAGER_PATH}/c', Lamp('c', 30))
    wait_for(lambda: manager.get_n_items() == 3, 'the new object')
    proxy_c = lamp_proxy(manager, 'c')
    assert type(proxy_c).__gtype__ == runtime_type
    assert proxy_c.props.brightness == 30
    assert proxy_c.props.label == 'c'


def test_builder_object_manager(connection, bus):
    # The client waits for a name nobody owns yet.
    manager = Zbus.ObjectManagerClient(connection=connection, name=SERVICE_NAME,
                                       object_path=MANAGER_PATH)
    assert manager.add_interface_type(Lamp)
    init(manager)
    assert manager.get_n_items() == 0
    changes = []
    manager.connect('items-changed', lambda _m, *args: changes.append(args))

    # The builder serves the manager and its objects before it asks for
    # the name: the first answer has them all.
    lamp = Lamp('a', 42)
    builder = Zbus.ConnectionBuilder.new_session()
    builder.add_object_manager(MANAGER_PATH)
    builder.serve_at(f'{MANAGER_PATH}/a', lamp)
    builder.add_name(SERVICE_NAME, Zbus.RequestNameFlags.NONE)
    service = builder.build(None)
    try:
        wait_for(lambda: manager.get_n_items() == 1, 'the service\'s objects')
        assert changes == [(0, 0, 1)]
        assert manager.dup_name_owner() == service.get_unique_name()
        proxy = lamp_proxy(manager, 'a')
        assert type(proxy).__gtype__ == Zbus.Proxy.type_for_interface_type(Lamp)
        assert proxy.props.brightness == 42

        lamp.props.brightness = 43
        wait_for(lambda: proxy.props.brightness == 43, 'the change')
    finally:
        close_quietly(service)
