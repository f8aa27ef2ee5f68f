/* zbus-error.h
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
 * ZBUS_ERROR:
 *
 * The error domain of zbus-gobject. Its codes are in [enum@Zbus.Error]; it
 * is registered with g_dbus_error_register_error_domain(), so an error of
 * this domain crossing the bus keeps its code.
 *
 * Since: 1.0
 */
#define ZBUS_ERROR (zbus_error_quark ())

/**
 * ZbusError:
 * @ZBUS_ERROR_FAILED: a failure with no more specific code
 *   (`org.zbus.Error.Failed`)
 * @ZBUS_ERROR_INVALID_MESSAGE: bytes that are not a valid D-Bus message:
 *   a bad header, a body that does not match its signature, misalignment,
 *   bad UTF-8, truncation (`org.zbus.Error.InvalidMessage`)
 * @ZBUS_ERROR_MESSAGE_TOO_LARGE: a message or array past the limits of the
 *   specification (128 MiB and 64 MiB) (`org.zbus.Error.MessageTooLarge`)
 * @ZBUS_ERROR_INVALID_NAME: a bus, interface, member or error name, or an
 *   object path, that the specification does not allow
 *   (`org.zbus.Error.InvalidName`)
 * @ZBUS_ERROR_INVALID_SIGNATURE: a type signature the specification does not
 *   allow, or a value whose type has no D-Bus equivalent
 *   (`org.zbus.Error.InvalidSignature`)
 * @ZBUS_ERROR_INVALID_FD: a unix fd index past the fds received with the
 *   message (`org.zbus.Error.InvalidFd`)
 *
 * Error codes of the [error@Zbus.Error] domain.
 *
 * Since: 1.0
 */
typedef enum
{
  ZBUS_ERROR_FAILED,
  ZBUS_ERROR_INVALID_MESSAGE,
  ZBUS_ERROR_MESSAGE_TOO_LARGE,
  ZBUS_ERROR_INVALID_NAME,
  ZBUS_ERROR_INVALID_SIGNATURE,
  ZBUS_ERROR_INVALID_FD,
} ZbusError;

ZBUS_AVAILABLE_IN_1_0
GQuark zbus_error_quark (void);

G_END_DECLS
