/* test-interface-fds.c: file descriptors (`h`) in methods and signals of
 * ZbusInterface types
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <gio/gunixfdlist.h>
#include <glib-unix.h>
#include <glib/gstdio.h>

#include "zbus-gobject.h"
#include "test-util.h"

/* ------------------------------------------------------------------------ */
/* The served type: org.zbus.Files */

#define TEST_TYPE_FILES (test_files_get_type ())
G_DECLARE_FINAL_TYPE (TestFiles, test_files, TEST, FILES, ZbusInterface)

struct _TestFiles
{
  ZbusInterface parent_instance;
  int           last_fd;   /* the descriptor number the last ReadAll saw */
};

G_DEFINE_FINAL_TYPE (TestFiles, test_files, ZBUS_TYPE_INTERFACE)

enum { SIGNAL_READ_ALL, SIGNAL_OPEN_TEXT, SIGNAL_HANDED, N_SIGNALS };
static guint signals[N_SIGNALS];

static char *
read_everything (int fd)
{
  GString *text = g_string_new (NULL);
  char buffer[256];
  gssize n;

  while ((n = read (fd, buffer, sizeof buffer)) > 0)
    g_string_append_len (text, buffer, n);
  return g_string_free (text, FALSE);
}

/* A pipe whose read end holds @text, ready to read to the end. */
static int
pipe_with_text (const char *text)
{
  int fds[2];

  g_assert_true (g_unix_open_pipe (fds, FD_CLOEXEC, NULL));
  g_assert_cmpint (write (fds[1], text, strlen (text)), ==, (gssize) strlen (text));
  g_close (fds[1], NULL);
  return fds[0];
}

/* ReadAll(h) → s: the descriptor is borrowed from the call. */
static char *
test_files_read_all (TestFiles *self,
                     int        fd)
{
  self->last_fd = fd;
  return read_everything (fd);
}

/* OpenText(s) → h: the returned descriptor is handed over. */
static int
test_files_open_text (TestFiles  *self,
                      const char *text)
{
  return pipe_with_text (text);
}

/* Dup(h) → h, from the method table, answering with a list of its own. */
static void
dup_cb (ZbusInterface        *iface,
        ZbusMethodInvocation *invocation,
        GVariant             *parameters,
        gpointer              user_data)
{
  GUnixFDList *in = zbus_message_get_unix_fd_list (zbus_method_invocation_get_message (invocation));
  g_autoptr(GUnixFDList) out = g_unix_fd_list_new ();
  g_autoptr(GError) error = NULL;
  gint32 handle;
  int index;

  g_variant_get (parameters, "(h)", &handle);
  if (in == NULL || handle >= g_unix_fd_list_get_length (in))
    {
      zbus_method_invocation_return_dbus_error (invocation, "org.freedesktop.DBus.Error.InvalidArgs",
                                                "no such descriptor");
      return;
    }
  index = g_unix_fd_list_append (out, g_unix_fd_list_peek_fds (in, NULL)[handle], &error);
  g_assert_no_error (error);
  zbus_method_invocation_return_value_with_unix_fd_list (invocation, g_variant_new ("(h)", index), out);
}

static void
test_files_class_init (TestFilesClass *klass)
{
  GType type = G_TYPE_FROM_CLASS (klass);
  static const ZbusInterfaceMethod methods[] = {
    { "Dup", "h", "h", NULL, NULL, dup_cb },
  };

  signals[SIGNAL_READ_ALL] =
    g_signal_new_class_handler ("read-all", type, G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
                                G_CALLBACK (test_files_read_all), NULL, NULL, NULL,
                                G_TYPE_STRING, 1, G_TYPE_INT);
  signals[SIGNAL_OPEN_TEXT] =
    g_signal_new_class_handler ("open-text", type, G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
                                G_CALLBACK (test_files_open_text), NULL, NULL, NULL,
                                G_TYPE_INT, 1, G_TYPE_STRING);
  signals[SIGNAL_HANDED] =
    g_signal_new ("handed", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_INT);

  zbus_interface_type_set_name (type, "org.zbus.Files");
  zbus_interface_type_set_method_in_signature (type, "read-all", "h", NULL);
  zbus_interface_type_set_method_signature (type, "open-text", "h", NULL);
  zbus_interface_type_set_signal_signature (type, "handed", "sh", NULL);
  zbus_interface_class_add_methods (ZBUS_INTERFACE_CLASS (klass), methods, G_N_ELEMENTS (methods));
}

static void
test_files_init (TestFiles *self)
{
  self->last_fd = -1;
}

/* A property cannot carry a descriptor. */
#define TEST_TYPE_FD_PROPERTY (test_fd_property_get_type ())
G_DECLARE_FINAL_TYPE (TestFdProperty, test_fd_property, TEST, FD_PROPERTY, ZbusInterface)

struct _TestFdProperty
{
  ZbusInterface parent_instance;
};

G_DEFINE_FINAL_TYPE (TestFdProperty, test_fd_property, ZBUS_TYPE_INTERFACE)

