/* test-object-manager-hostile.c: ZbusObjectManagerClient against a service
 * that says what it likes (wrong signatures, duplicates, interfaces it
 * never added, no answer at all), on a real dbus-daemon, on both
 * transports, with every items-changed checked against a shadow list
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "zbus-gobject.h"
#include "test-util.h"

#define SERVICE_NAME "org.zbus.Test.Hostile"
#define MANAGER_PATH "/org/zbus/Test/Hostile"
#define OM_IFACE "org.freedesktop.DBus.ObjectManager"
#define THING_IFACE "org.zbus.Test.Thing"
#define EXTRA_IFACE "org.zbus.Test.Extra"

/* How long anything a test waits for may take. */
#define WAIT_USEC (10 * G_USEC_PER_SEC)

/* ------------------------------------------------------------------------ */
/* The service: a plain GDBus connection whose filter answers
 * GetManagedObjects with whatever the test set, or never */

typedef struct
{
  GDBusConnection *connection;
  GMutex lock;
  GVariant *answer;       /* (owned) (nullable): the reply's body; NULL: hold the call */
  GQueue held;            /* (element-type GDBusMessage) (owned): calls not answered yet */
} Service;

/* GDBus's worker thread. */
static GDBusMessage *
service_filter_cb (GDBusConnection *connection,
                   GDBusMessage    *message,
                   gboolean         incoming,
                   gpointer         user_data)
{
  Service *service = user_data;
  g_autoptr(GDBusMessage) reply = NULL;
  g_autoptr(GVariant) answer = NULL;

  if (!incoming ||
      g_dbus_message_get_message_type (message) != G_DBUS_MESSAGE_TYPE_METHOD_CALL ||
      g_strcmp0 (g_dbus_message_get_member (message), "GetManagedObjects") != 0)
    return message;

  g_mutex_lock (&service->lock);
  answer = service->answer != NULL ? g_variant_ref (service->answer) : NULL;
  if (answer == NULL)
    g_queue_push_tail (&service->held, g_steal_pointer (&message));
  g_mutex_unlock (&service->lock);

  if (answer != NULL)
    {
      reply = g_dbus_message_new_method_reply (message);
      g_dbus_message_set_body (reply, answer);
      g_dbus_connection_send_message (connection, reply, G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL,
                                      NULL);
      g_object_unref (message);
    }
  return NULL;
}

static guint
service_n_held (Service *service)
{
  guint n;

  g_mutex_lock (&service->lock);
  n = service->held.length;
  g_mutex_unlock (&service->lock);
  return n;
}

/* Answers the calls held so far with @body. */
static void
service_answer_held (Service  *service,
                     GVariant *body)
{
  g_autoptr(GVariant) owned = g_variant_ref_sink (body);
  g_autoptr(GError) error = NULL;
  GDBusMessage *call;

  g_mutex_lock (&service->lock);
  while ((call = g_queue_pop_head (&service->held)) != NULL)
    {
      g_autoptr(GDBusMessage) reply = g_dbus_message_new_method_reply (call);

      g_dbus_message_set_body (reply, owned);
      g_dbus_connection_send_message (service->connection, reply, G_DBUS_SEND_MESSAGE_FLAGS_NONE,
                                      NULL, &error);
      g_assert_no_error (error);
      g_object_unref (call);
    }
  g_mutex_unlock (&service->lock);
  g_dbus_connection_flush_sync (service->connection, NULL, &error);
  g_assert_no_error (error);
}

static void
service_call_bus (Service    *service,
                  const char *method)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  GVariant *parameters;

  if (g_str_equal (method, "RequestName"))
    parameters = g_variant_new ("(su)", SERVICE_NAME, 0);
  else
    parameters = g_variant_new ("(s)", SERVICE_NAME);
  reply = g_dbus_connection_call_sync (service->connection, "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus", "org.freedesktop.DBus", method,
                                       parameters, G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE,
                                       -1, NULL, &error);
  g_assert_no_error (error);
}

