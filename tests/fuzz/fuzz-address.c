/* fuzz-address.c: libFuzzer target for the D-Bus address parser
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Parses the input (up to its first NUL) as an address list. An address
 * that parses must print (values escaped) to an address that parses to the
 * same entries and prints the same again; anything else aborts, as does
 * any warning or critical logged on the way. Every entry also goes through
 * the transport checks for connecting and for listening.
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zbus-address-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static GLogWriterOutput
log_writer (GLogLevelFlags   log_level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  /* A critical means we handed our own API something it refuses: a bug. */
  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    {
      g_log_writer_standard_streams (log_level, fields, n_fields, user_data);
      abort ();
    }

  return G_LOG_WRITER_HANDLED;
}

static char *
print_entries (GPtrArray *entries)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < entries->len; i++)
    {
      g_autofree char *entry = _zbus_address_entry_to_string (g_ptr_array_index (entries, i));

      if (i > 0)
        g_string_append_c (out, ';');
      g_string_append (out, entry);
    }

  return g_string_free (out, FALSE);
}

static gboolean
entries_equal (GPtrArray *a,
               GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;

  for (guint i = 0; i < a->len; i++)
    {
      ZbusAddressEntry *x = g_ptr_array_index (a, i);
      ZbusAddressEntry *y = g_ptr_array_index (b, i);

      if (strcmp (x->transport, y->transport) != 0 || x->keys->len != y->keys->len)
        return FALSE;
      for (guint k = 0; k < x->keys->len; k++)
        {
          if (strcmp (g_ptr_array_index (x->keys, k), g_ptr_array_index (y->keys, k)) != 0 ||
              strcmp (g_ptr_array_index (x->values, k), g_ptr_array_index (y->values, k)) != 0)
            return FALSE;
        }
    }

  return TRUE;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static gboolean initialized = FALSE;
  g_autofree char *address = g_strndup ((const char *) data, size);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *printed = NULL;
  g_autofree char *printed_again = NULL;

  if (!initialized)
    {
      g_log_set_writer_func (log_writer, NULL, NULL);
      initialized = TRUE;
    }

  entries = _zbus_address_parse (address, &error);
  if (entries == NULL)
    {
      if (error == NULL || !g_utf8_validate (error->message, -1, NULL))
        abort ();
      return 0;
    }
  if (entries->len == 0)
    abort ();

  printed = print_entries (entries);
  again = _zbus_address_parse (printed, NULL);
  if (again == NULL || !entries_equal (entries, again))
    abort ();
  printed_again = print_entries (again);
  if (strcmp (printed, printed_again) != 0)
    abort ();

  for (guint i = 0; i < entries->len; i++)
    {
      ZbusAddressEntry *entry = g_ptr_array_index (entries, i);

      for (guint listening = 0; listening < 2; listening++)
        {
          g_autoptr(GError) check_error = NULL;

          if (!_zbus_address_entry_check (entry, listening, &check_error) &&
              (check_error == NULL || !g_utf8_validate (check_error->message, -1, NULL)))
            abort ();
        }
    }

  return 0;
}
