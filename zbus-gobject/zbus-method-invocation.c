/* zbus-method-invocation.c: one incoming call being answered
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "zbus-interface-private.h"
#include "zbus-signal-emitter.h"

/**
 * ZbusMethodInvocation:
 *
 * One method call a [class@Zbus.ObjectServer] dispatches: its header,
 * sender, connection and object server, and the way to answer it.
 *
 * An async method (an action signal whose first parameter is a
 * `ZbusMethodInvocation`) keeps a reference and answers later with
 * [method@Zbus.MethodInvocation.return_value],
 * [method@Zbus.MethodInvocation.return_gerror] or
 * [method@Zbus.MethodInvocation.return_dbus_error]. Any other handler —
 * a sync method, a property getter or setter — reaches the call it serves
 * with [func@Zbus.MethodInvocation.get_current]: answering that with an
 * error fails the call (what the handler returns is then ignored), and
 * [method@Zbus.MethodInvocation.defer] lets it answer later. Each call is
 * answered exactly once; an invocation dropped unanswered answers with
 * `org.freedesktop.DBus.Error.NoReply`.
 *
 * Since: 1.0
 */

struct _ZbusMethodInvocation
{
  GObject            parent_instance;

  ZbusObjectServer  *server;        /* (owned) */
  ZbusConnection    *connection;    /* (owned) */
  ZbusInterface     *iface;         /* (owned) (nullable) */
  ZbusMessage       *call;          /* (owned) */
  char              *out_signature; /* (owned) (nullable): "(…)" the reply must have */
  ZbusSignalEmitter *emitter;       /* (owned) (nullable): made on demand */
  GError            *error;         /* (owned) (nullable): scratch answers */
  gboolean           answered;
  gboolean           deferred;
  gboolean           scratch;       /* answers nobody: GetAll's per-property reads */
};

G_DEFINE_FINAL_TYPE (ZbusMethodInvocation, zbus_method_invocation, G_TYPE_OBJECT)

static GPrivate current_stack = G_PRIVATE_INIT ((GDestroyNotify) g_ptr_array_unref);

static void send_reply (ZbusMethodInvocation *self,
                        ZbusMessage          *reply);

static void
zbus_method_invocation_dispose (GObject *object)
{
  ZbusMethodInvocation *self = ZBUS_METHOD_INVOCATION (object);

  if (!self->answered && !self->scratch && self->call != NULL)
    zbus_method_invocation_return_dbus_error (self, "org.freedesktop.DBus.Error.NoReply",
                                              "The method handler did not answer");
  g_clear_object (&self->emitter);

  G_OBJECT_CLASS (zbus_method_invocation_parent_class)->dispose (object);
}

static void
zbus_method_invocation_finalize (GObject *object)
{
  ZbusMethodInvocation *self = ZBUS_METHOD_INVOCATION (object);

  g_clear_object (&self->server);
  g_clear_object (&self->connection);
  g_clear_object (&self->iface);
  g_clear_pointer (&self->call, zbus_message_unref);
  g_clear_pointer (&self->out_signature, g_free);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (zbus_method_invocation_parent_class)->finalize (object);
}

static void
zbus_method_invocation_class_init (ZbusMethodInvocationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = zbus_method_invocation_dispose;
  object_class->finalize = zbus_method_invocation_finalize;
}

static void
zbus_method_invocation_init (ZbusMethodInvocation *self)
{
}

ZbusMethodInvocation *
_zbus_method_invocation_new (ZbusObjectServer *server,
                             ZbusConnection   *connection,
                             ZbusInterface    *iface,
                             ZbusMessage      *call,
                             gboolean          scratch)
{
  ZbusMethodInvocation *self = g_object_new (ZBUS_TYPE_METHOD_INVOCATION, NULL);

  self->server = server ? g_object_ref (server) : NULL;
  self->connection = g_object_ref (connection);
  self->iface = iface ? g_object_ref (iface) : NULL;
  self->call = zbus_message_ref (call);
  self->scratch = scratch;
  return self;
}

void
_zbus_method_invocation_set_out_signature (ZbusMethodInvocation *self,
                                           const char           *signature)
{
  g_free (self->out_signature);
  self->out_signature = g_strdup (signature);
}

const GError *
_zbus_method_invocation_peek_error (ZbusMethodInvocation *self)
{
  return self->error;
}

static GPtrArray *
get_stack (void)
{
  GPtrArray *stack = g_private_get (&current_stack);

  if (stack == NULL)
    {
      stack = g_ptr_array_new ();
      g_private_set (&current_stack, stack);
    }
  return stack;
}

