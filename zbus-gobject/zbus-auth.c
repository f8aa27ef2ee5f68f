/* zbus-auth.c
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The D-Bus SASL exchange, client and server, as state machines fed with
 * bytes. The states and transitions are those of the specification's
 * "Authentication state diagrams"; where the specification leaves a case
 * open we say what we do and why.
 *
 * The connection owns the socket: it feeds the bytes it read and sends
 * what we append to `out`. We never read past the last line of the
 * exchange, and `consumed` tells the caller where that line ended, so the
 * first bytes of the message stream, which a peer may send in the same
 * packet, are never lost.
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "zbus-address-private.h"
#include "zbus-auth-private.h"

/* A server refuses a client after this many rejected attempts, which no
 * honest client needs (it has one try per mechanism). */
#define MAX_REJECTIONS 8

static const struct
{
  ZbusAuthMechanisms flag;
  const char *name;
} mechanism_names[] = {
  /* In order of preference. */
  { ZBUS_AUTH_MECHANISM_EXTERNAL, "EXTERNAL" },
  { ZBUS_AUTH_MECHANISM_ANONYMOUS, "ANONYMOUS" },
};

static ZbusAuthMechanisms
mechanism_from_name (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (mechanism_names); i++)
    {
      if (strcmp (mechanism_names[i].name, name) == 0)
        return mechanism_names[i].flag;
    }

  return ZBUS_AUTH_MECHANISM_NONE;
}

/* "EXTERNAL ANONYMOUS" for a set of mechanisms. */
static char *
mechanism_list (ZbusAuthMechanisms set)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (mechanism_names); i++)
    {
      if ((set & mechanism_names[i].flag) == 0)
        continue;
      if (out->len > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, mechanism_names[i].name);
    }

  return g_string_free (out, FALSE);
}

/* ---------------------------------------------------------------------- */
/* Lines and hex */

typedef struct
{
  GByteArray *partial; /* (owned) bytes of the line being received */
  guint n_lines;
} LineReader;

typedef enum
{
  LINE_INCOMPLETE,
  LINE_READY,
  LINE_BAD,
} LineResult;

static void
line_reader_init (LineReader *reader)
{
  reader->partial = g_byte_array_new ();
  reader->n_lines = 0;
}

static void
line_reader_clear (LineReader *reader)
{
  g_clear_pointer (&reader->partial, g_byte_array_unref);
}

/* Takes the bytes of @data from *@pos up to the end of the next line, and
 * no further. A complete line is returned without its "\r\n". Lines are
 * printable ASCII: the protocol has nothing else (arguments are hex), so
 * anything else means we are not talking to a D-Bus peer. */
static LineResult
line_reader_read (LineReader    *reader,
                  const guint8  *data,
                  gsize          len,
                  gsize         *pos,
                  char         **out_line,
                  GError       **error)
{
  const guint8 *start = data + *pos;
  const guint8 *newline = memchr (start, '\n', len - *pos);
  gsize take = newline != NULL ? (gsize) (newline - start) + 1 : len - *pos;
  GByteArray *line = reader->partial;

  if (line->len + take > ZBUS_AUTH_MAX_LINE_LENGTH + 2)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   "Authentication line longer than %u bytes", ZBUS_AUTH_MAX_LINE_LENGTH);
      return LINE_BAD;
    }

  g_byte_array_append (line, start, take);
  *pos += take;
  if (newline == NULL)
    return LINE_INCOMPLETE;

  if (line->len < 2 || line->data[line->len - 2] != '\r')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "Authentication line does not end with \\r\\n");
      return LINE_BAD;
    }
  for (guint i = 0; i < line->len - 2; i++)
    {
      if (line->data[i] < 0x20 || line->data[i] > 0x7e)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "Authentication line contains byte 0x%02x; the protocol is "
                       "printable ASCII", line->data[i]);
          return LINE_BAD;
        }
    }
  if (++reader->n_lines > ZBUS_AUTH_MAX_LINES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "The peer sent more than %u authentication lines", ZBUS_AUTH_MAX_LINES);
      return LINE_BAD;
    }

  *out_line = g_strndup ((const char *) line->data, line->len - 2);
  g_byte_array_set_size (line, 0);
  return LINE_READY;
}

