/* zbus-interface-info.c: a ZbusInterface subclass described as a D-Bus
 * interface, and GValue ⇄ GVariant by the mapping table
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "zbus-interface-private.h"
#include "zbus-message.h"
#include "zbus-method-invocation.h"
#include "zbus-object-server.h"

/* What a program may say about a type before it is first used. */
typedef struct
{
  char       *name;
  GHashTable *emits;        /* property name → ZbusEmits */
  GHashTable *out_sigs;     /* method name → signature */
  GHashTable *out_names;    /* method name → GStrv */
} TypeOverrides;

/* Both tables are written under @info_lock and never shrink; an info, once
 * made, is immutable, so readers keep using it without the lock. */
static GMutex info_lock;
static GHashTable *overrides_table;  /* GType → TypeOverrides */
static GHashTable *info_table;       /* GType → ZbusInterfaceInfo */

static TypeOverrides *
overrides_get_locked (GType    type,
                      gboolean create)
{
  TypeOverrides *o;

  if (overrides_table == NULL)
    overrides_table = g_hash_table_new (NULL, NULL);
  o = g_hash_table_lookup (overrides_table, GSIZE_TO_POINTER (type));
  if (o == NULL && create)
    {
      o = g_new0 (TypeOverrides, 1);
      o->emits = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      o->out_sigs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      o->out_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_strfreev);
      g_hash_table_insert (overrides_table, GSIZE_TO_POINTER (type), o);
    }
  return o;
}

static gboolean
check_overridable_locked (GType       type,
                          const char *what)
{
  if (!g_type_is_a (type, ZBUS_TYPE_INTERFACE) || type == ZBUS_TYPE_INTERFACE)
    {
      g_critical ("%s: %s is not a subclass of ZbusInterface", what, g_type_name (type));
      return FALSE;
    }
  if (info_table != NULL && g_hash_table_contains (info_table, GSIZE_TO_POINTER (type)))
    {
      g_critical ("%s: the D-Bus description of %s is already in use and cannot change",
                  what, g_type_name (type));
      return FALSE;
    }
  return TRUE;
}

/**
 * zbus_interface_type_set_name:
 * @type: a subclass of [class@Zbus.Interface]
 * @name: the D-Bus interface name, like `org.example.Foo`
 *
 * Sets the D-Bus interface name of @type, once, before the type is first
 * served or described. Callable from every language: in Python
 * `Zbus.Interface.type_set_name(MyIface, "org.example.Foo")`, in GJS
 * `Zbus.Interface.type_set_name(MyIface.$gtype, "org.example.Foo")`.
 *
 * Subclasses of @type that set no name of their own use @type's.
 *
 * Returns: %TRUE if set; %FALSE (with a critical) if @name is not a valid
 *   interface name or the type is already in use
 *
 * Since: 1.0
 */
gboolean
zbus_interface_type_set_name (GType       type,
                              const char *name)
{
  g_autoptr(GMutexLocker) locker = NULL;
  TypeOverrides *o;

  g_return_val_if_fail (g_dbus_is_interface_name (name), FALSE);

  locker = g_mutex_locker_new (&info_lock);
  if (!check_overridable_locked (type, "zbus_interface_type_set_name"))
    return FALSE;
  o = overrides_get_locked (type, TRUE);
  g_free (o->name);
  o->name = g_strdup (name);
  return TRUE;
}

static const char *
type_name_locked (GType type)
{
  for (; type != ZBUS_TYPE_INTERFACE && type != 0; type = g_type_parent (type))
    {
      TypeOverrides *o = overrides_get_locked (type, FALSE);

      if (o != NULL && o->name != NULL)
        return o->name;
    }
  return NULL;
}

/**
 * zbus_interface_type_get_name:
 * @type: a subclass of [class@Zbus.Interface]
 *
 * Gets the D-Bus interface name set with [func@Zbus.Interface.type_set_name]
 * for @type or its nearest ancestor.
 *
 * Returns: (nullable): the name, or %NULL if none was set
 *
 * Since: 1.0
 */
