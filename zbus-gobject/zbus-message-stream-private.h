/* zbus-message-stream-private.h
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "zbus-message-stream.h"

G_BEGIN_DECLS

/* A stream that the connection's registry does not feed: its owner (a
 * ZbusProxy) pushes the messages it decides belong to it, from any thread,
 * with _zbus_message_stream_feed(), and ends it with
 * zbus_message_stream_close(). @rule is what the stream reports as its
 * rule; after _zbus_message_stream_set_remove_match() the stream sends
 * `RemoveMatch` for it when it is disposed (its owner sent the
 * `AddMatch`). */
ZbusMessageStream *_zbus_message_stream_new_fed (ZbusConnection    *connection,
                                                 ZbusMatchRule     *rule,
                                                 guint              max_queued);
void               _zbus_message_stream_set_remove_match (ZbusMessageStream *self,
                                                          gboolean           remove_match);
void               _zbus_message_stream_feed    (ZbusMessageStream *self,
                                                 ZbusMessage       *message);

G_END_DECLS
