/* zbus-connection-calls.c: method calls with GVariant bodies, and bus names
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "zbus-connection-private.h"
#include "zbus-enum-types.h"
#include "zbus-error.h"
#include "zbus-message-private.h"

/* The message-level API (send, send with reply) and everything that needs
 * the connection's insides is in zbus-connection.c; what is here is built
 * on the public API only. */

/* ------------------------------------------------------------------------ */
/* Method calls with GVariant parameters */

/* @names_checked: @destination, @path and @interface_ are known to be
 * valid (a proxy's): only @method is checked. */
static ZbusMessage *
make_call (gboolean           names_checked,
           const char        *destination,
           const char        *path,
           const char        *interface_,
           const char        *method,
           GVariant          *parameters,
           ZbusMessageFlags   flags,
           GError           **error)
{
  g_autoptr(ZbusMessage) message = NULL;
  g_autoptr(GVariant) owned = parameters != NULL ? g_variant_ref_sink (parameters) : NULL;

  if (names_checked)
    message = _zbus_message_new_method_call_trusted (destination, path, interface_, method, error);
  else
    message = zbus_message_new_method_call (destination, path, interface_, method, error);
  if (message == NULL)
    return NULL;

  if (owned != NULL && !zbus_message_set_body (message, owned, error))
    return NULL;

  zbus_message_set_flags (message, flags);
  return g_steal_pointer (&message);
}

/* Turns a reply into its body, checking its type: error replies become
 * errors. */
static GVariant *
reply_to_variant (ZbusMessage         *reply,
                  const GVariantType  *reply_type,
                  GError             **error)
{
  GVariant *body;

  if (zbus_message_to_gerror (reply, error))
    return NULL;

  body = zbus_message_get_body (reply);
  body = body != NULL ? g_variant_ref (body) : g_variant_ref_sink (g_variant_new_tuple (NULL, 0));

  if (reply_type != NULL && !g_variant_is_of_type (body, reply_type))
    {
      g_autofree char *expected = g_variant_type_dup_string (reply_type);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Method returned type “%s”, but expected “%s”",
                   g_variant_get_type_string (body), expected);
      g_variant_unref (body);
      return NULL;
    }

  return body;
}

/**
 * zbus_connection_call_sync:
 * @self: a connection
 * @destination: (nullable): the bus name to call, or %NULL on a
 *   peer-to-peer connection
 * @path: the object path
 * @interface_: (nullable): the interface, or %NULL
 * @method: the method name
 * @parameters: (nullable): a tuple of the arguments, or %NULL for none; a
 *   floating reference is sunk
 * @reply_type: (nullable): the type the reply must have, or %NULL for any
 * @flags: message flags; with %ZBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED the call
 *   returns an empty tuple as soon as it is sent
 * @timeout_msec: how long to wait in milliseconds, %ZBUS_TIMEOUT_DEFAULT or
 *   %ZBUS_TIMEOUT_INFINITE
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Calls a method and blocks until it returns. See
 * [method@Zbus.Connection.send_message_with_reply_sync] for how it waits.
 *
 * An error reply becomes @error: a registered D-Bus error name becomes its
 * domain and code, any other name is %G_IO_ERROR_DBUS_ERROR
 * (g_dbus_error_get_remote_error() gives the name).
 *
 * Returns: (transfer full): the reply's body (an empty tuple if it had
 *   none), or %NULL on error
 *
 * Since: 1.0
 */
GVariant *
zbus_connection_call_sync (ZbusConnection      *self,
                           const char          *destination,
                           const char          *path,
                           const char          *interface_,
                           const char          *method,
                           GVariant            *parameters,
                           const GVariantType  *reply_type,
                           ZbusMessageFlags     flags,
                           int                  timeout_msec,
                           GCancellable        *cancellable,
                           GError             **error)
{
  g_return_val_if_fail (ZBUS_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _zbus_connection_call_sync_full (self, FALSE, destination, path, interface_, method,
                                          parameters, reply_type, flags, timeout_msec,
                                          cancellable, error);
}

/* zbus_connection_call_sync() without its argument checks; see the
 * header for @names_checked. */
GVariant *
_zbus_connection_call_sync_full (ZbusConnection      *self,
                                 gboolean             names_checked,
                                 const char          *destination,
                                 const char          *path,
                                 const char          *interface_,
                                 const char          *method,
                                 GVariant            *parameters,
                                 const GVariantType  *reply_type,
                                 ZbusMessageFlags     flags,
                                 int                  timeout_msec,
                                 GCancellable        *cancellable,
                                 GError             **error)
{
  g_autoptr(ZbusMessage) message = NULL;
  g_autoptr(ZbusMessage) reply = NULL;

  message = make_call (names_checked, destination, path, interface_, method, parameters, flags,
                       error);
  if (message == NULL)
    return NULL;

  if (flags & ZBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED)
    {
      if (!zbus_connection_send_message (self, message, NULL, error))
        return NULL;
      return g_variant_ref_sink (g_variant_new_tuple (NULL, 0));
    }

  reply = zbus_connection_send_message_with_reply_sync (self, message, timeout_msec,
                                                        cancellable, error);
  if (reply == NULL)
    return NULL;

  return reply_to_variant (reply, reply_type, error);
}

static void
call_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(ZbusMessage) reply = NULL;
  GError *error = NULL;
  GVariant *body;

  reply = zbus_connection_send_message_with_reply_finish (ZBUS_CONNECTION (object), result,
                                                          &error);
  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  body = reply_to_variant (reply, g_task_get_task_data (task), &error);
  if (body == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, body, (GDestroyNotify) g_variant_unref);
}

