/* zbus-proxy-typed.c: making proxies of the types zbus-proxy-type.c makes,
 * and calling their methods by name
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "zbus-connection-private.h"
#include "zbus-error.h"
#include "zbus-interface.h"
#include "zbus-proxy-private.h"
#include "zbus-proxy-type-private.h"

#define INTROSPECTABLE_INTERFACE "org.freedesktop.DBus.Introspectable"

/* ------------------------------------------------------------------------ */
/* Making one */

static ZbusProxy *
new_of_type (GType                type,
             ZbusConnection      *connection,
             const char          *destination,
             const char          *object_path,
             ZbusProxyCacheMode   cache_mode,
             GCancellable        *cancellable,
             GError             **error)
{
  const ZbusProxyTypeInfo *info = _zbus_proxy_type_info_peek (type);

  return g_initable_new (type, cancellable, error,
                         "connection", connection,
                         "destination", destination,
                         "object-path", object_path,
                         "interface-name", info->interface_name,
                         "cache-mode", cache_mode,
                         NULL);
}

/* The arguments of an asynchronous construction, kept while the type is
 * not known yet (introspection). */
typedef struct
{
  ZbusConnection     *connection;     /* (owned) */
  char               *destination;    /* (owned) (nullable) */
  char               *object_path;    /* (owned) */
  char               *interface_name; /* (owned) (nullable) */
  ZbusProxyCacheMode  cache_mode;
} NewData;

static void
new_data_free (NewData *data)
{
  g_clear_object (&data->connection);
  g_free (data->destination);
  g_free (data->object_path);
  g_free (data->interface_name);
  g_free (data);
}

static GTask *
new_task (ZbusConnection     *connection,
          const char         *destination,
          const char         *object_path,
          const char         *interface_name,
          ZbusProxyCacheMode  cache_mode,
          GCancellable       *cancellable,
          GAsyncReadyCallback callback,
          gpointer            user_data,
          gpointer            source_tag)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  NewData *data = g_new0 (NewData, 1);

  g_task_set_source_tag (task, source_tag);
  data->connection = g_object_ref (connection);
  data->destination = g_strdup (destination);
  data->object_path = g_strdup (object_path);
  data->interface_name = g_strdup (interface_name);
  data->cache_mode = cache_mode;
  g_task_set_task_data (task, data, (GDestroyNotify) new_data_free);
  return task;
}

static void
init_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GObject *proxy;

  proxy = g_async_initable_new_finish (G_ASYNC_INITABLE (object), result, &error);
  if (proxy == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, proxy, g_object_unref);
}

/* Takes @task: constructs a proxy of @type, or fails with @error. */
static void
task_new_of_type (GTask  *task,
                  GType   type,
                  GError *error)
{
  NewData *data = g_task_get_task_data (task);

  if (type == G_TYPE_INVALID)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  g_async_initable_new_async (type, G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                              init_done_cb, task,
                              "connection", data->connection,
                              "destination", data->destination,
                              "object-path", data->object_path,
                              "interface-name", _zbus_proxy_type_info_peek (type)->interface_name,
                              "cache-mode", data->cache_mode,
                              NULL);
}

