/* zbus-message.c
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <gio/gunixfdlist.h>

#include "zbus-enum-types.h"
#include "zbus-error.h"
#include "zbus-message-private.h"

/**
 * ZbusMessage:
 *
 * One D-Bus message: a method call, a method reply, an error or a signal.
 *
 * A `ZbusMessage` is a reference-counted boxed type, much cheaper than a
 * GObject or a [class@Gio.DBusMessage]. Its header fields are plain fields
 * read with accessors such as [method@Zbus.Message.get_member]; its body is a
 * [struct@GLib.Variant] tuple; unix file descriptors travel in a
 * [class@Gio.UnixFDList].
 *
 * Make messages with [ctor@Zbus.Message.new_method_call],
 * [ctor@Zbus.Message.new_signal], [method@Zbus.Message.new_method_reply] and
 * [method@Zbus.Message.new_error], each of which checks the names and paths it
 * is given against the D-Bus specification.
 *
 * [method@Zbus.Message.to_bytes] gives the wire form of a message and
 * [ctor@Zbus.Message.new_from_bytes] reads one back. Reading validates every
 * byte of the message by the rules of the specification, but builds the
 * body's `GVariant` only when [method@Zbus.Message.get_body] first asks for
 * it, so a message that is only routed or filtered costs no allocation for
 * its body.
 *
 * A message may be read from several threads at once. Changing it (the
 * `set_` functions) is for whoever built it, before it is sent or shared.
 *
 * Since: 1.0
 */

G_DEFINE_BOXED_TYPE (ZbusMessage, zbus_message, zbus_message_ref, zbus_message_unref)

static inline ZbusByteOrder
host_byte_order (void)
{
  return G_BYTE_ORDER == G_LITTLE_ENDIAN ? ZBUS_BYTE_ORDER_LITTLE_ENDIAN
                                         : ZBUS_BYTE_ORDER_BIG_ENDIAN;
}

ZbusMessage *
_zbus_message_new (ZbusMessageType type)
{
  ZbusMessage *self = g_new0 (ZbusMessage, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->type = type;
  self->byte_order = host_byte_order ();

  return self;
}

static void
clear_string (ZbusMessage *self,
              ZbusStr      field)
{
  if (self->owned_strings & (1u << field))
    g_free ((char *) self->strings[field]);
  self->owned_strings &= ~(1u << field);
  self->strings[field] = NULL;
}

void
_zbus_message_set_string (ZbusMessage *self,
                          ZbusStr      field,
                          const char  *value)
{
  char *copy = g_strdup (value);

  clear_string (self, field);
  self->strings[field] = copy;
  if (copy != NULL)
    self->owned_strings |= 1u << field;
}

/* @value must live as long as self->blob: it points into the wire bytes. */
void
_zbus_message_set_string_borrowed (ZbusMessage *self,
                                   ZbusStr      field,
                                   const char  *value)
{
  clear_string (self, field);
  self->strings[field] = value;
}

static gboolean
check_name (const char  *what,
            const char  *value,
            gboolean     valid,
            GError     **error)
{
  if (valid)
    return TRUE;

  g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME,
               "“%s” is not a valid D-Bus %s", value, what);
  return FALSE;
}

static gboolean
check_bus_name (const char  *name,
                GError     **error)
{
  return check_name ("bus name", name, g_dbus_is_name (name), error);
}

static gboolean
check_path (const char  *path,
            GError     **error)
{
  return check_name ("object path", path, g_variant_is_object_path (path), error);
}

static gboolean
check_interface (const char  *interface_,
                 GError     **error)
{
  return check_name ("interface name", interface_,
                     g_dbus_is_interface_name (interface_), error);
}

static gboolean
check_member (const char  *member,
              GError     **error)
{
  return check_name ("member name", member, g_dbus_is_member_name (member), error);
}

static gboolean
check_error_name (const char  *error_name,
                  GError     **error)
{
  /* Error names follow the rules of interface names. */
  return check_name ("error name", error_name,
                     g_dbus_is_interface_name (error_name), error);
}

/**
 * zbus_message_new_method_call:
 * @destination: (nullable): the bus name to send the call to, or %NULL for a
 *   peer-to-peer connection
 * @path: the object path to call
 * @interface_: (nullable): the interface of the method, or %NULL to let the
 *   receiver pick the only method of that name
 * @method: the method name
 * @error: return location for a #GError
 *
 * Makes a method call with an empty body.
 *
 * Each name and the path are checked against the D-Bus specification; a bad
 * one is a %ZBUS_ERROR_INVALID_NAME error naming it.
 *
 * Returns: (transfer full): the new message, or %NULL on error
 *
 * Since: 1.0
 */
