/* test-call-control.c: authorization and call order in ZbusObjectServer,
 * and the calls it takes over on the GDBus transport, on a real
 * dbus-daemon, on both transports, driven by a GDBus client
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "zbus-gobject.h"
#include "test-util.h"

/* What the handlers did, in order: "e3" Echo(3) ran, "h2" Slow(2) ran,
 * "r2" Slow(2) was answered, "a1"/"d1" authorization of call 1 asked and
 * decided, "o<"/"o>" CallOut started and finished. */
static GString *trace;
/* The Slow invocations, in the order their handlers ran. */
static GPtrArray *held;

static void
note (const char *format,
      ...) G_GNUC_PRINTF (1, 2);

static void
note (const char *format,
      ...)
{
  va_list args;

  va_start (args, format);
  g_string_append_vprintf (trace, format, args);
  va_end (args);
  g_string_append_c (trace, ' ');
}

/* ------------------------------------------------------------------------ */
/* The interfaces: one base with the members, a loose and a strict type */

#define TEST_TYPE_CTL (test_ctl_get_type ())
typedef struct { ZbusInterface parent_instance; int value; } TestCtl;
typedef struct { ZbusInterfaceClass parent_class; } TestCtlClass;
GType test_ctl_get_type (void);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestCtl, g_object_unref)
G_DEFINE_ABSTRACT_TYPE (TestCtl, test_ctl, ZBUS_TYPE_INTERFACE)

static int
test_ctl_echo (TestCtl *self,
               int      n)
{
  note ("e%d", n);
  return n;
}

static void
test_ctl_slow (TestCtl              *self,
               ZbusMethodInvocation *invocation,
               int                   n)
{
  note ("h%d", n);
  g_ptr_array_add (held, g_object_ref (invocation));
}

/* A sync method that answers later: its invocation is made when it asks
 * for it, during its dispatch, and holds the strict order as well. */
static int
test_ctl_later (TestCtl *self,
                int      n)
{
  ZbusMethodInvocation *invocation = zbus_method_invocation_get_current ();

  note ("l%d", n);
  g_assert_true (zbus_method_invocation_get_current () == invocation);
  g_ptr_array_add (held, zbus_method_invocation_defer (invocation));
  return -1;
}

/* A synchronous call out on the serving connection, after the caller's
 * next call had time to arrive. */
static char *
test_ctl_call_out (TestCtl *self)
{
  ZbusMethodInvocation *invocation = zbus_method_invocation_get_current ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  char *id;

  note ("o<");
  g_usleep (100 * 1000);
  reply = zbus_connection_call_sync (zbus_method_invocation_get_connection (invocation),
                                     "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                     "org.freedesktop.DBus", "GetId", NULL, G_VARIANT_TYPE ("(s)"),
                                     ZBUS_MESSAGE_FLAGS_NONE, 5000, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(s)", &id);
  note ("o>");
  return id;
}

static void
test_ctl_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  g_value_set_int (value, ((TestCtl *) object)->value);
}

static void
test_ctl_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  ((TestCtl *) object)->value = g_value_get_int (value);
}

static void
test_ctl_class_init (TestCtlClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GType type = G_TYPE_FROM_CLASS (klass);

  object_class->get_property = test_ctl_get_property;
  object_class->set_property = test_ctl_set_property;
  g_object_class_install_property (object_class, 1,
    g_param_spec_int ("value", NULL, NULL, 0, 100, 5, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  g_signal_new_class_handler ("echo", type, G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
                              G_CALLBACK (test_ctl_echo), NULL, NULL, NULL,
                              G_TYPE_INT, 1, G_TYPE_INT);
  g_signal_new_class_handler ("slow", type, G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
                              G_CALLBACK (test_ctl_slow), NULL, NULL, NULL,
                              G_TYPE_NONE, 2, ZBUS_TYPE_METHOD_INVOCATION, G_TYPE_INT);
  g_signal_new_class_handler ("later", type, G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
                              G_CALLBACK (test_ctl_later), NULL, NULL, NULL,
                              G_TYPE_INT, 1, G_TYPE_INT);
  g_signal_new_class_handler ("call-out", type, G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
                              G_CALLBACK (test_ctl_call_out), NULL, NULL, NULL,
                              G_TYPE_STRING, 0);
}

static void
test_ctl_init (TestCtl *self)
{
  self->value = 5;
}

#define TEST_TYPE_LOOSE (test_loose_get_type ())
G_DECLARE_FINAL_TYPE (TestLoose, test_loose, TEST, LOOSE, TestCtl)
struct _TestLoose { TestCtl parent_instance; };
G_DEFINE_FINAL_TYPE (TestLoose, test_loose, TEST_TYPE_CTL)

static void
test_loose_class_init (TestLooseClass *klass)
{
  zbus_interface_type_set_name (G_TYPE_FROM_CLASS (klass), "org.zbus.Loose");
  zbus_interface_type_set_method_signature (G_TYPE_FROM_CLASS (klass), "slow", "i", NULL);
}

static void
test_loose_init (TestLoose *self)
{
}

#define TEST_TYPE_STRICT (test_strict_get_type ())
G_DECLARE_FINAL_TYPE (TestStrict, test_strict, TEST, STRICT, TestCtl)
struct _TestStrict { TestCtl parent_instance; };
G_DEFINE_FINAL_TYPE (TestStrict, test_strict, TEST_TYPE_CTL)

static void
test_strict_class_init (TestStrictClass *klass)
{
  zbus_interface_type_set_name (G_TYPE_FROM_CLASS (klass), "org.zbus.Strict");
  zbus_interface_type_set_method_signature (G_TYPE_FROM_CLASS (klass), "slow", "i", NULL);
  zbus_interface_type_set_strict_order (G_TYPE_FROM_CLASS (klass), TRUE);
}

static void
test_strict_init (TestStrict *self)
{
}

/* ------------------------------------------------------------------------ */
/* Fixture: a bus, a serving connection on one transport, a GDBus client */

#define LOOSE_PATH "/org/zbus/ctl/loose"
#define STRICT_PATH "/org/zbus/ctl/strict"

typedef struct
{
  GTestDBus        *bus;
  ZbusConnection   *server_conn;
  ZbusObjectServer *server;
  TestLoose        *loose;
  TestStrict       *strict;
  GDBusConnection  *client;
  const char       *name;
  GString          *replies;   /* the tags of the calls answered, in order */
} Fixture;

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
  fixture->loose = g_object_new (TEST_TYPE_LOOSE, NULL);
  fixture->strict = g_object_new (TEST_TYPE_STRICT, NULL);
  g_assert_true (zbus_object_server_at (fixture->server, LOOSE_PATH, ZBUS_INTERFACE (fixture->loose), &error));
  g_assert_no_error (error);
  g_assert_true (zbus_object_server_at (fixture->server, STRICT_PATH, ZBUS_INTERFACE (fixture->strict), &error));
  g_assert_no_error (error);
  fixture->client = zbus_test_connect_gdbus ();
  fixture->replies = g_string_new (NULL);
  trace = g_string_new (NULL);
  held = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_signal_handlers_disconnect_matched (fixture->server, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, fixture);
  g_dbus_connection_close_sync (fixture->client, NULL, NULL);
  g_clear_object (&fixture->client);
  g_ptr_array_unref (held);
  zbus_connection_close_sync (fixture->server_conn, NULL, NULL);
  g_clear_object (&fixture->server_conn);
  while (g_main_context_iteration (NULL, FALSE));
  g_assert_finalize_object (fixture->loose);
  g_assert_finalize_object (fixture->strict);
  g_string_free (trace, TRUE);
  g_string_free (fixture->replies, TRUE);
  g_test_dbus_down (fixture->bus);
  g_clear_object (&fixture->bus);
}

/* One call in flight from the client. */
typedef struct
{
  Fixture  *fixture;
  char     *tag;
  GVariant *value;
  GError   *error;
  gboolean  done;
} Call;

static void
call_free (Call *call)
{
  g_free (call->tag);
  g_clear_pointer (&call->value, g_variant_unref);
  g_clear_error (&call->error);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Call, call_free)

static void
call_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Call *call = user_data;
  g_autoptr(GDBusMessage) reply = NULL;

  reply = g_dbus_connection_send_message_with_reply_finish (G_DBUS_CONNECTION (object), result,
                                                            &call->error);
  if (reply != NULL && !g_dbus_message_to_gerror (reply, &call->error))
    {
      call->value = g_dbus_message_get_body (reply);
      call->value = call->value ? g_variant_ref (call->value) : g_variant_ref_sink (g_variant_new ("()"));
    }
  g_string_append_printf (call->fixture->replies, "%s ", call->tag);
  call->done = TRUE;
}

