/* test-object-server.c: ZbusInterface and ZbusObjectServer on a real
 * dbus-daemon, on both transports, driven by a GDBus client
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

/* ------------------------------------------------------------------------ */
/* The interface under test */

#define TEST_TYPE_IFACE (test_iface_get_type ())
G_DECLARE_FINAL_TYPE (TestIface, test_iface, TEST, IFACE, ZbusInterface)

struct _TestIface
{
  ZbusInterface  parent_instance;
  int            count;
  char          *name;
  guint          constant;
  int            quiet;
  int            lazy;
  int            explicit_;
  TestIface     *peer;
  GFileType      mode;
  GVariant      *data;
};

G_DEFINE_FINAL_TYPE (TestIface, test_iface, ZBUS_TYPE_INTERFACE)

enum { PROP_0, PROP_COUNT, PROP_NAME, PROP_CONSTANT, PROP_QUIET, PROP_LAZY, PROP_EXPLICIT,
       PROP_PEER, PROP_MODE, PROP_DATA, PROP_LATER, PROP_FAILS, N_PROPS };
enum { SIGNAL_CHANGED_THING, SIGNAL_ADD, SIGNAL_SET_COUNT, SIGNAL_FAIL, SIGNAL_FAIL_CUSTOM,
       SIGNAL_SLOW, SIGNAL_ECHO, SIGNAL_GET_SELF, N_SIGNALS };

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static gboolean
answer_later_cb (gpointer data)
{
  zbus_method_invocation_return_value (data, g_variant_new ("(v)", g_variant_new_string ("later")));
  return G_SOURCE_REMOVE;
}

