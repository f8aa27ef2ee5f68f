/* test-auth.c
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "zbus-address-private.h"
#include "zbus-auth-private.h"

#define GUID "0123456789abcdef0123456789abcdef"

/* ---------------------------------------------------------------------- */
/* Scripted conversations
 *
 * A script is what one side is fed, step by step, and what it must answer
 * to each step. Strings use placeholders: @NUL@ a NUL byte, @UID@ our
 * uid as the EXTERNAL identity (hex of its decimal digits), @OTHER@ the
 * identity of uid + 1, @TRACE@ our ANONYMOUS trace, @GUID@ the GUID. */

typedef enum
{
  CREDS_OURS,   /* the server sees our own uid */
  CREDS_NONE,   /* the server was given no credentials */
  CREDS_OTHER,  /* the server sees uid + 1 */
} Creds;

typedef struct
{
  const char *input;   /* NULL in the first client step: _start() */
  const char *output;
} Step;

typedef struct
{
  const char *name;
  gboolean is_server;
  ZbusAuthMechanisms mechanisms;
  gboolean unix_fd;
  Creds creds;
  gboolean allow_any_uid;
  Step steps[40];
  ZbusAuthStatus status;      /* at the end */
  int error_code;             /* G_IO_ERROR_*, when status is ERROR */
  const char *trailing;       /* bytes after the exchange, appended to the last input */
  ZbusAuthMechanisms mechanism;
  gboolean fd_agreed;
  int uid;                    /* server: 0 our uid, 1 uid + 1, -1 none */
} Script;

static char *
hex_of (const char *s)
{
  GString *out = g_string_new (NULL);

  for (; *s != '\0'; s++)
    g_string_append_printf (out, "%02x", (guchar) *s);

  return g_string_free (out, FALSE);
}

static GByteArray *
expand (const char *text)
{
  g_autofree char *uid = g_strdup_printf ("%u", (guint) geteuid ());
  g_autofree char *other = g_strdup_printf ("%u", (guint) geteuid () + 1);
  g_autofree char *uid_hex = hex_of (uid);
  g_autofree char *other_hex = hex_of (other);
  g_autofree char *trace_hex = hex_of ("zbus-gobject");
  g_autoptr(GString) s = g_string_new (text);
  GByteArray *bytes;
  const char *nul;

  g_string_replace (s, "@UID@", uid_hex, 0);
  g_string_replace (s, "@OTHER@", other_hex, 0);
  g_string_replace (s, "@TRACE@", trace_hex, 0);
  g_string_replace (s, "@GUID@", GUID, 0);

  bytes = g_byte_array_new ();
  for (const char *p = s->str; *p != '\0'; p = nul + 5)
    {
      nul = strstr (p, "@NUL@");
      if (nul == NULL)
        {
          g_byte_array_append (bytes, (const guint8 *) p, strlen (p));
          break;
        }
      g_byte_array_append (bytes, (const guint8 *) p, nul - p);
      g_byte_array_append (bytes, (const guint8 *) "", 1);
    }

  return bytes;
}

typedef struct
{
  ZbusAuthClient *client;
  ZbusAuthServer *server;
} Machine;

static Machine
machine_new (const Script *script,
             GByteArray   *out)
{
  Machine m = { NULL, NULL };

  if (!script->is_server)
    {
      m.client = _zbus_auth_client_new (script->mechanisms, script->unix_fd);
      _zbus_auth_client_start (m.client, out);
      return m;
    }

  m.server = _zbus_auth_server_new (GUID, script->mechanisms, script->unix_fd);
  _zbus_auth_server_set_allow_any_uid (m.server, script->allow_any_uid);
  if (script->creds != CREDS_NONE)
    {
      g_autoptr(GCredentials) credentials = g_credentials_new ();

      if (script->creds == CREDS_OTHER)
        g_assert_true (g_credentials_set_unix_user (credentials, geteuid () + 1, NULL));
      _zbus_auth_server_set_peer_credentials (m.server, credentials);
    }

  return m;
}

static void
machine_free (Machine *m)
{
  g_clear_pointer (&m->client, _zbus_auth_client_free);
  g_clear_pointer (&m->server, _zbus_auth_server_free);
}

static ZbusAuthStatus
machine_feed (Machine       *m,
              const guint8  *data,
              gsize          len,
              gsize         *consumed,
              GByteArray    *out,
              GError       **error)
{
  if (m->client != NULL)
    return _zbus_auth_client_feed (m->client, data, len, consumed, out, error);
  return _zbus_auth_server_feed (m->server, data, len, consumed, out, error);
}

static void
assert_bytes_equal (GByteArray *actual,
                    GByteArray *expected)
{
  if (actual->len != expected->len ||
      (actual->len > 0 && memcmp (actual->data, expected->data, actual->len) != 0))
    {
      g_autofree char *a_raw = g_strndup ((char *) actual->data, actual->len);
      g_autofree char *e_raw = g_strndup ((char *) expected->data, expected->len);
      g_autofree char *a = g_strescape (a_raw, NULL);
      g_autofree char *e = g_strescape (e_raw, NULL);

      g_error ("got \"%s\", expected \"%s\"", a, e);
    }
}

static void
assert_outcome (const Script   *script,
                Machine        *m,
                ZbusAuthStatus  status,
                GError         *error)
{
  g_assert_cmpint (status, ==, script->status);
  if (status == ZBUS_AUTH_STATUS_ERROR)
    {
      g_assert_error (error, G_IO_ERROR, script->error_code);
      return;
    }
  g_assert_no_error (error);
  if (status != ZBUS_AUTH_STATUS_DONE)
    return;

  if (m->client != NULL)
    {
      g_assert_cmpstr (_zbus_auth_client_get_guid (m->client), ==, GUID);
      g_assert_cmpint (_zbus_auth_client_get_mechanism (m->client), ==, script->mechanism);
      g_assert_cmpint (_zbus_auth_client_get_unix_fd_agreed (m->client), ==, script->fd_agreed);
    }
  else
    {
      gint64 uid = script->uid < 0 ? -1 : (gint64) geteuid () + script->uid;

      g_assert_cmpint (_zbus_auth_server_get_mechanism (m->server), ==, script->mechanism);
      g_assert_cmpint (_zbus_auth_server_get_unix_fd_agreed (m->server), ==, script->fd_agreed);
      g_assert_cmpint (_zbus_auth_server_get_uid (m->server), ==, uid);
    }
}

/* All the input of a script, and all the output it must produce. */
static void
script_totals (const Script *script,
               GByteArray   *input,
               GByteArray   *first_output,
               GByteArray   *output)
{
  for (guint i = 0; script->steps[i].output != NULL; i++)
    {
      g_autoptr(GByteArray) in = expand (script->steps[i].input != NULL ?
                                         script->steps[i].input : "");
      g_autoptr(GByteArray) out = expand (script->steps[i].output);

      g_byte_array_append (input, in->data, in->len);
      if (i == 0 && script->steps[i].input == NULL)
        g_byte_array_append (first_output, out->data, out->len);
      else
        g_byte_array_append (output, out->data, out->len);
    }
  if (script->trailing != NULL)
    g_byte_array_append (input, (const guint8 *) script->trailing, strlen (script->trailing));
}

