/* zbus-interface-values.c: the type mapping table of ZbusInterface — the
 * signature of each GType, the signatures it may be overridden to, and
 * GValue ⇄ GVariant both ways
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <gio/gunixfdlist.h>

#include "zbus-interface-private.h"
#include "zbus-message.h"
#include "zbus-object-server.h"

/* ------------------------------------------------------------------------ */
/* Converters: types without a mapping of their own */

typedef struct
{
  GType                   type;
  char                   *allowed[2];   /* { signature, NULL } */
  ZbusValueToVariantFunc  to_variant;
  gpointer                to_data;
  GDestroyNotify          to_destroy;
  ZbusVariantToValueFunc  from_variant;
  gpointer                from_data;
  GDestroyNotify          from_destroy;
  GClosure               *to_closure;     /* (nullable): instead of the functions */
  GClosure               *from_closure;
} Converter;

/* Registered once per type and never removed: descriptions made from them
 * live as long as the process. (element-type GType Converter) */
static GHashTable *converters;
static GMutex converters_lock;

static const Converter *
find_converter (GType type)
{
  const Converter *found;

  g_mutex_lock (&converters_lock);
  found = converters != NULL ? g_hash_table_lookup (converters, GSIZE_TO_POINTER (type)) : NULL;
  g_mutex_unlock (&converters_lock);
  return found;
}

static gboolean add_converter (Converter *converter);

/* Registers a converter: functions, or closures (then the functions are
 * NULL). The public entry points in zbus-interface-members.c check the
 * arguments. */
gboolean
_zbus_converter_register (GType                  type,
                          const char            *signature,
                          ZbusValueToVariantFunc to_variant,
                          gpointer               to_variant_data,
                          GDestroyNotify         to_variant_destroy,
                          ZbusVariantToValueFunc from_variant,
                          gpointer               from_variant_data,
                          GDestroyNotify         from_variant_destroy,
                          GClosure              *to_closure,
                          GClosure              *from_closure)
{
  Converter *converter = g_new0 (Converter, 1);

  converter->type = type;
  converter->allowed[0] = g_strdup (signature);
  converter->to_variant = to_variant;
  converter->to_data = to_variant_data;
  converter->to_destroy = to_variant_destroy;
  converter->from_variant = from_variant;
  converter->from_data = from_variant_data;
  converter->from_destroy = from_variant_destroy;
  if (to_closure != NULL)
    {
      converter->to_closure = g_closure_ref (to_closure);
      g_closure_sink (to_closure);
      if (G_CLOSURE_NEEDS_MARSHAL (to_closure))
        g_closure_set_marshal (to_closure, g_cclosure_marshal_generic);
    }
  if (from_closure != NULL)
    {
      converter->from_closure = g_closure_ref (from_closure);
      g_closure_sink (from_closure);
      if (G_CLOSURE_NEEDS_MARSHAL (from_closure))
        g_closure_set_marshal (from_closure, g_cclosure_marshal_generic);
    }
  return add_converter (converter);
}

/* Takes @converter; FALSE (and frees it, calling its destroy notifies)
 * when its type has one already. */
static gboolean
add_converter (Converter *converter)
{
  GType type = converter->type;
  gboolean added;

  g_mutex_lock (&converters_lock);
  if (converters == NULL)
    converters = g_hash_table_new (NULL, NULL);
  added = !g_hash_table_contains (converters, GSIZE_TO_POINTER (type));
  if (added)
    g_hash_table_insert (converters, GSIZE_TO_POINTER (type), converter);
  g_mutex_unlock (&converters_lock);

  if (!added)
    {
      /* Outside the lock: a destroy notify may register a converter. */
      if (converter->to_destroy != NULL)
        converter->to_destroy (converter->to_data);
      if (converter->from_destroy != NULL)
        converter->from_destroy (converter->from_data);
      g_clear_pointer (&converter->to_closure, g_closure_unref);
      g_clear_pointer (&converter->from_closure, g_closure_unref);
      g_free (converter->allowed[0]);
      g_free (converter);
    }
  return added;
}

static GVariant *
convert_to_variant (const Converter *converter,
                    const GValue    *value,
                    GError         **error)
{
  GError *local_error = NULL;
  GVariant *v = NULL;

  if (converter->to_closure != NULL)
    {
      g_auto(GValue) ret = G_VALUE_INIT;

      g_value_init (&ret, G_TYPE_VARIANT);
      g_closure_invoke (converter->to_closure, &ret, 1, value, NULL);
      v = g_value_dup_variant (&ret);
    }
  else
    v = converter->to_variant (value, converter->to_data, &local_error);

  if (v == NULL)
    {
      if (local_error == NULL)
        g_set_error (&local_error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED,
                     "The converter of %s returned no value", g_type_name (converter->type));
      g_propagate_error (error, local_error);
      return NULL;
    }
  g_clear_error (&local_error);
  return g_variant_take_ref (v);
}