static void
test_iface_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  TestIface *self = TEST_IFACE (object);

  switch (prop_id)
    {
    case PROP_COUNT: g_value_set_int (value, self->count); break;
    case PROP_NAME: g_value_set_string (value, self->name); break;
    case PROP_CONSTANT: g_value_set_uint (value, self->constant); break;
    case PROP_QUIET: g_value_set_int (value, self->quiet); break;
    case PROP_LAZY: g_value_set_int (value, self->lazy); break;
    case PROP_EXPLICIT: g_value_set_int (value, self->explicit_); break;
    case PROP_PEER: g_value_set_object (value, self->peer); break;
    case PROP_MODE: g_value_set_enum (value, self->mode); break;
    case PROP_DATA: g_value_set_variant (value, self->data); break;
    case PROP_LATER:
      /* An async property: answered from an idle. */
      if (zbus_method_invocation_get_current () != NULL)
        g_idle_add_full (G_PRIORITY_DEFAULT, answer_later_cb,
                         zbus_method_invocation_defer (zbus_method_invocation_get_current ()),
                         g_object_unref);
      break;
    case PROP_FAILS:
      /* A fallible property. */
      if (zbus_method_invocation_get_current () != NULL)
        zbus_method_invocation_return_dbus_error (zbus_method_invocation_get_current (),
                                                  "org.zbus.Test.Error.NoValue", "Fails never has a value");
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
test_iface_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  TestIface *self = TEST_IFACE (object);

  switch (prop_id)
    {
    case PROP_COUNT: self->count = g_value_get_int (value); break;
    case PROP_NAME: g_free (self->name); self->name = g_value_dup_string (value); break;
    case PROP_CONSTANT: self->constant = g_value_get_uint (value); break;
    case PROP_QUIET: self->quiet = g_value_get_int (value); break;
    case PROP_LAZY: self->lazy = g_value_get_int (value); break;
    case PROP_EXPLICIT: self->explicit_ = g_value_get_int (value); break; /* no notify */
    case PROP_PEER: g_set_object (&self->peer, g_value_get_object (value)); break;
    case PROP_MODE: self->mode = g_value_get_enum (value); break;
    case PROP_DATA:
      g_clear_pointer (&self->data, g_variant_unref);
      self->data = g_value_dup_variant (value);
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static int
test_iface_add (TestIface *self,
                int        a,
                int        b)
{
  return a + b;
}

static int
test_iface_set_count (TestIface *self,
                      int        count)
{
  g_object_set (self, "count", count, NULL);
  return count;
}

static void
test_iface_fail (TestIface *self)
{
  g_autoptr(GError) error = g_error_new_literal (G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
                                                 "Not for you");

  zbus_method_invocation_return_gerror (zbus_method_invocation_get_current (), error);
}

static void
test_iface_fail_custom (TestIface *self)
{
  zbus_method_invocation_return_dbus_error (zbus_method_invocation_get_current (),
                                            "org.zbus.Test.Error.Custom", "Custom failure");
}

static gboolean
answer_slow_cb (gpointer data)
{
  ZbusMethodInvocation *invocation = data;
  int n;

  g_variant_get (zbus_method_invocation_get_parameters (invocation), "(i)", &n);
  zbus_method_invocation_return_value (invocation, g_variant_new ("(i)", n * 2));
  return G_SOURCE_REMOVE;
}

static void
test_iface_slow (TestIface            *self,
                 ZbusMethodInvocation *invocation,
                 int                   n)
{
  g_assert_true (zbus_method_invocation_get_current () == invocation);
  g_assert_true (zbus_method_invocation_get_interface (invocation) == ZBUS_INTERFACE (self));
  g_timeout_add_full (G_PRIORITY_DEFAULT, 10, answer_slow_cb, g_object_ref (invocation), g_object_unref);
}

static GVariant *
test_iface_echo (TestIface *self,
                 GVariant  *value)
{
  return g_variant_ref (value);
}

static TestIface *
test_iface_get_self (TestIface *self)
{
  return g_object_ref (self);
}

static void
test_iface_finalize (GObject *object)
{
  TestIface *self = TEST_IFACE (object);

  g_free (self->name);
  g_clear_object (&self->peer);
  g_clear_pointer (&self->data, g_variant_unref);

  G_OBJECT_CLASS (test_iface_parent_class)->finalize (object);
}

static void
test_iface_class_init (TestIfaceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GType type = G_TYPE_FROM_CLASS (klass);

  object_class->get_property = test_iface_get_property;
  object_class->set_property = test_iface_set_property;
  object_class->finalize = test_iface_finalize;

  properties[PROP_COUNT] = g_param_spec_int ("count", NULL, "How many", 0, 100, 0,
                                             G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL,
                                               G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONSTANT] = g_param_spec_uint ("constant", NULL, NULL, 0, G_MAXUINT, 7,
                                                 G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_QUIET] = g_param_spec_int ("quiet", NULL, NULL, G_MININT, G_MAXINT, 0,
                                             G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAZY] = g_param_spec_int ("lazy", NULL, NULL, G_MININT, G_MAXINT, 0,
                                            G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_EXPLICIT] = g_param_spec_int ("explicit", NULL, NULL, G_MININT, G_MAXINT, 0,
                                                G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PEER] = g_param_spec_object ("peer", NULL, NULL, TEST_TYPE_IFACE,
                                               G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_MODE] = g_param_spec_enum ("mode", NULL, NULL, G_TYPE_FILE_TYPE, G_FILE_TYPE_UNKNOWN,
                                             G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DATA] = g_param_spec_variant ("data", NULL, NULL, G_VARIANT_TYPE_VARDICT, NULL,
                                                G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_LATER] = g_param_spec_string ("later", NULL, NULL, NULL,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_FAILS] = g_param_spec_int ("fails", NULL, NULL, G_MININT, G_MAXINT, 0,
                                             G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_CHANGED_THING] =
    g_signal_new ("changed-thing", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_INT);
#define METHOD(id, name, func, ret, ...) \
  signals[id] = g_signal_new_class_handler (name, type, G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION, \
                                            G_CALLBACK (func), NULL, NULL, NULL, ret, __VA_ARGS__)
  METHOD (SIGNAL_ADD, "add", test_iface_add, G_TYPE_INT, 2, G_TYPE_INT, G_TYPE_INT);
  METHOD (SIGNAL_SET_COUNT, "set-count", test_iface_set_count, G_TYPE_INT, 1, G_TYPE_INT);
  METHOD (SIGNAL_FAIL, "fail", test_iface_fail, G_TYPE_NONE, 0);
  METHOD (SIGNAL_FAIL_CUSTOM, "fail-custom", test_iface_fail_custom, G_TYPE_NONE, 0);
  METHOD (SIGNAL_SLOW, "slow", test_iface_slow, G_TYPE_NONE, 2, ZBUS_TYPE_METHOD_INVOCATION, G_TYPE_INT);
  METHOD (SIGNAL_ECHO, "echo", test_iface_echo, G_TYPE_VARIANT, 1, G_TYPE_VARIANT);
  METHOD (SIGNAL_GET_SELF, "get-self", test_iface_get_self, TEST_TYPE_IFACE, 0);
#undef METHOD

  zbus_interface_type_set_name (type, "org.zbus.Test");
  zbus_interface_type_set_emits_changed (type, "quiet", "false");
  zbus_interface_type_set_emits_changed (type, "Lazy", "invalidates");
  zbus_interface_type_set_method_signature (type, "slow", "i", (const char * const[]) { "doubled", NULL });
}

static void
test_iface_init (TestIface *self)
{
  self->data = g_variant_ref_sink (g_variant_new ("a{sv}", NULL));
}

/* A second interface with a clashing method name, and one that cannot map. */
#define TEST_TYPE_OTHER (test_other_get_type ())
G_DECLARE_FINAL_TYPE (TestOther, test_other, TEST, OTHER, ZbusInterface)
struct _TestOther { ZbusInterface parent_instance; };
G_DEFINE_FINAL_TYPE (TestOther, test_other, ZBUS_TYPE_INTERFACE)

static int
test_other_add (TestOther *self, int a, int b)
{
  return a * b;
}

static void
test_other_class_init (TestOtherClass *klass)
{
  g_signal_new_class_handler ("add", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
                              G_CALLBACK (test_other_add), NULL, NULL, NULL,
                              G_TYPE_INT, 2, G_TYPE_INT, G_TYPE_INT);
  zbus_interface_type_set_name (G_TYPE_FROM_CLASS (klass), "org.zbus.Other");
}

static void
test_other_init (TestOther *self)
{
}

/* Methods returning nothing with out-arguments declared: one answers
 * through its invocation, one forgets to. */
#define TEST_TYPE_VOID (test_void_get_type ())
G_DECLARE_FINAL_TYPE (TestVoid, test_void, TEST, VOID, ZbusInterface)
struct _TestVoid { ZbusInterface parent_instance; };
G_DEFINE_FINAL_TYPE (TestVoid, test_void, ZBUS_TYPE_INTERFACE)

static void
test_void_answer (TestVoid *self,
                  int       n)
{
  zbus_method_invocation_return_value (zbus_method_invocation_get_current (),
                                       g_variant_new ("(i)", n + 1));
}

static void
test_void_forget (TestVoid *self,
                  int       n)
{
}

static void
test_void_class_init (TestVoidClass *klass)
{
  GType type = G_TYPE_FROM_CLASS (klass);

  g_signal_new_class_handler ("answer", type, G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
                              G_CALLBACK (test_void_answer), NULL, NULL, NULL,
                              G_TYPE_NONE, 1, G_TYPE_INT);
  g_signal_new_class_handler ("forget", type, G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
                              G_CALLBACK (test_void_forget), NULL, NULL, NULL,
                              G_TYPE_NONE, 1, G_TYPE_INT);
  zbus_interface_type_set_method_signature (type, "answer", "i", NULL);
  zbus_interface_type_set_method_signature (type, "forget", "i", NULL);
  zbus_interface_type_set_name (type, "org.zbus.Void");
}

static void
test_void_init (TestVoid *self)
{
}

#define TEST_TYPE_BAD (test_bad_get_type ())
G_DECLARE_FINAL_TYPE (TestBad, test_bad, TEST, BAD, ZbusInterface)
struct _TestBad { ZbusInterface parent_instance; };
G_DEFINE_FINAL_TYPE (TestBad, test_bad, ZBUS_TYPE_INTERFACE)

static void
test_bad_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
}

static void
test_bad_class_init (TestBadClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = test_bad_get_property;
  g_object_class_install_property (object_class, 1,
    g_param_spec_boxed ("table", NULL, NULL, G_TYPE_HASH_TABLE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  zbus_interface_type_set_name (G_TYPE_FROM_CLASS (klass), "org.zbus.Bad");
}

static void
test_bad_init (TestBad *self)
{
}

/* ------------------------------------------------------------------------ */
/* Fixture: a bus, a serving connection on one transport, a GDBus client */

typedef struct
{
  GTestDBus        *bus;
  ZbusConnection   *server_conn;
  ZbusObjectServer *server;
  TestIface        *iface;
  GDBusConnection  *client;
  const char       *name;
  GPtrArray        *signals;   /* (element-type GVariant): (path, member, body) */
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

  if (g_strcmp0 (sender, "org.freedesktop.DBus") == 0)
    return;
  g_ptr_array_add (fixture->signals,
                   g_variant_ref_sink (g_variant_new ("(ss@*)", path, member, parameters)));
}

static void sync_with_server (Fixture *fixture);

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (fixture->bus);
  fixture->server_conn = zbus_test_connect (GPOINTER_TO_INT (data));
  fixture->name = zbus_connection_get_unique_name (fixture->server_conn);
  fixture->server = zbus_object_server_get_for_connection (fixture->server_conn);
  fixture->iface = g_object_new (TEST_TYPE_IFACE, "constant", 9, NULL);
  g_assert_true (zbus_object_server_at (fixture->server, "/org/zbus/test",
                                        ZBUS_INTERFACE (fixture->iface), &error));
  g_assert_no_error (error);
  fixture->client = zbus_test_connect_gdbus ();
  fixture->signals = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  fixture->subscription = g_dbus_connection_signal_subscribe (fixture->client, NULL, NULL, NULL, NULL, NULL,
                                                              G_DBUS_SIGNAL_FLAGS_NONE, signal_cb,
                                                              fixture, NULL);
  /* The daemon has the client's AddMatch once a round trip is done. */
  sync_with_server (fixture);
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
  g_assert_finalize_object (fixture->iface);
  g_ptr_array_unref (fixture->signals);
  g_test_dbus_down (fixture->bus);
  g_clear_object (&fixture->bus);
}

typedef struct
{
  GVariant *value;
  GError   *error;
  gboolean  done;
  guint     signals_at_reply;
  Fixture  *fixture;
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
  r->signals_at_reply = r->fixture->signals->len;
  r->done = TRUE;
}

/* Calls the server from the client while the server's context runs. GDBus's
 * own call API insists on an interface; a message can go without one. */
static GVariant *
call_full (Fixture     *fixture,
           const char  *path,
           const char  *interface_,
           const char  *method,
           GVariant    *args,
           GError     **error,
           guint       *signals_at_reply)
{
  CallResult r = { NULL, NULL, FALSE, 0, fixture };
  g_autoptr(GDBusMessage) message = g_dbus_message_new_method_call (fixture->name, path, interface_, method);

  if (args != NULL)
    g_dbus_message_set_body (message, args);
  g_dbus_connection_send_message_with_reply (fixture->client, message, G_DBUS_SEND_MESSAGE_FLAGS_NONE,
                                             5000, NULL, NULL, call_done_cb, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  if (signals_at_reply != NULL)
    *signals_at_reply = r.signals_at_reply;
  if (r.error != NULL)
    g_propagate_error (error, r.error);
  return r.value;
}

static GVariant *
call (Fixture    *fixture,
      const char *interface_,
      const char *method,
      GVariant   *args,
      GError    **error)
{
  return call_full (fixture, "/org/zbus/test", interface_, method, args, error, NULL);
}

static void
assert_dbus_error (GError     *error,
                   const char *name,
                   const char *fragment)
{
  g_autofree char *remote = NULL;

  g_assert_nonnull (error);
  remote = g_dbus_error_get_remote_error (error);
  g_assert_cmpstr (remote, ==, name);
  if (fragment != NULL && strstr (error->message, fragment) == NULL)
    g_error ("“%s” not in “%s”", fragment, error->message);
}

static GVariant *
get_property (Fixture    *fixture,
              const char *name,
              GError    **error)
{
  g_autoptr(GVariant) reply = call (fixture, "org.freedesktop.DBus.Properties", "Get",
                                    g_variant_new ("(ss)", "org.zbus.Test", name), error);
  GVariant *value = NULL;

  if (reply != NULL)
    g_variant_get (reply, "(v)", &value);
  return value;
}

static gboolean
set_property (Fixture    *fixture,
              const char *name,
              GVariant   *value,
              GError    **error)
{
  g_autoptr(GVariant) reply = call (fixture, "org.freedesktop.DBus.Properties", "Set",
                                    g_variant_new ("(ssv)", "org.zbus.Test", name, value), error);
  return reply != NULL;
}

/* A round trip to the interface: what it sent before, and the changes it
 * had queued (flushed before any of its replies), have reached the client. */
static void
sync_with_server (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = call (fixture, "org.freedesktop.DBus.Properties", "Get",
                                    g_variant_new ("(ss)", "org.zbus.Test", "Count"), &error);

  g_assert_no_error (error);
  while (g_main_context_iteration (NULL, FALSE));
}

static guint
count_signals (Fixture    *fixture,
               const char *member)
{
  guint n = 0;

  for (guint i = 0; i < fixture->signals->len; i++)
    {
      const char *m;

      g_variant_get_child (g_ptr_array_index (fixture->signals, i), 1, "&s", &m);
      if (g_str_equal (m, member))
        n++;
    }
  return n;
}

/* The body of the last signal named @member. */
static GVariant *
last_signal (Fixture    *fixture,
             const char *member)
{
  for (guint i = fixture->signals->len; i > 0; i--)
    {
      GVariant *s = g_ptr_array_index (fixture->signals, i - 1);
      const char *m;

      g_variant_get_child (s, 1, "&s", &m);
      if (g_str_equal (m, member))
        return g_variant_get_child_value (s, 2);
    }
  return NULL;
}

/* Compares with an expected value made on the spot (floating, consumed). */
static void
assert_variant (GVariant *value,
                GVariant *expected)
{
  g_autoptr(GVariant) owned = g_variant_ref_sink (expected);
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  g_assert_nonnull (value);
  a = g_variant_print (value, TRUE);
  b = g_variant_print (owned, TRUE);
  g_assert_cmpstr (a, ==, b);
}

/* ------------------------------------------------------------------------ */
/* Tests */

static void
test_methods (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) sum = NULL;
  g_autoptr(GVariant) slow = NULL;
  g_autoptr(GVariant) echo = NULL;
  g_autoptr(GVariant) self_path = NULL;
  g_autoptr(GVariant) no_iface = NULL;

  sum = call (fixture, "org.zbus.Test", "Add", g_variant_new ("(ii)", 3, 4), &error);
  g_assert_no_error (error);
  assert_variant (sum, g_variant_new ("(i)", 7));

  slow = call (fixture, "org.zbus.Test", "Slow", g_variant_new ("(i)", 21), &error);
  g_assert_no_error (error);
  assert_variant (slow, g_variant_new ("(i)", 42));

  echo = call (fixture, "org.zbus.Test", "Echo",
               g_variant_new ("(v)", g_variant_new ("(su)", "x", 5)), &error);
  g_assert_no_error (error);
  assert_variant (echo, g_variant_new ("(v)", g_variant_new ("(su)", "x", 5)));

  self_path = call (fixture, "org.zbus.Test", "GetSelf", NULL, &error);
  g_assert_no_error (error);
  assert_variant (self_path, g_variant_new ("(o)", "/org/zbus/test"));

  /* Without an interface field: unambiguous, so dispatched. */
  no_iface = call (fixture, NULL, "Add", g_variant_new ("(ii)", 1, 1), &error);
  g_assert_no_error (error);
  assert_variant (no_iface, g_variant_new ("(i)", 2));
}

/* A path nobody serves: the native transport's connection answers
 * UnknownObject; on the GDBus transport the call is GDBus's, which answers
 * UnknownMethod (it may serve objects of its own there). */
static const char *
unknown_object_error (gconstpointer data)
{
  return GPOINTER_TO_INT (data) == TRANSPORT_NATIVE ? "org.freedesktop.DBus.Error.UnknownObject"
                                                    : "org.freedesktop.DBus.Error.UnknownMethod";
}

static void
test_errors (Fixture       *fixture,
             gconstpointer  data)
{
  struct {
    const char *path, *iface, *method, *args, *name, *fragment;
  } cases[] = {
    { "/nope", "org.zbus.Test", "Add", "(ii)", unknown_object_error (data), "/nope" },
    { "/org/zbus/test", "org.zbus.Nope", "Add", "(ii)", "org.freedesktop.DBus.Error.UnknownInterface", "org.zbus.Nope" },
    { "/org/zbus/test", "org.zbus.Test", "Nope", "()", "org.freedesktop.DBus.Error.UnknownMethod", "Nope" },
    { "/org/zbus/test", NULL, "Nope", "()", "org.freedesktop.DBus.Error.UnknownMethod", "Nope" },
    { "/org/zbus/test", "org.zbus.Test", "Add", "(s)", "org.freedesktop.DBus.Error.InvalidArgs", "“(ii)”, not “(s)”" },
    { "/org/zbus/test", "org.zbus.Test", "Fail", "()", "org.freedesktop.DBus.Error.AccessDenied", "Not for you" },
    { "/org/zbus/test", "org.zbus.Test", "FailCustom", "()", "org.zbus.Test.Error.Custom", "Custom failure" },
    { "/org/zbus/test", "org.zbus.Test", "Notify", "()", "org.freedesktop.DBus.Error.UnknownMethod", "Notify" },
    { "/org/zbus/test", "org.freedesktop.DBus.Peer", "Nope", "()", "org.freedesktop.DBus.Error.UnknownMethod", "Nope" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) args = g_str_equal (cases[i].args, "(ii)") ? g_variant_new ("(ii)", 1, 2)
                                 : g_str_equal (cases[i].args, "(s)") ? g_variant_new ("(s)", "x") : NULL;
      g_autoptr(GVariant) reply = NULL;

      if (args != NULL)
        g_variant_ref_sink (args);
      reply = call_full (fixture, cases[i].path, cases[i].iface, cases[i].method, args, &error, NULL);
      g_assert_null (reply);
      assert_dbus_error (error, cases[i].name, cases[i].fragment);
    }

  /* The service keeps running. */
  sync_with_server (fixture);
}

static void
test_peer (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) id = NULL;
  g_autoptr(GVariant) ping = NULL;

  ping = call (fixture, "org.freedesktop.DBus.Peer", "Ping", NULL, &error);
  g_assert_no_error (error);
  id = call (fixture, "org.freedesktop.DBus.Peer", "GetMachineId", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_variant_is_of_type (id, G_VARIANT_TYPE ("(s)")));
  g_clear_pointer (&ping, g_variant_unref);
  ping = call_full (fixture, "/org", "org.freedesktop.DBus.Peer", "Ping", NULL, &error, NULL);
  g_assert_no_error (error);
}

static void
test_properties (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) constant = NULL;
  g_autoptr(GVariant) all = NULL;
  g_autoptr(GVariant) dict = NULL;
  g_autoptr(GVariant) count = NULL;
  g_autoptr(GVariant) peer = NULL;
  g_autoptr(GVariant) mode = NULL;
  g_autoptr(GVariant) data_value = NULL;
  g_autoptr(GVariant) unknown = NULL;
  int n;

  constant = get_property (fixture, "Constant", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_get_uint32 (constant), ==, 9);

  g_assert_true (set_property (fixture, "Count", g_variant_new_int32 (5), &error));
  g_assert_no_error (error);
  g_assert_cmpint (fixture->iface->count, ==, 5);
  count = get_property (fixture, "Count", &error);
  g_assert_cmpint (g_variant_get_int32 (count), ==, 5);

  /* Objects travel as the paths they are served at; NULL as "/". */
  peer = get_property (fixture, "Peer", &error);
  g_assert_cmpstr (g_variant_get_string (peer, NULL), ==, "/");
  g_assert_true (set_property (fixture, "Peer", g_variant_new_object_path ("/org/zbus/test"), &error));
  g_assert_true (fixture->iface->peer == fixture->iface);
  g_clear_object (&fixture->iface->peer);
  g_assert_false (set_property (fixture, "Peer", g_variant_new_object_path ("/elsewhere"), &error));
  assert_dbus_error (error, "org.freedesktop.DBus.Error.InvalidArgs", "/elsewhere");
  g_clear_error (&error);

  /* Enums as u; a GVariant pspec with its own type. */
  g_assert_true (set_property (fixture, "Mode", g_variant_new_uint32 (G_FILE_TYPE_DIRECTORY), &error));
  mode = get_property (fixture, "Mode", &error);
  g_assert_cmpuint (g_variant_get_uint32 (mode), ==, G_FILE_TYPE_DIRECTORY);
  g_assert_false (set_property (fixture, "Mode", g_variant_new_uint32 (99), &error));
  assert_dbus_error (error, "org.freedesktop.DBus.Error.InvalidArgs", "99");
  g_clear_error (&error);
  g_assert_true (set_property (fixture, "Data", g_variant_new_parsed ("{'a': <1>}"), &error));
  data_value = get_property (fixture, "Data", &error);
  assert_variant (data_value, g_variant_new_parsed ("{'a': <1>}"));

  all = call (fixture, "org.freedesktop.DBus.Properties", "GetAll", g_variant_new ("(s)", "org.zbus.Test"), &error);
  g_assert_no_error (error);
  dict = g_variant_get_child_value (all, 0);
  g_assert_true (g_variant_lookup (dict, "Count", "i", &n));
  g_assert_cmpint (n, ==, 5);
  g_assert_cmpuint (g_variant_n_children (dict), ==, 9);

  /* Async and fallible reads; GetAll leaves both out. */
  {
    g_autoptr(GVariant) later = get_property (fixture, "Later", &error);

    g_assert_no_error (error);
    g_assert_cmpstr (g_variant_get_string (later, NULL), ==, "later");
    g_assert_null (get_property (fixture, "Fails", &error));
    assert_dbus_error (error, "org.zbus.Test.Error.NoValue", "never has a value");
    g_clear_error (&error);
    g_assert_false (g_variant_lookup (dict, "Later", "s", NULL));
    g_assert_false (g_variant_lookup (dict, "Fails", "i", NULL));
  }

  /* The error paths, each naming what was wrong. */
  g_assert_false (set_property (fixture, "Constant", g_variant_new_uint32 (1), &error));
  assert_dbus_error (error, "org.freedesktop.DBus.Error.PropertyReadOnly", "Constant");
  g_clear_error (&error);
  g_assert_false (set_property (fixture, "Count", g_variant_new_string ("five"), &error));
  assert_dbus_error (error, "org.freedesktop.DBus.Error.InvalidArgs", "Count");
  g_clear_error (&error);
  g_assert_false (set_property (fixture, "Count", g_variant_new_int32 (1000), &error));
  assert_dbus_error (error, "org.freedesktop.DBus.Error.InvalidArgs", "out of range");
  g_clear_error (&error);
  g_assert_cmpint (fixture->iface->count, ==, 5);
  unknown = get_property (fixture, "Nope", &error);
  assert_dbus_error (error, "org.freedesktop.DBus.Error.UnknownProperty", "Nope");
  g_clear_error (&error);
  g_assert_null (call (fixture, "org.freedesktop.DBus.Properties", "Get",
                       g_variant_new ("(ss)", "org.zbus.Nope", "Count"), &error));
  assert_dbus_error (error, "org.freedesktop.DBus.Error.UnknownInterface", "org.zbus.Nope");
  g_clear_error (&error);
  g_assert_null (call (fixture, "org.freedesktop.DBus.Properties", "Get",
                       g_variant_new ("(s)", "org.zbus.Test"), &error));
  assert_dbus_error (error, "org.freedesktop.DBus.Error.InvalidArgs", "(ss)");
}

