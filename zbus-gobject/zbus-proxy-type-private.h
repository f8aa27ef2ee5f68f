/* zbus-proxy-type-private.h
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "zbus-proxy.h"
#include "zbus-proxy-type.h"

G_BEGIN_DECLS

/* The description behind a proxy type made at run time. Made once per
 * type, never freed (GTypes are never unloaded), immutable once the type
 * is registered: readers use it without a lock. */

typedef struct
{
  char       *name;       /* D-Bus name */
  char       *gname;      /* GObject property name */
  char       *signature;  /* one complete type */
  gboolean    readable;
  gboolean    writable;
  GParamSpec *pspec;      /* (owned): installed on the class; made with the type */
} ZbusProxyTypeProperty;

typedef struct
{
  char   *name;           /* D-Bus name */
  char   *gname;          /* GObject signal name */
  char  **arg_sigs;       /* one per argument */
  char   *signature;      /* "(…)" of the arguments */
  GType  *param_types;    /* (array length=n_params) */
  guint   n_params;
  guint   signal_id;      /* set by class_init */
} ZbusProxyTypeSignal;

typedef struct
{
  char *name;             /* D-Bus name */
  char *gname;            /* GObject-style name: the action signal's, or mapped */
  char *in_signature;     /* "(…)" */
  char *out_signature;    /* (nullable): "(…)"; NULL when the reply is not checked */
} ZbusProxyTypeMethod;

typedef struct
{
  GType               type;
  char               *interface_name;
  GDBusInterfaceInfo *info;             /* (owned) */
  GPtrArray          *properties;       /* (element-type ZbusProxyTypeProperty) */
  GPtrArray          *signals;          /* (element-type ZbusProxyTypeSignal) */
  GPtrArray          *methods;          /* (element-type ZbusProxyTypeMethod) */
  GHashTable         *props_by_name;    /* D-Bus name → property */
  GHashTable         *signals_by_name;  /* D-Bus name → signal */
  GHashTable         *methods_by_name;  /* D-Bus name and gname → method */
} ZbusProxyTypeInfo;

/* zbus-proxy-type.c: the description of @type or of its nearest ancestor
 * made from one; NULL for a plain ZbusProxy. */
const ZbusProxyTypeInfo *_zbus_proxy_type_info_peek (GType type);

/* `FooBar` → `foo-bar`; NULL when the result is not a valid GObject name. */
char *_zbus_proxy_type_gname_from_dbus (const char *dbus_name);

/* Checks @info as zbus_proxy_type_for_interface_info() does, without
 * making or looking up a type. */
gboolean _zbus_proxy_type_check_interface_info (GDBusInterfaceInfo  *info,
                                                GError             **error);

/* g_dbus_node_info_new_for_xml() for XML from a remote: refuses first
 * what GDBus would crash on, and what is not UTF-8. */
GDBusNodeInfo *_zbus_node_info_new_for_xml (const char  *xml,
                                            GError     **error);

/* Parses @xml (a <node> document, or one <interface> element) and finds
 * @interface_name in it (NULL: the only interface). */
GDBusInterfaceInfo *_zbus_proxy_type_parse_xml (const char  *xml,
                                                const char  *interface_name,
                                                GError     **error);

/* zbus-proxy.c */
void _zbus_proxy_emit_set_property_failed (ZbusProxy    *self,
                                           const char   *gname,
                                           const GError *error);

G_END_DECLS
