/* zbus-proxy.h
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
#include "zbus-message-stream.h"
#include "zbus-version-macros.h"

G_BEGIN_DECLS

/**
 * ZbusProxyCacheMode:
 * @ZBUS_PROXY_CACHE_MODE_LAZY: the properties are fetched in the
 *   background the first time the cache is used; until then, and until
 *   the answer arrives, the cache holds only what `PropertiesChanged`
 *   said
 * @ZBUS_PROXY_CACHE_MODE_EAGER: the properties are fetched while the proxy
 *   is constructed
 * @ZBUS_PROXY_CACHE_MODE_NONE: nothing is cached: every read is a `Get`
 *   call, and `PropertiesChanged` is not listened to
 *
 * How a [class@Zbus.Proxy] caches the D-Bus properties of its object.
 *
 * Since: 1.0
 */
typedef enum
{
  ZBUS_PROXY_CACHE_MODE_LAZY,
  ZBUS_PROXY_CACHE_MODE_EAGER,
  ZBUS_PROXY_CACHE_MODE_NONE,
} ZbusProxyCacheMode;

#define ZBUS_TYPE_PROXY (zbus_proxy_get_type ())

ZBUS_AVAILABLE_IN_1_0
G_DECLARE_DERIVABLE_TYPE (ZbusProxy, zbus_proxy, ZBUS, PROXY, GObject)

/**
 * ZbusProxyClass:
 * @parent_class: the parent class
 * @properties_changed: class handler of [signal@Zbus.Proxy::properties-changed]
 * @dbus_signal: class handler of [signal@Zbus.Proxy::dbus-signal]
 * @cache_reset: class handler of [signal@Zbus.Proxy::cache-reset]
 * @cached_property_changed: called on the proxy's context each time the
 *   value of one property in the cache changes, whatever the reason (a
 *   `PropertiesChanged` signal, a `Get` or `GetAll` answer, an
 *   invalidation, a reset); @value is %NULL when the property left the
 *   cache. Subclasses that mirror the remote properties as GObject
 *   properties notify them from here. Chain up is not needed.
 *
 * The class structure of [class@Zbus.Proxy].
 *
 * Since: 1.0
 */
struct _ZbusProxyClass
{
  GObjectClass parent_class;

  void (*properties_changed)      (ZbusProxy          *self,
                                   GVariant           *changed,
                                   const char * const *invalidated);
  void (*dbus_signal)             (ZbusProxy          *self,
                                   const char         *sender,
                                   const char         *signal_name,
                                   GVariant           *parameters);
  void (*cache_reset)             (ZbusProxy          *self);
  void (*cached_property_changed) (ZbusProxy          *self,
                                   const char         *name,
                                   GVariant           *value);

  /*< private >*/
  gpointer padding[12];
};

ZBUS_AVAILABLE_IN_1_0
ZbusProxy          *zbus_proxy_new                        (ZbusConnection       *connection,
                                                           const char           *destination,
                                                           const char           *object_path,
                                                           const char           *interface_name,
                                                           ZbusProxyCacheMode    cache_mode,
                                                           GCancellable         *cancellable,
                                                           GError              **error);
