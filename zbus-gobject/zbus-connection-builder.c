/* zbus-connection-builder.c
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "zbus-address-private.h"
#include "zbus-auth-private.h"
#include "zbus-connection-builder.h"
#include "zbus-connection-private.h"
#include "zbus-error.h"
#include "zbus-object-server.h"

/**
 * ZbusConnectionBuilder:
 *
 * Every way to make a [class@Zbus.Connection].
 *
 * A builder starts from where to connect — the session bus, the system
 * bus, an address, or a stream or socket that is already open — and takes
 * the rest as settings: peer-to-peer or bus, client or server (with its
 * GUID), the authentication mechanisms, the names to own once connected,
 * the default method-call timeout and stream queue bound, and which main
 * context runs the connection. Then [method@Zbus.ConnectionBuilder.build]
 * or [method@Zbus.ConnectionBuilder.build_async] connects, authenticates,
 * says `Hello` to a bus and requests the names.
 *
 * ```c
 * g_autoptr(ZbusConnectionBuilder) builder = zbus_connection_builder_new_session ();
 * g_autoptr(ZbusConnection) connection = NULL;
 *
 * zbus_connection_builder_add_name (builder, "org.example.App",
 *                                   ZBUS_REQUEST_NAME_FLAGS_DO_NOT_QUEUE);
 * connection = zbus_connection_builder_build (builder, NULL, &error);
 * ```
 *
 * Every failure — a bad address, no bus to connect to, authentication
 * refused, a name taken, a peer gone during the handshake — is a #GError
 * that says what went wrong; the handshake is bounded by the method
 * timeout, so nothing hangs.
 *
 * A builder can build several connections; its settings are read when
 * building starts.
 *
 * Since: 1.0
 */

typedef enum
{
  TARGET_SESSION,
  TARGET_SYSTEM,
  TARGET_ADDRESS,
  TARGET_STREAM,
  TARGET_SOCKET,
} Target;

typedef struct
{
  char *name;
  ZbusRequestNameFlags flags;
} NameRequest;

typedef struct
{
  char *path;
  ZbusInterface *iface;
} ServeAt;

/* The settings a build reads; copied when a build starts, so a build in a
 * thread does not share them with the builder. */
typedef struct
{
  Target target;
  char *address;              /* (owned) (nullable) */
  GIOStream *stream;          /* (owned) (nullable) */
  GSocket *socket;            /* (owned) (nullable) */
  gboolean p2p;
  char *server_guid;          /* (owned) (nullable) */
  gboolean allow_anonymous;
  ZbusAuthMechanisms mechanisms;
  GArray *names;              /* (element-type NameRequest) */
  GArray *objects;            /* (element-type ServeAt) */
  GPtrArray *managers;        /* (element-type utf8): object manager paths */
  int method_timeout;
  guint max_queued;
  GMainContext *context;      /* (owned) (nullable) */
  gboolean internal_thread;
} Settings;

struct _ZbusConnectionBuilder
{
  GObject parent_instance;

  Settings settings;
};

G_DEFINE_FINAL_TYPE (ZbusConnectionBuilder, zbus_connection_builder, G_TYPE_OBJECT)

#define DEFAULT_HANDSHAKE_TIMEOUT_MSEC 25000

static void
name_request_clear (NameRequest *request)
{
  g_free (request->name);
}

static void
serve_at_clear (ServeAt *serve)
{
  g_free (serve->path);
  g_clear_object (&serve->iface);
}

static GArray *
objects_new (void)
{
  GArray *objects = g_array_new (FALSE, FALSE, sizeof (ServeAt));

  g_array_set_clear_func (objects, (GDestroyNotify) serve_at_clear);
  return objects;
}

static void
settings_clear (Settings *settings)
{
  g_clear_pointer (&settings->objects, g_array_unref);
  g_clear_pointer (&settings->managers, g_ptr_array_unref);
  g_clear_pointer (&settings->address, g_free);
  g_clear_object (&settings->stream);
  g_clear_object (&settings->socket);
  g_clear_pointer (&settings->server_guid, g_free);
  g_clear_pointer (&settings->names, g_array_unref);
  g_clear_pointer (&settings->context, g_main_context_unref);
}