/* Sends a call without waiting; @args (floating) is consumed. */
static Call *
start_call (Fixture    *fixture,
            const char *tag,
            const char *path,
            const char *interface_,
            const char *method,
            GVariant   *args)
{
  Call *call = g_new0 (Call, 1);
  g_autoptr(GDBusMessage) message = g_dbus_message_new_method_call (fixture->name, path, interface_, method);

  call->fixture = fixture;
  call->tag = g_strdup (tag);
  if (args != NULL)
    g_dbus_message_set_body (message, args);
  g_dbus_connection_send_message_with_reply (fixture->client, message, G_DBUS_SEND_MESSAGE_FLAGS_NONE,
                                             10000, NULL, NULL, call_done_cb, call);
  return call;
}

static gboolean
timed_out_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the context until *@flag is set, failing after five seconds. */
static void
wait_until (const gboolean *flag)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (5, timed_out_cb, &timed_out);

  while (!*flag && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (id);
}

static void
wait_for_call (Call *call)
{
  wait_until (&call->done);
}

static void
wait_until_held (guint n)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (5, timed_out_cb, &timed_out);

  while (held->len < n && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (id);
}

/* Runs the context for @msec milliseconds or until @call is answered;
 * returns whether it was. */
static gboolean
run_until_done_or (Call *call,
                   guint msec)
{
  gint64 until = g_get_monotonic_time () + msec * G_TIME_SPAN_MILLISECOND;

  while (!call->done && g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
  return call->done;
}

/* Runs a call to its end. */
static Call *
run_call (Fixture    *fixture,
          const char *path,
          const char *interface_,
          const char *method,
          GVariant   *args)
{
  Call *call = start_call (fixture, "x", path, interface_, method, args);

  wait_for_call (call);
  return call;
}

/* A round trip to a member no ordering holds back: the calls sent before
 * it have reached the server. */
static void
ping (Fixture *fixture)
{
  g_autoptr(Call) call = run_call (fixture, LOOSE_PATH, "org.freedesktop.DBus.Peer", "Ping", NULL);

  g_assert_no_error (call->error);
}

static void
answer_held (guint i)
{
  ZbusMethodInvocation *invocation = g_ptr_array_index (held, i);
  int n;

  g_variant_get (zbus_method_invocation_get_parameters (invocation), "(i)", &n);
  note ("r%d", n);
  zbus_method_invocation_return_value (invocation, g_variant_new ("(i)", n));
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

static void
assert_int_reply (Call *call,
                  int   expected)
{
  int n;

  g_assert_no_error (call->error);
  g_assert_nonnull (call->value);
  g_variant_get (call->value, "(i)", &n);
  g_assert_cmpint (n, ==, expected);
}

/* ------------------------------------------------------------------------ */
/* Authorization */

typedef struct
{
  guint n_asked;
  char *sender;
  char *member;
  char *interface_;
  char *path;
  ZbusInterface *target;
} Asked;

static Asked asked;

static void
asked_clear (void)
{
  g_clear_pointer (&asked.sender, g_free);
  g_clear_pointer (&asked.member, g_free);
  g_clear_pointer (&asked.interface_, g_free);
  g_clear_pointer (&asked.path, g_free);
  asked.target = NULL;
  asked.n_asked = 0;
}

static void
remember (ZbusMethodInvocation *invocation)
{
  guint n = asked.n_asked;

  asked_clear ();
  asked.n_asked = n + 1;
  asked.sender = g_strdup (zbus_method_invocation_get_sender (invocation));
  asked.member = g_strdup (zbus_method_invocation_get_member (invocation));
  asked.interface_ = g_strdup (zbus_method_invocation_get_interface_name (invocation));
  asked.path = g_strdup (zbus_method_invocation_get_path (invocation));
  asked.target = zbus_method_invocation_get_interface (invocation);
}

/* Decides at once: Echo(13) is refused, Echo(7) left to the default,
 * Set refused, anything else allowed. */
static gboolean
authorize_now_cb (ZbusObjectServer     *server,
                  ZbusMethodInvocation *invocation,
                  gpointer              user_data)
{
  const char *member = zbus_method_invocation_get_member (invocation);

  remember (invocation);
  if (g_str_equal (member, "Echo"))
    {
      int n;

      g_variant_get (zbus_method_invocation_get_parameters (invocation), "(i)", &n);
      if (n == 13)
        {
          zbus_method_invocation_deny (invocation, "Not 13");
          return TRUE;
        }
      if (n == 7)
        return FALSE;
    }
  else if (g_str_equal (member, "Set"))
    {
      zbus_method_invocation_deny (invocation, "Read-only for you");
      return TRUE;
    }
  zbus_method_invocation_authorize (invocation);
  return TRUE;
}

static void
test_authorize_sync (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(Call) one = NULL;
  g_autoptr(Call) thirteen = NULL;
  g_autoptr(Call) seven = NULL;
  g_autoptr(Call) get = NULL;
  g_autoptr(Call) set = NULL;
  g_autoptr(Call) introspect = NULL;
  g_autoptr(Call) unknown = NULL;
  g_autoptr(Call) unserved = NULL;
  guint n;

  asked_clear ();
  g_signal_connect (fixture->server, "authorize-call", G_CALLBACK (authorize_now_cb), fixture);

  one = run_call (fixture, LOOSE_PATH, "org.zbus.Loose", "Echo", g_variant_new ("(i)", 1));
  assert_int_reply (one, 1);
  g_assert_cmpuint (asked.n_asked, ==, 1);
  g_assert_cmpstr (asked.sender, ==, g_dbus_connection_get_unique_name (fixture->client));
  g_assert_cmpstr (asked.member, ==, "Echo");
  g_assert_cmpstr (asked.interface_, ==, "org.zbus.Loose");
  g_assert_cmpstr (asked.path, ==, LOOSE_PATH);
  g_assert_true (asked.target == ZBUS_INTERFACE (fixture->loose));

  /* Refused: the handler never runs, the caller gets AccessDenied. */
  thirteen = run_call (fixture, LOOSE_PATH, "org.zbus.Loose", "Echo", g_variant_new ("(i)", 13));
  assert_dbus_error (thirteen->error, "org.freedesktop.DBus.Error.AccessDenied", "Not 13");
  g_assert_null (strstr (trace->str, "e13"));

  /* Nobody took charge: allowed. */
  seven = run_call (fixture, LOOSE_PATH, NULL, "Echo", g_variant_new ("(i)", 7));
  assert_int_reply (seven, 7);
  g_assert_cmpstr (trace->str, ==, "e1 e7 ");

  /* Properties calls are asked about, naming the interface in their
   * arguments; a refused Set changes nothing. */
  n = asked.n_asked;
  get = run_call (fixture, STRICT_PATH, "org.freedesktop.DBus.Properties", "Get",
                  g_variant_new ("(ss)", "org.zbus.Strict", "Value"));
  g_assert_no_error (get->error);
  g_assert_cmpuint (asked.n_asked, ==, n + 1);
  g_assert_true (asked.target == ZBUS_INTERFACE (fixture->strict));
  set = run_call (fixture, STRICT_PATH, "org.freedesktop.DBus.Properties", "Set",
                  g_variant_new ("(ssv)", "org.zbus.Strict", "Value", g_variant_new_int32 (9)));
  assert_dbus_error (set->error, "org.freedesktop.DBus.Error.AccessDenied", "Read-only for you");
  g_assert_cmpint (((TestCtl *) fixture->strict)->value, ==, 5);
  g_assert_cmpuint (asked.n_asked, ==, n + 2);

  /* Introspection, Peer, and calls that fail anyway are not asked about. */
  introspect = run_call (fixture, LOOSE_PATH, "org.freedesktop.DBus.Introspectable", "Introspect", NULL);
  g_assert_no_error (introspect->error);
  ping (fixture);
  unknown = run_call (fixture, LOOSE_PATH, "org.zbus.Nope", "Echo", g_variant_new ("(i)", 1));
  assert_dbus_error (unknown->error, "org.freedesktop.DBus.Error.UnknownInterface", "org.zbus.Nope");
  unserved = run_call (fixture, LOOSE_PATH "/below", "org.zbus.Loose", "Echo", g_variant_new ("(i)", 1));
  assert_dbus_error (unserved->error, "org.freedesktop.DBus.Error.UnknownObject", NULL);
  g_assert_cmpuint (asked.n_asked, ==, n + 2);
  asked_clear ();
}

static void
credentials_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  ZbusMethodInvocation *invocation = ZBUS_METHOD_INVOCATION (object);
  g_autoptr(GVariant) credentials = NULL;
  g_autoptr(GError) error = NULL;
  guint32 uid = G_MAXUINT32, pid = G_MAXUINT32;
  int n;

  credentials = zbus_method_invocation_get_caller_credentials_finish (invocation, result, &error);
  g_assert_no_error (error);
  g_assert_true (g_variant_lookup (credentials, "UnixUserID", "u", &uid));
  g_assert_true (g_variant_lookup (credentials, "ProcessID", "u", &pid));
  g_assert_cmpuint (uid, ==, getuid ());
  g_assert_cmpuint (pid, ==, getpid ());

  /* Even numbers are allowed. */
  g_variant_get (zbus_method_invocation_get_parameters (invocation), "(i)", &n);
  note ("d%d", n);
  if (n % 2 == 0)
    zbus_method_invocation_authorize (invocation);
  else
    zbus_method_invocation_deny (invocation, "Odd");
  g_object_unref (invocation);
}

static gpointer
deny_in_thread (gpointer data)
{
  g_autoptr(ZbusMethodInvocation) invocation = data;

  zbus_method_invocation_deny (invocation, "From a thread");
  return NULL;
}

/* Decides later, after asking the bus who calls; 9 is refused from
 * another thread, 11 dropped undecided. */
static gboolean
authorize_later_cb (ZbusObjectServer     *server,
                    ZbusMethodInvocation *invocation,
                    gpointer              user_data)
{
  int n;

  g_variant_get (zbus_method_invocation_get_parameters (invocation), "(i)", &n);
  note ("a%d", n);
  if (n == 9)
    g_thread_unref (g_thread_new ("deny", deny_in_thread, g_object_ref (invocation)));
  else if (n != 11)
    zbus_method_invocation_get_caller_credentials (invocation, NULL, credentials_cb,
                                                   g_object_ref (invocation));
  return TRUE;
}

static void
test_authorize_async (Fixture       *fixture,
                      gconstpointer  data)
{
  static const int order[] = { 1, 2, 3, 4, 9, 5, 6, 11, 8 };
  Call *calls[G_N_ELEMENTS (order)];

  g_signal_connect (fixture->server, "authorize-call", G_CALLBACK (authorize_later_cb), fixture);

  /* All sent at once: each waits for the decision on the one before. */
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      g_autofree char *tag = g_strdup_printf ("%d", order[i]);

      calls[i] = start_call (fixture, tag, LOOSE_PATH, "org.zbus.Loose", "Echo",
                             g_variant_new ("(i)", order[i]));
    }
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    wait_for_call (calls[i]);

  g_assert_cmpstr (trace->str, ==,
                   "a1 d1 a2 d2 e2 a3 d3 a4 d4 e4 a9 a5 d5 a6 d6 e6 a11 a8 d8 e8 ");
  g_assert_cmpstr (fixture->replies->str, ==, "1 2 3 4 9 5 6 11 8 ");
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      if (order[i] == 9)
        assert_dbus_error (calls[i]->error, "org.freedesktop.DBus.Error.AccessDenied", "From a thread");
      else if (order[i] == 11)
        assert_dbus_error (calls[i]->error, "org.freedesktop.DBus.Error.AccessDenied", "not authorized");
      else if (order[i] % 2 != 0)
        assert_dbus_error (calls[i]->error, "org.freedesktop.DBus.Error.AccessDenied", "Odd");
      else
        assert_int_reply (calls[i], order[i]);
      call_free (calls[i]);
    }
}