void
_zbus_method_invocation_push_current (ZbusMethodInvocation *self)
{
  g_ptr_array_add (get_stack (), self);
}

void
_zbus_method_invocation_pop_current (ZbusMethodInvocation *self)
{
  GPtrArray *stack = get_stack ();

  g_return_if_fail (stack->len > 0 && g_ptr_array_index (stack, stack->len - 1) == self);
  g_ptr_array_remove_index (stack, stack->len - 1);
}

/**
 * zbus_method_invocation_get_current:
 *
 * Gets the call whose handler is running in this thread: a method handler
 * (sync or async, while it runs), or a property getter or setter run for
 * `org.freedesktop.DBus.Properties`. This is how handlers written in any
 * language fail a call or answer it later.
 *
 * Returns: (transfer none) (nullable): the invocation, or %NULL outside a
 *   handler
 *
 * Since: 1.0
 */
ZbusMethodInvocation *
zbus_method_invocation_get_current (void)
{
  GPtrArray *stack = get_stack ();

  return stack->len > 0 ? g_ptr_array_index (stack, stack->len - 1) : NULL;
}

/**
 * zbus_method_invocation_get_message:
 * @self: an invocation
 *
 * Gets the method call message, with its header fields.
 *
 * Returns: (transfer none): the call
 *
 * Since: 1.0
 */
ZbusMessage *
zbus_method_invocation_get_message (ZbusMethodInvocation *self)
{
  g_return_val_if_fail (ZBUS_IS_METHOD_INVOCATION (self), NULL);

  return self->call;
}

/**
 * zbus_method_invocation_get_connection:
 * @self: an invocation
 *
 * Gets the connection the call came on.
 *
 * Returns: (transfer none): the connection
 *
 * Since: 1.0
 */
ZbusConnection *
zbus_method_invocation_get_connection (ZbusMethodInvocation *self)
{
  g_return_val_if_fail (ZBUS_IS_METHOD_INVOCATION (self), NULL);

  return self->connection;
}

/**
 * zbus_method_invocation_get_object_server:
 * @self: an invocation
 *
 * Gets the object server that dispatched the call.
 *
 * Returns: (transfer none): the object server
 *
 * Since: 1.0
 */
ZbusObjectServer *
zbus_method_invocation_get_object_server (ZbusMethodInvocation *self)
{
  g_return_val_if_fail (ZBUS_IS_METHOD_INVOCATION (self), NULL);

  return self->server;
}

/**
 * zbus_method_invocation_get_interface:
 * @self: an invocation
 *
 * Gets the interface instance the call was dispatched to.
 *
 * Returns: (transfer none) (nullable): the interface, or %NULL for the
 *   standard interfaces
 *
 * Since: 1.0
 */
ZbusInterface *
zbus_method_invocation_get_interface (ZbusMethodInvocation *self)
{
  g_return_val_if_fail (ZBUS_IS_METHOD_INVOCATION (self), NULL);

  return self->iface;
}

/**
 * zbus_method_invocation_get_signal_emitter:
 * @self: an invocation
 *
 * Gets a signal emitter for the call's connection and object path.
 *
 * Returns: (transfer none): the emitter
 *
 * Since: 1.0
 */
ZbusSignalEmitter *
zbus_method_invocation_get_signal_emitter (ZbusMethodInvocation *self)
{
  g_return_val_if_fail (ZBUS_IS_METHOD_INVOCATION (self), NULL);

  if (self->emitter == NULL)
    self->emitter = zbus_signal_emitter_new (self->connection, zbus_message_get_path (self->call),
                                             NULL, NULL);
  return self->emitter;
}

/**
 * zbus_method_invocation_get_sender:
 * @self: an invocation
 *
 * Gets the unique name of the caller.
 *
 * Returns: (nullable): the sender, %NULL on a peer-to-peer connection
 *
 * Since: 1.0
 */
const char *
zbus_method_invocation_get_sender (ZbusMethodInvocation *self)
{
  g_return_val_if_fail (ZBUS_IS_METHOD_INVOCATION (self), NULL);

  return zbus_message_get_sender (self->call);
}

/**
 * zbus_method_invocation_get_path:
 * @self: an invocation
 *
 * Gets the object path the call was sent to.
 *
 * Returns: the path
 *
 * Since: 1.0
 */
