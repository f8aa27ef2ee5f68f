/* zbus-proxy.c
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "zbus-bus-proxy.h"
#include "zbus-connection-private.h"
#include "zbus-enum-types.h"
#include "zbus-error.h"
#include "zbus-match-rule.h"
#include "zbus-message-stream-private.h"
#include "zbus-proxy.h"
#include "zbus-proxy-private.h"
#include "zbus-proxy-type-private.h"

/**
 * ZbusProxy:
 *
 * A client-side object for one interface of one remote object: method
 * calls, a cache of its D-Bus properties, and its signals as GObject
 * signals or message streams.
 *
 * A proxy names a destination (a well-known or unique bus name; %NULL on
 * a peer-to-peer connection), an object path and an interface. Make one
 * with [ctor@Zbus.Proxy.new] or [func@Zbus.Proxy.new_async] (it is a
 * [iface@Gio.Initable] and a [iface@Gio.AsyncInitable]).
 *
 * ## Properties
 *
 * [method@Zbus.Proxy.get_dbus_property] reads a property, from the cache
 * when it holds the value, else with a `Get` call whose answer it caches;
 * [method@Zbus.Proxy.set_dbus_property] writes one and reports the
 * remote's error. [method@Zbus.Proxy.get_cached_property] never does I/O.
 * The cache is filled according to [property@Zbus.Proxy:cache-mode]: with
 * `GetAll` while the proxy is constructed, in the background on first use
 * (the default), or never. It listens to `PropertiesChanged` from before
 * it reads, so no change is lost, and it never lets an older answer
 * replace a newer value: each value remembers the serial of the message
 * that brought it. Each change is announced by
 * [signal@Zbus.Proxy::properties-changed]; an invalidated property leaves
 * the cache and the next read fetches it. Properties named in
 * [property@Zbus.Proxy:uncached-properties] are always fetched.
 *
 * ## The owner of the name
 *
 * For a well-known name, the proxy follows its owner
 * ([property@Zbus.Proxy:name-owner]): when the service restarts, starts
 * late or goes away, the cache is emptied, [signal@Zbus.Proxy::cache-reset]
 * is emitted and, when there is a new owner, the properties are fetched
 * again. Signals are delivered only from the current owner, and keep
 * coming after it changes; a signal another connection sends with the
 * same path and interface is not. Calls go to the name, so a service that
 * D-Bus activation starts gets them.
 *
 * ## Typed proxies
 *
 * [ctor@Zbus.Proxy.new_for_interface_type] (from a local
 * [class@Zbus.Interface] type), [ctor@Zbus.Proxy.new_for_xml],
 * [ctor@Zbus.Proxy.new_for_interface_info] and
 * [ctor@Zbus.Proxy.new_for_introspection] (from the remote's own
 * description) make instances of subclasses made at run time, one per
 * interface, whose GObject properties and signals mirror the remote
 * object's: `notify::` follows `PropertiesChanged`, g_object_bind_property()
 * ties a remote property to a local one, setting a property sends `Set`,
 * and [method@Zbus.Proxy.call_method] calls a method by name with its
 * signatures checked. See [func@Zbus.Proxy.type_for_interface_type].
 *
 * ## Threads
 *
 * A proxy belongs to the thread-default main context of the thread that
 * made it: its signals and notifications are emitted there, its cache
 * changes there, and its methods must be called from the thread that runs
 * that context, except these, which any thread may call: the method calls
 * ([method@Zbus.Proxy.call], [method@Zbus.Proxy.call_async] and the
 * others whose documentation says so), [method@Zbus.Proxy.receive_signal],
 * the reads of the cache ([method@Zbus.Proxy.get_cached_property],
 * [method@Zbus.Proxy.get_cached_property_names]) and
 * [property@Zbus.Proxy:default-timeout]. Reading or writing a property
 * over D-Bus ([method@Zbus.Proxy.get_dbus_property],
 * [method@Zbus.Proxy.set_dbus_property]) stores the answer in the cache:
 * only on the proxy's context. Streams from
 * [method@Zbus.Proxy.receive_signal] fill whether or not that context
 * runs.
 *
 * Since: 1.0
 */

#define DBUS_NAME "org.freedesktop.DBus"
#define DBUS_PATH "/org/freedesktop/DBus"
#define DBUS_INTERFACE "org.freedesktop.DBus"
#define PROPERTIES_INTERFACE "org.freedesktop.DBus.Properties"

static void zbus_proxy_initable_iface_init       (GInitableIface      *iface);
static void zbus_proxy_async_initable_iface_init (GAsyncInitableIface *iface);

G_DEFINE_TYPE_WITH_CODE (ZbusProxy, zbus_proxy, G_TYPE_OBJECT,
                         G_ADD_PRIVATE (ZbusProxy)
                         G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, zbus_proxy_initable_iface_init)
                         G_IMPLEMENT_INTERFACE (G_TYPE_ASYNC_INITABLE,
                                                zbus_proxy_async_initable_iface_init))

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_DESTINATION,
  PROP_OBJECT_PATH,
  PROP_INTERFACE_NAME,
  PROP_CACHE_MODE,
  PROP_UNCACHED_PROPERTIES,
  PROP_DEFAULT_TIMEOUT,
  PROP_NAME_OWNER,
  N_PROPS
};

enum {
  SIGNAL_PROPERTIES_CHANGED,
  SIGNAL_DBUS_SIGNAL,
  SIGNAL_CACHE_RESET,
  SIGNAL_SET_PROPERTY_FAILED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

ZbusProxyPrivate *
_zbus_proxy_get_private (ZbusProxy *self)
{
  return zbus_proxy_get_instance_private (self);
}

void
_zbus_proxy_notify_name_owner (ZbusProxy *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME_OWNER]);
}

void
_zbus_proxy_emit_properties_changed (ZbusProxy          *self,
                                     GVariant           *changed,
                                     const char * const *invalidated)
{
  static const char * const none[] = { NULL };
  /* An emission nobody listens to is skipped without collecting the
   * arguments: a floating @changed would never be sunk. */
  g_autoptr(GVariant) owned = g_variant_ref_sink (changed);

  g_signal_emit (self, signals[SIGNAL_PROPERTIES_CHANGED], 0, owned,
                 invalidated != NULL ? invalidated : none);
}

void
_zbus_proxy_emit_dbus_signal (ZbusProxy  *self,
                              GQuark      detail,
                              const char *sender,
                              const char *signal_name,
                              GVariant   *parameters)
{
  g_signal_emit (self, signals[SIGNAL_DBUS_SIGNAL], detail, sender, signal_name, parameters);
}