/* A handler that runs the context while it decides: the next call is not
 * asked about until this one was decided and dispatched. */
static gboolean
authorize_spinning_cb (ZbusObjectServer     *server,
                       ZbusMethodInvocation *invocation,
                       gpointer              user_data)
{
  gint64 until = g_get_monotonic_time () + 150 * 1000;
  int n;

  g_variant_get (zbus_method_invocation_get_parameters (invocation), "(i)", &n);
  note ("a%d", n);
  if (n == 21)
    while (g_get_monotonic_time () < until)
      g_main_context_iteration (NULL, FALSE);
  zbus_method_invocation_authorize (invocation);
  return TRUE;
}

static void
test_authorize_nested (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(Call) first = NULL;
  g_autoptr(Call) second = NULL;

  g_signal_connect (fixture->server, "authorize-call", G_CALLBACK (authorize_spinning_cb), fixture);
  first = start_call (fixture, "21", LOOSE_PATH, "org.zbus.Loose", "Echo", g_variant_new ("(i)", 21));
  second = start_call (fixture, "22", LOOSE_PATH, "org.zbus.Loose", "Echo", g_variant_new ("(i)", 22));
  wait_for_call (first);
  wait_for_call (second);
  assert_int_reply (first, 21);
  assert_int_reply (second, 22);
  g_assert_cmpstr (trace->str, ==, "a21 e21 a22 e22 ");
  g_assert_cmpstr (fixture->replies->str, ==, "21 22 ");
}

