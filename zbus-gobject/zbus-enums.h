/* zbus-enums.h
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(ZBUS_INSIDE) && !defined(ZBUS_COMPILATION)
# error "Only <zbus-gobject.h> can be included directly."
#endif

#include <glib.h>

#include "zbus-version-macros.h"

G_BEGIN_DECLS

/**
 * ZbusMessageType:
 * @ZBUS_MESSAGE_TYPE_INVALID: not a valid message type; never on the wire
 * @ZBUS_MESSAGE_TYPE_METHOD_CALL: a method call
 * @ZBUS_MESSAGE_TYPE_METHOD_RETURN: the successful reply to a method call
 * @ZBUS_MESSAGE_TYPE_ERROR: an error reply to a method call
 * @ZBUS_MESSAGE_TYPE_SIGNAL: a signal emission
 *
 * The four kinds of D-Bus message. The values are those of the wire
 * protocol.
 *
 * Since: 1.0
 */
typedef enum
{
  ZBUS_MESSAGE_TYPE_INVALID = 0,
  ZBUS_MESSAGE_TYPE_METHOD_CALL = 1,
  ZBUS_MESSAGE_TYPE_METHOD_RETURN = 2,
  ZBUS_MESSAGE_TYPE_ERROR = 3,
  ZBUS_MESSAGE_TYPE_SIGNAL = 4,
} ZbusMessageType;

/**
 * ZbusMessageFlags:
 * @ZBUS_MESSAGE_FLAGS_NONE: no flags
 * @ZBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED: the caller does not want a reply
 * @ZBUS_MESSAGE_FLAGS_NO_AUTO_START: the bus must not start a service to
 *   deliver the message
 * @ZBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION: the caller is
 *   prepared to wait for an interactive authorization prompt
 *
 * Flags in a message header. The values are those of the wire protocol.
 *
 * Since: 1.0
 */
typedef enum /*< flags >*/
{
  ZBUS_MESSAGE_FLAGS_NONE = 0,
  ZBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED = 1 << 0,
  ZBUS_MESSAGE_FLAGS_NO_AUTO_START = 1 << 1,
  ZBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION = 1 << 2,
} ZbusMessageFlags;

/**
 * ZbusByteOrder:
 * @ZBUS_BYTE_ORDER_LITTLE_ENDIAN: little endian (`'l'` on the wire)
 * @ZBUS_BYTE_ORDER_BIG_ENDIAN: big endian (`'B'` on the wire)
 *
 * The byte order of a message's wire form.
 *
 * Since: 1.0
 */
typedef enum
{
  ZBUS_BYTE_ORDER_LITTLE_ENDIAN = 'l',
  ZBUS_BYTE_ORDER_BIG_ENDIAN = 'B',
} ZbusByteOrder;

/**
 * ZbusAuthMechanisms:
 * @ZBUS_AUTH_MECHANISM_NONE: no mechanism
 * @ZBUS_AUTH_MECHANISM_EXTERNAL: `EXTERNAL`: the peer's identity is the
 *   uid the kernel reports for the socket
 * @ZBUS_AUTH_MECHANISM_ANONYMOUS: `ANONYMOUS`: no identity at all; a server
 *   accepts it only when told to
 *
 * The SASL mechanisms a connection may use to authenticate.
 *
 * Since: 1.0
 */
typedef enum /*< flags >*/
{
  ZBUS_AUTH_MECHANISM_NONE = 0,
  ZBUS_AUTH_MECHANISM_EXTERNAL = 1 << 0,
  ZBUS_AUTH_MECHANISM_ANONYMOUS = 1 << 1,
} ZbusAuthMechanisms;

/**
 * ZbusRequestNameFlags:
 * @ZBUS_REQUEST_NAME_FLAGS_NONE: no flags: queue for the name if it is taken
 * @ZBUS_REQUEST_NAME_FLAGS_ALLOW_REPLACEMENT: let another connection that
 *   asks with %ZBUS_REQUEST_NAME_FLAGS_REPLACE_EXISTING take the name
 * @ZBUS_REQUEST_NAME_FLAGS_REPLACE_EXISTING: take the name from its owner
 *   if the owner allowed replacement
 * @ZBUS_REQUEST_NAME_FLAGS_DO_NOT_QUEUE: fail rather than wait in the queue
 *   when the name is taken
 *
 * Flags of `org.freedesktop.DBus.RequestName`; the values are the
 * protocol's.
 *
 * Since: 1.0
 */
typedef enum /*< flags >*/
{
  ZBUS_REQUEST_NAME_FLAGS_NONE = 0,
  ZBUS_REQUEST_NAME_FLAGS_ALLOW_REPLACEMENT = 1 << 0,
  ZBUS_REQUEST_NAME_FLAGS_REPLACE_EXISTING = 1 << 1,
  ZBUS_REQUEST_NAME_FLAGS_DO_NOT_QUEUE = 1 << 2,
} ZbusRequestNameFlags;

/**
 * ZbusRequestNameReply:
 * @ZBUS_REQUEST_NAME_REPLY_INVALID: no answer: the request failed, and the
 *   function that returned this set a #GError
 * @ZBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER: the connection now owns the name
 * @ZBUS_REQUEST_NAME_REPLY_IN_QUEUE: the name is taken; the connection waits
 *   in its queue and will get [signal@Zbus.Connection::name-acquired] when
 *   its turn comes
 * @ZBUS_REQUEST_NAME_REPLY_EXISTS: the name is taken and the connection did
 *   not queue for it
 * @ZBUS_REQUEST_NAME_REPLY_ALREADY_OWNER: the connection owned the name
 *   already
 *
 * What `org.freedesktop.DBus.RequestName` did; the values are the
 * protocol's.
 *
 * Since: 1.0
 */
typedef enum
{
  ZBUS_REQUEST_NAME_REPLY_INVALID = 0,
  ZBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER = 1,
  ZBUS_REQUEST_NAME_REPLY_IN_QUEUE = 2,
  ZBUS_REQUEST_NAME_REPLY_EXISTS = 3,
  ZBUS_REQUEST_NAME_REPLY_ALREADY_OWNER = 4,
} ZbusRequestNameReply;

/**
 * ZbusReleaseNameReply:
 * @ZBUS_RELEASE_NAME_REPLY_INVALID: no answer: the request failed, and the
 *   function that returned this set a #GError
 * @ZBUS_RELEASE_NAME_REPLY_RELEASED: the name was released (or the
 *   connection left its queue)
 * @ZBUS_RELEASE_NAME_REPLY_NON_EXISTENT: nobody owned the name
 * @ZBUS_RELEASE_NAME_REPLY_NOT_OWNER: someone else owns the name and the
 *   connection was not in its queue
 *
 * What `org.freedesktop.DBus.ReleaseName` did; the values are the
 * protocol's.
 *
 * Since: 1.0
 */
typedef enum
{
  ZBUS_RELEASE_NAME_REPLY_INVALID = 0,
  ZBUS_RELEASE_NAME_REPLY_RELEASED = 1,
  ZBUS_RELEASE_NAME_REPLY_NON_EXISTENT = 2,
  ZBUS_RELEASE_NAME_REPLY_NOT_OWNER = 3,
} ZbusReleaseNameReply;

G_END_DECLS
