/* zbus-bus-proxy.h
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

#define ZBUS_TYPE_BUS_PROXY (zbus_bus_proxy_get_type ())

ZBUS_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (ZbusBusProxy, zbus_bus_proxy, ZBUS, BUS_PROXY, ZbusProxy)

ZBUS_AVAILABLE_IN_1_0
ZbusBusProxy *zbus_bus_proxy_new                                   (ZbusConnection       *connection,
                                                                    GCancellable         *cancellable,
                                                                    GError              **error);
ZBUS_AVAILABLE_IN_1_0
void          zbus_bus_proxy_new_async                             (ZbusConnection       *connection,
                                                                    GCancellable         *cancellable,
                                                                    GAsyncReadyCallback   callback,
                                                                    gpointer              user_data);
ZBUS_AVAILABLE_IN_1_0
ZbusBusProxy *zbus_bus_proxy_new_finish                            (GAsyncResult         *result,
                                                                    GError              **error);

ZBUS_AVAILABLE_IN_1_0
char        **zbus_bus_proxy_list_names                            (ZbusBusProxy         *self,
                                                                    GCancellable         *cancellable,
                                                                    GError              **error);
ZBUS_AVAILABLE_IN_1_0
void          zbus_bus_proxy_list_names_async                      (ZbusBusProxy         *self,
                                                                    GCancellable         *cancellable,
                                                                    GAsyncReadyCallback   callback,
                                                                    gpointer              user_data);
ZBUS_AVAILABLE_IN_1_0
char        **zbus_bus_proxy_list_names_finish                     (ZbusBusProxy         *self,
                                                                    GAsyncResult         *result,
                                                                    GError              **error);
ZBUS_AVAILABLE_IN_1_0
char        **zbus_bus_proxy_list_activatable_names                (ZbusBusProxy         *self,
                                                                    GCancellable         *cancellable,
                                                                    GError              **error);
ZBUS_AVAILABLE_IN_1_0
void          zbus_bus_proxy_list_activatable_names_async          (ZbusBusProxy         *self,
                                                                    GCancellable         *cancellable,
                                                                    GAsyncReadyCallback   callback,
                                                                    gpointer              user_data);
ZBUS_AVAILABLE_IN_1_0
char        **zbus_bus_proxy_list_activatable_names_finish         (ZbusBusProxy         *self,
                                                                    GAsyncResult         *result,
                                                                    GError              **error);
ZBUS_AVAILABLE_IN_1_0
char         *zbus_bus_proxy_get_name_owner                        (ZbusBusProxy         *self,
                                                                    const char           *name,
                                                                    GCancellable         *cancellable,
                                                                    GError              **error);
ZBUS_AVAILABLE_IN_1_0
void          zbus_bus_proxy_get_name_owner_async                  (ZbusBusProxy         *self,
                                                                    const char           *name,
                                                                    GCancellable         *cancellable,
                                                                    GAsyncReadyCallback   callback,
                                                                    gpointer              user_data);
ZBUS_AVAILABLE_IN_1_0
char         *zbus_bus_proxy_get_name_owner_finish                 (ZbusBusProxy         *self,
                                                                    GAsyncResult         *result,
                                                                    GError              **error);
ZBUS_AVAILABLE_IN_1_0
gboolean      zbus_bus_proxy_name_has_owner                        (ZbusBusProxy         *self,
                                                                    const char           *name,
                                                                    GCancellable         *cancellable,
                                                                    GError              **error);
ZBUS_AVAILABLE_IN_1_0
void          zbus_bus_proxy_name_has_owner_async                  (ZbusBusProxy         *self,
                                                                    const char           *name,
                                                                    GCancellable         *cancellable,
                                                                    GAsyncReadyCallback   callback,
                                                                    gpointer              user_data);
ZBUS_AVAILABLE_IN_1_0
gboolean      zbus_bus_proxy_name_has_owner_finish                 (ZbusBusProxy         *self,
                                                                    GAsyncResult         *result,
                                                                    GError              **error);
ZBUS_AVAILABLE_IN_1_0
gboolean      zbus_bus_proxy_get_connection_unix_user              (ZbusBusProxy         *self,
                                                                    const char           *name,
                                                                    guint32              *out_uid,
                                                                    GCancellable         *cancellable,
                                                                    GError              **error);
ZBUS_AVAILABLE_IN_1_0
void          zbus_bus_proxy_get_connection_unix_user_async        (ZbusBusProxy         *self,
                                                                    const char           *name,
                                                                    GCancellable         *cancellable,
                                                                    GAsyncReadyCallback   callback,
                                                                    gpointer              user_data);
ZBUS_AVAILABLE_IN_1_0
gboolean      zbus_bus_proxy_get_connection_unix_user_finish       (ZbusBusProxy         *self,
                                                                    GAsyncResult         *result,
                                                                    guint32              *out_uid,
                                                                    GError              **error);
ZBUS_AVAILABLE_IN_1_0
gboolean      zbus_bus_proxy_get_connection_unix_process_id        (ZbusBusProxy         *self,
                                                                    const char           *name,
                                                                    guint32              *out_pid,
                                                                    GCancellable         *cancellable,
                                                                    GError              **error);
ZBUS_AVAILABLE_IN_1_0
void          zbus_bus_proxy_get_connection_unix_process_id_async  (ZbusBusProxy         *self,
                                                                    const char           *name,
                                                                    GCancellable         *cancellable,
                                                                    GAsyncReadyCallback   callback,
                                                                    gpointer              user_data);
ZBUS_AVAILABLE_IN_1_0
gboolean      zbus_bus_proxy_get_connection_unix_process_id_finish (ZbusBusProxy         *self,
                                                                    GAsyncResult         *result,
                                                                    guint32              *out_pid,
                                                                    GError              **error);
ZBUS_AVAILABLE_IN_1_0
GVariant     *zbus_bus_proxy_get_connection_credentials            (ZbusBusProxy         *self,
                                                                    const char           *name,
                                                                    GCancellable         *cancellable,
                                                                    GError              **error);
ZBUS_AVAILABLE_IN_1_0
void          zbus_bus_proxy_get_connection_credentials_async      (ZbusBusProxy         *self,
                                                                    const char           *name,
                                                                    GCancellable         *cancellable,
                                                                    GAsyncReadyCallback   callback,
                                                                    gpointer              user_data);
ZBUS_AVAILABLE_IN_1_0
GVariant     *zbus_bus_proxy_get_connection_credentials_finish     (ZbusBusProxy         *self,
                                                                    GAsyncResult         *result,
                                                                    GError              **error);

G_END_DECLS
