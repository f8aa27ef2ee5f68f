/* zbus-connection-builder.h
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
#include "zbus-enums.h"
#include "zbus-interface.h"
#include "zbus-version-macros.h"

G_BEGIN_DECLS

#define ZBUS_TYPE_CONNECTION_BUILDER (zbus_connection_builder_get_type ())

ZBUS_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (ZbusConnectionBuilder, zbus_connection_builder, ZBUS, CONNECTION_BUILDER, GObject)

ZBUS_AVAILABLE_IN_1_0
ZbusConnectionBuilder *zbus_connection_builder_new_session      (void);
ZBUS_AVAILABLE_IN_1_0
ZbusConnectionBuilder *zbus_connection_builder_new_system       (void);
ZBUS_AVAILABLE_IN_1_0
ZbusConnectionBuilder *zbus_connection_builder_new_for_address  (const char             *address);
ZBUS_AVAILABLE_IN_1_0
ZbusConnectionBuilder *zbus_connection_builder_new_for_stream   (GIOStream              *stream);
ZBUS_AVAILABLE_IN_1_0
ZbusConnectionBuilder *zbus_connection_builder_new_for_socket   (GSocket                *socket);

ZBUS_AVAILABLE_IN_1_0
void                   zbus_connection_builder_set_p2p          (ZbusConnectionBuilder  *self,
                                                                 gboolean                p2p);
ZBUS_AVAILABLE_IN_1_0
void                   zbus_connection_builder_set_server       (ZbusConnectionBuilder  *self,
                                                                 const char             *guid);
ZBUS_AVAILABLE_IN_1_0
void                   zbus_connection_builder_set_allow_anonymous (ZbusConnectionBuilder *self,
                                                                    gboolean               allow);
ZBUS_AVAILABLE_IN_1_0
void                   zbus_connection_builder_set_auth_mechanisms (ZbusConnectionBuilder *self,
                                                                    ZbusAuthMechanisms     mechanisms);
ZBUS_AVAILABLE_IN_1_0
void                   zbus_connection_builder_add_name         (ZbusConnectionBuilder  *self,
                                                                 const char             *name,
                                                                 ZbusRequestNameFlags    flags);
ZBUS_AVAILABLE_IN_1_0
void                   zbus_connection_builder_serve_at         (ZbusConnectionBuilder  *self,
                                                                 const char             *path,
                                                                 ZbusInterface          *iface);
ZBUS_AVAILABLE_IN_1_0
void                   zbus_connection_builder_add_object_manager (ZbusConnectionBuilder *self,
                                                                   const char            *path);
ZBUS_AVAILABLE_IN_1_0
void                   zbus_connection_builder_set_method_timeout (ZbusConnectionBuilder *self,
                                                                   int                    timeout_msec);
ZBUS_AVAILABLE_IN_1_0
void                   zbus_connection_builder_set_max_queued   (ZbusConnectionBuilder  *self,
                                                                 guint                   max_queued);
ZBUS_AVAILABLE_IN_1_0
void                   zbus_connection_builder_set_main_context (ZbusConnectionBuilder  *self,
                                                                 GMainContext           *context);
ZBUS_AVAILABLE_IN_1_0
void                   zbus_connection_builder_set_internal_thread (ZbusConnectionBuilder *self,
                                                                    gboolean               internal_thread);

ZBUS_AVAILABLE_IN_1_0
ZbusConnection        *zbus_connection_builder_build            (ZbusConnectionBuilder  *self,
                                                                 GCancellable           *cancellable,
                                                                 GError                **error);
ZBUS_AVAILABLE_IN_1_0
void                   zbus_connection_builder_build_async      (ZbusConnectionBuilder  *self,
                                                                 GCancellable           *cancellable,
                                                                 GAsyncReadyCallback     callback,
                                                                 gpointer                user_data);
ZBUS_AVAILABLE_IN_1_0
ZbusConnection        *zbus_connection_builder_build_finish     (ZbusConnectionBuilder  *self,
                                                                 GAsyncResult           *result,
                                                                 GError                **error);

G_END_DECLS
