/* test-standard-interfaces.c: ZbusBusProxy, the Peer and Introspectable
 * interfaces through a ZbusProxy, and monitor connections, on a real
 * dbus-daemon, on both transports
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "zbus-gobject.h"
#include "test-util.h"
#include "om-test-service.h"

#define WAIT_USEC (10 * G_USEC_PER_SEC)

typedef struct
{
  GTestDBus      *bus;
  ZbusConnection *connection;   /* the transport under test */
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  zbus_test_set_cloexec_on_all_fds ();
  fixture->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (fixture->bus);
  fixture->connection = zbus_test_connect (GPOINTER_TO_INT (data));
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
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

/* Runs the default context until an async call stored its result. */
static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  wait_until (*slot != NULL);
  return *slot;
}

/* ------------------------------------------------------------------------ */
/* The bus daemon */

typedef struct
{
  GPtrArray *owner_changes;   /* (element-type utf8): "name old new" */
  GPtrArray *acquired;        /* (element-type utf8) */
  GPtrArray *lost;            /* (element-type utf8) */
} BusRecorder;

static void
name_owner_changed_cb (ZbusBusProxy *proxy,
                       const char   *name,
                       const char   *old_owner,
                       const char   *new_owner,
                       BusRecorder  *r)
{
  g_ptr_array_add (r->owner_changes, g_strdup_printf ("%s %s %s", name,
                                                      old_owner ? old_owner : "-",
                                                      new_owner ? new_owner : "-"));
}

static void
name_acquired_cb (ZbusBusProxy *proxy,
                  const char   *name,
                  BusRecorder  *r)
{
  g_ptr_array_add (r->acquired, g_strdup (name));
}

static void
name_lost_cb (ZbusBusProxy *proxy,
              const char   *name,
              BusRecorder  *r)
{
  g_ptr_array_add (r->lost, g_strdup (name));
}

static gboolean
strv_has (char       **strv,
          const char  *item)
{
  return strv != NULL && g_strv_contains ((const char * const *) strv, item);
}

static gboolean
ptr_array_has (GPtrArray  *array,
               const char *item)
{
  for (guint i = 0; i < array->len; i++)
    if (g_str_equal (g_ptr_array_index (array, i), item))
      return TRUE;
  return FALSE;
}

