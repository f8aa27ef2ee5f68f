/* test-message-stream.c: ZbusMessageStream on a real dbus-daemon, on both
 * transports, and peer to peer
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "zbus-gobject.h"
#include "test-util.h"

typedef struct
{
  GTestDBus *bus;
  ZbusConnection *connection;   /* the one under test */
  GDBusConnection *emitter;     /* a plain GDBus peer that emits signals */
  GDBusConnection *monitor;     /* a monitor that records AddMatch/RemoveMatch */
  GPtrArray *bus_calls;         /* (element-type utf8): "AddMatch rule" etc. */
  GMutex lock;
} Fixture;

/* Runs on the monitor's GDBus worker thread. */
static GDBusMessage *
monitor_filter_cb (GDBusConnection *connection,
                   GDBusMessage    *message,
                   gboolean         incoming,
                   gpointer         user_data)
{
  Fixture *fixture = user_data;
  const char *member = g_dbus_message_get_member (message);
  GVariant *body = g_dbus_message_get_body (message);

  if (incoming && g_dbus_message_get_message_type (message) == G_DBUS_MESSAGE_TYPE_METHOD_CALL &&
      (g_strcmp0 (member, "AddMatch") == 0 || g_strcmp0 (member, "RemoveMatch") == 0) &&
      body != NULL && g_variant_is_of_type (body, G_VARIANT_TYPE ("(s)")))
    {
      const char *rule;

      g_variant_get (body, "(&s)", &rule);
      g_mutex_lock (&fixture->lock);
      g_ptr_array_add (fixture->bus_calls, g_strdup_printf ("%s %s", member, rule));
      g_mutex_unlock (&fixture->lock);
    }

  /* A monitor must never send: left to GDBus, an overheard call would get
   * an error reply and the bus would disconnect the monitor. */
  if (incoming && g_dbus_message_get_message_type (message) == G_DBUS_MESSAGE_TYPE_METHOD_CALL)
    {
      g_object_unref (message);
      return NULL;
    }
  return message;
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  const char *rules[] = { "member='AddMatch'", "member='RemoveMatch'", NULL };

  g_mutex_init (&fixture->lock);
  fixture->bus_calls = g_ptr_array_new_with_free_func (g_free);
  zbus_test_set_cloexec_on_all_fds ();
  fixture->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (fixture->bus);

  fixture->monitor = zbus_test_connect_gdbus ();
  g_dbus_connection_add_filter (fixture->monitor, monitor_filter_cb, fixture, NULL);
  reply = g_dbus_connection_call_sync (fixture->monitor, "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus.Monitoring", "BecomeMonitor",
                                       g_variant_new ("(^asu)", rules, 0), NULL,
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);

  fixture->emitter = zbus_test_connect_gdbus ();

  if (GPOINTER_TO_INT (data) == TRANSPORT_NATIVE)
    {
      fixture->connection = zbus_connection_session (NULL, &error);
      g_assert_no_error (error);
    }
  else
    {
      g_autoptr(GDBusConnection) gdbus = zbus_test_connect_gdbus ();

      fixture->connection = zbus_connection_new_for_gdbus (gdbus);
    }
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_object (&fixture->connection);
  g_dbus_connection_close_sync (fixture->emitter, NULL, NULL);
  g_clear_object (&fixture->emitter);
  g_dbus_connection_close_sync (fixture->monitor, NULL, NULL);
  g_clear_object (&fixture->monitor);
  g_test_dbus_down (fixture->bus);
  g_clear_object (&fixture->bus);
  g_ptr_array_unref (fixture->bus_calls);
  g_mutex_clear (&fixture->lock);
}

static ZbusMatchRule *
rule_new (const char *text)
{
  g_autoptr(GError) error = NULL;
  ZbusMatchRule *rule = zbus_match_rule_new_from_string (text, &error);

  g_assert_no_error (error);
  return rule;
}

