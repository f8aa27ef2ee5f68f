/* test-match-rule.c: ZbusMatchRule, its builder and the match index,
 * checked against a real dbus-daemon
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "zbus-gobject.h"
#include "zbus-match-rule-private.h"
#include "zbus-message-private.h"

static guint32 test_seed;

static GRand *
new_rand (void)
{
  g_test_message ("seed %u (set ZBUS_TEST_SEED to repeat)", test_seed);
  return g_rand_new_with_seed (test_seed);
}

static ZbusMatchRule *
parse_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  ZbusMatchRule *rule = zbus_match_rule_new_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (rule);
  return rule;
}

/* Parses @text, prints it, parses that: the rules must be equal and the
 * second print the same as the first. Returns the printed form. */
static char *
assert_round_trip (ZbusMatchRule *rule)
{
  g_autofree char *printed = zbus_match_rule_to_string (rule);
  g_autoptr(ZbusMatchRule) again = parse_ok (printed);
  g_autofree char *printed_again = zbus_match_rule_to_string (again);

  g_assert_true (zbus_match_rule_equal (rule, again));
  g_assert_true (zbus_match_rule_equal (again, rule));
  g_assert_cmpuint (zbus_match_rule_hash (rule), ==, zbus_match_rule_hash (again));
  g_assert_cmpstr (printed, ==, printed_again);
  return g_steal_pointer (&printed);
}

/* Parsing: valid rules */

typedef struct
{
  const char *text;
  const char *canonical;
} ValidRule;

static const ValidRule valid_rules[] = {
  { "", "" },
  { "   ", "" },
  { "\t\n\r ", "" },
  { "type='signal'", "type='signal'" },
  { "type='method_call'", "type='method_call'" },
  { "type='method_return'", "type='method_return'" },
  { "type='error'", "type='error'" },
  { "type=signal", "type='signal'" },
  { "type='signal',", "type='signal'" },
  { "type='signal',  ", "type='signal'" },
  { "  type  \t='signal'", "type='signal'" },
  { "type='sig''nal'", "type='signal'" },
  { "type='signal'''", "type='signal'" },
  { "member='Foo',interface='org.example.I',type='signal',sender='org.example.S',"
    "path='/org/example',destination=':1.42'",
    "type='signal',sender='org.example.S',interface='org.example.I',member='Foo',"
    "path='/org/example',destination=':1.42'" },
  /* dbus-daemon's own test, with extra white space and useless quotes. */
  { "    type='signal',  \tsender='org.freedes''ktop.DBusSender',   "
    "interface='org.freedesktop.DBusInterface''''', \tmember='Foo',path='/bar/foo',"
    "destination=':452345.34'''''",
    "type='signal',sender='org.freedesktop.DBusSender',"
    "interface='org.freedesktop.DBusInterface',member='Foo',path='/bar/foo',"
    "destination=':452345.34'" },
  { "sender=':1'", "sender=':1'" },
  { "sender=':'", "sender=':'" },
  { "sender='org.freedesktop.DBus'", "sender='org.freedesktop.DBus'" },
  { "sender='a-b.c_d'", "sender='a-b.c_d'" },
  { "destination='org.example.App'", "destination='org.example.App'" },
  { "path='/'", "path='/'" },
  { "path_namespace='/'", "path_namespace='/'" },
  { "path_namespace='/org/example'", "path_namespace='/org/example'" },
  { "arg0='foo'", "arg0='foo'" },
  { "arg0=''", "arg0=''" },
  { "arg0=", "arg0=''" },
  { "arg63='x'", "arg63='x'" },
  { "arg7path='/foo'", "arg7path='/foo'" },
  { "arg0path='/a/'", "arg0path='/a/'" },
  { "arg0path='not a path'", "arg0path='not a path'" },
  { "arg0namespace='org'", "arg0namespace='org'" },
  { "arg0namespace='org.example'", "arg0namespace='org.example'" },
  { "arg0namespace=':1'", "arg0namespace=':1'" },
  { "arg3='c',arg1path='/b',arg0namespace='a',arg10='d'",
    "arg1path='/b',arg3='c',arg10='d',arg0namespace='a'" },
  { "arg2='x',arg1='y'", "arg1='y',arg2='x'" },
  { "eavesdrop='true'", "eavesdrop='true'" },
  { "eavesdrop='false'", "" },
  { "eavesdrop='true',eavesdrop='false'", "" },
  { "eavesdrop='false',eavesdrop='true'", "eavesdrop='true'" },
  { "eavesdrop=true,type='signal'", "type='signal',eavesdrop='true'" },
  /* Quoting: inside '…' only the quote is special; outside, \' is one. */
  { "arg0='it'\\''s'", "arg0='it'\\''s'" },
  { "arg0=it\\'s", "arg0='it'\\''s'" },
  { "arg0=\\'", "arg0=\\'" },
  { "arg0=\\'\\'", "arg0=\\'\\'" },
  { "arg0='a,b'", "arg0='a,b'" },
  { "arg0='a\\b'", "arg0='a\\b'" },
  { "arg0=a\\b", "arg0='a\\b'" },
  { "arg0=a\\", "arg0='a\\'" },
  { "arg0=a\\,arg1='x'", "arg0='a\\,arg1=x'" },
  { "arg0='a\\',arg1='x'", "arg0='a\\',arg1='x'" },
  { "arg0=a b", "arg0='a b'" },
  { "arg0= a ", "arg0=' a '" },
  { "arg0='a''b'", "arg0='ab'" },
  { "arg0='é ü'", "arg0='é ü'" },
  { "arg0='=',arg1==", "arg0='=',arg1='='" },
};

static void
test_parse_valid (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (valid_rules); i++)
    {
      g_autoptr(ZbusMatchRule) rule = NULL;
      g_autofree char *printed = NULL;

      rule = parse_ok (valid_rules[i].text);
      printed = assert_round_trip (rule);
      g_assert_cmpstr (printed, ==, valid_rules[i].canonical);
    }
}

static void
test_parse_fields (void)
{
  g_autoptr(ZbusMatchRule) rule = NULL;
  g_autoptr(ZbusMatchRule) all = NULL;

  rule = parse_ok ("type='signal',sender='org.example.S',interface='org.example.I',"
                   "member='M',path_namespace='/p',destination=':1.2',arg1='one',"
                   "arg2path='/two/',eavesdrop='true'");
  g_assert_cmpint (zbus_match_rule_get_message_type (rule), ==, ZBUS_MESSAGE_TYPE_SIGNAL);
  g_assert_cmpstr (zbus_match_rule_get_sender (rule), ==, "org.example.S");
  g_assert_cmpstr (zbus_match_rule_get_interface (rule), ==, "org.example.I");
  g_assert_cmpstr (zbus_match_rule_get_member (rule), ==, "M");
  g_assert_null (zbus_match_rule_get_path (rule));
  g_assert_cmpstr (zbus_match_rule_get_path_namespace (rule), ==, "/p");
  g_assert_cmpstr (zbus_match_rule_get_destination (rule), ==, ":1.2");
  g_assert_null (zbus_match_rule_get_arg (rule, 0));
  g_assert_cmpstr (zbus_match_rule_get_arg (rule, 1), ==, "one");
  g_assert_null (zbus_match_rule_get_arg_path (rule, 1));
  g_assert_null (zbus_match_rule_get_arg (rule, 2));
  g_assert_cmpstr (zbus_match_rule_get_arg_path (rule, 2), ==, "/two/");
  g_assert_null (zbus_match_rule_get_arg (rule, 3));
  g_assert_null (zbus_match_rule_get_arg (rule, 63));
  g_assert_null (zbus_match_rule_get_arg (rule, 1000));
  g_assert_null (zbus_match_rule_get_arg0_namespace (rule));
  g_assert_true (zbus_match_rule_get_eavesdrop (rule));

  all = parse_ok ("arg0namespace='org.example'");
  g_assert_cmpint (zbus_match_rule_get_message_type (all), ==, ZBUS_MESSAGE_TYPE_INVALID);
  g_assert_null (zbus_match_rule_get_sender (all));
  g_assert_null (zbus_match_rule_get_interface (all));
  g_assert_null (zbus_match_rule_get_member (all));
  g_assert_null (zbus_match_rule_get_path (all));
  g_assert_null (zbus_match_rule_get_path_namespace (all));
  g_assert_null (zbus_match_rule_get_destination (all));
  g_assert_null (zbus_match_rule_get_arg (all, 0));
  g_assert_null (zbus_match_rule_get_arg_path (all, 0));
  g_assert_cmpstr (zbus_match_rule_get_arg0_namespace (all), ==, "org.example");
  g_assert_false (zbus_match_rule_get_eavesdrop (all));
}

/* Parsing: malformed rules */

typedef struct
{
  const char *text;
  const char *bad_part;   /* the error message must contain this */
  gboolean bus_accepts;   /* a documented difference with dbus-daemon */
} InvalidRule;