static gboolean
convert_from_variant (const Converter *converter,
                      GVariant        *variant,
                      GValue          *value,
                      GError         **error)
{
  GError *local_error = NULL;
  GValue *converted = NULL;
  gboolean ok = FALSE;

  if (converter->from_closure != NULL)
    {
      g_auto(GValue) arg = G_VALUE_INIT;

      g_value_init (&arg, G_TYPE_VARIANT);
      g_value_set_variant (&arg, variant);
      converted = g_new0 (GValue, 1);
      g_value_init (converted, converter->type);
      g_closure_invoke (converter->from_closure, converted, 1, &arg, NULL);
      /* A closure that raised or returned nothing leaves no value. */
      if (G_VALUE_HOLDS_BOXED (converted) && g_value_get_boxed (converted) == NULL)
        g_set_error_literal (&local_error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED,
                             "the converter returned no value");
    }
  else
    converted = converter->from_variant (variant, converter->from_data, &local_error);

  if (converted != NULL && local_error == NULL &&
      g_value_type_transformable (G_VALUE_TYPE (converted), G_VALUE_TYPE (value)))
    ok = g_value_transform (converted, value);
  if (converted != NULL)
    {
      g_value_unset (converted);
      g_free (converted);
    }
  if (!ok)
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, "Cannot convert “%s” to %s: %s",
                   g_variant_get_type_string (variant), g_type_name (G_VALUE_TYPE (value)),
                   local_error != NULL ? local_error->message : "the converter gave no value of that type");
    }
  g_clear_error (&local_error);
  return ok;
}

/* ------------------------------------------------------------------------ */
/* Signatures */

static gboolean
enum_has_negative (GType type)
{
  g_autoptr(GTypeClass) klass = g_type_class_ref (type);
  GEnumClass *eclass = G_ENUM_CLASS (klass);

  return eclass->minimum < 0;
}

/* The default signature of a GType (a pspec refines GVariant), or NULL. */
char *
_zbus_signature_for_type (GType       type,
                          GParamSpec *pspec)
{
  type &= ~G_SIGNAL_TYPE_STATIC_SCOPE;

  if (type == G_TYPE_STRV)
    return g_strdup ("as");
  if (type == G_TYPE_BYTES)
    return g_strdup ("ay");
  if (g_type_is_a (type, G_TYPE_OBJECT))
    return g_strdup ("o");

  switch (G_TYPE_FUNDAMENTAL (type))
    {
    case G_TYPE_BOOLEAN: return g_strdup ("b");
    case G_TYPE_CHAR:
    case G_TYPE_UCHAR: return g_strdup ("y");
    case G_TYPE_INT: return g_strdup ("i");
    case G_TYPE_UINT: return g_strdup ("u");
    case G_TYPE_LONG:
    case G_TYPE_INT64: return g_strdup ("x");
    case G_TYPE_ULONG:
    case G_TYPE_UINT64: return g_strdup ("t");
    case G_TYPE_FLOAT:
    case G_TYPE_DOUBLE: return g_strdup ("d");
    case G_TYPE_STRING: return g_strdup ("s");
    case G_TYPE_ENUM: return g_strdup (enum_has_negative (type) ? "i" : "u");
    case G_TYPE_FLAGS: return g_strdup ("u");
    case G_TYPE_VARIANT:
      if (pspec != NULL && G_IS_PARAM_SPEC_VARIANT (pspec) &&
          g_variant_type_is_definite (G_PARAM_SPEC_VARIANT (pspec)->type))
        return g_variant_type_dup_string (G_PARAM_SPEC_VARIANT (pspec)->type);
      return g_strdup ("v");
    default:
      {
        const Converter *converter = find_converter (type);

        return converter != NULL ? g_strdup (converter->allowed[0]) : NULL;
      }
    }
}

gboolean
_zbus_type_has_builtin_mapping (GType type)
{
  if (type == G_TYPE_STRV || type == G_TYPE_BYTES || g_type_is_a (type, G_TYPE_OBJECT))
    return TRUE;
  switch (G_TYPE_FUNDAMENTAL (type))
    {
    case G_TYPE_BOOLEAN: case G_TYPE_CHAR: case G_TYPE_UCHAR: case G_TYPE_INT: case G_TYPE_UINT:
    case G_TYPE_LONG: case G_TYPE_INT64: case G_TYPE_ULONG: case G_TYPE_UINT64: case G_TYPE_FLOAT:
    case G_TYPE_DOUBLE: case G_TYPE_STRING: case G_TYPE_ENUM: case G_TYPE_FLAGS: case G_TYPE_VARIANT:
      return TRUE;
    default:
      return FALSE;
    }
}

/* The signatures a value of @type may travel as, default first; NULL for
 * GVariant, which is checked against its pspec's type instead. */
