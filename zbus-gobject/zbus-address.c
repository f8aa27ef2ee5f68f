/* zbus-address.c
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* D-Bus server addresses: parsing and printing, the transports we support,
 * the well-known bus addresses, connecting and listening.
 *
 * The grammar is the one of the specification ("Server Addresses"):
 * `transport:key=value,key=value;transport:...`, where a value may contain
 * only the "optionally escaped" bytes [-0-9A-Za-z_/.\*] and `%XX` escapes.
 * We follow the specification (and libdbus, whose parser is the reference)
 * rather than GIO where they differ; tests/test-address.c lists every
 * difference and checks it.
 */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <gio/gunixsocketaddress.h>

#include "zbus-address-private.h"

/* How often connecting retries a unix socket whose listen backlog is full
 * (non-blocking connect() then fails with EAGAIN instead of waiting): every
 * 10 ms for up to 25 s, the default D-Bus method call timeout. */
#define UNIX_CONNECT_RETRY_MS 10
#define UNIX_CONNECT_MAX_RETRIES 2500

/* Random socket names in unix:dir= and unix:tmpdir= collide rarely; a few
 * attempts make a collision (or a hostile squatter) harmless. */
#define LISTEN_NAME_ATTEMPTS 16

#define SUN_PATH_SIZE (sizeof (((struct sockaddr_un *) NULL)->sun_path))

/* ---------------------------------------------------------------------- */
/* Error messages */

/* Error messages quote the address they complain about, and the address
 * may be garbage: quote it as printable ASCII so the message stays valid
 * UTF-8 and shows what was really there. */
static char *
printable (const char *s,
           gssize      len)
{
  GString *out;

  if (len < 0)
    len = strlen (s);

  out = g_string_sized_new (len + 2);
  for (gssize i = 0; i < len; i++)
    {
      guchar c = s[i];

      if (c >= 0x20 && c < 0x7f)
        g_string_append_c (out, c);
      else
        g_string_append_printf (out, "\\x%02x", c);
    }

  return g_string_free (out, FALSE);
}

static void
set_parse_error (GError     **error,
                 const char  *address,
                 guint        entry_number,
                 const char  *detail)
{
  g_autofree char *quoted = printable (address, -1);

  if (entry_number == 0)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "Invalid D-Bus address \"%s\": %s", quoted, detail);
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "Invalid D-Bus address \"%s\": %s (entry %u)",
                 quoted, detail, entry_number);
}

static void
set_entry_error (GError                 **error,
                 GIOErrorEnum             code,
                 const ZbusAddressEntry  *entry,
                 const char              *format,
                 ...) G_GNUC_PRINTF (4, 5);

static void
set_entry_error (GError                 **error,
                 GIOErrorEnum             code,
                 const ZbusAddressEntry  *entry,
                 const char              *format,
                 ...)
{
  g_autofree char *text = _zbus_address_entry_to_string (entry);
  g_autofree char *quoted = printable (text, -1);
  g_autofree char *detail = NULL;
  va_list args;

  va_start (args, format);
  detail = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, G_IO_ERROR, code,
               "D-Bus address entry \"%s\": %s", quoted, detail);
}

/* Collects the failures of the entries of an address list: the caller
 * gets the code of the first failure and a message naming every entry
 * tried, so "why did it not connect" has one answer. */
typedef struct
{
  GError *first; /* (owned) (nullable) */
  GString *messages; /* (owned) */
  guint count;
} Attempts;

static void
attempts_init (Attempts *attempts)
{
  attempts->first = NULL;
  attempts->messages = g_string_new (NULL);
  attempts->count = 0;
}

static void
attempts_clear (Attempts *attempts)
{
  g_clear_error (&attempts->first);
  if (attempts->messages != NULL)
    g_string_free (g_steal_pointer (&attempts->messages), TRUE);
}

static void
attempts_add (Attempts *attempts,
              GError   *error /* (transfer full) */)
{
  if (attempts->count > 0)
    g_string_append (attempts->messages, "; ");
  g_string_append (attempts->messages, error->message);
  attempts->count++;

  if (attempts->first == NULL)
    attempts->first = error;
  else
    g_error_free (error);
}

static GError *
attempts_to_error (Attempts   *attempts,
                   const char *verb,
                   const char *address)
{
  g_autofree char *quoted = NULL;
  GError *error;

  g_assert (attempts->first != NULL);

  if (attempts->count == 1)
    return g_steal_pointer (&attempts->first);

  quoted = printable (address, -1);
  error = g_error_new (attempts->first->domain, attempts->first->code,
                       "Could not %s any entry of D-Bus address \"%s\": %s",
                       verb, quoted, attempts->messages->str);
  return error;
}

/* ---------------------------------------------------------------------- */
/* Entries */

ZbusAddressEntry *
_zbus_address_entry_new (const char *transport)
{
  ZbusAddressEntry *entry;

  g_return_val_if_fail (transport != NULL, NULL);

  entry = g_new0 (ZbusAddressEntry, 1);
  entry->transport = g_strdup (transport);
  entry->keys = g_ptr_array_new_with_free_func (g_free);
  entry->values = g_ptr_array_new_with_free_func (g_free);

  return entry;
}

void
_zbus_address_entry_free (ZbusAddressEntry *entry)
{
  if (entry == NULL)
    return;

  g_free (entry->transport);
  g_ptr_array_unref (entry->keys);
  g_ptr_array_unref (entry->values);
  g_free (entry);
}

/* Appends a pair; the caller makes sure the key is not there yet. */
void
_zbus_address_entry_add (ZbusAddressEntry *entry,
                         const char       *key,
                         const char       *value)
{
  g_return_if_fail (entry != NULL);
  g_return_if_fail (key != NULL && *key != '\0');
  g_return_if_fail (value != NULL);
  g_return_if_fail (_zbus_address_entry_lookup (entry, key) == NULL);

  g_ptr_array_add (entry->keys, g_strdup (key));
  g_ptr_array_add (entry->values, g_strdup (value));
}

