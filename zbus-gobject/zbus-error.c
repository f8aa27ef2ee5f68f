/* zbus-error.c
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <gio/gio.h>

#include "zbus-error.h"

static const GDBusErrorEntry zbus_error_entries[] = {
  { ZBUS_ERROR_FAILED, "org.zbus.Error.Failed" },
  { ZBUS_ERROR_INVALID_MESSAGE, "org.zbus.Error.InvalidMessage" },
  { ZBUS_ERROR_MESSAGE_TOO_LARGE, "org.zbus.Error.MessageTooLarge" },
  { ZBUS_ERROR_INVALID_NAME, "org.zbus.Error.InvalidName" },
  { ZBUS_ERROR_INVALID_SIGNATURE, "org.zbus.Error.InvalidSignature" },
  { ZBUS_ERROR_INVALID_FD, "org.zbus.Error.InvalidFd" },
};

/**
 * zbus_error_quark:
 *
 * The quark of the [error@Zbus.Error] domain, registered with GIO's D-Bus
 * error mapping on first use.
 *
 * Returns: the error quark
 *
 * Since: 1.0
 */
GQuark
zbus_error_quark (void)
{
  static gsize quark = 0;

  g_dbus_error_register_error_domain ("zbus-error-quark",
                                      &quark,
                                      zbus_error_entries,
                                      G_N_ELEMENTS (zbus_error_entries));
  return (GQuark) quark;
}