ZbusMessage *
zbus_message_new_method_call (const char  *destination,
                              const char  *path,
                              const char  *interface_,
                              const char  *method,
                              GError     **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if ((destination != NULL && !check_bus_name (destination, error)) ||
      !check_path (path, error) ||
      (interface_ != NULL && !check_interface (interface_, error)))
    return NULL;

  return _zbus_message_new_method_call_trusted (destination, path, interface_, method, error);
}

/* zbus_message_new_method_call() for a caller that checked @destination,
 * @path and @interface_ already (a proxy, once, when it was made): only
 * @method is checked. */
ZbusMessage *
_zbus_message_new_method_call_trusted (const char  *destination,
                                       const char  *path,
                                       const char  *interface_,
                                       const char  *method,
                                       GError     **error)
{
  ZbusMessage *self;

  if (!check_member (method, error))
    return NULL;

  self = _zbus_message_new (ZBUS_MESSAGE_TYPE_METHOD_CALL);
  _zbus_message_set_string (self, ZBUS_STR_DESTINATION, destination);
  _zbus_message_set_string (self, ZBUS_STR_PATH, path);
  _zbus_message_set_string (self, ZBUS_STR_INTERFACE, interface_);
  _zbus_message_set_string (self, ZBUS_STR_MEMBER, method);

  return self;
}

/**
 * zbus_message_new_signal:
 * @path: the object path the signal comes from
 * @interface_: the interface of the signal
 * @signal: the signal name
 * @error: return location for a #GError
 *
 * Makes a signal emission with an empty body, broadcast unless a
 * destination is set with [method@Zbus.Message.set_destination].
 *
 * Returns: (transfer full): the new message, or %NULL if a name or the path
 *   is not valid
 *
 * Since: 1.0
 */
ZbusMessage *
zbus_message_new_signal (const char  *path,
                         const char  *interface_,
                         const char  *signal,
                         GError     **error)
{
  ZbusMessage *self;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (interface_ != NULL, NULL);
  g_return_val_if_fail (signal != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_path (path, error) ||
      !check_interface (interface_, error) ||
      !check_member (signal, error))
    return NULL;

  self = _zbus_message_new (ZBUS_MESSAGE_TYPE_SIGNAL);
  /* Unlike methods, a signal needs no reply. */
  self->flags = ZBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED;
  _zbus_message_set_string (self, ZBUS_STR_PATH, path);
  _zbus_message_set_string (self, ZBUS_STR_INTERFACE, interface_);
  _zbus_message_set_string (self, ZBUS_STR_MEMBER, signal);

  return self;
}

static ZbusMessage *
new_reply_to (ZbusMessage     *call,
              ZbusMessageType  type)
{
  ZbusMessage *self = _zbus_message_new (type);

  self->flags = ZBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED;
  self->reply_serial = call->serial;
  self->byte_order = call->byte_order;
  _zbus_message_set_string (self, ZBUS_STR_DESTINATION, call->strings[ZBUS_STR_SENDER]);

  return self;
}

/**
 * zbus_message_new_method_reply:
 * @call: the method call to reply to
 *
 * Makes the successful reply to @call, with an empty body, addressed to the
 * sender of @call.
 *
 * Returns: (transfer full): the new message
 *
 * Since: 1.0
 */
ZbusMessage *
zbus_message_new_method_reply (ZbusMessage *call)
{
  g_return_val_if_fail (call != NULL, NULL);
  g_return_val_if_fail (call->type == ZBUS_MESSAGE_TYPE_METHOD_CALL, NULL);

  return new_reply_to (call, ZBUS_MESSAGE_TYPE_METHOD_RETURN);
}

/**
 * zbus_message_new_error:
 * @call: the method call to reply to
 * @error_name: the D-Bus error name, such as
 *   `org.freedesktop.DBus.Error.InvalidArgs`
 * @error_message: (nullable): a message for people, or %NULL for none
 * @error: return location for a #GError
 *
 * Makes an error reply to @call. Its body is the message as a single string
 * (`(s)`), as the specification recommends; with no message the body is
 * empty.
 *
 * Returns: (transfer full): the new message, or %NULL if @error_name is not
 *   a valid error name
 *
 * Since: 1.0
 */
