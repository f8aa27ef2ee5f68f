/* test-object-manager-client.c: ZbusObjectManagerClient against a GDBus
 * GDBusObjectManagerServer on a real dbus-daemon, on both transports
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "zbus-gobject.h"
#include "test-util.h"
#include "om-test-service.h"

/* How long anything a test waits for may take. */
#define WAIT_USEC (10 * G_USEC_PER_SEC)

typedef struct
{
  GTestDBus      *bus;
  ZbusConnection *connection;   /* the client's */
  Service        *service;      /* (nullable) */
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  zbus_test_set_cloexec_on_all_fds ();
  fixture->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (fixture->bus);
  fixture->connection = zbus_test_connect (GPOINTER_TO_INT (data));
  fixture->service = service_start ();
  service_do (fixture->service, OP_REQUEST_NAME, NULL, 0, NULL);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_pointer (&fixture->service, service_stop);
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

static ZbusObjectManagerClient *
new_manager (Fixture  *fixture,
             gboolean  async)
{
  g_autoptr(GError) error = NULL;
  ZbusObjectManagerClient *manager;

  if (async)
    {
      g_autoptr(GAsyncResult) result = NULL;

      zbus_object_manager_client_new_async (fixture->connection, SERVICE_NAME, MANAGER_PATH,
                                            ZBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE, NULL,
                                            store_result_cb, &result);
      wait_until (result != NULL);
      manager = zbus_object_manager_client_new_finish (result, &error);
    }
  else
    manager = zbus_object_manager_client_new (fixture->connection, SERVICE_NAME, MANAGER_PATH,
                                              ZBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (manager);
  return manager;
}

static const char *
item_path (GListModel *model,
           guint       position)
{
  g_autoptr(ZbusRemoteObject) object = g_list_model_get_item (model, position);

  g_assert_nonnull (object);
  /* The model holds it: the string outlives this reference. */
  return zbus_remote_object_get_object_path (object);
}

static GVariant *
cached (ZbusObjectManagerClient *manager,
        const char              *path,
        const char              *interface_name,
        const char              *property)
{
  g_autoptr(ZbusProxy) proxy = zbus_object_manager_client_get_interface (manager, path,
                                                                         interface_name);

  if (proxy == NULL)
    return NULL;
  return zbus_proxy_get_cached_property (proxy, property);
}

static int
cached_count (ZbusObjectManagerClient *manager,
              const char              *path)
{
  g_autoptr(GVariant) value = cached (manager, path, THING_IFACE, "Count");

  return value != NULL ? g_variant_get_int32 (value) : -1;
}

/* Records of the model's signals */

typedef struct
{
  GArray *changes;            /* (element-type guint): position, removed, added */
  GPtrArray *added;           /* (element-type utf8): "path iface" */
  GPtrArray *removed;         /* (element-type utf8): "path iface" */
  guint owner_notifies;
} Recorder;

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Recorder   *r)
{
  guint triple[3] = { position, removed, added };

  g_assert_cmpuint (g_list_model_get_n_items (model), ==,
                    g_list_model_get_n_items (model));  /* callable from here */
  g_array_append_vals (r->changes, triple, 3);
}

static void
interface_added_cb (ZbusObjectManagerClient *manager,
                    ZbusRemoteObject        *object,
                    ZbusProxy               *proxy,
                    Recorder                *r)
{
  g_assert_true (zbus_remote_object_has_interface (object, zbus_proxy_get_interface_name (proxy)));
  g_ptr_array_add (r->added, g_strdup_printf ("%s %s", zbus_remote_object_get_object_path (object),
                                              zbus_proxy_get_interface_name (proxy)));
}

static void
interface_removed_cb (ZbusObjectManagerClient *manager,
                      ZbusRemoteObject        *object,
                      ZbusProxy               *proxy,
                      Recorder                *r)
{
  g_assert_false (zbus_remote_object_has_interface (object, zbus_proxy_get_interface_name (proxy)));
  g_ptr_array_add (r->removed, g_strdup_printf ("%s %s", zbus_remote_object_get_object_path (object),
                                                zbus_proxy_get_interface_name (proxy)));
}

static void
owner_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 Recorder   *r)
{
  r->owner_notifies++;
}

