/* zbus-iface-server.c: the org.bench.Echo service as a ZbusInterface
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Not a test: the object-server half of our stack in the bench-peers
 * harness (see bench/README.md). The same service as zbus-server.c, but
 * declared the way an application would: a ZbusInterface subclass whose
 * action signals are the methods (Echo(s)->(s), EchoBytes(ay)->(ay),
 * Emit(u)), whose GObject signal "tick" is the D-Bus signal Tick(u) and
 * whose read-only GObject property "value" (42) is the D-Bus property Value,
 * served by ZbusObjectServer. Comparing it with zbus-server measures what
 * the mapping layer costs over the raw connection.
 *
 * With --table the methods come from a C method table
 * (zbus_interface_class_add_methods()) instead of action signals; the
 * property and the signal stay GObject ones.
 *
 * Usage: zbus-iface-server [--table] BUSNAME            own BUSNAME on the session bus
 *        zbus-iface-server [--table] unix:tmpdir=/tmp   listen peer to peer; the first
 *                                                       line of stdout is the client address
 */

#include "config.h"

#include <string.h>

#include "zbus-gobject.h"
#include "zbus-address-private.h"

#include "bench-echo.h"

#define VALUE 42u

/* BenchEcho: methods as action signals {{{ */

#define BENCH_TYPE_ECHO (bench_echo_get_type ())
G_DECLARE_FINAL_TYPE (BenchEcho, bench_echo, BENCH, ECHO, ZbusInterface)

struct _BenchEcho
{
  ZbusInterface parent_instance;
};

G_DEFINE_FINAL_TYPE (BenchEcho, bench_echo, ZBUS_TYPE_INTERFACE)

enum {
  PROP_0,
  PROP_VALUE,
  N_PROPS
};