/* Step by step, checking each answer. */
static void
run_steps (const Script *script)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  ZbusAuthStatus status = ZBUS_AUTH_STATUS_NEED_INPUT;
  g_autoptr(GError) error = NULL;
  Machine m = machine_new (script, out);
  guint i = 0;

  if (script->steps[0].input == NULL)
    {
      g_autoptr(GByteArray) expected = expand (script->steps[0].output);

      assert_bytes_equal (out, expected);
      i = 1;
    }

  for (; script->steps[i].output != NULL; i++)
    {
      g_autoptr(GByteArray) in = expand (script->steps[i].input);
      g_autoptr(GByteArray) expected = expand (script->steps[i].output);
      gboolean last = script->steps[i + 1].output == NULL;
      gsize consumed = 0;

      if (last && script->trailing != NULL)
        g_byte_array_append (in, (const guint8 *) script->trailing, strlen (script->trailing));

      g_byte_array_set_size (out, 0);
      g_assert_cmpint (status, ==, ZBUS_AUTH_STATUS_NEED_INPUT);
      status = machine_feed (&m, in->data, in->len, &consumed, out, &error);
      assert_bytes_equal (out, expected);
      if (status == ZBUS_AUTH_STATUS_DONE)
        g_assert_cmpuint (consumed, ==,
                          in->len - (script->trailing != NULL ? strlen (script->trailing) : 0));
      else if (status == ZBUS_AUTH_STATUS_NEED_INPUT)
        g_assert_cmpuint (consumed, ==, in->len);
      if (!last)
        g_assert_cmpint (status, ==, ZBUS_AUTH_STATUS_NEED_INPUT);
    }

  assert_outcome (script, &m, status, error);

  /* Done or failed is final. */
  if (status != ZBUS_AUTH_STATUS_NEED_INPUT)
    {
      g_autoptr(GError) again_error = NULL;
      gsize consumed = 42;

      g_assert_cmpint (machine_feed (&m, (const guint8 *) "OK\r\n", 4, &consumed, out, &again_error),
                       ==, status);
      g_assert_cmpuint (consumed, ==, 0);
    }

  machine_free (&m);
}

/* All input in chunks cut at @cuts (sorted positions), as a socket may
 * deliver it: the answers, the outcome and where the exchange ends must
 * not depend on the cuts. */
static void
run_chunked (const Script *script,
             const gsize  *cuts,
             guint         n_cuts)
{
  g_autoptr(GByteArray) input = g_byte_array_new ();
  g_autoptr(GByteArray) first_output = g_byte_array_new ();
  g_autoptr(GByteArray) expected = g_byte_array_new ();
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GByteArray) start = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  ZbusAuthStatus status = ZBUS_AUTH_STATUS_NEED_INPUT;
  gsize trailing = script->trailing != NULL ? strlen (script->trailing) : 0;
  gsize offset = 0;
  Machine m;

  script_totals (script, input, first_output, expected);
  m = machine_new (script, start);
  assert_bytes_equal (start, first_output);

  for (guint c = 0; c <= n_cuts && status == ZBUS_AUTH_STATUS_NEED_INPUT; c++)
    {
      gsize end = c < n_cuts ? cuts[c] : input->len;
      gsize consumed = 0;

      if (end < offset)
        continue;
      status = machine_feed (&m, input->data + offset, end - offset, &consumed, out, &error);
      if (status == ZBUS_AUTH_STATUS_NEED_INPUT)
        g_assert_cmpuint (consumed, ==, end - offset);
      offset += consumed;
    }

  if (script->status == ZBUS_AUTH_STATUS_NEED_INPUT || script->status == ZBUS_AUTH_STATUS_DONE)
    assert_bytes_equal (out, expected);
  if (status == ZBUS_AUTH_STATUS_DONE)
    g_assert_cmpuint (offset, ==, input->len - trailing);
  assert_outcome (script, &m, status, error);
  machine_free (&m);
}

static void
run_script (gconstpointer data)
{
  const Script *script = data;
  g_autoptr(GByteArray) input = g_byte_array_new ();
  g_autoptr(GByteArray) ignored = g_byte_array_new ();
  g_autoptr(GByteArray) ignored2 = g_byte_array_new ();

  run_steps (script);

  script_totals (script, input, ignored, ignored2);

  /* Everything at once (a peer that pipelines), then cut in two at every
   * position, then one byte at a time. */
  run_chunked (script, NULL, 0);
  for (gsize cut = 0; cut <= input->len; cut++)
    run_chunked (script, &cut, 1);
  {
    g_autofree gsize *cuts = g_new (gsize, input->len + 1);

    for (gsize i = 0; i <= input->len; i++)
      cuts[i] = i;
    run_chunked (script, cuts, input->len + 1);
  }
}

#define EXTERNAL ZBUS_AUTH_MECHANISM_EXTERNAL
#define ANONYMOUS ZBUS_AUTH_MECHANISM_ANONYMOUS
#define BOTH (EXTERNAL | ANONYMOUS)
#define DONE ZBUS_AUTH_STATUS_DONE
#define FAIL ZBUS_AUTH_STATUS_ERROR
#define MORE ZBUS_AUTH_STATUS_NEED_INPUT

#define AUTH_EXTERNAL "@NUL@AUTH EXTERNAL @UID@\r\n"

