/* zbus-proxy-cache.c: the property cache of ZbusProxy, and what the
 * remote object says
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "zbus-connection-private.h"
#include "zbus-error.h"
#include "zbus-message-private.h"
#include "zbus-proxy-private.h"

#define PROPERTIES_INTERFACE "org.freedesktop.DBus.Properties"

/* ------------------------------------------------------------------------ */
/* The cache: on the proxy's context */

static void
cache_entry_free (CacheEntry *entry)
{
  g_clear_pointer (&entry->value, g_variant_unref);
  g_free (entry);
}

GHashTable *
_zbus_proxy_cache_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                (GDestroyNotify) cache_entry_free);
}

gboolean
_zbus_proxy_is_cached_property (ZbusProxy  *self,
                                const char *name)
{
  ZbusProxyPrivate *priv = PRIV (self);

  return priv->cache_mode != ZBUS_PROXY_CACHE_MODE_NONE &&
         (priv->uncached == NULL || !g_strv_contains ((const char * const *) priv->uncached, name));
}

static void
cached_property_changed (ZbusProxy  *self,
                         const char *name,
                         GVariant   *value)
{
  ZbusProxyClass *klass = ZBUS_PROXY_GET_CLASS (self);

  if (klass->cached_property_changed != NULL)
    klass->cached_property_changed (self, name, value);
}

typedef enum
{
  CACHE_UNCHANGED,   /* the same value, or a property the cache does not hold */
  CACHE_CHANGED,
  CACHE_STALE,       /* the cache holds news from a later message */
} CacheStoreResult;

/* Stores what message @serial said about @name (a NULL @value: it was
 * invalidated), unless the cache holds news from a later message. */
static CacheStoreResult
cache_store (ZbusProxy  *self,
             const char *name,
             GVariant   *value,
             guint32     serial)
{
  ZbusProxyPrivate *priv = PRIV (self);
  CacheEntry *entry;

  if (!_zbus_proxy_is_cached_property (self, name))
    return CACHE_UNCHANGED;

  /* Only this context changes the cache: reading it needs no lock here,
   * changing it does (readers in other threads). */
  entry = g_hash_table_lookup (priv->cache, name);
  if (entry == NULL)
    {
      entry = g_new0 (CacheEntry, 1);
      g_mutex_lock (&priv->cache_lock);
      g_hash_table_insert (priv->cache, g_strdup (name), entry);
      g_mutex_unlock (&priv->cache_lock);
    }
  else if (serial != 0 && entry->serial != 0 && !_zbus_serial_after (serial, entry->serial))
    return CACHE_STALE;

  entry->serial = serial;
  if (entry->value == value ||
      (entry->value != NULL && value != NULL && g_variant_equal (entry->value, value)))
    return CACHE_UNCHANGED;

  {
    g_autoptr(GVariant) old = NULL;

    g_mutex_lock (&priv->cache_lock);
    old = g_steal_pointer (&entry->value);
    entry->value = value != NULL ? g_variant_ref (value) : NULL;
    g_mutex_unlock (&priv->cache_lock);
  }
  /* Outside the lock: the handler may read the cache. */
  cached_property_changed (self, name, value);
  return CACHE_CHANGED;
}

static void
cache_clear (ZbusProxy *self)
{
  ZbusProxyPrivate *priv = PRIV (self);
  g_autoptr(GHashTable) old = NULL;
  GHashTable *fresh = _zbus_proxy_cache_new ();
  GHashTableIter iter;
  gpointer key, value;

  g_mutex_lock (&priv->cache_lock);
  old = g_steal_pointer (&priv->cache);
  priv->cache = fresh;
  g_mutex_unlock (&priv->cache_lock);
  g_hash_table_iter_init (&iter, old);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (((CacheEntry *) value)->value != NULL)
      cached_property_changed (self, key, NULL);
}

GVariant *
_zbus_proxy_peek_cached (ZbusProxy  *self,
                         const char *name)
{
  CacheEntry *entry = g_hash_table_lookup (PRIV (self)->cache, name);

  return entry != NULL ? entry->value : NULL;
}

