/* om-test-service.h: a GDBus service with a GDBusObjectManagerServer, in a
 * thread of its own, for the object manager client tests
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "test-util.h"

#define SERVICE_NAME "org.zbus.Test.Manager"
#define MANAGER_PATH "/org/zbus/Test/Objects"
#define THING_IFACE "org.zbus.Test.Thing"
#define EXTRA_IFACE "org.zbus.Test.Extra"

static const char service_xml[] =
  "<node>"
  "  <interface name='" THING_IFACE "'>"
  "    <method name='Describe'><arg type='s' direction='out'/></method>"
  "    <property name='Count' type='i' access='readwrite'/>"
  "    <property name='Label' type='s' access='read'/>"
  "    <signal name='Poked'><arg type='s'/></signal>"
  "  </interface>"
  "  <interface name='" EXTRA_IFACE "'>"
  "    <property name='Flag' type='b' access='read'/>"
  "  </interface>"
  "</node>";

/* ------------------------------------------------------------------------ */
/* A GDBusInterfaceSkeleton whose properties are a table of GVariants */

typedef struct
{
  GDBusInterfaceSkeleton parent_instance;
  GDBusInterfaceInfo *info;   /* (owned) */
  GHashTable *props;          /* name → GVariant (owned) */
} TestSkeleton;

typedef GDBusInterfaceSkeletonClass TestSkeletonClass;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestSkeleton, g_object_unref)

static GType test_skeleton_get_type (void);
G_DEFINE_TYPE (TestSkeleton, test_skeleton, G_TYPE_DBUS_INTERFACE_SKELETON)

static void
test_skeleton_method_call (GDBusConnection       *connection,
                           const char            *sender,
                           const char            *object_path,
                           const char            *interface_name,
                           const char            *method_name,
                           GVariant              *parameters,
                           GDBusMethodInvocation *invocation,
                           gpointer               user_data)
{
  TestSkeleton *self = user_data;
  GVariant *label = g_hash_table_lookup (self->props, "Label");

  g_assert_cmpstr (method_name, ==, "Describe");
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(@s)", label));
}

static GVariant *
test_skeleton_get_property (GDBusConnection  *connection,
                            const char       *sender,
                            const char       *object_path,
                            const char       *interface_name,
                            const char       *property_name,
                            GError          **error,
                            gpointer          user_data)
{
  TestSkeleton *self = user_data;
  GVariant *value = g_hash_table_lookup (self->props, property_name);

  return value != NULL ? g_variant_ref (value) : NULL;
}

static GDBusInterfaceInfo *
test_skeleton_get_info (GDBusInterfaceSkeleton *skeleton)
{
  return ((TestSkeleton *) skeleton)->info;
}

static GDBusInterfaceVTable *
test_skeleton_get_vtable (GDBusInterfaceSkeleton *skeleton)
{
  static GDBusInterfaceVTable vtable = {
    test_skeleton_method_call, test_skeleton_get_property, NULL, { 0 }
  };

  return &vtable;
}

static GVariant *
test_skeleton_get_properties (GDBusInterfaceSkeleton *skeleton)
{
  TestSkeleton *self = (TestSkeleton *) skeleton;
  GVariantBuilder builder;
  GHashTableIter iter;
  gpointer key, value;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_hash_table_iter_init (&iter, self->props);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_variant_builder_add (&builder, "{sv}", key, value);
  return g_variant_builder_end (&builder);
}

static void
test_skeleton_flush (GDBusInterfaceSkeleton *skeleton)
{
}

static void
test_skeleton_finalize (GObject *object)
{
  TestSkeleton *self = (TestSkeleton *) object;

  g_dbus_interface_info_unref (self->info);
  g_hash_table_unref (self->props);
  G_OBJECT_CLASS (test_skeleton_parent_class)->finalize (object);
}

static void
test_skeleton_class_init (TestSkeletonClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_skeleton_finalize;
  klass->get_info = test_skeleton_get_info;
  klass->get_vtable = test_skeleton_get_vtable;
  klass->get_properties = test_skeleton_get_properties;
  klass->flush = test_skeleton_flush;
}

static void
test_skeleton_init (TestSkeleton *self)
{
  self->props = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) g_variant_unref);
}

static TestSkeleton *
test_skeleton_new (const char *interface_name)
{
  g_autoptr(GDBusNodeInfo) node = g_dbus_node_info_new_for_xml (service_xml, NULL);
  TestSkeleton *self = g_object_new (test_skeleton_get_type (), NULL);

  self->info = g_dbus_interface_info_ref (g_dbus_node_info_lookup_interface (node, interface_name));
  return self;
}