static const Script client_scripts[] = {
  { "external", FALSE, BOTH, FALSE, 0, 0,
    { { NULL, AUTH_EXTERNAL }, { "OK @GUID@\r\n", "BEGIN\r\n" } },
    DONE, 0, NULL, EXTERNAL, FALSE, 0 },
  { "external-fd", FALSE, EXTERNAL, TRUE, 0, 0,
    { { NULL, AUTH_EXTERNAL },
      { "OK @GUID@\r\n", "NEGOTIATE_UNIX_FD\r\n" },
      { "AGREE_UNIX_FD\r\n", "BEGIN\r\n" } },
    DONE, 0, NULL, EXTERNAL, TRUE, 0 },
  { "fd-refused", FALSE, EXTERNAL, TRUE, 0, 0,
    { { NULL, AUTH_EXTERNAL },
      { "OK @GUID@\r\n", "NEGOTIATE_UNIX_FD\r\n" },
      { "ERROR \"no fds here\"\r\n", "BEGIN\r\n" } },
    DONE, 0, NULL, EXTERNAL, FALSE, 0 },
  { "fd-garbage", FALSE, EXTERNAL, TRUE, 0, 0,
    { { NULL, AUTH_EXTERNAL },
      { "OK @GUID@\r\n", "NEGOTIATE_UNIX_FD\r\n" },
      { "OK @GUID@\r\n", "" } },
    FAIL, G_IO_ERROR_INVALID_DATA },
  { "fallback-anonymous", FALSE, BOTH, FALSE, 0, 0,
    { { NULL, AUTH_EXTERNAL },
      { "REJECTED DBUS_COOKIE_SHA1 ANONYMOUS\r\n", "AUTH ANONYMOUS @TRACE@\r\n" },
      { "OK @GUID@\r\n", "BEGIN\r\n" } },
    DONE, 0, NULL, ANONYMOUS, FALSE, 0 },
  { "anonymous-only", FALSE, ANONYMOUS, TRUE, 0, 0,
    { { NULL, "@NUL@AUTH ANONYMOUS @TRACE@\r\n" },
      { "OK @GUID@\r\n", "NEGOTIATE_UNIX_FD\r\n" },
      { "AGREE_UNIX_FD\r\n", "BEGIN\r\n" } },
    DONE, 0, NULL, ANONYMOUS, TRUE, 0 },
  { "rejected-not-offered", FALSE, ANONYMOUS, FALSE, 0, 0,
    { { NULL, "@NUL@AUTH ANONYMOUS @TRACE@\r\n" }, { "REJECTED EXTERNAL\r\n", "" } },
    FAIL, G_IO_ERROR_PERMISSION_DENIED },
  { "rejected-all", FALSE, BOTH, FALSE, 0, 0,
    { { NULL, AUTH_EXTERNAL },
      { "REJECTED EXTERNAL ANONYMOUS\r\n", "AUTH ANONYMOUS @TRACE@\r\n" },
      { "REJECTED EXTERNAL ANONYMOUS\r\n", "" } },
    FAIL, G_IO_ERROR_PERMISSION_DENIED },
  { "rejected-empty-list", FALSE, BOTH, FALSE, 0, 0,
    { { NULL, AUTH_EXTERNAL }, { "REJECTED\r\n", "" } },
    FAIL, G_IO_ERROR_PERMISSION_DENIED },
  { "data-empty", FALSE, EXTERNAL, FALSE, 0, 0,
    { { NULL, AUTH_EXTERNAL }, { "DATA\r\n", "DATA\r\n" }, { "OK @GUID@\r\n", "BEGIN\r\n" } },
    DONE, 0, NULL, EXTERNAL, FALSE, 0 },
  { "data-challenge", FALSE, BOTH, FALSE, 0, 0,
    { { NULL, AUTH_EXTERNAL },
      { "DATA 6869\r\n", "CANCEL\r\n" },
      { "REJECTED EXTERNAL ANONYMOUS\r\n", "AUTH ANONYMOUS @TRACE@\r\n" },
      { "OK @GUID@\r\n", "BEGIN\r\n" } },
    DONE, 0, NULL, ANONYMOUS, FALSE, 0 },
  { "error-cancel", FALSE, EXTERNAL, FALSE, 0, 0,
    { { NULL, AUTH_EXTERNAL },
      { "ERROR \"huh\"\r\n", "CANCEL\r\n" },
      { "REJECTED EXTERNAL\r\n", "" } },
    FAIL, G_IO_ERROR_PERMISSION_DENIED },
  { "error-then-ok", FALSE, EXTERNAL, FALSE, 0, 0,
    { { NULL, AUTH_EXTERNAL }, { "ERROR\r\n", "CANCEL\r\n" }, { "OK @GUID@\r\n", "" } },
    FAIL, G_IO_ERROR_INVALID_DATA },
  { "unknown-command", FALSE, EXTERNAL, FALSE, 0, 0,
    { { NULL, AUTH_EXTERNAL },
      { "HELLO there\r\n", "ERROR \"Unexpected command\"\r\n" },
      { "AGREE_UNIX_FD\r\n", "ERROR \"Unexpected command\"\r\n" },
      { "OK @GUID@\r\n", "BEGIN\r\n" } },
    DONE, 0, NULL, EXTERNAL, FALSE, 0 },
  { "bad-guid", FALSE, EXTERNAL, FALSE, 0, 0,
    { { NULL, AUTH_EXTERNAL }, { "OK 0123\r\n", "" } },
    FAIL, G_IO_ERROR_INVALID_DATA },
  { "no-guid", FALSE, EXTERNAL, FALSE, 0, 0,
    { { NULL, AUTH_EXTERNAL }, { "OK\r\n", "" } },
    FAIL, G_IO_ERROR_INVALID_DATA },
  { "bare-newline", FALSE, EXTERNAL, FALSE, 0, 0,
    { { NULL, AUTH_EXTERNAL }, { "OK @GUID@\n", "" } },
    FAIL, G_IO_ERROR_INVALID_DATA },
  { "nul-in-line", FALSE, EXTERNAL, FALSE, 0, 0,
    { { NULL, AUTH_EXTERNAL }, { "OK @NUL@@GUID@\r\n", "" } },
    FAIL, G_IO_ERROR_INVALID_DATA },
  { "non-ascii", FALSE, EXTERNAL, FALSE, 0, 0,
    { { NULL, AUTH_EXTERNAL }, { "REJECTED EXT\xc3\xa9RNAL\r\n", "" } },
    FAIL, G_IO_ERROR_INVALID_DATA },
  { "garbage", FALSE, EXTERNAL, FALSE, 0, 0,
    { { NULL, AUTH_EXTERNAL }, { "\x16\x03\x01\x02\x7f\r\n", "" } },
    FAIL, G_IO_ERROR_INVALID_DATA },
  /* The server's first message bytes arrive with its last line: they are
   * not ours. */
  { "message-after-ok", FALSE, EXTERNAL, FALSE, 0, 0,
    { { NULL, AUTH_EXTERNAL }, { "OK @GUID@\r\n", "BEGIN\r\n" } },
    DONE, 0, "l\x04\x01\x01\x10\x20", EXTERNAL, FALSE, 0 },
  { "message-after-agree", FALSE, EXTERNAL, TRUE, 0, 0,
    { { NULL, AUTH_EXTERNAL },
      { "OK @GUID@\r\n", "NEGOTIATE_UNIX_FD\r\n" },
      { "AGREE_UNIX_FD\r\n", "BEGIN\r\n" } },
    DONE, 0, "OK @GUID@\r\nmore", EXTERNAL, TRUE, 0 },
  { "waiting", FALSE, EXTERNAL, FALSE, 0, 0,
    { { NULL, AUTH_EXTERNAL }, { "OK @GUI", "" } },
    MORE },
};