static const char * const *
signatures_allowed (GType type)
{
  static const char * const strv[] = { "as", "ao", "ag", "aay", NULL };
  static const char * const bytes[] = { "ay", NULL };
  static const char * const object[] = { "o", NULL };
  static const char * const boolean[] = { "b", NULL };
  static const char * const byte[] = { "y", NULL };
  static const char * const int32[] = { "i", "n", "h", NULL };
  static const char * const uint32[] = { "u", "q", NULL };
  static const char * const int64[] = { "x", NULL };
  static const char * const uint64[] = { "t", NULL };
  static const char * const dbl[] = { "d", NULL };
  static const char * const string[] = { "s", "o", "g", NULL };
  static const char * const enum_unsigned[] = { "u", "i", "s", NULL };
  static const char * const enum_signed[] = { "i", "s", NULL };
  static const char * const flags[] = { "u", NULL };

  type &= ~G_SIGNAL_TYPE_STATIC_SCOPE;
  if (type == G_TYPE_STRV)
    return strv;
  if (type == G_TYPE_BYTES)
    return bytes;
  if (g_type_is_a (type, G_TYPE_OBJECT))
    return object;

  switch (G_TYPE_FUNDAMENTAL (type))
    {
    case G_TYPE_BOOLEAN: return boolean;
    case G_TYPE_CHAR:
    case G_TYPE_UCHAR: return byte;
    case G_TYPE_INT: return int32;
    case G_TYPE_UINT: return uint32;
    case G_TYPE_LONG:
    case G_TYPE_INT64: return int64;
    case G_TYPE_ULONG:
    case G_TYPE_UINT64: return uint64;
    case G_TYPE_FLOAT:
    case G_TYPE_DOUBLE: return dbl;
    case G_TYPE_STRING: return string;
    case G_TYPE_ENUM: return enum_has_negative (type) ? enum_signed : enum_unsigned;
    case G_TYPE_FLAGS: return flags;
    default:
      {
        const Converter *converter = find_converter (type);

        return converter != NULL ? (const char * const *) converter->allowed : NULL;
      }
    }
}

/* Whether a value of @type (described by @pspec, if any) may travel as the
 * single complete type @signature; if not, @error says what it may be. */
gboolean
_zbus_signature_check (GType        type,
                       GParamSpec  *pspec,
                       const char  *signature,
                       GError     **error)
{
  const char * const *allowed;
  g_autoptr(GString) list = NULL;

  type &= ~G_SIGNAL_TYPE_STATIC_SCOPE;
  if (!zbus_is_single_complete_type (signature))
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_SIGNATURE,
                   "“%s” is not one complete D-Bus type", signature);
      return FALSE;
    }

  if (G_TYPE_FUNDAMENTAL (type) == G_TYPE_VARIANT)
    {
      /* Any type the pspec allows: `v` keeps the value wrapped. */
      const GVariantType *declared = G_VARIANT_TYPE_ANY;
      g_autoptr(GVariantType) wanted = g_variant_type_new (signature);

      if (pspec != NULL && G_IS_PARAM_SPEC_VARIANT (pspec))
        declared = G_PARAM_SPEC_VARIANT (pspec)->type;
      if (g_str_equal (signature, "v") || g_variant_type_is_subtype_of (wanted, declared))
        return TRUE;
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_SIGNATURE,
                   "a GVariant of type “%.*s” cannot be sent as “%s”",
                   (int) g_variant_type_get_string_length (declared),
                   g_variant_type_peek_string (declared), signature);
      return FALSE;
    }

  allowed = signatures_allowed (type);
  if (allowed != NULL && g_strv_contains (allowed, signature))
    return TRUE;

  list = g_string_new (NULL);
  for (guint i = 0; allowed != NULL && allowed[i] != NULL; i++)
    g_string_append_printf (list, "%s“%s”", i == 0 ? "" : allowed[i + 1] ? ", " : " or ", allowed[i]);
  if (allowed == NULL)
    g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_SIGNATURE,
                 "a %s has no D-Bus mapping", g_type_name (type));
  else
    g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_SIGNATURE,
                 "a %s can be sent as %s, not as “%s”", g_type_name (type), list->str, signature);
  return FALSE;
}

/* Splits a valid signature into its complete types: "is" → { "i", "s" }. */
char **
_zbus_signature_split (const char *signature)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  g_autofree char *tuple = g_strdup_printf ("(%s)", signature);
  g_autoptr(GVariantType) type = g_variant_type_new (tuple);

  for (const GVariantType *t = g_variant_type_first (type); t != NULL; t = g_variant_type_next (t))
    g_ptr_array_add (parts, g_variant_type_dup_string (t));
  g_ptr_array_add (parts, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&parts), FALSE);
}

