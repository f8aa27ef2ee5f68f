/* zbus-proxy-private.h
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "zbus-proxy.h"
#include "zbus-proxy-intake-private.h"

G_BEGIN_DECLS

typedef struct
{
  GVariant *value;   /* (owned) (nullable): NULL when invalidated */
  guint32 serial;    /* of the message that brought it; 0: local */
} CacheEntry;

typedef struct
{
  ZbusConnection *connection;   /* (owned) */
  char *destination;            /* (owned) (nullable) */
  char *object_path;            /* (owned) */
  char *interface_name;         /* (owned) */
  ZbusProxyCacheMode cache_mode;
  char **uncached;              /* (owned) (nullable) */
  int default_timeout;
  GMainContext *context;        /* (owned) */

  gboolean initialized;
  gboolean names_checked;       /* destination, path and interface are valid */
  gconstpointer type_info;      /* (atomic) (nullable): the ZbusProxyTypeInfo, once a
                                 * typed call looked it up */
  GError *init_error;           /* (owned) (nullable) */
  gboolean check_sender;        /* a destination on a bus */
  char *name_owner;             /* (owned) (nullable) */
  guint32 owner_serial;
  gint cache_active;            /* (atomic): eager, or lazy after first use */
  GMutex cache_lock;            /* guards changes to @cache against readers in
                                 * other threads; the proxy's context writes */
  GHashTable *cache;            /* (owned): name → CacheEntry */

  ZbusIntake *intake;           /* (owned) (nullable) */
  guint filter_id;
  GPtrArray *match_rules;       /* (owned) (element-type utf8): AddMatch sent */
} ZbusProxyPrivate;

#define PRIV(self) (_zbus_proxy_get_private (self))

/* zbus-proxy.c */
ZbusProxyPrivate *_zbus_proxy_get_private           (ZbusProxy          *self);
void      _zbus_proxy_notify_name_owner             (ZbusProxy          *self);
void      _zbus_proxy_emit_properties_changed       (ZbusProxy          *self,
                                                     GVariant           *changed,
                                                     const char * const *invalidated);
void      _zbus_proxy_emit_dbus_signal              (ZbusProxy          *self,
                                                     GQuark              detail,
                                                     const char         *sender,
                                                     const char         *signal_name,
                                                     GVariant           *parameters);
void      _zbus_proxy_emit_cache_reset              (ZbusProxy          *self);
gboolean  _zbus_proxy_init_managed                  (ZbusProxy          *self,
                                                     const char         *owner,
                                                     guint32             owner_serial,
                                                     GVariant           *values,
                                                     guint32             serial,
                                                     GError            **error);

/* zbus-proxy-cache.c */
GHashTable  *_zbus_proxy_cache_new                  (void);
gboolean     _zbus_proxy_apply_get_all              (ZbusProxy          *self,
                                                     ZbusMessage        *reply,
                                                     gboolean            emit,
                                                     GError            **error);
void         _zbus_proxy_seed_cache                 (ZbusProxy          *self,
                                                     GVariant           *values,
                                                     guint32             serial,
                                                     gboolean            emit);
ZbusMessage *_zbus_proxy_new_properties_call        (ZbusProxy          *self,
                                                     const char         *method,
                                                     GVariant           *body);
/* Calls @method of @interface_ (NULL: the proxy's own interface) on the
 * proxy's object for @task, which it takes: the reply, or the error, is
 * the task's result (a GVariant, for g_task_propagate_pointer()). */
void         _zbus_proxy_call_for_task              (ZbusProxy          *self,
                                                     GTask              *task,
                                                     const char         *interface_,
                                                     const char         *method,
                                                     GVariant           *parameters,
                                                     const GVariantType *reply_type,
                                                     ZbusMessageFlags    flags,
                                                     int                 timeout_msec);
int          _zbus_proxy_resolve_timeout            (ZbusProxy          *self,
                                                     int                 timeout_msec);
gboolean     _zbus_proxy_dispatch_cb                (gpointer            data);


/* For subclasses made at run time (typed proxies). All on the proxy's
 * context. */

/* Whether @name goes into the cache: the cache mode is not NONE and @name
 * is not in uncached-properties. */
gboolean  _zbus_proxy_is_cached_property (ZbusProxy  *self,
                                          const char *name);

/* The cached value of @name, without starting the lazy load. Only on the
 * proxy's context, which is where the cache changes: no lock. */
GVariant *_zbus_proxy_peek_cached        (ZbusProxy  *self,
                                          const char *name);

/* Puts @value (NULL: removes it) in the cache as if the remote had said
 * so, calling ZbusProxyClass.cached_property_changed when that changes
 * anything: for an optimistic local write before `Set` answers, and to
 * restore the old value when it fails (set it with
 * zbus_proxy_set_dbus_property_async(), whose finish reports the error).
 * A later answer or PropertiesChanged from the remote replaces it. */
void      _zbus_proxy_cache_replace      (ZbusProxy  *self,
                                          const char *name,
                                          GVariant   *value);

G_END_DECLS
