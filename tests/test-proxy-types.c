/* test-proxy-types.c: ZbusProxy types made from interface descriptions —
 * typed proxies of a ZbusInterface we serve, runtime proxies from XML
 * (against python-dbusmock) and from introspection, and hostile
 * descriptions — on a real dbus-daemon, on both transports
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "zbus-gobject.h"
#include "test-util.h"

#define MOCK_NAME "org.zbus.ProxyMock"
#define MOCK_PATH "/org/zbus/ProxyMock"
#define MOCK_IFACE "org.zbus.ProxyMock"
#define MOCK_CONTROL "org.freedesktop.DBus.Mock"

#define GADGET_IFACE "org.zbus.ProxyTypesTest"
#define GADGET_PATH "/org/zbus/gadget"

/* How long anything a test waits for may take. */
#define WAIT_USEC (10 * G_USEC_PER_SEC)

/* ------------------------------------------------------------------------ */
/* The interface we serve */

#define TEST_TYPE_GADGET (test_gadget_get_type ())
G_DECLARE_FINAL_TYPE (TestGadget, test_gadget, TEST, GADGET, ZbusInterface)

struct _TestGadget
{
  ZbusInterface parent_instance;
  int count;
  char *label;
  GFileType mode;
  TestGadget *peer;
};

G_DEFINE_FINAL_TYPE (TestGadget, test_gadget, ZBUS_TYPE_INTERFACE)

enum { PROP_0, PROP_COUNT, PROP_LABEL, PROP_MODE, PROP_TAGS, PROP_CONNECTION, PROP_PEER, N_PROPS };