/* Cuts @line after its command and returns the argument: NULL when there
 * is none, "" after a lone trailing space. */
static const char *
split_command (char *line)
{
  char *space = strchr (line, ' ');

  if (space == NULL)
    return NULL;

  *space = '\0';
  return space + 1;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Decodes hex (either case) into a GByteArray, NULL if it is not hex. */
static GByteArray *
hex_decode (const char *hex)
{
  gsize len = strlen (hex);
  g_autoptr(GByteArray) bytes = NULL;

  if (len % 2 != 0)
    return NULL;

  bytes = g_byte_array_sized_new (len / 2);
  for (gsize i = 0; i < len; i += 2)
    {
      int hi = hex_value (hex[i]);
      int lo = hex_value (hex[i + 1]);
      guint8 byte;

      if (hi < 0 || lo < 0)
        return NULL;
      byte = (guint8) (hi << 4 | lo);
      g_byte_array_append (bytes, &byte, 1);
    }

  return g_steal_pointer (&bytes);
}

static void
send_line (GByteArray *out,
           const char *format,
           ...) G_GNUC_PRINTF (2, 3);

static void
send_line (GByteArray *out,
           const char *format,
           ...)
{
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);

  g_byte_array_append (out, (const guint8 *) line, strlen (line));
  g_byte_array_append (out, (const guint8 *) "\r\n", 2);
}

/* "AUTH NAME 3130" style: the line with @data hex-encoded after it. */
static void
send_line_with_hex (GByteArray   *out,
                    const char   *command,
                    const guint8 *data,
                    gsize         len)
{
  GString *line = g_string_new (command);

  g_string_append_c (line, ' ');
  for (gsize i = 0; i < len; i++)
    g_string_append_printf (line, "%02x", data[i]);

  send_line (out, "%s", line->str);
  g_string_free (line, TRUE);
}

/* The peer's text goes into our error messages: keep it short. */
static char *
quote_line (const char *command,
            const char *argument)
{
  g_autofree char *full = argument != NULL ? g_strconcat (command, " ", argument, NULL) :
                                             g_strdup (command);

  if (strlen (full) > 80)
    return g_strdup_printf ("%.80s…", full);

  return g_steal_pointer (&full);
}

/* ---------------------------------------------------------------------- */
/* Client */

typedef enum
{
  CLIENT_NOT_STARTED,
  CLIENT_WAITING_FOR_OK,
  CLIENT_WAITING_FOR_REJECT,
  CLIENT_WAITING_FOR_AGREE_UNIX_FD,
  CLIENT_DONE,
  CLIENT_FAILED,
} ClientState;

struct _ZbusAuthClient
{
  ClientState state;
  ZbusAuthMechanisms untried;  /* allowed and not tried yet */
  ZbusAuthMechanisms tried;
  ZbusAuthMechanisms mechanism; /* the one in use, or that succeeded */
  gboolean negotiate_unix_fd;
  gboolean unix_fd_agreed;
  char *guid;                  /* (owned) (nullable) the server's, from OK */
  char *server_mechanisms;     /* (owned) (nullable) from the last REJECTED */
  LineReader reader;
};

/* @mechanisms: those we may use, tried in the order EXTERNAL, ANONYMOUS;
 * @negotiate_unix_fd: ask for fd passing (only on a unix socket). */
