/* test-object-manager.c: org.freedesktop.DBus.ObjectManager served by
 * ZbusObjectServer on a real dbus-daemon, on both transports, read by GDBus
 * (calls, GDBusObjectManagerClient) and the gdbus tool
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "zbus-gobject.h"
#include "test-util.h"

#define OM_INTERFACE "org.freedesktop.DBus.ObjectManager"

/* ------------------------------------------------------------------------ */
/* Two interfaces */

#define TEST_TYPE_THING (test_thing_get_type ())
G_DECLARE_FINAL_TYPE (TestThing, test_thing, TEST, THING, ZbusInterface)

struct _TestThing
{
  ZbusInterface  parent_instance;
  char          *name;
  int            size;
};

G_DEFINE_FINAL_TYPE (TestThing, test_thing, ZBUS_TYPE_INTERFACE)

enum { THING_PROP_0, THING_PROP_NAME, THING_PROP_SIZE, THING_PROP_FAILS, THING_N_PROPS };

static void
test_thing_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  TestThing *self = TEST_THING (object);

  switch (prop_id)
    {
    case THING_PROP_NAME: g_value_set_string (value, self->name); break;
    case THING_PROP_SIZE: g_value_set_int (value, self->size); break;
    case THING_PROP_FAILS:
      /* A fallible property: left out of what the manager lists. */
      g_assert_nonnull (zbus_method_invocation_get_current ());
      zbus_method_invocation_return_dbus_error (zbus_method_invocation_get_current (),
                                                "org.zbus.Test.Error.NoValue", "Fails never has a value");
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
test_thing_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  TestThing *self = TEST_THING (object);

  switch (prop_id)
    {
    case THING_PROP_NAME: g_free (self->name); self->name = g_value_dup_string (value); break;
    case THING_PROP_SIZE: self->size = g_value_get_int (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
test_thing_finalize (GObject *object)
{
  g_free (TEST_THING (object)->name);

  G_OBJECT_CLASS (test_thing_parent_class)->finalize (object);
}

static void
test_thing_class_init (TestThingClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = test_thing_get_property;
  object_class->set_property = test_thing_set_property;
  object_class->finalize = test_thing_finalize;

  g_object_class_install_property (object_class, THING_PROP_NAME,
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (object_class, THING_PROP_SIZE,
    g_param_spec_int ("size", NULL, NULL, 0, 1000, 0, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (object_class, THING_PROP_FAILS,
    g_param_spec_int ("fails", NULL, NULL, 0, 1, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  zbus_interface_type_set_name (G_TYPE_FROM_CLASS (klass), "org.zbus.Thing");
}

static void
test_thing_init (TestThing *self)
{
}

static ZbusInterface *
thing_new (const char *name,
           int         size)
{
  return g_object_new (TEST_TYPE_THING, "name", name, "size", size, NULL);
}

#define TEST_TYPE_EXTRA (test_extra_get_type ())
G_DECLARE_FINAL_TYPE (TestExtra, test_extra, TEST, EXTRA, ZbusInterface)

struct _TestExtra
{
  ZbusInterface parent_instance;
  guint         level;
};

G_DEFINE_FINAL_TYPE (TestExtra, test_extra, ZBUS_TYPE_INTERFACE)

static void
test_extra_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  g_value_set_uint (value, TEST_EXTRA (object)->level);
}

static void
test_extra_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  TEST_EXTRA (object)->level = g_value_get_uint (value);
}

static void
test_extra_class_init (TestExtraClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = test_extra_get_property;
  object_class->set_property = test_extra_set_property;
  g_object_class_install_property (object_class, 1,
    g_param_spec_uint ("level", NULL, NULL, 0, 100, 0, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  zbus_interface_type_set_name (G_TYPE_FROM_CLASS (klass), "org.zbus.Extra");
}

static void
test_extra_init (TestExtra *self)
{
}

static ZbusInterface *
extra_new (guint level)
{
  return g_object_new (TEST_TYPE_EXTRA, "level", level, NULL);
}

/* ------------------------------------------------------------------------ */
/* Fixture: a bus, a serving connection on one transport, a GDBus client */

typedef struct
{
  GTestDBus        *bus;
  ZbusConnection   *server_conn;
  ZbusObjectServer *server;
  GDBusConnection  *client;
  const char       *name;
  GPtrArray        *signals;   /* (element-type utf8): "path member body" */
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
  g_autofree char *body = g_variant_print (parameters, TRUE);

  g_ptr_array_add (fixture->signals, g_strdup_printf ("%s %s %s", path, member, body));
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  zbus_test_set_cloexec_on_all_fds ();
  fixture->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (fixture->bus);
  fixture->server_conn = zbus_test_connect (GPOINTER_TO_INT (data));
  fixture->name = zbus_connection_get_unique_name (fixture->server_conn);
  fixture->server = zbus_object_server_get_for_connection (fixture->server_conn);
  fixture->client = zbus_test_connect_gdbus ();
  fixture->signals = g_ptr_array_new_with_free_func (g_free);
  fixture->subscription = g_dbus_connection_signal_subscribe (fixture->client, fixture->name, NULL, NULL,
                                                              NULL, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                              signal_cb, fixture, NULL);
  /* The daemon has the client's AddMatch once it answers a later call. */
  reply = g_dbus_connection_call_sync (fixture->client, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "GetId", NULL, NULL,
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
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
call_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  CallResult *r = user_data;
  g_autoptr(GDBusMessage) reply = NULL;

  reply = g_dbus_connection_send_message_with_reply_finish (G_DBUS_CONNECTION (object), result, &r->error);
  if (reply != NULL && !g_dbus_message_to_gerror (reply, &r->error))
    {
      r->value = g_dbus_message_get_body (reply);
      r->value = r->value ? g_variant_ref (r->value) : g_variant_ref_sink (g_variant_new ("()"));
    }
  r->done = TRUE;
}

/* Calls the server while its context runs; @interface_ may be NULL. */
static GVariant *
call (Fixture     *fixture,
      const char  *path,
      const char  *interface_,
      const char  *method,
      GVariant    *args,
      GError     **error)
{
  CallResult r = { NULL, NULL, FALSE };
  g_autoptr(GDBusMessage) message = g_dbus_message_new_method_call (fixture->name, path, interface_, method);

  if (args != NULL)
    g_dbus_message_set_body (message, args);
  g_dbus_connection_send_message_with_reply (fixture->client, message, G_DBUS_SEND_MESSAGE_FLAGS_NONE,
                                             5000, NULL, NULL, call_done_cb, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  if (r.error != NULL)
    g_propagate_error (error, r.error);
  return r.value;
}

static GVariant *
get_managed_objects (Fixture    *fixture,
                     const char *path)
{
  g_autoptr(GError) error = NULL;
  GVariant *reply = call (fixture, path, OM_INTERFACE, "GetManagedObjects", NULL, &error);

  g_assert_no_error (error);
  return reply;
}

/* A round trip: what the server sent before has reached the client. */
static void
sync_with_server (Fixture *fixture)
{
  g_autoptr(GVariant) reply = call (fixture, "/", "org.freedesktop.DBus.Peer", "Ping", NULL, NULL);

  while (g_main_context_iteration (NULL, FALSE));
}

/* The signals received since the last time, one a line, and forgets them. */
static char *
take_signals (Fixture *fixture)
{
  GString *all = g_string_new ("");

  sync_with_server (fixture);
  for (guint i = 0; i < fixture->signals->len; i++)
    g_string_append_printf (all, "%s\n", (const char *) g_ptr_array_index (fixture->signals, i));
  g_ptr_array_set_size (fixture->signals, 0);
  return g_string_free (all, FALSE);
}

/* Compares with an expected value in GVariant text form. */
static void
assert_variant (GVariant   *value,
                const char *expected)
{
  g_autoptr(GVariant) parsed = g_variant_parse (NULL, expected, NULL, NULL, NULL);
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  g_assert_nonnull (value);
  g_assert_nonnull (parsed);
  a = g_variant_print (value, TRUE);
  b = g_variant_print (parsed, TRUE);
  g_assert_cmpstr (a, ==, b);
}

static gsize
n_objects (GVariant *reply)
{
  g_autoptr(GVariant) objects = g_variant_get_child_value (reply, 0);

  return g_variant_n_children (objects);
}

static void
assert_dbus_error (GError     *error,
                   const char *name)
{
  g_autofree char *remote = NULL;

  g_assert_nonnull (error);
  remote = g_dbus_error_get_remote_error (error);
  g_assert_cmpstr (remote, ==, name);
}

static void
assert_contains (const char *haystack,
                 const char *needle)
{
  g_assert_nonnull (haystack);
  if (strstr (haystack, needle) == NULL)
    g_error ("“%s” not found in:\n%s", needle, haystack);
}

static void
serve (Fixture       *fixture,
       const char    *path,
       ZbusInterface *iface)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (zbus_object_server_at (fixture->server, path, iface, &error));
  g_assert_no_error (error);
  g_object_unref (iface);
}

static void
add_manager (Fixture    *fixture,
             const char *path)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (zbus_object_server_add_object_manager (fixture->server, path, &error));
  g_assert_no_error (error);
}

/* ------------------------------------------------------------------------ */
/* Tests */

static void
test_get_managed_objects (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  add_manager (fixture, "/org/zbus/om");
  g_assert_false (zbus_object_server_add_object_manager (fixture->server, "/org/zbus/om", &error));
  g_assert_no_error (error);
  g_assert_false (zbus_object_server_add_object_manager (fixture->server, "org/zbus", &error));
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME);
  g_clear_error (&error);

  /* Nothing below yet. */
  reply = get_managed_objects (fixture, "/org/zbus/om");
  assert_variant (reply, "(@a{oa{sa{sv}}} {},)");
  g_clear_pointer (&reply, g_variant_unref);

  serve (fixture, "/org/zbus/om/a", thing_new ("a", 1));
  serve (fixture, "/org/zbus/om/a", extra_new (5));
  serve (fixture, "/org/zbus/om/b/c", thing_new ("c", 3));
  serve (fixture, "/org/zbus/om", thing_new ("self", 0));        /* not below: not listed */
  serve (fixture, "/org/zbus/omega", thing_new ("omega", 0));    /* a sibling prefix */
  serve (fixture, "/org/zbus", thing_new ("parent", 0));

  /* Every object below, its interfaces and readable properties (Fails is
   * left out), no standard interfaces. */
  reply = get_managed_objects (fixture, "/org/zbus/om");
  assert_variant (reply,
                  "({objectpath '/org/zbus/om/a': {'org.zbus.Thing': {'Name': <'a'>, 'Size': <1>},"
                  "                                'org.zbus.Extra': {'Level': <uint32 5>}},"
                  "  '/org/zbus/om/b/c': {'org.zbus.Thing': {'Name': <'c'>, 'Size': <3>}}},)");
  g_clear_pointer (&reply, g_variant_unref);

  /* Without an interface field. */
  reply = call (fixture, "/org/zbus/om", NULL, "GetManagedObjects", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n_objects (reply), ==, 2);
  g_clear_pointer (&reply, g_variant_unref);

  /* Errors: arguments, members, paths without a manager. */
  reply = call (fixture, "/org/zbus/om", OM_INTERFACE, "GetManagedObjects", g_variant_new ("(i)", 1), &error);
  assert_dbus_error (error, "org.freedesktop.DBus.Error.InvalidArgs");
  g_clear_error (&error);
  reply = call (fixture, "/org/zbus/om", OM_INTERFACE, "GetUnmanagedObjects", NULL, &error);
  assert_dbus_error (error, "org.freedesktop.DBus.Error.UnknownMethod");
  g_clear_error (&error);
  reply = call (fixture, "/org/zbus/om/a", OM_INTERFACE, "GetManagedObjects", NULL, &error);
  assert_dbus_error (error, "org.freedesktop.DBus.Error.UnknownInterface");
  g_clear_error (&error);
  g_assert_null (reply);

  /* The ordinary interfaces at the manager path still answer. */
  reply = call (fixture, "/org/zbus/om", "org.freedesktop.DBus.Properties", "Get",
                g_variant_new ("(ss)", "org.zbus.Thing", "Name"), &error);
  g_assert_no_error (error);
  assert_variant (reply, "(<'self'>,)");
}

static void
test_signals (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *seen = NULL;
  g_autoptr(ZbusInterface) thing = thing_new ("a", 1);

  /* Adding a manager emits nothing for the objects already there. */
  serve (fixture, "/org/zbus/om/old", thing_new ("old", 0));
  add_manager (fixture, "/org/zbus/om");
  seen = take_signals (fixture);
  g_assert_cmpstr (seen, ==, "");
  g_clear_pointer (&seen, g_free);

  /* Each interface served below the manager: InterfacesAdded with its
   * values; outside: nothing. */
  g_assert_true (zbus_object_server_at (fixture->server, "/org/zbus/om/a", thing, NULL));
  serve (fixture, "/org/zbus/om/a", extra_new (5));
  serve (fixture, "/org/zbus/elsewhere", thing_new ("no", 0));
  seen = take_signals (fixture);
  g_assert_cmpstr (seen, ==,
                   "/org/zbus/om InterfacesAdded (objectpath '/org/zbus/om/a', "
                   "{'org.zbus.Thing': {'Name': <'a'>, 'Size': <1>}})\n"
                   "/org/zbus/om InterfacesAdded (objectpath '/org/zbus/om/a', "
                   "{'org.zbus.Extra': {'Level': <uint32 5>}})\n");
  g_clear_pointer (&seen, g_free);

  /* A pending change leaves before the interface's InterfacesRemoved. */
  g_object_set (thing, "size", 2, NULL);
  g_assert_true (zbus_object_server_remove (fixture->server, "/org/zbus/om/a", TEST_TYPE_THING));
  g_assert_true (zbus_object_server_remove_by_name (fixture->server, "/org/zbus/om/a", "org.zbus.Extra"));
  g_assert_true (zbus_object_server_remove (fixture->server, "/org/zbus/elsewhere", TEST_TYPE_THING));
  seen = take_signals (fixture);
  g_assert_cmpstr (seen, ==,
                   "/org/zbus/om/a PropertiesChanged ('org.zbus.Thing', {'Size': <2>}, @as [])\n"
                   "/org/zbus/om InterfacesRemoved (objectpath '/org/zbus/om/a', ['org.zbus.Thing'])\n"
                   "/org/zbus/om InterfacesRemoved (objectpath '/org/zbus/om/a', ['org.zbus.Extra'])\n");
  g_clear_pointer (&seen, g_free);

  /* What is not served is not removed, and says nothing. */
  g_assert_false (zbus_object_server_remove (fixture->server, "/org/zbus/om/a", TEST_TYPE_THING));
  seen = take_signals (fixture);
  g_assert_cmpstr (seen, ==, "");
}

static void
test_nested (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *seen = NULL;

  add_manager (fixture, "/om");
  add_manager (fixture, "/om/inner");
  serve (fixture, "/om/x", thing_new ("x", 1));
  serve (fixture, "/om/inner", thing_new ("inner", 2));
  serve (fixture, "/om/inner/y", thing_new ("y", 3));

  /* The nearest manager above a path holds it; a manager's own path
   * belongs to the one above. */
  seen = take_signals (fixture);
  g_assert_cmpstr (seen, ==,
                   "/om InterfacesAdded (objectpath '/om/x', {'org.zbus.Thing': {'Name': <'x'>, 'Size': <1>}})\n"
                   "/om InterfacesAdded (objectpath '/om/inner', {'org.zbus.Thing': {'Name': <'inner'>, 'Size': <2>}})\n"
                   "/om/inner InterfacesAdded (objectpath '/om/inner/y', {'org.zbus.Thing': {'Name': <'y'>, 'Size': <3>}})\n");
  g_clear_pointer (&seen, g_free);
  reply = get_managed_objects (fixture, "/om");
  assert_variant (reply,
                  "({objectpath '/om/inner': {'org.zbus.Thing': {'Name': <'inner'>, 'Size': <2>}},"
                  "  '/om/x': {'org.zbus.Thing': {'Name': <'x'>, 'Size': <1>}}},)");
  g_clear_pointer (&reply, g_variant_unref);
  reply = get_managed_objects (fixture, "/om/inner");
  assert_variant (reply, "({objectpath '/om/inner/y': {'org.zbus.Thing': {'Name': <'y'>, 'Size': <3>}}},)");
  g_clear_pointer (&reply, g_variant_unref);

  /* A manager at the root holds what no other manager holds. */
  add_manager (fixture, "/");
  serve (fixture, "/top", thing_new ("top", 4));
  seen = take_signals (fixture);
  g_assert_cmpstr (seen, ==,
                   "/ InterfacesAdded (objectpath '/top', {'org.zbus.Thing': {'Name': <'top'>, 'Size': <4>}})\n");
  g_clear_pointer (&seen, g_free);
  reply = get_managed_objects (fixture, "/");
  assert_variant (reply, "({objectpath '/top': {'org.zbus.Thing': {'Name': <'top'>, 'Size': <4>}}},)");
  g_clear_pointer (&reply, g_variant_unref);

  /* Without the inner manager, the outer one holds everything below it. */
  g_assert_true (zbus_object_server_remove_object_manager (fixture->server, "/om/inner"));
  reply = get_managed_objects (fixture, "/om");
  g_assert_cmpuint (n_objects (reply), ==, 3);
  g_assert_true (zbus_object_server_remove (fixture->server, "/om/inner/y", TEST_TYPE_THING));
  seen = take_signals (fixture);
  g_assert_cmpstr (seen, ==, "/om InterfacesRemoved (objectpath '/om/inner/y', ['org.zbus.Thing'])\n");
}

static void
test_remove_manager (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *seen = NULL;

  add_manager (fixture, "/org/zbus/om");
  serve (fixture, "/org/zbus/om/a", thing_new ("a", 1));
  reply = get_managed_objects (fixture, "/org/zbus/om");
  g_assert_cmpuint (n_objects (reply), ==, 1);
  g_clear_pointer (&reply, g_variant_unref);
  g_free (take_signals (fixture));

  g_assert_true (zbus_object_server_remove_object_manager (fixture->server, "/org/zbus/om"));
  g_assert_false (zbus_object_server_remove_object_manager (fixture->server, "/org/zbus/om"));
  g_assert_false (zbus_object_server_remove_object_manager (fixture->server, "/never"));

  /* The path answers no ObjectManager call (the server leaves the call to
   * the connection: UnknownObject natively, GDBus's UnknownMethod), the
   * objects stay, and their changes are not announced. */
  reply = call (fixture, "/org/zbus/om", OM_INTERFACE, "GetManagedObjects", NULL, &error);
  g_assert_null (reply);
  g_assert_true (g_dbus_error_is_remote_error (error));
  assert_dbus_error (error, GPOINTER_TO_INT (data) == TRANSPORT_NATIVE ? "org.freedesktop.DBus.Error.UnknownObject"
                                                                       : "org.freedesktop.DBus.Error.UnknownMethod");
  g_clear_error (&error);
  reply = call (fixture, "/org/zbus/om/a", "org.freedesktop.DBus.Properties", "Get",
                g_variant_new ("(ss)", "org.zbus.Thing", "Size"), &error);
  g_assert_no_error (error);
  g_clear_pointer (&reply, g_variant_unref);
  serve (fixture, "/org/zbus/om/b", thing_new ("b", 2));
  g_assert_true (zbus_object_server_remove (fixture->server, "/org/zbus/om/a", TEST_TYPE_THING));
  seen = take_signals (fixture);
  g_assert_cmpstr (seen, ==, "");
  g_clear_pointer (&seen, g_free);

  /* Added again, it lists what is there now. */
  add_manager (fixture, "/org/zbus/om");
  reply = get_managed_objects (fixture, "/org/zbus/om");
  assert_variant (reply, "({objectpath '/org/zbus/om/b': {'org.zbus.Thing': {'Name': <'b'>, 'Size': <2>}}},)");
}

static char *
introspect (Fixture    *fixture,
            const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = call (fixture, path, "org.freedesktop.DBus.Introspectable", "Introspect",
                                    NULL, &error);
  char *xml;

  g_assert_no_error (error);
  g_variant_get (reply, "(s)", &xml);
  return xml;
}

/* Checks @xml against the D-Bus introspection DTD, where xmllint is. */
static void
assert_valid_xml (const char *xml)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *file = NULL;
  g_autofree char *err = NULL;
  g_autofree char *xmllint = g_find_program_in_path ("xmllint");
  int fd, status;
  const char *argv[] = { "xmllint", "--noout", "--dtdvalid", "/usr/share/xml/dbus-1/introspect.dtd", NULL, NULL };

  if (!g_file_test ("/usr/share/xml/dbus-1/introspect.dtd", G_FILE_TEST_EXISTS) ||
      xmllint == NULL)
    {
      g_test_message ("xmllint or the DTD is missing: not validating");
      return;
    }
  fd = g_file_open_tmp ("introspect-XXXXXX.xml", &file, &error);
  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (file, xml, -1, &error);
  g_assert_no_error (error);
  argv[4] = file;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                NULL, NULL, NULL, &err, &status, &error);
  g_assert_no_error (error);
  g_unlink (file);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("Invalid introspection XML: %s\n%s", err, xml);
}

static void
test_introspect (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *xml = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusNodeInfo) node = NULL;
  GDBusInterfaceInfo *info;

  /* A manager that serves nothing itself, with objects below it. */
  add_manager (fixture, "/org/zbus/om");
  serve (fixture, "/org/zbus/om/a/deep", thing_new ("deep", 1));
  xml = introspect (fixture, "/org/zbus/om");
  assert_valid_xml (xml);
  node = g_dbus_node_info_new_for_xml (xml, &error);
  g_assert_no_error (error);
  info = g_dbus_node_info_lookup_interface (node, OM_INTERFACE);
  g_assert_nonnull (info);
  g_assert_nonnull (g_dbus_interface_info_lookup_method (info, "GetManagedObjects"));
  g_assert_cmpstr (g_dbus_interface_info_lookup_method (info, "GetManagedObjects")->out_args[0]->signature,
                   ==, "a{oa{sa{sv}}}");
  g_assert_cmpstr (g_dbus_interface_info_lookup_signal (info, "InterfacesAdded")->args[1]->signature,
                   ==, "a{sa{sv}}");
  g_assert_cmpstr (g_dbus_interface_info_lookup_signal (info, "InterfacesRemoved")->args[1]->signature,
                   ==, "as");
  g_assert_nonnull (g_dbus_node_info_lookup_interface (node, "org.freedesktop.DBus.Peer"));
  g_assert_nonnull (node->nodes[0]);
  g_assert_cmpstr (node->nodes[0]->path, ==, "a");
  g_assert_null (node->nodes[1]);
  g_clear_pointer (&xml, g_free);
  g_clear_pointer (&node, g_dbus_node_info_unref);

  /* Below it, no manager. */
  xml = introspect (fixture, "/org/zbus/om/a/deep");
  g_assert_null (strstr (xml, OM_INTERFACE));
  g_clear_pointer (&xml, g_free);

  /* A manager with nothing at or below it: a node of its own, that Peer
   * answers and the paths above list. */
  add_manager (fixture, "/org/zbus/lonely");
  xml = introspect (fixture, "/org/zbus/lonely");
  assert_valid_xml (xml);
  assert_contains (xml, "<interface name=\"" OM_INTERFACE "\">");
  g_assert_null (strstr (xml, "<node name="));
  g_clear_pointer (&xml, g_free);
  reply = call (fixture, "/org/zbus/lonely", "org.freedesktop.DBus.Peer", "Ping", NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&reply, g_variant_unref);
  reply = call (fixture, "/org/zbus/lonely", "org.freedesktop.DBus.Properties", "GetAll",
                g_variant_new ("(s)", OM_INTERFACE), &error);
  g_assert_no_error (error);
  assert_variant (reply, "(@a{sv} {},)");
  g_clear_pointer (&reply, g_variant_unref);
  reply = call (fixture, "/org/zbus/lonely", "org.zbus.Thing", "Frob", NULL, &error);
  assert_dbus_error (error, "org.freedesktop.DBus.Error.UnknownInterface");
  g_clear_error (&error);
  xml = introspect (fixture, "/org/zbus");
  assert_contains (xml, "<node name=\"lonely\"/>");
  assert_contains (xml, "<node name=\"om\"/>");
  g_assert_null (strstr (xml, OM_INTERFACE));
  g_clear_pointer (&xml, g_free);
  xml = introspect (fixture, "/");
  assert_contains (xml, "<node name=\"org\"/>");
  g_clear_pointer (&xml, g_free);

  /* Gone with the manager. */
  g_assert_true (zbus_object_server_remove_object_manager (fixture->server, "/org/zbus/lonely"));
  g_assert_null (zbus_object_server_introspect (fixture->server, "/org/zbus/lonely"));
  xml = zbus_object_server_introspect (fixture->server, "/org/zbus");
  g_assert_null (strstr (xml, "lonely"));
}

/* ------------------------------------------------------------------------ */
/* A GDBusObjectManagerClient following the manager */

static void
manager_client_ready_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  GDBusObjectManager **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = g_dbus_object_manager_client_new_finish (result, &error);
  g_assert_no_error (error);
}

static void
count_cb (gpointer  instance,
          gpointer  arg,
          gpointer  user_data)
{
  (*(guint *) user_data)++;
}

static void
properties_changed_cb (GDBusProxy *proxy,
                       GVariant   *changed,
                       GStrv       invalidated,
                       gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static void
wait_for (guint *counter,
          guint  at_least)
{
  while (*counter < at_least)
    g_main_context_iteration (NULL, TRUE);
}

static GVariant *
cached (GDBusObjectManager *manager,
        const char         *path,
        const char         *interface_,
        const char         *property)
{
  g_autoptr(GDBusInterface) iface = g_dbus_object_manager_get_interface (manager, path, interface_);

  g_assert_nonnull (iface);
  return g_dbus_proxy_get_cached_property (G_DBUS_PROXY (iface), property);
}

static void
test_client (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GDBusObjectManager) manager = NULL;
  g_autoptr(ZbusInterface) thing = thing_new ("a", 1);
  g_autoptr(GDBusObject) object = NULL;
  g_autoptr(GDBusInterface) proxy = NULL;
  g_autoptr(GVariant) value = NULL;
  GList *objects;
  guint added = 0, removed = 0, iface_added = 0, iface_removed = 0, changed = 0;

  add_manager (fixture, "/org/zbus/om");
  g_assert_true (zbus_object_server_at (fixture->server, "/org/zbus/om/a", thing, NULL));
  serve (fixture, "/org/zbus/om/b", extra_new (7));

  /* Made asynchronously: its GetManagedObjects needs this context to run. */
  g_dbus_object_manager_client_new (fixture->client, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE, fixture->name,
                                    "/org/zbus/om", NULL, NULL, NULL, NULL, manager_client_ready_cb, &manager);
  while (manager == NULL)
    g_main_context_iteration (NULL, TRUE);

  objects = g_dbus_object_manager_get_objects (manager);
  g_assert_cmpuint (g_list_length (objects), ==, 2);
  g_list_free_full (objects, g_object_unref);
  value = cached (manager, "/org/zbus/om/a", "org.zbus.Thing", "Name");
  assert_variant (value, "'a'");
  g_clear_pointer (&value, g_variant_unref);
  value = cached (manager, "/org/zbus/om/b", "org.zbus.Extra", "Level");
  assert_variant (value, "uint32 7");
  g_clear_pointer (&value, g_variant_unref);
  object = g_dbus_object_manager_get_object (manager, "/org/zbus/om/a");
  g_assert_nonnull (object);
  g_assert_null (g_dbus_object_manager_get_interface (manager, "/org/zbus/om/a", "org.freedesktop.DBus.Properties"));

  g_signal_connect (manager, "object-added", G_CALLBACK (count_cb), &added);
  g_signal_connect (manager, "object-removed", G_CALLBACK (count_cb), &removed);
  g_signal_connect (object, "interface-added", G_CALLBACK (count_cb), &iface_added);
  g_signal_connect (object, "interface-removed", G_CALLBACK (count_cb), &iface_removed);

  /* A property change reaches the proxy the client made. */
  proxy = g_dbus_object_get_interface (object, "org.zbus.Thing");
  g_signal_connect (proxy, "g-properties-changed", G_CALLBACK (properties_changed_cb), &changed);
  g_object_set (thing, "size", 9, NULL);
  wait_for (&changed, 1);
  value = cached (manager, "/org/zbus/om/a", "org.zbus.Thing", "Size");
  assert_variant (value, "9");
  g_clear_pointer (&value, g_variant_unref);

  /* A new object, a new interface on an object, removals. */
  serve (fixture, "/org/zbus/om/c", thing_new ("c", 3));
  wait_for (&added, 1);
  value = cached (manager, "/org/zbus/om/c", "org.zbus.Thing", "Name");
  assert_variant (value, "'c'");
  g_clear_pointer (&value, g_variant_unref);
  serve (fixture, "/org/zbus/om/a", extra_new (1));
  wait_for (&iface_added, 1);
  value = cached (manager, "/org/zbus/om/a", "org.zbus.Extra", "Level");
  assert_variant (value, "uint32 1");
  g_clear_pointer (&value, g_variant_unref);
  g_assert_true (zbus_object_server_remove_by_name (fixture->server, "/org/zbus/om/a", "org.zbus.Extra"));
  wait_for (&iface_removed, 1);
  g_assert_null (g_dbus_object_manager_get_interface (manager, "/org/zbus/om/a", "org.zbus.Extra"));
  g_assert_true (zbus_object_server_remove (fixture->server, "/org/zbus/om/c", TEST_TYPE_THING));
  wait_for (&removed, 1);
  g_assert_null (g_dbus_object_manager_get_object (manager, "/org/zbus/om/c"));
  g_assert_cmpuint (added, ==, 1);
  g_assert_cmpuint (removed, ==, 1);

  g_signal_handlers_disconnect_by_data (manager, &added);
  g_signal_handlers_disconnect_by_data (manager, &removed);
  g_signal_handlers_disconnect_by_data (object, &iface_added);
  g_signal_handlers_disconnect_by_data (object, &iface_removed);
  g_signal_handlers_disconnect_by_data (proxy, &changed);
}

/* ------------------------------------------------------------------------ */
/* The gdbus tool */

typedef struct
{
  gboolean  done;
  gboolean  ok;
  char     *out;
} ToolResult;

static void
communicated_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  ToolResult *r = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &r->out, NULL, &error);
  g_assert_no_error (error);
  r->ok = g_subprocess_get_if_exited (G_SUBPROCESS (object)) &&
          g_subprocess_get_exit_status (G_SUBPROCESS (object)) == 0;
  r->done = TRUE;
}

static void
test_gdbus_tool (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *gdbus = g_find_program_in_path ("gdbus");
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  ToolResult r = { FALSE, FALSE, NULL };

  if (gdbus == NULL)
    {
      g_test_skip ("gdbus is not installed");
      return;
    }
  add_manager (fixture, "/org/zbus/om");
  serve (fixture, "/org/zbus/om/a", thing_new ("a", 1));

  /* The tool runs while this thread's context serves it. */
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, gdbus, "call", "--session",
                              "--dest", fixture->name, "--object-path", "/org/zbus/om",
                              "--method", OM_INTERFACE ".GetManagedObjects", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, communicated_cb, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (r.ok);
  g_assert_cmpstr (r.out, ==,
                   "({objectpath '/org/zbus/om/a': {'org.zbus.Thing': {'Name': <'a'>, 'Size': <1>}}},)\n");
  g_free (r.out);
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
  g_test_summary ("org.freedesktop.DBus.ObjectManager served by ZbusObjectServer, read by GDBus");

  for (guint i = 0; i < G_N_ELEMENTS (transports); i++)
    {
      gconstpointer t = GINT_TO_POINTER (transports[i].transport);
#define ADD(path, func) \
      G_STMT_START { \
        g_autofree char *full = g_strdup_printf ("/Zbus/ObjectManager/%s/%s", transports[i].name, path); \
        g_test_add (full, Fixture, t, fixture_setup, func, fixture_teardown); \
      } G_STMT_END
      ADD ("get-managed-objects", test_get_managed_objects);
      ADD ("signals", test_signals);
      ADD ("nested", test_nested);
      ADD ("remove-manager", test_remove_manager);
      ADD ("introspect", test_introspect);
      ADD ("client", test_client);
      ADD ("gdbus-tool", test_gdbus_tool);
#undef ADD
    }

  return g_test_run ();
}