void
_zbus_proxy_emit_cache_reset (ZbusProxy *self)
{
  g_signal_emit (self, signals[SIGNAL_CACHE_RESET], 0);
}

void
_zbus_proxy_emit_set_property_failed (ZbusProxy    *self,
                                      const char   *gname,
                                      const GError *error)
{
  g_signal_emit (self, signals[SIGNAL_SET_PROPERTY_FAILED], g_quark_from_string (gname),
                 gname, error);
}

/* ------------------------------------------------------------------------ */
/* Construction */

static gboolean
check_names (ZbusProxy  *self,
             GError    **error)
{
  ZbusProxyPrivate *priv = PRIV (self);

  if (priv->connection == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "A ZbusProxy needs a connection");
      return FALSE;
    }
  if (priv->destination != NULL && !g_dbus_is_name (priv->destination))
    {
      g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME,
                   "“%s” is not a valid bus name", priv->destination);
      return FALSE;
    }
  if (priv->object_path == NULL || !g_variant_is_object_path (priv->object_path))
    {
      g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME,
                   "“%s” is not a valid object path", priv->object_path ? priv->object_path : "(null)");
      return FALSE;
    }
  if (priv->interface_name == NULL || !g_dbus_is_interface_name (priv->interface_name))
    {
      g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME,
                   "“%s” is not a valid interface name",
                   priv->interface_name ? priv->interface_name : "(null)");
      return FALSE;
    }
  /* They are construct-only: calls need not check them again. */
  priv->names_checked = TRUE;
  return TRUE;
}

/* The rules the proxy needs: @local without sender, matched here; @bus
 * with the destination as sender (the bus lets a well-known name match
 * its current owner), sent with AddMatch. */
static ZbusMatchRule *
build_rule (ZbusMatchRuleBuilder *builder)
{
  g_autoptr(GError) error = NULL;
  ZbusMatchRule *rule = zbus_match_rule_builder_build (builder, &error);

  g_assert_no_error (error);
  return rule;
}

static ZbusMatchRuleBuilder *
signal_rule_builder (ZbusProxy  *self,
                     const char *interface_,
                     const char *member)
{
  ZbusProxyPrivate *priv = PRIV (self);
  ZbusMatchRuleBuilder *builder = zbus_match_rule_builder_new ();

  zbus_match_rule_builder_set_message_type (builder, ZBUS_MESSAGE_TYPE_SIGNAL);
  zbus_match_rule_builder_set_path (builder, priv->object_path);
  zbus_match_rule_builder_set_interface (builder, interface_);
  if (member != NULL)
    zbus_match_rule_builder_set_member (builder, member);
  return builder;
}

static void
add_bus_rule (ZbusProxy            *self,
              ZbusMatchRuleBuilder *builder,
              GPtrArray            *out)
{
  ZbusProxyPrivate *priv = PRIV (self);
  g_autoptr(ZbusMatchRule) rule = NULL;

  if (priv->destination != NULL)
    zbus_match_rule_builder_set_sender (builder, priv->destination);
  rule = build_rule (builder);
  g_ptr_array_add (out, zbus_match_rule_to_string (rule));
}

/* Sets the intake up and returns the AddMatch rules to send. Without
 * @add_filter nothing feeds the intake: its owner does (an object
 * manager). */
static GPtrArray *
start_intake (ZbusProxy *self,
              gboolean   add_filter)
{
  ZbusProxyPrivate *priv = PRIV (self);
  g_autoptr(ZbusMatchRuleBuilder) signal_builder = NULL;
  g_autoptr(ZbusMatchRuleBuilder) props_builder = NULL;
  g_autoptr(ZbusMatchRuleBuilder) owner_builder = NULL;
  g_autoptr(ZbusMatchRule) signal_rule = NULL;
  g_autoptr(ZbusMatchRule) props_rule = NULL;
  g_autoptr(ZbusMatchRule) owner_rule = NULL;
  GPtrArray *bus_rules = g_ptr_array_new_with_free_func (g_free);
  gboolean is_bus = zbus_connection_is_bus (priv->connection);

  priv->check_sender = is_bus && priv->destination != NULL;

  signal_builder = signal_rule_builder (self, priv->interface_name, NULL);
  signal_rule = build_rule (signal_builder);

  if (priv->cache_mode != ZBUS_PROXY_CACHE_MODE_NONE)
    {
      props_builder = signal_rule_builder (self, PROPERTIES_INTERFACE, "PropertiesChanged");
      zbus_match_rule_builder_set_arg (props_builder, 0, priv->interface_name);
      props_rule = build_rule (props_builder);
    }

  if (priv->check_sender)
    {
      owner_builder = zbus_match_rule_builder_new ();
      zbus_match_rule_builder_set_message_type (owner_builder, ZBUS_MESSAGE_TYPE_SIGNAL);
      zbus_match_rule_builder_set_sender (owner_builder, DBUS_NAME);
      zbus_match_rule_builder_set_path (owner_builder, DBUS_PATH);
      zbus_match_rule_builder_set_interface (owner_builder, DBUS_INTERFACE);
      zbus_match_rule_builder_set_member (owner_builder, "NameOwnerChanged");
      zbus_match_rule_builder_set_arg (owner_builder, 0, priv->destination);
      owner_rule = build_rule (owner_builder);
    }

  priv->intake = _zbus_intake_new (G_OBJECT (self), priv->context, priv->check_sender,
                                   owner_rule, signal_rule, props_rule, _zbus_proxy_dispatch_cb);
  if (!priv->check_sender)
    _zbus_intake_set_owner (priv->intake, NULL, 0);
  if (add_filter)
    priv->filter_id = _zbus_connection_add_filter (priv->connection, _zbus_intake_filter_cb,
                                                   _zbus_intake_ref (priv->intake),
                                                   (GDestroyNotify) _zbus_intake_unref);

  if (is_bus)
    {
      /* Owner first: a change is tracked before the rest can arrive. */
      if (owner_rule != NULL)
        g_ptr_array_add (bus_rules, zbus_match_rule_to_string (owner_rule));
      if (props_builder != NULL)
        add_bus_rule (self, props_builder, bus_rules);
      add_bus_rule (self, signal_builder, bus_rules);
    }

  return bus_rules;
}

/* Undoes start_intake() and the AddMatch calls that went through: when
 * the proxy goes away, and when its construction fails (a failed proxy
 * its owner keeps must not go on listening). */
