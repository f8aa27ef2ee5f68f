/* zbus-address-private.h
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* One entry of a D-Bus address list: `transport:key=value,key=value`.
 *
 * Values are stored unescaped. They are NUL-free byte strings, not
 * necessarily UTF-8 (a path may be in any encoding). Keys keep the order
 * they had in the address, so printing an entry gives back an equivalent
 * address.
 */
typedef struct
{
  char *transport;   /* (owned) (not nullable) */
  GPtrArray *keys;   /* (owned) (element-type utf8) */
  GPtrArray *values; /* (owned) (element-type filename): same length as keys */
} ZbusAddressEntry;

ZbusAddressEntry *_zbus_address_entry_new       (const char             *transport);
void              _zbus_address_entry_free      (ZbusAddressEntry       *entry);
void              _zbus_address_entry_add       (ZbusAddressEntry       *entry,
                                                 const char             *key,
                                                 const char             *value);
const char       *_zbus_address_entry_lookup    (const ZbusAddressEntry *entry,
                                                 const char             *key);
char             *_zbus_address_entry_to_string (const ZbusAddressEntry *entry);
gboolean          _zbus_address_entry_check     (const ZbusAddressEntry *entry,
                                                 gboolean                listening,
                                                 GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZbusAddressEntry, _zbus_address_entry_free)

GPtrArray        *_zbus_address_parse           (const char             *address,
                                                 GError                **error);
char             *_zbus_address_escape_value    (const char             *value);

char             *_zbus_address_get_session_bus (GError                **error);
char             *_zbus_address_get_system_bus  (void);

GSocket          *_zbus_address_connect_sync    (const char             *address,
                                                 char                  **out_guid,
                                                 GCancellable           *cancellable,
                                                 GError                **error);
void              _zbus_address_connect_async   (const char             *address,
                                                 GCancellable           *cancellable,
                                                 GAsyncReadyCallback     callback,
                                                 gpointer                user_data);
GSocket          *_zbus_address_connect_finish  (GAsyncResult           *result,
                                                 char                  **out_guid,
                                                 GError                **error);

GSocket          *_zbus_address_listen          (const char             *address,
                                                 char                  **out_client_address,
                                                 GError                **error);
void              _zbus_address_remove_listen_socket (const char        *client_address);

char             *_zbus_generate_guid           (void);
gboolean          _zbus_is_guid                 (const char             *string);

G_END_DECLS