const char *
_zbus_address_entry_lookup (const ZbusAddressEntry *entry,
                            const char             *key)
{
  g_return_val_if_fail (entry != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  /* Entries have a handful of keys: a linear search beats hashing. */
  for (guint i = 0; i < entry->keys->len; i++)
    {
      if (strcmp (g_ptr_array_index (entry->keys, i), key) == 0)
        return g_ptr_array_index (entry->values, i);
    }

  return NULL;
}

/* ---------------------------------------------------------------------- */
/* Parsing and printing */

/* The bytes a value may contain without escaping; every other byte must
 * be written as %XX. */
static gboolean
is_optionally_escaped (guchar c)
{
  return g_ascii_isalnum (c) ||
         c == '-' || c == '_' || c == '/' || c == '\\' || c == '*' || c == '.';
}

/* The specification does not escape transport names and keys; we allow
 * them the same bytes as unescaped values, which covers every name in use
 * (nonce-tcp, unixexec, argv0...) and keeps `:`, `,`, `=`, `;` and `%`
 * out. */
static gboolean
is_valid_name (const char *s,
               gsize       len)
{
  for (gsize i = 0; i < len; i++)
    {
      if (!is_optionally_escaped (s[i]))
        return FALSE;
    }

  return len > 0;
}

static int
hex_digit_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Unescapes the value of @key into @out. Returns NULL on success, or a
 * description of what is wrong. */
static char *
unescape_value (const char *key,
                const char *s,
                gsize       len,
                GString    *out)
{
  for (gsize i = 0; i < len; i++)
    {
      guchar c = s[i];

      if (c == '%')
        {
          int hi = i + 1 < len ? hex_digit_value (s[i + 1]) : -1;
          int lo = i + 2 < len ? hex_digit_value (s[i + 2]) : -1;

          if (hi < 0 || lo < 0)
            {
              g_autofree char *bad = printable (s + i, MIN (len - i, 3));
              return g_strdup_printf ("the value of key \"%s\" has a bad escape \"%s\" "
                                      "(%% must be followed by two hex digits)",
                                      key, bad);
            }
          if (hi == 0 && lo == 0)
            return g_strdup_printf ("the value of key \"%s\" contains an escaped NUL byte (%%00)",
                                    key);

          g_string_append_c (out, (char) (hi << 4 | lo));
          i += 2;
        }
      else if (is_optionally_escaped (c))
        {
          g_string_append_c (out, c);
        }
      else
        {
          g_autofree char *bad = printable (s + i, 1);
          return g_strdup_printf ("the value of key \"%s\" contains \"%s\", "
                                  "which must be escaped as %%%02x",
                                  key, bad, c);
        }
    }

  return NULL;
}

/* Parses one key=value pair (the bytes between commas) into @entry.
 * Returns NULL on success, or a description of what is wrong. */
static char *
parse_pair (ZbusAddressEntry *entry,
            const char       *s,
            gsize             len)
{
  const char *eq = memchr (s, '=', len);
  gsize key_len = eq != NULL ? (gsize) (eq - s) : len;
  g_autofree char *key = NULL;
  g_autoptr(GString) value = NULL;
  char *problem;

  if (len == 0)
    return g_strdup ("empty key=value pair (a doubled or trailing \",\")");
  if (key_len == 0)
    return g_strdup ("a key is empty");

  key = printable (s, key_len);
  if (!is_valid_name (s, key_len))
    return g_strdup_printf ("key \"%s\" contains a byte that is not allowed in a key", key);
  if (eq == NULL)
    return g_strdup_printf ("key \"%s\" has no value", key);
  if (_zbus_address_entry_lookup (entry, key) != NULL)
    return g_strdup_printf ("key \"%s\" appears twice", key);
  if (eq + 1 == s + len)
    return g_strdup_printf ("key \"%s\" has an empty value", key);

  value = g_string_new (NULL);
  problem = unescape_value (key, eq + 1, s + len - (eq + 1), value);
  if (problem != NULL)
    return problem;

  _zbus_address_entry_add (entry, key, value->str);
  return NULL;
}

/* Parses one entry (the bytes between semicolons). Returns the entry, or
 * NULL with *out_problem set. */
static ZbusAddressEntry *
parse_entry (const char  *s,
             gsize        len,
             char       **out_problem)
{
  const char *colon = memchr (s, ':', len);
  const char *end = s + len;
  const char *p;
  g_autofree char *transport = NULL;
  g_autoptr(ZbusAddressEntry) entry = NULL;

  if (colon == NULL)
    {
      *out_problem = g_strdup ("no \":\" after the transport name");
      return NULL;
    }
  if (colon == s)
    {
      *out_problem = g_strdup ("the transport name is empty");
      return NULL;
    }

  transport = printable (s, colon - s);
  if (!is_valid_name (s, colon - s))
    {
      *out_problem = g_strdup_printf ("transport name \"%s\" contains a byte that is "
                                      "not allowed in a name", transport);
      return NULL;
    }

  entry = _zbus_address_entry_new (transport);
  p = colon + 1;
  while (p < end)
    {
      const char *comma = memchr (p, ',', end - p);
      const char *pair_end = comma != NULL ? comma : end;

      *out_problem = parse_pair (entry, p, pair_end - p);
      if (*out_problem != NULL)
        return NULL;

      if (comma == NULL)
        break;

      p = comma + 1;
      if (p == end)
        {
          *out_problem = parse_pair (entry, p, 0);
          return NULL;
        }
    }

  return g_steal_pointer (&entry);
}

/* Parses an address list into a GPtrArray of ZbusAddressEntry (at least
 * one). Errors are G_IO_ERROR_INVALID_ARGUMENT and name the bad part and
 * the entry (counted from 1).
 *
 * Transports we do not know are not an error here: an address list may
 * name alternatives for other implementations, and connecting skips what
 * it cannot use. See _zbus_address_entry_check().
 *
 * Like libdbus, one trailing ";" is accepted (GIO refuses it). */
GPtrArray *
_zbus_address_parse (const char  *address,
                     GError     **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  const char *p = address;
  guint number = 0;

  g_return_val_if_fail (address != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (*address == '\0')
    {
      set_parse_error (error, address, 0, "the address is empty");
      return NULL;
    }

  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) _zbus_address_entry_free);
  while (TRUE)
    {
      const char *semicolon = strchr (p, ';');
      gsize len = semicolon != NULL ? (gsize) (semicolon - p) : strlen (p);
      g_autofree char *problem = NULL;
      ZbusAddressEntry *entry;

      number++;
      if (len == 0 && semicolon == NULL && number > 1)
        break;

      if (len == 0)
        {
          set_parse_error (error, address, number, "the entry is empty");
          return NULL;
        }

      entry = parse_entry (p, len, &problem);
      if (entry == NULL)
        {
          set_parse_error (error, address, number, problem);
          return NULL;
        }
      g_ptr_array_add (entries, entry);

      if (semicolon == NULL)
        break;
      p = semicolon + 1;
    }

  return g_steal_pointer (&entries);
}

