/* zbus-gobject.h
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>
#include <gio/gio.h>

G_BEGIN_DECLS

#define ZBUS_INSIDE
# include "zbus-version.h"
# include "zbus-version-macros.h"
# include "zbus-enums.h"
# include "zbus-enum-types.h"
# include "zbus-error.h"
# include "zbus-message.h"
# include "zbus-connection.h"
# include "zbus-connection-builder.h"
# include "zbus-match-rule.h"
# include "zbus-message-stream.h"
# include "zbus-interface.h"
# include "zbus-method-invocation.h"
# include "zbus-signal-emitter.h"
# include "zbus-object-server.h"
# include "zbus-proxy.h"
# include "zbus-proxy-type.h"
# include "zbus-remote-object.h"
# include "zbus-object-manager-client.h"
# include "zbus-bus-proxy.h"
#undef ZBUS_INSIDE

G_END_DECLS