static void
test_gadget_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  TestGadget *self = TEST_GADGET (object);
  static const char * const tags[] = { "red", "round", NULL };

  switch (prop_id)
    {
    case PROP_COUNT: g_value_set_int (value, self->count); break;
    case PROP_LABEL: g_value_set_string (value, self->label); break;
    case PROP_MODE: g_value_set_enum (value, self->mode); break;
    case PROP_TAGS: g_value_set_boxed (value, tags); break;
    case PROP_CONNECTION: g_value_set_string (value, "wired"); break;
    case PROP_PEER: g_value_set_object (value, self->peer); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
test_gadget_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  TestGadget *self = TEST_GADGET (object);
  ZbusMethodInvocation *invocation = zbus_method_invocation_get_current ();

  switch (prop_id)
    {
    case PROP_COUNT: self->count = g_value_get_int (value); break;
    case PROP_LABEL:
      /* A remote write the service refuses. */
      if (invocation != NULL && g_strcmp0 (g_value_get_string (value), "forbidden") == 0)
        {
          zbus_method_invocation_return_dbus_error (invocation, "org.zbus.Test.Error.Refused",
                                                    "No such label");
          break;
        }
      g_free (self->label);
      self->label = g_value_dup_string (value);
      break;
    case PROP_MODE: self->mode = g_value_get_enum (value); break;
    case PROP_PEER: g_set_object (&self->peer, g_value_get_object (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static int
test_gadget_add (TestGadget *self,
                 int         a,
                 int         b)
{
  return a + b;
}

static void
test_gadget_dispose (GObject *object)
{
  g_clear_object (&TEST_GADGET (object)->peer);

  G_OBJECT_CLASS (test_gadget_parent_class)->dispose (object);
}

static void
test_gadget_finalize (GObject *object)
{
  g_free (TEST_GADGET (object)->label);

  G_OBJECT_CLASS (test_gadget_parent_class)->finalize (object);
}

static void
test_gadget_class_init (TestGadgetClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GType type = G_TYPE_FROM_CLASS (klass);

  object_class->get_property = test_gadget_get_property;
  object_class->set_property = test_gadget_set_property;
  object_class->dispose = test_gadget_dispose;
  object_class->finalize = test_gadget_finalize;

  g_object_class_install_property (object_class, PROP_COUNT,
    g_param_spec_int ("count", NULL, "How many", 0, 100, 0,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (object_class, PROP_LABEL,
    g_param_spec_string ("label", NULL, NULL, "none", G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (object_class, PROP_MODE,
    g_param_spec_enum ("mode", NULL, NULL, G_TYPE_FILE_TYPE, G_FILE_TYPE_UNKNOWN,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (object_class, PROP_TAGS,
    g_param_spec_boxed ("tags", NULL, NULL, G_TYPE_STRV, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (object_class, PROP_CONNECTION,
    g_param_spec_string ("connection", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (object_class, PROP_PEER,
    g_param_spec_object ("peer", NULL, NULL, TEST_TYPE_GADGET,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  g_signal_new ("pinged", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_INT);
  g_signal_new_class_handler ("add", type, G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
                              G_CALLBACK (test_gadget_add), NULL, NULL, NULL,
                              G_TYPE_INT, 2, G_TYPE_INT, G_TYPE_INT);
  zbus_interface_type_set_name (type, GADGET_IFACE);
}

static void
test_gadget_init (TestGadget *self)
{
  self->label = g_strdup ("none");
}

/* ------------------------------------------------------------------------ */
/* Fixture */

typedef struct
{
  GTestDBus      *bus;
  ZbusConnection *connection;  /* the proxies' */
  ZbusConnection *control;     /* drives the mock */
  ZbusConnection *server;      /* serves the gadget, in this thread */
  TestGadget     *gadget;
  GSubprocess    *mock;        /* (nullable) */
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  zbus_test_set_cloexec_on_all_fds ();
  fixture->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (fixture->bus);
  fixture->connection = zbus_test_connect (GPOINTER_TO_INT (data));
  fixture->control = zbus_test_connect (TRANSPORT_NATIVE);
  fixture->server = zbus_test_connect (TRANSPORT_NATIVE);

  fixture->gadget = g_object_new (TEST_TYPE_GADGET, "count", 4, "label", "hello",
                                  "mode", G_FILE_TYPE_REGULAR, NULL);
  g_object_set (fixture->gadget, "peer", fixture->gadget, NULL);
  g_assert_true (zbus_object_server_at (zbus_object_server_get_for_connection (fixture->server),
                                        GADGET_PATH, ZBUS_INTERFACE (fixture->gadget), &error));
  g_assert_no_error (error);
}

static void stop_mock (Fixture *fixture);

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  if (fixture->mock != NULL)
    stop_mock (fixture);
  zbus_connection_close_sync (fixture->connection, NULL, NULL);
  zbus_connection_close_sync (fixture->control, NULL, NULL);
  zbus_connection_close_sync (fixture->server, NULL, NULL);
  while (g_main_context_iteration (NULL, FALSE));
  g_object_set (fixture->gadget, "peer", NULL, NULL);
  g_assert_finalize_object (fixture->connection);
  g_assert_finalize_object (fixture->control);
  g_assert_finalize_object (fixture->server);
  g_assert_finalize_object (fixture->gadget);
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

static gboolean
name_has_owner (ZbusConnection *connection,
                const char     *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  gboolean owned = FALSE;

  reply = zbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                     "org.freedesktop.DBus", "NameHasOwner",
                                     g_variant_new ("(s)", name), G_VARIANT_TYPE ("(b)"),
                                     ZBUS_MESSAGE_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(b)", &owned);
  return owned;
}

/* python-dbusmock with tests/proxy-mock-template.py: Count = 1, Name = mock. */
static void
start_mock (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  const char *template = g_test_get_filename (G_TEST_DIST, "proxy-mock-template.py", NULL);
  gint64 deadline = g_get_monotonic_time () + WAIT_USEC;

  fixture->mock = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                                    "/usr/bin/python3", "-m", "dbusmock", "--session",
                                    "-t", template, "-p", "{\"count\": 1}", NULL);
  g_assert_no_error (error);
  while (!name_has_owner (fixture->control, MOCK_NAME))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * 1000);
    }
}

static void
stop_mock (Fixture *fixture)
{
  g_subprocess_force_exit (fixture->mock);
  g_subprocess_wait (fixture->mock, NULL, NULL);
  g_clear_object (&fixture->mock);
}

static void
mock_control (Fixture    *fixture,
              const char *method,
              GVariant   *parameters)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  reply = zbus_connection_call_sync (fixture->control, MOCK_NAME, MOCK_PATH, MOCK_CONTROL, method,
                                     parameters, NULL, ZBUS_MESSAGE_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
}

/* Count, as the mock has it now. */
static int
mock_count (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) value = NULL;

  g_usleep (10 * 1000);
  reply = zbus_connection_call_sync (fixture->control, MOCK_NAME, MOCK_PATH,
                                     "org.freedesktop.DBus.Properties", "Get",
                                     g_variant_new ("(ss)", MOCK_IFACE, "Count"),
                                     G_VARIANT_TYPE ("(v)"), ZBUS_MESSAGE_FLAGS_NONE, -1,
                                     NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(v)", &value);
  return g_variant_get_int32 (value);
}

static void
mock_emit_ping (Fixture    *fixture,
                const char *text)
{
  GVariantBuilder args;

  g_variant_builder_init (&args, G_VARIANT_TYPE ("av"));
  g_variant_builder_add (&args, "v", g_variant_new_string (text));
  mock_control (fixture, "EmitSignal", g_variant_new ("(sssav)", MOCK_IFACE, "Ping", "s", &args));
}

/* Recorders */

typedef struct
{
  guint notifies;
  guint failures;
  char *failed_name;     /* (owned) (nullable) */
  GError *failure;       /* (owned) (nullable) */
  guint signals;
  char *signal_text;     /* (owned) (nullable) */
  int signal_number;
} Recorder;

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           Recorder   *r)
{
  r->notifies++;
}

static void
set_failed_cb (ZbusProxy    *proxy,
               const char   *name,
               const GError *error,
               Recorder     *r)
{
  r->failures++;
  g_free (r->failed_name);
  r->failed_name = g_strdup (name);
  g_clear_error (&r->failure);
  r->failure = g_error_copy (error);
}

/* Disconnects @r from @object first: a write still on its way when the
 * test ends fails as the connection closes, after the recorder is gone. */
static void
recorder_clear (Recorder *r,
                gpointer  object)
{
  g_signal_handlers_disconnect_by_data (object, r);
  g_clear_pointer (&r->failed_name, g_free);
  g_clear_error (&r->failure);
  g_clear_pointer (&r->signal_text, g_free);
}

static ZbusProxy *
new_gadget_proxy (Fixture            *fixture,
                  ZbusProxyCacheMode  mode)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  ZbusProxy *proxy;

  /* Served in this thread: made without blocking. */
  zbus_proxy_new_for_interface_type_async (fixture->connection, TEST_TYPE_GADGET,
                                           zbus_connection_get_unique_name (fixture->server),
                                           GADGET_PATH, mode, NULL, store_result_cb, &result);
  wait_until (result != NULL);
  proxy = zbus_proxy_new_for_interface_type_finish (result, &error);
  g_assert_no_error (error);
  g_assert_true (ZBUS_IS_PROXY (proxy));
  return proxy;
}

static int
get_int (gpointer    object,
         const char *name)
{
  int value = -1;

  g_object_get (object, name, &value, NULL);
  return value;
}

static char *
get_string (gpointer    object,
            const char *name)
{
  char *value = NULL;

  g_object_get (object, name, &value, NULL);
  return value;
}

/* ------------------------------------------------------------------------ */
/* Typed proxies of a ZbusInterface we serve */

static void
test_typed_properties (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusProxy) proxy = NULL;
  g_autoptr(TestGadget) target = g_object_new (TEST_TYPE_GADGET, NULL);
  g_autofree char *label = NULL;
  g_autofree char *peer = NULL;
  g_autofree char *wired = NULL;
  g_auto(GStrv) tags = NULL;
  GParamSpec *pspec;
  GFileType mode = G_FILE_TYPE_UNKNOWN;
  GType type;
  Recorder r = { 0, };

  proxy = new_gadget_proxy (fixture, ZBUS_PROXY_CACHE_MODE_EAGER);
  type = zbus_proxy_type_for_interface_type (TEST_TYPE_GADGET, &error);
  g_assert_no_error (error);
  g_assert_true (G_OBJECT_TYPE (proxy) == type);
  g_assert_true (g_type_is_a (type, ZBUS_TYPE_PROXY));
  g_assert_cmpstr (zbus_proxy_get_interface_name (proxy), ==, GADGET_IFACE);
  g_assert_nonnull (zbus_proxy_get_interface_info (proxy));
  g_assert_cmpstr (zbus_proxy_get_interface_info (proxy)->name, ==, GADGET_IFACE);

  /* The pspecs are the interface type's: same names, types and ranges. */
  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (proxy), "count");
  g_assert_true (G_IS_PARAM_SPEC_INT (pspec));
  g_assert_cmpint (G_PARAM_SPEC_INT (pspec)->maximum, ==, 100);
  g_assert_true (pspec == zbus_proxy_lookup_dbus_property (proxy, "Count"));
  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (proxy), "mode");
  g_assert_true (G_IS_PARAM_SPEC_ENUM (pspec));
  g_assert_true (pspec->value_type == G_TYPE_FILE_TYPE);
  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (proxy), "tags");
  g_assert_true (pspec->value_type == G_TYPE_STRV);
  g_assert_false (pspec->flags & G_PARAM_WRITABLE);
  /* ZbusProxy has a `connection`: the interface's gets a prefix. */
  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (proxy), "remote-connection");
  g_assert_nonnull (pspec);
  g_assert_true (pspec == zbus_proxy_lookup_dbus_property (proxy, "Connection"));
  g_assert_null (zbus_proxy_lookup_dbus_property (proxy, "NoSuch"));

  /* Reading: the values the service has. */
  g_object_get (proxy, "label", &label, "mode", &mode, "tags", &tags, "peer", &peer,
                "remote-connection", &wired, NULL);
  g_assert_cmpint (get_int (proxy, "count"), ==, 4);
  g_assert_cmpstr (label, ==, "hello");
  g_assert_cmpint (mode, ==, G_FILE_TYPE_REGULAR);
  g_assert_cmpstrv (tags, ((const char * const[]) { "red", "round", NULL }));
  g_assert_cmpstr (peer, ==, GADGET_PATH);   /* an object is its path */
  g_assert_cmpstr (wired, ==, "wired");
  g_assert_true (zbus_connection_get_unique_name (zbus_proxy_get_connection (proxy)) != NULL);

  /* notify:: follows PropertiesChanged, and so does a binding. */
  g_signal_connect (proxy, "notify::count", G_CALLBACK (notify_cb), &r);
  g_object_bind_property (proxy, "count", target, "count", G_BINDING_SYNC_CREATE);
  g_assert_cmpint (target->count, ==, 4);
  g_object_set (fixture->gadget, "count", 11, NULL);
  wait_until (r.notifies == 1);
  g_assert_cmpint (get_int (proxy, "count"), ==, 11);
  g_assert_cmpint (target->count, ==, 11);

  /* Writing goes through Set; reading back sees the value at once. */
  g_object_set (proxy, "count", 30, NULL);
  g_assert_cmpint (get_int (proxy, "count"), ==, 30);
  g_assert_cmpint (target->count, ==, 30);
  g_assert_cmpuint (r.notifies, ==, 2);
  wait_until (fixture->gadget->count == 30);
  g_object_set (proxy, "mode", G_FILE_TYPE_DIRECTORY, NULL);
  wait_until (fixture->gadget->mode == G_FILE_TYPE_DIRECTORY);
  /* The service's own PropertiesChanged brings nothing new: no notify. */
  while (g_main_context_iteration (NULL, FALSE));
  g_assert_cmpuint (r.notifies, ==, 2);
  g_assert_cmpuint (r.failures, ==, 0);

  recorder_clear (&r, proxy);
}

static void
test_typed_failed_set (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(ZbusProxy) proxy = NULL;
  g_autofree char *label = NULL;
  g_autofree char *remote = NULL;
  g_autofree char *peer = NULL;
  Recorder r = { 0, };
  Recorder any = { 0, };

  proxy = new_gadget_proxy (fixture, ZBUS_PROXY_CACHE_MODE_EAGER);
  g_signal_connect (proxy, "notify::label", G_CALLBACK (notify_cb), &r);
  g_signal_connect (proxy, "set-property-failed::label", G_CALLBACK (set_failed_cb), &r);
  g_signal_connect (proxy, "set-property-failed", G_CALLBACK (set_failed_cb), &any);

  /* The service refuses: the old value comes back, notified. */
  g_object_set (proxy, "label", "forbidden", NULL);
  label = get_string (proxy, "label");
  g_assert_cmpstr (label, ==, "forbidden");
  g_assert_cmpuint (r.notifies, ==, 1);
  wait_until (r.failures == 1);
  g_assert_cmpstr (r.failed_name, ==, "label");
  remote = g_dbus_error_get_remote_error (r.failure);
  g_assert_cmpstr (remote, ==, "org.zbus.Test.Error.Refused");
  g_assert_cmpuint (r.notifies, ==, 2);
  g_clear_pointer (&label, g_free);
  label = get_string (proxy, "label");
  g_assert_cmpstr (label, ==, "hello");
  g_assert_cmpstr (fixture->gadget->label, ==, "hello");

  /* A value that cannot be sent fails at once, and changes nothing. */
  g_object_set (proxy, "peer", "not a path", NULL);
  g_assert_cmpuint (any.failures, ==, 2);
  g_assert_cmpstr (any.failed_name, ==, "peer");
  g_assert_error (any.failure, G_DBUS_ERROR, G_DBUS_ERROR_FAILED);
  peer = get_string (proxy, "peer");
  g_assert_cmpstr (peer, ==, GADGET_PATH);
  g_assert_cmpuint (r.failures, ==, 1);

  /* An accepted value stays (a PropertiesChanged of the refused write,
   * still on its way, may show the old value meanwhile). */
  g_object_set (proxy, "label", "fine", NULL);
  wait_until (g_strcmp0 (fixture->gadget->label, "fine") == 0);
  g_clear_pointer (&label, g_free);
  for (;;)
    {
      guint seen = r.notifies;

      label = get_string (proxy, "label");
      if (g_strcmp0 (label, "fine") == 0)
        break;
      g_clear_pointer (&label, g_free);
      wait_until (r.notifies > seen);
    }
  g_assert_cmpuint (any.failures, ==, 2);

  recorder_clear (&r, proxy);
  recorder_clear (&any, proxy);
}

static void
pinged_cb (ZbusProxy  *proxy,
           const char *text,
           int         number,
           Recorder   *r)
{
  r->signals++;
  g_free (r->signal_text);
  r->signal_text = g_strdup (text);
  r->signal_number = number;
}

static void
test_typed_signals_methods (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusProxy) proxy = NULL;
  g_autoptr(ZbusProxy) plain = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GVariant) reply = NULL;
  GSignalQuery query;
  int sum = 0;
  Recorder r = { 0, };

  proxy = new_gadget_proxy (fixture, ZBUS_PROXY_CACHE_MODE_LAZY);

  /* The signal has the interface type's name and parameter types. */
  g_signal_query (g_signal_lookup ("pinged", G_OBJECT_TYPE (proxy)), &query);
  g_assert_cmpuint (query.n_params, ==, 2);
  g_assert_true (query.param_types[0] == G_TYPE_STRING);
  g_assert_true (query.param_types[1] == G_TYPE_INT);
  g_signal_connect (proxy, "pinged", G_CALLBACK (pinged_cb), &r);
  g_signal_emit_by_name (fixture->gadget, "pinged", "from afar", 7);
  wait_until (r.signals == 1);
  g_assert_cmpstr (r.signal_text, ==, "from afar");
  g_assert_cmpint (r.signal_number, ==, 7);

  /* Methods by GObject name and by D-Bus name, checked. */
  zbus_proxy_call_method_async (proxy, "add", g_variant_new ("(ii)", 40, 2),
                                ZBUS_MESSAGE_FLAGS_NONE, -1, NULL, store_result_cb, &result);
  wait_until (result != NULL);
  reply = zbus_proxy_call_method_finish (proxy, result, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(i)", &sum);
  g_assert_cmpint (sum, ==, 42);
  g_clear_object (&result);
  g_clear_pointer (&reply, g_variant_unref);
  zbus_proxy_call_method_async (proxy, "Add", g_variant_new ("(ii)", 1, 2),
                                ZBUS_MESSAGE_FLAGS_NONE, -1, NULL, store_result_cb, &result);
  wait_until (result != NULL);
  reply = zbus_proxy_call_method_finish (proxy, result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_variant_get_type_string (reply), ==, "(i)");
  g_clear_object (&result);

  /* Wrong arguments and unknown methods fail before anything is sent. */
  g_assert_null (zbus_proxy_call_method (proxy, "add", g_variant_new ("(s)", "two"),
                                         ZBUS_MESSAGE_FLAGS_NONE, -1, NULL, &error));
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_assert_nonnull (strstr (error->message, "(ii)"));
  g_clear_error (&error);
  g_assert_null (zbus_proxy_call_method (proxy, "subtract", NULL, ZBUS_MESSAGE_FLAGS_NONE, -1,
                                         NULL, &error));
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD);
  g_clear_error (&error);
  zbus_proxy_call_method_async (proxy, "add", NULL, ZBUS_MESSAGE_FLAGS_NONE, -1, NULL,
                                store_result_cb, &result);
  wait_until (result != NULL);
  g_assert_null (zbus_proxy_call_method_finish (proxy, result, &error));
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_clear_error (&error);

  /* A plain proxy has no description to call by. */
  plain = zbus_proxy_new (fixture->connection, NULL, GADGET_PATH, GADGET_IFACE,
                          ZBUS_PROXY_CACHE_MODE_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (zbus_proxy_get_interface_info (plain));
  g_assert_null (zbus_proxy_call_method (plain, "Add", g_variant_new ("(ii)", 1, 2),
                                         ZBUS_MESSAGE_FLAGS_NONE, -1, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);

  recorder_clear (&r, proxy);
}

static void
test_typed_sync_lazy (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusProxy) proxy = NULL;
  g_autoptr(ZbusProxy) other = NULL;
  g_autoptr(ZbusProxy) uncached = NULL;
  Recorder r = { 0, };

  /* Lazy: construction asks only the bus, so it may block here. */
  proxy = zbus_proxy_new_for_interface_type (fixture->connection, TEST_TYPE_GADGET,
                                             zbus_connection_get_unique_name (fixture->server),
                                             GADGET_PATH, ZBUS_PROXY_CACHE_MODE_LAZY, NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (proxy, "notify::count", G_CALLBACK (notify_cb), &r);
  /* The first read starts the load and gives the default until it ends. */
  g_assert_cmpint (get_int (proxy, "count"), ==, 0);
  wait_until (r.notifies > 0);
  g_assert_cmpint (get_int (proxy, "count"), ==, 4);

  /* Two proxies of one interface type share one type. */
  other = new_gadget_proxy (fixture, ZBUS_PROXY_CACHE_MODE_EAGER);
  g_assert_true (G_OBJECT_TYPE (proxy) == G_OBJECT_TYPE (other));

  /* No cache: the properties hold their defaults. */
  uncached = new_gadget_proxy (fixture, ZBUS_PROXY_CACHE_MODE_NONE);
  g_assert_cmpint (get_int (uncached, "count"), ==, 0);
  g_assert_cmpint (get_int (other, "count"), ==, 4);

  recorder_clear (&r, proxy);
}

/* ------------------------------------------------------------------------ */
/* Runtime proxies: from XML against python-dbusmock */

static const char mock_xml[] =
  "<node>"
  "  <interface name='" MOCK_IFACE "'>"
  "    <property name='Count' type='i' access='readwrite'/>"
  "    <property name='Name' type='s' access='readwrite'/>"
  "    <property name='Missing' type='i' access='readwrite'/>"
  "    <signal name='Ping'><arg name='text' type='s'/></signal>"
  "    <method name='Sum'>"
  "      <arg type='i' direction='in'/><arg type='i' direction='in'/>"
  "      <arg type='i' direction='out'/>"
  "    </method>"
  "  </interface>"
  "  <interface name='org.zbus.Other'/>"
  "</node>";

static void
ping_cb (ZbusProxy  *proxy,
         const char *text,
         Recorder   *r)
{
  r->signals++;
  g_free (r->signal_text);
  r->signal_text = g_strdup (text);
}

static void
test_runtime_xml (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusProxy) proxy = NULL;
  g_autoptr(ZbusProxy) again = NULL;
  g_autoptr(ZbusProxy) wider = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(TestGadget) target = g_object_new (TEST_TYPE_GADGET, NULL);
  g_autofree char *name = NULL;
  g_autofree char *missing_remote = NULL;
  GParamSpec *pspec;
  GSignalQuery query;
  int sum = 0;
  Recorder r = { 0, };

  start_mock (fixture);
  proxy = zbus_proxy_new_for_xml (fixture->connection, mock_xml, MOCK_IFACE, MOCK_NAME, MOCK_PATH,
                                  ZBUS_PROXY_CACHE_MODE_EAGER, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_type_is_a (G_OBJECT_TYPE (proxy), ZBUS_TYPE_PROXY));
  g_assert_true (G_OBJECT_TYPE (proxy) != ZBUS_TYPE_PROXY);

  /* Properties by their GObject names, of the types their signatures say. */
  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (proxy), "count");
  g_assert_true (G_IS_PARAM_SPEC_INT (pspec));
  g_assert_true (pspec->flags & G_PARAM_READWRITE);
  g_assert_cmpint (get_int (proxy, "count"), ==, 1);
  name = get_string (proxy, "name");
  g_assert_cmpstr (name, ==, "mock");
  g_assert_cmpint (get_int (proxy, "missing"), ==, 0);   /* not there: the default */

  /* notify and bindings follow the service. */
  g_signal_connect (proxy, "notify::count", G_CALLBACK (notify_cb), &r);
  g_object_bind_property (proxy, "count", target, "count", G_BINDING_SYNC_CREATE);
  g_assert_cmpint (target->count, ==, 1);
  mock_control (fixture, "UpdateProperties",
                g_variant_new_parsed ("(%s, {'Count': <int32 9>})", MOCK_IFACE));
  wait_until (r.notifies == 1);
  g_assert_cmpint (get_int (proxy, "count"), ==, 9);
  g_assert_cmpint (target->count, ==, 9);

  /* Set: the mock takes it. */
  g_object_set (proxy, "count", 5, NULL);
  g_assert_cmpint (target->count, ==, 5);
  wait_until (mock_count (fixture) == 5);

  /* Invalidated: notified, and fetched again when read (by the binding). */
  {
    GVariantBuilder args;
    guint seen = r.notifies;

    g_variant_builder_init (&args, G_VARIANT_TYPE ("av"));
    g_variant_builder_add (&args, "v", g_variant_new_string (MOCK_IFACE));
    g_variant_builder_add (&args, "v", g_variant_new_parsed ("@a{sv} {}"));
    g_variant_builder_add (&args, "v", g_variant_new_parsed ("['Count']"));
    mock_control (fixture, "EmitSignal",
                  g_variant_new ("(sssav)", "org.freedesktop.DBus.Properties",
                                 "PropertiesChanged", "sa{sv}as", &args));
    wait_until (r.notifies > seen);
    g_assert_cmpint (target->count, ==, 0);
    wait_until (target->count == 5);
    g_assert_cmpuint (r.notifies, ==, seen + 2);
    g_assert_cmpint (get_int (proxy, "count"), ==, 5);
  }

  /* A Set of a property the mock lacks fails: rolled back, reported. */
  g_signal_connect (proxy, "set-property-failed", G_CALLBACK (set_failed_cb), &r);
  g_object_set (proxy, "missing", 3, NULL);
  g_assert_cmpint (get_int (proxy, "missing"), ==, 3);
  wait_until (r.failures == 1);
  g_assert_cmpstr (r.failed_name, ==, "missing");
  missing_remote = g_dbus_error_get_remote_error (r.failure);
  g_assert_cmpstr (missing_remote, ==, MOCK_IFACE ".UnknownProperty");
  g_assert_cmpint (get_int (proxy, "missing"), ==, 0);

  /* The signal, with its argument mapped. */
  g_signal_query (g_signal_lookup ("ping", G_OBJECT_TYPE (proxy)), &query);
  g_assert_cmpuint (query.n_params, ==, 1);
  g_assert_true (query.param_types[0] == G_TYPE_STRING);
  g_signal_connect (proxy, "ping", G_CALLBACK (ping_cb), &r);
  mock_emit_ping (fixture, "hello");
  wait_until (r.signals == 1);
  g_assert_cmpstr (r.signal_text, ==, "hello");

  /* A method, sync (the mock is another process). */
  mock_control (fixture, "AddMethod",
                g_variant_new ("(sssss)", MOCK_IFACE, "Sum", "ii", "i", "ret = args[0] + args[1]"));
  reply = zbus_proxy_call_method (proxy, "sum", g_variant_new ("(ii)", 2, 40),
                                  ZBUS_MESSAGE_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(i)", &sum);
  g_assert_cmpint (sum, ==, 42);

  /* The same interface described otherwise (order, argument names, a
   * lone <interface>) is the same type; a different one is not. */
  again = zbus_proxy_new_for_xml (fixture->connection,
                                  "<interface name='" MOCK_IFACE "'>"
                                  "  <method name='Sum'>"
                                  "    <arg name='a' type='i' direction='in'/>"
                                  "    <arg name='b' type='i' direction='in'/>"
                                  "    <arg name='sum' type='i' direction='out'/>"
                                  "  </method>"
                                  "  <signal name='Ping'><arg type='s'/></signal>"
                                  "  <property name='Missing' type='i' access='readwrite'/>"
                                  "  <property name='Name' type='s' access='readwrite'/>"
                                  "  <property name='Count' type='i' access='readwrite'/>"
                                  "</interface>",
                                  NULL, MOCK_NAME, MOCK_PATH, ZBUS_PROXY_CACHE_MODE_LAZY,
                                  NULL, &error);
  g_assert_no_error (error);
  g_assert_true (G_OBJECT_TYPE (again) == G_OBJECT_TYPE (proxy));
  wider = zbus_proxy_new_for_xml (fixture->connection,
                                  "<node><interface name='" MOCK_IFACE "'>"
                                  "  <property name='Count' type='i' access='read'/>"
                                  "</interface></node>",
                                  NULL, MOCK_NAME, MOCK_PATH, ZBUS_PROXY_CACHE_MODE_EAGER,
                                  NULL, &error);
  g_assert_no_error (error);
  g_assert_true (G_OBJECT_TYPE (wider) != G_OBJECT_TYPE (proxy));
  g_assert_false (g_object_class_find_property (G_OBJECT_GET_CLASS (wider), "count")->flags &
                  G_PARAM_WRITABLE);
  g_assert_cmpint (get_int (wider, "count"), ==, 5);

  recorder_clear (&r, proxy);
}

/* The remote does not send what the description says: defaults and
 * dropped signals, never a crash. */
static void
dbus_signal_count_cb (ZbusProxy  *proxy,
                      const char *sender,
                      const char *name,
                      GVariant   *parameters,
                      Recorder   *r)
{
  r->notifies++;
}

static void
test_runtime_wrong_types (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusProxy) proxy = NULL;
  g_autofree char *count = NULL;
  Recorder r = { 0, };

  start_mock (fixture);
  proxy = zbus_proxy_new_for_xml (fixture->connection,
                                  "<interface name='" MOCK_IFACE "'>"
                                  "  <property name='Count' type='s' access='read'/>"
                                  "  <signal name='Ping'><arg type='i'/></signal>"
                                  "</interface>",
                                  NULL, MOCK_NAME, MOCK_PATH, ZBUS_PROXY_CACHE_MODE_EAGER,
                                  NULL, &error);
  g_assert_no_error (error);
  count = get_string (proxy, "count");
  g_assert_null (count);

  g_signal_connect (proxy, "ping", G_CALLBACK (ping_cb), &r);
  g_signal_connect (proxy, "dbus-signal::Ping", G_CALLBACK (dbus_signal_count_cb), &r);
  mock_emit_ping (fixture, "not a number");
  wait_until (r.notifies == 1);
  g_assert_cmpuint (r.signals, ==, 0);

  recorder_clear (&r, proxy);
}

/* ------------------------------------------------------------------------ */
/* Runtime proxies: from introspection */

static void
test_runtime_introspection (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusProxy) proxy = NULL;
  g_autoptr(ZbusProxy) second = NULL;
  g_autoptr(ZbusProxy) mock = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *label = NULL;
  g_autofree char *name = NULL;
  GType typed;
  GSignalQuery query;
  Recorder r = { 0, };

  /* Our gadget, served in this thread: asked without blocking. */
  zbus_proxy_new_for_introspection_async (fixture->connection,
                                          zbus_connection_get_unique_name (fixture->server),
                                          GADGET_PATH, GADGET_IFACE, ZBUS_PROXY_CACHE_MODE_EAGER,
                                          NULL, store_result_cb, &result);
  wait_until (result != NULL);
  proxy = zbus_proxy_new_for_introspection_finish (result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  typed = zbus_proxy_type_for_interface_type (TEST_TYPE_GADGET, &error);
  g_assert_no_error (error);
  g_assert_true (G_OBJECT_TYPE (proxy) != typed);
  g_assert_cmpint (get_int (proxy, "count"), ==, 4);
  label = get_string (proxy, "label");
  g_assert_cmpstr (label, ==, "hello");
  /* Mapped from the signatures: the enum is a uint here. */
  g_assert_true (g_object_class_find_property (G_OBJECT_GET_CLASS (proxy), "mode")->value_type ==
                 G_TYPE_UINT);
  g_signal_query (g_signal_lookup ("pinged", G_OBJECT_TYPE (proxy)), &query);
  g_assert_cmpuint (query.n_params, ==, 2);
  g_assert_true (query.param_types[1] == G_TYPE_INT);

  g_signal_connect (proxy, "notify::count", G_CALLBACK (notify_cb), &r);
  g_signal_connect (proxy, "pinged", G_CALLBACK (pinged_cb), &r);
  g_object_set (fixture->gadget, "count", 12, NULL);
  wait_until (r.notifies == 1);
  g_assert_cmpint (get_int (proxy, "count"), ==, 12);
  g_signal_emit_by_name (fixture->gadget, "pinged", "introspected", 3);
  wait_until (r.signals == 1);
  g_assert_cmpstr (r.signal_text, ==, "introspected");
  g_assert_cmpint (r.signal_number, ==, 3);
  g_object_set (proxy, "count", 13, NULL);
  wait_until (fixture->gadget->count == 13);

  /* A second introspection of the same interface: the same type. */
  zbus_proxy_new_for_introspection_async (fixture->connection,
                                          zbus_connection_get_unique_name (fixture->server),
                                          GADGET_PATH, GADGET_IFACE, ZBUS_PROXY_CACHE_MODE_LAZY,
                                          NULL, store_result_cb, &result);
  wait_until (result != NULL);
  second = zbus_proxy_new_for_introspection_finish (result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_true (G_OBJECT_TYPE (second) == G_OBJECT_TYPE (proxy));

  /* An interface the object does not have. */
  zbus_proxy_new_for_introspection_async (fixture->connection,
                                          zbus_connection_get_unique_name (fixture->server),
                                          GADGET_PATH, "org.zbus.Nowhere", ZBUS_PROXY_CACHE_MODE_LAZY,
                                          NULL, store_result_cb, &result);
  wait_until (result != NULL);
  g_assert_null (zbus_proxy_new_for_introspection_finish (result, &error));
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_INTERFACE);
  g_clear_error (&error);
  g_clear_object (&result);

  /* python-dbusmock's introspection, synchronously. */
  start_mock (fixture);
  mock = zbus_proxy_new_for_introspection (fixture->connection, MOCK_NAME, MOCK_PATH, MOCK_IFACE,
                                           ZBUS_PROXY_CACHE_MODE_EAGER, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (get_int (mock, "count"), ==, 1);
  name = get_string (mock, "name");
  g_assert_cmpstr (name, ==, "mock");

  /* Bad arguments are errors. */
  g_assert_null (zbus_proxy_new_for_introspection (fixture->connection, "not a name", MOCK_PATH,
                                                   MOCK_IFACE, ZBUS_PROXY_CACHE_MODE_NONE, NULL,
                                                   &error));
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME);

  recorder_clear (&r, proxy);
}

/* The remote's own description is hostile: python-dbusmock looks its
 * added methods up first, so one can stand in for Introspect. */
static void
mock_introspects_as (Fixture    *fixture,
                     const char *xml)
{
  g_autofree char *code = g_strdup_printf ("ret = '%s'", xml);

  mock_control (fixture, "AddMethod",
                g_variant_new ("(sssss)", "org.freedesktop.DBus.Introspectable", "Introspect",
                               "", "s", code));
}

static void
test_runtime_hostile_introspection (Fixture       *fixture,
                                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *many = NULL;
  GString *xml;

  start_mock (fixture);

  mock_introspects_as (fixture, "<node><interface name=\"" MOCK_IFACE "\"><<<");
  g_assert_null (zbus_proxy_new_for_introspection (fixture->connection, MOCK_NAME, MOCK_PATH,
                                                   MOCK_IFACE, ZBUS_PROXY_CACHE_MODE_EAGER,
                                                   NULL, &error));
  g_assert_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_PARSE);
  g_clear_error (&error);

  mock_introspects_as (fixture, "<node><interface name=\"" MOCK_IFACE "\">"
                                "<property name=\"Count\" type=\"i(\" access=\"read\"/>"
                                "</interface></node>");
  g_assert_null (zbus_proxy_new_for_introspection (fixture->connection, MOCK_NAME, MOCK_PATH,
                                                   MOCK_IFACE, ZBUS_PROXY_CACHE_MODE_EAGER,
                                                   NULL, &error));
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_SIGNATURE);
  g_clear_error (&error);

  xml = g_string_new ("<node><interface name=\"" MOCK_IFACE "\">");
  for (guint i = 0; i <= ZBUS_PROXY_TYPE_MAX_MEMBERS; i++)
    g_string_append_printf (xml, "<signal name=\"S%u\"/>", i);
  g_string_append (xml, "</interface></node>");
  many = g_string_free (xml, FALSE);
  mock_introspects_as (fixture, many);
  g_assert_null (zbus_proxy_new_for_introspection (fixture->connection, MOCK_NAME, MOCK_PATH,
                                                   MOCK_IFACE, ZBUS_PROXY_CACHE_MODE_EAGER,
                                                   NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);

  /* The connection is none the worse. */
  reply = zbus_connection_call_sync (fixture->connection, MOCK_NAME, MOCK_PATH,
                                     "org.freedesktop.DBus.Properties", "Get",
                                     g_variant_new ("(ss)", MOCK_IFACE, "Count"),
                                     G_VARIANT_TYPE ("(v)"), ZBUS_MESSAGE_FLAGS_NONE, -1,
                                     NULL, &error);
  g_assert_no_error (error);
}

/* ------------------------------------------------------------------------ */
/* Hostile descriptions */

static GType
type_for_xml (const char  *xml,
              GError     **error)
{
  g_autoptr(GDBusNodeInfo) node = g_dbus_node_info_new_for_xml (xml, error);

  if (node == NULL)
    return G_TYPE_INVALID;
  g_assert_nonnull (node->interfaces[0]);
  return zbus_proxy_type_for_interface_info (node->interfaces[0], error);
}

static void
assert_refused (const char *xml,
                GQuark      domain,
                int         code)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (type_for_xml (xml, &error), ==, G_TYPE_INVALID);
  g_assert_error (error, domain, code);
  g_test_message ("refused as expected: %s", error->message);
}

static char *
many_members_xml (guint n)
{
  GString *xml = g_string_new ("<node><interface name='org.zbus.Hostile.Big'>");

  for (guint i = 0; i < n; i++)
    g_string_append_printf (xml, "<property name='P%u' type='i' access='read'/>", i);
  g_string_append (xml, "</interface></node>");
  return g_string_free (xml, FALSE);
}

static void
test_hostile (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *big = NULL;
  g_autofree char *huge = NULL;
  g_autofree char *too_many = NULL;
  GString *deep;
  GType type;
  GObjectClass *klass;

  /* Not XML, no such interface, the interface twice. */
  g_assert_null (zbus_proxy_new_for_xml (fixture->connection, "<node><interface", NULL, MOCK_NAME,
                                         MOCK_PATH, ZBUS_PROXY_CACHE_MODE_NONE, NULL, &error));
  g_assert_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_PARSE);
  g_clear_error (&error);
  g_assert_null (zbus_proxy_new_for_xml (fixture->connection, "<node/>", "a.b", MOCK_NAME,
                                         MOCK_PATH, ZBUS_PROXY_CACHE_MODE_NONE, NULL, &error));
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_INTERFACE);
  g_clear_error (&error);
  g_assert_null (zbus_proxy_new_for_xml (fixture->connection,
                                         "<node><interface name='a.b'/><interface name='a.b'/></node>",
                                         "a.b", MOCK_NAME, MOCK_PATH, ZBUS_PROXY_CACHE_MODE_NONE,
                                         NULL, &error));
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME);
  g_clear_error (&error);
  g_assert_null (zbus_proxy_new_for_xml (fixture->connection,
                                         "<node><interface name='a.b'/><interface name='a.c'/></node>",
                                         NULL, MOCK_NAME, MOCK_PATH, ZBUS_PROXY_CACHE_MODE_NONE,
                                         NULL, &error));
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_clear_error (&error);
  /* Not UTF-8: GMarkup would quote the bad bytes in its message (found by
   * fuzz-proxy-xml); the message must stay valid UTF-8. */
  g_assert_null (zbus_proxy_new_for_xml (fixture->connection,
                                         "<node><interface name='a.b'></inte\xef" "face></node>",
                                         NULL, MOCK_NAME, MOCK_PATH, ZBUS_PROXY_CACHE_MODE_NONE,
                                         NULL, &error));
  g_assert_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_BAD_UTF8);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_clear_error (&error);
  /* GMarkup quotes only the first byte of a character a name may not hold. */
  g_assert_null (zbus_proxy_new_for_xml (fixture->connection, "<node><a\xd6\x8d/></node>",
                                         NULL, MOCK_NAME, MOCK_PATH, ZBUS_PROXY_CACHE_MODE_NONE,
                                         NULL, &error));
  g_assert_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_PARSE);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_clear_error (&error);
  /* A <node> inside another element crashes GDBus's parser when that
   * element ends (found by fuzz-proxy-xml); it is refused first. */
  g_assert_null (zbus_proxy_new_for_xml (fixture->connection,
                                         "<node><interface name='a.b'><method name='M'>"
                                         "<node><interface name='c.d'/></node>"
                                         "</method></interface></node>",
                                         NULL, MOCK_NAME, MOCK_PATH, ZBUS_PROXY_CACHE_MODE_NONE,
                                         NULL, &error));
  g_assert_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT);
  g_clear_error (&error);
  /* So is XML nested deep enough to take GDBus minutes (it counts the
   * depth at each element) or to overflow the stack when freed. */
  deep = g_string_new (NULL);
  for (guint i = 0; i < 100000; i++)
    g_string_append (deep, "<node>");
  for (guint i = 0; i < 100000; i++)
    g_string_append (deep, "</node>");
  g_assert_null (zbus_proxy_new_for_xml (fixture->connection, deep->str, NULL, MOCK_NAME,
                                         MOCK_PATH, ZBUS_PROXY_CACHE_MODE_NONE, NULL, &error));
  g_assert_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT);
  g_clear_error (&error);
  g_string_free (deep, TRUE);

  /* Names and signatures GDBusNodeInfo lets through. */
  assert_refused ("<node><interface name='a..b'/></node>", ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME);
  assert_refused ("<node><interface name='a.b'><method name='1x'/></interface></node>",
                  ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME);
  assert_refused ("<node><interface name='a.b'><signal name='a-b'/></interface></node>",
                  ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME);
  assert_refused ("<node><interface name='a.b'><property name='X' type='ii' access='read'/>"
                  "</interface></node>", ZBUS_ERROR, ZBUS_ERROR_INVALID_SIGNATURE);
  assert_refused ("<node><interface name='a.b'><property name='X' type='' access='read'/>"
                  "</interface></node>", ZBUS_ERROR, ZBUS_ERROR_INVALID_SIGNATURE);
  assert_refused ("<node><interface name='a.b'><method name='M'><arg type='zz' direction='in'/>"
                  "</method></interface></node>", ZBUS_ERROR, ZBUS_ERROR_INVALID_SIGNATURE);
  assert_refused ("<node><interface name='a.b'><signal name='S'><arg type='a'/></signal>"
                  "</interface></node>", ZBUS_ERROR, ZBUS_ERROR_INVALID_SIGNATURE);

  /* Duplicates, and names that map to one GObject name or to none. */
  assert_refused ("<node><interface name='a.b'><property name='X' type='i' access='read'/>"
                  "<property name='X' type='s' access='read'/></interface></node>",
                  ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME);
  assert_refused ("<node><interface name='a.b'><method name='M'/><method name='M'/>"
                  "</interface></node>", ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME);
  assert_refused ("<node><interface name='a.b'><signal name='FooBar'/><signal name='foo_bar'/>"
                  "</interface></node>", ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME);
  assert_refused ("<node><interface name='a.b'><property name='_1' type='i' access='read'/>"
                  "</interface></node>", ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME);

  /* Names ZbusProxy or GObject has are sanitised with a prefix. */
  type = type_for_xml ("<node><interface name='org.zbus.Hostile.Clash'>"
                       "<property name='Connection' type='s' access='read'/>"
                       "<property name='NameOwner' type='s' access='read'/>"
                       "<signal name='Notify'/><signal name='DBusSignal'/>"
                       "</interface></node>", &error);
  g_assert_no_error (error);
  klass = g_type_class_ref (type);
  g_assert_true (g_object_class_find_property (klass, "remote-connection")->value_type ==
                 G_TYPE_STRING);
  g_assert_nonnull (g_object_class_find_property (klass, "remote-name-owner"));
  g_assert_true (g_object_class_find_property (klass, "connection")->owner_type == ZBUS_TYPE_PROXY);
  g_assert_cmpuint (g_signal_lookup ("remote-notify", type), !=, 0);
  g_assert_cmpuint (g_signal_lookup ("remote-dbus-signal", type), !=, 0);
  g_type_class_unref (klass);
  /* … and a member that then clashes with another is refused. */
  assert_refused ("<node><interface name='org.zbus.Hostile.Clash2'>"
                  "<property name='Connection' type='s' access='read'/>"
                  "<property name='RemoteConnection' type='s' access='read'/>"
                  "</interface></node>", ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME);

  /* Member counts are capped; the cap itself is fine. */
  big = many_members_xml (ZBUS_PROXY_TYPE_MAX_MEMBERS);
  type = type_for_xml (big, &error);
  g_assert_no_error (error);
  klass = g_type_class_ref (type);
  g_assert_nonnull (g_object_class_find_property (klass, "p511"));
  g_type_class_unref (klass);
  too_many = many_members_xml (ZBUS_PROXY_TYPE_MAX_MEMBERS + 1);
  assert_refused (too_many, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);

  /* XML past the size limit is not even parsed. */
  huge = g_malloc (17 * 1024 * 1024 + 1);
  memset (huge, ' ', 17 * 1024 * 1024);
  huge[17 * 1024 * 1024] = '\0';
  memcpy (huge, "<node>", 6);
  g_assert_null (zbus_proxy_new_for_xml (fixture->connection, huge, NULL, MOCK_NAME, MOCK_PATH,
                                         ZBUS_PROXY_CACHE_MODE_NONE, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);

  /* A remote that describes one interface ever differently cannot make
   * types without end. */
  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *xml = g_strdup_printf ("<node><interface name='org.zbus.Hostile.Shifty'>"
                                              "<property name='P%u' type='i' access='read'/>"
                                              "</interface></node>", i);

      type = type_for_xml (xml, &error);
      if (i < 32)
        g_assert_no_error (error);
      else
        {
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
          g_assert_cmpuint (type, ==, G_TYPE_INVALID);
          g_clear_error (&error);
        }
    }

  /* A description refused, or over the cap, leaves no trace: the GObject
   * names of its properties are not interned (found by fuzz-proxy-xml: the
   * quark table, never freed, grew with each description a remote sent). */
  assert_refused ("<node><interface name='org.zbus.Hostile.Refused'>"
                  "<property name='NeverInterned1' type='i' access='read'/>"
                  "<method name='1x'/></interface></node>", ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME);
  g_assert_cmpuint (g_quark_try_string ("never-interned1"), ==, 0);
  assert_refused ("<node><interface name='org.zbus.Hostile.Shifty'>"
                  "<property name='NeverInterned2' type='i' access='read'/>"
                  "</interface></node>", G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_assert_cmpuint (g_quark_try_string ("never-interned2"), ==, 0);
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
  g_test_summary ("ZbusProxy types from a ZbusInterface type, from XML and from introspection");

  for (guint i = 0; i < G_N_ELEMENTS (transports); i++)
    {
      gconstpointer t = GINT_TO_POINTER (transports[i].transport);
#define ADD(path, func) \
      G_STMT_START { \
        g_autofree char *full = g_strdup_printf ("/Zbus/ProxyTypes/%s/%s", transports[i].name, path); \
        g_test_add (full, Fixture, t, fixture_setup, func, fixture_teardown); \
      } G_STMT_END
      ADD ("typed-properties", test_typed_properties);
      ADD ("typed-failed-set", test_typed_failed_set);
      ADD ("typed-signals-methods", test_typed_signals_methods);
      ADD ("typed-sync-lazy", test_typed_sync_lazy);
      ADD ("runtime-xml", test_runtime_xml);
      ADD ("runtime-wrong-types", test_runtime_wrong_types);
      ADD ("runtime-introspection", test_runtime_introspection);
      ADD ("runtime-hostile-introspection", test_runtime_hostile_introspection);
      ADD ("hostile", test_hostile);
#undef ADD
    }

  return g_test_run ();
}
