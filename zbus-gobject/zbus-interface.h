/* zbus-interface.h
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

#include "zbus-version-macros.h"

G_BEGIN_DECLS

#define ZBUS_TYPE_INTERFACE (zbus_interface_get_type ())

ZBUS_AVAILABLE_IN_1_0
G_DECLARE_DERIVABLE_TYPE (ZbusInterface, zbus_interface, ZBUS, INTERFACE, GObject)

/**
 * ZbusInterfaceClass:
 * @parent_class: the parent class
 *
 * The class of [class@Zbus.Interface]. A subclass declares its D-Bus members
 * as ordinary GObject properties and signals; it does not override anything.
 *
 * Since: 1.0
 */
struct _ZbusInterfaceClass
{
  GObjectClass parent_class;

  /*< private >*/
  gpointer padding[12];
};

ZBUS_AVAILABLE_IN_1_0
gboolean     zbus_interface_type_set_name              (GType                type,
                                                        const char          *name);
ZBUS_AVAILABLE_IN_1_0
const char  *zbus_interface_type_get_name              (GType                type);
ZBUS_AVAILABLE_IN_1_0
gboolean     zbus_interface_type_set_emits_changed     (GType                type,
                                                        const char          *property,
                                                        const char          *mode);
ZBUS_AVAILABLE_IN_1_0
gboolean     zbus_interface_type_set_method_signature  (GType                type,
                                                        const char          *method,
                                                        const char          *out_signature,
                                                        const char * const  *out_names);
ZBUS_AVAILABLE_IN_1_0
gboolean     zbus_interface_type_check                 (GType                type,
                                                        GError             **error);
ZBUS_AVAILABLE_IN_1_0
char        *zbus_interface_type_introspect            (GType                type,
                                                        GError             **error);

ZBUS_AVAILABLE_IN_1_0
const char  *zbus_interface_get_interface_name         (ZbusInterface       *self);
ZBUS_AVAILABLE_IN_1_0
gboolean     zbus_interface_invalidate_property        (ZbusInterface       *self,
                                                        const char          *property);
ZBUS_AVAILABLE_IN_1_0
void         zbus_interface_flush_changes              (ZbusInterface       *self);
ZBUS_AVAILABLE_IN_1_0
gboolean     zbus_interface_emit_signal                (ZbusInterface       *self,
                                                        const char          *destination,
                                                        const char          *signal,
                                                        GVariant            *parameters,
                                                        GError             **error);

G_END_DECLS
