/* test-address.c
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>

#include "zbus-address-private.h"

/* ---------------------------------------------------------------------- */
/* Helpers */

/* "transport{key=value,...};..." with unprintable bytes as \xNN, so
 * expectations fit in a table. */
static char *
describe (GPtrArray *entries)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < entries->len; i++)
    {
      ZbusAddressEntry *entry = g_ptr_array_index (entries, i);

      if (i > 0)
        g_string_append_c (out, ';');
      g_string_append_printf (out, "%s{", entry->transport);
      for (guint k = 0; k < entry->keys->len; k++)
        {
          const guchar *value = g_ptr_array_index (entry->values, k);

          if (k > 0)
            g_string_append_c (out, ',');
          g_string_append_printf (out, "%s=", (char *) g_ptr_array_index (entry->keys, k));
          for (; *value != '\0'; value++)
            {
              if (*value >= 0x20 && *value < 0x7f)
                g_string_append_c (out, *value);
              else
                g_string_append_printf (out, "\\x%02x", *value);
            }
        }
      g_string_append_c (out, '}');
    }

  return g_string_free (out, FALSE);
}

static char *
make_temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("zbus-test-address-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_temp_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

static char *
random_abstract_name (void)
{
  g_autofree char *guid = _zbus_generate_guid ();

  return g_strdup_printf ("zbus-test-address-%s", guid);
}

/* Sends a byte each way so we know the two sockets are the two ends of
 * one connection, not merely "connected". */
static void
assert_connected_pair (GSocket *a,
                       GSocket *b)
{
  g_autoptr(GError) error = NULL;
  char byte = 0;

  g_assert_cmpint (g_socket_send (a, "a", 1, NULL, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (g_socket_receive (b, &byte, 1, NULL, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (byte, ==, 'a');

  g_assert_cmpint (g_socket_send (b, "b", 1, NULL, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (g_socket_receive (a, &byte, 1, NULL, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (byte, ==, 'b');
}

static GSocket *
accept_one (GSocket *listening)
{
  g_autoptr(GError) error = NULL;
  GSocket *socket = g_socket_accept (listening, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (socket);
  return socket;
}

static GSocket *
accept_from_listener (GSocketListener *listener)
{
  g_autoptr(GError) error = NULL;
  GSocket *socket = g_socket_listener_accept_socket (listener, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (socket);
  return socket;
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GSocket *
connect_async_wait (const char  *address,
                    char       **out_guid,
                    GCancellable *cancellable,
                    GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  _zbus_address_connect_async (address, cancellable, store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return _zbus_address_connect_finish (result, out_guid, error);
}

/* ---------------------------------------------------------------------- */
/* Parsing */

static void
test_parse_valid (void)
{
  static const struct
  {
    const char *address;
    const char *expected;
  } cases[] = {
    { "unix:path=/tmp/dbus-test", "unix{path=/tmp/dbus-test}" },
    { "unix:path=/tmp/foo;debug:name=test,sliff=sloff;",
      "unix{path=/tmp/foo};debug{name=test,sliff=sloff}" },
    { "unix:", "unix{}" },
    { "x:", "x{}" },
    { "unix:abstract=/tmp/dbus-abc,guid=0123456789abcdef0123456789ABCDEF",
      "unix{abstract=/tmp/dbus-abc,guid=0123456789abcdef0123456789ABCDEF}" },
    { "tcp:host=%3a%3a1,port=1234", "tcp{host=::1,port=1234}" },
    { "unix:path=%2Ftmp%2fx", "unix{path=/tmp/x}" },
    { "unix:path=/run/bus-for-%3A0", "unix{path=/run/bus-for-:0}" },
    { "unix:path=caf%c3%a9", "unix{path=caf\\xc3\\xa9}" },
    { "unix:path=%ff%01", "unix{path=\\xff\\x01}" },
    { "unix:path=%25%2c%3b%3d", "unix{path=%,;=}" },
    { "a:b=\\*.-_/AZaz09", "a{b=\\*.-_/AZaz09}" },
    { "nonce-tcp:host=localhost,port=1,noncefile=%2ftmp%2fn",
      "nonce-tcp{host=localhost,port=1,noncefile=/tmp/n}" },
    { "unix:path=a;tcp:host=b,port=1;unixexec:path=/bin/x,argv0=x",
      "unix{path=a};tcp{host=b,port=1};unixexec{path=/bin/x,argv0=x}" },
    { "autolaunch:scope=*user", "autolaunch{scope=*user}" },
    /* Keys keep their order, which the printer relies on. */
    { "t:z=1,a=2,m=3", "t{z=1,a=2,m=3}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) entries = _zbus_address_parse (cases[i].address, &error);
      g_autofree char *described = NULL;

      g_test_message ("%s", cases[i].address);
      g_assert_no_error (error);
      g_assert_nonnull (entries);
      described = describe (entries);
      g_assert_cmpstr (described, ==, cases[i].expected);
    }
}

static void
test_parse_lookup (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = _zbus_address_parse ("tcp:host=a%2cb,port=42", &error);
  ZbusAddressEntry *entry;

  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 1);
  entry = g_ptr_array_index (entries, 0);
  g_assert_cmpstr (entry->transport, ==, "tcp");
  g_assert_cmpstr (_zbus_address_entry_lookup (entry, "host"), ==, "a,b");
  g_assert_cmpstr (_zbus_address_entry_lookup (entry, "port"), ==, "42");
  g_assert_null (_zbus_address_entry_lookup (entry, "family"));
  g_assert_null (_zbus_address_entry_lookup (entry, "Host"));
}

static void
test_parse_invalid (void)
{
  static const struct
  {
    const char *address;
    const char *message_part;
  } cases[] = {
    { "", "Invalid D-Bus address \"\": the address is empty" },
    { "unix:path", "Invalid D-Bus address \"unix:path\": key \"path\" has no value (entry 1)" },
    { "unix", "no \":\" after the transport name (entry 1)" },
    { ":path=a", "the transport name is empty (entry 1)" },
    { ";", "the entry is empty (entry 1)" },
    { "unix:path=a;;", "the entry is empty (entry 2)" },
    { "unix:path=a;;unix:path=b", "the entry is empty (entry 2)" },
    { "unix:path=a,path=b", "key \"path\" appears twice (entry 1)" },
    { "unix:path=", "key \"path\" has an empty value" },
    { "unix:=a", "a key is empty" },
    { "unix:path=a,", "empty key=value pair" },
    { "unix:path=a,,abstract=b", "empty key=value pair" },
    { "unix:path=%zz", "the value of key \"path\" has a bad escape \"%zz\"" },
    { "unix:path=%4", "bad escape \"%4\"" },
    { "unix:path=abc%", "bad escape \"%\"" },
    { "unix:path=%4g", "bad escape \"%4g\"" },
    { "unix:path=a%00b", "escaped NUL byte" },
    { "unix:path=a b", "contains \" \", which must be escaped as %20" },
    { "unix:path=a=b", "contains \"=\", which must be escaped as %3d" },
    { "unix:path=x:y", "contains \":\"" },
    { "unix:path=~", "contains \"~\"" },
    { "unix:path=caf\xc3\xa9", "contains \"\\xc3\", which must be escaped as %c3" },
    { "unix:path=\x01", "\"\\x01\"" },
    { "un ix:path=a", "transport name \"un ix\" contains a byte" },
    { "unix:pa%74h=a", "key \"pa%74h\" contains a byte" },
    { "tcp:host=a,port=1;unix:path", "key \"path\" has no value (entry 2)" },
    { "tcp:host=a;b", "no \":\" after the transport name (entry 2)" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) entries = _zbus_address_parse (cases[i].address, &error);

      g_test_message ("%s -> %s", cases[i].address, error != NULL ? error->message : "(parsed)");
      g_assert_null (entries);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, cases[i].message_part));
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
    }
}

static void
test_check (void)
{
  g_autofree char *long_path = g_strnfill (120, 'x');
  g_autofree char *long_address = g_strconcat ("unix:path=/", long_path, NULL);
  const struct
  {
    const char *address;
    gboolean listening;
    int code; /* -1: valid */
    const char *message_part;
  } cases[] = {
    { "unix:path=/tmp/x", FALSE, -1, NULL },
    { "unix:abstract=x,guid=0123456789abcdef0123456789abcdef", FALSE, -1, NULL },
    { "unix:tmpdir=/tmp", TRUE, -1, NULL },
    { "unix:tmpdir=/tmp", FALSE, G_IO_ERROR_INVALID_ARGUMENT,
      "D-Bus address entry \"unix:tmpdir=/tmp\": key \"tmpdir\" is only meaningful in an "
      "address to listen on" },
    { "unix:dir=/tmp", FALSE, G_IO_ERROR_INVALID_ARGUMENT, "key \"dir\" is only meaningful" },
    { "unix:runtime=yes", TRUE, -1, NULL },
    { "unix:runtime=yes", FALSE, G_IO_ERROR_INVALID_ARGUMENT, "only meaningful" },
    { "unix:runtime=no", TRUE, G_IO_ERROR_INVALID_ARGUMENT, "must be \"yes\"" },
    { "unix:path=/a,abstract=b", FALSE, G_IO_ERROR_INVALID_ARGUMENT, "exactly one of" },
    { "unix:", FALSE, G_IO_ERROR_INVALID_ARGUMENT, "exactly one of" },
    { "unix:guid=0123456789abcdef0123456789abcdef", TRUE, G_IO_ERROR_INVALID_ARGUMENT,
      "exactly one of" },
    { "unix:path=/a,foo=b", FALSE, G_IO_ERROR_INVALID_ARGUMENT,
      "key \"foo\" is not supported by the unix transport" },
    { "unix:path=/a,guid=xyz", FALSE, G_IO_ERROR_INVALID_ARGUMENT, "guid must be 32 hex digits" },
    { long_address, FALSE, G_IO_ERROR_INVALID_ARGUMENT, "longer than a unix socket address" },
    { "tcp:host=localhost,port=1234", FALSE, -1, NULL },
    { "tcp:port=1234", FALSE, -1, NULL },
    { "tcp:host=localhost", FALSE, G_IO_ERROR_INVALID_ARGUMENT, "needs a port other than 0" },
    { "tcp:host=localhost", TRUE, -1, NULL },
    { "tcp:host=localhost,port=0", FALSE, G_IO_ERROR_INVALID_ARGUMENT, "other than 0" },
    { "tcp:host=localhost,port=0", TRUE, -1, NULL },
    { "tcp:host=a,port=65536", FALSE, G_IO_ERROR_INVALID_ARGUMENT, "from 0 to 65535" },
    { "tcp:host=a,port=%2d1", FALSE, G_IO_ERROR_INVALID_ARGUMENT, "from 0 to 65535" },
    { "tcp:host=a,port=%2b1", FALSE, G_IO_ERROR_INVALID_ARGUMENT, "from 0 to 65535" },
    { "tcp:host=a,port=12a", FALSE, G_IO_ERROR_INVALID_ARGUMENT, "from 0 to 65535" },
    { "tcp:host=a,port=1,family=ipv5", FALSE, G_IO_ERROR_INVALID_ARGUMENT,
      "family must be \"ipv4\" or \"ipv6\"" },
    { "tcp:host=a,port=1,bind=*,family=ipv6", TRUE, -1, NULL },
    { "tcp:host=a,port=1,noncefile=x", FALSE, G_IO_ERROR_INVALID_ARGUMENT,
      "key \"noncefile\" is not supported by the tcp transport" },
    { "nonce-tcp:host=a,port=1,noncefile=/x", FALSE, G_IO_ERROR_NOT_SUPPORTED,
      "nonce-tcp transport is not supported" },
    { "autolaunch:", FALSE, G_IO_ERROR_NOT_SUPPORTED, "autolaunch transport" },
    { "launchd:env=DBUS_LAUNCHD_SESSION_BUS_SOCKET", FALSE, G_IO_ERROR_NOT_SUPPORTED,
      "launchd transport" },
    { "disabled:", FALSE, G_IO_ERROR_NOT_SUPPORTED, "unknown transport \"disabled\"" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) entries = _zbus_address_parse (cases[i].address, &error);
      gboolean ok;

      g_assert_no_error (error);
      ok = _zbus_address_entry_check (g_ptr_array_index (entries, 0), cases[i].listening, &error);
      g_test_message ("%s (%s) -> %s", cases[i].address,
                      cases[i].listening ? "listen" : "connect",
                      error != NULL ? error->message : "ok");
      if (cases[i].code < 0)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
        }
      else
        {
          g_assert_false (ok);
          g_assert_error (error, G_IO_ERROR, cases[i].code);
          g_assert_nonnull (strstr (error->message, cases[i].message_part));
        }
    }
}

/* ---------------------------------------------------------------------- */
/* Escaping */

static void
assert_value_round_trips (const char *value)
{
  g_autofree char *escaped = _zbus_address_escape_value (value);
  g_autofree char *address = g_strconcat ("t:k=", escaped, NULL);
  g_autofree char *gio_escaped = g_dbus_address_escape_value (value);
  g_autofree char *gio_address = g_strconcat ("t:k=", gio_escaped, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) gio_entries = NULL;

  /* What we write, GIO reads, and the other way round. */
  g_assert_true (g_dbus_is_address (address));

  entries = _zbus_address_parse (address, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (_zbus_address_entry_lookup (g_ptr_array_index (entries, 0), "k"), ==, value);

  gio_entries = _zbus_address_parse (gio_address, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (_zbus_address_entry_lookup (g_ptr_array_index (gio_entries, 0), "k"), ==,
                   value);
}

static void
test_escape (void)
{
  static const struct
  {
    const char *value;
    const char *escaped;
  } cases[] = {
    { "", "" },
    { "abcde", "abcde" },
    { "/run/bus-for-:0", "/run/bus-for-%3a0" },
    { "a b", "a%20b" },
    { "%", "%25" },
    { "$", "%24" },
    { "\\*.-_/AZaz09", "\\*.-_/AZaz09" },
    { "\xc3\xb6", "%c3%b6" },
    { ",;=:", "%2c%3b%3d%3a" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *escaped = _zbus_address_escape_value (cases[i].value);

      g_assert_cmpstr (escaped, ==, cases[i].escaped);
      if (*cases[i].value != '\0')
        assert_value_round_trips (cases[i].value);
    }

  /* Every non-NUL byte, in random strings. */
  for (guint i = 0; i < 2000; i++)
    {
      char value[41];
      guint len = g_test_rand_int_range (1, sizeof value);

      for (guint k = 0; k < len; k++)
        value[k] = (char) g_test_rand_int_range (1, 256);
      value[len] = '\0';
      assert_value_round_trips (value);
    }
}

/* Printing a parsed address and parsing it again gives the same entries. */
static void
test_print_round_trip (void)
{
  static const char *const addresses[] = {
    "unix:path=/tmp/a%20b,guid=0123456789abcdef0123456789abcdef",
    "tcp:host=%3a%3a1,port=1;x:",
    "unix:abstract=%00%01;a:b=c",
    "t:z=%2a,y=*",
  };

  for (guint i = 0; i < G_N_ELEMENTS (addresses); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) entries = _zbus_address_parse (addresses[i], &error);
      g_autoptr(GPtrArray) again = NULL;
      g_autoptr(GString) printed = g_string_new (NULL);
      g_autofree char *first = NULL;
      g_autofree char *second = NULL;

      if (entries == NULL)
        {
          /* %00 is refused: values are C strings. */
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
          continue;
        }

      for (guint k = 0; k < entries->len; k++)
        {
          g_autofree char *entry = _zbus_address_entry_to_string (g_ptr_array_index (entries, k));

          if (k > 0)
            g_string_append_c (printed, ';');
          g_string_append (printed, entry);
        }

      again = _zbus_address_parse (printed->str, &error);
      g_assert_no_error (error);
      first = describe (entries);
      second = describe (again);
      g_assert_cmpstr (first, ==, second);
    }
}

/* ---------------------------------------------------------------------- */
/* Differential testing against GIO */

/* Where we deliberately differ from g_dbus_is_address(). GIO's parser is
 * lenient: it splits at ";", ",", "=" and URI-unescapes keys and values,
 * nothing more. We follow the specification and libdbus:
 *
 *  TRAILING_SEMICOLON  "a:b=c;" is accepted (libdbus does); GIO rejects
 *                      the empty last entry.
 *  TRANSPORT_CHARS     transport names are limited to the optionally-
 *                      escaped bytes; GIO takes any bytes but ":" and ";".
 *  KEY_CHARS           keys likewise, and are never unescaped; GIO
 *                      unescapes them ("%70ath" is "path" to GIO).
 *  DUPLICATE_KEY       refused; GIO lets the last one win.
 *  EMPTY_VALUE         "key=" is refused (as by libdbus); GIO accepts.
 *  UNESCAPED_BYTE      a byte outside [-0-9A-Za-z_/.\*] must be escaped
 *                      (the specification's rule, enforced by libdbus);
 *                      GIO accepts "path=/a b".
 *
 * Everything else must agree. The classifier below finds the deliberate
 * differences with string splitting, independently of our byte scanner.
 */
typedef enum
{
  DIFF_NONE,
  DIFF_TRANSPORT_CHARS,
  DIFF_KEY_CHARS,
  DIFF_DUPLICATE_KEY,
  DIFF_EMPTY_VALUE,
  DIFF_UNESCAPED_BYTE,
  N_DIFFS,
} Difference;

static const char *const difference_names[] = {
  "none", "transport chars", "key chars", "duplicate key", "empty value", "unescaped byte",
};

static gboolean
is_plain_byte (guchar c)
{
  return g_ascii_isalnum (c) || strchr ("-_/\\*.", c) != NULL;
}

static gboolean
all_plain (const char *s)
{
  for (; *s != '\0'; s++)
    {
      if (!is_plain_byte (*s))
        return FALSE;
    }
  return TRUE;
}

/* The first deliberate difference in an entry GIO can split; DIFF_NONE
 * when the entry has none (whether or not it is valid). */
static Difference
classify_entry (const char *entry)
{
  const char *colon = strchr (entry, ':');
  g_autofree char *transport = NULL;
  g_auto(GStrv) pairs = NULL;
  g_autoptr(GHashTable) seen = NULL;

  if (colon == NULL || colon == entry)
    return DIFF_NONE;

  transport = g_strndup (entry, colon - entry);
  if (!all_plain (transport))
    return DIFF_TRANSPORT_CHARS;
  if (colon[1] == '\0')
    return DIFF_NONE;

  seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  pairs = g_strsplit (colon + 1, ",", -1);
  for (guint i = 0; pairs[i] != NULL; i++)
    {
      const char *eq = strchr (pairs[i], '=');
      g_autofree char *key = NULL;

      if (eq == NULL || eq == pairs[i])
        return DIFF_NONE;

      key = g_strndup (pairs[i], eq - pairs[i]);
      if (!all_plain (key))
        return DIFF_KEY_CHARS;
      if (g_hash_table_contains (seen, key))
        return DIFF_DUPLICATE_KEY;
      g_hash_table_add (seen, g_steal_pointer (&key));
      if (eq[1] == '\0')
        return DIFF_EMPTY_VALUE;
      for (const char *p = eq + 1; *p != '\0'; p++)
        {
          if (*p != '%' && !is_plain_byte (*p))
            return DIFF_UNESCAPED_BYTE;
        }
    }

  return DIFF_NONE;
}

/* One of @good, or now and then one of @bad. */
static const char *
pick (const char *const *good,
      guint              n_good,
      const char *const *bad,
      guint              n_bad)
{
  if (g_test_rand_int_range (0, 6) == 0)
    return bad[g_test_rand_int_range (0, n_bad)];
  return good[g_test_rand_int_range (0, n_good)];
}

#define PICK(good, bad) pick (good, G_N_ELEMENTS (good), bad, G_N_ELEMENTS (bad))

/* A random mix of valid and invalid parts. */
static char *
random_address (void)
{
  static const char *const transports[] = { "unix", "tcp", "x", "nonce-tcp", "autolaunch" };
  static const char *const bad_transports[] = {
    "", "un ix", "a%41", "a=b", "a,b", "\xc3\xa9",
  };
  static const char *const keys[] = { "path", "abstract", "host", "port", "guid", "k", "\\*" };
  static const char *const bad_keys[] = { "", "p a", "%70ath", "\x01", "k~" };
  static const char *const values[] = {
    "/tmp/x", "a%20b", "caf%c3%a9", "1234", "%2c", "%3B", "\\*.-_", "%ff",
    "0123456789abcdef0123456789abcdef",
  };
  static const char *const bad_values[] = {
    "", "%", "%4", "%zz", "%00", "a b", "a=b", "x:y", "caf\xc3\xa9", "~", "%%",
  };
  GString *out = g_string_new (NULL);
  guint n_entries = g_test_rand_int_range (1, 4);

  for (guint e = 0; e < n_entries; e++)
    {
      guint n_pairs = g_test_rand_int_range (0, 4);

      if (e > 0)
        g_string_append_c (out, ';');
      g_string_append (out, PICK (transports, bad_transports));
      if (g_test_rand_int_range (0, 30) != 0)
        g_string_append_c (out, ':');

      for (guint p = 0; p < n_pairs; p++)
        {
          if (p > 0)
            g_string_append_c (out, ',');
          g_string_append (out, PICK (keys, bad_keys));
          if (g_test_rand_int_range (0, 30) != 0)
            g_string_append_c (out, '=');
          g_string_append (out, PICK (values, bad_values));
        }

      if (g_test_rand_int_range (0, 30) == 0)
        g_string_append_c (out, ',');
    }

  if (g_test_rand_int_range (0, 10) == 0)
    g_string_append_c (out, ';');

  return g_string_free (out, FALSE);
}

static void
test_differential_gio (void)
{
  guint counts[N_DIFFS] = { 0, };
  guint gio_accepts[N_DIFFS] = { 0, };
  guint n_valid = 0, n_trailing = 0;

  for (guint i = 0; i < 30000; i++)
    {
      g_autofree char *address = random_address ();
      g_autofree char *trimmed = g_strdup (address);
      g_autoptr(GPtrArray) entries = NULL;
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) parts = NULL;
      Difference diff = DIFF_NONE;
      gboolean trailing = FALSE;
      gsize len = strlen (trimmed);
      gboolean gio_ok, ours;

      /* Our one extension: a trailing ";" after a non-empty list. */
      if (len > 1 && trimmed[len - 1] == ';' && trimmed[len - 2] != ';')
        {
          trimmed[len - 1] = '\0';
          trailing = TRUE;
        }

      parts = g_strsplit (trimmed, ";", -1);
      for (guint k = 0; parts[k] != NULL && diff == DIFF_NONE; k++)
        diff = classify_entry (parts[k]);

      gio_ok = g_dbus_is_address (address);
      entries = _zbus_address_parse (address, &error);
      ours = entries != NULL;
      g_assert_true (ours == (error == NULL));

      counts[diff]++;
      if (diff == DIFF_NONE)
        {
          if (trailing)
            {
              /* GIO rejects the empty last entry; we judge the rest as GIO does. */
              g_assert_false (gio_ok);
              if (ours != g_dbus_is_address (trimmed))
                g_error ("%s: ours %d, GIO without the trailing ';' %d",
                         address, ours, !ours);
              n_trailing += ours;
            }
          else if (ours != gio_ok)
            {
              g_error ("%s: ours %d (%s), GIO %d", address, ours,
                       error != NULL ? error->message : "", gio_ok);
            }
        }
      else
        {
          /* A deliberate difference: we refuse, whatever GIO says. */
          if (ours)
            g_error ("%s: accepted despite %s", address, difference_names[diff]);
          gio_accepts[diff] += g_dbus_is_address (trimmed);
        }

      n_valid += ours;
    }

  g_test_message ("%u addresses valid, %u of them with a trailing ';' GIO refuses",
                  n_valid, n_trailing);
  g_test_message ("%5u without a deliberate difference: same verdict as GIO", counts[0]);
  for (guint d = 1; d < N_DIFFS; d++)
    g_test_message ("%5u refused for %s (GIO accepted %u of them)",
                    counts[d], difference_names[d], gio_accepts[d]);

  /* The generator must reach every case, or the test proves little. */
  g_assert_cmpuint (n_valid, >, 500);
  g_assert_cmpuint (n_trailing, >, 20);
  for (guint d = 1; d < N_DIFFS; d++)
    g_assert_cmpuint (gio_accepts[d], >, 0);
}

/* Values GIO unescapes are the values we unescape, where GIO lets us
 * observe them: the socket path it connects to and the guid it reports. */
static void
test_differential_values (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "s p:a%c,e=;*\xc3\xa9~", NULL);
  g_autofree char *escaped = _zbus_address_escape_value (path);
  g_autofree char *gio_escaped = g_dbus_address_escape_value (path);
  g_autofree char *guid = _zbus_generate_guid ();
  g_autofree char *upper_guid = g_ascii_strup (guid, -1);
  g_autofree char *address = g_strdup_printf ("unix:path=%s,guid=%s", escaped, upper_guid);
  g_autofree char *gio_address = g_strdup_printf ("unix:path=%s", gio_escaped);
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GSocketAddress) socket_address = g_unix_socket_address_new (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GSocket) accepted = NULL;
  g_autoptr(GSocket) ours = NULL;
  g_autoptr(GSocket) accepted2 = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *gio_guid = NULL;
  g_autofree char *our_guid = NULL;

  g_socket_listener_add_address (listener, socket_address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_DEFAULT, NULL, NULL, &error);
  g_assert_no_error (error);

  entries = _zbus_address_parse (address, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (_zbus_address_entry_lookup (g_ptr_array_index (entries, 0), "path"), ==, path);

  /* GIO connects to the path our escaping names... */
  g_assert_true (g_dbus_is_supported_address (address, NULL));
  stream = g_dbus_address_get_stream_sync (address, &gio_guid, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gio_guid, ==, upper_guid);
  accepted = accept_from_listener (listener);

  /* ...and we connect to the path GIO's escaping names. */
  ours = _zbus_address_connect_sync (gio_address, &our_guid, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (our_guid);
  accepted2 = accept_from_listener (listener);
  assert_connected_pair (ours, accepted2);

  g_socket_listener_close (listener);
  remove_temp_dir (dir);
}

/* ---------------------------------------------------------------------- */
/* The well-known buses (in subprocesses: they change the environment) */

static void
test_session_env (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *address = NULL;

      g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/some/where", TRUE);
      g_setenv ("XDG_RUNTIME_DIR", "/nonexistent", TRUE);
      address = _zbus_address_get_session_bus (&error);
      g_assert_no_error (error);
      g_assert_cmpstr (address, ==, "unix:path=/some/where");
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_session_runtime_dir (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *dir = make_temp_dir ();
      g_autofree char *bus = g_build_filename (dir, "bus", NULL);
      g_autofree char *expected = NULL;
      g_autofree char *address = NULL;
      g_autofree char *listen_address = g_strconcat ("unix:path=", bus, NULL);
      g_autofree char *client_address = NULL;
      g_autoptr(GSocket) listening = NULL;
      g_autoptr(GError) error = NULL;

      /* Not a socket: no bus. */
      g_assert_true (g_file_set_contents (bus, "", 0, NULL));
      g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");
      g_setenv ("XDG_RUNTIME_DIR", dir, TRUE);
      address = _zbus_address_get_session_bus (&error);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
      g_assert_null (address);
      g_clear_error (&error);
      g_unlink (bus);

      listening = _zbus_address_listen (listen_address, &client_address, &error);
      g_assert_no_error (error);

      /* An empty variable counts as unset. */
      g_setenv ("DBUS_SESSION_BUS_ADDRESS", "", TRUE);
      address = _zbus_address_get_session_bus (&error);
      g_assert_no_error (error);
      expected = g_strconcat ("unix:path=", bus, NULL);
      g_assert_cmpstr (address, ==, expected);
      g_assert_cmpstr (address, ==, client_address);

      _zbus_address_remove_listen_socket (client_address);
      remove_temp_dir (dir);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_session_none (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *address = NULL;

      g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");
      g_unsetenv ("XDG_RUNTIME_DIR");
      address = _zbus_address_get_session_bus (&error);
      g_assert_null (address);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
      g_assert_nonnull (strstr (error->message, "No D-Bus session bus is available"));
      g_assert_nonnull (strstr (error->message, "DBUS_SESSION_BUS_ADDRESS is not set"));
      g_assert_nonnull (strstr (error->message, "dbus-run-session"));
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_system (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *address = NULL;
      g_autofree char *address2 = NULL;

      g_unsetenv ("DBUS_SYSTEM_BUS_ADDRESS");
      address = _zbus_address_get_system_bus ();
      g_assert_cmpstr (address, ==, "unix:path=/var/run/dbus/system_bus_socket");

      g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", "tcp:host=a,port=1", TRUE);
      address2 = _zbus_address_get_system_bus ();
      g_assert_cmpstr (address2, ==, "tcp:host=a,port=1");
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* ---------------------------------------------------------------------- */
/* Connecting */

/* Connects to @address with the sync and the async API and checks each
 * lands on @listener. */
static void
assert_connects (const char      *address,
                 GSocketListener *listener,
                 const char      *expected_guid)
{
  for (guint async = 0; async < 2; async++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocket) socket = NULL;
      g_autoptr(GSocket) accepted = NULL;
      g_autofree char *guid = NULL;

      g_test_message ("%s connect to %s", async ? "async" : "sync", address);
      if (async)
        socket = connect_async_wait (address, &guid, NULL, &error);
      else
        socket = _zbus_address_connect_sync (address, &guid, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (socket);
      g_assert_true (g_socket_get_blocking (socket));
      g_assert_cmpstr (guid, ==, expected_guid);

      accepted = accept_from_listener (listener);
      assert_connected_pair (socket, accepted);
    }
}

static void
test_connect_unix_path (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "socket", NULL);
  g_autofree char *escaped = _zbus_address_escape_value (path);
  g_autofree char *address = g_strdup_printf ("unix:path=%s", escaped);
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GSocketAddress) socket_address = g_unix_socket_address_new (path);
  g_autoptr(GError) error = NULL;

  g_socket_listener_add_address (listener, socket_address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_DEFAULT, NULL, NULL, &error);
  g_assert_no_error (error);

  assert_connects (address, listener, NULL);

  g_socket_listener_close (listener);
  remove_temp_dir (dir);
}

static void
test_connect_unix_abstract (void)
{
  g_autofree char *name = random_abstract_name ();
  g_autofree char *guid = _zbus_generate_guid ();
  g_autofree char *address = g_strdup_printf ("unix:abstract=%s,guid=%s", name, guid);
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GError) error = NULL;

  socket_address = g_unix_socket_address_new_with_type (name, -1, G_UNIX_SOCKET_ADDRESS_ABSTRACT);
  g_socket_listener_add_address (listener, socket_address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_DEFAULT, NULL, NULL, &error);
  g_assert_no_error (error);

  assert_connects (address, listener, guid);

  g_socket_listener_close (listener);
}

static void
test_connect_tcp (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) socket_address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *numeric = NULL;
  g_autofree char *by_name = NULL;
  guint port;

  g_socket_listener_add_address (listener, socket_address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));

  numeric = g_strdup_printf ("tcp:host=127.0.0.1,port=%u", port);
  assert_connects (numeric, listener, NULL);

  /* localhost may resolve to ::1 first; family=ipv4 skips it. */
  by_name = g_strdup_printf ("tcp:host=localhost,port=%u,family=ipv4", port);
  assert_connects (by_name, listener, NULL);

  g_socket_listener_close (listener);
}

static gboolean
set_flag_cb (gpointer user_data)
{
  gboolean *flag = user_data;

  *flag = TRUE;
  return G_SOURCE_REMOVE;
}

/* When a unix socket's listen backlog is full, a non-blocking connect()
 * fails with EAGAIN instead of waiting: the async connect must keep
 * trying until the server accepts, as the sync one (blocking) waits. */
static void
test_connect_backlog_full (void)
{
  g_autofree char *name = random_abstract_name ();
  g_autofree char *address = g_strdup_printf ("unix:abstract=%s", name);
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GSocket) listening = NULL;
  g_autoptr(GPtrArray) fillers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocket) accepted = NULL;
  g_autoptr(GError) error = NULL;
  gboolean waited = FALSE;

  socket_address = g_unix_socket_address_new_with_type (name, -1, G_UNIX_SOCKET_ADDRESS_ABSTRACT);
  listening = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
                            &error);
  g_assert_no_error (error);
  g_socket_set_listen_backlog (listening, 0);
  g_assert_true (g_socket_bind (listening, socket_address, FALSE, &error));
  g_assert_true (g_socket_listen (listening, &error));

  /* Fill the backlog. */
  while (fillers->len < 16)
    {
      g_autoptr(GSocket) filler = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_DEFAULT, &error);

      g_assert_no_error (error);
      g_socket_set_blocking (filler, FALSE);
      if (!g_socket_connect (filler, socket_address, NULL, &error))
        {
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
          g_clear_error (&error);
          break;
        }
      g_ptr_array_add (fillers, g_steal_pointer (&filler));
    }
  g_assert_cmpuint (fillers->len, <, 16);

  _zbus_address_connect_async (address, NULL, store_result_cb, &result);
  g_timeout_add (100, set_flag_cb, &waited);
  while (!waited)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (result);

  /* Room in the backlog: the retry gets through. */
  for (guint i = 0; i < fillers->len; i++)
    g_object_unref (accept_one (listening));
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  socket = _zbus_address_connect_finish (result, NULL, &error);
  g_assert_no_error (error);
  accepted = accept_one (listening);
  assert_connected_pair (socket, accepted);
}

/* The first entries fail (a missing socket, a transport we do not
 * support, an entry only good for listening); the last one works. */
static void
test_connect_fallback (void)
{
  g_autofree char *name = random_abstract_name ();
  g_autofree char *guid = _zbus_generate_guid ();
  g_autofree char *address = NULL;
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GError) error = NULL;

  socket_address = g_unix_socket_address_new_with_type (name, -1, G_UNIX_SOCKET_ADDRESS_ABSTRACT);
  g_socket_listener_add_address (listener, socket_address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_DEFAULT, NULL, NULL, &error);
  g_assert_no_error (error);

  address = g_strdup_printf ("unix:path=/nonexistent/zbus-test,guid=%s;autolaunch:;"
                             "unix:tmpdir=/tmp;unix:abstract=%s,guid=%s",
                             "ffffffffffffffffffffffffffffffff", name, guid);
  assert_connects (address, listener, guid);

  g_socket_listener_close (listener);
}

static void
test_connect_errors (void)
{
  for (guint async = 0; async < 2; async++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocket) socket = NULL;
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();

      /* Every entry fails: the first failure's code, every entry named. */
      if (async)
        socket = connect_async_wait ("unix:path=/nonexistent/a;nonce-tcp:host=x,port=1;x:",
                                     NULL, NULL, &error);
      else
        socket = _zbus_address_connect_sync ("unix:path=/nonexistent/a;nonce-tcp:host=x,port=1;x:",
                                             NULL, NULL, &error);
      g_test_message ("%s", error->message);
      g_assert_null (socket);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
      g_assert_nonnull (strstr (error->message, "Could not connect to any entry of D-Bus address"));
      g_assert_nonnull (strstr (error->message, "\"unix:path=/nonexistent/a\""));
      g_assert_nonnull (strstr (error->message, "nonce-tcp transport is not supported"));
      g_assert_nonnull (strstr (error->message, "unknown transport \"x\""));
      g_clear_error (&error);

      /* One entry: its own error. */
      if (async)
        socket = connect_async_wait ("autolaunch:", NULL, NULL, &error);
      else
        socket = _zbus_address_connect_sync ("autolaunch:", NULL, NULL, &error);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
      g_assert_nonnull (strstr (error->message, "D-Bus address entry \"autolaunch:\""));
      g_clear_error (&error);

      /* A bad address: the parse error. */
      if (async)
        socket = connect_async_wait ("unix:path", NULL, NULL, &error);
      else
        socket = _zbus_address_connect_sync ("unix:path", NULL, NULL, &error);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_cmpstr (error->message, ==,
                       "Invalid D-Bus address \"unix:path\": key \"path\" has no value (entry 1)");
      g_clear_error (&error);

      /* Nothing is tried once cancelled. */
      g_cancellable_cancel (cancellable);
      if (async)
        socket = connect_async_wait ("unix:path=/nonexistent/a;unix:path=/nonexistent/b", NULL,
                                     cancellable, &error);
      else
        socket = _zbus_address_connect_sync ("unix:path=/nonexistent/a;unix:path=/nonexistent/b",
                                             NULL, cancellable, &error);
      g_assert_null (socket);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    }
}

/* ---------------------------------------------------------------------- */
/* Listening */

/* Listens on @address, checks the client address starts with
 * @expected_prefix, then connects to it with our code and with GIO's. */
static char *
assert_listen_and_connect (const char *address,
                           const char *expected_prefix)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) listening = NULL;
  g_autoptr(GSocket) ours = NULL;
  g_autoptr(GSocket) accepted = NULL;
  g_autoptr(GSocket) accepted2 = NULL;
  g_autoptr(GIOStream) gio_stream = NULL;
  char *client_address = NULL;

  listening = _zbus_address_listen (address, &client_address, &error);
  g_assert_no_error (error);
  g_assert_nonnull (listening);
  g_test_message ("listen on %s -> %s", address, client_address);
  g_assert_true (g_str_has_prefix (client_address, expected_prefix));
  g_assert_true (g_dbus_is_supported_address (client_address, NULL));

  ours = _zbus_address_connect_sync (client_address, NULL, NULL, &error);
  g_assert_no_error (error);
  accepted = accept_one (listening);
  assert_connected_pair (ours, accepted);

  gio_stream = g_dbus_address_get_stream_sync (client_address, NULL, NULL, &error);
  g_assert_no_error (error);
  accepted2 = accept_one (listening);

  return client_address;
}

static void
assert_socket_file (const char *client_address,
                    gboolean    exists)
{
  g_autoptr(GPtrArray) entries = _zbus_address_parse (client_address, NULL);
  const char *path = _zbus_address_entry_lookup (g_ptr_array_index (entries, 0), "path");
  struct stat st;

  g_assert_nonnull (path);
  if (exists)
    {
      g_assert_cmpint (lstat (path, &st), ==, 0);
      g_assert_true (S_ISSOCK (st.st_mode));
    }
  else
    {
      g_assert_cmpint (lstat (path, &st), ==, -1);
    }
}

static void
test_listen_unix (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *escaped_dir = _zbus_address_escape_value (dir);
  g_autofree char *path_prefix = g_strdup_printf ("unix:path=%s/", escaped_dir);
  static const char *const keys[] = { "tmpdir", "dir" };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *address = g_strdup_printf ("unix:%s=%s", keys[i], escaped_dir);
      g_autofree char *client = assert_listen_and_connect (address, path_prefix);
      g_autofree char *second = NULL;

      /* tmpdir= is a file in the directory, not an abstract socket. */
      assert_socket_file (client, TRUE);

      /* Each listen makes a new name. */
      second = assert_listen_and_connect (address, path_prefix);
      g_assert_cmpstr (client, !=, second);

      _zbus_address_remove_listen_socket (client);
      _zbus_address_remove_listen_socket (second);
      assert_socket_file (client, FALSE);
      assert_socket_file (second, FALSE);
    }

  {
    g_autofree char *path = g_build_filename (dir, "a b", NULL);
    g_autofree char *escaped = _zbus_address_escape_value (path);
    g_autofree char *address = g_strdup_printf ("unix:path=%s", escaped);
    g_autofree char *client = assert_listen_and_connect (address, address);
    g_autoptr(GSocket) again = NULL;
    g_autofree char *unused = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_cmpstr (client, ==, address);

    /* The path is taken now. */
    again = _zbus_address_listen (address, &unused, &error);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
    g_assert_nonnull (strstr (error->message, "D-Bus address entry"));
    g_assert_nonnull (strstr (error->message, escaped));
    g_assert_null (unused);

    _zbus_address_remove_listen_socket (client);
    assert_socket_file (client, FALSE);
  }

  {
    /* A regular file is never removed. */
    g_autofree char *path = g_build_filename (dir, "file", NULL);
    g_autofree char *address = g_strdup_printf ("unix:path=%s", path);

    g_assert_true (g_file_set_contents (path, "x", 1, NULL));
    _zbus_address_remove_listen_socket (address);
    g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  }

  remove_temp_dir (dir);
}

static void
test_listen_abstract (void)
{
  g_autofree char *name = random_abstract_name ();
  g_autofree char *address = g_strdup_printf ("unix:abstract=%s", name);
  g_autofree char *client = assert_listen_and_connect (address, address);

  g_assert_cmpstr (client, ==, address);
}

static void
test_listen_runtime (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *dir = make_temp_dir ();
      g_autofree char *expected = g_strdup_printf ("unix:path=%s/bus", dir);
      g_autofree char *client = NULL;
      g_autofree char *session = NULL;

      g_setenv ("XDG_RUNTIME_DIR", dir, TRUE);
      g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");
      client = assert_listen_and_connect ("unix:runtime=yes", expected);
      g_assert_cmpstr (client, ==, expected);

      session = _zbus_address_get_session_bus (NULL);
      g_assert_cmpstr (session, ==, client);

      _zbus_address_remove_listen_socket (client);
      remove_temp_dir (dir);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_listen_tcp (void)
{
  static const struct
  {
    const char *address;
    const char *prefix;
  } cases[] = {
    { "tcp:host=127.0.0.1", "tcp:host=127.0.0.1,port=" },
    { "tcp:host=127.0.0.1,port=0", "tcp:host=127.0.0.1,port=" },
    /* A name becomes the number we bound. */
    { "tcp:host=localhost,family=ipv4", "tcp:host=127.0.0.1,port=" },
    { "tcp:bind=127.0.0.1,family=ipv4", "tcp:host=127.0.0.1,port=" },
    /* With a separate bind=, host= is the name to publish. */
    { "tcp:host=localhost,bind=*,family=ipv4", "tcp:host=localhost,port=" },
    { "tcp:bind=*,family=ipv4", "tcp:host=127.0.0.1,port=" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *client = assert_listen_and_connect (cases[i].address, cases[i].prefix);
      g_autoptr(GPtrArray) entries = _zbus_address_parse (client, NULL);
      const char *port = _zbus_address_entry_lookup (g_ptr_array_index (entries, 0), "port");

      g_assert_cmpstr (port, !=, "0");
    }
}

static void
test_listen_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autofree char *client = NULL;

  socket = _zbus_address_listen ("unix:path=/nonexistent/zbus/x", &client, &error);
  g_assert_null (socket);
  g_assert_null (client);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "D-Bus address entry \"unix:path=/nonexistent/zbus/x\""));
  g_clear_error (&error);

  socket = _zbus_address_listen ("nonce-tcp:host=localhost;unix:path=/nonexistent/zbus/x",
                                 &client, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "Could not listen on any entry"));
  g_assert_nonnull (strstr (error->message, "nonce-tcp"));
  g_assert_nonnull (strstr (error->message, "/nonexistent/zbus/x"));
  g_clear_error (&error);

  socket = _zbus_address_listen ("unix:path=a,abstract=b", &client, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  socket = _zbus_address_listen ("tcp:host=127.0.0.1,family=ipv6", &client, &error);
  g_assert_null (socket);
  g_assert_nonnull (error);
  g_clear_error (&error);
}