static Service *
service_new (void)
{
  Service *service = g_new0 (Service, 1);

  g_mutex_init (&service->lock);
  g_queue_init (&service->held);
  service->connection = zbus_test_connect_gdbus ();
  g_dbus_connection_add_filter (service->connection, service_filter_cb, service, NULL);
  service_call_bus (service, "RequestName");
  return service;
}

static void
service_free (Service *service)
{
  g_dbus_connection_close_sync (service->connection, NULL, NULL);
  g_clear_object (&service->connection);
  g_queue_clear_full (&service->held, g_object_unref);
  g_clear_pointer (&service->answer, g_variant_unref);
  g_mutex_clear (&service->lock);
  g_free (service);
}

/* Sets the body of the next GetManagedObjects answers (NULL: none). */
static void
service_set_answer (Service  *service,
                    GVariant *body)
{
  g_mutex_lock (&service->lock);
  g_clear_pointer (&service->answer, g_variant_unref);
  service->answer = body != NULL ? g_variant_ref_sink (body) : NULL;
  g_mutex_unlock (&service->lock);
}

static void
service_emit (Service    *service,
              const char *member,
              GVariant   *body)
{
  g_autoptr(GError) error = NULL;

  g_dbus_connection_emit_signal (service->connection, NULL, MANAGER_PATH, OM_IFACE, member,
                                 body, &error);
  g_assert_no_error (error);
  g_dbus_connection_flush_sync (service->connection, NULL, &error);
  g_assert_no_error (error);
}

/* An a{sa{sv}} of @names (NULL-terminated), each with Count = 1. */
static GVariant *
interfaces_of (const char * const *names)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{sa{sv}}"));
  for (guint i = 0; names[i] != NULL; i++)
    {
      GVariantBuilder props;

      g_variant_builder_init (&props, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&props, "{sv}", "Count", g_variant_new_int32 (1));
      g_variant_builder_add (&builder, "{sa{sv}}", names[i], &props);
    }
  return g_variant_builder_end (&builder);
}

static void
service_add (Service            *service,
             const char         *path,
             const char * const *names)
{
  service_emit (service, "InterfacesAdded",
                g_variant_new ("(o@a{sa{sv}})", path, interfaces_of (names)));
}

static void
service_remove (Service            *service,
                const char         *path,
                const char * const *names)
{
  service_emit (service, "InterfacesRemoved", g_variant_new ("(o^as)", path, names));
}

/* ------------------------------------------------------------------------ */
/* A GListModel checker: replays every items-changed on a shadow list and
 * compares it with the model each time */

typedef struct
{
  GListModel *model;
  GPtrArray *shadow;      /* (element-type GObject) (owned) */
  guint n_changes;
} Checker;

static void
checker_compare (Checker *c)
{
  guint n = g_list_model_get_n_items (c->model);

  g_assert_cmpuint (c->shadow->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (c->model, i);

      g_assert_true (item == g_ptr_array_index (c->shadow, i));
    }
  g_assert_null (g_list_model_get_item (c->model, n));
}

static void
checker_items_changed_cb (GListModel *model,
                          guint       position,
                          guint       removed,
                          guint       added,
                          Checker    *c)
{
  g_assert_cmpuint (removed + added, >, 0);
  g_assert_cmpuint (position + removed, <=, c->shadow->len);
  g_ptr_array_remove_range (c->shadow, position, removed);
  for (guint i = 0; i < added; i++)
    g_ptr_array_insert (c->shadow, position + i, g_list_model_get_item (model, position + i));
  c->n_changes++;
  checker_compare (c);
}

static void
checker_n_items_cb (GObject    *object,
                    GParamSpec *pspec,
                    Checker    *c)
{
  guint n_items;

  g_object_get (object, "n-items", &n_items, NULL);
  g_assert_cmpuint (n_items, ==, c->shadow->len);
}

