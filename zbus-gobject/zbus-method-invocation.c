/* zbus-method-invocation.c: one incoming call being answered
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "zbus-call-control-private.h"
#include "zbus-connection-private.h"
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
 * The invocation given to [signal@Zbus.ObjectServer::authorize-call] is a
 * different kind: it asks whether the call may be dispatched at all, and
 * is answered with [method@Zbus.MethodInvocation.authorize] or
 * [method@Zbus.MethodInvocation.deny].
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
  const char        *out_signature; /* (nullable): "(…)" the reply must have; static,
                                     * or a member's, which lives as long as its type */
  ZbusSignalEmitter *emitter;       /* (owned) (nullable): made on demand */
  GError            *error;         /* (owned) (nullable): scratch answers */
  gboolean           answered;
  gboolean           deferred;
  gboolean           scratch;       /* answers nobody: GetAll's per-property reads */
  int                auth_state;    /* ZbusAuthState, atomic: decided in any thread */
  ZbusOrderSlot     *order_slot;    /* (nullable): a strict-order hold, until answered */
  ZbusCallFrame      frame;         /* pushed by _zbus_method_invocation_push_current() */
};

G_DEFINE_FINAL_TYPE (ZbusMethodInvocation, zbus_method_invocation, G_TYPE_OBJECT)

static GPrivate current_stack = G_PRIVATE_INIT ((GDestroyNotify) g_ptr_array_unref);

static void send_reply (ZbusMethodInvocation *self,
                        ZbusMessage          *reply);

static void
zbus_method_invocation_dispose (GObject *object)
{
  ZbusMethodInvocation *self = ZBUS_METHOD_INVOCATION (object);

  /* An authorization nobody decided is a refusal. */
  if (!self->answered && g_atomic_int_get (&self->auth_state) == ZBUS_AUTH_UNDECIDED)
    zbus_method_invocation_deny (self, "The call was not authorized");
  else if (!self->answered && !self->scratch && self->call != NULL)
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
  /* Made while a strict-order call is dispatched: the next call to that
   * interface waits until this one is answered. */
  if (!scratch && server != NULL)
    self->order_slot = _zbus_call_control_hold_current (_zbus_object_server_get_control (server));
  return self;
}

ZbusMethodInvocation *
_zbus_method_invocation_new_authorization (ZbusObjectServer *server,
                                           ZbusConnection   *connection,
                                           ZbusInterface    *iface,
                                           ZbusMessage      *call)
{
  ZbusMethodInvocation *self = g_object_new (ZBUS_TYPE_METHOD_INVOCATION, NULL);

  self->server = g_object_ref (server);
  self->connection = g_object_ref (connection);
  self->iface = iface ? g_object_ref (iface) : NULL;
  self->call = zbus_message_ref (call);
  self->auth_state = ZBUS_AUTH_UNDECIDED;
  return self;
}

ZbusAuthState
_zbus_method_invocation_get_auth_state (ZbusMethodInvocation *self)
{
  return g_atomic_int_get (&self->auth_state);
}