static char *
introspect (Fixture    *fixture,
            const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = call_full (fixture, path, "org.freedesktop.DBus.Introspectable",
                                         "Introspect", NULL, &error, NULL);
  char *xml;

  g_assert_no_error (error);
  g_variant_get (reply, "(s)", &xml);
  return xml;
}

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
  g_autoptr(TestIface) child = g_object_new (TEST_TYPE_IFACE, NULL);
  g_autofree char *xml = NULL;
  g_autofree char *root = NULL;
  g_autofree char *mid = NULL;
  g_autoptr(GDBusNodeInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  GDBusInterfaceInfo *iface;
  GDBusPropertyInfo *prop;

  g_assert_true (zbus_object_server_at (fixture->server, "/org/zbus/test/child", ZBUS_INTERFACE (child), NULL));
  xml = introspect (fixture, "/org/zbus/test");
  assert_valid_xml (xml);
  info = g_dbus_node_info_new_for_xml (xml, &error);
  g_assert_no_error (error);
  g_assert_nonnull (g_dbus_node_info_lookup_interface (info, "org.freedesktop.DBus.Properties"));
  g_assert_nonnull (g_dbus_node_info_lookup_interface (info, "org.freedesktop.DBus.Peer"));
  iface = g_dbus_node_info_lookup_interface (info, "org.zbus.Test");
  g_assert_nonnull (iface);
  g_assert_nonnull (g_dbus_interface_info_lookup_method (iface, "Add"));
  g_assert_cmpstr (g_dbus_interface_info_lookup_method (iface, "Slow")->out_args[0]->name, ==, "doubled");
  g_assert_nonnull (g_dbus_interface_info_lookup_signal (iface, "ChangedThing"));
  g_assert_null (g_dbus_interface_info_lookup_signal (iface, "Notify"));
  prop = g_dbus_interface_info_lookup_property (iface, "Constant");
  g_assert_cmpstr (prop->signature, ==, "u");
  g_assert_cmpint (prop->flags, ==, G_DBUS_PROPERTY_INFO_FLAGS_READABLE);
  g_assert_cmpstr (g_dbus_annotation_info_lookup (prop->annotations, "org.freedesktop.DBus.Property.EmitsChangedSignal"), ==, "const");
  prop = g_dbus_interface_info_lookup_property (iface, "Quiet");
  g_assert_cmpstr (g_dbus_annotation_info_lookup (prop->annotations, "org.freedesktop.DBus.Property.EmitsChangedSignal"), ==, "false");
  prop = g_dbus_interface_info_lookup_property (iface, "Lazy");
  g_assert_cmpstr (g_dbus_annotation_info_lookup (prop->annotations, "org.freedesktop.DBus.Property.EmitsChangedSignal"), ==, "invalidates");
  prop = g_dbus_interface_info_lookup_property (iface, "Count");
  g_assert_cmpstr (g_dbus_annotation_info_lookup (prop->annotations, "org.gtk.GDBus.DocString"), ==, "How many");
  g_assert_cmpstr (g_dbus_interface_info_lookup_property (iface, "Data")->signature, ==, "a{sv}");
  g_assert_cmpstr (g_dbus_interface_info_lookup_property (iface, "Mode")->signature, ==, "u");
  g_assert_cmpstr (g_dbus_interface_info_lookup_property (iface, "Peer")->signature, ==, "o");
  g_assert_nonnull (info->nodes[0]);
  g_assert_cmpstr (info->nodes[0]->path, ==, "child");
  g_assert_null (info->nodes[1]);

  /* Intermediate paths list their children. */
  root = introspect (fixture, "/");
  assert_valid_xml (root);
  g_assert_nonnull (strstr (root, "<node name=\"org\"/>"));
  mid = introspect (fixture, "/org/zbus");
  assert_valid_xml (mid);
  g_assert_nonnull (strstr (mid, "<node name=\"test\"/>"));
  g_assert_null (strstr (mid, "org.zbus.Test"));

  g_assert_true (zbus_object_server_remove (fixture->server, "/org/zbus/test/child", TEST_TYPE_IFACE));
}

