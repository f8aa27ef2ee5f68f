/* zbus-object-manager-client.c
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "zbus-connection-private.h"
#include "zbus-enum-types.h"
#include "zbus-error.h"
#include "zbus-interface.h"
#include "zbus-match-rule.h"
#include "zbus-object-manager-client.h"
#include "zbus-proxy-private.h"
#include "zbus-proxy-type-private.h"
#include "zbus-remote-object-private.h"

/**
 * ZbusObjectManagerClient:
 *
 * The objects a remote service exports under an
 * `org.freedesktop.DBus.ObjectManager`, as a [iface@Gio.ListModel] of
 * [class@Zbus.RemoteObject]s sorted by object path.
 *
 * A manager client names a bus name (well-known or unique; %NULL on a
 * peer-to-peer connection) and the path of the manager object. It listens
 * to the signals of the objects under that path before it asks for them
 * with `GetManagedObjects`, so no change is lost, and then follows
 * `InterfacesAdded` and `InterfacesRemoved`: objects appear in and leave
 * the model, with [signal@Gio.ListModel::items-changed], and interfaces of
 * objects already there are announced by
 * [signal@Zbus.ObjectManagerClient::interface-added] and
 * [signal@Zbus.ObjectManagerClient::interface-removed].
 *
 * Each interface of an object is a [class@Zbus.Proxy] whose property
 * cache starts with the values the service announced, without a `GetAll`
 * per object, and which the manager keeps up to date: one match rule
 * covers every object, and the manager hands each proxy its
 * `PropertiesChanged` and other signals in the order they arrived. What
 * the service sent before it answered `GetManagedObjects` is not handed
 * on: the answer includes it.
 *
 * ## Typed proxies
 *
 * By default each interface is a plain [class@Zbus.Proxy]. Given a proxy
 * type for an interface name ([method@Zbus.ObjectManagerClient.set_interface_type],
 * or [method@Zbus.ObjectManagerClient.add_interface_type] from a
 * [class@Zbus.Interface] type, or [method@Zbus.ObjectManagerClient.add_interface_info]
 * from introspection data), the manager makes the proxies of that
 * interface of that type instead: their GObject properties mirror the
 * remote ones, start with the values `GetManagedObjects` and
 * `InterfacesAdded` carried (no call per object), notify as
 * `PropertiesChanged` arrives, and can be bound with
 * g_object_bind_property(); the D-Bus signals are GObject signals.
 *
 * The types apply to the proxies made after they are set. To have them
 * from the first `GetManagedObjects` on, make the manager client in two
 * steps: construct it with g_object_new() (`Zbus.ObjectManagerClient(...)`
 * in Python, `new Zbus.ObjectManagerClient({...})` in JavaScript), set
 * the types, then initialize it with g_async_initable_init_async() or
 * g_initable_init(). Set later, a type is used for interfaces that
 * appear from then on, and for every object once the objects are fetched
 * again (when the name gets a new owner); proxies already made keep
 * their type.
 *
 * ## The owner of the name
 *
 * For a well-known name the manager follows its owner
 * ([property@Zbus.ObjectManagerClient:name-owner]): when the owner goes
 * away the model empties; when a new owner comes, its objects are fetched
 * again. Only the current owner's signals count. An activatable service
 * that is not running is started while the manager client is constructed
 * only with %ZBUS_OBJECT_MANAGER_CLIENT_FLAGS_AUTO_START; otherwise, and
 * after construction, the manager waits for the name to be owned.
 *
 * ## Threads
 *
 * A manager client belongs to the thread-default main context of the
 * thread that made it: the model changes, and the signals of its objects
 * and proxies are emitted there, and its methods must be called from the
 * thread that runs that context.
 *
 * Since: 1.0
 */

#define OBJECT_MANAGER_INTERFACE "org.freedesktop.DBus.ObjectManager"
#define PROPERTIES_INTERFACE "org.freedesktop.DBus.Properties"

struct _ZbusObjectManagerClient
{
  GObject parent_instance;

  ZbusConnection *connection;   /* (owned) */
  char *name;                   /* (owned) (nullable) */
  char *object_path;            /* (owned) */
  ZbusObjectManagerClientFlags flags;
  GMainContext *context;        /* (owned) */

  gboolean initialized;
  GError *init_error;           /* (owned) (nullable) */
  gboolean check_sender;        /* a name on a bus: its owner only */
  char *name_owner;             /* (owned) (nullable) */
  guint32 owner_serial;

  ZbusIntake *intake;           /* (owned) (nullable) */
  guint filter_id;
  GPtrArray *match_rules;       /* (owned) (element-type utf8): AddMatch sent */

  GPtrArray *objects;           /* (owned) (element-type ZbusRemoteObject): by path */
  GHashTable *by_path;          /* (owned): path → ZbusRemoteObject (unowned) */
  GHashTable *proxy_types;      /* (owned): interface name → GType of its proxies */

  /* While GetManagedObjects is out, signals wait in @backlog: they are
   * judged against its answer once it is in. */
  gboolean fetching;
  guint fetch_generation;
  gboolean has_snapshot;
  guint32 snapshot_serial;      /* of the GetManagedObjects answer */
  GQueue backlog;               /* (element-type ZbusIntakeItem) (owned) */
};

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_NAME,
  PROP_OBJECT_PATH,
  PROP_FLAGS,
  PROP_NAME_OWNER,
  PROP_ITEM_TYPE,
  PROP_N_ITEMS,
  N_PROPS
};

enum {
  SIGNAL_INTERFACE_ADDED,
  SIGNAL_INTERFACE_REMOVED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void zbus_object_manager_client_list_model_iface_init     (GListModelInterface *iface);
static void zbus_object_manager_client_initable_iface_init       (GInitableIface      *iface);
static void zbus_object_manager_client_async_initable_iface_init (GAsyncInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ZbusObjectManagerClient, zbus_object_manager_client, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      zbus_object_manager_client_list_model_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      zbus_object_manager_client_initable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_ASYNC_INITABLE,
                                                      zbus_object_manager_client_async_initable_iface_init))

static gboolean dispatch_cb (gpointer data);

/* ------------------------------------------------------------------------ */
/* The model */

/* The index of @path in the sorted array, or where it would go. */
static guint
find_position (ZbusObjectManagerClient *self,
               const char              *path,
               gboolean                *found)
{
  guint lo = 0, hi = self->objects->len;

  *found = FALSE;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      int cmp = strcmp (zbus_remote_object_get_object_path (g_ptr_array_index (self->objects, mid)),
                        path);

      if (cmp == 0)
        {
          *found = TRUE;
          return mid;
        }
      if (cmp < 0)
        lo = mid + 1;
      else
        hi = mid;
    }

  return lo;
}

static int
compare_objects (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (zbus_remote_object_get_object_path (*(ZbusRemoteObject * const *) a),
                 zbus_remote_object_get_object_path (*(ZbusRemoteObject * const *) b));
}

/* Without @emit, while a GetManagedObjects answer fills the model, the
 * object goes at the end: apply_snapshot() sorts them all once, rather
 * than moving the array for each of many objects. */
