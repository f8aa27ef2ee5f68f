/* example-client.c: talks to example-service through a ZbusProxy
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Calls MeaningOfLife, reads TheAnswer from the proxy's property cache,
 * changes Greeting and watches the cache follow, shows how IFail fails,
 * then asks the service to Quit and prints its Bye signal.
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

static void
greeting_changed_cb (ZbusProxy          *proxy,
                     GVariant           *changed,
                     const char * const *invalidated,
                     gpointer            user_data)
{
  gboolean *seen = user_data;
  const char *greeting;

  if (g_variant_lookup (changed, "Greeting", "&s", &greeting))
    {
      g_print ("Greeting: %s\n", greeting);
      *seen = TRUE;
    }
}

static void
bye_cb (ZbusProxy  *proxy,
        const char *sender,
        const char *signal_name,
        GVariant   *parameters,
        gpointer    user_data)
{
  gboolean *seen = user_data;
  const char *text;

  g_variant_get (parameters, "(&s)", &text);
  g_print ("Bye: %s\n", text);
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
  g_autoptr(GVariant) answer = NULL;
  g_autoptr(GVariant) failed = NULL;
  gboolean greeting_seen = FALSE;
  gboolean bye_seen = FALSE;
  const char *question;
  int number;

  connection = zbus_connection_session (NULL, &error);
  if (connection == NULL)
    {
      g_printerr ("Cannot connect: %s\n", error->message);
      return 1;
    }

  /* EAGER: the properties are in the cache once the proxy exists. */
  proxy = zbus_proxy_new (connection, NAME, PATH, IFACE, ZBUS_PROXY_CACHE_MODE_EAGER,
                          NULL, &error);
  if (proxy == NULL)
    {
      g_printerr ("Cannot make a proxy: %s\n", error->message);
      return 1;
    }

  reply = zbus_proxy_call (proxy, "MeaningOfLife", NULL, G_VARIANT_TYPE ("(is)"),
                           ZBUS_MESSAGE_FLAGS_NONE, ZBUS_TIMEOUT_DEFAULT, NULL, &error);
  if (reply == NULL)
    {
      g_printerr ("MeaningOfLife failed: %s\n", error->message);
      return 1;
    }
  g_variant_get (reply, "(i&s)", &number, &question);
  g_print ("MeaningOfLife: %d (%s)\n", number, question);

  answer = zbus_proxy_get_cached_property (proxy, "TheAnswer");
  if (answer == NULL)
    {
      g_printerr ("TheAnswer is not in the cache\n");
      return 1;
    }
  g_print ("TheAnswer: %u\n", g_variant_get_uint32 (answer));

  /* The service's PropertiesChanged updates the cache and says so. */
  g_signal_connect (proxy, "properties-changed", G_CALLBACK (greeting_changed_cb),
                    &greeting_seen);
  if (!zbus_proxy_set_dbus_property (proxy, "Greeting", g_variant_new_string ("Hi there"),
                                     NULL, &error))
    {
      g_printerr ("Setting Greeting failed: %s\n", error->message);
      return 1;
    }
  wait_for (&greeting_seen);

  /* A property read that fails is reported, never only logged. */
  failed = zbus_proxy_get_dbus_property (proxy, "IFail", NULL, &error);
  g_print ("IFail: %s\n", failed == NULL ? error->message : "unexpectedly succeeded");
  g_clear_error (&error);

  g_signal_connect (proxy, "dbus-signal::Bye", G_CALLBACK (bye_cb), &bye_seen);
  g_clear_pointer (&reply, g_variant_unref);
  reply = zbus_proxy_call (proxy, "Quit", NULL, NULL, ZBUS_MESSAGE_FLAGS_NONE,
                           ZBUS_TIMEOUT_DEFAULT, NULL, &error);
  if (reply == NULL)
    {
      g_printerr ("Quit failed: %s\n", error->message);
      return 1;
    }
  wait_for (&bye_seen);
  return bye_seen && greeting_seen ? 0 : 1;
}