static void
append_escaped (GString    *out,
                const char *value)
{
  for (const guchar *p = (const guchar *) value; *p != '\0'; p++)
    {
      if (is_optionally_escaped (*p))
        g_string_append_c (out, *p);
      else
        g_string_append_printf (out, "%%%02x", *p);
    }
}

/* Escapes @value for use as the value of a key in an address: every byte
 * outside the optionally-escaped set becomes %xx. Lowercase hex, as
 * libdbus writes it; GIO writes uppercase and also escapes "*", which is
 * equivalent. */
char *
_zbus_address_escape_value (const char *value)
{
  GString *out;

  g_return_val_if_fail (value != NULL, NULL);

  out = g_string_sized_new (strlen (value));
  append_escaped (out, value);
  return g_string_free (out, FALSE);
}

/* Prints @entry as an address with one entry, values escaped. */
char *
_zbus_address_entry_to_string (const ZbusAddressEntry *entry)
{
  GString *out;

  g_return_val_if_fail (entry != NULL, NULL);

  out = g_string_new (entry->transport);
  g_string_append_c (out, ':');
  for (guint i = 0; i < entry->keys->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append (out, g_ptr_array_index (entry->keys, i));
      g_string_append_c (out, '=');
      append_escaped (out, g_ptr_array_index (entry->values, i));
    }

  return g_string_free (out, FALSE);
}

/* ---------------------------------------------------------------------- */
/* Checking the transports we know */

