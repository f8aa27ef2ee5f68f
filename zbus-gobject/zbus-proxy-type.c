/* zbus-proxy-type.c: ZbusProxy subclasses made at run time from an
 * interface description, whose GObject properties and signals mirror the
 * remote object's
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
#include "zbus-proxy-private.h"
#include "zbus-proxy-type-private.h"

/* Introspection XML longer than this is refused before it is parsed. */
#define MAX_XML_LENGTH (16 * 1024 * 1024)
/* Types are never freed: a remote that changes its description each time
 * must not make us register types without end. */
#define MAX_TYPES_PER_INTERFACE 32
#define MAX_RUNTIME_TYPES 1024
/* What a member whose GObject name ZbusProxy already uses gets in front. */
#define CLASH_PREFIX "remote-"
/* Deeper introspection XML is refused before GDBus parses it. */
#define MAX_XML_DEPTH 128
/* The D-Bus specification's limit on signatures. */
#define MAX_SIGNATURE_LENGTH 255

static GQuark
type_info_quark (void)
{
  static gsize quark;

  if (g_once_init_enter (&quark))
    g_once_init_leave (&quark, g_quark_from_static_string ("zbus-proxy-type-info"));
  return (GQuark) quark;
}

static GQuark
stale_quark (void)
{
  static gsize quark;

  if (g_once_init_enter (&quark))
    g_once_init_leave (&quark, g_quark_from_static_string ("zbus-proxy-type-stale"));
  return (GQuark) quark;
}

/* Written under @types_lock and never shrunk; an info, once its type is
 * registered, is immutable. */
static GMutex types_lock;
static GHashTable *local_types;     /* ZbusInterface GType → ZbusProxyTypeInfo */
static GHashTable *runtime_types;   /* structure key → ZbusProxyTypeInfo */
static GHashTable *runtime_counts;  /* interface name → number of types */
static guint n_runtime_types;

/* ------------------------------------------------------------------------ */
/* Names */

/* `FooBar` → `foo-bar`, `IPv4Address` → `ipv4-address`, `foo_bar` →
 * `foo-bar`: a dash where a capital follows a small letter or a digit, and
 * for each run of underscores. */
char *
_zbus_proxy_type_gname_from_dbus (const char *dbus_name)
{
  g_autoptr(GString) s = g_string_new (NULL);
  gboolean after_lower = FALSE;

  for (const char *p = dbus_name; *p != '\0'; p++)
    {
      gboolean upper = g_ascii_isupper (*p);

      if ((*p == '_' || (upper && after_lower)) && s->len > 0 && s->str[s->len - 1] != '-')
        g_string_append_c (s, '-');
      if (*p != '_')
        g_string_append_c (s, g_ascii_tolower (*p));
      after_lower = *p != '_' && !upper;
    }
  while (s->len > 0 && s->str[s->len - 1] == '-')
    g_string_truncate (s, s->len - 1);

  if (!g_param_spec_is_valid_name (s->str) || !g_signal_is_valid_name (s->str))
    return NULL;
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* @gname, or with CLASH_PREFIX when ZbusProxy (or GObject) has a property
 * or signal of that name already. */
static char *
avoid_base_names (const char *gname,
                  gboolean    is_property)
{
  static GObjectClass *base_class;
  gboolean taken;

  if (g_once_init_enter (&base_class))
    g_once_init_leave (&base_class, g_type_class_ref (ZBUS_TYPE_PROXY));

  if (is_property)
    taken = g_object_class_find_property (base_class, gname) != NULL;
  else
    taken = g_signal_lookup (gname, ZBUS_TYPE_PROXY) != 0;
  return taken ? g_strconcat (CLASH_PREFIX, gname, NULL) : g_strdup (gname);
}

/* A name for the new GType made of @base: what a GType name may not hold
 * becomes `_`, and a name already taken gets a number. */
static char *
unique_type_name (const char *base)
{
  g_autofree char *clean = g_strdup (base);

  for (char *p = clean; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_')
      *p = '_';
  if (g_type_from_name (clean) == 0)
    return g_steal_pointer (&clean);

  for (guint n = 2;; n++)
    {
      g_autofree char *numbered = g_strdup_printf ("%s_%u", clean, n);

      if (g_type_from_name (numbered) == 0)
        return g_steal_pointer (&numbered);
    }
}

/* ------------------------------------------------------------------------ */
/* The description */

static const char *
plural (const char *kind)
{
  if (g_str_equal (kind, "property"))
    return "properties";
  return g_str_equal (kind, "signal") ? "signals" : "methods";
}

static void
property_free (ZbusProxyTypeProperty *p)
{
  g_free (p->name);
  g_free (p->gname);
  g_free (p->signature);
  g_clear_pointer (&p->pspec, g_param_spec_unref);
  g_free (p);
}

static void
signal_free (ZbusProxyTypeSignal *s)
{
  g_free (s->name);
  g_free (s->gname);
  g_strfreev (s->arg_sigs);
  g_free (s->signature);
  g_free (s->param_types);
  g_free (s);
}

static void
method_free (ZbusProxyTypeMethod *m)
{
  g_free (m->name);
  g_free (m->gname);
  g_free (m->in_signature);
  g_free (m->out_signature);
  g_free (m);
}

static void
type_info_free (ZbusProxyTypeInfo *info)
{
  g_free (info->interface_name);
  g_clear_pointer (&info->info, g_dbus_interface_info_unref);
  g_hash_table_unref (info->props_by_name);
  g_hash_table_unref (info->signals_by_name);
  g_hash_table_unref (info->methods_by_name);
  g_ptr_array_unref (info->properties);
  g_ptr_array_unref (info->signals);
  g_ptr_array_unref (info->methods);
  g_free (info);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZbusProxyTypeInfo, type_info_free)

static ZbusProxyTypeInfo *
type_info_new (GDBusInterfaceInfo *dinfo)
{
  ZbusProxyTypeInfo *info = g_new0 (ZbusProxyTypeInfo, 1);

  info->interface_name = g_strdup (dinfo->name);
  info->info = g_dbus_interface_info_ref (dinfo);
  info->properties = g_ptr_array_new_with_free_func ((GDestroyNotify) property_free);
  info->signals = g_ptr_array_new_with_free_func ((GDestroyNotify) signal_free);
  info->methods = g_ptr_array_new_with_free_func ((GDestroyNotify) method_free);
  info->props_by_name = g_hash_table_new (g_str_hash, g_str_equal);
  info->signals_by_name = g_hash_table_new (g_str_hash, g_str_equal);
  info->methods_by_name = g_hash_table_new (g_str_hash, g_str_equal);
  return info;
}

static guint
count_members (gpointer *members)
{
  guint n = 0;

  while (members != NULL && members[n] != NULL)
    n++;
  return n;
}

static gboolean
check_member_name (const ZbusProxyTypeInfo  *info,
                   const char               *kind,
                   const char               *name,
                   GHashTable               *seen,
                   GError                  **error)
{
  if (name == NULL || !g_dbus_is_member_name (name))
    {
      g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME,
                   "“%s” is not a valid %s name (interface %s)",
                   name ? name : "(null)", kind, info->interface_name);
      return FALSE;
    }
  if (g_hash_table_contains (seen, name))
    {
      g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME,
                   "Interface %s has two %s named “%s”", info->interface_name, plural (kind), name);
      return FALSE;
    }
  return TRUE;
}

