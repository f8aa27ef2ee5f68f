/* zbus-match-rule.c
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "zbus-match-rule-private.h"
#include "zbus-message-private.h"

/**
 * ZbusMatchRule:
 *
 * A D-Bus match rule: which messages a connection wants to see.
 *
 * A match rule is what `org.freedesktop.DBus.AddMatch` takes, such as
 * `type='signal',interface='org.example.Iface',member='Changed'`. Every key
 * of the D-Bus specification is supported: `type`, `sender`, `interface`,
 * `member`, `path`, `path_namespace`, `destination`, `arg0` to `arg63`,
 * `arg0path` to `arg63path`, `arg0namespace` and `eavesdrop`.
 *
 * Make one from its string form with [ctor@Zbus.MatchRule.new_from_string],
 * or key by key with a [class@Zbus.MatchRuleBuilder];
 * [method@Zbus.MatchRule.to_string] gives the canonical string form back.
 * [method@Zbus.MatchRule.matches] tells whether a message matches, the way
 * the bus daemon decides it.
 *
 * A `ZbusMatchRule` is an immutable, reference-counted boxed type: once
 * made it never changes, so any thread may use it, and equal rules
 * ([method@Zbus.MatchRule.equal], [method@Zbus.MatchRule.hash]) can be
 * shared.
 *
 * ## Errors
 *
 * Every error in a rule, whether in its string form or set on a builder,
 * is a %G_DBUS_ERROR_MATCH_RULE_INVALID error — the error the bus itself
 * gives for a bad rule — whose message names the key or the part of the
 * string that is wrong.
 *
 * ## The string form
 *
 * The string form is parsed exactly as dbus-daemon parses it: `key=value`
 * pairs separated by commas; white space before a key and around the `=`
 * is skipped, white space in a value is kept. A value is usually quoted
 * with single quotes, inside which every character (commas and backslashes
 * too) stands for itself; outside quotes `\'` is a quote and a backslash
 * before anything else is a backslash. The empty rule matches every
 * message. `eavesdrop` may be given more than once (the last one counts);
 * any other key only once, and `argN`, `argNpath` (and, for N = 0,
 * `arg0namespace`) share one slot per argument.
 *
 * Where dbus-daemon is sloppy this parser is strict: it refuses an argument
 * number written in other than plain decimal (dbus-daemon reads `arg010`
 * as argument 8 and `arg0x1` as argument 1) and a `=` with no key before it
 * (after which dbus-daemon silently ignores the rest of the rule); and it
 * uses every key, where dbus-daemon silently ignores any key after the
 * sixteenth. The bus refuses rules longer than 1024 bytes; this parser
 * does not.
 *
 * Since: 1.0
 */

G_DEFINE_BOXED_TYPE (ZbusMatchRule, zbus_match_rule, zbus_match_rule_ref, zbus_match_rule_unref)

/* The string-valued keys, in the order of the canonical string form. */
typedef enum
{
  FIELD_SENDER,
  FIELD_INTERFACE,
  FIELD_MEMBER,
  FIELD_PATH,
  FIELD_PATH_NAMESPACE,
  FIELD_DESTINATION,
  N_FIELDS,
} Field;

typedef enum
{
  ARG_NONE,
  ARG_STRING,     /* argN */
  ARG_PATH,       /* argNpath */
  ARG_NAMESPACE,  /* arg0namespace */
} ArgKind;

typedef struct
{
  char *value;    /* (owned) (nullable): NULL for ARG_NONE */
  ArgKind kind;
} Arg;

struct _ZbusMatchRule
{
  gatomicrefcount ref_count;

  ZbusMessageType type;       /* ZBUS_MESSAGE_TYPE_INVALID: any */
  gboolean eavesdrop;
  char *fields[N_FIELDS];     /* (owned) (nullable) each */

  /* One past the highest argument matched, 0 for none; args[i].kind is
   * ARG_NONE for the arguments in between. */
  guint n_args;
  Arg *args;                  /* (owned) (array length=n_args) (nullable) */
};

/* What a builder records, and what the parser fills in: every key as set,
 * checked only when the rule is built. */
typedef struct
{
  ZbusMessageType type;                       /* not checked yet */
  gboolean eavesdrop;
  char *fields[N_FIELDS];                     /* (owned) (nullable) each */
  char *args[ZBUS_MATCH_RULE_MAX_ARGS];       /* (owned) (nullable) each */
  char *arg_paths[ZBUS_MATCH_RULE_MAX_ARGS];  /* (owned) (nullable) each */
  char *arg0_namespace;                       /* (owned) (nullable) */
  guint bad_index;  /* the first argument number past 63 given a value, or 0 */
} Spec;

static const char * const field_keys[N_FIELDS] = {
  "sender", "interface", "member", "path", "path_namespace", "destination",
};

static const char * const type_names[] = {
  NULL, "method_call", "method_return", "error", "signal",
};

/* Name checks, as dbus-daemon makes them (dbus/dbus-marshal-validate.c);
 * GLib's g_dbus_is_name() is stricter about unique names, which the bus
 * accepts in rules with a single element (`:1`). */

static gboolean
is_name_char (char     c,
              gboolean initial)
{
  return g_ascii_isalpha (c) || c == '_' || (!initial && g_ascii_isdigit (c));
}

static gboolean
is_bus_name_char (char     c,
                  gboolean initial)
{
  return is_name_char (c, initial) || c == '-';
}

/* What follows the ':' of a unique name: dbus-daemon asks only that each
 * dot be followed by a name character, so ":1" and ":" pass. */
static gboolean
is_unique_name (const char *name)
{
  for (const char *p = name + 1; *p != '\0'; p++)
    {
      if (*p == '.')
        {
          if (!is_bus_name_char (*++p, FALSE))
            return FALSE;
        }
      else if (!is_bus_name_char (*p, FALSE))
        return FALSE;
    }

  return TRUE;
}

/* A well-known or unique bus name; with @is_namespace, also a single
 * element, as arg0namespace allows. */
static gboolean
is_bus_name_full (const char *name,
                  gboolean    is_namespace)
{
  gboolean has_dot = FALSE;
  gsize len = strlen (name);

  if (len == 0 || len > 255)
    return FALSE;
  if (name[0] == ':')
    return is_unique_name (name);
  if (!is_bus_name_char (name[0], TRUE))
    return FALSE;

  for (const char *p = name + 1; *p != '\0'; p++)
    {
      if (*p == '.')
        {
          if (!is_bus_name_char (*++p, TRUE))
            return FALSE;
          has_dot = TRUE;
        }
      else if (!is_bus_name_char (*p, FALSE))
        return FALSE;
    }

  return has_dot || is_namespace;
}

static gboolean
is_bus_name (const char *name)
{
  return is_bus_name_full (name, FALSE);
}

