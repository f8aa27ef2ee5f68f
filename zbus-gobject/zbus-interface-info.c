/* zbus-interface-info.c: a ZbusInterface subclass described as a D-Bus
 * interface: what a program says about a type, and the description made
 * from it when the type is first used
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
#include "zbus-method-invocation.h"
#include "zbus-object-server.h"

/* What a program may say about a type before it is first used. */
typedef struct
{
  const char *name;         /* interned: zbus_interface_type_get_name() hands it out */
  GHashTable *emits;        /* property name → ZbusEmits */
  GHashTable *out_sigs;     /* method name → signature */
  GHashTable *out_names;    /* method name → GStrv */
  GHashTable *members[ZBUS_N_MEMBER_KINDS];  /* member name → ZbusMemberOverride */
  GPtrArray  *table;        /* (element-type ZbusTableMethod): never freed */
  char       *doc;
  int         docs;         /* -1 when not set, else whether DocStrings are published */
  int         strict_order; /* -1 when not set, else whether calls are answered in order */
} TypeOverrides;

/* Both tables are written under @info_lock and never shrink; an info, once
 * made, is immutable, so readers keep using it without the lock. */
static GMutex info_lock;
static GHashTable *overrides_table;  /* GType → TypeOverrides */
static GHashTable *info_table;       /* GType → ZbusInterfaceInfo */
/* How many described types ask for strict order: while none does, the
 * object server skips its ordering step. */
static int n_strict_types;

static void
member_override_free (ZbusMemberOverride *mo)
{
  g_free (mo->name);
  g_free (mo->signature);
  g_strfreev (mo->arg_names);
  g_free (mo->doc);
  g_free (mo);
}

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
      for (guint k = 0; k < ZBUS_N_MEMBER_KINDS; k++)
        o->members[k] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify) member_override_free);
      o->table = g_ptr_array_new ();
      o->docs = -1;
      o->strict_order = -1;
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

static void
replace_str (char       **location,
             const char  *value)
{
  g_free (*location);
  *location = g_strdup (value);
}

GMutex *
_zbus_interface_info_get_lock (void)
{
  return &info_lock;
}

ZbusMemberOverride *
_zbus_interface_info_member_override_locked (GType           type,
                                             ZbusMemberKind  kind,
                                             const char     *member,
                                             const char     *caller)
{
  GHashTable *table;
  ZbusMemberOverride *mo;

  if (!check_overridable_locked (type, caller))
    return NULL;
  table = overrides_get_locked (type, TRUE)->members[kind];
  mo = g_hash_table_lookup (table, member);
  if (mo == NULL)
    {
      mo = g_new0 (ZbusMemberOverride, 1);
      g_hash_table_insert (table, g_strdup (member), mo);
    }
  return mo;
}

gboolean
_zbus_interface_info_add_table_method_locked (GType             type,
                                              ZbusTableMethod  *method,
                                              GError          **error)
{
  TypeOverrides *o;

  if (info_table != NULL && g_hash_table_contains (info_table, GSIZE_TO_POINTER (type)))
    {
      g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_FAILED,
                   "Cannot add method “%s”: the D-Bus description of %s is already in use",
                   method->name, g_type_name (type));
      return FALSE;
    }
  o = overrides_get_locked (type, TRUE);
  for (guint i = 0; i < o->table->len; i++)
    if (g_str_equal (((ZbusTableMethod *) g_ptr_array_index (o->table, i))->name, method->name))
      {
        g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME,
                     "%s already has a method “%s” in its method table",
                     g_type_name (type), method->name);
        return FALSE;
      }
  g_ptr_array_add (o->table, method);
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

  g_return_val_if_fail (g_dbus_is_interface_name (name), FALSE);

  locker = g_mutex_locker_new (&info_lock);
  if (!check_overridable_locked (type, "zbus_interface_type_set_name"))
    return FALSE;
  /* Interned, not freed when set again: a name handed out by
   * zbus_interface_type_get_name() stays valid. */
  overrides_get_locked (type, TRUE)->name = g_intern_string (name);
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
 * Returns: (nullable): the name, valid for the life of the process (also
 *   when the type is named again), or %NULL if none was set
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
 *   arguments, published in introspection; one per argument (a count that
 *   differs is reported when the type is first used)
 *
 * Sets the out-arguments of a method. A method whose action signal returns a
 * `GVariant` returns a tuple of @out_signature (or one value when it has one
 * type); an async method answers with a tuple of @out_signature. A sync
 * method whose action signal returns nothing answers through
 * [func@Zbus.MethodInvocation.get_current]; if its handler neither answers
 * nor defers, the call is answered `org.freedesktop.DBus.Error.Failed` (and
 * a warning logged). Call it before the type is first served or described.
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

