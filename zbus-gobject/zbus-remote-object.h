/* zbus-remote-object.h
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(ZBUS_INSIDE) && !defined(ZBUS_COMPILATION)
# error "Only <zbus-gobject.h> can be included directly."
#endif

#include <gio/gio.h>

#include "zbus-proxy.h"
#include "zbus-version-macros.h"

G_BEGIN_DECLS

#define ZBUS_TYPE_REMOTE_OBJECT (zbus_remote_object_get_type ())

ZBUS_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (ZbusRemoteObject, zbus_remote_object, ZBUS, REMOTE_OBJECT, GObject)

ZBUS_AVAILABLE_IN_1_0
const char  *zbus_remote_object_get_object_path     (ZbusRemoteObject *self);
ZBUS_AVAILABLE_IN_1_0
ZbusProxy   *zbus_remote_object_get_interface       (ZbusRemoteObject *self,
                                                     const char       *interface_name);
ZBUS_AVAILABLE_IN_1_0
gboolean     zbus_remote_object_has_interface       (ZbusRemoteObject *self,
                                                     const char       *interface_name);
ZBUS_AVAILABLE_IN_1_0
GList       *zbus_remote_object_list_interfaces     (ZbusRemoteObject *self);
ZBUS_AVAILABLE_IN_1_0
char        **zbus_remote_object_dup_interface_names (ZbusRemoteObject *self);

G_END_DECLS