/* "Values: unknown=0, regular=1, …" for an enum or flags type, else NULL. */
char *
_zbus_type_values_doc (GType type)
{
  g_autoptr(GTypeClass) klass = NULL;
  GString *doc;

  type &= ~G_SIGNAL_TYPE_STATIC_SCOPE;
  if (!G_TYPE_IS_ENUM (type) && !G_TYPE_IS_FLAGS (type))
    return NULL;

  klass = g_type_class_ref (type);
  doc = g_string_new (G_TYPE_IS_ENUM (type) ? "Values: " : "Flags: ");
  if (G_IS_ENUM_CLASS (klass))
    {
      GEnumClass *eclass = G_ENUM_CLASS (klass);

      for (guint i = 0; i < eclass->n_values; i++)
        g_string_append_printf (doc, "%s%s=%d", i ? ", " : "",
                                eclass->values[i].value_nick, eclass->values[i].value);
    }
  else
    {
      GFlagsClass *fclass = G_FLAGS_CLASS (klass);

      for (guint i = 0; i < fclass->n_values; i++)
        g_string_append_printf (doc, "%s%s=%u", i ? ", " : "",
                                fclass->values[i].value_nick, fclass->values[i].value);
    }
  return g_string_free (doc, FALSE);
}

/* ------------------------------------------------------------------------ */
/* GValue → GVariant */

static GVariant *
object_to_path (GObject        *object,
                ZbusConnection *connection,
                GError        **error)
{
  const char *path = NULL;

  if (object == NULL)
    return g_variant_new_object_path ("/");
  if (ZBUS_IS_INTERFACE (object) && connection != NULL)
    path = _zbus_interface_get_path_on (ZBUS_INTERFACE (object), connection);
  if (path == NULL)
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED,
                   "The %s object is not served on this connection, so it has no object path",
                   G_OBJECT_TYPE_NAME (object));
      return NULL;
    }
  return g_variant_new_object_path (path);
}

static gboolean
string_fits (const char *s,
             char        code,
             GError    **error)
{
  if (code == 'o' && !g_variant_is_object_path (s))
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED, "“%s” is not an object path", s);
      return FALSE;
    }
  if (code == 'g' && !g_variant_is_signature (s))
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED, "“%s” is not a signature", s);
      return FALSE;
    }
  return TRUE;
}

/* GStrv as `ao`, `ag` or `aay` (`as` is the plain case). */
static GVariant *
strv_to_array (const char * const *strv,
               const char         *signature,
               GError            **error)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE (signature));

  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    {
      if (g_str_equal (signature, "aay"))
        g_variant_builder_add_value (&builder, g_variant_new_bytestring (strv[i]));
      else if (!string_fits (strv[i], signature[1], error))
        return NULL;
      else
        g_variant_builder_add (&builder, signature + 1, strv[i]);
    }
  return g_variant_builder_end (&builder);
}

/* Enums as `u`, `i` or their nick as `s`. */
static GVariant *
enum_to_variant (const GValue *value,
                 const char   *signature,
                 GError      **error)
{
  int v = g_value_get_enum (value);
  g_autoptr(GTypeClass) klass = NULL;
  GEnumValue *ev;

  if (g_str_equal (signature, "i"))
    return g_variant_new_int32 (v);
  if (g_str_equal (signature, "u"))
    return g_variant_new_uint32 ((guint) v);

  klass = g_type_class_ref (G_VALUE_TYPE (value));
  ev = g_enum_get_value (G_ENUM_CLASS (klass), v);
  if (ev == NULL)
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED, "%d is not a value of %s, so it has no nick",
                   v, G_VALUE_TYPE_NAME (value));
      return NULL;
    }
  return g_variant_new_string (ev->value_nick);
}

/* An int sent as `h`: a copy of the descriptor joins @fds and the body
 * carries its index. */
static GVariant *
fd_to_handle (int           fd,
              GUnixFDList  *fds,
              GError      **error)
{
  int index;

  if (fds == NULL)
    {
      g_set_error_literal (error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED,
                           "A file descriptor (“h”) cannot be sent here");
      return NULL;
    }
  if (fd < 0)
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED,
                   "%d is not a file descriptor", fd);
      return NULL;
    }
  index = g_unix_fd_list_append (fds, fd, error);
  if (index < 0)
    return NULL;
  return g_variant_new_handle (index);
}

/* The value in a type the signature chose over the default, as a floating
 * variant; NULL with @error unset when @value takes the plain way. */
