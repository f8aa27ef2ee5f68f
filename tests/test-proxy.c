/* test-proxy.c: ZbusProxy against the bus daemon, python-dbusmock and a
 * ZbusInterface of our own, on a real dbus-daemon, on both transports
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "zbus-gobject.h"
#include "test-util.h"

#define MOCK_NAME "org.zbus.ProxyMock"
#define MOCK_PATH "/org/zbus/ProxyMock"
#define MOCK_IFACE "org.zbus.ProxyMock"
#define MOCK_CONTROL "org.freedesktop.DBus.Mock"

/* How long anything a test waits for may take. */
#define WAIT_USEC (10 * G_USEC_PER_SEC)

typedef struct
{
  GTestDBus      *bus;
  ZbusConnection *connection;  /* the proxies' */
  ZbusConnection *control;     /* drives the mock, emits impostor signals */
  GSubprocess    *mock;        /* (nullable) */
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  zbus_test_set_cloexec_on_all_fds ();
  fixture->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (fixture->bus);
  fixture->connection = zbus_test_connect (GPOINTER_TO_INT (data));
  fixture->control = zbus_test_connect (TRANSPORT_NATIVE);
}

static void stop_mock (Fixture *fixture);

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  if (fixture->mock != NULL)
    stop_mock (fixture);
  zbus_connection_close_sync (fixture->connection, NULL, NULL);
  zbus_connection_close_sync (fixture->control, NULL, NULL);
  while (g_main_context_iteration (NULL, FALSE));
  g_assert_finalize_object (fixture->connection);
  g_assert_finalize_object (fixture->control);
  g_test_dbus_down (fixture->bus);
  g_clear_object (&fixture->bus);
}

/* Runs the default context until *flag is set; fails after WAIT_USEC. */
static gboolean
timed_out_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

#define wait_until(cond) \
  G_STMT_START { \
    gboolean timed_out_ = FALSE; \
    guint id_ = g_timeout_add (WAIT_USEC / 1000, timed_out_cb, &timed_out_); \
    while (!(cond) && !timed_out_) \
      g_main_context_iteration (NULL, TRUE); \
    if (timed_out_) \
      g_error ("timed out waiting for %s", #cond); \
    g_source_remove (id_); \
  } G_STMT_END

static gboolean
name_has_owner (ZbusConnection *connection,
                const char     *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  gboolean owned = FALSE;

  reply = zbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                     "org.freedesktop.DBus", "NameHasOwner",
                                     g_variant_new ("(s)", name), G_VARIANT_TYPE ("(b)"),
                                     ZBUS_MESSAGE_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(b)", &owned);
  return owned;
}

/* Starts python-dbusmock with tests/proxy-mock-template.py and waits
 * until it owns its name. */
static void
start_mock (Fixture *fixture,
            int      count)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *params = g_strdup_printf ("{\"count\": %d}", count);
  const char *template = g_test_get_filename (G_TEST_DIST, "proxy-mock-template.py", NULL);
  gint64 deadline = g_get_monotonic_time () + WAIT_USEC;

  g_assert_null (fixture->mock);
  fixture->mock = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                                    "/usr/bin/python3", "-m", "dbusmock", "--session",
                                    "-t", template, "-p", params, NULL);
  g_assert_no_error (error);

  while (!name_has_owner (fixture->control, MOCK_NAME))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * 1000);
    }
}

static void
stop_mock (Fixture *fixture)
{
  g_subprocess_force_exit (fixture->mock);
  g_subprocess_wait (fixture->mock, NULL, NULL);
  g_clear_object (&fixture->mock);
}

/* Calls a method of the mock's control interface. */
static void
mock_control (Fixture    *fixture,
              const char *method,
              GVariant   *parameters)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  reply = zbus_connection_call_sync (fixture->control, MOCK_NAME, MOCK_PATH, MOCK_CONTROL, method,
                                     parameters, NULL, ZBUS_MESSAGE_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
}

static void
mock_emit_ping (Fixture    *fixture,
                const char *text)
{
  GVariantBuilder args;

  g_variant_builder_init (&args, G_VARIANT_TYPE ("av"));
  g_variant_builder_add (&args, "v", g_variant_new_string (text));
  mock_control (fixture, "EmitSignal",
                g_variant_new ("(sssav)", MOCK_IFACE, "Ping", "s", &args));
}

static int
cached_int (ZbusProxy  *proxy,
            const char *name)
{
  g_autoptr(GVariant) value = zbus_proxy_get_cached_property (proxy, name);

  g_assert_nonnull (value);
  g_assert_true (g_variant_is_of_type (value, G_VARIANT_TYPE_INT32));
  return g_variant_get_int32 (value);
}

static gboolean
has_cached (ZbusProxy  *proxy,
            const char *name)
{
  g_autoptr(GVariant) value = zbus_proxy_get_cached_property (proxy, name);

  return value != NULL;
}

/* Signal recorders */

typedef struct
{
  guint properties_changed;
  GVariant *last_changed;        /* (owned) (nullable) */
  char **last_invalidated;       /* (owned) (nullable) */
  guint cache_resets;
  guint owner_notifies;
  GPtrArray *signals;            /* (element-type GVariant): (sender, name, params) */
} Recorder;

static void
properties_changed_cb (ZbusProxy          *proxy,
                       GVariant           *changed,
                       const char * const *invalidated,
                       Recorder           *r)
{
  r->properties_changed++;
  g_clear_pointer (&r->last_changed, g_variant_unref);
  r->last_changed = g_variant_ref (changed);
  g_strfreev (r->last_invalidated);
  r->last_invalidated = g_strdupv ((char **) invalidated);
}

static void
cache_reset_cb (ZbusProxy *proxy,
                Recorder  *r)
{
  r->cache_resets++;
}

static void
owner_notify_cb (ZbusProxy  *proxy,
                 GParamSpec *pspec,
                 Recorder   *r)
{
  r->owner_notifies++;
}