ZbusAuthClient *
_zbus_auth_client_new (ZbusAuthMechanisms mechanisms,
                       gboolean           negotiate_unix_fd)
{
  ZbusAuthClient *client;

  g_return_val_if_fail ((mechanisms & (ZBUS_AUTH_MECHANISM_EXTERNAL |
                                       ZBUS_AUTH_MECHANISM_ANONYMOUS)) != 0, NULL);

  client = g_new0 (ZbusAuthClient, 1);
  client->state = CLIENT_NOT_STARTED;
  client->untried = mechanisms & (ZBUS_AUTH_MECHANISM_EXTERNAL | ZBUS_AUTH_MECHANISM_ANONYMOUS);
  client->negotiate_unix_fd = negotiate_unix_fd;
  line_reader_init (&client->reader);

  return client;
}

void
_zbus_auth_client_free (ZbusAuthClient *client)
{
  if (client == NULL)
    return;

  g_free (client->guid);
  g_free (client->server_mechanisms);
  line_reader_clear (&client->reader);
  g_free (client);
}

static void
client_send_auth (ZbusAuthClient     *client,
                  ZbusAuthMechanisms  mechanism,
                  GByteArray         *out)
{
  client->untried &= ~mechanism;
  client->tried |= mechanism;
  client->mechanism = mechanism;
  client->state = CLIENT_WAITING_FOR_OK;

  if (mechanism == ZBUS_AUTH_MECHANISM_EXTERNAL)
    {
      /* The authorization identity is our uid in ASCII decimal. The
       * effective uid, because that is what SO_PEERCRED reports to the
       * server (GCredentials uses it too). */
      g_autofree char *uid = g_strdup_printf ("%u", (guint) geteuid ());

      send_line_with_hex (out, "AUTH EXTERNAL", (const guint8 *) uid, strlen (uid));
    }
  else
    {
      /* RFC 4505 trace information: who is asking, for the server's logs. */
      static const char trace[] = "zbus-gobject";

      send_line_with_hex (out, "AUTH ANONYMOUS", (const guint8 *) trace, strlen (trace));
    }
}

/* Sends the first output: the NUL byte every client starts with (the
 * caller may send it with SCM_CREDS where the platform wants that), then
 * the first AUTH line. The client then waits for the server. */
void
_zbus_auth_client_start (ZbusAuthClient *client,
                         GByteArray     *out)
{
  static const guint8 nul = 0;

  g_return_if_fail (client != NULL);
  g_return_if_fail (client->state == CLIENT_NOT_STARTED);
  g_return_if_fail (out != NULL);

  g_byte_array_append (out, &nul, 1);
  for (guint i = 0; i < G_N_ELEMENTS (mechanism_names); i++)
    {
      if (client->untried & mechanism_names[i].flag)
        {
          client_send_auth (client, mechanism_names[i].flag, out);
          break;
        }
    }
}

/* REJECTED: try our next mechanism among those the server lists. */
static gboolean
client_handle_rejected (ZbusAuthClient  *client,
                        const char      *argument,
                        GByteArray      *out,
                        GError         **error)
{
  ZbusAuthMechanisms offered = ZBUS_AUTH_MECHANISM_NONE;
  g_auto(GStrv) names = g_strsplit (argument != NULL ? argument : "", " ", -1);
  g_autofree char *tried = NULL;

  g_free (client->server_mechanisms);
  client->server_mechanisms = g_strdup (argument != NULL ? argument : "");

  for (guint i = 0; names[i] != NULL; i++)
    offered |= mechanism_from_name (names[i]);

  for (guint i = 0; i < G_N_ELEMENTS (mechanism_names); i++)
    {
      if (client->untried & offered & mechanism_names[i].flag)
        {
          client_send_auth (client, mechanism_names[i].flag, out);
          return TRUE;
        }
    }

  tried = mechanism_list (client->tried);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
               "The D-Bus server rejected authentication with %s; it offers \"%.80s\"",
               tried, client->server_mechanisms);
  return FALSE;
}

