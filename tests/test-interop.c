/* test-interop.c: our connection against other D-Bus implementations
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every test runs on a real dbus-daemon (GTestDBus) and checks what the
 * other side printed or did: sd-bus (busctl), libdbus (dbus-send), GDBus
 * (the gdbus tool and GDBusConnection), and dbus-daemon's own interface.
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zbus-gobject.h"
#include "test-util.h"
#include "zbus-connection-private.h"

#define WELL_KNOWN_NAME "org.zbus.Interop"

#define DBUS_NAME "org.freedesktop.DBus"
#define DBUS_PATH "/org/freedesktop/DBus"
#define DBUS_INTERFACE "org.freedesktop.DBus"

/* How long a peer tool or a burst of messages may take; generous, since
 * the suite also runs under valgrind. */
#define WAIT_SECONDS 120

typedef struct
{
  GTestDBus *bus;
  const char *address;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  zbus_test_set_cloexec_on_all_fds ();
  fixture->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (fixture->bus);
  fixture->address = g_test_dbus_get_bus_address (fixture->bus);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_test_dbus_down (fixture->bus);
  g_clear_object (&fixture->bus);
}

/* ------------------------------------------------------------------------ */
/* Connections */

static ZbusConnection *
connect_with (Transport transport)
{
  g_autoptr(GError) error = NULL;
  ZbusConnection *connection;

  if (transport == TRANSPORT_GDBUS)
    {
      g_autoptr(GDBusConnection) gdbus = zbus_test_connect_gdbus ();

      return zbus_connection_new_for_gdbus (gdbus);
    }

  connection = zbus_connection_session (NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (connection);
  return connection;
}

/* Drops the test's connection, which must then be gone. An adopted GDBus
 * connection is only unreferenced: as long as gdbus_filter_cb takes a
 * strong reference (from its GWeakRef) on GDBus's worker thread, that
 * thread may hold the last one for a moment and finalize it there. */
static void
drop_connection (ZbusConnection *connection,
                 Transport       transport)
{
  if (transport == TRANSPORT_NATIVE)
    g_assert_finalize_object (connection);
  else
    g_object_unref (connection);
}

/* Calls the bus itself, synchronously. */
static GVariant *
call_bus (ZbusConnection  *connection,
          const char      *interface_,
          const char      *method,
          GVariant        *parameters,
          const char      *reply_type,
          GError         **error)
{
  return zbus_connection_call_sync (connection, DBUS_NAME, DBUS_PATH, interface_, method,
                                    parameters, G_VARIANT_TYPE (reply_type),
                                    ZBUS_MESSAGE_FLAGS_NONE, ZBUS_TIMEOUT_DEFAULT, NULL, error);
}

static void
add_match (ZbusConnection *connection,
           const char     *rule)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  /* The bus has the rule once it answers, before anything sent later. */
  reply = call_bus (connection, DBUS_INTERFACE, "AddMatch", g_variant_new ("(s)", rule), "()",
                    &error);
  g_assert_no_error (error);
}

static void
request_well_known_name (ZbusConnection *connection)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (zbus_connection_request_name_sync (connection, WELL_KNOWN_NAME,
                                                      ZBUS_REQUEST_NAME_FLAGS_DO_NOT_QUEUE,
                                                      NULL, &error),
                   ==, ZBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER);
  g_assert_no_error (error);
}

/* The machine id our connection answers Peer.GetMachineId with, or NULL
 * when this machine has none. */
static char *
read_machine_id (void)
{
  char *contents = NULL;

  if (!g_file_get_contents ("/etc/machine-id", &contents, NULL, NULL) &&
      !g_file_get_contents ("/var/lib/dbus/machine-id", &contents, NULL, NULL))
    return NULL;
  return g_strstrip (contents);
}

/* ------------------------------------------------------------------------ */
/* Waiting on the default context, which our connections dispatch on */

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates the default context until *count reaches @wanted or the time
 * is up; returns the last count seen. */
static guint
iterate_until_count (const guint *count,
                     guint        wanted)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  guint tick = g_timeout_add (50, tick_cb, NULL);

  while (*count < wanted && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (tick);
  return *count;
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

/* ------------------------------------------------------------------------ */
/* Other programs */

typedef struct
{
  char *out;
  char *err;
  GError *error;
  gboolean done;
} ToolRun;

static void
communicate_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  ToolRun *run = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &run->out, &run->err,
                                        &run->error);
  run->done = TRUE;
  g_main_context_wakeup (NULL);
}

/* Whether @program is installed; skips the test when not. */
static gboolean
have_tool (const char *program)
{
  g_autofree char *path = g_find_program_in_path (program);

  if (path == NULL)
    {
      g_autofree char *message = g_strdup_printf ("%s is not installed", program);

      g_test_skip (message);
      return FALSE;
    }

  return TRUE;
}

/* Runs a program to its end while the default context runs, so that our
 * connection answers what the program asks of it. Returns its exit
 * status; its output goes to @out and @err. */
static int
run_tool (char       **out,
          char       **err,
          const char  *program,
          ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *command = NULL;
  ToolRun run = { 0 };
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, g_strdup (program));
  va_start (args, program);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  /* Our test settings are not the tools' business. */
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  g_subprocess_launcher_unsetenv (launcher, "MALLOC_CHECK_");
  g_subprocess_launcher_unsetenv (launcher, "G_SLICE");
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  g_subprocess_communicate_utf8_async (process, NULL, NULL, communicate_cb, &run);
  while (!run.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (run.error);

  command = g_strjoinv (" ", (char **) argv->pdata);
  g_test_message ("%s\n  exit status %d\n  stdout: %s\n  stderr: %s", command,
                  g_subprocess_get_exit_status (process), run.out, run.err);

  g_assert_true (g_subprocess_get_if_exited (process));
  *out = run.out;
  *err = run.err;
  return g_subprocess_get_exit_status (process);
}