static void
insert_object (ZbusObjectManagerClient *self,
               ZbusRemoteObject        *object,
               gboolean                 emit)
{
  const char *path = zbus_remote_object_get_object_path (object);
  gboolean found;
  guint position;

  g_hash_table_insert (self->by_path, (gpointer) path, object);
  if (!emit)
    {
      g_ptr_array_add (self->objects, g_object_ref (object));
      return;
    }

  position = find_position (self, path, &found);
  g_assert (!found);
  g_ptr_array_insert (self->objects, position, g_object_ref (object));
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
remove_object (ZbusObjectManagerClient *self,
               ZbusRemoteObject        *object)
{
  gboolean found;
  guint position = find_position (self, zbus_remote_object_get_object_path (object), &found);
  g_autoptr(ZbusRemoteObject) removed = NULL;

  g_assert (found);
  g_hash_table_remove (self->by_path, zbus_remote_object_get_object_path (object));
  removed = g_ptr_array_steal_index (self->objects, position);
  _zbus_remote_object_detach (removed);

  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

/* Empties the model: the objects' proxies stop receiving. */
static void
clear_objects (ZbusObjectManagerClient *self,
               gboolean                 emit)
{
  g_autoptr(GPtrArray) old = NULL;

  if (self->objects == NULL || self->objects->len == 0)
    return;

  old = g_steal_pointer (&self->objects);
  self->objects = g_ptr_array_new_with_free_func (g_object_unref);
  g_hash_table_remove_all (self->by_path);
  for (guint i = 0; i < old->len; i++)
    _zbus_remote_object_detach (g_ptr_array_index (old, i));

  if (emit)
    {
      g_list_model_items_changed (G_LIST_MODEL (self), 0, old->len, 0);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
    }
}

/* Whether @path is below the manager's path: the objects it may report. */
static gboolean
is_managed_path (ZbusObjectManagerClient *self,
                 const char              *path)
{
  size_t len = strlen (self->object_path);

  if (g_str_equal (self->object_path, "/"))
    return path[1] != '\0';
  return strncmp (path, self->object_path, len) == 0 && path[len] == '/';
}

static ZbusProxy *
new_interface_proxy (ZbusObjectManagerClient *self,
                     const char              *path,
                     const char              *interface_name,
                     GVariant                *props,
                     guint32                  serial)
{
  g_autoptr(ZbusProxy) proxy = NULL;
  g_autoptr(GError) error = NULL;
  GType type = GPOINTER_TO_SIZE (g_hash_table_lookup (self->proxy_types, interface_name));

  /* The proxy belongs to the manager's context. */
  g_main_context_push_thread_default (self->context);
  proxy = g_object_new (type != 0 ? type : ZBUS_TYPE_PROXY,
                        "connection", self->connection,
                        "destination", self->name,
                        "object-path", path,
                        "interface-name", interface_name,
                        "cache-mode", ZBUS_PROXY_CACHE_MODE_EAGER,
                        NULL);
  g_main_context_pop_thread_default (self->context);

  if (!_zbus_proxy_init_managed (proxy, self->name_owner, self->owner_serial, props, serial,
                                 &error))
    {
      g_debug ("Ignoring interface %s of %s: %s", interface_name, path, error->message);
      return NULL;
    }

  return g_steal_pointer (&proxy);
}

/* Adds what @interfaces (an a{sa{sv}}) says of the object at @path, from
 * message @serial: new objects, new interfaces, and values for interfaces
 * already there. */
static void
add_interfaces (ZbusObjectManagerClient *self,
                const char              *path,
                GVariant                *interfaces,
                guint32                  serial,
                gboolean                 emit)
{
  g_autoptr(ZbusRemoteObject) object = NULL;
  gboolean is_new;
  GVariantIter iter;
  const char *interface_name;
  GVariant *props;

  if (!is_managed_path (self, path))
    {
      g_debug ("Ignoring object %s: it is not below the manager at %s", path, self->object_path);
      return;
    }

  object = g_hash_table_lookup (self->by_path, path);
  is_new = object == NULL;
  if (is_new)
    object = _zbus_remote_object_new (path);
  else
    g_object_ref (object);

  g_variant_iter_init (&iter, interfaces);
  while (g_variant_iter_loop (&iter, "{&s@a{sv}}", &interface_name, &props))
    {
      ZbusProxy *existing = _zbus_remote_object_peek_interface (object, interface_name);
      g_autoptr(ZbusProxy) proxy = NULL;

      if (existing != NULL)
        {
          _zbus_proxy_seed_cache (existing, props, serial, emit);
          continue;
        }

      proxy = new_interface_proxy (self, path, interface_name, props, serial);
      if (proxy == NULL)
        continue;
      _zbus_remote_object_add_interface (object, proxy, emit && !is_new);
      if (emit && !is_new)
        g_signal_emit (self, signals[SIGNAL_INTERFACE_ADDED], 0, object, proxy);
    }

  if (is_new && _zbus_remote_object_get_n_interfaces (object) > 0)
    insert_object (self, object, emit);
}

static void
remove_interfaces (ZbusObjectManagerClient *self,
                   const char              *path,
                   const char * const      *interface_names)
{
  ZbusRemoteObject *object = g_hash_table_lookup (self->by_path, path);
  g_autoptr(GHashTable) gone = NULL;

  if (object == NULL)
    return;

  /* The interfaces it has, each counted once: the remote may name one
   * twice, or name some the object never had. */
  gone = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; interface_names[i] != NULL; i++)
    if (_zbus_remote_object_peek_interface (object, interface_names[i]) != NULL)
      g_hash_table_add (gone, (gpointer) interface_names[i]);
  if (g_hash_table_size (gone) == 0)
    return;

  /* An object that loses its last interface leaves the model: that says
   * it all, interface by interface signals would only be noise. */
  if (g_hash_table_size (gone) == _zbus_remote_object_get_n_interfaces (object))
    {
      remove_object (self, object);
      return;
    }

  for (guint i = 0; interface_names[i] != NULL; i++)
    {
      g_autoptr(ZbusProxy) proxy = NULL;

      proxy = _zbus_remote_object_remove_interface (object, interface_names[i], TRUE);
      if (proxy != NULL)
        g_signal_emit (self, signals[SIGNAL_INTERFACE_REMOVED], 0, object, proxy);
    }
}

/* ------------------------------------------------------------------------ */
/* GetManagedObjects */

static ZbusMessage *
new_get_managed_objects_call (ZbusObjectManagerClient *self)
{
  g_autoptr(ZbusMessage) call = NULL;
  g_autoptr(GError) error = NULL;

  /* To the owner itself: its answer describes the objects of the owner
   * the signals are judged against, and no activation is triggered. */
  call = zbus_message_new_method_call (self->check_sender ? self->name_owner : self->name,
                                       self->object_path, OBJECT_MANAGER_INTERFACE,
                                       "GetManagedObjects", &error);
  g_assert_no_error (error);
  return g_steal_pointer (&call);
}

static gboolean
is_owner_gone_error (ZbusMessage *reply)
{
  const char *error_name = zbus_message_get_error_name (reply);

  return g_strcmp0 (error_name, "org.freedesktop.DBus.Error.ServiceUnknown") == 0 ||
         g_strcmp0 (error_name, "org.freedesktop.DBus.Error.NameHasNoOwner") == 0;
}

/* Fills the model from a GetManagedObjects answer. */
static gboolean
apply_snapshot (ZbusObjectManagerClient  *self,
                ZbusMessage              *reply,
                gboolean                  emit,
                GError                  **error)
{
  g_autoptr(GVariant) dict = NULL;
  GVariantIter iter;
  const char *path;
  GVariant *interfaces;
  guint n_before;

  /* The owner left before it could answer: NameOwnerChanged says so. */
  if (self->check_sender && is_owner_gone_error (reply))
    return TRUE;
  if (zbus_message_to_gerror (reply, error))
    {
      g_prefix_error (error, "Could not get the objects of %s at %s: ",
                      self->name != NULL ? self->name : "the peer", self->object_path);
      return FALSE;
    }
  if (g_strcmp0 (zbus_message_get_signature (reply), "a{oa{sa{sv}}}") != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "GetManagedObjects of %s answered with type “(%s)”, not “(a{oa{sa{sv}}})”",
                   self->object_path, zbus_message_get_signature (reply));
      return FALSE;
    }
  if (self->check_sender && g_strcmp0 (zbus_message_get_sender (reply), self->name_owner) != 0)
    return TRUE;

  self->has_snapshot = TRUE;
  self->snapshot_serial = zbus_message_get_serial (reply);

  clear_objects (self, emit);
  n_before = self->objects->len;
  dict = g_variant_get_child_value (zbus_message_get_body (reply), 0);
  g_variant_iter_init (&iter, dict);
  while (g_variant_iter_loop (&iter, "{&o@a{sa{sv}}}", &path, &interfaces))
    add_interfaces (self, path, interfaces, self->snapshot_serial, FALSE);
  g_ptr_array_sort (self->objects, compare_objects);

  if (emit && self->objects->len > n_before)
    {
      g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, self->objects->len);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
    }

  return TRUE;
}