static const Script server_scripts[] = {
  { "external", TRUE, EXTERNAL, FALSE, CREDS_OURS, FALSE,
    { { "@NUL@AUTH EXTERNAL @UID@\r\n", "OK @GUID@\r\n" }, { "BEGIN\r\n", "" } },
    DONE, 0, NULL, EXTERNAL, FALSE, 0 },
  { "list-first", TRUE, BOTH, TRUE, CREDS_OURS, FALSE,
    { { "@NUL@AUTH\r\n", "REJECTED EXTERNAL ANONYMOUS\r\n" },
      { "AUTH EXTERNAL @UID@\r\n", "OK @GUID@\r\n" },
      { "NEGOTIATE_UNIX_FD\r\n", "AGREE_UNIX_FD\r\n" },
      { "BEGIN\r\n", "" } },
    DONE, 0, NULL, EXTERNAL, TRUE, 0 },
  { "fd-refused", TRUE, EXTERNAL, FALSE, CREDS_OURS, FALSE,
    { { "@NUL@AUTH EXTERNAL @UID@\r\n", "OK @GUID@\r\n" },
      { "NEGOTIATE_UNIX_FD\r\n", "ERROR \"Unix fd passing is not supported on this connection\"\r\n" },
      { "BEGIN\r\n", "" } },
    DONE, 0, NULL, EXTERNAL, FALSE, 0 },
  { "external-data", TRUE, EXTERNAL, FALSE, CREDS_OURS, FALSE,
    { { "@NUL@AUTH EXTERNAL\r\n", "DATA\r\n" },
      { "DATA\r\n", "OK @GUID@\r\n" },
      { "BEGIN\r\n", "" } },
    DONE, 0, NULL, EXTERNAL, FALSE, 0 },
  { "external-data-uid", TRUE, EXTERNAL, FALSE, CREDS_OURS, FALSE,
    { { "@NUL@AUTH EXTERNAL \r\n", "DATA\r\n" },
      { "DATA @UID@\r\n", "OK @GUID@\r\n" },
      { "BEGIN\r\n", "" } },
    DONE, 0, NULL, EXTERNAL, FALSE, 0 },
  { "external-data-wrong", TRUE, EXTERNAL, FALSE, CREDS_OURS, FALSE,
    { { "@NUL@AUTH EXTERNAL\r\n", "DATA\r\n" },
      { "DATA @OTHER@\r\n", "REJECTED EXTERNAL\r\n" },
      { "DATA\r\n", "ERROR \"Expected AUTH\"\r\n" } },
    MORE },
  { "data-cancel", TRUE, EXTERNAL, FALSE, CREDS_OURS, FALSE,
    { { "@NUL@AUTH EXTERNAL\r\n", "DATA\r\n" },
      { "NEGOTIATE_UNIX_FD\r\n", "ERROR \"Expected DATA\"\r\n" },
      { "CANCEL\r\n", "REJECTED EXTERNAL\r\n" },
      { "AUTH EXTERNAL\r\n", "DATA\r\n" },
      { "ERROR\r\n", "REJECTED EXTERNAL\r\n" },
      { "AUTH EXTERNAL\r\n", "DATA\r\n" },
      { "DATA zz\r\n", "REJECTED EXTERNAL\r\n" } },
    MORE },
  { "wrong-uid", TRUE, EXTERNAL, FALSE, CREDS_OURS, FALSE,
    { { "@NUL@AUTH EXTERNAL @OTHER@\r\n", "REJECTED EXTERNAL\r\n" } },
    MORE },
  { "other-user-refused", TRUE, EXTERNAL, FALSE, CREDS_OTHER, FALSE,
    { { "@NUL@AUTH EXTERNAL @OTHER@\r\n", "REJECTED EXTERNAL\r\n" },
      { "AUTH EXTERNAL\r\n", "DATA\r\n" },
      { "DATA\r\n", "REJECTED EXTERNAL\r\n" } },
    MORE },
  { "other-user-allowed", TRUE, EXTERNAL, FALSE, CREDS_OTHER, TRUE,
    { { "@NUL@AUTH EXTERNAL @UID@\r\n", "REJECTED EXTERNAL\r\n" },
      { "AUTH EXTERNAL @OTHER@\r\n", "OK @GUID@\r\n" },
      { "BEGIN\r\n", "" } },
    DONE, 0, NULL, EXTERNAL, FALSE, 1 },
  { "no-credentials", TRUE, BOTH, FALSE, CREDS_NONE, FALSE,
    { { "@NUL@AUTH EXTERNAL @UID@\r\n", "REJECTED EXTERNAL ANONYMOUS\r\n" },
      { "AUTH ANONYMOUS @TRACE@\r\n", "OK @GUID@\r\n" },
      { "BEGIN\r\n", "" } },
    DONE, 0, NULL, ANONYMOUS, FALSE, -1 },
  { "anonymous-refused", TRUE, EXTERNAL, FALSE, CREDS_OURS, FALSE,
    { { "@NUL@AUTH ANONYMOUS @TRACE@\r\n", "REJECTED EXTERNAL\r\n" },
      { "AUTH DBUS_COOKIE_SHA1 30\r\n", "REJECTED EXTERNAL\r\n" } },
    MORE },
  { "anonymous-no-trace", TRUE, ANONYMOUS, TRUE, CREDS_OURS, FALSE,
    { { "@NUL@AUTH ANONYMOUS\r\n", "OK @GUID@\r\n" },
      { "NEGOTIATE_UNIX_FD\r\n", "AGREE_UNIX_FD\r\n" },
      { "BEGIN\r\n", "" } },
    DONE, 0, NULL, ANONYMOUS, TRUE, -1 },
  { "bad-identities", TRUE, EXTERNAL, FALSE, CREDS_OURS, FALSE,
    { { "@NUL@AUTH EXTERNAL 3\r\n", "REJECTED EXTERNAL\r\n" },
      { "AUTH EXTERNAL 2b30\r\n", "REJECTED EXTERNAL\r\n" },             /* "+0" */
      { "AUTH EXTERNAL 2030\r\n", "REJECTED EXTERNAL\r\n" },             /* " 0" */
      { "AUTH EXTERNAL 3030303030303030303030\r\n", "REJECTED EXTERNAL\r\n" },
      { "AUTH EXTERNAL 00\r\n", "REJECTED EXTERNAL\r\n" },
      { "AUTH EXTERNAL @UID@ 30\r\n", "REJECTED EXTERNAL\r\n" } },
    MORE },
  { "too-many-rejections", TRUE, EXTERNAL, FALSE, CREDS_OURS, FALSE,
    { { "@NUL@AUTH X\r\n", "REJECTED EXTERNAL\r\n" },
      { "AUTH X\r\n", "REJECTED EXTERNAL\r\n" },
      { "AUTH X\r\n", "REJECTED EXTERNAL\r\n" },
      { "AUTH X\r\n", "REJECTED EXTERNAL\r\n" },
      { "AUTH X\r\n", "REJECTED EXTERNAL\r\n" },
      { "AUTH X\r\n", "REJECTED EXTERNAL\r\n" },
      { "AUTH X\r\n", "REJECTED EXTERNAL\r\n" },
      { "AUTH X\r\n", "REJECTED EXTERNAL\r\n" },
      { "AUTH X\r\n", "REJECTED EXTERNAL\r\n" } },
    FAIL, G_IO_ERROR_PERMISSION_DENIED },
  { "begin-first", TRUE, EXTERNAL, FALSE, CREDS_OURS, FALSE,
    { { "@NUL@BEGIN\r\n", "" } },
    FAIL, G_IO_ERROR_PERMISSION_DENIED },
  { "begin-during-data", TRUE, EXTERNAL, FALSE, CREDS_OURS, FALSE,
    { { "@NUL@AUTH EXTERNAL\r\n", "DATA\r\n" }, { "BEGIN\r\n", "" } },
    FAIL, G_IO_ERROR_PERMISSION_DENIED },
  { "cancel-after-ok", TRUE, EXTERNAL, TRUE, CREDS_OURS, FALSE,
    { { "@NUL@AUTH EXTERNAL @UID@\r\n", "OK @GUID@\r\n" },
      { "NEGOTIATE_UNIX_FD\r\n", "AGREE_UNIX_FD\r\n" },
      { "CANCEL\r\n", "REJECTED EXTERNAL\r\n" },
      { "BEGIN\r\n", "" } },
    FAIL, G_IO_ERROR_PERMISSION_DENIED },
  { "unknown-commands", TRUE, EXTERNAL, FALSE, CREDS_OURS, FALSE,
    { { "@NUL@NEGOTIATE_UNIX_FD\r\n", "ERROR \"Expected AUTH\"\r\n" },
      { "DATA\r\n", "ERROR \"Expected AUTH\"\r\n" },
      { "CANCEL\r\n", "ERROR \"Expected AUTH\"\r\n" },
      { "ERROR \"x\"\r\n", "REJECTED EXTERNAL\r\n" },
      { "auth EXTERNAL\r\n", "ERROR \"Expected AUTH\"\r\n" },
      { "AUTH EXTERNAL @UID@\r\n", "OK @GUID@\r\n" },
      { "AUTH EXTERNAL @UID@\r\n", "ERROR \"Expected BEGIN\"\r\n" },
      { "NEGOTIATE_UNIX_FD please\r\n", "ERROR \"Expected BEGIN\"\r\n" },
      { "BEGIN\r\n", "" } },
    DONE, 0, NULL, EXTERNAL, FALSE, 0 },
  { "first-byte", TRUE, EXTERNAL, FALSE, CREDS_OURS, FALSE,
    { { "AUTH EXTERNAL @UID@\r\n", "" } },
    FAIL, G_IO_ERROR_INVALID_DATA },
  { "garbage", TRUE, EXTERNAL, FALSE, CREDS_OURS, FALSE,
    { { "@NUL@GET / HTTP/1.1\r\nHost: x\x7f\r\n", "ERROR \"Expected AUTH\"\r\n" } },
    FAIL, G_IO_ERROR_INVALID_DATA },
  { "tab", TRUE, EXTERNAL, FALSE, CREDS_OURS, FALSE,
    { { "@NUL@AUTH\tEXTERNAL\r\n", "" } },
    FAIL, G_IO_ERROR_INVALID_DATA },
  /* A client pipelining its whole side and its first message. */
  { "pipelined", TRUE, EXTERNAL, TRUE, CREDS_OURS, FALSE,
    { { "@NUL@AUTH EXTERNAL\r\nDATA\r\nNEGOTIATE_UNIX_FD\r\nBEGIN\r\n",
        "DATA\r\nOK @GUID@\r\nAGREE_UNIX_FD\r\n" } },
    DONE, 0, "l\x01\x02\x01\x10\x20\x30" "BEGIN\r\n", EXTERNAL, TRUE, 0 },
  { "message-after-begin", TRUE, EXTERNAL, FALSE, CREDS_OURS, FALSE,
    { { "@NUL@AUTH EXTERNAL @UID@\r\n", "OK @GUID@\r\n" }, { "BEGIN\r\n", "" } },
    DONE, 0, "\r\nBEGIN\r\n", EXTERNAL, FALSE, 0 },
  { "nothing-yet", TRUE, EXTERNAL, FALSE, CREDS_OURS, FALSE,
    { { "@NUL@AU", "" } },
    MORE },
};