static gboolean
is_dotted_name (const char *name,
                gboolean    needs_dot)
{
  gboolean has_dot = FALSE;
  gsize len = strlen (name);

  if (len == 0 || len > 255 || !is_name_char (name[0], TRUE))
    return FALSE;

  for (const char *p = name + 1; *p != '\0'; p++)
    {
      if (*p == '.' && needs_dot)
        {
          if (!is_name_char (*++p, TRUE))
            return FALSE;
          has_dot = TRUE;
        }
      else if (!is_name_char (*p, FALSE))
        return FALSE;
    }

  return has_dot || !needs_dot;
}

static gboolean
is_interface_name (const char *name)
{
  return is_dotted_name (name, TRUE);
}

static gboolean
is_member_name (const char *name)
{
  return is_dotted_name (name, FALSE);
}

static gboolean
is_object_path (const char *path)
{
  return g_variant_is_object_path (path);
}

static gboolean
check_field (Field        field,
             const char  *value,
             GError     **error)
{
  static const struct
  {
    gboolean (*is_valid) (const char *value);
    const char *what;
  } checks[N_FIELDS] = {
    { is_bus_name, "bus name" },
    { is_interface_name, "interface name" },
    { is_member_name, "member name" },
    { is_object_path, "object path" },
    { is_object_path, "object path" },
    { is_bus_name, "bus name" },
  };

  if (checks[field].is_valid (value))
    return TRUE;

  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_MATCH_RULE_INVALID,
               "Invalid match rule: %s='%s' is not a valid %s",
               field_keys[field], value, checks[field].what);
  return FALSE;
}

static gboolean
check_arg_value (guint        index,
                 const char  *suffix,
                 const char  *value,
                 GError     **error)
{
  if (g_utf8_validate (value, -1, NULL))
    return TRUE;

  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_MATCH_RULE_INVALID,
               "Invalid match rule: the value of arg%u%s is not valid UTF-8",
               index, suffix);
  return FALSE;
}

static gboolean
check_arg0_namespace (const char  *value,
                      GError     **error)
{
  if (is_bus_name_full (value, TRUE))
    return TRUE;

  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_MATCH_RULE_INVALID,
               "Invalid match rule: arg0namespace='%s' is not a valid namespace "
               "of bus names or interface names", value);
  return FALSE;
}

static gboolean
check_type (ZbusMessageType   type,
            GError          **error)
{
  if ((guint) type <= ZBUS_MESSAGE_TYPE_SIGNAL)
    return TRUE;

  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_MATCH_RULE_INVALID,
               "Invalid match rule: %d is not a message type", (int) type);
  return FALSE;
}

/* Spec: the keys of a rule being built or parsed */

static void
spec_clear (Spec *spec)
{
  for (guint i = 0; i < N_FIELDS; i++)
    g_clear_pointer (&spec->fields[i], g_free);
  for (guint i = 0; i < ZBUS_MATCH_RULE_MAX_ARGS; i++)
    {
      g_clear_pointer (&spec->args[i], g_free);
      g_clear_pointer (&spec->arg_paths[i], g_free);
    }
  g_clear_pointer (&spec->arg0_namespace, g_free);
  spec->type = ZBUS_MESSAGE_TYPE_INVALID;
  spec->eavesdrop = FALSE;
  spec->bad_index = 0;
}

static gboolean
spec_check_args (const Spec  *spec,
                 GError     **error)
{
  if (spec->bad_index != 0)
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_MATCH_RULE_INVALID,
                   "Invalid match rule: argument %u is past the last one a rule "
                   "can match, arg%u", spec->bad_index, ZBUS_MATCH_RULE_MAX_ARGS - 1);
      return FALSE;
    }

  for (guint i = 0; i < ZBUS_MATCH_RULE_MAX_ARGS; i++)
    {
      if (spec->args[i] != NULL && !check_arg_value (i, "", spec->args[i], error))
        return FALSE;
      if (spec->arg_paths[i] != NULL && !check_arg_value (i, "path", spec->arg_paths[i], error))
        return FALSE;
      if (spec->args[i] != NULL && spec->arg_paths[i] != NULL)
        {
          g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_MATCH_RULE_INVALID,
                       "Invalid match rule: arg%u and arg%upath both match "
                       "argument %u; a rule may match an argument once", i, i, i);
          return FALSE;
        }
    }

  if (spec->arg0_namespace != NULL)
    {
      if (!check_arg0_namespace (spec->arg0_namespace, error))
        return FALSE;
      if (spec->args[0] != NULL || spec->arg_paths[0] != NULL)
        {
          g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_MATCH_RULE_INVALID,
                       "Invalid match rule: arg0namespace and %s both match "
                       "argument 0; a rule may match an argument once",
                       spec->args[0] != NULL ? "arg0" : "arg0path");
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
spec_check (const Spec  *spec,
            GError     **error)
{
  if (!check_type (spec->type, error))
    return FALSE;

  for (guint i = 0; i < N_FIELDS; i++)
    {
      if (spec->fields[i] != NULL && !check_field (i, spec->fields[i], error))
        return FALSE;
    }

  if (spec->fields[FIELD_PATH] != NULL && spec->fields[FIELD_PATH_NAMESPACE] != NULL)
    {
      g_set_error_literal (error, G_DBUS_ERROR, G_DBUS_ERROR_MATCH_RULE_INVALID,
                           "Invalid match rule: path and path_namespace cannot "
                           "both be given");
      return FALSE;
    }

  return spec_check_args (spec, error);
}

static void
rule_set_arg (ZbusMatchRule *rule,
              guint          index,
              const char    *value,
              ArgKind        kind)
{
  if (value == NULL)
    return;

  rule->args[index].value = g_strdup (value);
  rule->args[index].kind = kind;
}

/* Makes the rule @spec describes, or fails saying what is wrong with it. */
static ZbusMatchRule *
spec_build (const Spec  *spec,
            GError     **error)
{
  ZbusMatchRule *rule;
  guint n_args = spec->arg0_namespace != NULL ? 1 : 0;

  if (!spec_check (spec, error))
    return NULL;

  for (guint i = 0; i < ZBUS_MATCH_RULE_MAX_ARGS; i++)
    {
      if (spec->args[i] != NULL || spec->arg_paths[i] != NULL)
        n_args = i + 1;
    }

  rule = g_new0 (ZbusMatchRule, 1);
  g_atomic_ref_count_init (&rule->ref_count);
  rule->type = spec->type;
  rule->eavesdrop = spec->eavesdrop;
  for (guint i = 0; i < N_FIELDS; i++)
    rule->fields[i] = g_strdup (spec->fields[i]);

  rule->n_args = n_args;
  rule->args = n_args > 0 ? g_new0 (Arg, n_args) : NULL;
  for (guint i = 0; i < n_args; i++)
    {
      rule_set_arg (rule, i, spec->args[i], ARG_STRING);
      rule_set_arg (rule, i, spec->arg_paths[i], ARG_PATH);
    }
  if (n_args > 0)
    rule_set_arg (rule, 0, spec->arg0_namespace, ARG_NAMESPACE);

  return rule;
}

/* Parsing */

static inline gboolean
is_white (char c)
{
  /* The white space dbus-daemon skips: not \f or \v. */
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Reads the key starting at @text[*pos] and the '=' after it; returns the
 * key, or NULL at the end of the rule (nothing but white space left) and on
 * error. */
static char *
read_key (const char  *text,
          gsize       *pos,
          GError     **error)
{
  gsize p = *pos;
  gsize start, end;

  while (is_white (text[p]))
    p++;
  start = p;
  while (text[p] != '\0' && text[p] != '=' && !is_white (text[p]))
    p++;
  end = p;
  while (is_white (text[p]))
    p++;
  *pos = p;

  if (start == end && text[p] == '\0')
    return NULL;

  if (start == end)
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_MATCH_RULE_INVALID,
                   "Invalid match rule: “=” with no key before it at byte %"
                   G_GSIZE_FORMAT, p);
      return NULL;
    }

  if (text[p] != '=')
    {
      g_autofree char *key = g_strndup (text + start, end - start);

      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_MATCH_RULE_INVALID,
                   "Invalid match rule: key “%s” is not followed by “=”", key);
      return NULL;
    }

  *pos = p + 1;
  return g_strndup (text + start, end - start);
}