ZBUS_AVAILABLE_IN_1_0
void                zbus_proxy_new_async                  (ZbusConnection       *connection,
                                                           const char           *destination,
                                                           const char           *object_path,
                                                           const char           *interface_name,
                                                           ZbusProxyCacheMode    cache_mode,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
ZBUS_AVAILABLE_IN_1_0
ZbusProxy          *zbus_proxy_new_finish                 (GAsyncResult         *result,
                                                           GError              **error);
ZBUS_AVAILABLE_IN_1_0
ZbusProxy          *zbus_proxy_new_for_bus_daemon         (ZbusConnection       *connection,
                                                           GCancellable         *cancellable,
                                                           GError              **error);

ZBUS_AVAILABLE_IN_1_0
ZbusConnection     *zbus_proxy_get_connection             (ZbusProxy            *self);
ZBUS_AVAILABLE_IN_1_0
const char         *zbus_proxy_get_destination            (ZbusProxy            *self);
ZBUS_AVAILABLE_IN_1_0
const char         *zbus_proxy_get_object_path            (ZbusProxy            *self);
ZBUS_AVAILABLE_IN_1_0
const char         *zbus_proxy_get_interface_name         (ZbusProxy            *self);
ZBUS_AVAILABLE_IN_1_0
ZbusProxyCacheMode  zbus_proxy_get_cache_mode             (ZbusProxy            *self);
ZBUS_AVAILABLE_IN_1_0
const char * const *zbus_proxy_get_uncached_properties    (ZbusProxy            *self);
ZBUS_AVAILABLE_IN_1_0
int                 zbus_proxy_get_default_timeout        (ZbusProxy            *self);
ZBUS_AVAILABLE_IN_1_0
void                zbus_proxy_set_default_timeout        (ZbusProxy            *self,
                                                           int                   timeout_msec);
ZBUS_AVAILABLE_IN_1_0
char               *zbus_proxy_dup_name_owner             (ZbusProxy            *self);

ZBUS_AVAILABLE_IN_1_0
GVariant           *zbus_proxy_call                       (ZbusProxy            *self,
                                                           const char           *method,
                                                           GVariant             *parameters,
                                                           const GVariantType   *reply_type,
                                                           ZbusMessageFlags      flags,
                                                           int                   timeout_msec,
                                                           GCancellable         *cancellable,
                                                           GError              **error);
ZBUS_AVAILABLE_IN_1_0
void                zbus_proxy_call_async                 (ZbusProxy            *self,
                                                           const char           *method,
                                                           GVariant             *parameters,
                                                           const GVariantType   *reply_type,
                                                           ZbusMessageFlags      flags,
                                                           int                   timeout_msec,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
ZBUS_AVAILABLE_IN_1_0
GVariant           *zbus_proxy_call_finish                (ZbusProxy            *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);

ZBUS_AVAILABLE_IN_1_0
GVariant           *zbus_proxy_get_cached_property        (ZbusProxy            *self,
                                                           const char           *name);
ZBUS_AVAILABLE_IN_1_0
char              **zbus_proxy_get_cached_property_names  (ZbusProxy            *self);

ZBUS_AVAILABLE_IN_1_0
GVariant           *zbus_proxy_get_dbus_property          (ZbusProxy            *self,
                                                           const char           *name,
                                                           GCancellable         *cancellable,
                                                           GError              **error);
ZBUS_AVAILABLE_IN_1_0
void                zbus_proxy_get_dbus_property_async    (ZbusProxy            *self,
                                                           const char           *name,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
ZBUS_AVAILABLE_IN_1_0
GVariant           *zbus_proxy_get_dbus_property_finish   (ZbusProxy            *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);
ZBUS_AVAILABLE_IN_1_0
gboolean            zbus_proxy_set_dbus_property          (ZbusProxy            *self,
                                                           const char           *name,
                                                           GVariant             *value,
                                                           GCancellable         *cancellable,
                                                           GError              **error);
ZBUS_AVAILABLE_IN_1_0
void                zbus_proxy_set_dbus_property_async    (ZbusProxy            *self,
                                                           const char           *name,
                                                           GVariant             *value,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
ZBUS_AVAILABLE_IN_1_0
gboolean            zbus_proxy_set_dbus_property_finish   (ZbusProxy            *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);

ZBUS_AVAILABLE_IN_1_0
gboolean            zbus_proxy_refresh_cache              (ZbusProxy            *self,
                                                           GCancellable         *cancellable,
                                                           GError              **error);
ZBUS_AVAILABLE_IN_1_0
void                zbus_proxy_refresh_cache_async        (ZbusProxy            *self,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
ZBUS_AVAILABLE_IN_1_0
gboolean            zbus_proxy_refresh_cache_finish       (ZbusProxy            *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);

ZBUS_AVAILABLE_IN_1_0
ZbusMessageStream  *zbus_proxy_receive_signal             (ZbusProxy            *self,
                                                           const char           *signal_name,
                                                           const char * const   *args,
                                                           GCancellable         *cancellable,
                                                           GError              **error);

/* The standard interfaces, through any proxy: zbus-proxy-standard.c */
ZBUS_AVAILABLE_IN_1_0
gboolean            zbus_proxy_ping                       (ZbusProxy            *self,
                                                           GCancellable         *cancellable,
                                                           GError              **error);
ZBUS_AVAILABLE_IN_1_0
void                zbus_proxy_ping_async                 (ZbusProxy            *self,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
ZBUS_AVAILABLE_IN_1_0
gboolean            zbus_proxy_ping_finish                (ZbusProxy            *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);
ZBUS_AVAILABLE_IN_1_0
char               *zbus_proxy_get_machine_id             (ZbusProxy            *self,
                                                           GCancellable         *cancellable,
                                                           GError              **error);
ZBUS_AVAILABLE_IN_1_0
void                zbus_proxy_get_machine_id_async       (ZbusProxy            *self,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
ZBUS_AVAILABLE_IN_1_0
char               *zbus_proxy_get_machine_id_finish      (ZbusProxy            *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);
ZBUS_AVAILABLE_IN_1_0
char               *zbus_proxy_introspect                 (ZbusProxy            *self,
                                                           GCancellable         *cancellable,
                                                           GError              **error);
ZBUS_AVAILABLE_IN_1_0
void                zbus_proxy_introspect_async           (ZbusProxy            *self,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
ZBUS_AVAILABLE_IN_1_0
char               *zbus_proxy_introspect_finish          (ZbusProxy            *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);
ZBUS_AVAILABLE_IN_1_0
GDBusNodeInfo      *zbus_proxy_introspect_node_info       (ZbusProxy            *self,
                                                           GCancellable         *cancellable,
                                                           GError              **error);

G_END_DECLS