static void process_backlog (ZbusObjectManagerClient *self);

typedef struct
{
  GWeakRef self;
  guint generation;
} FetchData;

static void
fetch_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  FetchData *data = user_data;
  g_autoptr(ZbusObjectManagerClient) self = g_weak_ref_get (&data->self);
  guint generation = data->generation;
  g_autoptr(ZbusMessage) reply = NULL;
  g_autoptr(GError) error = NULL;

  g_weak_ref_clear (&data->self);
  g_free (data);

  reply = zbus_connection_send_message_with_reply_finish (ZBUS_CONNECTION (object), result, &error);
  /* Gone, or the owner changed again while this was out. */
  if (self == NULL || generation != self->fetch_generation)
    return;

  /* As in dispatch_cb(): proxies made here, and calls made here, belong
   * to the manager's context. */
  g_main_context_push_thread_default (self->context);
  self->fetching = FALSE;
  if (reply == NULL || !apply_snapshot (self, reply, TRUE, &error))
    g_debug ("%s", error->message);
  process_backlog (self);
  g_main_context_pop_thread_default (self->context);
}

/* Fetches the objects of a new owner; signals wait until they are in. */
static void
start_fetch (ZbusObjectManagerClient *self)
{
  g_autoptr(ZbusMessage) call = new_get_managed_objects_call (self);
  FetchData *data = g_new0 (FetchData, 1);

  self->fetching = TRUE;
  g_weak_ref_init (&data->self, self);
  data->generation = self->fetch_generation;
  zbus_connection_send_message_with_reply (self->connection, call, ZBUS_TIMEOUT_DEFAULT, NULL,
                                           fetch_done_cb, data);
}

/* ------------------------------------------------------------------------ */
/* Signals, in arrival order, on the manager's context */

static void
set_name_owner (ZbusObjectManagerClient *self,
                const char              *owner)
{
  if (g_strcmp0 (owner, self->name_owner) == 0)
    return;

  /* Nothing the old owner said holds for the new one. */
  self->fetch_generation++;
  self->fetching = FALSE;
  self->has_snapshot = FALSE;
  g_free (self->name_owner);
  self->name_owner = g_strdup (owner);

  clear_objects (self, TRUE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME_OWNER]);

  if (owner != NULL)
    start_fetch (self);
}

static void
handle_manager_signal (ZbusObjectManagerClient *self,
                       ZbusMessage             *message)
{
  const char *member = zbus_message_get_member (message);
  const char *signature = zbus_message_get_signature (message);
  GVariant *body = zbus_message_get_body (message);
  guint32 serial = zbus_message_get_serial (message);
  const char *path;

  if (g_str_equal (member, "InterfacesAdded") && g_strcmp0 (signature, "oa{sa{sv}}") == 0)
    {
      g_autoptr(GVariant) interfaces = NULL;

      g_variant_get (body, "(&o@a{sa{sv}})", &path, &interfaces);
      add_interfaces (self, path, interfaces, serial, TRUE);
    }
  else if (g_str_equal (member, "InterfacesRemoved") && g_strcmp0 (signature, "oas") == 0)
    {
      g_autofree const char **names = NULL;

      g_variant_get (body, "(&o^a&s)", &path, &names);
      remove_interfaces (self, path, names);
    }
}

/* Hands a signal of an object to the proxy of its interface, which takes
 * it as if its own filter had seen it. */
static void
route_to_proxy (ZbusObjectManagerClient *self,
                ZbusMessage             *message)
{
  const char *interface_name = zbus_message_get_interface (message);
  ZbusRemoteObject *object;
  ZbusProxy *proxy;

  object = g_hash_table_lookup (self->by_path, zbus_message_get_path (message));
  if (object == NULL || interface_name == NULL)
    return;

  if (g_str_equal (interface_name, PROPERTIES_INTERFACE) &&
      g_strcmp0 (zbus_message_get_member (message), "PropertiesChanged") == 0 &&
      g_strcmp0 (zbus_message_get_signature (message), "sa{sv}as") == 0)
    g_variant_get_child (zbus_message_get_body (message), 0, "&s", &interface_name);

  proxy = _zbus_remote_object_peek_interface (object, interface_name);
  if (proxy != NULL)
    _zbus_intake_filter_cb (self->connection, message, PRIV (proxy)->intake);
}

static void
process_item (ZbusObjectManagerClient *self,
              ZbusIntakeItem          *item)
{
  ZbusMessage *message = item->message;

  if (item->kind == ZBUS_INTAKE_OWNER)
    {
      guint32 serial = zbus_message_get_serial (message);

      /* Construction's GetNameOwner may have answered after it. */
      if (!_zbus_serial_after (serial, self->owner_serial))
        return;
      self->owner_serial = serial;
      set_name_owner (self, item->new_owner);
      return;
    }

  if (item->deferred && self->check_sender &&
      g_strcmp0 (zbus_message_get_sender (message), self->name_owner) != 0)
    return;

  /* What GetManagedObjects answered includes what came before it: the
   * objects it made, and the property values it gave their proxies. */
  if (self->has_snapshot &&
      !_zbus_serial_after (zbus_message_get_serial (message), self->snapshot_serial))
    return;

  if (g_strcmp0 (zbus_message_get_path (message), self->object_path) == 0 &&
      g_strcmp0 (zbus_message_get_interface (message), OBJECT_MANAGER_INTERFACE) == 0)
    handle_manager_signal (self, message);
  else
    route_to_proxy (self, message);
}

/* While GetManagedObjects is out, a change of owner does not wait for
 * its answer: that answer, and what came before the change, are about
 * an owner that is gone, and an owner that never answers must not hold
 * up the next one. Drops what comes before the last change of owner. */
static void
skip_to_last_owner (ZbusObjectManagerClient *self)
{
  GList *last = NULL;

  for (GList *l = self->backlog.head; l != NULL; l = l->next)
    {
      ZbusIntakeItem *item = l->data;

      if (item->kind == ZBUS_INTAKE_OWNER &&
          _zbus_serial_after (zbus_message_get_serial (item->message), self->owner_serial))
        last = l;
    }

  while (last != NULL && self->backlog.head != last)
    _zbus_intake_item_free (g_queue_pop_head (&self->backlog));
}

static void
process_backlog (ZbusObjectManagerClient *self)
{
  ZbusIntakeItem *item;

  for (;;)
    {
      if (self->fetching)
        skip_to_last_owner (self);
      item = g_queue_peek_head (&self->backlog);
      if (item == NULL || (self->fetching && item->kind != ZBUS_INTAKE_OWNER))
        return;

      g_queue_pop_head (&self->backlog);
      process_item (self, item);
      _zbus_intake_item_free (item);
    }
}

static gboolean
dispatch_cb (gpointer data)
{
  ZbusIntake *in = data;
  g_autoptr(ZbusObjectManagerClient) self = g_weak_ref_get (&in->proxy);
  GQueue items;
  ZbusIntakeItem *item;

  /* Before construction ends the items wait; it schedules them. */
  items = _zbus_intake_take_items (in, self != NULL && self->initialized);
  if (self == NULL)
    return G_SOURCE_REMOVE;

  while ((item = g_queue_pop_head (&items)) != NULL)
    g_queue_push_tail (&self->backlog, item);

  /* Proxies made here, and the replies of calls made here, belong to the
   * manager's context, whichever context is the thread's default. */
  g_main_context_push_thread_default (self->context);
  process_backlog (self);
  g_main_context_pop_thread_default (self->context);

  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------------------ */
/* Construction */

static gboolean
check_args (ZbusObjectManagerClient  *self,
            GError                  **error)
{
  if (self->connection == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "A ZbusObjectManagerClient needs a connection");
      return FALSE;
    }
  if (self->name != NULL && !g_dbus_is_name (self->name))
    {
      g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME,
                   "“%s” is not a valid bus name", self->name);
      return FALSE;
    }
  if (self->name == NULL && zbus_connection_is_bus (self->connection))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "A ZbusObjectManagerClient on a bus needs the name of the service");
      return FALSE;
    }
  if (self->object_path == NULL || !g_variant_is_object_path (self->object_path))
    {
      g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME,
                   "“%s” is not a valid object path",
                   self->object_path != NULL ? self->object_path : "(null)");
      return FALSE;
    }
  return TRUE;
}