static const InvalidRule invalid_rules[] = {
  { "foo='bar'", "foo", FALSE },
  { "type='signal',foo='bar'", "foo", FALSE },
  { "Type='signal'", "Type", FALSE },
  { "type", "type", FALSE },
  { "type='signal',member", "member", FALSE },
  { "type 'signal'", "type", FALSE },
  { ",type='signal'", ",type", FALSE },
  { "type='signal',,member='M'", ",member", FALSE },
  { "type='signal", "type", FALSE },
  { "arg0='foo", "arg0", FALSE },
  { "arg0=foo'", "arg0", FALSE },
  { "member='M',arg1='''", "arg1", FALSE },
  { "type='signal',type='signal'", "type", FALSE },
  { "sender='org.a.b',sender='org.a.b'", "sender", FALSE },
  { "interface='a.b',interface='a.c'", "interface", FALSE },
  { "member='A',member='B'", "member", FALSE },
  { "path='/a',path='/a'", "path", FALSE },
  { "destination='a.b',destination='a.b'", "destination", FALSE },
  { "path='/a',path_namespace='/a'", "path_namespace", FALSE },
  { "path_namespace='/a',path='/a'", "path", FALSE },
  { "path_namespace='/a',path_namespace='/b'", "path_namespace", FALSE },
  { "arg0='a',arg0='b'", "arg0", FALSE },
  { "arg0='a',arg0path='/b'", "arg0path", FALSE },
  { "arg0path='/a',arg0='b'", "arg0", FALSE },
  { "arg0='a',arg0namespace='b'", "arg0namespace", FALSE },
  { "arg0namespace='a',arg0path='/b'", "arg0path", FALSE },
  { "type='sig'", "sig", FALSE },
  { "type='Signal'", "Signal", FALSE },
  { "type=''", "type", FALSE },
  { "type= 'signal'", " signal", FALSE },
  { "type='signal' ,member='M'", "signal ", FALSE },
  { "eavesdrop='yes'", "yes", FALSE },
  { "eavesdrop='TRUE'", "TRUE", FALSE },
  { "sender='org'", "sender='org'", FALSE },
  { "sender='org..a'", "sender", FALSE },
  { "sender='1org.a'", "sender", FALSE },
  { "sender='org.1a'", "sender", FALSE },
  { "sender='org.a.'", "sender", FALSE },
  { "sender=''", "sender", FALSE },
  { "sender=':1.'", "sender", FALSE },
  { "sender=':1..2'", "sender", FALSE },
  { "sender='org.a b'", "sender", FALSE },
  { "interface='org'", "interface='org'", FALSE },
  { "interface='org.a-b'", "interface", FALSE },
  { "interface='org.9'", "interface", FALSE },
  { "interface=':1.2'", "interface", FALSE },
  { "member='A.B'", "member='A.B'", FALSE },
  { "member='9a'", "member", FALSE },
  { "member=''", "member", FALSE },
  { "member='a-b'", "member", FALSE },
  { "path='a'", "path='a'", FALSE },
  { "path='/a/'", "path", FALSE },
  { "path='//'", "path", FALSE },
  { "path='/a//b'", "path", FALSE },
  { "path='/a-b'", "path", FALSE },
  { "path=''", "path", FALSE },
  { "path_namespace='/a/'", "path_namespace", FALSE },
  { "path_namespace='a'", "path_namespace", FALSE },
  { "destination='org'", "destination='org'", FALSE },
  { "destination='-'", "destination", FALSE },
  { "arg0namespace=''", "arg0namespace", FALSE },
  { "arg0namespace='org.'", "arg0namespace", FALSE },
  { "arg0namespace='.org'", "arg0namespace", FALSE },
  { "arg0namespace='org..a'", "arg0namespace", FALSE },
  { "arg0namespace='1org'", "arg0namespace", FALSE },
  { "arg1namespace='org'", "arg1namespace", FALSE },
  { "arg64='x'", "arg64", FALSE },
  { "arg64path='/x'", "arg64path", FALSE },
  { "arg100='x'", "arg100", FALSE },
  { "arg99999999999999999999='x'", "arg99999999999999999999", FALSE },
  { "arg='x'", "arg", FALSE },
  { "argpath='x'", "argpath", FALSE },
  { "arg0foo='x'", "arg0foo", FALSE },
  { "arg0paths='x'", "arg0paths", FALSE },
  { "arg0Path='x'", "arg0Path", FALSE },
  { "arg1namespacex='x'", "arg1namespacex", FALSE },
  /* dbus-daemon reads argument numbers with strtoul (…, 0); a rule with
   * one not in plain decimal is refused here, not misread. */
  { "arg010='x'", "arg010", TRUE },
  { "arg00='x'", "arg00", TRUE },
  { "arg0x1='x'", "arg0x1", TRUE },
  { "arg+1='x'", "arg+1", TRUE },
  /* dbus-daemon ignores everything from an empty key on. */
  { "='x'", "=", TRUE },
  { "type='signal',='x'", "=", TRUE },
  { "type='signal', = 'x'", "=", TRUE },
};

static void
assert_invalid (const char *text,
                const char *bad_part)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusMatchRule) rule = zbus_match_rule_new_from_string (text, &error);

  g_assert_null (rule);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_MATCH_RULE_INVALID);
  if (strstr (error->message, bad_part) == NULL)
    g_error ("parsing “%s”: “%s” does not name “%s”", text, error->message, bad_part);
}

static void
test_parse_invalid (void)
{
  g_autofree char *long_name = g_strnfill (251, 'a');
  g_autofree char *name_255 = g_strdup_printf ("sender='org.%s'", long_name);
  g_autofree char *name_256 = g_strdup_printf ("sender='orgx.%s'", long_name);
  g_autoptr(ZbusMatchRule) ok = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (invalid_rules); i++)
    assert_invalid (invalid_rules[i].text, invalid_rules[i].bad_part);

  /* Not UTF-8. */
  assert_invalid ("arg0='\xff'", "UTF-8");

  /* Names may have 255 bytes, not 256. */
  ok = parse_ok (name_255);
  assert_invalid (name_256, "sender");
}

/* Round trips over random rules */

static const char * const value_chars[] = {
  "a", "b", "Z", "0", "/", ".", ":", "'", "'", "\\", "\\", ",", ",", "=", " ",
  "\t", "\n", "é", "ü", "日", "\"", "-", "_",
};

static char *
random_value (GRand *rand,
              guint  max_len)
{
  GString *value = g_string_new (NULL);
  guint len = g_rand_int_range (rand, 0, max_len + 1);

  for (guint i = 0; i < len; i++)
    g_string_append (value, value_chars[g_rand_int_range (rand, 0, G_N_ELEMENTS (value_chars))]);

  return g_string_free (value, FALSE);
}

static const char * const bus_names[] = {
  "org.example.A", "org.example.B", ":1.7", ":1.42", "org.freedesktop.DBus", "a.b",
};
static const char * const interfaces[] = {
  "org.example.I", "org.example.J", "org.freedesktop.DBus.Properties",
};
static const char * const members[] = { "Sig", "Other", "PropertiesChanged" };
static const char * const paths[] = {
  "/", "/a", "/a/b", "/a/bc", "/a/b/c", "/org/example",
};
static const char * const namespaces[] = {
  "org", "org.example", "org.example.I", "a.b", "com",
};

#define PICK(rand, array) ((array)[g_rand_int_range ((rand), 0, G_N_ELEMENTS (array))])

static ZbusMatchRule *
random_rule (GRand   *rand,
             gboolean fancy_values)
{
  g_autoptr(ZbusMatchRuleBuilder) builder = zbus_match_rule_builder_new ();
  g_autoptr(GError) error = NULL;
  ZbusMatchRule *rule;
  guint n_args = g_rand_int_range (rand, 0, 4);

  if (g_rand_boolean (rand))
    zbus_match_rule_builder_set_message_type (builder, g_rand_int_range (rand, 1, 5));
  if (g_rand_int_range (rand, 0, 4) == 0)
    zbus_match_rule_builder_set_sender (builder, PICK (rand, bus_names));
  if (g_rand_boolean (rand))
    zbus_match_rule_builder_set_interface (builder, PICK (rand, interfaces));
  if (g_rand_boolean (rand))
    zbus_match_rule_builder_set_member (builder, PICK (rand, members));
  switch (g_rand_int_range (rand, 0, 4))
    {
    case 0:
      zbus_match_rule_builder_set_path (builder, PICK (rand, paths));
      break;
    case 1:
      zbus_match_rule_builder_set_path_namespace (builder, PICK (rand, paths));
      break;
    default:
      break;
    }
  if (g_rand_int_range (rand, 0, 6) == 0)
    zbus_match_rule_builder_set_destination (builder, PICK (rand, bus_names));

  for (guint i = 0; i < n_args; i++)
    {
      guint index = g_rand_int_range (rand, 0, g_rand_boolean (rand) ? 3 : 64);
      g_autofree char *value = fancy_values ? random_value (rand, 8)
                                            : g_strdup (PICK (rand, paths));

      /* One key per argument: clear the others first. */
      zbus_match_rule_builder_set_arg (builder, index, NULL);
      zbus_match_rule_builder_set_arg_path (builder, index, NULL);
      if (index == 0)
        zbus_match_rule_builder_set_arg0_namespace (builder, NULL);

      if (index == 0 && g_rand_int_range (rand, 0, 4) == 0)
        zbus_match_rule_builder_set_arg0_namespace (builder, PICK (rand, namespaces));
      else if (g_rand_boolean (rand))
        zbus_match_rule_builder_set_arg (builder, index, value);
      else
        zbus_match_rule_builder_set_arg_path (builder, index, value);
    }

  if (g_rand_int_range (rand, 0, 8) == 0)
    zbus_match_rule_builder_set_eavesdrop (builder, TRUE);

  rule = zbus_match_rule_builder_build (builder, &error);
  g_assert_no_error (error);
  return rule;
}

/* Writes @value in one of the many ways the parser reads back as @value. */
static void
append_value_randomly (GString    *out,
                       GRand      *rand,
                       const char *value)
{
  gboolean open = FALSE;

  /* Character by character: quotes between the bytes of one would make
   * the text invalid UTF-8. */
  for (const char *p = value; *p != '\0'; p = g_utf8_next_char (p))
    {
      gboolean safe_unquoted = *p != '\'' && *p != '\\' && *p != ',';
      gsize len = g_utf8_next_char (p) - p;

      if (g_rand_int_range (rand, 0, 8) == 0)
        g_string_append (out, "''");
      if (*p == '\'')
        {
          if (open)
            g_string_append_c (out, '\'');
          open = FALSE;
          g_string_append (out, "\\'");
        }
      else if (safe_unquoted && !open && g_rand_boolean (rand))
        g_string_append_len (out, p, len);
      else
        {
          if (!open)
            g_string_append_c (out, '\'');
          open = TRUE;
          g_string_append_len (out, p, len);
        }
    }

  if (open)
    g_string_append_c (out, '\'');
  if (*value == '\0' || g_rand_int_range (rand, 0, 8) == 0)
    g_string_append (out, "''");
}

static const char *
random_white (GRand *rand)
{
  static const char * const white[] = { "", "", "", " ", "\t", "\n ", "\r" };

  return PICK (rand, white);
}

/* The canonical string of @rule, re-written with the pairs shuffled, values
 * quoted in random ways, random white space and a random trailing comma. */
