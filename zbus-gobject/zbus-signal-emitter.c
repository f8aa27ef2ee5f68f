/* zbus-signal-emitter.c: emit signals for one path from anywhere
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "zbus-error.h"
#include "zbus-interface-private.h"
#include "zbus-signal-emitter.h"

/**
 * ZbusSignalEmitter:
 *
 * Emits signals and property changes for one object path on one
 * connection, broadcast or to one destination (unicast), from any thread.
 *
 * Served interfaces emit their own signals when their GObject signals are
 * emitted; an emitter is for signals sent from elsewhere or to a single
 * peer. [method@Zbus.MethodInvocation.get_signal_emitter] gives one for the
 * path of a call.
 *
 * Since: 1.0
 */

struct _ZbusSignalEmitter
{
  GObject         parent_instance;

  ZbusConnection *connection;   /* (owned) */
  char           *path;         /* (owned) */
  char           *destination;  /* (owned) (nullable) */
};

G_DEFINE_FINAL_TYPE (ZbusSignalEmitter, zbus_signal_emitter, G_TYPE_OBJECT)

static void
zbus_signal_emitter_finalize (GObject *object)
{
  ZbusSignalEmitter *self = ZBUS_SIGNAL_EMITTER (object);

  g_clear_object (&self->connection);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->destination, g_free);

  G_OBJECT_CLASS (zbus_signal_emitter_parent_class)->finalize (object);
}

static void
zbus_signal_emitter_class_init (ZbusSignalEmitterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = zbus_signal_emitter_finalize;
}

static void
zbus_signal_emitter_init (ZbusSignalEmitter *self)
{
}

/**
 * zbus_signal_emitter_new:
 * @connection: the connection to emit on
 * @path: the object path the signals come from
 * @destination: (nullable): the name to send every signal to, or %NULL to
 *   broadcast
 * @error: return location for a #GError
 *
 * Makes an emitter for @path on @connection.
 *
 * Returns: (transfer full) (nullable): the emitter, or %NULL if @path or
 *   @destination is not valid
 *
 * Since: 1.0
 */
ZbusSignalEmitter *
zbus_signal_emitter_new (ZbusConnection *connection,
                         const char     *path,
                         const char     *destination,
                         GError        **error)
{
  ZbusSignalEmitter *self;

  g_return_val_if_fail (ZBUS_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  if (!g_variant_is_object_path (path))
    {
      g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME, "“%s” is not an object path", path);
      return NULL;
    }
  if (destination != NULL && !g_dbus_is_name (destination))
    {
      g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME, "“%s” is not a bus name", destination);
      return NULL;
    }
  self = g_object_new (ZBUS_TYPE_SIGNAL_EMITTER, NULL);
  self->connection = g_object_ref (connection);
  self->path = g_strdup (path);
  self->destination = g_strdup (destination);
  return self;
}

/**
 * zbus_signal_emitter_get_connection:
 * @self: an emitter
 *
 * Gets the connection signals go out on.
 *
 * Returns: (transfer none): the connection
 *
 * Since: 1.0
 */
ZbusConnection *
zbus_signal_emitter_get_connection (ZbusSignalEmitter *self)
{
  g_return_val_if_fail (ZBUS_IS_SIGNAL_EMITTER (self), NULL);

  return self->connection;
}

/**
 * zbus_signal_emitter_get_path:
 * @self: an emitter
 *
 * Gets the object path signals come from.
 *
 * Returns: the path
 *
 * Since: 1.0
 */
const char *
zbus_signal_emitter_get_path (ZbusSignalEmitter *self)
{
  g_return_val_if_fail (ZBUS_IS_SIGNAL_EMITTER (self), NULL);

  return self->path;
}

/**
 * zbus_signal_emitter_get_destination:
 * @self: an emitter
 *
 * Gets the name signals are sent to.
 *
 * Returns: (nullable): the destination, %NULL when broadcasting
 *
 * Since: 1.0
 */