static GVariant *
value_to_variant_overridden (const GValue *value,
                             const char   *signature,
                             GUnixFDList  *fds,
                             GError      **error)
{
  GType type = G_VALUE_TYPE (value);

  if (type == G_TYPE_STRV && !g_str_equal (signature, "as"))
    return strv_to_array (g_value_get_boxed (value), signature, error);

  switch (G_TYPE_FUNDAMENTAL (type))
    {
    case G_TYPE_INT:
      if (g_str_equal (signature, "h"))
        return fd_to_handle (g_value_get_int (value), fds, error);
      if (g_str_equal (signature, "n"))
        {
          int v = g_value_get_int (value);

          if (v < G_MININT16 || v > G_MAXINT16)
            {
              g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED,
                           "%d does not fit in “n” (a 16-bit integer)", v);
              return NULL;
            }
          return g_variant_new_int16 ((gint16) v);
        }
      break;
    case G_TYPE_UINT:
      if (g_str_equal (signature, "q"))
        {
          guint v = g_value_get_uint (value);

          if (v > G_MAXUINT16)
            {
              g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED,
                           "%u does not fit in “q” (a 16-bit unsigned integer)", v);
              return NULL;
            }
          return g_variant_new_uint16 ((guint16) v);
        }
      break;
    case G_TYPE_STRING:
      if (g_str_equal (signature, "o") || g_str_equal (signature, "g"))
        {
          const char *s = g_value_get_string (value);

          /* NULL is "" for a string: the empty path and signature are "/" and "". */
          if (s == NULL)
            s = signature[0] == 'o' ? "/" : "";
          if (!string_fits (s, signature[0], error))
            return NULL;
          return signature[0] == 'o' ? g_variant_new_object_path (s) : g_variant_new_signature (s);
        }
      break;
    case G_TYPE_ENUM:
      return enum_to_variant (value, signature, error);
    default:
      break;
    }
  return NULL;
}

static GVariant *
value_to_variant_plain (const GValue   *value,
                        ZbusConnection *connection,
                        GError        **error)
{
  GType type = G_VALUE_TYPE (value);

  if (type == G_TYPE_STRV)
    {
      const char * const *strv = g_value_get_boxed (value);
      return g_variant_new_strv (strv ? strv : (const char * const *) &strv, strv ? -1 : 0);
    }
  if (type == G_TYPE_BYTES)
    {
      GBytes *bytes = g_value_get_boxed (value);
      if (bytes == NULL)
        return g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, "", 0, 1);
      return g_variant_new_from_bytes (G_VARIANT_TYPE_BYTESTRING, bytes, TRUE);
    }
  if (g_type_is_a (type, G_TYPE_OBJECT))
    return object_to_path (g_value_get_object (value), connection, error);

  switch (G_TYPE_FUNDAMENTAL (type))
    {
    case G_TYPE_BOOLEAN: return g_variant_new_boolean (g_value_get_boolean (value));
    case G_TYPE_CHAR: return g_variant_new_byte ((guchar) g_value_get_schar (value));
    case G_TYPE_UCHAR: return g_variant_new_byte (g_value_get_uchar (value));
    case G_TYPE_INT: return g_variant_new_int32 (g_value_get_int (value));
    case G_TYPE_UINT: return g_variant_new_uint32 (g_value_get_uint (value));
    case G_TYPE_LONG: return g_variant_new_int64 (g_value_get_long (value));
    case G_TYPE_INT64: return g_variant_new_int64 (g_value_get_int64 (value));
    case G_TYPE_ULONG: return g_variant_new_uint64 (g_value_get_ulong (value));
    case G_TYPE_UINT64: return g_variant_new_uint64 (g_value_get_uint64 (value));
    case G_TYPE_FLOAT: return g_variant_new_double (g_value_get_float (value));
    case G_TYPE_DOUBLE: return g_variant_new_double (g_value_get_double (value));
    case G_TYPE_STRING:
      {
        const char *s = g_value_get_string (value);
        return g_variant_new_string (s ? s : "");
      }
    case G_TYPE_ENUM:
      return enum_has_negative (type) ? g_variant_new_int32 (g_value_get_enum (value))
                                      : g_variant_new_uint32 ((guint) g_value_get_enum (value));
    case G_TYPE_FLAGS: return g_variant_new_uint32 (g_value_get_flags (value));
    case G_TYPE_VARIANT:
      {
        GVariant *v = g_value_get_variant (value);
        return v ? g_variant_ref (v) : NULL;
      }
    default:
      {
        const Converter *converter = find_converter (type);

        if (converter != NULL)
          return convert_to_variant (converter, value, error);
        g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED,
                     "A %s value has no D-Bus mapping", g_type_name (type));
        return NULL;
      }
    }
}

GVariant *
_zbus_value_to_variant (const GValue   *value,
                        const char     *signature,
                        ZbusConnection *connection,
                        GError        **error)
{
  return _zbus_value_to_variant_full (value, signature, connection, NULL, error);
}

/* The basic types in their default mapping, as a floating variant, or NULL
 * for the general way: what it would make, without its string compares. */