/* Reads the value starting at @text[*pos] up to the next comma outside
 * quotes, which it skips, with dbus-daemon's quoting rules: '…' quotes
 * everything but a quote; outside quotes \' is a quote and a backslash
 * before anything else stands for itself. */
static char *
read_value (const char  *text,
            gsize       *pos,
            const char  *key,
            GError     **error)
{
  GString *value = g_string_new (NULL);
  gsize p = *pos;
  char quote = '\0';

  for (; text[p] != '\0'; p++)
    {
      char c = text[p];

      if (quote == '\'')
        {
          if (c == '\'')
            quote = '\0';
          else
            g_string_append_c (value, c);
        }
      else if (quote == '\\')
        {
          if (c != '\'')
            g_string_append_c (value, '\\');
          g_string_append_c (value, c);
          quote = '\0';
        }
      else if (c == '\'' || c == '\\')
        quote = c;
      else if (c == ',')
        {
          p++;
          break;
        }
      else
        g_string_append_c (value, c);
    }

  if (quote == '\'')
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_MATCH_RULE_INVALID,
                   "Invalid match rule: unbalanced quotation marks in the value of %s",
                   key);
      g_string_free (value, TRUE);
      return NULL;
    }
  if (quote == '\\')
    g_string_append_c (value, '\\');

  *pos = p;
  return g_string_free (value, FALSE);
}

static gboolean
parse_type (Spec        *spec,
            const char  *value,
            GError     **error)
{
  for (guint i = ZBUS_MESSAGE_TYPE_METHOD_CALL; i <= ZBUS_MESSAGE_TYPE_SIGNAL; i++)
    {
      if (strcmp (value, type_names[i]) == 0)
        {
          spec->type = i;
          return TRUE;
        }
    }

  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_MATCH_RULE_INVALID,
               "Invalid match rule: type='%s' is not a message type (signal, "
               "method_call, method_return or error)", value);
  return FALSE;
}

static gboolean
parse_eavesdrop (Spec        *spec,
                 const char  *value,
                 GError     **error)
{
  if (strcmp (value, "true") == 0 || strcmp (value, "false") == 0)
    {
      spec->eavesdrop = value[0] == 't';
      return TRUE;
    }

  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_MATCH_RULE_INVALID,
               "Invalid match rule: eavesdrop='%s' is neither 'true' nor 'false'",
               value);
  return FALSE;
}

/* Reads the N of an argN key: plain decimal only. dbus-daemon reads it
 * with strtoul (…, 0), so it would take "010" as 8 and "0x1" as 1; a rule
 * this parser accepts means the same to the bus. */
static gboolean
parse_arg_index (const char  *key,
                 guint       *index,
                 const char **suffix,
                 GError     **error)
{
  const char *p = key + strlen ("arg");
  guint64 n = 0;

  if (!g_ascii_isdigit (*p))
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_MATCH_RULE_INVALID,
                   "Invalid match rule: key “%s” starts with “arg” but has no "
                   "argument number", key);
      return FALSE;
    }

  if (p[0] == '0' && g_ascii_isdigit (p[1]))
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_MATCH_RULE_INVALID,
                   "Invalid match rule: the argument number of key “%s” has a "
                   "leading zero", key);
      return FALSE;
    }

  for (; g_ascii_isdigit (*p); p++)
    n = MIN (n * 10 + (guint64) (*p - '0'), G_MAXUINT);

  *index = n;
  *suffix = p;
  return TRUE;
}

static gboolean
parse_arg (Spec        *spec,
           const char  *key,
           const char  *value,
           GError     **error)
{
  const char *suffix;
  guint index;

  if (!parse_arg_index (key, &index, &suffix, error))
    return FALSE;

  if (*suffix != '\0' && strcmp (suffix, "path") != 0 &&
      !(index == 0 && strcmp (suffix, "namespace") == 0))
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_MATCH_RULE_INVALID,
                   "Invalid match rule: unknown key “%s”: after the argument "
                   "number only “path” (argNpath) or, for arg0, “namespace” may "
                   "follow", key);
      return FALSE;
    }

  if (index >= ZBUS_MATCH_RULE_MAX_ARGS)
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_MATCH_RULE_INVALID,
                   "Invalid match rule: key “%s” matches argument %u but the "
                   "last argument a rule can match is %u",
                   key, index, ZBUS_MATCH_RULE_MAX_ARGS - 1);
      return FALSE;
    }

  if (strcmp (suffix, "namespace") == 0 && !check_arg0_namespace (value, error))
    return FALSE;

  if (spec->args[index] != NULL || spec->arg_paths[index] != NULL ||
      (index == 0 && spec->arg0_namespace != NULL))
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_MATCH_RULE_INVALID,
                   "Invalid match rule: key “%s” matches argument %u, which an "
                   "earlier key matches already", key, index);
      return FALSE;
    }

  if (*suffix == '\0')
    spec->args[index] = g_strdup (value);
  else if (*suffix == 'p')
    spec->arg_paths[index] = g_strdup (value);
  else
    spec->arg0_namespace = g_strdup (value);

  return TRUE;
}