static gboolean
client_handle_ok (ZbusAuthClient  *client,
                  const char      *guid,
                  GByteArray      *out,
                  GError         **error)
{
  if (!_zbus_is_guid (guid))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "The D-Bus server sent an invalid GUID \"%.80s\"", guid != NULL ? guid : "");
      return FALSE;
    }

  client->guid = g_strdup (guid);
  if (client->negotiate_unix_fd)
    {
      send_line (out, "NEGOTIATE_UNIX_FD");
      client->state = CLIENT_WAITING_FOR_AGREE_UNIX_FD;
    }
  else
    {
      send_line (out, "BEGIN");
      client->state = CLIENT_DONE;
    }

  return TRUE;
}

static gboolean
client_handle_line (ZbusAuthClient  *client,
                    char            *line,
                    GByteArray      *out,
                    GError         **error)
{
  const char *argument = split_command (line);
  g_autofree char *quoted = quote_line (line, argument);

  switch (client->state)
    {
    case CLIENT_WAITING_FOR_OK:
      if (strcmp (line, "OK") == 0)
        return client_handle_ok (client, argument, out, error);
      if (strcmp (line, "REJECTED") == 0)
        return client_handle_rejected (client, argument, out, error);
      if (strcmp (line, "DATA") == 0 && (argument == NULL || *argument == '\0') &&
          client->mechanism == ZBUS_AUTH_MECHANISM_EXTERNAL)
        {
          /* A server that wants the EXTERNAL identity asked for again; an
           * empty response means "the one my credentials say". The
           * specification would CANCEL here, but answering costs nothing
           * and some servers ignore the initial response. */
          send_line (out, "DATA");
          return TRUE;
        }
      if (strcmp (line, "DATA") == 0 || strcmp (line, "ERROR") == 0)
        {
          send_line (out, "CANCEL");
          client->state = CLIENT_WAITING_FOR_REJECT;
          return TRUE;
        }
      /* Anything else: tell the server, keep waiting. The line limit ends
       * a server that keeps this up. */
      send_line (out, "ERROR \"Unexpected command\"");
      return TRUE;

    case CLIENT_WAITING_FOR_REJECT:
      if (strcmp (line, "REJECTED") == 0)
        return client_handle_rejected (client, argument, out, error);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "The D-Bus server answered CANCEL with \"%s\" instead of REJECTED", quoted);
      return FALSE;

    case CLIENT_WAITING_FOR_AGREE_UNIX_FD:
      /* ERROR means no fd passing, which is not fatal: the connection
       * works, just without fds. */
      if (strcmp (line, "AGREE_UNIX_FD") == 0 || strcmp (line, "ERROR") == 0)
        {
          client->unix_fd_agreed = strcmp (line, "AGREE_UNIX_FD") == 0;
          send_line (out, "BEGIN");
          client->state = CLIENT_DONE;
          return TRUE;
        }
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "The D-Bus server answered NEGOTIATE_UNIX_FD with \"%s\"", quoted);
      return FALSE;

    case CLIENT_NOT_STARTED:
    case CLIENT_DONE:
    case CLIENT_FAILED:
    default:
      g_assert_not_reached ();
    }
}

/* Feeds bytes the server sent. Appends what to send to @out. On DONE,
 * *@consumed bytes of @data belonged to the exchange; the rest (if any) is
 * the start of the message stream. On NEED_INPUT all bytes were consumed.
 * Once DONE, the client consumes nothing more and stays DONE. */
