/* message-example.c: talking to the bus daemon with ZbusMessage
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Builds org.freedesktop.DBus.RequestName and ListNames calls as
 * ZbusMessage, sends them over a GDBus connection (until zbus-gobject has a
 * connection class of its own), turns the replies back into ZbusMessage and
 * prints what the bus said.
 *
 * Run it on a private bus:
 *
 *   dbus-run-session -- _build/examples/message-example
 */

#include <zbus-gobject.h>

#include <stdlib.h>

#define BUS_NAME "org.freedesktop.DBus"
#define BUS_PATH "/org/freedesktop/DBus"
#define BUS_INTERFACE "org.freedesktop.DBus"

#define MY_NAME "org.zbus.MyService"

/* RequestName's flag and replies, from the D-Bus specification. */
#define DBUS_NAME_FLAG_DO_NOT_QUEUE 4

static const char *
request_name_outcome (guint32 reply)
{
  switch (reply)
    {
    case 1: return "we are now its primary owner";
    case 2: return "we are in the queue for it";
    case 3: return "someone else owns it";
    case 4: return "we already owned it";
    default: return "an unknown reply";
    }
}

/* Makes a call to the bus daemon itself. */
static ZbusMessage *
new_bus_call (const char  *method,
              GVariant    *body,
              GError     **error)
{
  g_autoptr(ZbusMessage) call = NULL;

  call = zbus_message_new_method_call (BUS_NAME, BUS_PATH, BUS_INTERFACE, method, error);
  if (call == NULL)
    return NULL;

  if (body != NULL && !zbus_message_set_body (call, body, error))
    return NULL;

  return g_steal_pointer (&call);
}

/* Sends @call through GDBus and waits for the reply. Returns the reply as
 * a ZbusMessage when it is a method return whose body has the type
 * @reply_type; an error reply becomes @error. */
static ZbusMessage *
call_sync (GDBusConnection     *connection,
           ZbusMessage         *call,
           const GVariantType  *reply_type,
           GError             **error)
{
  g_autoptr(GDBusMessage) gdbus_call = NULL;
  g_autoptr(GDBusMessage) gdbus_reply = NULL;
  g_autoptr(ZbusMessage) reply = NULL;
  GVariant *body;

  gdbus_call = zbus_message_to_gdbus (call, error);
  if (gdbus_call == NULL)
    return NULL;

  /* GDBus gives the message its own serial as it sends it. */
  gdbus_reply = g_dbus_connection_send_message_with_reply_sync (connection,
                                                                gdbus_call,
                                                                G_DBUS_SEND_MESSAGE_FLAGS_NONE,
                                                                -1, NULL, NULL,
                                                                error);
  if (gdbus_reply == NULL)
    return NULL;

  reply = zbus_message_new_from_gdbus (gdbus_reply, error);
  if (reply == NULL)
    return NULL;

  /* TRUE means @reply was an error reply, now in @error. */
  if (zbus_message_to_gerror (reply, error))
    return NULL;

  body = zbus_message_get_body (reply);
  if (body == NULL || !g_variant_is_of_type (body, reply_type))
    {
      g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_SIGNATURE,
                   "%s returned '%s', not '%s'",
                   zbus_message_get_member (call),
                   body ? g_variant_get_type_string (body) : "()",
                   g_variant_type_peek_string (reply_type));
      return NULL;
    }

  return g_steal_pointer (&reply);
}

static gboolean
request_name (GDBusConnection  *connection,
              GError          **error)
{
  g_autoptr(ZbusMessage) call = NULL;
  g_autoptr(ZbusMessage) reply = NULL;
  g_autoptr(GBytes) wire = NULL;
  guint32 outcome;

  call = new_bus_call ("RequestName",
                       g_variant_new ("(su)", MY_NAME, DBUS_NAME_FLAG_DO_NOT_QUEUE),
                       error);
  if (call == NULL)
    return FALSE;

  /* Encoding needs a serial; any will do here, as GDBus picks its own. */
  zbus_message_set_serial (call, 1);
  wire = zbus_message_to_bytes (call, error);
  if (wire == NULL)
    return FALSE;
  g_print ("RequestName call encodes to %" G_GSIZE_FORMAT " bytes\n",
           g_bytes_get_size (wire));

  reply = call_sync (connection, call, G_VARIANT_TYPE ("(u)"), error);
  if (reply == NULL)
    return FALSE;

  g_variant_get (zbus_message_get_body (reply), "(u)", &outcome);
  g_print ("RequestName(%s): %u, %s\n", MY_NAME, outcome, request_name_outcome (outcome));
  return TRUE;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static gboolean
list_names (GDBusConnection  *connection,
            GError          **error)
{
  g_autoptr(ZbusMessage) call = NULL;
  g_autoptr(ZbusMessage) reply = NULL;
  g_autoptr(GVariant) array = NULL;
  g_autofree const char **names = NULL;
  gsize n_names;

  call = new_bus_call ("ListNames", NULL, error);
  if (call == NULL)
    return FALSE;

  reply = call_sync (connection, call, G_VARIANT_TYPE ("(as)"), error);
  if (reply == NULL)
    return FALSE;

  array = g_variant_get_child_value (zbus_message_get_body (reply), 0);
  names = g_variant_get_strv (array, &n_names);
  qsort (names, n_names, sizeof *names, compare_strings);

  g_print ("Names on the bus (%" G_GSIZE_FORMAT "):\n", n_names);
  for (gsize i = 0; i < n_names; i++)
    g_print ("  %s\n", names[i]);

  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  const char *address;

  address = g_getenv ("DBUS_SESSION_BUS_ADDRESS");
  if (address == NULL || *address == '\0')
    {
      g_printerr ("%s: DBUS_SESSION_BUS_ADDRESS is not set; run me on a bus, e.g.\n"
                  "  dbus-run-session -- %s\n", argv[0], argv[0]);
      return EXIT_FAILURE;
    }

  connection = g_dbus_connection_new_for_address_sync (address,
                                                       G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                       G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                       NULL, NULL, &error);
  if (connection == NULL)
    {
      g_printerr ("%s: cannot connect to the bus at %s: %s\n", argv[0], address, error->message);
      return EXIT_FAILURE;
    }

  g_print ("Connected to %s as %s\n", address, g_dbus_connection_get_unique_name (connection));

  if (!request_name (connection, &error))
    {
      g_printerr ("%s: RequestName failed: %s\n", argv[0], error->message);
      return EXIT_FAILURE;
    }

  if (!list_names (connection, &error))
    {
      g_printerr ("%s: ListNames failed: %s\n", argv[0], error->message);
      return EXIT_FAILURE;
    }

  return EXIT_SUCCESS;
}
