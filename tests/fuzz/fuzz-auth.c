/* fuzz-auth.c: libFuzzer target for the SASL state machines
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The first byte picks the options (mechanisms, fd passing, credentials,
 * uid policy); the rest is a list of chunks, each a length byte and that
 * many bytes, fed as a peer would deliver them to the client and to the
 * server state machine. A second machine of each kind is fed the same
 * bytes in one piece: status, answers and the end of the exchange must
 * not depend on how the bytes were cut. Output must stay bounded, and
 * `consumed` must never pass the end of the input; anything else aborts,
 * as does any warning or critical logged on the way.
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zbus-auth-private.h"

#define GUID "0123456789abcdef0123456789abcdef"

/* The longest line either machine writes is under 128 bytes, and it writes
 * at most one per line it reads (plus the client's first). */
#define MAX_OUTPUT (128 * (ZBUS_AUTH_MAX_LINES + 2))

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static GLogWriterOutput
log_writer (GLogLevelFlags   log_level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    {
      g_log_writer_standard_streams (log_level, fields, n_fields, user_data);
      abort ();
    }

  return G_LOG_WRITER_HANDLED;
}

typedef struct
{
  ZbusAuthClient *client;
  ZbusAuthServer *server;
  GByteArray *out;
  ZbusAuthStatus status;
  gsize offset;      /* bytes of the stream consumed */
  GError *error;
} Machine;

static void
machine_init (Machine *m,
              gboolean is_server,
              guint8   options)
{
  ZbusAuthMechanisms mechanisms = options & 3;

  memset (m, 0, sizeof *m);
  m->out = g_byte_array_new ();
  m->status = ZBUS_AUTH_STATUS_NEED_INPUT;

  if (!is_server)
    {
      if (mechanisms == ZBUS_AUTH_MECHANISM_NONE)
        mechanisms = ZBUS_AUTH_MECHANISM_EXTERNAL;
      m->client = _zbus_auth_client_new (mechanisms, (options & 4) != 0);
      _zbus_auth_client_start (m->client, m->out);
      return;
    }

  m->server = _zbus_auth_server_new (GUID, mechanisms, (options & 4) != 0);
  _zbus_auth_server_set_allow_any_uid (m->server, (options & 8) != 0);
  if (options & 16)
    {
      g_autoptr(GCredentials) credentials = g_credentials_new ();

      if (options & 32)
        g_credentials_set_unix_user (credentials, geteuid () + 1, NULL);
      _zbus_auth_server_set_peer_credentials (m->server, credentials);
    }
}

static void
machine_clear (Machine *m)
{
  g_clear_pointer (&m->client, _zbus_auth_client_free);
  g_clear_pointer (&m->server, _zbus_auth_server_free);
  g_clear_pointer (&m->out, g_byte_array_unref);
  g_clear_error (&m->error);
}

static void
machine_feed (Machine      *m,
              const guint8 *data,
              gsize         len)
{
  gsize consumed = 0;

  if (m->status != ZBUS_AUTH_STATUS_NEED_INPUT)
    return;

  if (m->client != NULL)
    m->status = _zbus_auth_client_feed (m->client, data, len, &consumed, m->out, &m->error);
  else
    m->status = _zbus_auth_server_feed (m->server, data, len, &consumed, m->out, &m->error);

  if (consumed > len ||
      (m->status == ZBUS_AUTH_STATUS_NEED_INPUT && consumed != len) ||
      (m->status == ZBUS_AUTH_STATUS_ERROR) != (m->error != NULL) ||
      m->out->len > MAX_OUTPUT)
    abort ();

  m->offset += consumed;
}

/* What a finished machine reports must be consistent. */
static void
machine_check (Machine *m)
{
  if (m->status != ZBUS_AUTH_STATUS_DONE)
    return;

  if (m->client != NULL)
    {
      const char *guid = _zbus_auth_client_get_guid (m->client);

      if (guid == NULL || strlen (guid) != 32 ||
          _zbus_auth_client_get_mechanism (m->client) == ZBUS_AUTH_MECHANISM_NONE)
        abort ();
    }
  else
    {
      ZbusAuthMechanisms mechanism = _zbus_auth_server_get_mechanism (m->server);
      gint64 uid = _zbus_auth_server_get_uid (m->server);

      if (mechanism == ZBUS_AUTH_MECHANISM_NONE ||
          (mechanism == ZBUS_AUTH_MECHANISM_ANONYMOUS) != (uid == -1))
        abort ();
    }
}

static void
machines_agree (Machine *chunked,
                Machine *whole)
{
  if (chunked->status != whole->status)
    abort ();
  if (chunked->status == ZBUS_AUTH_STATUS_ERROR)
    {
      if (chunked->error->domain != whole->error->domain ||
          chunked->error->code != whole->error->code)
        abort ();
      return;
    }
  if (chunked->out->len != whole->out->len ||
      (whole->out->len > 0 && memcmp (chunked->out->data, whole->out->data, whole->out->len) != 0))
    abort ();
  if (chunked->status == ZBUS_AUTH_STATUS_DONE && chunked->offset != whole->offset)
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static gboolean initialized = FALSE;
  g_autoptr(GByteArray) stream = g_byte_array_new ();
  guint8 options;
  Machine chunked[2];
  Machine whole[2];

  if (!initialized)
    {
      g_log_set_writer_func (log_writer, NULL, NULL);
      initialized = TRUE;
    }

  if (size == 0)
    return 0;

  options = data[0];
  for (guint side = 0; side < 2; side++)
    {
      machine_init (&chunked[side], side == 1, options);
      machine_init (&whole[side], side == 1, options);
    }

  for (size_t pos = 1; pos < size;)
    {
      size_t len = MIN ((size_t) data[pos], size - pos - 1);
      const guint8 *chunk = data + pos + 1;

      for (guint side = 0; side < 2; side++)
        machine_feed (&chunked[side], chunk, len);
      g_byte_array_append (stream, chunk, len);
      pos += 1 + len;
    }

  for (guint side = 0; side < 2; side++)
    {
      machine_feed (&whole[side], stream->data, stream->len);
      machine_check (&chunked[side]);
      machines_agree (&chunked[side], &whole[side]);
      machine_clear (&chunked[side]);
      machine_clear (&whole[side]);
    }

  return 0;
}