static gboolean
parse_field (Spec        *spec,
             Field        field,
             const char  *value,
             GError     **error)
{
  Field other = field == FIELD_PATH ? FIELD_PATH_NAMESPACE
                : field == FIELD_PATH_NAMESPACE ? FIELD_PATH
                : field;

  if (spec->fields[field] != NULL)
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_MATCH_RULE_INVALID,
                   "Invalid match rule: key “%s” given twice", field_keys[field]);
      return FALSE;
    }

  if (spec->fields[other] != NULL)
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_MATCH_RULE_INVALID,
                   "Invalid match rule: key “%s” after “%s”: path and "
                   "path_namespace cannot both be given", field_keys[field],
                   field_keys[other]);
      return FALSE;
    }

  if (!check_field (field, value, error))
    return FALSE;

  spec->fields[field] = g_strdup (value);
  return TRUE;
}

static gboolean
parse_pair (Spec        *spec,
            gboolean    *has_type,
            const char  *key,
            const char  *value,
            GError     **error)
{
  if (strcmp (key, "type") == 0)
    {
      if (*has_type)
        {
          g_set_error_literal (error, G_DBUS_ERROR, G_DBUS_ERROR_MATCH_RULE_INVALID,
                               "Invalid match rule: key “type” given twice");
          return FALSE;
        }
      *has_type = TRUE;
      return parse_type (spec, value, error);
    }

  if (strcmp (key, "eavesdrop") == 0)
    return parse_eavesdrop (spec, value, error);

  for (guint i = 0; i < N_FIELDS; i++)
    {
      if (strcmp (key, field_keys[i]) == 0)
        return parse_field (spec, i, value, error);
    }

  if (g_str_has_prefix (key, "arg"))
    return parse_arg (spec, key, value, error);

  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_MATCH_RULE_INVALID,
               "Invalid match rule: unknown key “%s”", key);
  return FALSE;
}

static gboolean
parse (Spec        *spec,
       const char  *text,
       GError     **error)
{
  gboolean has_type = FALSE;
  gsize pos = 0;

  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error_literal (error, G_DBUS_ERROR, G_DBUS_ERROR_MATCH_RULE_INVALID,
                           "Invalid match rule: not valid UTF-8");
      return FALSE;
    }

  while (text[pos] != '\0')
    {
      g_autofree char *key = NULL;
      g_autofree char *value = NULL;
      GError *local_error = NULL;

      key = read_key (text, &pos, &local_error);
      if (key == NULL)
        {
          if (local_error == NULL)
            break;
          g_propagate_error (error, local_error);
          return FALSE;
        }

      value = read_value (text, &pos, key, error);
      if (value == NULL || !parse_pair (spec, &has_type, key, value, error))
        return FALSE;
    }

  return TRUE;
}

/**
 * zbus_match_rule_new_from_string:
 * @rule: a match rule in the string form of the D-Bus specification, such
 *   as `type='signal',interface='org.example.Iface'`
 * @error: return location for a #GError
 *
 * Parses a match rule, as dbus-daemon does (see [struct@Zbus.MatchRule] for
 * the few differences). The empty string is the rule that matches every
 * message.
 *
 * A malformed rule, an unknown key, a key given twice, a name or object
 * path that is not valid, an argument number past 63 or a bad `type` or
 * `eavesdrop` value is a %G_DBUS_ERROR_MATCH_RULE_INVALID error whose
 * message names the key at fault.
 *
 * Returns: (transfer full): the rule, or %NULL on error
 *
 * Since: 1.0
 */
ZbusMatchRule *
zbus_match_rule_new_from_string (const char  *rule,
                                 GError     **error)
{
  Spec spec = { 0, };
  ZbusMatchRule *result = NULL;

  g_return_val_if_fail (rule != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (parse (&spec, rule, error))
    result = spec_build (&spec, error);
  spec_clear (&spec);

  return result;
}

/**
 * zbus_match_rule_ref:
 * @self: a match rule
 *
 * Takes a reference to @self. Any thread may call it.
 *
 * Returns: (transfer full): @self
 *
 * Since: 1.0
 */
ZbusMatchRule *
zbus_match_rule_ref (ZbusMatchRule *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

static void
zbus_match_rule_free (ZbusMatchRule *self)
{
  for (guint i = 0; i < N_FIELDS; i++)
    g_free (self->fields[i]);
  for (guint i = 0; i < self->n_args; i++)
    g_free (self->args[i].value);
  g_free (self->args);
  g_free (self);
}

/**
 * zbus_match_rule_unref:
 * @self: (transfer full): a match rule
 *
 * Drops a reference to @self, freeing it with the last one. Any thread may
 * call it.
 *
 * Since: 1.0
 */
void
zbus_match_rule_unref (ZbusMatchRule *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    zbus_match_rule_free (self);
}

/* Printing */

/* Appends @value quoted so that the parser reads it back unchanged: runs
 * of anything but a quote go inside '…' (where nothing else is special),
 * and each quote is \' outside the quotes. */
static void
append_quoted (GString    *out,
               const char *value)
{
  gboolean open = FALSE;

  if (*value == '\0')
    {
      g_string_append (out, "''");
      return;
    }

  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '\'')
        {
          if (open)
            g_string_append_c (out, '\'');
          open = FALSE;
          g_string_append (out, "\\'");
        }
      else
        {
          if (!open)
            g_string_append_c (out, '\'');
          open = TRUE;
          g_string_append_c (out, *p);
        }
    }

  if (open)
    g_string_append_c (out, '\'');
}

static void
append_pair (GString    *out,
             const char *key,
             const char *value)
{
  if (out->len > 0)
    g_string_append_c (out, ',');
  g_string_append (out, key);
  g_string_append_c (out, '=');
  append_quoted (out, value);
}

/**
 * zbus_match_rule_to_string:
 * @self: a match rule
 *
 * Gives the canonical string form of @self: the keys in a fixed order
 * (`type`, `sender`, `interface`, `member`, `path`, `path_namespace`,
 * `destination`, then `argN` and `argNpath` by argument number, then
 * `arg0namespace` and `eavesdrop`), every value quoted. Equal rules give
 * the same string, and [ctor@Zbus.MatchRule.new_from_string] reads it back
 * into a rule equal to @self; it is what to send to the bus in
 * `org.freedesktop.DBus.AddMatch`.
 *
 * Returns: (transfer full): the string form; empty for the rule that
 *   matches everything
 *
 * Since: 1.0
 */