ZbusAuthStatus
_zbus_auth_client_feed (ZbusAuthClient  *client,
                        const guint8    *data,
                        gsize            len,
                        gsize           *consumed,
                        GByteArray      *out,
                        GError         **error)
{
  gsize pos = 0;

  g_return_val_if_fail (client != NULL, ZBUS_AUTH_STATUS_ERROR);
  g_return_val_if_fail (client->state != CLIENT_NOT_STARTED, ZBUS_AUTH_STATUS_ERROR);
  g_return_val_if_fail (data != NULL || len == 0, ZBUS_AUTH_STATUS_ERROR);
  g_return_val_if_fail (consumed != NULL, ZBUS_AUTH_STATUS_ERROR);
  g_return_val_if_fail (out != NULL, ZBUS_AUTH_STATUS_ERROR);
  g_return_val_if_fail (error == NULL || *error == NULL, ZBUS_AUTH_STATUS_ERROR);

  *consumed = 0;
  if (client->state == CLIENT_DONE)
    return ZBUS_AUTH_STATUS_DONE;
  if (client->state == CLIENT_FAILED)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Authentication already failed");
      return ZBUS_AUTH_STATUS_ERROR;
    }

  while (pos < len)
    {
      g_autofree char *line = NULL;

      switch (line_reader_read (&client->reader, data, len, &pos, &line, error))
        {
        case LINE_INCOMPLETE:
          continue;
        case LINE_BAD:
          client->state = CLIENT_FAILED;
          return ZBUS_AUTH_STATUS_ERROR;
        case LINE_READY:
        default:
          break;
        }

      if (!client_handle_line (client, line, out, error))
        {
          client->state = CLIENT_FAILED;
          return ZBUS_AUTH_STATUS_ERROR;
        }

      if (client->state == CLIENT_DONE)
        {
          *consumed = pos;
          return ZBUS_AUTH_STATUS_DONE;
        }
    }

  *consumed = pos;
  return ZBUS_AUTH_STATUS_NEED_INPUT;
}

/* The server's GUID, from its OK; NULL before. */
const char *
_zbus_auth_client_get_guid (ZbusAuthClient *client)
{
  g_return_val_if_fail (client != NULL, NULL);

  return client->guid;
}

gboolean
_zbus_auth_client_get_unix_fd_agreed (ZbusAuthClient *client)
{
  g_return_val_if_fail (client != NULL, FALSE);

  return client->unix_fd_agreed;
}

/* The mechanism that succeeded, NONE until DONE. */
ZbusAuthMechanisms
_zbus_auth_client_get_mechanism (ZbusAuthClient *client)
{
  g_return_val_if_fail (client != NULL, ZBUS_AUTH_MECHANISM_NONE);

  return client->state == CLIENT_DONE ? client->mechanism : ZBUS_AUTH_MECHANISM_NONE;
}

/* ---------------------------------------------------------------------- */
/* Server */

typedef enum
{
  SERVER_WAITING_FOR_NUL,
  SERVER_WAITING_FOR_AUTH,
  SERVER_WAITING_FOR_DATA,
  SERVER_WAITING_FOR_BEGIN,
  SERVER_DONE,
  SERVER_FAILED,
} ServerState;

struct _ZbusAuthServer
{
  ServerState state;
  char *guid;                    /* (owned) */
  ZbusAuthMechanisms allowed;
  gboolean allow_unix_fd;
  gboolean allow_any_uid;
  GCredentials *credentials;     /* (owned) (nullable) */
  ZbusAuthMechanisms mechanism;  /* in use, or accepted */
  gint64 uid;                    /* authenticated uid, -1 if none */
  gboolean unix_fd_agreed;
  guint n_rejections;
  LineReader reader;
};

/* @guid: the server GUID sent in OK; @allowed: the mechanisms we accept
 * (ANONYMOUS only if the server means to serve anyone); @allow_unix_fd:
 * whether the transport can pass fds. */
ZbusAuthServer *
_zbus_auth_server_new (const char         *guid,
                       ZbusAuthMechanisms  allowed,
                       gboolean            allow_unix_fd)
{
  ZbusAuthServer *server;

  g_return_val_if_fail (_zbus_is_guid (guid), NULL);

  server = g_new0 (ZbusAuthServer, 1);
  server->state = SERVER_WAITING_FOR_NUL;
  server->guid = g_strdup (guid);
  server->allowed = allowed & (ZBUS_AUTH_MECHANISM_EXTERNAL | ZBUS_AUTH_MECHANISM_ANONYMOUS);
  server->allow_unix_fd = allow_unix_fd;
  server->uid = -1;
  line_reader_init (&server->reader);

  return server;
}