static ZbusProxy *
new_finish (GAsyncResult  *result,
            gpointer       source_tag,
            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * zbus_proxy_new_for_interface_type:
 * @connection: a connection
 * @iface_type: a subclass of [class@Zbus.Interface] with a D-Bus name
 * @destination: (nullable): the bus name of the remote object, well-known
 *   or unique; %NULL on a peer-to-peer connection
 * @object_path: the path of the remote object
 * @cache_mode: how to cache the properties
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Makes a typed proxy for a remote object that serves the interface of
 * @iface_type. It is an instance of
 * [func@Zbus.Proxy.type_for_interface_type], whose GObject properties,
 * signals and methods are those of the interface type.
 * Otherwise as [ctor@Zbus.Proxy.new].
 *
 * ```c
 * proxy = zbus_proxy_new_for_interface_type (connection, MY_TYPE_THING,
 *                                            "org.example.Thing", "/org/example/thing",
 *                                            ZBUS_PROXY_CACHE_MODE_EAGER, NULL, &error);
 * g_object_bind_property (proxy, "count", label, "label", G_BINDING_SYNC_CREATE);
 * ```
 *
 * Returns: (transfer full): the new proxy, or %NULL on error
 *
 * Since: 1.0
 */
ZbusProxy *
zbus_proxy_new_for_interface_type (ZbusConnection      *connection,
                                   GType                iface_type,
                                   const char          *destination,
                                   const char          *object_path,
                                   ZbusProxyCacheMode   cache_mode,
                                   GCancellable        *cancellable,
                                   GError             **error)
{
  GType type;

  g_return_val_if_fail (ZBUS_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (g_type_is_a (iface_type, ZBUS_TYPE_INTERFACE), NULL);
  g_return_val_if_fail (object_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  type = zbus_proxy_type_for_interface_type (iface_type, error);
  if (type == G_TYPE_INVALID)
    return NULL;
  return new_of_type (type, connection, destination, object_path, cache_mode, cancellable, error);
}

/**
 * zbus_proxy_new_for_interface_type_async:
 * @connection: a connection
 * @iface_type: a subclass of [class@Zbus.Interface] with a D-Bus name
 * @destination: (nullable): the bus name of the remote object, or %NULL
 *   on a peer-to-peer connection
 * @object_path: the path of the remote object
 * @cache_mode: how to cache the properties
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the proxy is ready
 * @user_data: (closure): data for @callback
 *
 * Makes a typed proxy without blocking; see
 * [ctor@Zbus.Proxy.new_for_interface_type].
 *
 * Since: 1.0
 */
void
zbus_proxy_new_for_interface_type_async (ZbusConnection      *connection,
                                         GType                iface_type,
                                         const char          *destination,
                                         const char          *object_path,
                                         ZbusProxyCacheMode   cache_mode,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  GError *error = NULL;
  GTask *task;
  GType type;

  g_return_if_fail (ZBUS_IS_CONNECTION (connection));
  g_return_if_fail (g_type_is_a (iface_type, ZBUS_TYPE_INTERFACE));
  g_return_if_fail (object_path != NULL);

  task = new_task (connection, destination, object_path, NULL, cache_mode, cancellable,
                   callback, user_data, zbus_proxy_new_for_interface_type_async);
  type = zbus_proxy_type_for_interface_type (iface_type, &error);
  task_new_of_type (task, type, error);
}

/**
 * zbus_proxy_new_for_interface_type_finish:
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [func@Zbus.Proxy.new_for_interface_type_async].
 *
 * Returns: (transfer full): the new proxy, or %NULL on error
 *
 * Since: 1.0
 */
ZbusProxy *
zbus_proxy_new_for_interface_type_finish (GAsyncResult  *result,
                                          GError       **error)
{
  return new_finish (result, zbus_proxy_new_for_interface_type_async, error);
}

/**
 * zbus_proxy_new_for_interface_info:
 * @connection: a connection
 * @info: the description of the interface
 * @destination: (nullable): the bus name of the remote object, well-known
 *   or unique; %NULL on a peer-to-peer connection
 * @object_path: the path of the remote object
 * @cache_mode: how to cache the properties
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Makes a proxy whose GObject properties, signals and methods mirror the
 * interface @info describes: an instance of
 * [func@Zbus.Proxy.type_for_interface_info]. Otherwise as
 * [ctor@Zbus.Proxy.new].
 *
 * Returns: (transfer full): the new proxy, or %NULL on error (also when
 *   @info is not a valid description)
 *
 * Since: 1.0
 */
ZbusProxy *
zbus_proxy_new_for_interface_info (ZbusConnection      *connection,
                                   GDBusInterfaceInfo  *info,
                                   const char          *destination,
                                   const char          *object_path,
                                   ZbusProxyCacheMode   cache_mode,
                                   GCancellable        *cancellable,
                                   GError             **error)
{
  GType type;

  g_return_val_if_fail (ZBUS_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail (object_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  type = zbus_proxy_type_for_interface_info (info, error);
  if (type == G_TYPE_INVALID)
    return NULL;
  return new_of_type (type, connection, destination, object_path, cache_mode, cancellable, error);
}

/**
 * zbus_proxy_new_for_interface_info_async:
 * @connection: a connection
 * @info: the description of the interface
 * @destination: (nullable): the bus name of the remote object, or %NULL
 *   on a peer-to-peer connection
 * @object_path: the path of the remote object
 * @cache_mode: how to cache the properties
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the proxy is ready
 * @user_data: (closure): data for @callback
 *
 * Makes a proxy from an interface description without blocking; see
 * [ctor@Zbus.Proxy.new_for_interface_info].
 *
 * Since: 1.0
 */
void
zbus_proxy_new_for_interface_info_async (ZbusConnection      *connection,
                                         GDBusInterfaceInfo  *info,
                                         const char          *destination,
                                         const char          *object_path,
                                         ZbusProxyCacheMode   cache_mode,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  GError *error = NULL;
  GTask *task;
  GType type;

  g_return_if_fail (ZBUS_IS_CONNECTION (connection));
  g_return_if_fail (info != NULL);
  g_return_if_fail (object_path != NULL);

  task = new_task (connection, destination, object_path, NULL, cache_mode, cancellable,
                   callback, user_data, zbus_proxy_new_for_interface_info_async);
  type = zbus_proxy_type_for_interface_info (info, &error);
  task_new_of_type (task, type, error);
}

/**
 * zbus_proxy_new_for_interface_info_finish:
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [func@Zbus.Proxy.new_for_interface_info_async].
 *
 * Returns: (transfer full): the new proxy, or %NULL on error
 *
 * Since: 1.0
 */
ZbusProxy *
zbus_proxy_new_for_interface_info_finish (GAsyncResult  *result,
                                          GError       **error)
{
  return new_finish (result, zbus_proxy_new_for_interface_info_async, error);
}

static GType
type_for_xml (const char  *xml,
              const char  *interface_name,
              GError     **error)
{
  GDBusInterfaceInfo *info = _zbus_proxy_type_parse_xml (xml, interface_name, error);
  GType type;

  if (info == NULL)
    return G_TYPE_INVALID;
  type = zbus_proxy_type_for_interface_info (info, error);
  g_dbus_interface_info_unref (info);
  return type;
}

/**
 * zbus_proxy_new_for_xml:
 * @connection: a connection
 * @xml: D-Bus introspection XML: a `<node>` document, or one
 *   `<interface>` element
 * @interface_name: (nullable): the interface of @xml to use; %NULL when
 *   it describes only one
 * @destination: (nullable): the bus name of the remote object, well-known
 *   or unique; %NULL on a peer-to-peer connection
 * @object_path: the path of the remote object
 * @cache_mode: how to cache the properties
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Makes a proxy whose GObject properties, signals and methods mirror an
 * interface described in introspection XML; see
 * [func@Zbus.Proxy.type_for_interface_info]. XML that does not parse
 * (a %G_MARKUP_ERROR), lacks the interface, is longer than 16 MiB or
 * describes an interface no proxy type can be made of is refused.
 *
 * ```c
 * proxy = zbus_proxy_new_for_xml (connection,
 *                                 "<interface name='org.example.Clock'>"
 *                                 "  <property name='TimeZone' type='s' access='readwrite'/>"
 *                                 "  <signal name='Tick'><arg type='t'/></signal>"
 *                                 "</interface>",
 *                                 NULL, "org.example.Clock", "/org/example/Clock",
 *                                 ZBUS_PROXY_CACHE_MODE_EAGER, NULL, &error);
 * g_signal_connect (proxy, "tick", G_CALLBACK (tick_cb), NULL);
 * g_object_set (proxy, "time-zone", "Europe/Paris", NULL);
 * ```
 *
 * Returns: (transfer full): the new proxy, or %NULL on error
 *
 * Since: 1.0
 */
ZbusProxy *
zbus_proxy_new_for_xml (ZbusConnection      *connection,
                        const char          *xml,
                        const char          *interface_name,
                        const char          *destination,
                        const char          *object_path,
                        ZbusProxyCacheMode   cache_mode,
                        GCancellable        *cancellable,
                        GError             **error)
{
  GType type;

  g_return_val_if_fail (ZBUS_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (xml != NULL, NULL);
  g_return_val_if_fail (object_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  type = type_for_xml (xml, interface_name, error);
  if (type == G_TYPE_INVALID)
    return NULL;
  return new_of_type (type, connection, destination, object_path, cache_mode, cancellable, error);
}

/**
 * zbus_proxy_new_for_xml_async:
 * @connection: a connection
 * @xml: D-Bus introspection XML: a `<node>` document, or one
 *   `<interface>` element
 * @interface_name: (nullable): the interface of @xml to use; %NULL when
 *   it describes only one
 * @destination: (nullable): the bus name of the remote object, or %NULL
 *   on a peer-to-peer connection
 * @object_path: the path of the remote object
 * @cache_mode: how to cache the properties
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the proxy is ready
 * @user_data: (closure): data for @callback
 *
 * Makes a proxy from introspection XML without blocking; see
 * [ctor@Zbus.Proxy.new_for_xml].
 *
 * Since: 1.0
 */
void
zbus_proxy_new_for_xml_async (ZbusConnection      *connection,
                              const char          *xml,
                              const char          *interface_name,
                              const char          *destination,
                              const char          *object_path,
                              ZbusProxyCacheMode   cache_mode,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GError *error = NULL;
  GTask *task;
  GType type;

  g_return_if_fail (ZBUS_IS_CONNECTION (connection));
  g_return_if_fail (xml != NULL);
  g_return_if_fail (object_path != NULL);

  task = new_task (connection, destination, object_path, NULL, cache_mode, cancellable,
                   callback, user_data, zbus_proxy_new_for_xml_async);
  type = type_for_xml (xml, interface_name, &error);
  task_new_of_type (task, type, error);
}

/**
 * zbus_proxy_new_for_xml_finish:
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [func@Zbus.Proxy.new_for_xml_async].
 *
 * Returns: (transfer full): the new proxy, or %NULL on error
 *
 * Since: 1.0
 */
ZbusProxy *
zbus_proxy_new_for_xml_finish (GAsyncResult  *result,
                               GError       **error)
{
  return new_finish (result, zbus_proxy_new_for_xml_async, error);
}

static gboolean
check_introspect_args (const char  *destination,
                       const char  *object_path,
                       const char  *interface_name,
                       GError     **error)
{
  if (destination != NULL && !g_dbus_is_name (destination))
    g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME,
                 "“%s” is not a valid bus name", destination);
  else if (!g_variant_is_object_path (object_path))
    g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME,
                 "“%s” is not a valid object path", object_path);
  else if (!g_dbus_is_interface_name (interface_name))
    g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME,
                 "“%s” is not a valid interface name", interface_name);
  else
    return TRUE;
  return FALSE;
}

/* The type an `Introspect` answer describes. */
static GType
type_for_introspection (GVariant    *reply,
                        const char  *object_path,
                        const char  *interface_name,
                        GError     **error)
{
  const char *xml = NULL;

  g_variant_get (reply, "(&s)", &xml);
  if (!g_utf8_validate (xml, -1, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "The introspection of %s is not UTF-8", object_path);
      return G_TYPE_INVALID;
    }
  return type_for_xml (xml, interface_name, error);
}

static GVariant *
introspect_sync (ZbusConnection  *connection,
                 const char      *destination,
                 const char      *object_path,
                 GCancellable    *cancellable,
                 GError         **error)
{
  return zbus_connection_call_sync (connection, destination, object_path,
                                    INTROSPECTABLE_INTERFACE, "Introspect", NULL,
                                    G_VARIANT_TYPE ("(s)"), ZBUS_MESSAGE_FLAGS_NONE,
                                    ZBUS_TIMEOUT_DEFAULT, cancellable, error);
}

/**
 * zbus_proxy_new_for_introspection:
 * @connection: a connection
 * @destination: (nullable): the bus name of the remote object, well-known
 *   or unique; %NULL on a peer-to-peer connection
 * @object_path: the path of the remote object
 * @interface_name: the D-Bus interface to use
 * @cache_mode: how to cache the properties
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Asks the remote object for its description (`Introspect`) and makes a
 * proxy whose GObject properties, signals and methods mirror its
 * @interface_name; see [func@Zbus.Proxy.type_for_interface_info]. Two
 * objects that describe the interface alike share one proxy type.
 *
 * The description is the remote's to make: one that is not valid XML,
 * lacks @interface_name, or breaks the rules of
 * [func@Zbus.Proxy.type_for_interface_info] makes this fail, never crash.
 *
 * Returns: (transfer full): the new proxy, or %NULL on error
 *
 * Since: 1.0
 */
ZbusProxy *
zbus_proxy_new_for_introspection (ZbusConnection      *connection,
                                  const char          *destination,
                                  const char          *object_path,
                                  const char          *interface_name,
                                  ZbusProxyCacheMode   cache_mode,
                                  GCancellable        *cancellable,
                                  GError             **error)
{
  g_autoptr(GVariant) reply = NULL;
  GType type;

  g_return_val_if_fail (ZBUS_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (object_path != NULL, NULL);
  g_return_val_if_fail (interface_name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_introspect_args (destination, object_path, interface_name, error))
    return NULL;
  reply = introspect_sync (connection, destination, object_path, cancellable, error);
  if (reply == NULL)
    return NULL;
  type = type_for_introspection (reply, object_path, interface_name, error);
  if (type == G_TYPE_INVALID)
    return NULL;
  return new_of_type (type, connection, destination, object_path, cache_mode, cancellable, error);
}

static void
introspect_done_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  NewData *data = g_task_get_task_data (task);
  g_autoptr(GVariant) reply = NULL;
  GError *error = NULL;
  GType type = G_TYPE_INVALID;

  reply = zbus_connection_call_finish (ZBUS_CONNECTION (object), result, &error);
  if (reply != NULL)
    type = type_for_introspection (reply, data->object_path, data->interface_name, &error);
  task_new_of_type (task, type, error);
}

/**
 * zbus_proxy_new_for_introspection_async:
 * @connection: a connection
 * @destination: (nullable): the bus name of the remote object, or %NULL
 *   on a peer-to-peer connection
 * @object_path: the path of the remote object
 * @interface_name: the D-Bus interface to use
 * @cache_mode: how to cache the properties
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the proxy is ready
 * @user_data: (closure): data for @callback
 *
 * Introspects the remote object and makes a proxy of its @interface_name
 * without blocking; see [ctor@Zbus.Proxy.new_for_introspection].
 *
 * Since: 1.0
 */
void
zbus_proxy_new_for_introspection_async (ZbusConnection      *connection,
                                        const char          *destination,
                                        const char          *object_path,
                                        const char          *interface_name,
                                        ZbusProxyCacheMode   cache_mode,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  GError *error = NULL;
  GTask *task;

  g_return_if_fail (ZBUS_IS_CONNECTION (connection));
  g_return_if_fail (object_path != NULL);
  g_return_if_fail (interface_name != NULL);

  task = new_task (connection, destination, object_path, interface_name, cache_mode, cancellable,
                   callback, user_data, zbus_proxy_new_for_introspection_async);
  if (!check_introspect_args (destination, object_path, interface_name, &error))
    {
      task_new_of_type (task, G_TYPE_INVALID, error);
      return;
    }
  zbus_connection_call (connection, destination, object_path, INTROSPECTABLE_INTERFACE,
                        "Introspect", NULL, G_VARIANT_TYPE ("(s)"), ZBUS_MESSAGE_FLAGS_NONE,
                        ZBUS_TIMEOUT_DEFAULT, cancellable, introspect_done_cb, task);
}

/**
 * zbus_proxy_new_for_introspection_finish:
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [func@Zbus.Proxy.new_for_introspection_async].
 *
 * Returns: (transfer full): the new proxy, or %NULL on error
 *
 * Since: 1.0
 */
ZbusProxy *
zbus_proxy_new_for_introspection_finish (GAsyncResult  *result,
                                         GError       **error)
{
  return new_finish (result, zbus_proxy_new_for_introspection_async, error);
}

/* ------------------------------------------------------------------------ */
/* Methods by name */

/* The method @name of @self's description, and @parameters (taken) as a
 * tuple of its in-signature. */
static const ZbusProxyTypeMethod *
prepare_call (ZbusProxy  *self,
              const char *name,
              GVariant   *parameters,
              GVariant  **out_parameters,
              GError    **error)
{
  g_autoptr(GVariant) params = parameters ? g_variant_ref_sink (parameters)
                                          : g_variant_ref_sink (g_variant_new_tuple (NULL, 0));
  ZbusProxyPrivate *priv = PRIV (self);
  const ZbusProxyTypeInfo *info = g_atomic_pointer_get (&priv->type_info);
  const ZbusProxyTypeMethod *m;

  /* The type's description, looked up once per proxy (any thread may
   * call: they all find the same one). */
  if (info == NULL)
    {
      info = _zbus_proxy_type_info_peek (G_OBJECT_TYPE (self));
      if (info != NULL)
        g_atomic_pointer_set (&priv->type_info, info);
    }
  if (info == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "The proxy of %s was not made from an interface description: "
                   "use zbus_proxy_call()", zbus_proxy_get_interface_name (self));
      return NULL;
    }
  m = g_hash_table_lookup (info->methods_by_name, name);
  if (m == NULL)
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                   "Interface %s has no method “%s”", info->interface_name, name);
      return NULL;
    }
  if (!g_str_equal (g_variant_get_type_string (params), m->in_signature))
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                   "Method %s of %s takes “%s”, not “%s”", m->name, info->interface_name,
                   m->in_signature, g_variant_get_type_string (params));
      return NULL;
    }
  *out_parameters = g_steal_pointer (&params);
  return m;
}