static char *
rewrite_randomly (ZbusMatchRule *rule,
                  GRand         *rand)
{
  g_autofree char *canonical = zbus_match_rule_to_string (rule);
  g_autoptr(GPtrArray) pairs = g_ptr_array_new_with_free_func (g_free);
  GString *out = g_string_new (NULL);
  const char *p = canonical;

  /* Split the canonical form at the commas outside quotes. */
  while (*p != '\0')
    {
      const char *start = p;
      gboolean quoted = FALSE;

      for (; *p != '\0' && (quoted || *p != ','); p++)
        {
          if (!quoted && p[0] == '\\' && p[1] == '\'')
            p++;
          else if (*p == '\'')
            quoted = !quoted;
        }
      g_ptr_array_add (pairs, g_strndup (start, p - start));
      if (*p == ',')
        p++;
    }

  for (guint i = pairs->len; i > 1; i--)
    {
      guint j = g_rand_int_range (rand, 0, i);
      gpointer tmp = pairs->pdata[i - 1];

      pairs->pdata[i - 1] = pairs->pdata[j];
      pairs->pdata[j] = tmp;
    }

  for (guint i = 0; i < pairs->len; i++)
    {
      const char *pair = pairs->pdata[i];
      const char *eq = strchr (pair, '=');
      g_autofree char *key = g_strndup (pair, eq - pair);
      g_autoptr(ZbusMatchRule) one = parse_ok (pair);
      g_autofree char *value = NULL;

      /* Get the raw value back through the accessors. */
      if (strcmp (key, "type") == 0 || strcmp (key, "eavesdrop") == 0)
        value = g_strndup (eq + 2, strlen (eq + 2) - 1);
      else if (strcmp (key, "sender") == 0)
        value = g_strdup (zbus_match_rule_get_sender (one));
      else if (strcmp (key, "interface") == 0)
        value = g_strdup (zbus_match_rule_get_interface (one));
      else if (strcmp (key, "member") == 0)
        value = g_strdup (zbus_match_rule_get_member (one));
      else if (strcmp (key, "path") == 0)
        value = g_strdup (zbus_match_rule_get_path (one));
      else if (strcmp (key, "path_namespace") == 0)
        value = g_strdup (zbus_match_rule_get_path_namespace (one));
      else if (strcmp (key, "destination") == 0)
        value = g_strdup (zbus_match_rule_get_destination (one));
      else if (strcmp (key, "arg0namespace") == 0)
        value = g_strdup (zbus_match_rule_get_arg0_namespace (one));
      else
        {
          guint index = atoi (key + 3);

          value = g_strdup (g_str_has_suffix (key, "path")
                              ? zbus_match_rule_get_arg_path (one, index)
                              : zbus_match_rule_get_arg (one, index));
        }
      g_assert_nonnull (value);

      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append (out, random_white (rand));
      g_string_append (out, key);
      g_string_append (out, random_white (rand));
      g_string_append_c (out, '=');
      append_value_randomly (out, rand, value);
    }

  /* White space after a value is part of it, but after a comma it is not. */
  if (pairs->len > 0 && g_rand_int_range (rand, 0, 4) == 0)
    {
      g_string_append_c (out, ',');
      g_string_append (out, random_white (rand));
    }
  if (zbus_match_rule_get_eavesdrop (rule) && g_rand_boolean (rand))
    g_string_prepend (out, "eavesdrop='false',");

  return g_string_free (out, FALSE);
}

static void
test_round_trip_random (void)
{
  g_autoptr(GRand) rand = new_rand ();

  for (guint i = 0; i < G_N_ELEMENTS (valid_rules); i++)
    {
      g_autoptr(ZbusMatchRule) rule = NULL;
      g_autofree char *printed = NULL;

      rule = parse_ok (valid_rules[i].text);
      printed = assert_round_trip (rule);
    }

  for (guint i = 0; i < 3000; i++)
    {
      g_autoptr(ZbusMatchRule) rule = random_rule (rand, TRUE);
      g_autofree char *printed = assert_round_trip (rule);
      g_autofree char *rewritten = rewrite_randomly (rule, rand);
      g_autoptr(ZbusMatchRule) reparsed = parse_ok (rewritten);
      g_autoptr(ZbusMatchRuleBuilder) copy = zbus_match_rule_builder_new_from_rule (rule);
      g_autoptr(ZbusMatchRule) copied = zbus_match_rule_builder_build (copy, NULL);

      if (!zbus_match_rule_equal (rule, reparsed))
        g_error ("“%s” read back as “%s” from “%s”", printed,
                 zbus_match_rule_to_string (reparsed), rewritten);
      g_assert_cmpuint (zbus_match_rule_hash (rule), ==, zbus_match_rule_hash (reparsed));
      g_assert_true (zbus_match_rule_equal (rule, copied));
    }
}

static void
test_quoting (void)
{
  static const char * const values[] = {
    "", "'", "''", "\\", "\\\\", "\\'", "'\\", "a'b", "a,b", "a\\,b", ",", " ",
    " a ", "a=b", "x'y'z", "'a'", "\\'\\'", "é'ü", "a\\", "\t\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autoptr(ZbusMatchRuleBuilder) builder = zbus_match_rule_builder_new ();
      g_autoptr(ZbusMatchRule) rule = NULL;
      g_autoptr(ZbusMatchRule) again = NULL;
      g_autofree char *printed = NULL;
      g_autoptr(GError) error = NULL;

      zbus_match_rule_builder_set_arg (builder, 0, values[i]);
      zbus_match_rule_builder_set_arg_path (builder, 1, values[i]);
      zbus_match_rule_builder_set_arg (builder, 2, "end");
      rule = zbus_match_rule_builder_build (builder, &error);
      g_assert_no_error (error);

      printed = assert_round_trip (rule);
      again = parse_ok (printed);
      g_assert_cmpstr (zbus_match_rule_get_arg (again, 0), ==, values[i]);
      g_assert_cmpstr (zbus_match_rule_get_arg_path (again, 1), ==, values[i]);
      g_assert_cmpstr (zbus_match_rule_get_arg (again, 2), ==, "end");
    }
}

/* Builder */

static void
test_builder (void)
{
  g_autoptr(ZbusMatchRuleBuilder) builder = zbus_match_rule_builder_new ();
  g_autoptr(ZbusMatchRule) empty = NULL;
  g_autoptr(ZbusMatchRule) rule = NULL;
  g_autoptr(ZbusMatchRule) parsed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *printed = NULL;

  empty = zbus_match_rule_builder_build (builder, &error);
  g_assert_no_error (error);
  printed = zbus_match_rule_to_string (empty);
  g_assert_cmpstr (printed, ==, "");
  g_clear_pointer (&printed, g_free);

  /* Setters chain; the last value set wins. */
  g_assert_true (zbus_match_rule_builder_set_message_type (builder, ZBUS_MESSAGE_TYPE_METHOD_CALL) == builder);
  g_assert_true (zbus_match_rule_builder_set_message_type (builder, ZBUS_MESSAGE_TYPE_SIGNAL) == builder);
  g_assert_true (zbus_match_rule_builder_set_sender (builder, "org.example.Old") == builder);
  g_assert_true (zbus_match_rule_builder_set_sender (builder, "org.example.S") == builder);
  g_assert_true (zbus_match_rule_builder_set_interface (builder, "org.example.I") == builder);
  g_assert_true (zbus_match_rule_builder_set_member (builder, "M") == builder);
  g_assert_true (zbus_match_rule_builder_set_path (builder, "/a") == builder);
  g_assert_true (zbus_match_rule_builder_set_path (builder, NULL) == builder);
  g_assert_true (zbus_match_rule_builder_set_path_namespace (builder, "/p") == builder);
  g_assert_true (zbus_match_rule_builder_set_destination (builder, ":1.5") == builder);
  g_assert_true (zbus_match_rule_builder_set_arg (builder, 3, "x'y") == builder);
  g_assert_true (zbus_match_rule_builder_set_arg_path (builder, 1, "/q/") == builder);
  g_assert_true (zbus_match_rule_builder_set_arg0_namespace (builder, "org.example") == builder);
  g_assert_true (zbus_match_rule_builder_set_eavesdrop (builder, TRUE) == builder);

  rule = zbus_match_rule_builder_build (builder, &error);
  g_assert_no_error (error);
  printed = zbus_match_rule_to_string (rule);
  g_assert_cmpstr (printed, ==,
                   "type='signal',sender='org.example.S',interface='org.example.I',"
                   "member='M',path_namespace='/p',destination=':1.5',arg1path='/q/',"
                   "arg3='x'\\''y',arg0namespace='org.example',eavesdrop='true'");
  parsed = parse_ok (printed);
  g_assert_true (zbus_match_rule_equal (rule, parsed));

  /* NULL (or the neutral value) clears each key. */
  zbus_match_rule_builder_set_message_type (builder, ZBUS_MESSAGE_TYPE_INVALID);
  zbus_match_rule_builder_set_sender (builder, NULL);
  zbus_match_rule_builder_set_interface (builder, NULL);
  zbus_match_rule_builder_set_member (builder, NULL);
  zbus_match_rule_builder_set_path_namespace (builder, NULL);
  zbus_match_rule_builder_set_destination (builder, NULL);
  zbus_match_rule_builder_set_arg (builder, 3, NULL);
  zbus_match_rule_builder_set_arg_path (builder, 1, NULL);
  zbus_match_rule_builder_set_arg0_namespace (builder, NULL);
  zbus_match_rule_builder_set_eavesdrop (builder, FALSE);
  g_clear_pointer (&rule, zbus_match_rule_unref);
  rule = zbus_match_rule_builder_build (builder, &error);
  g_assert_no_error (error);
  g_assert_true (zbus_match_rule_equal (rule, empty));

  g_assert_finalize_object (g_steal_pointer (&builder));
}

static void
test_builder_from_rule (void)
{
  g_autoptr(ZbusMatchRule) rule = NULL;
  g_autoptr(ZbusMatchRule) copy = NULL;
  g_autoptr(ZbusMatchRule) changed = NULL;
  g_autoptr(ZbusMatchRuleBuilder) builder = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *printed = NULL;

  rule = parse_ok ("type='error',sender=':1.1',interface='a.b',member='M',path='/x',"
                   "destination='c.d',arg0namespace='e',arg2path='/f',arg5='g',"
                   "eavesdrop='true'");
  builder = zbus_match_rule_builder_new_from_rule (rule);
  copy = zbus_match_rule_builder_build (builder, &error);
  g_assert_no_error (error);
  g_assert_true (copy != rule);
  g_assert_true (zbus_match_rule_equal (rule, copy));

  zbus_match_rule_builder_set_member (builder, "N");
  zbus_match_rule_builder_set_arg0_namespace (builder, NULL);
  zbus_match_rule_builder_set_arg (builder, 0, "h");
  changed = zbus_match_rule_builder_build (builder, &error);
  g_assert_no_error (error);
  g_assert_false (zbus_match_rule_equal (rule, changed));
  printed = zbus_match_rule_to_string (changed);
  g_assert_cmpstr (printed, ==,
                   "type='error',sender=':1.1',interface='a.b',member='N',path='/x',"
                   "destination='c.d',arg0='h',arg2path='/f',arg5='g',eavesdrop='true'");

  /* The original rule did not change. */
  g_assert_cmpstr (zbus_match_rule_get_member (rule), ==, "M");
  g_assert_cmpstr (zbus_match_rule_get_arg0_namespace (rule), ==, "e");
}

typedef void (*BuilderSetup) (ZbusMatchRuleBuilder *builder);

static void
bad_sender (ZbusMatchRuleBuilder *builder)
{
  zbus_match_rule_builder_set_sender (builder, "no dots");
}

static void
bad_interface (ZbusMatchRuleBuilder *builder)
{
  zbus_match_rule_builder_set_interface (builder, "org");
}

static void
bad_member (ZbusMatchRuleBuilder *builder)
{
  zbus_match_rule_builder_set_member (builder, "a.b");
}

static void
bad_path (ZbusMatchRuleBuilder *builder)
{
  zbus_match_rule_builder_set_path (builder, "/a/");
}

static void
bad_path_namespace (ZbusMatchRuleBuilder *builder)
{
  zbus_match_rule_builder_set_path_namespace (builder, "x");
}