/* Takes @gname; refuses one that another member of its kind has. */
static char *
check_gname (const ZbusProxyTypeInfo  *info,
             const char               *kind,
             const char               *name,
             char                     *gname,
             gboolean                  is_property,
             GHashTable               *gnames,
             GError                  **error)
{
  g_autofree char *owned = gname;
  g_autofree char *final = NULL;

  if (owned == NULL)
    {
      g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME,
                   "The %s “%s” of %s has no valid GObject name", kind, name,
                   info->interface_name);
      return NULL;
    }
  final = avoid_base_names (owned, is_property);
  if (g_hash_table_contains (gnames, final))
    {
      g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME,
                   "The %s “%s” and “%s” of %s both map to the GObject name “%s”", plural (kind),
                   (const char *) g_hash_table_lookup (gnames, final), name,
                   info->interface_name, final);
      return NULL;
    }
  g_hash_table_insert (gnames, g_strdup (final), (gpointer) name);
  return g_steal_pointer (&final);
}

/* The arguments' types joined into "(…)", each one complete type. */
static char *
args_signature (const ZbusProxyTypeInfo  *info,
                const char               *kind,
                const char               *name,
                GDBusArgInfo            **args,
                GError                  **error)
{
  g_autoptr(GString) sig = g_string_new ("(");

  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    {
      const char *s = args[i]->signature;

      if (s == NULL || !zbus_is_single_complete_type (s))
        {
          g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_SIGNATURE,
                       "Argument %u of the %s “%s” of %s has the type “%s”, which is not "
                       "one complete D-Bus type", i, kind, name, info->interface_name,
                       s ? s : "(null)");
          return NULL;
        }
      g_string_append (sig, s);
      if (sig->len - 1 > MAX_SIGNATURE_LENGTH)
        {
          g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_SIGNATURE,
                       "The arguments of the %s “%s” of %s are longer than a D-Bus "
                       "signature may be", kind, name, info->interface_name);
          return NULL;
        }
    }
  g_string_append_c (sig, ')');
  return g_string_free (g_steal_pointer (&sig), FALSE);
}

/* The GType a value of one complete type @sig is given as. */
static GType
gtype_for_signature (const char *sig)
{
  switch (sig[0])
    {
    case 'b': return G_TYPE_BOOLEAN;
    case 'y': return G_TYPE_UCHAR;
    case 'n':
    case 'i': return G_TYPE_INT;
    case 'q':
    case 'u': return G_TYPE_UINT;
    case 'x': return G_TYPE_INT64;
    case 't': return G_TYPE_UINT64;
    case 'd': return G_TYPE_DOUBLE;
    case 's':
    case 'o':
    case 'g': return G_TYPE_STRING;
    case 'a':
      if (g_str_equal (sig, "as") || g_str_equal (sig, "ao") || g_str_equal (sig, "ag"))
        return G_TYPE_STRV;
      if (g_str_equal (sig, "ay"))
        return G_TYPE_BYTES;
      return G_TYPE_VARIANT;
    default:
      return G_TYPE_VARIANT;
    }
}

static GParamSpec *
pspec_for_signature (const char  *gname,
                     const char  *sig,
                     const char  *blurb,
                     GParamFlags  flags)
{
  switch (sig[0])
    {
    case 'b': return g_param_spec_boolean (gname, NULL, blurb, FALSE, flags);
    case 'y': return g_param_spec_uchar (gname, NULL, blurb, 0, G_MAXUINT8, 0, flags);
    case 'n': return g_param_spec_int (gname, NULL, blurb, G_MININT16, G_MAXINT16, 0, flags);
    case 'i': return g_param_spec_int (gname, NULL, blurb, G_MININT32, G_MAXINT32, 0, flags);
    case 'q': return g_param_spec_uint (gname, NULL, blurb, 0, G_MAXUINT16, 0, flags);
    case 'u': return g_param_spec_uint (gname, NULL, blurb, 0, G_MAXUINT32, 0, flags);
    case 'x': return g_param_spec_int64 (gname, NULL, blurb, G_MININT64, G_MAXINT64, 0, flags);
    case 't': return g_param_spec_uint64 (gname, NULL, blurb, 0, G_MAXUINT64, 0, flags);
    case 'd': return g_param_spec_double (gname, NULL, blurb, -G_MAXDOUBLE, G_MAXDOUBLE, 0, flags);
    default:
      break;
    }

  switch (G_TYPE_FUNDAMENTAL (gtype_for_signature (sig)))
    {
    case G_TYPE_STRING:
      return g_param_spec_string (gname, NULL, blurb, NULL, flags);
    case G_TYPE_BOXED:
      return g_param_spec_boxed (gname, NULL, blurb, gtype_for_signature (sig), flags);
    default:
      {
        /* `v` is any GVariant, sent wrapped: the mapping table's rule. */
        g_autoptr(GVariantType) type = g_variant_type_new (g_str_equal (sig, "v") ? "*" : sig);

        return g_param_spec_variant (gname, NULL, blurb, type, NULL, flags);
      }
    }
}

#define COPY_RANGE(kind, KIND) \
  g_param_spec_##kind (gname, nick, blurb, G_PARAM_SPEC_##KIND (src)->minimum, \
                       G_PARAM_SPEC_##KIND (src)->maximum, \
                       G_PARAM_SPEC_##KIND (src)->default_value, flags)

/* A pspec like @src under another name and flags; an object becomes the
 * string of its path, as a proxy cannot hold the remote object itself.
 * NULL for kinds the mapping table has no place for. */
