/* zbus-remote-object.c
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "zbus-proxy-private.h"
#include "zbus-remote-object-private.h"

/**
 * ZbusRemoteObject:
 *
 * One object of a remote service, as a [class@Zbus.ObjectManagerClient]
 * sees it: its path and a [class@Zbus.Proxy] for each of its interfaces.
 *
 * The proxies are made by the manager with the property values the
 * service announced (no `GetAll` per object) and are fed by it: their
 * property caches, [signal@Zbus.Proxy::properties-changed] and
 * [signal@Zbus.Proxy::dbus-signal] keep up with the service for as long
 * as the object is in the manager. When an interface or the whole object
 * goes away, its proxies stop receiving: their signal streams end and
 * their caches keep the last values. (Streams of these proxies, from
 * [method@Zbus.Proxy.receive_signal], fill as the manager's context runs,
 * not in the thread that reads the connection.)
 *
 * An object belongs to its manager's main context: its signals are
 * emitted there and its methods must be called from there.
 *
 * Since: 1.0
 */

struct _ZbusRemoteObject
{
  GObject parent_instance;

  char *object_path;      /* (owned) */
  GHashTable *proxies;    /* (owned): interface name → ZbusProxy (owned) */
};

enum {
  PROP_0,
  PROP_OBJECT_PATH,
  N_PROPS
};

enum {
  SIGNAL_INTERFACE_ADDED,
  SIGNAL_INTERFACE_REMOVED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (ZbusRemoteObject, zbus_remote_object, G_TYPE_OBJECT)

/* A proxy the manager no longer feeds: its streams end. */
static void
detach_proxy (ZbusProxy *proxy)
{
  ZbusProxyPrivate *priv = PRIV (proxy);

  if (priv->intake != NULL)
    _zbus_intake_close (priv->intake);
}

static void
zbus_remote_object_finalize (GObject *object)
{
  ZbusRemoteObject *self = ZBUS_REMOTE_OBJECT (object);

  g_clear_pointer (&self->proxies, g_hash_table_unref);
  g_free (self->object_path);

  G_OBJECT_CLASS (zbus_remote_object_parent_class)->finalize (object);
}

static void
zbus_remote_object_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  ZbusRemoteObject *self = ZBUS_REMOTE_OBJECT (object);

