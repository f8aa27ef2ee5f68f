# test_proxy.py: ZbusProxy through PyGObject, against python-dbusmock
#
# Copyright 2026 The zbus-gobject authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run by `meson test --suite python`. The module's private bus comes from
# the `bus` fixture (conftest.py); the service is python-dbusmock with
# tests/proxy-mock-template.py, started as a subprocess on that bus.

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

from zbustest import (  # noqa: E402
    DBUS_ERROR, IO_ERROR, WAIT_SECONDS, assert_gerror, wait_for, zbus_call)

MOCK_NAME = 'org.zbus.ProxyMock'
MOCK_PATH = '/org/zbus/ProxyMock'
MOCK_IFACE = 'org.zbus.ProxyMock'
MOCK_CONTROL = 'org.freedesktop.DBus.Mock'
TEMPLATE = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..',
                        'proxy-mock-template.py')


@pytest.fixture
def mock(bus, connection):
    """python-dbusmock serving MOCK_IFACE with Count = 1 and Name = 'mock'."""
    proc = subprocess.Popen(
        [sys.executable, '-m', 'dbusmock', '--session', '-t', TEMPLATE,
         '-p', '{"count": 1}'],
        stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + WAIT_SECONDS
    while not zbus_call(connection, 'NameHasOwner', GLib.Variant('(s)', (MOCK_NAME,)),
                        '(b)').unpack()[0]:
        assert time.monotonic() < deadline, 'dbusmock did not start'
        time.sleep(0.02)
    yield proc
    proc.kill()
    proc.wait()


def control(connection, method, args):
    return connection.call_sync(MOCK_NAME, MOCK_PATH, MOCK_CONTROL, method, args, None,
                                Zbus.MessageFlags.NONE, Zbus.TIMEOUT_DEFAULT, None)


def test_proxy_properties_calls_signals(connection, mock):
    proxy = Zbus.Proxy.new(connection, MOCK_NAME, MOCK_PATH, MOCK_IFACE,
                           Zbus.ProxyCacheMode.EAGER, None)
    assert isinstance(proxy, Zbus.Proxy)
    assert isinstance(proxy, Gio.Initable)
    assert proxy.props.destination == MOCK_NAME
    assert proxy.props.cache_mode == Zbus.ProxyCacheMode.EAGER
    assert Gio.dbus_is_unique_name(proxy.props.name_owner)
    assert proxy.dup_name_owner() == proxy.props.name_owner

    # A cached property, and the cache's names.
    assert proxy.get_cached_property('Count').unpack() == 1
    assert proxy.get_cached_property('Nope') is None
    assert proxy.get_cached_property_names() == ['Count', 'Name']
    assert proxy.get_dbus_property('Name', None).unpack() == 'mock'

    # A method call.
    control(connection, 'AddMethod',
            GLib.Variant('(sssss)', (MOCK_IFACE, 'Sum', 'ii', 'i', 'ret = args[0] + args[1]')))
    reply = proxy.call('Sum', GLib.Variant('(ii)', (2, 40)), GLib.VariantType('(i)'),
                       Zbus.MessageFlags.NONE, Zbus.TIMEOUT_DEFAULT, None)
    assert reply.unpack() == (42,)

    # A Set: properties-changed and the cache follow the service.
    changes = []
    proxy.connect('properties-changed',
                  lambda _p, changed, invalidated: changes.append((changed.unpack(), invalidated)))
    assert proxy.set_dbus_property('Count', GLib.Variant('i', 5), None)
    wait_for(lambda: changes, 'properties-changed')
    assert changes[0] == ({'Count': 5}, [])
    assert proxy.get_cached_property('Count').unpack() == 5

    # A failing Set raises.
    with pytest.raises(GLib.Error) as excinfo:
        proxy.set_dbus_property('NoSuchProperty', GLib.Variant('i', 1), None)
    assert Gio.DBusError.get_remote_error(excinfo.value) == MOCK_IFACE + '.UnknownProperty'

    # A signal, as a detailed GObject signal and as a stream.
    seen = []
    proxy.connect('dbus-signal::Ping',
                  lambda _p, sender, name, params: seen.append((sender, name, params.unpack())))
    stream = proxy.receive_signal('Ping', None, None)
    control(connection, 'EmitSignal',
            GLib.Variant('(sssav)', (MOCK_IFACE, 'Ping', 's', [GLib.Variant('s', 'hello')])))
    wait_for(lambda: seen, 'dbus-signal::Ping')
    assert seen == [(proxy.props.name_owner, 'Ping', ('hello',))]
    message = stream.timed_pop(WAIT_SECONDS * 1000000, None)
    assert message.get_member() == 'Ping'
    assert message.get_body().unpack() == ('hello',)


def test_proxy_async_and_lazy(connection, mock):
    results = []
    Zbus.Proxy.new_async(connection, MOCK_NAME, MOCK_PATH, MOCK_IFACE,
                         Zbus.ProxyCacheMode.LAZY, None,
                         lambda _src, res: results.append(Zbus.Proxy.new_finish(res)))
    wait_for(lambda: results, 'new_async')
    proxy = results[0]

    changes = []
    proxy.connect('properties-changed', lambda *args: changes.append(args))
    assert proxy.get_cached_property('Count') is None   # starts the load
    wait_for(lambda: changes, 'the lazy load')
    assert proxy.get_cached_property('Count').unpack() == 1

    got = []
    proxy.get_dbus_property_async('Name', None,
                                  lambda p, res: got.append(p.get_dbus_property_finish(res)))
    wait_for(lambda: got, 'get_dbus_property_async')
    assert got[0].unpack() == 'mock'


def test_proxy_bad_names(connection):
    with pytest.raises(GLib.Error) as excinfo:
        Zbus.Proxy.new(connection, 'not a name', '/a', 'a.b', Zbus.ProxyCacheMode.NONE, None)
    assert_gerror(excinfo, Zbus.error_quark(), Zbus.Error.INVALID_NAME)
    assert 'not a name' in excinfo.value.message


def test_bus_daemon_proxy(connection):
    proxy = Zbus.Proxy.new_for_bus_daemon(connection, None)
    names = proxy.call('ListNames', None, None, Zbus.MessageFlags.NONE, -1, None).unpack()[0]
    assert connection.get_unique_name() in names
    assert 'org.freedesktop.DBus' in names
    features = proxy.get_dbus_property('Features', None)
    assert features.get_type_string() == 'as'
    assert DBUS_ERROR and IO_ERROR  # the error quarks import