static GParamSpec *
pspec_copy (GParamSpec  *src,
            const char  *gname,
            GParamFlags  flags)
{
  const char *nick;
  const char *blurb;

  /* A property a subclass overrides is described by what it redirects to. */
  if (g_param_spec_get_redirect_target (src) != NULL)
    src = g_param_spec_get_redirect_target (src);
  nick = g_param_spec_get_nick (src);
  blurb = g_param_spec_get_blurb (src);

  if (G_IS_PARAM_SPEC_BOOLEAN (src))
    return g_param_spec_boolean (gname, nick, blurb, G_PARAM_SPEC_BOOLEAN (src)->default_value, flags);
  if (G_IS_PARAM_SPEC_CHAR (src))
    return COPY_RANGE (char, CHAR);
  if (G_IS_PARAM_SPEC_UCHAR (src))
    return COPY_RANGE (uchar, UCHAR);
  if (G_IS_PARAM_SPEC_INT (src))
    return COPY_RANGE (int, INT);
  if (G_IS_PARAM_SPEC_UINT (src))
    return COPY_RANGE (uint, UINT);
  if (G_IS_PARAM_SPEC_LONG (src))
    return COPY_RANGE (long, LONG);
  if (G_IS_PARAM_SPEC_ULONG (src))
    return COPY_RANGE (ulong, ULONG);
  if (G_IS_PARAM_SPEC_INT64 (src))
    return COPY_RANGE (int64, INT64);
  if (G_IS_PARAM_SPEC_UINT64 (src))
    return COPY_RANGE (uint64, UINT64);
  if (G_IS_PARAM_SPEC_FLOAT (src))
    return COPY_RANGE (float, FLOAT);
  if (G_IS_PARAM_SPEC_DOUBLE (src))
    return COPY_RANGE (double, DOUBLE);
  if (G_IS_PARAM_SPEC_ENUM (src))
    return g_param_spec_enum (gname, nick, blurb, src->value_type,
                              G_PARAM_SPEC_ENUM (src)->default_value, flags);
  if (G_IS_PARAM_SPEC_FLAGS (src))
    return g_param_spec_flags (gname, nick, blurb, src->value_type,
                               G_PARAM_SPEC_FLAGS (src)->default_value, flags);
  if (G_IS_PARAM_SPEC_STRING (src))
    return g_param_spec_string (gname, nick, blurb, G_PARAM_SPEC_STRING (src)->default_value, flags);
  if (G_IS_PARAM_SPEC_VARIANT (src))
    {
      GVariant *def = G_PARAM_SPEC_VARIANT (src)->default_value;

      return g_param_spec_variant (gname, nick, blurb, G_PARAM_SPEC_VARIANT (src)->type,
                                   def ? g_variant_ref (def) : NULL, flags);
    }
  if (G_IS_PARAM_SPEC_BOXED (src))
    return g_param_spec_boxed (gname, nick, blurb, src->value_type, flags);
  if (G_IS_PARAM_SPEC_OBJECT (src))
    return g_param_spec_string (gname, nick, blurb, NULL, flags);
  return NULL;
}

#undef COPY_RANGE

static const ZbusMemberInfo *
find_local_signal (const ZbusInterfaceInfo *local,
                   const char              *name)
{
  for (guint i = 0; local != NULL && i < local->signals->len; i++)
    {
      const ZbusMemberInfo *m = g_ptr_array_index (local->signals, i);

      if (g_str_equal (m->name, name))
        return m;
    }
  return NULL;
}

static gboolean
add_property (ZbusProxyTypeInfo        *info,
              GDBusPropertyInfo        *pi,
              const ZbusInterfaceInfo  *local,
              GHashTable               *gnames,
              GError                  **error)
{
  const ZbusPropertyInfo *lp = NULL;
  ZbusProxyTypeProperty *p;
  char *gname;

  if (!check_member_name (info, "property", pi->name, info->props_by_name, error))
    return FALSE;
  if (pi->signature == NULL || !zbus_is_single_complete_type (pi->signature))
    {
      g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_SIGNATURE,
                   "The property “%s” of %s has the type “%s”, which is not one complete "
                   "D-Bus type", pi->name, info->interface_name,
                   pi->signature ? pi->signature : "(null)");
      return FALSE;
    }
  if ((pi->flags & (G_DBUS_PROPERTY_INFO_FLAGS_READABLE | G_DBUS_PROPERTY_INFO_FLAGS_WRITABLE)) == 0)
    {
      g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_FAILED,
                   "The property “%s” of %s is neither readable nor writable",
                   pi->name, info->interface_name);
      return FALSE;
    }

  if (local != NULL)
    lp = _zbus_interface_info_find_property (local, pi->name);
  gname = lp ? g_strdup (lp->pspec->name) : _zbus_proxy_type_gname_from_dbus (pi->name);
  gname = check_gname (info, "property", pi->name, gname, TRUE, gnames, error);
  if (gname == NULL)
    return FALSE;

  p = g_new0 (ZbusProxyTypeProperty, 1);
  p->name = g_strdup (pi->name);
  p->gname = gname;
  p->signature = g_strdup (pi->signature);
  p->readable = (pi->flags & G_DBUS_PROPERTY_INFO_FLAGS_READABLE) != 0;
  p->writable = (pi->flags & G_DBUS_PROPERTY_INFO_FLAGS_WRITABLE) != 0;

  g_ptr_array_add (info->properties, p);
  g_hash_table_insert (info->props_by_name, p->name, p);
  return TRUE;
}

/* The pspecs of a description about to be made a type. Not in describe():
 * a pspec's name is interned for ever, so a description that is refused,
 * or only checked, must not make one. */
static void
make_pspecs (ZbusProxyTypeInfo       *info,
             const ZbusInterfaceInfo *local)
{
  for (guint i = 0; i < info->properties->len; i++)
    {
      ZbusProxyTypeProperty *p = g_ptr_array_index (info->properties, i);
      const ZbusPropertyInfo *lp = local ? _zbus_interface_info_find_property (local, p->name) : NULL;
      GParamFlags flags = G_PARAM_EXPLICIT_NOTIFY;
      GParamSpec *pspec = NULL;

      flags |= (p->readable ? G_PARAM_READABLE : 0) | (p->writable ? G_PARAM_WRITABLE : 0);
      if (lp != NULL)
        pspec = pspec_copy (lp->pspec, p->gname, flags);
      if (pspec == NULL)
        pspec = pspec_for_signature (p->gname, p->signature, NULL, flags);
      p->pspec = g_param_spec_ref_sink (pspec);
    }
}