static gboolean
authorize_keep_cb (ZbusObjectServer     *server,
                   ZbusMethodInvocation *invocation,
                   gpointer              user_data)
{
  g_ptr_array_add (held, g_object_ref (invocation));
  return TRUE;
}

/* The connection goes away while a decision and later calls are pending:
 * a late decision is harmless, and nothing is leaked. */
static void
test_authorize_closed (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(Call) first = NULL;
  g_autoptr(Call) second = NULL;
  g_autoptr(Call) third = NULL;
  g_autoptr(ZbusMethodInvocation) invocation = NULL;

  g_signal_connect (fixture->server, "authorize-call", G_CALLBACK (authorize_keep_cb), fixture);
  first = start_call (fixture, "1", LOOSE_PATH, "org.zbus.Loose", "Echo", g_variant_new ("(i)", 1));
  second = start_call (fixture, "2", STRICT_PATH, "org.zbus.Strict", "Echo", g_variant_new ("(i)", 2));
  /* Everything waits for the first decision, even Peer calls. */
  wait_until_held (1);
  g_assert_false (run_until_done_or (third = start_call (fixture, "ping", LOOSE_PATH,
                                                          "org.freedesktop.DBus.Peer", "Ping", NULL),
                                     200));
  g_assert_cmpuint (held->len, ==, 1);

  g_assert_true (zbus_connection_close_sync (fixture->server_conn, NULL, NULL));
  wait_for_call (first);
  wait_for_call (second);
  wait_for_call (third);
  g_assert_nonnull (first->error);
  g_assert_nonnull (second->error);
  g_assert_nonnull (third->error);
  invocation = g_ptr_array_steal_index (held, 0);
  zbus_method_invocation_authorize (invocation);
  while (g_main_context_iteration (NULL, FALSE));
  g_assert_cmpstr (trace->str, ==, "");
}

/* Holds the decision on the next call it is asked about when *@user_data
 * is set; allows the rest at once. */
