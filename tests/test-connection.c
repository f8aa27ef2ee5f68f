/* test-connection.c: ZbusConnection and its builder on a real dbus-daemon
 * and over peer-to-peer sockets
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gunixfdlist.h>

#include "zbus-gobject.h"
#include "test-util.h"

typedef struct
{
  GTestDBus *bus;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  zbus_test_set_cloexec_on_all_fds ();
  fixture->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (fixture->bus);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_test_dbus_down (fixture->bus);
  g_clear_object (&fixture->bus);
}

static ZbusConnection *
connect_session (void)
{
  g_autoptr(GError) error = NULL;
  ZbusConnection *connection = zbus_connection_session (NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (connection);
  return connection;
}

static void
async_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
  g_main_context_wakeup (NULL);
}

static GAsyncResult *
wait_for_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

/* The transports to run each bus test on. */
static ZbusConnection *
connect_with (Transport transport)
{
  if (transport == TRANSPORT_NATIVE)
    return connect_session ();
  else
    {
      g_autoptr(GDBusConnection) gdbus = zbus_test_connect_gdbus ();
      return zbus_connection_new_for_gdbus (gdbus);
    }
}

static void
test_session_properties (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(ZbusConnection) connection = connect_with (GPOINTER_TO_INT (data));
  g_autofree char *unique_name = NULL;
  gboolean is_bus = FALSE;

  g_assert_true (zbus_connection_is_bus (connection));
  g_assert_false (zbus_connection_is_closed (connection));
  g_assert_nonnull (zbus_connection_get_unique_name (connection));
  g_assert_true (g_dbus_is_unique_name (zbus_connection_get_unique_name (connection)));
  g_assert_nonnull (zbus_connection_get_guid (connection));
  g_assert_cmpuint (strlen (zbus_connection_get_guid (connection)), ==, 32);
  g_assert_true (zbus_connection_get_main_context (connection) == g_main_context_default ());
  g_assert_true (zbus_connection_get_unix_fd_passing (connection));

  g_object_get (connection, "unique-name", &unique_name, "message-bus", &is_bus, NULL);
  g_assert_cmpstr (unique_name, ==, zbus_connection_get_unique_name (connection));
  g_assert_true (is_bus);
}

static gboolean
set_flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_idle_context_sleeps (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(ZbusConnection) connection G_GNUC_UNUSED = connect_with (GPOINTER_TO_INT (data));
  gboolean fired = FALSE;
  guint iterations = 0;

  /* Let the connection settle (NameAcquired and the like), then count how
   * often the context wakes while nothing happens: a connection must not
   * keep its context busy. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_timeout_add (200, set_flag_cb, &fired);
  while (!fired)
    {
      g_main_context_iteration (NULL, TRUE);
      iterations++;
    }
  g_assert_cmpuint (iterations, <=, 3);
}

static void
test_call_sync (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(ZbusConnection) connection = connect_with (GPOINTER_TO_INT (data));
  g_autoptr(GDBusConnection) gdbus = zbus_test_connect_gdbus ();
  g_autoptr(GVariant) ours = NULL;
  g_autoptr(GVariant) theirs = NULL;
  g_autoptr(GError) error = NULL;

  ours = zbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                    "org.freedesktop.DBus", "GetId", NULL, G_VARIANT_TYPE ("(s)"),
                                    ZBUS_MESSAGE_FLAGS_NONE, ZBUS_TIMEOUT_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  theirs = g_dbus_connection_call_sync (gdbus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                        "org.freedesktop.DBus", "GetId", NULL,
                                        G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                        &error);
  g_assert_no_error (error);
  g_assert_true (g_variant_equal (ours, theirs));
}

static void
test_call_async (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(ZbusConnection) connection = connect_with (GPOINTER_TO_INT (data));
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GVariant) names = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree const char **strv = NULL;

  zbus_connection_call (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                        "org.freedesktop.DBus", "ListNames", NULL, G_VARIANT_TYPE ("(as)"),
                        ZBUS_MESSAGE_FLAGS_NONE, ZBUS_TIMEOUT_DEFAULT, NULL,
                        async_result_cb, &result);
  names = zbus_connection_call_finish (connection, wait_for_result (&result), &error);
  g_assert_no_error (error);

  g_variant_get (names, "(^a&s)", &strv);
  g_assert_true (g_strv_contains (strv, "org.freedesktop.DBus"));
  g_assert_true (g_strv_contains (strv, zbus_connection_get_unique_name (connection)));
}

static void
test_call_error (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(ZbusConnection) connection = connect_with (GPOINTER_TO_INT (data));
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = zbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                     "org.freedesktop.DBus", "NoSuchMethod", NULL, NULL,
                                     ZBUS_MESSAGE_FLAGS_NONE, ZBUS_TIMEOUT_DEFAULT, NULL, &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD);
  g_assert_null (reply);
  g_clear_error (&error);

  /* A reply of the wrong type is an error too. */
  reply = zbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                     "org.freedesktop.DBus", "GetId", NULL, G_VARIANT_TYPE ("(u)"),
                                     ZBUS_MESSAGE_FLAGS_NONE, ZBUS_TIMEOUT_DEFAULT, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_null (reply);
  g_clear_error (&error);

  /* A bad name is refused before anything is sent. */
  reply = zbus_connection_call_sync (connection, "org.freedesktop.DBus", "not/a/path", NULL,
                                     "GetId", NULL, NULL, ZBUS_MESSAGE_FLAGS_NONE,
                                     ZBUS_TIMEOUT_DEFAULT, NULL, &error);
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME);
}

