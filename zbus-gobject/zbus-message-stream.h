/* zbus-message-stream.h
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
#include "zbus-match-rule.h"
#include "zbus-message.h"
#include "zbus-version-macros.h"

G_BEGIN_DECLS

#define ZBUS_TYPE_MESSAGE_STREAM (zbus_message_stream_get_type ())

ZBUS_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (ZbusMessageStream, zbus_message_stream, ZBUS, MESSAGE_STREAM, GObject)

/**
 * ZbusMessageStreamFunc:
 * @stream: the stream
 * @message: the next message
 * @user_data: the data passed when the watch was added
 *
 * Called by a stream's [struct@GLib.Source] with each message.
 *
 * @message is borrowed for the duration of the call: take a reference
 * (zbus_message_ref(); in GJS, `new Zbus.Message(message)`) to keep it.
 *
 * Returns: %G_SOURCE_CONTINUE to go on receiving, %G_SOURCE_REMOVE to stop
 *
 * Since: 1.0
 */
typedef gboolean (*ZbusMessageStreamFunc) (ZbusMessageStream *stream,
                                           ZbusMessage       *message,
                                           gpointer           user_data);

ZBUS_AVAILABLE_IN_1_0
ZbusMessageStream *zbus_message_stream_new                      (ZbusConnection        *connection);
ZBUS_AVAILABLE_IN_1_0
ZbusMessageStream *zbus_message_stream_new_for_match_rule       (ZbusConnection        *connection,
                                                                 ZbusMatchRule         *rule,
                                                                 guint                  max_queued,
                                                                 GCancellable          *cancellable,
                                                                 GError               **error);
ZBUS_AVAILABLE_IN_1_0
void               zbus_message_stream_new_for_match_rule_async (ZbusConnection        *connection,
                                                                 ZbusMatchRule         *rule,
                                                                 guint                  max_queued,
                                                                 GCancellable          *cancellable,
                                                                 GAsyncReadyCallback    callback,
                                                                 gpointer               user_data);
ZBUS_AVAILABLE_IN_1_0
ZbusMessageStream *zbus_message_stream_new_for_match_rule_finish (GAsyncResult         *result,
                                                                  GError              **error);

ZBUS_AVAILABLE_IN_1_0
ZbusConnection    *zbus_message_stream_get_connection           (ZbusMessageStream     *self);
ZBUS_AVAILABLE_IN_1_0
ZbusMatchRule     *zbus_message_stream_get_match_rule           (ZbusMessageStream     *self);
ZBUS_AVAILABLE_IN_1_0
guint              zbus_message_stream_get_max_queued           (ZbusMessageStream     *self);
ZBUS_AVAILABLE_IN_1_0
guint              zbus_message_stream_get_queued               (ZbusMessageStream     *self);
ZBUS_AVAILABLE_IN_1_0
guint64            zbus_message_stream_get_dropped              (ZbusMessageStream     *self);
ZBUS_AVAILABLE_IN_1_0
gboolean           zbus_message_stream_is_closed                (ZbusMessageStream     *self);
ZBUS_AVAILABLE_IN_1_0
gboolean           zbus_message_stream_get_emit_signals         (ZbusMessageStream     *self);
ZBUS_AVAILABLE_IN_1_0
void               zbus_message_stream_set_emit_signals         (ZbusMessageStream     *self,
                                                                 gboolean               emit_signals);

ZBUS_AVAILABLE_IN_1_0
ZbusMessage       *zbus_message_stream_pop                      (ZbusMessageStream     *self,
                                                                 GCancellable          *cancellable,
                                                                 GError               **error);
ZBUS_AVAILABLE_IN_1_0
ZbusMessage       *zbus_message_stream_timed_pop                (ZbusMessageStream     *self,
                                                                 guint64                timeout_usec,
                                                                 GCancellable          *cancellable,
                                                                 GError               **error);
ZBUS_AVAILABLE_IN_1_0
ZbusMessage       *zbus_message_stream_try_pop                  (ZbusMessageStream     *self);
ZBUS_AVAILABLE_IN_1_0
void               zbus_message_stream_next_async               (ZbusMessageStream     *self,
                                                                 GCancellable          *cancellable,
                                                                 GAsyncReadyCallback    callback,
                                                                 gpointer               user_data);
ZBUS_AVAILABLE_IN_1_0
ZbusMessage       *zbus_message_stream_next_finish              (ZbusMessageStream     *self,
                                                                 GAsyncResult          *result,
                                                                 GError               **error);
ZBUS_AVAILABLE_IN_1_0
GSource           *zbus_message_stream_create_source            (ZbusMessageStream     *self);
ZBUS_AVAILABLE_IN_1_0
guint              zbus_message_stream_add_watch                (ZbusMessageStream     *self,
                                                                 GMainContext          *context,
                                                                 ZbusMessageStreamFunc  func,
                                                                 gpointer               user_data,
                                                                 GDestroyNotify         notify);
ZBUS_AVAILABLE_IN_1_0
void               zbus_message_stream_close                    (ZbusMessageStream     *self);

G_END_DECLS