static ZbusMessageStream *
stream_for (Fixture    *fixture,
            const char *rule_text,
            guint       max_queued)
{
  g_autoptr(ZbusMatchRule) rule = rule_new (rule_text);
  g_autoptr(GError) error = NULL;
  ZbusMessageStream *stream;

  stream = zbus_message_stream_new_for_match_rule (fixture->connection, rule, max_queued, NULL,
                                                   &error);
  g_assert_no_error (error);
  return stream;
}

static void
emit (Fixture    *fixture,
      const char *interface_,
      const char *member,
      guint32     n)
{
  g_autoptr(GError) error = NULL;

  g_dbus_connection_emit_signal (fixture->emitter, NULL, "/org/zbus/test", interface_, member,
                                 g_variant_new ("(u)", n), &error);
  g_assert_no_error (error);
}

/* Makes sure everything emitted so far has reached the bus and, through
 * it, us: a round trip from the emitter, then one from us. */
static void
sync_bus (Fixture *fixture)
{
  g_autoptr(GVariant) a = NULL;
  g_autoptr(GVariant) b = NULL;
  g_autoptr(GError) error = NULL;

  a = g_dbus_connection_call_sync (fixture->emitter, "org.freedesktop.DBus",
                                   "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetId", NULL,
                                   NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  b = zbus_connection_call_sync (fixture->connection, "org.freedesktop.DBus",
                                 "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetId", NULL,
                                 NULL, ZBUS_MESSAGE_FLAGS_NONE, ZBUS_TIMEOUT_DEFAULT, NULL, &error);
  g_assert_no_error (error);
}

static guint32
pop_number (ZbusMessageStream *stream)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusMessage) message = zbus_message_stream_timed_pop (stream, 5 * G_USEC_PER_SEC,
                                                                  NULL, &error);
  guint32 n;

  g_assert_no_error (error);
  g_assert_cmpint (zbus_message_get_message_type (message), ==, ZBUS_MESSAGE_TYPE_SIGNAL);
  g_variant_get (zbus_message_get_body (message), "(u)", &n);
  return n;
}

static void
test_rule_filters (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(ZbusMessageStream) ticks = stream_for (fixture, "type='signal',interface='org.zbus.A',member='Tick'", 0);
  g_autoptr(ZbusMessageStream) tocks = stream_for (fixture, "type='signal',interface='org.zbus.A',member='Tock'", 0);
  g_autoptr(ZbusMessageStream) other = stream_for (fixture, "type='signal',interface='org.zbus.B'", 0);

  emit (fixture, "org.zbus.A", "Tick", 1);
  emit (fixture, "org.zbus.A", "Tock", 2);
  emit (fixture, "org.zbus.A", "Tick", 3);
  sync_bus (fixture);

  g_assert_cmpuint (pop_number (ticks), ==, 1);
  g_assert_cmpuint (pop_number (ticks), ==, 3);
  g_assert_cmpuint (pop_number (tocks), ==, 2);
  g_assert_null (zbus_message_stream_try_pop (ticks));
  g_assert_null (zbus_message_stream_try_pop (tocks));
  g_assert_null (zbus_message_stream_try_pop (other));
  g_assert_cmpuint (zbus_message_stream_get_dropped (ticks), ==, 0);
}

static guint
count_bus_calls (Fixture    *fixture,
                 const char *prefix)
{
  guint count = 0;

  g_mutex_lock (&fixture->lock);
  for (guint i = 0; i < fixture->bus_calls->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (fixture->bus_calls, i), prefix))
      count++;
  g_mutex_unlock (&fixture->lock);

  return count;
}

static void
wait_bus_calls (Fixture    *fixture,
                const char *prefix,
                guint       expected)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  /* The monitor's thread records them; give it a moment. */
  while (count_bus_calls (fixture, prefix) < expected && g_get_monotonic_time () < deadline)
    g_usleep (10 * 1000);
  g_usleep (50 * 1000);
  g_assert_cmpuint (count_bus_calls (fixture, prefix), ==, expected);
}

