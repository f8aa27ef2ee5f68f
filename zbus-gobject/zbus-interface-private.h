/* zbus-interface-private.h
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gunixfdlist.h>

#include "zbus-connection.h"
#include "zbus-interface.h"
#include "zbus-method-invocation.h"
#include "zbus-object-server.h"

G_BEGIN_DECLS

#define ZBUS_PROPERTIES_INTERFACE    "org.freedesktop.DBus.Properties"
#define ZBUS_INTROSPECTABLE_INTERFACE "org.freedesktop.DBus.Introspectable"
#define ZBUS_PEER_INTERFACE          "org.freedesktop.DBus.Peer"

typedef enum
{
  ZBUS_EMITS_TRUE,
  ZBUS_EMITS_INVALIDATES,
  ZBUS_EMITS_CONST,
  ZBUS_EMITS_FALSE,
} ZbusEmits;

typedef struct
{
  char       *name;        /* D-Bus name */
  GParamSpec *pspec;       /* (unowned): lives as long as the class */
  char       *signature;
  gboolean    readable;
  gboolean    writable;
  ZbusEmits   emits;
  char       *doc;         /* (nullable): the DocString, without enum values */
} ZbusPropertyInfo;

/* A method (action signal or method-table entry) or a D-Bus signal (other
 * signal). */
typedef struct
{
  char         *name;          /* D-Bus name */
  const char   *gname;         /* GObject signal name, or the method-table name */
  guint         signal_id;     /* 0 for a method-table method */
  GSignalQuery  query;         /* zeroed for a method-table method */
  gboolean      is_async;      /* first parameter is a ZbusMethodInvocation */
  guint         first_arg;     /* 1 when async, else 0 */
  char        **arg_sigs;      /* one per D-Bus argument */
  char        **arg_names;     /* (nullable): names of the arguments */
  char         *in_signature;  /* "(…)" of the arguments */
  char         *out_signature; /* "(…)" of the reply, methods only */
  char        **out_names;     /* (nullable) */
  char         *doc;           /* (nullable): the DocString */
  ZbusInterfaceMethodFunc func;      /* method-table methods: the handler */
  gpointer                func_data;
} ZbusMemberInfo;

typedef struct
{
  GType        type;
  char        *name;
  GPtrArray   *properties;  /* (element-type ZbusPropertyInfo) */
  GPtrArray   *methods;     /* (element-type ZbusMemberInfo) */
  GPtrArray   *signals;     /* (element-type ZbusMemberInfo) */
  gboolean     docs;        /* DocString annotations published */
  gboolean     strict_order; /* a call waits for the reply to the previous one */
  char        *doc;         /* (nullable): the interface's DocString */
  char        *xml;         /* the <interface> element */
} ZbusInterfaceInfo;

/* What a program says about one member before the type is described
 * (zbus-interface-members.c). Overrides are kept per kind: a property and
 * a signal may share a GObject name. */
typedef enum
{
  ZBUS_MEMBER_PROPERTY,
  ZBUS_MEMBER_SIGNAL,
  ZBUS_MEMBER_METHOD,
  ZBUS_N_MEMBER_KINDS
} ZbusMemberKind;

typedef struct
{
  char     *name;          /* (nullable): the D-Bus name */
  char     *signature;     /* (nullable): the property's type, or the arguments */
  char    **arg_names;     /* (nullable) */
  char     *doc;           /* (nullable): "" hides the default */
} ZbusMemberOverride;

/* One method of a method table. */
typedef struct
{
  char                    *name;
  char                    *in_signature;
  char                    *out_signature;
  char                   **in_names;
  char                   **out_names;
  ZbusInterfaceMethodFunc  func;
  gpointer                 user_data;
} ZbusTableMethod;

void                _zbus_table_method_free (ZbusTableMethod *method);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZbusTableMethod, _zbus_table_method_free)

