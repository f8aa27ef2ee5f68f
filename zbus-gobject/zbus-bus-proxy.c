/* zbus-bus-proxy.c
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "zbus-bus-proxy.h"
#include "zbus-connection-private.h"
#include "zbus-proxy-private.h"

/**
 * ZbusBusProxy:
 *
 * A [class@Zbus.Proxy] for the message bus itself
 * (`org.freedesktop.DBus` at `/org/freedesktop/DBus`), with its common
 * methods as typed functions and its signals as GObject signals.
 *
 * [ctor@Zbus.Proxy.new_for_bus_daemon] makes one too. Everything
 * [class@Zbus.Proxy] offers works as well: other methods through
 * [method@Zbus.Proxy.call], the `Features` and `Interfaces` properties
 * through the cache.
 *
 * Listening to [signal@Zbus.BusProxy::name-owner-changed] means getting
 * every name change on the bus: on a busy bus, prefer a
 * [class@Zbus.Proxy] of the service whose owner matters, which follows
 * that name alone.
 *
 * Since: 1.0
 */

struct _ZbusBusProxy
{
  ZbusProxy parent_instance;
};

enum {
  SIGNAL_NAME_OWNER_CHANGED,
  SIGNAL_NAME_ACQUIRED,
  SIGNAL_NAME_LOST,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (ZbusBusProxy, zbus_bus_proxy, ZBUS_TYPE_PROXY)

static const char *
nonempty (const char *text)
{
  return text[0] != '\0' ? text : NULL;
}

static void
zbus_bus_proxy_dbus_signal (ZbusProxy  *proxy,
                            const char *sender,
                            const char *signal_name,
                            GVariant   *parameters)
{
  const char *name, *old_owner, *new_owner;

  if (g_str_equal (signal_name, "NameOwnerChanged") &&
      g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(sss)")))
    {
      g_variant_get (parameters, "(&s&s&s)", &name, &old_owner, &new_owner);
      g_signal_emit (proxy, signals[SIGNAL_NAME_OWNER_CHANGED], 0, name, nonempty (old_owner),
                     nonempty (new_owner));
    }
  else if (g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(s)")))
    {
      g_variant_get (parameters, "(&s)", &name);
      if (g_str_equal (signal_name, "NameAcquired"))
        g_signal_emit (proxy, signals[SIGNAL_NAME_ACQUIRED], 0, name);
      else if (g_str_equal (signal_name, "NameLost"))
        g_signal_emit (proxy, signals[SIGNAL_NAME_LOST], 0, name);
    }
}

static void
zbus_bus_proxy_class_init (ZbusBusProxyClass *klass)
{
  ZbusProxyClass *proxy_class = ZBUS_PROXY_CLASS (klass);

  proxy_class->dbus_signal = zbus_bus_proxy_dbus_signal;

  /**
   * ZbusBusProxy::name-owner-changed:
   * @self: the bus proxy
   * @name: the name whose owner changed
   * @old_owner: (nullable): the unique name that owned it, or %NULL
   * @new_owner: (nullable): the unique name that owns it now, or %NULL
   *
   * Emitted for each `NameOwnerChanged` signal of the bus: a name was
   * taken, released or passed on, a connection came or went.
   *
   * Since: 1.0
   */
  signals[SIGNAL_NAME_OWNER_CHANGED] =
    g_signal_new ("name-owner-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);

  /**
   * ZbusBusProxy::name-acquired:
   * @self: the bus proxy
   * @name: the name
   *
   * Emitted when the bus says the proxy's connection got @name (its
   * `NameAcquired` signal, its unique name included).
   *
   * Since: 1.0
   */
  signals[SIGNAL_NAME_ACQUIRED] =
    g_signal_new ("name-acquired", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * ZbusBusProxy::name-lost:
   * @self: the bus proxy
   * @name: the name
   *
   * Emitted when the bus says the proxy's connection lost @name (its
   * `NameLost` signal).
   *
   * Since: 1.0
   */
  signals[SIGNAL_NAME_LOST] =
    g_signal_new ("name-lost", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
zbus_bus_proxy_init (ZbusBusProxy *self)
{
}

/* ------------------------------------------------------------------------ */
/* Making one */

/**
 * zbus_bus_proxy_new:
 * @connection: a bus connection
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Makes a proxy for the bus of @connection; its cache is lazy.
 *
 * Returns: (transfer full): the new proxy, or %NULL on error
 *
 * Since: 1.0
 */
ZbusBusProxy *
zbus_bus_proxy_new (ZbusConnection  *connection,
                    GCancellable    *cancellable,
                    GError         **error)
{
  g_return_val_if_fail (ZBUS_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_initable_new (ZBUS_TYPE_BUS_PROXY, cancellable, error,
                         "connection", connection,
                         "destination", ZBUS_DBUS_NAME,
                         "object-path", ZBUS_DBUS_PATH,
                         "interface-name", ZBUS_DBUS_INTERFACE,
                         "cache-mode", ZBUS_PROXY_CACHE_MODE_LAZY,
                         NULL);
}

/**
 * zbus_bus_proxy_new_async:
 * @connection: a bus connection
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the proxy is ready
 * @user_data: (closure): data for @callback
 *
 * Makes a proxy for the bus without blocking; see
 * [ctor@Zbus.BusProxy.new].
 *
 * Since: 1.0
 */
void
zbus_bus_proxy_new_async (ZbusConnection      *connection,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (ZBUS_IS_CONNECTION (connection));

  g_async_initable_new_async (ZBUS_TYPE_BUS_PROXY, G_PRIORITY_DEFAULT, cancellable, callback,
                              user_data,
                              "connection", connection,
                              "destination", ZBUS_DBUS_NAME,
                              "object-path", ZBUS_DBUS_PATH,
                              "interface-name", ZBUS_DBUS_INTERFACE,
                              "cache-mode", ZBUS_PROXY_CACHE_MODE_LAZY,
                              NULL);
}

/**
 * zbus_bus_proxy_new_finish:
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [func@Zbus.BusProxy.new_async].
 *
 * Returns: (transfer full): the new proxy, or %NULL on error
 *
 * Since: 1.0
 */
ZbusBusProxy *
zbus_bus_proxy_new_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_autoptr(GObject) source = NULL;
  GObject *object;

  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  source = g_async_result_get_source_object (result);
  object = g_async_initable_new_finish (G_ASYNC_INITABLE (source), result, error);
  return object != NULL ? ZBUS_BUS_PROXY (object) : NULL;
}

/* ------------------------------------------------------------------------ */
/* Calls: each typed function is one of these and an extraction */

static GVariant *
call_sync (ZbusBusProxy  *self,
           const char    *method,
           GVariant      *parameters,
           const char    *reply_type,
           GCancellable  *cancellable,
           GError       **error)
{
  return zbus_proxy_call (ZBUS_PROXY (self), method, parameters, G_VARIANT_TYPE (reply_type),
                          ZBUS_MESSAGE_FLAGS_NONE, ZBUS_TIMEOUT_DEFAULT, cancellable, error);
}

static void
call_async (ZbusBusProxy        *self,
            gpointer             source_tag,
            const char          *method,
            GVariant            *parameters,
            const char          *reply_type,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  _zbus_proxy_call_for_task (ZBUS_PROXY (self), task, NULL, method, parameters,
                             G_VARIANT_TYPE (reply_type), ZBUS_MESSAGE_FLAGS_NONE,
                             ZBUS_TIMEOUT_DEFAULT);
}

static GVariant *
call_finish (ZbusBusProxy  *self,
             GAsyncResult  *result,
             gpointer       source_tag,
             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static char **
take_strv (GVariant *reply)
{
  g_autoptr(GVariant) owned = reply;
  char **strv = NULL;

  if (reply != NULL)
    g_variant_get (reply, "(^as)", &strv);
  return strv;
}

static char *
take_string (GVariant *reply)
{
  g_autoptr(GVariant) owned = reply;
  char *text = NULL;

  if (reply != NULL)
    g_variant_get (reply, "(s)", &text);
  return text;
}

static gboolean
take_boolean (GVariant *reply)
{
  g_autoptr(GVariant) owned = reply;
  gboolean value = FALSE;

  if (reply != NULL)
    g_variant_get (reply, "(b)", &value);
  return value;
}

static gboolean
take_uint32 (GVariant *reply,
             guint32  *out_value)
{
  g_autoptr(GVariant) owned = reply;
  guint32 value = 0;

  if (reply != NULL)
    g_variant_get (reply, "(u)", &value);
  if (out_value != NULL)
    *out_value = value;
  return reply != NULL;
}

static GVariant *
take_child (GVariant *reply)
{
  g_autoptr(GVariant) owned = reply;

  return reply != NULL ? g_variant_get_child_value (reply, 0) : NULL;
}

/**
 * zbus_bus_proxy_list_names:
 * @self: a bus proxy
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Lists the names owned on the bus now, unique names included
 * (`ListNames`).
 *
 * Returns: (transfer full) (array zero-terminated=1): the names, or %NULL
 *   with @error set
 *
 * Since: 1.0
 */
char **
zbus_bus_proxy_list_names (ZbusBusProxy  *self,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_return_val_if_fail (ZBUS_IS_BUS_PROXY (self), NULL);

  return take_strv (call_sync (self, "ListNames", NULL, "(as)", cancellable, error));
}

/**
 * zbus_bus_proxy_list_names_async:
 * @self: a bus proxy
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the answer
 * @user_data: (closure): data for @callback
 *
 * Lists the names owned on the bus without blocking; see
 * [method@Zbus.BusProxy.list_names].
 *
 * Since: 1.0
 */
void
zbus_bus_proxy_list_names_async (ZbusBusProxy        *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (ZBUS_IS_BUS_PROXY (self));

  call_async (self, zbus_bus_proxy_list_names_async, "ListNames", NULL, "(as)", cancellable,
              callback, user_data);
}

/**
 * zbus_bus_proxy_list_names_finish:
 * @self: a bus proxy
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Zbus.BusProxy.list_names_async].
 *
 * Returns: (transfer full) (array zero-terminated=1): the names, or %NULL
 *   with @error set
 *
 * Since: 1.0
 */
char **
zbus_bus_proxy_list_names_finish (ZbusBusProxy  *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (ZBUS_IS_BUS_PROXY (self), NULL);

  return take_strv (call_finish (self, result, zbus_bus_proxy_list_names_async, error));
}

/**
 * zbus_bus_proxy_list_activatable_names:
 * @self: a bus proxy
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Lists the names the bus can start a service for
 * (`ListActivatableNames`).
 *
 * Returns: (transfer full) (array zero-terminated=1): the names, or %NULL
 *   with @error set
 *
 * Since: 1.0
 */
char **
zbus_bus_proxy_list_activatable_names (ZbusBusProxy  *self,
                                       GCancellable  *cancellable,
                                       GError       **error)
{
  g_return_val_if_fail (ZBUS_IS_BUS_PROXY (self), NULL);

  return take_strv (call_sync (self, "ListActivatableNames", NULL, "(as)", cancellable, error));
}

/**
 * zbus_bus_proxy_list_activatable_names_async:
 * @self: a bus proxy
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the answer
 * @user_data: (closure): data for @callback
 *
 * Lists the activatable names without blocking; see
 * [method@Zbus.BusProxy.list_activatable_names].
 *
 * Since: 1.0
 */
void
zbus_bus_proxy_list_activatable_names_async (ZbusBusProxy        *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data)
{
  g_return_if_fail (ZBUS_IS_BUS_PROXY (self));

  call_async (self, zbus_bus_proxy_list_activatable_names_async, "ListActivatableNames", NULL,
              "(as)", cancellable, callback, user_data);
}

/**
 * zbus_bus_proxy_list_activatable_names_finish:
 * @self: a bus proxy
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Zbus.BusProxy.list_activatable_names_async].
 *
 * Returns: (transfer full) (array zero-terminated=1): the names, or %NULL
 *   with @error set
 *
 * Since: 1.0
 */
char **
zbus_bus_proxy_list_activatable_names_finish (ZbusBusProxy  *self,
                                              GAsyncResult  *result,
                                              GError       **error)
{
  g_return_val_if_fail (ZBUS_IS_BUS_PROXY (self), NULL);

  return take_strv (call_finish (self, result, zbus_bus_proxy_list_activatable_names_async, error));
}

/**
 * zbus_bus_proxy_get_name_owner:
 * @self: a bus proxy
 * @name: a bus name
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Asks the bus which unique name owns @name (`GetNameOwner`).
 *
 * Returns: (transfer full): the owner, or %NULL with @error set (the
 *   bus's `org.freedesktop.DBus.Error.NameHasNoOwner` when nobody owns
 *   @name)
 *
 * Since: 1.0
 */
char *
zbus_bus_proxy_get_name_owner (ZbusBusProxy  *self,
                               const char    *name,
                               GCancellable  *cancellable,
                               GError       **error)
{
  g_return_val_if_fail (ZBUS_IS_BUS_PROXY (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return take_string (call_sync (self, "GetNameOwner", g_variant_new ("(s)", name), "(s)",
                                 cancellable, error));
}

/**
 * zbus_bus_proxy_get_name_owner_async:
 * @self: a bus proxy
 * @name: a bus name
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the answer
 * @user_data: (closure): data for @callback
 *
 * Asks the bus which unique name owns @name without blocking; see
 * [method@Zbus.BusProxy.get_name_owner].
 *
 * Since: 1.0
 */
void
zbus_bus_proxy_get_name_owner_async (ZbusBusProxy        *self,
                                     const char          *name,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (ZBUS_IS_BUS_PROXY (self));
  g_return_if_fail (name != NULL);

  call_async (self, zbus_bus_proxy_get_name_owner_async, "GetNameOwner",
              g_variant_new ("(s)", name), "(s)", cancellable, callback, user_data);
}

/**
 * zbus_bus_proxy_get_name_owner_finish:
 * @self: a bus proxy
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Zbus.BusProxy.get_name_owner_async].
 *
 * Returns: (transfer full): the owner, or %NULL with @error set
 *
 * Since: 1.0
 */
char *
zbus_bus_proxy_get_name_owner_finish (ZbusBusProxy  *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (ZBUS_IS_BUS_PROXY (self), NULL);

  return take_string (call_finish (self, result, zbus_bus_proxy_get_name_owner_async, error));
}

/**
 * zbus_bus_proxy_name_has_owner:
 * @self: a bus proxy
 * @name: a bus name
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Asks the bus whether somebody owns @name (`NameHasOwner`).
 *
 * Returns: %TRUE if somebody does; %FALSE if nobody does or on error
 *   (@error set)
 *
 * Since: 1.0
 */
gboolean
zbus_bus_proxy_name_has_owner (ZbusBusProxy  *self,
                               const char    *name,
                               GCancellable  *cancellable,
                               GError       **error)
{
  g_return_val_if_fail (ZBUS_IS_BUS_PROXY (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  return take_boolean (call_sync (self, "NameHasOwner", g_variant_new ("(s)", name), "(b)",
                                  cancellable, error));
}

/**
 * zbus_bus_proxy_name_has_owner_async:
 * @self: a bus proxy
 * @name: a bus name
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the answer
 * @user_data: (closure): data for @callback
 *
 * Asks the bus whether somebody owns @name without blocking; see
 * [method@Zbus.BusProxy.name_has_owner].
 *
 * Since: 1.0
 */
void
zbus_bus_proxy_name_has_owner_async (ZbusBusProxy        *self,
                                     const char          *name,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (ZBUS_IS_BUS_PROXY (self));
  g_return_if_fail (name != NULL);

  call_async (self, zbus_bus_proxy_name_has_owner_async, "NameHasOwner",
              g_variant_new ("(s)", name), "(b)", cancellable, callback, user_data);
}

/**
 * zbus_bus_proxy_name_has_owner_finish:
 * @self: a bus proxy
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Zbus.BusProxy.name_has_owner_async].
 *
 * Returns: %TRUE if somebody owns the name; %FALSE if nobody does or on
 *   error (@error set)
 *
 * Since: 1.0
 */
gboolean
zbus_bus_proxy_name_has_owner_finish (ZbusBusProxy  *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (ZBUS_IS_BUS_PROXY (self), FALSE);

  return take_boolean (call_finish (self, result, zbus_bus_proxy_name_has_owner_async, error));
}

/**
 * zbus_bus_proxy_get_connection_unix_user:
 * @self: a bus proxy
 * @name: the bus name of a connection, unique or well-known
 * @out_uid: (out) (optional): return location for the user id
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Asks the bus for the Unix user of the connection that owns @name
 * (`GetConnectionUnixUser`): who is calling, as the bus saw when it
 * connected.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
zbus_bus_proxy_get_connection_unix_user (ZbusBusProxy  *self,
                                         const char    *name,
                                         guint32       *out_uid,
                                         GCancellable  *cancellable,
                                         GError       **error)
{
  g_return_val_if_fail (ZBUS_IS_BUS_PROXY (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  return take_uint32 (call_sync (self, "GetConnectionUnixUser", g_variant_new ("(s)", name),
                                 "(u)", cancellable, error), out_uid);
}

/**
 * zbus_bus_proxy_get_connection_unix_user_async:
 * @self: a bus proxy
 * @name: the bus name of a connection, unique or well-known
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the answer
 * @user_data: (closure): data for @callback
 *
 * Asks the bus for the Unix user of a connection without blocking; see
 * [method@Zbus.BusProxy.get_connection_unix_user].
 *
 * Since: 1.0
 */
void
zbus_bus_proxy_get_connection_unix_user_async (ZbusBusProxy        *self,
                                               const char          *name,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data)
{
  g_return_if_fail (ZBUS_IS_BUS_PROXY (self));
  g_return_if_fail (name != NULL);

  call_async (self, zbus_bus_proxy_get_connection_unix_user_async, "GetConnectionUnixUser",
              g_variant_new ("(s)", name), "(u)", cancellable, callback, user_data);
}

/**
 * zbus_bus_proxy_get_connection_unix_user_finish:
 * @self: a bus proxy
 * @result: the result passed to the callback
 * @out_uid: (out) (optional): return location for the user id
 * @error: return location for a #GError
 *
 * Finishes [method@Zbus.BusProxy.get_connection_unix_user_async].
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
zbus_bus_proxy_get_connection_unix_user_finish (ZbusBusProxy  *self,
                                                GAsyncResult  *result,
                                                guint32       *out_uid,
                                                GError       **error)
{
  g_return_val_if_fail (ZBUS_IS_BUS_PROXY (self), FALSE);

  return take_uint32 (call_finish (self, result, zbus_bus_proxy_get_connection_unix_user_async,
                                   error), out_uid);
}

/**
 * zbus_bus_proxy_get_connection_unix_process_id:
 * @self: a bus proxy
 * @name: the bus name of a connection, unique or well-known
 * @out_pid: (out) (optional): return location for the process id
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Asks the bus for the process id of the connection that owns @name
 * (`GetConnectionUnixProcessID`). A process id can be reused once that
 * process exits: to decide who may do what, prefer the user id or
 * [method@Zbus.BusProxy.get_connection_credentials]'s `ProcessFD`.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
zbus_bus_proxy_get_connection_unix_process_id (ZbusBusProxy  *self,
                                               const char    *name,
                                               guint32       *out_pid,
                                               GCancellable  *cancellable,
                                               GError       **error)
{
  g_return_val_if_fail (ZBUS_IS_BUS_PROXY (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  return take_uint32 (call_sync (self, "GetConnectionUnixProcessID", g_variant_new ("(s)", name),
                                 "(u)", cancellable, error), out_pid);
}

/**
 * zbus_bus_proxy_get_connection_unix_process_id_async:
 * @self: a bus proxy
 * @name: the bus name of a connection, unique or well-known
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the answer
 * @user_data: (closure): data for @callback
 *
 * Asks the bus for the process id of a connection without blocking; see
 * [method@Zbus.BusProxy.get_connection_unix_process_id].
 *
 * Since: 1.0
 */
void
zbus_bus_proxy_get_connection_unix_process_id_async (ZbusBusProxy        *self,
                                                     const char          *name,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data)
{
  g_return_if_fail (ZBUS_IS_BUS_PROXY (self));
  g_return_if_fail (name != NULL);

  call_async (self, zbus_bus_proxy_get_connection_unix_process_id_async,
              "GetConnectionUnixProcessID", g_variant_new ("(s)", name), "(u)", cancellable,
              callback, user_data);
}

/**
 * zbus_bus_proxy_get_connection_unix_process_id_finish:
 * @self: a bus proxy
 * @result: the result passed to the callback
 * @out_pid: (out) (optional): return location for the process id
 * @error: return location for a #GError
 *
 * Finishes [method@Zbus.BusProxy.get_connection_unix_process_id_async].
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
zbus_bus_proxy_get_connection_unix_process_id_finish (ZbusBusProxy  *self,
                                                      GAsyncResult  *result,
                                                      guint32       *out_pid,
                                                      GError       **error)
{
  g_return_val_if_fail (ZBUS_IS_BUS_PROXY (self), FALSE);

  return take_uint32 (call_finish (self, result,
                                   zbus_bus_proxy_get_connection_unix_process_id_async, error),
                      out_pid);
}

/**
 * zbus_bus_proxy_get_connection_credentials:
 * @self: a bus proxy
 * @name: the bus name of a connection, unique or well-known
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Asks the bus for everything it knows of the connection that owns @name
 * (`GetConnectionCredentials`): an `a{sv}` with keys such as `UnixUserID`
 * (`u`), `UnixGroupIDs` (`au`), `ProcessID` (`u`), `ProcessFD` (`h`, not
 * passed on here) and `LinuxSecurityLabel` (`ay`), each present when the
 * bus knows it.
 *
 * Returns: (transfer full): the credentials, or %NULL with @error set
 *
 * Since: 1.0
 */
GVariant *
zbus_bus_proxy_get_connection_credentials (ZbusBusProxy  *self,
                                           const char    *name,
                                           GCancellable  *cancellable,
                                           GError       **error)
{
  g_return_val_if_fail (ZBUS_IS_BUS_PROXY (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return take_child (call_sync (self, "GetConnectionCredentials", g_variant_new ("(s)", name),
                                "(a{sv})", cancellable, error));
}

/**
 * zbus_bus_proxy_get_connection_credentials_async:
 * @self: a bus proxy
 * @name: the bus name of a connection, unique or well-known
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the answer
 * @user_data: (closure): data for @callback
 *
 * Asks the bus for the credentials of a connection without blocking; see
 * [method@Zbus.BusProxy.get_connection_credentials].
 *
 * Since: 1.0
 */
void
zbus_bus_proxy_get_connection_credentials_async (ZbusBusProxy        *self,
                                                 const char          *name,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data)
{
  g_return_if_fail (ZBUS_IS_BUS_PROXY (self));
  g_return_if_fail (name != NULL);

  call_async (self, zbus_bus_proxy_get_connection_credentials_async, "GetConnectionCredentials",
              g_variant_new ("(s)", name), "(a{sv})", cancellable, callback, user_data);
}

/**
 * zbus_bus_proxy_get_connection_credentials_finish:
 * @self: a bus proxy
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Zbus.BusProxy.get_connection_credentials_async].
 *
 * Returns: (transfer full): the credentials, an `a{sv}`, or %NULL with
 *   @error set
 *
 * Since: 1.0
 */
GVariant *
zbus_bus_proxy_get_connection_credentials_finish (ZbusBusProxy  *self,
                                                  GAsyncResult  *result,
                                                  GError       **error)
{
  g_return_val_if_fail (ZBUS_IS_BUS_PROXY (self), NULL);

  return take_child (call_finish (self, result, zbus_bus_proxy_get_connection_credentials_async,
                                  error));
}