void
_zbus_proxy_cache_replace (ZbusProxy  *self,
                           const char *name,
                           GVariant   *value)
{
  g_autoptr(GVariant) owned = value != NULL ? g_variant_ref_sink (value) : NULL;

  cache_store (self, name, owned, 0);
}

/* Whether @reply comes from the owner the proxy knows now: an answer of
 * an earlier owner must not fill the cache of the new one. */
static gboolean
reply_from_owner (ZbusProxy   *self,
                  ZbusMessage *reply)
{
  ZbusProxyPrivate *priv = PRIV (self);

  return !priv->check_sender ||
         (priv->name_owner != NULL &&
          g_strcmp0 (zbus_message_get_sender (reply), priv->name_owner) == 0);
}

/* Applies a GetAll answer; with @emit, announces what it changed. */
gboolean
_zbus_proxy_apply_get_all (ZbusProxy    *self,
                           ZbusMessage  *reply,
                           gboolean      emit,
                           GError      **error)
{
  g_autoptr(GVariant) dict = NULL;

  if (zbus_message_to_gerror (reply, error))
    return FALSE;
  if (g_strcmp0 (zbus_message_get_signature (reply), "a{sv}") != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "GetAll answered with type “(%s)”, not “(a{sv})”",
                   zbus_message_get_signature (reply));
      return FALSE;
    }
  if (!reply_from_owner (self, reply))
    return TRUE;

  dict = g_variant_get_child_value (zbus_message_get_body (reply), 0);
  _zbus_proxy_seed_cache (self, dict, zbus_message_get_serial (reply), emit);
  return TRUE;
}

/* Stores @values (an a{sv}) that message @serial of the owner brought;
 * with @emit, announces what changed. */
void
_zbus_proxy_seed_cache (ZbusProxy *self,
                        GVariant  *values,
                        guint32    serial,
                        gboolean   emit)
{
  g_auto(GVariantBuilder) changed = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  GVariantIter iter;
  const char *name;
  GVariant *value;
  guint n_changed = 0;

  g_variant_iter_init (&iter, values);
  while (g_variant_iter_loop (&iter, "{&sv}", &name, &value))
    if (cache_store (self, name, value, serial) == CACHE_CHANGED)
      {
        g_variant_builder_add (&changed, "{sv}", name, value);
        n_changed++;
      }

  if (emit && n_changed > 0)
    _zbus_proxy_emit_properties_changed (self, g_variant_builder_end (&changed), NULL);
}

ZbusMessage *
_zbus_proxy_new_properties_call (ZbusProxy  *self,
                                 const char *method,
                                 GVariant   *body)
{
  ZbusProxyPrivate *priv = PRIV (self);
  g_autoptr(ZbusMessage) call = NULL;

  /* The names were checked when the proxy was made. */
  if (priv->names_checked)
    call = _zbus_message_new_method_call_trusted (priv->destination, priv->object_path,
                                                  PROPERTIES_INTERFACE, method, NULL);
  else
    call = zbus_message_new_method_call (priv->destination, priv->object_path,
                                         PROPERTIES_INTERFACE, method, NULL);
  g_assert (call != NULL);
  if (!zbus_message_set_body (call, body, NULL))
    g_assert_not_reached ();

  return g_steal_pointer (&call);
}

int
_zbus_proxy_resolve_timeout (ZbusProxy *self,
                             int        timeout_msec)
{
  /* zbus_proxy_set_default_timeout() may run in another thread. */
  return timeout_msec == ZBUS_TIMEOUT_DEFAULT ? g_atomic_int_get (&PRIV (self)->default_timeout)
                                              : timeout_msec;
}