static void
settings_copy (Settings       *dest,
               const Settings *src)
{
  *dest = *src;
  dest->address = g_strdup (src->address);
  dest->stream = src->stream != NULL ? g_object_ref (src->stream) : NULL;
  dest->socket = src->socket != NULL ? g_object_ref (src->socket) : NULL;
  dest->server_guid = g_strdup (src->server_guid);
  dest->context = src->context != NULL ? g_main_context_ref (src->context) : NULL;
  dest->names = g_array_new (FALSE, FALSE, sizeof (NameRequest));
  g_array_set_clear_func (dest->names, (GDestroyNotify) name_request_clear);
  for (guint i = 0; i < src->names->len; i++)
    {
      NameRequest request = g_array_index (src->names, NameRequest, i);

      request.name = g_strdup (request.name);
      g_array_append_val (dest->names, request);
    }
  dest->objects = objects_new ();
  for (guint i = 0; i < src->objects->len; i++)
    {
      ServeAt serve = g_array_index (src->objects, ServeAt, i);

      serve.path = g_strdup (serve.path);
      serve.iface = g_object_ref (serve.iface);
      g_array_append_val (dest->objects, serve);
    }
  dest->managers = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < src->managers->len; i++)
    g_ptr_array_add (dest->managers, g_strdup (g_ptr_array_index (src->managers, i)));
}

static void
zbus_connection_builder_finalize (GObject *object)
{
  ZbusConnectionBuilder *self = ZBUS_CONNECTION_BUILDER (object);

  settings_clear (&self->settings);

  G_OBJECT_CLASS (zbus_connection_builder_parent_class)->finalize (object);
}

static void
zbus_connection_builder_class_init (ZbusConnectionBuilderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = zbus_connection_builder_finalize;
}

static void
zbus_connection_builder_init (ZbusConnectionBuilder *self)
{
  self->settings.names = g_array_new (FALSE, FALSE, sizeof (NameRequest));
  g_array_set_clear_func (self->settings.names, (GDestroyNotify) name_request_clear);
  self->settings.objects = objects_new ();
  self->settings.managers = g_ptr_array_new_with_free_func (g_free);
  self->settings.mechanisms = ZBUS_AUTH_MECHANISM_EXTERNAL | ZBUS_AUTH_MECHANISM_ANONYMOUS;
}

static ZbusConnectionBuilder *
builder_new (Target target)
{
  ZbusConnectionBuilder *self = g_object_new (ZBUS_TYPE_CONNECTION_BUILDER, NULL);

  self->settings.target = target;
  return self;
}

/**
 * zbus_connection_builder_new_session:
 *
 * Makes a builder for a connection to the session bus, whose address comes
 * from `DBUS_SESSION_BUS_ADDRESS`, or else is `$XDG_RUNTIME_DIR/bus`.
 *
 * Returns: (transfer full): the new builder
 *
 * Since: 1.0
 */
ZbusConnectionBuilder *
zbus_connection_builder_new_session (void)
{
  return builder_new (TARGET_SESSION);
}

/**
 * zbus_connection_builder_new_system:
 *
 * Makes a builder for a connection to the system bus, whose address comes
 * from `DBUS_SYSTEM_BUS_ADDRESS`, or else is
 * `unix:path=/var/run/dbus/system_bus_socket`.
 *
 * Returns: (transfer full): the new builder
 *
 * Since: 1.0
 */
ZbusConnectionBuilder *
zbus_connection_builder_new_system (void)
{
  return builder_new (TARGET_SYSTEM);
}

/**
 * zbus_connection_builder_new_for_address:
 * @address: a D-Bus address, or a list of them separated by `;` tried in
 *   order
 *
 * Makes a builder for a connection to @address: `unix:path=…`,
 * `unix:abstract=…` or `tcp:host=…,port=…`. The address is checked when the
 * connection is built; a bad one is an error that names the bad part.
 *
 * The connection is to a message bus unless
 * [method@Zbus.ConnectionBuilder.set_p2p] says otherwise.
 *
 * Returns: (transfer full): the new builder
 *
 * Since: 1.0
 */
