/* zbus-client.c: the bench-peers client on a raw ZbusConnection
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Not a test: the client half of our stack in the bench-peers harness (see
 * bench/README.md). It times N operations against zbus-server (or any
 * org.bench.Echo server) and prints one line,
 * `RESULT <ops/s> <client CPU s> <elapsed s>`.
 *
 * Usage: zbus-client BUSNAME|unix:ADDRESS BENCH N
 *   BENCH: call    N synchronous Echo calls (zbus_connection_call_sync)
 *          async   N Echo calls, BENCH_WINDOW in flight (zbus_connection_call)
 *          prop    N synchronous Properties.Get of Value
 *          signal  AddMatch, Emit(N), count the N Tick signals in a handler
 *          bytes   N synchronous EchoBytes of 1 MiB
 *          ping    N synchronous Peer.Ping to dbus-daemon itself
 */

#include "config.h"

#include <string.h>

#include "zbus-gobject.h"
#include "zbus-connection-private.h"

#include "bench-echo.h"

typedef struct
{
  ZbusConnection *connection;  /* (owned) */
  const char *destination;     /* (nullable): NULL peer to peer */
  guint n;
  guint sent;
  guint done;
  GMainLoop *loop;             /* (owned) */
} Client;

static GVariant *
call_sync (Client             *client,
           const char         *destination,
           const char         *path,
           const char         *interface_,
           const char         *method,
           GVariant           *parameters,
           const GVariantType *reply_type)
{
  g_autoptr(GError) error = NULL;
  GVariant *reply;

  reply = zbus_connection_call_sync (client->connection, destination, path, interface_, method,
                                     parameters, reply_type, ZBUS_MESSAGE_FLAGS_NONE,
                                     ZBUS_TIMEOUT_DEFAULT, NULL, &error);
  if (reply == NULL)
    BENCH_DIE ("%s: %s", method, error->message);
  return reply;
}

/* call {{{ */

static void
bench_call (Client *client)
{
  for (guint i = 0; i < client->n; i++)
    {
      g_autoptr(GVariant) reply = NULL;
      const char *s;

      reply = call_sync (client, client->destination, BENCH_PATH, BENCH_IFACE, "Echo",
                         g_variant_new ("(s)", BENCH_STR), G_VARIANT_TYPE ("(s)"));
      g_variant_get (reply, "(&s)", &s);
    }
}

/* }}} */
/* async {{{ */

static void send_echo (Client *client);

static void
echo_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Client *client = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  reply = zbus_connection_call_finish (ZBUS_CONNECTION (object), result, &error);
  if (reply == NULL)
    BENCH_DIE ("Echo: %s", error->message);

  client->done++;
  if (client->sent < client->n)
    send_echo (client);
  else if (client->done == client->n)
    g_main_loop_quit (client->loop);
}

static void
send_echo (Client *client)
{
  client->sent++;
  zbus_connection_call (client->connection, client->destination, BENCH_PATH, BENCH_IFACE, "Echo",
                        g_variant_new ("(s)", BENCH_STR), G_VARIANT_TYPE ("(s)"),
                        ZBUS_MESSAGE_FLAGS_NONE, ZBUS_TIMEOUT_DEFAULT, NULL,
                        echo_done_cb, client);
}

static void
bench_async (Client *client)
{
  while (client->sent < client->n && client->sent < BENCH_WINDOW)
    send_echo (client);
  g_main_loop_run (client->loop);
}

/* }}} */
/* prop {{{ */

static void
bench_prop (Client *client)
{
  for (guint i = 0; i < client->n; i++)
    {
      g_autoptr(GVariant) reply = NULL;
      g_autoptr(GVariant) value = NULL;

      reply = call_sync (client, client->destination, BENCH_PATH, PROPS_IFACE, "Get",
                         g_variant_new ("(ss)", BENCH_IFACE, "Value"), G_VARIANT_TYPE ("(v)"));
      g_variant_get (reply, "(v)", &value);
      if (!g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32) ||
          g_variant_get_uint32 (value) != 42)
        BENCH_DIE ("bad property value");
    }
}

/* }}} */
/* signal {{{ */

/* Runs on the main context for every incoming message that is not a reply
 * to one of our calls. */
static gboolean
tick_cb (ZbusConnection *connection,
         ZbusMessage    *message,
         gpointer        user_data)
{
  Client *client = user_data;
  guint32 i;

  if (zbus_message_get_message_type (message) != ZBUS_MESSAGE_TYPE_SIGNAL ||
      g_strcmp0 (zbus_message_get_member (message), "Tick") != 0 ||
      g_strcmp0 (zbus_message_get_interface (message), BENCH_IFACE) != 0 ||
      g_strcmp0 (zbus_message_get_path (message), BENCH_PATH) != 0 ||
      g_strcmp0 (zbus_message_get_signature (message), "u") != 0)
    return FALSE;

  g_variant_get (zbus_message_get_body (message), "(u)", &i);
  if (++client->done == client->n)
    g_main_loop_quit (client->loop);

  return FALSE;
}

