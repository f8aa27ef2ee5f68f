/* zbus-auth-private.h
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "zbus-enums.h"

G_BEGIN_DECLS

/* The SASL exchange that opens every D-Bus connection ("Authentication
 * Protocol" in the specification), as two state machines over bytes.
 * They do no I/O: the connection reads from its socket (blocking or not),
 * feeds what it read, and writes what the machine appended to `out`. */

/* Longest line either side accepts, without its "\r\n", and most lines it
 * accepts in one exchange: a hostile peer can neither grow our memory nor
 * keep us talking. An honest exchange takes under ten lines. */
#define ZBUS_AUTH_MAX_LINE_LENGTH 16384
#define ZBUS_AUTH_MAX_LINES 32

typedef enum
{
  ZBUS_AUTH_STATUS_NEED_INPUT, /* feed more bytes (after sending `out`) */
  ZBUS_AUTH_STATUS_DONE,       /* authenticated: send `out`, then messages */
  ZBUS_AUTH_STATUS_ERROR,      /* failed: send `out` if you like, then close */
} ZbusAuthStatus;

typedef struct _ZbusAuthClient ZbusAuthClient;

ZbusAuthClient     *_zbus_auth_client_new                (ZbusAuthMechanisms  mechanisms,
                                                          gboolean            negotiate_unix_fd);
void                _zbus_auth_client_free               (ZbusAuthClient     *client);
void                _zbus_auth_client_start              (ZbusAuthClient     *client,
                                                          GByteArray         *out);
ZbusAuthStatus      _zbus_auth_client_feed               (ZbusAuthClient     *client,
                                                          const guint8       *data,
                                                          gsize               len,
                                                          gsize              *consumed,
                                                          GByteArray         *out,
                                                          GError            **error);
const char         *_zbus_auth_client_get_guid           (ZbusAuthClient     *client);
gboolean            _zbus_auth_client_get_unix_fd_agreed (ZbusAuthClient     *client);
ZbusAuthMechanisms  _zbus_auth_client_get_mechanism      (ZbusAuthClient     *client);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZbusAuthClient, _zbus_auth_client_free)

typedef struct _ZbusAuthServer ZbusAuthServer;

ZbusAuthServer     *_zbus_auth_server_new                  (const char         *guid,
                                                            ZbusAuthMechanisms  allowed,
                                                            gboolean            allow_unix_fd);
void                _zbus_auth_server_free                 (ZbusAuthServer     *server);
void                _zbus_auth_server_set_peer_credentials (ZbusAuthServer     *server,
                                                            GCredentials       *credentials);
void                _zbus_auth_server_set_allow_any_uid    (ZbusAuthServer     *server,
                                                            gboolean            allow_any_uid);
ZbusAuthStatus      _zbus_auth_server_feed                 (ZbusAuthServer     *server,
                                                            const guint8       *data,
                                                            gsize               len,
                                                            gsize              *consumed,
                                                            GByteArray         *out,
                                                            GError            **error);
gint64              _zbus_auth_server_get_uid              (ZbusAuthServer     *server);
ZbusAuthMechanisms  _zbus_auth_server_get_mechanism        (ZbusAuthServer     *server);
gboolean            _zbus_auth_server_get_unix_fd_agreed   (ZbusAuthServer     *server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZbusAuthServer, _zbus_auth_server_free)

G_END_DECLS