static gboolean
add_signal (ZbusProxyTypeInfo        *info,
            GDBusSignalInfo          *si,
            const ZbusInterfaceInfo  *local,
            GHashTable               *gnames,
            GError                  **error)
{
  const ZbusMemberInfo *lm = NULL;
  ZbusProxyTypeSignal *s;
  g_autofree char *signature = NULL;
  char *gname;

  if (!check_member_name (info, "signal", si->name, info->signals_by_name, error))
    return FALSE;
  signature = args_signature (info, "signal", si->name, si->args, error);
  if (signature == NULL)
    return FALSE;

  lm = find_local_signal (local, si->name);
  gname = lm ? g_strdup (lm->gname) : _zbus_proxy_type_gname_from_dbus (si->name);
  gname = check_gname (info, "signal", si->name, gname, FALSE, gnames, error);
  if (gname == NULL)
    return FALSE;

  s = g_new0 (ZbusProxyTypeSignal, 1);
  s->name = g_strdup (si->name);
  s->gname = gname;
  s->signature = g_steal_pointer (&signature);
  s->n_params = count_members ((gpointer *) si->args);
  s->arg_sigs = g_new0 (char *, s->n_params + 1);
  s->param_types = g_new0 (GType, s->n_params);
  if (lm != NULL && lm->query.n_params != s->n_params)
    lm = NULL;
  for (guint i = 0; i < s->n_params; i++)
    {
      s->arg_sigs[i] = g_strdup (si->args[i]->signature);
      s->param_types[i] = lm ? lm->query.param_types[i] & ~G_SIGNAL_TYPE_STATIC_SCOPE
                             : gtype_for_signature (s->arg_sigs[i]);
      /* A proxy cannot hold the remote object: it gets its path. */
      if (g_type_is_a (s->param_types[i], G_TYPE_OBJECT))
        s->param_types[i] = G_TYPE_STRING;
    }

  g_ptr_array_add (info->signals, s);
  g_hash_table_insert (info->signals_by_name, s->name, s);
  return TRUE;
}

static gboolean
add_method (ZbusProxyTypeInfo        *info,
            GDBusMethodInfo          *mi,
            const ZbusInterfaceInfo  *local,
            GHashTable               *seen,
            GError                  **error)
{
  const ZbusMemberInfo *lm = NULL;
  ZbusProxyTypeMethod *m;
  g_autofree char *in = NULL;
  g_autofree char *out = NULL;

  if (!check_member_name (info, "method", mi->name, seen, error))
    return FALSE;
  in = args_signature (info, "method", mi->name, mi->in_args, error);
  if (in == NULL)
    return FALSE;
  out = args_signature (info, "method", mi->name, mi->out_args, error);
  if (out == NULL)
    return FALSE;
  if (local != NULL)
    lm = _zbus_interface_info_find_method (local, mi->name);

  m = g_new0 (ZbusProxyTypeMethod, 1);
  m->name = g_strdup (mi->name);
  m->gname = lm ? g_strdup (lm->gname) : _zbus_proxy_type_gname_from_dbus (mi->name);
  m->in_signature = g_steal_pointer (&in);
  /* An async method of a local type may answer with anything. */
  m->out_signature = lm ? g_strdup (lm->out_signature) : g_steal_pointer (&out);

  g_ptr_array_add (info->methods, m);
  g_hash_table_insert (seen, m->name, m);
  return TRUE;
}

/* Methods are found by D-Bus name first, then by GObject-style name. */
static void
index_methods (ZbusProxyTypeInfo *info)
{
  for (guint i = 0; i < info->methods->len; i++)
    {
      ZbusProxyTypeMethod *m = g_ptr_array_index (info->methods, i);

      g_hash_table_insert (info->methods_by_name, m->name, m);
    }
  for (guint i = 0; i < info->methods->len; i++)
    {
      ZbusProxyTypeMethod *m = g_ptr_array_index (info->methods, i);

      if (m->gname != NULL && !g_hash_table_contains (info->methods_by_name, m->gname))
        g_hash_table_insert (info->methods_by_name, m->gname, m);
    }
}

static gboolean
check_counts (GDBusInterfaceInfo  *dinfo,
              GError             **error)
{
  struct { const char *kind; guint n; } counts[] = {
    { "properties", count_members ((gpointer *) dinfo->properties) },
    { "methods", count_members ((gpointer *) dinfo->methods) },
    { "signals", count_members ((gpointer *) dinfo->signals) },
  };

  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    if (counts[i].n > ZBUS_PROXY_TYPE_MAX_MEMBERS)
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                     "Interface %s has %u %s; a proxy type takes at most %u",
                     dinfo->name, counts[i].n, counts[i].kind, ZBUS_PROXY_TYPE_MAX_MEMBERS);
        return FALSE;
      }
  return TRUE;
}

/* Checks @dinfo and describes the type to make of it; @local is the
 * description of the ZbusInterface type it comes from, if any, whose
 * GObject names and types the proxy's members take. */
static ZbusProxyTypeInfo *
describe (GDBusInterfaceInfo       *dinfo,
          const ZbusInterfaceInfo  *local,
          GError                  **error)
{
  g_autoptr(ZbusProxyTypeInfo) info = NULL;
  g_autoptr(GHashTable) prop_gnames = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) signal_gnames = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) methods_seen = g_hash_table_new (g_str_hash, g_str_equal);

  if (dinfo->name == NULL || !g_dbus_is_interface_name (dinfo->name))
    {
      g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME,
                   "“%s” is not a valid interface name", dinfo->name ? dinfo->name : "(null)");
      return NULL;
    }
  if (!check_counts (dinfo, error))
    return NULL;

  info = type_info_new (dinfo);
  for (guint i = 0; dinfo->properties != NULL && dinfo->properties[i] != NULL; i++)
    if (!add_property (info, dinfo->properties[i], local, prop_gnames, error))
      return NULL;
  for (guint i = 0; dinfo->signals != NULL && dinfo->signals[i] != NULL; i++)
    if (!add_signal (info, dinfo->signals[i], local, signal_gnames, error))
      return NULL;
  for (guint i = 0; dinfo->methods != NULL && dinfo->methods[i] != NULL; i++)
    if (!add_method (info, dinfo->methods[i], local, methods_seen, error))
      return NULL;
  index_methods (info);
  return g_steal_pointer (&info);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* What makes two descriptions the same type: names, types and access of
 * the members, in any order; not docs, annotations or argument names. */
