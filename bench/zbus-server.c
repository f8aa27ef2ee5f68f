/* zbus-server.c: the org.bench.Echo service on a raw ZbusConnection
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Not a test: the server half of our stack in the bench-peers harness (see
 * bench/README.md). It serves org.bench.Echo at /bench with a private
 * connection handler, as the object server will once it exists: Echo(s)->(s),
 * EchoBytes(ay)->(ay), Emit(u) (u Tick(u) signals, then the reply) and the
 * read-only property Value = 42 through org.freedesktop.DBus.Properties.
 *
 * Usage: zbus-server BUSNAME            own BUSNAME on the session bus
 *        zbus-server unix:tmpdir=/tmp   listen peer to peer; the first line
 *                                       of stdout is the client address
 */

#include "config.h"

#include <string.h>

#include "zbus-gobject.h"
#include "zbus-address-private.h"
#include "zbus-connection-private.h"

#include "bench-echo.h"

#define DBUS_ERROR_UNKNOWN_METHOD "org.freedesktop.DBus.Error.UnknownMethod"
#define DBUS_ERROR_UNKNOWN_INTERFACE "org.freedesktop.DBus.Error.UnknownInterface"
#define DBUS_ERROR_UNKNOWN_OBJECT "org.freedesktop.DBus.Error.UnknownObject"
#define DBUS_ERROR_UNKNOWN_PROPERTY "org.freedesktop.DBus.Error.UnknownProperty"
#define DBUS_ERROR_PROPERTY_READ_ONLY "org.freedesktop.DBus.Error.PropertyReadOnly"

#define VALUE 42u

typedef struct
{
  GSocket *listener;      /* (owned) (nullable): peer to peer only */
  char *guid;             /* (owned) (nullable): peer to peer only */
  GPtrArray *peers;       /* (owned) (element-type ZbusConnection) */
} Server;

/* The service {{{ */

static ZbusMessage *
error_reply (ZbusMessage *call,
             const char  *name,
             const char  *text)
{
  return zbus_message_new_error (call, name, text, NULL);
}

static ZbusMessage *
reply_with (ZbusMessage *call,
            GVariant    *body)
{
  ZbusMessage *reply = zbus_message_new_method_reply (call);

  if (body != NULL && !zbus_message_set_body (reply, body, NULL))
    g_error ("could not set a reply body");
  return reply;
}

static ZbusMessage *
echo (ZbusMessage *call)
{
  const char *s;

  g_variant_get (zbus_message_get_body (call), "(&s)", &s);
  return reply_with (call, g_variant_new ("(s)", s));
}

static ZbusMessage *
echo_bytes (ZbusMessage *call)
{
  /* The array, as it came, without a copy. */
  g_autoptr(GVariant) bytes = g_variant_get_child_value (zbus_message_get_body (call), 0);

  return reply_with (call, g_variant_new_tuple (&bytes, 1));
}

static ZbusMessage *
emit (ZbusConnection *connection,
      ZbusMessage    *call)
{
  guint32 n;

  g_variant_get (zbus_message_get_body (call), "(u)", &n);
  for (guint32 i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;

      if (!zbus_connection_emit_signal (connection, NULL, BENCH_PATH, BENCH_IFACE, "Tick",
                                        g_variant_new ("(u)", i), &error))
        {
          g_printerr ("Tick: %s\n", error->message);
          break;
        }
    }

  return reply_with (call, NULL);
}

static ZbusMessage *
bench_method (ZbusConnection *connection,
              ZbusMessage    *call,
              const char     *member,
              const char     *signature)
{
  if (g_str_equal (member, "Echo") && g_str_equal (signature, "s"))
    return echo (call);
  if (g_str_equal (member, "EchoBytes") && g_str_equal (signature, "ay"))
    return echo_bytes (call);
  if (g_str_equal (member, "Emit") && g_str_equal (signature, "u"))
    return emit (connection, call);
  return error_reply (call, DBUS_ERROR_UNKNOWN_METHOD, "No such method or signature");
}

static ZbusMessage *
properties_method (ZbusMessage *call,
                   const char  *member,
                   const char  *signature)
{
  GVariant *body = zbus_message_get_body (call);
  const char *iface = NULL;
  const char *name = NULL;

  if (g_str_equal (member, "Get") && g_str_equal (signature, "ss"))
    {
      g_variant_get (body, "(&s&s)", &iface, &name);
      if (!g_str_equal (iface, BENCH_IFACE))
        return error_reply (call, DBUS_ERROR_UNKNOWN_INTERFACE, iface);
      if (!g_str_equal (name, "Value"))
        return error_reply (call, DBUS_ERROR_UNKNOWN_PROPERTY, name);
      return reply_with (call, g_variant_new ("(v)", g_variant_new_uint32 (VALUE)));
    }

  if (g_str_equal (member, "GetAll") && g_str_equal (signature, "s"))
    {
      g_autoptr(GVariantBuilder) props = g_variant_builder_new (G_VARIANT_TYPE ("a{sv}"));

      g_variant_get (body, "(&s)", &iface);
      if (!g_str_equal (iface, BENCH_IFACE))
        return error_reply (call, DBUS_ERROR_UNKNOWN_INTERFACE, iface);
      g_variant_builder_add (props, "{sv}", "Value", g_variant_new_uint32 (VALUE));
      return reply_with (call, g_variant_new ("(a{sv})", props));
    }

  if (g_str_equal (member, "Set"))
    return error_reply (call, DBUS_ERROR_PROPERTY_READ_ONLY, "Value is read-only");

  return error_reply (call, DBUS_ERROR_UNKNOWN_METHOD, "No such method or signature");
}

