/* zbus-object-server.h
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

#include "zbus-connection.h"
#include "zbus-interface.h"
#include "zbus-method-invocation.h"
#include "zbus-version-macros.h"

G_BEGIN_DECLS

#define ZBUS_TYPE_OBJECT_SERVER (zbus_object_server_get_type ())

ZBUS_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (ZbusObjectServer, zbus_object_server, ZBUS, OBJECT_SERVER, GObject)

ZBUS_AVAILABLE_IN_1_0
ZbusObjectServer *zbus_object_server_get_for_connection (ZbusConnection    *connection);
ZBUS_AVAILABLE_IN_1_0
ZbusConnection   *zbus_object_server_get_connection     (ZbusObjectServer  *self);
ZBUS_AVAILABLE_IN_1_0
gboolean          zbus_object_server_at                 (ZbusObjectServer  *self,
                                                         const char        *path,
                                                         ZbusInterface     *iface,
                                                         GError           **error);
ZBUS_AVAILABLE_IN_1_0
gboolean          zbus_object_server_remove             (ZbusObjectServer  *self,
                                                         const char        *path,
                                                         GType              type);
ZBUS_AVAILABLE_IN_1_0
gboolean          zbus_object_server_remove_by_name     (ZbusObjectServer  *self,
                                                         const char        *path,
                                                         const char        *interface_name);
ZBUS_AVAILABLE_IN_1_0
ZbusInterface    *zbus_object_server_lookup             (ZbusObjectServer  *self,
                                                         const char        *path,
                                                         GType              type);
ZBUS_AVAILABLE_IN_1_0
ZbusInterface    *zbus_object_server_lookup_by_name     (ZbusObjectServer  *self,
                                                         const char        *path,
                                                         const char        *interface_name);
ZBUS_AVAILABLE_IN_1_0
char             *zbus_object_server_introspect         (ZbusObjectServer  *self,
                                                         const char        *path);
ZBUS_AVAILABLE_IN_1_0
gboolean          zbus_object_server_add_object_manager    (ZbusObjectServer  *self,
                                                            const char        *path,
                                                            GError           **error);
ZBUS_AVAILABLE_IN_1_0
gboolean          zbus_object_server_remove_object_manager (ZbusObjectServer  *self,
                                                            const char        *path);

G_END_DECLS