static char *
structure_key (const ZbusProxyTypeInfo *info)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) key = g_string_new (info->interface_name);

  for (guint i = 0; i < info->properties->len; i++)
    {
      ZbusProxyTypeProperty *p = g_ptr_array_index (info->properties, i);

      g_ptr_array_add (lines, g_strdup_printf ("p %s %s %d%d", p->name, p->signature,
                                               p->readable, p->writable));
    }
  for (guint i = 0; i < info->signals->len; i++)
    {
      ZbusProxyTypeSignal *s = g_ptr_array_index (info->signals, i);

      g_ptr_array_add (lines, g_strdup_printf ("s %s %s", s->name, s->signature));
    }
  for (guint i = 0; i < info->methods->len; i++)
    {
      ZbusProxyTypeMethod *m = g_ptr_array_index (info->methods, i);

      g_ptr_array_add (lines, g_strdup_printf ("m %s %s %s", m->name, m->in_signature,
                                               m->out_signature));
    }
  g_ptr_array_sort (lines, compare_strings);
  for (guint i = 0; i < lines->len; i++)
    g_string_append_printf (key, "\n%s", (const char *) g_ptr_array_index (lines, i));
  return g_string_free (g_steal_pointer (&key), FALSE);
}

gboolean
_zbus_proxy_type_check_interface_info (GDBusInterfaceInfo  *info,
                                       GError             **error)
{
  g_autoptr(ZbusProxyTypeInfo) described = NULL;
  g_autofree char *key = NULL;

  g_return_val_if_fail (info != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  described = describe (info, NULL, error);
  if (described == NULL)
    return FALSE;
  key = structure_key (described);
  return key != NULL;
}

/* ------------------------------------------------------------------------ */
/* The instances: on the proxy's context */

/* Only for instances of the types made here. */
static const ZbusProxyTypeInfo *
info_of (gpointer instance)
{
  const ZbusProxyTypeInfo *info = _zbus_proxy_type_info_peek (G_OBJECT_TYPE (instance));

  g_assert (info != NULL);
  return info;
}

const ZbusProxyTypeInfo *
_zbus_proxy_type_info_peek (GType type)
{
  for (; type != ZBUS_TYPE_PROXY && type != G_TYPE_INVALID; type = g_type_parent (type))
    {
      const ZbusProxyTypeInfo *info = g_type_get_qdata (type, type_info_quark ());

      if (info != NULL)
        return info;
    }
  return NULL;
}

/* The D-Bus names of the properties the remote invalidated (or whose
 * value otherwise left the cache) and nobody read since: the next read
 * fetches them again with `Get`, whose answer notifies. */
static GHashTable *
stale_set (ZbusProxy *self,
           gboolean   create)
{
  GHashTable *set = g_object_get_qdata (G_OBJECT (self), stale_quark ());

  if (set == NULL && create)
    {
      /* The keys are the description's, which lives for ever. */
      set = g_hash_table_new (g_str_hash, g_str_equal);
      g_object_set_qdata_full (G_OBJECT (self), stale_quark (), set,
                               (GDestroyNotify) g_hash_table_unref);
    }
  return set;
}

static void
refetch_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GVariant) value = NULL;
  g_autoptr(GError) error = NULL;

  /* The cache took the value, and notified. */
  value = zbus_proxy_get_dbus_property_finish (ZBUS_PROXY (object), result, &error);
  if (value == NULL)
    g_debug ("Could not fetch the invalidated property %s: %s",
             (const char *) user_data, error->message);
}

static void
refetch_if_stale (ZbusProxy                   *self,
                  const ZbusProxyTypeProperty *p)
{
  GHashTable *set = stale_set (self, FALSE);

  if (set != NULL && g_hash_table_remove (set, p->name))
    zbus_proxy_get_dbus_property_async (self, p->name, NULL, refetch_done_cb, p->name);
}

/* The cached value, or the pspec's default while the cache does not hold
 * one (not loaded yet, invalidated, no cache) or holds one of another type
 * than described. An invalidated value is fetched again, without
 * blocking. */
static void
proxy_type_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  ZbusProxy *self = ZBUS_PROXY (object);
  const ZbusProxyTypeInfo *info = info_of (object);
  const ZbusProxyTypeProperty *p;
  g_autoptr(GVariant) cached = NULL;
  g_autoptr(GError) error = NULL;

  if (prop_id == 0 || prop_id > info->properties->len)
    {
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }

  p = g_ptr_array_index (info->properties, prop_id - 1);
  if (_zbus_proxy_is_cached_property (self, p->name))
    {
      cached = zbus_proxy_get_cached_property (self, p->name);
      if (cached == NULL)
        refetch_if_stale (self, p);
    }
  if (cached != NULL && _zbus_variant_to_value (cached, value, p->signature, NULL, &error))
    return;

  if (error != NULL)
    g_debug ("Property %s of %s: %s", p->name, info->interface_name, error->message);
  g_param_value_set_default (pspec, value);
}

typedef struct
{
  const ZbusProxyTypeProperty *property;
  GVariant *sent;   /* (owned) (nullable): put in the cache before Set answered */
  GVariant *old;    /* (owned) (nullable): what the cache held before */
} SetData;

static void
set_data_free (SetData *data)
{
  g_clear_pointer (&data->sent, g_variant_unref);
  g_clear_pointer (&data->old, g_variant_unref);
  g_free (data);
}

static void
set_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  ZbusProxy *self = ZBUS_PROXY (object);
  SetData *data = user_data;
  g_autoptr(GError) error = NULL;

  if (!zbus_proxy_set_dbus_property_finish (self, result, &error))
    {
      GVariant *now = _zbus_proxy_peek_cached (self, data->property->name);

      /* Back to the old value, unless the remote said something since. */
      if (data->sent != NULL && now != NULL && g_variant_equal (now, data->sent))
        _zbus_proxy_cache_replace (self, data->property->name, data->old);
      _zbus_proxy_emit_set_property_failed (self, data->property->gname, error);
    }
  set_data_free (data);
}

/* Writes through `Set`. The cache takes the value at once (and notifies),
 * so that reading back and bindings see it; a failed `Set` restores the
 * old value and emits set-property-failed. */