const char *
zbus_method_invocation_get_path (ZbusMethodInvocation *self)
{
  g_return_val_if_fail (ZBUS_IS_METHOD_INVOCATION (self), NULL);

  return zbus_message_get_path (self->call);
}

/**
 * zbus_method_invocation_get_interface_name:
 * @self: an invocation
 *
 * Gets the interface field of the call.
 *
 * Returns: (nullable): the interface name, %NULL if the caller gave none
 *
 * Since: 1.0
 */
const char *
zbus_method_invocation_get_interface_name (ZbusMethodInvocation *self)
{
  g_return_val_if_fail (ZBUS_IS_METHOD_INVOCATION (self), NULL);

  return zbus_message_get_interface (self->call);
}

/**
 * zbus_method_invocation_get_member:
 * @self: an invocation
 *
 * Gets the method name of the call.
 *
 * Returns: the member
 *
 * Since: 1.0
 */
const char *
zbus_method_invocation_get_member (ZbusMethodInvocation *self)
{
  g_return_val_if_fail (ZBUS_IS_METHOD_INVOCATION (self), NULL);

  return zbus_message_get_member (self->call);
}

/**
 * zbus_method_invocation_get_parameters:
 * @self: an invocation
 *
 * Gets the arguments of the call as a tuple.
 *
 * Returns: (transfer none): the arguments
 *
 * Since: 1.0
 */
GVariant *
zbus_method_invocation_get_parameters (ZbusMethodInvocation *self)
{
  GVariant *body;

  g_return_val_if_fail (ZBUS_IS_METHOD_INVOCATION (self), NULL);

  body = zbus_message_get_body (self->call);
  if (body == NULL)
    {
      zbus_message_set_body (self->call, g_variant_new ("()"), NULL);
      body = zbus_message_get_body (self->call);
    }
  return body;
}

/**
 * zbus_method_invocation_is_answered:
 * @self: an invocation
 *
 * Tells whether the call has been answered.
 *
 * Returns: %TRUE once a reply or error was given
 *
 * Since: 1.0
 */
gboolean
zbus_method_invocation_is_answered (ZbusMethodInvocation *self)
{
  g_return_val_if_fail (ZBUS_IS_METHOD_INVOCATION (self), FALSE);

  return self->answered;
}

/**
 * zbus_method_invocation_defer:
 * @self: the current invocation
 *
 * Says that a sync method handler or a property getter or setter will
 * answer the call later: the object server then sends nothing when the
 * handler returns. A deferred property read answers with a `(v)` tuple;
 * `GetAll` leaves out properties whose read is deferred or fails.
 *
 * Returns: (transfer full): a reference to keep until answering
 *
 * Since: 1.0
 */
ZbusMethodInvocation *
zbus_method_invocation_defer (ZbusMethodInvocation *self)
{
  g_return_val_if_fail (ZBUS_IS_METHOD_INVOCATION (self), NULL);

  /* In GetAll a deferred property is left out; its late answer goes nowhere. */
  self->deferred = TRUE;
  return g_object_ref (self);
}

gboolean
_zbus_method_invocation_is_deferred (ZbusMethodInvocation *self)
{
  return self->deferred;
}

static gboolean
claim_answer (ZbusMethodInvocation *self)
{
  if (self->answered)
    {
      g_critical ("The call %s.%s on %s was already answered",
                  zbus_message_get_interface (self->call), zbus_message_get_member (self->call),
                  zbus_message_get_path (self->call));
      return FALSE;
    }
  self->answered = TRUE;
  return TRUE;
}

static void
send_reply (ZbusMethodInvocation *self,
            ZbusMessage          *reply)
{
  g_autoptr(GError) error = NULL;

  /* The changes a call caused reach the peer before its reply. */
  if (self->iface != NULL)
    zbus_interface_flush_changes (self->iface);
  if (zbus_message_get_flags (self->call) & ZBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED)
    return;
  if (!zbus_connection_send_message (self->connection, reply, NULL, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED))
    g_warning ("Could not send the reply to %s: %s", zbus_message_get_member (self->call),
               error->message);
}

/**
 * zbus_method_invocation_return_value:
 * @self: an invocation
 * @parameters: (nullable): the out-arguments as a tuple, or %NULL for none;
 *   floating references are consumed
 *
 * Answers the call. When the method has a declared out signature,
 * @parameters must match it, or the caller gets
 * `org.freedesktop.DBus.Error.Failed` and a critical is logged.
 *
 * Since: 1.0
 */
void
zbus_method_invocation_return_value (ZbusMethodInvocation *self,
                                     GVariant             *parameters)
{
  zbus_method_invocation_return_value_with_unix_fd_list (self, parameters, NULL);
}

