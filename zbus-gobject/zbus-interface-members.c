/* zbus-interface-members.c: per-member overrides of a ZbusInterface type
 * (D-Bus names, signatures, argument names, docs) and its method table
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "zbus-error.h"
#include "zbus-interface-private.h"
#include "zbus-message.h"

/* Each setter records what it was told under the description lock; what
 * the type's members are is only known when it is described, so overrides
 * are checked against them then (zbus-interface-info.c). */

static void
replace_str (char       **location,
             const char  *value)
{
  g_free (*location);
  *location = g_strdup (value);
}

/**
 * zbus_interface_type_set_method_in_signature:
 * @type: a subclass of [class@Zbus.Interface]
 * @method: the GObject name (`meaning-of-life`) or D-Bus name
 *   (`MeaningOfLife`) of an action signal of @type
 * @in_signature: (nullable): the signature of the in-arguments, one complete
 *   type per parameter of the action signal (after the
 *   [class@Zbus.MethodInvocation] of an async method), like `ns`; %NULL to
 *   keep the one derived from the parameter types
 * @in_names: (nullable) (array zero-terminated=1): names of the
 *   in-arguments, published in introspection; one per argument
 *
 * Sets the in-arguments of a method. Each type of @in_signature must be one
 * the parameter's GType can travel as (the mapping table of
 * [class@Zbus.Interface]: `n` for a `gint`, `o` or `g` for a string, `ao` for
 * a `GStrv`, `s` for the nick of an enum, a definite type for a `GVariant`);
 * a call whose arguments do not have this signature is refused with
 * `org.freedesktop.DBus.Error.InvalidArgs` before the handler runs. A
 * signature that does not fit is reported when the type is first used
 * ([func@Zbus.Interface.type_check]).
 *
 * Call it before the type is first served or described.
 *
 * Returns: %TRUE if set
 *
 * Since: 1.0
 */
gboolean
zbus_interface_type_set_method_in_signature (GType               type,
                                             const char         *method,
                                             const char         *in_signature,
                                             const char * const *in_names)
{
  g_autoptr(GMutexLocker) locker = NULL;
  ZbusMemberOverride *mo;

  g_return_val_if_fail (method != NULL, FALSE);
  g_return_val_if_fail (in_signature == NULL || zbus_is_signature (in_signature), FALSE);

  locker = g_mutex_locker_new (_zbus_interface_info_get_lock ());
  mo = _zbus_interface_info_member_override_locked (type, ZBUS_MEMBER_METHOD, method, G_STRFUNC);
  if (mo == NULL)
    return FALSE;
  if (in_signature != NULL)
    replace_str (&mo->signature, in_signature);
  if (in_names != NULL)
    {
      g_strfreev (mo->arg_names);
      mo->arg_names = g_strdupv ((char **) in_names);
    }
  return TRUE;
}

/**
 * zbus_interface_type_set_method_name:
 * @type: a subclass of [class@Zbus.Interface]
 * @method: the GObject name (`meaning-of-life`) or default D-Bus name
 *   (`MeaningOfLife`) of an action signal of @type
 * @name: the D-Bus name of the method, like `GetMeaning`
 *
 * Sets the D-Bus name of a method, which is by default the action signal's
 * name in camel case. Call it before the type is first served or described.
 *
 * Returns: %TRUE if set
 *
 * Since: 1.0
 */
gboolean
zbus_interface_type_set_method_name (GType       type,
                                     const char *method,
                                     const char *name)
{
  g_autoptr(GMutexLocker) locker = NULL;
  ZbusMemberOverride *mo;

  g_return_val_if_fail (method != NULL, FALSE);
  g_return_val_if_fail (name != NULL && g_dbus_is_member_name (name), FALSE);

  locker = g_mutex_locker_new (_zbus_interface_info_get_lock ());
  mo = _zbus_interface_info_member_override_locked (type, ZBUS_MEMBER_METHOD, method, G_STRFUNC);
  if (mo == NULL)
    return FALSE;
  replace_str (&mo->name, name);
  return TRUE;
}

/**
 * zbus_interface_type_set_method_doc:
 * @type: a subclass of [class@Zbus.Interface]
 * @method: the GObject name or default D-Bus name of an action signal of
 *   @type, or the name of a method added with
 *   [func@Zbus.Interface.type_add_method]
 * @doc: the documentation, published as an `org.gtk.GDBus.DocString`
 *   annotation; `""` for none
 *
 * Documents a method in introspection, unless
 * [func@Zbus.Interface.type_set_introspection_docs] turned docs off. Call it
 * before the type is first served or described.
 *
 * Returns: %TRUE if set
 *
 * Since: 1.0
 */