static void
recorder_connect (Recorder                *r,
                  ZbusObjectManagerClient *manager)
{
  r->changes = g_array_new (FALSE, FALSE, sizeof (guint));
  r->added = g_ptr_array_new_with_free_func (g_free);
  r->removed = g_ptr_array_new_with_free_func (g_free);
  r->owner_notifies = 0;
  g_signal_connect (manager, "items-changed", G_CALLBACK (items_changed_cb), r);
  g_signal_connect (manager, "interface-added", G_CALLBACK (interface_added_cb), r);
  g_signal_connect (manager, "interface-removed", G_CALLBACK (interface_removed_cb), r);
  g_signal_connect (manager, "notify::name-owner", G_CALLBACK (owner_notify_cb), r);
}

static void
recorder_clear (Recorder                *r,
                ZbusObjectManagerClient *manager)
{
  g_signal_handlers_disconnect_by_data (manager, r);
  g_array_unref (r->changes);
  g_ptr_array_unref (r->added);
  g_ptr_array_unref (r->removed);
}

static void
assert_change (Recorder *r,
               guint     index,
               guint     position,
               guint     removed,
               guint     added)
{
  g_assert_cmpuint (r->changes->len, >=, 3 * (index + 1));
  g_assert_cmpuint (g_array_index (r->changes, guint, 3 * index), ==, position);
  g_assert_cmpuint (g_array_index (r->changes, guint, 3 * index + 1), ==, removed);
  g_assert_cmpuint (g_array_index (r->changes, guint, 3 * index + 2), ==, added);
}

/* ------------------------------------------------------------------------ */
/* The objects there at the start */