/**
 * zbus_method_invocation_return_value_with_unix_fd_list:
 * @self: an invocation
 * @parameters: (nullable): the out-arguments as a tuple, or %NULL for none;
 *   floating references are consumed
 * @fd_list: (nullable): the file descriptors the `h` values of @parameters
 *   index, or %NULL for none
 *
 * Answers the call like [method@Zbus.MethodInvocation.return_value], with
 * file descriptors. The reply holds a reference to @fd_list, whose
 * descriptors stay open until the reply has been sent; the caller keeps
 * the ones it had before adding them to the list. Sending fails, and is
 * logged, on a connection that cannot pass descriptors
 * ([method@Zbus.Connection.get_unix_fd_passing]).
 *
 * Since: 1.0
 */
void
zbus_method_invocation_return_value_with_unix_fd_list (ZbusMethodInvocation *self,
                                                       GVariant             *parameters,
                                                       GUnixFDList          *fd_list)
{
  g_autoptr(GVariant) body = NULL;
  g_autoptr(ZbusMessage) reply = NULL;

  g_return_if_fail (ZBUS_IS_METHOD_INVOCATION (self));
  g_return_if_fail (fd_list == NULL || G_IS_UNIX_FD_LIST (fd_list));

  body = parameters ? g_variant_ref_sink (parameters) : g_variant_ref_sink (g_variant_new ("()"));
  if (!g_variant_is_of_type (body, G_VARIANT_TYPE_TUPLE) ||
      (self->out_signature != NULL && !g_str_equal (self->out_signature, g_variant_get_type_string (body))))
    {
      g_autofree char *text = g_strdup_printf ("The handler of %s answered with “%s” where “%s” is declared",
                                               zbus_message_get_member (self->call),
                                               g_variant_get_type_string (body),
                                               self->out_signature ? self->out_signature : "a tuple");

      g_critical ("%s", text);
      zbus_method_invocation_return_dbus_error (self, "org.freedesktop.DBus.Error.Failed", text);
      return;
    }
  if (!claim_answer (self) || self->scratch)
    return;
  reply = zbus_message_new_method_reply (self->call);
  zbus_message_set_body (reply, body, NULL);
  if (fd_list != NULL)
    zbus_message_set_unix_fd_list (reply, fd_list);
  send_reply (self, reply);
}

/**
 * zbus_method_invocation_return_gerror:
 * @self: an invocation
 * @error: the error to answer with
 *
 * Fails the call with @error: a %G_DBUS_ERROR code gets its standard name, a
 * domain registered with g_dbus_error_register_error_domain() its registered
 * name, any other domain a name of the form
 * `org.gtk.GDBus.UnmappedGError.Quark._<domain>.Code<code>`.
 *
 * Since: 1.0
 */
void
zbus_method_invocation_return_gerror (ZbusMethodInvocation *self,
                                      const GError         *error)
{
  g_autoptr(ZbusMessage) reply = NULL;

  g_return_if_fail (ZBUS_IS_METHOD_INVOCATION (self));
  g_return_if_fail (error != NULL);

  if (!claim_answer (self))
    return;
  if (self->scratch)
    {
      self->error = g_error_copy (error);
      return;
    }
  reply = zbus_message_new_error_from_gerror (self->call, error);
  send_reply (self, reply);
}

/**
 * zbus_method_invocation_return_dbus_error:
 * @self: an invocation
 * @error_name: a D-Bus error name, like `org.freedesktop.DBus.Error.Failed`
 * @error_message: (nullable): the message for humans
 *
 * Fails the call with the D-Bus error @error_name.
 *
 * Since: 1.0
 */
void
zbus_method_invocation_return_dbus_error (ZbusMethodInvocation *self,
                                          const char           *error_name,
                                          const char           *error_message)
{
  g_autoptr(ZbusMessage) reply = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (ZBUS_IS_METHOD_INVOCATION (self));
  g_return_if_fail (g_dbus_is_error_name (error_name));

  if (!claim_answer (self))
    return;
  if (self->scratch)
    {
      self->error = g_dbus_error_new_for_dbus_error (error_name, error_message ? error_message : "");
      return;
    }
  reply = zbus_message_new_error (self->call, error_name, error_message ? error_message : "", &error);
  if (reply == NULL)
    {
      g_critical ("Cannot answer with %s: %s", error_name, error->message);
      return;
    }
  send_reply (self, reply);
}