/**
 * zbus_interface_type_set_doc:
 * @type: a subclass of [class@Zbus.Interface]
 * @doc: the documentation of the interface, published as an
 *   `org.gtk.GDBus.DocString` annotation of its `<interface>` element
 *
 * Documents the interface in introspection, unless
 * [func@Zbus.Interface.type_set_introspection_docs] turned docs off.
 * Subclasses that set no doc of their own use @type's. Call it before the
 * type is first served or described.
 *
 * Returns: %TRUE if set
 *
 * Since: 1.0
 */
gboolean
zbus_interface_type_set_doc (GType       type,
                             const char *doc)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (doc != NULL && g_utf8_validate (doc, -1, NULL), FALSE);

  locker = g_mutex_locker_new (&info_lock);
  if (!check_overridable_locked (type, G_STRFUNC))
    return FALSE;
  replace_str (&overrides_get_locked (type, TRUE)->doc, doc);
  return TRUE;
}

/**
 * zbus_interface_type_set_introspection_docs:
 * @type: a subclass of [class@Zbus.Interface]
 * @enabled: whether introspection carries documentation
 *
 * Turns the `org.gtk.GDBus.DocString` annotations of @type on or off: the
 * interface doc, property blurbs, member docs and the values listed for
 * enum types (zbus's `introspection_docs`). They are on by default;
 * subclasses that say nothing of their own follow @type. Call it before
 * the type is first served or described.
 *
 * Returns: %TRUE if set
 *
 * Since: 1.0
 */
gboolean
zbus_interface_type_set_introspection_docs (GType    type,
                                            gboolean enabled)
{
  g_autoptr(GMutexLocker) locker = NULL;

  locker = g_mutex_locker_new (&info_lock);
  if (!check_overridable_locked (type, G_STRFUNC))
    return FALSE;
  overrides_get_locked (type, TRUE)->docs = enabled != FALSE;
  return TRUE;
}

/* The nearest setting of @type or its ancestors; docs are on by default. */
static gboolean
type_docs_locked (GType type)
{
  for (; type != ZBUS_TYPE_INTERFACE && type != 0; type = g_type_parent (type))
    {
      TypeOverrides *o = overrides_get_locked (type, FALSE);

      if (o != NULL && o->docs >= 0)
        return o->docs;
    }
  return TRUE;
}

/**
 * zbus_interface_type_set_strict_order:
 * @type: a subclass of [class@Zbus.Interface]
 * @strict: whether calls to an instance are handled one at a time
 *
 * Asks that calls to an instance of @type be handled in strict order
 * (zbus's `spawn = false`). By default a call is dispatched as soon as it
 * arrives, so an async method (or a deferred invocation) still running does
 * not hold back the next call, and replies may go out in another order than
 * the calls came. With strict order, the object server dispatches the next
 * call to the instance — a method, or a `Properties` `Get`, `Set` or
 * `GetAll` of this interface — only once the reply to the previous one was
 * sent; calls wait in arrival order, on each connection separately.
 * `Introspect`, `Peer` and calls to other interfaces are not held back.
 * At most 1024 calls wait for one instance: a call beyond that is answered
 * `org.freedesktop.DBus.Error.LimitsExceeded` at once.
 *
 * A handler of a strict interface that calls out and waits must not wait
 * for a call to the same instance on the same connection: that call waits
 * for the handler's reply, so the handler would only get a timeout. Other
 * synchronous calls are fine, also on the same connection (see
 * [class@Zbus.ObjectServer]).
 *
 * Subclasses that say nothing of their own follow @type. Call it before
 * the type is first served or described.
 *
 * Returns: %TRUE if set
 *
 * Since: 1.0
 */
