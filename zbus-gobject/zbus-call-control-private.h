/* zbus-call-control-private.h: call control between the object server,
 * its dispatch queues and the invocations
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "zbus-interface.h"
#include "zbus-message.h"
#include "zbus-method-invocation.h"
#include "zbus-object-server.h"

G_BEGIN_DECLS

/* What stands between a call's arrival and its dispatch
 * (zbus-object-server-control.c): the authorization step, which keeps
 * arrival order while a decision is pending, and the strict order of
 * interfaces that ask for it. One per object server. */
typedef struct _ZbusCallControl ZbusCallControl;

/* One strict-order interface instance with a call in progress. */
typedef struct _ZbusOrderSlot ZbusOrderSlot;

/* zbus-object-server-control.c */
ZbusCallControl *_zbus_call_control_new          (ZbusObjectServer *server,
                                                  GMainContext     *context);
void             _zbus_call_control_free         (ZbusCallControl  *control);
/* Whether a call arriving now may skip the control. Connection's context. */
gboolean         _zbus_call_control_is_idle      (ZbusCallControl  *control);
/* Takes a call through authorization and ordering to its dispatch, now or
 * later. Connection's context. */
void             _zbus_call_control_admit        (ZbusCallControl  *control,
                                                  ZbusMessage      *call);
/* Drops the calls still waiting (the connection is gone). */
void             _zbus_call_control_clear        (ZbusCallControl  *control);
/* An authorization invocation was decided. Any thread. */
void             _zbus_call_control_decided      (ZbusCallControl      *control,
                                                  ZbusMethodInvocation *invocation,
                                                  gboolean              authorized);
/* The slot of the strict call being dispatched in this thread, with one
 * more hold, or NULL. */
ZbusOrderSlot   *_zbus_call_control_hold_current (ZbusCallControl  *control);
/* Drops a hold: the last one lets the next call of the slot go. Any thread. */
void             _zbus_call_control_release      (ZbusCallControl  *control,
                                                  ZbusOrderSlot    *slot);

/* zbus-object-server.c */
ZbusCallControl *_zbus_object_server_get_control     (ZbusObjectServer *self);
/* Dispatches a call now, without the control. */
void             _zbus_object_server_dispatch        (ZbusObjectServer *self,
                                                      ZbusMessage      *call);
/* The interface instance @call is for (a method of it, or Properties
 * naming it), with a reference; NULL for the standard interfaces and for
 * calls that fail to resolve. */
ZbusInterface   *_zbus_object_server_find_target     (ZbusObjectServer *self,
                                                      ZbusMessage      *call);
/* Whether @call is GetManagedObjects to an object manager (asked about
 * with no target). */
gboolean         _zbus_object_server_is_manager_call (ZbusObjectServer *self,
                                                      ZbusMessage      *call);
/* Emits ::authorize-call; TRUE if a handler took charge. */
gboolean         _zbus_object_server_emit_authorize  (ZbusObjectServer     *self,
                                                      ZbusMethodInvocation *invocation);
gboolean         _zbus_object_server_has_authorizer  (ZbusObjectServer *self);

/* zbus-method-invocation.c */
typedef enum
{
  ZBUS_AUTH_NONE,       /* not an authorization */
  ZBUS_AUTH_UNDECIDED,
  ZBUS_AUTH_ALLOWED,
  ZBUS_AUTH_DENIED,     /* or answered by the authorizer */
} ZbusAuthState;

ZbusMethodInvocation *_zbus_method_invocation_new_authorization (ZbusObjectServer *server,
                                                                 ZbusConnection   *connection,
                                                                 ZbusInterface    *iface,
                                                                 ZbusMessage      *call);
ZbusAuthState         _zbus_method_invocation_get_auth_state    (ZbusMethodInvocation *self);

G_END_DECLS