static void
proxy_type_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  ZbusProxy *self = ZBUS_PROXY (object);
  const ZbusProxyTypeInfo *info = info_of (object);
  const ZbusProxyTypeProperty *p;
  g_autoptr(GVariant) v = NULL;
  g_autoptr(GError) error = NULL;
  SetData *data;

  if (prop_id == 0 || prop_id > info->properties->len)
    {
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }

  p = g_ptr_array_index (info->properties, prop_id - 1);
  v = _zbus_value_to_variant (value, p->signature, NULL, &error);
  if (v == NULL)
    {
      g_prefix_error (&error, "Cannot set the property %s of %s: ", p->name, info->interface_name);
      _zbus_proxy_emit_set_property_failed (self, p->gname, error);
      return;
    }

  data = g_new0 (SetData, 1);
  data->property = p;
  if (p->readable && _zbus_proxy_is_cached_property (self, p->name))
    {
      GVariant *old = _zbus_proxy_peek_cached (self, p->name);

      data->old = old != NULL ? g_variant_ref (old) : NULL;
      data->sent = g_variant_ref (v);
      _zbus_proxy_cache_replace (self, p->name, v);
    }
  zbus_proxy_set_dbus_property_async (self, p->name, v, NULL, set_done_cb, data);
}

static void
proxy_type_cached_property_changed (ZbusProxy  *self,
                                    const char *name,
                                    GVariant   *value)
{
  const ZbusProxyTypeProperty *p = g_hash_table_lookup (info_of (self)->props_by_name, name);

  if (p == NULL)
    return;
  if (value == NULL)
    g_hash_table_add (stale_set (self, TRUE), p->name);
  else if (stale_set (self, FALSE) != NULL)
    g_hash_table_remove (stale_set (self, FALSE), p->name);
  if (p->readable)
    g_object_notify_by_pspec (G_OBJECT (self), p->pspec);
}

/* A new owner: the values come back with GetAll, no need to fetch them one
 * by one. */
static void
proxy_type_cache_reset (ZbusProxy *self)
{
  GHashTable *set = stale_set (self, FALSE);

  if (set != NULL)
    g_hash_table_remove_all (set);
}

/* The class handler of dbus-signal: emits the GObject signal of the same
 * D-Bus signal, when its arguments are of the described types. */
static void
proxy_type_dbus_signal (ZbusProxy  *self,
                        const char *sender,
                        const char *signal_name,
                        GVariant   *parameters)
{
  const ZbusProxyTypeInfo *info = info_of (self);
  const ZbusProxyTypeSignal *s = g_hash_table_lookup (info->signals_by_name, signal_name);
  g_autofree GValue *values = NULL;
  g_autoptr(GError) error = NULL;
  guint n_set;

  if (s == NULL)
    return;
  if (!g_str_equal (g_variant_get_type_string (parameters), s->signature))
    {
      g_debug ("Signal %s of %s came with “%s”, not “%s”: dropped", signal_name,
               info->interface_name, g_variant_get_type_string (parameters), s->signature);
      return;
    }

  values = g_new0 (GValue, s->n_params + 1);
  g_value_init (&values[0], G_OBJECT_TYPE (self));
  g_value_set_object (&values[0], self);
  for (n_set = 1; n_set <= s->n_params && error == NULL; n_set++)
    {
      g_autoptr(GVariant) arg = g_variant_get_child_value (parameters, n_set - 1);

      g_value_init (&values[n_set], s->param_types[n_set - 1]);
      if (!_zbus_variant_to_value (arg, &values[n_set], s->arg_sigs[n_set - 1], NULL, &error))
        g_debug ("Signal %s of %s: argument %u: %s: dropped", signal_name,
                 info->interface_name, n_set - 1, error->message);
    }

  if (error == NULL)
    g_signal_emitv (values, s->signal_id, 0, NULL);
  for (guint i = 0; i < n_set; i++)
    g_value_unset (&values[i]);
}

static void
proxy_type_class_init (gpointer g_class,
                       gpointer class_data)
{
  GObjectClass *object_class = G_OBJECT_CLASS (g_class);
  ZbusProxyClass *proxy_class = ZBUS_PROXY_CLASS (g_class);
  ZbusProxyTypeInfo *info = class_data;

  object_class->get_property = proxy_type_get_property;
  object_class->set_property = proxy_type_set_property;
  proxy_class->cached_property_changed = proxy_type_cached_property_changed;
  proxy_class->dbus_signal = proxy_type_dbus_signal;
  proxy_class->cache_reset = proxy_type_cache_reset;

  for (guint i = 0; i < info->properties->len; i++)
    {
      ZbusProxyTypeProperty *p = g_ptr_array_index (info->properties, i);

      g_object_class_install_property (object_class, i + 1, p->pspec);
    }
  for (guint i = 0; i < info->signals->len; i++)
    {
      ZbusProxyTypeSignal *s = g_ptr_array_index (info->signals, i);

      s->signal_id = g_signal_newv (s->gname, G_TYPE_FROM_CLASS (g_class), G_SIGNAL_RUN_LAST,
                                    NULL, NULL, NULL, NULL, G_TYPE_NONE,
                                    s->n_params, s->param_types);
    }
}

/* With @types_lock held. Takes @info. */
static GType
register_type_locked (ZbusProxyTypeInfo *info,
                      const char        *base_name)
{
  g_autofree char *name = unique_type_name (base_name);
  GTypeInfo type_info = { 0, };
  GTypeQuery query;

  g_type_query (ZBUS_TYPE_PROXY, &query);
  type_info.class_size = query.class_size;
  type_info.class_init = proxy_type_class_init;
  type_info.class_data = info;
  type_info.instance_size = query.instance_size;

  info->type = g_type_register_static (ZBUS_TYPE_PROXY, name, &type_info, G_TYPE_FLAG_FINAL);
  g_type_set_qdata (info->type, type_info_quark (), info);
  return info->type;
}

/* ------------------------------------------------------------------------ */
/* XML */

typedef struct
{
  guint depth;
} NestingCheck;

static void
nesting_start_element (GMarkupParseContext  *context,
                       const char           *element_name,
                       const char          **attribute_names,
                       const char          **attribute_values,
                       gpointer              user_data,
                       GError              **error)
{
  NestingCheck *check = user_data;
  const GSList *stack = g_markup_parse_context_get_element_stack (context);
  int line;
  int column;

  g_markup_parse_context_get_position (context, &line, &column);
  if (++check->depth > MAX_XML_DEPTH)
    g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                 "%d:%d: Elements are nested more than %u deep", line, column, MAX_XML_DEPTH);
  else if (g_str_equal (element_name, "node") && stack->next != NULL &&
           !g_str_equal (stack->next->data, "node"))
    g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                 "%d:%d: <node> elements can only be top-level or embedded in other <node> "
                 "elements, not in <%s>", line, column, (const char *) stack->next->data);
}

static void
nesting_end_element (GMarkupParseContext  *context,
                     const char           *element_name,
                     gpointer              user_data,
                     GError              **error)
{
  NestingCheck *check = user_data;

  check->depth--;
}