ZbusMessage *
zbus_message_new_error (ZbusMessage  *call,
                        const char   *error_name,
                        const char   *error_message,
                        GError      **error)
{
  ZbusMessage *self;

  g_return_val_if_fail (call != NULL, NULL);
  g_return_val_if_fail (call->type == ZBUS_MESSAGE_TYPE_METHOD_CALL, NULL);
  g_return_val_if_fail (error_name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_error_name (error_name, error))
    return NULL;

  if (error_message != NULL && !g_utf8_validate (error_message, -1, NULL))
    {
      g_set_error_literal (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_MESSAGE,
                           "The error message is not valid UTF-8");
      return NULL;
    }

  self = new_reply_to (call, ZBUS_MESSAGE_TYPE_ERROR);
  _zbus_message_set_string (self, ZBUS_STR_ERROR_NAME, error_name);
  if (error_message != NULL)
    {
      self->body = g_variant_ref_sink (g_variant_new ("(s)", error_message));
      _zbus_message_set_string (self, ZBUS_STR_SIGNATURE, "s");
    }

  return self;
}

/**
 * zbus_message_new_error_from_gerror:
 * @call: the method call to reply to
 * @error: the error to send
 *
 * Makes an error reply to @call from a #GError.
 *
 * The D-Bus error name comes from GIO's mapping
 * (g_dbus_error_encode_gerror()): errors of %G_DBUS_ERROR get their standard
 * `org.freedesktop.DBus.Error.*` names, errors of a domain registered with
 * g_dbus_error_register_error_domain() get their registered names, and
 * errors of any other domain get a name of the form
 * `org.gtk.GDBus.UnmappedGError.Quark._<domain>.Code<code>`, which GIO
 * turns back into the same domain and code on the receiving side. An error
 * that itself came from D-Bus keeps its original name, and its message loses
 * the `GDBus.Error:name: ` prefix GIO added.
 *
 * Returns: (transfer full): the new message
 *
 * Since: 1.0
 */
ZbusMessage *
zbus_message_new_error_from_gerror (ZbusMessage  *call,
                                    const GError *error)
{
  g_autofree char *name = NULL;
  g_autoptr(GError) copy = NULL;
  ZbusMessage *self;

  g_return_val_if_fail (call != NULL, NULL);
  g_return_val_if_fail (call->type == ZBUS_MESSAGE_TYPE_METHOD_CALL, NULL);
  g_return_val_if_fail (error != NULL, NULL);

  /* GIO encodes a remote error of an unregistered name as an unmapped
   * G_IO_ERROR: ask for the name it came with first. */
  name = g_dbus_error_get_remote_error (error);
  if (name == NULL)
    name = g_dbus_error_encode_gerror (error);
  copy = g_error_copy (error);
  g_dbus_error_strip_remote_error (copy);

  self = new_reply_to (call, ZBUS_MESSAGE_TYPE_ERROR);
  _zbus_message_set_string (self, ZBUS_STR_ERROR_NAME, name);
  self->body = g_variant_ref_sink (g_variant_new ("(s)",
                                                  g_utf8_validate (copy->message, -1, NULL)
                                                    ? copy->message
                                                    : "(error message not valid UTF-8)"));
  _zbus_message_set_string (self, ZBUS_STR_SIGNATURE, "s");

  return self;
}

/**
 * zbus_message_ref:
 * @self: a message
 *
 * Takes a reference to @self. Any thread may call it.
 *
 * Returns: (transfer full): @self
 *
 * Since: 1.0
 */
ZbusMessage *
zbus_message_ref (ZbusMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

static void
zbus_message_free (ZbusMessage *self)
{
  for (guint i = 0; i < ZBUS_N_STRS; i++)
    clear_string (self, i);
  g_clear_pointer (&self->body, g_variant_unref);
  g_clear_pointer (&self->blob, g_bytes_unref);
  g_clear_object (&self->fd_list);
  g_free (self);
}

/**
 * zbus_message_unref:
 * @self: (transfer full): a message
 *
 * Drops a reference to @self, freeing it with the last one. Any thread may
 * call it.
 *
 * Since: 1.0
 */
void
zbus_message_unref (ZbusMessage *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    zbus_message_free (self);
}

/**
 * zbus_message_get_message_type:
 * @self: a message
 *
 * Gets the kind of message @self is.
 *
 * Returns: the message type
 *
 * Since: 1.0
 */
ZbusMessageType
zbus_message_get_message_type (ZbusMessage *self)
{
  g_return_val_if_fail (self != NULL, ZBUS_MESSAGE_TYPE_INVALID);

  return self->type;
}

/**
 * zbus_message_get_flags:
 * @self: a message
 *
 * Gets the header flags of @self.
 *
 * Returns: the flags
 *
 * Since: 1.0
 */
ZbusMessageFlags
zbus_message_get_flags (ZbusMessage *self)
{
  g_return_val_if_fail (self != NULL, ZBUS_MESSAGE_FLAGS_NONE);

  return self->flags;
}

/**
 * zbus_message_set_flags:
 * @self: a message
 * @flags: the new flags
 *
 * Sets the header flags of @self.
 *
 * Since: 1.0
 */
void
zbus_message_set_flags (ZbusMessage      *self,
                        ZbusMessageFlags  flags)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail ((flags & ~(ZBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED |
                               ZBUS_MESSAGE_FLAGS_NO_AUTO_START |
                               ZBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION)) == 0);

  self->flags = flags;
}