char *
zbus_match_rule_to_string (ZbusMatchRule *self)
{
  GString *out;

  g_return_val_if_fail (self != NULL, NULL);

  out = g_string_new (NULL);
  if (self->type != ZBUS_MESSAGE_TYPE_INVALID)
    append_pair (out, "type", type_names[self->type]);
  for (guint i = 0; i < N_FIELDS; i++)
    {
      if (self->fields[i] != NULL)
        append_pair (out, field_keys[i], self->fields[i]);
    }

  for (guint i = 0; i < self->n_args; i++)
    {
      char key[32];

      if (self->args[i].kind != ARG_STRING && self->args[i].kind != ARG_PATH)
        continue;
      g_snprintf (key, sizeof key, "arg%u%s", i,
                  self->args[i].kind == ARG_PATH ? "path" : "");
      append_pair (out, key, self->args[i].value);
    }

  if (self->n_args > 0 && self->args[0].kind == ARG_NAMESPACE)
    append_pair (out, "arg0namespace", self->args[0].value);
  if (self->eavesdrop)
    append_pair (out, "eavesdrop", "true");

  return g_string_free (out, FALSE);
}

/**
 * zbus_match_rule_equal:
 * @a: a match rule
 * @b: another match rule
 *
 * Tells whether @a and @b are the same rule: the same keys with the same
 * values, however they were written or built.
 *
 * Returns: %TRUE if @a and @b are equal
 *
 * Since: 1.0
 */
gboolean
zbus_match_rule_equal (ZbusMatchRule *a,
                       ZbusMatchRule *b)
{
  g_return_val_if_fail (a != NULL, FALSE);
  g_return_val_if_fail (b != NULL, FALSE);

  if (a == b)
    return TRUE;
  if (a->type != b->type || a->eavesdrop != b->eavesdrop || a->n_args != b->n_args)
    return FALSE;

  for (guint i = 0; i < N_FIELDS; i++)
    {
      if (g_strcmp0 (a->fields[i], b->fields[i]) != 0)
        return FALSE;
    }

  for (guint i = 0; i < a->n_args; i++)
    {
      if (a->args[i].kind != b->args[i].kind ||
          g_strcmp0 (a->args[i].value, b->args[i].value) != 0)
        return FALSE;
    }

  return TRUE;
}

static inline guint
hash_mix (guint hash,
          guint value)
{
  return hash * 31 + value;
}

/**
 * zbus_match_rule_hash:
 * @self: a match rule
 *
 * Hashes @self, consistently with [method@Zbus.MatchRule.equal], so rules
 * can key a [struct@GLib.HashTable] made with these two functions.
 *
 * Returns: the hash
 *
 * Since: 1.0
 */
guint
zbus_match_rule_hash (ZbusMatchRule *self)
{
  guint hash;

  g_return_val_if_fail (self != NULL, 0);

  hash = hash_mix (self->type, self->eavesdrop);
  for (guint i = 0; i < N_FIELDS; i++)
    hash = hash_mix (hash, self->fields[i] != NULL ? g_str_hash (self->fields[i]) : i);
  for (guint i = 0; i < self->n_args; i++)
    {
      hash = hash_mix (hash, self->args[i].kind);
      if (self->args[i].value != NULL)
        hash = hash_mix (hash, g_str_hash (self->args[i].value));
    }

  return hash;
}

/* Matching */

static gboolean
field_matches (const char *wanted,
               const char *actual)
{
  return wanted == NULL || (actual != NULL && strcmp (wanted, actual) == 0);
}

static gboolean
path_in_namespace (const char *path_namespace,
                   const char *path)
{
  gsize len = strlen (path_namespace);

  if (path == NULL || strncmp (path, path_namespace, len) != 0)
    return FALSE;

  /* "/" holds every path; "/a/b" holds "/a/b" and "/a/b/c", not "/a/bc". */
  return len == 1 || path[len] == '\0' || path[len] == '/';
}

/* argNpath: equal, or one of them ends with '/' and is a prefix of the
 * other. */
static gboolean
arg_path_matches (const char *wanted,
                  const char *actual)
{
  gsize wanted_len = strlen (wanted);
  gsize actual_len = strlen (actual);

  if (actual_len < wanted_len)
    return actual_len > 0 && actual[actual_len - 1] == '/' &&
           memcmp (wanted, actual, actual_len) == 0;
  if (wanted_len < actual_len)
    return wanted_len > 0 && wanted[wanted_len - 1] == '/' &&
           memcmp (wanted, actual, wanted_len) == 0;

  return strcmp (wanted, actual) == 0;
}

/* arg0namespace: equal, or a prefix followed by '.'. */
static gboolean
arg_namespace_matches (const char *wanted,
                       const char *actual)
{
  gsize len = strlen (wanted);

  return strncmp (wanted, actual, len) == 0 &&
         (actual[len] == '\0' || actual[len] == '.');
}

static gboolean
arg_matches (const Arg  *arg,
             const char *actual)
{
  switch (arg->kind)
    {
    case ARG_STRING:
      return strcmp (arg->value, actual) == 0;
    case ARG_PATH:
      return arg_path_matches (arg->value, actual);
    case ARG_NAMESPACE:
      return arg_namespace_matches (arg->value, actual);
    case ARG_NONE:
    default:
      return TRUE;
    }
}

/* Whether the types of the arguments the rule looks at can match, from the
 * signature alone: strings for argN and arg0namespace, strings or object
 * paths for argNpath. */
static gboolean
arg_types_match (ZbusMatchRule *self,
                 const char    *signature)
{
  const char *type = signature != NULL ? signature : "";

  for (guint i = 0; i < self->n_args; i++)
    {
      ArgKind kind = self->args[i].kind;

      if (kind != ARG_NONE && *type != 's' && !(kind == ARG_PATH && *type == 'o'))
        return FALSE;
      if (*type != '\0' && !g_variant_type_string_scan (type, NULL, &type))
        return FALSE;
    }

  return TRUE;
}

static gboolean
args_match (ZbusMatchRule *self,
            ZbusMessage   *message)
{
  GVariant *body;

  if (!arg_types_match (self, message->strings[ZBUS_STR_SIGNATURE]))
    return FALSE;

  /* Only now, with types that can match, is the body decoded. */
  body = zbus_message_get_body (message);
  g_return_val_if_fail (body != NULL, FALSE);

  for (guint i = 0; i < self->n_args; i++)
    {
      g_autoptr(GVariant) child = NULL;

      if (self->args[i].kind == ARG_NONE)
        continue;
      child = g_variant_get_child_value (body, i);
      if (!arg_matches (&self->args[i], g_variant_get_string (child, NULL)))
        return FALSE;
    }

  return TRUE;
}