static void
dbus_signal_cb (ZbusProxy  *proxy,
                const char *sender,
                const char *name,
                GVariant   *parameters,
                Recorder   *r)
{
  g_ptr_array_add (r->signals, g_variant_ref_sink (g_variant_new ("(mss@*)", sender, name,
                                                                  parameters)));
}

static void
recorder_connect (Recorder   *r,
                  ZbusProxy  *proxy,
                  const char *signal_detail)
{
  g_autofree char *detailed = g_strdup_printf ("dbus-signal%s%s", signal_detail ? "::" : "",
                                               signal_detail ? signal_detail : "");

  memset (r, 0, sizeof *r);
  r->signals = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  g_signal_connect (proxy, "properties-changed", G_CALLBACK (properties_changed_cb), r);
  g_signal_connect (proxy, "cache-reset", G_CALLBACK (cache_reset_cb), r);
  g_signal_connect (proxy, "notify::name-owner", G_CALLBACK (owner_notify_cb), r);
  g_signal_connect (proxy, detailed, G_CALLBACK (dbus_signal_cb), r);
}

static void
recorder_clear (Recorder *r)
{
  g_clear_pointer (&r->last_changed, g_variant_unref);
  g_clear_pointer (&r->last_invalidated, g_strfreev);
  g_clear_pointer (&r->signals, g_ptr_array_unref);
}

static ZbusProxy *
new_mock_proxy (Fixture            *fixture,
                ZbusProxyCacheMode  mode)
{
  g_autoptr(GError) error = NULL;
  ZbusProxy *proxy = zbus_proxy_new (fixture->connection, MOCK_NAME, MOCK_PATH, MOCK_IFACE, mode,
                                     NULL, &error);

  g_assert_no_error (error);
  g_assert_true (ZBUS_IS_PROXY (proxy));
  return proxy;
}

/* ------------------------------------------------------------------------ */
/* The bus daemon */