void
_zbus_method_invocation_set_out_signature (ZbusMethodInvocation *self,
                                           const char           *signature)
{
  self->out_signature = signature;
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

/* The stack of current calls holds frames: a pushed invocation's is its
 * own, pointing back at it (and not owning it). */
void
_zbus_method_invocation_push_current (ZbusMethodInvocation *self)
{
  self->frame.invocation = self;
  _zbus_call_frame_push (&self->frame);
}

void
_zbus_method_invocation_pop_current (ZbusMethodInvocation *self)
{
  _zbus_call_frame_pop (&self->frame);
}

void
_zbus_call_frame_push (ZbusCallFrame *frame)
{
  g_ptr_array_add (get_stack (), frame);
}

void
_zbus_call_frame_pop (ZbusCallFrame *frame)
{
  GPtrArray *stack = get_stack ();

  g_return_if_fail (stack->len > 0 && g_ptr_array_index (stack, stack->len - 1) == frame);
  g_ptr_array_remove_index (stack, stack->len - 1);
}

/* Made on first use, while the call is being dispatched (so it takes the
 * strict-order hold of the call, as one made before the handler would). */
ZbusMethodInvocation *
_zbus_call_frame_get_invocation (ZbusCallFrame *frame)
{
  if (frame->invocation == NULL)
    {
      frame->invocation = _zbus_method_invocation_new (frame->server, frame->connection,
                                                       frame->iface, frame->call, frame->scratch);
      frame->invocation->out_signature = frame->out_signature;
    }
  return frame->invocation;
}

void
_zbus_call_frame_clear (ZbusCallFrame *frame)
{
  g_clear_object (&frame->invocation);
}

gboolean
_zbus_call_frame_is_settled (ZbusCallFrame *frame)
{
  return frame->invocation != NULL &&
         (frame->invocation->answered || frame->invocation->deferred);
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

  if (stack->len == 0)
    return NULL;
  return _zbus_call_frame_get_invocation (g_ptr_array_index (stack, stack->len - 1));
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
 *   standard interfaces (among them `GetManagedObjects` of an object
 *   manager, asked about in [signal@Zbus.ObjectServer::authorize-call])
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
decide (ZbusMethodInvocation *self,
        ZbusAuthState         state)
{
  g_atomic_int_set (&self->auth_state, state);
  _zbus_call_control_decided (_zbus_object_server_get_control (self->server), self,
                              state == ZBUS_AUTH_ALLOWED);
}

/* After the answer went out (any thread): a strict-order interface may take
 * its next call; an authorization answered by its handler is a refusal. */
static void
settle (ZbusMethodInvocation *self)
{
  ZbusOrderSlot *slot = g_steal_pointer (&self->order_slot);

  if (slot != NULL)
    _zbus_call_control_release (_zbus_object_server_get_control (self->server), slot);
  if (g_atomic_int_get (&self->auth_state) == ZBUS_AUTH_UNDECIDED)
    decide (self, ZBUS_AUTH_DENIED);
}

static void
send_answer (ZbusConnection *connection,
             ZbusInterface  *iface,
             ZbusMessage    *call,
             ZbusMessage    *reply)
{
  g_autoptr(GError) error = NULL;

  /* The changes a call caused reach the peer before its reply. */
  if (iface != NULL)
    zbus_interface_flush_changes (iface);
  if (!(zbus_message_get_flags (call) & ZBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED) &&
      !zbus_connection_send_message (connection, reply, NULL, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED))
    g_warning ("Could not send the reply to %s: %s", zbus_message_get_member (call),
               error->message);
}

static void
send_reply (ZbusMethodInvocation *self,
            ZbusMessage          *reply)
{
  send_answer (self->connection, self->iface, self->call, reply);
  settle (self);
}

/* A frame without an invocation answers directly: nothing can have
 * answered it before, nothing holds a strict-order slot for it, and the
 * object server made @body to its out signature. */
void
_zbus_call_frame_return_value (ZbusCallFrame *frame,
                               GVariant      *body,
                               GUnixFDList   *fd_list)
{
  g_autoptr(ZbusMessage) reply = NULL;

  if (frame->invocation != NULL)
    {
      zbus_method_invocation_return_value_with_unix_fd_list (frame->invocation, body, fd_list);
      return;
    }
  if (frame->scratch)
    {
      if (body != NULL)
        g_variant_unref (g_variant_ref_sink (body));
      return;
    }
  reply = zbus_message_new_method_reply (frame->call);
  zbus_message_set_body (reply, body ? body : g_variant_new ("()"), NULL);
  if (fd_list != NULL)
    zbus_message_set_unix_fd_list (reply, fd_list);
  send_answer (frame->connection, frame->iface, frame->call, reply);
}

void
_zbus_call_frame_return_gerror (ZbusCallFrame *frame,
                                const GError  *error)
{
  g_autoptr(ZbusMessage) reply = NULL;

  if (frame->invocation != NULL || frame->scratch)
    {
      zbus_method_invocation_return_gerror (_zbus_call_frame_get_invocation (frame), error);
      return;
    }
  reply = zbus_message_new_error_from_gerror (frame->call, error);
  send_answer (frame->connection, frame->iface, frame->call, reply);
}

void
_zbus_call_frame_return_dbus_error (ZbusCallFrame *frame,
                                    const char    *error_name,
                                    const char    *error_message)
{
  g_autoptr(ZbusMessage) reply = NULL;
  g_autoptr(GError) error = NULL;

  if (frame->invocation != NULL || frame->scratch)
    {
      zbus_method_invocation_return_dbus_error (_zbus_call_frame_get_invocation (frame),
                                                error_name, error_message);
      return;
    }
  reply = zbus_message_new_error (frame->call, error_name, error_message ? error_message : "",
                                  &error);
  if (reply == NULL)
    {
      g_critical ("Cannot answer with %s: %s", error_name, error->message);
      return;
    }
  send_answer (frame->connection, frame->iface, frame->call, reply);
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
      settle (self);
      return;
    }
  send_reply (self, reply);
}

/**
 * zbus_method_invocation_authorize:
 * @self: an invocation given to [signal@Zbus.ObjectServer::authorize-call]
 *
 * Lets the call go on to its handler. Callable during the signal or later,
 * from any thread; the calls that arrived meanwhile are dispatched after
 * this one, in their order. The call is then answered by its handler, not
 * through @self.
 *
 * Since: 1.0
 */
void
zbus_method_invocation_authorize (ZbusMethodInvocation *self)
{
  g_return_if_fail (ZBUS_IS_METHOD_INVOCATION (self));

  if (g_atomic_int_get (&self->auth_state) == ZBUS_AUTH_NONE)
    {
      g_critical ("%s: the invocation of %s is not an authorization", G_STRFUNC,
                  zbus_message_get_member (self->call));
      return;
    }
  if (!claim_answer (self))
    return;
  decide (self, ZBUS_AUTH_ALLOWED);
}

/**
 * zbus_method_invocation_deny:
 * @self: an invocation
 * @message: (nullable): why, for the caller; %NULL for a generic text
 *
 * Refuses the call with `org.freedesktop.DBus.Error.AccessDenied`. Given to
 * [signal@Zbus.ObjectServer::authorize-call], this is the refusal (callable
 * during the signal or later, from any thread); any other invocation is
 * simply answered with that error.
 *
 * Since: 1.0
 */
void
zbus_method_invocation_deny (ZbusMethodInvocation *self,
                             const char           *message)
{
  g_return_if_fail (ZBUS_IS_METHOD_INVOCATION (self));

  zbus_method_invocation_return_dbus_error (self, "org.freedesktop.DBus.Error.AccessDenied",
                                            message != NULL ? message : "Access denied");
}

static void
add_credential (GVariantBuilder *builder,
                const char      *key,
                GVariant        *value)
{
  g_variant_builder_add (builder, "{sv}", key, value);
}

/* A peer-to-peer connection has no bus to ask: its credentials are the
 * peer's, read from the socket when it was set up. */
static GVariant *
peer_credentials (ZbusMethodInvocation  *self,
                  GError               **error)
{
  GCredentials *credentials = zbus_connection_get_peer_credentials (self->connection);
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
#ifdef G_OS_UNIX
  uid_t uid;
  pid_t pid;
#endif

  if (credentials == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "The credentials of the peer are not known on this connection");
      return NULL;
    }
#ifdef G_OS_UNIX
  uid = g_credentials_get_unix_user (credentials, NULL);
  if (uid != (uid_t) -1)
    add_credential (&builder, "UnixUserID", g_variant_new_uint32 (uid));
  pid = g_credentials_get_unix_pid (credentials, NULL);
  if (pid != -1)
    add_credential (&builder, "ProcessID", g_variant_new_uint32 (pid));
#endif
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

static void
credentials_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GVariant) reply = NULL;
  GError *error = NULL;

  reply = zbus_connection_call_finish (ZBUS_CONNECTION (object), result, &error);
  if (reply == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_variant_get_child_value (reply, 0),
                           (GDestroyNotify) g_variant_unref);
}

