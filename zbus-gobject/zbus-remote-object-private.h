/* zbus-remote-object-private.h
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "zbus-remote-object.h"

G_BEGIN_DECLS

/* Used by ZbusObjectManagerClient, on its context. */
ZbusRemoteObject *_zbus_remote_object_new              (const char       *object_path);
ZbusProxy        *_zbus_remote_object_peek_interface   (ZbusRemoteObject *self,
                                                        const char       *interface_name);
void              _zbus_remote_object_add_interface    (ZbusRemoteObject *self,
                                                        ZbusProxy        *proxy,
                                                        gboolean          emit);
ZbusProxy        *_zbus_remote_object_remove_interface (ZbusRemoteObject *self,
                                                        const char       *interface_name,
                                                        gboolean          emit);
guint             _zbus_remote_object_get_n_interfaces (ZbusRemoteObject *self);
void              _zbus_remote_object_detach           (ZbusRemoteObject *self);

G_END_DECLS
