/* zbus-object-manager-client.h
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
#include "zbus-proxy.h"
#include "zbus-remote-object.h"
#include "zbus-version-macros.h"

G_BEGIN_DECLS

/**
 * ZbusObjectManagerClientFlags:
 * @ZBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE: no flags
 * @ZBUS_OBJECT_MANAGER_CLIENT_FLAGS_AUTO_START: when nobody owns the name
 *   while the manager client is constructed, ask the bus to start the
 *   service (D-Bus activation, `StartServiceByName`) and wait for it
 *
 * How a [class@Zbus.ObjectManagerClient] behaves.
 *
 * Since: 1.0
 */
typedef enum /*< flags >*/
{
  ZBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE = 0,
  ZBUS_OBJECT_MANAGER_CLIENT_FLAGS_AUTO_START = 1 << 0,
} ZbusObjectManagerClientFlags;

#define ZBUS_TYPE_OBJECT_MANAGER_CLIENT (zbus_object_manager_client_get_type ())

ZBUS_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (ZbusObjectManagerClient, zbus_object_manager_client, ZBUS, OBJECT_MANAGER_CLIENT, GObject)

ZBUS_AVAILABLE_IN_1_0
ZbusObjectManagerClient *zbus_object_manager_client_new            (ZbusConnection           *connection,
                                                                    const char               *name,
                                                                    const char               *object_path,
                                                                    ZbusObjectManagerClientFlags flags,
                                                                    GCancellable             *cancellable,
                                                                    GError                  **error);
ZBUS_AVAILABLE_IN_1_0
void                     zbus_object_manager_client_new_async      (ZbusConnection           *connection,
                                                                    const char               *name,
                                                                    const char               *object_path,
                                                                    ZbusObjectManagerClientFlags flags,
                                                                    GCancellable             *cancellable,
                                                                    GAsyncReadyCallback       callback,
                                                                    gpointer                  user_data);
ZBUS_AVAILABLE_IN_1_0
ZbusObjectManagerClient *zbus_object_manager_client_new_finish     (GAsyncResult             *result,
                                                                    GError                  **error);

ZBUS_AVAILABLE_IN_1_0
ZbusConnection          *zbus_object_manager_client_get_connection (ZbusObjectManagerClient  *self);
ZBUS_AVAILABLE_IN_1_0
const char              *zbus_object_manager_client_get_name       (ZbusObjectManagerClient  *self);
ZBUS_AVAILABLE_IN_1_0
const char              *zbus_object_manager_client_get_object_path (ZbusObjectManagerClient *self);
ZBUS_AVAILABLE_IN_1_0
ZbusObjectManagerClientFlags zbus_object_manager_client_get_flags  (ZbusObjectManagerClient  *self);
ZBUS_AVAILABLE_IN_1_0
char                    *zbus_object_manager_client_dup_name_owner (ZbusObjectManagerClient  *self);

ZBUS_AVAILABLE_IN_1_0
gboolean                 zbus_object_manager_client_set_interface_type  (ZbusObjectManagerClient *self,
                                                                         const char              *interface_name,
                                                                         GType                    proxy_type,
                                                                         GError                 **error);
ZBUS_AVAILABLE_IN_1_0
GType                    zbus_object_manager_client_get_interface_type  (ZbusObjectManagerClient *self,
                                                                         const char              *interface_name);
ZBUS_AVAILABLE_IN_1_0
gboolean                 zbus_object_manager_client_add_interface_type  (ZbusObjectManagerClient *self,
                                                                         GType                    iface_type,
                                                                         GError                 **error);
ZBUS_AVAILABLE_IN_1_0
gboolean                 zbus_object_manager_client_add_interface_info  (ZbusObjectManagerClient *self,
                                                                         GDBusInterfaceInfo      *info,
                                                                         GError                 **error);

ZBUS_AVAILABLE_IN_1_0
ZbusRemoteObject        *zbus_object_manager_client_get_object     (ZbusObjectManagerClient  *self,
                                                                    const char               *object_path);
ZBUS_AVAILABLE_IN_1_0
ZbusProxy               *zbus_object_manager_client_get_interface  (ZbusObjectManagerClient  *self,
                                                                    const char               *object_path,
                                                                    const char               *interface_name);

G_END_DECLS