/* g_dbus_node_info_new_for_xml() for XML a remote sent. GDBus takes a
 * <node> inside any element (its check of the parent is always true, in
 * GLib 2.74 as in later releases), and then crashes when that element
 * ends; it frees child nodes by recursion, and counts the depth at each
 * element it starts. Such XML is refused first, as is XML that is not UTF-8 (which
 * GMarkup refuses too, but quoting the bad bytes in its message); the
 * message of an error is always UTF-8. */
GDBusNodeInfo *
_zbus_node_info_new_for_xml (const char  *xml,
                             GError     **error)
{
  static const GMarkupParser parser = { nesting_start_element, nesting_end_element, NULL, NULL, NULL };
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GError) local_error = NULL;
  GDBusNodeInfo *node = NULL;
  NestingCheck check = { 0, };

  if (!g_utf8_validate (xml, -1, NULL))
    {
      g_set_error_literal (error, G_MARKUP_ERROR, G_MARKUP_ERROR_BAD_UTF8,
                           "The introspection XML is not valid UTF-8");
      return NULL;
    }
  /* The flags GDBus parses with: it sees the elements this sees. */
  context = g_markup_parse_context_new (&parser, G_MARKUP_IGNORE_QUALIFIED, &check, NULL);
  if (g_markup_parse_context_parse (context, xml, -1, &local_error) &&
      g_markup_parse_context_end_parse (context, &local_error))
    node = g_dbus_node_info_new_for_xml (xml, &local_error);

  /* GMarkup may quote half a character of a bad name. */
  if (local_error != NULL && !g_utf8_validate (local_error->message, -1, NULL))
    {
      char *valid = g_utf8_make_valid (local_error->message, -1);

      g_free (local_error->message);
      local_error->message = valid;
    }
  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return node;
}

/* Whether the first element of @xml is <interface>. */
static gboolean
starts_with_interface (const char *xml)
{
  const char *p = xml;

  for (;;)
    {
      const char *end = NULL;

      while (g_ascii_isspace (*p))
        p++;
      if (g_str_has_prefix (p, "<?"))
        end = strstr (p, "?>");
      else if (g_str_has_prefix (p, "<!--"))
        end = strstr (p, "-->");
      else if (g_str_has_prefix (p, "<!"))
        end = strchr (p, '>');
      else
        break;
      if (end == NULL)
        return FALSE;
      p = end + 1;
    }
  return g_str_has_prefix (p, "<interface") &&
         (g_ascii_isspace (p[10]) || p[10] == '>' || p[10] == '/');
}

GDBusInterfaceInfo *
_zbus_proxy_type_parse_xml (const char  *xml,
                            const char  *interface_name,
                            GError     **error)
{
  g_autoptr(GDBusNodeInfo) node = NULL;
  g_autofree char *wrapped = NULL;
  GDBusInterfaceInfo *found = NULL;
  guint n_found = 0;

  if (strlen (xml) > MAX_XML_LENGTH)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "The introspection XML is longer than %u bytes", MAX_XML_LENGTH);
      return NULL;
    }
  if (starts_with_interface (xml))
    wrapped = g_strconcat ("<node>", xml, "</node>", NULL);
  node = _zbus_node_info_new_for_xml (wrapped ? wrapped : xml, error);
  if (node == NULL)
    {
      g_prefix_error (error, "Invalid introspection XML: ");
      return NULL;
    }

  for (guint i = 0; node->interfaces != NULL && node->interfaces[i] != NULL; i++)
    if (interface_name == NULL || g_strcmp0 (node->interfaces[i]->name, interface_name) == 0)
      {
        found = node->interfaces[i];
        n_found++;
      }

  if (n_found == 0 && interface_name != NULL)
    g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_INTERFACE,
                 "The introspection XML does not describe the interface %s", interface_name);
  else if (n_found == 0)
    g_set_error_literal (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_INTERFACE,
                         "The introspection XML describes no interface");
  else if (n_found > 1 && interface_name != NULL)
    g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME,
                 "The introspection XML describes the interface %s %u times",
                 interface_name, n_found);
  else if (n_found > 1)
    g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                 "The introspection XML describes %u interfaces: name the one to use", n_found);
  if (n_found != 1)
    return NULL;
  return g_dbus_interface_info_ref (found);
}

/* ------------------------------------------------------------------------ */
/* Making the types */

/**
 * zbus_proxy_type_for_interface_type:
 * @iface_type: a subclass of [class@Zbus.Interface] with a D-Bus name
 * @error: return location for a #GError
 *
 * Gets the proxy type of @iface_type: a subclass of [class@Zbus.Proxy]
 * made at run time, once per interface type, whose members mirror the
 * interface's.
 *
 * - Each D-Bus property is a GObject property of the same name and type
 *   as the interface type's (an object becomes the string of its path).
 *   Reading it reads the property cache, or gives the default value while
 *   the cache does not hold one (not loaded yet, invalidated,
 *   %ZBUS_PROXY_CACHE_MODE_NONE or an uncached property: read those with
 *   [method@Zbus.Proxy.get_dbus_property]); reading a value the remote
 *   invalidated fetches it again in the background. Each change in the cache
 *   notifies it, so `notify::count` follows `PropertiesChanged` and
 *   g_object_bind_property() ties it to a local object. Writing it sends
 *   `Set` without blocking: the cache takes the new value at once, and
 *   when the remote refuses it the old value comes back (notified) and
 *   [signal@Zbus.Proxy::set-property-failed] says why.
 * - Each D-Bus signal is a GObject signal of the same name and parameter
 *   types, emitted when the remote object sends it (after
 *   [signal@Zbus.Proxy::dbus-signal]).
 * - Each method can be called by its D-Bus or GObject name with
 *   [method@Zbus.Proxy.call_method], which checks the arguments and the
 *   reply against the interface's signatures.
 *
 * A member whose GObject name [class@Zbus.Proxy] has already (like
 * `connection`) gets the prefix `remote-` (`remote-connection`);
 * [method@Zbus.Proxy.lookup_dbus_property] finds a property by its D-Bus
 * name.
 *
 * Like the cache, the properties are read and written, and the signals
 * emitted, on the proxy's context.
 *
 * Bindings see instances as [class@Zbus.Proxy]; their properties and
 * signals are real GObject ones, reachable by name (`proxy.props.count`
 * in Python, `proxy.count` in JavaScript).
 *
 * Returns: the proxy type, or %G_TYPE_INVALID with @error set when
 *   @iface_type has no valid D-Bus description
 *
 * Since: 1.0
 */