static void
test_add_remove_match (Fixture       *fixture,
                       gconstpointer  data)
{
  const char *text = "type='signal',interface='org.zbus.Shared'";
  g_autofree char *add = g_strdup_printf ("AddMatch %s", text);
  g_autofree char *remove = g_strdup_printf ("RemoveMatch %s", text);
  ZbusMessageStream *first = stream_for (fixture, text, 0);
  ZbusMessageStream *second = stream_for (fixture, text, 0);
  ZbusMessageStream *method_calls = stream_for (fixture, "type='method_call'", 0);

  /* Identical rules share one AddMatch; a rule for calls needs none. */
  wait_bus_calls (fixture, add, 1);
  wait_bus_calls (fixture, "AddMatch type='method_call'", 0);

  emit (fixture, "org.zbus.Shared", "S", 7);
  sync_bus (fixture);
  g_assert_cmpuint (pop_number (first), ==, 7);
  g_assert_cmpuint (pop_number (second), ==, 7);

  g_object_unref (first);
  wait_bus_calls (fixture, remove, 0);
  g_object_unref (second);
  wait_bus_calls (fixture, remove, 1);
  g_object_unref (method_calls);
  wait_bus_calls (fixture, "RemoveMatch", 1);
}

static void
dropped_cb (GObject    *object,
            GParamSpec *pspec,
            gpointer    user_data)
{
  guint *notified = user_data;

  (*notified)++;
}

static void
test_overflow (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(ZbusMessageStream) stream = stream_for (fixture, "type='signal',interface='org.zbus.Flood'", 3);
  guint notified = 0;

  g_assert_cmpuint (zbus_message_stream_get_max_queued (stream), ==, 3);
  g_signal_connect (stream, "notify::dropped", G_CALLBACK (dropped_cb), &notified);

  for (guint i = 0; i < 10; i++)
    emit (fixture, "org.zbus.Flood", "S", i);
  sync_bus (fixture);

  /* The newest three remain; the oldest seven were dropped and counted. */
  g_assert_cmpuint (zbus_message_stream_get_queued (stream), ==, 3);
  g_assert_cmpuint (zbus_message_stream_get_dropped (stream), ==, 7);
  g_assert_cmpuint (pop_number (stream), ==, 7);
  g_assert_cmpuint (pop_number (stream), ==, 8);
  g_assert_cmpuint (pop_number (stream), ==, 9);

  while (notified == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (notified, >=, 1);
}

static void
test_full_stream_does_not_block (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(ZbusMessageStream) stuck = stream_for (fixture, "type='signal',interface='org.zbus.Flood'", 1);
  g_autoptr(ZbusMessageStream) other = stream_for (fixture, "type='signal',interface='org.zbus.Flood'", 1000);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 500; i++)
    emit (fixture, "org.zbus.Flood", "S", i);

  /* Nobody reads @stuck: a call still completes, and @other gets all. */
  reply = zbus_connection_call_sync (fixture->connection, "org.freedesktop.DBus",
                                     "/org/freedesktop/DBus", "org.freedesktop.DBus", "ListNames",
                                     NULL, NULL, ZBUS_MESSAGE_FLAGS_NONE, 5000, NULL, &error);
  g_assert_no_error (error);
  sync_bus (fixture);

  for (guint i = 0; i < 500; i++)
    g_assert_cmpuint (pop_number (other), ==, i);
  g_assert_cmpuint (zbus_message_stream_get_dropped (stuck), ==, 499);
  g_assert_cmpuint (pop_number (stuck), ==, 499);
}