static void
stop_intake (ZbusProxy *self)
{
  ZbusProxyPrivate *priv = PRIV (self);

  if (priv->filter_id != 0)
    {
      _zbus_connection_remove_filter (priv->connection, priv->filter_id);
      priv->filter_id = 0;
    }
  if (priv->intake != NULL)
    _zbus_intake_close (priv->intake);

  /* Nobody waits for the answers. */
  for (guint i = 0; priv->match_rules != NULL && i < priv->match_rules->len; i++)
    if (!zbus_connection_is_closed (priv->connection))
      {
        g_autoptr(GVariant) ignored = NULL;

        ignored = zbus_connection_call_sync (priv->connection, DBUS_NAME, DBUS_PATH, DBUS_INTERFACE,
                                             "RemoveMatch",
                                             g_variant_new ("(s)", g_ptr_array_index (priv->match_rules, i)),
                                             NULL, ZBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED,
                                             ZBUS_TIMEOUT_DEFAULT, NULL, NULL);
      }
  if (priv->match_rules != NULL)
    g_ptr_array_set_size (priv->match_rules, 0);
}

/* Construction failed with @error: remembered for later attempts, and
 * nothing keeps listening. */
static void
init_failed (ZbusProxy    *self,
             const GError *error)
{
  ZbusProxyPrivate *priv = PRIV (self);

  if (priv->init_error == NULL)
    priv->init_error = g_error_copy (error);
  stop_intake (self);
}

static ZbusMessage *
new_get_name_owner_call (ZbusProxy *self)
{
  g_autoptr(ZbusMessage) call = NULL;

  call = zbus_message_new_method_call (DBUS_NAME, DBUS_PATH, DBUS_INTERFACE, "GetNameOwner", NULL);
  zbus_message_set_body (call, g_variant_new ("(s)", PRIV (self)->destination), NULL);
  return g_steal_pointer (&call);
}

/* GetNameOwner's answer: no owner is an answer, not an error. */
static gboolean
apply_name_owner (ZbusProxy    *self,
                  ZbusMessage  *reply,
                  GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  const char *owner = NULL;

  if (zbus_message_to_gerror (reply, &local_error))
    {
      if (g_strcmp0 (zbus_message_get_error_name (reply),
                     "org.freedesktop.DBus.Error.NameHasNoOwner") != 0)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      "Could not find the owner of %s: ",
                                      PRIV (self)->destination);
          return FALSE;
        }
    }
  else if (g_strcmp0 (zbus_message_get_signature (reply), "s") == 0)
    g_variant_get_child (zbus_message_get_body (reply), 0, "&s", &owner);

  _zbus_intake_set_owner (PRIV (self)->intake, owner, zbus_message_get_serial (reply));
  return TRUE;
}

static void
finish_init (ZbusProxy   *self,
             ZbusMessage *get_all_reply)
{
  ZbusProxyPrivate *priv = PRIV (self);

  priv->name_owner = _zbus_intake_dup_owner (priv->intake, &priv->owner_serial);
  g_atomic_int_set (&priv->cache_active, priv->cache_mode == ZBUS_PROXY_CACHE_MODE_EAGER);

  /* A failing GetAll (no owner, no Properties interface) leaves the cache
   * empty: reads then ask. It is no reason to fail construction. */
  if (get_all_reply != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!_zbus_proxy_apply_get_all (self, get_all_reply, FALSE, &error))
        g_debug ("GetAll of %s at %s failed: %s", priv->interface_name, priv->object_path,
                 error->message);
    }

  priv->initialized = TRUE;
  _zbus_intake_schedule (priv->intake);
}