static void
bad_destination (ZbusMatchRuleBuilder *builder)
{
  zbus_match_rule_builder_set_destination (builder, "");
}

static void
bad_both_paths (ZbusMatchRuleBuilder *builder)
{
  zbus_match_rule_builder_set_path (builder, "/a");
  zbus_match_rule_builder_set_path_namespace (builder, "/a");
}

static void
bad_arg_index (ZbusMatchRuleBuilder *builder)
{
  zbus_match_rule_builder_set_arg (builder, 64, "x");
}

static void
bad_arg_path_index (ZbusMatchRuleBuilder *builder)
{
  zbus_match_rule_builder_set_arg_path (builder, 1000, "/x");
}

static void
bad_arg_and_path (ZbusMatchRuleBuilder *builder)
{
  zbus_match_rule_builder_set_arg (builder, 5, "x");
  zbus_match_rule_builder_set_arg_path (builder, 5, "/x");
}

static void
bad_arg0_and_namespace (ZbusMatchRuleBuilder *builder)
{
  zbus_match_rule_builder_set_arg (builder, 0, "x");
  zbus_match_rule_builder_set_arg0_namespace (builder, "org");
}

static void
bad_namespace (ZbusMatchRuleBuilder *builder)
{
  zbus_match_rule_builder_set_arg0_namespace (builder, "org.");
}

static void
bad_utf8 (ZbusMatchRuleBuilder *builder)
{
  zbus_match_rule_builder_set_arg_path (builder, 2, "\xc3");
}

static void
bad_type (ZbusMatchRuleBuilder *builder)
{
  zbus_match_rule_builder_set_message_type (builder, 9);
}

static void
test_builder_invalid (void)
{
  static const struct
  {
    BuilderSetup setup;
    const char *bad_part;
  } cases[] = {
    { bad_sender, "sender='no dots'" },
    { bad_interface, "interface='org'" },
    { bad_member, "member='a.b'" },
    { bad_path, "path='/a/'" },
    { bad_path_namespace, "path_namespace='x'" },
    { bad_destination, "destination=''" },
    { bad_both_paths, "path_namespace" },
    { bad_arg_index, "64" },
    { bad_arg_path_index, "1000" },
    { bad_arg_and_path, "arg5path" },
    { bad_arg0_and_namespace, "arg0namespace" },
    { bad_namespace, "arg0namespace='org.'" },
    { bad_utf8, "arg2path" },
    { bad_type, "9" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(ZbusMatchRuleBuilder) builder = zbus_match_rule_builder_new ();
      g_autoptr(ZbusMatchRule) rule = NULL;
      g_autoptr(GError) error = NULL;

      zbus_match_rule_builder_set_member (builder, "Fine");
      cases[i].setup (builder);
      rule = zbus_match_rule_builder_build (builder, &error);
      g_assert_null (rule);
      g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_MATCH_RULE_INVALID);
      if (strstr (error->message, cases[i].bad_part) == NULL)
        g_error ("“%s” does not name “%s”", error->message, cases[i].bad_part);
    }
}

static void
test_equal_hash (void)
{
  g_autoptr(GHashTable) table = g_hash_table_new_full ((GHashFunc) zbus_match_rule_hash,
                                                       (GEqualFunc) zbus_match_rule_equal,
                                                       (GDestroyNotify) zbus_match_rule_unref,
                                                       NULL);
  g_autoptr(ZbusMatchRule) a = parse_ok ("type='signal',member='M',arg1='x'");
  g_autoptr(ZbusMatchRule) b = parse_ok ("arg1=x,  member =M,type=signal");
  g_autoptr(ZbusMatchRule) c = parse_ok ("type='signal',member='M',arg1path='x'");
  g_autoptr(ZbusMatchRule) d = parse_ok ("type='signal',member='M',arg1='x',eavesdrop='true'");
  g_autoptr(ZbusMatchRule) e = parse_ok ("type='signal',member='M',arg2='x'");
  g_autoptr(ZbusMatchRule) f = parse_ok ("type='signal',path='/a'");
  g_autoptr(ZbusMatchRule) g = parse_ok ("type='signal',path_namespace='/a'");
  g_autoptr(ZbusMatchRule) h = parse_ok ("type='signal',sender='a.b'");
  g_autoptr(ZbusMatchRule) i = parse_ok ("type='signal',destination='a.b'");
  ZbusMatchRule *different[] = { a, c, d, e, f, g, h, i };

  g_assert_true (zbus_match_rule_equal (a, b));
  g_assert_cmpuint (zbus_match_rule_hash (a), ==, zbus_match_rule_hash (b));

  for (guint x = 0; x < G_N_ELEMENTS (different); x++)
    {
      for (guint y = 0; y < G_N_ELEMENTS (different); y++)
        g_assert_true (zbus_match_rule_equal (different[x], different[y]) == (x == y));
      g_hash_table_add (table, zbus_match_rule_ref (different[x]));
    }

  g_assert_cmpuint (g_hash_table_size (table), ==, G_N_ELEMENTS (different));
  g_assert_true (g_hash_table_contains (table, b));
  g_hash_table_add (table, zbus_match_rule_ref (b));
  g_assert_cmpuint (g_hash_table_size (table), ==, G_N_ELEMENTS (different));

  /* The boxed type copies by reference. */
  {
    ZbusMatchRule *copy = g_boxed_copy (ZBUS_TYPE_MATCH_RULE, a);

    g_assert_true (copy == a);
    g_boxed_free (ZBUS_TYPE_MATCH_RULE, copy);
  }
}

/* Matching */

typedef struct
{
  ZbusMessageType type;
  const char *sender;
  const char *destination;
  const char *path;
  const char *interface_;
  const char *member;
  const char *body;       /* GVariant text of a tuple, or NULL */
} MessageSpec;

static ZbusMessage *
make_message (const MessageSpec *spec)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusMessage) call = NULL;
  ZbusMessage *message = NULL;

  switch (spec->type)
    {
    case ZBUS_MESSAGE_TYPE_SIGNAL:
      message = zbus_message_new_signal (spec->path, spec->interface_, spec->member, &error);
      break;
    case ZBUS_MESSAGE_TYPE_METHOD_CALL:
      message = zbus_message_new_method_call (NULL, spec->path, spec->interface_,
                                              spec->member, &error);
      break;
    case ZBUS_MESSAGE_TYPE_METHOD_RETURN:
    case ZBUS_MESSAGE_TYPE_ERROR:
      call = zbus_message_new_method_call (NULL, "/", NULL, "M", &error);
      g_assert_no_error (error);
      zbus_message_set_serial (call, 7);
      if (spec->type == ZBUS_MESSAGE_TYPE_ERROR)
        message = zbus_message_new_error (call, "org.example.Error", NULL, &error);
      else
        message = zbus_message_new_method_reply (call);
      break;
    case ZBUS_MESSAGE_TYPE_INVALID:
    default:
      g_assert_not_reached ();
    }
  g_assert_no_error (error);

  zbus_message_set_destination (message, spec->destination, &error);
  g_assert_no_error (error);
  zbus_message_set_sender (message, spec->sender, &error);
  g_assert_no_error (error);
  if (spec->body != NULL)
    {
      zbus_message_set_body (message, g_variant_new_parsed (spec->body), &error);
      g_assert_no_error (error);
    }

  return message;
}

/* The same message, written and read back: its body is then decoded only
 * when asked for. */
static ZbusMessage *
reread (ZbusMessage *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  ZbusMessage *copy;

  zbus_message_set_serial (message, 1);
  bytes = zbus_message_to_bytes (message, &error);
  g_assert_no_error (error);
  copy = zbus_message_new_from_bytes (bytes, NULL, &error);
  g_assert_no_error (error);
  return copy;
}

#define SIG ZBUS_MESSAGE_TYPE_SIGNAL
#define CALL ZBUS_MESSAGE_TYPE_METHOD_CALL
#define RET ZBUS_MESSAGE_TYPE_METHOD_RETURN
#define ERR ZBUS_MESSAGE_TYPE_ERROR

static const MessageSpec base_signal = {
  SIG, ":1.5", NULL, "/a/b", "org.example.I", "Sig", NULL
};

typedef struct
{
  const char *rule;
  MessageSpec message;
  gboolean matches;
} MatchCase;

