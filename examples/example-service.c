/* example-service.c: the seed example, served with ZbusInterface
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Serves org.myservice.Example at /org/zbus/path as org.zbus.MyService:
 * a GObject type whose properties, signals and action signals are the
 * D-Bus properties, signals and methods. No XML, no code generator.
 *
 *   dbus-run-session -- sh -c '_build/examples/example-service & sleep 1;
 *     busctl --user call org.zbus.MyService /org/zbus/path \
 *       org.myservice.Example MeaningOfLife'
 */

#include <zbus-gobject.h>

#define EXAMPLE_TYPE_IFACE (example_iface_get_type ())
G_DECLARE_FINAL_TYPE (ExampleIface, example_iface, EXAMPLE, IFACE, ZbusInterface)

struct _ExampleIface
{
  ZbusInterface  parent_instance;

  char          *greeting;
  GMainLoop     *loop;  /* (unowned) (nullable): quit by Quit() */
  gboolean       done;  /* Quit() was answered and its reply is out */
};

G_DEFINE_FINAL_TYPE (ExampleIface, example_iface, ZBUS_TYPE_INTERFACE)

enum { PROP_0, PROP_THE_ANSWER, PROP_I_FAIL, PROP_GREETING, N_PROPS };
enum { SIGNAL_BYE, SIGNAL_QUIT, SIGNAL_MEANING_OF_LIFE, N_SIGNALS };

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
example_iface_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  ExampleIface *self = EXAMPLE_IFACE (object);

  switch (prop_id)
    {
    case PROP_THE_ANSWER:
      g_value_set_uint (value, 42);
      break;
    case PROP_I_FAIL:
      {
        /* A property read fails by answering the call that asked. */
        ZbusMethodInvocation *invocation = zbus_method_invocation_get_current ();

        if (invocation != NULL)
          zbus_method_invocation_return_dbus_error (invocation,
                                                    "org.freedesktop.DBus.Error.UnknownProperty",
                                                    "IFail: this property always fails");
        break;
      }
    case PROP_GREETING:
      g_value_set_string (value, self->greeting);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
example_iface_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  ExampleIface *self = EXAMPLE_IFACE (object);

  switch (prop_id)
    {
    case PROP_I_FAIL:
      break;
    case PROP_GREETING:
      if (g_strcmp0 (self->greeting, g_value_get_string (value)) != 0)
        {
          g_free (self->greeting);
          self->greeting = g_value_dup_string (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
flushed_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(ExampleIface) self = user_data;

  zbus_connection_flush_finish (ZBUS_CONNECTION (object), result, NULL);
  self->done = TRUE;
  if (self->loop != NULL)
    g_main_loop_quit (self->loop);
}

/* Quit(): says goodbye, replies, and leaves once the reply is out. */
static void
example_iface_quit (ExampleIface *self)
{
  ZbusMethodInvocation *invocation = zbus_method_invocation_get_current ();
  g_autofree char *message = NULL;

  message = g_strdup_printf ("You are leaving me on the %s path?",
                             zbus_method_invocation_get_path (invocation));
  g_signal_emit (self, signals[SIGNAL_BYE], 0, message);
  zbus_method_invocation_return_value (invocation, NULL);
  zbus_connection_flush (zbus_method_invocation_get_connection (invocation), NULL,
                         flushed_cb, g_object_ref (self));
}

static GVariant *
example_iface_meaning_of_life (ExampleIface *self)
{
  return g_variant_new ("(is)", 42, "Meaning of life");
}

static void
example_iface_finalize (GObject *object)
{
  ExampleIface *self = EXAMPLE_IFACE (object);

  g_free (self->greeting);

  G_OBJECT_CLASS (example_iface_parent_class)->finalize (object);
}

static void
example_iface_class_init (ExampleIfaceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const char * const out_names[] = { "answer", "question", NULL };
  const char * const bye_names[] = { "message", NULL };

  object_class->get_property = example_iface_get_property;
  object_class->set_property = example_iface_set_property;
  object_class->finalize = example_iface_finalize;

  properties[PROP_THE_ANSWER] =
    g_param_spec_uint ("the-answer", NULL, NULL, 0, G_MAXUINT, 42,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_I_FAIL] =
    g_param_spec_int ("i-fail", NULL, NULL, G_MININT, G_MAXINT, 0,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_GREETING] =
    g_param_spec_string ("greeting", NULL, "The greeting", "Hello",
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_BYE] =
    g_signal_new ("bye", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_QUIT] =
    g_signal_new_class_handler ("quit", G_TYPE_FROM_CLASS (klass),
                                G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
                                G_CALLBACK (example_iface_quit),
                                NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_MEANING_OF_LIFE] =
    g_signal_new_class_handler ("meaning-of-life", G_TYPE_FROM_CLASS (klass),
                                G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
                                G_CALLBACK (example_iface_meaning_of_life),
                                NULL, NULL, NULL, G_TYPE_VARIANT, 0);

  zbus_interface_type_set_name (G_TYPE_FROM_CLASS (klass), "org.myservice.Example");
  zbus_interface_type_set_method_signature (G_TYPE_FROM_CLASS (klass), "MeaningOfLife",
                                            "is", out_names);
  zbus_interface_type_set_signal_signature (G_TYPE_FROM_CLASS (klass), "bye", NULL, bye_names);
}

static void
example_iface_init (ExampleIface *self)
{
  self->greeting = g_strdup ("Hello");
}

#ifndef EXAMPLE_SERVICE_NO_MAIN
int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusConnection) connection = NULL;
  g_autoptr(ExampleIface) iface = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  ZbusObjectServer *server;

  connection = zbus_connection_session (NULL, &error);
  if (connection == NULL)
    {
      g_printerr ("Cannot connect to the session bus: %s\n", error->message);
      return 1;
    }

  iface = g_object_new (EXAMPLE_TYPE_IFACE, NULL);
  iface->loop = loop;
  server = zbus_object_server_get_for_connection (connection);
  if (!zbus_object_server_at (server, "/org/zbus/path", ZBUS_INTERFACE (iface), &error))
    {
      g_printerr ("Cannot serve the interface: %s\n", error ? error->message : "already served");
      return 1;
    }
  if (zbus_connection_request_name_sync (connection, "org.zbus.MyService",
                                         ZBUS_REQUEST_NAME_FLAGS_DO_NOT_QUEUE, NULL, &error)
      != ZBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER)
    {
      g_printerr ("Cannot own org.zbus.MyService: %s\n", error ? error->message : "taken");
      return 1;
    }

  g_print ("Serving org.myservice.Example at /org/zbus/path as org.zbus.MyService\n");
  g_main_loop_run (loop);
  return 0;
}
#endif