gboolean
zbus_interface_type_set_strict_order (GType    type,
                                      gboolean strict)
{
  g_autoptr(GMutexLocker) locker = NULL;

  locker = g_mutex_locker_new (&info_lock);
  if (!check_overridable_locked (type, G_STRFUNC))
    return FALSE;
  overrides_get_locked (type, TRUE)->strict_order = strict != FALSE;
  return TRUE;
}

/* The nearest setting of @type or its ancestors; off by default. */
static gboolean
type_strict_order_locked (GType type)
{
  for (; type != ZBUS_TYPE_INTERFACE && type != 0; type = g_type_parent (type))
    {
      TypeOverrides *o = overrides_get_locked (type, FALSE);

      if (o != NULL && o->strict_order >= 0)
        return o->strict_order;
    }
  return FALSE;
}

gboolean
_zbus_interface_info_any_strict_order (void)
{
  return g_atomic_int_get (&n_strict_types) > 0;
}

static const char *
type_doc_locked (GType type)
{
  for (; type != ZBUS_TYPE_INTERFACE && type != 0; type = g_type_parent (type))
    {
      TypeOverrides *o = overrides_get_locked (type, FALSE);

      if (o != NULL && o->doc != NULL)
        return o->doc;
    }
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* Names */

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

/* ------------------------------------------------------------------------ */
/* Building the description */

static void
property_info_free (ZbusPropertyInfo *p)
{
  g_free (p->name);
  g_free (p->signature);
  g_free (p->doc);
  g_free (p);
}

static void
member_info_free (ZbusMemberInfo *m)
{
  g_free (m->name);
  g_strfreev (m->arg_sigs);
  g_strfreev (m->arg_names);
  g_free (m->in_signature);
  g_free (m->out_signature);
  g_strfreev (m->out_names);
  g_free (m->doc);
  g_free (m);
}

static void
interface_info_free (ZbusInterfaceInfo *info)
{
  g_free (info->name);
  g_ptr_array_unref (info->properties);
  g_ptr_array_unref (info->methods);
  g_ptr_array_unref (info->signals);
  g_free (info->doc);
  g_free (info->xml);
  g_free (info);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZbusInterfaceInfo, interface_info_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZbusMemberInfo, member_info_free)

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

/* What @type and its ancestors say about one member, each field from the
 * nearest type that set it. The strings belong to the overrides. */
typedef struct
{
  const char         *name;
  const char         *signature;
  const char * const *arg_names;
  const char         *doc;
} Resolved;

static void
merge_override (Resolved                 *r,
                const ZbusMemberOverride *mo)
{
  if (mo == NULL)
    return;
  if (r->name == NULL)
    r->name = mo->name;
  if (r->signature == NULL)
    r->signature = mo->signature;
  if (r->arg_names == NULL)
    r->arg_names = (const char * const *) mo->arg_names;
  if (r->doc == NULL)
    r->doc = mo->doc;
}

static void
resolve_member_locked (GType           type,
                       ZbusMemberKind  kind,
                       const char     *gname,
                       const char     *dname,
                       Resolved       *r)
{
  memset (r, 0, sizeof *r);
  for (; type != ZBUS_TYPE_INTERFACE; type = g_type_parent (type))
    {
      TypeOverrides *o = overrides_get_locked (type, FALSE);

      if (o == NULL)
        continue;
      merge_override (r, g_hash_table_lookup (o->members[kind], gname));
      if (!g_str_equal (gname, dname))
        merge_override (r, g_hash_table_lookup (o->members[kind], dname));
    }
}

/* The doc to publish: an override ("" for none), else @fallback. */
static char *
pick_doc (const ZbusInterfaceInfo *info,
          const char              *override,
          const char              *fallback)
{
  const char *doc = override != NULL ? override : fallback;

  if (!info->docs || doc == NULL || doc[0] == '\0')
    return NULL;
  return g_utf8_make_valid (doc, -1);
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
      g_autofree char *default_name = NULL;
      const char *blurb = g_param_spec_get_blurb (pspec);
      g_autoptr(GError) local_error = NULL;
      Resolved r;
      gboolean found;
      gpointer mode;

      /* Members of ZbusInterface and GObject are never exported. */
      if (!g_type_is_a (pspec->owner_type, ZBUS_TYPE_INTERFACE) ||
          pspec->owner_type == ZBUS_TYPE_INTERFACE)
        continue;

      default_name = dbus_name_from (pspec->name);
      resolve_member_locked (info->type, ZBUS_MEMBER_PROPERTY, pspec->name, default_name, &r);

      p = g_new0 (ZbusPropertyInfo, 1);
      p->name = g_strdup (r.name ? r.name : default_name);
      p->pspec = pspec;
      p->signature = r.signature ? g_strdup (r.signature) : _zbus_signature_for_type (pspec->value_type, pspec);
      p->readable = (pspec->flags & G_PARAM_READABLE) != 0;
      p->writable = (pspec->flags & G_PARAM_WRITABLE) && !(pspec->flags & G_PARAM_CONSTRUCT_ONLY);
      p->emits = (pspec->flags & G_PARAM_CONSTRUCT_ONLY) ? ZBUS_EMITS_CONST : ZBUS_EMITS_TRUE;
      if (blurb != NULL && g_str_equal (blurb, pspec->name))
        blurb = NULL;
      p->doc = pick_doc (info, r.doc, blurb);
      g_ptr_array_add (info->properties, p);

      mode = lookup_override_chain (info->type, G_STRUCT_OFFSET (TypeOverrides, emits),
                                    pspec->name, default_name, &found);
      if (found)
        p->emits = GPOINTER_TO_INT (mode);

      if (p->signature == NULL)
        {
          g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_SIGNATURE,
                       "Property “%s” of %s has type %s, which has no D-Bus mapping",
                       pspec->name, g_type_name (info->type), g_type_name (pspec->value_type));
          return FALSE;
        }
      if (r.signature != NULL &&
          !_zbus_signature_check (pspec->value_type, pspec, r.signature, &local_error))
        {
          g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_SIGNATURE,
                       "Property “%s” of %s cannot have the signature “%s”: %s",
                       pspec->name, g_type_name (info->type), r.signature, local_error->message);
          return FALSE;
        }
      /* Get and GetAll answer with one body for many properties, and a
       * PropertiesChanged goes to every peer: no place for descriptors. */
      if (strchr (p->signature, 'h') != NULL)
        {
          g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_SIGNATURE,
                       "Property “%s” of %s cannot have the signature “%s”: a property cannot "
                       "carry file descriptors; use a method", pspec->name,
                       g_type_name (info->type), p->signature);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