static gboolean
check_known_keys (const ZbusAddressEntry  *entry,
                  const char *const       *known,
                  GError                 **error)
{
  for (guint i = 0; i < entry->keys->len; i++)
    {
      const char *key = g_ptr_array_index (entry->keys, i);

      if (!g_strv_contains (known, key))
        {
          set_entry_error (error, G_IO_ERROR_INVALID_ARGUMENT, entry,
                           "key \"%s\" is not supported by the %s transport",
                           key, entry->transport);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
check_unix (const ZbusAddressEntry  *entry,
            gboolean                 listening,
            GError                 **error)
{
  static const char *const known[] = {
    "path", "abstract", "dir", "tmpdir", "runtime", "guid", NULL
  };
  const char *path = _zbus_address_entry_lookup (entry, "path");
  const char *abstract = _zbus_address_entry_lookup (entry, "abstract");
  const char *runtime = _zbus_address_entry_lookup (entry, "runtime");
  const char *listen_only = NULL;
  guint n_locations = 0;

  if (!check_known_keys (entry, known, error))
    return FALSE;

  for (guint i = 2; i < 5; i++)
    {
      if (_zbus_address_entry_lookup (entry, known[i]) != NULL)
        listen_only = known[i];
    }
  for (guint i = 0; i < 5; i++)
    n_locations += _zbus_address_entry_lookup (entry, known[i]) != NULL;

  if (n_locations != 1)
    {
      set_entry_error (error, G_IO_ERROR_INVALID_ARGUMENT, entry,
                       "a unix address needs exactly one of the keys path, abstract, "
                       "dir, tmpdir and runtime");
      return FALSE;
    }
  if (listen_only != NULL && !listening)
    {
      set_entry_error (error, G_IO_ERROR_INVALID_ARGUMENT, entry,
                       "key \"%s\" is only meaningful in an address to listen on",
                       listen_only);
      return FALSE;
    }
  if (runtime != NULL && strcmp (runtime, "yes") != 0)
    {
      set_entry_error (error, G_IO_ERROR_INVALID_ARGUMENT, entry,
                       "the value of key \"runtime\" must be \"yes\"");
      return FALSE;
    }
  /* sun_path holds a path and its NUL, or a NUL and the abstract name. */
  if ((path != NULL && strlen (path) >= SUN_PATH_SIZE) ||
      (abstract != NULL && strlen (abstract) >= SUN_PATH_SIZE))
    {
      set_entry_error (error, G_IO_ERROR_INVALID_ARGUMENT, entry,
                       "the socket name is longer than a unix socket address "
                       "allows (%u bytes)", (guint) SUN_PATH_SIZE - 1);
      return FALSE;
    }
  if (abstract != NULL && !g_unix_socket_address_abstract_names_supported ())
    {
      set_entry_error (error, G_IO_ERROR_NOT_SUPPORTED, entry,
                       "abstract unix sockets are not supported on this system");
      return FALSE;
    }

  return TRUE;
}

static gboolean
parse_port (const char *s,
            guint16    *out_port)
{
  guint64 port;

  /* Digits only: no sign, no spaces, no hex. */
  if (!g_ascii_string_to_unsigned (s, 10, 0, G_MAXUINT16, &port, NULL))
    return FALSE;

  *out_port = (guint16) port;
  return TRUE;
}

static GSocketFamily
tcp_family (const ZbusAddressEntry *entry)
{
  const char *family = _zbus_address_entry_lookup (entry, "family");

  if (g_strcmp0 (family, "ipv4") == 0)
    return G_SOCKET_FAMILY_IPV4;
  if (g_strcmp0 (family, "ipv6") == 0)
    return G_SOCKET_FAMILY_IPV6;
  return G_SOCKET_FAMILY_INVALID;
}

static gboolean
check_tcp (const ZbusAddressEntry  *entry,
           gboolean                 listening,
           GError                 **error)
{
  static const char *const known[] = { "host", "port", "family", "bind", "guid", NULL };
  const char *port = _zbus_address_entry_lookup (entry, "port");
  const char *family = _zbus_address_entry_lookup (entry, "family");
  guint16 port_number = 0;

  if (!check_known_keys (entry, known, error))
    return FALSE;

  if (port != NULL && !parse_port (port, &port_number))
    {
      set_entry_error (error, G_IO_ERROR_INVALID_ARGUMENT, entry,
                       "the port must be a decimal number from 0 to 65535");
      return FALSE;
    }
  if (!listening && port_number == 0)
    {
      set_entry_error (error, G_IO_ERROR_INVALID_ARGUMENT, entry,
                       "connecting needs a port other than 0");
      return FALSE;
    }
  if (family != NULL && tcp_family (entry) == G_SOCKET_FAMILY_INVALID)
    {
      set_entry_error (error, G_IO_ERROR_INVALID_ARGUMENT, entry,
                       "the family must be \"ipv4\" or \"ipv6\"");
      return FALSE;
    }

  return TRUE;
}

/* Checks that we can connect to (or, if @listening, listen on) @entry.
 * Transports we do not implement give G_IO_ERROR_NOT_SUPPORTED, bad keys
 * or values of the transports we do G_IO_ERROR_INVALID_ARGUMENT. */
gboolean
_zbus_address_entry_check (const ZbusAddressEntry  *entry,
                           gboolean                 listening,
                           GError                 **error)
{
  const char *guid;

  g_return_val_if_fail (entry != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (strcmp (entry->transport, "unix") == 0)
    {
      if (!check_unix (entry, listening, error))
        return FALSE;
    }
  else if (strcmp (entry->transport, "tcp") == 0)
    {
      if (!check_tcp (entry, listening, error))
        return FALSE;
    }
  else if (strcmp (entry->transport, "nonce-tcp") == 0)
    {
      set_entry_error (error, G_IO_ERROR_NOT_SUPPORTED, entry,
                       "the nonce-tcp transport is not supported; use unix: "
                       "(or tcp: on a trusted network)");
      return FALSE;
    }
  else if (strcmp (entry->transport, "autolaunch") == 0)
    {
      set_entry_error (error, G_IO_ERROR_NOT_SUPPORTED, entry,
                       "the autolaunch transport (starting a bus through X11) is not "
                       "supported; start a bus with dbus-run-session or set "
                       "DBUS_SESSION_BUS_ADDRESS");
      return FALSE;
    }
  else if (strcmp (entry->transport, "launchd") == 0)
    {
      set_entry_error (error, G_IO_ERROR_NOT_SUPPORTED, entry,
                       "the launchd transport (macOS) is not supported");
      return FALSE;
    }
  else
    {
      set_entry_error (error, G_IO_ERROR_NOT_SUPPORTED, entry,
                       "unknown transport \"%s\"", entry->transport);
      return FALSE;
    }

  guid = _zbus_address_entry_lookup (entry, "guid");
  if (guid != NULL && !_zbus_is_guid (guid))
    {
      set_entry_error (error, G_IO_ERROR_INVALID_ARGUMENT, entry,
                       "the guid must be 32 hex digits");
      return FALSE;
    }

  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* The well-known buses */

static char *
unix_path_address (const char *path)
{
  g_autofree char *escaped = _zbus_address_escape_value (path);

  return g_strconcat ("unix:path=", escaped, NULL);
}

/* The address of the session bus: $DBUS_SESSION_BUS_ADDRESS, else the
 * socket systemd (or dbus-broker) makes at $XDG_RUNTIME_DIR/bus. We never
 * autolaunch a bus: a program that finds none is told how to get one. */
char *
_zbus_address_get_session_bus (GError **error)
{
  const char *address = g_getenv ("DBUS_SESSION_BUS_ADDRESS");
  const char *runtime_dir = g_getenv ("XDG_RUNTIME_DIR");
  g_autofree char *path = NULL;
  struct stat st;

  if (address != NULL && *address != '\0')
    return g_strdup (address);

  if (runtime_dir != NULL && *runtime_dir != '\0')
    {
      path = g_build_filename (runtime_dir, "bus", NULL);
      if (stat (path, &st) == 0 && S_ISSOCK (st.st_mode))
        return unix_path_address (path);
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
               "No D-Bus session bus is available: DBUS_SESSION_BUS_ADDRESS is not set "
               "and %s%s. Run the program in a desktop session, under "
               "\"dbus-run-session -- PROGRAM\", or set DBUS_SESSION_BUS_ADDRESS to the "
               "address of a running bus",
               path != NULL ? path : "XDG_RUNTIME_DIR is not set either",
               path != NULL ? " is not a socket" : "");
  return NULL;
}

/* The address of the system bus: $DBUS_SYSTEM_BUS_ADDRESS, else the
 * well-known socket of the specification. */
char *
_zbus_address_get_system_bus (void)
{
  const char *address = g_getenv ("DBUS_SYSTEM_BUS_ADDRESS");

  if (address != NULL && *address != '\0')
    return g_strdup (address);

  return g_strdup ("unix:path=/var/run/dbus/system_bus_socket");
}

/* ---------------------------------------------------------------------- */
/* GUIDs */

static void
fill_random (guint8 *buffer,
             gsize   len)
{
  gsize done = 0;

  while (done < len)
    {
      ssize_t n = getrandom (buffer + done, len - done, 0);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      done += n;
    }

  /* getrandom() fails only on kernels before 3.17 or under a seccomp
   * filter that forbids it; GRand still gives unique enough bytes. */
  for (; done < len; done++)
    buffer[done] = (guint8) g_random_int_range (0, 256);
}

/* A server GUID as the specification describes it: 96 random bits, then
 * the time in seconds since the epoch (big endian), as 32 lowercase hex
 * digits. */
char *
_zbus_generate_guid (void)
{
  guint8 bytes[16];
  guint32 now = (guint32) (g_get_real_time () / G_USEC_PER_SEC);
  GString *out = g_string_sized_new (32);

  fill_random (bytes, 12);
  bytes[12] = now >> 24;
  bytes[13] = now >> 16;
  bytes[14] = now >> 8;
  bytes[15] = now;

  for (guint i = 0; i < G_N_ELEMENTS (bytes); i++)
    g_string_append_printf (out, "%02x", bytes[i]);

  return g_string_free (out, FALSE);
}

/* Whether @string is a GUID: 32 hex digits. Uppercase digits are
 * accepted (as libdbus and GIO do) though we only write lowercase. */
gboolean
_zbus_is_guid (const char *string)
{
  gsize i;

  if (string == NULL)
    return FALSE;

  for (i = 0; string[i] != '\0'; i++)
    {
      if (i >= 32 || !g_ascii_isxdigit (string[i]))
        return FALSE;
    }

  return i == 32;
}

/* ---------------------------------------------------------------------- */
/* Connecting */

/* What to connect to for a checked unix: or tcp: entry, and which socket
 * family to keep among the resolved addresses (INVALID: any). */
static GSocketConnectable *
entry_connectable (const ZbusAddressEntry *entry,
                   GSocketFamily          *out_family)
{
  *out_family = G_SOCKET_FAMILY_INVALID;

  if (strcmp (entry->transport, "unix") == 0)
    {
      const char *path = _zbus_address_entry_lookup (entry, "path");
      const char *abstract = _zbus_address_entry_lookup (entry, "abstract");

      if (path != NULL)
        return G_SOCKET_CONNECTABLE (g_unix_socket_address_new (path));

      return G_SOCKET_CONNECTABLE (
        g_unix_socket_address_new_with_type (abstract, -1, G_UNIX_SOCKET_ADDRESS_ABSTRACT));
    }
  else
    {
      const char *host = _zbus_address_entry_lookup (entry, "host");
      guint16 port = 0;

      parse_port (_zbus_address_entry_lookup (entry, "port"), &port);
      *out_family = tcp_family (entry);

      /* libdbus connects to localhost when no host is given. */
      return g_network_address_new (host != NULL ? host : "localhost", port);
    }
}

static GSocket *
new_stream_socket (GSocketFamily   family,
                   GError        **error)
{
  GSocketProtocol protocol = family == G_SOCKET_FAMILY_UNIX ?
                             G_SOCKET_PROTOCOL_DEFAULT : G_SOCKET_PROTOCOL_TCP;

  return g_socket_new (family, G_SOCKET_TYPE_STREAM, protocol, error);
}

/* D-Bus is request/response with small messages: Nagle's algorithm would
 * hold every call back for a round trip. */
static void
tune_connected_socket (GSocket *socket)
{
  if (g_socket_get_family (socket) != G_SOCKET_FAMILY_UNIX)
    g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
}

static GError *
no_address_error (const ZbusAddressEntry *entry)
{
  GError *error = NULL;

  set_entry_error (&error, G_IO_ERROR_HOST_NOT_FOUND, entry,
                   "no address of the requested family");
  return error;
}

static void
prefix_entry_error (GError                 **error,
                    const ZbusAddressEntry  *entry)
{
  g_autofree char *text = _zbus_address_entry_to_string (entry);
  g_autofree char *quoted = printable (text, -1);

  g_prefix_error (error, "D-Bus address entry \"%s\": ", quoted);
}

static GSocket *
connect_entry_sync (const ZbusAddressEntry  *entry,
                    GCancellable            *cancellable,
                    GError                 **error)
{
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketAddressEnumerator) enumerator = NULL;
  g_autoptr(GError) last_error = NULL;
  GSocketFamily family;

  if (!_zbus_address_entry_check (entry, FALSE, error))
    return NULL;

  connectable = entry_connectable (entry, &family);
  enumerator = g_socket_connectable_enumerate (connectable);

  /* Try each resolved address in turn, as GSocketClient does, but build
   * the GSocket ourselves: the connection reads and writes it directly. */
  while (TRUE)
    {
      g_autoptr(GSocketAddress) address = NULL;
      g_autoptr(GSocket) socket = NULL;
      g_autoptr(GError) local_error = NULL;

      address = g_socket_address_enumerator_next (enumerator, cancellable, &local_error);
      if (address == NULL)
        {
          if (local_error == NULL)
            local_error = last_error != NULL ? g_steal_pointer (&last_error) :
                                               no_address_error (entry);
          else
            prefix_entry_error (&local_error, entry);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }

      if (family != G_SOCKET_FAMILY_INVALID && g_socket_address_get_family (address) != family)
        continue;

      socket = new_stream_socket (g_socket_address_get_family (address), &local_error);
      if (socket != NULL && g_socket_connect (socket, address, cancellable, &local_error))
        {
          tune_connected_socket (socket);
          return g_steal_pointer (&socket);
        }

      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }

      prefix_entry_error (&local_error, entry);
      g_clear_error (&last_error);
      last_error = g_steal_pointer (&local_error);
    }
}

/* Connects to the first entry of @address that works, in order; entries
 * with transports we do not support are skipped. The socket is in
 * blocking mode (GSocket's default); the caller sets what it needs.
 * @out_guid receives the guid= of the entry connected to, or NULL.
 *
 * A failure carries the code of the first entry's failure and a message
 * naming every entry tried. */
GSocket *
_zbus_address_connect_sync (const char    *address,
                            char         **out_guid,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  Attempts attempts;
  GError *final_error;

  g_return_val_if_fail (address != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  entries = _zbus_address_parse (address, error);
  if (entries == NULL)
    return NULL;

  attempts_init (&attempts);
  for (guint i = 0; i < entries->len; i++)
    {
      const ZbusAddressEntry *entry = g_ptr_array_index (entries, i);
      GError *local_error = NULL;
      GSocket *socket = NULL;

      if (!g_cancellable_set_error_if_cancelled (cancellable, &local_error))
        socket = connect_entry_sync (entry, cancellable, &local_error);
      if (socket != NULL)
        {
          if (out_guid != NULL)
            *out_guid = g_strdup (_zbus_address_entry_lookup (entry, "guid"));
          attempts_clear (&attempts);
          return socket;
        }

      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          attempts_clear (&attempts);
          g_propagate_error (error, local_error);
          return NULL;
        }

      attempts_add (&attempts, local_error);
    }

  final_error = attempts_to_error (&attempts, "connect to", address);
  attempts_clear (&attempts);
  g_propagate_error (error, final_error);
  return NULL;
}

typedef struct
{
  char *address;                         /* (owned) */
  GPtrArray *entries;                    /* (owned) (element-type ZbusAddressEntry) */
  guint index;                           /* the entry being tried */
  GSocketFamily family;
  GSocketAddressEnumerator *enumerator;  /* (owned) (nullable) */
  GSocketAddress *socket_address;        /* (owned) (nullable) being connected to */
  GSocket *socket;                       /* (owned) (nullable) being connected */
  GError *last_error;                    /* (owned) (nullable) of the current entry */
  guint retries;
  Attempts attempts;
  char *guid;                            /* (owned) (nullable) of the entry connected to */
} ConnectData;

static void
connect_data_free (ConnectData *data)
{
  g_free (data->address);
  g_clear_pointer (&data->entries, g_ptr_array_unref);
  g_clear_object (&data->enumerator);
  g_clear_object (&data->socket_address);
  g_clear_object (&data->socket);
  g_clear_error (&data->last_error);
  attempts_clear (&data->attempts);
  g_free (data->guid);
  g_free (data);
}

static void connect_next_entry (GTask *task);
static void connect_next_address (GTask *task);

static void
connect_entry_failed (GTask  *task,
                      GError *error /* (transfer full) */)
{
  ConnectData *data = g_task_get_task_data (task);

  g_clear_object (&data->enumerator);
  g_clear_error (&data->last_error);
  attempts_add (&data->attempts, error);
  data->index++;
  connect_next_entry (task);
}

static void
connect_succeeded (GTask *task)
{
  ConnectData *data = g_task_get_task_data (task);
  const ZbusAddressEntry *entry = g_ptr_array_index (data->entries, data->index);
  GSocket *socket = g_steal_pointer (&data->socket);

  g_socket_set_blocking (socket, TRUE);
  tune_connected_socket (socket);
  data->guid = g_strdup (_zbus_address_entry_lookup (entry, "guid"));
  g_task_return_pointer (task, socket, g_object_unref);
  g_object_unref (task);
}

/* Records why the current address failed and moves on to the next. */
static void
connect_address_failed (GTask  *task,
                        GError *error /* (transfer full) */)
{
  ConnectData *data = g_task_get_task_data (task);

  g_clear_object (&data->socket);
  g_clear_object (&data->socket_address);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  prefix_entry_error (&error, g_ptr_array_index (data->entries, data->index));
  g_clear_error (&data->last_error);
  data->last_error = error;
  connect_next_address (task);
}

static gboolean
connect_ready_cb (GSocket      *socket,
                  GIOCondition  condition,
                  gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return G_SOURCE_REMOVE;
    }

  if (g_socket_check_connect_result (socket, &error))
    connect_succeeded (task);
  else
    connect_address_failed (task, error);

  return G_SOURCE_REMOVE;
}

static gboolean connect_retry_cb (gpointer user_data);

/* Starts a non-blocking connect() to data->socket_address. */
static void
connect_start (GTask *task)
{
  ConnectData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  GSocketFamily family = g_socket_address_get_family (data->socket_address);
  GError *error = NULL;
  g_autoptr(GSource) source = NULL;

  g_clear_object (&data->socket);
  data->socket = new_stream_socket (family, &error);
  if (data->socket == NULL)
    {
      connect_address_failed (task, error);
      return;
    }

  g_socket_set_blocking (data->socket, FALSE);
  if (g_socket_connect (data->socket, data->socket_address, cancellable, &error))
    {
      connect_succeeded (task);
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PENDING))
    {
      g_clear_error (&error);
      source = g_socket_create_source (data->socket, G_IO_OUT, cancellable);
      g_task_attach_source (task, source, G_SOURCE_FUNC (connect_ready_cb));
      return;
    }

  /* A unix socket whose listen backlog is full fails a non-blocking
   * connect() with EAGAIN rather than EINPROGRESS, and there is nothing to
   * poll for: a blocking connect() would wait for the server to accept, so
   * we retry for a while instead of failing. */
  if (family == G_SOCKET_FAMILY_UNIX &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK) &&
      data->retries < UNIX_CONNECT_MAX_RETRIES)
    {
      g_clear_error (&error);
      data->retries++;
      source = g_timeout_source_new (UNIX_CONNECT_RETRY_MS);
      g_task_attach_source (task, source, connect_retry_cb);
      return;
    }

  connect_address_failed (task, error);
}