static void
check_initial (Fixture  *fixture,
               gboolean  async)
{
  g_autoptr(ZbusObjectManagerClient) manager = NULL;
  g_autoptr(ZbusRemoteObject) a = NULL;
  g_autoptr(ZbusProxy) thing = NULL;
  g_autoptr(ZbusProxy) extra = NULL;
  g_autoptr(GVariant) label = NULL;
  g_autoptr(GVariant) flag = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  g_autofree char *owner = NULL;
  g_autofree char *proxy_owner = NULL;
  const char *description = NULL;
  GList *list;
  int get_all_calls;

  service_do (fixture->service, OP_EXPORT_THING, MANAGER_PATH "/b", 2, "bee");
  service_do (fixture->service, OP_EXPORT_THING, MANAGER_PATH "/a", 1, "ay");
  service_do (fixture->service, OP_ADD_EXTRA, MANAGER_PATH "/a", 0, NULL);
  get_all_calls = g_atomic_int_get (&fixture->service->get_all_calls);

  manager = new_manager (fixture, async);
  g_assert_true (zbus_object_manager_client_get_connection (manager) == fixture->connection);
  g_assert_cmpstr (zbus_object_manager_client_get_name (manager), ==, SERVICE_NAME);
  g_assert_cmpstr (zbus_object_manager_client_get_object_path (manager), ==, MANAGER_PATH);
  owner = zbus_object_manager_client_dup_name_owner (manager);
  g_assert_cmpstr (owner, ==, fixture->service->unique_name);

  /* A model of the objects, sorted by path. */
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (manager)) == ZBUS_TYPE_REMOTE_OBJECT);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (manager)), ==, 2);
  g_assert_cmpstr (item_path (G_LIST_MODEL (manager), 0), ==, MANAGER_PATH "/a");
  g_assert_cmpstr (item_path (G_LIST_MODEL (manager), 1), ==, MANAGER_PATH "/b");
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (manager), 2));

  /* Each interface a proxy, its cache filled from GetManagedObjects. */
  a = zbus_object_manager_client_get_object (manager, MANAGER_PATH "/a");
  g_assert_nonnull (a);
  names = zbus_remote_object_dup_interface_names (a);
  g_assert_cmpuint (g_strv_length (names), ==, 2);
  g_assert_cmpstr (names[0], ==, EXTRA_IFACE);
  g_assert_cmpstr (names[1], ==, THING_IFACE);
  list = zbus_remote_object_list_interfaces (a);
  g_assert_cmpuint (g_list_length (list), ==, 2);
  g_assert_cmpstr (zbus_proxy_get_interface_name (list->data), ==, EXTRA_IFACE);
  g_list_free_full (list, g_object_unref);

  thing = zbus_remote_object_get_interface (a, THING_IFACE);
  g_assert_cmpstr (zbus_proxy_get_destination (thing), ==, SERVICE_NAME);
  g_assert_cmpstr (zbus_proxy_get_object_path (thing), ==, MANAGER_PATH "/a");
  proxy_owner = zbus_proxy_dup_name_owner (thing);
  g_assert_cmpstr (proxy_owner, ==, fixture->service->unique_name);
  g_assert_cmpint (cached_count (manager, MANAGER_PATH "/a"), ==, 1);
  g_assert_cmpint (cached_count (manager, MANAGER_PATH "/b"), ==, 2);
  label = zbus_proxy_get_cached_property (thing, "Label");
  g_assert_cmpstr (g_variant_get_string (label, NULL), ==, "ay");
  extra = zbus_object_manager_client_get_interface (manager, MANAGER_PATH "/a", EXTRA_IFACE);
  flag = zbus_proxy_get_cached_property (extra, "Flag");
  g_assert_true (g_variant_get_boolean (flag));
  g_assert_null (zbus_object_manager_client_get_interface (manager, MANAGER_PATH "/b", EXTRA_IFACE));
  g_assert_null (zbus_object_manager_client_get_object (manager, MANAGER_PATH "/nope"));
  g_assert_null (zbus_remote_object_get_interface (a, "org.zbus.Nope"));

  /* Calls go through. */
  reply = zbus_proxy_call (thing, "Describe", NULL, G_VARIANT_TYPE ("(s)"),
                           ZBUS_MESSAGE_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(&s)", &description);
  g_assert_cmpstr (description, ==, "ay");

  /* No GetAll per object: the values came with the objects. */
  g_assert_cmpint (g_atomic_int_get (&fixture->service->get_all_calls), ==, get_all_calls);

  g_clear_object (&thing);
  g_clear_object (&extra);
  g_clear_object (&a);
  g_assert_finalize_object (g_steal_pointer (&manager));
}

static void
test_initial (Fixture       *fixture,
              gconstpointer  data)
{
  check_initial (fixture, FALSE);
}

static void
test_initial_async (Fixture       *fixture,
                    gconstpointer  data)
{
  check_initial (fixture, TRUE);
}

/* ------------------------------------------------------------------------ */
/* Changes */

typedef struct
{
  guint properties_changed;
  GPtrArray *poked;   /* (element-type utf8) */
} ProxyRecorder;

static void
proxy_properties_changed_cb (ZbusProxy          *proxy,
                             GVariant           *changed,
                             const char * const *invalidated,
                             ProxyRecorder      *pr)
{
  pr->properties_changed++;
}

static void
proxy_poked_cb (ZbusProxy     *proxy,
                const char    *sender,
                const char    *signal_name,
                GVariant      *parameters,
                ProxyRecorder *pr)
{
  const char *text = NULL;

  g_variant_get (parameters, "(&s)", &text);
  g_ptr_array_add (pr->poked, g_strdup (text));
}