static void
load_cache_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GWeakRef *weak = user_data;
  g_autoptr(ZbusProxy) self = g_weak_ref_get (weak);
  g_autoptr(ZbusMessage) reply = NULL;
  g_autoptr(GError) error = NULL;

  g_weak_ref_clear (weak);
  g_free (weak);

  reply = zbus_connection_send_message_with_reply_finish (ZBUS_CONNECTION (object), result, &error);
  if (self == NULL)
    return;
  if (reply == NULL || !_zbus_proxy_apply_get_all (self, reply, TRUE, &error))
    g_debug ("Could not load the properties of %s at %s: %s",
             PRIV (self)->interface_name, PRIV (self)->object_path, error->message);
}

/* Fetches every property in the background. Nobody waits for it: the
 * cache fills, and properties-changed says what arrived. */
static void
load_cache (ZbusProxy *self)
{
  ZbusProxyPrivate *priv = PRIV (self);
  g_autoptr(ZbusMessage) call = NULL;
  GWeakRef *weak = g_new0 (GWeakRef, 1);

  call = _zbus_proxy_new_properties_call (self, "GetAll", g_variant_new ("(s)", priv->interface_name));
  g_weak_ref_init (weak, self);
  zbus_connection_send_message_with_reply (priv->connection, call,
                                           _zbus_proxy_resolve_timeout (self, ZBUS_TIMEOUT_DEFAULT),
                                           NULL, load_cache_cb, weak);
}

static gboolean
has_owner (ZbusProxy *self)
{
  return !PRIV (self)->check_sender || PRIV (self)->name_owner != NULL;
}

static gboolean
activate_cache_cb (gpointer data)
{
  g_autoptr(ZbusProxy) self = g_weak_ref_get (data);

  if (self != NULL && has_owner (self))
    load_cache (self);
  return G_SOURCE_REMOVE;
}

static void
weak_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

/* In the lazy mode, the first use of the cache starts filling it, on the
 * proxy's context: the answer must arrive there, and the owner is known
 * there. Any thread. */
static void
activate_cache (ZbusProxy *self)
{
  ZbusProxyPrivate *priv = PRIV (self);

  if (priv->cache_mode != ZBUS_PROXY_CACHE_MODE_LAZY || !priv->initialized ||
      g_atomic_int_get (&priv->cache_active) ||
      !g_atomic_int_compare_and_exchange (&priv->cache_active, FALSE, TRUE))
    return;

  if (g_main_context_acquire (priv->context))
    {
      g_main_context_push_thread_default (priv->context);
      if (has_owner (self))
        load_cache (self);
      g_main_context_pop_thread_default (priv->context);
      g_main_context_release (priv->context);
    }
  else
    {
      GWeakRef *weak = g_new0 (GWeakRef, 1);

      /* Another thread runs the context. */
      g_weak_ref_init (weak, self);
      g_main_context_invoke_full (priv->context, G_PRIORITY_DEFAULT, activate_cache_cb, weak,
                                  weak_ref_free);
    }
}

/* ------------------------------------------------------------------------ */
/* Signals from the intake, in arrival order, on the proxy's context */

static void
set_name_owner (ZbusProxy  *self,
                const char *owner)
{
  ZbusProxyPrivate *priv = PRIV (self);

  if (g_strcmp0 (owner, priv->name_owner) == 0)
    return;

  g_free (priv->name_owner);
  priv->name_owner = g_strdup (owner);

  /* Nothing the old owner said holds for the new one. */
  cache_clear (self);
  _zbus_proxy_notify_name_owner (self);
  _zbus_proxy_emit_cache_reset (self);

  if (owner != NULL && g_atomic_int_get (&priv->cache_active))
    load_cache (self);
}