static gboolean
authorize_first_later_cb (ZbusObjectServer     *server,
                          ZbusMethodInvocation *invocation,
                          gpointer              user_data)
{
  gboolean *holding = user_data;

  if (*holding)
    {
      g_ptr_array_add (held, g_object_ref (invocation));
      *holding = FALSE;
    }
  else
    zbus_method_invocation_authorize (invocation);
  return TRUE;
}

/* Sends @n Echo calls to @path at once, expecting no reply: a bus limits
 * the calls awaiting a reply per connection, far below what a flood
 * needs. */
static void
flood (Fixture    *fixture,
       const char *path,
       const char *interface_,
       guint       n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GDBusMessage) message = g_dbus_message_new_method_call (fixture->name, path,
                                                                        interface_, "Echo");
      g_autoptr(GError) error = NULL;

      g_dbus_message_set_body (message, g_variant_new ("(i)", 100));
      g_dbus_message_set_flags (message, G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED);
      g_dbus_connection_send_message (fixture->client, message, G_DBUS_SEND_MESSAGE_FLAGS_NONE,
                                      NULL, &error);
      g_assert_no_error (error);
    }
}

static guint
count_in_trace (const char *token)
{
  g_auto(GStrv) tokens = g_strsplit (trace->str, " ", -1);
  guint n = 0;

  for (guint i = 0; tokens[i] != NULL; i++)
    if (g_str_equal (tokens[i], token))
      n++;
  return n;
}

/* A call after a flood of 1026, while the queue is blocked: it is refused
 * at once with LimitsExceeded, by the server, not the bus. */
static void
assert_queue_full (Fixture    *fixture,
                   const char *path,
                   const char *interface_)
{
  g_autoptr(Call) probe = NULL;

  flood (fixture, path, interface_, 1024 + 2);
  probe = start_call (fixture, "probe", path, interface_, "Echo", g_variant_new ("(i)", 7));
  wait_for_call (probe);
  assert_dbus_error (probe->error, "org.freedesktop.DBus.Error.LimitsExceeded", "waiting for their dispatch");
}

/* Once the queue moves on: the 1024 calls it held ran, no more. */
static void
assert_queue_ran (Fixture    *fixture,
                  const char *path,
                  const char *interface_)
{
  g_autoptr(Call) last = run_call (fixture, path, interface_, "Echo", g_variant_new ("(i)", 8));

  assert_int_reply (last, 8);
  g_assert_cmpuint (count_in_trace ("e100"), ==, 1024);
  g_assert_cmpuint (count_in_trace ("e7"), ==, 0);
}

/* A peer flooding the server while a decision is pending: the calls past
 * 1024 waiting are refused at once instead of piling up, and the service
 * goes on. */
static void
test_authorize_limit (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(Call) first = NULL;
  g_autoptr(ZbusMethodInvocation) invocation = NULL;
  static gboolean holding;

  holding = TRUE;
  g_signal_connect (fixture->server, "authorize-call", G_CALLBACK (authorize_first_later_cb), &holding);
  first = start_call (fixture, "1", LOOSE_PATH, "org.zbus.Loose", "Echo", g_variant_new ("(i)", 1));
  wait_until_held (1);
  assert_queue_full (fixture, LOOSE_PATH, "org.zbus.Loose");
  g_assert_false (first->done);

  invocation = g_ptr_array_steal_index (held, 0);
  zbus_method_invocation_authorize (invocation);
  wait_for_call (first);
  assert_int_reply (first, 1);
  assert_queue_ran (fixture, LOOSE_PATH, "org.zbus.Loose");
  g_signal_handlers_disconnect_by_func (fixture->server, authorize_first_later_cb, &holding);
}

/* A peer flooding a strict-order instance whose call is in progress. */
static void
test_strict_order_limit (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(Call) slow = NULL;

  slow = start_call (fixture, "1", STRICT_PATH, "org.zbus.Strict", "Slow", g_variant_new ("(i)", 1));
  wait_until_held (1);
  assert_queue_full (fixture, STRICT_PATH, "org.zbus.Strict");
  g_assert_false (slow->done);

  answer_held (0);
  wait_for_call (slow);
  assert_int_reply (slow, 1);
  assert_queue_ran (fixture, STRICT_PATH, "org.zbus.Strict");
}

static gboolean
answer_first_held_cb (gpointer data)
{
  answer_held (0);
  return G_SOURCE_REMOVE;
}

/* Runs the context while it decides on 31; allows everything. */
static gboolean
authorize_spinning_long_cb (ZbusObjectServer     *server,
                            ZbusMethodInvocation *invocation,
                            gpointer              user_data)
{
  gint64 until = g_get_monotonic_time () + 400 * 1000;
  int n;

  g_variant_get (zbus_method_invocation_get_parameters (invocation), "(i)", &n);
  note ("a%d", n);
  if (n == 31)
    while (g_get_monotonic_time () < until)
      g_main_context_iteration (NULL, FALSE);
  note ("z%d", n);
  zbus_method_invocation_authorize (invocation);
  return TRUE;
}

/* A strict-order instance takes its next call while an authorization
 * handler runs a nested main loop: that must not ask about the calls that
 * arrived after the one being decided, nor dispatch them before it. */
static void
test_authorize_nested_resume (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(Call) slow = NULL;
  g_autoptr(Call) two = NULL;
  g_autoptr(Call) first = NULL;
  g_autoptr(Call) second = NULL;

  g_signal_connect (fixture->server, "authorize-call", G_CALLBACK (authorize_spinning_long_cb), fixture);
  slow = start_call (fixture, "1", STRICT_PATH, "org.zbus.Strict", "Slow", g_variant_new ("(i)", 1));
  wait_until_held (1);
  two = start_call (fixture, "2", STRICT_PATH, "org.zbus.Strict", "Echo", g_variant_new ("(i)", 2));
  ping (fixture);

  /* Slow(1) is answered while 31 is being decided, which lets Echo(2) go;
   * 32 arrives meanwhile and waits for 31. */
  g_timeout_add (100, answer_first_held_cb, NULL);
  first = start_call (fixture, "31", LOOSE_PATH, "org.zbus.Loose", "Echo", g_variant_new ("(i)", 31));
  second = start_call (fixture, "32", LOOSE_PATH, "org.zbus.Loose", "Echo", g_variant_new ("(i)", 32));
  wait_for_call (first);
  wait_for_call (second);
  wait_for_call (two);
  assert_int_reply (first, 31);
  assert_int_reply (second, 32);
  assert_int_reply (two, 2);
  g_assert_cmpstr (trace->str, ==, "a1 z1 h1 a2 z2 a31 r1 e2 z31 e31 a32 z32 e32 ");
}

