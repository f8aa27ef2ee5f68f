# test_proxy_types.py: ZbusProxy types made from interface descriptions,
# through PyGObject
#
# Copyright 2026 The zbus-gobject authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run by `meson test --suite python`. The module's private bus comes from
# the `bus` fixture (conftest.py). The service is a Zbus.Interface written
# here, served on a second connection of this process, so every proxy is
# made without blocking.

import gi

gi.require_version('GLib', '2.0')
gi.require_version('GObject', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Zbus', '1.0')

from gi.repository import GLib, GObject, Gio, Zbus  # noqa: E402

import pytest  # noqa: E402

from zbustest import close_quietly, wait_for  # noqa: E402

IFACE = 'org.zbus.PyProxyTypes'
PATH = '/org/zbus/lamp'


class Lamp(Zbus.Interface):
    __gtype_name__ = 'PyProxyTypesLamp'

    __gproperties__ = {
        'brightness': (int, 'brightness', 'How bright', 0, 100, 0,
                       GObject.ParamFlags.READWRITE),
        'colour-name': (str, 'colour', 'Its colour', 'white', GObject.ParamFlags.READWRITE),
    }

    __gsignals__ = {
        'switched': (GObject.SignalFlags.RUN_LAST, None, (bool, str)),
        'toggle': (GObject.SignalFlags.RUN_LAST | GObject.SignalFlags.ACTION, bool, ()),
    }

    def __init__(self):
        super().__init__()
        self.on = False
        self.values = {'brightness': 0, 'colour-name': 'white'}

    def do_get_property(self, pspec):
        return self.values[pspec.name]

    def do_set_property(self, pspec, value):
        # The service refuses one colour.
        invocation = Zbus.MethodInvocation.get_current()
        if pspec.name == 'colour-name' and value == 'ultraviolet' and invocation:
            invocation.return_dbus_error('org.zbus.Test.Error.Refused', 'Not that one')
            return
        self.values[pspec.name] = value

    def do_toggle(self):
        self.on = not self.on
        return self.on


Zbus.Interface.type_set_name(Lamp, IFACE)


class Target(GObject.Object):
    __gtype_name__ = 'PyProxyTypesTarget'

    level = GObject.Property(type=int, default=-1)


@pytest.fixture
def served(bus):
    server = Zbus.Connection.session(None)
    lamp = Lamp()
    lamp.props.brightness = 40
    assert Zbus.ObjectServer.get_for_connection(server).at(PATH, lamp)
    yield server, lamp
    close_quietly(server)


def finish(start, finish_func):
    results = []
    start(lambda _src, res: results.append(res))
    wait_for(lambda: results, 'the async call')
    return finish_func(results[0])


def test_runtime_proxy_from_introspection(connection, served):
    server, lamp = served
    proxy = finish(lambda cb: Zbus.Proxy.new_for_introspection_async(
        connection, server.get_unique_name(), PATH, IFACE, Zbus.ProxyCacheMode.EAGER, None, cb),
        Zbus.Proxy.new_for_introspection_finish)

    # Bindings see the dynamic type as a Zbus.Proxy with real properties.
    assert isinstance(proxy, Zbus.Proxy)
    assert type(proxy).__gtype__ != Zbus.Proxy.__gtype__
    assert proxy.get_interface_info().name == IFACE
    assert proxy.lookup_dbus_property('ColourName').name == 'colour-name'
    assert proxy.props.brightness == 40
    assert proxy.get_property('colour-name') == 'white'

    # notify:: and bind_property follow the service.
    notified = []
    proxy.connect('notify::brightness', lambda *_: notified.append(proxy.props.brightness))
    target = Target()
    proxy.bind_property('brightness', target, 'level', GObject.BindingFlags.SYNC_CREATE)
    assert target.props.level == 40
    lamp.props.brightness = 70
    wait_for(lambda: notified, 'notify::brightness')
    assert notified == [70]
    assert target.props.level == 70

    # Setting goes through Set; the value shows at once.
    proxy.props.brightness = 15
    assert proxy.props.brightness == 15
    assert target.props.level == 15
    wait_for(lambda: lamp.props.brightness == 15, 'the service to take the value')

    # A refused value comes back, and set-property-failed says why.
    failures = []
    proxy.connect('set-property-failed',
                  lambda _p, name, error: failures.append((name, error)))
    proxy.set_property('colour-name', 'ultraviolet')
    assert proxy.props.colour_name == 'ultraviolet'
    wait_for(lambda: failures, 'set-property-failed')
    name, error = failures[0]
    assert name == 'colour-name'
    assert isinstance(error, GLib.Error)
    assert Gio.DBusError.get_remote_error(error) == 'org.zbus.Test.Error.Refused'
    assert proxy.props.colour_name == 'white'

    # A signal, with its arguments mapped.
    switched = []
    proxy.connect('switched', lambda _p, on, why: switched.append((on, why)))
    lamp.emit('switched', True, 'motion')
    wait_for(lambda: switched, 'switched')
    assert switched == [(True, 'motion')]

    # A method by name, checked against its signature.
    reply = finish(lambda cb: proxy.call_method_async(
        'toggle', None, Zbus.MessageFlags.NONE, -1, None, cb),
        proxy.call_method_finish)
    assert reply.unpack() == (True,)
    with pytest.raises(GLib.Error) as info:
        proxy.call_method('Toggle', GLib.Variant('(i)', (1,)), Zbus.MessageFlags.NONE, -1, None)
    assert info.value.matches(Gio.DBusError.quark(), Gio.DBusError.INVALID_ARGS)


def test_typed_proxy_and_type_sharing(connection, served):
    server, lamp = served
    new = Zbus.Proxy.new_for_interface_type_async
    first = finish(lambda cb: new(connection, Lamp, server.get_unique_name(), PATH,
                                  Zbus.ProxyCacheMode.EAGER, None, cb),
                   Zbus.Proxy.new_for_interface_type_finish)
    second = finish(lambda cb: new(connection, Lamp.__gtype__, server.get_unique_name(), PATH,
                                   Zbus.ProxyCacheMode.LAZY, None, cb),
                    Zbus.Proxy.new_for_interface_type_finish)
    assert type(first).__gtype__ == type(second).__gtype__
    assert Zbus.Proxy.type_for_interface_type(Lamp) == type(first).__gtype__
    assert first.props.brightness == 40
    assert first.props.colour_name == 'white'


def test_runtime_proxy_from_xml(connection, served):
    server, _ = served
    xml = ('<node><interface name="%s">'
           '<property name="Brightness" type="i" access="readwrite"/>'
           '</interface></node>' % IFACE)
    proxy = finish(lambda cb: Zbus.Proxy.new_for_xml_async(
        connection, xml, None, server.get_unique_name(), PATH, Zbus.ProxyCacheMode.EAGER,
        None, cb), Zbus.Proxy.new_for_xml_finish)
    assert proxy.props.brightness == 40
    info = Gio.DBusNodeInfo.new_for_xml(xml)
    assert Zbus.Proxy.type_for_interface_info(info.interfaces[0]) == type(proxy).__gtype__


def test_hostile_xml(connection):
    with pytest.raises(GLib.Error) as info:
        Zbus.Proxy.new_for_xml(connection, '<node><interface name="a.b">'
                               '<property name="X" type="ii" access="read"/>'
                               '</interface></node>', None, None, '/', Zbus.ProxyCacheMode.NONE,
                               None)
    assert info.value.matches(Zbus.error_quark(), Zbus.Error.INVALID_SIGNATURE)
    with pytest.raises(GLib.Error) as info:
        Zbus.Proxy.new_for_xml(connection, 'not xml', None, None, '/',
                               Zbus.ProxyCacheMode.NONE, None)
    assert info.value.matches(GLib.markup_error_quark(), GLib.MarkupError.PARSE)
