/* zbus-interface.c: the base class of every served D-Bus interface
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "zbus-interface-private.h"
#include "zbus-message.h"

/**
 * ZbusInterface:
 *
 * The abstract base class of every interface a [class@Zbus.ObjectServer]
 * serves.
 *
 * A subclass is an ordinary GObject type: its properties are the D-Bus
 * properties (`the-answer` becomes `TheAnswer`), its signals without
 * %G_SIGNAL_ACTION the D-Bus signals, and its action signals the D-Bus
 * methods (parameters are the in-arguments, the return value the
 * out-argument). An action signal whose first parameter is a
 * [class@Zbus.MethodInvocation] is answered later through it. The interface
 * name is set once per type with [func@Zbus.Interface.type_set_name].
 *
 * A method can also come from the type's method table, with explicit
 * signatures and a handler ([func@Zbus.Interface.type_add_method], or
 * `zbus_interface_class_add_methods()` from C).
 *
 * The members a type exports are those declared by it and by every
 * ancestor below `ZbusInterface` (an intermediate class's properties,
 * signals and method table included); the members of `GObject` (like
 * `notify`) are never exported nor reachable. D-Bus names are the GObject
 * names in camel case, signatures follow the mapping table below; both can
 * be overridden per member, from any language, before the type is first
 * used: [func@Zbus.Interface.type_set_property_name],
 * [func@Zbus.Interface.type_set_property_signature],
 * [func@Zbus.Interface.type_set_signal_name],
 * [func@Zbus.Interface.type_set_signal_signature],
 * [func@Zbus.Interface.type_set_method_name],
 * [func@Zbus.Interface.type_set_method_in_signature] and
 * [func@Zbus.Interface.type_set_method_signature]. An override that names no
 * member, or a signature its GType cannot travel as, is reported when the
 * type is first used.
 *
 * | GType | signature | by override |
 * |---|---|---|
 * | `gboolean` | `b` | |
 * | `gchar`, `guchar` | `y` | |
 * | `gint`, `guint` | `i`, `u` | `n`, `q` (values that do not fit fail); `h` for a `gint` |
 * | `glong`, `gint64` / `gulong`, `guint64` | `x` / `t` | |
 * | `gdouble`, `gfloat` | `d` | |
 * | `gchararray` | `s` | `o`, `g` (values are checked) |
 * | `GStrv` | `as` | `ao`, `ag`, `aay` |
 * | `GBytes` | `ay` | |
 * | enum | `u` (`i` with negative values) | `i`, or `s` for its nick |
 * | flags | `u` | |
 * | a `GObject` type | `o`: the path it is served at | |
 * | `GVariant` | the pspec's type if definite, else `v` | a subtype of the pspec's type |
 * | any other type (`GHashTable`, `GDateTime`, pointers, …) | refused | the signature of a converter: [func@Zbus.Interface.register_converter] |
 *
 * A `gint` argument overridden to `h` is a file descriptor. A method's
 * handler borrows the descriptors it gets: they are the call's, closed
 * after it, so the handler `dup()`s one it keeps. A descriptor a method
 * returns as `h` is handed over: the reply carries a copy and the library
 * closes the returned one. A signal carries a copy of its `h` arguments;
 * the emitter keeps its own. A property cannot be `h`. Handlers of a
 * method table find the call's descriptors with
 * [method@Zbus.Message.get_unix_fd_list] and answer with some through
 * [method@Zbus.MethodInvocation.return_value_with_unix_fd_list].
 *
 * Introspection carries `org.gtk.GDBus.DocString` annotations: the type's
 * doc ([func@Zbus.Interface.type_set_doc]), property blurbs, member docs
 * set per member, and the values of enum and flags types; all of them
 * unless [func@Zbus.Interface.type_set_introspection_docs] turns them off.
 *
 * A handler fails a call, or a property getter or setter fails a
 * `Properties` call, by answering the current invocation
 * ([func@Zbus.MethodInvocation.get_current]) with an error; what it
 * returns is then ignored. This works the same from C, Python and JS.
 *
 * Emitting a D-Bus signal of the type sends it on every connection and path
 * the instance is served on; `notify` queues a `PropertiesChanged`, sent
 * once per main-loop iteration and before any other signal or reply of the
 * instance. An instance is used on the thread of the connections' context.
 *
 * Since: 1.0
 */

typedef struct
{
  ZbusObjectServer *server;   /* (unowned): removes its exports when it goes */
  char             *path;
} Export;