static void
test_same_order (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(ZbusMessageStream) all = zbus_message_stream_new (fixture->connection);
  g_autoptr(ZbusMessageStream) some = stream_for (fixture, "type='signal',interface='org.zbus.Order'", 1000);
  guint32 expected = 0;

  for (guint i = 0; i < 50; i++)
    emit (fixture, "org.zbus.Order", "S", i);
  sync_bus (fixture);

  for (guint i = 0; i < 50; i++)
    g_assert_cmpuint (pop_number (some), ==, i);

  /* The stream of everything (bounded at the default 64) sees the same
   * signals, in the same order, among the other messages. */
  while (expected < 50)
    {
      g_autoptr(ZbusMessage) message = zbus_message_stream_timed_pop (all, 5 * G_USEC_PER_SEC,
                                                                      NULL, NULL);
      guint32 n;

      g_assert_nonnull (message);
      if (g_strcmp0 (zbus_message_get_interface (message), "org.zbus.Order") != 0)
        continue;
      g_variant_get (zbus_message_get_body (message), "(u)", &n);
      g_assert_cmpuint (n, ==, expected);
      expected++;
    }
}

typedef struct
{
  ZbusMessageStream *stream;
  guint received;
  GError *error;
} Consumer;

static gpointer
consumer_thread (gpointer data)
{
  Consumer *consumer = data;

  for (;;)
    {
      g_autoptr(ZbusMessage) message = zbus_message_stream_pop (consumer->stream, NULL,
                                                                &consumer->error);
      if (message == NULL)
        return NULL;
      consumer->received++;
    }
}

static void
test_consumer_thread (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(ZbusMessageStream) stream = stream_for (fixture, "type='signal',interface='org.zbus.T'", 1000);
  Consumer consumer = { stream, 0, NULL };
  GThread *thread = g_thread_new ("consumer", consumer_thread, &consumer);

  for (guint i = 0; i < 100; i++)
    emit (fixture, "org.zbus.T", "S", i);
  sync_bus (fixture);

  while (g_atomic_int_get (&consumer.received) < 100)
    g_usleep (1000);

  /* Closing the stream ends the blocking pop in the other thread. */
  zbus_message_stream_close (stream);
  g_thread_join (thread);
  g_assert_cmpuint (consumer.received, ==, 100);
  g_assert_error (consumer.error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&consumer.error);
}

