/* test-interface-converters.c: types without a D-Bus mapping of their own,
 * given one with zbus_interface_register_converter()
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "zbus-gobject.h"
#include "test-util.h"

/* GDateTime travels as `x`, seconds since the epoch. */
static GVariant *
date_time_to_variant (const GValue  *value,
                      gpointer       user_data,
                      GError       **error)
{
  GDateTime *dt = g_value_get_boxed (value);

  if (dt == NULL)
    {
      g_set_error_literal (error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED, "no date");
      return NULL;
    }
  return g_variant_new_int64 (g_date_time_to_unix (dt));
}

static GValue *
date_time_from_variant (GVariant  *variant,
                        gpointer   user_data,
                        GError   **error)
{
  GValue *value;
  gint64 seconds = g_variant_get_int64 (variant);
  GDateTime *dt;

  if (seconds < 0)
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                   "%" G_GINT64_FORMAT " is before 1970", seconds);
      return NULL;
    }
  dt = g_date_time_new_from_unix_utc (seconds);
  value = g_new0 (GValue, 1);
  g_value_init (value, G_TYPE_DATE_TIME);
  g_value_take_boxed (value, dt);
  return value;
}

/* A GHashTable of strings travels as `a{ss}`. */
static GVariant *
table_to_variant (const GValue  *value,
                  gpointer       user_data,
                  GError       **error)
{
  GHashTable *table = g_value_get_boxed (value);
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{ss}"));
  GHashTableIter iter;
  gpointer k, v;

  if (table != NULL)
    {
      g_hash_table_iter_init (&iter, table);
      while (g_hash_table_iter_next (&iter, &k, &v))
        g_variant_builder_add (&builder, "{ss}", k, v);
    }
  return g_variant_builder_end (&builder);
}

static GValue *
table_from_variant (GVariant  *variant,
                    gpointer   user_data,
                    GError   **error)
{
  GValue *value = g_new0 (GValue, 1);
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GVariantIter iter;
  char *k, *v;

  g_variant_iter_init (&iter, variant);
  while (g_variant_iter_next (&iter, "{ss}", &k, &v))
    g_hash_table_insert (table, k, v);
  g_value_init (value, G_TYPE_HASH_TABLE);
  g_value_take_boxed (value, table);
  return value;
}

static void
register_converters (void)
{
  g_assert_true (zbus_interface_register_converter (G_TYPE_DATE_TIME, "x",
                                                    date_time_to_variant, NULL, NULL,
                                                    date_time_from_variant, NULL, NULL));
  g_assert_true (zbus_interface_register_converter (G_TYPE_HASH_TABLE, "a{ss}",
                                                    table_to_variant, NULL, NULL,
                                                    table_from_variant, NULL, NULL));
  /* One converter a type. */
  g_assert_false (zbus_interface_register_converter (G_TYPE_DATE_TIME, "s",
                                                     date_time_to_variant, NULL, NULL,
                                                     date_time_from_variant, NULL, NULL));
}

static void
count_destroy (gpointer data)
{
  (*(guint *) data)++;
}

/* A converter refused (its type has one) has its data freed at once. */
static void
test_refused_destroyed (void)
{
  guint to_freed = 0;
  guint from_freed = 0;

  g_assert_false (zbus_interface_register_converter (G_TYPE_DATE_TIME, "s",
                                                     date_time_to_variant, &to_freed, count_destroy,
                                                     date_time_from_variant, &from_freed, count_destroy));
  g_assert_cmpuint (to_freed, ==, 1);
  g_assert_cmpuint (from_freed, ==, 1);

  /* Only the destroy notify given is called. */
  to_freed = from_freed = 0;
  g_assert_false (zbus_interface_register_converter (G_TYPE_DATE_TIME, "s",
                                                     date_time_to_variant, &to_freed, NULL,
                                                     date_time_from_variant, &from_freed, count_destroy));
  g_assert_cmpuint (to_freed, ==, 0);
  g_assert_cmpuint (from_freed, ==, 1);
}

/* ------------------------------------------------------------------------ */
/* org.zbus.Calendar */

#define TEST_TYPE_CALENDAR (test_calendar_get_type ())
G_DECLARE_FINAL_TYPE (TestCalendar, test_calendar, TEST, CALENDAR, ZbusInterface)

struct _TestCalendar
{
  ZbusInterface  parent_instance;
  GDateTime     *when;
};

G_DEFINE_FINAL_TYPE (TestCalendar, test_calendar, ZBUS_TYPE_INTERFACE)