/**
 * zbus_connection_call:
 * @self: a connection
 * @destination: (nullable): the bus name to call, or %NULL on a
 *   peer-to-peer connection
 * @path: the object path
 * @interface_: (nullable): the interface, or %NULL
 * @method: the method name
 * @parameters: (nullable): a tuple of the arguments, or %NULL for none; a
 *   floating reference is sunk
 * @reply_type: (nullable): the type the reply must have, or %NULL for any
 * @flags: message flags; with %ZBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED the call
 *   completes with an empty tuple as soon as it is sent
 * @timeout_msec: how long to wait in milliseconds, %ZBUS_TIMEOUT_DEFAULT or
 *   %ZBUS_TIMEOUT_INFINITE
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the call returned or failed
 * @user_data: (closure): data for @callback
 *
 * Calls a method without blocking; @callback runs in the thread-default
 * main context of the calling thread. Finish with
 * [method@Zbus.Connection.call_finish].
 *
 * Since: 1.0
 */
void
zbus_connection_call (ZbusConnection      *self,
                      const char          *destination,
                      const char          *path,
                      const char          *interface_,
                      const char          *method,
                      GVariant            *parameters,
                      const GVariantType  *reply_type,
                      ZbusMessageFlags     flags,
                      int                  timeout_msec,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_return_if_fail (ZBUS_IS_CONNECTION (self));
  g_return_if_fail (path != NULL);
  g_return_if_fail (method != NULL);

  _zbus_connection_call_full (self, FALSE, destination, path, interface_, method, parameters,
                              reply_type, flags, timeout_msec, cancellable, callback, user_data);
}

/* zbus_connection_call() without its argument checks. */
void
_zbus_connection_call_full (ZbusConnection      *self,
                            gboolean             names_checked,
                            const char          *destination,
                            const char          *path,
                            const char          *interface_,
                            const char          *method,
                            GVariant            *parameters,
                            const GVariantType  *reply_type,
                            ZbusMessageFlags     flags,
                            int                  timeout_msec,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(ZbusMessage) message = NULL;
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, zbus_connection_call);
  if (reply_type != NULL)
    g_task_set_task_data (task, g_variant_type_copy (reply_type),
                          (GDestroyNotify) g_variant_type_free);

  message = make_call (names_checked, destination, path, interface_, method, parameters, flags,
                       &error);
  if (message == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (flags & ZBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED)
    {
      if (!zbus_connection_send_message (self, message, NULL, &error))
        g_task_return_error (task, error);
      else
        g_task_return_pointer (task, g_variant_ref_sink (g_variant_new_tuple (NULL, 0)),
                               (GDestroyNotify) g_variant_unref);
      return;
    }

  zbus_connection_send_message_with_reply (self, message, timeout_msec, cancellable,
                                           call_cb, g_steal_pointer (&task));
}

/**
 * zbus_connection_call_finish:
 * @self: a connection
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Zbus.Connection.call].
 *
 * Returns: (transfer full): the reply's body (an empty tuple if it had
 *   none), or %NULL on error
 *
 * Since: 1.0
 */