typedef struct
{
  const ZbusInterfaceInfo *info;     /* (nullable) until first served */
  GArray                  *exports;  /* (element-type Export) */
  GArray                  *handler_ids;
  GPtrArray               *pending;  /* (element-type ZbusPropertyInfo) (unowned) */
  GSource                 *flush_source;
} ZbusInterfacePrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (ZbusInterface, zbus_interface, G_TYPE_OBJECT)

static void
export_clear (Export *export)
{
  g_free (export->path);
}

static void
disconnect_relays (ZbusInterface *self)
{
  ZbusInterfacePrivate *priv = zbus_interface_get_instance_private (self);

  for (guint i = 0; i < priv->handler_ids->len; i++)
    g_signal_handler_disconnect (self, g_array_index (priv->handler_ids, gulong, i));
  g_array_set_size (priv->handler_ids, 0);
}

static void
zbus_interface_dispose (GObject *object)
{
  ZbusInterface *self = ZBUS_INTERFACE (object);
  ZbusInterfacePrivate *priv = zbus_interface_get_instance_private (self);

  if (priv->flush_source != NULL)
    {
      g_source_destroy (priv->flush_source);
      g_clear_pointer (&priv->flush_source, g_source_unref);
    }
  disconnect_relays (self);

  G_OBJECT_CLASS (zbus_interface_parent_class)->dispose (object);
}

static void
zbus_interface_finalize (GObject *object)
{
  ZbusInterface *self = ZBUS_INTERFACE (object);
  ZbusInterfacePrivate *priv = zbus_interface_get_instance_private (self);

  g_array_unref (priv->exports);
  g_array_unref (priv->handler_ids);
  g_ptr_array_unref (priv->pending);

  G_OBJECT_CLASS (zbus_interface_parent_class)->finalize (object);
}

static void
zbus_interface_class_init (ZbusInterfaceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = zbus_interface_dispose;
  object_class->finalize = zbus_interface_finalize;
}

static void
zbus_interface_init (ZbusInterface *self)
{
  ZbusInterfacePrivate *priv = zbus_interface_get_instance_private (self);

  priv->exports = g_array_new (FALSE, TRUE, sizeof (Export));
  g_array_set_clear_func (priv->exports, (GDestroyNotify) export_clear);
  priv->handler_ids = g_array_new (FALSE, FALSE, sizeof (gulong));
  priv->pending = g_ptr_array_new ();
}

const ZbusInterfaceInfo *
_zbus_interface_get_info (ZbusInterface *self)
{
  ZbusInterfacePrivate *priv = zbus_interface_get_instance_private (self);

  if (priv->info == NULL)
    priv->info = _zbus_interface_info_get (G_OBJECT_TYPE (self), NULL);
  return priv->info;
}

/**
 * zbus_interface_get_interface_name:
 * @self: an interface
 *
 * Gets the D-Bus name of the interface @self implements.
 *
 * Returns: (nullable): the name, or %NULL if the type has none
 *
 * Since: 1.0
 */
const char *
zbus_interface_get_interface_name (ZbusInterface *self)
{
  g_return_val_if_fail (ZBUS_IS_INTERFACE (self), NULL);

  return zbus_interface_type_get_name (G_OBJECT_TYPE (self));
}

/* ------------------------------------------------------------------------ */
/* Sending */

static void
send_signal_on_exports (ZbusInterface *self,
                        const char    *destination,
                        const char    *member,
                        GVariant    *(*make_body) (ZbusInterface *, ZbusConnection *,
                                                   GUnixFDList *, gpointer),
                        gpointer       data,
                        gboolean       with_fds)
{
  ZbusInterfacePrivate *priv = zbus_interface_get_instance_private (self);
  const char *name = priv->info->name;

  for (guint i = 0; i < priv->exports->len; i++)
    {
      Export *export = &g_array_index (priv->exports, Export, i);
      ZbusConnection *connection = _zbus_object_server_peek_connection (export->server);
      const char *iface_name = name;
      g_autoptr(GVariant) body = NULL;
      g_autoptr(GUnixFDList) fds = NULL;
      g_autoptr(ZbusMessage) message = NULL;
      g_autoptr(GError) error = NULL;

      if (connection == NULL || zbus_connection_is_closed (connection))
        continue;
      /* Only a body with `h` values can add descriptors. */
      if (with_fds)
        fds = g_unix_fd_list_new ();
      body = make_body (self, connection, fds, data);
      if (body == NULL)
        continue;
      g_variant_ref_sink (body);
      if (g_str_equal (member, "PropertiesChanged"))
        iface_name = ZBUS_PROPERTIES_INTERFACE;
      message = zbus_message_new_signal (export->path, iface_name, member, &error);
      if (message != NULL && destination != NULL)
        zbus_message_set_destination (message, destination, NULL);
      if (message != NULL && zbus_message_set_body (message, body, &error))
        {
          if (fds != NULL && g_unix_fd_list_get_length (fds) > 0)
            zbus_message_set_unix_fd_list (message, fds);
          zbus_connection_send_message (connection, message, NULL, &error);
        }
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED))
        g_warning ("Could not emit %s.%s on %s: %s", iface_name, member, export->path, error->message);
    }
}