/* ------------------------------------------------------------------------ */
/* Messages as our connection's handler sees them */

typedef struct
{
  const char *interface_;  /* the signals to keep */
  GPtrArray *messages;     /* (element-type ZbusMessage) */
  guint count;
} Collector;

static void
collector_init (Collector  *collector,
                const char *interface_)
{
  collector->interface_ = interface_;
  collector->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) zbus_message_unref);
  collector->count = 0;
}

static void
collector_clear (Collector *collector)
{
  g_clear_pointer (&collector->messages, g_ptr_array_unref);
}

/* Runs on the connection's context: the default one here. */
static gboolean
collect_cb (ZbusConnection *connection,
            ZbusMessage    *message,
            gpointer        user_data)
{
  Collector *collector = user_data;

  if (zbus_message_get_message_type (message) == ZBUS_MESSAGE_TYPE_SIGNAL &&
      g_strcmp0 (zbus_message_get_interface (message), collector->interface_) == 0)
    {
      g_ptr_array_add (collector->messages, zbus_message_ref (message));
      collector->count = collector->messages->len;
    }

  return FALSE;
}

static ZbusMessage *
wait_for_signal (Collector *collector,
                 guint      index)
{
  g_assert_cmpuint (iterate_until_count (&collector->count, index + 1), >, index);
  return g_ptr_array_index (collector->messages, index);
}

static void
assert_body (ZbusMessage *message,
             GVariant    *expected)
{
  g_autoptr(GVariant) owned = g_variant_ref_sink (expected);
  GVariant *body = zbus_message_get_body (message);
  g_autofree char *printed = body != NULL ? g_variant_print (body, TRUE) : g_strdup ("(none)");
  g_autofree char *wanted = g_variant_print (owned, TRUE);

  g_assert_cmpstr (printed, ==, wanted);
  g_assert_true (g_variant_equal (body, owned));
}

/* ------------------------------------------------------------------------ */
/* sd-bus: busctl */

static void
test_busctl_peer (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(ZbusConnection) connection = connect_with (TRANSPORT_NATIVE);
  g_autofree char *address = g_strdup_printf ("--address=%s", fixture->address);
  const char *name = zbus_connection_get_unique_name (connection);
  g_autofree char *machine_id = read_machine_id ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_test_summary ("sd-bus calls org.freedesktop.DBus.Peer on our connection, which answers "
                  "it itself while its context runs");
  if (!have_tool ("busctl"))
    return;

  g_assert_cmpint (run_tool (&out, &err, "busctl", address, "--timeout=60", "call", name, "/",
                             "org.freedesktop.DBus.Peer", "Ping", NULL),
                   ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_tool (&out, &err, "busctl", address, "--timeout=60", "call", name, "/",
                             "org.freedesktop.DBus.Peer", "GetMachineId", NULL),
                   ==, 0);
  g_assert_true (g_str_has_prefix (out, "s \""));
  if (machine_id != NULL)
    {
      g_autofree char *expected = g_strdup_printf ("s \"%s\"\n", machine_id);

      g_assert_cmpstr (out, ==, expected);
    }
}

static void
test_busctl_unknown_object (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(ZbusConnection) connection = connect_with (TRANSPORT_NATIVE);
  g_autofree char *address = g_strdup_printf ("--address=%s", fixture->address);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_test_summary ("A call to a path nobody serves fails in sd-bus with our error; busctl "
                  "prints the error's message, not its name");
  if (!have_tool ("busctl"))
    return;

  g_assert_cmpint (run_tool (&out, &err, "busctl", address, "--timeout=60", "call",
                             zbus_connection_get_unique_name (connection), "/x",
                             "org.zbus.Nope", "Nope", NULL),
                   !=, 0);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "Call failed"));
  g_assert_nonnull (strstr (err, "No object at path “/x”"));
}

/* Finds @name in the first column of `busctl list` and checks the PID
 * column says it is us. */
static void
assert_busctl_lists (const char *listing,
                     const char *name)
{
  g_auto(GStrv) lines = g_strsplit (listing, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) columns = g_strsplit_set (lines[i], " \t", -1);
      g_autoptr(GPtrArray) words = g_ptr_array_new ();

      for (guint j = 0; columns[j] != NULL; j++)
        if (columns[j][0] != '\0')
          g_ptr_array_add (words, columns[j]);

      if (words->len >= 2 && g_str_equal (g_ptr_array_index (words, 0), name))
        {
          g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());

          g_assert_cmpstr (g_ptr_array_index (words, 1), ==, pid);
          return;
        }
    }

  g_error ("busctl list does not show %s:\n%s", name, listing);
}

static void
test_busctl_list (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(ZbusConnection) connection = connect_with (GPOINTER_TO_INT (data));
  g_autofree char *address = g_strdup_printf ("--address=%s", fixture->address);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_test_summary ("busctl list shows our unique name and a name we own, with our PID");
  if (!have_tool ("busctl"))
    return;

  request_well_known_name (connection);
  g_assert_cmpint (run_tool (&out, &err, "busctl", address, "--no-pager", "--no-legend", "list",
                             NULL),
                   ==, 0);
  assert_busctl_lists (out, zbus_connection_get_unique_name (connection));
  assert_busctl_lists (out, WELL_KNOWN_NAME);
}

