/* connection-example.c: a first session with the bus
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Connects to the session bus with zbus-gobject's own connection (no GDBus
 * underneath), owns a well-known name, asks the bus daemon who is on the
 * bus and prints what it saw.
 *
 * Run it on a private bus:
 *
 *   dbus-run-session -- _build/examples/connection-example
 */

#include <zbus-gobject.h>

#include <stdlib.h>

#define MY_NAME "org.zbus.MyService"

static const char *
describe (ZbusRequestNameReply reply)
{
  switch (reply)
    {
    case ZBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER: return "we are now its primary owner";
    case ZBUS_REQUEST_NAME_REPLY_IN_QUEUE: return "we are in the queue for it";
    case ZBUS_REQUEST_NAME_REPLY_EXISTS: return "someone else owns it";
    case ZBUS_REQUEST_NAME_REPLY_ALREADY_OWNER: return "we already owned it";
    default: return "an unknown reply";
    }
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusConnection) connection = NULL;
  g_autoptr(GVariant) names = NULL;
  g_autofree const char **strv = NULL;
  ZbusRequestNameReply reply;
  gsize n_names;

  connection = zbus_connection_session (NULL, &error);
  if (connection == NULL)
    {
      g_printerr ("Could not connect to the session bus: %s\n", error->message);
      return EXIT_FAILURE;
    }
  g_print ("Connected to the session bus as %s\n", zbus_connection_get_unique_name (connection));

  reply = zbus_connection_request_name_sync (connection, MY_NAME,
                                             ZBUS_REQUEST_NAME_FLAGS_DO_NOT_QUEUE, NULL, &error);
  if (reply == 0)
    {
      g_printerr ("Could not request %s: %s\n", MY_NAME, error->message);
      return EXIT_FAILURE;
    }
  g_print ("Requested %s: %s\n", MY_NAME, describe (reply));

  names = zbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                     "org.freedesktop.DBus", "ListNames", NULL,
                                     G_VARIANT_TYPE ("(as)"), ZBUS_MESSAGE_FLAGS_NONE,
                                     ZBUS_TIMEOUT_DEFAULT, NULL, &error);
  if (names == NULL)
    {
      g_printerr ("Could not list the names on the bus: %s\n", error->message);
      return EXIT_FAILURE;
    }

  g_variant_get (names, "(^a&s)", &strv);
  n_names = g_strv_length ((char **) strv);
  qsort (strv, n_names, sizeof (char *), compare_strings);
  g_print ("Names on the bus:\n");
  for (gsize i = 0; i < n_names; i++)
    g_print ("  %s\n", strv[i]);

  return reply == ZBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER ? EXIT_SUCCESS : EXIT_FAILURE;
}