static GVariant *
value_to_variant_fast (const GValue *value,
                       const char   *signature)
{
  GType type = G_VALUE_TYPE (value);

  if (signature[0] == '\0' || signature[1] != '\0')
    return NULL;
  switch (signature[0])
    {
    case 's':
      if (type == G_TYPE_STRING)
        {
          const char *s = g_value_get_string (value);
          return g_variant_new_string (s ? s : "");
        }
      break;
    case 'u':
      if (type == G_TYPE_UINT)
        return g_variant_new_uint32 (g_value_get_uint (value));
      break;
    case 'i':
      if (type == G_TYPE_INT)
        return g_variant_new_int32 (g_value_get_int (value));
      break;
    case 'b':
      if (type == G_TYPE_BOOLEAN)
        return g_variant_new_boolean (g_value_get_boolean (value));
      break;
    case 'd':
      if (type == G_TYPE_DOUBLE)
        return g_variant_new_double (g_value_get_double (value));
      break;
    case 'x':
      if (type == G_TYPE_INT64)
        return g_variant_new_int64 (g_value_get_int64 (value));
      break;
    case 't':
      if (type == G_TYPE_UINT64)
        return g_variant_new_uint64 (g_value_get_uint64 (value));
      break;
    default:
      break;
    }
  return NULL;
}

/* @fds receives the descriptors of `h` values (copies: the caller keeps
 * its own); NULL where none can travel. */
GVariant *
_zbus_value_to_variant_full (const GValue   *value,
                             const char     *signature,
                             ZbusConnection *connection,
                             GUnixFDList    *fds,
                             GError        **error)
{
  g_autoptr(GVariant) v = NULL;
  GError *local_error = NULL;

  v = value_to_variant_fast (value, signature);
  if (v != NULL)
    return g_variant_ref_sink (g_steal_pointer (&v));

  if (G_VALUE_HOLDS (value, G_TYPE_VARIANT) && g_value_get_variant (value) == NULL)
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED,
                   "A NULL GVariant cannot be sent as “%s”", signature);
      return NULL;
    }

  v = value_to_variant_overridden (value, signature, fds, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  /* Floating for new values, a full reference for a GVariant held. */
  if (v == NULL)
    v = value_to_variant_plain (value, connection, error);
  if (v == NULL)
    return NULL;
  g_variant_take_ref (v);

  if (g_str_equal (signature, "v") && !g_variant_is_of_type (v, G_VARIANT_TYPE_VARIANT))
    return g_variant_ref_sink (g_variant_new_variant (v));
  if (!g_str_equal (g_variant_get_type_string (v), signature))
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED,
                   "A value of type “%s” was given where “%s” is declared",
                   g_variant_get_type_string (v), signature);
      return NULL;
    }
  return g_steal_pointer (&v);
}

/* ------------------------------------------------------------------------ */
/* GVariant → GValue */

static gboolean
wrong_type (GVariant *variant,
            GType     type,
            GError  **error)
{
  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
               "Cannot convert a value of type “%s” to %s",
               g_variant_get_type_string (variant), g_type_name (type));
  return FALSE;
}

static gboolean
path_to_object (GVariant       *variant,
                GValue         *value,
                ZbusConnection *connection,
                GError        **error)
{
  const char *path = g_variant_get_string (variant, NULL);
  ZbusInterface *found = NULL;

  if (g_str_equal (path, "/"))
    {
      g_value_set_object (value, NULL);
      return TRUE;
    }
  if (connection != NULL)
    found = _zbus_object_server_find_at (zbus_object_server_get_for_connection (connection),
                                         path, G_VALUE_TYPE (value));
  if (found == NULL)
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                   "No %s is served at “%s”", g_type_name (G_VALUE_TYPE (value)), path);
      return FALSE;
    }
  g_value_set_object (value, found);
  return TRUE;
}

/* `as`, `ao`, `ag` or `aay` (each a string without NUL bytes). */
static gboolean
array_to_strv (GVariant *variant,
               GValue   *value,
               GError  **error)
{
  gsize n = g_variant_n_children (variant);
  g_auto(GStrv) strv = g_new0 (char *, n + 1);

  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GVariant) child = g_variant_get_child_value (variant, i);

      if (g_variant_is_of_type (child, G_VARIANT_TYPE_BYTESTRING))
        {
          gsize len;
          const char *bytes = g_variant_get_fixed_array (child, &len, 1);

          /* A trailing NUL is the bytestring convention, not content. */
          if (len > 0 && bytes[len - 1] == '\0')
            len--;
          if (memchr (bytes, '\0', len) != NULL)
            {
              g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                           "Element %" G_GSIZE_FORMAT " holds a NUL byte, which a string cannot", i);
              return FALSE;
            }
          strv[i] = g_strndup (bytes, len);
        }
      else
        strv[i] = g_variant_dup_string (child, NULL);
    }
  g_value_take_boxed (value, g_steal_pointer (&strv));
  return TRUE;
}