static void
checker_init (Checker    *c,
              GListModel *model)
{
  c->model = model;
  c->shadow = g_ptr_array_new_with_free_func (g_object_unref);
  c->n_changes = 0;
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    g_ptr_array_add (c->shadow, g_list_model_get_item (model, i));
  g_signal_connect (model, "items-changed", G_CALLBACK (checker_items_changed_cb), c);
  g_signal_connect (model, "notify::n-items", G_CALLBACK (checker_n_items_cb), c);
}

static void
checker_clear (Checker *c)
{
  checker_compare (c);
  g_signal_handlers_disconnect_by_data (c->model, c);
  g_ptr_array_unref (c->shadow);
}

/* ------------------------------------------------------------------------ */
/* Fixture */

typedef struct
{
  GTestDBus      *bus;
  ZbusConnection *connection;   /* the client's */
  Service        *service;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  zbus_test_set_cloexec_on_all_fds ();
  fixture->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (fixture->bus);
  fixture->connection = zbus_test_connect (GPOINTER_TO_INT (data));
  fixture->service = service_new ();
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_pointer (&fixture->service, service_free);
  zbus_connection_close_sync (fixture->connection, NULL, NULL);
  while (g_main_context_iteration (NULL, FALSE));
  g_assert_finalize_object (fixture->connection);
  g_test_dbus_down (fixture->bus);
  g_clear_object (&fixture->bus);
}

static gboolean
timed_out_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the default context until @cond holds; fails after WAIT_USEC.
 * Polls too: the service's threads change what @cond looks at. */
#define wait_until(cond) \
  G_STMT_START { \
    gboolean timed_out_ = FALSE; \
    guint id_ = g_timeout_add (WAIT_USEC / 1000, timed_out_cb, &timed_out_); \
    guint tick_ = g_timeout_add (10, tick_cb, NULL); \
    while (!(cond) && !timed_out_) \
      g_main_context_iteration (NULL, TRUE); \
    if (timed_out_) \
      g_error ("timed out waiting for %s", #cond); \
    g_source_remove (id_); \
    g_source_remove (tick_); \
  } G_STMT_END

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GVariant *
empty_answer (void)
{
  return g_variant_new_parsed ("(@a{oa{sa{sv}}} {},)");
}

static ZbusObjectManagerClient *
new_manager (Fixture  *fixture,
             GError  **error)
{
  return zbus_object_manager_client_new (fixture->connection, SERVICE_NAME, MANAGER_PATH,
                                         ZBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE, NULL, error);
}

static gboolean
has_object (ZbusObjectManagerClient *manager,
            const char              *path)
{
  g_autoptr(ZbusRemoteObject) object = zbus_object_manager_client_get_object (manager, path);

  return object != NULL;
}

static guint
n_interfaces (ZbusObjectManagerClient *manager,
              const char              *path)
{
  g_autoptr(ZbusRemoteObject) object = zbus_object_manager_client_get_object (manager, path);
  g_auto(GStrv) names = NULL;

  if (object == NULL)
    return 0;
  names = zbus_remote_object_dup_interface_names (object);
  return g_strv_length (names);
}

/* Every object in the model has an interface. */
static void
assert_no_empty_objects (ZbusObjectManagerClient *manager)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (manager)); i++)
    {
      g_autoptr(ZbusRemoteObject) object = g_list_model_get_item (G_LIST_MODEL (manager), i);
      g_auto(GStrv) names = zbus_remote_object_dup_interface_names (object);

      g_assert_cmpuint (g_strv_length (names), >, 0);
    }
}

/* ------------------------------------------------------------------------ */
/* Tests */

/* InterfacesRemoved naming an interface twice removes it once: an object
 * keeps its other interfaces, and one that loses its only interface
 * leaves the model. */
