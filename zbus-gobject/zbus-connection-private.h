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

/* The message bus itself. */
#define ZBUS_DBUS_NAME      "org.freedesktop.DBus"
#define ZBUS_DBUS_PATH      "/org/freedesktop/DBus"
#define ZBUS_DBUS_INTERFACE "org.freedesktop.DBus"

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

/* A filter sees each incoming message that is not a reply to one of the
 * connection's own calls, in the thread that read it (whichever thread
 * holds the reader role; GDBus's worker thread on the GDBus transport),
 * in arrival order, before the message is queued for the context. It must
 * not block and cannot claim anything. It is called once more with a NULL
 * message when the connection closes. (Message streams are fed this way,
 * so a stream never waits for the context and never delays it.) */
typedef void (*ZbusConnectionFilter) (ZbusConnection *connection,
                                      ZbusMessage    *message,
                                      gpointer        user_data);

guint           _zbus_connection_add_filter     (ZbusConnection        *self,
                                                 ZbusConnectionFilter   filter,
                                                 gpointer               user_data,
                                                 GDestroyNotify         destroy);
void            _zbus_connection_remove_filter  (ZbusConnection        *self,
                                                 guint                  filter_id);

/* Says, in the reading thread (GDBus's worker thread on the GDBus
 * transport), whether the program serves the target of a method call.
 * On the GDBus transport a claimed call is taken away from GDBus, which
 * would otherwise answer it too (with an error, having no object there);
 * the call is then dispatched to the handlers on the context as usual. On
 * the native transport it changes nothing. One per connection (the object
 * server); NULL removes it. */
typedef gboolean (*ZbusConnectionCallClaimer) (ZbusConnection *connection,
                                               ZbusMessage    *call,
                                               gpointer        user_data);

void            _zbus_connection_set_call_claimer (ZbusConnection           *self,
                                                   ZbusConnectionCallClaimer claimer,
                                                   gpointer                  user_data);

/* If no thread reads the socket now, reads it once in this thread: waits
 * until something arrives or @deadline_us passes, delivers what came (to
 * filters and the context's queue), and returns TRUE. Returns FALSE at once
 * when another thread reads, on the GDBus transport (GDBus's thread reads),
 * or when the connection is closed. So a thread blocked on a stream keeps
 * the connection moving when its context does not run, as a synchronous
 * call does. */
gboolean        _zbus_connection_read_once      (ZbusConnection        *self,
                                                 gint64                 deadline_us,
                                                 GCancellable          *cancellable);

/* A connection that asks to become a monitor stops answering the calls
 * it sees (BECOMING, set before BecomeMonitor goes out); once it is one
 * (ACTIVE), it refuses to send anything, since the bus would disconnect
 * it. Any thread. */
typedef enum
{
  ZBUS_MONITOR_NONE,
  ZBUS_MONITOR_BECOMING,
  ZBUS_MONITOR_ACTIVE,
} ZbusMonitorState;

void            _zbus_connection_set_monitor    (ZbusConnection        *self,
                                                 ZbusMonitorState       state);

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

/* zbus-connection-calls.c: zbus_connection_call_sync() and
 * zbus_connection_call() without their argument checks, for proxies. With
 * @names_checked, @destination, @path and @interface_ are taken as valid
 * (a proxy checked them once, when it was made): only @method is checked.
 * Finish the second with zbus_connection_call_finish(). */
GVariant       *_zbus_connection_call_sync_full (ZbusConnection        *self,
                                                 gboolean               names_checked,
                                                 const char            *destination,
                                                 const char            *path,
                                                 const char            *interface_,
                                                 const char            *method,
                                                 GVariant              *parameters,
                                                 const GVariantType    *reply_type,
                                                 ZbusMessageFlags       flags,
                                                 int                    timeout_msec,
                                                 GCancellable          *cancellable,
                                                 GError               **error);
void            _zbus_connection_call_full      (ZbusConnection        *self,
                                                 gboolean               names_checked,
                                                 const char            *destination,
                                                 const char            *path,
                                                 const char            *interface_,
                                                 const char            *method,
                                                 GVariant              *parameters,
                                                 const GVariantType    *reply_type,
                                                 ZbusMessageFlags       flags,
                                                 int                    timeout_msec,
                                                 GCancellable          *cancellable,
                                                 GAsyncReadyCallback    callback,
                                                 gpointer               user_data);

G_END_DECLS
