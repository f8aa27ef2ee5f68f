/* test-proxy-sdbus.c: proxies of a service written with sd-bus
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The service is tests/sdbus-service.c, run as a child process on a
 * GTestDBus bus: nothing in it comes from zbus-gobject or GDBus, so what the
 * proxies see is sd-bus's idea of the standard interfaces.
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "zbus-gobject.h"
#include "test-util.h"

#define SD_NAME  "org.zbus.SdTest"
#define SD_PATH  "/org/zbus/SdTest"
#define SD_IFACE "org.zbus.SdTest"

#define WAIT_USEC (10 * G_USEC_PER_SEC)

typedef struct
{
  GTestDBus      *bus;
  ZbusConnection *connection;
  GSubprocess    *service;
} Fixture;

/* Runs the default context until *flag is set, or fails. */
static void
wait_for_flag (gboolean *flag)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_USEC;

  while (!*flag)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      if (!*flag)
        g_usleep (1000);
    }
}

static void
wait_for_nonzero (guint *value)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_USEC;

  while (*value == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      if (*value == 0)
        g_usleep (1000);
    }
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *service = g_test_build_filename (G_TEST_BUILT, "sdbus-service", NULL);
  g_autoptr(ZbusBusProxy) daemon = NULL;
  gint64 deadline = g_get_monotonic_time () + WAIT_USEC;

  zbus_test_set_cloexec_on_all_fds ();
  fixture->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (fixture->bus);
  fixture->connection = zbus_test_connect (GPOINTER_TO_INT (data));

  fixture->service = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, service, NULL);
  g_assert_no_error (error);
  daemon = zbus_bus_proxy_new (fixture->connection, NULL, &error);
  g_assert_no_error (error);
  while (!zbus_bus_proxy_name_has_owner (daemon, SD_NAME, NULL, &error))
    {
      g_assert_no_error (error);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (5000);
    }
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  if (fixture->service != NULL)
    {
      g_subprocess_force_exit (fixture->service);
      g_subprocess_wait (fixture->service, NULL, NULL);
      g_clear_object (&fixture->service);
    }
  zbus_connection_close_sync (fixture->connection, NULL, NULL);
  while (g_main_context_iteration (NULL, FALSE));
  g_assert_finalize_object (fixture->connection);
  g_test_dbus_down (fixture->bus);
  g_clear_object (&fixture->bus);
}

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  *(gboolean *) user_data = TRUE;
}

static void
cache_reset_cb (ZbusProxy *proxy,
                gpointer   user_data)
{
  *(gboolean *) user_data = TRUE;
}

static void
tick_cb (ZbusProxy *proxy,
         guint      value,
         gpointer   user_data)
{
  *(guint *) user_data = value;
}