static gboolean
zbus_proxy_initable_init (GInitable     *initable,
                          GCancellable  *cancellable,
                          GError       **error)
{
  ZbusProxy *self = ZBUS_PROXY (initable);
  ZbusProxyPrivate *priv = PRIV (self);
  g_autoptr(GPtrArray) rules = NULL;
  g_autoptr(ZbusMessage) get_all_reply = NULL;

  if (priv->initialized)
    return TRUE;
  if (priv->init_error != NULL)
    {
      g_propagate_error (error, g_error_copy (priv->init_error));
      return FALSE;
    }
  if (!check_names (self, error))
    return FALSE;

  /* AddMatch is not cancelled: a cancelled call may still have reached
   * the bus, and then nobody would know to remove its rule. */
  rules = start_intake (self, TRUE);
  for (guint i = 0; i < rules->len; i++)
    {
      g_autoptr(GVariant) reply = NULL;
      g_autoptr(GError) local_error = NULL;
      const char *rule = g_ptr_array_index (rules, i);

      reply = zbus_connection_call_sync (priv->connection, DBUS_NAME, DBUS_PATH, DBUS_INTERFACE,
                                         "AddMatch", g_variant_new ("(s)", rule), NULL,
                                         ZBUS_MESSAGE_FLAGS_NONE, ZBUS_TIMEOUT_DEFAULT,
                                         NULL, &local_error);
      if (reply == NULL)
        {
          g_prefix_error (&local_error, "The bus refused the match rule “%s”: ", rule);
          init_failed (self, local_error);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_ptr_array_add (priv->match_rules, g_strdup (rule));
    }

  {
    g_autoptr(GError) local_error = NULL;

    if (g_cancellable_set_error_if_cancelled (cancellable, &local_error))
      {
        init_failed (self, local_error);
        g_propagate_error (error, g_steal_pointer (&local_error));
        return FALSE;
      }
  }

  if (priv->check_sender)
    {
      g_autoptr(ZbusMessage) call = new_get_name_owner_call (self);
      g_autoptr(ZbusMessage) reply = NULL;
      g_autoptr(GError) local_error = NULL;

      reply = zbus_connection_send_message_with_reply_sync (priv->connection, call,
                                                            ZBUS_TIMEOUT_DEFAULT, cancellable,
                                                            &local_error);
      if (reply == NULL || !apply_name_owner (self, reply, &local_error))
        {
          init_failed (self, local_error);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }

  if (priv->cache_mode == ZBUS_PROXY_CACHE_MODE_EAGER)
    {
      g_autoptr(ZbusMessage) call = _zbus_proxy_new_properties_call (self, "GetAll",
                                                         g_variant_new ("(s)", priv->interface_name));
      g_autoptr(GError) local_error = NULL;
      g_autofree char *owner = NULL;
      guint32 serial;

      owner = _zbus_intake_dup_owner (priv->intake, &serial);
      if (owner != NULL || !priv->check_sender)
        {
          get_all_reply = zbus_connection_send_message_with_reply_sync (priv->connection, call,
                                                                        _zbus_proxy_resolve_timeout (self, ZBUS_TIMEOUT_DEFAULT),
                                                                        cancellable, &local_error);
          if (get_all_reply == NULL && g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              init_failed (self, local_error);
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
        }
    }

  finish_init (self, get_all_reply);
  return TRUE;
}

static void
zbus_proxy_initable_iface_init (GInitableIface *iface)
{
  iface->init = zbus_proxy_initable_init;
}

/* A proxy whose owner (a ZbusObjectManagerClient) knows the name's owner
 * and the properties already, and feeds it the signals of its object with
 * _zbus_intake_filter_cb() on the proxy's context: no I/O here, no match
 * rule of its own. @values (an a{sv}, nullable) came in the message
 * with @serial from @owner. */
gboolean
_zbus_proxy_init_managed (ZbusProxy   *self,
                          const char  *owner,
                          guint32      owner_serial,
                          GVariant    *values,
                          guint32      serial,
                          GError     **error)
{
  ZbusProxyPrivate *priv = PRIV (self);
  g_autoptr(GPtrArray) rules = NULL;

  g_return_val_if_fail (!priv->initialized && priv->intake == NULL, FALSE);

  if (!check_names (self, error))
    return FALSE;

  rules = start_intake (self, FALSE);
  if (priv->check_sender)
    _zbus_intake_set_owner (priv->intake, owner, owner_serial);
  priv->name_owner = _zbus_intake_dup_owner (priv->intake, &priv->owner_serial);
  g_atomic_int_set (&priv->cache_active, priv->cache_mode != ZBUS_PROXY_CACHE_MODE_NONE);
  if (values != NULL)
    _zbus_proxy_seed_cache (self, values, serial, FALSE);

  priv->initialized = TRUE;
  return TRUE;
}

/* Asynchronously, every request goes out at once: the bus handles one
 * connection's messages in order, so the AddMatch calls take effect before
 * GetNameOwner is answered and before GetAll reaches the service. */
typedef struct
{
  guint pending;
  GError *error;                /* (owned) (nullable): the first */
  ZbusMessage *owner_reply;     /* (owned) (nullable) */
  ZbusMessage *get_all_reply;   /* (owned) (nullable) */
} InitData;

static void
init_data_free (InitData *data)
{
  g_clear_error (&data->error);
  g_clear_pointer (&data->owner_reply, zbus_message_unref);
  g_clear_pointer (&data->get_all_reply, zbus_message_unref);
  g_free (data);
}

static void
init_step_done (GTask *task)
{
  ZbusProxy *self = g_task_get_source_object (task);
  InitData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (--data->pending > 0)
    return;

  if (data->error == NULL && data->owner_reply != NULL &&
      !apply_name_owner (self, data->owner_reply, &error))
    data->error = error;
  if (data->error == NULL)
    g_cancellable_set_error_if_cancelled (g_task_get_cancellable (task), &data->error);

  if (data->error != NULL)
    {
      init_failed (self, data->error);
      g_task_return_error (task, g_steal_pointer (&data->error));
      return;
    }

  /* GetAll went out before the owner was known: whoever answered must
   * be the owner GetNameOwner named (apply_get_all checks). */
  finish_init (self, data->get_all_reply);
  g_task_return_boolean (task, TRUE);
}

typedef struct
{
  GTask *task;                  /* (owned) */
  ZbusMessage **slot;           /* (unowned): where the answer goes */
  gboolean optional;            /* failing is no error */
} ReplyData;

static void
init_message_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  ReplyData *rd = user_data;
  g_autoptr(GTask) task = rd->task;
  InitData *data = g_task_get_task_data (task);
  GError *error = NULL;
  ZbusMessage *reply;

  reply = zbus_connection_send_message_with_reply_finish (ZBUS_CONNECTION (object), result, &error);
  if (reply != NULL)
    *rd->slot = reply;
  else if (data->error == NULL &&
           (!rd->optional || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)))
    data->error = error;
  else
    g_error_free (error);
  g_free (rd);

  init_step_done (task);
}

static void
send_init_message (GTask        *task,
                   ZbusMessage  *call,
                   ZbusMessage **slot,
                   gboolean      optional,
                   int           timeout_msec)
{
  ZbusProxy *self = g_task_get_source_object (task);
  InitData *data = g_task_get_task_data (task);
  ReplyData *rd = g_new0 (ReplyData, 1);

  rd->task = g_object_ref (task);
  rd->slot = slot;
  rd->optional = optional;
  data->pending++;
  zbus_connection_send_message_with_reply (PRIV (self)->connection, call, timeout_msec,
                                           g_task_get_cancellable (task), init_message_cb, rd);
}

typedef struct
{
  GTask *task;   /* (owned) */
  char *rule;    /* (owned) */
} AddMatchData;

static void
init_add_match_done_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  AddMatchData *am = user_data;
  g_autoptr(GTask) task = am->task;
  g_autofree char *rule = am->rule;
  ZbusProxy *self = g_task_get_source_object (task);
  InitData *data = g_task_get_task_data (task);
  g_autoptr(GVariant) reply = NULL;
  GError *error = NULL;

  g_free (am);
  reply = zbus_connection_call_finish (ZBUS_CONNECTION (object), result, &error);
  if (reply != NULL)
    g_ptr_array_add (PRIV (self)->match_rules, g_steal_pointer (&rule));
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
zbus_proxy_async_initable_init_async (GAsyncInitable      *initable,
                                      int                  io_priority,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  ZbusProxy *self = ZBUS_PROXY (initable);
  ZbusProxyPrivate *priv = PRIV (self);
  g_autoptr(GTask) task = NULL;
  g_autoptr(GPtrArray) rules = NULL;
  GError *error = NULL;
  InitData *data;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, zbus_proxy_async_initable_init_async);

  if (priv->initialized)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (priv->init_error != NULL)
    {
      g_task_return_error (task, g_error_copy (priv->init_error));
      return;
    }
  if (!check_names (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  data = g_new0 (InitData, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) init_data_free);
  /* Held until every request is sent, so none finishes the task early. */
  data->pending = 1;

  rules = start_intake (self, TRUE);
  for (guint i = 0; i < rules->len; i++)
    {
      AddMatchData *am = g_new0 (AddMatchData, 1);
      const char *rule = g_ptr_array_index (rules, i);

      am->task = g_object_ref (task);
      am->rule = g_strdup (rule);
      data->pending++;
      /* Not cancelled, as in the synchronous path. */
      zbus_connection_call (priv->connection, DBUS_NAME, DBUS_PATH, DBUS_INTERFACE, "AddMatch",
                            g_variant_new ("(s)", rule), NULL, ZBUS_MESSAGE_FLAGS_NONE,
                            ZBUS_TIMEOUT_DEFAULT, NULL, init_add_match_done_cb, am);
    }

  if (priv->check_sender)
    {
      g_autoptr(ZbusMessage) call = new_get_name_owner_call (self);

      send_init_message (task, call, &data->owner_reply, FALSE, ZBUS_TIMEOUT_DEFAULT);
    }

  if (priv->cache_mode == ZBUS_PROXY_CACHE_MODE_EAGER)
    {
      g_autoptr(ZbusMessage) call = _zbus_proxy_new_properties_call (self, "GetAll",
                                                         g_variant_new ("(s)", priv->interface_name));

      /* Sent before the owner is known: it must not start an activatable
       * service that is not running (the synchronous path sends it only
       * to an owner). Its answer is optional. */
      if (priv->check_sender)
        zbus_message_set_flags (call, zbus_message_get_flags (call) | ZBUS_MESSAGE_FLAGS_NO_AUTO_START);
      send_init_message (task, call, &data->get_all_reply, TRUE,
                         _zbus_proxy_resolve_timeout (self, ZBUS_TIMEOUT_DEFAULT));
    }

  init_step_done (task);
}

static gboolean
zbus_proxy_async_initable_init_finish (GAsyncInitable  *initable,
                                       GAsyncResult    *result,
                                       GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, initable), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
zbus_proxy_async_initable_iface_init (GAsyncInitableIface *iface)
{
  iface->init_async = zbus_proxy_async_initable_init_async;
  iface->init_finish = zbus_proxy_async_initable_init_finish;
}

/* ------------------------------------------------------------------------ */
/* GObject */

static void
zbus_proxy_constructed (GObject *object)
{
  ZbusProxy *self = ZBUS_PROXY (object);

  G_OBJECT_CLASS (zbus_proxy_parent_class)->constructed (object);

  PRIV (self)->context = g_main_context_ref_thread_default ();
}

static void
zbus_proxy_dispose (GObject *object)
{
  stop_intake (ZBUS_PROXY (object));

  G_OBJECT_CLASS (zbus_proxy_parent_class)->dispose (object);
}

static void
zbus_proxy_finalize (GObject *object)
{
  ZbusProxy *self = ZBUS_PROXY (object);
  ZbusProxyPrivate *priv = PRIV (self);

  g_clear_pointer (&priv->intake, _zbus_intake_unref);
  g_clear_pointer (&priv->match_rules, g_ptr_array_unref);
  g_clear_pointer (&priv->cache, g_hash_table_unref);
  g_mutex_clear (&priv->cache_lock);
  g_clear_pointer (&priv->context, g_main_context_unref);
  g_clear_error (&priv->init_error);
  g_clear_object (&priv->connection);
  g_free (priv->destination);
  g_free (priv->object_path);
  g_free (priv->interface_name);
  g_free (priv->name_owner);
  g_strfreev (priv->uncached);

  G_OBJECT_CLASS (zbus_proxy_parent_class)->finalize (object);
}

static void
zbus_proxy_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  ZbusProxy *self = ZBUS_PROXY (object);
  ZbusProxyPrivate *priv = PRIV (self);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, priv->connection);
      break;
    case PROP_DESTINATION:
      g_value_set_string (value, priv->destination);
      break;
    case PROP_OBJECT_PATH:
      g_value_set_string (value, priv->object_path);
      break;
    case PROP_INTERFACE_NAME:
      g_value_set_string (value, priv->interface_name);
      break;
    case PROP_CACHE_MODE:
      g_value_set_enum (value, priv->cache_mode);
      break;
    case PROP_UNCACHED_PROPERTIES:
      g_value_set_boxed (value, priv->uncached);
      break;
    case PROP_DEFAULT_TIMEOUT:
      g_value_set_int (value, priv->default_timeout);
      break;
    case PROP_NAME_OWNER:
      g_value_set_string (value, priv->name_owner);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