/**
 * zbus_message_get_byte_order:
 * @self: a message
 *
 * Gets the byte order @self was received in, or will be written in. New
 * messages use the host's byte order; replies that of the call.
 *
 * Returns: the byte order
 *
 * Since: 1.0
 */
ZbusByteOrder
zbus_message_get_byte_order (ZbusMessage *self)
{
  g_return_val_if_fail (self != NULL, ZBUS_BYTE_ORDER_LITTLE_ENDIAN);

  return self->byte_order;
}

/**
 * zbus_message_set_byte_order:
 * @self: a message
 * @byte_order: the byte order to write @self in
 *
 * Sets the byte order [method@Zbus.Message.to_bytes] writes @self in.
 *
 * Since: 1.0
 */
void
zbus_message_set_byte_order (ZbusMessage   *self,
                             ZbusByteOrder  byte_order)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (byte_order == ZBUS_BYTE_ORDER_LITTLE_ENDIAN ||
                    byte_order == ZBUS_BYTE_ORDER_BIG_ENDIAN);

  self->byte_order = byte_order;
}

/**
 * zbus_message_get_serial:
 * @self: a message
 *
 * Gets the serial of @self: the number its sender gave it, unique among the
 * messages of one connection. A message that has not been sent yet has
 * serial 0 until one is set.
 *
 * Returns: the serial
 *
 * Since: 1.0
 */
guint32
zbus_message_get_serial (ZbusMessage *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->serial;
}

/**
 * zbus_message_set_serial:
 * @self: a message
 * @serial: the serial, not 0
 *
 * Sets the serial of @self. A connection sets it when it sends the message;
 * set it yourself only to encode a message with [method@Zbus.Message.to_bytes]
 * outside a connection.
 *
 * Since: 1.0
 */
void
zbus_message_set_serial (ZbusMessage *self,
                         guint32      serial)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (serial != 0);

  self->serial = serial;
}

/**
 * zbus_message_get_reply_serial:
 * @self: a message
 *
 * Gets the serial of the call that @self replies to.
 *
 * Returns: the serial of the call, or 0 if @self is not a reply
 *
 * Since: 1.0
 */
guint32
zbus_message_get_reply_serial (ZbusMessage *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->reply_serial;
}

/**
 * zbus_message_get_path:
 * @self: a message
 *
 * Gets the object path a call goes to or a signal comes from.
 *
 * Returns: (nullable): the object path, or %NULL if @self has none
 *
 * Since: 1.0
 */
const char *
zbus_message_get_path (ZbusMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->strings[ZBUS_STR_PATH];
}

/**
 * zbus_message_get_interface:
 * @self: a message
 *
 * Gets the interface of the method or signal.
 *
 * Returns: (nullable): the interface name, or %NULL if @self has none
 *
 * Since: 1.0
 */
const char *
zbus_message_get_interface (ZbusMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->strings[ZBUS_STR_INTERFACE];
}

/**
 * zbus_message_get_member:
 * @self: a message
 *
 * Gets the name of the method called or the signal emitted.
 *
 * Returns: (nullable): the member name, or %NULL if @self is a reply
 *
 * Since: 1.0
 */
const char *
zbus_message_get_member (ZbusMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->strings[ZBUS_STR_MEMBER];
}

/**
 * zbus_message_get_error_name:
 * @self: a message
 *
 * Gets the D-Bus error name of an error reply.
 *
 * Returns: (nullable): the error name, or %NULL if @self is not an error
 *
 * Since: 1.0
 */
const char *
zbus_message_get_error_name (ZbusMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->strings[ZBUS_STR_ERROR_NAME];
}