static ZbusMatchRule *
build_rule (ZbusMatchRuleBuilder *builder)
{
  g_autoptr(GError) error = NULL;
  ZbusMatchRule *rule = zbus_match_rule_builder_build (builder, &error);

  g_assert_no_error (error);
  return rule;
}

/* Sets the filter up and returns the AddMatch rules to send: one for the
 * owner of the name, one for every signal of the objects. */
static GPtrArray *
start_intake (ZbusObjectManagerClient *self)
{
  g_autoptr(ZbusMatchRuleBuilder) signal_builder = zbus_match_rule_builder_new ();
  g_autoptr(ZbusMatchRule) signal_rule = NULL;
  g_autoptr(ZbusMatchRule) owner_rule = NULL;
  GPtrArray *bus_rules = g_ptr_array_new_with_free_func (g_free);
  gboolean is_bus = zbus_connection_is_bus (self->connection);

  self->check_sender = is_bus && self->name != NULL;

  zbus_match_rule_builder_set_message_type (signal_builder, ZBUS_MESSAGE_TYPE_SIGNAL);
  zbus_match_rule_builder_set_path_namespace (signal_builder, self->object_path);
  signal_rule = build_rule (signal_builder);

  if (self->check_sender)
    {
      g_autoptr(ZbusMatchRuleBuilder) owner_builder = zbus_match_rule_builder_new ();

      zbus_match_rule_builder_set_message_type (owner_builder, ZBUS_MESSAGE_TYPE_SIGNAL);
      zbus_match_rule_builder_set_sender (owner_builder, ZBUS_DBUS_NAME);
      zbus_match_rule_builder_set_path (owner_builder, ZBUS_DBUS_PATH);
      zbus_match_rule_builder_set_interface (owner_builder, ZBUS_DBUS_INTERFACE);
      zbus_match_rule_builder_set_member (owner_builder, "NameOwnerChanged");
      zbus_match_rule_builder_set_arg (owner_builder, 0, self->name);
      owner_rule = build_rule (owner_builder);
    }

  self->intake = _zbus_intake_new (G_OBJECT (self), self->context, self->check_sender,
                                   owner_rule, signal_rule, NULL, dispatch_cb);
  if (!self->check_sender)
    _zbus_intake_set_owner (self->intake, NULL, 0);
  self->filter_id = _zbus_connection_add_filter (self->connection, _zbus_intake_filter_cb,
                                                 _zbus_intake_ref (self->intake),
                                                 (GDestroyNotify) _zbus_intake_unref);

  if (is_bus)
    {
      g_autoptr(ZbusMatchRule) bus_rule = NULL;

      /* Owner first: a change is tracked before the rest can arrive. */
      if (owner_rule != NULL)
        g_ptr_array_add (bus_rules, zbus_match_rule_to_string (owner_rule));
      zbus_match_rule_builder_set_sender (signal_builder, self->name);
      bus_rule = build_rule (signal_builder);
      g_ptr_array_add (bus_rules, zbus_match_rule_to_string (bus_rule));
    }

  return bus_rules;
}

static ZbusMessage *
new_get_name_owner_call (ZbusObjectManagerClient *self)
{
  g_autoptr(ZbusMessage) call = NULL;

  call = zbus_message_new_method_call (ZBUS_DBUS_NAME, ZBUS_DBUS_PATH, ZBUS_DBUS_INTERFACE,
                                       "GetNameOwner", NULL);
  zbus_message_set_body (call, g_variant_new ("(s)", self->name), NULL);
  return g_steal_pointer (&call);
}

/* GetNameOwner's answer: no owner is an answer, not an error. */
static gboolean
apply_name_owner (ZbusObjectManagerClient  *self,
                  ZbusMessage              *reply,
                  GError                  **error)
{
  g_autoptr(GError) local_error = NULL;
  const char *owner = NULL;

  if (zbus_message_to_gerror (reply, &local_error))
    {
      if (g_strcmp0 (zbus_message_get_error_name (reply),
                     "org.freedesktop.DBus.Error.NameHasNoOwner") != 0)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      "Could not find the owner of %s: ", self->name);
          return FALSE;
        }
    }
  else if (g_strcmp0 (zbus_message_get_signature (reply), "s") == 0)
    g_variant_get_child (zbus_message_get_body (reply), 0, "&s", &owner);

  _zbus_intake_set_owner (self->intake, owner, zbus_message_get_serial (reply));
  return TRUE;
}

/* Whether to ask the bus to start the service: asked for, and nobody owns
 * the name. */
static gboolean
needs_start (ZbusObjectManagerClient *self)
{
  g_autofree char *owner = NULL;
  guint32 serial;

  if (!self->check_sender || !(self->flags & ZBUS_OBJECT_MANAGER_CLIENT_FLAGS_AUTO_START))
    return FALSE;
  owner = _zbus_intake_dup_owner (self->intake, &serial);
  return owner == NULL;
}

static ZbusMessage *
new_start_service_call (ZbusObjectManagerClient *self)
{
  g_autoptr(ZbusMessage) call = NULL;

  call = zbus_message_new_method_call (ZBUS_DBUS_NAME, ZBUS_DBUS_PATH, ZBUS_DBUS_INTERFACE,
                                       "StartServiceByName", NULL);
  zbus_message_set_body (call, g_variant_new ("(su)", self->name, 0), NULL);
  return g_steal_pointer (&call);
}

/* StartServiceByName's answer: whether the service runs now. A service
 * that cannot be started is no reason to fail: the model stays empty
 * until somebody owns the name. */
static gboolean
apply_start_service (ZbusObjectManagerClient *self,
                     ZbusMessage             *reply)
{
  g_autoptr(GError) error = NULL;

  if (!zbus_message_to_gerror (reply, &error))
    return TRUE;

  g_debug ("Could not start the service %s: %s", self->name, error->message);
  return FALSE;
}

static gboolean
needs_fetch (ZbusObjectManagerClient *self)
{
  g_free (self->name_owner);
  self->name_owner = _zbus_intake_dup_owner (self->intake, &self->owner_serial);
  return !self->check_sender || self->name_owner != NULL;
}

/* Stops listening: the filter, the streams, the bus's match rules. The
 * manager is going away, or failed to initialize. */
static void
stop_intake (ZbusObjectManagerClient *self)
{
  if (self->filter_id != 0)
    {
      _zbus_connection_remove_filter (self->connection, self->filter_id);
      self->filter_id = 0;
    }
  if (self->intake != NULL)
    _zbus_intake_close (self->intake);

  /* Nobody waits for the answers. */
  for (guint i = 0; self->match_rules != NULL && i < self->match_rules->len; i++)
    if (!zbus_connection_is_closed (self->connection))
      {
        g_autoptr(GVariant) ignored = NULL;

        ignored = zbus_connection_call_sync (self->connection, ZBUS_DBUS_NAME, ZBUS_DBUS_PATH,
                                             ZBUS_DBUS_INTERFACE, "RemoveMatch",
                                             g_variant_new ("(s)", g_ptr_array_index (self->match_rules, i)),
                                             NULL, ZBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED,
                                             ZBUS_TIMEOUT_DEFAULT, NULL, NULL);
      }
  if (self->match_rules != NULL)
    g_ptr_array_set_size (self->match_rules, 0);
}

static void
finish_init (ZbusObjectManagerClient *self)
{
  self->initialized = TRUE;
  _zbus_intake_schedule (self->intake);
}

static gboolean
fail_init (ZbusObjectManagerClient  *self,
           GError                   *error,
           GError                  **out_error)
{
  self->init_error = g_error_copy (error);
  stop_intake (self);
  g_propagate_error (out_error, error);
  return FALSE;
}