static void
test_changes (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(ZbusObjectManagerClient) manager = NULL;
  g_autoptr(ZbusRemoteObject) x = NULL;
  g_autoptr(ZbusProxy) thing = NULL;
  g_autoptr(ZbusMessageStream) stream = NULL;
  g_autoptr(GVariant) flag = NULL;
  g_autoptr(GError) error = NULL;
  ProxyRecorder pr = { 0, g_ptr_array_new_with_free_func (g_free) };
  Recorder r;
  guint object_added = 0, object_removed = 0;
  int get_all_calls;

  manager = new_manager (fixture, FALSE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (manager)), ==, 0);
  recorder_connect (&r, manager);
  get_all_calls = g_atomic_int_get (&fixture->service->get_all_calls);

  /* An object appears, its properties with it. */
  service_do (fixture->service, OP_EXPORT_THING, MANAGER_PATH "/x", 5, "ex");
  wait_until (g_list_model_get_n_items (G_LIST_MODEL (manager)) == 1);
  g_assert_cmpuint (r.changes->len, ==, 3);
  assert_change (&r, 0, 0, 0, 1);
  g_assert_cmpint (cached_count (manager, MANAGER_PATH "/x"), ==, 5);
  g_assert_cmpuint (r.added->len, ==, 0);

  x = zbus_object_manager_client_get_object (manager, MANAGER_PATH "/x");
  g_signal_connect_swapped (x, "interface-added", G_CALLBACK (g_nullify_pointer), &object_added);
  thing = zbus_remote_object_get_interface (x, THING_IFACE);
  g_signal_connect (thing, "properties-changed", G_CALLBACK (proxy_properties_changed_cb), &pr);
  g_signal_connect (thing, "dbus-signal::Poked", G_CALLBACK (proxy_poked_cb), &pr);

  /* Its property changes reach its proxy. */
  service_do (fixture->service, OP_SET_COUNT, MANAGER_PATH "/x", 6, NULL);
  wait_until (cached_count (manager, MANAGER_PATH "/x") == 6);
  g_assert_cmpuint (pr.properties_changed, ==, 1);

  /* So do its signals, as GObject signals and in streams. */
  stream = zbus_proxy_receive_signal (thing, "Poked", NULL, NULL, &error);
  g_assert_no_error (error);
  service_do (fixture->service, OP_EMIT_POKED, MANAGER_PATH "/x", 0, "hi");
  wait_until (pr.poked->len == 1 && zbus_message_stream_get_queued (stream) == 1);
  g_assert_cmpstr (g_ptr_array_index (pr.poked, 0), ==, "hi");

  /* An interface comes and goes; the object stays. */
  object_added = 1;
  service_do (fixture->service, OP_ADD_EXTRA, MANAGER_PATH "/x", 0, NULL);
  wait_until (r.added->len == 1);
  g_assert_cmpstr (g_ptr_array_index (r.added, 0), ==, MANAGER_PATH "/x " EXTRA_IFACE);
  g_assert_cmpuint (object_added, ==, 0);   /* the object's signal too */
  flag = cached (manager, MANAGER_PATH "/x", EXTRA_IFACE, "Flag");
  g_assert_nonnull (flag);
  g_assert_true (g_variant_get_boolean (flag));
  g_assert_cmpuint (r.changes->len, ==, 3);

  g_signal_connect_swapped (x, "interface-removed", G_CALLBACK (g_nullify_pointer), &object_removed);
  object_removed = 1;
  service_do (fixture->service, OP_REMOVE_EXTRA, MANAGER_PATH "/x", 0, NULL);
  wait_until (r.removed->len == 1);
  g_assert_cmpstr (g_ptr_array_index (r.removed, 0), ==, MANAGER_PATH "/x " EXTRA_IFACE);
  g_assert_cmpuint (object_removed, ==, 0);
  g_assert_false (zbus_remote_object_has_interface (x, EXTRA_IFACE));
  g_assert_cmpuint (r.changes->len, ==, 3);

  /* A property set right after the export is not lost: the manager hands
   * the proxy what came after the object, in order. */
  service_do (fixture->service, OP_EXPORT_AND_SET, MANAGER_PATH "/w", 7, NULL);
  wait_until (g_list_model_get_n_items (G_LIST_MODEL (manager)) == 2);
  assert_change (&r, 1, 0, 0, 1);
  wait_until (cached_count (manager, MANAGER_PATH "/w") == 7);

  /* The object goes: it leaves the model, its proxy's stream ends. */
  service_do (fixture->service, OP_UNEXPORT, MANAGER_PATH "/x", 0, NULL);
  wait_until (g_list_model_get_n_items (G_LIST_MODEL (manager)) == 1);
  assert_change (&r, 2, 1, 1, 0);
  g_assert_cmpstr (item_path (G_LIST_MODEL (manager), 0), ==, MANAGER_PATH "/w");
  g_assert_null (zbus_object_manager_client_get_object (manager, MANAGER_PATH "/x"));
  g_assert_true (zbus_message_stream_is_closed (stream));
  g_assert_cmpuint (r.removed->len, ==, 1);

  g_assert_cmpint (g_atomic_int_get (&fixture->service->get_all_calls), ==, get_all_calls);

  recorder_clear (&r, manager);
  g_ptr_array_unref (pr.poked);
  g_signal_handlers_disconnect_by_data (thing, &pr);
  g_clear_object (&stream);
  g_clear_object (&thing);
  g_assert_finalize_object (g_steal_pointer (&x));
  g_assert_finalize_object (g_steal_pointer (&manager));
}

