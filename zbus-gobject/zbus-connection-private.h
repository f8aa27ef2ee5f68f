/* zbus-connection-private.h
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "zbus-connection.h"
#include "zbus-transport-native-private.h"

G_BEGIN_DECLS

/* A handler sees each incoming message that is not a reply to one of the
 * connection's own calls, on the connection's context, in arrival order.
 * Returning TRUE claims a method call: the connection then does not answer
 * it with an error. (Streams and the object server are handlers.) */
typedef gboolean (*ZbusConnectionHandler) (ZbusConnection *connection,
                                           ZbusMessage    *message,
                                           gpointer        user_data);

guint           _zbus_connection_add_handler    (ZbusConnection        *self,
                                                 ZbusConnectionHandler  handler,
                                                 gpointer               user_data,
                                                 GDestroyNotify         destroy);
void            _zbus_connection_remove_handler (ZbusConnection        *self,
                                                 guint                  handler_id);

/* Used by ZbusConnectionBuilder. */
ZbusConnection *_zbus_connection_new_native     (GSocket               *socket,
                                                 GBytes                *leftover,
                                                 const char            *guid,
                                                 gboolean               unix_fd_passing,
                                                 gboolean               is_bus,
                                                 GMainContext          *context,
                                                 int                    method_timeout,
                                                 guint                  max_queued);
gboolean        _zbus_connection_hello          (ZbusConnection        *self,
                                                 GCancellable          *cancellable,
                                                 GError               **error);
guint           _zbus_connection_get_max_queued (ZbusConnection        *self);
void            _zbus_connection_set_internal_thread (ZbusConnection   *self,
                                                      GThread          *thread,
                                                      GMainLoop        *loop);

G_END_DECLS