static void
next_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
test_next_async (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(ZbusMessageStream) stream = stream_for (fixture, "type='signal',interface='org.zbus.N'", 0);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) result2 = NULL;
  g_autoptr(GAsyncResult) result3 = NULL;
  g_autoptr(ZbusMessage) message = NULL;
  g_autoptr(ZbusMessage) none = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  zbus_message_stream_next_async (stream, NULL, next_cb, &result);
  emit (fixture, "org.zbus.N", "S", 42);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  message = zbus_message_stream_next_finish (stream, result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (zbus_message_get_member (message), ==, "S");

  /* Cancelled. */
  zbus_message_stream_next_async (stream, cancellable, next_cb, &result2);
  g_cancellable_cancel (cancellable);
  while (result2 == NULL)
    g_main_context_iteration (NULL, TRUE);
  none = zbus_message_stream_next_finish (stream, result2, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (none);
  g_clear_error (&error);

  /* Closing the connection ends a pending next_async with a clear error. */
  zbus_message_stream_next_async (stream, NULL, next_cb, &result3);
  g_assert_true (zbus_connection_close_sync (fixture->connection, NULL, &error));
  while (result3 == NULL)
    g_main_context_iteration (NULL, TRUE);
  none = zbus_message_stream_next_finish (stream, result3, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_assert_true (zbus_message_stream_is_closed (stream));
}

static void
test_pops (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(ZbusMessageStream) stream = stream_for (fixture, "type='signal',interface='org.zbus.P'", 0);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(ZbusMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  g_assert_null (zbus_message_stream_try_pop (stream));

  message = zbus_message_stream_timed_pop (stream, 100 * 1000, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_null (message);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 90 * 1000);
  g_clear_error (&error);

  g_cancellable_cancel (cancellable);
  message = zbus_message_stream_pop (stream, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (message);
  g_clear_error (&error);

  /* Queued messages outlive the end of the stream. */
  emit (fixture, "org.zbus.P", "S", 5);
  sync_bus (fixture);
  zbus_message_stream_close (stream);
  g_assert_cmpuint (pop_number (stream), ==, 5);
  message = zbus_message_stream_pop (stream, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
}

static gboolean
source_cb (ZbusMessageStream *stream,
           ZbusMessage       *message,
           gpointer           user_data)
{
  GPtrArray *seen = user_data;

  g_ptr_array_add (seen, zbus_message_ref (message));
  return seen->len < 3 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static guint *destroy_counter;

static void
count_destroy_cb (gpointer data)
{
  (*destroy_counter)++;
}

static gpointer
run_context_thread (gpointer data)
{
  GMainLoop *loop = data;

  g_main_context_push_thread_default (g_main_loop_get_context (loop));
  g_main_loop_run (loop);
  g_main_context_pop_thread_default (g_main_loop_get_context (loop));
  return NULL;
}

static void
test_source (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(ZbusMessageStream) stream = stream_for (fixture, "type='signal',interface='org.zbus.Src'", 0);
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func ((GDestroyNotify) zbus_message_unref);
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (context, FALSE);
  guint destroyed = 0;
  GThread *thread;

  destroy_counter = &destroyed;

  /* A source on another thread's context. */
  zbus_message_stream_add_watch (stream, context, source_cb, seen, NULL);
  thread = g_thread_new ("source", run_context_thread, loop);

  for (guint i = 0; i < 5; i++)
    emit (fixture, "org.zbus.Src", "S", i);
  sync_bus (fixture);

  while (zbus_message_stream_get_queued (stream) > 2)
    g_usleep (1000);
  g_main_loop_quit (loop);
  g_thread_join (thread);

  /* The callback stopped after three; two remain for other consumers. */
  g_assert_cmpuint (seen->len, ==, 3);
  g_assert_cmpuint (zbus_message_stream_get_queued (stream), ==, 2);

  /* A source takes the rest, then stops by itself when the stream ends,
   * and its destroy notify runs. */
  {
    g_autoptr(GPtrArray) rest = g_ptr_array_new_with_free_func ((GDestroyNotify) zbus_message_unref);
    GSource *source = zbus_message_stream_create_source (stream);

    g_source_set_callback (source, G_SOURCE_FUNC (source_cb), rest, count_destroy_cb);
    g_source_attach (source, NULL);

    while (rest->len < 2)
      g_main_context_iteration (NULL, TRUE);
    zbus_message_stream_close (stream);
    while (!g_source_is_destroyed (source))
      g_main_context_iteration (NULL, TRUE);
    g_source_unref (source);

    g_assert_cmpuint (rest->len, ==, 2);
  }
  g_assert_cmpuint (destroyed, ==, 1);
}

static void
message_signal_cb (ZbusMessageStream *stream,
                   ZbusMessage       *message,
                   gpointer           user_data)
{
  guint *count = user_data;

  (*count)++;
}

static void
test_emit_signals (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(ZbusMessageStream) stream = stream_for (fixture, "type='signal',interface='org.zbus.Sig'", 0);
  guint count = 0;

  g_signal_connect (stream, "message", G_CALLBACK (message_signal_cb), &count);
  zbus_message_stream_set_emit_signals (stream, TRUE);
  g_assert_true (zbus_message_stream_get_emit_signals (stream));

  for (guint i = 0; i < 4; i++)
    emit (fixture, "org.zbus.Sig", "S", i);

  while (count < 4)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (count, ==, 4);

  zbus_message_stream_set_emit_signals (stream, FALSE);
  g_assert_false (zbus_message_stream_get_emit_signals (stream));
}

static void
test_connection_closed_ends_streams (Fixture       *fixture,
                                     gconstpointer  data)
{
  g_autoptr(ZbusMessageStream) stream = zbus_message_stream_new (fixture->connection);
  g_autoptr(ZbusMessageStream) late = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusMessage) message = NULL;

  g_assert_true (zbus_connection_close_sync (fixture->connection, NULL, &error));
  g_assert_true (zbus_message_stream_is_closed (stream));

  /* Drain what came before the close, then the end. */
  while ((message = zbus_message_stream_pop (stream, NULL, &error)) != NULL)
    g_clear_pointer (&message, zbus_message_unref);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);

  /* A stream made after the close is over from the start. */
  late = zbus_message_stream_new (fixture->connection);
  g_assert_true (zbus_message_stream_is_closed (late));
}

static gpointer
build_thread (gpointer data)
{
  return zbus_connection_builder_build (data, NULL, NULL);
}

/* Peer to peer: matching is local, and no AddMatch goes anywhere. */
static void
test_p2p (void)
{
  g_autoptr(GSocket) a = NULL;
  g_autoptr(GSocket) b = NULL;
  g_autoptr(ZbusConnectionBuilder) client_builder = NULL;
  g_autoptr(ZbusConnection) server = NULL;
  g_autoptr(ZbusConnection) client = NULL;
  g_autoptr(ZbusMatchRule) rule = rule_new ("type='signal',member='Wanted',arg0='yes'");
  g_autoptr(ZbusMessageStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *guid = zbus_generate_guid ();
  GThread *thread;
  int fds[2];

  g_assert_no_errno (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds));
  a = g_socket_new_from_fd (fds[0], NULL);
  b = g_socket_new_from_fd (fds[1], NULL);

  {
    g_autoptr(ZbusConnectionBuilder) server_builder = zbus_connection_builder_new_for_socket (a);

    zbus_connection_builder_set_server (server_builder, guid);
    thread = g_thread_new ("server", build_thread, server_builder);
    client_builder = zbus_connection_builder_new_for_socket (b);
    zbus_connection_builder_set_p2p (client_builder, TRUE);
    client = zbus_connection_builder_build (client_builder, NULL, &error);
    g_assert_no_error (error);
    server = g_thread_join (thread);
    g_assert_nonnull (server);
  }

  stream = zbus_message_stream_new_for_match_rule (client, rule, 0, NULL, &error);
  g_assert_no_error (error);

  zbus_connection_emit_signal (server, NULL, "/", "org.zbus.P2p", "Wanted",
                               g_variant_new ("(s)", "no"), &error);
  zbus_connection_emit_signal (server, NULL, "/", "org.zbus.P2p", "Other",
                               g_variant_new ("(s)", "yes"), &error);
  zbus_connection_emit_signal (server, NULL, "/", "org.zbus.P2p", "Wanted",
                               g_variant_new ("(s)", "yes"), &error);
  g_assert_no_error (error);

  {
    g_autoptr(ZbusMessage) message = zbus_message_stream_timed_pop (stream, 5 * G_USEC_PER_SEC,
                                                                    NULL, &error);
    const char *arg;

    g_assert_no_error (error);
    g_assert_cmpstr (zbus_message_get_member (message), ==, "Wanted");
    g_variant_get (zbus_message_get_body (message), "(&s)", &arg);
    g_assert_cmpstr (arg, ==, "yes");
  }
  g_assert_null (zbus_message_stream_try_pop (stream));
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
        g_autofree char *full = g_strdup_printf ("/Zbus/MessageStream/%s/%s", transports[i].name, path); \
        g_test_add (full, Fixture, t, fixture_setup, func, fixture_teardown); \
      } while (0)

      ADD ("rule-filters", test_rule_filters);
      ADD ("add-remove-match", test_add_remove_match);
      ADD ("overflow", test_overflow);
      ADD ("full-stream-does-not-block", test_full_stream_does_not_block);
      ADD ("same-order", test_same_order);
      ADD ("consumer-thread", test_consumer_thread);
      ADD ("next-async", test_next_async);
      ADD ("pops", test_pops);
      ADD ("source", test_source);
      ADD ("emit-signals", test_emit_signals);
      ADD ("connection-closed", test_connection_closed_ends_streams);
#undef ADD
    }
  g_test_add_func ("/Zbus/MessageStream/p2p", test_p2p);

  return g_test_run ();
}