/**
 * zbus_message_get_destination:
 * @self: a message
 *
 * Gets the bus name @self is addressed to.
 *
 * Returns: (nullable): the destination, or %NULL for a broadcast signal or a
 *   peer-to-peer message
 *
 * Since: 1.0
 */
const char *
zbus_message_get_destination (ZbusMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->strings[ZBUS_STR_DESTINATION];
}

/**
 * zbus_message_set_destination:
 * @self: a message
 * @destination: (nullable): a bus name, or %NULL for none
 * @error: return location for a #GError
 *
 * Sets the bus name @self is addressed to.
 *
 * Returns: %TRUE if set, %FALSE if @destination is not a valid bus name
 *
 * Since: 1.0
 */
gboolean
zbus_message_set_destination (ZbusMessage  *self,
                              const char   *destination,
                              GError      **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (destination != NULL && !check_bus_name (destination, error))
    return FALSE;

  _zbus_message_set_string (self, ZBUS_STR_DESTINATION, destination);
  return TRUE;
}

/**
 * zbus_message_get_sender:
 * @self: a message
 *
 * Gets the unique name of the sender of @self, as the bus daemon wrote it.
 *
 * Returns: (nullable): the sender, or %NULL when not known (peer-to-peer,
 *   or a message not received from a bus)
 *
 * Since: 1.0
 */
const char *
zbus_message_get_sender (ZbusMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->strings[ZBUS_STR_SENDER];
}

/**
 * zbus_message_set_sender:
 * @self: a message
 * @sender: (nullable): a bus name, or %NULL for none
 * @error: return location for a #GError
 *
 * Sets the sender field of @self. The bus daemon overwrites it on messages
 * it routes; only a bus implementation or a test needs this.
 *
 * Returns: %TRUE if set, %FALSE if @sender is not a valid bus name
 *
 * Since: 1.0
 */
gboolean
zbus_message_set_sender (ZbusMessage  *self,
                         const char   *sender,
                         GError      **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (sender != NULL && !check_bus_name (sender, error))
    return FALSE;

  _zbus_message_set_string (self, ZBUS_STR_SENDER, sender);
  return TRUE;
}

/**
 * zbus_message_get_signature:
 * @self: a message
 *
 * Gets the D-Bus signature of the body of @self, without the parentheses
 * of its tuple type: `su` for a body of type `(su)`.
 *
 * Returns: the signature; an empty string for an empty body
 *
 * Since: 1.0
 */
const char *
zbus_message_get_signature (ZbusMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->strings[ZBUS_STR_SIGNATURE] != NULL ? self->strings[ZBUS_STR_SIGNATURE] : "";
}

/**
 * zbus_message_get_num_unix_fds:
 * @self: a message
 *
 * Gets how many unix file descriptors travel with @self.
 *
 * Returns: the number of fds
 *
 * Since: 1.0
 */
guint32
zbus_message_get_num_unix_fds (ZbusMessage *self)
{
  g_return_val_if_fail (self != NULL, 0);

  if (self->fd_list != NULL)
    return g_unix_fd_list_get_length (self->fd_list);
  return self->num_unix_fds;
}

/**
 * zbus_message_get_body:
 * @self: a message
 *
 * Gets the body of @self, a tuple whose type is `(` + the signature + `)`.
 *
 * For a message read by [ctor@Zbus.Message.new_from_bytes] the body is built
 * from the wire bytes on the first call, which any thread may make; the
 * bytes were checked when the message was read, so this cannot fail.
 *
 * Returns: (transfer none) (nullable): the body, or %NULL if it is empty
 *
 * Since: 1.0
 */
GVariant *
zbus_message_get_body (ZbusMessage *self)
{
  GVariant *body;

  g_return_val_if_fail (self != NULL, NULL);

  body = g_atomic_pointer_get (&self->body);
  if (body != NULL || self->blob == NULL || self->strings[ZBUS_STR_SIGNATURE] == NULL)
    return body;

  /* Two threads may both build the body; the one that loses the exchange
   * drops its copy, so the pointer handed out never changes. */
  body = _zbus_message_decode_body (self);
  if (!g_atomic_pointer_compare_and_exchange (&self->body, NULL, body))
    {
      g_variant_unref (body);
      body = g_atomic_pointer_get (&self->body);
    }

  return body;
}