/**
 * zbus_match_rule_matches:
 * @self: a match rule
 * @message: a message
 *
 * Tells whether @message matches @self, as the bus daemon decides it: every
 * key of the rule must match.
 *
 * - `type`, `interface`, `member`, `path` and `destination` must equal the
 *   message's;
 * - `sender` must equal the message's sender header field (the bus also
 *   lets a well-known name match messages from its owner, which needs the
 *   bus's knowledge of who owns what; match unique names to be sure);
 * - `path_namespace` holds the message's path if the path equals it or
 *   continues it after a `/` (`/a/b` holds `/a/b/c`, not `/a/bc`); `/`
 *   holds every path;
 * - `argN` matches a string argument (type `s`) equal to its value;
 * - `argNpath` matches a string or object path argument (`s` or `o`) equal
 *   to its value, or one of which ends with `/` and is a prefix of the
 *   other;
 * - `arg0namespace` matches a first argument that is a string equal to it
 *   or starting with it followed by `.`;
 * - `eavesdrop` makes no difference here: it concerns what the bus sends.
 *
 * The body of @message is decoded only if @self has `arg` keys and the
 * message's signature has the right types at their places.
 *
 * Any thread may call this.
 *
 * Returns: %TRUE if @message matches @self
 *
 * Since: 1.0
 */
gboolean
zbus_match_rule_matches (ZbusMatchRule *self,
                         ZbusMessage   *message)
{
  const char * const *strings;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

  strings = message->strings;
  if (self->type != ZBUS_MESSAGE_TYPE_INVALID && self->type != message->type)
    return FALSE;
  if (!field_matches (self->fields[FIELD_SENDER], strings[ZBUS_STR_SENDER]) ||
      !field_matches (self->fields[FIELD_INTERFACE], strings[ZBUS_STR_INTERFACE]) ||
      !field_matches (self->fields[FIELD_MEMBER], strings[ZBUS_STR_MEMBER]) ||
      !field_matches (self->fields[FIELD_PATH], strings[ZBUS_STR_PATH]) ||
      !field_matches (self->fields[FIELD_DESTINATION], strings[ZBUS_STR_DESTINATION]))
    return FALSE;
  if (self->fields[FIELD_PATH_NAMESPACE] != NULL &&
      !path_in_namespace (self->fields[FIELD_PATH_NAMESPACE], strings[ZBUS_STR_PATH]))
    return FALSE;

  return self->n_args == 0 || args_match (self, message);
}

/* Accessors */

/**
 * zbus_match_rule_get_message_type:
 * @self: a match rule
 *
 * Gets the type of message @self matches (its `type` key).
 *
 * Returns: the message type, or %ZBUS_MESSAGE_TYPE_INVALID if @self
 *   matches messages of every type
 *
 * Since: 1.0
 */
ZbusMessageType
zbus_match_rule_get_message_type (ZbusMatchRule *self)
{
  g_return_val_if_fail (self != NULL, ZBUS_MESSAGE_TYPE_INVALID);

  return self->type;
}

static const char *
get_field (ZbusMatchRule *self,
           Field          field)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->fields[field];
}

/**
 * zbus_match_rule_get_sender:
 * @self: a match rule
 *
 * Gets the `sender` key of @self.
 *
 * Returns: (nullable): the bus name messages must come from, or %NULL if
 *   @self has no `sender` key
 *
 * Since: 1.0
 */
const char *
zbus_match_rule_get_sender (ZbusMatchRule *self)
{
  return get_field (self, FIELD_SENDER);
}

/**
 * zbus_match_rule_get_interface:
 * @self: a match rule
 *
 * Gets the `interface` key of @self.
 *
 * Returns: (nullable): the interface name, or %NULL if @self has no
 *   `interface` key
 *
 * Since: 1.0
 */
const char *
zbus_match_rule_get_interface (ZbusMatchRule *self)
{
  return get_field (self, FIELD_INTERFACE);
}

/**
 * zbus_match_rule_get_member:
 * @self: a match rule
 *
 * Gets the `member` key of @self.
 *
 * Returns: (nullable): the method or signal name, or %NULL if @self has no
 *   `member` key
 *
 * Since: 1.0
 */
const char *
zbus_match_rule_get_member (ZbusMatchRule *self)
{
  return get_field (self, FIELD_MEMBER);
}

/**
 * zbus_match_rule_get_path:
 * @self: a match rule
 *
 * Gets the `path` key of @self.
 *
 * Returns: (nullable): the object path, or %NULL if @self has no `path`
 *   key
 *
 * Since: 1.0
 */
const char *
zbus_match_rule_get_path (ZbusMatchRule *self)
{
  return get_field (self, FIELD_PATH);
}

/**
 * zbus_match_rule_get_path_namespace:
 * @self: a match rule
 *
 * Gets the `path_namespace` key of @self.
 *
 * Returns: (nullable): the object path whose subtree @self matches, or
 *   %NULL if @self has no `path_namespace` key
 *
 * Since: 1.0
 */
const char *
zbus_match_rule_get_path_namespace (ZbusMatchRule *self)
{
  return get_field (self, FIELD_PATH_NAMESPACE);
}

/**
 * zbus_match_rule_get_destination:
 * @self: a match rule
 *
 * Gets the `destination` key of @self.
 *
 * Returns: (nullable): the bus name messages must be addressed to, or
 *   %NULL if @self has no `destination` key
 *
 * Since: 1.0
 */
const char *
zbus_match_rule_get_destination (ZbusMatchRule *self)
{
  return get_field (self, FIELD_DESTINATION);
}

static const char *
get_arg (ZbusMatchRule *self,
         guint          index,
         ArgKind        kind)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (index >= self->n_args || self->args[index].kind != kind)
    return NULL;

  return self->args[index].value;
}

/**
 * zbus_match_rule_get_arg:
 * @self: a match rule
 * @index: an argument number, 0 to 63
 *
 * Gets the `argN` key of @self for N = @index.
 *
 * Returns: (nullable): the string argument @index must equal, or %NULL if
 *   @self has no such key
 *
 * Since: 1.0
 */
const char *
zbus_match_rule_get_arg (ZbusMatchRule *self,
                         guint          index)
{
  return get_arg (self, index, ARG_STRING);
}

/**
 * zbus_match_rule_get_arg_path:
 * @self: a match rule
 * @index: an argument number, 0 to 63
 *
 * Gets the `argNpath` key of @self for N = @index.
 *
 * Returns: (nullable): the path argument @index is matched against, or
 *   %NULL if @self has no such key
 *
 * Since: 1.0
 */
const char *
zbus_match_rule_get_arg_path (ZbusMatchRule *self,
                              guint          index)
{
  return get_arg (self, index, ARG_PATH);
}

/**
 * zbus_match_rule_get_arg0_namespace:
 * @self: a match rule
 *
 * Gets the `arg0namespace` key of @self.
 *
 * Returns: (nullable): the namespace the first argument must be in, or
 *   %NULL if @self has no `arg0namespace` key
 *
 * Since: 1.0
 */
const char *
zbus_match_rule_get_arg0_namespace (ZbusMatchRule *self)
{
  return get_arg (self, 0, ARG_NAMESPACE);
}