/* The type a reply of @m must have: its out-signature, a valid type
 * string, is one already (no copy per call). */
static inline const GVariantType *
reply_type_of (const ZbusProxyTypeMethod *m)
{
  return (const GVariantType *) m->out_signature;
}

/**
 * zbus_proxy_call_method:
 * @self: a proxy whose type was made from an interface description
 * @method: the D-Bus name (`MeaningOfLife`) or GObject name
 *   (`meaning-of-life`) of a method of the interface
 * @parameters: (nullable): the arguments, a tuple of the method's
 *   in-signature (a floating reference is sunk), or %NULL for none
 * @flags: flags for the call message
 * @timeout_msec: the timeout in milliseconds, %ZBUS_TIMEOUT_INFINITE, or
 *   %ZBUS_TIMEOUT_DEFAULT for [property@Zbus.Proxy:default-timeout]
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Calls a method of the interface the proxy's type describes, checking
 * @parameters against its in-signature before anything is sent and the
 * reply against its out-signature; see [method@Zbus.Proxy.call]. Any
 * thread may call this.
 *
 * Returns: (transfer full): the reply's arguments, a tuple of the
 *   method's out-signature (an empty tuple once the call is sent, with
 *   %ZBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED), or %NULL with @error set:
 *   %G_IO_ERROR_NOT_SUPPORTED for a plain proxy,
 *   %G_DBUS_ERROR_UNKNOWN_METHOD, %G_DBUS_ERROR_INVALID_ARGS, or the
 *   remote's error
 *
 * Since: 1.0
 */