static void
test_removed_twice (Fixture       *fixture,
                    gconstpointer  data)
{
  static const char * const both[] = { THING_IFACE, EXTRA_IFACE, NULL };
  static const char * const thing[] = { THING_IFACE, NULL };
  static const char * const extra_twice[] = { EXTRA_IFACE, EXTRA_IFACE, NULL };
  static const char * const thing_twice[] = { THING_IFACE, THING_IFACE, NULL };
  g_autoptr(ZbusObjectManagerClient) manager = NULL;
  g_autoptr(GError) error = NULL;
  Checker c;

  service_set_answer (fixture->service, empty_answer ());
  manager = new_manager (fixture, &error);
  g_assert_no_error (error);
  checker_init (&c, G_LIST_MODEL (manager));

  service_add (fixture->service, MANAGER_PATH "/a", both);
  service_add (fixture->service, MANAGER_PATH "/b", thing);
  wait_until (has_object (manager, MANAGER_PATH "/a") && has_object (manager, MANAGER_PATH "/b"));

  /* /a loses Extra, named twice: it keeps Thing. */
  service_remove (fixture->service, MANAGER_PATH "/a", extra_twice);
  wait_until (n_interfaces (manager, MANAGER_PATH "/a") == 1);
  g_assert_true (has_object (manager, MANAGER_PATH "/a"));

  /* /b loses its only interface, named twice: it leaves the model. */
  service_remove (fixture->service, MANAGER_PATH "/b", thing_twice);
  wait_until (!has_object (manager, MANAGER_PATH "/b"));

  /* A sentinel: everything before it was handled. */
  service_add (fixture->service, MANAGER_PATH "/z", thing);
  wait_until (has_object (manager, MANAGER_PATH "/z"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (manager)), ==, 2);
  g_assert_cmpuint (n_interfaces (manager, MANAGER_PATH "/a"), ==, 1);
  assert_no_empty_objects (manager);

  checker_clear (&c);
  g_assert_finalize_object (g_steal_pointer (&manager));
}

/* Signals that make no sense change nothing, and break nothing. */
static void
test_bad_signals (Fixture       *fixture,
                  gconstpointer  data)
{
  static const char * const thing[] = { THING_IFACE, NULL };
  static const char * const bad_name[] = { "not an interface", NULL };
  static const char * const extra[] = { EXTRA_IFACE, NULL };
  g_autoptr(ZbusObjectManagerClient) manager = NULL;
  g_autoptr(GError) error = NULL;
  Checker c;

  service_set_answer (fixture->service, empty_answer ());
  manager = new_manager (fixture, &error);
  g_assert_no_error (error);
  checker_init (&c, G_LIST_MODEL (manager));

  service_add (fixture->service, MANAGER_PATH "/a", thing);
  wait_until (has_object (manager, MANAGER_PATH "/a"));

  /* Wrong signatures. */
  service_emit (fixture->service, "InterfacesAdded",
                g_variant_new_parsed ("(@o '/org/zbus/Test/Hostile/w', @a{sv} {})"));
  service_emit (fixture->service, "InterfacesAdded", g_variant_new_parsed ("('/nope',)"));
  service_emit (fixture->service, "InterfacesAdded", NULL);
  service_emit (fixture->service, "InterfacesRemoved",
                g_variant_new_parsed ("(@o '/org/zbus/Test/Hostile/a', 'x')"));
  service_emit (fixture->service, "InterfacesRemoved", NULL);
  /* Invalid interface names, objects outside the manager, the manager
   * itself. */
  service_add (fixture->service, MANAGER_PATH "/bad", bad_name);
  service_add (fixture->service, "/elsewhere", thing);
  service_add (fixture->service, MANAGER_PATH, thing);
  service_add (fixture->service, MANAGER_PATH "Sibling", thing);
  /* Interfaces and objects that were never added. */
  service_remove (fixture->service, MANAGER_PATH "/a", extra);
  service_remove (fixture->service, MANAGER_PATH "/nobody", thing);
  service_remove (fixture->service, MANAGER_PATH "/a", (const char * const []) { NULL });
  /* An InterfacesAdded without interfaces. */
  service_add (fixture->service, MANAGER_PATH "/empty", (const char * const []) { NULL });

  service_add (fixture->service, MANAGER_PATH "/z", thing);
  wait_until (has_object (manager, MANAGER_PATH "/z"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (manager)), ==, 2);
  g_assert_cmpuint (n_interfaces (manager, MANAGER_PATH "/a"), ==, 1);
  g_assert_false (has_object (manager, MANAGER_PATH "/bad"));
  g_assert_false (has_object (manager, MANAGER_PATH "/empty"));
  assert_no_empty_objects (manager);

  checker_clear (&c);
  g_assert_finalize_object (g_steal_pointer (&manager));
}