static void
test_busctl_emit (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(ZbusConnection) connection = connect_with (GPOINTER_TO_INT (data));
  g_autofree char *address = g_strdup_printf ("--address=%s", fixture->address);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  Collector collector;
  ZbusMessage *message;
  guint id;

  g_test_summary ("A signal busctl emits reaches our connection's handler, body intact");
  if (!have_tool ("busctl"))
    return;

  collector_init (&collector, "org.zbus.Interop");
  id = _zbus_connection_add_handler (connection, collect_cb, &collector, NULL);
  add_match (connection, "type='signal',interface='org.zbus.Interop'");

  g_assert_cmpint (run_tool (&out, &err, "busctl", address, "--", "emit", "/org/zbus/Emit",
                             "org.zbus.Interop", "Hello", "suba{sv}", "hello from sd-bus", "42",
                             "true", "1", "k", "x", "-5", NULL),
                   ==, 0);

  message = wait_for_signal (&collector, 0);
  g_assert_cmpstr (zbus_message_get_path (message), ==, "/org/zbus/Emit");
  g_assert_cmpstr (zbus_message_get_member (message), ==, "Hello");
  g_assert_cmpstr (zbus_message_get_signature (message), ==, "suba{sv}");
  g_assert_true (g_dbus_is_unique_name (zbus_message_get_sender (message)));
  g_assert_cmpstr (zbus_message_get_sender (message), !=,
                   zbus_connection_get_unique_name (connection));
  assert_body (message, g_variant_new_parsed ("('hello from sd-bus', uint32 42, true, "
                                              "{'k': <int64 -5>})"));

  _zbus_connection_remove_handler (connection, id);
  collector_clear (&collector);
  drop_connection (g_steal_pointer (&connection), GPOINTER_TO_INT (data));
}

/* ------------------------------------------------------------------------ */
/* libdbus: dbus-send */

static void
test_dbus_send_peer (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(ZbusConnection) connection = connect_with (TRANSPORT_NATIVE);
  g_autofree char *bus = g_strdup_printf ("--bus=%s", fixture->address);
  const char *name = zbus_connection_get_unique_name (connection);
  g_autofree char *dest = g_strdup_printf ("--dest=%s", name);
  g_autofree char *sender = g_strdup_printf ("sender=%s", name);
  g_autofree char *machine_id = read_machine_id ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_test_summary ("libdbus calls org.freedesktop.DBus.Peer on our connection and gets our "
                  "errors by name");
  if (!have_tool ("dbus-send"))
    return;

  g_assert_cmpint (run_tool (&out, &err, "dbus-send", bus, "--print-reply", "--reply-timeout=60000",
                             dest, "/", "org.freedesktop.DBus.Peer.Ping", NULL),
                   ==, 0);
  g_assert_true (g_str_has_prefix (out, "method return "));
  g_assert_nonnull (strstr (out, sender));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_tool (&out, &err, "dbus-send", bus, "--print-reply=literal",
                             "--reply-timeout=60000", dest, "/",
                             "org.freedesktop.DBus.Peer.GetMachineId", NULL),
                   ==, 0);
  if (machine_id != NULL)
    g_assert_cmpstr (g_strstrip (out), ==, machine_id);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_tool (&out, &err, "dbus-send", bus, "--print-reply",
                             "--reply-timeout=60000", dest, "/x", "org.zbus.Nope.Nope", NULL),
                   !=, 0);
  g_assert_nonnull (strstr (err, "Error org.freedesktop.DBus.Error.UnknownObject: "
                                 "No object at path “/x”"));
}

