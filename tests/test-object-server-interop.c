/* test-object-server-interop.c: the example service driven by other
 * people's tools: gdbus, busctl and dbus-send, on both transports
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "zbus-gobject.h"

/* The very service the examples ship, so what the docs show is tested. */
#define EXAMPLE_SERVICE_NO_MAIN
#include "../examples/example-service.c"

typedef enum { TRANSPORT_NATIVE, TRANSPORT_GDBUS } Transport;

typedef struct
{
  GTestDBus      *bus;
  ZbusConnection *connection;
  ExampleIface   *iface;
  GMainLoop      *loop;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  ZbusRequestNameReply reply;

  fixture->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (fixture->bus);
  if (GPOINTER_TO_INT (data) == TRANSPORT_GDBUS)
    {
      g_autoptr(GDBusConnection) gdbus = g_dbus_connection_new_for_address_sync (
        g_test_dbus_get_bus_address (fixture->bus),
        G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
        NULL, NULL, &error);
      g_assert_no_error (error);
      fixture->connection = zbus_connection_new_for_gdbus (gdbus);
    }
  else
    {
      fixture->connection = zbus_connection_session (NULL, &error);
      g_assert_no_error (error);
    }
  fixture->loop = g_main_loop_new (NULL, FALSE);
  fixture->iface = g_object_new (EXAMPLE_TYPE_IFACE, NULL);
  fixture->iface->loop = fixture->loop;
  g_assert_true (zbus_object_server_at (zbus_object_server_get_for_connection (fixture->connection),
                                        "/org/zbus/path", ZBUS_INTERFACE (fixture->iface), &error));
  g_assert_no_error (error);
  reply = zbus_connection_request_name_sync (fixture->connection, "org.zbus.MyService",
                                             ZBUS_REQUEST_NAME_FLAGS_DO_NOT_QUEUE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (reply, ==, ZBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  zbus_connection_close_sync (fixture->connection, NULL, NULL);
  g_clear_object (&fixture->connection);
  while (g_main_context_iteration (NULL, FALSE));
  g_assert_finalize_object (fixture->iface);
  g_clear_pointer (&fixture->loop, g_main_loop_unref);
  g_test_dbus_down (fixture->bus);
  g_clear_object (&fixture->bus);
}

typedef struct
{
  gboolean  done;
  gboolean  ok;
  char     *out;
  char     *err;
} ToolResult;

static void
communicated_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  ToolResult *r = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &r->out, &r->err, &error);
  g_assert_no_error (error);
  r->ok = g_subprocess_get_if_exited (G_SUBPROCESS (object)) &&
          g_subprocess_get_exit_status (G_SUBPROCESS (object)) == 0;
  r->done = TRUE;
}

/* Runs a tool while the service keeps serving on this thread's context.
 * Returns its stdout, or NULL (and its stderr in @err) when it failed. */