static GVariant *
changes_body (ZbusInterface  *self,
              ZbusConnection *connection,
              GUnixFDList    *fds,
              gpointer        data)
{
  GPtrArray *changes = data;
  ZbusInterfacePrivate *priv = zbus_interface_get_instance_private (self);
  g_auto(GVariantBuilder) changed = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  g_auto(GVariantBuilder) invalidated = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_STRING_ARRAY);

  for (guint i = 0; i < changes->len; i++)
    {
      const ZbusPropertyInfo *p = g_ptr_array_index (changes, i);
      g_auto(GValue) value = G_VALUE_INIT;
      g_autoptr(GVariant) v = NULL;
      g_autoptr(GError) error = NULL;

      if (p->emits == ZBUS_EMITS_TRUE && p->readable)
        {
          g_value_init (&value, p->pspec->value_type);
          g_object_get_property (G_OBJECT (self), p->pspec->name, &value);
          v = _zbus_value_to_variant (&value, p->signature, connection, &error);
        }
      if (v != NULL)
        g_variant_builder_add (&changed, "{sv}", p->name, v);
      else
        g_variant_builder_add (&invalidated, "s", p->name);
    }
  return g_variant_new ("(sa{sv}as)", priv->info->name, &changed, &invalidated);
}

/**
 * zbus_interface_flush_changes:
 * @self: an interface
 *
 * Sends the property changes queued since the last main-loop iteration now,
 * as one `PropertiesChanged` signal on every connection and path @self is
 * served on. The object server does this by itself before any signal or
 * method reply of @self leaves, and once per main-loop iteration.
 *
 * Since: 1.0
 */
void
zbus_interface_flush_changes (ZbusInterface *self)
{
  ZbusInterfacePrivate *priv;
  g_autoptr(GPtrArray) changes = NULL;

  g_return_if_fail (ZBUS_IS_INTERFACE (self));

  priv = zbus_interface_get_instance_private (self);
  if (priv->flush_source != NULL)
    {
      g_source_destroy (priv->flush_source);
      g_clear_pointer (&priv->flush_source, g_source_unref);
    }
  if (priv->pending->len == 0)
    return;

  changes = g_steal_pointer (&priv->pending);
  priv->pending = g_ptr_array_new ();
  send_signal_on_exports (self, NULL, "PropertiesChanged", changes_body, changes, FALSE);
}

static gboolean
flush_cb (gpointer data)
{
  ZbusInterface *self = data;
  ZbusInterfacePrivate *priv = zbus_interface_get_instance_private (self);

  g_clear_pointer (&priv->flush_source, g_source_unref);
  zbus_interface_flush_changes (self);
  return G_SOURCE_REMOVE;
}

static void
queue_change (ZbusInterface          *self,
              const ZbusPropertyInfo *p)
{
  ZbusInterfacePrivate *priv = zbus_interface_get_instance_private (self);
  Export *first;

  if (priv->exports->len == 0 || g_ptr_array_find (priv->pending, p, NULL))
    return;
  g_ptr_array_add (priv->pending, (gpointer) p);

  if (priv->flush_source != NULL)
    return;
  first = &g_array_index (priv->exports, Export, 0);
  priv->flush_source = g_idle_source_new ();
  g_source_set_priority (priv->flush_source, G_PRIORITY_DEFAULT);
  g_source_set_name (priv->flush_source, "[zbus] PropertiesChanged");
  g_source_set_callback (priv->flush_source, flush_cb, self, NULL);
  g_source_attach (priv->flush_source,
                   zbus_connection_get_main_context (_zbus_object_server_peek_connection (first->server)));
}