/* A GetManagedObjects answer that makes no sense: construction fails on
 * a wrong type; duplicates merge; what cannot be an object is skipped. */
static void
test_bad_snapshot (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(ZbusObjectManagerClient) manager = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusRemoteObject) a = NULL;
  g_auto(GStrv) names = NULL;

  service_set_answer (fixture->service, g_variant_new_parsed ("(@a{sv} {},)"));
  manager = new_manager (fixture, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_null (manager);
  g_clear_error (&error);

  service_set_answer (fixture->service, g_variant_new_parsed ("()"));
  manager = new_manager (fixture, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_null (manager);
  g_clear_error (&error);

  /* The same path twice (a dictionary on the wire is only an array),
   * paths outside the manager, an invalid interface name, an object
   * without interfaces. */
  service_set_answer (fixture->service, g_variant_new_parsed (
    "({@o '/org/zbus/Test/Hostile/a': {'org.zbus.Test.Thing': @a{sv} {'Count': <1>}},"
    "  '/org/zbus/Test/Hostile/a': {'org.zbus.Test.Extra': @a{sv} {}},"
    "  '/org/zbus/Test/Hostile/b': {'not an interface': @a{sv} {}},"
    "  '/org/zbus/Test/Hostile/c': @a{sa{sv}} {},"
    "  '/org/zbus/Test/Hostile': {'org.zbus.Test.Thing': @a{sv} {}},"
    "  '/': {'org.zbus.Test.Thing': @a{sv} {}}},)"));
  manager = new_manager (fixture, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (manager)), ==, 1);
  a = g_list_model_get_item (G_LIST_MODEL (manager), 0);
  g_assert_cmpstr (zbus_remote_object_get_object_path (a), ==, MANAGER_PATH "/a");
  names = zbus_remote_object_dup_interface_names (a);
  g_assert_cmpuint (g_strv_length (names), ==, 2);

  g_clear_object (&a);
  g_assert_finalize_object (g_steal_pointer (&manager));
}

/* The match rules the bus holds for the client's connection (the bus's
 * Debug.Stats interface). */
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

/* A manager that failed to initialize, and that its owner keeps (made in
 * two steps), stops listening: no match rules left on the bus, no
 * signals piling up. */