const char *
zbus_interface_type_get_name (GType type)
{
  const char *name;

  g_mutex_lock (&info_lock);
  name = type_name_locked (type);
  g_mutex_unlock (&info_lock);

  return name;
}

static gboolean
parse_emits (const char *mode,
             ZbusEmits  *out)
{
  static const char * const names[] = { "true", "invalidates", "const", "false" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (mode, names[i]) == 0)
      {
        *out = (ZbusEmits) i;
        return TRUE;
      }
  return FALSE;
}

static const char *
emits_to_string (ZbusEmits emits)
{
  static const char * const names[] = { "true", "invalidates", "const", "false" };

  return names[emits];
}

/**
 * zbus_interface_type_set_emits_changed:
 * @type: a subclass of [class@Zbus.Interface]
 * @property: the GObject name (`the-answer`) or D-Bus name (`TheAnswer`) of
 *   a property of @type
 * @mode: `true` (the new value is sent in `PropertiesChanged`), `invalidates`
 *   (only the name is sent), `const` (the value never changes) or `false`
 *   (changes are not announced)
 *
 * Sets how changes of a property are announced, and the
 * `org.freedesktop.DBus.Property.EmitsChangedSignal` annotation published
 * for it. The default is `true`, and `const` for construct-only properties.
 * Call it before the type is first served or described.
 *
 * Returns: %TRUE if set
 *
 * Since: 1.0
 */
gboolean
zbus_interface_type_set_emits_changed (GType       type,
                                       const char *property,
                                       const char *mode)
{
  g_autoptr(GMutexLocker) locker = NULL;
  ZbusEmits emits;

  g_return_val_if_fail (property != NULL, FALSE);
  g_return_val_if_fail (parse_emits (mode, &emits), FALSE);

  locker = g_mutex_locker_new (&info_lock);
  if (!check_overridable_locked (type, "zbus_interface_type_set_emits_changed"))
    return FALSE;
  g_hash_table_insert (overrides_get_locked (type, TRUE)->emits,
                       g_strdup (property), GINT_TO_POINTER (emits));
  return TRUE;
}

/**
 * zbus_interface_type_set_method_signature:
 * @type: a subclass of [class@Zbus.Interface]
 * @method: the GObject name (`meaning-of-life`) or D-Bus name
 *   (`MeaningOfLife`) of an action signal of @type
 * @out_signature: (nullable): the signature of the reply, like `is`; %NULL
 *   to keep the one derived from the return type
 * @out_names: (nullable) (array zero-terminated=1): names of the out
 *   arguments, published in introspection
 *
 * Sets the out-arguments of a method. A method whose action signal returns a
 * `GVariant` returns a tuple of @out_signature (or one value when it has one
 * type); an async method answers with a tuple of @out_signature. Call it
 * before the type is first served or described.
 *
 * Returns: %TRUE if set
 *
 * Since: 1.0
 */
gboolean
zbus_interface_type_set_method_signature (GType               type,
                                          const char         *method,
                                          const char         *out_signature,
                                          const char * const *out_names)
{
  g_autoptr(GMutexLocker) locker = NULL;
  TypeOverrides *o;

  g_return_val_if_fail (method != NULL, FALSE);
  g_return_val_if_fail (out_signature == NULL || zbus_is_signature (out_signature), FALSE);

  locker = g_mutex_locker_new (&info_lock);
  if (!check_overridable_locked (type, "zbus_interface_type_set_method_signature"))
    return FALSE;
  o = overrides_get_locked (type, TRUE);
  if (out_signature != NULL)
    g_hash_table_insert (o->out_sigs, g_strdup (method), g_strdup (out_signature));
  if (out_names != NULL)
    g_hash_table_insert (o->out_names, g_strdup (method), g_strdupv ((char **) out_names));
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Names and signatures */

/* `the-answer` → `TheAnswer` */
static char *
dbus_name_from (const char *gname)
{
  GString *s = g_string_new (NULL);
  gboolean up = TRUE;

  for (const char *p = gname; *p; p++)
    {
      if (*p == '-' || *p == '_')
        up = TRUE;
      else
        {
          g_string_append_c (s, up ? g_ascii_toupper (*p) : *p);
          up = FALSE;
        }
    }
  return g_string_free (s, FALSE);
}

static gboolean
enum_has_negative (GType type)
{
  g_autoptr(GTypeClass) klass = g_type_class_ref (type);
  GEnumClass *eclass = G_ENUM_CLASS (klass);

  return eclass->minimum < 0;
}

/* The default signature of a GType (a pspec refines GVariant), or NULL. */
static char *
signature_for (GType       type,
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
      return NULL;
    }
}