static void
test_properties_changed (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GVariant) body = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint at_reply;

  /* Three sets in one iteration: one signal with the last value. */
  g_object_set (fixture->iface, "count", 1, NULL);
  g_object_set (fixture->iface, "count", 2, NULL);
  g_object_set (fixture->iface, "name", "x", NULL);
  sync_with_server (fixture);
  g_assert_cmpuint (count_signals (fixture, "PropertiesChanged"), ==, 1);
  body = last_signal (fixture, "PropertiesChanged");
  assert_variant (body, g_variant_new_parsed ("('org.zbus.Test', {'Count': <2>, 'Name': <'x'>}, @as [])"));
  g_clear_pointer (&body, g_variant_unref);

  /* A method that sets a property: the change arrives before the reply. */
  reply = call_full (fixture, "/org/zbus/test", "org.zbus.Test", "SetCount",
                     g_variant_new ("(i)", 3), &error, &at_reply);
  g_assert_no_error (error);
  g_assert_cmpuint (at_reply, ==, fixture->signals->len);
  g_assert_cmpuint (count_signals (fixture, "PropertiesChanged"), ==, 2);

  /* Each mode. */
  g_object_set (fixture->iface, "quiet", 1, NULL);      /* false: nothing */
  g_object_set (fixture->iface, "explicit", 1, NULL);   /* no notify: nothing */
  sync_with_server (fixture);
  g_assert_cmpuint (count_signals (fixture, "PropertiesChanged"), ==, 2);
  g_object_set (fixture->iface, "lazy", 1, NULL);       /* invalidates */
  sync_with_server (fixture);
  body = last_signal (fixture, "PropertiesChanged");
  assert_variant (body, g_variant_new_parsed ("('org.zbus.Test', @a{sv} {}, ['Lazy'])"));
  g_clear_pointer (&body, g_variant_unref);
  g_object_notify (G_OBJECT (fixture->iface), "explicit");
  g_assert_true (zbus_interface_invalidate_property (ZBUS_INTERFACE (fixture->iface), "Count"));
  sync_with_server (fixture);
  body = last_signal (fixture, "PropertiesChanged");
  assert_variant (body, g_variant_new_parsed ("('org.zbus.Test', {'Explicit': <1>}, ['Count'])"));
}

