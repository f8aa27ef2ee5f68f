# proxy-mock-template.py: the python-dbusmock template test-proxy.c starts
#
# Copyright 2026 The zbus-gobject authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   python3 -m dbusmock --session -t proxy-mock-template.py -p '{"count": 1}'
#
# Its properties exist before the mock's main loop answers anything, so a
# proxy that fetches them as soon as the name appears sees them.

import dbus

BUS_NAME = 'org.zbus.ProxyMock'
MAIN_OBJ = '/org/zbus/ProxyMock'
MAIN_IFACE = 'org.zbus.ProxyMock'
SYSTEM_BUS = False


def load(mock, parameters):
    mock.AddProperties(MAIN_IFACE, {
        'Count': dbus.Int32(parameters.get('count', 1)),
        'Name': dbus.String('mock'),
    })