const char *
zbus_signal_emitter_get_destination (ZbusSignalEmitter *self)
{
  g_return_val_if_fail (ZBUS_IS_SIGNAL_EMITTER (self), NULL);

  return self->destination;
}

/* Sends the queued property changes of the interface named @interface_ at
 * the emitter's path, if it is served there, so they reach peers before
 * what the emitter sends next. An interface instance is only touched on
 * its connection's context: the flush happens when this thread owns it or
 * can take it (as g_main_context_invoke() decides), not while another
 * thread runs it; a signal sent from there may overtake the changes. */
static void
flush_served (ZbusSignalEmitter *self,
              const char        *interface_)
{
  GMainContext *context = zbus_connection_get_main_context (self->connection);
  ZbusObjectServer *server;
  g_autoptr(ZbusInterface) iface = NULL;

  if (!g_main_context_acquire (context))
    return;
  server = zbus_object_server_get_for_connection (self->connection);
  iface = zbus_object_server_lookup_by_name (server, self->path, interface_);
  if (iface != NULL)
    zbus_interface_flush_changes (iface);
  g_main_context_release (context);
}

/**
 * zbus_signal_emitter_emit:
 * @self: an emitter
 * @interface_: the interface of the signal
 * @signal: the name of the signal
 * @parameters: (nullable): the arguments as a tuple; floating references
 *   are consumed
 * @error: return location for a #GError
 *
 * Emits a signal. If an interface of that name is served at the path on
 * this connection, its queued property changes go out first. Safe from any
 * thread; the changes are flushed only where they may be touched: on the
 * thread running the connection's context, or any thread while no other
 * one runs it.
 *
 * Returns: %TRUE if the signal was queued
 *
 * Since: 1.0
 */
gboolean
zbus_signal_emitter_emit (ZbusSignalEmitter *self,
                          const char        *interface_,
                          const char        *signal,
                          GVariant          *parameters,
                          GError           **error)
{
  g_return_val_if_fail (ZBUS_IS_SIGNAL_EMITTER (self), FALSE);
  g_return_val_if_fail (interface_ != NULL, FALSE);
  g_return_val_if_fail (signal != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  flush_served (self, interface_);
  return zbus_connection_emit_signal (self->connection, self->destination, self->path,
                                      interface_, signal, parameters, error);
}

/**
 * zbus_signal_emitter_emit_properties_changed:
 * @self: an emitter
 * @interface_: the interface whose properties changed
 * @changed: (nullable): the new values, an `a{sv}`; floating references are
 *   consumed
 * @invalidated: (nullable) (array zero-terminated=1): names of properties
 *   that changed, without their values
 * @error: return location for a #GError
 *
 * Emits `org.freedesktop.DBus.Properties.PropertiesChanged` by hand. If
 * @interface_ is served at the path on this connection, its queued
 * property changes go out first, as for [method@Zbus.SignalEmitter.emit],
 * so a value sent here is not overwritten by an older one sent later.
 *
 * Returns: %TRUE if the signal was queued
 *
 * Since: 1.0
 */
gboolean
zbus_signal_emitter_emit_properties_changed (ZbusSignalEmitter  *self,
                                             const char         *interface_,
                                             GVariant           *changed,
                                             const char * const *invalidated,
                                             GError            **error)
{
  g_autoptr(GVariant) dict = NULL;
  const char * const empty[] = { NULL };

  g_return_val_if_fail (ZBUS_IS_SIGNAL_EMITTER (self), FALSE);
  g_return_val_if_fail (interface_ != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  dict = changed ? g_variant_ref_sink (changed) : g_variant_ref_sink (g_variant_new ("a{sv}", NULL));
  g_return_val_if_fail (g_variant_is_of_type (dict, G_VARIANT_TYPE_VARDICT), FALSE);

  flush_served (self, interface_);

  return zbus_connection_emit_signal (self->connection, self->destination, self->path,
                                      ZBUS_PROPERTIES_INTERFACE, "PropertiesChanged",
                                      g_variant_new ("(s@a{sv}^as)", interface_, dict,
                                                     invalidated ? invalidated : empty),
                                      error);
}