/**
 * zbus_message_set_body:
 * @self: a message
 * @body: (nullable): a tuple, or %NULL for an empty body; a floating
 *   reference is sunk
 * @error: return location for a #GError
 *
 * Sets the body of @self and, from its type, the signature.
 *
 * The body must be a tuple whose type D-Bus can carry: no maybe types, no
 * empty structs inside it, a signature of at most 255 bytes and nesting
 * within the specification's limits. Otherwise this is a
 * %ZBUS_ERROR_INVALID_SIGNATURE error and @self keeps its old body (a
 * floating @body is still sunk and released).
 *
 * Returns: %TRUE if set
 *
 * Since: 1.0
 */
gboolean
zbus_message_set_body (ZbusMessage  *self,
                       GVariant     *body,
                       GError      **error)
{
  g_autoptr(GVariant) owned = NULL;
  const char *type_string;
  gsize len;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (body != NULL)
    {
      owned = g_variant_ref_sink (body);

      if (!g_variant_is_of_type (owned, G_VARIANT_TYPE_TUPLE))
        {
          g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_SIGNATURE,
                       "A message body must be a tuple, not of type “%s”",
                       g_variant_get_type_string (owned));
          return FALSE;
        }

      if (!_zbus_variant_type_check (g_variant_get_type (owned), TRUE, error))
        return FALSE;
    }

  /* A message read from bytes keeps its blob for its header strings; only
   * the body's place in it stops mattering. */
  g_clear_pointer (&self->body, g_variant_unref);
  self->body_offset = self->body_size = 0;

  if (owned == NULL || g_variant_n_children (owned) == 0)
    {
      _zbus_message_set_string (self, ZBUS_STR_SIGNATURE, NULL);
      return TRUE;
    }

  type_string = g_variant_get_type_string (owned);
  len = strlen (type_string);
  clear_string (self, ZBUS_STR_SIGNATURE);
  self->strings[ZBUS_STR_SIGNATURE] = g_strndup (type_string + 1, len - 2);
  self->owned_strings |= 1u << ZBUS_STR_SIGNATURE;
  self->body = g_steal_pointer (&owned);

  return TRUE;
}

/**
 * zbus_message_dup_error_message:
 * @self: an error message
 *
 * Gets the message for people that an error reply carries: the first
 * argument of its body when that is a string.
 *
 * Returns: (transfer full) (nullable): the error message, or %NULL if @self
 *   carries none
 *
 * Since: 1.0
 */
char *
zbus_message_dup_error_message (ZbusMessage *self)
{
  GVariant *body;

  g_return_val_if_fail (self != NULL, NULL);

  body = zbus_message_get_body (self);
  if (body == NULL || !g_str_has_prefix (zbus_message_get_signature (self), "s"))
    return NULL;

  {
    g_autoptr(GVariant) first = g_variant_get_child_value (body, 0);
    return g_variant_dup_string (first, NULL);
  }
}

/**
 * zbus_message_to_gerror:
 * @self: a message
 * @error: return location for the error @self carries
 *
 * If @self is an error reply, sets @error from it with
 * g_dbus_error_set_dbus_error(): a registered D-Bus error name becomes its
 * domain and code, any other becomes %G_IO_ERROR_DBUS_ERROR whose name
 * g_dbus_error_get_remote_error() returns.
 *
 * Returns: %TRUE if @self is an error reply and @error was set, %FALSE if
 *   @self is no error
 *
 * Since: 1.0
 */
gboolean
zbus_message_to_gerror (ZbusMessage  *self,
                        GError      **error)
{
  g_autofree char *message = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->type != ZBUS_MESSAGE_TYPE_ERROR)
    return FALSE;

  message = zbus_message_dup_error_message (self);
  g_dbus_error_set_dbus_error (error,
                               self->strings[ZBUS_STR_ERROR_NAME],
                               message != NULL ? message : "",
                               NULL);
  return TRUE;
}

/**
 * zbus_message_get_unix_fd_list:
 * @self: a message
 *
 * Gets the unix file descriptors that travel with @self; the body refers to
 * them by index with values of type `h`.
 *
 * Returns: (transfer none) (nullable): the fd list, or %NULL if none
 *
 * Since: 1.0
 */
GUnixFDList *
zbus_message_get_unix_fd_list (ZbusMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->fd_list;
}

/**
 * zbus_message_set_unix_fd_list:
 * @self: a message
 * @fd_list: (nullable): the fds to send with @self, or %NULL for none
 *
 * Sets the unix file descriptors that travel with @self.
 *
 * Since: 1.0
 */
void
zbus_message_set_unix_fd_list (ZbusMessage *self,
                               GUnixFDList *fd_list)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (fd_list == NULL || G_IS_UNIX_FD_LIST (fd_list));

  g_set_object (&self->fd_list, fd_list);
  self->num_unix_fds = fd_list != NULL ? g_unix_fd_list_get_length (fd_list) : 0;
}

