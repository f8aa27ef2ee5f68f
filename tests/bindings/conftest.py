# conftest.py: fixtures of the PyGObject tests
#
# Copyright 2026 The zbus-gobject authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Every test module that needs a bus gets a private dbus-daemon of its own
# from Gio.TestDBus, started before the first test that asks for it and
# stopped after the module's last test; nothing touches a real session bus.
# Helpers the tests import are in zbustest.py.

import gi

gi.require_version('Gio', '2.0')
gi.require_version('Zbus', '1.0')

from gi.repository import Gio, Zbus  # noqa: E402

import pytest  # noqa: E402

from zbustest import close_quietly, gdbus_connect  # noqa: E402


@pytest.fixture(scope='module')
def bus():
    """The address of a private message bus for the module's tests.

    Gio.TestDBus points DBUS_SESSION_BUS_ADDRESS at it, so
    Zbus.Connection.session() and Zbus.ConnectionBuilder.new_session()
    connect to it. (Gio.TestDBus forks a watcher process; under GJS that
    process hangs on exit, which is why the GJS tests run under
    dbus-run-session instead.)"""
    test_bus = Gio.TestDBus.new(Gio.TestDBusFlags.NONE)
    test_bus.up()
    try:
        yield test_bus.get_bus_address()
    finally:
        test_bus.down()


@pytest.fixture
def gdbus(bus):
    """A plain GDBus connection to the private bus, to check our results
    against and to emit signals from."""
    connection = gdbus_connect(bus)
    yield connection
    close_quietly(connection)


@pytest.fixture
def connection(bus):
    """A native Zbus.Connection to the private bus."""
    conn = Zbus.Connection.session(None)
    yield conn
    close_quietly(conn)