/* Runs on the connection's context (the main thread) for every incoming
 * message that is not a reply to one of our calls. */
static gboolean
message_cb (ZbusConnection *connection,
            ZbusMessage    *message,
            gpointer        user_data)
{
  const char *interface_ = zbus_message_get_interface (message);
  const char *member = zbus_message_get_member (message);
  const char *signature = zbus_message_get_signature (message);
  g_autoptr(ZbusMessage) reply = NULL;
  g_autoptr(GError) error = NULL;

  if (zbus_message_get_message_type (message) != ZBUS_MESSAGE_TYPE_METHOD_CALL)
    return FALSE;

  /* Peer.Ping and GetMachineId stay with the connection. */
  if (g_strcmp0 (interface_, "org.freedesktop.DBus.Peer") == 0)
    return FALSE;

  if (signature == NULL)
    signature = "";

  if (!g_str_equal (zbus_message_get_path (message), BENCH_PATH))
    reply = error_reply (message, DBUS_ERROR_UNKNOWN_OBJECT, "No object at this path");
  else if (interface_ == NULL || g_str_equal (interface_, BENCH_IFACE))
    reply = bench_method (connection, message, member, signature);
  else if (g_str_equal (interface_, PROPS_IFACE))
    reply = properties_method (message, member, signature);
  else
    reply = error_reply (message, DBUS_ERROR_UNKNOWN_INTERFACE, interface_);

  if (zbus_message_get_flags (message) & ZBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED)
    return TRUE;

  if (!zbus_connection_send_message (connection, reply, NULL, &error))
    g_printerr ("reply: %s\n", error->message);

  return TRUE;
}

/* }}} */
/* Peer to peer {{{ */

/* Runs on the main context: the peer went away or the connection failed. */
static void
peer_closed_cb (ZbusConnection *connection,
                gboolean        remote_peer_vanished,
                GError         *error,
                gpointer        user_data)
{
  Server *server = user_data;

  g_ptr_array_remove_fast (server->peers, connection);
}

/* Runs on the main context when the listening socket has a client.
 *
 * The handshake is synchronous, holding up the main context for a moment:
 * a connection built asynchronously starts dispatching on this context
 * before the build callback can add the handler, so a call sent right
 * after authentication would be answered "UnknownObject". One client at a
 * time is all the benchmark needs. */
static gboolean
incoming_cb (GSocket      *listener,
             GIOCondition  condition,
             gpointer      user_data)
{
  Server *server = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(ZbusConnectionBuilder) builder = NULL;
  ZbusConnection *connection;

  socket = g_socket_accept (listener, NULL, &error);
  if (socket == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        g_printerr ("accept: %s\n", error->message);
      return G_SOURCE_CONTINUE;
    }

  builder = zbus_connection_builder_new_for_socket (socket);
  zbus_connection_builder_set_server (builder, server->guid);
  connection = zbus_connection_builder_build (builder, NULL, &error);
  if (connection == NULL)
    {
      g_printerr ("a peer failed to connect: %s\n", error->message);
      return G_SOURCE_CONTINUE;
    }

  _zbus_connection_add_handler (connection, message_cb, NULL, NULL);
  g_signal_connect (connection, "closed", G_CALLBACK (peer_closed_cb), server);
  g_ptr_array_add (server->peers, connection);

  return G_SOURCE_CONTINUE;
}

static void
listen_p2p (Server     *server,
            const char *address)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *client_address = NULL;
  g_autoptr(GSource) source = NULL;

  server->listener = _zbus_address_listen (address, &client_address, &error);
  if (server->listener == NULL)
    BENCH_DIE ("listen on %s: %s", address, error->message);
  g_socket_set_blocking (server->listener, FALSE);

  server->guid = zbus_generate_guid ();
  printf ("%s,guid=%s\n", client_address, server->guid);
  fflush (stdout);

  source = g_socket_create_source (server->listener, G_IO_IN, NULL);
  g_source_set_callback (source, G_SOURCE_FUNC (incoming_cb), server, NULL);
  g_source_attach (source, NULL);
}

/* }}} */
/* On the bus {{{ */

static void
serve_on_bus (Server     *server,
              const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusConnectionBuilder) builder = zbus_connection_builder_new_session ();
  ZbusConnection *connection;
  ZbusRequestNameReply reply;

  connection = zbus_connection_builder_build (builder, NULL, &error);
  if (connection == NULL)
    BENCH_DIE ("connect: %s", error->message);

  /* The handler is in place before the name is: no call finds it missing. */
  _zbus_connection_add_handler (connection, message_cb, NULL, NULL);
  g_ptr_array_add (server->peers, connection);

  reply = zbus_connection_request_name_sync (connection, name,
                                             ZBUS_REQUEST_NAME_FLAGS_DO_NOT_QUEUE, NULL, &error);
  if (reply == 0)
    BENCH_DIE ("RequestName %s: %s", name, error->message);
  if (reply != ZBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER)
    BENCH_DIE ("RequestName %s: the name is taken", name);
}

/* }}} */

int
main (int    argc,
      char **argv)
{
  Server server = { 0 };
  g_autoptr(GMainLoop) loop = NULL;

  if (argc < 2)
    BENCH_DIE ("usage: %s BUSNAME|unix:ADDRESS", argv[0]);

  server.peers = g_ptr_array_new_with_free_func (g_object_unref);

  if (g_str_has_prefix (argv[1], "unix:") || g_str_has_prefix (argv[1], "tcp:"))
    listen_p2p (&server, argv[1]);
  else
    serve_on_bus (&server, argv[1]);

  loop = g_main_loop_new (NULL, FALSE);
  g_main_loop_run (loop);

  return 0;
}
