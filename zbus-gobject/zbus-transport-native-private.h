/* zbus-transport-native-private.h
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "zbus-message.h"

G_BEGIN_DECLS

/* The native transport: D-Bus messages over an authenticated stream socket,
 * read and written with recvmsg()/sendmsg() on its file descriptor.
 *
 * It owns no main context and no thread. Whoever holds the reader role of
 * the connection (the connection's GSource on its context, or a thread
 * blocked in a synchronous call) calls _zbus_native_read(); each complete
 * message is handed to the message callback in that thread, in the order
 * of the stream. Sending is safe from any thread: a write lock keeps
 * messages whole and in order; what the socket does not take at once waits
 * in an output queue that _zbus_native_write_pending() drains. */
typedef struct _ZbusNative ZbusNative;

/* Called by _zbus_native_read() in the reading thread, for each message. */
typedef void (*ZbusNativeMessageFunc) (ZbusMessage *message,
                                       gpointer     user_data);

ZbusNative *_zbus_native_new               (GSocket                *socket,
                                            GBytes                 *leftover,
                                            gboolean                unix_fd_passing,
                                            ZbusNativeMessageFunc   message_func,
                                            gpointer                user_data);
void        _zbus_native_free              (ZbusNative             *native);

int         _zbus_native_get_fd            (ZbusNative             *native);
GSocket    *_zbus_native_get_socket        (ZbusNative             *native);

/* Encodes and sends @message (its serial already set). Any thread. */
gboolean    _zbus_native_send              (ZbusNative             *native,
                                            ZbusMessage            *message,
                                            GError                **error);
/* Whether bytes wait in the output queue. Any thread. */
gboolean    _zbus_native_has_pending_output (ZbusNative            *native);
/* Writes what the socket takes now without blocking. FALSE with @error
 * when the socket failed. Any thread. */
gboolean    _zbus_native_write_pending     (ZbusNative             *native,
                                            GError                **error);

/* Reads what the socket has without blocking and delivers each complete
 * message. Returns FALSE with @error when the peer closed the stream, the
 * socket failed or the peer sent something that is not D-Bus (the
 * connection must then be closed). The caller holds the reader role. */
gboolean    _zbus_native_read              (ZbusNative             *native,
                                            GError                **error);

/* Blocks until the socket is readable (or writable with output pending),
 * @deadline_us (monotonic; -1 for none) passes, or @cancellable is
 * cancelled; then reads and writes what it can. Returns FALSE with @error
 * on failure, cancellation (G_IO_ERROR_CANCELLED) or time-out
 * (G_IO_ERROR_TIMED_OUT). The caller holds the reader role. */
gboolean    _zbus_native_wait_and_read     (ZbusNative             *native,
                                            gint64                  deadline_us,
                                            GCancellable           *cancellable,
                                            GError                **error);

/* Blocks until the output queue is empty. Any thread. */
gboolean    _zbus_native_flush             (ZbusNative             *native,
                                            GCancellable           *cancellable,
                                            GError                **error);

void        _zbus_native_shutdown          (ZbusNative             *native);

G_END_DECLS