static void
handle_properties_changed (ZbusProxy   *self,
                           ZbusMessage *message)
{
  GVariant *body = zbus_message_get_body (message);
  guint32 serial = zbus_message_get_serial (message);
  g_autoptr(GVariant) changed = NULL;
  g_autoptr(GVariant) invalidated_array = NULL;
  g_autofree const char **invalidated = NULL;
  g_autoptr(GPtrArray) stale = NULL;   /* 1 + the index of each stale change */
  gsize n_changed;
  guint n_invalidated = 0;

  if (g_strcmp0 (zbus_message_get_signature (message), "sa{sv}as") != 0)
    return;

  /* Taken apart by hand, not with format strings: g_variant_get() parses
   * its format on every call, which costs more than the values. */
  changed = g_variant_get_child_value (body, 1);
  invalidated_array = g_variant_get_child_value (body, 2);
  invalidated = g_variant_get_strv (invalidated_array, NULL);
  n_changed = g_variant_n_children (changed);
  for (gsize i = 0; i < n_changed; i++)
    {
      g_autoptr(GVariant) entry = g_variant_get_child_value (changed, i);
      g_autoptr(GVariant) key = g_variant_get_child_value (entry, 0);
      g_autoptr(GVariant) boxed = g_variant_get_child_value (entry, 1);
      g_autoptr(GVariant) value = g_variant_get_variant (boxed);

      if (cache_store (self, g_variant_get_string (key, NULL), value, serial) == CACHE_STALE)
        {
          if (stale == NULL)
            stale = g_ptr_array_new ();
          g_ptr_array_add (stale, GSIZE_TO_POINTER (i + 1));
        }
    }
  for (guint i = 0; invalidated[i] != NULL; i++)
    {
      /* What a later message said stands: this is no news. */
      if (cache_store (self, invalidated[i], NULL, serial) == CACHE_STALE)
        {
          if (stale == NULL)
            stale = g_ptr_array_new ();
          continue;
        }
      invalidated[n_invalidated++] = invalidated[i];
    }
  invalidated[n_invalidated] = NULL;

  if (stale != NULL)
    {
      /* Only what the cache took is announced, as _zbus_proxy_seed_cache()
       * does: an older message must not announce values the cache already
       * replaced. */
      g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
      guint next = 0;
      gsize n_kept = 0;

      for (gsize i = 0; i < n_changed; i++)
        {
          if (next < stale->len && GPOINTER_TO_SIZE (g_ptr_array_index (stale, next)) == i + 1)
            {
              next++;
              continue;
            }
          {
            g_autoptr(GVariant) entry = g_variant_get_child_value (changed, i);

            g_variant_builder_add_value (&builder, entry);
            n_kept++;
          }
        }
      if (n_kept == 0 && n_invalidated == 0)
        return;
      g_clear_pointer (&changed, g_variant_unref);
      changed = g_variant_ref_sink (g_variant_builder_end (&builder));
    }

  _zbus_proxy_emit_properties_changed (self, changed, invalidated);
}

static void
handle_signal (ZbusProxy   *self,
               ZbusMessage *message)
{
  const char *member = zbus_message_get_member (message);
  g_autoptr(GVariant) parameters = zbus_message_get_body (message);

  if (parameters != NULL)
    g_variant_ref (parameters);
  else
    parameters = g_variant_ref_sink (g_variant_new ("()"));

  /* Only a name somebody connected to becomes a quark: a remote cannot
   * grow the quark table. */
  _zbus_proxy_emit_dbus_signal (self, g_quark_try_string (member),
                                zbus_message_get_sender (message), member, parameters);
}

static void
process_item (ZbusProxy      *self,
              ZbusIntakeItem *item)
{
  ZbusProxyPrivate *priv = PRIV (self);

  if (item->kind == ZBUS_INTAKE_OWNER)
    {
      guint32 serial = zbus_message_get_serial (item->message);

      /* Construction's GetNameOwner may have answered after it. */
      if (!_zbus_serial_after (serial, priv->owner_serial))
        return;
      priv->owner_serial = serial;
      set_name_owner (self, item->new_owner);
      return;
    }

  if (item->deferred && !reply_from_owner (self, item->message))
    return;

  if (item->kind == ZBUS_INTAKE_PROPERTIES)
    handle_properties_changed (self, item->message);
  else
    handle_signal (self, item->message);
}