static void
test_fd_property_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  g_value_set_int (value, 0);
}

static void
test_fd_property_class_init (TestFdPropertyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = test_fd_property_get_property;
  g_object_class_install_property (object_class, 1,
                                   g_param_spec_int ("log", NULL, NULL, -1, G_MAXINT, -1,
                                                     G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  zbus_interface_type_set_name (G_TYPE_FROM_CLASS (klass), "org.zbus.FdProperty");
  zbus_interface_type_set_property_signature (G_TYPE_FROM_CLASS (klass), "log", "h");
}

static void
test_fd_property_init (TestFdProperty *self)
{
}

/* ------------------------------------------------------------------------ */
/* Fixture: the server on either transport; a GDBus client and a native
 * zbus client, both able to pass descriptors. */

typedef struct
{
  GTestDBus        *bus;
  ZbusConnection   *server_conn;
  ZbusObjectServer *server;
  TestFiles        *files;
  GDBusConnection  *client;
  ZbusConnection   *zclient;
  const char       *name;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  zbus_test_set_cloexec_on_all_fds ();
  fixture->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (fixture->bus);
  fixture->server_conn = zbus_test_connect (GPOINTER_TO_INT (data));
  g_assert_true (zbus_connection_get_unix_fd_passing (fixture->server_conn));
  fixture->name = zbus_connection_get_unique_name (fixture->server_conn);
  fixture->server = zbus_object_server_get_for_connection (fixture->server_conn);
  fixture->files = g_object_new (TEST_TYPE_FILES, NULL);
  g_assert_true (zbus_object_server_at (fixture->server, "/files", ZBUS_INTERFACE (fixture->files),
                                        &error));
  g_assert_no_error (error);
  fixture->client = zbus_test_connect_gdbus ();
  fixture->zclient = zbus_connection_session (NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_dbus_connection_close_sync (fixture->client, NULL, NULL);
  g_clear_object (&fixture->client);
  zbus_connection_close_sync (fixture->zclient, NULL, NULL);
  g_clear_object (&fixture->zclient);
  zbus_connection_close_sync (fixture->server_conn, NULL, NULL);
  g_clear_object (&fixture->server_conn);
  while (g_main_context_iteration (NULL, FALSE));
  g_assert_finalize_object (fixture->files);
  g_test_dbus_down (fixture->bus);
  g_clear_object (&fixture->bus);
}

typedef struct
{
  GVariant    *value;
  GUnixFDList *fds;
  GError      *error;
  gboolean     done;
} CallResult;

static void
call_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  CallResult *r = user_data;

  r->value = g_dbus_connection_call_with_unix_fd_list_finish (G_DBUS_CONNECTION (source), &r->fds,
                                                              result, &r->error);
  r->done = TRUE;
}

/* Calls the server from the GDBus client while the server's context runs. */
static GVariant *
call_with_fds (Fixture      *fixture,
               const char   *method,
               GVariant     *args,
               GUnixFDList  *fds,
               GUnixFDList **out_fds,
               GError      **error)
{
  CallResult r = { NULL, NULL, NULL, FALSE };

  g_dbus_connection_call_with_unix_fd_list (fixture->client, fixture->name, "/files", "org.zbus.Files",
                                            method, args, NULL, G_DBUS_CALL_FLAGS_NONE, 5000, fds,
                                            NULL, call_done_cb, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  if (r.error != NULL)
    g_propagate_error (error, r.error);
  if (out_fds != NULL)
    *out_fds = r.fds;
  else
    g_clear_object (&r.fds);
  return r.value;
}

/* ------------------------------------------------------------------------ */

static void
test_method_in (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
  g_autoptr(GVariant) reply = NULL;
  const char *text;
  int fd = pipe_with_text ("through a pipe");
  int index;

  index = g_unix_fd_list_append (fds, fd, &error);
  g_assert_no_error (error);
  g_close (fd, NULL);

  reply = call_with_fds (fixture, "ReadAll", g_variant_new ("(h)", index), fds, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(&s)", &text);
  g_assert_cmpstr (text, ==, "through a pipe");

  /* The handler only borrowed the descriptor: it is closed with the call. */
  while (g_main_context_iteration (NULL, FALSE));
  g_assert_cmpint (fixture->files->last_fd, >=, 0);
  g_assert_cmpint (fcntl (fixture->files->last_fd, F_GETFD), ==, -1);
}

static void
test_method_out (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GUnixFDList) out = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *text = NULL;
  gint32 handle;
  int fd;

  reply = call_with_fds (fixture, "OpenText", g_variant_new ("(s)", "from the server"), NULL, &out,
                         &error);
  g_assert_no_error (error);
  g_assert_nonnull (out);
  g_assert_cmpint (g_unix_fd_list_get_length (out), ==, 1);
  g_variant_get (reply, "(h)", &handle);
  g_assert_cmpint (handle, ==, 0);
  fd = g_unix_fd_list_get (out, handle, &error);
  g_assert_no_error (error);
  text = read_everything (fd);
  g_close (fd, NULL);
  g_assert_cmpstr (text, ==, "from the server");
}

static void
test_method_table (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GUnixFDList) in = g_unix_fd_list_new ();
  g_autoptr(GUnixFDList) out = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *text = NULL;
  int fd = pipe_with_text ("duplicated");
  gint32 handle;

  g_unix_fd_list_append (in, fd, &error);
  g_assert_no_error (error);
  g_close (fd, NULL);

  reply = call_with_fds (fixture, "Dup", g_variant_new ("(h)", 0), in, &out, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(h)", &handle);
  fd = g_unix_fd_list_get (out, handle, &error);
  g_assert_no_error (error);
  text = read_everything (fd);
  g_close (fd, NULL);
  g_assert_cmpstr (text, ==, "duplicated");
}

/* A handle that names no descriptor is refused; the service goes on. */
static void
test_bad_handle (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) again = NULL;
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
  g_autofree char *remote = NULL;
  const char *text;
  int fd = pipe_with_text ("still here");

  reply = call_with_fds (fixture, "ReadAll", g_variant_new ("(h)", 3), NULL, NULL, &error);
  g_assert_null (reply);
  remote = g_dbus_error_get_remote_error (error);
  g_assert_cmpstr (remote, ==, "org.freedesktop.DBus.Error.InvalidArgs");
  g_assert_nonnull (strstr (error->message, "Handle 3"));
  g_clear_error (&error);
  g_assert_cmpint (fixture->files->last_fd, ==, -1);

  g_unix_fd_list_append (fds, fd, &error);
  g_close (fd, NULL);
  again = call_with_fds (fixture, "ReadAll", g_variant_new ("(h)", 0), fds, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (again, "(&s)", &text);
  g_assert_cmpstr (text, ==, "still here");
}

static void
test_signal (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusMatchRule) rule = NULL;
  g_autoptr(ZbusMessageStream) stream = NULL;
  g_autoptr(ZbusMessage) message = NULL;
  g_autofree char *text = NULL;
  GUnixFDList *fds;
  const char *label;
  gint32 handle;
  int fd = pipe_with_text ("signalled");
  int got;
  gint64 deadline;

  rule = zbus_match_rule_new_from_string ("type='signal',interface='org.zbus.Files',member='Handed'",
                                          &error);
  g_assert_no_error (error);
  stream = zbus_message_stream_new_for_match_rule (fixture->zclient, rule, 0, NULL, &error);
  g_assert_no_error (error);

  /* The emitter keeps its own descriptor; the signal carries a copy. */
  g_signal_emit (fixture->files, signals[SIGNAL_HANDED], 0, "log", fd);
  g_assert_cmpint (fcntl (fd, F_GETFD), !=, -1);
  g_close (fd, NULL);

  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (message == NULL && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      message = zbus_message_stream_try_pop (stream);
    }
  g_assert_nonnull (message);
  g_variant_get (zbus_message_get_body (message), "(&sh)", &label, &handle);
  g_assert_cmpstr (label, ==, "log");
  fds = zbus_message_get_unix_fd_list (message);
  g_assert_nonnull (fds);
  got = g_unix_fd_list_get (fds, handle, &error);
  g_assert_no_error (error);
  text = read_everything (got);
  g_close (got, NULL);
  g_assert_cmpstr (text, ==, "signalled");
}

static void
test_introspect (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = zbus_interface_type_introspect (TEST_TYPE_FILES, &error);

  g_assert_no_error (error);
  g_assert_nonnull (strstr (xml, "<arg type=\"h\" direction=\"in\""));
  g_assert_nonnull (strstr (xml, "<arg type=\"h\" direction=\"out\""));
  g_assert_nonnull (strstr (xml, "<arg type=\"h\""));
}

static void
test_property_refused (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (zbus_interface_type_check (TEST_TYPE_FD_PROPERTY, &error));
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_SIGNATURE);
  g_assert_nonnull (strstr (error->message, "file descriptors"));
  g_assert_nonnull (strstr (error->message, "log"));
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
  g_test_summary ("File descriptors in methods and signals of ZbusInterface types");

  for (guint i = 0; i < G_N_ELEMENTS (transports); i++)
    {
      gconstpointer t = GINT_TO_POINTER (transports[i].transport);
#define ADD(path, func) \
      G_STMT_START { \
        g_autofree char *full = g_strdup_printf ("/Zbus/Interface/fds/%s/%s", transports[i].name, path); \
        g_test_add (full, Fixture, t, fixture_setup, func, fixture_teardown); \
      } G_STMT_END
      ADD ("method-in", test_method_in);
      ADD ("method-out", test_method_out);
      ADD ("method-table", test_method_table);
      ADD ("bad-handle", test_bad_handle);
      ADD ("signal", test_signal);
      ADD ("introspect", test_introspect);
#undef ADD
    }
  g_test_add_func ("/Zbus/Interface/fds/property-refused", test_property_refused);

  return g_test_run ();
}