static void
test_skeleton_set (TestSkeleton *self,
                   const char   *name,
                   GVariant     *value)
{
  g_hash_table_replace (self->props, g_strdup (name), g_variant_ref_sink (value));
}

/* ------------------------------------------------------------------------ */
/* The service thread */

typedef struct
{
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  GDBusConnection *connection;          /* service thread */
  GDBusObjectManagerServer *manager;    /* service thread */
  char *unique_name;                    /* (nullable): NULL peer to peer */
  GIOStream *p2p_stream;                /* (owned) (nullable): serve a peer on it */
  gint get_all_calls;                   /* (atomic) */
  gboolean ready;
  GMutex lock;
  GCond cond;
} Service;

/* GDBus's worker thread: counts the GetAll calls the service gets. */
static GDBusMessage *
service_filter_cb (GDBusConnection *connection,
                   GDBusMessage    *message,
                   gboolean         incoming,
                   gpointer         user_data)
{
  Service *service = user_data;

  if (incoming && g_strcmp0 (g_dbus_message_get_member (message), "GetAll") == 0)
    g_atomic_int_inc (&service->get_all_calls);
  return message;
}

static gpointer
service_thread (gpointer data)
{
  Service *service = data;

  g_main_context_push_thread_default (service->context);
  if (service->p2p_stream != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *guid = g_dbus_generate_guid ();

      service->connection = g_dbus_connection_new_sync (service->p2p_stream, guid,
                                                        G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_SERVER,
                                                        NULL, NULL, &error);
      g_assert_no_error (error);
    }
  else
    service->connection = zbus_test_connect_gdbus ();
  g_dbus_connection_add_filter (service->connection, service_filter_cb, service, NULL);
  service->manager = g_dbus_object_manager_server_new (MANAGER_PATH);
  g_dbus_object_manager_server_set_connection (service->manager, service->connection);

  g_mutex_lock (&service->lock);
  service->unique_name = g_strdup (g_dbus_connection_get_unique_name (service->connection));
  service->ready = TRUE;
  g_cond_signal (&service->cond);
  g_mutex_unlock (&service->lock);

  g_main_loop_run (service->loop);

  g_clear_object (&service->manager);
  g_dbus_connection_close_sync (service->connection, NULL, NULL);
  g_clear_object (&service->connection);
  while (g_main_context_iteration (service->context, FALSE));
  g_main_context_pop_thread_default (service->context);
  return NULL;
}

/* Starts the service thread: on the bus, or serving the peer at the other
 * end of @p2p_stream (which must then connect before service_wait()). */
static Service *
service_spawn (GIOStream *p2p_stream)
{
  Service *service = g_new0 (Service, 1);

  service->context = g_main_context_new ();
  service->loop = g_main_loop_new (service->context, FALSE);
  service->p2p_stream = p2p_stream != NULL ? g_object_ref (p2p_stream) : NULL;
  g_mutex_init (&service->lock);
  g_cond_init (&service->cond);
  service->thread = g_thread_new ("service", service_thread, service);
  return service;
}

static void
service_wait (Service *service)
{
  g_mutex_lock (&service->lock);
  while (!service->ready)
    g_cond_wait (&service->cond, &service->lock);
  g_mutex_unlock (&service->lock);
}

static Service *
service_start (void)
{
  Service *service = service_spawn (NULL);

  service_wait (service);
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
  g_clear_object (&service->p2p_stream);
  g_free (service->unique_name);
  g_free (service);
}

/* What the service thread does, one at a time, while the test waits. */
typedef enum
{
  OP_REQUEST_NAME,
  OP_RELEASE_NAME,
  OP_EXPORT_THING,      /* path, count, text (label) */
  OP_UNEXPORT,          /* path */
  OP_ADD_EXTRA,         /* path */
  OP_REMOVE_EXTRA,      /* path */
  OP_SET_COUNT,         /* path, count */
  OP_EXPORT_AND_SET,    /* path, count: export with 0, then set count */
  OP_EMIT_POKED,        /* path, text */
} OpKind;

typedef struct
{
  Service *service;
  OpKind kind;
  const char *path;
  int count;
  const char *text;
  gboolean done;
} Op;

