/* zbus-connection.h
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

#include "zbus-enums.h"
#include "zbus-message.h"
#include "zbus-version-macros.h"

G_BEGIN_DECLS

/**
 * ZBUS_TIMEOUT_DEFAULT:
 *
 * Use the connection's default method-call timeout (25 seconds unless the
 * builder set another).
 *
 * Since: 1.0
 */
#define ZBUS_TIMEOUT_DEFAULT (-1)

/**
 * ZBUS_TIMEOUT_INFINITE:
 *
 * Wait for a reply for as long as it takes.
 *
 * Since: 1.0
 */
#define ZBUS_TIMEOUT_INFINITE 2147483647 /* G_MAXINT, spelled out for g-ir-scanner */

#define ZBUS_TYPE_CONNECTION (zbus_connection_get_type ())

ZBUS_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (ZbusConnection, zbus_connection, ZBUS, CONNECTION, GObject)

ZBUS_AVAILABLE_IN_1_0
ZbusConnection       *zbus_connection_session                  (GCancellable         *cancellable,
                                                                GError              **error);
ZBUS_AVAILABLE_IN_1_0
void                  zbus_connection_session_async            (GCancellable         *cancellable,
                                                                GAsyncReadyCallback   callback,
                                                                gpointer              user_data);
ZBUS_AVAILABLE_IN_1_0
ZbusConnection       *zbus_connection_session_finish           (GAsyncResult         *result,
                                                                GError              **error);
ZBUS_AVAILABLE_IN_1_0
ZbusConnection       *zbus_connection_system                   (GCancellable         *cancellable,
                                                                GError              **error);
ZBUS_AVAILABLE_IN_1_0
void                  zbus_connection_system_async             (GCancellable         *cancellable,
                                                                GAsyncReadyCallback   callback,
                                                                gpointer              user_data);
ZBUS_AVAILABLE_IN_1_0
ZbusConnection       *zbus_connection_system_finish            (GAsyncResult         *result,
                                                                GError              **error);
ZBUS_AVAILABLE_IN_1_0
ZbusConnection       *zbus_connection_new_for_gdbus            (GDBusConnection      *connection);

ZBUS_AVAILABLE_IN_1_0
const char           *zbus_connection_get_unique_name          (ZbusConnection       *self);
ZBUS_AVAILABLE_IN_1_0
const char           *zbus_connection_get_guid                 (ZbusConnection       *self);
ZBUS_AVAILABLE_IN_1_0
gboolean              zbus_connection_is_bus                   (ZbusConnection       *self);
ZBUS_AVAILABLE_IN_1_0
gboolean              zbus_connection_is_closed                (ZbusConnection       *self);
ZBUS_AVAILABLE_IN_1_0
GMainContext         *zbus_connection_get_main_context         (ZbusConnection       *self);
ZBUS_AVAILABLE_IN_1_0
GDBusConnection      *zbus_connection_get_gdbus_connection     (ZbusConnection       *self);
ZBUS_AVAILABLE_IN_1_0
GCredentials         *zbus_connection_get_peer_credentials     (ZbusConnection       *self);
ZBUS_AVAILABLE_IN_1_0
gboolean              zbus_connection_get_unix_fd_passing      (ZbusConnection       *self);
ZBUS_AVAILABLE_IN_1_0
int                   zbus_connection_get_method_timeout       (ZbusConnection       *self);

ZBUS_AVAILABLE_IN_1_0
gboolean              zbus_connection_send_message             (ZbusConnection       *self,
                                                                ZbusMessage          *message,
                                                                guint32              *out_serial,
                                                                GError              **error);
ZBUS_AVAILABLE_IN_1_0
ZbusMessage          *zbus_connection_send_message_with_reply_sync (ZbusConnection   *self,
                                                                    ZbusMessage      *message,
                                                                    int               timeout_msec,
                                                                    GCancellable     *cancellable,
                                                                    GError          **error);
ZBUS_AVAILABLE_IN_1_0
void                  zbus_connection_send_message_with_reply  (ZbusConnection       *self,
                                                                ZbusMessage          *message,
                                                                int                   timeout_msec,
                                                                GCancellable         *cancellable,
                                                                GAsyncReadyCallback   callback,
                                                                gpointer              user_data);
ZBUS_AVAILABLE_IN_1_0
ZbusMessage          *zbus_connection_send_message_with_reply_finish (ZbusConnection *self,
                                                                      GAsyncResult   *result,
                                                                      GError        **error);

ZBUS_AVAILABLE_IN_1_0
GVariant             *zbus_connection_call_sync                (ZbusConnection       *self,
                                                                const char           *destination,
                                                                const char           *path,
                                                                const char           *interface_,
                                                                const char           *method,
                                                                GVariant             *parameters,
                                                                const GVariantType   *reply_type,
                                                                ZbusMessageFlags      flags,
                                                                int                   timeout_msec,
                                                                GCancellable         *cancellable,
                                                                GError              **error);