static gboolean
connect_retry_cb (gpointer user_data)
{
  GTask *task = user_data;

  if (g_task_return_error_if_cancelled (task))
    g_object_unref (task);
  else
    connect_start (task);

  return G_SOURCE_REMOVE;
}

static void
next_address_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  ConnectData *data = g_task_get_task_data (task);
  const ZbusAddressEntry *entry = g_ptr_array_index (data->entries, data->index);
  GError *error = NULL;

  data->socket_address = g_socket_address_enumerator_next_finish (G_SOCKET_ADDRESS_ENUMERATOR (object),
                                                                  result, &error);
  if (data->socket_address != NULL)
    {
      if (data->family != G_SOCKET_FAMILY_INVALID &&
          g_socket_address_get_family (data->socket_address) != data->family)
        {
          g_clear_object (&data->socket_address);
          connect_next_address (task);
          return;
        }

      data->retries = 0;
      connect_start (task);
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  if (error != NULL)
    prefix_entry_error (&error, entry);
  else if (data->last_error != NULL)
    error = g_steal_pointer (&data->last_error);
  else
    error = no_address_error (entry);

  connect_entry_failed (task, error);
}

static void
connect_next_address (GTask *task)
{
  ConnectData *data = g_task_get_task_data (task);

  g_socket_address_enumerator_next_async (data->enumerator,
                                          g_task_get_cancellable (task),
                                          next_address_cb,
                                          task);
}