/* Signals at the manager's path from a connection that does not own the
 * name are not the service's. */
static void
test_impostor (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(ZbusObjectManagerClient) manager = NULL;
  g_autoptr(ZbusConnection) impostor = zbus_test_connect (TRANSPORT_NATIVE);
  g_autoptr(GError) error = NULL;
  GVariantBuilder interfaces;

  service_do (fixture->service, OP_EXPORT_THING, MANAGER_PATH "/real", 1, "real");
  manager = new_manager (fixture, FALSE);

  g_variant_builder_init (&interfaces, G_VARIANT_TYPE ("a{sa{sv}}"));
  g_variant_builder_add (&interfaces, "{s@a{sv}}", THING_IFACE,
                         g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0));
  zbus_connection_emit_signal (impostor, NULL, MANAGER_PATH, "org.freedesktop.DBus.ObjectManager",
                               "InterfacesAdded",
                               g_variant_new ("(oa{sa{sv}})", MANAGER_PATH "/fake", &interfaces),
                               &error);
  g_assert_no_error (error);
  zbus_connection_flush_sync (impostor, NULL, &error);
  g_assert_no_error (error);

  /* The service's later change arrives after the impostor's signal. */
  service_do (fixture->service, OP_SET_COUNT, MANAGER_PATH "/real", 2, NULL);
  wait_until (cached_count (manager, MANAGER_PATH "/real") == 2);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (manager)), ==, 1);
  g_assert_null (zbus_object_manager_client_get_object (manager, MANAGER_PATH "/fake"));

  zbus_connection_close_sync (impostor, NULL, NULL);
}

/* ------------------------------------------------------------------------ */
/* The owner of the name */

