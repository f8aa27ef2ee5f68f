/* zbus-message.h
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
#include "zbus-version-macros.h"

G_BEGIN_DECLS

/**
 * ZBUS_MAX_MESSAGE_SIZE:
 *
 * The largest message the specification allows, header and body: 128 MiB.
 *
 * Since: 1.0
 */
#define ZBUS_MAX_MESSAGE_SIZE (128u * 1024u * 1024u)

/**
 * ZBUS_MAX_ARRAY_SIZE:
 *
 * The largest array the specification allows, in bytes: 64 MiB.
 *
 * Since: 1.0
 */
#define ZBUS_MAX_ARRAY_SIZE (64u * 1024u * 1024u)

/**
 * ZBUS_MESSAGE_HEADER_MIN_SIZE:
 *
 * How many bytes of a message must be at hand before
 * [func@Zbus.Message.bytes_needed] can tell the size of the whole message.
 *
 * Since: 1.0
 */
#define ZBUS_MESSAGE_HEADER_MIN_SIZE 16

#define ZBUS_TYPE_MESSAGE (zbus_message_get_type ())

typedef struct _ZbusMessage ZbusMessage;

ZBUS_AVAILABLE_IN_1_0
GType             zbus_message_get_type            (void) G_GNUC_CONST;

ZBUS_AVAILABLE_IN_1_0
ZbusMessage      *zbus_message_new_method_call     (const char        *destination,
                                                    const char        *path,
                                                    const char        *interface_,
                                                    const char        *method,
                                                    GError           **error);
ZBUS_AVAILABLE_IN_1_0
ZbusMessage      *zbus_message_new_signal          (const char        *path,
                                                    const char        *interface_,
                                                    const char        *signal,
                                                    GError           **error);
ZBUS_AVAILABLE_IN_1_0
ZbusMessage      *zbus_message_new_method_reply    (ZbusMessage       *call);
ZBUS_AVAILABLE_IN_1_0
ZbusMessage      *zbus_message_new_error           (ZbusMessage       *call,
                                                    const char        *error_name,
                                                    const char        *error_message,
                                                    GError           **error);
ZBUS_AVAILABLE_IN_1_0
ZbusMessage      *zbus_message_new_error_from_gerror (ZbusMessage     *call,
                                                      const GError    *error);

ZBUS_AVAILABLE_IN_1_0
ZbusMessage      *zbus_message_ref                 (ZbusMessage       *self);
ZBUS_AVAILABLE_IN_1_0
void              zbus_message_unref               (ZbusMessage       *self);

ZBUS_AVAILABLE_IN_1_0
ZbusMessageType   zbus_message_get_message_type    (ZbusMessage       *self);
ZBUS_AVAILABLE_IN_1_0
ZbusMessageFlags  zbus_message_get_flags           (ZbusMessage       *self);
ZBUS_AVAILABLE_IN_1_0
void              zbus_message_set_flags           (ZbusMessage       *self,
                                                    ZbusMessageFlags   flags);
ZBUS_AVAILABLE_IN_1_0
ZbusByteOrder     zbus_message_get_byte_order      (ZbusMessage       *self);
ZBUS_AVAILABLE_IN_1_0
void              zbus_message_set_byte_order      (ZbusMessage       *self,
                                                    ZbusByteOrder      byte_order);
ZBUS_AVAILABLE_IN_1_0
guint32           zbus_message_get_serial          (ZbusMessage       *self);
ZBUS_AVAILABLE_IN_1_0
void              zbus_message_set_serial          (ZbusMessage       *self,
                                                    guint32            serial);
ZBUS_AVAILABLE_IN_1_0
guint32           zbus_message_get_reply_serial    (ZbusMessage       *self);
ZBUS_AVAILABLE_IN_1_0
const char       *zbus_message_get_path            (ZbusMessage       *self);
ZBUS_AVAILABLE_IN_1_0
const char       *zbus_message_get_interface       (ZbusMessage       *self);
ZBUS_AVAILABLE_IN_1_0
const char       *zbus_message_get_member          (ZbusMessage       *self);
ZBUS_AVAILABLE_IN_1_0
const char       *zbus_message_get_error_name      (ZbusMessage       *self);
ZBUS_AVAILABLE_IN_1_0
const char       *zbus_message_get_destination     (ZbusMessage       *self);
ZBUS_AVAILABLE_IN_1_0
gboolean          zbus_message_set_destination     (ZbusMessage       *self,
                                                    const char        *destination,
                                                    GError           **error);
ZBUS_AVAILABLE_IN_1_0
const char       *zbus_message_get_sender          (ZbusMessage       *self);
ZBUS_AVAILABLE_IN_1_0
gboolean          zbus_message_set_sender          (ZbusMessage       *self,
                                                    const char        *sender,
                                                    GError           **error);
ZBUS_AVAILABLE_IN_1_0
const char       *zbus_message_get_signature       (ZbusMessage       *self);
ZBUS_AVAILABLE_IN_1_0
guint32           zbus_message_get_num_unix_fds    (ZbusMessage       *self);

ZBUS_AVAILABLE_IN_1_0
GVariant         *zbus_message_get_body            (ZbusMessage       *self);
ZBUS_AVAILABLE_IN_1_0
gboolean          zbus_message_set_body            (ZbusMessage       *self,
                                                    GVariant          *body,
                                                    GError           **error);
ZBUS_AVAILABLE_IN_1_0
char             *zbus_message_dup_error_message   (ZbusMessage       *self);
ZBUS_AVAILABLE_IN_1_0
gboolean          zbus_message_to_gerror           (ZbusMessage       *self,
                                                    GError           **error);

ZBUS_AVAILABLE_IN_1_0
GUnixFDList      *zbus_message_get_unix_fd_list    (ZbusMessage       *self);
ZBUS_AVAILABLE_IN_1_0
void              zbus_message_set_unix_fd_list    (ZbusMessage       *self,
                                                    GUnixFDList       *fd_list);

ZBUS_AVAILABLE_IN_1_0
GBytes           *zbus_message_to_bytes            (ZbusMessage       *self,
                                                    GError           **error);
ZBUS_AVAILABLE_IN_1_0
ZbusMessage      *zbus_message_new_from_bytes      (GBytes            *bytes,
                                                    GUnixFDList       *fd_list,
                                                    GError           **error);
ZBUS_AVAILABLE_IN_1_0
gssize            zbus_message_bytes_needed        (const guint8      *data,
                                                    gsize              size,
                                                    GError           **error);

ZBUS_AVAILABLE_IN_1_0
GDBusMessage     *zbus_message_to_gdbus            (ZbusMessage       *self,
                                                    GError           **error);
ZBUS_AVAILABLE_IN_1_0
ZbusMessage      *zbus_message_new_from_gdbus      (GDBusMessage      *message,
                                                    GError           **error);

ZBUS_AVAILABLE_IN_1_0
char             *zbus_message_to_string           (ZbusMessage       *self);

ZBUS_AVAILABLE_IN_1_0
gboolean          zbus_is_signature                (const char        *string);
ZBUS_AVAILABLE_IN_1_0
gboolean          zbus_is_single_complete_type     (const char        *string);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZbusMessage, zbus_message_unref)

G_END_DECLS