static void
notify_cb (ZbusInterface *self,
           GParamSpec    *pspec,
           gpointer       user_data)
{
  ZbusInterfacePrivate *priv = zbus_interface_get_instance_private (self);
  const ZbusPropertyInfo *p = _zbus_interface_info_find_pspec (priv->info, pspec);

  if (p != NULL && (p->emits == ZBUS_EMITS_TRUE || p->emits == ZBUS_EMITS_INVALIDATES))
    queue_change (self, p);
}

/**
 * zbus_interface_invalidate_property:
 * @self: an interface
 * @property: the D-Bus name (`TheAnswer`) or GObject name (`the-answer`) of
 *   a property of @self
 *
 * Announces that @property changed, by name only, whatever its
 * `EmitsChangedSignal` mode, in the next `PropertiesChanged`.
 *
 * Returns: %TRUE if @self has such a property
 *
 * Since: 1.0
 */
gboolean
zbus_interface_invalidate_property (ZbusInterface *self,
                                    const char    *property)
{
  const ZbusInterfaceInfo *info;
  const ZbusPropertyInfo *p;
  GParamSpec *pspec;

  g_return_val_if_fail (ZBUS_IS_INTERFACE (self), FALSE);
  g_return_val_if_fail (property != NULL, FALSE);

  info = _zbus_interface_get_info (self);
  if (info == NULL)
    return FALSE;
  p = _zbus_interface_info_find_property (info, property);
  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (self), property);
  if (p == NULL && pspec != NULL)
    p = _zbus_interface_info_find_pspec (info, pspec);
  if (p == NULL)
    return FALSE;

  /* A value-less announcement: a sibling entry in `invalidated`. */
  {
    static GHashTable *invalidations;
    static GMutex lock;
    ZbusPropertyInfo *inv;

    g_mutex_lock (&lock);
    if (invalidations == NULL)
      invalidations = g_hash_table_new (NULL, NULL);
    inv = g_hash_table_lookup (invalidations, p);
    if (inv == NULL)
      {
        inv = g_memdup2 (p, sizeof *p);
        inv->emits = ZBUS_EMITS_INVALIDATES;
        g_hash_table_insert (invalidations, (gpointer) p, inv);
      }
    g_mutex_unlock (&lock);
    queue_change (self, inv);
  }
  return TRUE;
}

typedef struct
{
  const ZbusMemberInfo *signal;
  const GValue         *values;
} SignalArgs;

static GVariant *
signal_body (ZbusInterface  *self,
             ZbusConnection *connection,
             GUnixFDList    *fds,
             gpointer        data)
{
  SignalArgs *args = data;
  guint n = g_strv_length (args->signal->arg_sigs);
  GVariant *stack_children[8];
  GVariant **children = n <= G_N_ELEMENTS (stack_children) ? stack_children : g_new (GVariant *, n);
  GVariant *body = NULL;
  guint i;

  /* g_variant_new_tuple() rather than a builder: fewer type checks. */
  for (i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;

      children[i] = _zbus_value_to_variant_full (&args->values[i + 1], args->signal->arg_sigs[i],
                                                 connection, fds, &error);
      if (children[i] == NULL)
        {
          g_warning ("Cannot send signal %s.%s: argument %u: %s",
                     zbus_interface_get_interface_name (self), args->signal->name, i, error->message);
          break;
        }
    }
  if (i == n)
    body = g_variant_new_tuple (children, n);
  for (guint j = 0; j < i; j++)
    g_variant_unref (children[j]);
  if (children != stack_children)
    g_free (children);
  return body;
}

/* Runs for each emission of a D-Bus signal of the type. */
static void
relay_marshal (GClosure     *closure,
               GValue       *return_value,
               guint         n_param_values,
               const GValue *param_values,
               gpointer      invocation_hint,
               gpointer      marshal_data)
{
  ZbusInterface *self = g_value_get_object (&param_values[0]);
  SignalArgs args = { closure->data, param_values };

  zbus_interface_flush_changes (self);
  send_signal_on_exports (self, NULL, args.signal->name, signal_body, &args,
                          strchr (args.signal->in_signature, 'h') != NULL);
}