/* ---------------------------------------------------------------------- */
/* Limits */

static void
test_line_limit (void)
{
  for (guint side = 0; side < 2; side++)
    {
      Script script = { "limit", side == 1, BOTH, FALSE, CREDS_OURS, FALSE, { { 0 } } };
      g_autoptr(GByteArray) out = g_byte_array_new ();
      Machine m = machine_new (&script, out);
      g_autofree char *longest = g_strnfill (ZBUS_AUTH_MAX_LINE_LENGTH, 'A');
      g_autoptr(GError) error = NULL;
      gsize consumed;

      if (side == 1)
        g_assert_cmpint (machine_feed (&m, (const guint8 *) "", 1, &consumed, out, &error), ==,
                         MORE);

      /* The longest line is accepted (and answered with ERROR)... */
      g_byte_array_set_size (out, 0);
      g_assert_cmpint (machine_feed (&m, (const guint8 *) longest, strlen (longest), &consumed,
                                     out, &error), ==, MORE);
      g_assert_cmpint (machine_feed (&m, (const guint8 *) "\r\n", 2, &consumed, out, &error), ==,
                       MORE);
      g_assert_no_error (error);
      g_assert_cmpuint (out->len, >, 0);

      /* ...one byte more is not, and fails before the line ends, so a
       * peer that never sends "\n" cannot make us buffer without bound. */
      g_assert_cmpint (machine_feed (&m, (const guint8 *) longest, strlen (longest), &consumed,
                                     out, &error), ==, MORE);
      g_assert_cmpint (machine_feed (&m, (const guint8 *) "AAA", 3, &consumed, out, &error), ==,
                       FAIL);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);

      machine_free (&m);
    }
}

static void
test_exchange_limit (void)
{
  for (guint side = 0; side < 2; side++)
    {
      Script script = { "limit", side == 1, BOTH, FALSE, CREDS_OURS, FALSE, { { 0 } } };
      g_autoptr(GByteArray) out = g_byte_array_new ();
      Machine m = machine_new (&script, out);
      g_autoptr(GError) error = NULL;
      ZbusAuthStatus status = MORE;
      gsize consumed;
      guint lines = 0;

      if (side == 1)
        machine_feed (&m, (const guint8 *) "", 1, &consumed, out, &error);

      /* A peer that answers every line with a line we answer with ERROR
       * would keep us talking forever. */
      while (status == MORE && lines < 1000)
        {
          status = machine_feed (&m, (const guint8 *) "NOPE\r\n", 6, &consumed, out, &error);
          lines++;
        }

      g_assert_cmpint (status, ==, FAIL);
      g_assert_cmpuint (lines, ==, ZBUS_AUTH_MAX_LINES + 1);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      machine_free (&m);
    }
}

/* Random bytes never crash either side, and every run ends (status
 * settles) with bounded output. The fuzz target goes further. */
static void
test_garbage (void)
{
  for (guint i = 0; i < 2000; i++)
    {
      Script script = { "garbage", i % 2 == 1, BOTH, TRUE, CREDS_OURS, TRUE, { { 0 } } };
      g_autoptr(GByteArray) out = g_byte_array_new ();
      Machine m = machine_new (&script, out);
      guint8 data[256];
      gsize len = g_test_rand_int_range (0, sizeof data);
      static const char alphabet[] = "\r\n AUTHEXTRNLOKDCBGIAFWPS0123456789abcdef\0";
      g_autoptr(GError) error = NULL;
      gsize consumed;

      for (gsize k = 0; k < len; k++)
        {
          data[k] = g_test_rand_bit () ? (guint8) g_test_rand_int_range (0, 256) :
                                         (guint8) alphabet[g_test_rand_int_range (0, sizeof alphabet)];
        }

      machine_feed (&m, data, len, &consumed, out, &error);
      g_assert_cmpuint (consumed, <=, len);
      g_assert_cmpuint (out->len, <=, 64 * 1024);
      machine_free (&m);
    }
}