static const MatchCase match_cases[] = {
  { "", { SIG, NULL, NULL, "/", "a.b", "c", NULL }, TRUE },
  { "", { RET, NULL, NULL, NULL, NULL, NULL, NULL }, TRUE },
  /* type */
  { "type='signal'", { SIG, NULL, NULL, "/", "a.b", "c", NULL }, TRUE },
  { "type='signal'", { CALL, NULL, NULL, "/", "a.b", "c", NULL }, FALSE },
  { "type='method_call'", { CALL, NULL, NULL, "/", "a.b", "c", NULL }, TRUE },
  { "type='method_call'", { SIG, NULL, NULL, "/", "a.b", "c", NULL }, FALSE },
  { "type='method_return'", { RET, NULL, NULL, NULL, NULL, NULL, NULL }, TRUE },
  { "type='method_return'", { ERR, NULL, NULL, NULL, NULL, NULL, NULL }, FALSE },
  { "type='error'", { ERR, NULL, NULL, NULL, NULL, NULL, NULL }, TRUE },
  { "type='error'", { RET, NULL, NULL, NULL, NULL, NULL, NULL }, FALSE },
  /* sender */
  { "sender=':1.5'", { SIG, ":1.5", NULL, "/", "a.b", "c", NULL }, TRUE },
  { "sender=':1.5'", { SIG, ":1.50", NULL, "/", "a.b", "c", NULL }, FALSE },
  { "sender=':1.5'", { SIG, NULL, NULL, "/", "a.b", "c", NULL }, FALSE },
  { "sender='org.freedesktop.DBus'",
    { SIG, "org.freedesktop.DBus", NULL, "/", "a.b", "c", NULL }, TRUE },
  /* interface */
  { "interface='a.b'", { SIG, NULL, NULL, "/", "a.b", "c", NULL }, TRUE },
  { "interface='a.b'", { SIG, NULL, NULL, "/", "a.bc", "c", NULL }, FALSE },
  { "interface='a.b'", { CALL, NULL, NULL, "/", NULL, "c", NULL }, FALSE },
  { "interface='a.b'", { RET, NULL, NULL, NULL, NULL, NULL, NULL }, FALSE },
  /* member */
  { "member='c'", { SIG, NULL, NULL, "/", "a.b", "c", NULL }, TRUE },
  { "member='c'", { CALL, NULL, NULL, "/", NULL, "c", NULL }, TRUE },
  { "member='c'", { SIG, NULL, NULL, "/", "a.b", "C", NULL }, FALSE },
  { "member='c'", { ERR, NULL, NULL, NULL, NULL, NULL, NULL }, FALSE },
  /* path */
  { "path='/a/b'", { SIG, NULL, NULL, "/a/b", "a.b", "c", NULL }, TRUE },
  { "path='/a/b'", { SIG, NULL, NULL, "/a/b/c", "a.b", "c", NULL }, FALSE },
  { "path='/a/b'", { SIG, NULL, NULL, "/a", "a.b", "c", NULL }, FALSE },
  { "path='/'", { SIG, NULL, NULL, "/a", "a.b", "c", NULL }, FALSE },
  { "path='/a/b'", { RET, NULL, NULL, NULL, NULL, NULL, NULL }, FALSE },
  /* path_namespace */
  { "path_namespace='/a/b'", { SIG, NULL, NULL, "/a/b", "a.b", "c", NULL }, TRUE },
  { "path_namespace='/a/b'", { SIG, NULL, NULL, "/a/b/c", "a.b", "c", NULL }, TRUE },
  { "path_namespace='/a/b'", { SIG, NULL, NULL, "/a/b/c/d", "a.b", "c", NULL }, TRUE },
  { "path_namespace='/a/b'", { SIG, NULL, NULL, "/a/bc", "a.b", "c", NULL }, FALSE },
  { "path_namespace='/a/b'", { SIG, NULL, NULL, "/a", "a.b", "c", NULL }, FALSE },
  { "path_namespace='/a/b'", { SIG, NULL, NULL, "/", "a.b", "c", NULL }, FALSE },
  { "path_namespace='/'", { SIG, NULL, NULL, "/", "a.b", "c", NULL }, TRUE },
  { "path_namespace='/'", { SIG, NULL, NULL, "/a/b", "a.b", "c", NULL }, TRUE },
  { "path_namespace='/'", { RET, NULL, NULL, NULL, NULL, NULL, NULL }, FALSE },
  /* destination */
  { "destination=':1.9'", { SIG, NULL, ":1.9", "/", "a.b", "c", NULL }, TRUE },
  { "destination=':1.9'", { SIG, NULL, NULL, "/", "a.b", "c", NULL }, FALSE },
  { "destination=':1.9'", { CALL, NULL, "org.x.Y", "/", NULL, "c", NULL }, FALSE },
  { "destination='org.x.Y'", { CALL, NULL, "org.x.Y", "/", NULL, "c", NULL }, TRUE },
  /* eavesdrop makes no difference */
  { "eavesdrop='true'", { CALL, NULL, "org.x.Y", "/", NULL, "c", NULL }, TRUE },
  /* argN: strings only */
  { "arg0='foo'", { SIG, NULL, NULL, "/", "a.b", "c", "('foo',)" }, TRUE },
  { "arg0='foo'", { SIG, NULL, NULL, "/", "a.b", "c", "('fo',)" }, FALSE },
  { "arg0='foo'", { SIG, NULL, NULL, "/", "a.b", "c", "('foox',)" }, FALSE },
  { "arg0='foo'", { SIG, NULL, NULL, "/", "a.b", "c", "(objectpath '/foo',)" }, FALSE },
  { "arg0='/foo'", { SIG, NULL, NULL, "/", "a.b", "c", "(objectpath '/foo',)" }, FALSE },
  { "arg0='s'", { SIG, NULL, NULL, "/", "a.b", "c", "(signature 's',)" }, FALSE },
  { "arg0='foo'", { SIG, NULL, NULL, "/", "a.b", "c", "(<'foo'>,)" }, FALSE },
  { "arg0='foo'", { SIG, NULL, NULL, "/", "a.b", "c", "(['foo'],)" }, FALSE },
  { "arg0='foo'", { SIG, NULL, NULL, "/", "a.b", "c", NULL }, FALSE },
  { "arg0='1'", { SIG, NULL, NULL, "/", "a.b", "c", "(1,)" }, FALSE },
  { "arg0=''", { SIG, NULL, NULL, "/", "a.b", "c", "('',)" }, TRUE },
  { "arg1='foo'", { SIG, NULL, NULL, "/", "a.b", "c", "('foo', 'foo')" }, TRUE },
  { "arg1='foo'", { SIG, NULL, NULL, "/", "a.b", "c", "(1, 'foo')" }, TRUE },
  { "arg1='foo'", { SIG, NULL, NULL, "/", "a.b", "c", "('foo', 'bar')" }, FALSE },
  { "arg1='foo'", { SIG, NULL, NULL, "/", "a.b", "c", "('foo',)" }, FALSE },
  { "arg2='z'", { SIG, NULL, NULL, "/", "a.b", "c", "({'k': <1>}, ([1], 'x'), 'z')" }, TRUE },
  { "arg2='z'", { SIG, NULL, NULL, "/", "a.b", "c", "({'k': <1>}, ([1], 'z'), 'y')" }, FALSE },
  { "arg0='a',arg1='b'", { SIG, NULL, NULL, "/", "a.b", "c", "('a', 'b')" }, TRUE },
  { "arg0='a',arg1='b'", { SIG, NULL, NULL, "/", "a.b", "c", "('a', 'c')" }, FALSE },
  { "arg0='a',arg1='b'", { SIG, NULL, NULL, "/", "a.b", "c", "('c', 'b')" }, FALSE },
  { "arg0='it'\\''s, ok'", { SIG, NULL, NULL, "/", "a.b", "c", "(\"it's, ok\",)" }, TRUE },
  { "arg0='é'", { ERR, NULL, NULL, NULL, NULL, NULL, "('é',)" }, TRUE },
  /* argNpath: strings or object paths, prefixes ending in '/' both ways */
  { "arg0path='/a/b'", { SIG, NULL, NULL, "/", "a.b", "c", "('/a/b',)" }, TRUE },
  { "arg0path='/a/b'", { SIG, NULL, NULL, "/", "a.b", "c", "(objectpath '/a/b',)" }, TRUE },
  { "arg0path='/a/b'", { SIG, NULL, NULL, "/", "a.b", "c", "('/a/b/',)" }, FALSE },
  { "arg0path='/a/b'", { SIG, NULL, NULL, "/", "a.b", "c", "('/a/b/c',)" }, FALSE },
  { "arg0path='/a/b'", { SIG, NULL, NULL, "/", "a.b", "c", "('/a/',)" }, TRUE },
  { "arg0path='/a/b'", { SIG, NULL, NULL, "/", "a.b", "c", "(objectpath '/',)" }, TRUE },
  { "arg0path='/a/b'", { SIG, NULL, NULL, "/", "a.b", "c", "('/a',)" }, FALSE },
  { "arg0path='/a/b'", { SIG, NULL, NULL, "/", "a.b", "c", "('/a/bc',)" }, FALSE },
  { "arg0path='/a/b/'", { SIG, NULL, NULL, "/", "a.b", "c", "('/a/b/',)" }, TRUE },
  { "arg0path='/a/b/'", { SIG, NULL, NULL, "/", "a.b", "c", "('/a/b/c',)" }, TRUE },
  { "arg0path='/a/b/'", { SIG, NULL, NULL, "/", "a.b", "c", "(objectpath '/a/b/c/d',)" }, TRUE },
  { "arg0path='/a/b/'", { SIG, NULL, NULL, "/", "a.b", "c", "(objectpath '/a/b',)" }, FALSE },
  { "arg0path='/a/b/'", { SIG, NULL, NULL, "/", "a.b", "c", "('/a/bc',)" }, FALSE },
  { "arg0path='/a/b/'", { SIG, NULL, NULL, "/", "a.b", "c", "('/a/',)" }, TRUE },
  { "arg0path='/'", { SIG, NULL, NULL, "/", "a.b", "c", "(objectpath '/x/y',)" }, TRUE },
  { "arg0path='/'", { SIG, NULL, NULL, "/", "a.b", "c", "('x',)" }, FALSE },
  { "arg0path='/a/b'", { SIG, NULL, NULL, "/", "a.b", "c", "(signature 's',)" }, FALSE },
  { "arg0path='/a/b'", { SIG, NULL, NULL, "/", "a.b", "c", "(<'/a/b'>,)" }, FALSE },
  { "arg0path='/a/'", { SIG, NULL, NULL, "/", "a.b", "c", "('',)" }, FALSE },
  { "arg0path=''", { SIG, NULL, NULL, "/", "a.b", "c", "('/a',)" }, FALSE },
  { "arg0path=''", { SIG, NULL, NULL, "/", "a.b", "c", "('',)" }, TRUE },
  { "arg1path='/x/'", { SIG, NULL, NULL, "/", "a.b", "c", "(1, objectpath '/x/y')" }, TRUE },
  /* arg0namespace: a string equal to it or continuing it after a '.' */
  { "arg0namespace='org.example'", { SIG, NULL, NULL, "/", "a.b", "c", "('org.example',)" }, TRUE },
  { "arg0namespace='org.example'", { SIG, NULL, NULL, "/", "a.b", "c", "('org.example.Foo',)" }, TRUE },
  { "arg0namespace='org.example'", { SIG, NULL, NULL, "/", "a.b", "c", "('org.example.Foo.Bar',)" }, TRUE },
  { "arg0namespace='org.example'", { SIG, NULL, NULL, "/", "a.b", "c", "('org.examplex',)" }, FALSE },
  { "arg0namespace='org.example'", { SIG, NULL, NULL, "/", "a.b", "c", "('org.exampl',)" }, FALSE },
  { "arg0namespace='org.example'", { SIG, NULL, NULL, "/", "a.b", "c", "('org',)" }, FALSE },
  { "arg0namespace='org.example'", { SIG, NULL, NULL, "/", "a.b", "c", "(objectpath '/org',)" }, FALSE },
  { "arg0namespace='org.example'", { SIG, NULL, NULL, "/", "a.b", "c", "(1,)" }, FALSE },
  { "arg0namespace='org'", { SIG, NULL, NULL, "/", "a.b", "c", "('org.example',)" }, TRUE },
  { "arg0namespace='org'", { SIG, NULL, NULL, "/", "a.b", "c", "('orgx',)" }, FALSE },
  /* everything at once */
  { "type='signal',sender=':1.5',interface='org.example.I',member='Sig',"
    "path_namespace='/a',arg0='x',arg1path='/p/',arg3='z'",
    { SIG, ":1.5", NULL, "/a/b", "org.example.I", "Sig", "('x', objectpath '/p/q', 1, 'z')" },
    TRUE },
  { "type='signal',sender=':1.5',interface='org.example.I',member='Sig',"
    "path_namespace='/a',arg0='x',arg1path='/p/',arg3='z'",
    { SIG, ":1.5", NULL, "/a/b", "org.example.I", "Sig", "('x', objectpath '/p/q', 1, 'y')" },
    FALSE },
  { "type='signal',sender=':1.5',interface='org.example.I',member='Sig',"
    "path_namespace='/a',arg0='x',arg1path='/p/',arg3='z'",
    { SIG, ":1.6", NULL, "/a/b", "org.example.I", "Sig", "('x', objectpath '/p/q', 1, 'z')" },
    FALSE },
};