static gboolean
zbus_object_manager_client_initable_init (GInitable     *initable,
                                          GCancellable  *cancellable,
                                          GError       **error)
{
  ZbusObjectManagerClient *self = ZBUS_OBJECT_MANAGER_CLIENT (initable);
  g_autoptr(GPtrArray) rules = NULL;
  GError *local_error = NULL;

  if (self->initialized)
    return TRUE;
  if (self->init_error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->init_error));
      return FALSE;
    }
  if (!check_args (self, error))
    return FALSE;

  rules = start_intake (self);
  for (guint i = 0; i < rules->len; i++)
    {
      g_autoptr(GVariant) reply = NULL;
      const char *rule = g_ptr_array_index (rules, i);

      reply = zbus_connection_call_sync (self->connection, ZBUS_DBUS_NAME, ZBUS_DBUS_PATH,
                                         ZBUS_DBUS_INTERFACE, "AddMatch", g_variant_new ("(s)", rule),
                                         NULL, ZBUS_MESSAGE_FLAGS_NONE, ZBUS_TIMEOUT_DEFAULT,
                                         cancellable, &local_error);
      if (reply == NULL)
        {
          g_prefix_error (&local_error, "The bus refused the match rule “%s”: ", rule);
          return fail_init (self, local_error, error);
        }
      g_ptr_array_add (self->match_rules, g_strdup (rule));
    }

  if (self->check_sender)
    {
      g_autoptr(ZbusMessage) call = new_get_name_owner_call (self);
      g_autoptr(ZbusMessage) reply = NULL;

      reply = zbus_connection_send_message_with_reply_sync (self->connection, call,
                                                            ZBUS_TIMEOUT_DEFAULT, cancellable,
                                                            &local_error);
      if (reply == NULL || !apply_name_owner (self, reply, &local_error))
        return fail_init (self, local_error, error);
    }

  if (needs_start (self))
    {
      g_autoptr(ZbusMessage) call = new_start_service_call (self);
      g_autoptr(ZbusMessage) reply = NULL;

      /* Activation may take a while: the connection's timeout at least. */
      reply = zbus_connection_send_message_with_reply_sync (self->connection, call,
                                                            ZBUS_TIMEOUT_DEFAULT, cancellable,
                                                            &local_error);
      if (reply == NULL)
        return fail_init (self, local_error, error);
      if (apply_start_service (self, reply))
        {
          /* Now owned; GetNameOwner says by whom, after the signal did. */
          g_clear_pointer (&call, zbus_message_unref);
          g_clear_pointer (&reply, zbus_message_unref);
          call = new_get_name_owner_call (self);
          reply = zbus_connection_send_message_with_reply_sync (self->connection, call,
                                                                ZBUS_TIMEOUT_DEFAULT, cancellable,
                                                                &local_error);
          if (reply == NULL || !apply_name_owner (self, reply, &local_error))
            return fail_init (self, local_error, error);
        }
    }

  if (needs_fetch (self))
    {
      g_autoptr(ZbusMessage) call = new_get_managed_objects_call (self);
      g_autoptr(ZbusMessage) reply = NULL;

      reply = zbus_connection_send_message_with_reply_sync (self->connection, call,
                                                            ZBUS_TIMEOUT_DEFAULT, cancellable,
                                                            &local_error);
      if (reply == NULL || !apply_snapshot (self, reply, FALSE, &local_error))
        return fail_init (self, local_error, error);
    }

  finish_init (self);
  return TRUE;
}

static void
zbus_object_manager_client_initable_iface_init (GInitableIface *iface)
{
  iface->init = zbus_object_manager_client_initable_init;
}

/* Asynchronously, the AddMatch calls and GetNameOwner go out at once (the
 * bus handles them in order); GetManagedObjects follows, to the owner. */
typedef struct
{
  guint pending;
  GError *error;                /* (owned) (nullable): the first */
  ZbusMessage *owner_reply;     /* (owned) (nullable) */
} InitData;

static void
init_data_free (InitData *data)
{
  g_clear_error (&data->error);
  g_clear_pointer (&data->owner_reply, zbus_message_unref);
  g_free (data);
}

static void
init_fail (GTask  *task,
           GError *error)
{
  ZbusObjectManagerClient *self = g_task_get_source_object (task);

  self->init_error = g_error_copy (error);
  stop_intake (self);
  g_task_return_error (task, error);
}

static void
init_objects_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ZbusObjectManagerClient *self = g_task_get_source_object (task);
  g_autoptr(ZbusMessage) reply = NULL;
  GError *error = NULL;

  reply = zbus_connection_send_message_with_reply_finish (ZBUS_CONNECTION (object), result, &error);
  if (reply == NULL || !apply_snapshot (self, reply, FALSE, &error))
    {
      init_fail (task, error);
      return;
    }

  finish_init (self);
  g_task_return_boolean (task, TRUE);
}

/* The owner is known: its objects, if there is one. */
static void
init_fetch (GTask *task)
{
  ZbusObjectManagerClient *self = g_task_get_source_object (task);
  g_autoptr(ZbusMessage) call = NULL;

  if (!needs_fetch (self))
    {
      finish_init (self);
      g_task_return_boolean (task, TRUE);
      return;
    }

  call = new_get_managed_objects_call (self);
  zbus_connection_send_message_with_reply (self->connection, call, ZBUS_TIMEOUT_DEFAULT,
                                           g_task_get_cancellable (task), init_objects_cb,
                                           g_object_ref (task));
}

static void
init_started_owner_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ZbusObjectManagerClient *self = g_task_get_source_object (task);
  g_autoptr(ZbusMessage) reply = NULL;
  GError *error = NULL;

  reply = zbus_connection_send_message_with_reply_finish (ZBUS_CONNECTION (object), result, &error);
  if (reply == NULL || !apply_name_owner (self, reply, &error))
    {
      init_fail (task, error);
      return;
    }

  init_fetch (task);
}

static void
init_start_service_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ZbusObjectManagerClient *self = g_task_get_source_object (task);
  g_autoptr(ZbusMessage) reply = NULL;
  g_autoptr(ZbusMessage) call = NULL;
  GError *error = NULL;

  reply = zbus_connection_send_message_with_reply_finish (ZBUS_CONNECTION (object), result, &error);
  if (reply == NULL)
    {
      init_fail (task, error);
      return;
    }
  if (!apply_start_service (self, reply))
    {
      init_fetch (task);
      return;
    }

  /* Now owned; GetNameOwner says by whom, after the signal did. */
  call = new_get_name_owner_call (self);
  zbus_connection_send_message_with_reply (self->connection, call, ZBUS_TIMEOUT_DEFAULT,
                                           g_task_get_cancellable (task), init_started_owner_cb,
                                           g_object_ref (task));
}

static void
init_step_done (GTask *task)
{
  ZbusObjectManagerClient *self = g_task_get_source_object (task);
  InitData *data = g_task_get_task_data (task);
  g_autoptr(ZbusMessage) call = NULL;
  GError *error = NULL;

  if (--data->pending > 0)
    return;

  if (data->error == NULL && data->owner_reply != NULL &&
      !apply_name_owner (self, data->owner_reply, &error))
    data->error = error;
  if (data->error != NULL)
    {
      init_fail (task, g_steal_pointer (&data->error));
      return;
    }

  if (!needs_start (self))
    {
      init_fetch (task);
      return;
    }

  call = new_start_service_call (self);
  zbus_connection_send_message_with_reply (self->connection, call, ZBUS_TIMEOUT_DEFAULT,
                                           g_task_get_cancellable (task), init_start_service_cb,
                                           g_object_ref (task));
}

static void
init_owner_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  InitData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->owner_reply = zbus_connection_send_message_with_reply_finish (ZBUS_CONNECTION (object),
                                                                      result, &error);
  if (data->owner_reply == NULL && data->error == NULL)
    data->error = error;
  else
    g_clear_error (&error);

  init_step_done (task);
}