/* ---------------------------------------------------------------------- */
/* Raw messages, to prove the stream after authentication is intact */

static void
align (GByteArray *b,
       guint       n)
{
  static const guint8 zero[8] = { 0, };

  if (b->len % n != 0)
    g_byte_array_append (b, zero, n - b->len % n);
}

static void
put_u32 (GByteArray *b,
         guint32     v)
{
  guint8 le[4] = { v, v >> 8, v >> 16, v >> 24 };

  align (b, 4);
  g_byte_array_append (b, le, 4);
}

static void
put_string_field (GByteArray *b,
                  guint8      code,
                  char        type,
                  const char *value)
{
  guint8 head[4] = { code, 1, (guint8) type, 0 };

  align (b, 8);
  g_byte_array_append (b, head, 4);
  if (type == 'g')
    {
      guint8 len = strlen (value);

      g_byte_array_append (b, &len, 1);
    }
  else
    {
      put_u32 (b, strlen (value));
    }
  g_byte_array_append (b, (const guint8 *) value, strlen (value) + 1);
}

static void
put_u32_field (GByteArray *b,
               guint8      code,
               guint32     value)
{
  guint8 head[4] = { code, 1, 'u', 0 };

  align (b, 8);
  g_byte_array_append (b, head, 4);
  put_u32 (b, value);
}

/* A little-endian message built by hand: not with the library's codec,
 * which this test must not depend on. @body_string adds an "s" body. */
static GByteArray *
build_message (guint8      type,
               guint32     serial,
               const char *path,
               const char *interface,
               const char *member,
               const char *destination,
               guint32     reply_serial,
               const char *body_string)
{
  GByteArray *b = g_byte_array_new ();
  guint8 fixed[4] = { 'l', type, 0, 1 };
  guint fields_start;
  guint32 fields_len;
  guint body_start;

  g_byte_array_append (b, fixed, 4);
  put_u32 (b, 0); /* body length, patched below */
  put_u32 (b, serial);
  put_u32 (b, 0); /* fields length, patched below */
  fields_start = b->len;

  if (path != NULL)
    put_string_field (b, 1, 'o', path);
  if (interface != NULL)
    put_string_field (b, 2, 's', interface);
  if (member != NULL)
    put_string_field (b, 3, 's', member);
  if (reply_serial != 0)
    put_u32_field (b, 5, reply_serial);
  if (destination != NULL)
    put_string_field (b, 6, 's', destination);
  if (body_string != NULL)
    put_string_field (b, 8, 'g', "s");

  fields_len = b->len - fields_start;
  memcpy (b->data + 12, &(guint32) { GUINT32_TO_LE (fields_len) }, 4);
  align (b, 8);

  body_start = b->len;
  if (body_string != NULL)
    {
      put_u32 (b, strlen (body_string));
      g_byte_array_append (b, (const guint8 *) body_string, strlen (body_string) + 1);
    }
  memcpy (b->data + 4, &(guint32) { GUINT32_TO_LE (b->len - body_start) }, 4);

  return b;
}

static guint32
get_u32 (const guint8 *p,
         gboolean      big_endian)
{
  guint32 v;

  memcpy (&v, p, 4);
  return big_endian ? GUINT32_FROM_BE (v) : GUINT32_FROM_LE (v);
}

typedef struct
{
  guint8 type;
  guint32 serial;
  guint32 reply_serial;
  char *body_string; /* the first string of an "s..." body */
} ParsedMessage;

static void
parsed_message_clear (ParsedMessage *m)
{
  g_clear_pointer (&m->body_string, g_free);
}

/* Reads exactly @len bytes into @buffer, taking @pending (bytes already
 * received) first. */
static void
read_exactly (GSocket    *socket,
              GByteArray *pending,
              guint8     *buffer,
              gsize       len)
{
  gsize have = MIN (len, pending->len);

  if (have > 0)
    {
      memcpy (buffer, pending->data, have);
      g_byte_array_remove_range (pending, 0, have);
    }

  while (have < len)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_receive (socket, (char *) buffer + have, len - have, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      have += n;
    }
}

/* Reads one message and picks out what the tests check. */
static ParsedMessage
read_message (GSocket    *socket,
              GByteArray *pending)
{
  ParsedMessage m = { 0, };
  guint8 fixed[16];
  g_autofree guint8 *rest = NULL;
  gboolean be;
  guint32 body_len, fields_len, total;
  guint pos;

  read_exactly (socket, pending, fixed, sizeof fixed);
  g_assert_true (fixed[0] == 'l' || fixed[0] == 'B');
  be = fixed[0] == 'B';
  g_assert_cmpint (fixed[3], ==, 1);
  m.type = fixed[1];
  body_len = get_u32 (fixed + 4, be);
  m.serial = get_u32 (fixed + 8, be);
  fields_len = get_u32 (fixed + 12, be);
  g_assert_cmpuint (fields_len, <, 65536);
  g_assert_cmpuint (body_len, <, 65536);
  total = 16 + ((fields_len + 7) & ~7u) + body_len;

  rest = g_malloc (total);
  memcpy (rest, fixed, 16);
  read_exactly (socket, pending, rest + 16, total - 16);

  /* Header fields: (code, signature, value), each 8-aligned. */
  for (pos = 16; pos < 16 + fields_len; pos = (pos + 7) & ~7u)
    {
      guint8 code = rest[pos];
      char type = rest[pos + 2];
      guint value = pos + 4;

      if (type == 'g')
        {
          pos = value + 1 + rest[value] + 1;
          continue;
        }

      value = (value + 3) & ~3u;
      if (type == 'u')
        {
          if (code == 5)
            m.reply_serial = get_u32 (rest + value, be);
          pos = value + 4;
        }
      else
        {
          g_assert_true (type == 's' || type == 'o');
          pos = value + 4 + get_u32 (rest + value, be) + 1;
        }
    }

  pos = 16 + ((fields_len + 7) & ~7u);
  if (body_len >= 5)
    m.body_string = g_strndup ((const char *) rest + pos + 4, get_u32 (rest + pos, be));

  return m;
}

static void
send_all (GSocket      *socket,
          const guint8 *data,
          gsize         len)
{
  while (len > 0)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_send (socket, (const char *) data, len, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      data += n;
      len -= n;
    }
}

/* The small blocking loop a connection would run, for the client side.
 * Bytes after the exchange go to @pending. */
static ZbusAuthStatus
drive_client (GSocket         *socket,
              ZbusAuthClient  *client,
              GByteArray      *pending,
              GError         **error)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  ZbusAuthStatus status = MORE;

  _zbus_auth_client_start (client, out);
  send_all (socket, out->data, out->len);

  while (status == MORE)
    {
      guint8 buffer[4096];
      gssize n = g_socket_receive (socket, (char *) buffer, sizeof buffer, NULL, error);
      gsize consumed = 0;

      if (n <= 0)
        {
          if (n == 0)
            g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED, "EOF");
          return FAIL;
        }

      g_byte_array_set_size (out, 0);
      status = _zbus_auth_client_feed (client, buffer, n, &consumed, out, error);
      send_all (socket, out->data, out->len);
      if (status == DONE)
        g_byte_array_append (pending, buffer + consumed, n - consumed);
    }

  return status;
}

