/* zbus-method-invocation.h
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
#include "zbus-message.h"
#include "zbus-version-macros.h"

G_BEGIN_DECLS

typedef struct _ZbusObjectServer ZbusObjectServer;
typedef struct _ZbusSignalEmitter ZbusSignalEmitter;
typedef struct _ZbusInterface ZbusInterface;

#define ZBUS_TYPE_METHOD_INVOCATION (zbus_method_invocation_get_type ())

ZBUS_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (ZbusMethodInvocation, zbus_method_invocation, ZBUS, METHOD_INVOCATION, GObject)

ZBUS_AVAILABLE_IN_1_0
ZbusMethodInvocation *zbus_method_invocation_get_current        (void);
ZBUS_AVAILABLE_IN_1_0
ZbusMessage          *zbus_method_invocation_get_message        (ZbusMethodInvocation *self);
ZBUS_AVAILABLE_IN_1_0
ZbusConnection       *zbus_method_invocation_get_connection     (ZbusMethodInvocation *self);
ZBUS_AVAILABLE_IN_1_0
ZbusObjectServer     *zbus_method_invocation_get_object_server  (ZbusMethodInvocation *self);
ZBUS_AVAILABLE_IN_1_0
ZbusInterface        *zbus_method_invocation_get_interface      (ZbusMethodInvocation *self);
ZBUS_AVAILABLE_IN_1_0
ZbusSignalEmitter    *zbus_method_invocation_get_signal_emitter (ZbusMethodInvocation *self);
ZBUS_AVAILABLE_IN_1_0
const char           *zbus_method_invocation_get_sender         (ZbusMethodInvocation *self);
ZBUS_AVAILABLE_IN_1_0
const char           *zbus_method_invocation_get_path           (ZbusMethodInvocation *self);
ZBUS_AVAILABLE_IN_1_0
const char           *zbus_method_invocation_get_interface_name (ZbusMethodInvocation *self);
ZBUS_AVAILABLE_IN_1_0
const char           *zbus_method_invocation_get_member         (ZbusMethodInvocation *self);
ZBUS_AVAILABLE_IN_1_0
GVariant             *zbus_method_invocation_get_parameters     (ZbusMethodInvocation *self);
ZBUS_AVAILABLE_IN_1_0
gboolean              zbus_method_invocation_is_answered        (ZbusMethodInvocation *self);
ZBUS_AVAILABLE_IN_1_0
ZbusMethodInvocation *zbus_method_invocation_defer              (ZbusMethodInvocation *self);
ZBUS_AVAILABLE_IN_1_0
void                  zbus_method_invocation_return_value       (ZbusMethodInvocation *self,
                                                                 GVariant             *parameters);
ZBUS_AVAILABLE_IN_1_0
void                  zbus_method_invocation_return_value_with_unix_fd_list (ZbusMethodInvocation *self,
                                                                 GVariant             *parameters,
                                                                 GUnixFDList          *fd_list);
ZBUS_AVAILABLE_IN_1_0
void                  zbus_method_invocation_return_gerror      (ZbusMethodInvocation *self,
                                                                 const GError         *error);
ZBUS_AVAILABLE_IN_1_0
void                  zbus_method_invocation_return_dbus_error  (ZbusMethodInvocation *self,
                                                                 const char           *error_name,
                                                                 const char           *error_message);
ZBUS_AVAILABLE_IN_1_0
void                  zbus_method_invocation_authorize          (ZbusMethodInvocation *self);
ZBUS_AVAILABLE_IN_1_0
void                  zbus_method_invocation_deny               (ZbusMethodInvocation *self,
                                                                 const char           *message);
ZBUS_AVAILABLE_IN_1_0
void                  zbus_method_invocation_get_caller_credentials (ZbusMethodInvocation *self,
                                                                     GCancellable         *cancellable,
                                                                     GAsyncReadyCallback   callback,
                                                                     gpointer              user_data);
ZBUS_AVAILABLE_IN_1_0
GVariant             *zbus_method_invocation_get_caller_credentials_finish (ZbusMethodInvocation  *self,
                                                                            GAsyncResult          *result,
                                                                            GError               **error);
ZBUS_AVAILABLE_IN_1_0
GVariant             *zbus_method_invocation_get_caller_credentials_sync (ZbusMethodInvocation  *self,
                                                                          GCancellable          *cancellable,
                                                                          GError               **error);

G_END_DECLS
