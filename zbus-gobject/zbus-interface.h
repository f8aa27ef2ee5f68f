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

typedef struct _ZbusMethodInvocation ZbusMethodInvocation;

/**
 * ZbusInterfaceMethodFunc:
 * @self: the interface instance the call was dispatched to
 * @invocation: the call: answer it before returning, or keep a reference and
 *   answer it later
 * @parameters: the in-arguments, a tuple of the method's in signature
 * @user_data: (closure): the data given when the method was added
 *
 * Handles a method of a method table ([func@Zbus.Interface.type_add_method]).
 * It runs on the context of the connection the call came on, with
 * @invocation current ([func@Zbus.MethodInvocation.get_current]). An
 * invocation dropped unanswered answers `org.freedesktop.DBus.Error.NoReply`.
 *
 * Since: 1.0
 */
typedef void (*ZbusInterfaceMethodFunc) (ZbusInterface        *self,
                                         ZbusMethodInvocation *invocation,
                                         GVariant             *parameters,
                                         gpointer              user_data);

/**
 * ZbusValueToVariantFunc:
 * @value: the value to send, of the type the converter was registered for
 * @user_data: (closure): the data given with the function
 * @error: return location for a #GError
 *
 * Converts a value of a type that has no D-Bus mapping of its own
 * ([func@Zbus.Interface.register_converter]).
 *
 * Returns: (transfer full) (nullable): a variant of the converter's
 *   signature (a floating reference is sunk), or %NULL with @error set
 *
 * Since: 1.0
 */
typedef GVariant *(*ZbusValueToVariantFunc) (const GValue  *value,
                                             gpointer       user_data,
                                             GError       **error);

/**
 * ZbusVariantToValueFunc:
 * @variant: a value of the converter's signature, as it came from the bus
 * @user_data: (closure): the data given with the function
 * @error: return location for a #GError
 *
 * Converts a value received from the bus to the type the converter was
 * registered for ([func@Zbus.Interface.register_converter]). A value that
 * cannot be converted fails the call that carried it with
 * `org.freedesktop.DBus.Error.InvalidArgs` and @error's message.
 *
 * Returns: (transfer full) (nullable): a #GValue holding the converted
 *   value (of the registered type, or one that transforms to it), or %NULL
 *   with @error set
 *
 * Since: 1.0
 */
typedef GValue   *(*ZbusVariantToValueFunc) (GVariant      *variant,
                                             gpointer       user_data,
                                             GError       **error);

/**
 * ZbusInterfaceMethod: (skip)
 * @name: the D-Bus name of the method, like `Frobnicate`
 * @in_signature: (nullable): the signature of the in-arguments, like `su`;
 *   %NULL or `""` for none
 * @out_signature: (nullable): the signature of the reply; %NULL or `""` for
 *   none
 * @in_names: (nullable) (array zero-terminated=1): names of the in-arguments
 * @out_names: (nullable) (array zero-terminated=1): names of the
 *   out-arguments
 * @func: the handler
 *
 * One entry of a method table for `zbus_interface_class_add_methods()`,
 * the C shorthand of [func@Zbus.Interface.type_add_method].
 *
 * Since: 1.0
 */
typedef struct
{
  const char              *name;
  const char              *in_signature;
  const char              *out_signature;
  const char * const      *in_names;
  const char * const      *out_names;
  ZbusInterfaceMethodFunc  func;
} ZbusInterfaceMethod;

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
gboolean     zbus_interface_type_set_method_in_signature (GType              type,
                                                        const char          *method,
                                                        const char          *in_signature,
                                                        const char * const  *in_names);
ZBUS_AVAILABLE_IN_1_0
gboolean     zbus_interface_type_set_method_name       (GType                type,
                                                        const char          *method,
                                                        const char          *name);
ZBUS_AVAILABLE_IN_1_0
gboolean     zbus_interface_type_set_method_doc        (GType                type,
                                                        const char          *method,
                                                        const char          *doc);
ZBUS_AVAILABLE_IN_1_0
gboolean     zbus_interface_type_add_method            (GType                type,
                                                        const char          *name,
                                                        const char          *in_signature,
                                                        const char          *out_signature,
                                                        const char * const  *in_names,
                                                        const char * const  *out_names,
                                                        ZbusInterfaceMethodFunc func,
                                                        gpointer             user_data,
                                                        GDestroyNotify       destroy,
                                                        GError             **error);
ZBUS_AVAILABLE_IN_1_0
gboolean     zbus_interface_class_add_methods          (ZbusInterfaceClass  *klass,
                                                        const ZbusInterfaceMethod *methods,
                                                        gsize                n_methods);
ZBUS_AVAILABLE_IN_1_0
gboolean     zbus_interface_type_set_property_name     (GType                type,
                                                        const char          *property,
                                                        const char          *name);
ZBUS_AVAILABLE_IN_1_0
gboolean     zbus_interface_type_set_property_signature (GType               type,
                                                        const char          *property,
                                                        const char          *signature);
ZBUS_AVAILABLE_IN_1_0
gboolean     zbus_interface_type_set_property_doc      (GType                type,
                                                        const char          *property,
                                                        const char          *doc);
ZBUS_AVAILABLE_IN_1_0
gboolean     zbus_interface_type_set_signal_name       (GType                type,
                                                        const char          *signal,
                                                        const char          *name);
ZBUS_AVAILABLE_IN_1_0
gboolean     zbus_interface_type_set_signal_signature  (GType                type,
                                                        const char          *signal,
                                                        const char          *signature,
                                                        const char * const  *arg_names);
ZBUS_AVAILABLE_IN_1_0
gboolean     zbus_interface_type_set_signal_doc        (GType                type,
                                                        const char          *signal,
                                                        const char          *doc);
ZBUS_AVAILABLE_IN_1_0
gboolean     zbus_interface_type_set_doc               (GType                type,
                                                        const char          *doc);
ZBUS_AVAILABLE_IN_1_0
gboolean     zbus_interface_type_set_introspection_docs (GType               type,
                                                        gboolean             enabled);
ZBUS_AVAILABLE_IN_1_0
gboolean     zbus_interface_type_set_strict_order      (GType                type,
                                                        gboolean             strict);
ZBUS_AVAILABLE_IN_1_0
gboolean     zbus_interface_register_converter         (GType                type,
                                                        const char          *signature,
                                                        ZbusValueToVariantFunc to_variant,
                                                        gpointer             to_variant_data,
                                                        GDestroyNotify       to_variant_destroy,
                                                        ZbusVariantToValueFunc from_variant,
                                                        gpointer             from_variant_data,
                                                        GDestroyNotify       from_variant_destroy);
ZBUS_AVAILABLE_IN_1_0
gboolean     zbus_interface_register_converter_with_closures (GType          type,
                                                        const char          *signature,
                                                        GClosure            *to_variant,
                                                        GClosure            *from_variant);
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