static ZbusAuthStatus
drive_server (GSocket         *socket,
              ZbusAuthServer  *server,
              GByteArray      *pending,
              GError         **error)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  ZbusAuthStatus status = MORE;

  while (status == MORE)
    {
      guint8 buffer[4096];
      gssize n = g_socket_receive (socket, (char *) buffer, sizeof buffer, NULL, error);
      gsize consumed = 0;

      if (n <= 0)
        {
          if (n == 0)
            g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED, "EOF");
          return FAIL;
        }

      g_byte_array_set_size (out, 0);
      status = _zbus_auth_server_feed (server, buffer, n, &consumed, out, error);
      send_all (socket, out->data, out->len);
      if (status == DONE)
        g_byte_array_append (pending, buffer + consumed, n - consumed);
    }

  return status;
}

/* ---------------------------------------------------------------------- */
/* Interop (a): our client against GDBusServer */

typedef struct
{
  const char *address;
  ZbusAuthMechanisms mechanisms;
  char *guid;                  /* the server's, as our client saw it */
  gboolean fd_agreed;
  ZbusAuthMechanisms mechanism;
  GError *error;
  guint8 reply_type;
  gboolean done;
} ClientThreadData;

static gpointer
gdbus_client_thread (gpointer user_data)
{
  ClientThreadData *data = user_data;
  g_autoptr(ZbusAuthClient) client = _zbus_auth_client_new (data->mechanisms, TRUE);
  g_autoptr(GByteArray) pending = g_byte_array_new ();
  g_autoptr(GByteArray) ping = NULL;
  g_autoptr(GSocket) socket = NULL;
  ParsedMessage reply;

  socket = _zbus_address_connect_sync (data->address, NULL, NULL, &data->error);
  if (socket == NULL)
    goto out;

  if (drive_client (socket, client, pending, &data->error) != DONE)
    goto out;

  data->guid = g_strdup (_zbus_auth_client_get_guid (client));
  data->fd_agreed = _zbus_auth_client_get_unix_fd_agreed (client);
  data->mechanism = _zbus_auth_client_get_mechanism (client);

  /* GDBus answers org.freedesktop.DBus.Peer itself on every path. */
  ping = build_message (1, 7, "/", "org.freedesktop.DBus.Peer", "Ping", NULL, 0, NULL);
  send_all (socket, ping->data, ping->len);
  reply = read_message (socket, pending);
  g_assert_cmpuint (reply.reply_serial, ==, 7);
  data->reply_type = reply.type;
  parsed_message_clear (&reply);

out:
  g_atomic_int_set (&data->done, TRUE);
  g_main_context_wakeup (NULL);
  return NULL;
}

static gboolean
new_connection_cb (GDBusServer     *server,
                   GDBusConnection *connection,
                   gpointer         user_data)
{
  GPtrArray *connections = user_data;

  g_ptr_array_add (connections, g_object_ref (connection));
  return TRUE;
}

static void
test_interop_gdbus_server (gconstpointer test_data)
{
  ZbusAuthMechanisms mechanisms = GPOINTER_TO_UINT (test_data);
  g_autofree char *guid = g_dbus_generate_guid ();
  g_autoptr(GDBusServer) server = NULL;
  g_autoptr(GPtrArray) connections = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  ClientThreadData data = { 0, };
  GThread *thread;
  GDBusServerFlags flags = G_DBUS_SERVER_FLAGS_NONE;

  if (mechanisms & ANONYMOUS)
    flags |= G_DBUS_SERVER_FLAGS_AUTHENTICATION_ALLOW_ANONYMOUS;
  server = g_dbus_server_new_sync ("unix:tmpdir=/tmp", flags, guid, NULL, NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (server, "new-connection", G_CALLBACK (new_connection_cb), connections);
  g_dbus_server_start (server);

  data.address = g_dbus_server_get_client_address (server);
  data.mechanisms = mechanisms;
  g_test_message ("GDBusServer at %s", data.address);

  /* Our client blocks on its socket in a thread; GDBusServer accepts in
   * this thread's main context. */
  thread = g_thread_new ("zbus-client", gdbus_client_thread, &data);
  while (!g_atomic_int_get (&data.done))
    g_main_context_iteration (NULL, TRUE);
  g_thread_join (thread);

  g_assert_no_error (data.error);
  g_assert_cmpstr (data.guid, ==, guid);
  g_assert_true (data.fd_agreed);
  g_assert_cmpint (data.mechanism, ==, mechanisms == BOTH ? EXTERNAL : mechanisms);
  g_assert_cmpint (data.reply_type, ==, 2); /* METHOD_RETURN */
  g_assert_cmpuint (connections->len, ==, 1);

  g_dbus_server_stop (server);
  g_free (data.guid);
}

/* ---------------------------------------------------------------------- */
/* Interop (b): GDBus's client against our server */

typedef struct
{
  GSocket *socket;
  ZbusAuthMechanisms allowed;
  gboolean allow_unix_fd;
  ZbusAuthMechanisms mechanism;
  gboolean fd_agreed;
  gint64 uid;
  GError *error;
} ServerThreadData;

static gpointer
our_server_thread (gpointer user_data)
{
  ServerThreadData *data = user_data;
  g_autoptr(ZbusAuthServer) server = _zbus_auth_server_new (GUID, data->allowed,
                                                             data->allow_unix_fd);
  g_autoptr(GByteArray) pending = g_byte_array_new ();
  g_autoptr(GCredentials) credentials = NULL;
  g_autoptr(GByteArray) reply = NULL;
  ParsedMessage call;

  credentials = g_socket_get_credentials (data->socket, &data->error);
  if (credentials == NULL)
    return NULL;
  _zbus_auth_server_set_peer_credentials (server, credentials);

  if (drive_server (data->socket, server, pending, &data->error) != DONE)
    return NULL;

  data->mechanism = _zbus_auth_server_get_mechanism (server);
  data->fd_agreed = _zbus_auth_server_get_unix_fd_agreed (server);
  data->uid = _zbus_auth_server_get_uid (server);

  /* The GDBus client's first message starts right after BEGIN. */
  call = read_message (data->socket, pending);
  g_assert_cmpint (call.type, ==, 1);
  reply = build_message (2, 1, NULL, NULL, NULL, NULL, call.serial, "hello from zbus");
  send_all (data->socket, reply->data, reply->len);
  parsed_message_clear (&call);

  return NULL;
}

static void
test_interop_gdbus_client (gconstpointer test_data)
{
  guint variant = GPOINTER_TO_UINT (test_data);
  ServerThreadData data = { 0, };
  g_autoptr(GSocket) client_socket = NULL;
  g_autoptr(GSocket) server_socket = NULL;
  g_autoptr(GSocketConnection) stream = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GVariant) result = NULL;
  g_autoptr(GError) error = NULL;
  const char *hello = NULL;
  GThread *thread;
  int fds[2];

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), ==, 0);
  client_socket = g_socket_new_from_fd (fds[0], &error);
  g_assert_no_error (error);
  server_socket = g_socket_new_from_fd (fds[1], &error);
  g_assert_no_error (error);

  data.socket = server_socket;
  data.allowed = variant == 2 ? ANONYMOUS : variant == 3 ? BOTH : EXTERNAL;
  data.allow_unix_fd = variant != 1;
  thread = g_thread_new ("zbus-server", our_server_thread, &data);

  /* GDBus authenticates in this thread, blocking, while ours answers. */
  stream = g_socket_connection_factory_create_connection (client_socket);
  connection = g_dbus_connection_new_sync (G_IO_STREAM (stream), NULL,
                                           G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT,
                                           NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_dbus_connection_get_guid (connection), ==, GUID);
  g_assert_cmpint (!!(g_dbus_connection_get_capabilities (connection) &
                      G_DBUS_CAPABILITY_FLAGS_UNIX_FD_PASSING), ==, data.allow_unix_fd);

  result = g_dbus_connection_call_sync (connection, NULL, "/", "org.example.Test", "Hello",
                                        NULL, G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NONE,
                                        10000, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (result, "(&s)", &hello);
  g_assert_cmpstr (hello, ==, "hello from zbus");

  g_thread_join (thread);
  g_assert_no_error (data.error);
  g_assert_cmpint (data.fd_agreed, ==, data.allow_unix_fd);
  if (data.allowed & EXTERNAL)
    {
      g_assert_cmpint (data.mechanism, ==, EXTERNAL);
      g_assert_cmpint (data.uid, ==, geteuid ());
    }
  else
    {
      g_assert_cmpint (data.mechanism, ==, ANONYMOUS);
      g_assert_cmpint (data.uid, ==, -1);
    }

  g_dbus_connection_close_sync (connection, NULL, NULL);
}