describe_return (ZbusInterfaceInfo *info,
                 ZbusMemberInfo    *m,
                 const char        *default_name,
                 GError           **error)
{
  GType rtype = m->query.return_type & ~G_SIGNAL_TYPE_STATIC_SCOPE;
  g_autofree char *out = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean found;
  const char *override;
  char **names;

  override = lookup_override_chain (info->type, G_STRUCT_OFFSET (TypeOverrides, out_sigs),
                                    m->gname, default_name, &found);
  names = lookup_override_chain (info->type, G_STRUCT_OFFSET (TypeOverrides, out_names),
                                 m->gname, default_name, &found);
  m->out_names = g_strdupv (names);

  if (override != NULL)
    out = g_strdup (override);
  else if (rtype == G_TYPE_NONE)
    out = m->is_async ? NULL : g_strdup ("");
  else
    out = _zbus_signature_for_type (rtype, NULL);

  if (out == NULL && !m->is_async)
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_SIGNATURE,
                   "Method “%s” of %s returns %s, which has no D-Bus mapping",
                   m->gname, g_type_name (info->type), g_type_name (rtype));
      return FALSE;
    }
  if (override != NULL && !m->is_async && rtype != G_TYPE_VARIANT && rtype != G_TYPE_NONE &&
      !_zbus_signature_check (rtype, NULL, override, &local_error))
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_SIGNATURE,
                   "Method “%s” of %s returns one %s but its out signature is “%s”: %s",
                   m->gname, g_type_name (info->type), g_type_name (rtype), override,
                   local_error->message);
      return FALSE;
    }
  if (names != NULL)
    {
      g_auto(GStrv) outs = _zbus_signature_split (out != NULL ? out : "");

      /* As for in-arguments: a name too many or too few is a mistake. */
      if (g_strv_length (names) != g_strv_length (outs))
        {
          g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                       "Method “%s” of %s has %u out-arguments (“%s”) but %u out-argument names",
                       m->gname, g_type_name (info->type), g_strv_length (outs), out ? out : "",
                       g_strv_length (names));
          return FALSE;
        }
    }
  m->out_signature = out ? g_strdup_printf ("(%s)", out) : NULL;
  return TRUE;
}