static void
test_failed_init (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(ZbusObjectManagerClient) manager = NULL;
  g_autoptr(GError) error = NULL;
  guint32 n_before = n_match_rules (fixture->connection);

  service_set_answer (fixture->service, g_variant_new_parsed ("(@a{sv} {},)"));
  manager = g_object_new (ZBUS_TYPE_OBJECT_MANAGER_CLIENT,
                          "connection", fixture->connection,
                          "name", SERVICE_NAME,
                          "object-path", MANAGER_PATH,
                          NULL);
  g_assert_false (g_initable_init (G_INITABLE (manager), NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_cmpuint (n_match_rules (fixture->connection), ==, n_before);

  /* Again, the same error, nothing asked. */
  g_assert_false (g_initable_init (G_INITABLE (manager), NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_cmpuint (n_match_rules (fixture->connection), ==, n_before);
  g_clear_error (&error);
  g_assert_finalize_object (g_steal_pointer (&manager));

  /* Asynchronously too. */
  {
    g_autoptr(GAsyncResult) result = NULL;

    manager = g_object_new (ZBUS_TYPE_OBJECT_MANAGER_CLIENT,
                            "connection", fixture->connection,
                            "name", SERVICE_NAME,
                            "object-path", MANAGER_PATH,
                            NULL);
    g_async_initable_init_async (G_ASYNC_INITABLE (manager), G_PRIORITY_DEFAULT, NULL,
                                 store_result_cb, &result);
    wait_until (result != NULL);
    g_assert_false (g_async_initable_init_finish (G_ASYNC_INITABLE (manager), result, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_assert_cmpuint (n_match_rules (fixture->connection), ==, n_before);
    g_clear_object (&result);
    g_assert_finalize_object (g_steal_pointer (&manager));
  }
}

typedef struct
{
  Service *service;
  guint32 count;
} RaceData;

static void
emit_count (Service    *service,
            const char *path,
            int         count)
{
  g_autoptr(GError) error = NULL;
  GVariantBuilder changed;

  g_variant_builder_init (&changed, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&changed, "{sv}", "Count", g_variant_new_int32 (count));
  g_dbus_connection_emit_signal (service->connection, NULL, path,
                                 "org.freedesktop.DBus.Properties", "PropertiesChanged",
                                 g_variant_new ("(sa{sv}as)", THING_IFACE, &changed, NULL),
                                 &error);
  g_assert_no_error (error);
  g_dbus_connection_flush_sync (service->connection, NULL, &error);
  g_assert_no_error (error);
}

/* While the test's thread constructs the manager: once GetManagedObjects
 * is in, the property changes twice, then the answer says how it ended. */
static gpointer
race_thread (gpointer data)
{
  Service *service = data;

  while (service_n_held (service) == 0)
    g_usleep (1000);
  emit_count (service, MANAGER_PATH "/x", 2);
  emit_count (service, MANAGER_PATH "/x", 3);
  service_answer_held (service, g_variant_new_parsed (
    "({@o '/org/zbus/Test/Hostile/x': {'org.zbus.Test.Thing': @a{sv} {'Count': <3>}}},)"));
  return NULL;
}

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

/* Property changes the service sent before it answered GetManagedObjects
 * are in the answer: the proxies do not announce them again, as if the
 * value went back. */
static void
test_changes_before_snapshot (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(ZbusObjectManagerClient) manager = NULL;
  g_autoptr(ZbusProxy) thing = NULL;
  g_autoptr(GVariant) count = NULL;
  g_autoptr(GArray) counts = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GError) error = NULL;
  GThread *thread;

  service_set_answer (fixture->service, NULL);
  thread = g_thread_new ("race", race_thread, fixture->service);
  manager = new_manager (fixture, &error);
  g_assert_no_error (error);
  g_thread_join (thread);

  thing = zbus_object_manager_client_get_interface (manager, MANAGER_PATH "/x", THING_IFACE);
  g_assert_nonnull (thing);
  g_signal_connect (thing, "properties-changed", G_CALLBACK (count_changed_cb), counts);
  count = zbus_proxy_get_cached_property (thing, "Count");
  g_assert_cmpint (g_variant_get_int32 (count), ==, 3);

  emit_count (fixture->service, MANAGER_PATH "/x", 4);
  wait_until (counts->len > 0 && g_array_index (counts, int, counts->len - 1) == 4);
  g_assert_cmpuint (counts->len, ==, 1);

  g_signal_handlers_disconnect_by_data (thing, counts);
  g_clear_object (&thing);
  g_assert_finalize_object (g_steal_pointer (&manager));
}

typedef struct
{
  Fixture *fixture;
  GMainContext *context;
  ZbusObjectManagerClient *manager;   /* the thread's */
  gint stage;                         /* (atomic): 1 made, 2 has /t, 3 done */
} ThreadData;

static gpointer
manager_thread (gpointer user_data)
{
  ThreadData *td = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ours = FALSE;
  Checker c;

  g_main_context_push_thread_default (td->context);
  td->manager = new_manager (td->fixture, &error);
  g_assert_no_error (error);
  checker_init (&c, G_LIST_MODEL (td->manager));
  g_atomic_int_set (&td->stage, 1);

  while (!has_object (td->manager, MANAGER_PATH "/t"))
    g_main_context_iteration (td->context, TRUE);
  {
    g_autoptr(ZbusRemoteObject) object = zbus_object_manager_client_get_object (td->manager,
                                                                                MANAGER_PATH "/t");
    g_autoptr(ZbusProxy) proxy = zbus_remote_object_get_interface (object, THING_IFACE);

    /* The proxies belong to the manager's context, this thread's. */
    ours = g_main_context_get_thread_default () == td->context && proxy != NULL;
  }
  g_assert_true (ours);
  g_atomic_int_set (&td->stage, 2);

  checker_clear (&c);
  g_assert_finalize_object (g_steal_pointer (&td->manager));
  while (g_main_context_iteration (td->context, FALSE));
  g_main_context_pop_thread_default (td->context);
  g_atomic_int_set (&td->stage, 3);
  return NULL;
}

/* A manager made and used in a thread of its own, with its own context,
 * while the test's thread runs the connection. */
static void
test_other_thread (Fixture       *fixture,
                   gconstpointer  data)
{
  static const char * const thing[] = { THING_IFACE, NULL };
  ThreadData td = { fixture, g_main_context_new (), NULL, 0 };
  GThread *thread;

  service_set_answer (fixture->service, empty_answer ());
  thread = g_thread_new ("manager", manager_thread, &td);
  wait_until (g_atomic_int_get (&td.stage) >= 1);
  service_add (fixture->service, MANAGER_PATH "/t", thing);
  wait_until (g_atomic_int_get (&td.stage) == 3);
  g_thread_join (thread);
  g_main_context_unref (td.context);
}

/* Many objects in one answer, in reverse order: sorted, all there. */
static void
test_many (Fixture       *fixture,
           gconstpointer  data)
{
  const guint n = 2000;
  g_autoptr(ZbusObjectManagerClient) manager = NULL;
  g_autoptr(GError) error = NULL;
  GVariantBuilder objects;
  const char *previous = NULL;

  g_variant_builder_init (&objects, G_VARIANT_TYPE ("a{oa{sa{sv}}}"));
  for (guint i = n; i > 0; i--)
    {
      g_autofree char *path = g_strdup_printf (MANAGER_PATH "/o%05u", i);

      g_variant_builder_add (&objects, "{o@a{sa{sv}}}", path,
                             interfaces_of ((const char * const []) { THING_IFACE, NULL }));
    }
  service_set_answer (fixture->service, g_variant_new ("(a{oa{sa{sv}}})", &objects));
  manager = new_manager (fixture, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (manager)), ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ZbusRemoteObject) object = g_list_model_get_item (G_LIST_MODEL (manager), i);
      const char *path = zbus_remote_object_get_object_path (object);

      if (previous != NULL)
        g_assert_cmpint (strcmp (previous, path), <, 0);
      previous = path;   /* the model holds the object */
    }

  g_assert_finalize_object (g_steal_pointer (&manager));
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static gpointer
cancel_later_thread (gpointer data)
{
  g_usleep (G_USEC_PER_SEC / 10);
  g_cancellable_cancel (data);
  return NULL;
}

/* A service that never answers: construction ends when cancelled. */
static void
test_never_answers (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(ZbusObjectManagerClient) manager = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GThread *thread;

  service_set_answer (fixture->service, NULL);

  thread = g_thread_new ("cancel", cancel_later_thread, cancellable);
  manager = zbus_object_manager_client_new (fixture->connection, SERVICE_NAME, MANAGER_PATH,
                                            ZBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE, cancellable,
                                            &error);
  g_thread_join (thread);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (manager);
  g_clear_error (&error);

  g_clear_object (&cancellable);
  cancellable = g_cancellable_new ();
  zbus_object_manager_client_new_async (fixture->connection, SERVICE_NAME, MANAGER_PATH,
                                        ZBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE, cancellable,
                                        store_result_cb, &result);
  g_timeout_add (100, cancel_cb, cancellable);
  wait_until (result != NULL);
  manager = zbus_object_manager_client_new_finish (result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (manager);
}

static char *
owner_of (ZbusObjectManagerClient *manager)
{
  return zbus_object_manager_client_dup_name_owner (manager);
}

static gboolean
owned_by (ZbusObjectManagerClient *manager,
          Service                 *service)
{
  g_autofree char *owner = owner_of (manager);

  return g_strcmp0 (owner, g_dbus_connection_get_unique_name (service->connection)) == 0;
}

/* The owner changes while GetManagedObjects is out: signals wait for the
 * answer, which includes what they said; the answer of an earlier owner
 * that comes after the change counts for nothing. */
static void
test_owner_change_during_fetch (Fixture       *fixture,
                                gconstpointer  data)
{
  static const char * const thing[] = { THING_IFACE, NULL };
  g_autoptr(ZbusObjectManagerClient) manager = NULL;
  g_autoptr(GError) error = NULL;
  Service *a = fixture->service;
  Service *b;
  Checker c;

  service_set_answer (a, empty_answer ());
  manager = new_manager (fixture, &error);
  g_assert_no_error (error);
  checker_init (&c, G_LIST_MODEL (manager));
  service_set_answer (a, NULL);

  /* B queues for the name and gets it when A lets go; its answer waits. */
  b = service_new ();
  service_call_bus (a, "ReleaseName");
  wait_until (owned_by (manager, b) && service_n_held (b) == 1);

  /* What B says before it answers is in its answer (or not). */
  service_add (b, MANAGER_PATH "/before", thing);
  service_call_bus (a, "RequestName");    /* queued behind B */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (manager)), ==, 0);

  /* B lets go before it answers: A is asked, and holds its answer. */
  service_call_bus (b, "ReleaseName");
  wait_until (owned_by (manager, a) && service_n_held (a) == 1);

  /* B's late answer is not A's objects. */
  service_answer_held (b, g_variant_new_parsed (
    "({@o '/org/zbus/Test/Hostile/fromb': {'org.zbus.Test.Thing': @a{sv} {}}},)"));
  service_add (a, MANAGER_PATH "/older", thing);
  service_answer_held (a, g_variant_new_parsed (
    "({@o '/org/zbus/Test/Hostile/froma': {'org.zbus.Test.Thing': @a{sv} {}}},)"));
  service_add (a, MANAGER_PATH "/newer", thing);

  wait_until (has_object (manager, MANAGER_PATH "/newer"));
  g_assert_true (has_object (manager, MANAGER_PATH "/froma"));
  g_assert_false (has_object (manager, MANAGER_PATH "/fromb"));
  g_assert_false (has_object (manager, MANAGER_PATH "/before"));
  g_assert_false (has_object (manager, MANAGER_PATH "/older"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (manager)), ==, 2);

  checker_clear (&c);
  g_assert_finalize_object (g_steal_pointer (&manager));
  service_free (b);
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
  g_test_summary ("ZbusObjectManagerClient against a service that misbehaves");

  for (guint i = 0; i < G_N_ELEMENTS (transports); i++)
    {
      gconstpointer t = GINT_TO_POINTER (transports[i].transport);
#define ADD(path, func) \
      G_STMT_START { \
        g_autofree char *full = g_strdup_printf ("/Zbus/ObjectManagerClient/hostile/%s/%s", \
                                                 transports[i].name, path); \
        g_test_add (full, Fixture, t, fixture_setup, func, fixture_teardown); \
      } G_STMT_END
      ADD ("removed-twice", test_removed_twice);
      ADD ("bad-signals", test_bad_signals);
      ADD ("bad-snapshot", test_bad_snapshot);
      ADD ("many", test_many);
      ADD ("failed-init", test_failed_init);
      ADD ("changes-before-snapshot", test_changes_before_snapshot);
      ADD ("other-thread", test_other_thread);
      ADD ("never-answers", test_never_answers);
      ADD ("owner-change-during-fetch", test_owner_change_during_fetch);
#undef ADD
    }

  return g_test_run ();
}