void
_zbus_auth_server_free (ZbusAuthServer *server)
{
  if (server == NULL)
    return;

  g_free (server->guid);
  g_clear_object (&server->credentials);
  line_reader_clear (&server->reader);
  g_free (server);
}

/* The credentials of the peer, from the socket (SO_PEERCRED, see
 * g_socket_get_credentials()), before feeding. Without them EXTERNAL is
 * rejected: we never take the client's word for its uid. */
void
_zbus_auth_server_set_peer_credentials (ZbusAuthServer *server,
                                        GCredentials   *credentials)
{
  g_return_if_fail (server != NULL);
  g_return_if_fail (credentials == NULL || G_IS_CREDENTIALS (credentials));

  g_set_object (&server->credentials, credentials);
}

/* By default EXTERNAL accepts only peers running as our own (effective)
 * uid, as libdbus and GDBusServer do for peer-to-peer servers; a bus or a
 * system service that checks callers itself allows any uid. */
void
_zbus_auth_server_set_allow_any_uid (ZbusAuthServer *server,
                                     gboolean        allow_any_uid)
{
  g_return_if_fail (server != NULL);

  server->allow_any_uid = !!allow_any_uid;
}

static void
server_send_rejected (ZbusAuthServer *server,
                      GByteArray     *out)
{
  g_autofree char *list = mechanism_list (server->allowed);

  server->n_rejections++;
  server->mechanism = ZBUS_AUTH_MECHANISM_NONE;
  server->uid = -1;
  server->state = SERVER_WAITING_FOR_AUTH;
  send_line (out, "REJECTED%s%s", *list != '\0' ? " " : "", list);
}

static void
server_send_ok (ZbusAuthServer *server,
                GByteArray     *out)
{
  server->state = SERVER_WAITING_FOR_BEGIN;
  send_line (out, "OK %s", server->guid);
}

/* Parses the EXTERNAL authorization identity: ASCII decimal digits. */
static gboolean
parse_uid (const GByteArray *identity,
           guint64          *out_uid)
{
  g_autofree char *text = NULL;

  if (identity->len == 0 || identity->len > 10 ||
      memchr (identity->data, '\0', identity->len) != NULL)
    return FALSE;

  text = g_strndup ((const char *) identity->data, identity->len);
  /* Digits only: no sign, no spaces, and (uid_t) -1 is never a uid. */
  return g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT32 - 1, out_uid, NULL);
}

/* Judges EXTERNAL: the peer's uid comes from the kernel; the identity the
 * client claims (if any) must be that uid, and the uid must be one we
 * serve. Sends OK or REJECTED. */
static void
server_judge_external (ZbusAuthServer   *server,
                       const GByteArray *identity,
                       GByteArray       *out)
{
  uid_t peer_uid;
  guint64 claimed;

  if (server->credentials == NULL)
    {
      server_send_rejected (server, out);
      return;
    }

  peer_uid = g_credentials_get_unix_user (server->credentials, NULL);
  if (peer_uid == (uid_t) -1 ||
      (identity->len > 0 && (!parse_uid (identity, &claimed) || claimed != peer_uid)) ||
      (!server->allow_any_uid && peer_uid != geteuid ()))
    {
      server_send_rejected (server, out);
      return;
    }

  server->uid = peer_uid;
  server_send_ok (server, out);
}