/* ------------------------------------------------------------------------ */
/* Building the description */

static void
property_info_free (ZbusPropertyInfo *p)
{
  g_free (p->name);
  g_free (p->signature);
  g_free (p);
}

static void
member_info_free (ZbusMemberInfo *m)
{
  g_free (m->name);
  g_strfreev (m->arg_sigs);
  g_free (m->in_signature);
  g_free (m->out_signature);
  g_strfreev (m->out_names);
  g_free (m);
}

static void
interface_info_free (ZbusInterfaceInfo *info)
{
  g_free (info->name);
  g_ptr_array_unref (info->properties);
  g_ptr_array_unref (info->methods);
  g_ptr_array_unref (info->signals);
  g_free (info->xml);
  g_free (info);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZbusInterfaceInfo, interface_info_free)

static gpointer
lookup_override (GHashTable *table,
                 const char *gname,
                 const char *dname,
                 gboolean   *found)
{
  gpointer value = NULL;

  *found = g_hash_table_lookup_extended (table, gname, NULL, &value) ||
           g_hash_table_lookup_extended (table, dname, NULL, &value);
  return value;
}

/* Overrides of @type and its ancestors below ZbusInterface, nearest first. */
static gpointer
lookup_override_chain (GType       type,
                       gsize       table_offset,
                       const char *gname,
                       const char *dname,
                       gboolean   *found)
{
  for (; type != ZBUS_TYPE_INTERFACE; type = g_type_parent (type))
    {
      TypeOverrides *o = overrides_get_locked (type, FALSE);

      if (o != NULL)
        {
          GHashTable *table = G_STRUCT_MEMBER (GHashTable *, o, table_offset);
          gpointer value = lookup_override (table, gname, dname, found);

          if (*found)
            return value;
        }
    }
  *found = FALSE;
  return NULL;
}