static void
test_signals (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GVariant) body = NULL;
  g_autoptr(GError) error = NULL;
  const char *client_name = g_dbus_connection_get_unique_name (fixture->client);

  /* A pending change goes out before the signal. */
  g_object_set (fixture->iface, "count", 4, NULL);
  g_signal_emit_by_name (fixture->iface, "changed-thing", "hello", 12);
  sync_with_server (fixture);
  g_assert_cmpuint (fixture->signals->len, ==, 2);
  body = last_signal (fixture, "ChangedThing");
  assert_variant (body, g_variant_new ("(si)", "hello", 12));
  g_clear_pointer (&body, g_variant_unref);
  body = last_signal (fixture, "PropertiesChanged");
  g_assert_nonnull (body);
  {
    const char *first;
    g_variant_get_child (g_ptr_array_index (fixture->signals, 0), 1, "&s", &first);
    g_assert_cmpstr (first, ==, "PropertiesChanged");
  }

  /* Unicast, and a wrong body refused. */
  g_assert_true (zbus_interface_emit_signal (ZBUS_INTERFACE (fixture->iface), client_name, "ChangedThing",
                                             g_variant_new ("(si)", "you", 1), &error));
  g_assert_no_error (error);
  g_assert_false (zbus_interface_emit_signal (ZBUS_INTERFACE (fixture->iface), NULL, "ChangedThing",
                                              g_variant_new ("(s)", "you"), &error));
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  sync_with_server (fixture);
  g_assert_cmpuint (count_signals (fixture, "ChangedThing"), ==, 2);
}

