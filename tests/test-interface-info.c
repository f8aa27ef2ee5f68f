/* test-interface-info.c: what a program says about a ZbusInterface type —
 * method tables, per-member names, signatures and docs, introspection
 * docs — and inherited members and error mapping, on a real dbus-daemon
 * on both transports, driven by a GDBus client
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
/* Error domains: one registered with GIO, one not */

typedef enum { TEST_ERROR_BROKEN } TestError;

static GQuark
test_error_quark (void)
{
  static gsize quark = 0;
  static const GDBusErrorEntry entries[] = {
    { TEST_ERROR_BROKEN, "org.zbus.TestError.Broken" },
  };

  g_dbus_error_register_error_domain ("zbus-test-registered-error", &quark,
                                      entries, G_N_ELEMENTS (entries));
  return (GQuark) quark;
}

#define TEST_ERROR (test_error_quark ())
#define UNREGISTERED_ERROR (g_quark_from_static_string ("zbus-test-unregistered-error"))
#define UNMAPPED_NAME "org.gtk.GDBus.UnmappedGError.Quark._zbus_2dtest_2dunregistered_2derror.Code7"

/* ------------------------------------------------------------------------ */
/* TestTable: a method table and overrides of every kind */

#define TEST_TYPE_TABLE (test_table_get_type ())
G_DECLARE_FINAL_TYPE (TestTable, test_table, TEST, TABLE, ZbusInterface)

struct _TestTable
{
  ZbusInterface  parent_instance;
  int            small;
  char          *where;
  GFileType      kind;
  char         **places;
  char          *shape;
  char          *label;
  GFileQueryInfoFlags flagged;
  GVariant      *bag;
  GFileType      mode;
};

G_DEFINE_FINAL_TYPE (TestTable, test_table, ZBUS_TYPE_INTERFACE)

enum { PROP_0, PROP_SMALL, PROP_WHERE, PROP_KIND, PROP_PLACES, PROP_SHAPE, PROP_LABEL,
       PROP_FLAGGED, PROP_BAG, PROP_MODE, N_PROPS };

static GParamSpec *table_props[N_PROPS];

#define TABLE_DOC "A table of <things> & \"quotes\"\nsecond line"
#define TITLE_DOC "The title, <escaped> & 'quoted'"