GType
zbus_proxy_type_for_interface_type (GType    iface_type,
                                    GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  GDBusInterfaceInfo *dinfo;
  const ZbusInterfaceInfo *local;
  ZbusProxyTypeInfo *info;
  g_autofree char *base = NULL;

  g_return_val_if_fail (g_type_is_a (iface_type, ZBUS_TYPE_INTERFACE), G_TYPE_INVALID);
  g_return_val_if_fail (error == NULL || *error == NULL, G_TYPE_INVALID);

  local = _zbus_interface_info_get (iface_type, error);
  if (local == NULL)
    return G_TYPE_INVALID;

  locker = g_mutex_locker_new (&types_lock);
  if (local_types == NULL)
    local_types = g_hash_table_new (NULL, NULL);
  info = g_hash_table_lookup (local_types, GSIZE_TO_POINTER (iface_type));
  if (info != NULL)
    return info->type;

  dinfo = _zbus_proxy_type_parse_xml (local->xml, local->name, error);
  if (dinfo == NULL)
    return G_TYPE_INVALID;
  info = describe (dinfo, local, error);
  g_dbus_interface_info_unref (dinfo);
  if (info == NULL)
    return G_TYPE_INVALID;

  base = g_strconcat ("ZbusProxy_", g_type_name (iface_type), NULL);
  make_pspecs (info, local);
  g_hash_table_insert (local_types, GSIZE_TO_POINTER (iface_type), info);
  return register_type_locked (info, base);
}

/**
 * zbus_proxy_type_for_interface_info:
 * @info: a D-Bus interface description, from introspection XML
 *   (g_dbus_node_info_new_for_xml()) or made by hand
 * @error: return location for a #GError
 *
 * Gets the proxy type of the interface @info describes: a subclass of
 * [class@Zbus.Proxy] made at run time whose members mirror the
 * interface's, as [func@Zbus.Proxy.type_for_interface_type] tells.
 * Descriptions that differ only in docs, annotations, argument names or
 * the order of their members share one type.
 *
 * Each D-Bus name becomes a GObject name: `FooBar` → `foo-bar`,
 * `IPv4Address` → `ipv4-address`, `foo_bar` → `foo-bar`. The type of each
 * property and signal argument follows its signature: `b` → boolean, `y`
 * → guchar, `n` and `i` → int, `q` and `u` → uint, `x` → gint64, `t` →
 * guint64, `d` → double, `s`, `o` and `g` → string, `as`, `ao` and `ag` →
 * #GStrv, `ay` → #GBytes, `v` → any #GVariant, anything else → a
 * #GVariant of that type.
 *
 * @info is checked as a remote could have made it: invalid names or
 * signatures, two members of one kind with the same name or the same
 * GObject name, a name with no GObject form, and more than
 * %ZBUS_PROXY_TYPE_MAX_MEMBERS members of one kind are refused with an
 * error. As types are never freed, at most 32 different descriptions of
 * one interface are made types.
 *
 * Returns: the proxy type, or %G_TYPE_INVALID with @error set
 *
 * Since: 1.0
 */
GType
zbus_proxy_type_for_interface_info (GDBusInterfaceInfo  *info,
                                    GError             **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(ZbusProxyTypeInfo) described = NULL;
  g_autofree char *key = NULL;
  g_autofree char *base = NULL;
  ZbusProxyTypeInfo *found;
  guint count;

  g_return_val_if_fail (info != NULL, G_TYPE_INVALID);
  g_return_val_if_fail (error == NULL || *error == NULL, G_TYPE_INVALID);

  described = describe (info, NULL, error);
  if (described == NULL)
    return G_TYPE_INVALID;
  key = structure_key (described);

  locker = g_mutex_locker_new (&types_lock);
  if (runtime_types == NULL)
    {
      runtime_types = g_hash_table_new (g_str_hash, g_str_equal);
      runtime_counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    }
  found = g_hash_table_lookup (runtime_types, key);
  if (found != NULL)
    return found->type;

  count = GPOINTER_TO_UINT (g_hash_table_lookup (runtime_counts, info->name));
  if (count >= MAX_TYPES_PER_INTERFACE || n_runtime_types >= MAX_RUNTIME_TYPES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   "Too many different descriptions of %s were made proxy types",
                   count >= MAX_TYPES_PER_INTERFACE ? info->name : "interfaces");
      return G_TYPE_INVALID;
    }
  g_hash_table_insert (runtime_counts, g_strdup (info->name), GUINT_TO_POINTER (count + 1));
  n_runtime_types++;

  base = g_strconcat ("ZbusProxy_", info->name, NULL);
  found = g_steal_pointer (&described);
  make_pspecs (found, NULL);
  g_hash_table_insert (runtime_types, g_steal_pointer (&key), found);
  return register_type_locked (found, base);
}

/* ------------------------------------------------------------------------ */
/* What a proxy made from a description knows */

/**
 * zbus_proxy_get_interface_info:
 * @self: a proxy
 *
 * Gets the description of the interface the type of @self was made from
 * ([func@Zbus.Proxy.type_for_interface_info] and the like).
 *
 * Returns: (transfer none) (nullable): the description, or %NULL for a
 *   proxy that was not made from one
 *
 * Since: 1.0
 */
GDBusInterfaceInfo *
zbus_proxy_get_interface_info (ZbusProxy *self)
{
  const ZbusProxyTypeInfo *info;

  g_return_val_if_fail (ZBUS_IS_PROXY (self), NULL);

  info = _zbus_proxy_type_info_peek (G_OBJECT_TYPE (self));
  return info != NULL ? info->info : NULL;
}

/**
 * zbus_proxy_lookup_dbus_property:
 * @self: a proxy
 * @dbus_name: the D-Bus name of a property, like `FooBar`
 *
 * Finds the GObject property that mirrors the D-Bus property @dbus_name on
 * a proxy whose type was made from an interface description.
 *
 * Returns: (transfer none) (nullable): its pspec, or %NULL if there is
 *   none
 *
 * Since: 1.0
 */
GParamSpec *
zbus_proxy_lookup_dbus_property (ZbusProxy  *self,
                                 const char *dbus_name)
{
  const ZbusProxyTypeInfo *info;
  const ZbusProxyTypeProperty *p;

  g_return_val_if_fail (ZBUS_IS_PROXY (self), NULL);
  g_return_val_if_fail (dbus_name != NULL, NULL);

  info = _zbus_proxy_type_info_peek (G_OBJECT_TYPE (self));
  p = info != NULL ? g_hash_table_lookup (info->props_by_name, dbus_name) : NULL;
  return p != NULL ? p->pspec : NULL;
}