static void
name_signal_cb (ZbusConnection *connection,
                const char     *name,
                gpointer        user_data)
{
  GPtrArray *seen = user_data;

  g_ptr_array_add (seen, g_strdup (name));
}

static void
wait_for_names (GPtrArray *seen,
                guint      count)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (seen->len < count && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (seen->len, ==, count);
}

static void
test_names (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(ZbusConnection) first = connect_with (GPOINTER_TO_INT (data));
  g_autoptr(ZbusConnection) second = connect_with (GPOINTER_TO_INT (data));
  g_autoptr(GPtrArray) acquired1 = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) lost1 = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) acquired2 = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  g_signal_connect (first, "name-acquired", G_CALLBACK (name_signal_cb), acquired1);
  g_signal_connect (first, "name-lost", G_CALLBACK (name_signal_cb), lost1);
  g_signal_connect (second, "name-acquired", G_CALLBACK (name_signal_cb), acquired2);

  g_assert_cmpint (zbus_connection_request_name_sync (first, "org.zbus.Test",
                                                      ZBUS_REQUEST_NAME_FLAGS_ALLOW_REPLACEMENT,
                                                      NULL, &error),
                   ==, ZBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER);
  g_assert_no_error (error);
  wait_for_names (acquired1, 1);
  g_assert_cmpstr (g_ptr_array_index (acquired1, 0), ==, "org.zbus.Test");

  g_assert_cmpint (zbus_connection_request_name_sync (first, "org.zbus.Test", 0, NULL, &error),
                   ==, ZBUS_REQUEST_NAME_REPLY_ALREADY_OWNER);
  g_assert_cmpint (zbus_connection_request_name_sync (second, "org.zbus.Test",
                                                      ZBUS_REQUEST_NAME_FLAGS_DO_NOT_QUEUE,
                                                      NULL, &error),
                   ==, ZBUS_REQUEST_NAME_REPLY_EXISTS);
  g_assert_cmpint (zbus_connection_request_name_sync (second, "org.zbus.Test", 0, NULL, &error),
                   ==, ZBUS_REQUEST_NAME_REPLY_IN_QUEUE);

  /* Releasing hands the name to the queue, and both sides hear of it. */
  g_assert_cmpint (zbus_connection_release_name_sync (first, "org.zbus.Test", NULL, &error),
                   ==, ZBUS_RELEASE_NAME_REPLY_RELEASED);
  g_assert_no_error (error);
  wait_for_names (lost1, 1);
  wait_for_names (acquired2, 1);
  g_assert_cmpstr (g_ptr_array_index (acquired2, 0), ==, "org.zbus.Test");

  g_assert_cmpint (zbus_connection_release_name_sync (first, "org.zbus.Test", NULL, &error),
                   ==, ZBUS_RELEASE_NAME_REPLY_NOT_OWNER);
  g_assert_cmpint (zbus_connection_release_name_sync (first, "org.zbus.Nobody", NULL, &error),
                   ==, ZBUS_RELEASE_NAME_REPLY_NON_EXISTENT);

  /* Unique names cannot be requested. */
  g_assert_cmpint (zbus_connection_request_name_sync (first, ":1.99", 0, NULL, &error), ==, 0);
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME);
}

static void
test_names_async (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(ZbusConnection) connection = connect_with (GPOINTER_TO_INT (data));
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) result2 = NULL;
  g_autoptr(GError) error = NULL;

  zbus_connection_request_name (connection, "org.zbus.Async", 0, NULL, async_result_cb, &result);
  g_assert_cmpint (zbus_connection_request_name_finish (connection, wait_for_result (&result),
                                                        &error),
                   ==, ZBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER);
  g_assert_no_error (error);

  zbus_connection_release_name (connection, "org.zbus.Async", NULL, async_result_cb, &result2);
  g_assert_cmpint (zbus_connection_release_name_finish (connection, wait_for_result (&result2),
                                                        &error),
                   ==, ZBUS_RELEASE_NAME_REPLY_RELEASED);
  g_assert_no_error (error);
}

static void
test_builder_names (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(ZbusConnectionBuilder) builder = zbus_connection_builder_new_session ();
  g_autoptr(ZbusConnectionBuilder) builder2 = zbus_connection_builder_new_session ();
  g_autoptr(ZbusConnection) owner = NULL;
  g_autoptr(ZbusConnection) loser = NULL;
  g_autoptr(GError) error = NULL;

  zbus_connection_builder_add_name (builder, "org.zbus.Built", ZBUS_REQUEST_NAME_FLAGS_DO_NOT_QUEUE);
  owner = zbus_connection_builder_build (builder, NULL, &error);
  g_assert_no_error (error);

  zbus_connection_builder_add_name (builder2, "org.zbus.Built", ZBUS_REQUEST_NAME_FLAGS_DO_NOT_QUEUE);
  loser = zbus_connection_builder_build (builder2, NULL, &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_ADDRESS_IN_USE);
  g_assert_nonnull (strstr (error->message, "org.zbus.Built"));
  g_assert_null (loser);
}