/* ------------------------------------------------------------------------ */
/* Call order */

static void
test_strict_order (Fixture       *fixture,
                   gconstpointer  data)
{
  Call *calls[3];
  g_autoptr(Call) four = NULL;
  g_autoptr(Call) get = NULL;

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *tag = g_strdup_printf ("%u", i + 1);

      calls[i] = start_call (fixture, tag, STRICT_PATH, "org.zbus.Strict", "Slow",
                             g_variant_new ("(i)", i + 1));
    }

  /* Calls 2 and 3 have arrived, but wait for the reply to 1. */
  wait_until_held (1);
  ping (fixture);
  g_assert_cmpuint (held->len, ==, 1);

  for (guint i = 0; i < 3; i++)
    {
      answer_held (i);
      wait_for_call (calls[i]);
      if (i < 2)
        {
          wait_until_held (i + 2);
          ping (fixture);
          g_assert_cmpuint (held->len, ==, i + 2);
        }
    }
  g_assert_cmpstr (trace->str, ==, "h1 r1 h2 r2 h3 r3 ");
  g_assert_cmpstr (fixture->replies->str, ==, "x 1 x 2 x 3 ");
  for (guint i = 0; i < 3; i++)
    {
      assert_int_reply (calls[i], i + 1);
      call_free (calls[i]);
    }

  /* A property read of the interface waits too. */
  four = start_call (fixture, "4", STRICT_PATH, "org.zbus.Strict", "Slow", g_variant_new ("(i)", 4));
  get = start_call (fixture, "get", STRICT_PATH, "org.freedesktop.DBus.Properties", "Get",
                    g_variant_new ("(ss)", "org.zbus.Strict", "Value"));
  wait_until_held (4);
  ping (fixture);
  g_assert_false (get->done);
  answer_held (3);
  wait_for_call (get);
  g_assert_no_error (get->error);
  g_assert_true (four->done);
  g_assert_cmpstr (fixture->replies->str, ==, "x 1 x 2 x 3 x 4 get ");
}

/* A sync method deferring its answer keeps the next call to its strict
 * interface waiting until it answers; on a loose one it does not. */
static void
test_deferred_order (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(Call) later = start_call (fixture, "later", STRICT_PATH, "org.zbus.Strict", "Later",
                                      g_variant_new ("(i)", 1));
  g_autoptr(Call) echo = start_call (fixture, "echo", STRICT_PATH, "org.zbus.Strict", "Echo",
                                     g_variant_new ("(i)", 2));
  g_autoptr(Call) loose_later = NULL;
  g_autoptr(Call) loose_echo = NULL;

  wait_until_held (1);
  ping (fixture);
  g_assert_false (echo->done);
  g_assert_false (later->done);
  answer_held (0);
  wait_for_call (echo);
  assert_int_reply (later, 1);
  assert_int_reply (echo, 2);
  g_assert_cmpstr (trace->str, ==, "l1 r1 e2 ");
  g_assert_cmpstr (fixture->replies->str, ==, "x later echo ");

  g_string_truncate (trace, 0);
  g_string_truncate (fixture->replies, 0);
  loose_later = start_call (fixture, "later", LOOSE_PATH, "org.zbus.Loose", "Later",
                            g_variant_new ("(i)", 3));
  loose_echo = start_call (fixture, "echo", LOOSE_PATH, "org.zbus.Loose", "Echo",
                           g_variant_new ("(i)", 4));
  wait_for_call (loose_echo);
  assert_int_reply (loose_echo, 4);
  g_assert_false (loose_later->done);
  answer_held (1);
  wait_for_call (loose_later);
  assert_int_reply (loose_later, 3);
  g_assert_cmpstr (trace->str, ==, "l3 e4 r3 ");
}

/* The connection goes away while a strict-order call is in progress and
 * another waits for it: the waiting call is dropped, never dispatched, and
 * the instance is released (the teardown checks it is finalized). */
static void
test_strict_order_closed (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(Call) slow = NULL;
  g_autoptr(Call) two = NULL;

  slow = start_call (fixture, "1", STRICT_PATH, "org.zbus.Strict", "Slow", g_variant_new ("(i)", 1));
  wait_until_held (1);
  two = start_call (fixture, "2", STRICT_PATH, "org.zbus.Strict", "Echo", g_variant_new ("(i)", 2));
  ping (fixture);

  g_assert_true (zbus_connection_close_sync (fixture->server_conn, NULL, NULL));
  wait_for_call (slow);
  wait_for_call (two);
  g_assert_nonnull (slow->error);
  g_assert_nonnull (two->error);
  answer_held (0);
  while (g_main_context_iteration (NULL, FALSE));
  g_assert_cmpstr (trace->str, ==, "h1 r1 ");
}

/* The instance is removed while its async call is in progress and another
 * waits for it: the first is still answered, the waiting one is answered
 * UnknownObject once its turn comes. */
static void
test_strict_order_removed (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(Call) slow = NULL;
  g_autoptr(Call) two = NULL;

  slow = start_call (fixture, "1", STRICT_PATH, "org.zbus.Strict", "Slow", g_variant_new ("(i)", 1));
  wait_until_held (1);
  two = start_call (fixture, "2", STRICT_PATH, "org.zbus.Strict", "Echo", g_variant_new ("(i)", 2));
  ping (fixture);

  g_assert_true (zbus_object_server_remove (fixture->server, STRICT_PATH, TEST_TYPE_STRICT));
  answer_held (0);
  wait_for_call (slow);
  wait_for_call (two);
  assert_int_reply (slow, 1);
  assert_dbus_error (two->error, "org.freedesktop.DBus.Error.UnknownObject", STRICT_PATH);
  g_assert_cmpstr (trace->str, ==, "h1 r1 ");
  g_assert_cmpstr (fixture->replies->str, ==, "x 1 2 ");
}

