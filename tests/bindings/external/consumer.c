/* consumer.c: a program built outside the project's build system
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Built by test-external.sh against an installed zbus-gobject with only
 * `pkg-config --cflags --libs zbus-gobject-1`: proves the installed headers
 * and .pc file are enough. Returns 0 when a message survives a round trip.
 */

#include <zbus-gobject.h>

#include <stdio.h>
#include <stdlib.h>

static int
fail (const char *what,
      GError     *error)
{
  fprintf (stderr, "consumer: %s: %s\n", what, error ? error->message : "mismatch");
  return EXIT_FAILURE;
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusMessage) call = NULL;
  g_autoptr(ZbusMessage) decoded = NULL;
  g_autoptr(GBytes) bytes = NULL;
  GVariant *body;  /* (transfer none) */
  const char *text = NULL;
  guint32 number = 0;

  call = zbus_message_new_method_call ("org.zbus.Consumer", "/org/zbus/Consumer",
                                       "org.zbus.Consumer", "Hello", &error);
  if (call == NULL)
    return fail ("new_method_call", error);
  if (!zbus_message_set_body (call, g_variant_new ("(su)", "external", 7u), &error))
    return fail ("set_body", error);
  zbus_message_set_serial (call, 1);

  bytes = zbus_message_to_bytes (call, &error);
  if (bytes == NULL)
    return fail ("to_bytes", error);

  decoded = zbus_message_new_from_bytes (bytes, NULL, &error);
  if (decoded == NULL)
    return fail ("new_from_bytes", error);

  body = zbus_message_get_body (decoded);
  if (body == NULL || !g_variant_is_of_type (body, G_VARIANT_TYPE ("(su)")))
    return fail ("body type", NULL);
  g_variant_get (body, "(&su)", &text, &number);

  if (g_strcmp0 (zbus_message_get_member (decoded), "Hello") != 0 ||
      g_strcmp0 (zbus_message_get_path (decoded), "/org/zbus/Consumer") != 0 ||
      zbus_message_get_serial (decoded) != 1 ||
      g_strcmp0 (text, "external") != 0 ||
      number != 7)
    return fail ("round trip", NULL);

  printf ("consumer: zbus-gobject %s, %" G_GSIZE_FORMAT "-byte message round-tripped\n",
          ZBUS_VERSION_S, g_bytes_get_size (bytes));
  return EXIT_SUCCESS;
}