/* AUTH [mechanism [initial-response]] */
static void
server_handle_auth (ZbusAuthServer *server,
                    const char     *argument,
                    GByteArray     *out)
{
  g_autofree char *mechanism_text = g_strdup (argument != NULL ? argument : "");
  const char *response = split_command (mechanism_text);
  ZbusAuthMechanisms mechanism = mechanism_from_name (mechanism_text);
  g_autoptr(GByteArray) decoded = NULL;

  /* Plain "AUTH" asks for the list (GDBus clients start that way); an
   * unknown or refused mechanism gets the list too. */
  if ((server->allowed & mechanism) == 0)
    {
      server_send_rejected (server, out);
      return;
    }

  decoded = hex_decode (response != NULL ? response : "");
  if (decoded == NULL)
    {
      /* Not hex: the spec's "anything else" for the mechanism; the client
       * may try again. */
      server_send_rejected (server, out);
      return;
    }

  server->mechanism = mechanism;
  if (mechanism == ZBUS_AUTH_MECHANISM_ANONYMOUS)
    {
      /* Any trace information will do; it only names the client. */
      server->uid = -1;
      server_send_ok (server, out);
    }
  else if (decoded->len == 0)
    {
      /* No identity yet: ask for it with an empty challenge. */
      server->state = SERVER_WAITING_FOR_DATA;
      send_line (out, "DATA");
    }
  else
    {
      server_judge_external (server, decoded, out);
    }
}

static void
server_handle_waiting_for_data (ZbusAuthServer *server,
                                const char     *command,
                                const char     *argument,
                                GByteArray     *out)
{
  if (strcmp (command, "DATA") == 0)
    {
      g_autoptr(GByteArray) identity = hex_decode (argument != NULL ? argument : "");

      if (identity == NULL)
        server_send_rejected (server, out);
      else
        server_judge_external (server, identity, out);
    }
  else if (strcmp (command, "CANCEL") == 0 || strcmp (command, "ERROR") == 0)
    {
      server_send_rejected (server, out);
    }
  else
    {
      send_line (out, "ERROR \"Expected DATA\"");
    }
}

static void
server_handle_waiting_for_begin (ZbusAuthServer *server,
                                 const char     *command,
                                 const char     *argument,
                                 GByteArray     *out)
{
  if (strcmp (command, "NEGOTIATE_UNIX_FD") == 0 && argument == NULL)
    {
      server->unix_fd_agreed = server->allow_unix_fd;
      if (server->allow_unix_fd)
        send_line (out, "AGREE_UNIX_FD");
      else
        send_line (out, "ERROR \"Unix fd passing is not supported on this connection\"");
    }
  else if (strcmp (command, "CANCEL") == 0 || strcmp (command, "ERROR") == 0)
    {
      /* The client takes its authentication back: start over. */
      server->unix_fd_agreed = FALSE;
      server_send_rejected (server, out);
    }
  else
    {
      send_line (out, "ERROR \"Expected BEGIN\"");
    }
}

/* Handles one line; FALSE (with @error) ends the exchange. */
static gboolean
server_handle_line (ZbusAuthServer  *server,
                    char            *line,
                    GByteArray      *out,
                    GError         **error)
{
  const char *argument = split_command (line);

  /* BEGIN is only valid once authenticated: anywhere else the client
   * would start sending messages we must not accept. */
  if (strcmp (line, "BEGIN") == 0)
    {
      if (server->state != SERVER_WAITING_FOR_BEGIN)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                               "The client sent BEGIN before authenticating");
          return FALSE;
        }
      server->state = SERVER_DONE;
      return TRUE;
    }

  switch (server->state)
    {
    case SERVER_WAITING_FOR_AUTH:
      if (strcmp (line, "AUTH") == 0)
        server_handle_auth (server, argument, out);
      else if (strcmp (line, "ERROR") == 0)
        server_send_rejected (server, out);
      else
        send_line (out, "ERROR \"Expected AUTH\"");
      break;

    case SERVER_WAITING_FOR_DATA:
      server_handle_waiting_for_data (server, line, argument, out);
      break;

    case SERVER_WAITING_FOR_BEGIN:
      server_handle_waiting_for_begin (server, line, argument, out);
      break;

    case SERVER_WAITING_FOR_NUL:
    case SERVER_DONE:
    case SERVER_FAILED:
    default:
      g_assert_not_reached ();
    }

  if (server->n_rejections > MAX_REJECTIONS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   "The client failed to authenticate %u times", server->n_rejections);
      return FALSE;
    }

  return TRUE;
}

