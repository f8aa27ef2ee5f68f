/* zbus-signal-emitter.h
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(ZBUS_INSIDE) && !defined(ZBUS_COMPILATION)
# error "Only <zbus-gobject.h> can be included directly."
#endif

#include <gio/gio.h>

#include "zbus-connection.h"
#include "zbus-version-macros.h"

G_BEGIN_DECLS

#define ZBUS_TYPE_SIGNAL_EMITTER (zbus_signal_emitter_get_type ())

ZBUS_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (ZbusSignalEmitter, zbus_signal_emitter, ZBUS, SIGNAL_EMITTER, GObject)

ZBUS_AVAILABLE_IN_1_0
ZbusSignalEmitter *zbus_signal_emitter_new                (ZbusConnection     *connection,
                                                           const char         *path,
                                                           const char         *destination,
                                                           GError            **error);
ZBUS_AVAILABLE_IN_1_0
ZbusConnection    *zbus_signal_emitter_get_connection     (ZbusSignalEmitter  *self);
ZBUS_AVAILABLE_IN_1_0
const char        *zbus_signal_emitter_get_path           (ZbusSignalEmitter  *self);
ZBUS_AVAILABLE_IN_1_0
const char        *zbus_signal_emitter_get_destination    (ZbusSignalEmitter  *self);
ZBUS_AVAILABLE_IN_1_0
gboolean           zbus_signal_emitter_emit               (ZbusSignalEmitter  *self,
                                                           const char         *interface_,
                                                           const char         *signal,
                                                           GVariant           *parameters,
                                                           GError            **error);
ZBUS_AVAILABLE_IN_1_0
gboolean           zbus_signal_emitter_emit_properties_changed (ZbusSignalEmitter  *self,
                                                                const char         *interface_,
                                                                GVariant           *changed,
                                                                const char * const *invalidated,
                                                                GError            **error);

G_END_DECLS