/* The D-Bus arguments of a signal: derived from the parameter types, or
 * the override checked against them. */
static gboolean
describe_args (ZbusInterfaceInfo *info,
               ZbusMemberInfo    *m,
               const Resolved    *r,
               const char        *what,
               GError           **error)
{
  guint n_args = m->query.n_params - m->first_arg;
  g_auto(GStrv) sigs = r->signature ? _zbus_signature_split (r->signature) : g_new0 (char *, n_args + 1);
  g_autoptr(GString) in = g_string_new ("(");

  if (r->signature != NULL && g_strv_length (sigs) != n_args)
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_SIGNATURE,
                   "%s “%s” of %s has %u arguments but its signature “%s” has %u",
                   what, m->gname, g_type_name (info->type), n_args, r->signature,
                   g_strv_length (sigs));
      return FALSE;
    }
  for (guint i = 0; i < n_args; i++)
    {
      GType type = m->query.param_types[i + m->first_arg] & ~G_SIGNAL_TYPE_STATIC_SCOPE;
      g_autoptr(GError) local_error = NULL;

      if (sigs[i] == NULL)
        sigs[i] = _zbus_signature_for_type (type, NULL);
      if (sigs[i] == NULL)
        {
          g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_SIGNATURE,
                       "%s “%s” of %s has a parameter of type %s, which has no D-Bus mapping",
                       what, m->gname, g_type_name (info->type), g_type_name (type));
          return FALSE;
        }
      if (r->signature != NULL && !_zbus_signature_check (type, NULL, sigs[i], &local_error))
        {
          g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_SIGNATURE,
                       "%s “%s” of %s cannot have the signature “%s”: argument %u: %s",
                       what, m->gname, g_type_name (info->type), r->signature, i,
                       local_error->message);
          return FALSE;
        }
      g_string_append (in, sigs[i]);
    }
  if (r->arg_names != NULL && g_strv_length ((char **) r->arg_names) != n_args)
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                   "%s “%s” of %s has %u arguments but %u argument names",
                   what, m->gname, g_type_name (info->type), n_args,
                   g_strv_length ((char **) r->arg_names));
      return FALSE;
    }
  g_string_append_c (in, ')');
  m->arg_sigs = g_steal_pointer (&sigs);
  m->arg_names = g_strdupv ((char **) r->arg_names);
  m->in_signature = g_string_free (g_steal_pointer (&in), FALSE);
  return TRUE;
}