/**
 * zbus_match_rule_get_eavesdrop:
 * @self: a match rule
 *
 * Gets the `eavesdrop` key of @self: whether the rule asks the bus for
 * messages addressed to other connections too (which the bus's policy may
 * refuse).
 *
 * Returns: %TRUE if @self has `eavesdrop='true'`
 *
 * Since: 1.0
 */
gboolean
zbus_match_rule_get_eavesdrop (ZbusMatchRule *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->eavesdrop;
}

/* ZbusMatchRuleBuilder */

/**
 * ZbusMatchRuleBuilder:
 *
 * Makes a [struct@Zbus.MatchRule] key by key.
 *
 * Each setter records the value of one key, replacing the one set before;
 * %NULL removes the key. Setters return the builder, so calls chain
 * where that reads well:
 *
 * ```c
 * g_autoptr(ZbusMatchRuleBuilder) builder = zbus_match_rule_builder_new ();
 * g_autoptr(ZbusMatchRule) rule = NULL;
 *
 * zbus_match_rule_builder_set_message_type (builder, ZBUS_MESSAGE_TYPE_SIGNAL);
 * zbus_match_rule_builder_set_member (builder, "NameOwnerChanged");
 * zbus_match_rule_builder_set_arg (builder, 0, "org.example.App");
 * rule = zbus_match_rule_builder_build (builder, &error);
 * ```
 *
 * or, in JavaScript,
 *
 * ```js
 * const rule = new Zbus.MatchRuleBuilder()
 *     .set_message_type(Zbus.MessageType.SIGNAL)
 *     .set_member('NameOwnerChanged')
 *     .set_arg(0, 'org.example.App')
 *     .build();
 * ```
 *
 * Nothing is checked until [method@Zbus.MatchRuleBuilder.build], which
 * checks everything the parser would and fails with a
 * %G_DBUS_ERROR_MATCH_RULE_INVALID error naming the key at fault. A
 * builder may build many rules; [ctor@Zbus.MatchRuleBuilder.new_from_rule]
 * starts from an existing rule, to make a variant of it.
 *
 * A builder is used by one thread at a time.
 *
 * Since: 1.0
 */

struct _ZbusMatchRuleBuilder
{
  GObject parent_instance;

  Spec spec;
};

G_DEFINE_FINAL_TYPE (ZbusMatchRuleBuilder, zbus_match_rule_builder, G_TYPE_OBJECT)

static void
zbus_match_rule_builder_finalize (GObject *object)
{
  ZbusMatchRuleBuilder *self = ZBUS_MATCH_RULE_BUILDER (object);

  spec_clear (&self->spec);

  G_OBJECT_CLASS (zbus_match_rule_builder_parent_class)->finalize (object);
}

static void
zbus_match_rule_builder_class_init (ZbusMatchRuleBuilderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = zbus_match_rule_builder_finalize;
}

static void
zbus_match_rule_builder_init (ZbusMatchRuleBuilder *self)
{
}

/**
 * zbus_match_rule_builder_new:
 *
 * Makes a builder with no keys set: as it is, it builds the rule that
 * matches every message.
 *
 * Returns: (transfer full): the new builder
 *
 * Since: 1.0
 */
ZbusMatchRuleBuilder *
zbus_match_rule_builder_new (void)
{
  return g_object_new (ZBUS_TYPE_MATCH_RULE_BUILDER, NULL);
}

/**
 * zbus_match_rule_builder_new_from_rule:
 * @rule: a match rule
 *
 * Makes a builder with the keys of @rule set, to build a changed copy of
 * it.
 *
 * Returns: (transfer full): the new builder
 *
 * Since: 1.0
 */
ZbusMatchRuleBuilder *
zbus_match_rule_builder_new_from_rule (ZbusMatchRule *rule)
{
  ZbusMatchRuleBuilder *self;
  Spec *spec;

  g_return_val_if_fail (rule != NULL, NULL);

  self = zbus_match_rule_builder_new ();
  spec = &self->spec;
  spec->type = rule->type;
  spec->eavesdrop = rule->eavesdrop;
  for (guint i = 0; i < N_FIELDS; i++)
    spec->fields[i] = g_strdup (rule->fields[i]);

  for (guint i = 0; i < rule->n_args; i++)
    {
      char *value = g_strdup (rule->args[i].value);

      switch (rule->args[i].kind)
        {
        case ARG_STRING:
          spec->args[i] = value;
          break;
        case ARG_PATH:
          spec->arg_paths[i] = value;
          break;
        case ARG_NAMESPACE:
          spec->arg0_namespace = value;
          break;
        case ARG_NONE:
        default:
          g_free (value);
          break;
        }
    }

  return self;
}

/**
 * zbus_match_rule_builder_set_message_type:
 * @self: a match rule builder
 * @type: the type of message to match, or %ZBUS_MESSAGE_TYPE_INVALID for
 *   every type
 *
 * Sets the `type` key.
 *
 * Returns: (transfer none): @self, to chain calls
 *
 * Since: 1.0
 */
ZbusMatchRuleBuilder *
zbus_match_rule_builder_set_message_type (ZbusMatchRuleBuilder *self,
                                          ZbusMessageType       type)
{
  g_return_val_if_fail (ZBUS_IS_MATCH_RULE_BUILDER (self), NULL);

  self->spec.type = type;
  return self;
}

static ZbusMatchRuleBuilder *
set_field (ZbusMatchRuleBuilder *self,
           Field                 field,
           const char           *value)
{
  g_return_val_if_fail (ZBUS_IS_MATCH_RULE_BUILDER (self), NULL);

  g_free (self->spec.fields[field]);
  self->spec.fields[field] = g_strdup (value);
  return self;
}

/**
 * zbus_match_rule_builder_set_sender:
 * @self: a match rule builder
 * @sender: (nullable): the bus name messages must come from, or %NULL to
 *   remove the key
 *
 * Sets the `sender` key.
 *
 * Returns: (transfer none): @self, to chain calls
 *
 * Since: 1.0
 */
ZbusMatchRuleBuilder *
zbus_match_rule_builder_set_sender (ZbusMatchRuleBuilder *self,
                                    const char           *sender)
{
  return set_field (self, FIELD_SENDER, sender);
}

/**
 * zbus_match_rule_builder_set_interface:
 * @self: a match rule builder
 * @interface_: (nullable): the interface name, or %NULL to remove the key
 *
 * Sets the `interface` key.
 *
 * Returns: (transfer none): @self, to chain calls
 *
 * Since: 1.0
 */
ZbusMatchRuleBuilder *
zbus_match_rule_builder_set_interface (ZbusMatchRuleBuilder *self,
                                       const char           *interface_)
{
  return set_field (self, FIELD_INTERFACE, interface_);
}