gboolean
zbus_interface_type_set_method_doc (GType       type,
                                    const char *method,
                                    const char *doc)
{
  g_autoptr(GMutexLocker) locker = NULL;
  ZbusMemberOverride *mo;

  g_return_val_if_fail (method != NULL, FALSE);
  g_return_val_if_fail (doc != NULL && g_utf8_validate (doc, -1, NULL), FALSE);

  locker = g_mutex_locker_new (_zbus_interface_info_get_lock ());
  mo = _zbus_interface_info_member_override_locked (type, ZBUS_MEMBER_METHOD, method, G_STRFUNC);
  if (mo == NULL)
    return FALSE;
  replace_str (&mo->doc, doc);
  return TRUE;
}

void
_zbus_table_method_free (ZbusTableMethod *method)
{
  g_free (method->name);
  g_free (method->in_signature);
  g_free (method->out_signature);
  g_strfreev (method->in_names);
  g_strfreev (method->out_names);
  g_free (method);
}

static gboolean
check_arg_names (const char         *method,
                 const char         *direction,
                 const char         *signature,
                 const char * const *names,
                 GError            **error)
{
  g_auto(GStrv) types = _zbus_signature_split (signature);

  if (names == NULL || g_strv_length ((char **) names) == g_strv_length (types))
    return TRUE;
  g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_SIGNATURE,
               "Method “%s” has %u %s-arguments (“%s”) but %u %s names",
               method, g_strv_length (types), direction, signature,
               g_strv_length ((char **) names), direction);
  return FALSE;
}

static gboolean
check_table_method (const char         *name,
                    const char         *in_signature,
                    const char         *out_signature,
                    const char * const *in_names,
                    const char * const *out_names,
                    GError            **error)
{
  if (!g_dbus_is_member_name (name))
    {
      g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME,
                   "“%s” is not a valid D-Bus member name", name);
      return FALSE;
    }
  /* A message carries the signature of its body (without the tuple's
   * parentheses) in at most 255 bytes. */
  if (!zbus_is_signature (in_signature) || strlen (in_signature) > 255 ||
      !zbus_is_signature (out_signature) || strlen (out_signature) > 255)
    {
      g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_SIGNATURE,
                   "Method “%s”: “%s” is not a valid D-Bus signature", name,
                   zbus_is_signature (in_signature) && strlen (in_signature) <= 255
                     ? out_signature : in_signature);
      return FALSE;
    }
  return check_arg_names (name, "in", in_signature, in_names, error) &&
         check_arg_names (name, "out", out_signature, out_names, error);
}

/**
 * zbus_interface_type_add_method:
 * @type: a subclass of [class@Zbus.Interface]
 * @name: the D-Bus name of the method, like `Frobnicate`
 * @in_signature: (nullable): the signature of the in-arguments, like `su`;
 *   %NULL or `""` for none
 * @out_signature: (nullable): the signature of the reply, like `b`; %NULL or
 *   `""` for none
 * @in_names: (nullable) (array zero-terminated=1): names of the
 *   in-arguments, one per complete type of @in_signature
 * @out_names: (nullable) (array zero-terminated=1): names of the
 *   out-arguments, one per complete type of @out_signature
 * @func: (scope notified) (closure user_data) (destroy destroy): the handler
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data; as types are never unloaded, it
 *   only runs when the method is refused
 * @error: return location for a #GError
 *
 * Adds a method with explicit signatures and a handler to the method table
 * of @type: the way for C code (or any language) to declare a method
 * without an action signal.
 *
 * The object server checks the arguments of a call against @in_signature
 * and answers `org.freedesktop.DBus.Error.InvalidArgs` without running
 * @func when they differ. @func answers through the invocation, at once or
 * later, with a tuple of @out_signature. The method appears in introspection
 * with its argument names, and is exported by subclasses of @type too.
 *
 * A method whose name is also the D-Bus name of an action signal of the
 * type is refused when the type is first used
 * ([func@Zbus.Interface.type_check]). Call it before the type is first
 * served or described; in C, from the class initialiser.
 *
 * Returns: %TRUE if added; %FALSE with @error set if a name or signature is
 *   not valid, the type already has a method of this name in its table or
 *   is already in use
 *
 * Since: 1.0
 */
