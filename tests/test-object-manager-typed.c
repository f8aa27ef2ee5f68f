/* test-object-manager-typed.c: ZbusObjectManagerClient with typed proxies,
 * reading objects our own ZbusObjectServer serves under an object manager
 * (added directly or by the connection builder), on a real dbus-daemon, on
 * both transports
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "zbus-gobject.h"
#include "test-util.h"

#define LAMP_IFACE "org.zbus.Test.Lamp"
#define MANAGER_PATH "/org/zbus/lamps"
#define SERVICE_NAME "org.zbus.Test.Lamps"

/* How long anything a test waits for may take. */
#define WAIT_USEC (10 * G_USEC_PER_SEC)

/* ------------------------------------------------------------------------ */
/* The interface we serve */

#define TEST_TYPE_LAMP (test_lamp_get_type ())
G_DECLARE_FINAL_TYPE (TestLamp, test_lamp, TEST, LAMP, ZbusInterface)

struct _TestLamp
{
  ZbusInterface parent_instance;
  int brightness;
  char *label;
};

G_DEFINE_FINAL_TYPE (TestLamp, test_lamp, ZBUS_TYPE_INTERFACE)

enum { LAMP_PROP_0, LAMP_PROP_BRIGHTNESS, LAMP_PROP_LABEL };

/* Reads of the service's properties: GetManagedObjects, Get, GetAll and
 * PropertiesChanged all come here. */
static guint n_reads;