static void
test_owner_change (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(ZbusObjectManagerClient) manager = NULL;
  g_autoptr(ZbusProxy) old_thing = NULL;
  g_autoptr(ZbusMessageStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *owner = NULL;
  Recorder r;

  service_do (fixture->service, OP_EXPORT_THING, MANAGER_PATH "/one", 1, "one");
  service_do (fixture->service, OP_EXPORT_THING, MANAGER_PATH "/two", 2, "two");
  manager = new_manager (fixture, FALSE);
  recorder_connect (&r, manager);
  old_thing = zbus_object_manager_client_get_interface (manager, MANAGER_PATH "/one", THING_IFACE);
  stream = zbus_proxy_receive_signal (old_thing, "Poked", NULL, NULL, &error);
  g_assert_no_error (error);

  /* The name is released: the model empties. */
  service_do (fixture->service, OP_RELEASE_NAME, NULL, 0, NULL);
  wait_until (g_list_model_get_n_items (G_LIST_MODEL (manager)) == 0);
  assert_change (&r, 0, 0, 2, 0);
  g_assert_null (zbus_object_manager_client_dup_name_owner (manager));
  g_assert_cmpuint (r.owner_notifies, ==, 1);
  g_assert_true (zbus_message_stream_is_closed (stream));

  /* Changes while nobody owns the name are not the service's. */
  service_do (fixture->service, OP_SET_COUNT, MANAGER_PATH "/one", 10, NULL);

  /* Owned again: the objects are fetched again, as they are now. */
  service_do (fixture->service, OP_REQUEST_NAME, NULL, 0, NULL);
  wait_until (g_list_model_get_n_items (G_LIST_MODEL (manager)) == 2);
  assert_change (&r, 1, 0, 0, 2);
  owner = zbus_object_manager_client_dup_name_owner (manager);
  g_assert_cmpstr (owner, ==, fixture->service->unique_name);
  g_assert_cmpuint (r.owner_notifies, ==, 2);
  g_assert_cmpint (cached_count (manager, MANAGER_PATH "/one"), ==, 10);
  g_assert_cmpint (cached_count (manager, MANAGER_PATH "/two"), ==, 2);
  {
    g_autoptr(ZbusProxy) new_thing = zbus_object_manager_client_get_interface (manager, MANAGER_PATH "/one",
                                                                               THING_IFACE);
    g_assert_true (new_thing != old_thing);
  }

  /* The service's connection goes: the model empties; another service
   * takes the name with other objects: the model holds them. */
  g_clear_pointer (&fixture->service, service_stop);
  wait_until (g_list_model_get_n_items (G_LIST_MODEL (manager)) == 0);
  fixture->service = service_start ();
  service_do (fixture->service, OP_EXPORT_THING, MANAGER_PATH "/three", 3, "three");
  service_do (fixture->service, OP_REQUEST_NAME, NULL, 0, NULL);
  wait_until (g_list_model_get_n_items (G_LIST_MODEL (manager)) == 1);
  g_assert_cmpstr (item_path (G_LIST_MODEL (manager), 0), ==, MANAGER_PATH "/three");
  g_assert_cmpint (cached_count (manager, MANAGER_PATH "/three"), ==, 3);
  g_clear_pointer (&owner, g_free);
  owner = zbus_object_manager_client_dup_name_owner (manager);
  g_assert_cmpstr (owner, ==, fixture->service->unique_name);

  /* And follows it. */
  service_do (fixture->service, OP_SET_COUNT, MANAGER_PATH "/three", 33, NULL);
  wait_until (cached_count (manager, MANAGER_PATH "/three") == 33);

  recorder_clear (&r, manager);
  g_clear_object (&stream);
  g_clear_object (&old_thing);
  g_assert_finalize_object (g_steal_pointer (&manager));
}

/* A name nobody owns yet: an empty model, filled when it is owned. */
static void
test_late_owner (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(ZbusObjectManagerClient) manager = NULL;

  service_do (fixture->service, OP_RELEASE_NAME, NULL, 0, NULL);
  service_do (fixture->service, OP_EXPORT_THING, MANAGER_PATH "/late", 4, "late");
  manager = new_manager (fixture, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (manager)), ==, 0);
  g_assert_null (zbus_object_manager_client_dup_name_owner (manager));

  service_do (fixture->service, OP_REQUEST_NAME, NULL, 0, NULL);
  wait_until (g_list_model_get_n_items (G_LIST_MODEL (manager)) == 1);
  g_assert_cmpint (cached_count (manager, MANAGER_PATH "/late"), ==, 4);
}

static void
test_errors (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(ZbusObjectManagerClient) manager = NULL;
  g_autoptr(GError) error = NULL;

  manager = zbus_object_manager_client_new (fixture->connection, "not a name", MANAGER_PATH,
                                            ZBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE, NULL, &error);
  g_assert_null (manager);
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME);
  g_clear_error (&error);

  manager = zbus_object_manager_client_new (fixture->connection, SERVICE_NAME, "bad//path",
                                            ZBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE, NULL, &error);
  g_assert_null (manager);
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME);
  g_clear_error (&error);

  manager = zbus_object_manager_client_new (fixture->connection, NULL, MANAGER_PATH,
                                            ZBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE, NULL, &error);
  g_assert_null (manager);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* No object manager at that path: the service's error. */
  manager = zbus_object_manager_client_new (fixture->connection, SERVICE_NAME, "/elsewhere",
                                            ZBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE, NULL, &error);
  g_assert_null (manager);
  g_assert_nonnull (error);
  g_assert_true (g_str_has_prefix (error->message, "Could not get the objects of " SERVICE_NAME));
}