static void
test_bus_daemon (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusProxy) proxy = NULL;
  g_autoptr(ZbusProxy) eager = NULL;
  g_autoptr(GVariant) names = NULL;
  g_autoptr(GVariant) features = NULL;
  g_autoptr(GVariant) interfaces = NULL;
  g_autofree const char **list = NULL;
  g_autofree char *owner = NULL;
  g_autoptr(ZbusConnection) other = NULL;
  Recorder r;
  gboolean found = FALSE;

  proxy = zbus_proxy_new_for_bus_daemon (fixture->connection, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (zbus_proxy_get_destination (proxy), ==, "org.freedesktop.DBus");
  g_assert_cmpint (zbus_proxy_get_cache_mode (proxy), ==, ZBUS_PROXY_CACHE_MODE_LAZY);
  owner = zbus_proxy_dup_name_owner (proxy);
  g_assert_cmpstr (owner, ==, "org.freedesktop.DBus");
  recorder_connect (&r, proxy, "NameOwnerChanged");

  /* A call. */
  names = zbus_proxy_call (proxy, "ListNames", NULL, G_VARIANT_TYPE ("(as)"),
                           ZBUS_MESSAGE_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (names, "(^a&s)", &list);
  for (guint i = 0; list[i] != NULL; i++)
    found |= g_strcmp0 (list[i], zbus_connection_get_unique_name (fixture->connection)) == 0;
  g_assert_true (found);

  /* Properties, read through GetAll in the eager mode. */
  eager = zbus_proxy_new (fixture->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                          "org.freedesktop.DBus", ZBUS_PROXY_CACHE_MODE_EAGER, NULL, &error);
  g_assert_no_error (error);
  features = zbus_proxy_get_cached_property (eager, "Features");
  interfaces = zbus_proxy_get_cached_property (eager, "Interfaces");
  g_assert_nonnull (features);
  g_assert_nonnull (interfaces);
  g_assert_true (g_variant_is_of_type (features, G_VARIANT_TYPE_STRING_ARRAY));
  g_assert_true (g_variant_is_of_type (interfaces, G_VARIANT_TYPE_STRING_ARRAY));
  g_clear_pointer (&features, g_variant_unref);
  features = zbus_proxy_get_dbus_property (proxy, "Features", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_variant_is_of_type (features, G_VARIANT_TYPE_STRING_ARRAY));

  /* NameOwnerChanged as a GObject signal with its detail. */
  other = zbus_test_connect (TRANSPORT_NATIVE);
  g_assert_cmpint (zbus_connection_request_name_sync (other, "org.zbus.Test.Someone",
                                                      ZBUS_REQUEST_NAME_FLAGS_NONE, NULL, &error),
                   ==, ZBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER);
  g_assert_no_error (error);
  for (;;)
    {
      const char *name = NULL, *sender = NULL, *member = NULL;
      GVariant *last;

      wait_until (r.signals->len > 0);
      last = g_ptr_array_index (r.signals, r.signals->len - 1);
      g_variant_get (last, "(m&s&s(&s&s&s))", &sender, &member, &name, NULL, NULL);
      g_assert_cmpstr (sender, ==, "org.freedesktop.DBus");
      g_assert_cmpstr (member, ==, "NameOwnerChanged");
      if (g_strcmp0 (name, "org.zbus.Test.Someone") == 0)
        break;
      g_ptr_array_set_size (r.signals, 0);
    }

  zbus_connection_close_sync (other, NULL, NULL);
  recorder_clear (&r);
}

/* ------------------------------------------------------------------------ */
/* python-dbusmock */

static void
test_mock_cache_modes (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusProxy) eager = NULL;
  g_autoptr(ZbusProxy) lazy = NULL;
  g_autoptr(ZbusProxy) none = NULL;
  g_autoptr(ZbusProxy) uncached = NULL;
  g_autoptr(GVariant) value = NULL;
  g_auto(GStrv) names = NULL;
  const char * const uncached_names[] = { "Name", NULL };
  Recorder r;

  start_mock (fixture, 3);

  /* Eager: everything is there once construction returns. */
  eager = new_mock_proxy (fixture, ZBUS_PROXY_CACHE_MODE_EAGER);
  g_assert_cmpint (cached_int (eager, "Count"), ==, 3);
  names = zbus_proxy_get_cached_property_names (eager);
  g_assert_cmpuint (g_strv_length (names), ==, 2);
  g_assert_cmpstr (names[0], ==, "Count");
  g_assert_cmpstr (names[1], ==, "Name");

  /* Lazy: the first use starts the load, properties-changed ends it. */
  lazy = new_mock_proxy (fixture, ZBUS_PROXY_CACHE_MODE_LAZY);
  recorder_connect (&r, lazy, NULL);
  g_assert_null (zbus_proxy_get_cached_property (lazy, "Count"));
  wait_until (r.properties_changed > 0);
  g_assert_cmpint (cached_int (lazy, "Count"), ==, 3);
  g_assert_true (g_variant_lookup (r.last_changed, "Count", "i", NULL));
  recorder_clear (&r);

  /* None: never cached; reads are Get calls. */
  none = new_mock_proxy (fixture, ZBUS_PROXY_CACHE_MODE_NONE);
  g_assert_null (zbus_proxy_get_cached_property (none, "Count"));
  value = zbus_proxy_get_dbus_property (none, "Count", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_variant_get_int32 (value), ==, 3);
  g_assert_null (zbus_proxy_get_cached_property (none, "Count"));
  g_assert_false (zbus_proxy_refresh_cache (none, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  g_clear_pointer (&value, g_variant_unref);

  /* Uncached properties stay out of the cache. */
  uncached = g_initable_new (ZBUS_TYPE_PROXY, NULL, &error,
                             "connection", fixture->connection, "destination", MOCK_NAME,
                             "object-path", MOCK_PATH, "interface-name", MOCK_IFACE,
                             "cache-mode", ZBUS_PROXY_CACHE_MODE_EAGER,
                             "uncached-properties", uncached_names, NULL);
  g_assert_no_error (error);
  g_assert_cmpint (cached_int (uncached, "Count"), ==, 3);
  g_assert_null (zbus_proxy_get_cached_property (uncached, "Name"));
  value = zbus_proxy_get_dbus_property (uncached, "Name", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_variant_get_string (value, NULL), ==, "mock");
  g_assert_null (zbus_proxy_get_cached_property (uncached, "Name"));
}

static void
set_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GError **out = user_data;

  g_assert_false (zbus_proxy_set_dbus_property_finish (ZBUS_PROXY (object), result, out));
  g_assert_nonnull (*out);
}

static void
test_mock_properties (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) async_error = NULL;
  g_autoptr(ZbusProxy) proxy = NULL;
  g_autoptr(GVariant) value = NULL;
  g_autofree char *remote = NULL;
  int sum = 0;
  Recorder r;

  start_mock (fixture, 1);
  proxy = new_mock_proxy (fixture, ZBUS_PROXY_CACHE_MODE_EAGER);
  recorder_connect (&r, proxy, NULL);

  /* A Set: the mock's PropertiesChanged updates the cache. */
  g_assert_true (zbus_proxy_set_dbus_property (proxy, "Count", g_variant_new_int32 (5), NULL, &error));
  g_assert_no_error (error);
  wait_until (r.properties_changed == 1);
  g_assert_cmpint (cached_int (proxy, "Count"), ==, 5);
  g_assert_true (g_variant_lookup (r.last_changed, "Count", "i", NULL));

  /* Changes made on the service side. */
  mock_control (fixture, "UpdateProperties",
                g_variant_new_parsed ("(%s, {'Count': <int32 9>})", MOCK_IFACE));
  wait_until (r.properties_changed == 2);
  g_assert_cmpint (cached_int (proxy, "Count"), ==, 9);

  /* A property added with AddProperty arrives with a refresh. */
  mock_control (fixture, "AddProperty",
                g_variant_new ("(ssv)", MOCK_IFACE, "Extra", g_variant_new_string ("more")));
  g_assert_null (zbus_proxy_get_cached_property (proxy, "Extra"));
  g_assert_true (zbus_proxy_refresh_cache (proxy, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (r.properties_changed, ==, 3);
  g_assert_true (g_variant_lookup (r.last_changed, "Extra", "&s", NULL));
  g_assert_false (g_variant_lookup (r.last_changed, "Count", "i", NULL));

  /* Invalidated: out of the cache, fetched again on demand. */
  {
    GVariantBuilder args;

    g_variant_builder_init (&args, G_VARIANT_TYPE ("av"));
    g_variant_builder_add (&args, "v", g_variant_new_string (MOCK_IFACE));
    g_variant_builder_add (&args, "v", g_variant_new_parsed ("@a{sv} {}"));
    g_variant_builder_add (&args, "v", g_variant_new_parsed ("['Count']"));
    mock_control (fixture, "EmitSignal",
                  g_variant_new ("(sssav)", "org.freedesktop.DBus.Properties",
                                 "PropertiesChanged", "sa{sv}as", &args));
  }
  wait_until (r.properties_changed == 4);
  g_assert_cmpstrv (r.last_invalidated, ((const char * const[]) { "Count", NULL }));
  g_assert_null (zbus_proxy_get_cached_property (proxy, "Count"));
  value = zbus_proxy_get_dbus_property (proxy, "Count", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_variant_get_int32 (value), ==, 9);
  g_assert_cmpint (cached_int (proxy, "Count"), ==, 9);

  /* A failing Set is reported, sync and async. */
  g_assert_false (zbus_proxy_set_dbus_property (proxy, "NoSuchProperty", g_variant_new_int32 (1),
                                                NULL, &error));
  g_assert_nonnull (error);
  remote = g_dbus_error_get_remote_error (error);
  g_assert_cmpstr (remote, ==, MOCK_IFACE ".UnknownProperty");
  g_clear_error (&error);
  zbus_proxy_set_dbus_property_async (proxy, "NoSuchProperty", g_variant_new_int32 (1), NULL,
                                      set_done_cb, &async_error);
  wait_until (async_error != NULL);
  g_clear_pointer (&remote, g_free);
  remote = g_dbus_error_get_remote_error (async_error);
  g_assert_cmpstr (remote, ==, MOCK_IFACE ".UnknownProperty");

  /* A failing Get too. */
  g_assert_null (zbus_proxy_get_dbus_property (proxy, "NoSuchProperty", NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* Methods added with AddMethod. */
  mock_control (fixture, "AddMethod",
                g_variant_new ("(sssss)", MOCK_IFACE, "Sum", "ii", "i", "ret = args[0] + args[1]"));
  g_clear_pointer (&value, g_variant_unref);
  value = zbus_proxy_call (proxy, "Sum", g_variant_new ("(ii)", 2, 40), G_VARIANT_TYPE ("(i)"),
                           ZBUS_MESSAGE_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (value, "(i)", &sum);
  g_assert_cmpint (sum, ==, 42);

  recorder_clear (&r);
}

static void
test_mock_signals (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusProxy) proxy = NULL;
  g_autoptr(ZbusMessageStream) pings = NULL;
  g_autoptr(ZbusMessageStream) filtered = NULL;
  g_autoptr(ZbusMessageStream) everything = NULL;
  g_autoptr(ZbusMatchRule) rule = NULL;
  g_autoptr(ZbusMessage) message = NULL;
  g_autoptr(ZbusMessage) impostor = NULL;
  g_autofree char *owner = NULL;
  const char * const only_other[] = { "other", NULL };
  const char *sender = NULL, *text = NULL;
  Recorder r;

  start_mock (fixture, 1);
  proxy = new_mock_proxy (fixture, ZBUS_PROXY_CACHE_MODE_LAZY);
  owner = zbus_proxy_dup_name_owner (proxy);
  g_assert_true (g_dbus_is_unique_name (owner));
  recorder_connect (&r, proxy, "Ping");
  pings = zbus_proxy_receive_signal (proxy, "Ping", NULL, NULL, &error);
  g_assert_no_error (error);
  filtered = zbus_proxy_receive_signal (proxy, "Ping", only_other, NULL, &error);
  g_assert_no_error (error);

  /* The proxy's connection sees every signal of the interface, so the
   * impostor's signal does reach it: the proxy must drop it. */
  rule = zbus_match_rule_new_from_string ("type='signal',interface='" MOCK_IFACE "'", &error);
  g_assert_no_error (error);
  everything = zbus_message_stream_new_for_match_rule (fixture->connection, rule, 0, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (zbus_connection_emit_signal (fixture->control, NULL, MOCK_PATH, MOCK_IFACE, "Ping",
                                              g_variant_new ("(s)", "impostor"), &error));
  g_assert_no_error (error);
  impostor = zbus_message_stream_timed_pop (everything, WAIT_USEC, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (zbus_message_get_sender (impostor), ==,
                   zbus_connection_get_unique_name (fixture->control));

  mock_emit_ping (fixture, "hello");
  wait_until (r.signals->len > 0);
  g_assert_cmpuint (r.signals->len, ==, 1);
  g_variant_get (g_ptr_array_index (r.signals, 0), "(m&s&s(&s))", &sender, NULL, &text);
  g_assert_cmpstr (sender, ==, owner);
  g_assert_cmpstr (text, ==, "hello");

  message = zbus_message_stream_timed_pop (pings, WAIT_USEC, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (zbus_message_get_sender (message), ==, owner);
  g_assert_cmpstr (zbus_message_get_member (message), ==, "Ping");
  g_assert_null (zbus_message_stream_try_pop (pings));  /* not the impostor's */
  g_assert_null (zbus_message_stream_try_pop (filtered));
  g_clear_pointer (&message, zbus_message_unref);

  mock_emit_ping (fixture, "other");
  message = zbus_message_stream_timed_pop (filtered, WAIT_USEC, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (zbus_message_get_body (message), "(&s)", &text);
  g_assert_cmpstr (text, ==, "other");

  /* The stream ends with the proxy. */
  g_clear_object (&proxy);
  g_assert_true (zbus_message_stream_is_closed (pings));
  recorder_clear (&r);
}

static void
test_mock_owner_change (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusProxy) proxy = NULL;
  g_autoptr(ZbusProxy) late = NULL;
  g_autoptr(ZbusMessageStream) pings = NULL;
  g_autoptr(ZbusMessage) message = NULL;
  g_autofree char *first_owner = NULL;
  g_autofree char *second_owner = NULL;
  g_autofree char *late_owner = NULL;
  Recorder r;
  Recorder lr;

  /* A proxy made before the service starts. */
  late = new_mock_proxy (fixture, ZBUS_PROXY_CACHE_MODE_EAGER);
  g_assert_null (zbus_proxy_dup_name_owner (late));
  g_assert_null (zbus_proxy_get_cached_property (late, "Count"));
  recorder_connect (&lr, late, "Ping");

  start_mock (fixture, 1);
  proxy = new_mock_proxy (fixture, ZBUS_PROXY_CACHE_MODE_EAGER);
  recorder_connect (&r, proxy, "Ping");
  first_owner = zbus_proxy_dup_name_owner (proxy);
  g_assert_nonnull (first_owner);
  g_assert_cmpint (cached_int (proxy, "Count"), ==, 1);
  pings = zbus_proxy_receive_signal (proxy, "Ping", NULL, NULL, &error);
  g_assert_no_error (error);

  /* The late proxy sees the start, and fetches. */
  wait_until (lr.properties_changed > 0);
  late_owner = zbus_proxy_dup_name_owner (late);
  g_assert_cmpstr (late_owner, ==, first_owner);
  g_assert_cmpuint (lr.owner_notifies, ==, 1);
  g_assert_cmpint (cached_int (late, "Count"), ==, 1);

  /* The service goes away: the cache empties. */
  stop_mock (fixture);
  wait_until (r.owner_notifies == 1);
  g_assert_null (zbus_proxy_dup_name_owner (proxy));
  g_assert_cmpuint (r.cache_resets, ==, 1);
  g_assert_null (zbus_proxy_get_cached_property (proxy, "Count"));

  /* It comes back with other values: fetched again, signals flow. */
  start_mock (fixture, 7);
  wait_until (r.owner_notifies == 2 && r.properties_changed > 0);
  second_owner = zbus_proxy_dup_name_owner (proxy);
  g_assert_nonnull (second_owner);
  g_assert_cmpstr (second_owner, !=, first_owner);
  g_assert_cmpuint (r.cache_resets, ==, 2);
  wait_until (has_cached (proxy, "Count"));
  g_assert_cmpint (cached_int (proxy, "Count"), ==, 7);

  mock_emit_ping (fixture, "again");
  wait_until (r.signals->len > 0 && lr.signals->len > 0);
  message = zbus_message_stream_timed_pop (pings, WAIT_USEC, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (zbus_message_get_sender (message), ==, second_owner);

  recorder_clear (&r);
  recorder_clear (&lr);
}

/* ------------------------------------------------------------------------ */
/* Our own service: a ZbusInterface on another connection */

#define TEST_TYPE_THING (test_thing_get_type ())
G_DECLARE_FINAL_TYPE (TestThing, test_thing, TEST, THING, ZbusInterface)

struct _TestThing
{
  ZbusInterface parent_instance;
  int count;
};

G_DEFINE_FINAL_TYPE (TestThing, test_thing, ZBUS_TYPE_INTERFACE)

static void
test_thing_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  g_value_set_int (value, TEST_THING (object)->count);
}

static void
test_thing_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  TEST_THING (object)->count = g_value_get_int (value);
}

static int
test_thing_add (TestThing *self,
                int        a,
                int        b)
{
  return a + b;
}

static void
test_thing_class_init (TestThingClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = test_thing_get_property;
  object_class->set_property = test_thing_set_property;
  g_object_class_install_property (object_class, 1,
    g_param_spec_int ("count", NULL, NULL, 0, 1000, 0, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_signal_new ("pinged", TEST_TYPE_THING, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                G_TYPE_NONE, 1, G_TYPE_STRING);
  g_signal_new_class_handler ("add", TEST_TYPE_THING, G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
                              G_CALLBACK (test_thing_add), NULL, NULL, NULL,
                              G_TYPE_INT, 2, G_TYPE_INT, G_TYPE_INT);
  zbus_interface_type_set_name (TEST_TYPE_THING, "org.zbus.ProxyTest");
}

static void
test_thing_init (TestThing *self)
{
}

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
test_own_service (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusConnection) server = zbus_test_connect (TRANSPORT_NATIVE);
  g_autoptr(TestThing) thing = g_object_new (TEST_TYPE_THING, "count", 4, NULL);
  g_autoptr(ZbusProxy) proxy = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GVariant) reply = NULL;
  const char *text = NULL;
  int sum = 0;
  Recorder r;

  g_assert_true (zbus_object_server_at (zbus_object_server_get_for_connection (server),
                                        "/org/zbus/thing", ZBUS_INTERFACE (thing), &error));
  g_assert_no_error (error);

  /* Served in this thread: everything goes async. */
  zbus_proxy_new_async (fixture->connection, zbus_connection_get_unique_name (server),
                        "/org/zbus/thing", "org.zbus.ProxyTest", ZBUS_PROXY_CACHE_MODE_EAGER,
                        NULL, store_result_cb, &result);
  wait_until (result != NULL);
  proxy = zbus_proxy_new_finish (result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  recorder_connect (&r, proxy, NULL);
  g_assert_cmpint (cached_int (proxy, "Count"), ==, 4);

  zbus_proxy_call_async (proxy, "Add", g_variant_new ("(ii)", 20, 22), G_VARIANT_TYPE ("(i)"),
                         ZBUS_MESSAGE_FLAGS_NONE, -1, NULL, store_result_cb, &result);
  wait_until (result != NULL);
  reply = zbus_proxy_call_finish (proxy, result, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(i)", &sum);
  g_assert_cmpint (sum, ==, 42);
  g_clear_object (&result);

  g_object_set (thing, "count", 11, NULL);
  wait_until (r.properties_changed > 0);
  g_assert_cmpint (cached_int (proxy, "Count"), ==, 11);

  g_signal_emit_by_name (thing, "pinged", "from us");
  wait_until (r.signals->len > 0);
  g_variant_get (g_ptr_array_index (r.signals, 0), "(m&s&s(&s))", NULL, NULL, &text);
  g_assert_cmpstr (text, ==, "from us");

  zbus_proxy_set_dbus_property_async (proxy, "Count", g_variant_new_int32 (30), NULL,
                                      store_result_cb, &result);
  wait_until (result != NULL);
  g_assert_true (zbus_proxy_set_dbus_property_finish (proxy, result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (thing->count, ==, 30);
  wait_until (r.properties_changed > 1);
  g_assert_cmpint (cached_int (proxy, "Count"), ==, 30);

  zbus_connection_close_sync (server, NULL, NULL);
  wait_until (r.owner_notifies > 0);
  g_assert_null (zbus_proxy_dup_name_owner (proxy));
  recorder_clear (&r);
}

static void
test_bad_names (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  ZbusProxy *proxy;

  proxy = zbus_proxy_new (fixture->connection, "not a name", "/a", "a.b", ZBUS_PROXY_CACHE_MODE_NONE,
                          NULL, &error);
  g_assert_null (proxy);
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME);
  g_clear_error (&error);
  proxy = zbus_proxy_new (fixture->connection, NULL, "bad/path", "a.b", ZBUS_PROXY_CACHE_MODE_NONE,
                          NULL, &error);
  g_assert_null (proxy);
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME);
  g_clear_error (&error);
  proxy = zbus_proxy_new (fixture->connection, NULL, "/a", "nodots", ZBUS_PROXY_CACHE_MODE_NONE,
                          NULL, &error);
  g_assert_null (proxy);
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME);
  g_clear_error (&error);
}

/* A proxy checks its names once, when it is made; a call still checks
 * the method's name, with the connection's error, sync and async, and
 * nothing is sent. */
static void
test_bad_method_name (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) conn_error = NULL;
  g_autoptr(ZbusProxy) proxy = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) conn_reply = NULL;

  proxy = zbus_proxy_new (fixture->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                          "org.freedesktop.DBus", ZBUS_PROXY_CACHE_MODE_NONE, NULL, &error);
  g_assert_no_error (error);

  reply = zbus_proxy_call (proxy, "not a member", g_variant_new ("(s)", "x"), NULL,
                           ZBUS_MESSAGE_FLAGS_NONE, -1, NULL, &error);
  g_assert_null (reply);
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME);
  conn_reply = zbus_connection_call_sync (fixture->connection, "org.freedesktop.DBus",
                                          "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                          "not a member", g_variant_new ("(s)", "x"), NULL,
                                          ZBUS_MESSAGE_FLAGS_NONE, -1, NULL, &conn_error);
  g_assert_null (conn_reply);
  g_assert_error (conn_error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME);
  g_assert_cmpstr (error->message, ==, conn_error->message);
  g_clear_error (&error);

  zbus_proxy_call_async (proxy, "1Bad", NULL, NULL, ZBUS_MESSAGE_FLAGS_NONE, -1, NULL,
                         store_result_cb, &result);
  wait_until (result != NULL);
  reply = zbus_proxy_call_finish (proxy, result, &error);
  g_assert_null (reply);
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME);
  g_clear_error (&error);

  /* And a good one goes through. */
  reply = zbus_proxy_call (proxy, "GetId", NULL, G_VARIANT_TYPE ("(s)"), ZBUS_MESSAGE_FLAGS_NONE,
                           -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (reply);
}

/* ------------------------------------------------------------------------ */
/* Construction that fails */

/* The match rules the bus holds for @connection (the bus's Debug.Stats
 * interface). */
static guint32
n_match_rules (ZbusConnection *connection)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) stats = NULL;
  g_autoptr(GError) error = NULL;
  guint32 n = 0;

  reply = zbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                     "org.freedesktop.DBus.Debug.Stats", "GetConnectionStats",
                                     g_variant_new ("(s)", zbus_connection_get_unique_name (connection)),
                                     G_VARIANT_TYPE ("(a{sv})"), ZBUS_MESSAGE_FLAGS_NONE, -1,
                                     NULL, &error);
  g_assert_no_error (error);
  stats = g_variant_get_child_value (reply, 0);
  g_assert_true (g_variant_lookup (stats, "MatchRules", "u", &n));
  return n;
}

/* ------------------------------------------------------------------------ */
/* A raw service */

#define RAW_NAME "org.zbus.ProxyRaw"
#define RAW_IFACE "org.zbus.ProxyRaw"

static void
raw_emit_count (GDBusConnection *connection,
                int              count)
{
  g_autoptr(GError) error = NULL;

  g_dbus_connection_emit_signal (connection, NULL, MOCK_PATH, "org.freedesktop.DBus.Properties",
                                 "PropertiesChanged",
                                 g_variant_new_parsed ("(%s, {'Count': <%i>}, @as [])",
                                                       RAW_IFACE, count),
                                 &error);
  g_assert_no_error (error);
}

/* GDBus's worker thread: GetAll is answered with Count = 2, after a
 * PropertiesChanged that says Count = 1; or, with a cancellable as
 * @user_data, cancels it and is never answered. */
static GDBusMessage *
raw_filter_cb (GDBusConnection *connection,
               GDBusMessage    *message,
               gboolean         incoming,
               gpointer         user_data)
{
  g_autoptr(GDBusMessage) reply = NULL;

  if (!incoming ||
      g_dbus_message_get_message_type (message) != G_DBUS_MESSAGE_TYPE_METHOD_CALL ||
      g_strcmp0 (g_dbus_message_get_member (message), "GetAll") != 0)
    return message;

  if (user_data != NULL)
    {
      g_cancellable_cancel (user_data);
      g_object_unref (message);
      return NULL;
    }

  raw_emit_count (connection, 1);
  reply = g_dbus_message_new_method_reply (message);
  g_dbus_message_set_body (reply, g_variant_new_parsed ("({'Count': <2>},)"));
  g_dbus_connection_send_message (connection, reply, G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL, NULL);
  g_object_unref (message);
  return NULL;
}

static GDBusConnection *
raw_service_new (GCancellable *cancellable)
{
  g_autoptr(GDBusConnection) service = zbus_test_connect_gdbus ();
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  g_dbus_connection_add_filter (service, raw_filter_cb, cancellable, NULL);
  reply = g_dbus_connection_call_sync (service, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", RAW_NAME, 0), G_VARIANT_TYPE ("(u)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&service);
}

static void
raw_service_free (GDBusConnection *service)
{
  g_dbus_connection_close_sync (service, NULL, NULL);
  g_object_unref (service);
}

static ZbusProxy *
new_uninitialized_proxy (Fixture *fixture)
{
  return g_object_new (ZBUS_TYPE_PROXY,
                       "connection", fixture->connection,
                       "destination", RAW_NAME,
                       "object-path", MOCK_PATH,
                       "interface-name", RAW_IFACE,
                       "cache-mode", ZBUS_PROXY_CACHE_MODE_EAGER,
                       NULL);
}

/* A proxy whose construction failed (cancelled while its eager GetAll
 * waits, its match rules in place), and that its owner keeps (made in two
 * steps), stops listening: its match rules leave the bus. */
static void
test_failed_init (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GDBusConnection *service;
  g_autoptr(ZbusProxy) sync_proxy = NULL;
  g_autoptr(ZbusProxy) async_proxy = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint32 n_before;

  service = raw_service_new (cancellable);
  n_before = n_match_rules (fixture->connection);

  sync_proxy = new_uninitialized_proxy (fixture);
  g_assert_false (g_initable_init (G_INITABLE (sync_proxy), cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (n_match_rules (fixture->connection), ==, n_before);
  /* Trying again gives the same answer. */
  g_assert_false (g_initable_init (G_INITABLE (sync_proxy), NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  g_cancellable_reset (cancellable);
  async_proxy = new_uninitialized_proxy (fixture);
  g_async_initable_init_async (G_ASYNC_INITABLE (async_proxy), G_PRIORITY_DEFAULT, cancellable,
                               store_result_cb, &result);
  wait_until (result != NULL);
  g_assert_false (g_async_initable_init_finish (G_ASYNC_INITABLE (async_proxy), result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (n_match_rules (fixture->connection), ==, n_before);

  raw_service_free (service);
}

/* ------------------------------------------------------------------------ */
/* Changes older than the snapshot */

static void
count_changed_cb (ZbusProxy          *proxy,
                  GVariant           *changed,
                  const char * const *invalidated,
                  GArray             *counts)
{
  int count;

  if (g_variant_lookup (changed, "Count", "i", &count))
    g_array_append_val (counts, count);
}

/* A PropertiesChanged the service sent before its GetAll answer brings
 * nothing new: the cache keeps the newer value and nothing announces the
 * older one. */
static void
test_changes_before_snapshot (Fixture       *fixture,
                              gconstpointer  data)
{
  GDBusConnection *service = raw_service_new (NULL);
  g_autoptr(ZbusProxy) proxy = NULL;
  g_autoptr(GArray) counts = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GError) error = NULL;

  proxy = zbus_proxy_new (fixture->connection, RAW_NAME, MOCK_PATH, RAW_IFACE,
                          ZBUS_PROXY_CACHE_MODE_EAGER, NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (proxy, "properties-changed", G_CALLBACK (count_changed_cb), counts);
  g_assert_cmpint (cached_int (proxy, "Count"), ==, 2);

  /* A later change comes after the old one: once it is there, the old
   * one was handled. */
  raw_emit_count (service, 3);
  wait_until (counts->len > 0 && g_array_index (counts, int, counts->len - 1) == 3);
  g_assert_cmpuint (counts->len, ==, 1);
  g_assert_cmpint (cached_int (proxy, "Count"), ==, 3);

  g_signal_handlers_disconnect_by_data (proxy, counts);
  raw_service_free (service);
}

/* ------------------------------------------------------------------------ */
/* A context that is not the thread-default one */

/* A proxy of another context than the default one, which runs without
 * being made thread-default: when the service starts, the properties of
 * the new owner arrive there, not in the default context (which does not
 * run). */
static void
test_other_context (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(ZbusConnection) connection = NULL;
  g_autoptr(ZbusProxy) proxy = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline;
  Recorder r;

  g_main_context_push_thread_default (context);
  connection = zbus_test_connect (GPOINTER_TO_INT (data));
  proxy = zbus_proxy_new (connection, MOCK_NAME, MOCK_PATH, MOCK_IFACE,
                          ZBUS_PROXY_CACHE_MODE_EAGER, NULL, &error);
  g_assert_no_error (error);
  g_main_context_pop_thread_default (context);
  recorder_connect (&r, proxy, NULL);
  g_assert_null (zbus_proxy_dup_name_owner (proxy));

  start_mock (fixture, 5);
  deadline = g_get_monotonic_time () + WAIT_USEC;
  while (!has_cached (proxy, "Count"))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (context, FALSE);
      g_usleep (1000);
    }
  g_assert_cmpint (cached_int (proxy, "Count"), ==, 5);
  g_assert_cmpuint (r.owner_notifies, ==, 1);
  g_assert_cmpuint (r.properties_changed, ==, 1);

  g_clear_object (&proxy);
  zbus_connection_close_sync (connection, NULL, NULL);
  while (g_main_context_iteration (context, FALSE));
  g_assert_finalize_object (g_steal_pointer (&connection));
  recorder_clear (&r);
}

/* ------------------------------------------------------------------------ */
/* An activatable service */

/* An eager proxy made asynchronously for an activatable service that is
 * not running does not start it (its GetAll goes out before the owner is
 * known); a call does. */
static void
test_async_no_auto_start (gconstpointer data)
{
  Transport transport = GPOINTER_TO_INT (data);
  g_autoptr(GTestDBus) bus = NULL;
  g_autoptr(ZbusConnection) connection = NULL;
  g_autoptr(ZbusProxy) proxy = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) pid = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *service_file = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *owner = NULL;
  const char *template = g_test_get_filename (G_TEST_DIST, "proxy-mock-template.py", NULL);
  guint32 mock_pid;
  int saved_stdout;
  Recorder r;

  zbus_test_set_cloexec_on_all_fds ();
  dir = g_dir_make_tmp ("zbus-proxy-XXXXXX", &error);
  g_assert_no_error (error);
  service_file = g_build_filename (dir, MOCK_NAME ".service", NULL);
  contents = g_strdup_printf ("[D-BUS Service]\nName=" MOCK_NAME "\n"
                              "Exec=/usr/bin/python3 -m dbusmock --session -t %s\n",
                              template);
  g_file_set_contents (service_file, contents, -1, &error);
  g_assert_no_error (error);

  bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_add_service_dir (bus, dir);
  /* dbus-daemon logs each activation on the stdout it inherits: give it
   * stderr, so the TAP stream stays clean. */
  saved_stdout = fcntl (STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
  g_assert_cmpint (saved_stdout, >=, 0);
  fflush (stdout);
  g_assert_cmpint (dup2 (STDERR_FILENO, STDOUT_FILENO), ==, STDOUT_FILENO);
  g_test_dbus_up (bus);
  g_assert_cmpint (dup2 (saved_stdout, STDOUT_FILENO), ==, STDOUT_FILENO);
  close (saved_stdout);
  connection = zbus_test_connect (transport);

  zbus_proxy_new_async (connection, MOCK_NAME, MOCK_PATH, MOCK_IFACE,
                        ZBUS_PROXY_CACHE_MODE_EAGER, NULL, store_result_cb, &result);
  wait_until (result != NULL);
  proxy = zbus_proxy_new_finish (result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  recorder_connect (&r, proxy, NULL);
  g_assert_null (zbus_proxy_dup_name_owner (proxy));
  g_assert_null (zbus_proxy_get_cached_property (proxy, "Count"));
  g_assert_false (name_has_owner (connection, MOCK_NAME));

  /* The bus can start it (so the service file works), and the proxy
   * follows. */
  reply = zbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                     "org.freedesktop.DBus", "StartServiceByName",
                                     g_variant_new ("(su)", MOCK_NAME, 0), G_VARIANT_TYPE ("(u)"),
                                     ZBUS_MESSAGE_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  wait_until (has_cached (proxy, "Count"));
  g_assert_cmpint (cached_int (proxy, "Count"), ==, 1);
  owner = zbus_proxy_dup_name_owner (proxy);
  g_assert_nonnull (owner);

  /* The bus started the mock: stop it before the bus goes. */
  pid = zbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                   "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                   g_variant_new ("(s)", owner), G_VARIANT_TYPE ("(u)"),
                                   ZBUS_MESSAGE_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (pid, "(u)", &mock_pid);
  kill ((pid_t) mock_pid, SIGTERM);
  wait_until (r.owner_notifies == 2);

  recorder_clear (&r);
  g_clear_object (&proxy);
  zbus_connection_close_sync (connection, NULL, NULL);
  while (g_main_context_iteration (NULL, FALSE));
  g_assert_finalize_object (g_steal_pointer (&connection));
  g_test_dbus_down (bus);
  g_unlink (service_file);
  g_rmdir (dir);
}

/* ------------------------------------------------------------------------ */
/* The cache, read from other threads */

typedef struct
{
  ZbusProxy *proxy;
  gint stop;          /* (atomic) */
  gint reads;         /* (atomic) */
  gboolean in_order;
} Reader;

/* Reads the cache in a thread whose own context is thread-default: in the
 * lazy mode, that starts the load, whose answer must still go to the
 * proxy's context. */
static gpointer
first_read_thread (gpointer data)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GVariant) value = NULL;

  g_main_context_push_thread_default (context);
  value = zbus_proxy_get_cached_property (data, "Count");
  g_main_context_pop_thread_default (context);
  return value == NULL ? GINT_TO_POINTER (1) : NULL;
}

static gpointer
reader_thread (gpointer data)
{
  Reader *reader = data;
  int last = 0;

  reader->in_order = TRUE;
  while (!g_atomic_int_get (&reader->stop))
    {
      g_autoptr(GVariant) value = zbus_proxy_get_cached_property (reader->proxy, "Count");
      g_auto(GStrv) names = zbus_proxy_get_cached_property_names (reader->proxy);

      if (value != NULL)
        {
          if (g_variant_get_int32 (value) < last)
            reader->in_order = FALSE;
          last = g_variant_get_int32 (value);
        }
      g_atomic_int_inc (&reader->reads);
    }
  return NULL;
}

/* Any thread may read the cache while the proxy's context changes it;
 * the first read of a lazy cache, in another thread, fills it on the
 * proxy's context. */
static void
test_cache_other_thread (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusConnection) server = zbus_test_connect (TRANSPORT_NATIVE);
  g_autoptr(TestThing) thing = g_object_new (TEST_TYPE_THING, "count", 4, NULL);
  g_autoptr(ZbusProxy) proxy = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  Reader reader = { NULL, };
  GThread *thread;

  g_assert_true (zbus_object_server_at (zbus_object_server_get_for_connection (server),
                                        "/org/zbus/thing", ZBUS_INTERFACE (thing), &error));
  g_assert_no_error (error);
  zbus_proxy_new_async (fixture->connection, zbus_connection_get_unique_name (server),
                        "/org/zbus/thing", "org.zbus.ProxyTest", ZBUS_PROXY_CACHE_MODE_LAZY,
                        NULL, store_result_cb, &result);
  wait_until (result != NULL);
  proxy = zbus_proxy_new_finish (result, &error);
  g_assert_no_error (error);

  thread = g_thread_new ("first-read", first_read_thread, proxy);
  g_assert_nonnull (g_thread_join (thread));
  wait_until (has_cached (proxy, "Count"));
  g_assert_cmpint (cached_int (proxy, "Count"), ==, 4);

  reader.proxy = proxy;
  thread = g_thread_new ("reader", reader_thread, &reader);
  /* The reader is under way before the changes start (it wakes no
   * context: poll for it). */
  while (g_atomic_int_get (&reader.reads) == 0)
    g_usleep (1000);
  for (int i = 5; i <= 200; i++)
    g_object_set (thing, "count", i, NULL);
  wait_until (cached_int (proxy, "Count") == 200);
  g_atomic_int_set (&reader.stop, TRUE);
  g_thread_join (thread);
  g_assert_cmpint (g_atomic_int_get (&reader.reads), >, 0);
  g_assert_true (reader.in_order);

  zbus_connection_close_sync (server, NULL, NULL);
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
  g_test_summary ("ZbusProxy against the bus daemon, python-dbusmock and a ZbusInterface");

  for (guint i = 0; i < G_N_ELEMENTS (transports); i++)
    {
      gconstpointer t = GINT_TO_POINTER (transports[i].transport);
#define ADD(path, func) \
      G_STMT_START { \
        g_autofree char *full = g_strdup_printf ("/Zbus/Proxy/%s/%s", transports[i].name, path); \
        g_test_add (full, Fixture, t, fixture_setup, func, fixture_teardown); \
      } G_STMT_END
      ADD ("bus-daemon", test_bus_daemon);
      ADD ("mock-cache-modes", test_mock_cache_modes);
      ADD ("mock-properties", test_mock_properties);
      ADD ("mock-signals", test_mock_signals);
      ADD ("mock-owner-change", test_mock_owner_change);
      ADD ("own-service", test_own_service);
      ADD ("bad-names", test_bad_names);
      ADD ("bad-method-name", test_bad_method_name);
      ADD ("failed-init", test_failed_init);
      ADD ("changes-before-snapshot", test_changes_before_snapshot);
      ADD ("other-context", test_other_context);
      ADD ("cache-other-thread", test_cache_other_thread);
#undef ADD
      {
        g_autofree char *full = g_strdup_printf ("/Zbus/Proxy/%s/async-no-auto-start",
                                                 transports[i].name);
        g_test_add_data_func (full, t, test_async_no_auto_start);
      }
    }

  return g_test_run ();
}