/* A PropertiesChanged sent by hand goes out after the changes already
 * queued: the peer ends up with the newer value. */
static void
test_signal_emitter (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(ZbusSignalEmitter) emitter = NULL;
  g_autoptr(GVariant) body = NULL;
  g_autoptr(GError) error = NULL;
  const char *member;

  emitter = zbus_signal_emitter_new (fixture->server_conn, "/org/zbus/test", NULL, &error);
  g_assert_no_error (error);
  g_object_set (fixture->iface, "count", 5, NULL);
  g_assert_true (zbus_signal_emitter_emit_properties_changed (emitter, "org.zbus.Test",
                                                              g_variant_new_parsed ("{'Count': <6>}"),
                                                              NULL, &error));
  g_assert_no_error (error);
  sync_with_server (fixture);
  g_assert_cmpuint (count_signals (fixture, "PropertiesChanged"), ==, 2);
  g_variant_get_child (g_ptr_array_index (fixture->signals, 0), 1, "&s", &member);
  g_assert_cmpstr (member, ==, "PropertiesChanged");
  body = g_variant_get_child_value (g_ptr_array_index (fixture->signals, 0), 2);
  assert_variant (body, g_variant_new_parsed ("('org.zbus.Test', {'Count': <5>}, @as [])"));
  g_clear_pointer (&body, g_variant_unref);
  body = last_signal (fixture, "PropertiesChanged");
  assert_variant (body, g_variant_new_parsed ("('org.zbus.Test', {'Count': <6>}, @as [])"));
  g_clear_pointer (&body, g_variant_unref);

  /* Any other signal too. */
  g_object_set (fixture->iface, "count", 7, NULL);
  g_assert_true (zbus_signal_emitter_emit (emitter, "org.zbus.Test", "ChangedThing",
                                           g_variant_new ("(si)", "by hand", 1), &error));
  g_assert_no_error (error);
  sync_with_server (fixture);
  g_assert_cmpuint (fixture->signals->len, ==, 4);
  g_variant_get_child (g_ptr_array_index (fixture->signals, 2), 1, "&s", &member);
  g_assert_cmpstr (member, ==, "PropertiesChanged");
  g_variant_get_child (g_ptr_array_index (fixture->signals, 3), 1, "&s", &member);
  g_assert_cmpstr (member, ==, "ChangedThing");
}

