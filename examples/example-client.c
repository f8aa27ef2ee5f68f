/* example-client.c: talks to example-service
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Calls MeaningOfLife, reads TheAnswer, changes Greeting, shows how IFail
 * fails, then asks the service to Quit and prints its Bye.
 *
 *   dbus-run-session -- sh -c '_build/examples/example-service & sleep 1;
 *     _build/examples/example-client'
 */

#include <zbus-gobject.h>

#define NAME  "org.zbus.MyService"
#define PATH  "/org/zbus/path"
#define IFACE "org.myservice.Example"

static GVariant *
call (ZbusConnection *connection,
      const char     *interface_,
      const char     *method,
      GVariant       *args,
      const char     *reply_type,
      GError        **error)
{
  return zbus_connection_call_sync (connection, NAME, PATH, interface_, method, args,
                                    reply_type ? G_VARIANT_TYPE (reply_type) : NULL,
                                    ZBUS_MESSAGE_FLAGS_NONE, ZBUS_TIMEOUT_DEFAULT, NULL, error);
}

static gboolean
bye_cb (ZbusMessageStream *stream,
        ZbusMessage       *message,
        gpointer           user_data)
{
  const char *text;

  if (g_strcmp0 (zbus_message_get_member (message), "Bye") != 0)
    return G_SOURCE_CONTINUE;
  g_variant_get (zbus_message_get_body (message), "(&s)", &text);
  g_print ("Bye: %s\n", text);
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusConnection) connection = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) answer = NULL;
  g_autoptr(GVariant) greeting = NULL;
  g_autoptr(ZbusMatchRule) rule = NULL;
  g_autoptr(ZbusMessageStream) stream = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  const char *question;
  int number;

  connection = zbus_connection_session (NULL, &error);
  if (connection == NULL)
    {
      g_printerr ("Cannot connect: %s\n", error->message);
      return 1;
    }

  reply = call (connection, IFACE, "MeaningOfLife", NULL, "(is)", &error);
  if (reply == NULL)
    {
      g_printerr ("MeaningOfLife failed: %s\n", error->message);
      return 1;
    }
  g_variant_get (reply, "(i&s)", &number, &question);
  g_print ("MeaningOfLife: %d (%s)\n", number, question);

  answer = call (connection, "org.freedesktop.DBus.Properties", "Get",
                 g_variant_new ("(ss)", IFACE, "TheAnswer"), "(v)", &error);
  if (answer == NULL)
    {
      g_printerr ("TheAnswer failed: %s\n", error->message);
      return 1;
    }
  {
    g_autoptr(GVariant) v = NULL;

    g_variant_get (answer, "(v)", &v);
    g_print ("TheAnswer: %u\n", g_variant_get_uint32 (v));
  }

  g_clear_pointer (&reply, g_variant_unref);
  reply = call (connection, "org.freedesktop.DBus.Properties", "Set",
                g_variant_new ("(ssv)", IFACE, "Greeting", g_variant_new_string ("Hi there")),
                NULL, &error);
  greeting = call (connection, "org.freedesktop.DBus.Properties", "Get",
                   g_variant_new ("(ss)", IFACE, "Greeting"), "(v)", &error);
  if (greeting == NULL)
    {
      g_printerr ("Greeting failed: %s\n", error->message);
      return 1;
    }
  {
    g_autoptr(GVariant) v = NULL;

    g_variant_get (greeting, "(v)", &v);
    g_print ("Greeting: %s\n", g_variant_get_string (v, NULL));
  }

  g_clear_pointer (&reply, g_variant_unref);
  reply = call (connection, "org.freedesktop.DBus.Properties", "Get",
                g_variant_new ("(ss)", IFACE, "IFail"), "(v)", &error);
  g_print ("IFail: %s\n", reply == NULL ? error->message : "unexpectedly succeeded");
  g_clear_error (&error);

  rule = zbus_match_rule_new_from_string ("type='signal',interface='" IFACE "',member='Bye'", &error);
  stream = rule ? zbus_message_stream_new_for_match_rule (connection, rule, 0, NULL, &error) : NULL;
  if (stream == NULL)
    {
      g_printerr ("Cannot watch Bye: %s\n", error->message);
      return 1;
    }
  zbus_message_stream_add_watch (stream, NULL, bye_cb, loop, NULL);

  g_clear_pointer (&reply, g_variant_unref);
  reply = call (connection, IFACE, "Quit", NULL, NULL, &error);
  if (reply == NULL)
    {
      g_printerr ("Quit failed: %s\n", error->message);
      return 1;
    }
  g_main_loop_run (loop);
  return 0;
}