static void
test_bus_proxy (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(ZbusBusProxy) bus = NULL;
  g_autoptr(ZbusProxy) plain = NULL;
  g_autoptr(ZbusConnection) other = zbus_test_connect (TRANSPORT_NATIVE);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  g_auto(GStrv) activatable = NULL;
  g_autofree char *owner = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GVariant) credentials = NULL;
  const char *unique = zbus_connection_get_unique_name (fixture->connection);
  guint32 uid = 0, pid = 0, value = 0;
  BusRecorder r = {
    g_ptr_array_new_with_free_func (g_free),
    g_ptr_array_new_with_free_func (g_free),
    g_ptr_array_new_with_free_func (g_free),
  };

  bus = zbus_bus_proxy_new (fixture->connection, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (zbus_proxy_get_destination (ZBUS_PROXY (bus)), ==, "org.freedesktop.DBus");
  plain = zbus_proxy_new_for_bus_daemon (fixture->connection, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ZBUS_IS_BUS_PROXY (plain));
  g_signal_connect (bus, "name-owner-changed", G_CALLBACK (name_owner_changed_cb), &r);
  g_signal_connect (bus, "name-acquired", G_CALLBACK (name_acquired_cb), &r);
  g_signal_connect (bus, "name-lost", G_CALLBACK (name_lost_cb), &r);

  names = zbus_bus_proxy_list_names (bus, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (strv_has (names, unique));
  g_assert_true (strv_has (names, "org.freedesktop.DBus"));
  activatable = zbus_bus_proxy_list_activatable_names (bus, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (strv_has (activatable, "org.freedesktop.DBus"));

  owner = zbus_bus_proxy_get_name_owner (bus, unique, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (owner, ==, unique);
  g_clear_pointer (&owner, g_free);
  owner = zbus_bus_proxy_get_name_owner (bus, "org.zbus.Test.Nobody", NULL, &error);
  g_assert_null (owner);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER);
  g_clear_error (&error);
  g_assert_true (zbus_bus_proxy_name_has_owner (bus, unique, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (zbus_bus_proxy_name_has_owner (bus, "org.zbus.Test.Nobody", NULL, &error));
  g_assert_no_error (error);

  /* Who is at the other end: this very process. */
  g_assert_true (zbus_bus_proxy_get_connection_unix_user (bus, unique, &uid, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (uid, ==, getuid ());
  g_assert_true (zbus_bus_proxy_get_connection_unix_process_id (bus, unique, &pid, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pid, ==, getpid ());
  credentials = zbus_bus_proxy_get_connection_credentials (bus, unique, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_variant_is_of_type (credentials, G_VARIANT_TYPE_VARDICT));
  g_assert_true (g_variant_lookup (credentials, "UnixUserID", "u", &value));
  g_assert_cmpuint (value, ==, getuid ());
  g_assert_true (g_variant_lookup (credentials, "ProcessID", "u", &value));
  g_assert_cmpuint (value, ==, getpid ());
  g_assert_false (zbus_bus_proxy_get_connection_unix_user (bus, "org.zbus.Test.Nobody", &uid,
                                                           NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* The bus's signals, as GObject signals. */
  g_assert_cmpint (zbus_connection_request_name_sync (other, "org.zbus.Test.Someone",
                                                      ZBUS_REQUEST_NAME_FLAGS_NONE, NULL, &error),
                   ==, ZBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER);
  g_assert_no_error (error);
  expected = g_strdup_printf ("org.zbus.Test.Someone - %s", zbus_connection_get_unique_name (other));
  wait_until (ptr_array_has (r.owner_changes, expected));

  g_assert_cmpint (zbus_connection_request_name_sync (fixture->connection, "org.zbus.Test.Mine",
                                                      ZBUS_REQUEST_NAME_FLAGS_NONE, NULL, &error),
                   ==, ZBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER);
  g_assert_no_error (error);
  wait_until (ptr_array_has (r.acquired, "org.zbus.Test.Mine"));
  zbus_connection_release_name_sync (fixture->connection, "org.zbus.Test.Mine", NULL, &error);
  g_assert_no_error (error);
  wait_until (ptr_array_has (r.lost, "org.zbus.Test.Mine"));

  g_signal_handlers_disconnect_by_data (bus, &r);
  g_ptr_array_unref (r.owner_changes);
  g_ptr_array_unref (r.acquired);
  g_ptr_array_unref (r.lost);
  zbus_connection_close_sync (other, NULL, NULL);
}

static void
test_bus_proxy_async (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(ZbusBusProxy) bus = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  g_autofree char *owner = NULL;
  g_autoptr(GVariant) credentials = NULL;
  const char *unique = zbus_connection_get_unique_name (fixture->connection);
  guint32 uid = 0, pid = 0;

  zbus_bus_proxy_new_async (fixture->connection, NULL, store_result_cb, &result);
  bus = zbus_bus_proxy_new_finish (wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  zbus_bus_proxy_list_names_async (bus, NULL, store_result_cb, &result);
  names = zbus_bus_proxy_list_names_finish (bus, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_true (strv_has (names, unique));
  g_clear_object (&result);
  g_clear_pointer (&names, g_strfreev);

  zbus_bus_proxy_list_activatable_names_async (bus, NULL, store_result_cb, &result);
  names = zbus_bus_proxy_list_activatable_names_finish (bus, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_true (strv_has (names, "org.freedesktop.DBus"));
  g_clear_object (&result);

  zbus_bus_proxy_get_name_owner_async (bus, "org.freedesktop.DBus", NULL, store_result_cb, &result);
  owner = zbus_bus_proxy_get_name_owner_finish (bus, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (owner, ==, "org.freedesktop.DBus");
  g_clear_object (&result);

  zbus_bus_proxy_name_has_owner_async (bus, "org.zbus.Test.Nobody", NULL, store_result_cb, &result);
  g_assert_false (zbus_bus_proxy_name_has_owner_finish (bus, wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  zbus_bus_proxy_get_connection_unix_user_async (bus, unique, NULL, store_result_cb, &result);
  g_assert_true (zbus_bus_proxy_get_connection_unix_user_finish (bus, wait_result (&result), &uid,
                                                                 &error));
  g_assert_no_error (error);
  g_assert_cmpuint (uid, ==, getuid ());
  g_clear_object (&result);

  zbus_bus_proxy_get_connection_unix_process_id_async (bus, unique, NULL, store_result_cb, &result);
  g_assert_true (zbus_bus_proxy_get_connection_unix_process_id_finish (bus, wait_result (&result),
                                                                       &pid, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pid, ==, getpid ());
  g_clear_object (&result);

  zbus_bus_proxy_get_connection_credentials_async (bus, unique, NULL, store_result_cb, &result);
  credentials = zbus_bus_proxy_get_connection_credentials_finish (bus, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_true (g_variant_lookup (credentials, "UnixUserID", "u", &uid));
  g_assert_cmpuint (uid, ==, getuid ());
  g_clear_object (&result);

  zbus_bus_proxy_get_name_owner_async (bus, "org.zbus.Test.Nobody", NULL, store_result_cb, &result);
  g_clear_pointer (&owner, g_free);
  owner = zbus_bus_proxy_get_name_owner_finish (bus, wait_result (&result), &error);
  g_assert_null (owner);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER);
}

/* ------------------------------------------------------------------------ */
/* Peer and Introspectable */

static void
test_peer_introspect (Fixture       *fixture,
                      gconstpointer  data)
{
  Service *service = service_start ();
  g_autoptr(ZbusProxy) thing = NULL;
  g_autoptr(ZbusProxy) manager = NULL;
  g_autoptr(ZbusProxy) nobody = NULL;
  g_autoptr(ZbusProxy) bus = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusNodeInfo) info = NULL;
  g_autofree char *machine_id = NULL;
  g_autofree char *expected_id = NULL;
  g_autofree char *xml = NULL;
  GDBusInterfaceInfo *iface;

  service_do (service, OP_EXPORT_THING, MANAGER_PATH "/a", 1, "ay");
  service_do (service, OP_REQUEST_NAME, NULL, 0, NULL);
  thing = zbus_proxy_new (fixture->connection, SERVICE_NAME, MANAGER_PATH "/a", THING_IFACE,
                          ZBUS_PROXY_CACHE_MODE_NONE, NULL, &error);
  g_assert_no_error (error);

  /* Peer, answered by GDBus. */
  g_assert_true (zbus_proxy_ping (thing, NULL, &error));
  g_assert_no_error (error);
  zbus_proxy_ping_async (thing, NULL, store_result_cb, &result);
  g_assert_true (zbus_proxy_ping_finish (thing, wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  /* What GDBus answers with (g_dbus_get_machine_id() is newer than the
   * GLib we build against). */
  if (!g_file_get_contents ("/var/lib/dbus/machine-id", &expected_id, NULL, NULL))
    g_assert_true (g_file_get_contents ("/etc/machine-id", &expected_id, NULL, &error));
  g_assert_no_error (error);
  g_strstrip (expected_id);
  machine_id = zbus_proxy_get_machine_id (thing, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (machine_id, ==, expected_id);
  g_clear_pointer (&machine_id, g_free);
  zbus_proxy_get_machine_id_async (thing, NULL, store_result_cb, &result);
  machine_id = zbus_proxy_get_machine_id_finish (thing, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (machine_id, ==, expected_id);
  g_clear_object (&result);

  /* Introspectable: the object's interfaces, the manager's children. */
  xml = zbus_proxy_introspect (thing, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (xml, THING_IFACE));
  info = zbus_proxy_introspect_node_info (thing, NULL, &error);
  g_assert_no_error (error);
  iface = g_dbus_node_info_lookup_interface (info, THING_IFACE);
  g_assert_nonnull (iface);
  g_assert_nonnull (g_dbus_interface_info_lookup_property (iface, "Count"));
  g_assert_nonnull (g_dbus_interface_info_lookup_signal (iface, "Poked"));
  g_clear_pointer (&info, g_dbus_node_info_unref);

  manager = zbus_proxy_new (fixture->connection, SERVICE_NAME, MANAGER_PATH,
                            "org.freedesktop.DBus.ObjectManager", ZBUS_PROXY_CACHE_MODE_NONE,
                            NULL, &error);
  g_assert_no_error (error);
  zbus_proxy_introspect_async (manager, NULL, store_result_cb, &result);
  g_clear_pointer (&xml, g_free);
  xml = zbus_proxy_introspect_finish (manager, wait_result (&result), &error);
  g_assert_no_error (error);
  info = g_dbus_node_info_new_for_xml (xml, &error);
  g_assert_no_error (error);
  g_assert_nonnull (g_dbus_node_info_lookup_interface (info, "org.freedesktop.DBus.ObjectManager"));
  g_assert_nonnull (info->nodes);
  g_assert_nonnull (info->nodes[0]);
  g_assert_cmpstr (info->nodes[0]->path, ==, "a");
  g_clear_object (&result);
  g_clear_pointer (&info, g_dbus_node_info_unref);

  /* The bus answers them too. */
  bus = zbus_proxy_new_for_bus_daemon (fixture->connection, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (zbus_proxy_ping (bus, NULL, &error));
  g_assert_no_error (error);
  info = zbus_proxy_introspect_node_info (bus, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (g_dbus_node_info_lookup_interface (info, "org.freedesktop.DBus"));

  /* Nobody there: the bus's error. */
  nobody = zbus_proxy_new (fixture->connection, "org.zbus.Test.Nobody", "/", THING_IFACE,
                           ZBUS_PROXY_CACHE_MODE_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (zbus_proxy_ping (nobody, NULL, &error));
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN);

  g_clear_object (&thing);
  g_clear_object (&manager);
  service_stop (service);
}

/* ------------------------------------------------------------------------ */
/* Monitors */

/* Pops messages until one satisfies @pred; returns it. */
static ZbusMessage *
pop_until (ZbusMessageStream *stream,
           gboolean         (*pred) (ZbusMessage *message, gpointer data),
           gpointer           data,
           guint             *n_before)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_USEC;

  *n_before = 0;
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gint64 now = g_get_monotonic_time ();
      ZbusMessage *message;

      g_assert_cmpint (now, <, deadline);
      /* The stream fills in the reading thread; on the native transport
       * this thread reads while it waits. */
      message = zbus_message_stream_timed_pop (stream, 100 * 1000, NULL, &error);
      if (message == NULL)
        {
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
          while (g_main_context_iteration (NULL, FALSE));
          continue;
        }
      if (pred (message, data))
        return message;
      (*n_before)++;
      zbus_message_unref (message);
    }
}

static gboolean
is_hello (ZbusMessage *message,
          gpointer     data)
{
  return zbus_message_get_message_type (message) == ZBUS_MESSAGE_TYPE_SIGNAL &&
         g_strcmp0 (zbus_message_get_member (message), "Hello") == 0 &&
         g_strcmp0 (zbus_message_get_sender (message), data) == 0;
}

static gboolean
is_list_names_call (ZbusMessage *message,
                    gpointer     data)
{
  return zbus_message_get_message_type (message) == ZBUS_MESSAGE_TYPE_METHOD_CALL &&
         g_strcmp0 (zbus_message_get_member (message), "ListNames") == 0 &&
         g_strcmp0 (zbus_message_get_sender (message), data) == 0;
}

static gboolean
is_reply_to (ZbusMessage *message,
             gpointer     data)
{
  return zbus_message_get_message_type (message) == ZBUS_MESSAGE_TYPE_METHOD_RETURN &&
         g_strcmp0 (zbus_message_get_destination (message), data) == 0;
}

static gboolean
is_name_acquired (ZbusMessage *message,
                  gpointer     data)
{
  return zbus_message_get_message_type (message) == ZBUS_MESSAGE_TYPE_SIGNAL &&
         g_strcmp0 (zbus_message_get_member (message), "NameAcquired") == 0 &&
         g_strcmp0 (zbus_message_get_destination (message), data) == 0;
}

static void
count_cb (guint *counter)
{
  (*counter)++;
}

static void
emit_hello (ZbusConnection *sender)
{
  g_autoptr(GError) error = NULL;

  zbus_connection_emit_signal (sender, NULL, "/org/zbus/Test", "org.zbus.Test.Monitor", "Hello",
                               g_variant_new ("(s)", "there"), &error);
  g_assert_no_error (error);
  zbus_connection_flush_sync (sender, NULL, &error);
  g_assert_no_error (error);
}

static void
list_names (ZbusConnection *caller)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  reply = zbus_connection_call_sync (caller, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                     "org.freedesktop.DBus", "ListNames", NULL, NULL,
                                     ZBUS_MESSAGE_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
}

static void
check_monitor (Fixture  *fixture,
               gboolean  async)
{
  g_autoptr(ZbusConnection) other = zbus_test_connect (TRANSPORT_NATIVE);
  const char *other_name = zbus_connection_get_unique_name (other);
  g_autoptr(ZbusMessageStream) stream = NULL;
  g_autoptr(ZbusMessage) message = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint n_before;
  guint n_acquired = 0;

  if (async)
    {
      g_autoptr(GAsyncResult) result = NULL;

      zbus_connection_become_monitor_async (fixture->connection, NULL, NULL, store_result_cb,
                                            &result);
      stream = zbus_connection_become_monitor_finish (fixture->connection, wait_result (&result),
                                                      &error);
    }
  else
    stream = zbus_connection_become_monitor (fixture->connection, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (stream);

  /* Another connection's call to the bus, and the bus's reply: seen, not
   * answered (the bus would drop a monitor that answers). */
  list_names (other);
  message = pop_until (stream, is_list_names_call, (gpointer) other_name, &n_before);
  g_clear_pointer (&message, zbus_message_unref);
  message = pop_until (stream, is_reply_to, (gpointer) other_name, &n_before);
  g_clear_pointer (&message, zbus_message_unref);

  /* The bus telling another connection it got a name: seen, and not
   * taken for news about this connection. */
  g_signal_connect_swapped (fixture->connection, "name-acquired", G_CALLBACK (count_cb),
                            &n_acquired);
  g_assert_cmpint (zbus_connection_request_name_sync (other, "org.zbus.Test.Monitored",
                                                      ZBUS_REQUEST_NAME_FLAGS_NONE, NULL, &error),
                   ==, ZBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER);
  g_assert_no_error (error);
  message = pop_until (stream, is_name_acquired, (gpointer) other_name, &n_before);
  g_clear_pointer (&message, zbus_message_unref);

  /* A broadcast signal of another connection. */
  emit_hello (other);
  message = pop_until (stream, is_hello, (gpointer) other_name, &n_before);
  g_assert_cmpstr (zbus_message_get_interface (message), ==, "org.zbus.Test.Monitor");
  g_assert_false (zbus_connection_is_closed (fixture->connection));

  /* A monitor may not send: refused here, before the bus drops it. */
  reply = zbus_connection_call_sync (fixture->connection, "org.freedesktop.DBus",
                                     "/org/freedesktop/DBus", "org.freedesktop.DBus", "ListNames",
                                     NULL, NULL, ZBUS_MESSAGE_FLAGS_NONE, -1, NULL, &error);
  g_assert_null (reply);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);

  /* Still a monitor, still connected. */
  g_clear_pointer (&message, zbus_message_unref);
  emit_hello (other);
  message = pop_until (stream, is_hello, (gpointer) other_name, &n_before);
  g_assert_false (zbus_connection_is_closed (fixture->connection));
  while (g_main_context_iteration (NULL, FALSE));
  g_assert_cmpuint (n_acquired, ==, 0);

  g_signal_handlers_disconnect_by_data (fixture->connection, &n_acquired);
  zbus_connection_close_sync (other, NULL, NULL);
}

static void
test_monitor (Fixture       *fixture,
              gconstpointer  data)
{
  check_monitor (fixture, FALSE);
}

static void
test_monitor_async (Fixture       *fixture,
                    gconstpointer  data)
{
  check_monitor (fixture, TRUE);
}

/* Cancelled once BecomeMonitor is out: the bus may have made the
 * connection a monitor all the same, and drops a monitor that sends, so
 * the connection sends nothing more. */
static void
test_monitor_cancelled (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(ZbusConnection) other = zbus_test_connect (TRANSPORT_NATIVE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(ZbusMessageStream) stream = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  zbus_connection_become_monitor_async (fixture->connection, NULL, cancellable, store_result_cb,
                                        &result);
  g_cancellable_cancel (cancellable);
  stream = zbus_connection_become_monitor_finish (fixture->connection, wait_result (&result),
                                                  &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (stream);
  g_clear_error (&error);

  reply = zbus_connection_call_sync (fixture->connection, "org.freedesktop.DBus",
                                     "/org/freedesktop/DBus", "org.freedesktop.DBus", "ListNames",
                                     NULL, NULL, ZBUS_MESSAGE_FLAGS_NONE, -1, NULL, &error);
  g_assert_null (reply);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);

  /* Still connected: the bus had no reason to drop it. */
  list_names (other);
  while (g_main_context_iteration (NULL, FALSE));
  g_assert_false (zbus_connection_is_closed (fixture->connection));
  zbus_connection_close_sync (other, NULL, NULL);
}

/* With rules, only what they match: the call made before the signal is
 * not in the stream. */
static void
test_monitor_rules (Fixture       *fixture,
                    gconstpointer  data)
{
  static const char * const rules[] = { "type='signal',interface='org.zbus.Test.Monitor'", NULL };
  static const char * const bad_rules[] = { "type='nonsense'", NULL };
  g_autoptr(ZbusConnection) other = zbus_test_connect (TRANSPORT_NATIVE);
  const char *other_name = zbus_connection_get_unique_name (other);
  g_autoptr(ZbusMessageStream) stream = NULL;
  g_autoptr(ZbusMessage) message = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint n_before;

  /* A rule that does not parse: refused here, the connection unchanged. */
  stream = zbus_connection_become_monitor (fixture->connection, bad_rules, NULL, &error);
  g_assert_null (stream);
  g_assert_nonnull (error);
  g_clear_error (&error);
  list_names (fixture->connection);

  stream = zbus_connection_become_monitor (fixture->connection, rules, NULL, &error);
  g_assert_no_error (error);

  list_names (other);
  emit_hello (other);
  message = pop_until (stream, is_hello, (gpointer) other_name, &n_before);
  g_clear_pointer (&message, zbus_message_unref);

  /* Nothing of the call came through: what is left is no call either. */
  while ((message = zbus_message_stream_try_pop (stream)) != NULL)
    {
      g_assert_false (is_list_names_call (message, (gpointer) other_name));
      g_clear_pointer (&message, zbus_message_unref);
    }
  zbus_connection_close_sync (other, NULL, NULL);
}

/* Only a bus connection can monitor. */
static void
test_monitor_peer (void)
{
  g_autoptr(GSocket) socket_a = NULL;
  g_autoptr(GSocket) socket_b = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) gdbus = NULL;
  g_autoptr(ZbusConnection) connection = NULL;
  g_autoptr(ZbusMessageStream) stream = NULL;
  g_autoptr(GIOStream) stream_a = NULL;
  g_autoptr(GIOStream) stream_b = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GDBusConnection) server = NULL;
  g_autofree char *guid = g_dbus_generate_guid ();
  int fds[2];

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM, 0, fds), ==, 0);
  socket_a = g_socket_new_from_fd (fds[0], &error);
  g_assert_no_error (error);
  socket_b = g_socket_new_from_fd (fds[1], &error);
  g_assert_no_error (error);
  stream_a = G_IO_STREAM (g_socket_connection_factory_create_connection (socket_a));
  stream_b = G_IO_STREAM (g_socket_connection_factory_create_connection (socket_b));

  g_dbus_connection_new (stream_b, guid, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_SERVER, NULL, NULL,
                         store_result_cb, &result);
  gdbus = g_dbus_connection_new_sync (stream_a, NULL, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT,
                                      NULL, NULL, &error);
  g_assert_no_error (error);
  server = g_dbus_connection_new_finish (wait_result (&result), &error);
  g_assert_no_error (error);

  connection = zbus_connection_new_for_gdbus (gdbus);
  stream = zbus_connection_become_monitor (connection, NULL, NULL, &error);
  g_assert_null (stream);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);

  zbus_connection_close_sync (connection, NULL, NULL);
  g_dbus_connection_close_sync (server, NULL, NULL);
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
  g_test_summary ("ZbusBusProxy, Peer and Introspectable through proxies, monitors");

  for (guint i = 0; i < G_N_ELEMENTS (transports); i++)
    {
      gconstpointer t = GINT_TO_POINTER (transports[i].transport);
#define ADD(path, func) \
      G_STMT_START { \
        g_autofree char *full = g_strdup_printf ("/Zbus/StandardInterfaces/%s/%s", \
                                                 transports[i].name, path); \
        g_test_add (full, Fixture, t, fixture_setup, func, fixture_teardown); \
      } G_STMT_END
      ADD ("bus-proxy", test_bus_proxy);
      ADD ("bus-proxy-async", test_bus_proxy_async);
      ADD ("peer-introspect", test_peer_introspect);
      ADD ("monitor", test_monitor);
      ADD ("monitor-async", test_monitor_async);
      ADD ("monitor-rules", test_monitor_rules);
      ADD ("monitor-cancelled", test_monitor_cancelled);
#undef ADD
    }
  g_test_add_func ("/Zbus/StandardInterfaces/monitor-peer", test_monitor_peer);

  return g_test_run ();
}