static void
test_two_connections (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(ZbusConnection) other = zbus_test_connect (GPOINTER_TO_INT (data));
  ZbusObjectServer *other_server = zbus_object_server_get_for_connection (other);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) sum = NULL;
  g_autoptr(ZbusInterface) found = NULL;

  g_assert_true (zbus_object_server_get_for_connection (other) == other_server);
  g_assert_true (zbus_object_server_get_connection (other_server) == other);
  g_assert_true (zbus_object_server_at (other_server, "/second", ZBUS_INTERFACE (fixture->iface), NULL));
  g_assert_true (zbus_object_server_at (fixture->server, "/again", ZBUS_INTERFACE (fixture->iface), NULL));
  g_assert_false (zbus_object_server_at (fixture->server, "/again", ZBUS_INTERFACE (fixture->iface), &error));
  g_assert_no_error (error);

  g_signal_emit_by_name (fixture->iface, "changed-thing", "everywhere", 3);
  sync_with_server (fixture);
  g_assert_cmpuint (count_signals (fixture, "ChangedThing"), ==, 3);

  found = zbus_object_server_lookup_by_name (other_server, "/second", "org.zbus.Test");
  g_assert_true (found == ZBUS_INTERFACE (fixture->iface));
  g_clear_object (&found);
  found = zbus_object_server_lookup (fixture->server, "/again", TEST_TYPE_IFACE);
  g_assert_true (found == ZBUS_INTERFACE (fixture->iface));
  g_assert_null (zbus_object_server_lookup (fixture->server, "/again", TEST_TYPE_OTHER));

  g_assert_true (zbus_object_server_remove_by_name (fixture->server, "/again", "org.zbus.Test"));
  g_assert_false (zbus_object_server_remove_by_name (fixture->server, "/again", "org.zbus.Test"));
  sum = call_full (fixture, "/again", "org.zbus.Test", "Add", g_variant_new ("(ii)", 1, 1), &error, NULL);
  assert_dbus_error (error, unknown_object_error (data), "/again");
  zbus_connection_close_sync (other, NULL, NULL);
}