static ZbusMemberInfo *
describe_signal (ZbusInterfaceInfo *info,
                 guint              signal_id,
                 GError           **error)
{
  g_autoptr(ZbusMemberInfo) m = g_new0 (ZbusMemberInfo, 1);
  g_autofree char *default_name = NULL;
  gboolean is_method;
  Resolved r;

  g_signal_query (signal_id, &m->query);
  m->signal_id = signal_id;
  m->gname = m->query.signal_name;
  is_method = (m->query.signal_flags & G_SIGNAL_ACTION) != 0;
  default_name = dbus_name_from (m->gname);
  resolve_member_locked (info->type, is_method ? ZBUS_MEMBER_METHOD : ZBUS_MEMBER_SIGNAL,
                         m->gname, default_name, &r);
  m->name = g_strdup (r.name ? r.name : default_name);
  m->doc = pick_doc (info, r.doc, NULL);

  if (is_method && m->query.n_params > 0 &&
      (m->query.param_types[0] & ~G_SIGNAL_TYPE_STATIC_SCOPE) == ZBUS_TYPE_METHOD_INVOCATION)
    {
      m->is_async = TRUE;
      m->first_arg = 1;
    }

  if (!describe_args (info, m, &r, is_method ? "Method" : "Signal", error))
    return NULL;
  if (is_method && !describe_return (info, m, default_name, error))
    return NULL;
  if (!is_method && (m->query.return_type & ~G_SIGNAL_TYPE_STATIC_SCOPE) != G_TYPE_NONE)
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_SIGNATURE,
                   "Signal “%s” of %s returns a value; only action signals (methods) can",
                   m->gname, g_type_name (info->type));
      return NULL;
    }
  return g_steal_pointer (&m);
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

static ZbusMemberInfo *
describe_table_method (ZbusInterfaceInfo     *info,
                       const ZbusTableMethod *tm,
                       GError               **error)
{
  g_autoptr(ZbusMemberInfo) m = g_new0 (ZbusMemberInfo, 1);
  Resolved r;
  gboolean out_sig, out_names;

  m->name = g_strdup (tm->name);
  m->gname = tm->name;
  m->arg_sigs = _zbus_signature_split (tm->in_signature);
  m->arg_names = g_strdupv (tm->in_names);
  m->in_signature = g_strdup_printf ("(%s)", tm->in_signature);
  m->out_signature = g_strdup_printf ("(%s)", tm->out_signature);
  m->out_names = g_strdupv (tm->out_names);
  m->func = tm->func;
  m->func_data = tm->user_data;

  resolve_member_locked (info->type, ZBUS_MEMBER_METHOD, tm->name, tm->name, &r);
  lookup_override_chain (info->type, G_STRUCT_OFFSET (TypeOverrides, out_sigs),
                         tm->name, tm->name, &out_sig);
  lookup_override_chain (info->type, G_STRUCT_OFFSET (TypeOverrides, out_names),
                         tm->name, tm->name, &out_names);
  if (r.name != NULL || r.signature != NULL || r.arg_names != NULL || out_sig || out_names)
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                   "Method “%s” of %s comes from its method table, which gives its name, "
                   "signatures and argument names: they cannot be overridden",
                   tm->name, g_type_name (info->type));
      return NULL;
    }
  m->doc = pick_doc (info, r.doc, NULL);
  return g_steal_pointer (&m);
}

/* The method tables of @type and its ancestors. */
static gboolean
describe_table_methods (ZbusInterfaceInfo *info,
                        GError           **error)
{
  for (GType t = info->type; t != ZBUS_TYPE_INTERFACE; t = g_type_parent (t))
    {
      TypeOverrides *o = overrides_get_locked (t, FALSE);

      for (guint i = 0; o != NULL && i < o->table->len; i++)
        {
          ZbusMemberInfo *m = describe_table_method (info, g_ptr_array_index (o->table, i), error);

          if (m == NULL)
            return FALSE;
          g_ptr_array_add (info->methods, m);
        }
    }
  return TRUE;
}

/* D-Bus names are unique among the methods and signals, and among the
 * properties. */