static void
connect_relays (ZbusInterface *self)
{
  ZbusInterfacePrivate *priv = zbus_interface_get_instance_private (self);
  gulong id;

  for (guint i = 0; i < priv->info->signals->len; i++)
    {
      const ZbusMemberInfo *m = g_ptr_array_index (priv->info->signals, i);
      GClosure *closure = g_closure_new_simple (sizeof (GClosure), (gpointer) m);

      g_closure_set_marshal (closure, relay_marshal);
      id = g_signal_connect_closure_by_id (self, m->signal_id, 0, closure, TRUE);
      g_array_append_val (priv->handler_ids, id);
    }
  id = g_signal_connect (self, "notify", G_CALLBACK (notify_cb), NULL);
  g_array_append_val (priv->handler_ids, id);
}

/**
 * zbus_interface_emit_signal:
 * @self: an interface
 * @destination: (nullable): the unique or well-known name to send the signal
 *   to, or %NULL to broadcast
 * @signal: the D-Bus name of the signal
 * @parameters: (nullable): the arguments, a tuple; floating references are
 *   consumed
 * @error: return location for a #GError
 *
 * Sends a signal of @self's interface on every connection and path @self is
 * served on, after any queued property changes. Emitting the GObject signal
 * does the same for a broadcast; this also reaches one @destination.
 *
 * Returns: %TRUE if @parameters fit the signal and it was queued
 *
 * Since: 1.0
 */
gboolean
zbus_interface_emit_signal (ZbusInterface *self,
                            const char    *destination,
                            const char    *signal,
                            GVariant      *parameters,
                            GError       **error)
{
  g_autoptr(GVariant) body = parameters ? g_variant_ref_sink (parameters) : g_variant_new ("()");
  const ZbusInterfaceInfo *info;
  const ZbusMemberInfo *m = NULL;

  g_return_val_if_fail (ZBUS_IS_INTERFACE (self), FALSE);
  g_return_val_if_fail (signal != NULL, FALSE);

  info = _zbus_interface_info_get (G_OBJECT_TYPE (self), error);
  if (info == NULL)
    return FALSE;
  for (guint i = 0; i < info->signals->len && m == NULL; i++)
    if (g_str_equal (((ZbusMemberInfo *) g_ptr_array_index (info->signals, i))->name, signal))
      m = g_ptr_array_index (info->signals, i);
  if (m == NULL)
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                   "Interface “%s” has no signal “%s”", info->name, signal);
      return FALSE;
    }
  if (!g_str_equal (g_variant_get_type_string (body), m->in_signature))
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                   "Signal “%s” takes “%s”, not “%s”", signal, m->in_signature,
                   g_variant_get_type_string (body));
      return FALSE;
    }
  zbus_interface_flush_changes (self);
  {
    ZbusInterfacePrivate *priv = zbus_interface_get_instance_private (self);

    for (guint i = 0; i < priv->exports->len; i++)
      {
        Export *export = &g_array_index (priv->exports, Export, i);
        ZbusConnection *connection = _zbus_object_server_peek_connection (export->server);

        if (connection != NULL &&
            !zbus_connection_emit_signal (connection, destination, export->path, info->name,
                                          signal, body, error))
          return FALSE;
      }
  }
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Exports, kept by the object servers */

void
_zbus_interface_add_export (ZbusInterface    *self,
                            ZbusObjectServer *server,
                            const char       *path)
{
  ZbusInterfacePrivate *priv = zbus_interface_get_instance_private (self);
  Export export = { server, g_strdup (path) };

  _zbus_interface_get_info (self);
  if (priv->exports->len == 0 && priv->handler_ids->len == 0)
    connect_relays (self);
  g_array_append_val (priv->exports, export);
}

void
_zbus_interface_remove_export (ZbusInterface    *self,
                               ZbusObjectServer *server,
                               const char       *path)
{
  ZbusInterfacePrivate *priv = zbus_interface_get_instance_private (self);

  for (guint i = 0; i < priv->exports->len; i++)
    {
      Export *export = &g_array_index (priv->exports, Export, i);

      if (export->server == server && g_str_equal (export->path, path))
        {
          /* Changes queued for this path go out before it disappears. */
          zbus_interface_flush_changes (self);
          g_array_remove_index (priv->exports, i);
          break;
        }
    }
  if (priv->exports->len == 0)
    disconnect_relays (self);
}

const char *
_zbus_interface_get_path_on (ZbusInterface  *self,
                             ZbusConnection *connection)
{
  ZbusInterfacePrivate *priv = zbus_interface_get_instance_private (self);

  for (guint i = 0; i < priv->exports->len; i++)
    {
      Export *export = &g_array_index (priv->exports, Export, i);

      if (_zbus_object_server_peek_connection (export->server) == connection)
        return export->path;
    }
  return NULL;
}