ZbusConnectionBuilder *
zbus_connection_builder_new_for_address (const char *address)
{
  ZbusConnectionBuilder *self;

  g_return_val_if_fail (address != NULL, NULL);

  self = builder_new (TARGET_ADDRESS);
  self->settings.address = g_strdup (address);
  return self;
}

/**
 * zbus_connection_builder_new_for_stream:
 * @stream: an open stream; it must be a [class@Gio.SocketConnection]
 *
 * Makes a builder for a connection over @stream, such as a connection a
 * [class@Gio.SocketListener] accepted. The native transport reads and
 * writes the stream's socket itself, so the stream must be a
 * #GSocketConnection.
 *
 * The connection is to a message bus unless
 * [method@Zbus.ConnectionBuilder.set_p2p] or
 * [method@Zbus.ConnectionBuilder.set_server] says otherwise.
 *
 * Returns: (transfer full): the new builder
 *
 * Since: 1.0
 */
ZbusConnectionBuilder *
zbus_connection_builder_new_for_stream (GIOStream *stream)
{
  ZbusConnectionBuilder *self;

  g_return_val_if_fail (G_IS_IO_STREAM (stream), NULL);

  self = builder_new (TARGET_STREAM);
  self->settings.stream = g_object_ref (stream);
  return self;
}

/**
 * zbus_connection_builder_new_for_socket:
 * @socket: a connected stream socket, such as one end of a socket pair
 *
 * Makes a builder for a connection over @socket.
 *
 * The connection is to a message bus unless
 * [method@Zbus.ConnectionBuilder.set_p2p] or
 * [method@Zbus.ConnectionBuilder.set_server] says otherwise.
 *
 * Returns: (transfer full): the new builder
 *
 * Since: 1.0
 */
ZbusConnectionBuilder *
zbus_connection_builder_new_for_socket (GSocket *socket)
{
  ZbusConnectionBuilder *self;

  g_return_val_if_fail (G_IS_SOCKET (socket), NULL);

  self = builder_new (TARGET_SOCKET);
  self->settings.socket = g_object_ref (socket);
  return self;
}

/**
 * zbus_connection_builder_set_p2p:
 * @self: a builder
 * @p2p: %TRUE for a peer-to-peer connection
 *
 * Says whether the connection goes to a peer rather than a message bus: a
 * peer-to-peer client sends no `Hello` and has no unique name.
 *
 * Since: 1.0
 */
void
zbus_connection_builder_set_p2p (ZbusConnectionBuilder *self,
                                 gboolean               p2p)
{
  g_return_if_fail (ZBUS_IS_CONNECTION_BUILDER (self));

  self->settings.p2p = !!p2p;
}

/**
 * zbus_connection_builder_set_server:
 * @self: a builder
 * @guid: (nullable): the server's GUID (see zbus_generate_guid()), or %NULL
 *   to be a client again
 *
 * Makes the connection the server end of a peer-to-peer connection: it
 * waits for the peer's authentication and checks it (the peer's uid, by
 * `EXTERNAL`, must be ours; `ANONYMOUS` only with
 * [method@Zbus.ConnectionBuilder.set_allow_anonymous]). Implies
 * peer-to-peer.
 *
 * Since: 1.0
 */
void
zbus_connection_builder_set_server (ZbusConnectionBuilder *self,
                                    const char            *guid)
{
  g_return_if_fail (ZBUS_IS_CONNECTION_BUILDER (self));
  g_return_if_fail (guid == NULL || _zbus_is_guid (guid));

  g_free (self->settings.server_guid);
  self->settings.server_guid = g_strdup (guid);
}

/**
 * zbus_connection_builder_set_allow_anonymous:
 * @self: a builder
 * @allow: whether a server accepts peers that authenticate as nobody
 *
 * Lets the server end of a peer-to-peer connection accept the `ANONYMOUS`
 * mechanism. Off by default.
 *
 * Since: 1.0
 */
void
zbus_connection_builder_set_allow_anonymous (ZbusConnectionBuilder *self,
                                             gboolean               allow)
{
  g_return_if_fail (ZBUS_IS_CONNECTION_BUILDER (self));

  self->settings.allow_anonymous = !!allow;
}