static void
bench_signal (Client *client)
{
  _zbus_connection_add_handler (client->connection, tick_cb, client, NULL);

  /* Through a bus, the daemon forwards only what a match rule asks for.
   * Streams and match rules will do this; for now it is by hand. */
  if (client->destination != NULL)
    {
      g_autofree char *rule = NULL;

      rule = g_strdup_printf ("type='signal',sender='%s',path='%s',interface='%s',member='Tick'",
                              client->destination, BENCH_PATH, BENCH_IFACE);
      g_variant_unref (call_sync (client, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                  "org.freedesktop.DBus", "AddMatch",
                                  g_variant_new ("(s)", rule), G_VARIANT_TYPE ("()")));
    }
}

static void
emit (Client *client)
{
  zbus_connection_call (client->connection, client->destination, BENCH_PATH, BENCH_IFACE, "Emit",
                        g_variant_new ("(u)", client->n), NULL, ZBUS_MESSAGE_FLAGS_NONE,
                        ZBUS_TIMEOUT_INFINITE, NULL, NULL, NULL);
  g_main_loop_run (client->loop);
}

/* }}} */
/* bytes {{{ */

static void
bench_bytes (Client *client,
             GBytes *payload)
{
  for (guint i = 0; i < client->n; i++)
    {
      g_autoptr(GVariant) reply = NULL;
      g_autoptr(GVariant) bytes = NULL;
      GVariant *arg;
      gsize len;

      /* The GBytes is wrapped, not copied, as GDBus's and sd-bus's
       * harnesses hand their buffer over. */
      arg = g_variant_new_from_bytes (G_VARIANT_TYPE_BYTESTRING, payload, TRUE);
      reply = call_sync (client, client->destination, BENCH_PATH, BENCH_IFACE, "EchoBytes",
                         g_variant_new_tuple (&arg, 1), G_VARIANT_TYPE ("(ay)"));
      bytes = g_variant_get_child_value (reply, 0);
      g_variant_get_fixed_array (bytes, &len, 1);
      if (len != BENCH_BYTES)
        BENCH_DIE ("bad length %zu", len);
    }
}

/* }}} */
/* ping {{{ */

static void
bench_ping (Client *client)
{
  for (guint i = 0; i < client->n; i++)
    g_variant_unref (call_sync (client, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                "org.freedesktop.DBus.Peer", "Ping", NULL, G_VARIANT_TYPE ("()")));
}

/* }}} */

static ZbusConnection *
connect_to (const char *target)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusConnectionBuilder) builder = NULL;
  ZbusConnection *connection;

  if (g_str_has_prefix (target, "unix:") || g_str_has_prefix (target, "tcp:"))
    {
      builder = zbus_connection_builder_new_for_address (target);
      zbus_connection_builder_set_p2p (builder, TRUE);
    }
  else
    {
      builder = zbus_connection_builder_new_session ();
    }

  connection = zbus_connection_builder_build (builder, NULL, &error);
  if (connection == NULL)
    BENCH_DIE ("connect to %s: %s", target, error->message);
  return connection;
}

int
main (int    argc,
      char **argv)
{
  Client client = { 0 };
  const char *bench;
  BenchTimer timer;

  if (argc < 4)
    BENCH_DIE ("usage: %s BUSNAME|unix:ADDRESS BENCH N", argv[0]);
  bench = argv[2];
  client.n = (guint) atoi (argv[3]);
  client.loop = g_main_loop_new (NULL, FALSE);
  client.connection = connect_to (argv[1]);
  if (zbus_connection_is_bus (client.connection))
    client.destination = argv[1];

  if (g_str_equal (bench, "call"))
    {
      bench_start (&timer);
      bench_call (&client);
    }
  else if (g_str_equal (bench, "async"))
    {
      bench_start (&timer);
      bench_async (&client);
    }
  else if (g_str_equal (bench, "prop"))
    {
      bench_start (&timer);
      bench_prop (&client);
    }
  else if (g_str_equal (bench, "signal"))
    {
      bench_signal (&client);
      bench_start (&timer);
      emit (&client);
    }
  else if (g_str_equal (bench, "bytes"))
    {
      g_autoptr(GBytes) payload = NULL;
      guint8 *buffer = g_malloc (BENCH_BYTES);

      memset (buffer, 0x5a, BENCH_BYTES);
      payload = g_bytes_new_take (buffer, BENCH_BYTES);
      bench_start (&timer);
      bench_bytes (&client, payload);
    }
  else if (g_str_equal (bench, "ping"))
    {
      bench_start (&timer);
      bench_ping (&client);
    }
  else
    {
      BENCH_DIE ("unknown bench %s", bench);
    }

  bench_report (&timer, client.n);

  zbus_connection_close_sync (client.connection, NULL, NULL);
  g_object_unref (client.connection);
  g_main_loop_unref (client.loop);

  return 0;
}
