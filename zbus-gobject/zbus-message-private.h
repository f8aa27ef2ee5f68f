/* zbus-message-private.h
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "zbus-message.h"

G_BEGIN_DECLS

/* Header field codes of the wire protocol. */
typedef enum
{
  ZBUS_HEADER_FIELD_INVALID = 0,
  ZBUS_HEADER_FIELD_PATH = 1,
  ZBUS_HEADER_FIELD_INTERFACE = 2,
  ZBUS_HEADER_FIELD_MEMBER = 3,
  ZBUS_HEADER_FIELD_ERROR_NAME = 4,
  ZBUS_HEADER_FIELD_REPLY_SERIAL = 5,
  ZBUS_HEADER_FIELD_DESTINATION = 6,
  ZBUS_HEADER_FIELD_SENDER = 7,
  ZBUS_HEADER_FIELD_SIGNATURE = 8,
  ZBUS_HEADER_FIELD_UNIX_FDS = 9,
} ZbusHeaderField;

/* Index into ZbusMessage.strings: the string-valued header fields. */
typedef enum
{
  ZBUS_STR_PATH,
  ZBUS_STR_INTERFACE,
  ZBUS_STR_MEMBER,
  ZBUS_STR_ERROR_NAME,
  ZBUS_STR_DESTINATION,
  ZBUS_STR_SENDER,
  ZBUS_STR_SIGNATURE,
  ZBUS_N_STRS,
} ZbusStr;

/* Limits of the specification. */
#define ZBUS_MAX_SIGNATURE_LENGTH 255
#define ZBUS_MAX_ARRAY_DEPTH 32
#define ZBUS_MAX_STRUCT_DEPTH 32
#define ZBUS_MAX_TOTAL_DEPTH 64

struct _ZbusMessage
{
  gatomicrefcount ref_count;

  guint8 type;          /* ZbusMessageType */
  guint8 flags;         /* ZbusMessageFlags */
  guint8 byte_order;    /* ZbusByteOrder */
  /* ZbusClaim: on the GDBus transport, what the call claimer said of a
   * method call in GDBus's worker thread. The handlers on the context
   * follow that, as GDBus answers (or not) on the same word. */
  guint8 claim;

  guint32 serial;
  guint32 reply_serial;
  guint32 num_unix_fds;

  /* The string header fields, NULL when absent. A string either points
   * into @blob (decoded messages: no copy) or is owned, as the bit
   * (1 << index) of @owned_strings says. The signature is NULL for an
   * empty body. */
  const char *strings[ZBUS_N_STRS];
  guint16 owned_strings;

  /* The wire bytes a decoded message came from (owned) (nullable), and
   * where its body lies in them. The body there has been validated by
   * zbus_message_new_from_bytes(), so decoding it later cannot fail. */
  GBytes *blob;
  gsize body_offset;
  gsize body_size;

  /* (owned) (nullable) (atomic): the body, built from @blob on first
   * use by whichever thread asks first (compare-and-exchange: the loser
   * drops its copy). */
  GVariant *body;

  GUnixFDList *fd_list;  /* (owned) (nullable) */
};

typedef enum {
  ZBUS_CLAIM_UNASKED,   /* native transport, or not a method call */
  ZBUS_CLAIM_TAKEN,     /* ours: GDBus never sees it, we must answer it */
  ZBUS_CLAIM_LEFT,      /* GDBus's: it answers, we must not */
} ZbusClaim;

/* zbus-message.c */
ZbusMessage *_zbus_message_new              (ZbusMessageType   type);
void         _zbus_message_set_string       (ZbusMessage      *self,
                                             ZbusStr           field,
                                             const char       *value);
void         _zbus_message_set_string_borrowed (ZbusMessage   *self,
                                                ZbusStr        field,
                                                const char    *value);
ZbusMessage *_zbus_message_new_method_call_trusted (const char  *destination,
                                                    const char  *path,
                                                    const char  *interface_,
                                                    const char  *method,
                                                    GError     **error);

/* zbus-message-codec.c */

/* Whether @type (the type of a message body or of a value inside one) can
 * be carried by D-Bus: no maybe types, no empty structs, signature length
 * and nesting depths within the limits. @type is the tuple type of a whole
 * body when @is_body is TRUE (its outer parentheses do not count). */
gboolean     _zbus_variant_type_check       (const GVariantType *type,
                                             gboolean            is_body,
                                             GError            **error);

/* Builds the GVariant body of a message decoded by
 * zbus_message_new_from_bytes() from its already-validated wire bytes.
 * Returns a new floating-free reference, never NULL for a non-empty
 * signature. */
GVariant    *_zbus_message_decode_body      (ZbusMessage      *self);
ZbusMessage *_zbus_message_new_from_bytes_full (GBytes       *bytes,
                                                GUnixFDList  *fd_list,   /* (nullable) */
                                                gboolean      strict_handles,
                                                GError      **error);

G_END_DECLS
