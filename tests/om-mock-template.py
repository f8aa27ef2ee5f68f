# om-mock-template.py: the python-dbusmock template that
# test-object-manager-client.c has the bus start (D-Bus activation)
#
# Copyright 2026 The zbus-gobject authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   python3 -m dbusmock --session -t om-mock-template.py
#
# An object manager with one object, there before the mock's main loop
# answers anything.

import dbus

BUS_NAME = 'org.zbus.Test.Activatable'
MAIN_OBJ = '/org/zbus/Test/Activatable'
MAIN_IFACE = 'org.zbus.Test.Activatable'
SYSTEM_BUS = False
IS_OBJECT_MANAGER = True


def load(mock, parameters):
    mock.AddObject(MAIN_OBJ + '/thing', 'org.zbus.Test.Thing',
                   {'Count': dbus.Int32(7)}, [])