/* ---------------------------------------------------------------------- */
/* GUIDs */

static void
test_guid (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint32 now = (guint32) (g_get_real_time () / G_USEC_PER_SEC);
  static const char *const bad[] = {
    "", "0123456789abcdef0123456789abcde", "0123456789abcdef0123456789abcdef0",
    "0123456789abcdef0123456789abcdeg", "0123456789abcdef 123456789abcdef",
    "-123456789abcdef0123456789abcdef",
  };

  for (guint i = 0; i < 1000; i++)
    {
      char *guid = _zbus_generate_guid ();
      guint32 stamp;

      g_assert_true (_zbus_is_guid (guid));
      g_assert_cmpuint (strlen (guid), ==, 32);
      for (const char *p = guid; *p != '\0'; p++)
        g_assert_true (g_ascii_isdigit (*p) || (*p >= 'a' && *p <= 'f'));

      /* The last 4 bytes are the time, big endian. */
      stamp = (guint32) g_ascii_strtoull (guid + 24, NULL, 16);
      g_assert_cmpuint (stamp, >=, now);
      g_assert_cmpuint (stamp, <=, now + 60);

      g_assert_false (g_hash_table_contains (seen, guid));
      g_hash_table_add (seen, guid);
    }

  g_assert_true (_zbus_is_guid ("0123456789ABCDEF0123456789abcdef"));
  g_assert_false (_zbus_is_guid (NULL));
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_false (_zbus_is_guid (bad[i]));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("D-Bus addresses: parsing, escaping, the well-known buses, "
                  "connecting, listening and GUIDs, checked against GIO");

  g_test_add_func ("/Zbus/Address/parse/valid", test_parse_valid);
  g_test_add_func ("/Zbus/Address/parse/lookup", test_parse_lookup);
  g_test_add_func ("/Zbus/Address/parse/invalid", test_parse_invalid);
  g_test_add_func ("/Zbus/Address/check", test_check);
  g_test_add_func ("/Zbus/Address/escape", test_escape);
  g_test_add_func ("/Zbus/Address/print-round-trip", test_print_round_trip);
  g_test_add_func ("/Zbus/Address/differential/gio", test_differential_gio);
  g_test_add_func ("/Zbus/Address/differential/values", test_differential_values);
  g_test_add_func ("/Zbus/Address/session/env", test_session_env);
  g_test_add_func ("/Zbus/Address/session/runtime-dir", test_session_runtime_dir);
  g_test_add_func ("/Zbus/Address/session/none", test_session_none);
  g_test_add_func ("/Zbus/Address/system", test_system);
  g_test_add_func ("/Zbus/Address/connect/unix-path", test_connect_unix_path);
  g_test_add_func ("/Zbus/Address/connect/unix-abstract", test_connect_unix_abstract);
  g_test_add_func ("/Zbus/Address/connect/tcp", test_connect_tcp);
  g_test_add_func ("/Zbus/Address/connect/backlog-full", test_connect_backlog_full);
  g_test_add_func ("/Zbus/Address/connect/fallback", test_connect_fallback);
  g_test_add_func ("/Zbus/Address/connect/errors", test_connect_errors);
  g_test_add_func ("/Zbus/Address/listen/unix", test_listen_unix);
  g_test_add_func ("/Zbus/Address/listen/abstract", test_listen_abstract);
  g_test_add_func ("/Zbus/Address/listen/runtime", test_listen_runtime);
  g_test_add_func ("/Zbus/Address/listen/tcp", test_listen_tcp);
  g_test_add_func ("/Zbus/Address/listen/errors", test_listen_errors);
  g_test_add_func ("/Zbus/Address/guid", test_guid);

  return g_test_run ();
}