static void
connect_next_entry (GTask *task)
{
  ConnectData *data = g_task_get_task_data (task);
  g_autoptr(GSocketConnectable) connectable = NULL;
  const ZbusAddressEntry *entry;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  if (data->index >= data->entries->len)
    {
      g_task_return_error (task, attempts_to_error (&data->attempts, "connect to",
                                                    data->address));
      g_object_unref (task);
      return;
    }

  entry = g_ptr_array_index (data->entries, data->index);
  if (!_zbus_address_entry_check (entry, FALSE, &error))
    {
      connect_entry_failed (task, error);
      return;
    }

  connectable = entry_connectable (entry, &data->family);
  data->enumerator = g_socket_connectable_enumerate (connectable);
  connect_next_address (task);
}

/* The asynchronous form of _zbus_address_connect_sync(). Host names are
 * resolved with GResolver and sockets connected without blocking, so
 * nothing here holds up the caller's main context. @callback runs in the
 * thread-default main context of the caller. */
void
_zbus_address_connect_async (const char          *address,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  ConnectData *data;

  g_return_if_fail (address != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, _zbus_address_connect_async);

  data = g_new0 (ConnectData, 1);
  data->address = g_strdup (address);
  attempts_init (&data->attempts);
  g_task_set_task_data (task, data, (GDestroyNotify) connect_data_free);

  data->entries = _zbus_address_parse (address, &error);
  if (data->entries == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  connect_next_entry (g_steal_pointer (&task));
}

GSocket *
_zbus_address_connect_finish (GAsyncResult  *result,
                              char         **out_guid,
                              GError       **error)
{
  ConnectData *data;
  GSocket *socket;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == _zbus_address_connect_async,
                        NULL);

  socket = g_task_propagate_pointer (G_TASK (result), error);
  if (socket != NULL && out_guid != NULL)
    {
      data = g_task_get_task_data (G_TASK (result));
      *out_guid = g_strdup (data->guid);
    }

  return socket;
}