static void
test_builder_bad_address (void)
{
  g_autoptr(ZbusConnectionBuilder) builder = zbus_connection_builder_new_for_address ("unix:path");
  g_autoptr(ZbusConnectionBuilder) missing =
    zbus_connection_builder_new_for_address ("unix:path=/nonexistent/zbus-test-socket");
  g_autoptr(ZbusConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  connection = zbus_connection_builder_build (builder, NULL, &error);
  g_assert_null (connection);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "path"));
  g_clear_error (&error);

  connection = zbus_connection_builder_build (missing, NULL, &error);
  g_assert_null (connection);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "/nonexistent/zbus-test-socket"));
}

static void
test_no_session_bus (void)
{
  g_autoptr(ZbusConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  if (g_test_subprocess ())
    {
      g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");
      g_setenv ("XDG_RUNTIME_DIR", "/nonexistent", TRUE);
      connection = zbus_connection_session (NULL, &error);
      g_assert_null (connection);
      g_assert_nonnull (error);
      g_printerr ("%s\n", error->message);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*DBUS_SESSION_BUS_ADDRESS*");
}

/* A GDBus service to call: org.zbus.Test.Echo(s) → (s), Sleep() never
 * answers until told, Fds(h) → (s) reads the fd. */
static const char introspection_xml[] =
  "<node>"
  "  <interface name='org.zbus.Test'>"
  "    <method name='Echo'><arg type='s' direction='in'/><arg type='s' direction='out'/></method>"
  "    <method name='Never'/>"
  "    <method name='ReadFd'><arg type='h' direction='in'/><arg type='s' direction='out'/></method>"
  "    <method name='MakeFd'><arg type='s' direction='in'/><arg type='h' direction='out'/></method>"
  "  </interface>"
  "</node>";

static void
service_method_cb (GDBusConnection       *connection,
                   const char            *sender,
                   const char            *path,
                   const char            *interface_name,
                   const char            *method,
                   GVariant              *parameters,
                   GDBusMethodInvocation *invocation,
                   gpointer               user_data)
{
  GPtrArray *held = user_data;

  if (g_str_equal (method, "Echo"))
    g_dbus_method_invocation_return_value (invocation, parameters);
  else if (g_str_equal (method, "Never"))
    g_ptr_array_add (held, invocation);  /* the handler owns it */
  else if (g_str_equal (method, "ReadFd"))
    {
      GUnixFDList *fds = g_dbus_message_get_unix_fd_list (g_dbus_method_invocation_get_message (invocation));
      int fd = g_unix_fd_list_get (fds, 0, NULL);
      char buffer[64] = { 0 };

      g_assert_cmpint (read (fd, buffer, sizeof buffer - 1), >, 0);
      close (fd);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(s)", buffer));
    }
  else if (g_str_equal (method, "MakeFd"))
    {
      g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
      const char *text;
      int pipe_fds[2];

      g_variant_get (parameters, "(&s)", &text);
      g_assert_no_errno (pipe (pipe_fds));
      g_assert_cmpint (write (pipe_fds[1], text, strlen (text)), ==, (int) strlen (text));
      close (pipe_fds[1]);
      g_unix_fd_list_append (fds, pipe_fds[0], NULL);
      close (pipe_fds[0]);
      g_dbus_method_invocation_return_value_with_unix_fd_list (invocation,
                                                               g_variant_new ("(h)", 0), fds);
    }
}

typedef struct
{
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  GDBusConnection *connection;
  char *name;
  GPtrArray *held;
  GMutex lock;
  GCond cond;
} Service;

static gpointer
service_thread (gpointer data)
{
  Service *service = data;
  static const GDBusInterfaceVTable vtable = { service_method_cb, NULL, NULL, { 0 } };
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (introspection_xml, NULL);
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (service->context);
  service->connection = zbus_test_connect_gdbus ();
  g_dbus_connection_register_object (service->connection, "/org/zbus/Test", info->interfaces[0],
                                     &vtable, service->held, NULL, &error);
  g_assert_no_error (error);

  g_mutex_lock (&service->lock);
  service->name = g_strdup (g_dbus_connection_get_unique_name (service->connection));
  g_cond_signal (&service->cond);
  g_mutex_unlock (&service->lock);

  g_main_loop_run (service->loop);

  g_ptr_array_set_size (service->held, 0);
  g_dbus_connection_close_sync (service->connection, NULL, NULL);
  g_clear_object (&service->connection);
  g_main_context_pop_thread_default (service->context);
  return NULL;
}

/* Runs the GDBus service on a thread of its own, so the test thread can
 * block in synchronous calls to it. */
static Service *
service_start (void)
{
  Service *service = g_new0 (Service, 1);

  service->context = g_main_context_new ();
  service->loop = g_main_loop_new (service->context, FALSE);
  service->held = g_ptr_array_new_with_free_func (g_object_unref);
  g_mutex_init (&service->lock);
  g_cond_init (&service->cond);
  service->thread = g_thread_new ("service", service_thread, service);

  g_mutex_lock (&service->lock);
  while (service->name == NULL)
    g_cond_wait (&service->cond, &service->lock);
  g_mutex_unlock (&service->lock);

  return service;
}

static void
service_stop (Service *service)
{
  zbus_test_quit_loop_in_its_thread (service->loop);
  g_thread_join (service->thread);
  g_main_loop_unref (service->loop);
  g_main_context_unref (service->context);
  g_ptr_array_unref (service->held);
  g_mutex_clear (&service->lock);
  g_cond_clear (&service->cond);
  g_free (service->name);
  g_free (service);
}

static GVariant *
echo_sync (ZbusConnection *connection,
           Service        *service,
           const char     *text,
           GError        **error)
{
  return zbus_connection_call_sync (connection, service->name, "/org/zbus/Test", "org.zbus.Test",
                                    "Echo", g_variant_new ("(s)", text), G_VARIANT_TYPE ("(s)"),
                                    ZBUS_MESSAGE_FLAGS_NONE, ZBUS_TIMEOUT_DEFAULT, NULL, error);
}

static void
test_gdbus_service (Fixture       *fixture,
                    gconstpointer  data)
{
  Service *service = service_start ();
  g_autoptr(ZbusConnection) connection = connect_with (GPOINTER_TO_INT (data));
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *text = g_strdup_printf ("hello %u", i);
      g_autoptr(GVariant) reply = echo_sync (connection, service, text, &error);
      const char *echoed;

      g_assert_no_error (error);
      g_variant_get (reply, "(&s)", &echoed);
      g_assert_cmpstr (echoed, ==, text);
    }

  service_stop (service);
}

static void
test_timeout (Fixture       *fixture,
              gconstpointer  data)
{
  Service *service = service_start ();
  g_autoptr(ZbusConnection) connection = connect_with (GPOINTER_TO_INT (data));
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  reply = zbus_connection_call_sync (connection, service->name, "/org/zbus/Test", "org.zbus.Test",
                                     "Never", NULL, NULL, ZBUS_MESSAGE_FLAGS_NONE, 200, NULL,
                                     &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_null (reply);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 190 * 1000);
  g_clear_error (&error);

  zbus_connection_call (connection, service->name, "/org/zbus/Test", "org.zbus.Test", "Never",
                        NULL, NULL, ZBUS_MESSAGE_FLAGS_NONE, 100, NULL, async_result_cb, &result);
  reply = zbus_connection_call_finish (connection, wait_for_result (&result), &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);

  /* The connection still works after time-outs. */
  g_clear_error (&error);
  g_clear_pointer (&reply, g_variant_unref);
  reply = echo_sync (connection, service, "after", &error);
  g_assert_no_error (error);

  service_stop (service);
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
  g_usleep (100 * 1000);
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  Service *service = service_start ();
  g_autoptr(ZbusConnection) connection = connect_with (GPOINTER_TO_INT (data));
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GCancellable) cancellable2 = g_cancellable_new ();
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GThread *canceller;

  canceller = g_thread_new ("cancel", cancel_later_thread, cancellable);
  reply = zbus_connection_call_sync (connection, service->name, "/org/zbus/Test", "org.zbus.Test",
                                     "Never", NULL, NULL, ZBUS_MESSAGE_FLAGS_NONE,
                                     ZBUS_TIMEOUT_INFINITE, cancellable, &error);
  g_thread_join (canceller);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  zbus_connection_call (connection, service->name, "/org/zbus/Test", "org.zbus.Test", "Never",
                        NULL, NULL, ZBUS_MESSAGE_FLAGS_NONE, ZBUS_TIMEOUT_INFINITE, cancellable2,
                        async_result_cb, &result);
  g_timeout_add (50, cancel_cb, cancellable2);
  reply = zbus_connection_call_finish (connection, wait_for_result (&result), &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  service_stop (service);
}

typedef struct
{
  ZbusConnection *connection;
  Service *service;
  guint n_calls;
  guint n_ok;
} ThreadCalls;

static gpointer
calls_thread (gpointer data)
{
  ThreadCalls *calls = data;

  for (guint i = 0; i < calls->n_calls; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) reply = echo_sync (calls->connection, calls->service, "thread", &error);

      if (reply != NULL)
        g_atomic_int_inc (&calls->n_ok);
    }

  return NULL;
}