static void
test_match_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (match_cases); i++)
    {
      g_autoptr(ZbusMatchRule) rule = parse_ok (match_cases[i].rule);
      g_autoptr(ZbusMessage) message = make_message (&match_cases[i].message);
      g_autoptr(ZbusMessage) decoded = reread (message);

      if (zbus_match_rule_matches (rule, message) != match_cases[i].matches)
        g_error ("case %u: rule “%s” %s the message", i, match_cases[i].rule,
                 match_cases[i].matches ? "does not match" : "matches");
      g_assert_true (zbus_match_rule_matches (rule, decoded) == match_cases[i].matches);
    }
}

static void
test_match_lazy_body (void)
{
  MessageSpec spec = base_signal;
  g_autoptr(ZbusMessage) ints = NULL;
  g_autoptr(ZbusMessage) strings = NULL;
  g_autoptr(ZbusMatchRule) no_args = parse_ok ("member='Sig'");
  g_autoptr(ZbusMatchRule) arg0 = parse_ok ("arg0='x'");
  g_autoptr(ZbusMatchRule) arg1 = parse_ok ("arg1path='/x'");
  g_autoptr(ZbusMessage) built = NULL;

  spec.body = "(1, 'x')";
  built = make_message (&spec);
  ints = reread (built);
  g_assert_null (ints->body);

  /* No arg keys, or arg keys whose types the signature rules out: the
   * body stays undecoded. */
  g_assert_true (zbus_match_rule_matches (no_args, ints));
  g_assert_false (zbus_match_rule_matches (arg0, ints));
  g_assert_null (ints->body);

  g_assert_false (zbus_match_rule_matches (arg1, ints));
  g_assert_nonnull (ints->body);

  spec.body = "('x', 'y')";
  g_clear_pointer (&built, zbus_message_unref);
  built = make_message (&spec);
  strings = reread (built);
  g_assert_true (zbus_match_rule_matches (arg0, strings));
  g_assert_nonnull (strings->body);
}

/* Against dbus-daemon */

typedef struct
{
  GTestDBus *bus;
  GDBusConnection *receiver;
  GDBusConnection *sender;
  const char *sender_name;
  const char *receiver_name;

  GMutex lock;
  GCond cond;
  GArray *received;       /* (element-type guint32): serials, under lock */
  guint32 sentinel_seen;  /* under lock */
  guint32 round;
} Bus;

#define SENTINEL_INTERFACE "org.zbus.Test.Sentinel"

static GDBusConnection *
connect_gdbus (const char *address)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *connection;

  connection = g_dbus_connection_new_for_address_sync (address,
                                                       G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                       G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                       NULL, NULL, &error);
  g_assert_no_error (error);
  return connection;
}

/* Runs in the receiver's GDBus worker thread. */
static GDBusMessage *
receiver_filter_cb (GDBusConnection *connection,
                    GDBusMessage    *message,
                    gboolean         incoming,
                    gpointer         user_data)
{
  Bus *bus = user_data;

  if (!incoming ||
      g_dbus_message_get_message_type (message) != G_DBUS_MESSAGE_TYPE_SIGNAL ||
      g_strcmp0 (g_dbus_message_get_sender (message), bus->sender_name) != 0)
    return message;

  g_mutex_lock (&bus->lock);
  if (g_strcmp0 (g_dbus_message_get_interface (message), SENTINEL_INTERFACE) == 0)
    {
      guint32 round;

      g_variant_get (g_dbus_message_get_body (message), "(u)", &round);
      bus->sentinel_seen = round;
      g_cond_broadcast (&bus->cond);
    }
  else
    {
      guint32 serial = g_dbus_message_get_serial (message);

      g_array_append_val (bus->received, serial);
    }
  g_mutex_unlock (&bus->lock);

  return message;
}

static void
call_bus (GDBusConnection *connection,
          const char      *method,
          const char      *rule,
          GError         **error)
{
  g_autoptr(GVariant) reply = NULL;

  reply = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       method, g_variant_new ("(s)", rule), NULL,
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, error);
}

static void
bus_up (Bus *bus)
{
  g_autoptr(GError) error = NULL;

  memset (bus, 0, sizeof *bus);
  g_mutex_init (&bus->lock);
  g_cond_init (&bus->cond);
  bus->received = g_array_new (FALSE, FALSE, sizeof (guint32));

  bus->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (bus->bus);
  bus->receiver = connect_gdbus (g_test_dbus_get_bus_address (bus->bus));
  bus->sender = connect_gdbus (g_test_dbus_get_bus_address (bus->bus));
  bus->receiver_name = g_dbus_connection_get_unique_name (bus->receiver);
  bus->sender_name = g_dbus_connection_get_unique_name (bus->sender);
  g_dbus_connection_add_filter (bus->receiver, receiver_filter_cb, bus, NULL);

  call_bus (bus->receiver, "AddMatch", "type='signal',interface='" SENTINEL_INTERFACE "'",
            &error);
  g_assert_no_error (error);
}

static void
bus_down (Bus *bus)
{
  g_autoptr(GError) error = NULL;

  g_dbus_connection_close_sync (bus->receiver, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_close_sync (bus->sender, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&bus->receiver);
  g_clear_object (&bus->sender);
  g_test_dbus_down (bus->bus);
  g_clear_object (&bus->bus);
  g_array_unref (bus->received);
  g_mutex_clear (&bus->lock);
  g_cond_clear (&bus->cond);
}

static guint32
emit (Bus          *bus,
      const char   *path,
      const char   *interface_,
      const char   *member,
      GVariant     *body)
{
  g_autoptr(GDBusMessage) message = g_dbus_message_new_signal (path, interface_, member);
  g_autoptr(GError) error = NULL;
  guint32 serial = 0;

  if (body != NULL)
    g_dbus_message_set_body (message, body);
  g_dbus_connection_send_message (bus->sender, message, G_DBUS_SEND_MESSAGE_FLAGS_NONE,
                                  &serial, &error);
  g_assert_no_error (error);
  return serial;
}

/* Emits a sentinel and waits until the receiver has it: by then it has
 * everything the bus delivered before. */
static void
flush (Bus *bus)
{
  guint32 round = ++bus->round;
  gint64 deadline = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;

  emit (bus, "/", SENTINEL_INTERFACE, "Flush", g_variant_new ("(u)", round));
  g_mutex_lock (&bus->lock);
  while (bus->sentinel_seen != round)
    {
      if (!g_cond_wait_until (&bus->cond, &bus->lock, deadline))
        g_error ("the receiver did not get the sentinel of round %u", round);
    }
  g_mutex_unlock (&bus->lock);
}

/* The signals each rule is tried on. */
static const char * const diff_paths[] = { "/", "/a", "/a/b", "/a/bc", "/a/b/c", "/org/example" };
static const char * const diff_interfaces[] = { "org.example.I", "org.example.J" };
static const char * const diff_members[] = { "Sig", "Other" };
static const char * const diff_bodies[] = {
  NULL, "('foo',)", "('',)", "(objectpath '/a/b',)", "('/a/b',)", "('/a/b/',)",
  "('/a/',)", "(objectpath '/a/b/c',)", "('/a/bc',)", "('org.example',)",
  "('org.example.Foo',)", "('org.examplex',)", "('org',)", "(1,)",
  "('foo', 'foo')", "(1, 'foo')", "('x', objectpath '/')", "(<'foo'>,)",
  "(signature 's',)", "(['foo'],)", "(\"it's, ok\",)", "('a\\\\b',)",
};

typedef struct
{
  ZbusMessage *local;     /* (owned): what our matching looks at */
  guint32 serial;
} Emitted;

static void
emitted_clear (Emitted *emitted)
{
  zbus_message_unref (emitted->local);
}

static ZbusMessage *
local_copy (Bus          *bus,
            const char   *path,
            const char   *interface_,
            const char   *member,
            const char   *body)
{
  MessageSpec spec = { SIG, NULL, NULL, path, interface_, member, body };

  spec.sender = bus->sender_name;
  return make_message (&spec);
}

/* Emits a signal with (path, interface, member, body) picked at random or,
 * with @rand NULL, number @i of the full product. */
static void
emit_one (Bus        *bus,
          GArray     *emitted,
          GRand      *rand,
          guint       i)
{
  const char *path, *interface_, *member, *body;
  Emitted e;

  if (rand != NULL)
    {
      path = PICK (rand, diff_paths);
      interface_ = PICK (rand, diff_interfaces);
      member = PICK (rand, diff_members);
      body = PICK (rand, diff_bodies);
    }
  else
    {
      body = diff_bodies[i % G_N_ELEMENTS (diff_bodies)];
      i /= G_N_ELEMENTS (diff_bodies);
      path = diff_paths[i % G_N_ELEMENTS (diff_paths)];
      i /= G_N_ELEMENTS (diff_paths);
      member = diff_members[i % G_N_ELEMENTS (diff_members)];
      i /= G_N_ELEMENTS (diff_members);
      interface_ = diff_interfaces[i % G_N_ELEMENTS (diff_interfaces)];
    }

  e.local = local_copy (bus, path, interface_, member, body);
  e.serial = emit (bus, path, interface_, member,
                   body != NULL ? g_variant_new_parsed (body) : NULL);
  g_array_append_val (emitted, e);
}

static char *
substitute_names (Bus        *bus,
                  const char *rule)
{
  g_autoptr(GString) text = g_string_new (rule);

  g_string_replace (text, "@SENDER@", bus->sender_name, 0);
  g_string_replace (text, "@RECEIVER@", bus->receiver_name, 0);
  return g_strdup (text->str);
}

/* Adds @rule on the bus, emits the signals, and checks that exactly those
 * our matching accepts arrive. */
static void
check_against_bus (Bus           *bus,
                   ZbusMatchRule *rule,
                   GRand         *rand,
                   guint          n_signals)
{
  g_autofree char *text = zbus_match_rule_to_string (rule);
  g_autoptr(GArray) emitted = g_array_new (FALSE, FALSE, sizeof (Emitted));
  g_autoptr(GError) error = NULL;
  guint next = 0;

  g_array_set_clear_func (emitted, (GDestroyNotify) emitted_clear);
  call_bus (bus->receiver, "AddMatch", text, &error);
  g_assert_no_error (error);

  g_mutex_lock (&bus->lock);
  g_array_set_size (bus->received, 0);
  g_mutex_unlock (&bus->lock);

  for (guint i = 0; i < n_signals; i++)
    emit_one (bus, emitted, rand, i);
  flush (bus);

  g_mutex_lock (&bus->lock);
  for (guint i = 0; i < emitted->len; i++)
    {
      Emitted *e = &g_array_index (emitted, Emitted, i);
      gboolean delivered = next < bus->received->len &&
                           g_array_index (bus->received, guint32, next) == e->serial;

      if (delivered)
        next++;
      if (delivered != zbus_match_rule_matches (rule, e->local))
        {
          g_autofree char *message = zbus_message_to_string (e->local);

          g_error ("rule “%s”: the bus %s but zbus_match_rule_matches() says %s:\n%s",
                   text, delivered ? "delivered" : "did not deliver",
                   delivered ? "no match" : "match", message);
        }
    }
  g_assert_cmpuint (next, ==, bus->received->len);
  g_mutex_unlock (&bus->lock);

  call_bus (bus->receiver, "RemoveMatch", text, &error);
  g_assert_no_error (error);
}

static const char * const diff_rules[] = {
  "",
  "type='signal'",
  "type='method_call'",
  "sender='@SENDER@'",
  "sender=':1.999999'",
  "sender='org.freedesktop.DBus'",
  "interface='org.example.I'",
  "member='Sig'",
  "member='Nope'",
  "interface='org.example.J',member='Other'",
  "path='/a/b'",
  "path='/'",
  "path_namespace='/a/b'",
  "path_namespace='/a'",
  "path_namespace='/'",
  "path_namespace='/org'",
  "destination='@RECEIVER@'",
  "destination='@SENDER@'",
  "eavesdrop='true'",
  "eavesdrop='true',member='Sig'",
  "arg0='foo'",
  "arg0=''",
  "arg1='foo'",
  "arg0='/a/b'",
  "arg0='it'\\''s, ok'",
  "arg0='a\\b'",
  "arg0path='/a/b'",
  "arg0path='/a/b/'",
  "arg0path='/a/'",
  "arg0path='/'",
  "arg0path='/a/bc'",
  "arg1path='/a/'",
  "arg1path='/a/b/c'",
  "arg0namespace='org.example'",
  "arg0namespace='org'",
  "arg0namespace='org.example.Foo'",
  "arg0='foo',arg1='foo'",
  ("type='signal',sender='@SENDER@',interface='org.example.I',member='Sig',"
   "path_namespace='/a',arg0path='/a/'"),
  "type='signal',interface='org.example.J',path='/a/bc',arg0namespace='org'",
};

static void
test_differential_match (void)
{
  g_autoptr(GRand) rand = new_rand ();
  guint n_product = G_N_ELEMENTS (diff_bodies) * G_N_ELEMENTS (diff_paths) *
                    G_N_ELEMENTS (diff_members) * G_N_ELEMENTS (diff_interfaces);
  Bus bus;

  g_test_summary ("A rule added with AddMatch on dbus-daemon delivers exactly the "
                  "signals zbus_match_rule_matches() accepts");

  bus_up (&bus);

  /* Each table rule against every combination of the signal pieces. */
  for (guint i = 0; i < G_N_ELEMENTS (diff_rules); i++)
    {
      g_autofree char *text = substitute_names (&bus, diff_rules[i]);
      g_autoptr(ZbusMatchRule) rule = parse_ok (text);

      check_against_bus (&bus, rule, NULL, n_product);
    }

  /* Random rules against random signals. */
  for (guint i = 0; i < 150; i++)
    {
      g_autoptr(ZbusMatchRule) rule = random_rule (rand, FALSE);
      g_autoptr(ZbusMatchRuleBuilder) builder = zbus_match_rule_builder_new_from_rule (rule);
      g_autoptr(ZbusMatchRule) broadcast = NULL;

      /* Only broadcast signals are emitted: a destination key can only
       * exclude them, so keep one rule in eight with it; a random sender
       * would rarely be ours. */
      if (g_rand_int_range (rand, 0, 8) != 0)
        zbus_match_rule_builder_set_destination (builder, NULL);
      if (zbus_match_rule_get_sender (rule) != NULL && g_rand_boolean (rand))
        zbus_match_rule_builder_set_sender (builder, bus.sender_name);
      broadcast = zbus_match_rule_builder_build (builder, NULL);

      check_against_bus (&bus, broadcast, rand, 40);
    }

  bus_down (&bus);
}

static void
test_differential_parse (void)
{
  Bus bus;

  g_test_summary ("dbus-daemon accepts exactly the rules the parser accepts, but for "
                  "the documented differences");

  bus_up (&bus);

  for (guint i = 0; i < G_N_ELEMENTS (valid_rules); i++)
    {
      g_autoptr(GError) error = NULL;

      call_bus (bus.receiver, "AddMatch", valid_rules[i].text, &error);
      if (error != NULL)
        g_error ("dbus-daemon refuses “%s”: %s", valid_rules[i].text, error->message);
      call_bus (bus.receiver, "RemoveMatch", valid_rules[i].canonical, &error);
      g_assert_no_error (error);
    }

  for (guint i = 0; i < G_N_ELEMENTS (invalid_rules); i++)
    {
      g_autoptr(GError) error = NULL;

      call_bus (bus.receiver, "AddMatch", invalid_rules[i].text, &error);
      if (invalid_rules[i].bus_accepts)
        {
          g_assert_no_error (error);
          call_bus (bus.receiver, "RemoveMatch", invalid_rules[i].text, &error);
          g_assert_no_error (error);
        }
      else if (error == NULL)
        g_error ("dbus-daemon accepts “%s”", invalid_rules[i].text);
      else
        g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_MATCH_RULE_INVALID);
    }

  bus_down (&bus);
}