GVariant *
zbus_proxy_call_method (ZbusProxy         *self,
                        const char        *method,
                        GVariant          *parameters,
                        ZbusMessageFlags   flags,
                        int                timeout_msec,
                        GCancellable      *cancellable,
                        GError           **error)
{
  g_autoptr(GVariant) params = NULL;
  const ZbusProxyTypeMethod *m;

  g_return_val_if_fail (ZBUS_IS_PROXY (self), NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  m = prepare_call (self, method, parameters, &params, error);
  if (m == NULL)
    return NULL;
  return zbus_proxy_call (self, m->name, params, reply_type_of (m), flags,
                          timeout_msec, cancellable, error);
}

/**
 * zbus_proxy_call_method_async:
 * @self: a proxy whose type was made from an interface description
 * @method: the D-Bus name or GObject name of a method of the interface
 * @parameters: (nullable): the arguments, a tuple of the method's
 *   in-signature (a floating reference is sunk), or %NULL for none
 * @flags: flags for the call message
 * @timeout_msec: the timeout in milliseconds, %ZBUS_TIMEOUT_INFINITE, or
 *   %ZBUS_TIMEOUT_DEFAULT for [property@Zbus.Proxy:default-timeout]
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the reply, in the thread-default
 *   main context of the thread that called this
 * @user_data: (closure): data for @callback
 *
 * Calls a method of the interface the proxy's type describes without
 * blocking; see [method@Zbus.Proxy.call_method]. Any thread may call
 * this.
 *
 * Since: 1.0
 */
void
zbus_proxy_call_method_async (ZbusProxy           *self,
                              const char          *method,
                              GVariant            *parameters,
                              ZbusMessageFlags     flags,
                              int                  timeout_msec,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GVariant) params = NULL;
  const ZbusProxyTypeMethod *m;
  GError *error = NULL;
  GTask *task;

  g_return_if_fail (ZBUS_IS_PROXY (self));
  g_return_if_fail (method != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, zbus_proxy_call_method_async);
  m = prepare_call (self, method, parameters, &params, &error);
  if (m == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  /* Straight to the connection: no second task in between. */
  _zbus_proxy_call_for_task (self, task, NULL, m->name, params, reply_type_of (m), flags,
                             timeout_msec);
}

/**
 * zbus_proxy_call_method_finish:
 * @self: a proxy
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Zbus.Proxy.call_method_async].
 *
 * Returns: (transfer full): the reply's arguments, or %NULL with @error
 *   set
 *
 * Since: 1.0
 */
GVariant *
zbus_proxy_call_method_finish (ZbusProxy     *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (ZBUS_IS_PROXY (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