static void
test_ambiguous (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(TestOther) other = g_object_new (TEST_TYPE_OTHER, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  g_assert_true (zbus_object_server_at (fixture->server, "/org/zbus/test", ZBUS_INTERFACE (other), NULL));
  reply = call (fixture, NULL, "Add", g_variant_new ("(ii)", 2, 3), &error);
  assert_dbus_error (error, "org.freedesktop.DBus.Error.UnknownMethod", "several interfaces");
  g_clear_error (&error);
  reply = call (fixture, "org.zbus.Other", "Add", g_variant_new ("(ii)", 2, 3), &error);
  g_assert_no_error (error);
  assert_variant (reply, g_variant_new ("(i)", 6));
  g_assert_true (zbus_object_server_remove (fixture->server, "/org/zbus/test", TEST_TYPE_OTHER));
}

/* A sync handler returning nothing where out-arguments are declared must
 * answer through its invocation; one that does not gets a clear Failed. */
static void
test_void_out (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(TestVoid) iface = g_object_new (TEST_TYPE_VOID, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) answered = NULL;
  g_autoptr(GVariant) forgotten = NULL;

  g_assert_true (zbus_object_server_at (fixture->server, "/org/zbus/void", ZBUS_INTERFACE (iface), NULL));
  answered = call_full (fixture, "/org/zbus/void", "org.zbus.Void", "Answer", g_variant_new ("(i)", 4),
                        &error, NULL);
  g_assert_no_error (error);
  assert_variant (answered, g_variant_new ("(i)", 5));

  g_test_expect_message ("Zbus", G_LOG_LEVEL_WARNING, "The handler of Forget returned nothing*“(i)”*");
  forgotten = call_full (fixture, "/org/zbus/void", "org.zbus.Void", "Forget", g_variant_new ("(i)", 4),
                         &error, NULL);
  g_test_assert_expected_messages ();
  g_assert_null (forgotten);
  assert_dbus_error (error, "org.freedesktop.DBus.Error.Failed", "did not answer through its invocation");
  g_assert_true (zbus_object_server_remove (fixture->server, "/org/zbus/void", TEST_TYPE_VOID));
}

static void
test_unmapped (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (zbus_interface_type_check (TEST_TYPE_BAD, &error));
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_SIGNATURE);
  g_assert_nonnull (strstr (error->message, "table"));
  g_assert_nonnull (strstr (error->message, "GHashTable"));
  g_assert_nonnull (strstr (error->message, "TestBad"));
  g_assert_true (zbus_interface_type_check (TEST_TYPE_IFACE, NULL));
  g_assert_cmpstr (zbus_interface_type_get_name (TEST_TYPE_IFACE), ==, "org.zbus.Test");
}

static void
test_builder_serve_at (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(ZbusConnectionBuilder) builder = zbus_connection_builder_new_session ();
  g_autoptr(ZbusConnectionBuilder) bad_builder = zbus_connection_builder_new_session ();
  g_autoptr(ZbusConnection) connection = NULL;
  g_autoptr(ZbusConnection) bad = NULL;
  g_autoptr(TestOther) other = g_object_new (TEST_TYPE_OTHER, NULL);
  g_autoptr(TestBad) unmappable = g_object_new (TEST_TYPE_BAD, NULL);
  g_autoptr(GVariant) result = NULL;
  g_autoptr(GVariant) has_owner = NULL;
  g_autoptr(GError) error = NULL;
  const char *unique_name = fixture->name;
  gboolean owned = TRUE;

  /* The object is there before the name is: a caller that found the name
   * finds the object. */
  zbus_connection_builder_serve_at (builder, "/org/zbus/built", ZBUS_INTERFACE (other));
  zbus_connection_builder_add_name (builder, "org.zbus.Built", ZBUS_REQUEST_NAME_FLAGS_DO_NOT_QUEUE);
  connection = zbus_connection_builder_build (builder, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (zbus_object_server_lookup_by_name (zbus_connection_get_object_server (connection),
                                                    "/org/zbus/built", "org.zbus.Other") ==
                 ZBUS_INTERFACE (other));

  fixture->name = "org.zbus.Built";
  result = call_full (fixture, "/org/zbus/built", "org.zbus.Other", "Add",
                      g_variant_new ("(ii)", 3, 4), &error, NULL);
  fixture->name = unique_name;
  g_assert_no_error (error);
  assert_variant (result, g_variant_new ("(i)", 12));

  /* A type that cannot be served fails the build, and no name is taken. */
  zbus_connection_builder_serve_at (bad_builder, "/org/zbus/bad", ZBUS_INTERFACE (unmappable));
  zbus_connection_builder_add_name (bad_builder, "org.zbus.NeverOwned", 0);
  bad = zbus_connection_builder_build (bad_builder, NULL, &error);
  g_assert_null (bad);
  g_assert_nonnull (error);
  g_clear_error (&error);
  has_owner = g_dbus_connection_call_sync (fixture->client, "org.freedesktop.DBus",
                                           "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                           "NameHasOwner", g_variant_new ("(s)", "org.zbus.NeverOwned"),
                                           G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                           &error);
  g_assert_no_error (error);
  g_variant_get (has_owner, "(b)", &owned);
  g_assert_false (owned);

  zbus_connection_close_sync (connection, NULL, NULL);
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
  g_test_summary ("ZbusInterface types served by ZbusObjectServer, called by a GDBus client");

  for (guint i = 0; i < G_N_ELEMENTS (transports); i++)
    {
      gconstpointer t = GINT_TO_POINTER (transports[i].transport);
#define ADD(path, func) \
      G_STMT_START { \
        g_autofree char *full = g_strdup_printf ("/Zbus/ObjectServer/%s/%s", transports[i].name, path); \
        g_test_add (full, Fixture, t, fixture_setup, func, fixture_teardown); \
      } G_STMT_END
      ADD ("methods", test_methods);
      ADD ("errors", test_errors);
      ADD ("peer", test_peer);
      ADD ("properties", test_properties);
      ADD ("introspect", test_introspect);
      ADD ("properties-changed", test_properties_changed);
      ADD ("signals", test_signals);
      ADD ("signal-emitter", test_signal_emitter);
      ADD ("two-connections", test_two_connections);
      ADD ("ambiguous", test_ambiguous);
      ADD ("void-out", test_void_out);
#undef ADD
    }
  g_test_add_func ("/Zbus/Interface/unmapped", test_unmapped);
  g_test_add ("/Zbus/ObjectServer/builder-serve-at", Fixture, GINT_TO_POINTER (TRANSPORT_NATIVE),
              fixture_setup, test_builder_serve_at, fixture_teardown);

  return g_test_run ();
}