static gboolean
describe_properties (ZbusInterfaceInfo *info,
                     GError           **error)
{
  g_autoptr(GTypeClass) klass = g_type_class_ref (info->type);
  g_autofree GParamSpec **pspecs = NULL;
  guint n;

  pspecs = g_object_class_list_properties (G_OBJECT_CLASS (klass), &n);
  for (guint i = 0; i < n; i++)
    {
      GParamSpec *pspec = pspecs[i];
      ZbusPropertyInfo *p;
      gboolean found;
      gpointer mode;

      /* Members of ZbusInterface and GObject are never exported. */
      if (!g_type_is_a (pspec->owner_type, ZBUS_TYPE_INTERFACE) ||
          pspec->owner_type == ZBUS_TYPE_INTERFACE)
        continue;

      p = g_new0 (ZbusPropertyInfo, 1);
      p->name = dbus_name_from (pspec->name);
      p->pspec = pspec;
      p->signature = signature_for (pspec->value_type, pspec);
      p->readable = (pspec->flags & G_PARAM_READABLE) != 0;
      p->writable = (pspec->flags & G_PARAM_WRITABLE) && !(pspec->flags & G_PARAM_CONSTRUCT_ONLY);
      p->emits = (pspec->flags & G_PARAM_CONSTRUCT_ONLY) ? ZBUS_EMITS_CONST : ZBUS_EMITS_TRUE;
      g_ptr_array_add (info->properties, p);

      mode = lookup_override_chain (info->type, G_STRUCT_OFFSET (TypeOverrides, emits),
                                    pspec->name, p->name, &found);
      if (found)
        p->emits = GPOINTER_TO_INT (mode);

      if (p->signature == NULL)
        {
          g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_SIGNATURE,
                       "Property “%s” of %s has type %s, which has no D-Bus mapping",
                       pspec->name, g_type_name (info->type), g_type_name (pspec->value_type));
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
describe_return (ZbusInterfaceInfo *info,
                 ZbusMemberInfo    *m,
                 GError           **error)
{
  GType rtype = m->query.return_type & ~G_SIGNAL_TYPE_STATIC_SCOPE;
  g_autofree char *out = NULL;
  gboolean found;
  const char *override;
  char **names;

  override = lookup_override_chain (info->type, G_STRUCT_OFFSET (TypeOverrides, out_sigs),
                                    m->query.signal_name, m->name, &found);
  names = lookup_override_chain (info->type, G_STRUCT_OFFSET (TypeOverrides, out_names),
                                 m->query.signal_name, m->name, &found);
  m->out_names = g_strdupv (names);

  if (override != NULL)
    out = g_strdup (override);
  else if (rtype == G_TYPE_NONE)
    out = m->is_async ? NULL : g_strdup ("");
  else
    out = signature_for (rtype, NULL);

  if (out == NULL && !m->is_async)
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_SIGNATURE,
                   "Method “%s” of %s returns %s, which has no D-Bus mapping",
                   m->query.signal_name, g_type_name (info->type), g_type_name (rtype));
      return FALSE;
    }
  if (override != NULL && !m->is_async && rtype != G_TYPE_VARIANT &&
      !zbus_is_single_complete_type (override))
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_SIGNATURE,
                   "Method “%s” of %s returns one %s but its out signature is “%s”",
                   m->query.signal_name, g_type_name (info->type), g_type_name (rtype), override);
      return FALSE;
    }
  m->out_signature = out ? g_strdup_printf ("(%s)", out) : NULL;
  return TRUE;
}

static ZbusMemberInfo *
describe_signal (ZbusInterfaceInfo *info,
                 guint              signal_id,
                 GError           **error)
{
  ZbusMemberInfo *m = g_new0 (ZbusMemberInfo, 1);
  gboolean is_method;
  GString *in = g_string_new ("(");
  GPtrArray *sigs = g_ptr_array_new ();

  g_signal_query (signal_id, &m->query);
  m->signal_id = signal_id;
  m->name = dbus_name_from (m->query.signal_name);
  is_method = (m->query.signal_flags & G_SIGNAL_ACTION) != 0;

  if (is_method && m->query.n_params > 0 &&
      (m->query.param_types[0] & ~G_SIGNAL_TYPE_STATIC_SCOPE) == ZBUS_TYPE_METHOD_INVOCATION)
    {
      m->is_async = TRUE;
      m->first_arg = 1;
    }

  for (guint i = m->first_arg; i < m->query.n_params; i++)
    {
      char *sig = signature_for (m->query.param_types[i], NULL);

      if (sig == NULL)
        {
          g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_SIGNATURE,
                       "%s “%s” of %s has a parameter of type %s, which has no D-Bus mapping",
                       is_method ? "Method" : "Signal", m->query.signal_name,
                       g_type_name (info->type),
                       g_type_name (m->query.param_types[i] & ~G_SIGNAL_TYPE_STATIC_SCOPE));
          goto fail;
        }
      g_string_append (in, sig);
      g_ptr_array_add (sigs, sig);
    }
  g_string_append_c (in, ')');
  g_ptr_array_add (sigs, NULL);
  m->arg_sigs = (char **) g_ptr_array_free (g_steal_pointer (&sigs), FALSE);
  m->in_signature = g_string_free (g_steal_pointer (&in), FALSE);

  if (is_method && !describe_return (info, m, error))
    goto fail;
  if (!is_method && (m->query.return_type & ~G_SIGNAL_TYPE_STATIC_SCOPE) != G_TYPE_NONE)
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_SIGNATURE,
                   "Signal “%s” of %s returns a value; only action signals (methods) can",
                   m->query.signal_name, g_type_name (info->type));
      goto fail;
    }
  return m;