static void
test_loose_order (Fixture       *fixture,
                  gconstpointer  data)
{
  Call *calls[3];

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *tag = g_strdup_printf ("%u", i + 1);

      calls[i] = start_call (fixture, tag, LOOSE_PATH, "org.zbus.Loose", "Slow",
                             g_variant_new ("(i)", i + 1));
    }

  /* Every handler runs before any reply; they answer in reverse. */
  wait_until_held (3);
  g_assert_cmpstr (trace->str, ==, "h1 h2 h3 ");
  for (guint i = 3; i > 0; i--)
    {
      answer_held (i - 1);
      wait_for_call (calls[i - 1]);
    }
  g_assert_cmpstr (fixture->replies->str, ==, "3 2 1 ");
  for (guint i = 0; i < 3; i++)
    {
      assert_int_reply (calls[i], i + 1);
      call_free (calls[i]);
    }
}

/* A handler blocked in a synchronous call on its own connection: the call
 * returns, and the call that arrived meanwhile is dispatched after the
 * handler, not inside it. */
static void
test_call_out (Fixture       *fixture,
               gconstpointer  data)
{
  const char *paths[] = { LOOSE_PATH, STRICT_PATH };
  const char *names[] = { "org.zbus.Loose", "org.zbus.Strict" };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(Call) out = start_call (fixture, "out", paths[i], names[i], "CallOut", NULL);
      g_autoptr(Call) echo = start_call (fixture, "echo", paths[i], names[i], "Echo",
                                         g_variant_new ("(i)", 1));

      wait_for_call (out);
      wait_for_call (echo);
      g_assert_no_error (out->error);
      assert_int_reply (echo, 1);
      g_assert_cmpstr (trace->str, ==, "o< o> e1 ");
      g_assert_cmpstr (fixture->replies->str, ==, "out echo ");
      g_string_truncate (trace, 0);
      g_string_truncate (fixture->replies, 0);
    }
}

/* ------------------------------------------------------------------------ */
/* Unserved paths */

static void
gdbus_method_cb (GDBusConnection       *connection,
                 const char            *sender,
                 const char            *path,
                 const char            *interface_,
                 const char            *method,
                 GVariant              *parameters,
                 GDBusMethodInvocation *invocation,
                 gpointer               user_data)
{
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(s)", "gdbus"));
}

static void
test_unknown_object (Fixture       *fixture,
                     gconstpointer  data)
{
  static const char xml[] =
    "<node><interface name='org.zbus.Own'><method name='Who'>"
    "<arg type='s' direction='out'/></method></interface></node>";
  static const GDBusInterfaceVTable vtable = { gdbus_method_cb, NULL, NULL, { 0 } };
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (xml, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(Call) below = NULL;
  g_autoptr(Call) deeper = NULL;
  g_autoptr(Call) elsewhere = NULL;
  guint id = 0;

  /* The program's own GDBus object on the adopted connection stays its. */
  if (GPOINTER_TO_INT (data) == TRANSPORT_GDBUS)
    {
      g_autoptr(Call) own = NULL;
      const char *who;

      id = g_dbus_connection_register_object (zbus_connection_get_gdbus_connection (fixture->server_conn),
                                              "/org/zbus/own", info->interfaces[0], &vtable,
                                              NULL, NULL, &error);
      g_assert_no_error (error);
      own = run_call (fixture, "/org/zbus/own", "org.zbus.Own", "Who", NULL);
      g_assert_no_error (own->error);
      g_variant_get (own->value, "(&s)", &who);
      g_assert_cmpstr (who, ==, "gdbus");
    }

  below = run_call (fixture, LOOSE_PATH "/missing", "org.zbus.Loose", "Echo", g_variant_new ("(i)", 1));
  assert_dbus_error (below->error, "org.freedesktop.DBus.Error.UnknownObject", LOOSE_PATH "/missing");
  deeper = run_call (fixture, STRICT_PATH "/a/b", "org.freedesktop.DBus.Properties", "GetAll",
                     g_variant_new ("(s)", "org.zbus.Strict"));
  assert_dbus_error (deeper->error, "org.freedesktop.DBus.Error.UnknownObject", STRICT_PATH "/a/b");

  /* Elsewhere the call is GDBus's, which answers UnknownMethod. */
  elsewhere = run_call (fixture, "/org/elsewhere", "org.zbus.Loose", "Echo", g_variant_new ("(i)", 1));
  assert_dbus_error (elsewhere->error,
                     GPOINTER_TO_INT (data) == TRANSPORT_GDBUS ? "org.freedesktop.DBus.Error.UnknownMethod"
                                                               : "org.freedesktop.DBus.Error.UnknownObject",
                     NULL);

  if (id != 0)
    g_dbus_connection_unregister_object (zbus_connection_get_gdbus_connection (fixture->server_conn), id);
}

/* Denies what has no interface instance (GetManagedObjects), allows the
 * rest; @user_data counts the calls asked about with none. */
static gboolean
authorize_managed_cb (ZbusObjectServer     *server,
                      ZbusMethodInvocation *invocation,
                      gpointer              user_data)
{
  guint *n_untargeted = user_data;

  if (zbus_method_invocation_get_interface (invocation) == NULL)
    {
      g_assert_cmpstr (zbus_method_invocation_get_member (invocation), ==, "GetManagedObjects");
      (*n_untargeted)++;
      if (*n_untargeted == 1)
        {
          zbus_method_invocation_deny (invocation, "Not the whole tree");
          return TRUE;
        }
    }
  zbus_method_invocation_authorize (invocation);
  return TRUE;
}

/* GetManagedObjects returns the properties Get would have asked about, so
 * it is asked about too, with no interface instance. */
static void
test_authorize_managed_objects (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Call) denied = NULL;
  g_autoptr(Call) allowed = NULL;
  g_autoptr(Call) bare = NULL;
  g_autoptr(GVariant) objects = NULL;
  g_autoptr(GVariant) loose = NULL;
  guint n_untargeted = 0;

  g_assert_true (zbus_object_server_add_object_manager (fixture->server, "/org/zbus", &error));
  g_assert_no_error (error);
  g_signal_connect (fixture->server, "authorize-call", G_CALLBACK (authorize_managed_cb), &n_untargeted);

  denied = run_call (fixture, "/org/zbus", "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", NULL);
  assert_dbus_error (denied->error, "org.freedesktop.DBus.Error.AccessDenied", "Not the whole tree");
  g_assert_cmpuint (n_untargeted, ==, 1);

  allowed = run_call (fixture, "/org/zbus", "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", NULL);
  g_assert_no_error (allowed->error);
  g_assert_cmpuint (n_untargeted, ==, 2);
  objects = g_variant_get_child_value (allowed->value, 0);
  loose = g_variant_lookup_value (objects, LOOSE_PATH, NULL);
  g_assert_nonnull (loose);

  /* Without an interface name, resolved the same way. */
  bare = run_call (fixture, "/org/zbus", NULL, "GetManagedObjects", NULL);
  g_assert_no_error (bare->error);
  g_assert_cmpuint (n_untargeted, ==, 3);

  g_signal_handlers_disconnect_by_func (fixture->server, authorize_managed_cb, &n_untargeted);
  g_assert_true (zbus_object_server_remove_object_manager (fixture->server, "/org/zbus"));
}