/**
 * zbus_method_invocation_get_caller_credentials:
 * @self: an invocation
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the credentials are known
 * @user_data: (closure): data for @callback
 *
 * Asks the bus who the caller is (`org.freedesktop.DBus.GetConnectionCredentials`
 * on the sender's unique name), without blocking; on a peer-to-peer
 * connection the peer's socket credentials answer. @callback runs in the
 * thread-default main context of the calling thread. Finish with
 * [method@Zbus.MethodInvocation.get_caller_credentials_finish].
 *
 * Since: 1.0
 */
void
zbus_method_invocation_get_caller_credentials (ZbusMethodInvocation *self,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  const char *sender;
  GVariant *credentials;
  GError *error = NULL;

  g_return_if_fail (ZBUS_IS_METHOD_INVOCATION (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, zbus_method_invocation_get_caller_credentials);

  sender = zbus_message_get_sender (self->call);
  if (zbus_connection_is_bus (self->connection) && sender != NULL)
    {
      zbus_connection_call (self->connection, ZBUS_DBUS_NAME, ZBUS_DBUS_PATH, ZBUS_DBUS_INTERFACE,
                            "GetConnectionCredentials", g_variant_new ("(s)", sender),
                            G_VARIANT_TYPE ("(a{sv})"), ZBUS_MESSAGE_FLAGS_NONE,
                            ZBUS_TIMEOUT_DEFAULT, cancellable, credentials_cb,
                            g_steal_pointer (&task));
      return;
    }

  credentials = peer_credentials (self, &error);
  if (credentials == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, credentials, (GDestroyNotify) g_variant_unref);
}

/**
 * zbus_method_invocation_get_caller_credentials_finish:
 * @self: an invocation
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Zbus.MethodInvocation.get_caller_credentials].
 *
 * Returns: (transfer full): the credentials as an `a{sv}` dictionary with
 *   the keys of `GetConnectionCredentials`: `UnixUserID` (`u`),
 *   `ProcessID` (`u`), and whatever else the bus knows (`UnixGroupIDs`,
 *   `LinuxSecurityLabel`, …); %NULL on error
 *
 * Since: 1.0
 */
GVariant *
zbus_method_invocation_get_caller_credentials_finish (ZbusMethodInvocation  *self,
                                                      GAsyncResult          *result,
                                                      GError               **error)
{
  g_return_val_if_fail (ZBUS_IS_METHOD_INVOCATION (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        zbus_method_invocation_get_caller_credentials, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * zbus_method_invocation_get_caller_credentials_sync:
 * @self: an invocation
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Asks the bus who the caller is and blocks until it answers; see
 * [method@Zbus.MethodInvocation.get_caller_credentials]. On the
 * connection's own context the connection keeps reading meanwhile, and
 * other calls wait for their dispatch.
 *
 * Returns: (transfer full): the credentials, as for
 *   [method@Zbus.MethodInvocation.get_caller_credentials_finish]; %NULL on
 *   error
 *
 * Since: 1.0
 */
GVariant *
zbus_method_invocation_get_caller_credentials_sync (ZbusMethodInvocation  *self,
                                                    GCancellable          *cancellable,
                                                    GError               **error)
{
  g_autoptr(GVariant) reply = NULL;
  const char *sender;

  g_return_val_if_fail (ZBUS_IS_METHOD_INVOCATION (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  sender = zbus_message_get_sender (self->call);
  if (!zbus_connection_is_bus (self->connection) || sender == NULL)
    return peer_credentials (self, error);

  reply = zbus_connection_call_sync (self->connection, ZBUS_DBUS_NAME, ZBUS_DBUS_PATH,
                                     ZBUS_DBUS_INTERFACE, "GetConnectionCredentials",
                                     g_variant_new ("(s)", sender), G_VARIANT_TYPE ("(a{sv})"),
                                     ZBUS_MESSAGE_FLAGS_NONE, ZBUS_TIMEOUT_DEFAULT,
                                     cancellable, error);
  return reply ? g_variant_get_child_value (reply, 0) : NULL;
}