fail:
  if (sigs != NULL)
    g_ptr_array_free (sigs, TRUE);
  if (in != NULL)
    g_string_free (in, TRUE);
  member_info_free (m);
  return NULL;
}

static gboolean
describe_signals (ZbusInterfaceInfo *info,
                  GError           **error)
{
  for (GType t = info->type; t != ZBUS_TYPE_INTERFACE; t = g_type_parent (t))
    {
      g_autofree guint *ids = NULL;
      guint n;

      ids = g_signal_list_ids (t, &n);
      for (guint i = 0; i < n; i++)
        {
          ZbusMemberInfo *m = describe_signal (info, ids[i], error);

          if (m == NULL)
            return FALSE;
          g_ptr_array_add ((m->query.signal_flags & G_SIGNAL_ACTION) ? info->methods : info->signals, m);
        }
    }
  return TRUE;
}

static void append_escaped (GString    *xml,
                            const char *format,
                            ...) G_GNUC_PRINTF (2, 3);

static void
append_escaped (GString    *xml,
                const char *format,
                ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_markup_vprintf_escaped (format, args);
  va_end (args);
  g_string_append (xml, text);
}

static void
append_args (GString            *xml,
             const char * const *sigs,
             const char         *direction,
             const char * const *names)
{
  for (guint i = 0; sigs[i] != NULL; i++)
    {
      append_escaped (xml, "      <arg type=\"%s\"", sigs[i]);
      if (names != NULL && g_strv_length ((char **) names) > i)
        append_escaped (xml, " name=\"%s\"", names[i]);
      if (direction != NULL)
        append_escaped (xml, " direction=\"%s\"", direction);
      g_string_append (xml, "/>\n");
    }
}

/* Splits "(is)" into { "i", "s" }. */
static char **
split_tuple (const char *tuple)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  g_autoptr(GVariantType) type = g_variant_type_new (tuple);

  for (const GVariantType *t = g_variant_type_first (type); t != NULL; t = g_variant_type_next (t))
    g_ptr_array_add (parts, g_variant_type_dup_string (t));
  g_ptr_array_add (parts, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&parts), FALSE);
}

static void
describe_xml (ZbusInterfaceInfo *info)
{
  GString *xml = g_string_new (NULL);

  append_escaped (xml, "  <interface name=\"%s\">\n", info->name);
  for (guint i = 0; i < info->methods->len; i++)
    {
      ZbusMemberInfo *m = g_ptr_array_index (info->methods, i);

      append_escaped (xml, "    <method name=\"%s\">\n", m->name);
      append_args (xml, (const char * const *) m->arg_sigs, "in", NULL);
      if (m->out_signature != NULL)
        {
          g_auto(GStrv) outs = split_tuple (m->out_signature);

          append_args (xml, (const char * const *) outs, "out", (const char * const *) m->out_names);
        }
      g_string_append (xml, "    </method>\n");
    }
  for (guint i = 0; i < info->signals->len; i++)
    {
      ZbusMemberInfo *m = g_ptr_array_index (info->signals, i);

      append_escaped (xml, "    <signal name=\"%s\">\n", m->name);
      append_args (xml, (const char * const *) m->arg_sigs, NULL, NULL);
      g_string_append (xml, "    </signal>\n");
    }
  for (guint i = 0; i < info->properties->len; i++)
    {
      ZbusPropertyInfo *p = g_ptr_array_index (info->properties, i);
      const char *access = p->readable ? (p->writable ? "readwrite" : "read") : "write";
      const char *blurb = g_param_spec_get_blurb (p->pspec);

      append_escaped (xml, "    <property name=\"%s\" type=\"%s\" access=\"%s\">\n",
                      p->name, p->signature, access);
      if (p->emits != ZBUS_EMITS_TRUE)
        append_escaped (xml, "      <annotation name=\"org.freedesktop.DBus.Property.EmitsChangedSignal\" value=\"%s\"/>\n",
                        emits_to_string (p->emits));
      if (blurb != NULL && blurb[0] != '\0' && g_strcmp0 (blurb, p->pspec->name) != 0)
        append_escaped (xml, "      <annotation name=\"org.gtk.GDBus.DocString\" value=\"%s\"/>\n", blurb);
      g_string_append (xml, "    </property>\n");
    }
  g_string_append (xml, "  </interface>\n");
  info->xml = g_string_free (xml, FALSE);
}