zbus_proxy_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  ZbusProxy *self = ZBUS_PROXY (object);
  ZbusProxyPrivate *priv = PRIV (self);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      priv->connection = g_value_dup_object (value);
      break;
    case PROP_DESTINATION:
      priv->destination = g_value_dup_string (value);
      break;
    case PROP_OBJECT_PATH:
      priv->object_path = g_value_dup_string (value);
      break;
    case PROP_INTERFACE_NAME:
      priv->interface_name = g_value_dup_string (value);
      break;
    case PROP_CACHE_MODE:
      priv->cache_mode = g_value_get_enum (value);
      break;
    case PROP_UNCACHED_PROPERTIES:
      priv->uncached = g_value_dup_boxed (value);
      break;
    case PROP_DEFAULT_TIMEOUT:
      zbus_proxy_set_default_timeout (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
zbus_proxy_class_init (ZbusProxyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = zbus_proxy_constructed;
  object_class->dispose = zbus_proxy_dispose;
  object_class->finalize = zbus_proxy_finalize;
  object_class->get_property = zbus_proxy_get_property;
  object_class->set_property = zbus_proxy_set_property;

  /**
   * ZbusProxy:connection:
   *
   * The connection the proxy talks through.
   *
   * Since: 1.0
   */
  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, ZBUS_TYPE_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * ZbusProxy:destination:
   *
   * The bus name of the remote object, well-known or unique; %NULL on a
   * peer-to-peer connection.
   *
   * Since: 1.0
   */
  properties[PROP_DESTINATION] =
    g_param_spec_string ("destination", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * ZbusProxy:object-path:
   *
   * The path of the remote object.
   *
   * Since: 1.0
   */
  properties[PROP_OBJECT_PATH] =
    g_param_spec_string ("object-path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * ZbusProxy:interface-name:
   *
   * The D-Bus interface the proxy is for.
   *
   * Since: 1.0
   */
  properties[PROP_INTERFACE_NAME] =
    g_param_spec_string ("interface-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * ZbusProxy:cache-mode:
   *
   * How the proxy caches the remote properties.
   *
   * Since: 1.0
   */
  properties[PROP_CACHE_MODE] =
    g_param_spec_enum ("cache-mode", NULL, NULL, ZBUS_TYPE_PROXY_CACHE_MODE,
                       ZBUS_PROXY_CACHE_MODE_LAZY,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * ZbusProxy:uncached-properties:
   *
   * D-Bus properties never cached: every read fetches them. For
   * properties whose changes the service does not signal.
   *
   * Since: 1.0
   */
  properties[PROP_UNCACHED_PROPERTIES] =
    g_param_spec_boxed ("uncached-properties", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * ZbusProxy:default-timeout:
   *
   * The timeout of calls made with %ZBUS_TIMEOUT_DEFAULT, in
   * milliseconds; %ZBUS_TIMEOUT_DEFAULT (-1) uses the connection's.
   *
   * Since: 1.0
   */
  properties[PROP_DEFAULT_TIMEOUT] =
    g_param_spec_int ("default-timeout", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                      G_PARAM_STATIC_STRINGS);

  /**
   * ZbusProxy:name-owner:
   *
   * The unique name that owns [property@Zbus.Proxy:destination] now, or
   * %NULL when nobody does (and on a peer-to-peer connection).
   *
   * Since: 1.0
   */
  properties[PROP_NAME_OWNER] =
    g_param_spec_string ("name-owner", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ZbusProxy::properties-changed:
   * @self: the proxy
   * @changed: (type GVariant): the properties that changed and their new
   *   values, an `a{sv}`
   * @invalidated: (array zero-terminated=1): the properties that changed
   *   without saying their value
   *
   * Emitted when the remote object says its properties changed (each
   * `PropertiesChanged` signal), and when a `GetAll` made after
   * construction (the lazy load, a refresh, a new owner) brings values
   * the cache did not have. The cache is updated before.
   *
   * Since: 1.0
   */
  signals[SIGNAL_PROPERTIES_CHANGED] =
    g_signal_new ("properties-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  G_STRUCT_OFFSET (ZbusProxyClass, properties_changed), NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_VARIANT, G_TYPE_STRV);

  /**
   * ZbusProxy::dbus-signal:
   * @self: the proxy
   * @sender: (nullable): the unique name that sent it (%NULL on a
   *   peer-to-peer connection)
   * @signal_name: the D-Bus signal's name
   * @parameters: its arguments, a tuple
   *
   * Emitted for each signal of the proxy's interface that the remote
   * object sends. The detail is the signal's name:
   * `dbus-signal::NameOwnerChanged`.
   *
   * Since: 1.0
   */
  signals[SIGNAL_DBUS_SIGNAL] =
    g_signal_new ("dbus-signal", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                  G_STRUCT_OFFSET (ZbusProxyClass, dbus_signal), NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_VARIANT);

  /**
   * ZbusProxy::cache-reset:
   * @self: the proxy
   *
   * Emitted when the owner of the destination changed and the cache was
   * emptied. When there is a new owner, the properties are being fetched
   * again ([signal@Zbus.Proxy::properties-changed] says when they arrive).
   *
   * Since: 1.0
   */
  signals[SIGNAL_CACHE_RESET] =
    g_signal_new ("cache-reset", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  G_STRUCT_OFFSET (ZbusProxyClass, cache_reset), NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /**
   * ZbusProxy::set-property-failed:
   * @self: the proxy
   * @name: the GObject name of the property
   * @error: why: the remote's error, or why the value could not be sent
   *
   * Emitted by proxies whose type was made from an interface description
   * ([func@Zbus.Proxy.type_for_interface_type] and the like) when writing
   * one of their GObject properties failed. The property already holds its
   * old value again. The detail is the property's name:
   * `set-property-failed::count`.
   *
   * Since: 1.0
   */
  signals[SIGNAL_SET_PROPERTY_FAILED] =
    g_signal_new ("set-property-failed", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_ERROR);
}

static void
zbus_proxy_init (ZbusProxy *self)
{
  ZbusProxyPrivate *priv = PRIV (self);

  priv->default_timeout = ZBUS_TIMEOUT_DEFAULT;
  g_mutex_init (&priv->cache_lock);
  priv->cache = _zbus_proxy_cache_new ();
  priv->match_rules = g_ptr_array_new_with_free_func (g_free);
}

/* ------------------------------------------------------------------------ */
/* Making one */

/**
 * zbus_proxy_new:
 * @connection: a connection
 * @destination: (nullable): the bus name of the remote object, well-known
 *   or unique; %NULL on a peer-to-peer connection
 * @object_path: the path of the remote object
 * @interface_name: the D-Bus interface to use
 * @cache_mode: how to cache the properties
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Makes a proxy, waiting until it listens to the remote object's signals,
 * knows the owner of @destination and, with
 * %ZBUS_PROXY_CACHE_MODE_EAGER, has its properties.
 *
 * That the object exists is not checked: a name nobody owns is fine (the
 * proxy follows it, and calls may start the service). A `GetAll` that
 * fails leaves the cache empty.
 *
 * Returns: (transfer full): the new proxy, or %NULL if a name is not
 *   valid, the bus refused the match rules or the connection failed
 *
 * Since: 1.0
 */
ZbusProxy *
zbus_proxy_new (ZbusConnection      *connection,
                const char          *destination,
                const char          *object_path,
                const char          *interface_name,
                ZbusProxyCacheMode   cache_mode,
                GCancellable        *cancellable,
                GError             **error)
{
  g_return_val_if_fail (ZBUS_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (object_path != NULL, NULL);
  g_return_val_if_fail (interface_name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_initable_new (ZBUS_TYPE_PROXY, cancellable, error,
                         "connection", connection,
                         "destination", destination,
                         "object-path", object_path,
                         "interface-name", interface_name,
                         "cache-mode", cache_mode,
                         NULL);
}

/**
 * zbus_proxy_new_async:
 * @connection: a connection
 * @destination: (nullable): the bus name of the remote object, well-known
 *   or unique; %NULL on a peer-to-peer connection
 * @object_path: the path of the remote object
 * @interface_name: the D-Bus interface to use
 * @cache_mode: how to cache the properties
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the proxy is ready
 * @user_data: (closure): data for @callback
 *
 * Makes a proxy without blocking; see [ctor@Zbus.Proxy.new]. Every
 * request it needs goes out at once.
 *
 * Since: 1.0
 */
void
zbus_proxy_new_async (ZbusConnection      *connection,
                      const char          *destination,
                      const char          *object_path,
                      const char          *interface_name,
                      ZbusProxyCacheMode   cache_mode,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_return_if_fail (ZBUS_IS_CONNECTION (connection));
  g_return_if_fail (object_path != NULL);
  g_return_if_fail (interface_name != NULL);

  g_async_initable_new_async (ZBUS_TYPE_PROXY, G_PRIORITY_DEFAULT, cancellable, callback, user_data,
                              "connection", connection,
                              "destination", destination,
                              "object-path", object_path,
                              "interface-name", interface_name,
                              "cache-mode", cache_mode,
                              NULL);
}

/**
 * zbus_proxy_new_finish:
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [func@Zbus.Proxy.new_async].
 *
 * Returns: (transfer full): the new proxy, or %NULL on error
 *
 * Since: 1.0
 */
ZbusProxy *
zbus_proxy_new_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_autoptr(GObject) source = NULL;
  GObject *object;

  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  source = g_async_result_get_source_object (result);
  object = g_async_initable_new_finish (G_ASYNC_INITABLE (source), result, error);
  return object != NULL ? ZBUS_PROXY (object) : NULL;
}

/**
 * zbus_proxy_new_for_bus_daemon:
 * @connection: a bus connection
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Makes a proxy for the bus itself: `org.freedesktop.DBus` at
 * `/org/freedesktop/DBus`, with its methods (`ListNames`,
 * `GetNameOwner`, …), properties (`Features`, `Interfaces`) and signals
 * (`NameOwnerChanged`, `NameAcquired`, `NameLost`). The cache is lazy.
 * The proxy is a [class@Zbus.BusProxy], whose typed functions and
 * signals cover the common methods and signals.
 *
 * Returns: (transfer full): the new proxy, or %NULL on error
 *
 * Since: 1.0
 */
ZbusProxy *
zbus_proxy_new_for_bus_daemon (ZbusConnection  *connection,
                               GCancellable    *cancellable,
                               GError         **error)
{
  g_return_val_if_fail (ZBUS_IS_CONNECTION (connection), NULL);

  return ZBUS_PROXY (zbus_bus_proxy_new (connection, cancellable, error));
}

/* ------------------------------------------------------------------------ */
/* Accessors */

/**
 * zbus_proxy_get_connection:
 * @self: a proxy
 *
 * Gets the connection the proxy talks through.
 *
 * Returns: (transfer none): the connection
 *
 * Since: 1.0
 */
ZbusConnection *
zbus_proxy_get_connection (ZbusProxy *self)
{
  g_return_val_if_fail (ZBUS_IS_PROXY (self), NULL);

  return PRIV (self)->connection;
}

/**
 * zbus_proxy_get_destination:
 * @self: a proxy
 *
 * Gets the bus name the proxy talks to.
 *
 * Returns: (nullable): the name, or %NULL on a peer-to-peer connection
 *
 * Since: 1.0
 */
const char *
zbus_proxy_get_destination (ZbusProxy *self)
{
  g_return_val_if_fail (ZBUS_IS_PROXY (self), NULL);

  return PRIV (self)->destination;
}

/**
 * zbus_proxy_get_object_path:
 * @self: a proxy
 *
 * Gets the path of the remote object.
 *
 * Returns: the path
 *
 * Since: 1.0
 */
const char *
zbus_proxy_get_object_path (ZbusProxy *self)
{
  g_return_val_if_fail (ZBUS_IS_PROXY (self), NULL);

  return PRIV (self)->object_path;
}

/**
 * zbus_proxy_get_interface_name:
 * @self: a proxy
 *
 * Gets the D-Bus interface the proxy is for.
 *
 * Returns: the interface name
 *
 * Since: 1.0
 */
const char *
zbus_proxy_get_interface_name (ZbusProxy *self)
{
  g_return_val_if_fail (ZBUS_IS_PROXY (self), NULL);

  return PRIV (self)->interface_name;
}

/**
 * zbus_proxy_get_cache_mode:
 * @self: a proxy
 *
 * Gets how the proxy caches properties.
 *
 * Returns: the cache mode
 *
 * Since: 1.0
 */
ZbusProxyCacheMode
zbus_proxy_get_cache_mode (ZbusProxy *self)
{
  g_return_val_if_fail (ZBUS_IS_PROXY (self), ZBUS_PROXY_CACHE_MODE_LAZY);

  return PRIV (self)->cache_mode;
}

/**
 * zbus_proxy_get_uncached_properties:
 * @self: a proxy
 *
 * Gets the properties the proxy never caches.
 *
 * Returns: (nullable) (array zero-terminated=1) (transfer none): their
 *   names, or %NULL for none
 *
 * Since: 1.0
 */
const char * const *
zbus_proxy_get_uncached_properties (ZbusProxy *self)
{
  g_return_val_if_fail (ZBUS_IS_PROXY (self), NULL);

  return (const char * const *) PRIV (self)->uncached;
}

/**
 * zbus_proxy_get_default_timeout:
 * @self: a proxy
 *
 * Gets the timeout of calls made with %ZBUS_TIMEOUT_DEFAULT.
 *
 * Returns: the timeout in milliseconds, or %ZBUS_TIMEOUT_DEFAULT for the
 *   connection's
 *
 * Since: 1.0
 */
int
zbus_proxy_get_default_timeout (ZbusProxy *self)
{
  g_return_val_if_fail (ZBUS_IS_PROXY (self), ZBUS_TIMEOUT_DEFAULT);

  return g_atomic_int_get (&PRIV (self)->default_timeout);
}

/**
 * zbus_proxy_set_default_timeout:
 * @self: a proxy
 * @timeout_msec: a timeout in milliseconds, %ZBUS_TIMEOUT_INFINITE, or
 *   %ZBUS_TIMEOUT_DEFAULT for the connection's
 *
 * Sets the timeout of the proxy's calls made with %ZBUS_TIMEOUT_DEFAULT.
 *
 * Since: 1.0
 */
void
zbus_proxy_set_default_timeout (ZbusProxy *self,
                                int        timeout_msec)
{
  ZbusProxyPrivate *priv;

  g_return_if_fail (ZBUS_IS_PROXY (self));
  g_return_if_fail (timeout_msec >= -1);

  priv = PRIV (self);
  if (g_atomic_int_get (&priv->default_timeout) == timeout_msec)
    return;

  g_atomic_int_set (&priv->default_timeout, timeout_msec);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEFAULT_TIMEOUT]);
}

/**
 * zbus_proxy_dup_name_owner:
 * @self: a proxy
 *
 * Gets the unique name that owns the destination now, as far as the
 * proxy's context has seen: [property@Zbus.Proxy:name-owner] notifies its
 * changes.
 *
 * Returns: (transfer full) (nullable): the owner, or %NULL when nobody
 *   owns the name or on a peer-to-peer connection
 *
 * Since: 1.0
 */
char *
zbus_proxy_dup_name_owner (ZbusProxy *self)
{
  g_return_val_if_fail (ZBUS_IS_PROXY (self), NULL);

  return g_strdup (PRIV (self)->name_owner);
}

/* ------------------------------------------------------------------------ */
/* Calls */

/**
 * zbus_proxy_call:
 * @self: a proxy
 * @method: the method's name
 * @parameters: (nullable): the arguments, a tuple (a floating reference is
 *   sunk), or %NULL for none
 * @reply_type: (nullable): the type the reply must have, or %NULL for any
 * @flags: flags for the call message
 * @timeout_msec: the timeout in milliseconds, %ZBUS_TIMEOUT_INFINITE, or
 *   %ZBUS_TIMEOUT_DEFAULT for [property@Zbus.Proxy:default-timeout]
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Calls @method of the proxy's interface on the remote object and waits
 * for the reply; see [method@Zbus.Connection.call_sync]. Any thread may
 * call this.
 *
 * Returns: (transfer full) (nullable): the reply's arguments, a tuple, or
 *   %NULL with @error set; with %ZBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED an
 *   empty tuple once the call is sent
 *
 * Since: 1.0
 */
GVariant *
zbus_proxy_call (ZbusProxy           *self,
                 const char          *method,
                 GVariant            *parameters,
                 const GVariantType  *reply_type,
                 ZbusMessageFlags     flags,
                 int                  timeout_msec,
                 GCancellable        *cancellable,
                 GError             **error)
{
  ZbusProxyPrivate *priv;

  g_return_val_if_fail (ZBUS_IS_PROXY (self), NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  priv = PRIV (self);
  return _zbus_connection_call_sync_full (priv->connection, priv->names_checked,
                                          priv->destination, priv->object_path,
                                          priv->interface_name, method, parameters, reply_type,
                                          flags, _zbus_proxy_resolve_timeout (self, timeout_msec),
                                          cancellable, error);
}

static void
call_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GVariant *reply;

  reply = zbus_connection_call_finish (ZBUS_CONNECTION (object), result, &error);
  if (reply == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, reply, (GDestroyNotify) g_variant_unref);
}

void
_zbus_proxy_call_for_task (ZbusProxy          *self,
                           GTask              *task,
                           const char         *interface_,
                           const char         *method,
                           GVariant           *parameters,
                           const GVariantType *reply_type,
                           ZbusMessageFlags    flags,
                           int                 timeout_msec)
{
  ZbusProxyPrivate *priv = PRIV (self);

  _zbus_connection_call_full (priv->connection, priv->names_checked, priv->destination,
                              priv->object_path,
                              interface_ != NULL ? interface_ : priv->interface_name,
                              method, parameters, reply_type, flags,
                              _zbus_proxy_resolve_timeout (self, timeout_msec),
                              g_task_get_cancellable (task), call_done_cb, task);
}

/**
 * zbus_proxy_call_async:
 * @self: a proxy
 * @method: the method's name
 * @parameters: (nullable): the arguments, a tuple (a floating reference is
 *   sunk), or %NULL for none
 * @reply_type: (nullable): the type the reply must have, or %NULL for any
 * @flags: flags for the call message
 * @timeout_msec: the timeout in milliseconds, %ZBUS_TIMEOUT_INFINITE, or
 *   %ZBUS_TIMEOUT_DEFAULT for [property@Zbus.Proxy:default-timeout]
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the reply, in the thread-default
 *   main context of the thread that called this
 * @user_data: (closure): data for @callback
 *
 * Calls @method without blocking; see [method@Zbus.Proxy.call]. Any
 * thread may call this.
 *
 * Since: 1.0
 */
void
zbus_proxy_call_async (ZbusProxy           *self,
                       const char          *method,
                       GVariant            *parameters,
                       const GVariantType  *reply_type,
                       ZbusMessageFlags     flags,
                       int                  timeout_msec,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (ZBUS_IS_PROXY (self));
  g_return_if_fail (method != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, zbus_proxy_call_async);
  _zbus_proxy_call_for_task (self, task, NULL, method, parameters, reply_type, flags, timeout_msec);
}

/**
 * zbus_proxy_call_finish:
 * @self: a proxy
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Zbus.Proxy.call_async].
 *
 * Returns: (transfer full) (nullable): the reply's arguments, or %NULL
 *   with @error set
 *
 * Since: 1.0
 */
GVariant *
zbus_proxy_call_finish (ZbusProxy     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (ZBUS_IS_PROXY (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------ */
/* Streams of one signal */

/**
 * zbus_proxy_receive_signal:
 * @self: a proxy
 * @signal_name: the name of a signal of the proxy's interface
 * @args: (nullable) (array zero-terminated=1): what the first string
 *   arguments must equal: `args[0]` for the first, and so on
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Makes a stream of the @signal_name signals the remote object sends.
 * Like [signal@Zbus.Proxy::dbus-signal], it follows the owner of a
 * well-known destination: only its current owner's signals go in, and
 * they keep coming after the owner changes.
 *
 * The stream fills in the thread that reads the connection, whether or
 * not the proxy's context runs. It ends when the connection closes or the
 * proxy goes away. Any thread may call this.
 *
 * Returns: (transfer full): the stream, or %NULL if the bus refused the
 *   match rule or the connection failed
 *
 * Since: 1.0
 */
ZbusMessageStream *
zbus_proxy_receive_signal (ZbusProxy           *self,
                           const char          *signal_name,
                           const char * const  *args,
                           GCancellable        *cancellable,
                           GError             **error)
{
  ZbusProxyPrivate *priv;
  g_autoptr(ZbusMatchRuleBuilder) builder = NULL;
  g_autoptr(ZbusMatchRule) local_rule = NULL;
  g_autoptr(ZbusMatchRule) bus_rule = NULL;
  g_autoptr(ZbusMessageStream) stream = NULL;
  gboolean is_bus;

  g_return_val_if_fail (ZBUS_IS_PROXY (self), NULL);
  g_return_val_if_fail (signal_name != NULL, NULL);
  g_return_val_if_fail (args == NULL || g_strv_length ((char **) args) <= ZBUS_MATCH_RULE_MAX_ARGS, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  priv = PRIV (self);
  g_return_val_if_fail (priv->intake != NULL, NULL);

  if (!g_dbus_is_member_name (signal_name))
    {
      g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME,
                   "“%s” is not a valid signal name", signal_name);
      return NULL;
    }

  builder = signal_rule_builder (self, priv->interface_name, signal_name);
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    zbus_match_rule_builder_set_arg (builder, i, args[i]);
  local_rule = build_rule (builder);

  is_bus = zbus_connection_is_bus (priv->connection);
  if (is_bus && priv->destination != NULL)
    zbus_match_rule_builder_set_sender (builder, priv->destination);
  bus_rule = build_rule (builder);

  stream = _zbus_message_stream_new_fed (priv->connection, bus_rule, 0);
  /* Fed from before AddMatch: nothing that matches can slip past. */
  _zbus_intake_add_feed (priv->intake, stream, local_rule);

  if (is_bus)
    {
      g_autofree char *text = zbus_match_rule_to_string (bus_rule);
      g_autoptr(GVariant) reply = NULL;

      reply = zbus_connection_call_sync (priv->connection, DBUS_NAME, DBUS_PATH, DBUS_INTERFACE,
                                         "AddMatch", g_variant_new ("(s)", text), NULL,
                                         ZBUS_MESSAGE_FLAGS_NONE, ZBUS_TIMEOUT_DEFAULT,
                                         cancellable, error);
      if (reply == NULL)
        {
          g_prefix_error (error, "The bus refused the match rule “%s”: ", text);
          zbus_message_stream_close (stream);
          return NULL;
        }
      _zbus_message_stream_set_remove_match (stream, TRUE);
    }

  return g_steal_pointer (&stream);
}