/**
 * zbus_message_to_gdbus:
 * @self: a message
 * @error: return location for a #GError
 *
 * Makes a [class@Gio.DBusMessage] with the same header fields, body and fds
 * as @self, for code that hands messages to GDBus.
 *
 * Returns: (transfer full): the new GDBus message, or %NULL if GDBus refuses
 *   the body
 *
 * Since: 1.0
 */
GDBusMessage *
zbus_message_to_gdbus (ZbusMessage  *self,
                       GError      **error)
{
  g_autoptr(GDBusMessage) message = NULL;
  GVariant *body;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  message = g_dbus_message_new ();
  g_dbus_message_set_message_type (message, (GDBusMessageType) self->type);
  g_dbus_message_set_flags (message, (GDBusMessageFlags) self->flags);
  g_dbus_message_set_byte_order (message,
                                 self->byte_order == ZBUS_BYTE_ORDER_BIG_ENDIAN
                                   ? G_DBUS_MESSAGE_BYTE_ORDER_BIG_ENDIAN
                                   : G_DBUS_MESSAGE_BYTE_ORDER_LITTLE_ENDIAN);
  if (self->serial != 0)
    g_dbus_message_set_serial (message, self->serial);
  if (self->reply_serial != 0)
    g_dbus_message_set_reply_serial (message, self->reply_serial);

  if (self->strings[ZBUS_STR_PATH] != NULL)
    g_dbus_message_set_path (message, self->strings[ZBUS_STR_PATH]);
  if (self->strings[ZBUS_STR_INTERFACE] != NULL)
    g_dbus_message_set_interface (message, self->strings[ZBUS_STR_INTERFACE]);
  if (self->strings[ZBUS_STR_MEMBER] != NULL)
    g_dbus_message_set_member (message, self->strings[ZBUS_STR_MEMBER]);
  if (self->strings[ZBUS_STR_ERROR_NAME] != NULL)
    g_dbus_message_set_error_name (message, self->strings[ZBUS_STR_ERROR_NAME]);
  if (self->strings[ZBUS_STR_DESTINATION] != NULL)
    g_dbus_message_set_destination (message, self->strings[ZBUS_STR_DESTINATION]);
  if (self->strings[ZBUS_STR_SENDER] != NULL)
    g_dbus_message_set_sender (message, self->strings[ZBUS_STR_SENDER]);

  body = zbus_message_get_body (self);
  if (body != NULL)
    g_dbus_message_set_body (message, body);

  if (self->fd_list != NULL)
    g_dbus_message_set_unix_fd_list (message, self->fd_list);
  else if (self->num_unix_fds != 0)
    g_dbus_message_set_num_unix_fds (message, self->num_unix_fds);

  return g_steal_pointer (&message);
}

static gboolean
set_optional_string (ZbusMessage  *self,
                     ZbusStr       field,
                     const char   *value,
                     gboolean    (*is_valid) (const char *),
                     const char   *what,
                     GError      **error)
{
  if (value == NULL)
    return TRUE;
  if (!check_name (what, value, is_valid (value), error))
    return FALSE;

  _zbus_message_set_string (self, field, value);
  return TRUE;
}

/**
 * zbus_message_new_from_gdbus:
 * @message: a GDBus message
 * @error: return location for a #GError
 *
 * Makes a message with the same header fields, body and fds as @message.
 *
 * GDBus lets a program build messages the specification forbids (a body
 * with a maybe type, say); those are refused here with an error, as is a
 * message of an unknown type.
 *
 * Returns: (transfer full): the new message, or %NULL on error
 *
 * Since: 1.0
 */