typedef struct
{
  GTask *task;   /* (owned) */
  char *rule;    /* (owned) */
} AddMatchData;

static void
init_add_match_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  AddMatchData *am = user_data;
  g_autoptr(GTask) task = am->task;
  g_autofree char *rule = am->rule;
  ZbusObjectManagerClient *self = g_task_get_source_object (task);
  InitData *data = g_task_get_task_data (task);
  g_autoptr(GVariant) reply = NULL;
  GError *error = NULL;

  g_free (am);
  reply = zbus_connection_call_finish (ZBUS_CONNECTION (object), result, &error);
  if (reply != NULL)
    g_ptr_array_add (self->match_rules, g_steal_pointer (&rule));
  else if (data->error == NULL)
    {
      g_prefix_error (&error, "The bus refused the match rule “%s”: ", rule);
      data->error = error;
    }
  else
    g_error_free (error);

  init_step_done (task);
}

static void
zbus_object_manager_client_init_async (GAsyncInitable      *initable,
                                       int                  io_priority,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  ZbusObjectManagerClient *self = ZBUS_OBJECT_MANAGER_CLIENT (initable);
  g_autoptr(GTask) task = NULL;
  g_autoptr(GPtrArray) rules = NULL;
  GError *error = NULL;
  InitData *data;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, zbus_object_manager_client_init_async);

  if (self->initialized)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (self->init_error != NULL)
    {
      g_task_return_error (task, g_error_copy (self->init_error));
      return;
    }
  if (!check_args (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  data = g_new0 (InitData, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) init_data_free);
  /* Held until every request is sent, so none finishes the step early. */
  data->pending = 1;

  rules = start_intake (self);
  for (guint i = 0; i < rules->len; i++)
    {
      AddMatchData *am = g_new0 (AddMatchData, 1);
      const char *rule = g_ptr_array_index (rules, i);

      am->task = g_object_ref (task);
      am->rule = g_strdup (rule);
      data->pending++;
      zbus_connection_call (self->connection, ZBUS_DBUS_NAME, ZBUS_DBUS_PATH, ZBUS_DBUS_INTERFACE,
                            "AddMatch", g_variant_new ("(s)", rule), NULL, ZBUS_MESSAGE_FLAGS_NONE,
                            ZBUS_TIMEOUT_DEFAULT, cancellable, init_add_match_cb, am);
    }

  if (self->check_sender)
    {
      g_autoptr(ZbusMessage) call = new_get_name_owner_call (self);

      data->pending++;
      zbus_connection_send_message_with_reply (self->connection, call, ZBUS_TIMEOUT_DEFAULT,
                                               cancellable, init_owner_cb, g_object_ref (task));
    }

  init_step_done (task);
}

static gboolean
zbus_object_manager_client_init_finish (GAsyncInitable  *initable,
                                        GAsyncResult    *result,
                                        GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, initable), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
zbus_object_manager_client_async_initable_iface_init (GAsyncInitableIface *iface)
{
  iface->init_async = zbus_object_manager_client_init_async;
  iface->init_finish = zbus_object_manager_client_init_finish;
}

/* ------------------------------------------------------------------------ */
/* GListModel */

static GType
zbus_object_manager_client_get_item_type (GListModel *model)
{
  return ZBUS_TYPE_REMOTE_OBJECT;
}

static guint
zbus_object_manager_client_get_n_items (GListModel *model)
{
  return ZBUS_OBJECT_MANAGER_CLIENT (model)->objects->len;
}

static gpointer
zbus_object_manager_client_get_item (GListModel *model,
                                     guint       position)
{
  ZbusObjectManagerClient *self = ZBUS_OBJECT_MANAGER_CLIENT (model);

  if (position >= self->objects->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->objects, position));
}

static void
zbus_object_manager_client_list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = zbus_object_manager_client_get_item_type;
  iface->get_n_items = zbus_object_manager_client_get_n_items;
  iface->get_item = zbus_object_manager_client_get_item;
}

/* ------------------------------------------------------------------------ */
/* GObject */

static void
zbus_object_manager_client_constructed (GObject *object)
{
  ZbusObjectManagerClient *self = ZBUS_OBJECT_MANAGER_CLIENT (object);

  G_OBJECT_CLASS (zbus_object_manager_client_parent_class)->constructed (object);

  self->context = g_main_context_ref_thread_default ();
}

static void
zbus_object_manager_client_dispose (GObject *object)
{
  ZbusObjectManagerClient *self = ZBUS_OBJECT_MANAGER_CLIENT (object);

  stop_intake (self);
  clear_objects (self, FALSE);
  g_queue_clear_full (&self->backlog, (GDestroyNotify) _zbus_intake_item_free);

  G_OBJECT_CLASS (zbus_object_manager_client_parent_class)->dispose (object);
}