/* The lock every description and override is made under. */
GMutex             *_zbus_interface_info_get_lock               (void);
/* With the lock held: the override of @member on @type, made on demand;
 * NULL (with a critical naming @caller) once @type is in use. */
ZbusMemberOverride *_zbus_interface_info_member_override_locked (GType            type,
                                                                 ZbusMemberKind   kind,
                                                                 const char      *member,
                                                                 const char      *caller);
/* With the lock held: adds @method (taken on success) to @type's table. */
gboolean            _zbus_interface_info_add_table_method_locked (GType            type,
                                                                  ZbusTableMethod *method,
                                                                  GError         **error);

/* Described once per type, cached forever (types are never unloaded). */
const ZbusInterfaceInfo *_zbus_interface_info_get          (GType                    type,
                                                            GError                 **error);
const ZbusPropertyInfo  *_zbus_interface_info_find_property (const ZbusInterfaceInfo *info,
                                                            const char              *name);
const ZbusPropertyInfo  *_zbus_interface_info_find_pspec   (const ZbusInterfaceInfo *info,
                                                            GParamSpec              *pspec);
const ZbusMemberInfo    *_zbus_interface_info_find_method  (const ZbusInterfaceInfo *info,
                                                            const char              *name);
const ZbusMemberInfo    *_zbus_interface_info_find_signal  (const ZbusInterfaceInfo *info,
                                                            guint                    signal_id);
/* Whether any described type asked for strict order. Any thread. */
gboolean                 _zbus_interface_info_any_strict_order (void);

/* zbus-interface-xml.c: the <interface> element of a description. */
char *_zbus_interface_info_to_xml (const ZbusInterfaceInfo *info);

/* zbus-interface-values.c: the type mapping table. */
char     *_zbus_signature_for_type (GType        type,
                                    GParamSpec  *pspec);    /* (nullable) */
gboolean  _zbus_signature_check    (GType        type,
                                    GParamSpec  *pspec,     /* (nullable) */
                                    const char  *signature,
                                    GError     **error);
char     *_zbus_type_values_doc    (GType        type);
char    **_zbus_signature_split    (const char  *signature);  /* "is" → { "i", "s" } */

/* GValue ⇄ GVariant by a single complete signature; the variant returned
 * is a full (non-floating) reference. @connection is used to
 * map objects to and from the paths they are served at. The variant given
 * to _zbus_variant_to_value() must be of type @signature (InvalidArgs
 * otherwise). */
GVariant *_zbus_value_to_variant (const GValue   *value,
                                  const char     *signature,
                                  ZbusConnection *connection,
                                  GError        **error);
gboolean  _zbus_variant_to_value (GVariant       *variant,
                                  GValue         *value,   /* initialised to the wanted type */
                                  const char     *signature,
                                  ZbusConnection *connection,
                                  GError        **error);
/* The same where descriptors can travel (`h` on an int): @fds collects
 * copies of the ones sent, or holds the message's ones, which the value
 * only borrows. Without them (the two above) `h` is an error. */
GVariant *_zbus_value_to_variant_full (const GValue   *value,
                                       const char     *signature,
                                       ZbusConnection *connection,
                                       GUnixFDList    *fds,      /* (nullable) */
                                       GError        **error);
gboolean  _zbus_variant_to_value_full (GVariant       *variant,
                                       GValue         *value,
                                       const char     *signature,
                                       ZbusConnection *connection,
                                       GUnixFDList    *fds,      /* (nullable) */
                                       GError        **error);

/* Converters (zbus-interface-values.c); the public entry points are in
 * zbus-interface-members.c. */
gboolean  _zbus_type_has_builtin_mapping (GType type);
gboolean  _zbus_converter_register (GType                  type,
                                    const char            *signature,
                                    ZbusValueToVariantFunc to_variant,
                                    gpointer               to_variant_data,
                                    GDestroyNotify         to_variant_destroy,
                                    ZbusVariantToValueFunc from_variant,
                                    gpointer               from_variant_data,
                                    GDestroyNotify         from_variant_destroy,
                                    GClosure              *to_closure,      /* (nullable) */
                                    GClosure              *from_closure);   /* (nullable) */