static void
test_table_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  TestTable *self = TEST_TABLE (object);

  switch (prop_id)
    {
    case PROP_SMALL: g_value_set_int (value, self->small); break;
    case PROP_WHERE: g_value_set_string (value, self->where); break;
    case PROP_KIND: g_value_set_enum (value, self->kind); break;
    case PROP_PLACES: g_value_set_boxed (value, self->places); break;
    case PROP_SHAPE: g_value_set_string (value, self->shape); break;
    case PROP_LABEL: g_value_set_string (value, self->label); break;
    case PROP_FLAGGED: g_value_set_flags (value, self->flagged); break;
    case PROP_BAG: g_value_set_variant (value, self->bag); break;
    case PROP_MODE: g_value_set_enum (value, self->mode); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
test_table_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  TestTable *self = TEST_TABLE (object);

  switch (prop_id)
    {
    case PROP_SMALL: self->small = g_value_get_int (value); break;
    case PROP_WHERE: g_free (self->where); self->where = g_value_dup_string (value); break;
    case PROP_KIND: self->kind = g_value_get_enum (value); break;
    case PROP_PLACES: g_strfreev (self->places); self->places = g_value_dup_boxed (value); break;
    case PROP_SHAPE: g_free (self->shape); self->shape = g_value_dup_string (value); break;
    case PROP_LABEL: g_free (self->label); self->label = g_value_dup_string (value); break;
    case PROP_FLAGGED: self->flagged = g_value_get_flags (value); break;
    case PROP_BAG: g_clear_pointer (&self->bag, g_variant_unref); self->bag = g_value_dup_variant (value); break;
    case PROP_MODE: self->mode = g_value_get_enum (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static char *
test_table_describe (TestTable *self,
                     GFileType  kind,
                     int        count)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (G_TYPE_FILE_TYPE);

  return g_strdup_printf ("%s x%d", g_enum_get_value (klass, kind)->value_nick, count);
}

/* The method table */

static void
table_concat (ZbusInterface        *iface,
              ZbusMethodInvocation *invocation,
              GVariant             *parameters,
              gpointer              user_data)
{
  const char *a, *b;
  g_autofree char *joined = NULL;

  g_assert_true (TEST_IS_TABLE (iface));
  g_assert_true (zbus_method_invocation_get_current () == invocation);
  g_assert_true (zbus_method_invocation_get_interface (invocation) == iface);
  g_variant_get (parameters, "(&s&s)", &a, &b);
  joined = g_strconcat (a, b, NULL);
  zbus_method_invocation_return_value (invocation, g_variant_new ("(s)", joined));
}

static gboolean
answer_later_cb (gpointer data)
{
  ZbusMethodInvocation *invocation = data;
  guint32 n;

  g_variant_get (zbus_method_invocation_get_parameters (invocation), "(u)", &n);
  zbus_method_invocation_return_value (invocation, g_variant_new ("(u)", n + 1));
  return G_SOURCE_REMOVE;
}

static void
table_later (ZbusInterface        *iface,
             ZbusMethodInvocation *invocation,
             GVariant             *parameters,
             gpointer              user_data)
{
  g_idle_add_full (G_PRIORITY_DEFAULT, answer_later_cb, g_object_ref (invocation), g_object_unref);
}

static void
table_silent (ZbusInterface        *iface,
              ZbusMethodInvocation *invocation,
              GVariant             *parameters,
              gpointer              user_data)
{
}

static void
table_fail (ZbusInterface        *iface,
            ZbusMethodInvocation *invocation,
            GVariant             *parameters,
            gpointer              user_data)
{
  g_autoptr(GError) error = NULL;
  const char *how;

  g_variant_get (parameters, "(&s)", &how);
  if (g_str_equal (how, "dbus"))
    error = g_error_new_literal (G_DBUS_ERROR, G_DBUS_ERROR_NOT_SUPPORTED, "Not supported here");
  else if (g_str_equal (how, "registered"))
    error = g_error_new_literal (TEST_ERROR, TEST_ERROR_BROKEN, "It is broken");
  else
    error = g_error_new_literal (UNREGISTERED_ERROR, 7, "Nobody knows this domain");
  zbus_method_invocation_return_gerror (invocation, error);
}

static void
table_scale (ZbusInterface        *iface,
             ZbusMethodInvocation *invocation,
             GVariant             *parameters,
             gpointer              user_data)
{
  double x;

  g_variant_get (parameters, "(d)", &x);
  zbus_method_invocation_return_value (invocation, g_variant_new ("(d)", x * *(double *) user_data));
}

static const char * const concat_in[] = { "first", "second", NULL };
static const char * const concat_out[] = { "joined", NULL };
static const char * const later_in[] = { "n", NULL };
static const ZbusInterfaceMethod table_methods[] = {
  { "Concat", "ss", "s", concat_in, concat_out, table_concat },
  { "Later", "u", "u", later_in, NULL, table_later },
  { "Silent", NULL, NULL, NULL, NULL, table_silent },
  { "Fail", "s", "", NULL, NULL, table_fail },
};

static void
test_table_finalize (GObject *object)
{
  TestTable *self = TEST_TABLE (object);

  g_free (self->where);
  g_strfreev (self->places);
  g_free (self->shape);
  g_free (self->label);
  g_clear_pointer (&self->bag, g_variant_unref);

  G_OBJECT_CLASS (test_table_parent_class)->finalize (object);
}

static void
test_table_class_init (TestTableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GType type = G_TYPE_FROM_CLASS (klass);
  g_autoptr(GError) error = NULL;
  double *factor = g_new (double, 1);

  object_class->get_property = test_table_get_property;
  object_class->set_property = test_table_set_property;
  object_class->finalize = test_table_finalize;

#define RW (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS)
  table_props[PROP_SMALL] = g_param_spec_int ("small", NULL, NULL, G_MININT, G_MAXINT, 0, RW);
  table_props[PROP_WHERE] = g_param_spec_string ("where", NULL, NULL, "/", RW);
  table_props[PROP_KIND] = g_param_spec_enum ("kind", NULL, NULL, G_TYPE_FILE_TYPE, G_FILE_TYPE_REGULAR, RW);
  table_props[PROP_PLACES] = g_param_spec_boxed ("places", NULL, NULL, G_TYPE_STRV, RW);
  table_props[PROP_SHAPE] = g_param_spec_string ("shape", NULL, NULL, "a{sv}", RW);
  table_props[PROP_LABEL] = g_param_spec_string ("label", NULL, "The blurb, overridden", NULL, RW);
  table_props[PROP_FLAGGED] = g_param_spec_flags ("flagged", NULL, NULL, G_TYPE_FILE_QUERY_INFO_FLAGS, 0, RW);
  table_props[PROP_BAG] = g_param_spec_variant ("bag", NULL, NULL, G_VARIANT_TYPE_ANY, NULL, RW);
  table_props[PROP_MODE] = g_param_spec_enum ("mode", NULL, "The mode", G_TYPE_FILE_TYPE, G_FILE_TYPE_UNKNOWN, RW);
#undef RW
  g_object_class_install_properties (object_class, N_PROPS, table_props);

  g_signal_new ("progress", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_FILE_TYPE);
  g_signal_new_class_handler ("describe", type, G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
                              G_CALLBACK (test_table_describe), NULL, NULL, NULL,
                              G_TYPE_STRING, 2, G_TYPE_FILE_TYPE, G_TYPE_INT);

  g_assert_true (zbus_interface_class_add_methods (ZBUS_INTERFACE_CLASS (klass), table_methods,
                                                   G_N_ELEMENTS (table_methods)));
  *factor = 2.5;
  g_assert_true (zbus_interface_type_add_method (type, "Scale", "d", "d",
                                                 (const char * const[]) { "x", NULL },
                                                 (const char * const[]) { "scaled", NULL },
                                                 table_scale, factor, g_free, &error));
  g_assert_no_error (error);

  zbus_interface_type_set_name (type, "org.zbus.Table");
  zbus_interface_type_set_doc (type, TABLE_DOC);
  g_assert_true (zbus_interface_type_set_property_signature (type, "small", "n"));
  g_assert_true (zbus_interface_type_set_property_signature (type, "Where", "o"));
  g_assert_true (zbus_interface_type_set_property_signature (type, "kind", "s"));
  g_assert_true (zbus_interface_type_set_property_signature (type, "places", "ao"));
  g_assert_true (zbus_interface_type_set_property_signature (type, "shape", "g"));
  g_assert_true (zbus_interface_type_set_property_signature (type, "bag", "a{sv}"));
  g_assert_true (zbus_interface_type_set_property_name (type, "label", "Title"));
  g_assert_true (zbus_interface_type_set_property_doc (type, "label", TITLE_DOC));
  g_assert_true (zbus_interface_type_set_signal_name (type, "progress", "Advanced"));
  g_assert_true (zbus_interface_type_set_signal_signature (type, "progress", "ns",
                                                           (const char * const[]) { "percent", "kind", NULL }));
  g_assert_true (zbus_interface_type_set_signal_doc (type, "Progress", "Progress was made"));
  g_assert_true (zbus_interface_type_set_method_in_signature (type, "describe", "sn",
                                                              (const char * const[]) { "kind", "count", NULL }));
  g_assert_true (zbus_interface_type_set_method_signature (type, "describe", NULL,
                                                           (const char * const[]) { "text", NULL }));
  g_assert_true (zbus_interface_type_set_method_name (type, "describe", "DescribeKind"));
  g_assert_true (zbus_interface_type_set_method_doc (type, "describe", "Says what a kind is"));
  g_assert_true (zbus_interface_type_set_method_doc (type, "Concat", "Joins two strings"));
}

static void
test_table_init (TestTable *self)
{
  self->where = g_strdup ("/");
  self->kind = G_FILE_TYPE_REGULAR;
  self->shape = g_strdup ("a{sv}");
  self->bag = g_variant_ref_sink (g_variant_new_parsed ("@a{sv} {'k': <1>}"));
}

/* ------------------------------------------------------------------------ */
/* Types the description refuses, each for one reason */

#define DEFINE_BAD_TYPE(TypeName, type_name, ...) \
  typedef struct { ZbusInterface parent_instance; } TypeName; \
  typedef struct { ZbusInterfaceClass parent_class; } TypeName##Class; \
  static GType type_name##_get_type (void); \
  G_DEFINE_FINAL_TYPE (TypeName, type_name, ZBUS_TYPE_INTERFACE) \
  static void type_name##_init (TypeName *self) { } \
  static void \
  type_name##_class_init (TypeName##Class *klass) \
  { \
    GType type = G_TYPE_FROM_CLASS (klass); \
    G_OBJECT_CLASS (klass)->get_property = bad_get_property; \
    zbus_interface_type_set_name (type, "org.zbus.Bad"); \
    __VA_ARGS__ \
  }

static void
bad_get_property (GObject    *object,
                  guint       prop_id,
                  GValue     *value,
                  GParamSpec *pspec)
{
}

static int
bad_count (ZbusInterface *self)
{
  return 0;
}

/* A gint property said to be a string. */
DEFINE_BAD_TYPE (TestBadSig, test_bad_sig, {
  g_object_class_install_property (G_OBJECT_CLASS (klass), 1,
    g_param_spec_int ("count", NULL, NULL, 0, 10, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  zbus_interface_type_set_property_signature (type, "count", "s");
})

/* A signal of one parameter given two argument types. */
DEFINE_BAD_TYPE (TestBadArgs, test_bad_args, {
  g_signal_new ("ticked", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);
  zbus_interface_type_set_signal_signature (type, "ticked", "ii", NULL);
})

/* An override naming no member. */
DEFINE_BAD_TYPE (TestBadUnknown, test_bad_unknown, {
  zbus_interface_type_set_property_doc (type, "nope", "There is no such property");
})

/* A table method with the D-Bus name of an action signal. */
DEFINE_BAD_TYPE (TestBadClash, test_bad_clash, {
  g_signal_new_class_handler ("count", type, G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
                              G_CALLBACK (bad_count), NULL, NULL, NULL, G_TYPE_INT, 0);
  zbus_interface_type_add_method (type, "Count", NULL, "i", NULL, NULL, table_silent, NULL, NULL, NULL);
})

/* Two properties renamed to one D-Bus name. */
DEFINE_BAD_TYPE (TestBadSameName, test_bad_same_name, {
  g_object_class_install_property (G_OBJECT_CLASS (klass), 1,
    g_param_spec_int ("one", NULL, NULL, 0, 10, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (G_OBJECT_CLASS (klass), 2,
    g_param_spec_int ("two", NULL, NULL, 0, 10, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  zbus_interface_type_set_property_name (type, "two", "One");
})

/* A method of one out-argument given two out-argument names. */
DEFINE_BAD_TYPE (TestBadOutNames, test_bad_out_names, {
  g_signal_new_class_handler ("count", type, G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
                              G_CALLBACK (bad_count), NULL, NULL, NULL, G_TYPE_INT, 0);
  zbus_interface_type_set_method_signature (type, "count", NULL,
                                            (const char * const[]) { "a", "b", NULL });
})

/* A type for registration errors. */
DEFINE_BAD_TYPE (TestRegister, test_register, {
  g_object_class_install_property (G_OBJECT_CLASS (klass), 1,
    g_param_spec_int ("mode", NULL, NULL, 0, 10, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
})

/* Documented, but with docs turned off. */
DEFINE_BAD_TYPE (TestNoDocs, test_no_docs, {
  g_object_class_install_property (G_OBJECT_CLASS (klass), 1,
    g_param_spec_enum ("mode", NULL, "Has a blurb", G_TYPE_FILE_TYPE, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  zbus_interface_type_set_doc (type, "Has a doc");
  zbus_interface_type_set_introspection_docs (type, FALSE);
})

/* ------------------------------------------------------------------------ */
/* TestBase → TestMid → TestLeaf: inherited members */

#define TEST_TYPE_BASE (test_base_get_type ())
G_DECLARE_DERIVABLE_TYPE (TestBase, test_base, TEST, BASE, ZbusInterface)
struct _TestBaseClass { ZbusInterfaceClass parent_class; };
typedef struct { int value; } TestBasePrivate;
G_DEFINE_TYPE_WITH_PRIVATE (TestBase, test_base, ZBUS_TYPE_INTERFACE)

#define TEST_TYPE_MID (test_mid_get_type ())
G_DECLARE_DERIVABLE_TYPE (TestMid, test_mid, TEST, MID, TestBase)
struct _TestMidClass { TestBaseClass parent_class; };
G_DEFINE_TYPE (TestMid, test_mid, TEST_TYPE_BASE)

#define TEST_TYPE_LEAF (test_leaf_get_type ())
G_DECLARE_FINAL_TYPE (TestLeaf, test_leaf, TEST, LEAF, TestMid)
struct _TestLeaf { TestMid parent_instance; };
G_DEFINE_FINAL_TYPE (TestLeaf, test_leaf, TEST_TYPE_MID)

static void
test_base_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  TestBasePrivate *priv = test_base_get_instance_private (TEST_BASE (object));

  g_value_set_int (value, priv->value);
}

static void
test_base_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  TestBasePrivate *priv = test_base_get_instance_private (TEST_BASE (object));

  priv->value = g_value_get_int (value);
}

static char *
test_base_ping (TestBase *self)
{
  return g_strdup_printf ("pong from %s", G_OBJECT_TYPE_NAME (self));
}

static void
base_table_ping (ZbusInterface        *iface,
                 ZbusMethodInvocation *invocation,
                 GVariant             *parameters,
                 gpointer              user_data)
{
  zbus_method_invocation_return_value (invocation, g_variant_new ("(s)", G_OBJECT_TYPE_NAME (iface)));
}

static void
test_base_class_init (TestBaseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GType type = G_TYPE_FROM_CLASS (klass);

  object_class->get_property = test_base_get_property;
  object_class->set_property = test_base_set_property;
  g_object_class_install_property (object_class, 1,
    g_param_spec_int ("base-value", NULL, NULL, G_MININT, G_MAXINT, 0,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_signal_new ("base-event", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  g_signal_new_class_handler ("base-ping", type, G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
                              G_CALLBACK (test_base_ping), NULL, NULL, NULL, G_TYPE_STRING, 0);
  zbus_interface_type_add_method (type, "TablePing", NULL, "s", NULL, NULL, base_table_ping,
                                  NULL, NULL, NULL);
  zbus_interface_type_set_name (type, "org.zbus.Base");
  zbus_interface_type_set_property_name (type, "base-value", "Value");
}

static void
test_base_init (TestBase *self)
{
}

static guint
test_mid_hello (TestMid *self)
{
  return 7;
}

static void
test_mid_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  g_value_set_uint (value, 3);
}

static void
test_mid_class_init (TestMidClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  /* The base's property keeps its accessors: ids are per owner type. */
  object_class->get_property = test_mid_get_property;
  g_object_class_install_property (object_class, 1,
    g_param_spec_uint ("mid-value", NULL, NULL, 0, G_MAXUINT, 3,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_signal_new_class_handler ("mid-hello", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
                              G_CALLBACK (test_mid_hello), NULL, NULL, NULL, G_TYPE_UINT, 0);
}

static void
test_mid_init (TestMid *self)
{
}

static void
test_leaf_class_init (TestLeafClass *klass)
{
  zbus_interface_type_set_name (G_TYPE_FROM_CLASS (klass), "org.zbus.Leaf");
}

static void
test_leaf_init (TestLeaf *self)
{
}

/* ------------------------------------------------------------------------ */
/* Fixture: a bus, a serving connection on one transport, a GDBus client */

typedef struct
{
  GTestDBus        *bus;
  ZbusConnection   *server_conn;
  ZbusObjectServer *server;
  TestTable        *table;
  GDBusConnection  *client;
  const char       *name;
  GPtrArray        *signals;   /* (element-type GVariant): (member, body) */
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

  if (g_strcmp0 (sender, "org.freedesktop.DBus") != 0)
    g_ptr_array_add (fixture->signals, g_variant_ref_sink (g_variant_new ("(s@*)", member, parameters)));
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

/* Calls the server from the client while the server's context runs. GDBus's
 * call API insists on an interface; a message can go without one. */
static GVariant *
call_at (Fixture     *fixture,
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
call (Fixture     *fixture,
      const char  *method,
      GVariant    *args,
      GError     **error)
{
  return call_at (fixture, "/table", "org.zbus.Table", method, args, error);
}

static GVariant *
get_property_at (Fixture     *fixture,
                 const char  *path,
                 const char  *interface_,
                 const char  *name,
                 GError     **error)
{
  g_autoptr(GVariant) reply = call_at (fixture, path, "org.freedesktop.DBus.Properties", "Get",
                                       g_variant_new ("(ss)", interface_, name), error);
  GVariant *value = NULL;

  if (reply != NULL)
    g_variant_get (reply, "(v)", &value);
  return value;
}

static GVariant *
get_property (Fixture     *fixture,
              const char  *name,
              GError     **error)
{
  return get_property_at (fixture, "/table", "org.zbus.Table", name, error);
}

static gboolean
set_property (Fixture     *fixture,
              const char  *name,
              GVariant    *value,
              GError     **error)
{
  g_autoptr(GVariant) reply = call_at (fixture, "/table", "org.freedesktop.DBus.Properties", "Set",
                                       g_variant_new ("(ssv)", "org.zbus.Table", name, value), error);
  return reply != NULL;
}

/* A round trip: what the server sent before has reached the client. The
 * context is drained first so that property changes queued for the next
 * iteration leave before the Ping: its reply is not one of the interface's,
 * so nothing else would put them ahead of it. */
static void
sync_with_server (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  while (g_main_context_iteration (NULL, FALSE));
  reply = call_at (fixture, "/table", "org.freedesktop.DBus.Peer", "Ping", NULL, &error);

  g_assert_no_error (error);
  while (g_main_context_iteration (NULL, FALSE));
}

static GVariant *
last_signal (Fixture    *fixture,
             const char *member)
{
  for (guint i = fixture->signals->len; i > 0; i--)
    {
      GVariant *s = g_ptr_array_index (fixture->signals, i - 1);
      const char *m;

      g_variant_get_child (s, 0, "&s", &m);
      if (g_str_equal (m, member))
        return g_variant_get_child_value (s, 1);
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
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  zbus_test_set_cloexec_on_all_fds ();
  fixture->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (fixture->bus);
  fixture->server_conn = zbus_test_connect (GPOINTER_TO_INT (data));
  fixture->name = zbus_connection_get_unique_name (fixture->server_conn);
  fixture->server = zbus_object_server_get_for_connection (fixture->server_conn);
  fixture->table = g_object_new (TEST_TYPE_TABLE, NULL);
  g_assert_true (zbus_object_server_at (fixture->server, "/table", ZBUS_INTERFACE (fixture->table), &error));
  g_assert_no_error (error);
  fixture->client = zbus_test_connect_gdbus ();
  fixture->signals = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  fixture->subscription = g_dbus_connection_signal_subscribe (fixture->client, NULL, NULL, NULL, NULL,
                                                              NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                              signal_cb, fixture, NULL);
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
  g_assert_finalize_object (fixture->table);
  g_ptr_array_unref (fixture->signals);
  g_test_dbus_down (fixture->bus);
  g_clear_object (&fixture->bus);
}

/* ------------------------------------------------------------------------ */
/* The method table */

static void
test_method_table (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) joined = NULL;
  g_autoptr(GVariant) later = NULL;
  g_autoptr(GVariant) scaled = NULL;
  g_autoptr(GVariant) no_iface = NULL;
  g_autoptr(GVariant) reply = NULL;

  joined = call (fixture, "Concat", g_variant_new ("(ss)", "ab", "cd"), &error);
  g_assert_no_error (error);
  assert_variant (joined, g_variant_new ("(s)", "abcd"));

  /* Answered later, from an idle. */
  later = call (fixture, "Later", g_variant_new ("(u)", 41), &error);
  g_assert_no_error (error);
  assert_variant (later, g_variant_new ("(u)", 42));

  /* With user data given through zbus_interface_type_add_method(). */
  scaled = call (fixture, "Scale", g_variant_new ("(d)", 2.0), &error);
  g_assert_no_error (error);
  assert_variant (scaled, g_variant_new ("(d)", 5.0));

  /* Without an interface field, as for any method. */
  no_iface = call_at (fixture, "/table", NULL, "Concat", g_variant_new ("(ss)", "x", "y"), &error);
  g_assert_no_error (error);
  assert_variant (no_iface, g_variant_new ("(s)", "xy"));

  /* Arguments are checked before the handler runs. */
  reply = call (fixture, "Concat", g_variant_new ("(si)", "x", 1), &error);
  g_assert_null (reply);
  assert_dbus_error (error, "org.freedesktop.DBus.Error.InvalidArgs", "“(ss)”, not “(si)”");
  g_clear_error (&error);
  reply = call (fixture, "Later", NULL, &error);
  assert_dbus_error (error, "org.freedesktop.DBus.Error.InvalidArgs", "“(u)”");
  g_clear_error (&error);

  /* A handler that drops the invocation unanswered. */
  reply = call (fixture, "Silent", NULL, &error);
  g_assert_null (reply);
  assert_dbus_error (error, "org.freedesktop.DBus.Error.NoReply", "did not answer");
  g_clear_error (&error);

  sync_with_server (fixture);
}

static void
test_error_mapping (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  /* G_DBUS_ERROR: its standard name. */
  reply = call (fixture, "Fail", g_variant_new ("(s)", "dbus"), &error);
  g_assert_null (reply);
  assert_dbus_error (error, "org.freedesktop.DBus.Error.NotSupported", "Not supported here");
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);

  /* A registered domain: its registered name, which GIO maps back. */
  reply = call (fixture, "Fail", g_variant_new ("(s)", "registered"), &error);
  g_assert_null (reply);
  assert_dbus_error (error, "org.zbus.TestError.Broken", "It is broken");
  g_assert_error (error, TEST_ERROR, TEST_ERROR_BROKEN);
  g_clear_error (&error);

  /* Any other domain: the documented fallback name, with the message. */
  reply = call (fixture, "Fail", g_variant_new ("(s)", "unregistered"), &error);
  g_assert_null (reply);
  assert_dbus_error (error, UNMAPPED_NAME, "Nobody knows this domain");
  g_clear_error (&error);

  /* The service keeps running. */
  sync_with_server (fixture);
}

/* ------------------------------------------------------------------------ */
/* Overridden names and signatures, both ways on the wire */

static void
test_property_overrides (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  TestTable *table = fixture->table;
  const char *places[] = { "/a", "/b/c", NULL };
  GVariant *v;

  /* gint as `n`: both ways, and a value that does not fit fails the read. */
  table->small = -12;
  v = get_property (fixture, "Small", &error);
  g_assert_no_error (error);
  assert_variant (v, g_variant_new_int16 (-12));
  g_variant_unref (v);
  g_assert_true (set_property (fixture, "Small", g_variant_new_int16 (300), &error));
  g_assert_no_error (error);
  g_assert_cmpint (table->small, ==, 300);
  g_assert_false (set_property (fixture, "Small", g_variant_new_int32 (5), &error));
  assert_dbus_error (error, "org.freedesktop.DBus.Error.InvalidArgs", "“n”");
  g_clear_error (&error);
  table->small = 40000;
  g_assert_null (get_property (fixture, "Small", &error));
  assert_dbus_error (error, "org.freedesktop.DBus.Error.Failed", "40000");
  g_clear_error (&error);

  /* A string as `o`: a value that is not a path is refused. */
  v = get_property (fixture, "Where", &error);
  g_assert_no_error (error);
  assert_variant (v, g_variant_new_object_path ("/"));
  g_variant_unref (v);
  g_assert_true (set_property (fixture, "Where", g_variant_new_object_path ("/a/b"), &error));
  g_assert_cmpstr (table->where, ==, "/a/b");
  g_assert_false (set_property (fixture, "Where", g_variant_new_string ("not a path"), &error));
  assert_dbus_error (error, "org.freedesktop.DBus.Error.InvalidArgs", "Where");
  g_clear_error (&error);
  g_assert_cmpstr (table->where, ==, "/a/b");
  g_free (table->where);
  table->where = g_strdup ("not/a/path");
  g_assert_null (get_property (fixture, "Where", &error));
  assert_dbus_error (error, "org.freedesktop.DBus.Error.Failed", "not an object path");
  g_clear_error (&error);

  /* An enum as its nick. */
  v = get_property (fixture, "Kind", &error);
  assert_variant (v, g_variant_new_string ("regular"));
  g_variant_unref (v);
  g_assert_true (set_property (fixture, "Kind", g_variant_new_string ("directory"), &error));
  g_assert_no_error (error);
  g_assert_cmpint (table->kind, ==, G_FILE_TYPE_DIRECTORY);
  g_assert_false (set_property (fixture, "Kind", g_variant_new_string ("bogus"), &error));
  assert_dbus_error (error, "org.freedesktop.DBus.Error.InvalidArgs", "“bogus” is not a value of GFileType");
  g_clear_error (&error);
  g_assert_false (set_property (fixture, "Kind", g_variant_new_uint32 (1), &error));
  assert_dbus_error (error, "org.freedesktop.DBus.Error.InvalidArgs", "“s”");
  g_clear_error (&error);

  /* GStrv as `ao`, a string as `g`, a GVariant as `a{sv}`. */
  g_assert_true (set_property (fixture, "Places", g_variant_new_objv (places, -1), &error));
  g_assert_no_error (error);
  g_assert_cmpstrv (table->places, places);
  v = get_property (fixture, "Places", &error);
  assert_variant (v, g_variant_new_objv (places, -1));
  g_variant_unref (v);
  g_assert_false (set_property (fixture, "Places", g_variant_new_strv (places, -1), &error));
  assert_dbus_error (error, "org.freedesktop.DBus.Error.InvalidArgs", "“ao”");
  g_clear_error (&error);
  v = get_property (fixture, "Shape", &error);
  assert_variant (v, g_variant_new_signature ("a{sv}"));
  g_variant_unref (v);
  v = get_property (fixture, "Bag", &error);
  assert_variant (v, g_variant_new_parsed ("@a{sv} {'k': <1>}"));
  g_variant_unref (v);
  g_assert_true (set_property (fixture, "Bag", g_variant_new_parsed ("@a{sv} {'z': <'y'>}"), &error));
  g_assert_no_error (error);
  assert_variant (table->bag, g_variant_new_parsed ("@a{sv} {'z': <'y'>}"));
  g_assert_false (set_property (fixture, "Bag", g_variant_new_int32 (1), &error));
  assert_dbus_error (error, "org.freedesktop.DBus.Error.InvalidArgs", "“a{sv}”");
  g_clear_error (&error);

  /* A renamed property answers only to its new name. */
  g_object_set (table, "label", "hello", NULL);
  v = get_property (fixture, "Title", &error);
  g_assert_no_error (error);
  assert_variant (v, g_variant_new_string ("hello"));
  g_variant_unref (v);
  g_assert_null (get_property (fixture, "Label", &error));
  assert_dbus_error (error, "org.freedesktop.DBus.Error.UnknownProperty", "Label");
  g_clear_error (&error);

  /* PropertiesChanged carries the overridden types too. */
  sync_with_server (fixture);
  g_object_set (table, "small", 7, "kind", G_FILE_TYPE_SYMBOLIC_LINK, NULL);
  sync_with_server (fixture);
  v = last_signal (fixture, "PropertiesChanged");
  {
    g_autoptr(GVariant) changed = g_variant_get_child_value (v, 1);
    g_autoptr(GVariant) small = g_variant_lookup_value (changed, "Small", NULL);
    g_autoptr(GVariant) kind = g_variant_lookup_value (changed, "Kind", NULL);

    g_assert_cmpuint (g_variant_n_children (changed), ==, 2);
    assert_variant (small, g_variant_new_int16 (7));
    assert_variant (kind, g_variant_new_string ("symbolic-link"));
  }
  g_variant_unref (v);
}

static void
test_member_overrides (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) text = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) body = NULL;

  /* A renamed method whose in-arguments are `sn`: an enum nick, a gint. */
  text = call (fixture, "DescribeKind", g_variant_new ("(sn)", "directory", 3), &error);
  g_assert_no_error (error);
  assert_variant (text, g_variant_new ("(s)", "directory x3"));
  reply = call (fixture, "DescribeKind", g_variant_new ("(sn)", "bogus", 3), &error);
  g_assert_null (reply);
  assert_dbus_error (error, "org.freedesktop.DBus.Error.InvalidArgs", "bogus");
  g_clear_error (&error);
  reply = call (fixture, "DescribeKind", g_variant_new ("(ui)", 2, 3), &error);
  assert_dbus_error (error, "org.freedesktop.DBus.Error.InvalidArgs", "“(sn)”, not “(ui)”");
  g_clear_error (&error);
  reply = call (fixture, "Describe", g_variant_new ("(sn)", "directory", 3), &error);
  assert_dbus_error (error, "org.freedesktop.DBus.Error.UnknownMethod", "Describe");
  g_clear_error (&error);

  /* A renamed signal whose arguments are `ns`. */
  g_signal_emit_by_name (fixture->table, "progress", 50, G_FILE_TYPE_DIRECTORY);
  sync_with_server (fixture);
  body = last_signal (fixture, "Advanced");
  assert_variant (body, g_variant_new ("(ns)", 50, "directory"));
  g_assert_null (last_signal (fixture, "Progress"));

  /* A value the signature cannot hold sends nothing, with a warning. */
  g_test_expect_message ("Zbus", G_LOG_LEVEL_WARNING, "*Advanced*40000*");
  g_signal_emit_by_name (fixture->table, "progress", 40000, G_FILE_TYPE_DIRECTORY);
  g_test_assert_expected_messages ();
  sync_with_server (fixture);
  g_clear_pointer (&body, g_variant_unref);
  body = last_signal (fixture, "Advanced");
  assert_variant (body, g_variant_new ("(ns)", 50, "directory"));
}

/* ------------------------------------------------------------------------ */
/* Introspection docs */

static void
assert_valid_xml (const char *xml)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *file = NULL;
  g_autofree char *err = NULL;
  g_autofree char *xmllint = g_find_program_in_path ("xmllint");
  const char *argv[] = { "xmllint", "--noout", "--dtdvalid", "/usr/share/xml/dbus-1/introspect.dtd", NULL, NULL };
  int fd, status;

  if (!g_file_test ("/usr/share/xml/dbus-1/introspect.dtd", G_FILE_TEST_EXISTS) || xmllint == NULL)
    {
      g_test_skip ("xmllint or the DTD is missing: not validating");
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

static char *
introspect (Fixture    *fixture,
            const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = call_at (fixture, path, "org.freedesktop.DBus.Introspectable",
                                       "Introspect", NULL, &error);
  char *xml;

  g_assert_no_error (error);
  g_variant_get (reply, "(s)", &xml);
  return xml;
}

static const char *
doc_of (GDBusAnnotationInfo **annotations)
{
  return g_dbus_annotation_info_lookup (annotations, "org.gtk.GDBus.DocString");
}

static void
test_introspection (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *xml = introspect (fixture, "/table");
  g_autoptr(GDBusNodeInfo) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *mode_values = NULL;
  g_autofree char *mode_doc = NULL;
  GDBusInterfaceInfo *iface;
  GDBusMethodInfo *method;
  GDBusSignalInfo *signal;
  GDBusPropertyInfo *prop;

  assert_valid_xml (xml);
  node = g_dbus_node_info_new_for_xml (xml, &error);
  g_assert_no_error (error);
  iface = g_dbus_node_info_lookup_interface (node, "org.zbus.Table");
  g_assert_nonnull (iface);

  /* The interface doc, escaped and read back intact, newline included. */
  g_assert_cmpstr (doc_of (iface->annotations), ==, TABLE_DOC);

  /* The method table: argument names, signatures, a method doc. */
  method = g_dbus_interface_info_lookup_method (iface, "Concat");
  g_assert_nonnull (method);
  g_assert_cmpstr (method->in_args[0]->name, ==, "first");
  g_assert_cmpstr (method->in_args[0]->signature, ==, "s");
  g_assert_cmpstr (method->in_args[1]->name, ==, "second");
  g_assert_null (method->in_args[2]);
  g_assert_cmpstr (method->out_args[0]->name, ==, "joined");
  g_assert_cmpstr (doc_of (method->annotations), ==, "Joins two strings");
  method = g_dbus_interface_info_lookup_method (iface, "Silent");
  g_assert_null (method->in_args[0]);
  g_assert_null (method->out_args[0]);
  g_assert_null (doc_of (method->annotations));
  g_assert_cmpstr (g_dbus_interface_info_lookup_method (iface, "Scale")->out_args[0]->name, ==, "scaled");

  /* An action signal renamed and re-typed; enum arguments list their values. */
  g_assert_null (g_dbus_interface_info_lookup_method (iface, "Describe"));
  method = g_dbus_interface_info_lookup_method (iface, "DescribeKind");
  g_assert_nonnull (method);
  g_assert_cmpstr (method->in_args[0]->name, ==, "kind");
  g_assert_cmpstr (method->in_args[0]->signature, ==, "s");
  g_assert_cmpstr (method->in_args[1]->name, ==, "count");
  g_assert_cmpstr (method->in_args[1]->signature, ==, "n");
  g_assert_cmpstr (method->out_args[0]->name, ==, "text");
  g_assert_cmpstr (doc_of (method->annotations), ==, "Says what a kind is");
  {
    g_autoptr(GEnumClass) klass = g_type_class_ref (G_TYPE_FILE_TYPE);
    GString *s = g_string_new ("Values: ");

    for (guint i = 0; i < klass->n_values; i++)
      g_string_append_printf (s, "%s%s=%d", i ? ", " : "", klass->values[i].value_nick, klass->values[i].value);
    mode_values = g_string_free (s, FALSE);
  }
  g_assert_nonnull (strstr (mode_values, "directory=2"));
  g_assert_cmpstr (doc_of (method->in_args[0]->annotations), ==, mode_values);
  g_assert_null (doc_of (method->in_args[1]->annotations));

  signal = g_dbus_interface_info_lookup_signal (iface, "Advanced");
  g_assert_nonnull (signal);
  g_assert_null (g_dbus_interface_info_lookup_signal (iface, "Progress"));
  g_assert_cmpstr (signal->args[0]->name, ==, "percent");
  g_assert_cmpstr (signal->args[0]->signature, ==, "n");
  g_assert_cmpstr (signal->args[1]->name, ==, "kind");
  g_assert_cmpstr (signal->args[1]->signature, ==, "s");
  g_assert_cmpstr (doc_of (signal->annotations), ==, "Progress was made");
  g_assert_cmpstr (doc_of (signal->args[1]->annotations), ==, mode_values);

  /* Properties: overridden types, names and docs; blurbs; enum values. */
  g_assert_cmpstr (g_dbus_interface_info_lookup_property (iface, "Small")->signature, ==, "n");
  g_assert_cmpstr (g_dbus_interface_info_lookup_property (iface, "Where")->signature, ==, "o");
  g_assert_cmpstr (g_dbus_interface_info_lookup_property (iface, "Places")->signature, ==, "ao");
  g_assert_cmpstr (g_dbus_interface_info_lookup_property (iface, "Shape")->signature, ==, "g");
  g_assert_cmpstr (g_dbus_interface_info_lookup_property (iface, "Bag")->signature, ==, "a{sv}");
  g_assert_null (doc_of (g_dbus_interface_info_lookup_property (iface, "Small")->annotations));
  prop = g_dbus_interface_info_lookup_property (iface, "Kind");
  g_assert_cmpstr (prop->signature, ==, "s");
  g_assert_cmpstr (doc_of (prop->annotations), ==, mode_values);
  prop = g_dbus_interface_info_lookup_property (iface, "Mode");
  g_assert_cmpstr (prop->signature, ==, "u");
  mode_doc = g_strdup_printf ("The mode\n%s", mode_values);
  g_assert_cmpstr (doc_of (prop->annotations), ==, mode_doc);
  prop = g_dbus_interface_info_lookup_property (iface, "Flagged");
  g_assert_cmpstr (doc_of (prop->annotations), ==, "Flags: none=0, nofollow-symlinks=1");
  g_assert_null (g_dbus_interface_info_lookup_property (iface, "Label"));
  prop = g_dbus_interface_info_lookup_property (iface, "Title");
  g_assert_cmpstr (doc_of (prop->annotations), ==, TITLE_DOC);

  /* The element the server publishes is the one the type describes. */
  {
    g_autofree char *fragment = zbus_interface_type_introspect (TEST_TYPE_TABLE, &error);

    g_assert_no_error (error);
    g_assert_nonnull (strstr (xml, fragment));
    g_assert_nonnull (strstr (fragment, "&lt;things&gt; &amp; &quot;quotes&quot;&#10;second line"));
  }
}

static void
test_docs_off (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *fragment = zbus_interface_type_introspect (test_no_docs_get_type (), &error);
  g_autofree char *xml = NULL;
  g_autoptr(GDBusNodeInfo) node = NULL;
  GDBusInterfaceInfo *iface;

  g_assert_no_error (error);
  g_assert_null (strstr (fragment, "DocString"));
  g_assert_null (strstr (fragment, "Has a"));
  g_assert_null (strstr (fragment, "Values"));

  xml = g_strdup_printf ("<node>\n%s</node>\n", fragment);
  assert_valid_xml (xml);
  node = g_dbus_node_info_new_for_xml (xml, &error);
  g_assert_no_error (error);
  iface = g_dbus_node_info_lookup_interface (node, "org.zbus.Bad");
  g_assert_cmpstr (g_dbus_interface_info_lookup_property (iface, "Mode")->signature, ==, "u");
  g_assert_null (doc_of (iface->annotations));
}

/* ------------------------------------------------------------------------ */
/* What the description refuses, and what registration refuses */

static void
assert_refused (GType       type,
                const char *fragments[])
{
  g_autoptr(GError) error = NULL;

  g_assert_false (zbus_interface_type_check (type, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == G_DBUS_ERROR);
  for (guint i = 0; fragments[i] != NULL; i++)
    if (strstr (error->message, fragments[i]) == NULL)
      g_error ("“%s” not in “%s”", fragments[i], error->message);
  /* The error comes each time: the type stays undescribed. */
  g_clear_error (&error);
  g_assert_false (zbus_interface_type_check (type, &error));
  g_assert_nonnull (error);
}

static void
test_refused_types (void)
{
  assert_refused (test_bad_sig_get_type (),
                  (const char *[]) { "“count”", "TestBadSig", "gint", "“i”, “n” or “h”", "“s”", NULL });
  assert_refused (test_bad_args_get_type (),
                  (const char *[]) { "“ticked”", "TestBadArgs", "1 arguments", "“ii”", NULL });
  assert_refused (test_bad_unknown_get_type (),
                  (const char *[]) { "TestBadUnknown", "property “nope”", NULL });
  assert_refused (test_bad_clash_get_type (),
                  (const char *[]) { "“count”", "“Count” (method table)", "TestBadClash", NULL });
  assert_refused (test_bad_same_name_get_type (),
                  (const char *[]) { "“one”", "“two”", "“One”", NULL });
  assert_refused (test_bad_out_names_get_type (),
                  (const char *[]) { "“count”", "TestBadOutNames", "1 out-arguments (“i”)",
                                     "2 out-argument names", NULL });
}

static int destroyed;

static void
count_destroy (gpointer data)
{
  g_assert_true (data == &destroyed);
  destroyed++;
}

static void
test_add_method_errors (void)
{
  GType type = test_register_get_type ();
  g_autoptr(GError) error = NULL;
  g_autofree char *y255 = g_strnfill (255, 'y');
  g_autofree char *y256 = g_strnfill (256, 'y');

  /* Each refusal frees the user data. */
  destroyed = 0;
  g_assert_false (zbus_interface_type_add_method (type, "9Bad", NULL, NULL, NULL, NULL, table_silent,
                                                  &destroyed, count_destroy, &error));
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME);
  g_assert_nonnull (strstr (error->message, "9Bad"));
  g_clear_error (&error);
  g_assert_false (zbus_interface_type_add_method (type, "Good", "(i", NULL, NULL, NULL, table_silent,
                                                  &destroyed, count_destroy, &error));
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_SIGNATURE);
  g_assert_nonnull (strstr (error->message, "“(i”"));
  g_clear_error (&error);
  g_assert_false (zbus_interface_type_add_method (type, "Good", "i", "{sv}", NULL, NULL, table_silent,
                                                  &destroyed, count_destroy, &error));
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_SIGNATURE);
  g_assert_nonnull (strstr (error->message, "“{sv}”"));
  g_clear_error (&error);
  g_assert_false (zbus_interface_type_add_method (type, "Good", "ii", NULL,
                                                  (const char * const[]) { "one", NULL }, NULL,
                                                  table_silent, &destroyed, count_destroy, &error));
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_SIGNATURE);
  g_assert_nonnull (strstr (error->message, "2 in-arguments"));
  g_clear_error (&error);
  /* A body's signature (without the tuple's parentheses) has at most 255
   * bytes. */
  g_assert_false (zbus_interface_type_add_method (type, "Wide", y256, NULL, NULL, NULL, table_silent,
                                                  &destroyed, count_destroy, &error));
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_SIGNATURE);
  g_clear_error (&error);
  g_assert_false (zbus_interface_type_add_method (type, "Wide", NULL, y256, NULL, NULL, table_silent,
                                                  &destroyed, count_destroy, &error));
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_SIGNATURE);
  g_clear_error (&error);
  g_assert_cmpint (destroyed, ==, 6);
  g_assert_true (zbus_interface_type_add_method (type, "Wide", y255, y255, NULL, NULL, table_silent,
                                                 &destroyed, count_destroy, &error));
  g_assert_no_error (error);

  g_assert_true (zbus_interface_type_add_method (type, "Good", "ii", "", NULL, NULL, table_silent,
                                                 &destroyed, count_destroy, &error));
  g_assert_no_error (error);
  g_assert_false (zbus_interface_type_add_method (type, "Good", NULL, NULL, NULL, NULL, table_silent,
                                                  &destroyed, count_destroy, &error));
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME);
  g_assert_nonnull (strstr (error->message, "already has a method “Good”"));
  g_clear_error (&error);
  g_assert_cmpint (destroyed, ==, 7);

  /* Once the type is in use, its description cannot change. */
  g_assert_true (zbus_interface_type_check (type, NULL));
  g_assert_false (zbus_interface_type_add_method (type, "Later", NULL, NULL, NULL, NULL, table_silent,
                                                  &destroyed, count_destroy, &error));
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "already in use"));
  g_assert_cmpint (destroyed, ==, 8);
  g_clear_error (&error);
  g_test_expect_message ("Zbus", G_LOG_LEVEL_CRITICAL, "*already in use*");
  g_assert_false (zbus_interface_type_set_property_name (type, "mode", "Other"));
  g_test_assert_expected_messages ();
}

/* A type named again before its first use. */
DEFINE_BAD_TYPE (TestRenamed, test_renamed, {})

/* The name zbus_interface_type_get_name() gave stays valid when the type is
 * named again. */
static void
test_type_name (void)
{
  GType type = test_renamed_get_type ();
  g_autoptr(GTypeClass) klass = g_type_class_ref (type);
  const char *before = zbus_interface_type_get_name (type);

  g_assert_cmpstr (before, ==, "org.zbus.Bad");
  g_assert_true (zbus_interface_type_set_name (type, "org.zbus.Renamed"));
  g_assert_cmpstr (before, ==, "org.zbus.Bad");
  g_assert_cmpstr (zbus_interface_type_get_name (type), ==, "org.zbus.Renamed");
}

/* ------------------------------------------------------------------------ */
/* Inherited members */

static void
test_inherited (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(TestLeaf) leaf = g_object_new (TEST_TYPE_LEAF, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusNodeInfo) node = NULL;
  g_autoptr(GVariant) all = NULL;
  g_autoptr(GVariant) dict = NULL;
  g_autofree char *xml = NULL;
  GDBusInterfaceInfo *iface;
  GVariant *v;
  const char *methods[] = { "Notify", "notify", "base_ping", NULL };
  const char *props[] = { "Notify", "BaseValue", "base-value", NULL };

  g_assert_true (zbus_object_server_at (fixture->server, "/leaf", ZBUS_INTERFACE (leaf), &error));
  g_assert_no_error (error);

  /* Members of every ZbusInterface subclass on the way are exported,
   * with the overrides the ancestors made; GObject's are not. */
  xml = introspect (fixture, "/leaf");
  assert_valid_xml (xml);
  node = g_dbus_node_info_new_for_xml (xml, &error);
  g_assert_no_error (error);
  iface = g_dbus_node_info_lookup_interface (node, "org.zbus.Leaf");
  g_assert_nonnull (iface);
  g_assert_nonnull (g_dbus_interface_info_lookup_method (iface, "BasePing"));
  g_assert_nonnull (g_dbus_interface_info_lookup_method (iface, "TablePing"));
  g_assert_nonnull (g_dbus_interface_info_lookup_method (iface, "MidHello"));
  g_assert_null (iface->methods[3]);
  g_assert_nonnull (g_dbus_interface_info_lookup_signal (iface, "BaseEvent"));
  g_assert_null (iface->signals[1]);
  g_assert_nonnull (g_dbus_interface_info_lookup_property (iface, "Value"));
  g_assert_nonnull (g_dbus_interface_info_lookup_property (iface, "MidValue"));
  g_assert_null (iface->properties[2]);

  v = call_at (fixture, "/leaf", "org.zbus.Leaf", "BasePing", NULL, &error);
  g_assert_no_error (error);
  assert_variant (v, g_variant_new ("(s)", "pong from TestLeaf"));
  g_variant_unref (v);
  v = call_at (fixture, "/leaf", "org.zbus.Leaf", "TablePing", NULL, &error);
  g_assert_no_error (error);
  assert_variant (v, g_variant_new ("(s)", "TestLeaf"));
  g_variant_unref (v);
  v = call_at (fixture, "/leaf", "org.zbus.Leaf", "MidHello", NULL, &error);
  g_assert_no_error (error);
  assert_variant (v, g_variant_new ("(u)", 7));
  g_variant_unref (v);

  all = call_at (fixture, "/leaf", "org.freedesktop.DBus.Properties", "GetAll",
                 g_variant_new ("(s)", "org.zbus.Leaf"), &error);
  g_assert_no_error (error);
  dict = g_variant_get_child_value (all, 0);
  assert_variant (dict, g_variant_new_parsed ("{'Value': <0>, 'MidValue': <uint32 3>}"));

  /* GObject's own members, and GObject names, are not reachable. */
  for (guint i = 0; methods[i] != NULL; i++)
    {
      g_assert_null (call_at (fixture, "/leaf", "org.zbus.Leaf", methods[i], NULL, &error));
      assert_dbus_error (error, "org.freedesktop.DBus.Error.UnknownMethod", methods[i]);
      g_clear_error (&error);
    }
  for (guint i = 0; props[i] != NULL; i++)
    {
      g_assert_null (get_property_at (fixture, "/leaf", "org.zbus.Leaf", props[i], &error));
      assert_dbus_error (error, "org.freedesktop.DBus.Error.UnknownProperty", props[i]);
      g_clear_error (&error);
    }

  /* An inherited signal goes out; notify is only PropertiesChanged. */
  sync_with_server (fixture);
  g_ptr_array_set_size (fixture->signals, 0);
  g_object_set (leaf, "base-value", 5, NULL);
  g_signal_emit_by_name (leaf, "base-event", "bang");
  sync_with_server (fixture);
  g_assert_cmpuint (fixture->signals->len, ==, 2);
  v = last_signal (fixture, "PropertiesChanged");
  assert_variant (v, g_variant_new_parsed ("('org.zbus.Leaf', {'Value': <5>}, @as [])"));
  g_variant_unref (v);
  v = last_signal (fixture, "BaseEvent");
  assert_variant (v, g_variant_new ("(s)", "bang"));
  g_variant_unref (v);

  g_assert_true (zbus_object_server_remove (fixture->server, "/leaf", TEST_TYPE_LEAF));
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
  g_test_summary ("Method tables, per-member overrides, introspection docs, inherited members "
                  "and error mapping of ZbusInterface types, called by a GDBus client");

  for (guint i = 0; i < G_N_ELEMENTS (transports); i++)
    {
      gconstpointer t = GINT_TO_POINTER (transports[i].transport);
#define ADD(path, func) \
      G_STMT_START { \
        g_autofree char *full = g_strdup_printf ("/Zbus/Interface/%s/%s", transports[i].name, path); \
        g_test_add (full, Fixture, t, fixture_setup, func, fixture_teardown); \
      } G_STMT_END
      ADD ("method-table", test_method_table);
      ADD ("error-mapping", test_error_mapping);
      ADD ("property-overrides", test_property_overrides);
      ADD ("member-overrides", test_member_overrides);
      ADD ("introspection", test_introspection);
      ADD ("inherited", test_inherited);
#undef ADD
    }
  g_test_add_func ("/Zbus/Interface/docs-off", test_docs_off);
  g_test_add_func ("/Zbus/Interface/refused-types", test_refused_types);
  g_test_add_func ("/Zbus/Interface/add-method-errors", test_add_method_errors);
  g_test_add_func ("/Zbus/Interface/type-name", test_type_name);

  return g_test_run ();
}