/**
 * zbus_connection_builder_set_auth_mechanisms:
 * @self: a builder
 * @mechanisms: the mechanisms to try (a client) or accept (a server)
 *
 * Chooses the SASL mechanisms. A client tries `EXTERNAL` first and falls
 * back on `ANONYMOUS`, of those allowed; the default allows both. A server
 * accepts those allowed here, `ANONYMOUS` only if
 * [method@Zbus.ConnectionBuilder.set_allow_anonymous] was also called.
 *
 * Since: 1.0
 */
void
zbus_connection_builder_set_auth_mechanisms (ZbusConnectionBuilder *self,
                                             ZbusAuthMechanisms     mechanisms)
{
  g_return_if_fail (ZBUS_IS_CONNECTION_BUILDER (self));
  g_return_if_fail (mechanisms != ZBUS_AUTH_MECHANISM_NONE);

  self->settings.mechanisms = mechanisms;
}

/**
 * zbus_connection_builder_add_name:
 * @self: a builder
 * @name: a well-known bus name
 * @flags: how to ask for it
 *
 * Adds a name to own once the connection is up. Building fails if the bus
 * answers that the name exists and the connection did not queue for it
 * (%ZBUS_REQUEST_NAME_FLAGS_DO_NOT_QUEUE); a name the connection queues
 * for comes later with [signal@Zbus.Connection::name-acquired].
 *
 * Since: 1.0
 */
void
zbus_connection_builder_add_name (ZbusConnectionBuilder *self,
                                  const char            *name,
                                  ZbusRequestNameFlags   flags)
{
  NameRequest request;

  g_return_if_fail (ZBUS_IS_CONNECTION_BUILDER (self));
  g_return_if_fail (name != NULL && g_dbus_is_name (name) && !g_dbus_is_unique_name (name));

  request.name = g_strdup (name);
  request.flags = flags;
  g_array_append_val (self->settings.names, request);
}

/**
 * zbus_connection_builder_serve_at:
 * @self: a builder
 * @path: the object path to serve @iface at
 * @iface: the interface instance to serve
 *
 * Serves @iface at @path as soon as the connection is up, before the names
 * of [method@Zbus.ConnectionBuilder.add_name] are requested, so no caller
 * that finds the service by name can reach it before its objects are
 * there (zbus's `serve_at`). Building fails if the object server refuses
 * the interface (see [method@Zbus.ObjectServer.at]).
 *
 * Since: 1.0
 */
void
zbus_connection_builder_serve_at (ZbusConnectionBuilder *self,
                                  const char            *path,
                                  ZbusInterface         *iface)
{
  ServeAt serve;

  g_return_if_fail (ZBUS_IS_CONNECTION_BUILDER (self));
  g_return_if_fail (path != NULL && g_variant_is_object_path (path));
  g_return_if_fail (ZBUS_IS_INTERFACE (iface));

  serve.path = g_strdup (path);
  serve.iface = g_object_ref (iface);
  g_array_append_val (self->settings.objects, serve);
}

/**
 * zbus_connection_builder_add_object_manager:
 * @self: a builder
 * @path: the object path to serve `org.freedesktop.DBus.ObjectManager` at
 *
 * Serves `org.freedesktop.DBus.ObjectManager` at @path as soon as the
 * connection is up, before the objects of
 * [method@Zbus.ConnectionBuilder.serve_at] are served and before the names
 * of [method@Zbus.ConnectionBuilder.add_name] are requested: an object
 * manager client that finds the service by name gets every object below
 * @path with its first `GetManagedObjects`. See
 * [method@Zbus.ObjectServer.add_object_manager]. Giving one path twice
 * adds one manager.
 *
 * Since: 1.0
 */
void
zbus_connection_builder_add_object_manager (ZbusConnectionBuilder *self,
                                            const char            *path)
{
  g_return_if_fail (ZBUS_IS_CONNECTION_BUILDER (self));
  g_return_if_fail (path != NULL && g_variant_is_object_path (path));

  if (!g_ptr_array_find_with_equal_func (self->settings.managers, path, g_str_equal, NULL))
    g_ptr_array_add (self->settings.managers, g_strdup (path));
}

/**
 * zbus_connection_builder_set_method_timeout:
 * @self: a builder
 * @timeout_msec: the timeout in milliseconds, or -1 for the default of 25
 *   seconds
 *
 * Sets how long method calls wait for their reply when they do not say,
 * and how long the authentication handshake may take.
 *
 * Since: 1.0
 */