static gboolean
variant_to_enum (GVariant *variant,
                 GValue   *value,
                 GError  **error)
{
  g_autoptr(GTypeClass) klass = g_type_class_ref (G_VALUE_TYPE (value));
  int v;

  if (g_variant_is_of_type (variant, G_VARIANT_TYPE_STRING) && G_IS_ENUM_CLASS (klass))
    {
      const char *nick = g_variant_get_string (variant, NULL);
      GEnumValue *ev = g_enum_get_value_by_nick (G_ENUM_CLASS (klass), nick);

      if (ev == NULL)
        {
          g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                       "“%s” is not a value of %s", nick, g_type_name (G_VALUE_TYPE (value)));
          return FALSE;
        }
      g_value_set_enum (value, ev->value);
      return TRUE;
    }
  if (g_variant_is_of_type (variant, G_VARIANT_TYPE_UINT32))
    v = (int) g_variant_get_uint32 (variant);
  else if (g_variant_is_of_type (variant, G_VARIANT_TYPE_INT32))
    v = g_variant_get_int32 (variant);
  else
    return wrong_type (variant, G_VALUE_TYPE (value), error);

  if (G_IS_ENUM_CLASS (klass))
    {
      if (g_enum_get_value (G_ENUM_CLASS (klass), v) == NULL)
        {
          g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                       "%d is not a value of %s", v, g_type_name (G_VALUE_TYPE (value)));
          return FALSE;
        }
      g_value_set_enum (value, v);
    }
  else
    {
      if (((guint) v & ~G_FLAGS_CLASS (klass)->mask) != 0)
        {
          g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                       "%u has bits that are not flags of %s", (guint) v,
                       g_type_name (G_VALUE_TYPE (value)));
          return FALSE;
        }
      g_value_set_flags (value, (guint) v);
    }
  return TRUE;
}

/* Integers of every width the mapping table allows, by the variant's own
 * type (already checked against the signature). */
static gboolean
variant_to_number (GVariant *variant,
                   GValue   *value,
                   GError  **error)
{
  GType type = G_VALUE_TYPE (value);

  switch (g_variant_classify (variant))
    {
    case G_VARIANT_CLASS_BYTE:
      if (G_TYPE_FUNDAMENTAL (type) == G_TYPE_CHAR)
        g_value_set_schar (value, (gint8) g_variant_get_byte (variant));
      else
        g_value_set_uchar (value, g_variant_get_byte (variant));
      return TRUE;
    case G_VARIANT_CLASS_INT16: g_value_set_int (value, g_variant_get_int16 (variant)); return TRUE;
    case G_VARIANT_CLASS_UINT16: g_value_set_uint (value, g_variant_get_uint16 (variant)); return TRUE;
    case G_VARIANT_CLASS_INT32: g_value_set_int (value, g_variant_get_int32 (variant)); return TRUE;
    case G_VARIANT_CLASS_UINT32: g_value_set_uint (value, g_variant_get_uint32 (variant)); return TRUE;
    case G_VARIANT_CLASS_INT64:
      if (G_TYPE_FUNDAMENTAL (type) == G_TYPE_LONG)
        g_value_set_long (value, (glong) g_variant_get_int64 (variant));
      else
        g_value_set_int64 (value, g_variant_get_int64 (variant));
      return TRUE;
    case G_VARIANT_CLASS_UINT64:
      if (G_TYPE_FUNDAMENTAL (type) == G_TYPE_ULONG)
        g_value_set_ulong (value, (gulong) g_variant_get_uint64 (variant));
      else
        g_value_set_uint64 (value, g_variant_get_uint64 (variant));
      return TRUE;
    case G_VARIANT_CLASS_DOUBLE:
      if (G_TYPE_FUNDAMENTAL (type) == G_TYPE_FLOAT)
        g_value_set_float (value, (float) g_variant_get_double (variant));
      else
        g_value_set_double (value, g_variant_get_double (variant));
      return TRUE;
    default:
      return wrong_type (variant, type, error);
    }
}

/* A handle names one of the message's descriptors; the value borrows it. */
static gboolean
handle_to_fd (GVariant     *variant,
              GValue       *value,
              GUnixFDList  *fds,
              GError      **error)
{
  gint32 index = g_variant_get_handle (variant);

  if (fds == NULL || index < 0 || index >= g_unix_fd_list_get_length (fds))
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                   "Handle %d names none of the %d file descriptors sent with the message",
                   index, fds != NULL ? g_unix_fd_list_get_length (fds) : 0);
      return FALSE;
    }
  g_value_set_int (value, g_unix_fd_list_peek_fds (fds, NULL)[index]);
  return TRUE;
}

