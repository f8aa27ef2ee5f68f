/* zbus-connection-monitor.c: turning a bus connection into a monitor
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "zbus-connection-private.h"
#include "zbus-error.h"
#include "zbus-match-rule.h"
#include "zbus-message-stream.h"

#define MONITORING_INTERFACE "org.freedesktop.DBus.Monitoring"

/* The body of BecomeMonitor, after checking @rules locally: the bus's
 * error would not say which rule is wrong. */
static GVariant *
monitor_parameters (const char * const  *rules,
                    GError             **error)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_STRING_ARRAY);
  for (guint i = 0; rules != NULL && rules[i] != NULL; i++)
    {
      g_autoptr(ZbusMatchRule) rule = zbus_match_rule_new_from_string (rules[i], error);

      if (rule == NULL)
        {
          g_variant_builder_clear (&builder);
          return NULL;
        }
      g_variant_builder_add (&builder, "s", rules[i]);
    }

  return g_variant_new ("(asu)", &builder, 0);
}

static gboolean
check_bus (ZbusConnection  *self,
           GError         **error)
{
  if (zbus_connection_is_bus (self))
    return TRUE;

  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       "Only a connection to a message bus can become a monitor");
  return FALSE;
}

/* BecomeMonitor is over: the connection is a monitor now, or still is
 * not. @local_error (taken) says why there is no @reply. */
static ZbusMessageStream *
finish_becoming (ZbusConnection     *self,
                 ZbusMessageStream  *stream,
                 GVariant           *reply,
                 GError             *local_error,
                 GError            **error)
{
  if (reply == NULL)
    {
      /* The bus said no: nothing changed. Without its answer (cancelled,
       * timed out) it may have said yes, and it drops a monitor that
       * sends: the connection sends nothing more, as a monitor. */
      if (g_dbus_error_is_remote_error (local_error))
        _zbus_connection_set_monitor (self, ZBUS_MONITOR_NONE);
      else
        _zbus_connection_set_monitor (self, ZBUS_MONITOR_ACTIVE);
      zbus_message_stream_close (stream);
      g_propagate_prefixed_error (error, local_error, "Could not become a monitor: ");
      return NULL;
    }

  _zbus_connection_set_monitor (self, ZBUS_MONITOR_ACTIVE);
  return g_object_ref (stream);
}

/**
 * zbus_connection_become_monitor:
 * @self: a bus connection
 * @rules: (nullable) (array zero-terminated=1): match rules saying what
 *   to see, or %NULL (or an empty array) for every message
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Makes @self a monitor of the bus (`BecomeMonitor` of
 * `org.freedesktop.DBus.Monitoring`): it then receives copies of the
 * messages that other connections send and receive, those that match one
 * of @rules, as `dbus-monitor` shows them, and returns a stream of them.
 * The stream starts before the bus is asked, so nothing is missed; it may
 * also hold a few messages sent to @self just before, such as the bus's
 * `NameLost` for its own unique name (the bus takes a monitor's names).
 *
 * This is a one-way street. A monitor may not send anything: every call
 * or signal on @self fails from now on with %G_IO_ERROR_NOT_SUPPORTED (the
 * bus would disconnect it otherwise), its proxies and object server stop
 * working, and the calls it sees are never answered. Use a connection of
 * its own, made for this. When this fails without the bus's answer
 * (cancelled once the request is out, timed out), the bus may have made
 * @self a monitor all the same: @self is then treated as one and sends
 * nothing more. The bus decides who may monitor: a session bus
 * lets connections of the same user do it, a system bus only root.
 *
 * The stream keeps at most the connection's default number of messages
 * ([method@Zbus.ConnectionBuilder.set_max_queued]); on a busy bus, read it
 * quickly or count on [property@Zbus.MessageStream:dropped].
 *
 * Returns: (transfer full): the stream of monitored messages, or %NULL if
 *   a rule is not valid, @self is not a bus connection, or the bus refused
 *
 * Since: 1.0
 */
ZbusMessageStream *
zbus_connection_become_monitor (ZbusConnection      *self,
                                const char * const  *rules,
                                GCancellable        *cancellable,
                                GError             **error)
{
  g_autoptr(ZbusMessageStream) stream = NULL;
  g_autoptr(GVariant) reply = NULL;
  GError *local_error = NULL;
  GVariant *parameters;

  g_return_val_if_fail (ZBUS_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_bus (self, error))
    return NULL;
  parameters = monitor_parameters (rules, error);
  if (parameters == NULL)
    return NULL;

  stream = zbus_message_stream_new (self);
  _zbus_connection_set_monitor (self, ZBUS_MONITOR_BECOMING);
  reply = zbus_connection_call_sync (self, ZBUS_DBUS_NAME, ZBUS_DBUS_PATH, MONITORING_INTERFACE,
                                     "BecomeMonitor", parameters, G_VARIANT_TYPE_UNIT,
                                     ZBUS_MESSAGE_FLAGS_NONE, ZBUS_TIMEOUT_DEFAULT, cancellable,
                                     &local_error);
  return finish_becoming (self, stream, reply, local_error, error);
}

static void
become_monitor_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ZbusConnection *self = ZBUS_CONNECTION (object);
  g_autoptr(GVariant) reply = NULL;
  ZbusMessageStream *stream;
  GError *local_error = NULL;
  GError *error = NULL;

  reply = zbus_connection_call_finish (self, result, &local_error);
  stream = finish_becoming (self, g_task_get_task_data (task), reply, local_error, &error);
  if (stream == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, stream, g_object_unref);
}

/**
 * zbus_connection_become_monitor_async:
 * @self: a bus connection
 * @rules: (nullable) (array zero-terminated=1): match rules saying what
 *   to see, or %NULL (or an empty array) for every message
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the bus answered
 * @user_data: (closure): data for @callback
 *
 * Makes @self a monitor of the bus without blocking; see
 * [method@Zbus.Connection.become_monitor].
 *
 * Since: 1.0
 */
void
zbus_connection_become_monitor_async (ZbusConnection      *self,
                                      const char * const  *rules,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  GVariant *parameters;

  g_return_if_fail (ZBUS_IS_CONNECTION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, zbus_connection_become_monitor_async);

  if (!check_bus (self, &error) || (parameters = monitor_parameters (rules, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_set_task_data (task, zbus_message_stream_new (self), g_object_unref);
  _zbus_connection_set_monitor (self, ZBUS_MONITOR_BECOMING);
  zbus_connection_call (self, ZBUS_DBUS_NAME, ZBUS_DBUS_PATH, MONITORING_INTERFACE,
                        "BecomeMonitor", parameters, G_VARIANT_TYPE_UNIT,
                        ZBUS_MESSAGE_FLAGS_NONE, ZBUS_TIMEOUT_DEFAULT, cancellable,
                        become_monitor_cb, g_steal_pointer (&task));
}

/**
 * zbus_connection_become_monitor_finish:
 * @self: a bus connection
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Zbus.Connection.become_monitor_async].
 *
 * Returns: (transfer full): the stream of monitored messages, or %NULL
 *   with @error set
 *
 * Since: 1.0
 */
ZbusMessageStream *
zbus_connection_become_monitor_finish (ZbusConnection  *self,
                                       GAsyncResult    *result,
                                       GError         **error)
{
  g_return_val_if_fail (ZBUS_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