  switch (prop_id)
    {
    case PROP_OBJECT_PATH:
      g_value_set_string (value, self->object_path);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
zbus_remote_object_class_init (ZbusRemoteObjectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = zbus_remote_object_finalize;
  object_class->get_property = zbus_remote_object_get_property;

  /**
   * ZbusRemoteObject:object-path:
   *
   * The path of the object.
   *
   * Since: 1.0
   */
  properties[PROP_OBJECT_PATH] =
    g_param_spec_string ("object-path", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ZbusRemoteObject::interface-added:
   * @self: the object
   * @proxy: the proxy of the new interface
   *
   * Emitted when the service added an interface to the object
   * (`InterfacesAdded` for an object the manager already had).
   *
   * Since: 1.0
   */
  signals[SIGNAL_INTERFACE_ADDED] =
    g_signal_new ("interface-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, ZBUS_TYPE_PROXY);

  /**
   * ZbusRemoteObject::interface-removed:
   * @self: the object
   * @proxy: the proxy of the interface that went away
   *
   * Emitted when the service removed an interface from the object
   * (`InterfacesRemoved` that leaves the object other interfaces).
   *
   * Since: 1.0
   */
  signals[SIGNAL_INTERFACE_REMOVED] =
    g_signal_new ("interface-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, ZBUS_TYPE_PROXY);
}

static void
zbus_remote_object_init (ZbusRemoteObject *self)
{
  self->proxies = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

/* ------------------------------------------------------------------------ */
/* For the manager */

ZbusRemoteObject *
_zbus_remote_object_new (const char *object_path)
{
  ZbusRemoteObject *self = g_object_new (ZBUS_TYPE_REMOTE_OBJECT, NULL);

  self->object_path = g_strdup (object_path);
  return self;
}

ZbusProxy *
_zbus_remote_object_peek_interface (ZbusRemoteObject *self,
                                    const char       *interface_name)
{
  return g_hash_table_lookup (self->proxies, interface_name);
}

/* Takes a reference on @proxy; replaces a proxy of the same interface. */
void
_zbus_remote_object_add_interface (ZbusRemoteObject *self,
                                   ZbusProxy        *proxy,
                                   gboolean          emit)
{
  const char *name = zbus_proxy_get_interface_name (proxy);
  ZbusProxy *old = g_hash_table_lookup (self->proxies, name);

  if (old != NULL)
    detach_proxy (old);
  g_hash_table_replace (self->proxies, g_strdup (name), g_object_ref (proxy));
  if (emit)
    g_signal_emit (self, signals[SIGNAL_INTERFACE_ADDED], 0, proxy);
}

/* Returns the proxy removed (transfer full), or NULL. */
ZbusProxy *
_zbus_remote_object_remove_interface (ZbusRemoteObject *self,
                                      const char       *interface_name,
                                      gboolean          emit)
{
  gpointer key = NULL, value = NULL;
  g_autofree char *name = NULL;

  if (!g_hash_table_steal_extended (self->proxies, interface_name, &key, &value))
    return NULL;

  name = key;
  detach_proxy (value);
  if (emit)
    g_signal_emit (self, signals[SIGNAL_INTERFACE_REMOVED], 0, value);
  return value;
}

guint
_zbus_remote_object_get_n_interfaces (ZbusRemoteObject *self)
{
  return g_hash_table_size (self->proxies);
}

/* The object left its manager: its proxies stop receiving. */
void
_zbus_remote_object_detach (ZbusRemoteObject *self)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->proxies);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    detach_proxy (value);
}

/* ------------------------------------------------------------------------ */
/* Public API */

/**
 * zbus_remote_object_get_object_path:
 * @self: a remote object
 *
 * Gets the path of the object.
 *
 * Returns: the path
 *
 * Since: 1.0
 */
const char *
zbus_remote_object_get_object_path (ZbusRemoteObject *self)
{
  g_return_val_if_fail (ZBUS_IS_REMOTE_OBJECT (self), NULL);

  return self->object_path;
}

/**
 * zbus_remote_object_get_interface:
 * @self: a remote object
 * @interface_name: a D-Bus interface name
 *
 * Gets the proxy of the object's interface @interface_name: a
 * [class@Zbus.Proxy], or a proxy of the type given to the manager client
 * for that interface ([method@Zbus.ObjectManagerClient.set_interface_type]),
 * whose GObject properties and signals mirror the interface's.
 *
 * Returns: (transfer full) (nullable): the proxy, or %NULL if the object
 *   has no such interface
 *
 * Since: 1.0
 */
ZbusProxy *
zbus_remote_object_get_interface (ZbusRemoteObject *self,
                                  const char       *interface_name)
{
  ZbusProxy *proxy;

  g_return_val_if_fail (ZBUS_IS_REMOTE_OBJECT (self), NULL);
  g_return_val_if_fail (interface_name != NULL, NULL);

  proxy = g_hash_table_lookup (self->proxies, interface_name);
  return proxy != NULL ? g_object_ref (proxy) : NULL;
}

/**
 * zbus_remote_object_has_interface:
 * @self: a remote object
 * @interface_name: a D-Bus interface name
 *
 * Says whether the object has the interface @interface_name.
 *
 * Returns: %TRUE if it has
 *
 * Since: 1.0
 */
gboolean
zbus_remote_object_has_interface (ZbusRemoteObject *self,
                                  const char       *interface_name)
{
  g_return_val_if_fail (ZBUS_IS_REMOTE_OBJECT (self), FALSE);
  g_return_val_if_fail (interface_name != NULL, FALSE);

  return g_hash_table_contains (self->proxies, interface_name);
}

static int
compare_proxies (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (zbus_proxy_get_interface_name ((ZbusProxy *) a),
                 zbus_proxy_get_interface_name ((ZbusProxy *) b));
}

/**
 * zbus_remote_object_list_interfaces:
 * @self: a remote object
 *
 * Gets the proxies of every interface of the object, sorted by interface
 * name.
 *
 * Returns: (transfer full) (element-type Zbus.Proxy): the proxies
 *
 * Since: 1.0
 */
GList *
zbus_remote_object_list_interfaces (ZbusRemoteObject *self)
{
  GList *list;

  g_return_val_if_fail (ZBUS_IS_REMOTE_OBJECT (self), NULL);

  list = g_hash_table_get_values (self->proxies);
  for (GList *l = list; l != NULL; l = l->next)
    g_object_ref (l->data);
  return g_list_sort (list, compare_proxies);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/**
 * zbus_remote_object_dup_interface_names:
 * @self: a remote object
 *
 * Gets the names of the object's interfaces, sorted.
 *
 * Returns: (transfer full) (array zero-terminated=1): the names
 *
 * Since: 1.0
 */
char **
zbus_remote_object_dup_interface_names (ZbusRemoteObject *self)
{
  g_autoptr(GPtrArray) names = NULL;
  GHashTableIter iter;
  gpointer key;

  g_return_val_if_fail (ZBUS_IS_REMOTE_OBJECT (self), NULL);

  names = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, self->proxies);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (names, g_strdup (key));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);

  return (char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}