/* zbus-interface.c: the exports of an instance. */
void      _zbus_interface_add_export     (ZbusInterface    *self,
                                          ZbusObjectServer *server,
                                          const char       *path);
void      _zbus_interface_remove_export  (ZbusInterface    *self,
                                          ZbusObjectServer *server,
                                          const char       *path);
const char *_zbus_interface_get_path_on  (ZbusInterface    *self,
                                          ZbusConnection   *connection);
const ZbusInterfaceInfo *_zbus_interface_get_info (ZbusInterface *self);

/* zbus-object-server.c */
ZbusConnection *_zbus_object_server_peek_connection (ZbusObjectServer *self);
ZbusInterface  *_zbus_object_server_find_at         (ZbusObjectServer *self,
                                                     const char       *path,
                                                     GType             type);

/* zbus-method-invocation.c */
ZbusMethodInvocation *_zbus_method_invocation_new (ZbusObjectServer *server,
                                                   ZbusConnection   *connection,
                                                   ZbusInterface    *iface,
                                                   ZbusMessage      *call,
                                                   gboolean          scratch);
void      _zbus_method_invocation_push_current (ZbusMethodInvocation *self);
void      _zbus_method_invocation_pop_current  (ZbusMethodInvocation *self);
void      _zbus_method_invocation_set_out_signature (ZbusMethodInvocation *self,
                                                     const char           *signature);
/* For scratch invocations (GetAll): the error a handler answered with. */
const GError *_zbus_method_invocation_peek_error (ZbusMethodInvocation *self);

/* A call being dispatched, on the dispatching function's stack. Its
 * ZbusMethodInvocation is made only when something asks for it (an async
 * method, zbus_method_invocation_get_current() in a handler); a call that
 * nobody asked about is answered without one. */
typedef struct
{
  ZbusObjectServer     *server;         /* (unowned) */
  ZbusConnection       *connection;     /* (unowned) */
  ZbusInterface        *iface;          /* (unowned) (nullable) */
  ZbusMessage          *call;           /* (unowned) */
  const char           *out_signature;  /* (nullable): static, or the member's */
  gboolean              scratch;        /* answers nobody: GetAll's reads */
  ZbusMethodInvocation *invocation;     /* (owned) (nullable): once made */
} ZbusCallFrame;

#define ZBUS_CALL_FRAME_INIT(server, connection, iface, call, out_signature, scratch) \
  { (server), (connection), (iface), (call), (out_signature), (scratch), NULL }

ZbusMethodInvocation *_zbus_call_frame_get_invocation (ZbusCallFrame *frame);
void      _zbus_call_frame_push           (ZbusCallFrame *frame);
void      _zbus_call_frame_pop            (ZbusCallFrame *frame);
/* Whether the handler answered or deferred through the invocation. */
gboolean  _zbus_call_frame_is_settled     (ZbusCallFrame *frame);
/* Answer once, as the invocation's functions do; @body may be floating. */
void      _zbus_call_frame_return_value   (ZbusCallFrame *frame,
                                           GVariant      *body,
                                           GUnixFDList   *fd_list);
void      _zbus_call_frame_return_gerror  (ZbusCallFrame *frame,
                                           const GError  *error);
void      _zbus_call_frame_return_dbus_error (ZbusCallFrame *frame,
                                              const char    *error_name,
                                              const char    *error_message);
/* Drops the frame's reference to its invocation, if made. */
void      _zbus_call_frame_clear          (ZbusCallFrame *frame);

G_END_DECLS

G_BEGIN_DECLS
gboolean _zbus_method_invocation_is_deferred (ZbusMethodInvocation *self);
G_END_DECLS