/* ---------------------------------------------------------------------- */
/* Listening
 *
 * The helpers below report errors without naming the entry; listen_entry()
 * adds that once. */

static GSocket *
listen_on (GSocketAddress  *address,
           GError         **error)
{
  g_autoptr(GSocket) socket = NULL;
  GSocketFamily family = g_socket_address_get_family (address);

  socket = new_stream_socket (family, error);
  if (socket == NULL)
    return NULL;

  g_socket_set_listen_backlog (socket, 128);
  /* SO_REUSEADDR lets a restarted TCP server bind while old connections
   * linger in TIME_WAIT; it means nothing for unix sockets. */
  if (!g_socket_bind (socket, address, family != G_SOCKET_FAMILY_UNIX, error) ||
      !g_socket_listen (socket, error))
    return NULL;

  return g_steal_pointer (&socket);
}

static GSocket *
listen_unix_path (const char  *path,
                  char       **out_client_address,
                  GError     **error)
{
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);
  GSocket *socket = listen_on (address, error);

  if (socket != NULL)
    *out_client_address = unix_path_address (path);

  return socket;
}

/* unix:dir= and unix:tmpdir= listen on a new random name in the directory.
 *
 * The specification lets tmpdir= be an abstract socket on Linux, and
 * GDBusServer (GLib 2.74) makes it one. We never do: an abstract socket
 * has no file permissions and is reachable from every mount namespace that
 * shares the network namespace (containers, Flatpak apps with network
 * access), so a private bus would not be private. dbus-daemon 1.14 makes a
 * file too. */
static GSocket *
listen_unix_dir (const char  *dir,
                 char       **out_client_address,
                 GError     **error)
{
  static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";

  for (guint attempt = 1; ; attempt++)
    {
      char name[16] = "dbus-";
      guint8 random[10];
      g_autofree char *path = NULL;
      GError *local_error = NULL;
      GSocket *socket;

      fill_random (random, sizeof random);
      for (guint i = 0; i < sizeof random; i++)
        name[5 + i] = chars[random[i] % (sizeof chars - 1)];
      name[15] = '\0';

      path = g_build_filename (dir, name, NULL);
      if (strlen (path) >= SUN_PATH_SIZE)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "the directory name is too long for a unix socket address");
          return NULL;
        }

      socket = listen_unix_path (path, out_client_address, &local_error);
      if (socket != NULL)
        return socket;

      if (attempt == LISTEN_NAME_ATTEMPTS ||
          !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
        {
          g_propagate_error (error, local_error);
          return NULL;
        }
      g_clear_error (&local_error);
    }
}

static GSocket *
listen_unix_abstract (const char  *name,
                      char       **out_client_address,
                      GError     **error)
{
  g_autoptr(GSocketAddress) address = NULL;
  GSocket *socket;

  address = g_unix_socket_address_new_with_type (name, -1, G_UNIX_SOCKET_ADDRESS_ABSTRACT);
  socket = listen_on (address, error);
  if (socket != NULL)
    {
      g_autofree char *escaped = _zbus_address_escape_value (name);

      *out_client_address = g_strconcat ("unix:abstract=", escaped, NULL);
    }

  return socket;
}

static GSocket *
listen_unix (const ZbusAddressEntry  *entry,
             char                   **out_client_address,
             GError                 **error)
{
  const char *path = _zbus_address_entry_lookup (entry, "path");
  const char *abstract = _zbus_address_entry_lookup (entry, "abstract");
  const char *dir = _zbus_address_entry_lookup (entry, "dir");
  const char *tmpdir = _zbus_address_entry_lookup (entry, "tmpdir");
  const char *runtime_dir = g_getenv ("XDG_RUNTIME_DIR");
  g_autofree char *runtime_path = NULL;

  if (path != NULL)
    return listen_unix_path (path, out_client_address, error);
  if (abstract != NULL)
    return listen_unix_abstract (abstract, out_client_address, error);
  if (dir != NULL || tmpdir != NULL)
    return listen_unix_dir (dir != NULL ? dir : tmpdir, out_client_address, error);

  /* runtime=yes: the session bus socket of the specification. */
  if (runtime_dir == NULL || *runtime_dir == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "XDG_RUNTIME_DIR is not set");
      return NULL;
    }
  runtime_path = g_build_filename (runtime_dir, "bus", NULL);
  return listen_unix_path (runtime_path, out_client_address, error);
}

/* The addresses a tcp: entry binds to: those of bind= (else host=, else
 * localhost), or the wildcard addresses for bind=*. */
static GList *
tcp_bind_addresses (const char     *bind,
                    GSocketFamily   family,
                    GError        **error)
{
  g_autoptr(GResolver) resolver = NULL;
  GList *addresses = NULL;

  if (strcmp (bind, "*") == 0)
    {
      if (family != G_SOCKET_FAMILY_IPV6)
        addresses = g_list_prepend (addresses, g_inet_address_new_any (G_SOCKET_FAMILY_IPV4));
      if (family != G_SOCKET_FAMILY_IPV4)
        addresses = g_list_prepend (addresses, g_inet_address_new_any (G_SOCKET_FAMILY_IPV6));
      return addresses;
    }

  /* A blocking lookup: listening is synchronous, and bind addresses are
   * local names or literals that resolve without the network. */
  resolver = g_resolver_get_default ();
  return g_resolver_lookup_by_name (resolver, bind, NULL, error);
}

