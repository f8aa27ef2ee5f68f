/* zbus-proxy-type.h
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
#include "zbus-enums.h"
#include "zbus-proxy.h"
#include "zbus-version-macros.h"

G_BEGIN_DECLS

/**
 * ZBUS_PROXY_TYPE_MAX_MEMBERS:
 *
 * The most properties, the most methods and the most signals an interface
 * description may have for [func@Zbus.Proxy.type_for_interface_info] to
 * make a proxy type of it.
 *
 * Since: 1.0
 */
#define ZBUS_PROXY_TYPE_MAX_MEMBERS 512

/* Proxy types from interface descriptions */
ZBUS_AVAILABLE_IN_1_0
GType               zbus_proxy_type_for_interface_type          (GType                 iface_type,
                                                                 GError              **error);
ZBUS_AVAILABLE_IN_1_0
GType               zbus_proxy_type_for_interface_info          (GDBusInterfaceInfo   *info,
                                                                 GError              **error);

ZBUS_AVAILABLE_IN_1_0
ZbusProxy          *zbus_proxy_new_for_interface_type           (ZbusConnection       *connection,
                                                                 GType                 iface_type,
                                                                 const char           *destination,
                                                                 const char           *object_path,
                                                                 ZbusProxyCacheMode    cache_mode,
                                                                 GCancellable         *cancellable,
                                                                 GError              **error);
ZBUS_AVAILABLE_IN_1_0
void                zbus_proxy_new_for_interface_type_async     (ZbusConnection       *connection,
                                                                 GType                 iface_type,
                                                                 const char           *destination,
                                                                 const char           *object_path,
                                                                 ZbusProxyCacheMode    cache_mode,
                                                                 GCancellable         *cancellable,
                                                                 GAsyncReadyCallback   callback,
                                                                 gpointer              user_data);
ZBUS_AVAILABLE_IN_1_0
ZbusProxy          *zbus_proxy_new_for_interface_type_finish    (GAsyncResult         *result,
                                                                 GError              **error);

ZBUS_AVAILABLE_IN_1_0
ZbusProxy          *zbus_proxy_new_for_interface_info           (ZbusConnection       *connection,
                                                                 GDBusInterfaceInfo   *info,
                                                                 const char           *destination,
                                                                 const char           *object_path,
                                                                 ZbusProxyCacheMode    cache_mode,
                                                                 GCancellable         *cancellable,
                                                                 GError              **error);
ZBUS_AVAILABLE_IN_1_0
void                zbus_proxy_new_for_interface_info_async     (ZbusConnection       *connection,
                                                                 GDBusInterfaceInfo   *info,
                                                                 const char           *destination,
                                                                 const char           *object_path,
                                                                 ZbusProxyCacheMode    cache_mode,
                                                                 GCancellable         *cancellable,
                                                                 GAsyncReadyCallback   callback,
                                                                 gpointer              user_data);
ZBUS_AVAILABLE_IN_1_0
ZbusProxy          *zbus_proxy_new_for_interface_info_finish    (GAsyncResult         *result,
                                                                 GError              **error);

ZBUS_AVAILABLE_IN_1_0
ZbusProxy          *zbus_proxy_new_for_xml                      (ZbusConnection       *connection,
                                                                 const char           *xml,
                                                                 const char           *interface_name,
                                                                 const char           *destination,
                                                                 const char           *object_path,
                                                                 ZbusProxyCacheMode    cache_mode,
                                                                 GCancellable         *cancellable,
                                                                 GError              **error);
ZBUS_AVAILABLE_IN_1_0
void                zbus_proxy_new_for_xml_async                (ZbusConnection       *connection,
                                                                 const char           *xml,
                                                                 const char           *interface_name,
                                                                 const char           *destination,
                                                                 const char           *object_path,
                                                                 ZbusProxyCacheMode    cache_mode,
                                                                 GCancellable         *cancellable,
                                                                 GAsyncReadyCallback   callback,
                                                                 gpointer              user_data);
ZBUS_AVAILABLE_IN_1_0
ZbusProxy          *zbus_proxy_new_for_xml_finish               (GAsyncResult         *result,
                                                                 GError              **error);

ZBUS_AVAILABLE_IN_1_0
ZbusProxy          *zbus_proxy_new_for_introspection            (ZbusConnection       *connection,
                                                                 const char           *destination,
                                                                 const char           *object_path,
                                                                 const char           *interface_name,
                                                                 ZbusProxyCacheMode    cache_mode,
                                                                 GCancellable         *cancellable,
                                                                 GError              **error);
ZBUS_AVAILABLE_IN_1_0
void                zbus_proxy_new_for_introspection_async      (ZbusConnection       *connection,
                                                                 const char           *destination,
                                                                 const char           *object_path,
                                                                 const char           *interface_name,
                                                                 ZbusProxyCacheMode    cache_mode,
                                                                 GCancellable         *cancellable,
                                                                 GAsyncReadyCallback   callback,
                                                                 gpointer              user_data);
ZBUS_AVAILABLE_IN_1_0
ZbusProxy          *zbus_proxy_new_for_introspection_finish     (GAsyncResult         *result,
                                                                 GError              **error);

ZBUS_AVAILABLE_IN_1_0
GDBusInterfaceInfo *zbus_proxy_get_interface_info               (ZbusProxy            *self);
ZBUS_AVAILABLE_IN_1_0
GParamSpec         *zbus_proxy_lookup_dbus_property             (ZbusProxy            *self,
                                                                 const char           *dbus_name);

ZBUS_AVAILABLE_IN_1_0
GVariant           *zbus_proxy_call_method                      (ZbusProxy            *self,
                                                                 const char           *method,
                                                                 GVariant             *parameters,
                                                                 ZbusMessageFlags      flags,
                                                                 int                   timeout_msec,
                                                                 GCancellable         *cancellable,
                                                                 GError              **error);
ZBUS_AVAILABLE_IN_1_0
void                zbus_proxy_call_method_async                (ZbusProxy            *self,
                                                                 const char           *method,
                                                                 GVariant             *parameters,
                                                                 ZbusMessageFlags      flags,
                                                                 int                   timeout_msec,
                                                                 GCancellable         *cancellable,
                                                                 GAsyncReadyCallback   callback,
                                                                 gpointer              user_data);
ZBUS_AVAILABLE_IN_1_0
GVariant           *zbus_proxy_call_method_finish               (ZbusProxy            *self,
                                                                 GAsyncResult         *result,
                                                                 GError              **error);

G_END_DECLS