static void
test_sync_from_threads (Fixture       *fixture,
                        gconstpointer  data)
{
  Service *service = service_start ();
  g_autoptr(ZbusConnection) connection = connect_with (GPOINTER_TO_INT (data));
  ThreadCalls calls = { connection, service, 50, 0 };
  GThread *threads[3];

  /* While nobody runs the connection's context: the callers read. */
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("caller", calls_thread, &calls);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  g_assert_cmpuint (calls.n_ok, ==, 150);

  /* While the context runs too. */
  calls.n_ok = 0;
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("caller", calls_thread, &calls);
  while (g_atomic_int_get (&calls.n_ok) < 150)
    g_main_context_iteration (NULL, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  g_assert_cmpuint (calls.n_ok, ==, 150);

  service_stop (service);
}

static void
test_internal_thread (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(ZbusConnectionBuilder) builder = zbus_connection_builder_new_session ();
  g_autoptr(ZbusConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  zbus_connection_builder_set_internal_thread (builder, TRUE);
  connection = zbus_connection_builder_build (builder, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (zbus_connection_get_main_context (connection) != g_main_context_default ());

  reply = zbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                     "org.freedesktop.DBus", "GetId", NULL, G_VARIANT_TYPE ("(s)"),
                                     ZBUS_MESSAGE_FLAGS_NONE, ZBUS_TIMEOUT_DEFAULT, NULL, &error);
  g_assert_no_error (error);
}

static void
test_build_async (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(ZbusConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  zbus_connection_session_async (NULL, async_result_cb, &result);
  connection = zbus_connection_session_finish (wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_true (zbus_connection_is_bus (connection));
  g_assert_nonnull (zbus_connection_get_unique_name (connection));
  g_assert_true (zbus_connection_get_main_context (connection) == g_main_context_default ());
}

static void
signal_cb (GDBusConnection *connection,
           const char      *sender,
           const char      *path,
           const char      *interface_name,
           const char      *signal_name,
           GVariant        *parameters,
           gpointer         user_data)
{
  GVariant **out = user_data;

  *out = g_variant_ref (parameters);
}

static void
test_emit_signal (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(ZbusConnection) connection = connect_with (GPOINTER_TO_INT (data));
  g_autoptr(GDBusConnection) gdbus = zbus_test_connect_gdbus ();
  g_autoptr(GVariant) received = NULL;
  g_autoptr(GVariant) pong = NULL;
  g_autoptr(GError) error = NULL;
  guint id;
  const char *text;

  id = g_dbus_connection_signal_subscribe (gdbus, zbus_connection_get_unique_name (connection),
                                           "org.zbus.Test", "Bye", "/org/zbus/path", NULL,
                                           G_DBUS_SIGNAL_FLAGS_NONE, signal_cb, &received, NULL);
  /* A round trip makes sure the match rule is in place. */
  pong = g_dbus_connection_call_sync (gdbus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                      "org.freedesktop.DBus", "GetId", NULL, NULL,
                                      G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (zbus_connection_emit_signal (connection, NULL, "/org/zbus/path", "org.zbus.Test",
                                              "Bye", g_variant_new ("(s)", "so long"), &error));
  g_assert_no_error (error);

  while (received == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_variant_get (received, "(&s)", &text);
  g_assert_cmpstr (text, ==, "so long");

  g_dbus_connection_signal_unsubscribe (gdbus, id);
}

static void
test_answers_peer (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(ZbusConnection) connection = connect_session ();
  g_autoptr(GDBusConnection) gdbus = zbus_test_connect_gdbus ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  /* The connection's context must run to answer: call asynchronously. */
  g_dbus_connection_call (gdbus, zbus_connection_get_unique_name (connection), "/",
                          "org.freedesktop.DBus.Peer", "Ping", NULL, NULL, G_DBUS_CALL_FLAGS_NONE,
                          -1, NULL, async_result_cb, &result);
  reply = g_dbus_connection_call_finish (gdbus, wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_clear_pointer (&reply, g_variant_unref);
  g_clear_object (&result);

  g_dbus_connection_call (gdbus, zbus_connection_get_unique_name (connection), "/org/none",
                          "org.zbus.Nothing", "Nope", NULL, NULL, G_DBUS_CALL_FLAGS_NONE,
                          -1, NULL, async_result_cb, &result);
  reply = g_dbus_connection_call_finish (gdbus, wait_for_result (&result), &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT);
  g_assert_null (reply);
}

static void
test_fd_passing (Fixture       *fixture,
                 gconstpointer  data)
{
  Service *service = service_start ();
  g_autoptr(ZbusConnection) connection = connect_with (GPOINTER_TO_INT (data));
  g_autoptr(ZbusMessage) call = NULL;
  g_autoptr(ZbusMessage) reply = NULL;
  g_autoptr(ZbusMessage) call2 = NULL;
  g_autoptr(ZbusMessage) reply2 = NULL;
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
  g_autoptr(GError) error = NULL;
  GUnixFDList *received;
  int pipe_fds[2];
  int fd;
  char buffer[64] = { 0 };

  /* Ours to GDBus. */
  g_assert_no_errno (pipe (pipe_fds));
  g_assert_cmpint (write (pipe_fds[1], "through a pipe", 14), ==, 14);
  close (pipe_fds[1]);
  g_unix_fd_list_append (fds, pipe_fds[0], &error);
  close (pipe_fds[0]);

  call = zbus_message_new_method_call (service->name, "/org/zbus/Test", "org.zbus.Test", "ReadFd",
                                       &error);
  zbus_message_set_body (call, g_variant_new ("(h)", 0), &error);
  zbus_message_set_unix_fd_list (call, fds);
  reply = zbus_connection_send_message_with_reply_sync (connection, call, ZBUS_TIMEOUT_DEFAULT,
                                                        NULL, &error);
  g_assert_no_error (error);
  g_assert_false (zbus_message_to_gerror (reply, &error));
  {
    const char *text;

    g_variant_get (zbus_message_get_body (reply), "(&s)", &text);
    g_assert_cmpstr (text, ==, "through a pipe");
  }

  /* GDBus to ours. */
  call2 = zbus_message_new_method_call (service->name, "/org/zbus/Test", "org.zbus.Test", "MakeFd",
                                        &error);
  zbus_message_set_body (call2, g_variant_new ("(s)", "the other way"), &error);
  reply2 = zbus_connection_send_message_with_reply_sync (connection, call2, ZBUS_TIMEOUT_DEFAULT,
                                                         NULL, &error);
  g_assert_no_error (error);
  received = zbus_message_get_unix_fd_list (reply2);
  g_assert_nonnull (received);
  g_assert_cmpint (g_unix_fd_list_get_length (received), ==, 1);
  fd = g_unix_fd_list_get (received, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (read (fd, buffer, sizeof buffer - 1), ==, 13);
  close (fd);
  g_assert_cmpstr (buffer, ==, "the other way");

  service_stop (service);
}

/* Peer to peer: our server and our client over a socket pair, each on a
 * thread-default context of its own thread. */

typedef struct
{
  GSocket *socket;
  char *guid;
  ZbusConnection *connection;
  GError *error;
  gboolean allow_anonymous;
} ServerSide;

static gpointer
build_server_thread (gpointer data)
{
  ServerSide *side = data;
  g_autoptr(ZbusConnectionBuilder) builder = zbus_connection_builder_new_for_socket (side->socket);

  zbus_connection_builder_set_server (builder, side->guid);
  zbus_connection_builder_set_allow_anonymous (builder, side->allow_anonymous);
  side->connection = zbus_connection_builder_build (builder, NULL, &side->error);
  return NULL;
}

static void
make_socket_pair (GSocket **a,
                  GSocket **b)
{
  g_autoptr(GError) error = NULL;
  int fds[2];

  g_assert_no_errno (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds));
  *a = g_socket_new_from_fd (fds[0], &error);
  g_assert_no_error (error);
  *b = g_socket_new_from_fd (fds[1], &error);
  g_assert_no_error (error);
}

static void
p2p_pair (ZbusConnection     **server,
          ZbusConnection     **client,
          ZbusAuthMechanisms   client_mechanisms,
          gboolean             allow_anonymous,
          GError             **client_error,
          GError             **server_error)
{
  g_autoptr(GSocket) a = NULL;
  g_autoptr(GSocket) b = NULL;
  g_autoptr(ZbusConnectionBuilder) builder = NULL;
  g_autofree char *guid = zbus_generate_guid ();
  ServerSide side = { 0 };
  GThread *thread;

  make_socket_pair (&a, &b);
  side.socket = a;
  side.guid = guid;
  side.allow_anonymous = allow_anonymous;
  thread = g_thread_new ("server", build_server_thread, &side);

  builder = zbus_connection_builder_new_for_socket (b);
  zbus_connection_builder_set_p2p (builder, TRUE);
  zbus_connection_builder_set_auth_mechanisms (builder, client_mechanisms);
  *client = zbus_connection_builder_build (builder, NULL, client_error);
  if (*client == NULL)
    g_socket_close (b, NULL);  /* so the server end is not left waiting */

  g_thread_join (thread);
  *server = side.connection;
  if (server_error != NULL)
    *server_error = side.error;
  else
    g_clear_error (&side.error);

  if (*client != NULL)
    g_assert_cmpstr (zbus_connection_get_guid (*client), ==, guid);
}

static void
test_p2p (void)
{
  g_autoptr(ZbusConnection) server = NULL;
  g_autoptr(ZbusConnection) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) server_error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GVariant) reply = NULL;
  GCredentials *credentials;

  p2p_pair (&server, &client, ZBUS_AUTH_MECHANISM_EXTERNAL, FALSE, &error, &server_error);
  g_assert_no_error (error);
  g_assert_no_error (server_error);
  g_assert_false (zbus_connection_is_bus (client));
  g_assert_null (zbus_connection_get_unique_name (client));
  g_assert_true (zbus_connection_get_unix_fd_passing (client));
  g_assert_true (zbus_connection_get_unix_fd_passing (server));

  credentials = zbus_connection_get_peer_credentials (server);
  g_assert_nonnull (credentials);
  g_assert_cmpint (g_credentials_get_unix_pid (credentials, NULL), ==, getpid ());
  g_assert_cmpint (g_credentials_get_unix_user (credentials, NULL), ==, getuid ());

  /* The server answers Peer.Ping on its context; both run on this one. */
  zbus_connection_call (client, NULL, "/", "org.freedesktop.DBus.Peer", "Ping", NULL, NULL,
                        ZBUS_MESSAGE_FLAGS_NONE, ZBUS_TIMEOUT_DEFAULT, NULL, async_result_cb,
                        &result);
  reply = zbus_connection_call_finish (client, wait_for_result (&result), &error);
  g_assert_no_error (error);

  /* Names are for buses. */
  g_assert_cmpint (zbus_connection_request_name_sync (client, "org.zbus.P2p", 0, NULL, &error),
                   ==, 0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
}

static void
test_p2p_anonymous (void)
{
  g_autoptr(ZbusConnection) server = NULL;
  g_autoptr(ZbusConnection) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) server_error = NULL;

  /* Refused unless the server allows it... */
  p2p_pair (&server, &client, ZBUS_AUTH_MECHANISM_ANONYMOUS, FALSE, &error, &server_error);
  g_assert_null (client);
  g_assert_null (server);
  g_assert_nonnull (error);
  g_assert_nonnull (server_error);
  g_clear_error (&error);
  g_clear_error (&server_error);

  /* ...and accepted when it does. */
  p2p_pair (&server, &client, ZBUS_AUTH_MECHANISM_ANONYMOUS, TRUE, &error, &server_error);
  g_assert_no_error (error);
  g_assert_no_error (server_error);
  g_assert_nonnull (client);
}

static void
closed_cb (ZbusConnection *connection,
           gboolean        remote_peer_vanished,
           GError         *error,
           gpointer        user_data)
{
  int *state = user_data;

  *state = remote_peer_vanished ? 2 : 1;
}

static void
test_p2p_peer_closes (void)
{
  g_autoptr(ZbusConnection) server = NULL;
  g_autoptr(ZbusConnection) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GVariant) reply = NULL;
  int client_closed = 0;
  int server_closed = 0;

  p2p_pair (&server, &client, ZBUS_AUTH_MECHANISM_EXTERNAL, FALSE, &error, NULL);
  g_assert_no_error (error);
  g_signal_connect (client, "closed", G_CALLBACK (closed_cb), &client_closed);
  g_signal_connect (server, "closed", G_CALLBACK (closed_cb), &server_closed);

  /* A call to a path the server does not serve is answered with an error,
   * then the server goes away in the middle of the next call. */
  zbus_connection_call (client, NULL, "/nothing", "org.zbus.Test", "Hang", NULL, NULL,
                        ZBUS_MESSAGE_FLAGS_NONE, ZBUS_TIMEOUT_DEFAULT, NULL, async_result_cb,
                        &result);
  reply = zbus_connection_call_finish (client, wait_for_result (&result), &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT);
  g_clear_error (&error);
  g_clear_object (&result);

  g_assert_true (zbus_connection_close_sync (server, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (zbus_connection_close_sync (server, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);

  zbus_connection_call (client, NULL, "/", "org.freedesktop.DBus.Peer", "Ping", NULL, NULL,
                        ZBUS_MESSAGE_FLAGS_NONE, ZBUS_TIMEOUT_INFINITE, NULL, async_result_cb,
                        &result);
  reply = zbus_connection_call_finish (client, wait_for_result (&result), &error);
  g_assert_nonnull (error);
  g_assert_null (reply);

  while (client_closed == 0 || server_closed == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (client_closed, ==, 2);
  g_assert_cmpint (server_closed, ==, 1);
  g_assert_true (zbus_connection_is_closed (client));

  /* Closed connections stop watching their hung-up sockets: the context
   * goes idle instead of spinning. */
  for (guint i = 0; i < 10; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_false (g_main_context_pending (NULL));

  g_clear_error (&error);
  g_assert_false (zbus_connection_emit_signal (client, NULL, "/", "org.zbus.Test", "S", NULL,
                                               &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
}

static gpointer
build_server_only_thread (gpointer data)
{
  ServerSide *side = data;

  return build_server_thread (side);
}

static void
test_p2p_pipelined_begin (void)
{
  g_autoptr(GSocket) a = NULL;
  g_autoptr(GSocket) b = NULL;
  g_autoptr(ZbusMessage) ping = NULL;
  g_autoptr(GBytes) wire = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *guid = zbus_generate_guid ();
  g_autofree char *uid = g_strdup_printf ("%u", (guint) geteuid ());
  g_autoptr(GString) auth = g_string_new ("");
  ServerSide side = { 0 };
  GThread *thread;
  char buffer[512];
  gssize n;
  gsize got = 0;
  gint64 deadline;

  /* A client that sends its first call in the same write as BEGIN, as
   * sd-bus does: the server must answer it at once, not when more bytes
   * come. */
  make_socket_pair (&a, &b);
  side.socket = a;
  side.guid = guid;
  thread = g_thread_new ("server", build_server_only_thread, &side);

  g_string_append_c (auth, '\0');
  g_string_append (auth, "AUTH EXTERNAL ");
  for (const char *p = uid; *p != '\0'; p++)
    g_string_append_printf (auth, "%02x", (guint) *p);
  g_string_append (auth, "\r\n");
  g_assert_cmpint (g_socket_send (b, auth->str, auth->len, NULL, &error), ==, (gssize) auth->len);
  n = g_socket_receive (b, buffer, sizeof buffer, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (n > 3 && strncmp (buffer, "OK ", 3) == 0);

  ping = zbus_message_new_method_call (NULL, "/", "org.freedesktop.DBus.Peer", "Ping", &error);
  zbus_message_set_serial (ping, 1);
  wire = zbus_message_to_bytes (ping, &error);
  g_assert_no_error (error);
  g_byte_array_append (out, (const guint8 *) "BEGIN\r\n", 7);
  g_byte_array_append (out, g_bytes_get_data (wire, NULL), g_bytes_get_size (wire));
  g_assert_cmpint (g_socket_send (b, (const char *) out->data, out->len, NULL, &error), ==,
                   (gssize) out->len);

  g_thread_join (thread);
  g_assert_no_error (side.error);
  g_assert_nonnull (side.connection);

  /* The reply comes while the server's context runs, with nothing more
   * sent by the client. */
  g_socket_set_blocking (b, FALSE);
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (got < ZBUS_MESSAGE_HEADER_MIN_SIZE && g_get_monotonic_time () < deadline)
    {
      g_autoptr(GError) local_error = NULL;

      g_main_context_iteration (NULL, FALSE);
      n = g_socket_receive (b, buffer + got, sizeof buffer - got, NULL, &local_error);
      if (n > 0)
        got += n;
    }
  g_assert_cmpuint (got, >=, ZBUS_MESSAGE_HEADER_MIN_SIZE);
  g_assert_cmpint (buffer[1], ==, ZBUS_MESSAGE_TYPE_METHOD_RETURN);

  g_clear_object (&side.connection);
}

static void
test_p2p_garbage (void)
{
  g_autoptr(GSocket) a = NULL;
  g_autoptr(GSocket) b = NULL;
  g_autoptr(ZbusConnectionBuilder) builder = NULL;
  g_autoptr(ZbusConnection) client = NULL;
  g_autoptr(GError) error = NULL;

  /* A peer that answers authentication with nonsense is an error, not a
   * hang. */
  make_socket_pair (&a, &b);
  g_assert_cmpint (g_socket_send (a, "HELLO THERE\r\n", 13, NULL, NULL), ==, 13);
  g_socket_shutdown (a, FALSE, TRUE, NULL);

  builder = zbus_connection_builder_new_for_socket (b);
  zbus_connection_builder_set_p2p (builder, TRUE);
  zbus_connection_builder_set_method_timeout (builder, 2000);
  client = zbus_connection_builder_build (builder, NULL, &error);
  g_assert_null (client);
  g_assert_nonnull (error);
}

int
main (int   argc,
      char *argv[])
{
  static const struct
  {
    const char *name;
    Transport transport;
  } transports[] = {
    { "native", TRANSPORT_NATIVE },
    { "gdbus", TRANSPORT_GDBUS },
  };

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  zbus_test_fork_bus_watcher ();

  for (guint i = 0; i < G_N_ELEMENTS (transports); i++)
    {
      gconstpointer t = GINT_TO_POINTER (transports[i].transport);
#define ADD(path, func) \
      do { \
        g_autofree char *full = g_strdup_printf ("/Zbus/Connection/%s/%s", transports[i].name, path); \
        g_test_add (full, Fixture, t, fixture_setup, func, fixture_teardown); \
      } while (0)

      ADD ("properties", test_session_properties);
      ADD ("idle-context-sleeps", test_idle_context_sleeps);
      ADD ("call-sync", test_call_sync);
      ADD ("call-async", test_call_async);
      ADD ("call-error", test_call_error);
      ADD ("names", test_names);
      ADD ("names-async", test_names_async);
      ADD ("gdbus-service", test_gdbus_service);
      ADD ("timeout", test_timeout);
      ADD ("cancel", test_cancel);
      ADD ("sync-from-threads", test_sync_from_threads);
      ADD ("emit-signal", test_emit_signal);
      ADD ("fd-passing", test_fd_passing);
#undef ADD
    }

  g_test_add ("/Zbus/Connection/native/answers-peer", Fixture, NULL, fixture_setup,
              test_answers_peer, fixture_teardown);
  g_test_add ("/Zbus/Connection/builder/names", Fixture, NULL, fixture_setup,
              test_builder_names, fixture_teardown);
  g_test_add ("/Zbus/Connection/builder/internal-thread", Fixture, NULL, fixture_setup,
              test_internal_thread, fixture_teardown);
  g_test_add ("/Zbus/Connection/builder/async", Fixture, NULL, fixture_setup,
              test_build_async, fixture_teardown);
  g_test_add_func ("/Zbus/Connection/builder/bad-address", test_builder_bad_address);
  g_test_add_func ("/Zbus/Connection/builder/no-session-bus", test_no_session_bus);
  g_test_add_func ("/Zbus/Connection/p2p/basic", test_p2p);
  g_test_add_func ("/Zbus/Connection/p2p/anonymous", test_p2p_anonymous);
  g_test_add_func ("/Zbus/Connection/p2p/peer-closes", test_p2p_peer_closes);
  g_test_add_func ("/Zbus/Connection/p2p/garbage", test_p2p_garbage);
  g_test_add_func ("/Zbus/Connection/p2p/pipelined-begin", test_p2p_pipelined_begin);

  return g_test_run ();
}