/* ---------------------------------------------------------------------- */
/* Interop (c): our client against dbus-daemon */

/* A failed assertion aborts the test without killing the bus; the kernel
 * does it for us. Runs in the child between fork and exec. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void
test_interop_dbus_daemon (void)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) daemon = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  g_autofree char *address_guid = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(ZbusAuthClient) client = _zbus_auth_client_new (EXTERNAL, TRUE);
  g_autoptr(GByteArray) pending = g_byte_array_new ();
  g_autoptr(GByteArray) hello = NULL;
  g_autofree char *daemon_path = g_find_program_in_path ("dbus-daemon");
  g_autofree char *dir = NULL;
  g_autofree char *listen_address = NULL;
  ParsedMessage reply;

  if (daemon_path == NULL)
    {
      g_test_skip ("dbus-daemon is not installed");
      return;
    }

  /* Listen in a directory of ours: dbus-daemon leaves its socket file
   * behind when killed. */
  dir = g_dir_make_tmp ("zbus-test-auth-XXXXXX", &error);
  g_assert_no_error (error);
  listen_address = g_strdup_printf ("--address=unix:dir=%s", dir);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  daemon = g_subprocess_launcher_spawn (launcher, &error,
                                        daemon_path, "--session", "--nofork", "--nopidfile",
                                        "--print-address=1", listen_address, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (daemon));
  address = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (address);
  g_test_message ("dbus-daemon at %s", address);

  socket = _zbus_address_connect_sync (address, &address_guid, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpint (drive_client (socket, client, pending, &error), ==, DONE);
  g_assert_no_error (error);
  /* The GUID in the address is the one the bus authenticates with. */
  g_assert_cmpstr (_zbus_auth_client_get_guid (client), ==, address_guid);
  g_assert_true (_zbus_auth_client_get_unix_fd_agreed (client));
  g_assert_cmpint (_zbus_auth_client_get_mechanism (client), ==, EXTERNAL);

  hello = build_message (1, 1, "/org/freedesktop/DBus", "org.freedesktop.DBus", "Hello",
                         "org.freedesktop.DBus", 0, NULL);
  send_all (socket, hello->data, hello->len);
  reply = read_message (socket, pending);
  g_assert_cmpint (reply.type, ==, 2);
  g_assert_cmpuint (reply.reply_serial, ==, 1);
  g_assert_nonnull (reply.body_string);
  g_assert_true (reply.body_string[0] == ':');
  g_test_message ("unique name %s", reply.body_string);
  parsed_message_clear (&reply);

  g_subprocess_send_signal (daemon, SIGTERM);
  g_subprocess_wait (daemon, NULL, &error);
  g_assert_no_error (error);

  _zbus_address_remove_listen_socket (address);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("The SASL exchange: scripted conversations for both sides fed in every "
                  "split, limits, and interop with GDBus and dbus-daemon");

  for (guint i = 0; i < G_N_ELEMENTS (client_scripts); i++)
    {
      g_autofree char *path = g_strdup_printf ("/Zbus/Auth/client/%s", client_scripts[i].name);
      g_test_add_data_func (path, &client_scripts[i], run_script);
    }
  for (guint i = 0; i < G_N_ELEMENTS (server_scripts); i++)
    {
      g_autofree char *path = g_strdup_printf ("/Zbus/Auth/server/%s", server_scripts[i].name);
      g_test_add_data_func (path, &server_scripts[i], run_script);
    }

  g_test_add_func ("/Zbus/Auth/limits/line", test_line_limit);
  g_test_add_func ("/Zbus/Auth/limits/exchange", test_exchange_limit);
  g_test_add_func ("/Zbus/Auth/garbage", test_garbage);

  g_test_add_data_func ("/Zbus/Auth/interop/gdbus-server/external",
                        GUINT_TO_POINTER (EXTERNAL), test_interop_gdbus_server);
  g_test_add_data_func ("/Zbus/Auth/interop/gdbus-server/anonymous",
                        GUINT_TO_POINTER (ANONYMOUS), test_interop_gdbus_server);
  g_test_add_data_func ("/Zbus/Auth/interop/gdbus-server/both",
                        GUINT_TO_POINTER (BOTH), test_interop_gdbus_server);
  g_test_add_data_func ("/Zbus/Auth/interop/gdbus-client/external-fd",
                        GUINT_TO_POINTER (0), test_interop_gdbus_client);
  g_test_add_data_func ("/Zbus/Auth/interop/gdbus-client/external-no-fd",
                        GUINT_TO_POINTER (1), test_interop_gdbus_client);
  g_test_add_data_func ("/Zbus/Auth/interop/gdbus-client/anonymous",
                        GUINT_TO_POINTER (2), test_interop_gdbus_client);
  g_test_add_data_func ("/Zbus/Auth/interop/gdbus-client/both",
                        GUINT_TO_POINTER (3), test_interop_gdbus_client);
  g_test_add_func ("/Zbus/Auth/interop/dbus-daemon", test_interop_dbus_daemon);

  return g_test_run ();
}