ZbusMessage *
zbus_message_new_from_gdbus (GDBusMessage  *message,
                             GError       **error)
{
  g_autoptr(ZbusMessage) self = NULL;
  GDBusMessageType type;
  GUnixFDList *fd_list;
  GVariant *body;

  g_return_val_if_fail (G_IS_DBUS_MESSAGE (message), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  type = g_dbus_message_get_message_type (message);
  if (type < G_DBUS_MESSAGE_TYPE_METHOD_CALL || type > G_DBUS_MESSAGE_TYPE_SIGNAL)
    {
      g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_MESSAGE,
                   "GDBus message of unknown type %d", (int) type);
      return NULL;
    }

  self = _zbus_message_new ((ZbusMessageType) type);
  self->flags = g_dbus_message_get_flags (message) & 0x7;
  self->byte_order = g_dbus_message_get_byte_order (message) == G_DBUS_MESSAGE_BYTE_ORDER_BIG_ENDIAN
                       ? ZBUS_BYTE_ORDER_BIG_ENDIAN
                       : ZBUS_BYTE_ORDER_LITTLE_ENDIAN;
  self->serial = g_dbus_message_get_serial (message);
  self->reply_serial = g_dbus_message_get_reply_serial (message);

  if (!set_optional_string (self, ZBUS_STR_PATH, g_dbus_message_get_path (message),
                            g_variant_is_object_path, "object path", error) ||
      !set_optional_string (self, ZBUS_STR_INTERFACE, g_dbus_message_get_interface (message),
                            g_dbus_is_interface_name, "interface name", error) ||
      !set_optional_string (self, ZBUS_STR_MEMBER, g_dbus_message_get_member (message),
                            g_dbus_is_member_name, "member name", error) ||
      !set_optional_string (self, ZBUS_STR_ERROR_NAME, g_dbus_message_get_error_name (message),
                            g_dbus_is_interface_name, "error name", error) ||
      !set_optional_string (self, ZBUS_STR_DESTINATION, g_dbus_message_get_destination (message),
                            g_dbus_is_name, "bus name", error) ||
      !set_optional_string (self, ZBUS_STR_SENDER, g_dbus_message_get_sender (message),
                            g_dbus_is_name, "bus name", error))
    return NULL;

  body = g_dbus_message_get_body (message);
  if (body != NULL && !zbus_message_set_body (self, body, error))
    return NULL;

  fd_list = g_dbus_message_get_unix_fd_list (message);
  if (fd_list != NULL)
    zbus_message_set_unix_fd_list (self, fd_list);
  else
    self->num_unix_fds = g_dbus_message_get_num_unix_fds (message);

  return g_steal_pointer (&self);
}

/**
 * zbus_message_to_string:
 * @self: a message
 *
 * Describes @self for people: its type, header fields and body, one per
 * line. The format is for debugging output and may change.
 *
 * Returns: (transfer full): the description
 *
 * Since: 1.0
 */
char *
zbus_message_to_string (ZbusMessage *self)
{
  static const char * const field_names[ZBUS_N_STRS] = {
    [ZBUS_STR_PATH] = "path",
    [ZBUS_STR_INTERFACE] = "interface",
    [ZBUS_STR_MEMBER] = "member",
    [ZBUS_STR_ERROR_NAME] = "error-name",
    [ZBUS_STR_DESTINATION] = "destination",
    [ZBUS_STR_SENDER] = "sender",
    [ZBUS_STR_SIGNATURE] = "signature",
  };
  g_autoptr(GFlagsClass) flags_class = NULL;
  g_autoptr(GEnumClass) type_class = NULL;
  GEnumValue *type_value;
  GString *out;
  GVariant *body;

  g_return_val_if_fail (self != NULL, NULL);

  flags_class = g_type_class_ref (ZBUS_TYPE_MESSAGE_FLAGS);
  type_class = g_type_class_ref (ZBUS_TYPE_MESSAGE_TYPE);
  type_value = g_enum_get_value (type_class, self->type);
  out = g_string_new (NULL);
  g_string_append_printf (out, "%s serial=%u",
                          type_value != NULL ? type_value->value_nick : "invalid",
                          self->serial);
  if (self->reply_serial != 0)
    g_string_append_printf (out, " reply-serial=%u", self->reply_serial);
  g_string_append_printf (out, " byte-order=%c\n", self->byte_order);

  g_string_append (out, "  flags:");
  for (guint bit = 1; bit <= ZBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION; bit <<= 1)
    {
      GFlagsValue *value = g_flags_get_first_value (flags_class, bit);
      if ((self->flags & bit) && value != NULL)
        g_string_append_printf (out, " %s", value->value_nick);
    }
  g_string_append_c (out, '\n');

  for (guint i = 0; i < ZBUS_N_STRS; i++)
    if (self->strings[i] != NULL)
      g_string_append_printf (out, "  %s: %s\n", field_names[i], self->strings[i]);

  if (zbus_message_get_num_unix_fds (self) != 0)
    g_string_append_printf (out, "  unix-fds: %u\n", zbus_message_get_num_unix_fds (self));

  body = zbus_message_get_body (self);
  if (body != NULL)
    {
      g_autofree char *printed = g_variant_print (body, TRUE);
      g_string_append_printf (out, "  body: %s\n", printed);
    }

  return g_string_free (out, FALSE);
}