/* A proxy made from sd-bus's own introspection mirrors the interface. */
static void
test_runtime_proxy (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusProxy) proxy = NULL;
  g_autoptr(GVariant) echoed = NULL;
  g_autoptr(GVariant) set = NULL;
  gboolean notified = FALSE;
  guint tick = 0;
  guint value = 0;
  const char *text;

  proxy = zbus_proxy_new_for_introspection (fixture->connection, SD_NAME, SD_PATH, SD_IFACE,
                                            ZBUS_PROXY_CACHE_MODE_EAGER, NULL, &error);
  g_assert_no_error (error);
  g_object_get (proxy, "value", &value, NULL);
  g_assert_cmpuint (value, ==, 7);

  echoed = zbus_proxy_call_method (proxy, "Echo", g_variant_new ("(s)", "to sd-bus and back"),
                                   ZBUS_MESSAGE_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (echoed, "(&s)", &text);
  g_assert_cmpstr (text, ==, "to sd-bus and back");

  /* sd-bus's PropertiesChanged is notify; its signal a GObject signal. */
  g_signal_connect (proxy, "notify::value", G_CALLBACK (notify_cb), &notified);
  g_signal_connect (proxy, "tick", G_CALLBACK (tick_cb), &tick);
  set = zbus_proxy_call_method (proxy, "SetValue", g_variant_new ("(u)", 42),
                                ZBUS_MESSAGE_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  wait_for_flag (&notified);
  g_object_get (proxy, "value", &value, NULL);
  g_assert_cmpuint (value, ==, 42);
  wait_for_nonzero (&tick);
  g_assert_cmpuint (tick, ==, 42);

  /* A wrong argument is refused here, before it reaches sd-bus. */
  g_assert_null (zbus_proxy_call_method (proxy, "Echo", g_variant_new ("(u)", 1),
                                         ZBUS_MESSAGE_FLAGS_NONE, -1, NULL, &error));
  g_assert_nonnull (error);
}

/* Peer and Introspectable as sd-bus answers them. */
static void
test_standard_interfaces (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusProxy) proxy = NULL;
  g_autoptr(GDBusNodeInfo) node = NULL;
  g_autofree char *machine_id = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *xml = NULL;

  proxy = zbus_proxy_new (fixture->connection, SD_NAME, SD_PATH, SD_IFACE,
                          ZBUS_PROXY_CACHE_MODE_NONE, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (zbus_proxy_ping (proxy, NULL, &error));
  g_assert_no_error (error);

  machine_id = zbus_proxy_get_machine_id (proxy, NULL, &error);
  g_assert_no_error (error);
  if (g_file_get_contents ("/etc/machine-id", &expected, NULL, NULL))
    g_assert_cmpstr (machine_id, ==, g_strstrip (expected));
  else
    g_assert_cmpuint (strlen (machine_id), ==, 32);

  xml = zbus_proxy_introspect (proxy, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (xml, "<interface name=\"org.zbus.SdTest\">"));
  node = zbus_proxy_introspect_node_info (proxy, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (g_dbus_node_info_lookup_interface (node, SD_IFACE));
  g_assert_nonnull (g_dbus_node_info_lookup_interface (node, "org.freedesktop.DBus.Peer"));
}

/* The bus proxy knows the service's process; when the service leaves, a
 * proxy's cache empties and says so. */
static void
test_owner_gone (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusBusProxy) daemon = NULL;
  g_autoptr(ZbusProxy) proxy = NULL;
  g_autoptr(GVariant) cached = NULL;
  g_autoptr(GVariant) gone = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *owner = NULL;
  guint32 pid = 0;
  gboolean reset = FALSE;

  daemon = zbus_bus_proxy_new (fixture->connection, NULL, &error);
  g_assert_no_error (error);
  owner = zbus_bus_proxy_get_name_owner (daemon, SD_NAME, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (zbus_bus_proxy_get_connection_unix_process_id (daemon, owner, &pid, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (atoi (g_subprocess_get_identifier (fixture->service)), ==, (int) pid);

  proxy = zbus_proxy_new (fixture->connection, SD_NAME, SD_PATH, SD_IFACE,
                          ZBUS_PROXY_CACHE_MODE_EAGER, NULL, &error);
  g_assert_no_error (error);
  cached = zbus_proxy_get_cached_property (proxy, "Value");
  g_assert_nonnull (cached);
  g_assert_cmpuint (g_variant_get_uint32 (cached), ==, 7);

  g_signal_connect (proxy, "cache-reset", G_CALLBACK (cache_reset_cb), &reset);
  reply = zbus_proxy_call (proxy, "Quit", NULL, NULL, ZBUS_MESSAGE_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (fixture->service, NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&fixture->service);
  wait_for_flag (&reset);
  gone = zbus_proxy_get_cached_property (proxy, "Value");
  g_assert_null (gone);
}

int
main (int   argc,
      char *argv[])
{
  static const struct { const char *name; Transport transport; } transports[] = {
    { "native", TRANSPORT_NATIVE },
    { "gdbus", TRANSPORT_GDBUS },
  };

  g_test_init (&argc, &argv, NULL);
  zbus_test_fork_bus_watcher ();
  g_test_summary ("Proxies of a service written with sd-bus");

  for (guint i = 0; i < G_N_ELEMENTS (transports); i++)
    {
      gconstpointer t = GINT_TO_POINTER (transports[i].transport);
#define ADD(path, func) \
      G_STMT_START { \
        g_autofree char *full = g_strdup_printf ("/Zbus/Proxy/sdbus/%s/%s", transports[i].name, path); \
        g_test_add (full, Fixture, t, fixture_setup, func, fixture_teardown); \
      } G_STMT_END
      ADD ("runtime-proxy", test_runtime_proxy);
      ADD ("standard-interfaces", test_standard_interfaces);
      ADD ("owner-gone", test_owner_gone);
#undef ADD
    }

  return g_test_run ();
}