static void
test_dbus_send_signal (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(ZbusConnection) connection = connect_with (GPOINTER_TO_INT (data));
  g_autofree char *bus = g_strdup_printf ("--bus=%s", fixture->address);
  g_autofree char *dest = g_strdup_printf ("--dest=%s",
                                           zbus_connection_get_unique_name (connection));
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  Collector collector;
  ZbusMessage *message;
  guint id;

  g_test_summary ("Signals dbus-send sends reach our handler: one addressed to us without a "
                  "match rule, one broadcast through a match rule");
  if (!have_tool ("dbus-send"))
    return;

  collector_init (&collector, "org.zbus.Interop");
  id = _zbus_connection_add_handler (connection, collect_cb, &collector, NULL);

  /* The bus hands a signal addressed to us over without any match rule. */
  g_assert_cmpint (run_tool (&out, &err, "dbus-send", bus, "--type=signal", dest,
                             "/org/zbus/Send", "org.zbus.Interop.Direct",
                             "uint64:18446744073709551615", "objpath:/a/b", "byte:255", NULL),
                   ==, 0);
  message = wait_for_signal (&collector, 0);
  g_assert_cmpstr (zbus_message_get_destination (message), ==,
                   zbus_connection_get_unique_name (connection));
  g_assert_cmpstr (zbus_message_get_member (message), ==, "Direct");
  assert_body (message, g_variant_new_parsed ("(uint64 18446744073709551615, objectpath '/a/b', "
                                              "byte 0xff)"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  add_match (connection, "type='signal',interface='org.zbus.Interop',member='Sent'");
  g_assert_cmpint (run_tool (&out, &err, "dbus-send", bus, "--type=signal", "/org/zbus/Send",
                             "org.zbus.Interop.Sent", "string:hello from libdbus", "int32:-7",
                             "array:string:a,b,c", "dict:string:double:pi,3.5",
                             "variant:boolean:true", NULL),
                   ==, 0);
  message = wait_for_signal (&collector, 1);
  g_assert_null (zbus_message_get_destination (message));
  g_assert_cmpstr (zbus_message_get_path (message), ==, "/org/zbus/Send");
  g_assert_cmpstr (zbus_message_get_member (message), ==, "Sent");
  g_assert_cmpstr (zbus_message_get_signature (message), ==, "siasa{sd}v");
  assert_body (message, g_variant_new_parsed ("('hello from libdbus', -7, ['a', 'b', 'c'], "
                                              "{'pi': 3.5}, <true>)"));

  _zbus_connection_remove_handler (connection, id);
  collector_clear (&collector);
  drop_connection (g_steal_pointer (&connection), GPOINTER_TO_INT (data));
}

static void
test_dbus_send_list_names (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(ZbusConnection) connection = connect_with (GPOINTER_TO_INT (data));
  g_autofree char *bus = g_strdup_printf ("--bus=%s", fixture->address);
  g_autofree char *unique = g_strdup_printf ("string \"%s\"",
                                             zbus_connection_get_unique_name (connection));
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_test_summary ("libdbus lists our unique name and a name we own");
  if (!have_tool ("dbus-send"))
    return;

  request_well_known_name (connection);
  g_assert_cmpint (run_tool (&out, &err, "dbus-send", bus, "--print-reply",
                             "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
                             "org.freedesktop.DBus.ListNames", NULL),
                   ==, 0);
  g_assert_nonnull (strstr (out, unique));
  g_assert_nonnull (strstr (out, "string \"" WELL_KNOWN_NAME "\""));
}

/* ------------------------------------------------------------------------ */
/* GDBus: the gdbus tool */

static void
test_gdbus_tool (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(ZbusConnection) connection = connect_with (TRANSPORT_NATIVE);
  const char *name = zbus_connection_get_unique_name (connection);
  g_autofree char *machine_id = read_machine_id ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_test_summary ("gdbus call gets our machine id and our UnknownObject error");
  if (!have_tool ("gdbus"))
    return;

  g_assert_cmpint (run_tool (&out, &err, "gdbus", "call", "--address", fixture->address,
                             "--timeout", "60", "--dest", name, "--object-path", "/",
                             "--method", "org.freedesktop.DBus.Peer.GetMachineId", NULL),
                   ==, 0);
  if (machine_id != NULL)
    {
      g_autofree char *expected = g_strdup_printf ("('%s',)\n", machine_id);

      g_assert_cmpstr (out, ==, expected);
    }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_tool (&out, &err, "gdbus", "call", "--address", fixture->address,
                             "--timeout", "60", "--dest", name, "--object-path", "/x",
                             "--method", "org.zbus.Nope.Nope", NULL),
                   !=, 0);
  g_assert_nonnull (strstr (err, "GDBus.Error:org.freedesktop.DBus.Error.UnknownObject: "
                                 "No object at path “/x”"));
}

/* ------------------------------------------------------------------------ */
/* dbus-daemon's own interface */

static void
test_daemon (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(ZbusConnection) connection = connect_with (GPOINTER_TO_INT (data));
  const char *name = zbus_connection_get_unique_name (connection);
  g_autoptr(GDBusNodeInfo) node = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) credentials = NULL;
  g_autoptr(GVariant) features = NULL;
  g_autoptr(GError) error = NULL;
  GDBusInterfaceInfo *info;
  const char *xml;
  const char *text;
  guint32 number;
  gboolean has_owner;

  g_test_summary ("Our connection calls dbus-daemon's methods and properties and reads the "
                  "answers");

  /* Introspect: the XML parses and describes the bus. */
  reply = call_bus (connection, "org.freedesktop.DBus.Introspectable", "Introspect", NULL,
                    "(s)", &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(&s)", &xml);
  node = g_dbus_node_info_new_for_xml (xml, &error);
  g_assert_no_error (error);
  info = g_dbus_node_info_lookup_interface (node, DBUS_INTERFACE);
  g_assert_nonnull (info);
  g_assert_nonnull (g_dbus_interface_info_lookup_method (info, "GetConnectionCredentials"));
  g_assert_nonnull (g_dbus_interface_info_lookup_property (info, "Features"));
  g_clear_pointer (&reply, g_variant_unref);

  /* The bus's id is a UUID of its own; the GUID authentication learnt is
   * that of the address we connected to. */
  reply = call_bus (connection, DBUS_INTERFACE, "GetId", NULL, "(s)", &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(&s)", &text);
  g_assert_cmpuint (strlen (text), ==, 32);
  g_assert_nonnull (strstr (fixture->address, zbus_connection_get_guid (connection)));
  g_clear_pointer (&reply, g_variant_unref);

  reply = call_bus (connection, DBUS_INTERFACE, "GetConnectionUnixProcessID",
                    g_variant_new ("(s)", name), "(u)", &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(u)", &number);
  g_assert_cmpuint (number, ==, (guint32) getpid ());
  g_clear_pointer (&reply, g_variant_unref);

  reply = call_bus (connection, DBUS_INTERFACE, "GetConnectionUnixUser",
                    g_variant_new ("(s)", name), "(u)", &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(u)", &number);
  g_assert_cmpuint (number, ==, (guint32) getuid ());
  g_clear_pointer (&reply, g_variant_unref);

  reply = call_bus (connection, DBUS_INTERFACE, "GetConnectionCredentials",
                    g_variant_new ("(s)", name), "(a{sv})", &error);
  g_assert_no_error (error);
  credentials = g_variant_get_child_value (reply, 0);
  g_assert_true (g_variant_lookup (credentials, "ProcessID", "u", &number));
  g_assert_cmpuint (number, ==, (guint32) getpid ());
  g_assert_true (g_variant_lookup (credentials, "UnixUserID", "u", &number));
  g_assert_cmpuint (number, ==, (guint32) getuid ());
  g_clear_pointer (&reply, g_variant_unref);

  /* The bus's errors arrive as GDBus errors. */
  reply = call_bus (connection, DBUS_INTERFACE, "GetConnectionUnixProcessID",
                    g_variant_new ("(s)", ":1.99999"), "(u)", &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER);
  g_assert_null (reply);
  g_clear_error (&error);

  reply = call_bus (connection, DBUS_INTERFACE, "NameHasOwner", g_variant_new ("(s)", name),
                    "(b)", &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(b)", &has_owner);
  g_assert_true (has_owner);
  g_clear_pointer (&reply, g_variant_unref);

  reply = call_bus (connection, DBUS_INTERFACE, "NameHasOwner",
                    g_variant_new ("(s)", WELL_KNOWN_NAME), "(b)", &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(b)", &has_owner);
  g_assert_false (has_owner);
  g_clear_pointer (&reply, g_variant_unref);

  request_well_known_name (connection);
  reply = call_bus (connection, DBUS_INTERFACE, "GetNameOwner",
                    g_variant_new ("(s)", WELL_KNOWN_NAME), "(s)", &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(&s)", &text);
  g_assert_cmpstr (text, ==, name);
  g_clear_pointer (&reply, g_variant_unref);

  /* Properties: Features is a string array; GetAll agrees with Get. */
  reply = call_bus (connection, "org.freedesktop.DBus.Properties", "Get",
                    g_variant_new ("(ss)", DBUS_INTERFACE, "Features"), "(v)", &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(v)", &features);
  g_assert_cmpstr (g_variant_get_type_string (features), ==, "as");
  g_clear_pointer (&reply, g_variant_unref);

  reply = call_bus (connection, "org.freedesktop.DBus.Properties", "GetAll",
                    g_variant_new ("(s)", DBUS_INTERFACE), "(a{sv})", &error);
  g_assert_no_error (error);
  {
    g_autoptr(GVariant) all = g_variant_get_child_value (reply, 0);
    g_autoptr(GVariant) again = g_variant_lookup_value (all, "Features", G_VARIANT_TYPE ("as"));
    g_autoptr(GVariant) interfaces = g_variant_lookup_value (all, "Interfaces",
                                                             G_VARIANT_TYPE ("as"));

    g_assert_nonnull (again);
    g_assert_true (g_variant_equal (again, features));
    g_assert_nonnull (interfaces);
  }
  g_clear_pointer (&reply, g_variant_unref);

  /* Writing a read-only property is refused by the bus, by name. */
  reply = call_bus (connection, "org.freedesktop.DBus.Properties", "Set",
                    g_variant_new ("(ssv)", DBUS_INTERFACE, "Features",
                                   g_variant_new_strv (NULL, 0)),
                    "()", &error);
  g_assert_nonnull (error);
  g_assert_null (reply);
}

/* ------------------------------------------------------------------------ */
/* A GDBus service on a thread of its own */

static const char introspection_xml[] =
  "<node>"
  "  <interface name='org.zbus.Interop'>"
  "    <method name='EchoBytes'>"
  "      <arg type='ay' direction='in'/><arg type='ay' direction='out'/>"
  "    </method>"
  "    <method name='Burst'>"
  "      <arg type='u' direction='in'/><arg type='u' direction='in'/>"
  "      <arg type='u' direction='out'/>"
  "    </method>"
  "    <signal name='Tick'><arg type='u'/></signal>"
  "  </interface>"
  "</node>";

/* Runs on the service's thread. Burst(first, count) emits Tick(first) …
 * Tick(first + count - 1), then answers first + count. */
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
  if (g_str_equal (method, "EchoBytes"))
    g_dbus_method_invocation_return_value (invocation, parameters);
  else if (g_str_equal (method, "Burst"))
    {
      guint32 first, count;

      g_variant_get (parameters, "(uu)", &first, &count);
      for (guint32 i = first; i < first + count; i++)
        {
          g_autoptr(GError) error = NULL;

          g_dbus_connection_emit_signal (connection, NULL, "/org/zbus/Interop",
                                         "org.zbus.Interop", "Tick", g_variant_new ("(u)", i),
                                         &error);
          g_assert_no_error (error);
        }
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", first + count));
    }
  else
    g_assert_not_reached ();
}

typedef struct
{
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  GDBusConnection *connection;
  char *name;
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
  g_dbus_connection_register_object (service->connection, "/org/zbus/Interop",
                                     info->interfaces[0], &vtable, NULL, NULL, &error);
  g_assert_no_error (error);

  g_mutex_lock (&service->lock);
  service->name = g_strdup (g_dbus_connection_get_unique_name (service->connection));
  g_cond_signal (&service->cond);
  g_mutex_unlock (&service->lock);

  g_main_loop_run (service->loop);

  g_dbus_connection_close_sync (service->connection, NULL, NULL);
  g_clear_object (&service->connection);
  g_main_context_pop_thread_default (service->context);
  return NULL;
}

static Service *
service_start (void)
{
  Service *service = g_new0 (Service, 1);

  service->context = g_main_context_new ();
  service->loop = g_main_loop_new (service->context, FALSE);
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
  g_mutex_clear (&service->lock);
  g_cond_clear (&service->cond);
  g_free (service->name);
  g_free (service);
}

/* ------------------------------------------------------------------------ */
/* Big messages */

#define BIG_SIZE (4 * 1024 * 1024)

static GBytes *
make_pattern (gsize   size,
              guint32 seed)
{
  guint8 *data = g_malloc (size);

  /* Not periodic at any power of two, so a shifted or truncated copy
   * cannot compare equal. */
  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) ((i * 131 + (i >> 11) + seed) % 251);
  return g_bytes_new_take (data, size);
}

static void
assert_echo (GVariant *reply,
             GBytes   *sent)
{
  g_autoptr(GVariant) array = g_variant_get_child_value (reply, 0);
  gsize size = 0;
  const guint8 *data = g_variant_get_fixed_array (array, &size, 1);

  g_assert_cmpuint (size, ==, g_bytes_get_size (sent));
  g_assert_true (memcmp (data, g_bytes_get_data (sent, NULL), size) == 0);
}

static GVariant *
bytes_parameters (GBytes *bytes)
{
  return g_variant_new ("(@ay)", g_variant_new_from_bytes (G_VARIANT_TYPE_BYTESTRING, bytes,
                                                          TRUE));
}

static void
test_big_message (Fixture       *fixture,
                  gconstpointer  data)
{
  Service *service = service_start ();
  g_autoptr(ZbusConnection) connection = connect_with (GPOINTER_TO_INT (data));
  g_autoptr(GBytes) first = make_pattern (BIG_SIZE, 1);
  g_autoptr(GBytes) second = make_pattern (BIG_SIZE + 3, 2);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_test_summary ("A 4 MiB byte array goes to a GDBus service and comes back intact, through "
                  "a synchronous and an asynchronous call");

  /* Synchronous: the calling thread reads the reply off the socket. */
  reply = zbus_connection_call_sync (connection, service->name, "/org/zbus/Interop",
                                     "org.zbus.Interop", "EchoBytes", bytes_parameters (first),
                                     G_VARIANT_TYPE ("(ay)"), ZBUS_MESSAGE_FLAGS_NONE,
                                     WAIT_SECONDS * 1000, NULL, &error);
  g_assert_no_error (error);
  assert_echo (reply, first);
  g_clear_pointer (&reply, g_variant_unref);

  /* Asynchronous: the context reads it. An odd size tests the padding. */
  zbus_connection_call (connection, service->name, "/org/zbus/Interop", "org.zbus.Interop",
                        "EchoBytes", bytes_parameters (second), G_VARIANT_TYPE ("(ay)"),
                        ZBUS_MESSAGE_FLAGS_NONE, WAIT_SECONDS * 1000, NULL, async_result_cb,
                        &result);
  reply = zbus_connection_call_finish (connection, wait_for_result (&result), &error);
  g_assert_no_error (error);
  assert_echo (reply, second);

  g_clear_object (&result);
  drop_connection (g_steal_pointer (&connection), GPOINTER_TO_INT (data));
  service_stop (service);
}

/* ------------------------------------------------------------------------ */
/* Backpressure: many big signals while the socket is full */

#define FLOOD_COUNT 2000
#define FLOOD_SIZE (64 * 1024)

typedef struct
{
  char *sender;             /* whose signals to count */
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  guint count;              /* (atomic) */
  guint bad;                /* (atomic): out of order or damaged */
  gboolean ready;
  GMutex lock;
  GCond cond;
} Subscriber;

/* Runs on the subscriber's thread. */
static void
flood_signal_cb (GDBusConnection *connection,
                 const char      *sender,
                 const char      *path,
                 const char      *interface_name,
                 const char      *signal_name,
                 GVariant        *parameters,
                 gpointer         user_data)
{
  Subscriber *subscriber = user_data;
  g_autoptr(GVariant) array = NULL;
  guint32 seq;
  gsize size = 0;
  const guint8 *bytes;

  g_variant_get (parameters, "(u@ay)", &seq, &array);
  bytes = g_variant_get_fixed_array (array, &size, 1);
  if (seq != (guint32) g_atomic_int_get (&subscriber->count) || size != FLOOD_SIZE ||
      bytes[0] != (guint8) seq || bytes[size - 1] != (guint8) (seq >> 8))
    g_atomic_int_inc (&subscriber->bad);
  g_atomic_int_inc (&subscriber->count);
}

static gpointer
subscriber_thread (gpointer data)
{
  Subscriber *subscriber = data;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GVariant) pong = NULL;
  g_autoptr(GError) error = NULL;
  guint id;

  g_main_context_push_thread_default (subscriber->context);
  connection = zbus_test_connect_gdbus ();
  id = g_dbus_connection_signal_subscribe (connection, subscriber->sender, "org.zbus.Flood",
                                           "Chunk", "/org/zbus/Flood", NULL,
                                           G_DBUS_SIGNAL_FLAGS_NONE, flood_signal_cb, subscriber,
                                           NULL);
  /* A round trip puts the match rule in place before we say we are ready. */
  pong = g_dbus_connection_call_sync (connection, DBUS_NAME, DBUS_PATH, DBUS_INTERFACE, "GetId",
                                      NULL, NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);

  g_mutex_lock (&subscriber->lock);
  subscriber->ready = TRUE;
  g_cond_signal (&subscriber->cond);
  g_mutex_unlock (&subscriber->lock);

  g_main_loop_run (subscriber->loop);

  g_dbus_connection_signal_unsubscribe (connection, id);
  g_dbus_connection_close_sync (connection, NULL, NULL);
  /* Let the unsubscription's idle callbacks run before the context goes. */
  while (g_main_context_iteration (subscriber->context, FALSE))
    ;
  g_main_context_pop_thread_default (subscriber->context);
  return NULL;
}

static void
subscriber_start (Subscriber *subscriber,
                  const char *sender)
{
  memset (subscriber, 0, sizeof *subscriber);
  subscriber->sender = g_strdup (sender);
  subscriber->context = g_main_context_new ();
  subscriber->loop = g_main_loop_new (subscriber->context, FALSE);
  g_mutex_init (&subscriber->lock);
  g_cond_init (&subscriber->cond);
  subscriber->thread = g_thread_new ("subscriber", subscriber_thread, subscriber);

  g_mutex_lock (&subscriber->lock);
  while (!subscriber->ready)
    g_cond_wait (&subscriber->cond, &subscriber->lock);
  g_mutex_unlock (&subscriber->lock);
}

static void
subscriber_stop (Subscriber *subscriber)
{
  g_main_loop_quit (subscriber->loop);
  g_thread_join (subscriber->thread);
  g_main_loop_unref (subscriber->loop);
  g_main_context_unref (subscriber->context);
  g_mutex_clear (&subscriber->lock);
  g_cond_clear (&subscriber->cond);
  g_free (subscriber->sender);
}

static void
test_backpressure (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(ZbusConnection) connection = connect_with (GPOINTER_TO_INT (data));
  g_autoptr(GError) error = NULL;
  Subscriber subscriber;
  gint64 deadline;

  g_test_summary ("2,000 signals of 64 KiB sent without running the context all reach a "
                  "GDBus subscriber, in order, after a flush");

  subscriber_start (&subscriber, zbus_connection_get_unique_name (connection));

  for (guint32 i = 0; i < FLOOD_COUNT; i++)
    {
      guint8 *chunk = g_malloc0 (FLOOD_SIZE);
      GVariant *array;

      chunk[0] = (guint8) i;
      chunk[FLOOD_SIZE - 1] = (guint8) (i >> 8);
      array = g_variant_new_from_data (G_VARIANT_TYPE_BYTESTRING, chunk, FLOOD_SIZE, TRUE,
                                       g_free, chunk);
      g_assert_true (zbus_connection_emit_signal (connection, NULL, "/org/zbus/Flood",
                                                  "org.zbus.Flood", "Chunk",
                                                  g_variant_new ("(u@ay)", i, array), &error));
      g_assert_no_error (error);
    }

  g_assert_true (zbus_connection_flush_sync (connection, NULL, &error));
  g_assert_no_error (error);

  deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  while (g_atomic_int_get (&subscriber.count) < FLOOD_COUNT &&
         g_get_monotonic_time () < deadline)
    g_usleep (10 * 1000);

  g_assert_cmpuint (g_atomic_int_get (&subscriber.count), ==, FLOOD_COUNT);
  g_assert_cmpuint (g_atomic_int_get (&subscriber.bad), ==, 0);
  g_assert_false (zbus_connection_is_closed (connection));

  drop_connection (g_steal_pointer (&connection), GPOINTER_TO_INT (data));
  subscriber_stop (&subscriber);
}

/* ------------------------------------------------------------------------ */
/* Ordering of signals and replies */

#define BURSTS 10
#define PER_BURST 100

typedef struct
{
  Collector *collector;
  guint index;
  guint seen_at_reply[BURSTS];  /* signals seen when reply i was dispatched */
  guint replies;
} Bursts;

typedef struct
{
  Bursts *bursts;
  guint index;
} BurstCall;

static void
burst_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  BurstCall *call = user_data;
  Bursts *bursts = call->bursts;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint32 end;

  reply = zbus_connection_call_finish (ZBUS_CONNECTION (object), result, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(u)", &end);
  g_assert_cmpuint (end, ==, (call->index + 1) * PER_BURST);

  /* Replies are dispatched in the order they came. */
  g_assert_cmpuint (call->index, ==, bursts->replies);
  bursts->seen_at_reply[call->index] = bursts->collector->count;
  bursts->replies++;
  g_free (call);
}

static void
test_ordering (Fixture       *fixture,
               gconstpointer  data)
{
  Service *service = service_start ();
  g_autoptr(ZbusConnection) connection = connect_with (GPOINTER_TO_INT (data));
  g_autofree char *rule = g_strdup_printf ("type='signal',sender='%s',member='Tick'",
                                           service->name);
  Collector collector;
  Bursts bursts = { &collector, 0, { 0 }, 0 };
  guint id;

  g_test_summary ("1,000 signals from a GDBus service, interleaved with the replies to ten "
                  "asynchronous calls, reach our handler in the order sent, and each reply "
                  "after the signals sent before it");

  collector_init (&collector, "org.zbus.Interop");
  id = _zbus_connection_add_handler (connection, collect_cb, &collector, NULL);
  add_match (connection, rule);

  /* All calls in flight at once: the service answers each after emitting
   * its signals, so replies and signals interleave on the wire. */
  for (guint i = 0; i < BURSTS; i++)
    {
      BurstCall *call = g_new0 (BurstCall, 1);

      call->bursts = &bursts;
      call->index = i;
      zbus_connection_call (connection, service->name, "/org/zbus/Interop", "org.zbus.Interop",
                            "Burst", g_variant_new ("(uu)", i * PER_BURST, PER_BURST),
                            G_VARIANT_TYPE ("(u)"), ZBUS_MESSAGE_FLAGS_NONE,
                            WAIT_SECONDS * 1000, NULL, burst_cb, call);
    }

  g_assert_cmpuint (iterate_until_count (&bursts.replies, BURSTS), ==, BURSTS);
  g_assert_cmpuint (collector.messages->len, ==, BURSTS * PER_BURST);

  for (guint i = 0; i < collector.messages->len; i++)
    {
      ZbusMessage *message = g_ptr_array_index (collector.messages, i);
      guint32 seq;

      g_assert_cmpstr (zbus_message_get_member (message), ==, "Tick");
      g_variant_get (zbus_message_get_body (message), "(u)", &seq);
      g_assert_cmpuint (seq, ==, i);
    }

  for (guint i = 0; i < BURSTS; i++)
    g_assert_cmpuint (bursts.seen_at_reply[i], ==, (i + 1) * PER_BURST);

  _zbus_connection_remove_handler (connection, id);
  collector_clear (&collector);
  drop_connection (g_steal_pointer (&connection), GPOINTER_TO_INT (data));
  service_stop (service);
}

/* ------------------------------------------------------------------------ */
/* Byte order */

#define ENDIAN_BODY \
  "('text', uint32 0x01020304, int64 -2, 3.25, [byte 1, 2, 3], {'k': <int16 -7>}, " \
  "objectpath '/o', signature 'a{sv}', (true, uint16 0xfffe), [[int32 1], []])"

/* Runs on GDBus's worker thread. */
static GDBusMessage *
capture_endian_filter_cb (GDBusConnection *connection,
                          GDBusMessage    *message,
                          gboolean         incoming,
                          gpointer         user_data)
{
  GDBusMessage **slot = user_data;

  if (incoming && g_strcmp0 (g_dbus_message_get_interface (message), "org.zbus.Endian") == 0)
    g_atomic_pointer_set (slot, g_object_ref (message));
  return message;
}

static void
test_byte_order (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(ZbusConnection) connection = connect_with (GPOINTER_TO_INT (data));
  g_autoptr(GDBusConnection) gdbus = zbus_test_connect_gdbus ();
  g_autoptr(GDBusMessage) theirs = g_dbus_message_new_signal ("/org/zbus/Endian", "org.zbus.Endian",
                                                              "FromGDBus");
  g_autoptr(ZbusMessage) ours = NULL;
  g_autoptr(GDBusMessage) captured = NULL;
  g_autoptr(GError) error = NULL;
  GDBusMessage *slot = NULL;
  Collector collector;
  ZbusMessage *message;
  gint64 deadline;
  guint id;
  guint filter;

  g_test_summary ("Big-endian messages travel both ways between GDBus and our connection, "
                  "every basic and container type intact");

  /* GDBus to us, big-endian, addressed to us so that no match rule is
   * needed. */
  collector_init (&collector, "org.zbus.Endian");
  id = _zbus_connection_add_handler (connection, collect_cb, &collector, NULL);
  g_dbus_message_set_destination (theirs, zbus_connection_get_unique_name (connection));
  g_dbus_message_set_byte_order (theirs, G_DBUS_MESSAGE_BYTE_ORDER_BIG_ENDIAN);
  g_dbus_message_set_body (theirs, g_variant_new_parsed (ENDIAN_BODY));
  g_assert_true (g_dbus_connection_send_message (gdbus, theirs, G_DBUS_SEND_MESSAGE_FLAGS_NONE,
                                                 NULL, &error));
  g_assert_no_error (error);

  message = wait_for_signal (&collector, 0);
  g_assert_cmpint (zbus_message_get_byte_order (message), ==, ZBUS_BYTE_ORDER_BIG_ENDIAN);
  assert_body (message, g_variant_new_parsed (ENDIAN_BODY));
  _zbus_connection_remove_handler (connection, id);
  collector_clear (&collector);

  /* Us to GDBus, big-endian. */
  filter = g_dbus_connection_add_filter (gdbus, capture_endian_filter_cb, &slot, NULL);
  ours = zbus_message_new_signal ("/org/zbus/Endian", "org.zbus.Endian", "FromZbus", &error);
  g_assert_no_error (error);
  g_assert_true (zbus_message_set_destination (ours, g_dbus_connection_get_unique_name (gdbus),
                                               &error));
  zbus_message_set_byte_order (ours, ZBUS_BYTE_ORDER_BIG_ENDIAN);
  g_assert_true (zbus_message_set_body (ours, g_variant_new_parsed (ENDIAN_BODY), &error));
  g_assert_true (zbus_connection_send_message (connection, ours, NULL, &error));
  g_assert_no_error (error);

  deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  while (g_atomic_pointer_get (&slot) == NULL && g_get_monotonic_time () < deadline)
    g_usleep (1000);
  g_dbus_connection_remove_filter (gdbus, filter);
  captured = g_atomic_pointer_get (&slot);
  g_assert_nonnull (captured);
  g_assert_cmpint (g_dbus_message_get_byte_order (captured), ==,
                   G_DBUS_MESSAGE_BYTE_ORDER_BIG_ENDIAN);
  g_assert_cmpstr (g_dbus_message_get_member (captured), ==, "FromZbus");
  g_assert_cmpstr (g_dbus_message_get_sender (captured), ==,
                   zbus_connection_get_unique_name (connection));
  {
    g_autoptr(GVariant) expected = g_variant_ref_sink (g_variant_new_parsed (ENDIAN_BODY));

    g_assert_true (g_variant_equal (g_dbus_message_get_body (captured), expected));
  }
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

#define ADD(path, transport, func) \
  do { \
    g_autofree char *full = g_strdup_printf ("/Zbus/Interop/%s/%s", transports[transport].name, \
                                             path); \
    g_test_add (full, Fixture, GINT_TO_POINTER (transport), fixture_setup, func, \
                fixture_teardown); \
  } while (0)

  /* Peer is answered by whoever reads the socket: ours only natively
   * (GDBus answers it for an adopted connection). */
  ADD ("sd-bus/peer", TRANSPORT_NATIVE, test_busctl_peer);
  ADD ("sd-bus/unknown-object", TRANSPORT_NATIVE, test_busctl_unknown_object);
  ADD ("libdbus/peer", TRANSPORT_NATIVE, test_dbus_send_peer);
  ADD ("gdbus-tool/peer", TRANSPORT_NATIVE, test_gdbus_tool);

  for (guint t = 0; t < G_N_ELEMENTS (transports); t++)
    {
      ADD ("sd-bus/list", t, test_busctl_list);
      ADD ("sd-bus/emit", t, test_busctl_emit);
      ADD ("libdbus/signal", t, test_dbus_send_signal);
      ADD ("libdbus/list-names", t, test_dbus_send_list_names);
      ADD ("dbus-daemon", t, test_daemon);
      ADD ("byte-order", t, test_byte_order);
      ADD ("big-message", t, test_big_message);
      ADD ("backpressure", t, test_backpressure);
      ADD ("ordering", t, test_ordering);
    }
#undef ADD

  return g_test_run ();
}