static char *
run_tool (char       **err,
          const char  *first,
          ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  ToolResult r = { FALSE, FALSE, NULL, NULL };
  va_list args;

  va_start (args, first);
  for (const char *a = first; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, communicated_cb, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  if (err != NULL)
    *err = g_steal_pointer (&r.err);
  g_free (r.err);
  if (!r.ok)
    {
      g_test_message ("%s failed: %s", first, err && *err ? *err : "");
      g_clear_pointer (&r.out, g_free);
    }
  return r.out;
}

static gboolean
have (const char *tool)
{
  g_autofree char *path = g_find_program_in_path (tool);

  if (path == NULL)
    g_test_skip_printf ("%s is not installed", tool);
  return path != NULL;
}

static void
assert_contains (const char *haystack,
                 const char *needle)
{
  g_assert_nonnull (haystack);
  if (strstr (haystack, needle) == NULL)
    g_error ("“%s” not found in:\n%s", needle, haystack);
}

#define DEST "org.zbus.MyService"
#define PATH "/org/zbus/path"
#define IFACE "org.myservice.Example"

static void
test_gdbus (Fixture       *fixture,
            gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *introspection = NULL;

  if (!have ("gdbus"))
    return;
  out = run_tool (NULL, "gdbus", "call", "--session", "--dest", DEST, "--object-path", PATH,
                  "--method", IFACE ".MeaningOfLife", NULL);
  g_assert_cmpstr (out, ==, "(42, 'Meaning of life')\n");
  g_clear_pointer (&out, g_free);

  out = run_tool (NULL, "gdbus", "call", "--session", "--dest", DEST, "--object-path", PATH,
                  "--method", "org.freedesktop.DBus.Properties.Get", IFACE, "TheAnswer", NULL);
  g_assert_cmpstr (out, ==, "(<uint32 42>,)\n");
  g_clear_pointer (&out, g_free);

  out = run_tool (&err, "gdbus", "call", "--session", "--dest", DEST, "--object-path", PATH,
                  "--method", "org.freedesktop.DBus.Properties.Get", IFACE, "IFail", NULL);
  g_assert_null (out);
  assert_contains (err, "org.freedesktop.DBus.Error.UnknownProperty");
  assert_contains (err, "IFail: this property always fails");

  introspection = run_tool (NULL, "gdbus", "introspect", "--session", "--dest", DEST,
                            "--object-path", PATH, NULL);
  assert_contains (introspection, "interface org.myservice.Example {");
  assert_contains (introspection, "MeaningOfLife(out i answer,\n");
  assert_contains (introspection, "readonly u TheAnswer = 42;");
  assert_contains (introspection, "readwrite s Greeting = 'Hello';");
  assert_contains (introspection, "Bye(s message);");
  assert_contains (introspection, "interface org.freedesktop.DBus.Peer {");
}

static void
test_busctl (Fixture       *fixture,
             gconstpointer  data)
{
  const char *address = g_test_dbus_get_bus_address (fixture->bus);
  g_autofree char *opt = g_strdup_printf ("--address=%s", address);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  if (!have ("busctl"))
    return;
  out = run_tool (NULL, "busctl", opt, "call", DEST, PATH, IFACE, "MeaningOfLife", NULL);
  g_assert_cmpstr (out, ==, "is 42 \"Meaning of life\"\n");
  g_clear_pointer (&out, g_free);

  out = run_tool (NULL, "busctl", opt, "get-property", DEST, PATH, IFACE, "TheAnswer", NULL);
  g_assert_cmpstr (out, ==, "u 42\n");
  g_clear_pointer (&out, g_free);

  out = run_tool (NULL, "busctl", opt, "set-property", DEST, PATH, IFACE, "Greeting", "s", "Howdy", NULL);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  g_assert_cmpstr (fixture->iface->greeting, ==, "Howdy");
  out = run_tool (NULL, "busctl", opt, "get-property", DEST, PATH, IFACE, "Greeting", NULL);
  g_assert_cmpstr (out, ==, "s \"Howdy\"\n");
  g_clear_pointer (&out, g_free);

  out = run_tool (&err, "busctl", opt, "set-property", DEST, PATH, IFACE, "TheAnswer", "u", "1", NULL);
  g_assert_null (out);
  assert_contains (err, "read-only");
  g_clear_pointer (&err, g_free);

  out = run_tool (NULL, "busctl", opt, "introspect", "--no-pager", DEST, PATH, NULL);
  assert_contains (out, "org.myservice.Example");
  assert_contains (out, ".MeaningOfLife");
  assert_contains (out, ".TheAnswer");
  assert_contains (out, "emits-change");
  assert_contains (out, ".Bye");
}

static void
test_dbus_send (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  if (!have ("dbus-send"))
    return;
  out = run_tool (NULL, "dbus-send", "--session", "--print-reply", "--dest=" DEST, PATH,
                  IFACE ".MeaningOfLife", NULL);
  assert_contains (out, "int32 42");
  assert_contains (out, "string \"Meaning of life\"");
  g_clear_pointer (&out, g_free);

  out = run_tool (&err, "dbus-send", "--session", "--print-reply", "--dest=" DEST, PATH,
                  IFACE ".MeaningOfLife", "string:unexpected", NULL);
  g_assert_null (out);
  assert_contains (err, "org.freedesktop.DBus.Error.InvalidArgs");
}

static void
test_quit (Fixture       *fixture,
           gconstpointer  data)
{
  g_autofree char *out = NULL;

  if (!have ("gdbus"))
    return;
  out = run_tool (NULL, "gdbus", "call", "--session", "--dest", DEST, "--object-path", PATH,
                  "--method", IFACE ".Quit", NULL);
  g_assert_cmpstr (out, ==, "()\n");
  /* The service leaves once the reply is out. */
  while (!fixture->iface->done)
    g_main_context_iteration (NULL, TRUE);
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
  g_test_summary ("The example service, driven by gdbus, busctl and dbus-send");

  for (guint i = 0; i < G_N_ELEMENTS (transports); i++)
    {
      gconstpointer t = GINT_TO_POINTER (transports[i].transport);
#define ADD(path, func) \
      G_STMT_START { \
        g_autofree char *full = g_strdup_printf ("/Zbus/ObjectServer/interop/%s/%s", transports[i].name, path); \
        g_test_add (full, Fixture, t, fixture_setup, func, fixture_teardown); \
      } G_STMT_END
      ADD ("gdbus", test_gdbus);
      ADD ("busctl", test_busctl);
      ADD ("dbus-send", test_dbus_send);
      ADD ("quit", test_quit);
#undef ADD
    }

  return g_test_run ();
}