enum { PROP_0, PROP_WHEN, N_PROPS };
enum { SIGNAL_COUNT_ENTRIES, SIGNAL_MOVED, N_SIGNALS };
static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
test_calendar_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  g_value_set_boxed (value, TEST_CALENDAR (object)->when);
}

static void
test_calendar_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  TestCalendar *self = TEST_CALENDAR (object);

  g_clear_pointer (&self->when, g_date_time_unref);
  self->when = g_value_dup_boxed (value);
  g_object_notify_by_pspec (object, pspec);
}

static guint
test_calendar_count_entries (TestCalendar *self,
                             GHashTable   *entries)
{
  return g_hash_table_size (entries) + (g_hash_table_contains (entries, "bonus") ? 100 : 0);
}

static void
test_calendar_finalize (GObject *object)
{
  g_clear_pointer (&TEST_CALENDAR (object)->when, g_date_time_unref);
  G_OBJECT_CLASS (test_calendar_parent_class)->finalize (object);
}

static void
test_calendar_class_init (TestCalendarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = test_calendar_get_property;
  object_class->set_property = test_calendar_set_property;
  object_class->finalize = test_calendar_finalize;

  properties[PROP_WHEN] =
    g_param_spec_boxed ("when", NULL, NULL, G_TYPE_DATE_TIME,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_COUNT_ENTRIES] =
    g_signal_new_class_handler ("count-entries", G_TYPE_FROM_CLASS (klass),
                                G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
                                G_CALLBACK (test_calendar_count_entries), NULL, NULL, NULL,
                                G_TYPE_UINT, 1, G_TYPE_HASH_TABLE);
  signals[SIGNAL_MOVED] =
    g_signal_new ("moved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_DATE_TIME);

  zbus_interface_type_set_name (G_TYPE_FROM_CLASS (klass), "org.zbus.Calendar");
}

static void
test_calendar_init (TestCalendar *self)
{
  self->when = g_date_time_new_from_unix_utc (86400);
}

/* ------------------------------------------------------------------------ */

typedef struct
{
  GTestDBus        *bus;
  ZbusConnection   *server_conn;
  TestCalendar     *calendar;
  GDBusConnection  *client;
  GPtrArray        *signals;
  guint             subscription;
} Fixture;

static void
signal_cb (GDBusConnection *connection,
           const char      *sender,
           const char      *path,
           const char      *interface_,
           const char      *member,
           GVariant        *parameters,
           gpointer         user_data)
{
  Fixture *fixture = user_data;

  g_ptr_array_add (fixture->signals, g_variant_new ("(s@*)", member, parameters));
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  zbus_test_set_cloexec_on_all_fds ();
  fixture->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (fixture->bus);
  fixture->server_conn = zbus_test_connect (GPOINTER_TO_INT (data));
  fixture->calendar = g_object_new (TEST_TYPE_CALENDAR, NULL);
  g_assert_true (zbus_object_server_at (zbus_object_server_get_for_connection (fixture->server_conn),
                                        "/calendar", ZBUS_INTERFACE (fixture->calendar), &error));
  g_assert_no_error (error);
  fixture->client = zbus_test_connect_gdbus ();
  fixture->signals = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  fixture->subscription = g_dbus_connection_signal_subscribe (fixture->client, NULL, NULL, NULL,
                                                              "/calendar", NULL,
                                                              G_DBUS_SIGNAL_FLAGS_NONE,
                                                              signal_cb, fixture, NULL);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_dbus_connection_signal_unsubscribe (fixture->client, fixture->subscription);
  g_dbus_connection_close_sync (fixture->client, NULL, NULL);
  g_clear_object (&fixture->client);
  zbus_connection_close_sync (fixture->server_conn, NULL, NULL);
  g_clear_object (&fixture->server_conn);
  while (g_main_context_iteration (NULL, FALSE));
  g_assert_finalize_object (fixture->calendar);
  g_ptr_array_unref (fixture->signals);
  g_test_dbus_down (fixture->bus);
  g_clear_object (&fixture->bus);
}

typedef struct
{
  GVariant *value;
  GError   *error;
  gboolean  done;
} CallResult;

static void
call_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  CallResult *r = user_data;

  r->value = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &r->error);
  r->done = TRUE;
}