void
zbus_connection_builder_set_method_timeout (ZbusConnectionBuilder *self,
                                            int                    timeout_msec)
{
  g_return_if_fail (ZBUS_IS_CONNECTION_BUILDER (self));

  self->settings.method_timeout = timeout_msec > 0 ? timeout_msec : 0;
}

/**
 * zbus_connection_builder_set_max_queued:
 * @self: a builder
 * @max_queued: how many messages a message stream holds, or 0 for the
 *   default of 4096
 *
 * Sets the default bound of the message streams of the connection.
 *
 * Since: 1.0
 */
void
zbus_connection_builder_set_max_queued (ZbusConnectionBuilder *self,
                                        guint                  max_queued)
{
  g_return_if_fail (ZBUS_IS_CONNECTION_BUILDER (self));

  self->settings.max_queued = max_queued;
}

/**
 * zbus_connection_builder_set_main_context:
 * @self: a builder
 * @context: (nullable): the context to run the connection in, or %NULL for
 *   the thread-default context of the thread that builds it
 *
 * Chooses the main context that reads the connection's socket and
 * dispatches what arrives.
 *
 * Since: 1.0
 */
void
zbus_connection_builder_set_main_context (ZbusConnectionBuilder *self,
                                          GMainContext          *context)
{
  g_return_if_fail (ZBUS_IS_CONNECTION_BUILDER (self));

  g_clear_pointer (&self->settings.context, g_main_context_unref);
  if (context != NULL)
    self->settings.context = g_main_context_ref (context);
}

/**
 * zbus_connection_builder_set_internal_thread:
 * @self: a builder
 * @internal_thread: whether the connection runs on a thread of its own
 *
 * Makes the connection start a thread with a main context of its own to
 * run in (zbus's internal executor), so it dispatches even when the
 * program never runs a main loop. The thread ends when the connection is
 * finalized. Overrides [method@Zbus.ConnectionBuilder.set_main_context].
 *
 * Since: 1.0
 */
void
zbus_connection_builder_set_internal_thread (ZbusConnectionBuilder *self,
                                             gboolean               internal_thread)
{
  g_return_if_fail (ZBUS_IS_CONNECTION_BUILDER (self));

  self->settings.internal_thread = !!internal_thread;
}

/* ------------------------------------------------------------------------ */
/* Building */

static GSocket *
open_socket (Settings      *settings,
             char         **out_guid,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autofree char *address = NULL;

  switch (settings->target)
    {
    case TARGET_SOCKET:
      return g_object_ref (settings->socket);

    case TARGET_STREAM:
      if (!G_IS_SOCKET_CONNECTION (settings->stream))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       "A %s is not a socket connection: the native transport needs "
                       "the socket of the stream", G_OBJECT_TYPE_NAME (settings->stream));
          return NULL;
        }
      return g_object_ref (g_socket_connection_get_socket (G_SOCKET_CONNECTION (settings->stream)));

    case TARGET_SESSION:
      address = _zbus_address_get_session_bus (error);
      if (address == NULL)
        return NULL;
      break;

    case TARGET_SYSTEM:
      address = _zbus_address_get_system_bus ();
      break;

    case TARGET_ADDRESS:
    default:
      address = g_strdup (settings->address);
      break;
    }

  return _zbus_address_connect_sync (address, out_guid, cancellable, error);
}

/* Waits until @socket is readable (or writable), the deadline passes or
 * @cancellable fires. */
static gboolean
wait_socket (GSocket       *socket,
             GIOCondition   condition,
             gint64         deadline,
             GCancellable  *cancellable,
             GError       **error)
{
  gint64 now = g_get_monotonic_time ();
  gint64 timeout_ms = deadline > now ? (deadline - now) / 1000 + 1 : 0;

  if (timeout_ms == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           "Timed out during the authentication handshake");
      return FALSE;
    }

  if (!g_socket_condition_timed_wait (socket, condition, timeout_ms * 1000, cancellable, error))
    {
      if (error != NULL && g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        {
          g_clear_error (error);
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                               "Timed out during the authentication handshake");
        }
      return FALSE;
    }

  return TRUE;
}