ZBUS_AVAILABLE_IN_1_0
void                  zbus_connection_call                     (ZbusConnection       *self,
                                                                const char           *destination,
                                                                const char           *path,
                                                                const char           *interface_,
                                                                const char           *method,
                                                                GVariant             *parameters,
                                                                const GVariantType   *reply_type,
                                                                ZbusMessageFlags      flags,
                                                                int                   timeout_msec,
                                                                GCancellable         *cancellable,
                                                                GAsyncReadyCallback   callback,
                                                                gpointer              user_data);
ZBUS_AVAILABLE_IN_1_0
GVariant             *zbus_connection_call_finish              (ZbusConnection       *self,
                                                                GAsyncResult         *result,
                                                                GError              **error);

ZBUS_AVAILABLE_IN_1_0
gboolean              zbus_connection_emit_signal              (ZbusConnection       *self,
                                                                const char           *destination,
                                                                const char           *path,
                                                                const char           *interface_,
                                                                const char           *signal,
                                                                GVariant             *parameters,
                                                                GError              **error);

ZBUS_AVAILABLE_IN_1_0
ZbusRequestNameReply  zbus_connection_request_name_sync        (ZbusConnection       *self,
                                                                const char           *name,
                                                                ZbusRequestNameFlags  flags,
                                                                GCancellable         *cancellable,
                                                                GError              **error);
ZBUS_AVAILABLE_IN_1_0
void                  zbus_connection_request_name             (ZbusConnection       *self,
                                                                const char           *name,
                                                                ZbusRequestNameFlags  flags,
                                                                GCancellable         *cancellable,
                                                                GAsyncReadyCallback   callback,
                                                                gpointer              user_data);
ZBUS_AVAILABLE_IN_1_0
ZbusRequestNameReply  zbus_connection_request_name_finish      (ZbusConnection       *self,
                                                                GAsyncResult         *result,
                                                                GError              **error);
ZBUS_AVAILABLE_IN_1_0
ZbusReleaseNameReply  zbus_connection_release_name_sync        (ZbusConnection       *self,
                                                                const char           *name,
                                                                GCancellable         *cancellable,
                                                                GError              **error);
ZBUS_AVAILABLE_IN_1_0
void                  zbus_connection_release_name             (ZbusConnection       *self,
                                                                const char           *name,
                                                                GCancellable         *cancellable,
                                                                GAsyncReadyCallback   callback,
                                                                gpointer              user_data);
ZBUS_AVAILABLE_IN_1_0
ZbusReleaseNameReply  zbus_connection_release_name_finish      (ZbusConnection       *self,
                                                                GAsyncResult         *result,
                                                                GError              **error);

ZBUS_AVAILABLE_IN_1_0
gboolean              zbus_connection_flush_sync               (ZbusConnection       *self,
                                                                GCancellable         *cancellable,
                                                                GError              **error);
ZBUS_AVAILABLE_IN_1_0
void                  zbus_connection_flush                    (ZbusConnection       *self,
                                                                GCancellable         *cancellable,
                                                                GAsyncReadyCallback   callback,
                                                                gpointer              user_data);
ZBUS_AVAILABLE_IN_1_0
gboolean              zbus_connection_flush_finish             (ZbusConnection       *self,
                                                                GAsyncResult         *result,
                                                                GError              **error);
ZBUS_AVAILABLE_IN_1_0
gboolean              zbus_connection_close_sync               (ZbusConnection       *self,
                                                                GCancellable         *cancellable,
                                                                GError              **error);
ZBUS_AVAILABLE_IN_1_0
void                  zbus_connection_close                    (ZbusConnection       *self,
                                                                GCancellable         *cancellable,
                                                                GAsyncReadyCallback   callback,
                                                                gpointer              user_data);
ZBUS_AVAILABLE_IN_1_0
gboolean              zbus_connection_close_finish             (ZbusConnection       *self,
                                                                GAsyncResult         *result,
                                                                GError              **error);

typedef struct _ZbusObjectServer ZbusObjectServer;

ZBUS_AVAILABLE_IN_1_0
ZbusObjectServer     *zbus_connection_get_object_server        (ZbusConnection       *self);

ZBUS_AVAILABLE_IN_1_0
char                 *zbus_generate_guid                       (void);

/* zbus-connection-monitor.c */
typedef struct _ZbusMessageStream ZbusMessageStream;

ZBUS_AVAILABLE_IN_1_0
ZbusMessageStream    *zbus_connection_become_monitor           (ZbusConnection       *self,
                                                                const char * const   *rules,
                                                                GCancellable         *cancellable,
                                                                GError              **error);
ZBUS_AVAILABLE_IN_1_0
void                  zbus_connection_become_monitor_async     (ZbusConnection       *self,
                                                                const char * const   *rules,
                                                                GCancellable         *cancellable,
                                                                GAsyncReadyCallback   callback,
                                                                gpointer              user_data);
ZBUS_AVAILABLE_IN_1_0
ZbusMessageStream    *zbus_connection_become_monitor_finish    (ZbusConnection       *self,
                                                                GAsyncResult         *result,
                                                                GError              **error);

G_END_DECLS