static gboolean
check_unique_names (ZbusInterfaceInfo *info,
                    GError           **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *lists[] = { info->methods, info->signals };

  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    for (guint i = 0; i < lists[l]->len; i++)
      {
        ZbusMemberInfo *m = g_ptr_array_index (lists[l], i);

        if (!g_hash_table_add (seen, m->name))
          {
            g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                         "Member “%s” of %s maps to the D-Bus name “%s”, which is already taken",
                         m->query.signal_name, g_type_name (info->type), m->name);
            return FALSE;
          }
      }
  return TRUE;
}

static ZbusInterfaceInfo *
describe_type_locked (GType    type,
                      GError **error)
{
  g_autoptr(ZbusInterfaceInfo) info = g_new0 (ZbusInterfaceInfo, 1);
  const char *name = type_name_locked (type);

  info->type = type;
  info->properties = g_ptr_array_new_with_free_func ((GDestroyNotify) property_info_free);
  info->methods = g_ptr_array_new_with_free_func ((GDestroyNotify) member_info_free);
  info->signals = g_ptr_array_new_with_free_func ((GDestroyNotify) member_info_free);

  if (name == NULL)
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                   "%s has no D-Bus interface name: call zbus_interface_type_set_name() first",
                   g_type_name (type));
      return NULL;
    }
  info->name = g_strdup (name);

  if (!describe_properties (info, error) ||
      !describe_signals (info, error) ||
      !check_unique_names (info, error))
    return NULL;
  describe_xml (info);
  return g_steal_pointer (&info);
}

const ZbusInterfaceInfo *
_zbus_interface_info_get (GType    type,
                          GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  ZbusInterfaceInfo *info;

  if (!g_type_is_a (type, ZBUS_TYPE_INTERFACE) || G_TYPE_IS_ABSTRACT (type))
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                   "%s is not an instantiable subclass of ZbusInterface", g_type_name (type));
      return NULL;
    }

  /* class_init may name the type: run it before taking the lock. The
   * reference is kept, as the description points into the class. */
  if (g_type_class_peek (type) == NULL)
    g_type_class_ref (type);

  locker = g_mutex_locker_new (&info_lock);
  if (info_table == NULL)
    info_table = g_hash_table_new (NULL, NULL);
  info = g_hash_table_lookup (info_table, GSIZE_TO_POINTER (type));
  if (info == NULL)
    {
      /* A type that fails stays undescribed: the error comes each time. */
      info = describe_type_locked (type, error);
      if (info != NULL)
        g_hash_table_insert (info_table, GSIZE_TO_POINTER (type), info);
    }
  return info;
}

/**
 * zbus_interface_type_check:
 * @type: a subclass of [class@Zbus.Interface]
 * @error: return location for a #GError
 *
 * Derives the D-Bus description of @type now, as serving it first would,
 * and reports the first member that has no D-Bus mapping. After this the
 * description can no longer change.
 *
 * Returns: %TRUE if @type can be served
 *
 * Since: 1.0
 */
gboolean
zbus_interface_type_check (GType    type,
                           GError **error)
{
  return _zbus_interface_info_get (type, error) != NULL;
}

/**
 * zbus_interface_type_introspect:
 * @type: a subclass of [class@Zbus.Interface]
 * @error: return location for a #GError
 *
 * Gets the `<interface>` element the object server publishes for @type.
 *
 * Returns: (transfer full): the XML fragment, or %NULL on error
 *
 * Since: 1.0
 */