gboolean
_zbus_variant_to_value (GVariant       *variant,
                        GValue         *value,
                        const char     *signature,
                        ZbusConnection *connection,
                        GError        **error)
{
  return _zbus_variant_to_value_full (variant, value, signature, connection, NULL, error);
}

/* @variant must be of type @signature, the signature declared for the
 * member, which the description checked against the GType. An `h` value is
 * looked up in @fds, the message's descriptors, which keep owning it. */
gboolean
_zbus_variant_to_value_full (GVariant       *variant,
                             GValue         *value,
                             const char     *signature,
                             ZbusConnection *connection,
                             GUnixFDList    *fds,
                             GError        **error)
{
  GType type = G_VALUE_TYPE (value);

  if (!g_str_equal (g_variant_get_type_string (variant), signature))
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                   "Expected a value of type “%s”, not “%s”", signature,
                   g_variant_get_type_string (variant));
      return FALSE;
    }

  /* The basic types in their default mapping, without the general way's
   * type checks (the signature is the variant's). */
  if (signature[0] != '\0' && signature[1] == '\0')
    switch (signature[0])
      {
      case 's':
      case 'o':
      case 'g':
        if (type == G_TYPE_STRING)
          {
            g_value_set_string (value, g_variant_get_string (variant, NULL));
            return TRUE;
          }
        break;
      case 'u':
        if (type == G_TYPE_UINT)
          {
            g_value_set_uint (value, g_variant_get_uint32 (variant));
            return TRUE;
          }
        break;
      case 'i':
        if (type == G_TYPE_INT)
          {
            g_value_set_int (value, g_variant_get_int32 (variant));
            return TRUE;
          }
        break;
      case 'b':
        if (type == G_TYPE_BOOLEAN)
          {
            g_value_set_boolean (value, g_variant_get_boolean (variant));
            return TRUE;
          }
        break;
      case 'd':
        if (type == G_TYPE_DOUBLE)
          {
            g_value_set_double (value, g_variant_get_double (variant));
            return TRUE;
          }
        break;
      case 'x':
        if (type == G_TYPE_INT64)
          {
            g_value_set_int64 (value, g_variant_get_int64 (variant));
            return TRUE;
          }
        break;
      case 't':
        if (type == G_TYPE_UINT64)
          {
            g_value_set_uint64 (value, g_variant_get_uint64 (variant));
            return TRUE;
          }
        break;
      default:
        break;
      }

  if (type == G_TYPE_STRV)
    return array_to_strv (variant, value, error);
  if (type == G_TYPE_BYTES)
    {
      g_value_take_boxed (value, g_variant_get_data_as_bytes (variant));
      return TRUE;
    }
  if (g_type_is_a (type, G_TYPE_OBJECT))
    {
      if (!g_variant_is_of_type (variant, G_VARIANT_TYPE_OBJECT_PATH))
        return wrong_type (variant, type, error);
      return path_to_object (variant, value, connection, error);
    }

  switch (G_TYPE_FUNDAMENTAL (type))
    {
    case G_TYPE_BOOLEAN:
      if (!g_variant_is_of_type (variant, G_VARIANT_TYPE_BOOLEAN))
        return wrong_type (variant, type, error);
      g_value_set_boolean (value, g_variant_get_boolean (variant));
      return TRUE;
    case G_TYPE_INT:
      if (g_variant_is_of_type (variant, G_VARIANT_TYPE_HANDLE))
        return handle_to_fd (variant, value, fds, error);
      return variant_to_number (variant, value, error);
    case G_TYPE_CHAR:
    case G_TYPE_UCHAR:
    case G_TYPE_UINT:
    case G_TYPE_LONG:
    case G_TYPE_INT64:
    case G_TYPE_ULONG:
    case G_TYPE_UINT64:
    case G_TYPE_FLOAT:
    case G_TYPE_DOUBLE:
      return variant_to_number (variant, value, error);
    case G_TYPE_STRING:
      if (!g_variant_is_of_type (variant, G_VARIANT_TYPE_STRING) &&
          !g_variant_is_of_type (variant, G_VARIANT_TYPE_OBJECT_PATH) &&
          !g_variant_is_of_type (variant, G_VARIANT_TYPE_SIGNATURE))
        return wrong_type (variant, type, error);
      g_value_set_string (value, g_variant_get_string (variant, NULL));
      return TRUE;
    case G_TYPE_ENUM:
    case G_TYPE_FLAGS:
      return variant_to_enum (variant, value, error);
    case G_TYPE_VARIANT:
      /* Declared `v`: the handler gets what the variant holds. */
      if (g_str_equal (signature, "v"))
        g_value_take_variant (value, g_variant_get_variant (variant));
      else
        g_value_set_variant (value, variant);
      return TRUE;
    default:
      {
        const Converter *converter = find_converter (type);

        if (converter != NULL)
          return convert_from_variant (converter, variant, value, error);
        return wrong_type (variant, type, error);
      }
    }
}