gboolean
zbus_interface_type_add_method (GType                    type,
                                const char              *name,
                                const char              *in_signature,
                                const char              *out_signature,
                                const char * const      *in_names,
                                const char * const      *out_names,
                                ZbusInterfaceMethodFunc  func,
                                gpointer                 user_data,
                                GDestroyNotify           destroy,
                                GError                 **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(ZbusTableMethod) tm = NULL;

  g_return_val_if_fail (g_type_is_a (type, ZBUS_TYPE_INTERFACE) && type != ZBUS_TYPE_INTERFACE, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (in_signature == NULL)
    in_signature = "";
  if (out_signature == NULL)
    out_signature = "";
  if (!check_table_method (name, in_signature, out_signature, in_names, out_names, error))
    goto refused;

  tm = g_new0 (ZbusTableMethod, 1);
  tm->name = g_strdup (name);
  tm->in_signature = g_strdup (in_signature);
  tm->out_signature = g_strdup (out_signature);
  tm->in_names = g_strdupv ((char **) in_names);
  tm->out_names = g_strdupv ((char **) out_names);
  tm->func = func;
  tm->user_data = user_data;

  locker = g_mutex_locker_new (_zbus_interface_info_get_lock ());
  if (!_zbus_interface_info_add_table_method_locked (type, tm, error))
    goto refused;
  g_steal_pointer (&tm);
  return TRUE;

refused:
  /* A binding's closure would otherwise never be released; it may run
   * anything, so not under the lock. */
  g_clear_pointer (&locker, g_mutex_locker_free);
  if (destroy != NULL)
    destroy (user_data);
  return FALSE;
}

/**
 * zbus_interface_class_add_methods: (skip)
 * @klass: the class of a subclass of [class@Zbus.Interface]
 * @methods: (array length=n_methods): the methods
 * @n_methods: the number of @methods
 *
 * Adds a method table to the class, as
 * [func@Zbus.Interface.type_add_method] does for each entry (with no user
 * data). Call it from the class initialiser:
 *
 * ```c
 * static const char * const frobnicate_in[] = { "what", "how_much", NULL };
 * static const char * const frobnicate_out[] = { "done", NULL };
 * static const ZbusInterfaceMethod methods[] = {
 *   { "Frobnicate", "su", "b", frobnicate_in, frobnicate_out, my_iface_frobnicate },
 *   { "Reset", NULL, NULL, NULL, NULL, my_iface_reset },
 * };
 *
 * // in my_iface_class_init ():
 * zbus_interface_class_add_methods (ZBUS_INTERFACE_CLASS (klass), methods,
 *                                   G_N_ELEMENTS (methods));
 * ```
 *
 * A table is fixed at build time, so an entry that is not valid is a
 * programming error: it is logged as a critical and skipped.
 *
 * Returns: %TRUE if every entry was added
 *
 * Since: 1.0
 */
gboolean
zbus_interface_class_add_methods (ZbusInterfaceClass        *klass,
                                  const ZbusInterfaceMethod *methods,
                                  gsize                      n_methods)
{
  gboolean all = TRUE;

  g_return_val_if_fail (ZBUS_IS_INTERFACE_CLASS (klass), FALSE);
  g_return_val_if_fail (methods != NULL || n_methods == 0, FALSE);

  for (gsize i = 0; i < n_methods; i++)
    {
      g_autoptr(GError) error = NULL;

      if (!zbus_interface_type_add_method (G_TYPE_FROM_CLASS (klass), methods[i].name,
                                           methods[i].in_signature, methods[i].out_signature,
                                           methods[i].in_names, methods[i].out_names,
                                           methods[i].func, NULL, NULL, &error))
        {
          g_critical ("%s: %s", G_STRFUNC, error ? error->message : "invalid entry");
          all = FALSE;
        }
    }
  return all;
}

/**
 * zbus_interface_type_set_property_name:
 * @type: a subclass of [class@Zbus.Interface]
 * @property: the GObject name (`the-answer`) or default D-Bus name
 *   (`TheAnswer`) of a property of @type
 * @name: the D-Bus name of the property, like `Answer`
 *
 * Sets the D-Bus name of a property, which is by default its GObject name
 * in camel case. Call it before the type is first served or described.
 *
 * Returns: %TRUE if set
 *
 * Since: 1.0
 */
gboolean
zbus_interface_type_set_property_name (GType       type,
                                       const char *property,
                                       const char *name)
{
  g_autoptr(GMutexLocker) locker = NULL;
  ZbusMemberOverride *mo;

  g_return_val_if_fail (property != NULL, FALSE);
  g_return_val_if_fail (name != NULL && g_dbus_is_member_name (name), FALSE);

  locker = g_mutex_locker_new (_zbus_interface_info_get_lock ());
  mo = _zbus_interface_info_member_override_locked (type, ZBUS_MEMBER_PROPERTY, property, G_STRFUNC);
  if (mo == NULL)
    return FALSE;
  replace_str (&mo->name, name);
  return TRUE;
}

/**
 * zbus_interface_type_set_property_signature:
 * @type: a subclass of [class@Zbus.Interface]
 * @property: the GObject name (`the-answer`) or default D-Bus name
 *   (`TheAnswer`) of a property of @type
 * @signature: a single complete type, like `n`
 *
 * Sets the D-Bus type of a property, in place of the default of its GType.
 * It must be a type that GType can travel as (the mapping table of
 * [class@Zbus.Interface]): `n` for a `gint`, `q` for a `guint`, `o` or `g`
 * for a string, `ao`, `ag` or `aay` for a `GStrv`, `s` (the nick) or `i` for
 * an enum, a subtype of the pspec's type for a `GVariant`. A type that does
 * not fit is reported when the type is first used
 * ([func@Zbus.Interface.type_check]).
 *
 * Values convert both ways: `Get` and `PropertiesChanged` send the value in
 * @signature (a value it cannot hold, like 40000 as `n` or a string that is
 * not an object path as `o`, fails the read with
 * `org.freedesktop.DBus.Error.Failed`), and `Set` takes only a value of
 * @signature (`org.freedesktop.DBus.Error.InvalidArgs` otherwise).
 *
 * Call it before the type is first served or described.
 *
 * Returns: %TRUE if set
 *
 * Since: 1.0
 */
gboolean
zbus_interface_type_set_property_signature (GType       type,
                                            const char *property,
                                            const char *signature)
{
  g_autoptr(GMutexLocker) locker = NULL;
  ZbusMemberOverride *mo;

  g_return_val_if_fail (property != NULL, FALSE);
  g_return_val_if_fail (signature != NULL && zbus_is_single_complete_type (signature), FALSE);

  locker = g_mutex_locker_new (_zbus_interface_info_get_lock ());
  mo = _zbus_interface_info_member_override_locked (type, ZBUS_MEMBER_PROPERTY, property, G_STRFUNC);
  if (mo == NULL)
    return FALSE;
  replace_str (&mo->signature, signature);
  return TRUE;
}

/**
 * zbus_interface_type_set_property_doc:
 * @type: a subclass of [class@Zbus.Interface]
 * @property: the GObject name (`the-answer`) or default D-Bus name
 *   (`TheAnswer`) of a property of @type
 * @doc: the documentation, published as an `org.gtk.GDBus.DocString`
 *   annotation; `""` for none
 *
 * Documents a property in introspection in place of its blurb, unless
 * [func@Zbus.Interface.type_set_introspection_docs] turned docs off. The
 * values of an enum or flags property are listed after it. Call it before
 * the type is first served or described.
 *
 * Returns: %TRUE if set
 *
 * Since: 1.0
 */
gboolean
zbus_interface_type_set_property_doc (GType       type,
                                      const char *property,
                                      const char *doc)
{
  g_autoptr(GMutexLocker) locker = NULL;
  ZbusMemberOverride *mo;

  g_return_val_if_fail (property != NULL, FALSE);
  g_return_val_if_fail (doc != NULL && g_utf8_validate (doc, -1, NULL), FALSE);

  locker = g_mutex_locker_new (_zbus_interface_info_get_lock ());
  mo = _zbus_interface_info_member_override_locked (type, ZBUS_MEMBER_PROPERTY, property, G_STRFUNC);
  if (mo == NULL)
    return FALSE;
  replace_str (&mo->doc, doc);
  return TRUE;
}

/**
 * zbus_interface_type_set_signal_name:
 * @type: a subclass of [class@Zbus.Interface]
 * @signal: the GObject name (`changed-thing`) or default D-Bus name
 *   (`ChangedThing`) of a signal of @type that is not an action signal
 * @name: the D-Bus name of the signal, like `Changed`
 *
 * Sets the D-Bus name of a signal, which is by default its GObject name in
 * camel case. (Methods are renamed with
 * [func@Zbus.Interface.type_set_method_name].) Call it before the type is
 * first served or described.
 *
 * Returns: %TRUE if set
 *
 * Since: 1.0
 */
gboolean
zbus_interface_type_set_signal_name (GType       type,
                                     const char *signal,
                                     const char *name)
{
  g_autoptr(GMutexLocker) locker = NULL;
  ZbusMemberOverride *mo;

  g_return_val_if_fail (signal != NULL, FALSE);
  g_return_val_if_fail (name != NULL && g_dbus_is_member_name (name), FALSE);

  locker = g_mutex_locker_new (_zbus_interface_info_get_lock ());
  mo = _zbus_interface_info_member_override_locked (type, ZBUS_MEMBER_SIGNAL, signal, G_STRFUNC);
  if (mo == NULL)
    return FALSE;
  replace_str (&mo->name, name);
  return TRUE;
}

/**
 * zbus_interface_type_set_signal_signature:
 * @type: a subclass of [class@Zbus.Interface]
 * @signal: the GObject name (`changed-thing`) or default D-Bus name
 *   (`ChangedThing`) of a signal of @type that is not an action signal
 * @signature: (nullable): the signature of the arguments, one complete type
 *   per parameter of the signal, like `ns`; %NULL to keep the one derived
 *   from the parameter types
 * @arg_names: (nullable) (array zero-terminated=1): names of the arguments,
 *   published in introspection; one per argument
 *
 * Sets the arguments of a D-Bus signal. Each type of @signature must be one
 * the parameter's GType can travel as, as for
 * [func@Zbus.Interface.type_set_property_signature]; emitting the GObject
 * signal with a value the type cannot hold (40000 as `n`) sends nothing and
 * logs a warning. A signature that does not fit is reported when the type
 * is first used ([func@Zbus.Interface.type_check]).
 *
 * Call it before the type is first served or described.
 *
 * Returns: %TRUE if set
 *
 * Since: 1.0
 */
gboolean
zbus_interface_type_set_signal_signature (GType               type,
                                          const char         *signal,
                                          const char         *signature,
                                          const char * const *arg_names)
{
  g_autoptr(GMutexLocker) locker = NULL;
  ZbusMemberOverride *mo;

  g_return_val_if_fail (signal != NULL, FALSE);
  g_return_val_if_fail (signature == NULL || zbus_is_signature (signature), FALSE);

  locker = g_mutex_locker_new (_zbus_interface_info_get_lock ());
  mo = _zbus_interface_info_member_override_locked (type, ZBUS_MEMBER_SIGNAL, signal, G_STRFUNC);
  if (mo == NULL)
    return FALSE;
  if (signature != NULL)
    replace_str (&mo->signature, signature);
  if (arg_names != NULL)
    {
      g_strfreev (mo->arg_names);
      mo->arg_names = g_strdupv ((char **) arg_names);
    }
  return TRUE;
}

/**
 * zbus_interface_type_set_signal_doc:
 * @type: a subclass of [class@Zbus.Interface]
 * @signal: the GObject name (`changed-thing`) or default D-Bus name
 *   (`ChangedThing`) of a signal of @type that is not an action signal
 * @doc: the documentation, published as an `org.gtk.GDBus.DocString`
 *   annotation; `""` for none
 *
 * Documents a signal in introspection, unless
 * [func@Zbus.Interface.type_set_introspection_docs] turned docs off. Call it
 * before the type is first served or described.
 *
 * Returns: %TRUE if set
 *
 * Since: 1.0
 */
gboolean
zbus_interface_type_set_signal_doc (GType       type,
                                    const char *signal,
                                    const char *doc)
{
  g_autoptr(GMutexLocker) locker = NULL;
  ZbusMemberOverride *mo;

  g_return_val_if_fail (signal != NULL, FALSE);
  g_return_val_if_fail (doc != NULL && g_utf8_validate (doc, -1, NULL), FALSE);

  locker = g_mutex_locker_new (_zbus_interface_info_get_lock ());
  mo = _zbus_interface_info_member_override_locked (type, ZBUS_MEMBER_SIGNAL, signal, G_STRFUNC);
  if (mo == NULL)
    return FALSE;
  replace_str (&mo->doc, doc);
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Converters */

/**
 * zbus_interface_register_converter: (skip)
 * @type: a type with no D-Bus mapping of its own: a boxed type (like
 *   `GDateTime` or `GHashTable`), a pointer type, or a fundamental type
 *   the mapping table does not list
 * @signature: the one complete D-Bus type values of @type travel as, like
 *   `x` or `a{sv}`
 * @to_variant: (scope notified) (closure to_variant_data) (destroy to_variant_destroy):
 *   converts a value of @type to a variant of @signature
 * @to_variant_data: data for @to_variant
 * @to_variant_destroy: (nullable): frees @to_variant_data: called before
 *   this returns if @type has a converter already, never once registered
 *   (converters stay for the life of the process)
 * @from_variant: (scope notified) (closure from_variant_data) (destroy from_variant_destroy):
 *   converts a variant of @signature to a value of @type
 * @from_variant_data: data for @from_variant
 * @from_variant_destroy: (nullable): frees @from_variant_data, as
 *   @to_variant_destroy does @to_variant_data
 *
 * Gives a type without a D-Bus mapping one, for every property, method
 * argument, return value and signal argument of that type in every
 * [class@Zbus.Interface] subclass. Its members are otherwise refused when
 * the subclass is first used.
 *
 * Register a converter before the first interface type using @type is
 * served or described; a type has at most one. Bindings use
 * [func@Zbus.Interface.register_converter_with_closures].
 *
 * Returns: %TRUE if registered, %FALSE if @type has a converter already
 *   (the destroy notifies have then been called)
 *
 * Since: 1.0
 */
gboolean
zbus_interface_register_converter (GType                  type,
                                   const char            *signature,
                                   ZbusValueToVariantFunc to_variant,
                                   gpointer               to_variant_data,
                                   GDestroyNotify         to_variant_destroy,
                                   ZbusVariantToValueFunc from_variant,
                                   gpointer               from_variant_data,
                                   GDestroyNotify         from_variant_destroy)
{
  g_return_val_if_fail (type != G_TYPE_INVALID, FALSE);
  g_return_val_if_fail (signature != NULL && zbus_is_single_complete_type (signature), FALSE);
  g_return_val_if_fail (strchr (signature, 'h') == NULL, FALSE);
  g_return_val_if_fail (to_variant != NULL && from_variant != NULL, FALSE);
  g_return_val_if_fail (!_zbus_type_has_builtin_mapping (type), FALSE);

  return _zbus_converter_register (type, signature, to_variant, to_variant_data, to_variant_destroy,
                                   from_variant, from_variant_data, from_variant_destroy,
                                   NULL, NULL);
}

/**
 * zbus_interface_register_converter_with_closures: (rename-to zbus_interface_register_converter)
 * @type: a type with no D-Bus mapping of its own, as for
 *   [func@Zbus.Interface.register_converter]
 * @signature: the one complete D-Bus type values of @type travel as
 * @to_variant: a closure taking a value of @type and returning a
 *   [struct@GLib.Variant] of @signature
 * @from_variant: a closure taking a [struct@GLib.Variant] of @signature and
 *   returning a value of @type
 *
 * Gives a type without a D-Bus mapping one, like
 * [func@Zbus.Interface.register_converter], with closures: the form
 * Python and JavaScript use, where the converters are functions. A closure
 * that returns nothing (or raises) fails the conversion: a call carrying
 * the value is answered `org.freedesktop.DBus.Error.InvalidArgs`.
 *
 * Returns: %TRUE if registered, %FALSE if @type has a converter already
 *
 * Since: 1.0
 */
gboolean
zbus_interface_register_converter_with_closures (GType       type,
                                                 const char *signature,
                                                 GClosure   *to_variant,
                                                 GClosure   *from_variant)
{
  g_return_val_if_fail (type != G_TYPE_INVALID, FALSE);
  g_return_val_if_fail (signature != NULL && zbus_is_single_complete_type (signature), FALSE);
  g_return_val_if_fail (strchr (signature, 'h') == NULL, FALSE);
  g_return_val_if_fail (to_variant != NULL && from_variant != NULL, FALSE);
  g_return_val_if_fail (!_zbus_type_has_builtin_mapping (type), FALSE);

  return _zbus_converter_register (type, signature, NULL, NULL, NULL, NULL, NULL, NULL,
                                   to_variant, from_variant);
}