static void
test_lamp_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  TestLamp *self = TEST_LAMP (object);

  n_reads++;
  switch (prop_id)
    {
    case LAMP_PROP_BRIGHTNESS: g_value_set_int (value, self->brightness); break;
    case LAMP_PROP_LABEL: g_value_set_string (value, self->label); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
test_lamp_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  TestLamp *self = TEST_LAMP (object);

  switch (prop_id)
    {
    case LAMP_PROP_BRIGHTNESS: self->brightness = g_value_get_int (value); break;
    case LAMP_PROP_LABEL: g_free (self->label); self->label = g_value_dup_string (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
test_lamp_finalize (GObject *object)
{
  g_free (TEST_LAMP (object)->label);

  G_OBJECT_CLASS (test_lamp_parent_class)->finalize (object);
}

static void
test_lamp_class_init (TestLampClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = test_lamp_get_property;
  object_class->set_property = test_lamp_set_property;
  object_class->finalize = test_lamp_finalize;

  g_object_class_install_property (object_class, LAMP_PROP_BRIGHTNESS,
    g_param_spec_int ("brightness", NULL, NULL, 0, 100, 0,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (object_class, LAMP_PROP_LABEL,
    g_param_spec_string ("label", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_signal_new ("switched", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                G_TYPE_NONE, 2, G_TYPE_BOOLEAN, G_TYPE_STRING);
  zbus_interface_type_set_name (G_TYPE_FROM_CLASS (klass), LAMP_IFACE);
}

static void
test_lamp_init (TestLamp *self)
{
}

static ZbusInterface *
lamp_new (const char *label,
          int         brightness)
{
  return g_object_new (TEST_TYPE_LAMP, "label", label, "brightness", brightness, NULL);
}

/* A local object to bind a remote property to */

#define TEST_TYPE_TARGET (test_target_get_type ())
G_DECLARE_FINAL_TYPE (TestTarget, test_target, TEST, TARGET, GObject)

struct _TestTarget
{
  GObject parent_instance;
  int level;
};

G_DEFINE_FINAL_TYPE (TestTarget, test_target, G_TYPE_OBJECT)

static void
test_target_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  g_value_set_int (value, TEST_TARGET (object)->level);
}

static void
test_target_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  TEST_TARGET (object)->level = g_value_get_int (value);
}

static void
test_target_class_init (TestTargetClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = test_target_get_property;
  object_class->set_property = test_target_set_property;
  g_object_class_install_property (object_class, 1,
    g_param_spec_int ("level", NULL, NULL, -1, 100, -1, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
}

static void
test_target_init (TestTarget *self)
{
  self->level = -1;
}

/* ------------------------------------------------------------------------ */
/* Fixture: a bus, a serving connection and a client connection, both on
 * one transport */

typedef struct
{
  GTestDBus        *bus;
  Transport         transport;
  ZbusConnection   *server_conn;   /* (nullable): the builder test makes its own */
  ZbusObjectServer *server;        /* (nullable) */
  ZbusConnection   *connection;    /* the client's */
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  zbus_test_set_cloexec_on_all_fds ();
  fixture->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (fixture->bus);
  fixture->transport = GPOINTER_TO_INT (data);
  fixture->server_conn = zbus_test_connect (fixture->transport);
  fixture->server = zbus_object_server_get_for_connection (fixture->server_conn);
  fixture->connection = zbus_test_connect (fixture->transport);
  n_reads = 0;
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  zbus_connection_close_sync (fixture->connection, NULL, NULL);
  g_clear_object (&fixture->connection);
  if (fixture->server_conn != NULL)
    zbus_connection_close_sync (fixture->server_conn, NULL, NULL);
  g_clear_object (&fixture->server_conn);
  while (g_main_context_iteration (NULL, FALSE));
  g_test_dbus_down (fixture->bus);
  g_clear_object (&fixture->bus);
}

static gboolean
timed_out_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the default context until @cond holds; fails after WAIT_USEC. */
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

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
serve (Fixture       *fixture,
       const char    *path,
       ZbusInterface *iface)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (zbus_object_server_at (fixture->server, path, iface, &error));
  g_assert_no_error (error);
}

/* Constructed, given the lamp's proxy type, then initialized: the way to
 * have typed proxies from the first GetManagedObjects on. The service runs
 * on this thread, so the initialization must not block it. */
static ZbusObjectManagerClient *
new_typed_manager (Fixture    *fixture,
                   const char *name)
{
  g_autoptr(ZbusObjectManagerClient) manager = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  manager = g_object_new (ZBUS_TYPE_OBJECT_MANAGER_CLIENT,
                          "connection", fixture->connection,
                          "name", name,
                          "object-path", MANAGER_PATH,
                          NULL);
  g_assert_true (zbus_object_manager_client_add_interface_type (manager, TEST_TYPE_LAMP, &error));
  g_assert_no_error (error);
  g_assert_true (zbus_object_manager_client_get_interface_type (manager, LAMP_IFACE) ==
                 zbus_proxy_type_for_interface_type (TEST_TYPE_LAMP, NULL));

  g_async_initable_init_async (G_ASYNC_INITABLE (manager), G_PRIORITY_DEFAULT, NULL,
                               store_result_cb, &result);
  wait_until (result != NULL);
  g_assert_true (g_async_initable_init_finish (G_ASYNC_INITABLE (manager), result, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&manager);
}

static ZbusProxy *
lamp_proxy (ZbusObjectManagerClient *manager,
            const char              *path)
{
  g_autoptr(ZbusRemoteObject) object = zbus_object_manager_client_get_object (manager, path);

  g_assert_nonnull (object);
  return zbus_remote_object_get_interface (object, LAMP_IFACE);
}

static int
get_brightness (gpointer object)
{
  int brightness = -1;

  g_object_get (object, "brightness", &brightness, NULL);
  return brightness;
}

/* A round trip through the service: whatever it sent before has arrived. */
static void
sync_with_service (Fixture    *fixture,
                   const char *name)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  zbus_connection_call (fixture->connection, name, "/", "org.freedesktop.DBus.Peer", "Ping", NULL,
                        NULL, ZBUS_MESSAGE_FLAGS_NONE, ZBUS_TIMEOUT_DEFAULT, NULL,
                        store_result_cb, &result);
  wait_until (result != NULL);
  reply = zbus_connection_call_finish (fixture->connection, result, &error);
  g_assert_no_error (error);
  while (g_main_context_iteration (NULL, FALSE));
}

static void
count_cb (gpointer object,
          gpointer pspec,
          gpointer user_data)
{
  (*(guint *) user_data)++;
}

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  (*(guint *) user_data)++;
}

typedef struct
{
  guint    n;
  gboolean on;
  char    *why;
} Switched;

static void
switched_cb (ZbusProxy  *proxy,
             gboolean    on,
             const char *why,
             Switched   *s)
{
  s->n++;
  s->on = on;
  g_free (s->why);
  s->why = g_strdup (why);
}

/* ------------------------------------------------------------------------ */
/* Tests */

static void
test_typed (Fixture       *fixture,
            gconstpointer  data)
{
  const char *name = zbus_connection_get_unique_name (fixture->server_conn);
  g_autoptr(ZbusInterface) a = lamp_new ("a", 10);
  g_autoptr(ZbusInterface) b = lamp_new ("b", 20);
  g_autoptr(ZbusInterface) c = lamp_new ("c", 30);
  g_autoptr(ZbusObjectManagerClient) manager = NULL;
  g_autoptr(ZbusProxy) proxy = NULL;
  g_autoptr(ZbusProxy) proxy_b = NULL;
  g_autoptr(ZbusProxy) proxy_c = NULL;
  g_autoptr(TestTarget) target = g_object_new (TEST_TYPE_TARGET, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *label = NULL;
  Switched switched = { 0, FALSE, NULL };
  guint notified = 0, reads;

  g_assert_true (zbus_object_server_add_object_manager (fixture->server, MANAGER_PATH, &error));
  g_assert_no_error (error);
  serve (fixture, MANAGER_PATH "/a", a);
  serve (fixture, MANAGER_PATH "/b", b);

  manager = new_typed_manager (fixture, name);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (manager)), ==, 2);

  /* The properties are there right after the model filled, from what
   * GetManagedObjects said: reading them costs the service nothing. */
  reads = n_reads;
  g_assert_cmpuint (reads, >, 0);
  proxy = lamp_proxy (manager, MANAGER_PATH "/a");
  g_assert_true (G_OBJECT_TYPE (proxy) == zbus_proxy_type_for_interface_type (TEST_TYPE_LAMP, NULL));
  g_assert_cmpint (get_brightness (proxy), ==, 10);
  g_object_get (proxy, "label", &label, NULL);
  g_assert_cmpstr (label, ==, "a");
  proxy_b = lamp_proxy (manager, MANAGER_PATH "/b");
  g_assert_cmpint (get_brightness (proxy_b), ==, 20);
  sync_with_service (fixture, name);
  g_assert_cmpuint (n_reads, ==, reads);

  /* notify:: and a binding follow the service. */
  g_signal_connect (proxy, "notify::brightness", G_CALLBACK (count_cb), &notified);
  g_object_bind_property (proxy, "brightness", target, "level", G_BINDING_SYNC_CREATE);
  g_assert_cmpint (target->level, ==, 10);
  g_object_set (a, "brightness", 55, NULL);
  wait_until (notified > 0);
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpint (get_brightness (proxy), ==, 55);
  g_assert_cmpint (target->level, ==, 55);
  g_assert_cmpint (get_brightness (proxy_b), ==, 20);

  /* A remote signal is a GObject signal, with its arguments. */
  g_signal_connect (proxy, "switched", G_CALLBACK (switched_cb), &switched);
  g_signal_emit_by_name (a, "switched", TRUE, "motion");
  wait_until (switched.n > 0);
  g_assert_true (switched.on);
  g_assert_cmpstr (switched.why, ==, "motion");

  /* A new object comes typed, with its values. */
  serve (fixture, MANAGER_PATH "/c", c);
  wait_until (g_list_model_get_n_items (G_LIST_MODEL (manager)) == 3);
  proxy_c = lamp_proxy (manager, MANAGER_PATH "/c");
  g_assert_true (G_OBJECT_TYPE (proxy_c) == G_OBJECT_TYPE (proxy));
  g_assert_cmpint (get_brightness (proxy_c), ==, 30);

  /* A removed object leaves; its proxy hears nothing more. */
  g_assert_true (zbus_object_server_remove (fixture->server, MANAGER_PATH "/a", TEST_TYPE_LAMP));
  wait_until (g_list_model_get_n_items (G_LIST_MODEL (manager)) == 2);
  g_assert_null (zbus_object_manager_client_get_object (manager, MANAGER_PATH "/a"));
  g_object_set (a, "brightness", 1, NULL);
  sync_with_service (fixture, name);
  g_assert_cmpint (get_brightness (proxy), ==, 55);
  g_assert_cmpint (target->level, ==, 55);
  g_assert_cmpuint (notified, ==, 1);

  g_signal_handlers_disconnect_by_data (proxy, &notified);
  g_signal_handlers_disconnect_by_data (proxy, &switched);
  g_free (switched.why);
}

static const char lamp_xml[] =
  "<node>"
  "  <interface name='" LAMP_IFACE "'>"
  "    <property name='Brightness' type='i' access='readwrite'/>"
  "    <property name='Label' type='s' access='readwrite'/>"
  "    <signal name='Switched'><arg type='b'/><arg type='s'/></signal>"
  "  </interface>"
  "</node>";

static void
test_set_later (Fixture       *fixture,
                gconstpointer  data)
{
  const char *name = zbus_connection_get_unique_name (fixture->server_conn);
  g_autoptr(ZbusInterface) a = lamp_new ("a", 10);
  g_autoptr(ZbusInterface) b = lamp_new ("b", 20);
  g_autoptr(ZbusObjectManagerClient) manager = NULL;
  g_autoptr(GDBusNodeInfo) node = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(ZbusProxy) proxy_a = NULL;
  g_autoptr(ZbusProxy) proxy_b = NULL;
  g_autoptr(GError) error = NULL;
  GType runtime_type;

  g_assert_true (zbus_object_server_add_object_manager (fixture->server, MANAGER_PATH, &error));
  g_assert_no_error (error);
  serve (fixture, MANAGER_PATH "/a", a);

  zbus_object_manager_client_new_async (fixture->connection, name, MANAGER_PATH,
                                        ZBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE, NULL,
                                        store_result_cb, &result);
  wait_until (result != NULL);
  manager = zbus_object_manager_client_new_finish (result, &error);
  g_assert_no_error (error);
  g_assert_true (zbus_object_manager_client_get_interface_type (manager, LAMP_IFACE) == ZBUS_TYPE_PROXY);

  /* Bad types and names are refused; nothing changes. */
  node = g_dbus_node_info_new_for_xml (lamp_xml, &error);
  g_assert_no_error (error);
  runtime_type = zbus_proxy_type_for_interface_info (node->interfaces[0], &error);
  g_assert_no_error (error);
  g_assert_false (zbus_object_manager_client_set_interface_type (manager, "org.zbus.Test.Other",
                                                                 runtime_type, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (zbus_object_manager_client_set_interface_type (manager, "not an interface",
                                                                 ZBUS_TYPE_PROXY, &error));
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME);
  g_clear_error (&error);
  g_assert_true (zbus_object_manager_client_get_interface_type (manager, "org.zbus.Test.Other") ==
                 ZBUS_TYPE_PROXY);

  /* Set after the model filled: the proxies already made stay plain, new
   * ones are of the type, here one made from introspection XML. */
  g_assert_true (zbus_object_manager_client_add_interface_info (manager, node->interfaces[0], &error));
  g_assert_no_error (error);
  g_assert_true (zbus_object_manager_client_get_interface_type (manager, LAMP_IFACE) == runtime_type);
  proxy_a = lamp_proxy (manager, MANAGER_PATH "/a");
  g_assert_true (G_OBJECT_TYPE (proxy_a) == ZBUS_TYPE_PROXY);

  serve (fixture, MANAGER_PATH "/b", b);
  wait_until (g_list_model_get_n_items (G_LIST_MODEL (manager)) == 2);
  proxy_b = lamp_proxy (manager, MANAGER_PATH "/b");
  g_assert_true (G_OBJECT_TYPE (proxy_b) == runtime_type);
  g_assert_cmpint (get_brightness (proxy_b), ==, 20);

  /* Back to plain proxies. */
  g_assert_true (zbus_object_manager_client_set_interface_type (manager, LAMP_IFACE,
                                                                ZBUS_TYPE_PROXY, &error));
  g_assert_no_error (error);
  g_assert_true (zbus_object_manager_client_get_interface_type (manager, LAMP_IFACE) == ZBUS_TYPE_PROXY);
}

static void
build_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  *(ZbusConnection **) user_data =
    zbus_connection_builder_build_finish (ZBUS_CONNECTION_BUILDER (object), result, &error);
  g_assert_no_error (error);
}

/* The builder puts the manager and its objects in place before it requests
 * the name: a manager client waiting for the name gets them all with its
 * first GetManagedObjects, without any InterfacesAdded. */
static void
test_builder (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(ZbusConnectionBuilder) builder = NULL;
  g_autoptr(ZbusObjectManagerClient) manager = NULL;
  g_autoptr(ZbusInterface) a = lamp_new ("a", 10);
  g_autoptr(ZbusInterface) b = lamp_new ("b", 20);
  g_autoptr(ZbusProxy) proxy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *owner = NULL;
  ZbusConnection *service = NULL;
  guint changes = 0;

  /* This test's service is the one the builder makes. */
  zbus_connection_close_sync (fixture->server_conn, NULL, NULL);
  g_clear_object (&fixture->server_conn);
  fixture->server = NULL;

  manager = new_typed_manager (fixture, SERVICE_NAME);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (manager)), ==, 0);
  g_signal_connect (manager, "items-changed", G_CALLBACK (items_changed_cb), &changes);

  builder = zbus_connection_builder_new_session ();
  zbus_connection_builder_add_object_manager (builder, MANAGER_PATH);
  zbus_connection_builder_add_object_manager (builder, MANAGER_PATH);
  zbus_connection_builder_serve_at (builder, MANAGER_PATH "/a", a);
  zbus_connection_builder_serve_at (builder, MANAGER_PATH "/b", b);
  zbus_connection_builder_add_name (builder, SERVICE_NAME, ZBUS_REQUEST_NAME_FLAGS_NONE);
  zbus_connection_builder_build_async (builder, NULL, build_done_cb, &service);
  wait_until (service != NULL);
  fixture->server_conn = service;

  /* Both objects at once: the first answer of the owner had them. */
  wait_until (g_list_model_get_n_items (G_LIST_MODEL (manager)) == 2);
  g_assert_cmpuint (changes, ==, 1);
  owner = zbus_object_manager_client_dup_name_owner (manager);
  g_assert_cmpstr (owner, ==, zbus_connection_get_unique_name (service));
  proxy = lamp_proxy (manager, MANAGER_PATH "/b");
  g_assert_true (G_OBJECT_TYPE (proxy) == zbus_proxy_type_for_interface_type (TEST_TYPE_LAMP, NULL));
  g_assert_cmpint (get_brightness (proxy), ==, 20);

  /* The builder's manager is a real one: it says what comes and goes. */
  g_assert_false (zbus_object_server_add_object_manager (zbus_connection_get_object_server (service),
                                                         MANAGER_PATH, &error));
  g_assert_no_error (error);
  g_assert_true (zbus_object_server_remove (zbus_connection_get_object_server (service),
                                            MANAGER_PATH "/a", TEST_TYPE_LAMP));
  wait_until (g_list_model_get_n_items (G_LIST_MODEL (manager)) == 1);
  g_object_set (b, "brightness", 70, NULL);
  wait_until (get_brightness (proxy) == 70);

  g_signal_handlers_disconnect_by_data (manager, &changes);
}

/* Each path given to the builder is one manager, however often given. */
static void
test_builder_twice_one_manager (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(ZbusConnectionBuilder) builder = zbus_connection_builder_new_session ();
  g_autoptr(ZbusConnection) service = NULL;
  g_autoptr(GError) error = NULL;

  zbus_connection_builder_add_object_manager (builder, "/one");
  zbus_connection_builder_add_object_manager (builder, "/two");
  zbus_connection_builder_add_object_manager (builder, "/one");
  service = zbus_connection_builder_build (builder, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (service);
  /* Both are in place (adding again says so), each once. */
  g_assert_false (zbus_object_server_add_object_manager (zbus_connection_get_object_server (service),
                                                         "/one", &error));
  g_assert_no_error (error);
  g_assert_false (zbus_object_server_add_object_manager (zbus_connection_get_object_server (service),
                                                         "/two", &error));
  g_assert_no_error (error);
  g_assert_true (zbus_object_server_remove_object_manager (zbus_connection_get_object_server (service),
                                                           "/one"));
  g_assert_false (zbus_object_server_remove_object_manager (zbus_connection_get_object_server (service),
                                                            "/one"));
  zbus_connection_close_sync (service, NULL, NULL);
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
  g_test_summary ("ZbusObjectManagerClient with typed proxies, against ZbusObjectServer's "
                  "object manager");

  for (guint i = 0; i < G_N_ELEMENTS (transports); i++)
    {
      gconstpointer t = GINT_TO_POINTER (transports[i].transport);
#define ADD(path, func) \
      G_STMT_START { \
        g_autofree char *full = g_strdup_printf ("/Zbus/ObjectManagerTyped/%s/%s", \
                                                 transports[i].name, path); \
        g_test_add (full, Fixture, t, fixture_setup, func, fixture_teardown); \
      } G_STMT_END
      ADD ("typed", test_typed);
      ADD ("set-later", test_set_later);
      ADD ("builder", test_builder);
#undef ADD
    }
  /* The builder makes native connections only. */
  g_test_add ("/Zbus/ObjectManagerTyped/builder-managers", Fixture,
              GINT_TO_POINTER (TRANSPORT_NATIVE), fixture_setup, test_builder_twice_one_manager,
              fixture_teardown);

  return g_test_run ();
}
