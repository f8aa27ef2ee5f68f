/* zbus-proxy-standard.c: the standard interfaces every object has, through
 * any ZbusProxy: org.freedesktop.DBus.Peer and .Introspectable
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "zbus-proxy.h"
#include "zbus-proxy-private.h"
#include "zbus-proxy-type-private.h"

#define PEER_INTERFACE "org.freedesktop.DBus.Peer"
#define INTROSPECTABLE_INTERFACE "org.freedesktop.DBus.Introspectable"

/* Built on the public API only: a call of another interface to the
 * proxy's destination and path, with the proxy's timeout. */

static GVariant *
standard_call_sync (ZbusProxy     *self,
                    const char    *interface_,
                    const char    *method,
                    const char    *reply_type,
                    GCancellable  *cancellable,
                    GError       **error)
{
  return zbus_connection_call_sync (zbus_proxy_get_connection (self),
                                    zbus_proxy_get_destination (self),
                                    zbus_proxy_get_object_path (self), interface_, method, NULL,
                                    G_VARIANT_TYPE (reply_type), ZBUS_MESSAGE_FLAGS_NONE,
                                    zbus_proxy_get_default_timeout (self), cancellable, error);
}

static void
standard_call_async (ZbusProxy           *self,
                     gpointer             source_tag,
                     const char          *interface_,
                     const char          *method,
                     const char          *reply_type,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  _zbus_proxy_call_for_task (self, task, interface_, method, NULL, G_VARIANT_TYPE (reply_type),
                             ZBUS_MESSAGE_FLAGS_NONE, ZBUS_TIMEOUT_DEFAULT);
}