/* Peer to peer: no bus, no name. */
static void
test_peer (void)
{
  g_autoptr(GSocket) client_socket = NULL;
  g_autoptr(GSocket) service_socket = NULL;
  g_autoptr(GIOStream) service_stream = NULL;
  g_autoptr(ZbusConnectionBuilder) builder = NULL;
  g_autoptr(ZbusConnection) connection = NULL;
  g_autoptr(ZbusObjectManagerClient) manager = NULL;
  g_autoptr(GError) error = NULL;
  Service *service;
  int fds[2];

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM, 0, fds), ==, 0);
  client_socket = g_socket_new_from_fd (fds[0], &error);
  g_assert_no_error (error);
  service_socket = g_socket_new_from_fd (fds[1], &error);
  g_assert_no_error (error);
  service_stream = G_IO_STREAM (g_socket_connection_factory_create_connection (service_socket));

  service = service_spawn (service_stream);
  builder = zbus_connection_builder_new_for_socket (client_socket);
  zbus_connection_builder_set_p2p (builder, TRUE);
  connection = zbus_connection_builder_build (builder, NULL, &error);
  g_assert_no_error (error);
  service_wait (service);
  g_assert_false (zbus_connection_is_bus (connection));

  service_do (service, OP_EXPORT_THING, MANAGER_PATH "/p", 8, "pee");
  manager = zbus_object_manager_client_new (connection, NULL, MANAGER_PATH,
                                            ZBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (zbus_object_manager_client_get_name (manager));
  g_assert_null (zbus_object_manager_client_dup_name_owner (manager));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (manager)), ==, 1);
  g_assert_cmpint (cached_count (manager, MANAGER_PATH "/p"), ==, 8);

  service_do (service, OP_EXPORT_THING, MANAGER_PATH "/q", 9, "queue");
  wait_until (g_list_model_get_n_items (G_LIST_MODEL (manager)) == 2);
  service_do (service, OP_SET_COUNT, MANAGER_PATH "/p", 80, NULL);
  wait_until (cached_count (manager, MANAGER_PATH "/p") == 80);
  service_do (service, OP_UNEXPORT, MANAGER_PATH "/q", 0, NULL);
  wait_until (g_list_model_get_n_items (G_LIST_MODEL (manager)) == 1);

  g_assert_finalize_object (g_steal_pointer (&manager));
  service_stop (service);
  zbus_connection_close_sync (connection, NULL, NULL);
  while (g_main_context_iteration (NULL, FALSE));
}

/* With AUTO_START the bus starts an activatable service that is not
 * running (python-dbusmock with tests/om-mock-template.py); without it,
 * nothing is started. */
#define ACTIVATABLE_NAME "org.zbus.Test.Activatable"
#define ACTIVATABLE_PATH "/org/zbus/Test/Activatable"