static void
service_call_bus (Service    *service,
                  const char *method)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  GVariant *parameters;

  if (g_str_equal (method, "RequestName"))
    parameters = g_variant_new ("(su)", SERVICE_NAME, 0);
  else
    parameters = g_variant_new ("(s)", SERVICE_NAME);
  reply = g_dbus_connection_call_sync (service->connection, "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus", "org.freedesktop.DBus", method,
                                       parameters, G_VARIANT_TYPE ("(u)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
}

static TestSkeleton *
service_lookup (Service    *service,
                const char *path,
                const char *interface_name)
{
  g_autoptr(GDBusObject) object = g_dbus_object_manager_get_object (G_DBUS_OBJECT_MANAGER (service->manager), path);
  GDBusInterface *iface;

  g_assert_nonnull (object);
  iface = g_dbus_object_get_interface (object, interface_name);
  g_assert_nonnull (iface);
  g_object_unref (iface);   /* the object keeps it */
  return (TestSkeleton *) iface;
}

static void
service_set_count (Service    *service,
                   const char *path,
                   int         count)
{
  TestSkeleton *thing = service_lookup (service, path, THING_IFACE);
  g_autoptr(GError) error = NULL;
  GVariantBuilder changed;

  test_skeleton_set (thing, "Count", g_variant_new_int32 (count));
  g_variant_builder_init (&changed, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&changed, "{sv}", "Count", g_variant_new_int32 (count));
  g_dbus_connection_emit_signal (service->connection, NULL, path,
                                 "org.freedesktop.DBus.Properties", "PropertiesChanged",
                                 g_variant_new ("(sa{sv}as)", THING_IFACE, &changed, NULL),
                                 &error);
  g_assert_no_error (error);
}

static void
service_export_thing (Service    *service,
                      const char *path,
                      int         count,
                      const char *label)
{
  g_autoptr(GDBusObjectSkeleton) object = g_dbus_object_skeleton_new (path);
  g_autoptr(TestSkeleton) thing = test_skeleton_new (THING_IFACE);

  test_skeleton_set (thing, "Count", g_variant_new_int32 (count));
  test_skeleton_set (thing, "Label", g_variant_new_string (label));
  g_dbus_object_skeleton_add_interface (object, G_DBUS_INTERFACE_SKELETON (thing));
  g_dbus_object_manager_server_export (service->manager, object);
}

static gboolean
service_op_cb (gpointer data)
{
  Op *op = data;
  Service *service = op->service;
  g_autoptr(GError) error = NULL;

  switch (op->kind)
    {
    case OP_REQUEST_NAME:
      service_call_bus (service, "RequestName");
      break;
    case OP_RELEASE_NAME:
      service_call_bus (service, "ReleaseName");
      break;
    case OP_EXPORT_THING:
      service_export_thing (service, op->path, op->count, op->text);
      break;
    case OP_EXPORT_AND_SET:
      service_export_thing (service, op->path, 0, "raced");
      service_set_count (service, op->path, op->count);
      break;
    case OP_UNEXPORT:
      g_assert_true (g_dbus_object_manager_server_unexport (service->manager, op->path));
      break;
    case OP_ADD_EXTRA:
      {
        g_autoptr(GDBusObject) object = g_dbus_object_manager_get_object (G_DBUS_OBJECT_MANAGER (service->manager), op->path);
        g_autoptr(TestSkeleton) extra = test_skeleton_new (EXTRA_IFACE);

        test_skeleton_set (extra, "Flag", g_variant_new_boolean (TRUE));
        g_dbus_object_skeleton_add_interface (G_DBUS_OBJECT_SKELETON (object),
                                              G_DBUS_INTERFACE_SKELETON (extra));
      }
      break;
    case OP_REMOVE_EXTRA:
      {
        g_autoptr(GDBusObject) object = g_dbus_object_manager_get_object (G_DBUS_OBJECT_MANAGER (service->manager), op->path);

        g_dbus_object_skeleton_remove_interface_by_name (G_DBUS_OBJECT_SKELETON (object), EXTRA_IFACE);
      }
      break;
    case OP_SET_COUNT:
      service_set_count (service, op->path, op->count);
      break;
    case OP_EMIT_POKED:
      g_dbus_connection_emit_signal (service->connection, NULL, op->path, THING_IFACE, "Poked",
                                     g_variant_new ("(s)", op->text), &error);
      g_assert_no_error (error);
      break;
    }

  /* Flushed before the test goes on: what it waits for is on its way. */
  g_dbus_connection_flush_sync (service->connection, NULL, &error);
  g_assert_no_error (error);

  g_mutex_lock (&service->lock);
  op->done = TRUE;
  g_cond_signal (&service->cond);
  g_mutex_unlock (&service->lock);
  return G_SOURCE_REMOVE;
}

static void
service_do (Service    *service,
            OpKind      kind,
            const char *path,
            int         count,
            const char *text)
{
  Op op = { service, kind, path, count, text, FALSE };

  g_main_context_invoke (service->context, service_op_cb, &op);
  g_mutex_lock (&service->lock);
  while (!op.done)
    g_cond_wait (&service->cond, &service->lock);
  g_mutex_unlock (&service->lock);
}