static gboolean
send_all (GSocket       *socket,
          GByteArray    *out,
          gint64         deadline,
          GCancellable  *cancellable,
          GError       **error)
{
  gsize sent = 0;

  while (sent < out->len)
    {
      g_autoptr(GError) local_error = NULL;
      gssize n = g_socket_send_with_blocking (socket, (const char *) out->data + sent,
                                              out->len - sent, FALSE, cancellable, &local_error);

      if (n < 0)
        {
          if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            {
              g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                          "Authentication failed: ");
              return FALSE;
            }
          if (!wait_socket (socket, G_IO_OUT, deadline, cancellable, error))
            return FALSE;
          continue;
        }
      sent += n;
    }

  g_byte_array_set_size (out, 0);
  return TRUE;
}

/* Reads what the socket has, waiting for at least one byte. */
static gssize
receive_some (GSocket       *socket,
              guint8        *buffer,
              gsize          size,
              gint64         deadline,
              GCancellable  *cancellable,
              GError       **error)
{
  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      gssize n = g_socket_receive_with_blocking (socket, (char *) buffer, size, FALSE,
                                                 cancellable, &local_error);

      if (n == 0)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                               "The peer closed the connection during authentication");
          return -1;
        }
      if (n > 0)
        return n;
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      "Authentication failed: ");
          return -1;
        }
      if (!wait_socket (socket, G_IO_IN, deadline, cancellable, error))
        return -1;
    }
}

typedef struct
{
  char *guid;
  gboolean unix_fd_passing;
  GBytes *leftover;
} AuthResult;

static void
auth_result_clear (AuthResult *result)
{
  g_clear_pointer (&result->guid, g_free);
  g_clear_pointer (&result->leftover, g_bytes_unref);
}

/* Runs the SASL conversation over @socket (blocking, bounded by
 * @deadline), as client or server. Whatever the peer sent after the
 * handshake ended is the start of the message stream: it is kept in
 * @result->leftover. */
static gboolean
authenticate (GSocket       *socket,
              Settings      *settings,
              gint64         deadline,
              AuthResult    *result,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  guint8 buffer[4096];
  ZbusAuthStatus status;
  ZbusAuthClient *client = NULL;
  ZbusAuthServer *server = NULL;
  gboolean ok = FALSE;
  /* fds cross only unix sockets. */
  gboolean fds = g_socket_get_family (socket) == G_SOCKET_FAMILY_UNIX;

  if (settings->server_guid != NULL)
    {
      ZbusAuthMechanisms allowed = settings->mechanisms;
      g_autoptr(GCredentials) credentials = g_socket_get_credentials (socket, NULL);

      if (!settings->allow_anonymous)
        allowed &= ~ZBUS_AUTH_MECHANISM_ANONYMOUS;
      server = _zbus_auth_server_new (settings->server_guid, allowed, fds);
      if (credentials != NULL)
        _zbus_auth_server_set_peer_credentials (server, credentials);
      status = ZBUS_AUTH_STATUS_NEED_INPUT;
    }
  else
    {
      client = _zbus_auth_client_new (settings->mechanisms, fds);
      _zbus_auth_client_start (client, out);
      status = ZBUS_AUTH_STATUS_NEED_INPUT;
    }

  while (status == ZBUS_AUTH_STATUS_NEED_INPUT)
    {
      gsize consumed = 0;
      gsize offset = 0;
      gssize n;

      if (out->len > 0 && !send_all (socket, out, deadline, cancellable, error))
        goto out;

      n = receive_some (socket, buffer, sizeof buffer, deadline, cancellable, error);
      if (n < 0)
        goto out;

      /* One read may end the handshake and start the message stream. */
      while (status == ZBUS_AUTH_STATUS_NEED_INPUT && offset < (gsize) n)
        {
          if (server != NULL)
            status = _zbus_auth_server_feed (server, buffer + offset, n - offset, &consumed, out,
                                             error);
          else
            status = _zbus_auth_client_feed (client, buffer + offset, n - offset, &consumed, out,
                                             error);
          offset += consumed;
          if (consumed == 0)
            break;
        }

      if (status == ZBUS_AUTH_STATUS_DONE && offset < (gsize) n)
        result->leftover = g_bytes_new (buffer + offset, n - offset);
    }

  if (status != ZBUS_AUTH_STATUS_DONE)
    goto out;

  /* The client's BEGIN, or the server's last answer, may still be in @out. */
  if (out->len > 0 && !send_all (socket, out, deadline, cancellable, error))
    goto out;

  if (server != NULL)
    {
      result->guid = g_strdup (settings->server_guid);
      result->unix_fd_passing = _zbus_auth_server_get_unix_fd_agreed (server);
    }
  else
    {
      result->guid = g_strdup (_zbus_auth_client_get_guid (client));
      result->unix_fd_passing = _zbus_auth_client_get_unix_fd_agreed (client);
    }
  ok = TRUE;

out:
  g_clear_pointer (&client, _zbus_auth_client_free);
  g_clear_pointer (&server, _zbus_auth_server_free);
  return ok;
}

