/* zbus-object-server-private.h
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "zbus-interface.h"
#include "zbus-message.h"
#include "zbus-object-server.h"

G_BEGIN_DECLS

#define ZBUS_OBJECT_MANAGER_INTERFACE "org.freedesktop.DBus.ObjectManager"

/* zbus-object-server.c, for the object managers. Both take the servers'
 * lock: call them without the managers' lock held. */
GHashTable *_zbus_object_server_snapshot_below  (ZbusObjectServer *self,
                                                 const char       *path);
GVariant   *_zbus_object_server_read_properties (ZbusObjectServer *self,
                                                 ZbusInterface    *iface,
                                                 ZbusMessage      *call);

/* zbus-object-server-manager.c: org.freedesktop.DBus.ObjectManager. Each
 * takes the managers' lock, which nests inside the servers' lock (the call
 * claimer asks with that one held), never the other way round. */
extern const char _zbus_object_manager_xml[];

gboolean _zbus_object_server_is_manager           (ZbusObjectServer *self,
                                                   const char       *path);
gboolean _zbus_object_server_managers_serve       (ZbusObjectServer *self,
                                                   const char       *path,
                                                   gboolean          standard_call);
void     _zbus_object_server_add_manager_children (ZbusObjectServer *self,
                                                   const char       *path,
                                                   GPtrArray        *children);
void     _zbus_object_server_handle_manager_call  (ZbusObjectServer *self,
                                                   ZbusMessage      *call);
void     _zbus_object_server_interface_added      (ZbusObjectServer *self,
                                                   const char       *path,
                                                   ZbusInterface    *iface);
void     _zbus_object_server_interface_removed    (ZbusObjectServer *self,
                                                   const char       *path,
                                                   ZbusInterface    *iface);

G_END_DECLS