static gboolean
check_unique_names (ZbusInterfaceInfo *info,
                    GError           **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) props = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *lists[] = { info->methods, info->signals };

  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    for (guint i = 0; i < lists[l]->len; i++)
      {
        ZbusMemberInfo *m = g_ptr_array_index (lists[l], i);
        ZbusMemberInfo *other = g_hash_table_lookup (seen, m->name);

        if (other != NULL)
          {
            g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                         "Members “%s”%s and “%s”%s of %s both map to the D-Bus name “%s”",
                         other->gname, other->func ? " (method table)" : "",
                         m->gname, m->func ? " (method table)" : "",
                         g_type_name (info->type), m->name);
            return FALSE;
          }
        g_hash_table_insert (seen, m->name, m);
      }
  for (guint i = 0; i < info->properties->len; i++)
    {
      ZbusPropertyInfo *p = g_ptr_array_index (info->properties, i);
      ZbusPropertyInfo *other = g_hash_table_lookup (props, p->name);

      if (other != NULL)
        {
          g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                       "Properties “%s” and “%s” of %s both map to the D-Bus name “%s”",
                       other->pspec->name, p->pspec->name, g_type_name (info->type), p->name);
          return FALSE;
        }
      g_hash_table_insert (props, p->name, p);
    }
  return TRUE;
}

static gboolean
names_member (const ZbusInterfaceInfo *info,
              ZbusMemberKind           kind,
              const char              *key)
{
  GPtrArray *list = kind == ZBUS_MEMBER_PROPERTY ? info->properties
                    : kind == ZBUS_MEMBER_SIGNAL ? info->signals : info->methods;

  for (guint i = 0; i < list->len; i++)
    {
      const char *gname = kind == ZBUS_MEMBER_PROPERTY
                          ? ((ZbusPropertyInfo *) g_ptr_array_index (list, i))->pspec->name
                          : ((ZbusMemberInfo *) g_ptr_array_index (list, i))->gname;
      g_autofree char *dname = dbus_name_from (gname);

      if (g_str_equal (key, gname) || g_str_equal (key, dname))
        return TRUE;
    }
  return FALSE;
}

/* An override naming nothing is a typo the program wants to hear about. */
static gboolean
check_overrides_name_members (ZbusInterfaceInfo *info,
                              GError           **error)
{
  static const char * const kinds[] = { "property", "signal", "method" };

  for (GType t = info->type; t != ZBUS_TYPE_INTERFACE; t = g_type_parent (t))
    {
      TypeOverrides *o = overrides_get_locked (t, FALSE);
      struct { GHashTable *table; ZbusMemberKind kind; } tables[] = {
        { o ? o->members[ZBUS_MEMBER_PROPERTY] : NULL, ZBUS_MEMBER_PROPERTY },
        { o ? o->members[ZBUS_MEMBER_SIGNAL] : NULL, ZBUS_MEMBER_SIGNAL },
        { o ? o->members[ZBUS_MEMBER_METHOD] : NULL, ZBUS_MEMBER_METHOD },
        { o ? o->emits : NULL, ZBUS_MEMBER_PROPERTY },
        { o ? o->out_sigs : NULL, ZBUS_MEMBER_METHOD },
        { o ? o->out_names : NULL, ZBUS_MEMBER_METHOD },
      };

      for (guint i = 0; o != NULL && i < G_N_ELEMENTS (tables); i++)
        {
          GHashTableIter iter;
          const char *key;

          g_hash_table_iter_init (&iter, tables[i].table);
          while (g_hash_table_iter_next (&iter, (gpointer *) &key, NULL))
            if (!names_member (info, tables[i].kind, key))
              {
                g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                             "%s has an override for the %s “%s”, but no such %s",
                             g_type_name (t), kinds[tables[i].kind], key, kinds[tables[i].kind]);
                return FALSE;
              }
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
  info->docs = type_docs_locked (type);
  info->strict_order = type_strict_order_locked (type);
  info->doc = pick_doc (info, type_doc_locked (type), NULL);

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
      !describe_table_methods (info, error) ||
      !check_unique_names (info, error) ||
      !check_overrides_name_members (info, error))
    return NULL;
  info->xml = _zbus_interface_info_to_xml (info);
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
      if (info != NULL && info->strict_order)
        g_atomic_int_inc (&n_strict_types);
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