static gpointer
internal_thread_func (gpointer data)
{
  GMainLoop *loop = data;

  g_main_context_push_thread_default (g_main_loop_get_context (loop));
  g_main_loop_run (loop);
  g_main_context_pop_thread_default (g_main_loop_get_context (loop));
  g_main_loop_unref (loop);

  return NULL;
}

static gboolean
request_names (ZbusConnection  *connection,
               Settings        *settings,
               GCancellable    *cancellable,
               GError         **error)
{
  for (guint i = 0; i < settings->names->len; i++)
    {
      NameRequest *request = &g_array_index (settings->names, NameRequest, i);
      ZbusRequestNameReply reply;

      reply = zbus_connection_request_name_sync (connection, request->name, request->flags,
                                                 cancellable, error);
      if (reply == 0)
        return FALSE;

      if (reply == ZBUS_REQUEST_NAME_REPLY_EXISTS)
        {
          g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_ADDRESS_IN_USE,
                       "The name “%s” is owned by another connection", request->name);
          return FALSE;
        }
    }

  return TRUE;
}

static ZbusConnection *
build_with_settings (Settings      *settings,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(ZbusConnection) connection = NULL;
  g_autoptr(GMainContext) context = NULL;
  g_autofree char *address_guid = NULL;
  AuthResult auth = { 0 };
  gboolean is_bus = !settings->p2p && settings->server_guid == NULL;
  int timeout = settings->method_timeout > 0 ? settings->method_timeout
                                             : DEFAULT_HANDSHAKE_TIMEOUT_MSEC;
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout * 1000;

  socket = open_socket (settings, &address_guid, cancellable, error);
  if (socket == NULL)
    return NULL;

  if (!authenticate (socket, settings, deadline, &auth, cancellable, error))
    {
      auth_result_clear (&auth);
      return NULL;
    }

  /* An address may name the server's GUID; the server must agree. */
  if (address_guid != NULL && g_strcmp0 (address_guid, auth.guid) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "The server’s GUID “%s” is not the one the address names (“%s”)",
                   auth.guid, address_guid);
      auth_result_clear (&auth);
      return NULL;
    }

  if (settings->internal_thread)
    {
      GMainLoop *loop;
      GThread *thread;

      context = g_main_context_new ();
      loop = g_main_loop_new (context, FALSE);
      connection = _zbus_connection_new_native (socket, auth.leftover, auth.guid,
                                                auth.unix_fd_passing, is_bus, context,
                                                settings->method_timeout, settings->max_queued);
      thread = g_thread_new ("zbus-connection", internal_thread_func, g_main_loop_ref (loop));
      _zbus_connection_set_internal_thread (connection, thread, loop);
    }
  else
    {
      context = settings->context != NULL ? g_main_context_ref (settings->context)
                                          : g_main_context_ref_thread_default ();
      connection = _zbus_connection_new_native (socket, auth.leftover, auth.guid,
                                                auth.unix_fd_passing, is_bus, context,
                                                settings->method_timeout, settings->max_queued);
    }
  auth_result_clear (&auth);

  if (is_bus && !_zbus_connection_hello (connection, cancellable, error))
    {
      zbus_connection_close_sync (connection, NULL, NULL);
      return NULL;
    }

  for (guint i = 0; i < settings->managers->len; i++)
    {
      GError *local_error = NULL;

      /* A new object server: FALSE always comes with an error. */
      if (!zbus_object_server_add_object_manager (zbus_connection_get_object_server (connection),
                                                  g_ptr_array_index (settings->managers, i),
                                                  &local_error))
        {
          g_propagate_error (error, local_error);
          zbus_connection_close_sync (connection, NULL, NULL);
          return NULL;
        }
    }

  for (guint i = 0; i < settings->objects->len; i++)
    {
      ServeAt *serve = &g_array_index (settings->objects, ServeAt, i);
      GError *local_error = NULL;

      if (!zbus_object_server_at (zbus_connection_get_object_server (connection), serve->path,
                                  serve->iface, &local_error))
        {
          /* FALSE without an error: the same interface was given twice. */
          if (local_error == NULL)
            local_error = g_error_new (G_IO_ERROR, G_IO_ERROR_EXISTS,
                                       "Two interfaces of one name to serve at “%s”",
                                       serve->path);
          g_propagate_error (error, local_error);
          zbus_connection_close_sync (connection, NULL, NULL);
          return NULL;
        }
    }

  if (!request_names (connection, settings, cancellable, error))
    {
      zbus_connection_close_sync (connection, NULL, NULL);
      return NULL;
    }

  return g_steal_pointer (&connection);
}