/* The index */

typedef struct
{
  GPtrArray *called;  /* (element-type gpointer): entry data in call order */
} Collect;

static void
collect_cb (ZbusMatchRule *rule,
            gpointer       entry_data,
            gpointer       user_data)
{
  Collect *collect = user_data;

  g_assert_nonnull (rule);
  g_ptr_array_add (collect->called, entry_data);
}

typedef struct
{
  guint id;
  ZbusMatchRule *rule;   /* (owned) */
  gpointer data;
} LiveEntry;

static void
live_entry_clear (LiveEntry *entry)
{
  zbus_match_rule_unref (entry->rule);
}

static ZbusMessage *
random_message (GRand *rand)
{
  static const ZbusMessageType types[] = { SIG, SIG, SIG, CALL, RET, ERR };
  MessageSpec spec = { 0, };

  spec.type = PICK (rand, types);
  spec.sender = g_rand_boolean (rand) ? PICK (rand, bus_names) : NULL;
  spec.destination = g_rand_int_range (rand, 0, 4) == 0 ? PICK (rand, bus_names) : NULL;
  spec.path = PICK (rand, paths);
  spec.interface_ = PICK (rand, interfaces);
  spec.member = PICK (rand, members);
  spec.body = PICK (rand, diff_bodies);
  if (spec.body != NULL && g_rand_boolean (rand))
    spec.body = g_rand_boolean (rand) ? "('/a/b', '/a')" : "('org.example.I', 'x')";

  return make_message (&spec);
}

static ZbusMatchRule *
random_index_rule (GRand *rand)
{
  g_autoptr(ZbusMatchRule) rule = random_rule (rand, FALSE);
  g_autoptr(ZbusMatchRuleBuilder) builder = NULL;

  /* Many arg0 keys with values messages have, to fill the arg0 buckets. */
  if (g_rand_int_range (rand, 0, 3) != 0)
    return g_steal_pointer (&rule);

  builder = zbus_match_rule_builder_new_from_rule (rule);
  zbus_match_rule_builder_set_arg_path (builder, 0, NULL);
  zbus_match_rule_builder_set_arg0_namespace (builder, NULL);
  zbus_match_rule_builder_set_arg (builder, 0, g_rand_boolean (rand) ? "/a/b" : "org.example.I");
  return zbus_match_rule_builder_build (builder, NULL);
}

static void
check_index (ZbusMatchIndex *index,
             GArray         *live,
             ZbusMessage    *message)
{
  g_autoptr(GPtrArray) expected = g_ptr_array_new ();
  Collect collect = { g_ptr_array_new () };

  for (guint i = 0; i < live->len; i++)
    {
      LiveEntry *entry = &g_array_index (live, LiveEntry, i);

      if (zbus_match_rule_matches (entry->rule, message))
        g_ptr_array_add (expected, entry->data);
    }

  _zbus_match_index_foreach_match (index, message, collect_cb, &collect);

  g_assert_cmpuint (collect.called->len, ==, expected->len);
  for (guint i = 0; i < expected->len; i++)
    g_assert_true (collect.called->pdata[i] == expected->pdata[i]);
  g_ptr_array_unref (collect.called);
}

static void
test_index_random (void)
{
  g_autoptr(GRand) rand = new_rand ();
  g_autoptr(GArray) live = g_array_new (FALSE, FALSE, sizeof (LiveEntry));
  ZbusMatchIndex *index = _zbus_match_index_new ();
  guintptr next_data = 1;

  g_test_summary ("The index calls back exactly the entries a linear scan with "
                  "zbus_match_rule_matches() finds, in the order they were added");

  g_array_set_clear_func (live, (GDestroyNotify) live_entry_clear);

  for (guint round = 0; round < 40; round++)
    {
      guint n_add = g_rand_int_range (rand, 0, 120);
      guint n_remove = g_rand_int_range (rand, 0, MAX (live->len / 3, 1));

      for (guint i = 0; i < n_add; i++)
        {
          LiveEntry entry;

          entry.rule = random_index_rule (rand);
          entry.data = GUINT_TO_POINTER (next_data++);
          entry.id = _zbus_match_index_add (index, entry.rule, entry.data);
          g_assert_cmpuint (entry.id, !=, 0);
          g_array_append_val (live, entry);
        }

      /* The same rule twice is two entries. */
      if (live->len > 0)
        {
          LiveEntry entry = g_array_index (live, LiveEntry, g_rand_int_range (rand, 0, live->len));

          entry.rule = zbus_match_rule_ref (entry.rule);
          entry.data = GUINT_TO_POINTER (next_data++);
          entry.id = _zbus_match_index_add (index, entry.rule, entry.data);
          g_array_append_val (live, entry);
        }

      for (guint i = 0; i < n_remove && live->len > 0; i++)
        {
          guint at = g_rand_int_range (rand, 0, live->len);
          LiveEntry *entry = &g_array_index (live, LiveEntry, at);

          g_assert_true (_zbus_match_index_remove (index, entry->id) == entry->data);
          g_assert_null (_zbus_match_index_remove (index, entry->id));
          g_array_remove_index (live, at);
        }

      g_assert_cmpuint (_zbus_match_index_size (index), ==, live->len);

      for (guint i = 0; i < 60; i++)
        {
          g_autoptr(ZbusMessage) message = random_message (rand);
          g_autoptr(ZbusMessage) decoded = reread (message);

          check_index (index, live, message);
          check_index (index, live, decoded);
        }
    }

  g_assert_null (_zbus_match_index_remove (index, 0));
  _zbus_match_index_free (index);
}

