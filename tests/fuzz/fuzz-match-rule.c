/* fuzz-match-rule.c: libFuzzer target for the match rule parser
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Parses the input (up to its first NUL) as a match rule. A rule that
 * parses must print to a string that parses to an equal rule (same hash)
 * and prints the same again, and a builder started from it must build an
 * equal rule; a rule that does not parse must say why in valid UTF-8.
 * Anything else aborts, as does any warning or critical logged on the way.
 * Each rule is also matched against a few fixed messages, to run the
 * matching code on whatever the parser lets through.
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zbus-match-rule-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static ZbusMessage *messages[4];

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

static ZbusMessage *
make_signal (const char *sender,
             const char *path,
             const char *interface_,
             const char *member,
             const char *body)
{
  ZbusMessage *message = zbus_message_new_signal (path, interface_, member, NULL);

  if (message == NULL ||
      !zbus_message_set_sender (message, sender, NULL) ||
      (body != NULL && !zbus_message_set_body (message, g_variant_new_parsed (body), NULL)))
    abort ();

  return message;
}

static void
init (void)
{
  g_log_set_writer_func (log_writer, NULL, NULL);

  messages[0] = make_signal (":1.1", "/", "org.example.I", "Sig", NULL);
  messages[1] = make_signal (":1.2", "/a/b", "org.example.I", "Sig", "('foo', objectpath '/a/b')");
  messages[2] = make_signal ("org.freedesktop.DBus", "/org/freedesktop/DBus",
                             "org.freedesktop.DBus", "NameOwnerChanged",
                             "('org.example.Name', '', ':1.3')");
  messages[3] = make_signal (":1.2", "/a/b/c", "a.b", "c", "(1, '/a/', 'x', 'y', 'z')");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static gboolean initialized = FALSE;
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(ZbusMatchRule) rule = NULL;
  g_autoptr(ZbusMatchRule) again = NULL;
  g_autoptr(ZbusMatchRule) rebuilt = NULL;
  g_autoptr(ZbusMatchRuleBuilder) builder = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *printed = NULL;
  g_autofree char *printed_again = NULL;

  if (!initialized)
    {
      init ();
      initialized = TRUE;
    }

  rule = zbus_match_rule_new_from_string (text, &error);
  if (rule == NULL)
    {
      if (error == NULL || !g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_MATCH_RULE_INVALID) ||
          !g_utf8_validate (error->message, -1, NULL))
        abort ();
      return 0;
    }

  printed = zbus_match_rule_to_string (rule);
  again = zbus_match_rule_new_from_string (printed, NULL);
  if (again == NULL || !zbus_match_rule_equal (rule, again) ||
      zbus_match_rule_hash (rule) != zbus_match_rule_hash (again))
    abort ();
  printed_again = zbus_match_rule_to_string (again);
  if (strcmp (printed, printed_again) != 0)
    abort ();

  builder = zbus_match_rule_builder_new_from_rule (rule);
  rebuilt = zbus_match_rule_builder_build (builder, NULL);
  if (rebuilt == NULL || !zbus_match_rule_equal (rule, rebuilt))
    abort ();

  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    {
      if (zbus_match_rule_matches (rule, messages[i]) !=
          zbus_match_rule_matches (again, messages[i]))
        abort ();
    }

  return 0;
}