/**
 * zbus_connection_builder_build:
 * @self: a builder
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Connects, authenticates, says `Hello` to a bus and requests the names,
 * blocking until done. The handshake is bounded by the method timeout.
 *
 * Returns: (transfer full): the connection, or %NULL on error
 *
 * Since: 1.0
 */
ZbusConnection *
zbus_connection_builder_build (ZbusConnectionBuilder  *self,
                               GCancellable           *cancellable,
                               GError                **error)
{
  g_return_val_if_fail (ZBUS_IS_CONNECTION_BUILDER (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (self->settings.names->len > 0 && (self->settings.p2p || self->settings.server_guid))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "Bus names exist only on message bus connections, "
                           "not on peer-to-peer ones");
      return NULL;
    }

  return build_with_settings (&self->settings, cancellable, error);
}

static void
settings_free (Settings *settings)
{
  settings_clear (settings);
  g_free (settings);
}

static void
build_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;
  ZbusConnection *connection = build_with_settings (task_data, cancellable, &error);

  if (connection == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, connection, g_object_unref);
}

/**
 * zbus_connection_builder_build_async:
 * @self: a builder
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the connection is ready or failed
 * @user_data: (closure): data for @callback
 *
 * Builds the connection without blocking. Unless the builder names a
 * context or an internal thread, the connection runs in the thread-default
 * main context of the thread that calls this function.
 *
 * Since: 1.0
 */
void
zbus_connection_builder_build_async (ZbusConnectionBuilder *self,
                                     GCancellable          *cancellable,
                                     GAsyncReadyCallback    callback,
                                     gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  Settings *settings;

  g_return_if_fail (ZBUS_IS_CONNECTION_BUILDER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, zbus_connection_builder_build_async);

  if (self->settings.names->len > 0 && (self->settings.p2p || self->settings.server_guid))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               "Bus names exist only on message bus connections, "
                               "not on peer-to-peer ones");
      return;
    }

  /* The handshake blocks, so it runs in a worker thread; the connection
   * belongs to the caller's context, fixed now. */
  settings = g_new0 (Settings, 1);
  settings_copy (settings, &self->settings);
  if (settings->context == NULL && !settings->internal_thread)
    settings->context = g_main_context_ref_thread_default ();

  g_task_set_task_data (task, settings, (GDestroyNotify) settings_free);
  g_task_run_in_thread (task, build_thread);
}

/**
 * zbus_connection_builder_build_finish:
 * @self: a builder
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Zbus.ConnectionBuilder.build_async].
 *
 * Returns: (transfer full): the connection, or %NULL on error
 *
 * Since: 1.0
 */
ZbusConnection *
zbus_connection_builder_build_finish (ZbusConnectionBuilder  *self,
                                      GAsyncResult           *result,
                                      GError                **error)
{
  g_return_val_if_fail (ZBUS_IS_CONNECTION_BUILDER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