typedef struct
{
  ZbusMatchIndex *index;
  guint ids[4];
  GPtrArray *called;
} Reentrant;

static void
reentrant_cb (ZbusMatchRule *rule,
              gpointer       entry_data,
              gpointer       user_data)
{
  Reentrant *r = user_data;
  guint which = GPOINTER_TO_UINT (entry_data);

  g_ptr_array_add (r->called, entry_data);

  /* The first callback removes itself and the third entry, and adds a new
   * matching entry: the rule stays valid, the third is not called, the new
   * one neither. */
  if (which == 0)
    {
      g_assert_true (_zbus_match_index_remove (r->index, r->ids[0]) == entry_data);
      g_assert_true (_zbus_match_index_remove (r->index, r->ids[2]) == GUINT_TO_POINTER (2));
      g_assert_nonnull (zbus_match_rule_get_member (rule));
      _zbus_match_index_add (r->index, rule, GUINT_TO_POINTER (9));
    }
}

static void
test_index_reentrant (void)
{
  g_autoptr(ZbusMatchRule) by_member = parse_ok ("member='Sig'");
  g_autoptr(ZbusMatchRule) by_interface = parse_ok ("interface='org.example.I'");
  g_autoptr(ZbusMatchRule) catch_all = parse_ok ("type='signal'");
  g_autoptr(ZbusMessage) message = make_message (&base_signal);
  Reentrant r = { _zbus_match_index_new (), { 0, }, g_ptr_array_new () };

  r.ids[0] = _zbus_match_index_add (r.index, by_member, GUINT_TO_POINTER (0));
  r.ids[1] = _zbus_match_index_add (r.index, catch_all, GUINT_TO_POINTER (1));
  r.ids[2] = _zbus_match_index_add (r.index, by_interface, GUINT_TO_POINTER (2));
  r.ids[3] = _zbus_match_index_add (r.index, by_member, GUINT_TO_POINTER (3));

  _zbus_match_index_foreach_match (r.index, message, reentrant_cb, &r);
  g_assert_cmpuint (r.called->len, ==, 3);
  g_assert_true (r.called->pdata[0] == GUINT_TO_POINTER (0));
  g_assert_true (r.called->pdata[1] == GUINT_TO_POINTER (1));
  g_assert_true (r.called->pdata[2] == GUINT_TO_POINTER (3));
  g_assert_cmpuint (_zbus_match_index_size (r.index), ==, 3);

  g_ptr_array_set_size (r.called, 0);
  _zbus_match_index_foreach_match (r.index, message, reentrant_cb, &r);
  g_assert_cmpuint (r.called->len, ==, 3);
  g_assert_true (r.called->pdata[2] == GUINT_TO_POINTER (9));

  g_ptr_array_unref (r.called);
  _zbus_match_index_free (r.index);
}

static void
test_index_many_matches (void)
{
  g_autoptr(ZbusMatchRule) rule = parse_ok ("type='signal'");
  g_autoptr(ZbusMatchRule) other = parse_ok ("member='Sig',arg0='x'");
  g_autoptr(ZbusMessage) message = make_message (&base_signal);
  ZbusMatchIndex *index = _zbus_match_index_new ();
  Collect collect = { g_ptr_array_new () };

  /* More matches than fit on the stack, interleaved with non-matches. */
  for (guint i = 0; i < 1000; i++)
    _zbus_match_index_add (index, i % 2 == 0 ? rule : other, GUINT_TO_POINTER (i));

  _zbus_match_index_foreach_match (index, message, collect_cb, &collect);
  g_assert_cmpuint (collect.called->len, ==, 500);
  for (guint i = 0; i < 500; i++)
    g_assert_true (collect.called->pdata[i] == GUINT_TO_POINTER (2 * i));

  g_ptr_array_unref (collect.called);
  _zbus_match_index_free (index);
}

static void
test_index_namespaces (void)
{
  g_autoptr(GString) path = g_string_new (NULL);
  g_autoptr(GPtrArray) rules = g_ptr_array_new_with_free_func ((GDestroyNotify) zbus_match_rule_unref);
  g_autoptr(ZbusMessage) message = NULL;
  ZbusMatchIndex *index = _zbus_match_index_new ();
  Collect collect = { g_ptr_array_new () };
  MessageSpec spec = base_signal;
  guint expected = 0;

  /* A namespace for every prefix of a deep path, and near misses: more
   * buckets than the lookup keeps on the stack. */
  g_ptr_array_add (rules, parse_ok ("path_namespace='/'"));
  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *holds = NULL;
      g_autofree char *misses = NULL;

      g_string_append_printf (path, "/e%u", i);
      holds = g_strdup_printf ("path_namespace='%s'", path->str);
      misses = g_strdup_printf ("path_namespace='%sx'", path->str);
      g_ptr_array_add (rules, parse_ok (holds));
      g_ptr_array_add (rules, parse_ok (misses));
    }

  for (guint i = 0; i < rules->len; i++)
    _zbus_match_index_add (index, rules->pdata[rules->len - 1 - i], GUINT_TO_POINTER (i));

  spec.path = path->str;
  message = make_message (&spec);
  _zbus_match_index_foreach_match (index, message, collect_cb, &collect);

  /* In the order added: the deepest namespace first, the root last. */
  for (guint i = 0; i < rules->len; i++)
    {
      ZbusMatchRule *rule = rules->pdata[rules->len - 1 - i];

      if (!zbus_match_rule_matches (rule, message))
        continue;
      g_assert_cmpuint (expected, <, collect.called->len);
      g_assert_true (collect.called->pdata[expected] == GUINT_TO_POINTER (i));
      expected++;
    }
  g_assert_cmpuint (expected, ==, 41);
  g_assert_cmpuint (collect.called->len, ==, expected);

  g_ptr_array_unref (collect.called);
  _zbus_match_index_free (index);
}

static void
noop_cb (ZbusMatchRule *rule,
         gpointer       entry_data,
         gpointer       user_data)
{
  (*(guint *) user_data)++;
}

static double
time_lookups (ZbusMatchIndex *index,
              ZbusMessage    *message,
              guint           n)
{
  guint calls = 0;
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < n; i++)
    _zbus_match_index_foreach_match (index, message, noop_cb, &calls);
  g_assert_cmpuint (calls, ==, n);

  return (g_get_monotonic_time () - start) / (double) n;
}

static void
test_index_scale (void)
{
  static const char * const shapes[] = {
    "type='signal',interface='org.example.I',member='Sig@N@'",
    "type='signal',member='PropertiesChanged',path='/o/@N@'",
    "type='signal',sender='org.freedesktop.DBus',member='NameOwnerChanged',arg0='org.n@N@'",
    "type='signal',interface='org.example.I@N@'",
    "type='signal',path_namespace='/o/@N@'",
  };
  static const MessageSpec messages[] = {
    { SIG, ":1.5", NULL, "/a", "org.example.I", "Sig7", NULL },
    { SIG, ":1.5", NULL, "/o/7", "org.example.I", "PropertiesChanged", "('org.example.I', @a{sv} {}, @as [])" },
    { SIG, "org.freedesktop.DBus", NULL, "/org/freedesktop/DBus", "org.freedesktop.DBus",
      "NameOwnerChanged", "('org.n7', '', ':1.9')" },
    { SIG, ":1.5", NULL, "/a", "org.example.I7", "Sig", NULL },
    { SIG, ":1.5", NULL, "/o/7/x/y", "org.example.I", "Sig", NULL },
  };

  g_test_summary ("A lookup among 10,000 rules costs about as much as among one");

  if (!g_test_perf ())
    {
      g_test_skip ("a timing test: run with -m perf");
      return;
    }

  for (guint s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      ZbusMatchIndex *one = _zbus_match_index_new ();
      ZbusMatchIndex *many = _zbus_match_index_new ();
      g_autoptr(ZbusMessage) built = make_message (&messages[s]);
      g_autoptr(ZbusMessage) message = reread (built);
      double t_one, t_many;

      for (guint i = 0; i < 10000; i++)
        {
          g_autoptr(GString) text = g_string_new (shapes[s]);
          g_autofree char *number = g_strdup_printf ("%u", i);
          g_autoptr(ZbusMatchRule) rule = NULL;

          g_string_replace (text, "@N@", number, 0);
          rule = parse_ok (text->str);

          if (i == 7)
            _zbus_match_index_add (one, rule, NULL);
          _zbus_match_index_add (many, rule, NULL);
        }

      time_lookups (many, message, 1000);
      t_one = time_lookups (one, message, 100000);
      t_many = time_lookups (many, message, 100000);
      g_test_minimized_result (t_many, "%s: %.3f µs per lookup among 10,000 rules, %.3f among 1",
                               shapes[s], t_many, t_one);
      g_assert_cmpfloat (t_many, <, 3 * t_one + 0.5);

      _zbus_match_index_free (one);
      _zbus_match_index_free (many);
    }
}

static guint32
env_uint (const char *name,
          guint32     fallback)
{
  const char *value = g_getenv (name);

  return value != NULL ? (guint32) g_ascii_strtoull (value, NULL, 10) : fallback;
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  test_seed = env_uint ("ZBUS_TEST_SEED", 0);
  if (test_seed == 0)
    test_seed = g_test_rand_int ();

  g_test_add_func ("/Zbus/MatchRule/parse/valid", test_parse_valid);
  g_test_add_func ("/Zbus/MatchRule/parse/fields", test_parse_fields);
  g_test_add_func ("/Zbus/MatchRule/parse/invalid", test_parse_invalid);
  g_test_add_func ("/Zbus/MatchRule/parse/quoting", test_quoting);
  g_test_add_func ("/Zbus/MatchRule/parse/round-trip-random", test_round_trip_random);
  g_test_add_func ("/Zbus/MatchRule/builder/basic", test_builder);
  g_test_add_func ("/Zbus/MatchRule/builder/from-rule", test_builder_from_rule);
  g_test_add_func ("/Zbus/MatchRule/builder/invalid", test_builder_invalid);
  g_test_add_func ("/Zbus/MatchRule/equal-hash", test_equal_hash);
  g_test_add_func ("/Zbus/MatchRule/match/table", test_match_table);
  g_test_add_func ("/Zbus/MatchRule/match/lazy-body", test_match_lazy_body);
  g_test_add_func ("/Zbus/MatchRule/differential/parse", test_differential_parse);
  g_test_add_func ("/Zbus/MatchRule/differential/match", test_differential_match);
  g_test_add_func ("/Zbus/MatchRule/index/random", test_index_random);
  g_test_add_func ("/Zbus/MatchRule/index/reentrant", test_index_reentrant);
  g_test_add_func ("/Zbus/MatchRule/index/many-matches", test_index_many_matches);
  g_test_add_func ("/Zbus/MatchRule/index/namespaces", test_index_namespaces);
  g_test_add_func ("/Zbus/MatchRule/index/scale", test_index_scale);

  return g_test_run ();
}