GVariant *
zbus_connection_call_finish (ZbusConnection  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  g_return_val_if_fail (ZBUS_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * zbus_connection_emit_signal:
 * @self: a connection
 * @destination: (nullable): the bus name to send the signal to, or %NULL to
 *   broadcast it
 * @path: the object path the signal comes from
 * @interface_: the interface of the signal
 * @signal: the signal name
 * @parameters: (nullable): a tuple of the arguments, or %NULL for none; a
 *   floating reference is sunk
 * @error: return location for a #GError
 *
 * Emits a D-Bus signal. Any thread may call it; it does not block.
 *
 * Returns: %TRUE if sent or queued
 *
 * Since: 1.0
 */
gboolean
zbus_connection_emit_signal (ZbusConnection  *self,
                             const char      *destination,
                             const char      *path,
                             const char      *interface_,
                             const char      *signal,
                             GVariant        *parameters,
                             GError         **error)
{
  g_autoptr(ZbusMessage) message = NULL;
  g_autoptr(GVariant) owned = parameters != NULL ? g_variant_ref_sink (parameters) : NULL;

  g_return_val_if_fail (ZBUS_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  message = zbus_message_new_signal (path, interface_, signal, error);
  if (message == NULL)
    return FALSE;
  if (destination != NULL && !zbus_message_set_destination (message, destination, error))
    return FALSE;
  if (owned != NULL && !zbus_message_set_body (message, owned, error))
    return FALSE;

  return zbus_connection_send_message (self, message, NULL, error);
}

/* ------------------------------------------------------------------------ */
/* Names */

static gboolean
check_bus (ZbusConnection  *self,
           GError         **error)
{
  if (zbus_connection_is_bus (self))
    return TRUE;

  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       "Bus names exist only on message bus connections, "
                       "not on peer-to-peer ones");
  return FALSE;
}

static gboolean
check_requestable_name (const char  *name,
                        GError     **error)
{
  if (g_dbus_is_name (name) && !g_dbus_is_unique_name (name))
    return TRUE;

  g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME,
               "“%s” is not a well-known bus name that can be requested", name);
  return FALSE;
}

static guint32
name_reply_code (GVariant  *body,
                 guint32    max,
                 GError   **error)
{
  guint32 code;

  g_variant_get (body, "(u)", &code);
  if (code >= 1 && code <= max)
    return code;

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               "The bus answered with the unknown code %u", code);
  return 0;
}

/**
 * zbus_connection_request_name_sync:
 * @self: a bus connection
 * @name: the well-known name to own
 * @flags: the request's flags
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Asks the bus for @name and blocks until it answers.
 *
 * The answer is the real outcome: whether the connection now owns the
 * name, waits in its queue, was refused, or owned it already. The
 * connection always listens for the bus's `NameAcquired` and `NameLost`
 * signals (the bus sends them to the owner without a match rule), so
 * [signal@Zbus.Connection::name-acquired] and
 * [signal@Zbus.Connection::name-lost] report every later change.
 *
 * Returns: what the bus did, or %ZBUS_REQUEST_NAME_REPLY_INVALID (0) with
 *   @error set on failure
 *
 * Since: 1.0
 */
ZbusRequestNameReply
zbus_connection_request_name_sync (ZbusConnection        *self,
                                   const char            *name,
                                   ZbusRequestNameFlags   flags,
                                   GCancellable          *cancellable,
                                   GError               **error)
{
  g_autoptr(GVariant) body = NULL;

  g_return_val_if_fail (ZBUS_IS_CONNECTION (self), 0);
  g_return_val_if_fail (name != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (!check_bus (self, error) || !check_requestable_name (name, error))
    return 0;

  body = zbus_connection_call_sync (self, ZBUS_DBUS_NAME, ZBUS_DBUS_PATH, ZBUS_DBUS_INTERFACE, "RequestName",
                                    g_variant_new ("(su)", name, (guint32) flags),
                                    G_VARIANT_TYPE ("(u)"), ZBUS_MESSAGE_FLAGS_NONE,
                                    ZBUS_TIMEOUT_DEFAULT, cancellable, error);
  if (body == NULL)
    return 0;

  return name_reply_code (body, ZBUS_REQUEST_NAME_REPLY_ALREADY_OWNER, error);
}

static void
name_call_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GVariant) body = NULL;
  GError *error = NULL;
  guint32 code;

  body = zbus_connection_call_finish (ZBUS_CONNECTION (object), result, &error);
  if (body == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  code = name_reply_code (body, GPOINTER_TO_UINT (g_task_get_task_data (task)), &error);
  if (code == 0)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, code);
}

static void
name_call (ZbusConnection      *self,
           const char          *method,
           GVariant            *parameters,
           guint32              max_code,
           gpointer             source_tag,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  const char *name;
  GError *error = NULL;

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, GUINT_TO_POINTER (max_code), NULL);

  g_variant_get_child (parameters, 0, "&s", &name);
  if (!check_bus (self, &error) || !check_requestable_name (name, &error))
    {
      g_variant_unref (g_variant_ref_sink (parameters));
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  zbus_connection_call (self, ZBUS_DBUS_NAME, ZBUS_DBUS_PATH, ZBUS_DBUS_INTERFACE, method, parameters,
                        G_VARIANT_TYPE ("(u)"), ZBUS_MESSAGE_FLAGS_NONE, ZBUS_TIMEOUT_DEFAULT,
                        cancellable, name_call_cb, task);
}