/* The host clients should connect to. Where we chose the address (no
 * separate bind=), name it numerically: "localhost" may resolve to ::1
 * first while we listen on 127.0.0.1 only, and with port=0 another
 * process may own that port on the other family. */
static char *
tcp_client_host (const char    *host,
                 const char    *bind,
                 GInetAddress  *bound)
{
  if (host != NULL && bind != NULL)
    return g_strdup (host);

  if (g_inet_address_get_is_any (bound))
    return g_strdup (g_inet_address_get_family (bound) == G_SOCKET_FAMILY_IPV6 ?
                     "::1" : "127.0.0.1");

  return g_inet_address_to_string (bound);
}

static char *
tcp_client_address (const ZbusAddressEntry *entry,
                    GSocket                *socket,
                    GInetAddress           *bound)
{
  const char *family = _zbus_address_entry_lookup (entry, "family");
  g_autoptr(GSocketAddress) local = g_socket_get_local_address (socket, NULL);
  g_autoptr(ZbusAddressEntry) client = _zbus_address_entry_new ("tcp");
  g_autofree char *host = NULL;
  g_autofree char *port = NULL;

  host = tcp_client_host (_zbus_address_entry_lookup (entry, "host"),
                          _zbus_address_entry_lookup (entry, "bind"),
                          bound);
  port = g_strdup_printf ("%u", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)));

  _zbus_address_entry_add (client, "host", host);
  _zbus_address_entry_add (client, "port", port);
  if (family != NULL)
    _zbus_address_entry_add (client, "family", family);

  return _zbus_address_entry_to_string (client);
}

static GSocket *
listen_tcp (const ZbusAddressEntry  *entry,
            char                   **out_client_address,
            GError                 **error)
{
  const char *host = _zbus_address_entry_lookup (entry, "host");
  const char *bind = _zbus_address_entry_lookup (entry, "bind");
  const char *port_value = _zbus_address_entry_lookup (entry, "port");
  GSocketFamily family = tcp_family (entry);
  guint16 port = 0;
  GList *addresses;
  GError *last_error = NULL;
  GSocket *socket = NULL;

  if (port_value != NULL)
    parse_port (port_value, &port);

  addresses = tcp_bind_addresses (bind != NULL ? bind : host != NULL ? host : "localhost",
                                  family, &last_error);

  for (GList *l = addresses; l != NULL && socket == NULL; l = l->next)
    {
      GInetAddress *inet_address = l->data;
      g_autoptr(GSocketAddress) address = NULL;

      if (family != G_SOCKET_FAMILY_INVALID && g_inet_address_get_family (inet_address) != family)
        continue;

      address = g_inet_socket_address_new (inet_address, port);
      g_clear_error (&last_error);
      socket = listen_on (address, &last_error);
      if (socket != NULL)
        *out_client_address = tcp_client_address (entry, socket, inet_address);
    }
  g_list_free_full (addresses, g_object_unref);

  if (socket == NULL && last_error == NULL)
    g_set_error (&last_error, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND,
                 "no address of the requested family");
  if (socket == NULL)
    g_propagate_error (error, last_error);
  else
    g_clear_error (&last_error);

  return socket;
}

static GSocket *
listen_entry (const ZbusAddressEntry  *entry,
              char                   **out_client_address,
              GError                 **error)
{
  GSocket *socket;

  if (!_zbus_address_entry_check (entry, TRUE, error))
    return NULL;

  if (strcmp (entry->transport, "unix") == 0)
    socket = listen_unix (entry, out_client_address, error);
  else
    socket = listen_tcp (entry, out_client_address, error);

  if (socket == NULL)
    prefix_entry_error (error, entry);

  return socket;
}

/* Listens on the first entry of @address that works and returns the
 * listening socket (blocking mode) and, in @out_client_address, the
 * address clients connect to. The caller appends ",guid=" to it when it
 * publishes it, and removes the socket file with
 * _zbus_address_remove_listen_socket() when it stops listening.
 *
 * Supported: unix:path=, unix:abstract=, unix:dir=, unix:tmpdir= (both a
 * random name in the directory, never abstract), unix:runtime=yes, and
 * tcp: with host=, bind=, port= (0 or absent: the system picks one, which
 * the client address gives) and family=. */
GSocket *
_zbus_address_listen (const char  *address,
                      char       **out_client_address,
                      GError     **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  Attempts attempts;
  GError *final_error;

  g_return_val_if_fail (address != NULL, NULL);
  g_return_val_if_fail (out_client_address != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  entries = _zbus_address_parse (address, error);
  if (entries == NULL)
    return NULL;

  attempts_init (&attempts);
  for (guint i = 0; i < entries->len; i++)
    {
      GError *local_error = NULL;
      GSocket *socket;

      socket = listen_entry (g_ptr_array_index (entries, i), out_client_address, &local_error);
      if (socket != NULL)
        {
          attempts_clear (&attempts);
          return socket;
        }
      attempts_add (&attempts, local_error);
    }

  final_error = attempts_to_error (&attempts, "listen on", address);
  attempts_clear (&attempts);
  g_propagate_error (error, final_error);
  return NULL;
}

/* Removes the socket file a listening unix:path= address left behind.
 * Only sockets are removed: a client address pointing at a regular file
 * (a mistake, or an attack) leaves it alone. */
void
_zbus_address_remove_listen_socket (const char *client_address)
{
  g_autoptr(GPtrArray) entries = NULL;

  g_return_if_fail (client_address != NULL);

  entries = _zbus_address_parse (client_address, NULL);
  if (entries == NULL)
    return;

  for (guint i = 0; i < entries->len; i++)
    {
      const ZbusAddressEntry *entry = g_ptr_array_index (entries, i);
      const char *path = _zbus_address_entry_lookup (entry, "path");
      struct stat st;

      if (strcmp (entry->transport, "unix") == 0 && path != NULL &&
          lstat (path, &st) == 0 && S_ISSOCK (st.st_mode))
        unlink (path);
    }
}
