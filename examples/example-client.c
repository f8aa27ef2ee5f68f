/* example-client.c: talks to example-service through a ZbusProxy
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Makes a proxy from the service's own introspection: a GObject whose
 * properties and signals mirror the remote interface. Calls MeaningOfLife,
 * reads TheAnswer as a GObject property, changes Greeting and watches
 * notify::greeting follow, shows how IFail fails, then asks the service to
 * Quit and prints its Bye signal.
 *
 *   dbus-run-session -- sh -c '_build/examples/example-service & sleep 1;
 *     _build/examples/example-client'
 */

#include <zbus-gobject.h>

#define NAME  "org.zbus.MyService"
#define PATH  "/org/zbus/path"
#define IFACE "org.myservice.Example"

/* Runs @loop until @done is set or five seconds pass: no example hangs. */
static void
wait_for (gboolean *done)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (!*done && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
}

/* The proxy's "greeting" GObject property follows the remote Greeting. */
static void
greeting_notify_cb (GObject    *proxy,
                    GParamSpec *pspec,
                    gpointer    user_data)
{
  gboolean *seen = user_data;

  *seen = TRUE;
  g_signal_handlers_disconnect_by_func (proxy, greeting_notify_cb, user_data);
}

/* The remote signal Bye(s message) is the proxy's GObject signal "bye". */
static void
bye_cb (ZbusProxy  *proxy,
        const char *message,
        gpointer    user_data)
{
  gboolean *seen = user_data;

  g_print ("Bye: %s\n", message);
  *seen = TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusConnection) connection = NULL;
  g_autoptr(ZbusProxy) proxy = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) failed = NULL;
  g_autoptr(GVariant) greeting = NULL;
  g_autoptr(GVariant) greeting_value = NULL;
  gboolean greeting_seen = FALSE;
  gboolean bye_seen = FALSE;
  const char *question;
  guint answer;
  int number;

  connection = zbus_connection_session (NULL, &error);
  if (connection == NULL)
    {
      g_printerr ("Cannot connect: %s\n", error->message);
      return 1;
    }

  /* EAGER: the properties are in the cache once the proxy exists. */
  proxy = zbus_proxy_new_for_introspection (connection, NAME, PATH, IFACE,
                                            ZBUS_PROXY_CACHE_MODE_EAGER, NULL, &error);
  if (proxy == NULL)
    {
      g_printerr ("Cannot make a proxy: %s\n", error->message);
      return 1;
    }

  /* Arguments and reply are checked against the introspected signature. */
  reply = zbus_proxy_call_method (proxy, "MeaningOfLife", NULL, ZBUS_MESSAGE_FLAGS_NONE,
                                  ZBUS_TIMEOUT_DEFAULT, NULL, &error);
  if (reply == NULL)
    {
      g_printerr ("MeaningOfLife failed: %s\n", error->message);
      return 1;
    }
  g_variant_get (reply, "(i&s)", &number, &question);
  g_print ("MeaningOfLife: %d (%s)\n", number, question);

  g_object_get (proxy, "the-answer", &answer, NULL);
  g_print ("TheAnswer: %u\n", answer);

  /* Setting the GObject property sends Set without waiting: the proxy's
   * value changes at once, and goes back (with set-property-failed) if the
   * service refuses. Later changes by the service arrive as notify. */
  g_signal_connect (proxy, "notify::greeting", G_CALLBACK (greeting_notify_cb), &greeting_seen);
  g_object_set (proxy, "greeting", "Hi there", NULL);
  wait_for (&greeting_seen);

  /* What the service itself now says, asked past the cache. */
  greeting = zbus_connection_call_sync (connection, NAME, PATH, "org.freedesktop.DBus.Properties",
                                        "Get", g_variant_new ("(ss)", IFACE, "Greeting"),
                                        G_VARIANT_TYPE ("(v)"), ZBUS_MESSAGE_FLAGS_NONE,
                                        ZBUS_TIMEOUT_DEFAULT, NULL, &error);
  if (greeting == NULL)
    {
      g_printerr ("Reading Greeting failed: %s\n", error->message);
      return 1;
    }
  g_variant_get (greeting, "(v)", &greeting_value);
  g_print ("Greeting: %s\n", g_variant_get_string (greeting_value, NULL));

  /* A property read that fails is reported, never only logged. */
  failed = zbus_proxy_get_dbus_property (proxy, "IFail", NULL, &error);
  g_print ("IFail: %s\n", failed == NULL ? error->message : "unexpectedly succeeded");
  g_clear_error (&error);

  g_signal_connect (proxy, "bye", G_CALLBACK (bye_cb), &bye_seen);
  g_clear_pointer (&reply, g_variant_unref);
  reply = zbus_proxy_call_method (proxy, "Quit", NULL, ZBUS_MESSAGE_FLAGS_NONE,
                                  ZBUS_TIMEOUT_DEFAULT, NULL, &error);
  if (reply == NULL)
    {
      g_printerr ("Quit failed: %s\n", error->message);
      return 1;
    }
  wait_for (&bye_seen);
  return bye_seen && greeting_seen ? 0 : 1;
}