/**
 * zbus_connection_request_name:
 * @self: a bus connection
 * @name: the well-known name to own
 * @flags: the request's flags
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the bus's answer
 * @user_data: (closure): data for @callback
 *
 * Asks the bus for @name without blocking; see
 * [method@Zbus.Connection.request_name_sync].
 *
 * Since: 1.0
 */
void
zbus_connection_request_name (ZbusConnection       *self,
                              const char           *name,
                              ZbusRequestNameFlags  flags,
                              GCancellable         *cancellable,
                              GAsyncReadyCallback   callback,
                              gpointer              user_data)
{
  g_return_if_fail (ZBUS_IS_CONNECTION (self));
  g_return_if_fail (name != NULL);

  name_call (self, "RequestName", g_variant_new ("(su)", name, (guint32) flags),
             ZBUS_REQUEST_NAME_REPLY_ALREADY_OWNER, zbus_connection_request_name,
             cancellable, callback, user_data);
}

/**
 * zbus_connection_request_name_finish:
 * @self: a bus connection
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Zbus.Connection.request_name].
 *
 * Returns: what the bus did, or %ZBUS_REQUEST_NAME_REPLY_INVALID (0) with
 *   @error set on failure
 *
 * Since: 1.0
 */
ZbusRequestNameReply
zbus_connection_request_name_finish (ZbusConnection  *self,
                                     GAsyncResult    *result,
                                     GError         **error)
{
  GError *local_error = NULL;
  gssize reply;

  g_return_val_if_fail (g_task_is_valid (result, self), ZBUS_REQUEST_NAME_REPLY_INVALID);

  reply = g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return ZBUS_REQUEST_NAME_REPLY_INVALID;
    }
  return reply;
}

/**
 * zbus_connection_release_name_sync:
 * @self: a bus connection
 * @name: a well-known name the connection owns or queues for
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Gives up @name, or leaves its queue, and blocks until the bus answers.
 *
 * Returns: what the bus did, or %ZBUS_RELEASE_NAME_REPLY_INVALID (0) with
 *   @error set on failure
 *
 * Since: 1.0
 */
ZbusReleaseNameReply
zbus_connection_release_name_sync (ZbusConnection  *self,
                                   const char      *name,
                                   GCancellable    *cancellable,
                                   GError         **error)
{
  g_autoptr(GVariant) body = NULL;

  g_return_val_if_fail (ZBUS_IS_CONNECTION (self), 0);
  g_return_val_if_fail (name != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (!check_bus (self, error) || !check_requestable_name (name, error))
    return 0;

  body = zbus_connection_call_sync (self, ZBUS_DBUS_NAME, ZBUS_DBUS_PATH, ZBUS_DBUS_INTERFACE, "ReleaseName",
                                    g_variant_new ("(s)", name), G_VARIANT_TYPE ("(u)"),
                                    ZBUS_MESSAGE_FLAGS_NONE, ZBUS_TIMEOUT_DEFAULT,
                                    cancellable, error);
  if (body == NULL)
    return 0;

  return name_reply_code (body, ZBUS_RELEASE_NAME_REPLY_NOT_OWNER, error);
}

/**
 * zbus_connection_release_name:
 * @self: a bus connection
 * @name: a well-known name the connection owns or queues for
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the bus's answer
 * @user_data: (closure): data for @callback
 *
 * Gives up @name without blocking; see
 * [method@Zbus.Connection.release_name_sync].
 *
 * Since: 1.0
 */
void
zbus_connection_release_name (ZbusConnection      *self,
                              const char          *name,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (ZBUS_IS_CONNECTION (self));
  g_return_if_fail (name != NULL);

  name_call (self, "ReleaseName", g_variant_new ("(s)", name),
             ZBUS_RELEASE_NAME_REPLY_NOT_OWNER, zbus_connection_release_name,
             cancellable, callback, user_data);
}

/**
 * zbus_connection_release_name_finish:
 * @self: a bus connection
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Zbus.Connection.release_name].
 *
 * Returns: what the bus did, or %ZBUS_RELEASE_NAME_REPLY_INVALID (0) with
 *   @error set on failure
 *
 * Since: 1.0
 */
ZbusReleaseNameReply
zbus_connection_release_name_finish (ZbusConnection  *self,
                                     GAsyncResult    *result,
                                     GError         **error)
{
  GError *local_error = NULL;
  gssize reply;

  g_return_val_if_fail (g_task_is_valid (result, self), ZBUS_RELEASE_NAME_REPLY_INVALID);

  reply = g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return ZBUS_RELEASE_NAME_REPLY_INVALID;
    }
  return reply;
}