static GVariant *
call (Fixture     *fixture,
      const char  *interface_,
      const char  *method,
      GVariant    *args,
      GError     **error)
{
  CallResult r = { NULL, NULL, FALSE };

  g_dbus_connection_call (fixture->client, zbus_connection_get_unique_name (fixture->server_conn),
                          "/calendar", interface_, method, args, NULL, G_DBUS_CALL_FLAGS_NONE, 5000,
                          NULL, call_done_cb, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  if (r.error != NULL)
    g_propagate_error (error, r.error);
  return r.value;
}

static void
test_property (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) got = NULL;
  g_autoptr(GVariant) set = NULL;
  g_autoptr(GVariant) bad = NULL;
  gint64 seconds;

  got = call (fixture, "org.freedesktop.DBus.Properties", "Get",
              g_variant_new ("(ss)", "org.zbus.Calendar", "When"), &error);
  g_assert_no_error (error);
  {
    g_autoptr(GVariant) v = NULL;

    g_variant_get (got, "(v)", &v);
    g_assert_true (g_variant_is_of_type (v, G_VARIANT_TYPE_INT64));
    g_assert_cmpint (g_variant_get_int64 (v), ==, 86400);
  }

  set = call (fixture, "org.freedesktop.DBus.Properties", "Set",
              g_variant_new ("(ssv)", "org.zbus.Calendar", "When", g_variant_new_int64 (1000000)),
              &error);
  g_assert_no_error (error);
  seconds = g_date_time_to_unix (fixture->calendar->when);
  g_assert_cmpint (seconds, ==, 1000000);

  /* The converter refuses: InvalidArgs with its message. */
  bad = call (fixture, "org.freedesktop.DBus.Properties", "Set",
              g_variant_new ("(ssv)", "org.zbus.Calendar", "When", g_variant_new_int64 (-5)), &error);
  g_assert_null (bad);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_assert_nonnull (strstr (error->message, "before 1970"));
  g_assert_cmpint (g_date_time_to_unix (fixture->calendar->when), ==, 1000000);
}

static void
test_method_and_signal (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) ping = NULL;
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (42);
  g_auto(GVariantBuilder) entries = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{ss}"));
  guint count;
  gboolean seen = FALSE;

  g_variant_builder_add (&entries, "{ss}", "a", "1");
  g_variant_builder_add (&entries, "{ss}", "bonus", "2");
  reply = call (fixture, "org.zbus.Calendar", "CountEntries", g_variant_new ("(a{ss})", &entries),
                &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(u)", &count);
  g_assert_cmpuint (count, ==, 102);

  g_signal_emit (fixture->calendar, signals[SIGNAL_MOVED], 0, dt);
  ping = call (fixture, "org.freedesktop.DBus.Peer", "Ping", NULL, &error);
  g_assert_no_error (error);
  while (g_main_context_iteration (NULL, FALSE));
  for (guint i = 0; i < fixture->signals->len; i++)
    {
      const char *member;
      g_autoptr(GVariant) args = NULL;

      g_variant_get (g_ptr_array_index (fixture->signals, i), "(&s@*)", &member, &args);
      if (g_str_equal (member, "Moved"))
        {
          gint64 seconds;

          g_assert_cmpstr (g_variant_get_type_string (args), ==, "(x)");
          g_variant_get (args, "(x)", &seconds);
          g_assert_cmpint (seconds, ==, 42);
          seen = TRUE;
        }
    }
  g_assert_true (seen);
}

static void
test_introspection (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = zbus_interface_type_introspect (TEST_TYPE_CALENDAR, &error);

  g_assert_no_error (error);
  g_assert_nonnull (strstr (xml, "<property name=\"When\" type=\"x\""));
  g_assert_nonnull (strstr (xml, "type=\"a{ss}\""));
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
  g_test_summary ("Converters give types without a D-Bus mapping one");
  register_converters ();

  for (guint i = 0; i < G_N_ELEMENTS (transports); i++)
    {
      gconstpointer t = GINT_TO_POINTER (transports[i].transport);
#define ADD(path, func) \
      G_STMT_START { \
        g_autofree char *full = g_strdup_printf ("/Zbus/Interface/converters/%s/%s", transports[i].name, path); \
        g_test_add (full, Fixture, t, fixture_setup, func, fixture_teardown); \
      } G_STMT_END
      ADD ("property", test_property);
      ADD ("method-and-signal", test_method_and_signal);
#undef ADD
    }
  g_test_add_func ("/Zbus/Interface/converters/introspection", test_introspection);
  g_test_add_func ("/Zbus/Interface/converters/refused-destroyed", test_refused_destroyed);

  return g_test_run ();
}