enum {
  SIGNAL_TICK,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
bench_echo_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_VALUE:
      g_value_set_uint (value, VALUE);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* The string's copy is the signal's return value (transfer full). */
static char *
bench_echo_echo (BenchEcho  *self,
                 const char *s)
{
  return g_strdup (s);
}

static GBytes *
bench_echo_echo_bytes (BenchEcho *self,
                       GBytes    *bytes)
{
  return g_bytes_ref (bytes);
}

static void
bench_echo_emit (BenchEcho *self,
                 guint      n)
{
  for (guint i = 0; i < n; i++)
    g_signal_emit (self, signals[SIGNAL_TICK], 0, i);
}

static void
bench_echo_class_init (BenchEchoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GType type = G_TYPE_FROM_CLASS (klass);

  object_class->get_property = bench_echo_get_property;

  properties[PROP_VALUE] = g_param_spec_uint ("value", NULL, NULL, 0, G_MAXUINT, VALUE,
                                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_TICK] = g_signal_new ("tick", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                       G_TYPE_NONE, 1, G_TYPE_UINT);
  g_signal_new_class_handler ("echo", type, G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
                              G_CALLBACK (bench_echo_echo), NULL, NULL, NULL,
                              G_TYPE_STRING, 1, G_TYPE_STRING);
  g_signal_new_class_handler ("echo-bytes", type, G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
                              G_CALLBACK (bench_echo_echo_bytes), NULL, NULL, NULL,
                              G_TYPE_BYTES, 1, G_TYPE_BYTES);
  g_signal_new_class_handler ("emit", type, G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
                              G_CALLBACK (bench_echo_emit), NULL, NULL, NULL,
                              G_TYPE_NONE, 1, G_TYPE_UINT);

  zbus_interface_type_set_name (type, BENCH_IFACE);
}

static void
bench_echo_init (BenchEcho *self)
{
}

/* }}} */
/* BenchTable: methods from a C method table {{{ */

#define BENCH_TYPE_TABLE (bench_table_get_type ())
G_DECLARE_FINAL_TYPE (BenchTable, bench_table, BENCH, TABLE, ZbusInterface)

struct _BenchTable
{
  ZbusInterface parent_instance;
};

G_DEFINE_FINAL_TYPE (BenchTable, bench_table, ZBUS_TYPE_INTERFACE)

static guint table_tick;

static void
bench_table_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_VALUE:
      g_value_set_uint (value, VALUE);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
table_echo (ZbusInterface        *self,
            ZbusMethodInvocation *invocation,
            GVariant             *parameters,
            gpointer              user_data)
{
  zbus_method_invocation_return_value (invocation, g_variant_ref (parameters));
}

static void
table_emit (ZbusInterface        *self,
            ZbusMethodInvocation *invocation,
            GVariant             *parameters,
            gpointer              user_data)
{
  guint32 n;

  g_variant_get (parameters, "(u)", &n);
  for (guint i = 0; i < n; i++)
    g_signal_emit (self, table_tick, 0, i);
  zbus_method_invocation_return_value (invocation, NULL);
}

static const ZbusInterfaceMethod table_methods[] = {
  { "Echo", "s", "s", NULL, NULL, table_echo },
  { "EchoBytes", "ay", "ay", NULL, NULL, table_echo },
  { "Emit", "u", "", NULL, NULL, table_emit },
};

static void
bench_table_class_init (BenchTableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GType type = G_TYPE_FROM_CLASS (klass);

  object_class->get_property = bench_table_get_property;

  g_object_class_install_property (object_class, PROP_VALUE,
                                   g_param_spec_uint ("value", NULL, NULL, 0, G_MAXUINT, VALUE,
                                                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  table_tick = g_signal_new ("tick", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                             G_TYPE_NONE, 1, G_TYPE_UINT);
  zbus_interface_class_add_methods (ZBUS_INTERFACE_CLASS (klass), table_methods,
                                    G_N_ELEMENTS (table_methods));
  zbus_interface_type_set_name (type, BENCH_IFACE);
}

static void
bench_table_init (BenchTable *self)
{
}

/* }}} */
/* Serving {{{ */

typedef struct
{
  ZbusInterface *iface;   /* (owned): one instance, served on every connection */
  GSocket *listener;      /* (owned) (nullable): peer to peer only */
  char *guid;             /* (owned) (nullable): peer to peer only */
  GPtrArray *peers;       /* (owned) (element-type ZbusConnection) */
} Server;

static void
serve (Server         *server,
       ZbusConnection *connection)
{
  g_autoptr(GError) error = NULL;
  ZbusObjectServer *objects = zbus_object_server_get_for_connection (connection);

  if (!zbus_object_server_at (objects, BENCH_PATH, server->iface, &error))
    BENCH_DIE ("serve %s: %s", BENCH_PATH, error->message);
}

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

/* Runs on the main context when the listening socket has a client. The
 * handshake is synchronous, as in zbus-server.c, so the object is served
 * before the connection dispatches anything. */
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
  zbus_connection_builder_serve_at (builder, BENCH_PATH, server->iface);
  connection = zbus_connection_builder_build (builder, NULL, &error);
  if (connection == NULL)
    {
      g_printerr ("a peer failed to connect: %s\n", error->message);
      return G_SOURCE_CONTINUE;
    }

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

  /* The object is in place before the name is: no call finds it missing. */
  serve (server, connection);
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
  g_autoptr(GError) error = NULL;
  GType type = BENCH_TYPE_ECHO;
  const char *target;

  if (argc > 1 && g_str_equal (argv[1], "--table"))
    {
      type = BENCH_TYPE_TABLE;
      argc--;
      argv++;
    }
  if (argc < 2)
    BENCH_DIE ("usage: zbus-iface-server [--table] BUSNAME|unix:ADDRESS");
  target = argv[1];

  /* A type that cannot map fails here, not at the first call. */
  if (!zbus_interface_type_check (type, &error))
    BENCH_DIE ("%s: %s", g_type_name (type), error->message);

  server.iface = g_object_new (type, NULL);
  server.peers = g_ptr_array_new_with_free_func (g_object_unref);

  if (g_str_has_prefix (target, "unix:") || g_str_has_prefix (target, "tcp:"))
    listen_p2p (&server, target);
  else
    serve_on_bus (&server, target);

  loop = g_main_loop_new (NULL, FALSE);
  g_main_loop_run (loop);

  return 0;
}