/**
 * zbus_match_rule_builder_set_member:
 * @self: a match rule builder
 * @member: (nullable): the method or signal name, or %NULL to remove the
 *   key
 *
 * Sets the `member` key.
 *
 * Returns: (transfer none): @self, to chain calls
 *
 * Since: 1.0
 */
ZbusMatchRuleBuilder *
zbus_match_rule_builder_set_member (ZbusMatchRuleBuilder *self,
                                    const char           *member)
{
  return set_field (self, FIELD_MEMBER, member);
}

/**
 * zbus_match_rule_builder_set_path:
 * @self: a match rule builder
 * @path: (nullable): the object path, or %NULL to remove the key
 *
 * Sets the `path` key. A rule cannot have both `path` and
 * `path_namespace`.
 *
 * Returns: (transfer none): @self, to chain calls
 *
 * Since: 1.0
 */
ZbusMatchRuleBuilder *
zbus_match_rule_builder_set_path (ZbusMatchRuleBuilder *self,
                                  const char           *path)
{
  return set_field (self, FIELD_PATH, path);
}

/**
 * zbus_match_rule_builder_set_path_namespace:
 * @self: a match rule builder
 * @path_namespace: (nullable): the object path whose subtree to match, or
 *   %NULL to remove the key
 *
 * Sets the `path_namespace` key. A rule cannot have both `path` and
 * `path_namespace`.
 *
 * Returns: (transfer none): @self, to chain calls
 *
 * Since: 1.0
 */
ZbusMatchRuleBuilder *
zbus_match_rule_builder_set_path_namespace (ZbusMatchRuleBuilder *self,
                                            const char           *path_namespace)
{
  return set_field (self, FIELD_PATH_NAMESPACE, path_namespace);
}

/**
 * zbus_match_rule_builder_set_destination:
 * @self: a match rule builder
 * @destination: (nullable): the bus name messages must be addressed to, or
 *   %NULL to remove the key
 *
 * Sets the `destination` key.
 *
 * Returns: (transfer none): @self, to chain calls
 *
 * Since: 1.0
 */
ZbusMatchRuleBuilder *
zbus_match_rule_builder_set_destination (ZbusMatchRuleBuilder *self,
                                         const char           *destination)
{
  return set_field (self, FIELD_DESTINATION, destination);
}

static ZbusMatchRuleBuilder *
set_arg (ZbusMatchRuleBuilder *self,
         ArgKind               kind,
         guint                 index,
         const char           *value)
{
  char **slots;

  g_return_val_if_fail (ZBUS_IS_MATCH_RULE_BUILDER (self), NULL);

  slots = kind == ARG_PATH ? self->spec.arg_paths : self->spec.args;

  if (index >= ZBUS_MATCH_RULE_MAX_ARGS)
    {
      /* Reported by build(), like every other mistake. */
      if (value != NULL && self->spec.bad_index == 0)
        self->spec.bad_index = index;
      return self;
    }

  g_free (slots[index]);
  slots[index] = g_strdup (value);
  return self;
}

/**
 * zbus_match_rule_builder_set_arg:
 * @self: a match rule builder
 * @index: the argument number, 0 to 63
 * @value: (nullable): the string the argument must equal, or %NULL to
 *   remove the key
 *
 * Sets the `argN` key for N = @index. A rule cannot have both `argN` and
 * `argNpath` for the same N, nor `arg0` and `arg0namespace`.
 *
 * Returns: (transfer none): @self, to chain calls
 *
 * Since: 1.0
 */
ZbusMatchRuleBuilder *
zbus_match_rule_builder_set_arg (ZbusMatchRuleBuilder *self,
                                 guint                 index,
                                 const char           *value)
{
  return set_arg (self, ARG_STRING, index, value);
}

/**
 * zbus_match_rule_builder_set_arg_path:
 * @self: a match rule builder
 * @index: the argument number, 0 to 63
 * @value: (nullable): the path to match the argument against, or %NULL to
 *   remove the key
 *
 * Sets the `argNpath` key for N = @index. A rule cannot have both `argN`
 * and `argNpath` for the same N, nor `arg0path` and `arg0namespace`.
 *
 * Returns: (transfer none): @self, to chain calls
 *
 * Since: 1.0
 */
ZbusMatchRuleBuilder *
zbus_match_rule_builder_set_arg_path (ZbusMatchRuleBuilder *self,
                                      guint                 index,
                                      const char           *value)
{
  return set_arg (self, ARG_PATH, index, value);
}

/**
 * zbus_match_rule_builder_set_arg0_namespace:
 * @self: a match rule builder
 * @name_namespace: (nullable): a bus name or interface name, or a prefix of
 *   one ending before a `.`, or %NULL to remove the key
 *
 * Sets the `arg0namespace` key.
 *
 * Returns: (transfer none): @self, to chain calls
 *
 * Since: 1.0
 */
ZbusMatchRuleBuilder *
zbus_match_rule_builder_set_arg0_namespace (ZbusMatchRuleBuilder *self,
                                            const char           *name_namespace)
{
  g_return_val_if_fail (ZBUS_IS_MATCH_RULE_BUILDER (self), NULL);

  g_free (self->spec.arg0_namespace);
  self->spec.arg0_namespace = g_strdup (name_namespace);
  return self;
}

/**
 * zbus_match_rule_builder_set_eavesdrop:
 * @self: a match rule builder
 * @eavesdrop: whether to ask the bus for messages addressed to other
 *   connections too
 *
 * Sets the `eavesdrop` key.
 *
 * Returns: (transfer none): @self, to chain calls
 *
 * Since: 1.0
 */
ZbusMatchRuleBuilder *
zbus_match_rule_builder_set_eavesdrop (ZbusMatchRuleBuilder *self,
                                       gboolean              eavesdrop)
{
  g_return_val_if_fail (ZBUS_IS_MATCH_RULE_BUILDER (self), NULL);

  self->spec.eavesdrop = !!eavesdrop;
  return self;
}

/**
 * zbus_match_rule_builder_build:
 * @self: a match rule builder
 * @error: return location for a #GError
 *
 * Makes the rule whose keys have been set. Every key is checked as
 * [ctor@Zbus.MatchRule.new_from_string] checks it; a bad name or path, a
 * type that is not a message type, an argument number past 63, non-UTF-8
 * text, or two keys that exclude each other (`path` and `path_namespace`;
 * `argN`, `argNpath` and `arg0namespace` for the same argument) are a
 * %G_DBUS_ERROR_MATCH_RULE_INVALID error naming the key.
 *
 * Returns: (transfer full): the new rule, or %NULL on error
 *
 * Since: 1.0
 */
ZbusMatchRule *
zbus_match_rule_builder_build (ZbusMatchRuleBuilder  *self,
                               GError               **error)
{
  g_return_val_if_fail (ZBUS_IS_MATCH_RULE_BUILDER (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return spec_build (&self->spec, error);
}