static GVariant *
standard_call_finish (ZbusProxy     *self,
                      GAsyncResult  *result,
                      gpointer       source_tag,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static char *
take_string (GVariant *reply)
{
  char *text = NULL;

  if (reply != NULL)
    {
      g_variant_get (reply, "(s)", &text);
      g_variant_unref (reply);
    }
  return text;
}

/* ------------------------------------------------------------------------ */
/* org.freedesktop.DBus.Peer */

/**
 * zbus_proxy_ping:
 * @self: a proxy
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Checks that the remote peer answers: calls `Ping` of
 * `org.freedesktop.DBus.Peer` at the proxy's destination and path and
 * waits for the reply. Any thread may call this.
 *
 * Returns: %TRUE if the peer answered, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
zbus_proxy_ping (ZbusProxy     *self,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(GVariant) reply = NULL;

  g_return_val_if_fail (ZBUS_IS_PROXY (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  reply = standard_call_sync (self, PEER_INTERFACE, "Ping", "()", cancellable, error);
  return reply != NULL;
}

/**
 * zbus_proxy_ping_async:
 * @self: a proxy
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the outcome
 * @user_data: (closure): data for @callback
 *
 * Checks that the remote peer answers without blocking; see
 * [method@Zbus.Proxy.ping].
 *
 * Since: 1.0
 */
void
zbus_proxy_ping_async (ZbusProxy           *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_return_if_fail (ZBUS_IS_PROXY (self));

  standard_call_async (self, zbus_proxy_ping_async, PEER_INTERFACE, "Ping", "()", cancellable,
                       callback, user_data);
}

/**
 * zbus_proxy_ping_finish:
 * @self: a proxy
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Zbus.Proxy.ping_async].
 *
 * Returns: %TRUE if the peer answered, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
zbus_proxy_ping_finish (ZbusProxy     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_autoptr(GVariant) reply = NULL;

  g_return_val_if_fail (ZBUS_IS_PROXY (self), FALSE);

  reply = standard_call_finish (self, result, zbus_proxy_ping_async, error);
  return reply != NULL;
}

/**
 * zbus_proxy_get_machine_id:
 * @self: a proxy
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Asks the remote peer for the id of the machine it runs on (`GetMachineId`
 * of `org.freedesktop.DBus.Peer`: the contents of `/etc/machine-id`). Any
 * thread may call this.
 *
 * Returns: (transfer full): the machine id, 32 hexadecimal digits, or
 *   %NULL with @error set
 *
 * Since: 1.0
 */
char *
zbus_proxy_get_machine_id (ZbusProxy     *self,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_return_val_if_fail (ZBUS_IS_PROXY (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return take_string (standard_call_sync (self, PEER_INTERFACE, "GetMachineId", "(s)",
                                          cancellable, error));
}

/**
 * zbus_proxy_get_machine_id_async:
 * @self: a proxy
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the answer
 * @user_data: (closure): data for @callback
 *
 * Asks the remote peer for its machine id without blocking; see
 * [method@Zbus.Proxy.get_machine_id].
 *
 * Since: 1.0
 */
void
zbus_proxy_get_machine_id_async (ZbusProxy           *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (ZBUS_IS_PROXY (self));

  standard_call_async (self, zbus_proxy_get_machine_id_async, PEER_INTERFACE, "GetMachineId",
                       "(s)", cancellable, callback, user_data);
}

/**
 * zbus_proxy_get_machine_id_finish:
 * @self: a proxy
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Zbus.Proxy.get_machine_id_async].
 *
 * Returns: (transfer full): the machine id, or %NULL with @error set
 *
 * Since: 1.0
 */
char *
zbus_proxy_get_machine_id_finish (ZbusProxy     *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (ZBUS_IS_PROXY (self), NULL);

  return take_string (standard_call_finish (self, result, zbus_proxy_get_machine_id_async, error));
}

/* ------------------------------------------------------------------------ */
/* org.freedesktop.DBus.Introspectable */

/**
 * zbus_proxy_introspect:
 * @self: a proxy
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Asks the remote object to describe itself (`Introspect` of
 * `org.freedesktop.DBus.Introspectable` at the proxy's path): its
 * interfaces, and the nodes below it. Any thread may call this.
 *
 * Returns: (transfer full): the introspection XML, or %NULL with @error
 *   set
 *
 * Since: 1.0
 */
char *
zbus_proxy_introspect (ZbusProxy     *self,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_return_val_if_fail (ZBUS_IS_PROXY (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return take_string (standard_call_sync (self, INTROSPECTABLE_INTERFACE, "Introspect", "(s)",
                                          cancellable, error));
}

/**
 * zbus_proxy_introspect_async:
 * @self: a proxy
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the answer
 * @user_data: (closure): data for @callback
 *
 * Asks the remote object to describe itself without blocking; see
 * [method@Zbus.Proxy.introspect]. g_dbus_node_info_new_for_xml() parses
 * the answer.
 *
 * Since: 1.0
 */
void
zbus_proxy_introspect_async (ZbusProxy           *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (ZBUS_IS_PROXY (self));

  standard_call_async (self, zbus_proxy_introspect_async, INTROSPECTABLE_INTERFACE, "Introspect",
                       "(s)", cancellable, callback, user_data);
}

/**
 * zbus_proxy_introspect_finish:
 * @self: a proxy
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Zbus.Proxy.introspect_async].
 *
 * Returns: (transfer full): the introspection XML, or %NULL with @error
 *   set
 *
 * Since: 1.0
 */
char *
zbus_proxy_introspect_finish (ZbusProxy     *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (ZBUS_IS_PROXY (self), NULL);

  return take_string (standard_call_finish (self, result, zbus_proxy_introspect_async, error));
}

/**
 * zbus_proxy_introspect_node_info:
 * @self: a proxy
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Asks the remote object to describe itself, as
 * [method@Zbus.Proxy.introspect] does, and parses the answer. Any thread
 * may call this.
 *
 * Returns: (transfer full): the description, or %NULL with @error set
 *   (the remote's error, or %G_MARKUP_ERROR when the XML is not valid)
 *
 * Since: 1.0
 */
GDBusNodeInfo *
zbus_proxy_introspect_node_info (ZbusProxy     *self,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  g_autofree char *xml = NULL;

  g_return_val_if_fail (ZBUS_IS_PROXY (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  xml = zbus_proxy_introspect (self, cancellable, error);
  /* Not g_dbus_node_info_new_for_xml(): some XML crashes it. */
  return xml != NULL ? _zbus_node_info_new_for_xml (xml, error) : NULL;
}