char *
zbus_interface_type_introspect (GType    type,
                                GError **error)
{
  const ZbusInterfaceInfo *info = _zbus_interface_info_get (type, error);

  return info ? g_strdup (info->xml) : NULL;
}

const ZbusPropertyInfo *
_zbus_interface_info_find_property (const ZbusInterfaceInfo *info,
                                    const char              *name)
{
  for (guint i = 0; i < info->properties->len; i++)
    {
      ZbusPropertyInfo *p = g_ptr_array_index (info->properties, i);

      if (g_str_equal (p->name, name))
        return p;
    }
  return NULL;
}

const ZbusPropertyInfo *
_zbus_interface_info_find_pspec (const ZbusInterfaceInfo *info,
                                 GParamSpec              *pspec)
{
  for (guint i = 0; i < info->properties->len; i++)
    {
      ZbusPropertyInfo *p = g_ptr_array_index (info->properties, i);

      if (p->pspec == pspec)
        return p;
    }
  return NULL;
}

const ZbusMemberInfo *
_zbus_interface_info_find_method (const ZbusInterfaceInfo *info,
                                  const char              *name)
{
  for (guint i = 0; i < info->methods->len; i++)
    {
      ZbusMemberInfo *m = g_ptr_array_index (info->methods, i);

      if (g_str_equal (m->name, name))
        return m;
    }
  return NULL;
}

const ZbusMemberInfo *
_zbus_interface_info_find_signal (const ZbusInterfaceInfo *info,
                                  guint                    signal_id)
{
  for (guint i = 0; i < info->signals->len; i++)
    {
      ZbusMemberInfo *m = g_ptr_array_index (info->signals, i);

      if (m->signal_id == signal_id)
        return m;
    }
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* GValue ⇄ GVariant */

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
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED,
                   "A %s value has no D-Bus mapping", g_type_name (type));
      return NULL;
    }
}

GVariant *
_zbus_value_to_variant (const GValue   *value,
                        const char     *signature,
                        ZbusConnection *connection,
                        GError        **error)
{
  g_autoptr(GVariant) v = NULL;

  if (G_VALUE_HOLDS (value, G_TYPE_VARIANT) && g_value_get_variant (value) == NULL)
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED,
                   "A NULL GVariant cannot be sent as “%s”", signature);
      return NULL;
    }
  /* Floating for new values, a full reference for a GVariant held. */
  v = value_to_variant_plain (value, connection, error);
  if (v == NULL)
    return NULL;
  g_variant_take_ref (v);

  if (g_str_equal (signature, "v") && !g_variant_is_of_type (v, G_VARIANT_TYPE_VARIANT))
    return g_variant_ref_sink (g_variant_new_variant (v));
  /* Strings may go out as object paths or signatures by override. */
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_STRING) &&
      (g_str_equal (signature, "o") || g_str_equal (signature, "g")))
    {
      const char *s = g_variant_get_string (v, NULL);

      if (g_str_equal (signature, "o") ? g_variant_is_object_path (s) : g_variant_is_signature (s))
        return g_variant_ref_sink (g_variant_new (signature, s));
    }
  if (!g_str_equal (g_variant_get_type_string (v), signature))
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED,
                   "A value of type “%s” was given where “%s” is declared",
                   g_variant_get_type_string (v), signature);
      return NULL;
    }
  return g_steal_pointer (&v);
}

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