static void
test_auto_start (gconstpointer data)
{
  Transport transport = GPOINTER_TO_INT (data);
  g_autoptr(GTestDBus) bus = NULL;
  g_autoptr(ZbusConnection) connection = NULL;
  g_autoptr(ZbusObjectManagerClient) manager = NULL;
  g_autoptr(ZbusObjectManagerClient) lazy = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) pid = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *service_file = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *owner = NULL;
  const char *template = g_test_get_filename (G_TEST_DIST, "om-mock-template.py", NULL);
  int saved_stdout;

  zbus_test_set_cloexec_on_all_fds ();
  dir = g_dir_make_tmp ("zbus-om-XXXXXX", &error);
  g_assert_no_error (error);
  service_file = g_build_filename (dir, ACTIVATABLE_NAME ".service", NULL);
  contents = g_strdup_printf ("[D-BUS Service]\nName=" ACTIVATABLE_NAME "\n"
                              "Exec=/usr/bin/python3 -m dbusmock --session -t %s\n", template);
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

  /* Without the flag: not started, an empty model. */
  lazy = zbus_object_manager_client_new (connection, ACTIVATABLE_NAME, ACTIVATABLE_PATH,
                                         ZBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (lazy)), ==, 0);
  g_assert_null (zbus_object_manager_client_dup_name_owner (lazy));

  /* With it: started, its objects there when construction ends. */
  if (transport == TRANSPORT_GDBUS)
    {
      g_autoptr(GAsyncResult) result = NULL;

      zbus_object_manager_client_new_async (connection, ACTIVATABLE_NAME, ACTIVATABLE_PATH,
                                            ZBUS_OBJECT_MANAGER_CLIENT_FLAGS_AUTO_START, NULL,
                                            store_result_cb, &result);
      wait_until (result != NULL);
      manager = zbus_object_manager_client_new_finish (result, &error);
    }
  else
    manager = zbus_object_manager_client_new (connection, ACTIVATABLE_NAME, ACTIVATABLE_PATH,
                                              ZBUS_OBJECT_MANAGER_CLIENT_FLAGS_AUTO_START, NULL,
                                              &error);
  g_assert_no_error (error);
  g_assert_cmpint (zbus_object_manager_client_get_flags (manager), ==,
                   ZBUS_OBJECT_MANAGER_CLIENT_FLAGS_AUTO_START);
  owner = zbus_object_manager_client_dup_name_owner (manager);
  g_assert_nonnull (owner);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (manager)), ==, 1);
  g_assert_cmpint (cached_count (manager, ACTIVATABLE_PATH "/thing"), ==, 7);

  /* The other manager follows the name it now has an owner. */
  wait_until (g_list_model_get_n_items (G_LIST_MODEL (lazy)) == 1);

  /* The bus started the mock: stop it before the bus goes. */
  pid = zbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                   "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                   g_variant_new ("(s)", owner), G_VARIANT_TYPE ("(u)"),
                                   ZBUS_MESSAGE_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  {
    guint32 mock_pid;

    g_variant_get (pid, "(u)", &mock_pid);
    kill ((pid_t) mock_pid, SIGTERM);
  }
  wait_until (g_list_model_get_n_items (G_LIST_MODEL (manager)) == 0);

  g_clear_object (&manager);
  g_clear_object (&lazy);
  zbus_connection_close_sync (connection, NULL, NULL);
  while (g_main_context_iteration (NULL, FALSE));
  g_assert_finalize_object (g_steal_pointer (&connection));
  g_test_dbus_down (bus);
  g_unlink (service_file);
  g_rmdir (dir);
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
  g_test_summary ("ZbusObjectManagerClient against a GDBusObjectManagerServer");

  for (guint i = 0; i < G_N_ELEMENTS (transports); i++)
    {
      gconstpointer t = GINT_TO_POINTER (transports[i].transport);
#define ADD(path, func) \
      G_STMT_START { \
        g_autofree char *full = g_strdup_printf ("/Zbus/ObjectManagerClient/%s/%s", \
                                                 transports[i].name, path); \
        g_test_add (full, Fixture, t, fixture_setup, func, fixture_teardown); \
      } G_STMT_END
      ADD ("initial", test_initial);
      ADD ("initial-async", test_initial_async);
      ADD ("changes", test_changes);
      ADD ("impostor", test_impostor);
      ADD ("owner-change", test_owner_change);
      ADD ("late-owner", test_late_owner);
      ADD ("errors", test_errors);
#undef ADD
    }
  g_test_add_func ("/Zbus/ObjectManagerClient/peer", test_peer);
  g_test_add_data_func ("/Zbus/ObjectManagerClient/native/auto-start",
                        GINT_TO_POINTER (TRANSPORT_NATIVE), test_auto_start);
  g_test_add_data_func ("/Zbus/ObjectManagerClient/gdbus/auto-start-async",
                        GINT_TO_POINTER (TRANSPORT_GDBUS), test_auto_start);

  return g_test_run ();
}