gboolean
_zbus_proxy_dispatch_cb (gpointer data)
{
  ZbusIntake *in = data;
  g_autoptr(ZbusProxy) self = g_weak_ref_get (&in->proxy);
  GQueue items;
  ZbusIntakeItem *item;

  /* Before construction ends the items wait; it schedules them. */
  items = _zbus_intake_take_items (in, self != NULL && PRIV (self)->initialized);
  if (g_queue_is_empty (&items))
    return G_SOURCE_REMOVE;

  /* Whoever iterates the proxy's context need not have made it the
   * thread-default one: what the items start (the GetAll a new owner
   * needs) must answer on the proxy's context. */
  g_main_context_push_thread_default (PRIV (self)->context);
  while ((item = g_queue_pop_head (&items)) != NULL)
    {
      process_item (self, item);
      _zbus_intake_item_free (item);
    }
  g_main_context_pop_thread_default (PRIV (self)->context);

  return G_SOURCE_REMOVE;
}


/* ------------------------------------------------------------------------ */
/* The cache, as the program sees it */

/**
 * zbus_proxy_get_cached_property:
 * @self: a proxy
 * @name: a D-Bus property's name
 *
 * Gets the value of @name from the cache, without I/O.
 *
 * With %ZBUS_PROXY_CACHE_MODE_LAZY, the first use of the cache starts
 * fetching every property in the background; until they arrive
 * ([signal@Zbus.Proxy::properties-changed] tells) this returns %NULL for
 * the properties no `PropertiesChanged` signal mentioned yet.
 *
 * Any thread may call this; the cache changes on the proxy's context
 * (see "Threads" in [class@Zbus.Proxy]), so in another thread the value
 * may already have changed when it is returned.
 *
 * Returns: (transfer full) (nullable): the value, or %NULL if the cache
 *   does not hold it (never fetched, invalidated, uncached, no cache)
 *
 * Since: 1.0
 */