/* Feeds bytes the client sent, starting with its NUL byte. Appends what
 * to send to @out. On DONE (the client's BEGIN), *@consumed bytes of
 * @data belonged to the exchange and the rest is the message stream; on
 * NEED_INPUT all bytes were consumed. */
ZbusAuthStatus
_zbus_auth_server_feed (ZbusAuthServer  *server,
                        const guint8    *data,
                        gsize            len,
                        gsize           *consumed,
                        GByteArray      *out,
                        GError         **error)
{
  gsize pos = 0;

  g_return_val_if_fail (server != NULL, ZBUS_AUTH_STATUS_ERROR);
  g_return_val_if_fail (data != NULL || len == 0, ZBUS_AUTH_STATUS_ERROR);
  g_return_val_if_fail (consumed != NULL, ZBUS_AUTH_STATUS_ERROR);
  g_return_val_if_fail (out != NULL, ZBUS_AUTH_STATUS_ERROR);
  g_return_val_if_fail (error == NULL || *error == NULL, ZBUS_AUTH_STATUS_ERROR);

  *consumed = 0;
  if (server->state == SERVER_DONE)
    return ZBUS_AUTH_STATUS_DONE;
  if (server->state == SERVER_FAILED)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Authentication already failed");
      return ZBUS_AUTH_STATUS_ERROR;
    }

  if (server->state == SERVER_WAITING_FOR_NUL && len > 0)
    {
      if (data[0] != '\0')
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "The client's first byte is 0x%02x, not the NUL byte D-Bus "
                       "clients start with", data[0]);
          server->state = SERVER_FAILED;
          return ZBUS_AUTH_STATUS_ERROR;
        }
      server->state = SERVER_WAITING_FOR_AUTH;
      pos = 1;
    }

  while (pos < len)
    {
      g_autofree char *line = NULL;

      switch (line_reader_read (&server->reader, data, len, &pos, &line, error))
        {
        case LINE_INCOMPLETE:
          continue;
        case LINE_BAD:
          server->state = SERVER_FAILED;
          return ZBUS_AUTH_STATUS_ERROR;
        case LINE_READY:
        default:
          break;
        }

      if (!server_handle_line (server, line, out, error))
        {
          server->state = SERVER_FAILED;
          return ZBUS_AUTH_STATUS_ERROR;
        }

      if (server->state == SERVER_DONE)
        {
          *consumed = pos;
          return ZBUS_AUTH_STATUS_DONE;
        }
    }

  *consumed = pos;
  return ZBUS_AUTH_STATUS_NEED_INPUT;
}

/* The uid the client authenticated as: -1 before DONE and for ANONYMOUS. */
gint64
_zbus_auth_server_get_uid (ZbusAuthServer *server)
{
  g_return_val_if_fail (server != NULL, -1);

  return server->state == SERVER_DONE ? server->uid : -1;
}

/* The mechanism the client authenticated with, NONE until DONE. */
ZbusAuthMechanisms
_zbus_auth_server_get_mechanism (ZbusAuthServer *server)
{
  g_return_val_if_fail (server != NULL, ZBUS_AUTH_MECHANISM_NONE);

  return server->state == SERVER_DONE ? server->mechanism : ZBUS_AUTH_MECHANISM_NONE;
}

gboolean
_zbus_auth_server_get_unix_fd_agreed (ZbusAuthServer *server)
{
  g_return_val_if_fail (server != NULL, FALSE);

  return server->state == SERVER_DONE && server->unix_fd_agreed;
}