/* A round trip the server's context takes no part in: GDBus answers a Peer
 * call at a path nobody serves in its worker thread, so once it is back,
 * the calls sent before it have been through the call claimer there while
 * the server's context has not dispatched them yet. */
static void
ping_worker (Fixture *fixture)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_sync (fixture->client, fixture->name, "/org/zbus/nowhere",
                                       "org.freedesktop.DBus.Peer", "Ping", NULL, NULL,
                                       G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);
  g_assert_no_error (error);
}

/* On the GDBus transport, whether a call is the server's is decided in
 * GDBus's worker thread; the server's context later follows that decision
 * even when the objects served changed in between. */
static void
test_claim_kept (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(Call) gone = NULL;
  g_autoptr(Call) late = NULL;

  if (GPOINTER_TO_INT (data) != TRANSPORT_GDBUS)
    {
      g_test_skip ("Only the GDBus transport decides in another thread");
      return;
    }

  /* Claimed, then the object goes before the context dispatches the call:
   * it is still answered, UnknownObject, at once rather than at the
   * caller's timeout. */
  gone = start_call (fixture, "1", LOOSE_PATH, "org.zbus.Loose", "Echo", g_variant_new ("(i)", 1));
  ping_worker (fixture);
  g_assert_true (zbus_object_server_remove (fixture->server, LOOSE_PATH, TEST_TYPE_LOOSE));
  g_assert_true (run_until_done_or (gone, 3000));
  assert_dbus_error (gone->error, "org.freedesktop.DBus.Error.UnknownObject", LOOSE_PATH);

  /* Left to GDBus (which answers it), then an object comes there before
   * the context dispatches the call: its handler does not run too. */
  late = start_call (fixture, "2", "/org/zbus/late", "org.zbus.Loose", "Echo", g_variant_new ("(i)", 2));
  ping_worker (fixture);
  g_assert_true (zbus_object_server_at (fixture->server, "/org/zbus/late", ZBUS_INTERFACE (fixture->loose), NULL));
  wait_for_call (late);
  assert_dbus_error (late->error, "org.freedesktop.DBus.Error.UnknownMethod", NULL);
  /* Flushes the server's context (the loose object is gone). */
  g_clear_pointer (&gone, call_free);
  gone = run_call (fixture, STRICT_PATH, "org.freedesktop.DBus.Peer", "Ping", NULL);
  g_assert_no_error (gone->error);
  g_assert_cmpstr (trace->str, ==, "");
  g_assert_true (zbus_object_server_remove (fixture->server, "/org/zbus/late", TEST_TYPE_LOOSE));
}

int
main (int   argc,
      char *argv[])
{
  static const struct { const char *name; Transport transport; } transports[] = {
    { "native", TRANSPORT_NATIVE },
    { "gdbus", TRANSPORT_GDBUS },
  };

  zbus_test_set_cloexec_on_all_fds ();
  g_test_init (&argc, &argv, NULL);
  zbus_test_fork_bus_watcher ();
  g_test_summary ("Authorization and call order in ZbusObjectServer, and the calls it takes "
                  "over on the GDBus transport");

  for (guint i = 0; i < G_N_ELEMENTS (transports); i++)
    {
      gconstpointer t = GINT_TO_POINTER (transports[i].transport);
#define ADD(path, func) \
      G_STMT_START { \
        g_autofree char *full = g_strdup_printf ("/Zbus/ObjectServer/%s/%s", transports[i].name, path); \
        g_test_add (full, Fixture, t, fixture_setup, func, fixture_teardown); \
      } G_STMT_END
      ADD ("authorize-sync", test_authorize_sync);
      ADD ("authorize-async", test_authorize_async);
      ADD ("authorize-nested", test_authorize_nested);
      ADD ("authorize-closed", test_authorize_closed);
      ADD ("authorize-limit", test_authorize_limit);
      ADD ("authorize-nested-resume", test_authorize_nested_resume);
      ADD ("strict-order-limit", test_strict_order_limit);
      ADD ("strict-order-closed", test_strict_order_closed);
      ADD ("strict-order-removed", test_strict_order_removed);
      ADD ("strict-order", test_strict_order);
      ADD ("loose-order", test_loose_order);
      ADD ("deferred-order", test_deferred_order);
      ADD ("call-out", test_call_out);
      ADD ("unknown-object", test_unknown_object);
      ADD ("claim-kept", test_claim_kept);
      ADD ("authorize-managed-objects", test_authorize_managed_objects);
#undef ADD
    }

  return g_test_run ();
}