GVariant *
zbus_proxy_get_cached_property (ZbusProxy  *self,
                                const char *name)
{
  ZbusProxyPrivate *priv;
  CacheEntry *entry;
  GVariant *value;

  g_return_val_if_fail (ZBUS_IS_PROXY (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  priv = PRIV (self);
  if (G_UNLIKELY (!g_atomic_int_get (&priv->cache_active)))
    activate_cache (self);
  /* Any thread may read: the lock keeps the value alive until it is
   * referenced. */
  g_mutex_lock (&priv->cache_lock);
  entry = g_hash_table_lookup (priv->cache, name);
  value = entry != NULL && entry->value != NULL ? g_variant_ref (entry->value) : NULL;
  g_mutex_unlock (&priv->cache_lock);
  return value;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/**
 * zbus_proxy_get_cached_property_names:
 * @self: a proxy
 *
 * Gets the names of the properties whose values the cache holds, without
 * I/O. In the lazy mode this starts filling the cache, as
 * [method@Zbus.Proxy.get_cached_property] does. Any thread may call this.
 *
 * Returns: (transfer full) (array zero-terminated=1): the names, sorted
 *
 * Since: 1.0
 */
char **
zbus_proxy_get_cached_property_names (ZbusProxy *self)
{
  g_autoptr(GPtrArray) names = NULL;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (ZBUS_IS_PROXY (self), NULL);

  activate_cache (self);
  names = g_ptr_array_new ();
  g_mutex_lock (&PRIV (self)->cache_lock);
  g_hash_table_iter_init (&iter, PRIV (self)->cache);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (((CacheEntry *) value)->value != NULL)
      g_ptr_array_add (names, g_strdup (key));
  g_mutex_unlock (&PRIV (self)->cache_lock);
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);

  return (char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

/* ------------------------------------------------------------------------ */
/* Reading and writing over D-Bus */

/* `(interface, name)`, the arguments of Get, built from their parts:
 * g_variant_new()'s format string costs more than the rest of the body
 * together, on every read. */
static GVariant *
get_parameters (ZbusProxy  *self,
                const char *name)
{
  GVariant *args[2] = {
    g_variant_new_string (PRIV (self)->interface_name),
    g_variant_new_string (name),
  };

  return g_variant_new_tuple (args, G_N_ELEMENTS (args));
}

/* A Get answer: cached when it is the owner's and the property is. */
static GVariant *
apply_get (ZbusProxy    *self,
           const char   *name,
           ZbusMessage  *reply,
           GError      **error)
{
  GVariant *value = NULL;

  if (zbus_message_to_gerror (reply, error))
    return NULL;
  if (g_strcmp0 (zbus_message_get_signature (reply), "v") != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "Get of property %s answered with type “(%s)”, not “(v)”", name,
                   zbus_message_get_signature (reply));
      return NULL;
    }

  {
    g_autoptr(GVariant) child = g_variant_get_child_value (zbus_message_get_body (reply), 0);

    value = g_variant_get_variant (child);
  }
  if (reply_from_owner (self, reply))
    cache_store (self, name, value, zbus_message_get_serial (reply));
  return value;
}

/* The cached value, when there is one to answer with. */
static GVariant *
lookup_for_read (ZbusProxy  *self,
                 const char *name)
{
  CacheEntry *entry;
  GVariant *value;

  if (!_zbus_proxy_is_cached_property (self, name))
    return NULL;

  activate_cache (self);
  /* Any thread may read: the lock keeps the value alive until it is
   * referenced. */
  g_mutex_lock (&PRIV (self)->cache_lock);
  entry = g_hash_table_lookup (PRIV (self)->cache, name);
  value = entry != NULL && entry->value != NULL ? g_variant_ref (entry->value) : NULL;
  g_mutex_unlock (&PRIV (self)->cache_lock);
  return value;
}

/**
 * zbus_proxy_get_dbus_property:
 * @self: a proxy
 * @name: a D-Bus property's name
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads the D-Bus property @name: from the cache when it holds the value,
 * else with a `Get` call whose answer goes into the cache (unless @name
 * is uncached or the proxy has no cache).
 *
 * (Not `get_property`: that would hide GObject's in bindings.)
 *
 * Returns: (transfer full): the value, or %NULL with @error set (the
 *   remote's error, as its D-Bus name maps)
 *
 * Since: 1.0
 */
GVariant *
zbus_proxy_get_dbus_property (ZbusProxy     *self,
                              const char    *name,
                              GCancellable  *cancellable,
                              GError       **error)
{
  ZbusProxyPrivate *priv;
  g_autoptr(ZbusMessage) call = NULL;
  g_autoptr(ZbusMessage) reply = NULL;
  GVariant *value;

  g_return_val_if_fail (ZBUS_IS_PROXY (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  priv = PRIV (self);
  value = lookup_for_read (self, name);
  if (value != NULL)
    return value;

  call = _zbus_proxy_new_properties_call (self, "Get", get_parameters (self, name));
  reply = zbus_connection_send_message_with_reply_sync (priv->connection, call,
                                                        _zbus_proxy_resolve_timeout (self, ZBUS_TIMEOUT_DEFAULT),
                                                        cancellable, error);
  if (reply == NULL)
    return NULL;

  return apply_get (self, name, reply, error);
}

static void
get_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ZbusProxy *self = g_task_get_source_object (task);
  g_autoptr(ZbusMessage) reply = NULL;
  GError *error = NULL;
  GVariant *value;

  reply = zbus_connection_send_message_with_reply_finish (ZBUS_CONNECTION (object), result, &error);
  value = reply != NULL ? apply_get (self, g_task_get_task_data (task), reply, &error) : NULL;
  if (value == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, value, (GDestroyNotify) g_variant_unref);
}

/**
 * zbus_proxy_get_dbus_property_async:
 * @self: a proxy
 * @name: a D-Bus property's name
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the value
 * @user_data: (closure): data for @callback
 *
 * Reads the D-Bus property @name without blocking; see
 * [method@Zbus.Proxy.get_dbus_property]. A cached value is answered
 * from an idle callback.
 *
 * Since: 1.0
 */
void
zbus_proxy_get_dbus_property_async (ZbusProxy           *self,
                                    const char          *name,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  ZbusProxyPrivate *priv;
  g_autoptr(ZbusMessage) call = NULL;
  GTask *task;
  GVariant *value;

  g_return_if_fail (ZBUS_IS_PROXY (self));
  g_return_if_fail (name != NULL);

  priv = PRIV (self);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, zbus_proxy_get_dbus_property_async);
  g_task_set_task_data (task, g_strdup (name), g_free);

  value = lookup_for_read (self, name);
  if (value != NULL)
    {
      g_task_return_pointer (task, value, (GDestroyNotify) g_variant_unref);
      g_object_unref (task);
      return;
    }

  call = _zbus_proxy_new_properties_call (self, "Get", get_parameters (self, name));
  zbus_connection_send_message_with_reply (priv->connection, call,
                                           _zbus_proxy_resolve_timeout (self, ZBUS_TIMEOUT_DEFAULT),
                                           cancellable, get_done_cb, task);
}

/**
 * zbus_proxy_get_dbus_property_finish:
 * @self: a proxy
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Zbus.Proxy.get_dbus_property_async].
 *
 * Returns: (transfer full): the value, or %NULL with @error set
 *
 * Since: 1.0
 */
GVariant *
zbus_proxy_get_dbus_property_finish (ZbusProxy     *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (ZBUS_IS_PROXY (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static GVariant *
set_parameters (ZbusProxy  *self,
                const char *name,
                GVariant   *value)
{
  GVariant *args[3] = {
    g_variant_new_string (PRIV (self)->interface_name),
    g_variant_new_string (name),
    g_variant_new_variant (value),
  };

  /* As get_parameters(): no format string to parse. */
  return g_variant_new_tuple (args, G_N_ELEMENTS (args));
}

/**
 * zbus_proxy_set_dbus_property:
 * @self: a proxy
 * @name: a D-Bus property's name
 * @value: the new value (a floating reference is sunk)
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Writes the D-Bus property @name with a `Set` call and waits for the
 * answer. The cache is not changed: the remote's `PropertiesChanged`
 * updates it.
 *
 * Returns: %TRUE once the remote accepted the value, %FALSE with @error
 *   set to its error otherwise
 *
 * Since: 1.0
 */
gboolean
zbus_proxy_set_dbus_property (ZbusProxy     *self,
                              const char    *name,
                              GVariant      *value,
                              GCancellable  *cancellable,
                              GError       **error)
{
  ZbusProxyPrivate *priv;
  g_autoptr(GVariant) reply = NULL;

  g_return_val_if_fail (ZBUS_IS_PROXY (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  priv = PRIV (self);
  reply = _zbus_connection_call_sync_full (priv->connection, priv->names_checked,
                                           priv->destination, priv->object_path,
                                           PROPERTIES_INTERFACE, "Set",
                                           set_parameters (self, name, value), NULL,
                                           ZBUS_MESSAGE_FLAGS_NONE,
                                           _zbus_proxy_resolve_timeout (self, ZBUS_TIMEOUT_DEFAULT),
                                           cancellable, error);
  return reply != NULL;
}

static void
set_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GVariant) reply = NULL;
  GError *error = NULL;

  reply = zbus_connection_call_finish (ZBUS_CONNECTION (object), result, &error);
  if (reply == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * zbus_proxy_set_dbus_property_async:
 * @self: a proxy
 * @name: a D-Bus property's name
 * @value: the new value (a floating reference is sunk)
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the outcome
 * @user_data: (closure): data for @callback
 *
 * Writes the D-Bus property @name without blocking; see
 * [method@Zbus.Proxy.set_dbus_property]. The finish function reports the
 * remote's error.
 *
 * Since: 1.0
 */
void
zbus_proxy_set_dbus_property_async (ZbusProxy           *self,
                                    const char          *name,
                                    GVariant            *value,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  ZbusProxyPrivate *priv;
  GTask *task;

  g_return_if_fail (ZBUS_IS_PROXY (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (value != NULL);

  priv = PRIV (self);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, zbus_proxy_set_dbus_property_async);
  _zbus_connection_call_full (priv->connection, priv->names_checked, priv->destination,
                              priv->object_path, PROPERTIES_INTERFACE, "Set",
                              set_parameters (self, name, value), NULL, ZBUS_MESSAGE_FLAGS_NONE,
                              _zbus_proxy_resolve_timeout (self, ZBUS_TIMEOUT_DEFAULT),
                              cancellable, set_done_cb, task);
}

/**
 * zbus_proxy_set_dbus_property_finish:
 * @self: a proxy
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Zbus.Proxy.set_dbus_property_async].
 *
 * Returns: %TRUE once the remote accepted the value, %FALSE with @error
 *   set otherwise
 *
 * Since: 1.0
 */
gboolean
zbus_proxy_set_dbus_property_finish (ZbusProxy     *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (ZBUS_IS_PROXY (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------------ */
/* Refreshing */

static gboolean
check_has_cache (ZbusProxy  *self,
                 GError    **error)
{
  if (PRIV (self)->cache_mode != ZBUS_PROXY_CACHE_MODE_NONE)
    return TRUE;

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               "The proxy of %s at %s has no property cache (its cache-mode is none)",
               PRIV (self)->interface_name, PRIV (self)->object_path);
  return FALSE;
}

/**
 * zbus_proxy_refresh_cache:
 * @self: a proxy
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Fetches every property again with `GetAll` and waits for the answer.
 * [signal@Zbus.Proxy::properties-changed] announces the values that
 * changed.
 *
 * Returns: %TRUE on success, %FALSE with @error set (also when the
 *   proxy has no cache)
 *
 * Since: 1.0
 */
gboolean
zbus_proxy_refresh_cache (ZbusProxy     *self,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr(ZbusMessage) call = NULL;
  g_autoptr(ZbusMessage) reply = NULL;

  g_return_val_if_fail (ZBUS_IS_PROXY (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_has_cache (self, error))
    return FALSE;

  g_atomic_int_set (&PRIV (self)->cache_active, TRUE);
  call = _zbus_proxy_new_properties_call (self, "GetAll",
                                          g_variant_new ("(s)", PRIV (self)->interface_name));
  reply = zbus_connection_send_message_with_reply_sync (PRIV (self)->connection, call,
                                                        _zbus_proxy_resolve_timeout (self, ZBUS_TIMEOUT_DEFAULT),
                                                        cancellable, error);
  return reply != NULL && _zbus_proxy_apply_get_all (self, reply, TRUE, error);
}

static void
refresh_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ZbusProxy *self = g_task_get_source_object (task);
  g_autoptr(ZbusMessage) reply = NULL;
  GError *error = NULL;

  reply = zbus_connection_send_message_with_reply_finish (ZBUS_CONNECTION (object), result, &error);
  if (reply == NULL || !_zbus_proxy_apply_get_all (self, reply, TRUE, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * zbus_proxy_refresh_cache_async:
 * @self: a proxy
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the cache is refreshed
 * @user_data: (closure): data for @callback
 *
 * Fetches every property again without blocking; see
 * [method@Zbus.Proxy.refresh_cache].
 *
 * Since: 1.0
 */
void
zbus_proxy_refresh_cache_async (ZbusProxy           *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(ZbusMessage) call = NULL;
  GError *error = NULL;
  GTask *task;

  g_return_if_fail (ZBUS_IS_PROXY (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, zbus_proxy_refresh_cache_async);
  if (!check_has_cache (self, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  g_atomic_int_set (&PRIV (self)->cache_active, TRUE);
  call = _zbus_proxy_new_properties_call (self, "GetAll",
                                          g_variant_new ("(s)", PRIV (self)->interface_name));
  zbus_connection_send_message_with_reply (PRIV (self)->connection, call,
                                           _zbus_proxy_resolve_timeout (self, ZBUS_TIMEOUT_DEFAULT),
                                           cancellable, refresh_done_cb, task);
}

/**
 * zbus_proxy_refresh_cache_finish:
 * @self: a proxy
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Zbus.Proxy.refresh_cache_async].
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
zbus_proxy_refresh_cache_finish (ZbusProxy     *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (ZBUS_IS_PROXY (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