static gboolean
variant_to_enum (GVariant *variant,
                 GValue   *value,
                 GError  **error)
{
  g_autoptr(GTypeClass) klass = g_type_class_ref (G_VALUE_TYPE (value));
  int v;

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

#define EXPECT(vtype) \
  G_STMT_START { \
    if (!g_variant_is_of_type (variant, vtype)) \
      return wrong_type (variant, type, error); \
  } G_STMT_END

gboolean
_zbus_variant_to_value (GVariant       *variant,
                        GValue         *value,
                        GParamSpec     *pspec,
                        ZbusConnection *connection,
                        GError        **error)
{
  GType type = G_VALUE_TYPE (value);

  if (type == G_TYPE_STRV)
    {
      EXPECT (G_VARIANT_TYPE_STRING_ARRAY);
      g_value_take_boxed (value, g_variant_dup_strv (variant, NULL));
      return TRUE;
    }
  if (type == G_TYPE_BYTES)
    {
      EXPECT (G_VARIANT_TYPE_BYTESTRING);
      g_value_take_boxed (value, g_variant_get_data_as_bytes (variant));
      return TRUE;
    }
  if (g_type_is_a (type, G_TYPE_OBJECT))
    {
      EXPECT (G_VARIANT_TYPE_OBJECT_PATH);
      return path_to_object (variant, value, connection, error);
    }

  switch (G_TYPE_FUNDAMENTAL (type))
    {
    case G_TYPE_BOOLEAN: EXPECT (G_VARIANT_TYPE_BOOLEAN); g_value_set_boolean (value, g_variant_get_boolean (variant)); break;
    case G_TYPE_CHAR: EXPECT (G_VARIANT_TYPE_BYTE); g_value_set_schar (value, (gint8) g_variant_get_byte (variant)); break;
    case G_TYPE_UCHAR: EXPECT (G_VARIANT_TYPE_BYTE); g_value_set_uchar (value, g_variant_get_byte (variant)); break;
    case G_TYPE_INT: EXPECT (G_VARIANT_TYPE_INT32); g_value_set_int (value, g_variant_get_int32 (variant)); break;
    case G_TYPE_UINT: EXPECT (G_VARIANT_TYPE_UINT32); g_value_set_uint (value, g_variant_get_uint32 (variant)); break;
    case G_TYPE_LONG: EXPECT (G_VARIANT_TYPE_INT64); g_value_set_long (value, (glong) g_variant_get_int64 (variant)); break;
    case G_TYPE_INT64: EXPECT (G_VARIANT_TYPE_INT64); g_value_set_int64 (value, g_variant_get_int64 (variant)); break;
    case G_TYPE_ULONG: EXPECT (G_VARIANT_TYPE_UINT64); g_value_set_ulong (value, (gulong) g_variant_get_uint64 (variant)); break;
    case G_TYPE_UINT64: EXPECT (G_VARIANT_TYPE_UINT64); g_value_set_uint64 (value, g_variant_get_uint64 (variant)); break;
    case G_TYPE_FLOAT: EXPECT (G_VARIANT_TYPE_DOUBLE); g_value_set_float (value, (float) g_variant_get_double (variant)); break;
    case G_TYPE_DOUBLE: EXPECT (G_VARIANT_TYPE_DOUBLE); g_value_set_double (value, g_variant_get_double (variant)); break;
    case G_TYPE_STRING:
      if (!g_variant_is_of_type (variant, G_VARIANT_TYPE_STRING) &&
          !g_variant_is_of_type (variant, G_VARIANT_TYPE_OBJECT_PATH) &&
          !g_variant_is_of_type (variant, G_VARIANT_TYPE_SIGNATURE))
        return wrong_type (variant, type, error);
      g_value_set_string (value, g_variant_get_string (variant, NULL));
      break;
    case G_TYPE_ENUM:
    case G_TYPE_FLAGS:
      return variant_to_enum (variant, value, error);
    case G_TYPE_VARIANT:
      {
        g_autofree char *sig = signature_for (type, pspec);

        if (g_str_equal (sig, "v"))
          {
            /* Declared `v`: the handler gets what the variant holds. */
            if (g_variant_is_of_type (variant, G_VARIANT_TYPE_VARIANT))
              g_value_take_variant (value, g_variant_get_variant (variant));
            else
              g_value_set_variant (value, variant);
          }
        else
          {
            g_autoptr(GVariantType) vt = g_variant_type_new (sig);

            if (!g_variant_is_of_type (variant, vt))
              return wrong_type (variant, type, error);
            g_value_set_variant (value, variant);
          }
        break;
      }
    default:
      return wrong_type (variant, type, error);
    }
  return TRUE;
}