static void
zbus_object_manager_client_finalize (GObject *object)
{
  ZbusObjectManagerClient *self = ZBUS_OBJECT_MANAGER_CLIENT (object);

  g_clear_pointer (&self->intake, _zbus_intake_unref);
  g_clear_pointer (&self->match_rules, g_ptr_array_unref);
  g_clear_pointer (&self->by_path, g_hash_table_unref);
  g_clear_pointer (&self->proxy_types, g_hash_table_unref);
  g_clear_pointer (&self->objects, g_ptr_array_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_error (&self->init_error);
  g_clear_object (&self->connection);
  g_free (self->name);
  g_free (self->object_path);
  g_free (self->name_owner);

  G_OBJECT_CLASS (zbus_object_manager_client_parent_class)->finalize (object);
}

static void
zbus_object_manager_client_get_property (GObject    *object,
                                         guint       prop_id,
                                         GValue     *value,
                                         GParamSpec *pspec)
{
  ZbusObjectManagerClient *self = ZBUS_OBJECT_MANAGER_CLIENT (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_OBJECT_PATH:
      g_value_set_string (value, self->object_path);
      break;
    case PROP_FLAGS:
      g_value_set_flags (value, self->flags);
      break;
    case PROP_NAME_OWNER:
      g_value_set_string (value, self->name_owner);
      break;
    case PROP_ITEM_TYPE:
      g_value_set_gtype (value, ZBUS_TYPE_REMOTE_OBJECT);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->objects->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
zbus_object_manager_client_set_property (GObject      *object,
                                         guint         prop_id,
                                         const GValue *value,
                                         GParamSpec   *pspec)
{
  ZbusObjectManagerClient *self = ZBUS_OBJECT_MANAGER_CLIENT (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      self->connection = g_value_dup_object (value);
      break;
    case PROP_NAME:
      self->name = g_value_dup_string (value);
      break;
    case PROP_OBJECT_PATH:
      self->object_path = g_value_dup_string (value);
      break;
    case PROP_FLAGS:
      self->flags = g_value_get_flags (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
zbus_object_manager_client_class_init (ZbusObjectManagerClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = zbus_object_manager_client_constructed;
  object_class->dispose = zbus_object_manager_client_dispose;
  object_class->finalize = zbus_object_manager_client_finalize;
  object_class->get_property = zbus_object_manager_client_get_property;
  object_class->set_property = zbus_object_manager_client_set_property;

  /**
   * ZbusObjectManagerClient:connection:
   *
   * The connection the manager client talks through.
   *
   * Since: 1.0
   */
  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, ZBUS_TYPE_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * ZbusObjectManagerClient:name:
   *
   * The bus name of the service, well-known or unique; %NULL on a
   * peer-to-peer connection.
   *
   * Since: 1.0
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * ZbusObjectManagerClient:object-path:
   *
   * The path of the object that implements
   * `org.freedesktop.DBus.ObjectManager`; the objects are below it.
   *
   * Since: 1.0
   */
  properties[PROP_OBJECT_PATH] =
    g_param_spec_string ("object-path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * ZbusObjectManagerClient:flags:
   *
   * How the manager client behaves.
   *
   * Since: 1.0
   */
  properties[PROP_FLAGS] =
    g_param_spec_flags ("flags", NULL, NULL, ZBUS_TYPE_OBJECT_MANAGER_CLIENT_FLAGS,
                        ZBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * ZbusObjectManagerClient:name-owner:
   *
   * The unique name that owns [property@Zbus.ObjectManagerClient:name]
   * now, or %NULL when nobody does (and on a peer-to-peer connection).
   *
   * Since: 1.0
   */
  properties[PROP_NAME_OWNER] =
    g_param_spec_string ("name-owner", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * ZbusObjectManagerClient:item-type:
   *
   * The type of the items: [class@Zbus.RemoteObject].
   *
   * Since: 1.0
   */
  properties[PROP_ITEM_TYPE] =
    g_param_spec_gtype ("item-type", NULL, NULL, G_TYPE_OBJECT,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * ZbusObjectManagerClient:n-items:
   *
   * The number of objects.
   *
   * Since: 1.0
   */
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ZbusObjectManagerClient::interface-added:
   * @self: the manager client
   * @object: the object that gained an interface
   * @proxy: the proxy of the new interface
   *
   * Emitted when an object already in the model gains an interface
   * (a new object is announced by [signal@Gio.ListModel::items-changed]
   * alone). [signal@Zbus.RemoteObject::interface-added] is emitted
   * before.
   *
   * Since: 1.0
   */
  signals[SIGNAL_INTERFACE_ADDED] =
    g_signal_new ("interface-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, ZBUS_TYPE_REMOTE_OBJECT, ZBUS_TYPE_PROXY);

  /**
   * ZbusObjectManagerClient::interface-removed:
   * @self: the manager client
   * @object: the object that lost an interface
   * @proxy: the proxy of the interface that went away
   *
   * Emitted when an object loses an interface and stays in the model
   * (an object that loses its last interface leaves the model, which
   * [signal@Gio.ListModel::items-changed] announces alone).
   * [signal@Zbus.RemoteObject::interface-removed] is emitted before.
   *
   * Since: 1.0
   */
  signals[SIGNAL_INTERFACE_REMOVED] =
    g_signal_new ("interface-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, ZBUS_TYPE_REMOTE_OBJECT, ZBUS_TYPE_PROXY);
}

static void
zbus_object_manager_client_init (ZbusObjectManagerClient *self)
{
  self->match_rules = g_ptr_array_new_with_free_func (g_free);
  self->objects = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_path = g_hash_table_new (g_str_hash, g_str_equal);
  self->proxy_types = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_queue_init (&self->backlog);
}

/* ------------------------------------------------------------------------ */
/* Making one */

/**
 * zbus_object_manager_client_new:
 * @connection: a connection
 * @name: (nullable): the bus name of the service, well-known or unique;
 *   %NULL on a peer-to-peer connection
 * @object_path: the path of the service's object manager
 * @flags: flags
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Makes a manager client, waiting until it listens to the service's
 * signals, knows the owner of @name and, when the name is owned, has its
 * objects. A name nobody owns is fine: the model stays empty until
 * somebody does (with %ZBUS_OBJECT_MANAGER_CLIENT_FLAGS_AUTO_START, once
 * the bus tried to start the service).
 *
 * Returns: (transfer full): the new manager client, or %NULL if a name is
 *   not valid, the bus refused the match rules, the connection failed or
 *   the service could not list its objects
 *
 * Since: 1.0
 */
ZbusObjectManagerClient *
zbus_object_manager_client_new (ZbusConnection                *connection,
                                const char                    *name,
                                const char                    *object_path,
                                ZbusObjectManagerClientFlags   flags,
                                GCancellable                  *cancellable,
                                GError                       **error)
{
  g_return_val_if_fail (ZBUS_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (object_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_initable_new (ZBUS_TYPE_OBJECT_MANAGER_CLIENT, cancellable, error,
                         "connection", connection,
                         "name", name,
                         "object-path", object_path,
                         "flags", flags,
                         NULL);
}

/**
 * zbus_object_manager_client_new_async:
 * @connection: a connection
 * @name: (nullable): the bus name of the service, well-known or unique;
 *   %NULL on a peer-to-peer connection
 * @object_path: the path of the service's object manager
 * @flags: flags
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the manager client is ready
 * @user_data: (closure): data for @callback
 *
 * Makes a manager client without blocking; see
 * [ctor@Zbus.ObjectManagerClient.new].
 *
 * Since: 1.0
 */
void
zbus_object_manager_client_new_async (ZbusConnection               *connection,
                                      const char                   *name,
                                      const char                   *object_path,
                                      ZbusObjectManagerClientFlags  flags,
                                      GCancellable                 *cancellable,
                                      GAsyncReadyCallback           callback,
                                      gpointer                      user_data)
{
  g_return_if_fail (ZBUS_IS_CONNECTION (connection));
  g_return_if_fail (object_path != NULL);

  g_async_initable_new_async (ZBUS_TYPE_OBJECT_MANAGER_CLIENT, G_PRIORITY_DEFAULT, cancellable,
                              callback, user_data,
                              "connection", connection,
                              "name", name,
                              "object-path", object_path,
                              "flags", flags,
                              NULL);
}

/**
 * zbus_object_manager_client_new_finish:
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [func@Zbus.ObjectManagerClient.new_async].
 *
 * Returns: (transfer full): the new manager client, or %NULL on error
 *
 * Since: 1.0
 */
ZbusObjectManagerClient *
zbus_object_manager_client_new_finish (GAsyncResult  *result,
                                       GError       **error)
{
  g_autoptr(GObject) source = NULL;
  GObject *object;

  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  source = g_async_result_get_source_object (result);
  object = g_async_initable_new_finish (G_ASYNC_INITABLE (source), result, error);
  return object != NULL ? ZBUS_OBJECT_MANAGER_CLIENT (object) : NULL;
}

/* ------------------------------------------------------------------------ */
/* Accessors */

/**
 * zbus_object_manager_client_get_connection:
 * @self: a manager client
 *
 * Gets the connection the manager client talks through.
 *
 * Returns: (transfer none): the connection
 *
 * Since: 1.0
 */
ZbusConnection *
zbus_object_manager_client_get_connection (ZbusObjectManagerClient *self)
{
  g_return_val_if_fail (ZBUS_IS_OBJECT_MANAGER_CLIENT (self), NULL);

  return self->connection;
}

/**
 * zbus_object_manager_client_get_name:
 * @self: a manager client
 *
 * Gets the bus name of the service.
 *
 * Returns: (nullable): the name, or %NULL on a peer-to-peer connection
 *
 * Since: 1.0
 */
const char *
zbus_object_manager_client_get_name (ZbusObjectManagerClient *self)
{
  g_return_val_if_fail (ZBUS_IS_OBJECT_MANAGER_CLIENT (self), NULL);

  return self->name;
}

/**
 * zbus_object_manager_client_get_object_path:
 * @self: a manager client
 *
 * Gets the path of the service's object manager.
 *
 * Returns: the path
 *
 * Since: 1.0
 */
const char *
zbus_object_manager_client_get_object_path (ZbusObjectManagerClient *self)
{
  g_return_val_if_fail (ZBUS_IS_OBJECT_MANAGER_CLIENT (self), NULL);

  return self->object_path;
}

/**
 * zbus_object_manager_client_get_flags:
 * @self: a manager client
 *
 * Gets the flags the manager client was made with.
 *
 * Returns: the flags
 *
 * Since: 1.0
 */
ZbusObjectManagerClientFlags
zbus_object_manager_client_get_flags (ZbusObjectManagerClient *self)
{
  g_return_val_if_fail (ZBUS_IS_OBJECT_MANAGER_CLIENT (self), ZBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE);

  return self->flags;
}

/**
 * zbus_object_manager_client_dup_name_owner:
 * @self: a manager client
 *
 * Gets the unique name that owns the service's name now, as far as the
 * manager's context has seen: [property@Zbus.ObjectManagerClient:name-owner]
 * notifies its changes.
 *
 * Returns: (transfer full) (nullable): the owner, or %NULL when nobody
 *   owns the name or on a peer-to-peer connection
 *
 * Since: 1.0
 */
char *
zbus_object_manager_client_dup_name_owner (ZbusObjectManagerClient *self)
{
  g_return_val_if_fail (ZBUS_IS_OBJECT_MANAGER_CLIENT (self), NULL);

  return g_strdup (self->name_owner);
}

/**
 * zbus_object_manager_client_get_object:
 * @self: a manager client
 * @object_path: an object path
 *
 * Looks up the object at @object_path.
 *
 * Returns: (transfer full) (nullable): the object, or %NULL if the model
 *   has none there
 *
 * Since: 1.0
 */
ZbusRemoteObject *
zbus_object_manager_client_get_object (ZbusObjectManagerClient *self,
                                       const char              *object_path)
{
  ZbusRemoteObject *object;

  g_return_val_if_fail (ZBUS_IS_OBJECT_MANAGER_CLIENT (self), NULL);
  g_return_val_if_fail (object_path != NULL, NULL);

  object = g_hash_table_lookup (self->by_path, object_path);
  return object != NULL ? g_object_ref (object) : NULL;
}

/**
 * zbus_object_manager_client_get_interface:
 * @self: a manager client
 * @object_path: an object path
 * @interface_name: a D-Bus interface name
 *
 * Looks up the proxy of the interface @interface_name of the object at
 * @object_path.
 *
 * Returns: (transfer full) (nullable): the proxy, or %NULL if there is no
 *   such object or interface
 *
 * Since: 1.0
 */
ZbusProxy *
zbus_object_manager_client_get_interface (ZbusObjectManagerClient *self,
                                          const char              *object_path,
                                          const char              *interface_name)
{
  ZbusRemoteObject *object;

  g_return_val_if_fail (ZBUS_IS_OBJECT_MANAGER_CLIENT (self), NULL);
  g_return_val_if_fail (object_path != NULL, NULL);
  g_return_val_if_fail (interface_name != NULL, NULL);

  object = g_hash_table_lookup (self->by_path, object_path);
  return object != NULL ? zbus_remote_object_get_interface (object, interface_name) : NULL;
}

/* ------------------------------------------------------------------------ */
/* Proxy types */

/**
 * zbus_object_manager_client_set_interface_type:
 * @self: a manager client
 * @interface_name: a D-Bus interface name
 * @proxy_type: a subclass of [class@Zbus.Proxy] for @interface_name, as
 *   [func@Zbus.Proxy.type_for_interface_type] and
 *   [func@Zbus.Proxy.type_for_interface_info] make; %ZBUS_TYPE_PROXY for
 *   plain proxies again
 * @error: return location for a #GError
 *
 * Makes the proxies of the interface @interface_name of the objects
 * @proxy_type instead of [class@Zbus.Proxy], so that their GObject
 * properties and signals mirror the interface's (see
 * [class@Zbus.ObjectManagerClient] for the details, and for when the type
 * takes effect). The proxies get the interface's properties from what the
 * service announced, without further calls.
 *
 * Call it from the thread of the manager's context, before
 * initialization to have the type from the start.
 *
 * Returns: %TRUE if set; %FALSE with @error set if @interface_name is not
 *   a valid interface name or @proxy_type was made for another interface
 *
 * Since: 1.0
 */
gboolean
zbus_object_manager_client_set_interface_type (ZbusObjectManagerClient  *self,
                                               const char               *interface_name,
                                               GType                     proxy_type,
                                               GError                  **error)
{
  const ZbusProxyTypeInfo *info;

  g_return_val_if_fail (ZBUS_IS_OBJECT_MANAGER_CLIENT (self), FALSE);
  g_return_val_if_fail (interface_name != NULL, FALSE);
  g_return_val_if_fail (g_type_is_a (proxy_type, ZBUS_TYPE_PROXY), FALSE);
  g_return_val_if_fail (!G_TYPE_IS_ABSTRACT (proxy_type), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!g_dbus_is_interface_name (interface_name))
    {
      g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME,
                   "“%s” is not a valid interface name", interface_name);
      return FALSE;
    }
  info = _zbus_proxy_type_info_peek (proxy_type);
  if (info != NULL && !g_str_equal (info->interface_name, interface_name))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "The proxy type %s is for the interface %s, not %s",
                   g_type_name (proxy_type), info->interface_name, interface_name);
      return FALSE;
    }

  if (proxy_type == ZBUS_TYPE_PROXY)
    g_hash_table_remove (self->proxy_types, interface_name);
  else
    g_hash_table_insert (self->proxy_types, g_strdup (interface_name),
                         GSIZE_TO_POINTER (proxy_type));
  return TRUE;
}

/**
 * zbus_object_manager_client_get_interface_type:
 * @self: a manager client
 * @interface_name: a D-Bus interface name
 *
 * Gets the type the manager makes the proxies of @interface_name of.
 *
 * Returns: the type set with
 *   [method@Zbus.ObjectManagerClient.set_interface_type] or its
 *   conveniences, or %ZBUS_TYPE_PROXY
 *
 * Since: 1.0
 */
GType
zbus_object_manager_client_get_interface_type (ZbusObjectManagerClient *self,
                                               const char              *interface_name)
{
  GType type;

  g_return_val_if_fail (ZBUS_IS_OBJECT_MANAGER_CLIENT (self), G_TYPE_INVALID);
  g_return_val_if_fail (interface_name != NULL, G_TYPE_INVALID);

  type = GPOINTER_TO_SIZE (g_hash_table_lookup (self->proxy_types, interface_name));
  return type != 0 ? type : ZBUS_TYPE_PROXY;
}

/**
 * zbus_object_manager_client_add_interface_type:
 * @self: a manager client
 * @iface_type: a subclass of [class@Zbus.Interface], the declaration of
 *   an interface the service serves
 * @error: return location for a #GError
 *
 * Makes the proxies of the interface @iface_type declares of the type
 * [func@Zbus.Proxy.type_for_interface_type] makes of it: a shorthand for
 * [method@Zbus.ObjectManagerClient.set_interface_type].
 *
 * Returns: %TRUE if set; %FALSE with @error set when @iface_type has no
 *   valid D-Bus description
 *
 * Since: 1.0
 */
gboolean
zbus_object_manager_client_add_interface_type (ZbusObjectManagerClient  *self,
                                               GType                     iface_type,
                                               GError                  **error)
{
  GType proxy_type;

  g_return_val_if_fail (ZBUS_IS_OBJECT_MANAGER_CLIENT (self), FALSE);
  g_return_val_if_fail (g_type_is_a (iface_type, ZBUS_TYPE_INTERFACE), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  proxy_type = zbus_proxy_type_for_interface_type (iface_type, error);
  if (proxy_type == G_TYPE_INVALID)
    return FALSE;
  return zbus_object_manager_client_set_interface_type (self,
                                                        _zbus_proxy_type_info_peek (proxy_type)->interface_name,
                                                        proxy_type, error);
}

/**
 * zbus_object_manager_client_add_interface_info:
 * @self: a manager client
 * @info: a D-Bus interface description, from introspection XML
 *   (g_dbus_node_info_new_for_xml()) or made by hand
 * @error: return location for a #GError
 *
 * Makes the proxies of the interface @info describes of the type
 * [func@Zbus.Proxy.type_for_interface_info] makes of it: a shorthand for
 * [method@Zbus.ObjectManagerClient.set_interface_type].
 *
 * Returns: %TRUE if set; %FALSE with @error set when @info is not a valid
 *   description
 *
 * Since: 1.0
 */
gboolean
zbus_object_manager_client_add_interface_info (ZbusObjectManagerClient  *self,
                                               GDBusInterfaceInfo       *info,
                                               GError                  **error)
{
  GType proxy_type;

  g_return_val_if_fail (ZBUS_IS_OBJECT_MANAGER_CLIENT (self), FALSE);
  g_return_val_if_fail (info != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  proxy_type = zbus_proxy_type_for_interface_info (info, error);
  if (proxy_type == G_TYPE_INVALID)
    return FALSE;
  return zbus_object_manager_client_set_interface_type (self, info->name, proxy_type, error);
}
