/* zbus-object-server-control.c: what stands between a call's arrival and
 * its dispatch: authorization and strict order
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "zbus-interface-private.h"
#include "zbus-call-control-private.h"

/* How many calls may wait for a pending authorization, and how many for
 * one strict-order instance: a peer sending calls faster than they are
 * decided or answered must not grow the queues without bound. A call that
 * finds its queue full is answered `LimitsExceeded` at once. */
#define MAX_WAITING_CALLS 1024
#define MAX_ORDERED_CALLS 1024

/* A call goes through two steps before its dispatch, both on the
 * connection's context:
 *
 * 1. Authorization. While one call's decision is pending, every call that
 *    arrives waits in @waiting, and is asked about (or passed) only after
 *    it: arrival order is kept across an asynchronous decision.
 * 2. Strict order. A call to an interface instance whose type asked for
 *    strict order is dispatched only when the instance has no call in
 *    progress; otherwise it waits in the instance's slot. A slot is in
 *    progress while someone holds it: the dispatcher while it dispatches,
 *    and each invocation made meanwhile until it is answered.
 *
 * Decisions and answers may come from any thread; they only record what
 * happened and schedule @resume on the connection's context, which moves
 * the queues on. Nothing is ever dispatched from inside
 * zbus_method_invocation_authorize() or a reply, so a handler never runs
 * re-entered from another handler's answer. */

struct _ZbusOrderSlot
{
  ZbusInterface *iface;   /* (owned) */
  guint          holds;   /* under @lock */
  GQueue         queue;   /* (element-type ZbusMessage) (owned): under @lock, at most MAX_ORDERED_CALLS */
};

struct _ZbusCallControl
{
  ZbusObjectServer     *server;          /* (unowned): owns the control */
  GMainContext         *context;         /* (owned): the connection's */

  /* Authorization: the connection's context only. */
  GQueue                waiting;         /* (element-type ZbusMessage) (owned): at most MAX_WAITING_CALLS */
  ZbusMessage          *pending_call;    /* (owned) (nullable): its decision is awaited */
  ZbusInterface        *pending_target;  /* (owned) (nullable) */
  gboolean              asking;          /* ::authorize-call is being emitted */

  GMutex                lock;
  /* The invocation asking about @pending_call (identity only: it may be
   * gone), and its decision once made, which may come from any thread. */
  ZbusMethodInvocation *pending;         /* (unowned) (nullable) */
  ZbusAuthState         decision;
  /* Strict order. */
  GHashTable           *slots;           /* ZbusInterface → ZbusOrderSlot (owned) */
  GQueue                ready;           /* (element-type ZbusOrderSlot): free, with calls waiting */
  GSource              *resume;          /* (owned) (nullable): scheduled on @context */

  /* The slot whose call is being dispatched, on the context. */
  ZbusOrderSlot        *current;
};

static void
order_slot_free (ZbusOrderSlot *slot)
{
  g_queue_clear_full (&slot->queue, (GDestroyNotify) zbus_message_unref);
  g_object_unref (slot->iface);
  g_free (slot);
}

ZbusCallControl *
_zbus_call_control_new (ZbusObjectServer *server,
                        GMainContext     *context)
{
  ZbusCallControl *control = g_new0 (ZbusCallControl, 1);

  control->server = server;
  control->context = g_main_context_ref (context);
  g_mutex_init (&control->lock);
  control->slots = g_hash_table_new (NULL, NULL);
  return control;
}

/* Removes the slots nobody holds, after unlocking (an interface's last
 * reference may go with them). */
static void
collect_free_slots_locked (ZbusCallControl *control,
                           GPtrArray       *out)
{
  GHashTableIter iter;
  ZbusOrderSlot *slot;

  g_hash_table_iter_init (&iter, control->slots);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &slot))
    {
      g_queue_clear_full (&slot->queue, (GDestroyNotify) zbus_message_unref);
      if (slot->holds == 0)
        {
          g_hash_table_iter_steal (&iter);
          g_ptr_array_add (out, slot);
        }
    }
}

void
_zbus_call_control_clear (ZbusCallControl *control)
{
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func ((GDestroyNotify) order_slot_free);
  GSource *resume;

  /* Slots still held (by invocations answered later) stay until released;
   * the calls waiting anywhere are dropped: there is nobody to answer. */
  g_mutex_lock (&control->lock);
  resume = g_steal_pointer (&control->resume);
  g_queue_clear (&control->ready);
  collect_free_slots_locked (control, gone);
  control->pending = NULL;
  control->decision = ZBUS_AUTH_UNDECIDED;
  g_mutex_unlock (&control->lock);

  if (resume != NULL)
    {
      g_source_destroy (resume);
      g_source_unref (resume);
    }
  g_queue_clear_full (&control->waiting, (GDestroyNotify) zbus_message_unref);
  g_clear_pointer (&control->pending_call, zbus_message_unref);
  g_clear_object (&control->pending_target);
}

void
_zbus_call_control_free (ZbusCallControl *control)
{
  _zbus_call_control_clear (control);
  /* Every invocation holds the server: none is left to release a slot. */
  g_warn_if_fail (g_hash_table_size (control->slots) == 0);
  g_hash_table_unref (control->slots);
  g_mutex_clear (&control->lock);
  g_main_context_unref (control->context);
  g_free (control);
}

gboolean
_zbus_call_control_is_idle (ZbusCallControl *control)
{
  return control->pending_call == NULL &&
         !control->asking &&
         g_queue_is_empty (&control->waiting) &&
         !_zbus_interface_info_any_strict_order () &&
         !_zbus_object_server_has_authorizer (control->server);
}

/* Answers a call that finds its queue full. Connection's context. */
static void
refuse_over_limit (ZbusCallControl *control,
                   ZbusMessage     *call)
{
  ZbusConnection *connection = _zbus_object_server_peek_connection (control->server);
  g_autoptr(ZbusMessage) reply = NULL;
  g_autoptr(GError) error = NULL;

  if (connection == NULL || (zbus_message_get_flags (call) & ZBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED))
    return;
  reply = zbus_message_new_error (call, "org.freedesktop.DBus.Error.LimitsExceeded",
                                  "Too many calls are waiting for their dispatch", NULL);
  if (!zbus_connection_send_message (connection, reply, NULL, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED))
    g_warning ("Could not send a reply: %s", error->message);
}

/* ------------------------------------------------------------------------ */
/* Resuming on the context */

static gboolean resume_cb (gpointer user_data);

static void
schedule_resume_locked (ZbusCallControl *control)
{
  if (control->resume != NULL)
    return;
  control->resume = g_idle_source_new ();
  g_source_set_priority (control->resume, G_PRIORITY_DEFAULT);
  g_source_set_static_name (control->resume, "[zbus] object server call control");
  g_source_set_callback (control->resume, resume_cb, g_object_ref (control->server),
                         g_object_unref);
  g_source_attach (control->resume, control->context);
}

/* ------------------------------------------------------------------------ */
/* Strict order */

ZbusOrderSlot *
_zbus_call_control_hold_current (ZbusCallControl *control)
{
  ZbusOrderSlot *slot = control->current;

  if (slot == NULL)
    return NULL;
  g_mutex_lock (&control->lock);
  slot->holds++;
  g_mutex_unlock (&control->lock);
  return slot;
}

void
_zbus_call_control_release (ZbusCallControl *control,
                            ZbusOrderSlot   *slot)
{
  ZbusOrderSlot *gone = NULL;

  g_mutex_lock (&control->lock);
  g_assert (slot->holds > 0);
  if (--slot->holds == 0)
    {
      if (!g_queue_is_empty (&slot->queue))
        {
          g_queue_push_tail (&control->ready, slot);
          schedule_resume_locked (control);
        }
      else if (g_hash_table_steal (control->slots, slot->iface))
        gone = slot;
    }
  g_mutex_unlock (&control->lock);

  if (gone != NULL)
    order_slot_free (gone);
}

/* Dispatches @call with @slot (NULL for an unordered call) as the one new
 * invocations hold. The caller's hold on @slot is dropped afterwards. */
static void
dispatch_in (ZbusCallControl *control,
             ZbusOrderSlot   *slot,
             ZbusMessage     *call)
{
  ZbusOrderSlot *outer = control->current;

  /* A handler running a nested main loop may get here again. */
  control->current = slot;
  _zbus_object_server_dispatch (control->server, call);
  control->current = outer;
  if (slot != NULL)
    _zbus_call_control_release (control, slot);
}

static void
order_call (ZbusCallControl *control,
            ZbusMessage     *call,
            ZbusInterface   *target)
{
  ZbusOrderSlot *slot;

  if (target == NULL || !_zbus_interface_get_info (target)->strict_order)
    {
      dispatch_in (control, NULL, call);
      return;
    }

  /* A slot in the table has a call in progress or calls waiting. */
  g_mutex_lock (&control->lock);
  slot = g_hash_table_lookup (control->slots, target);
  if (slot != NULL)
    {
      gboolean full = slot->queue.length >= MAX_ORDERED_CALLS;

      if (!full)
        g_queue_push_tail (&slot->queue, zbus_message_ref (call));
      g_mutex_unlock (&control->lock);
      if (full)
        refuse_over_limit (control, call);
      return;
    }
  slot = g_new0 (ZbusOrderSlot, 1);
  slot->iface = g_object_ref (target);
  slot->holds = 1;
  g_hash_table_insert (control->slots, target, slot);
  g_mutex_unlock (&control->lock);

  dispatch_in (control, slot, call);
}

static void
resume_order (ZbusCallControl *control)
{
  for (;;)
    {
      g_autoptr(ZbusMessage) call = NULL;
      ZbusOrderSlot *slot;

      g_mutex_lock (&control->lock);
      slot = g_queue_pop_head (&control->ready);
      if (slot != NULL)
        {
          call = g_queue_pop_head (&slot->queue);
          slot->holds = 1;
        }
      g_mutex_unlock (&control->lock);

      if (slot == NULL)
        return;
      dispatch_in (control, slot, call);
    }
}

/* ------------------------------------------------------------------------ */
/* Authorization */

void
_zbus_call_control_decided (ZbusCallControl      *control,
                            ZbusMethodInvocation *invocation,
                            gboolean              authorized)
{
  /* A decision made during the signal is read by authorize() itself. */
  g_mutex_lock (&control->lock);
  if (control->pending == invocation)
    {
      control->pending = NULL;
      control->decision = authorized ? ZBUS_AUTH_ALLOWED : ZBUS_AUTH_DENIED;
      schedule_resume_locked (control);
    }
  g_mutex_unlock (&control->lock);
}

/* Asks about @call, then passes it on if allowed. Returns FALSE when the
 * decision is left for later: @call is then pending. */
static gboolean
authorize (ZbusCallControl *control,
           ZbusMessage     *call)
{
  ZbusObjectServer *server = control->server;
  g_autoptr(ZbusInterface) target = _zbus_object_server_find_target (server, call);
  g_autoptr(ZbusMethodInvocation) invocation = NULL;
  ZbusAuthState state;
  gboolean handled;

  /* GetManagedObjects has no target but returns properties Get would
   * have asked about. */
  if ((target == NULL && !_zbus_object_server_is_manager_call (server, call)) ||
      !_zbus_object_server_has_authorizer (server))
    {
      order_call (control, call, target);
      return TRUE;
    }

  invocation = _zbus_method_invocation_new_authorization (server,
                                                          _zbus_object_server_peek_connection (server),
                                                          target, call);
  /* A handler that iterates the context (a nested main loop) must not see
   * the next call asked about before this one. */
  control->asking = TRUE;
  handled = _zbus_object_server_emit_authorize (server, invocation);
  control->asking = FALSE;

  /* Under the lock, so a decision made meanwhile in another thread is
   * either seen here or finds the call pending. */
  g_mutex_lock (&control->lock);
  state = _zbus_method_invocation_get_auth_state (invocation);
  if (state == ZBUS_AUTH_UNDECIDED && handled)
    {
      control->pending = invocation;
      control->decision = ZBUS_AUTH_UNDECIDED;
      g_mutex_unlock (&control->lock);
      control->pending_call = zbus_message_ref (call);
      control->pending_target = g_steal_pointer (&target);
      return FALSE;
    }
  g_mutex_unlock (&control->lock);

  /* No handler took charge: the call is allowed. */
  if (state == ZBUS_AUTH_UNDECIDED)
    {
      zbus_method_invocation_authorize (invocation);
      state = ZBUS_AUTH_ALLOWED;
    }
  if (state == ZBUS_AUTH_ALLOWED)
    order_call (control, call, target);
  return TRUE;
}

void
_zbus_call_control_admit (ZbusCallControl *control,
                          ZbusMessage     *call)
{
  if (control->pending_call != NULL || control->asking || !g_queue_is_empty (&control->waiting))
    {
      if (control->waiting.length >= MAX_WAITING_CALLS)
        refuse_over_limit (control, call);
      else
        g_queue_push_tail (&control->waiting, zbus_message_ref (call));
      return;
    }

  /* Calls queued during a synchronous decision go next. */
  if (authorize (control, call) && !g_queue_is_empty (&control->waiting))
    {
      g_mutex_lock (&control->lock);
      schedule_resume_locked (control);
      g_mutex_unlock (&control->lock);
    }
}

static void
resume_authorization (ZbusCallControl *control)
{
  ZbusAuthState decision;

  /* Run from a nested main loop of an ::authorize-call handler: the call
   * being asked about goes first, and authorize() must not be re-entered
   * (whoever emitted the signal moves the queue on once it returns). */
  if (control->asking)
    return;

  if (control->pending_call != NULL)
    {
      g_autoptr(ZbusMessage) call = NULL;
      g_autoptr(ZbusInterface) target = NULL;

      g_mutex_lock (&control->lock);
      decision = control->decision;
      control->decision = ZBUS_AUTH_UNDECIDED;
      g_mutex_unlock (&control->lock);
      if (decision == ZBUS_AUTH_UNDECIDED)
        return;

      call = g_steal_pointer (&control->pending_call);
      target = g_steal_pointer (&control->pending_target);
      if (decision == ZBUS_AUTH_ALLOWED)
        order_call (control, call, target);
    }

  while (control->pending_call == NULL && !g_queue_is_empty (&control->waiting))
    {
      g_autoptr(ZbusMessage) call = g_queue_pop_head (&control->waiting);

      authorize (control, call);
    }
}

static gboolean
resume_cb (gpointer user_data)
{
  ZbusObjectServer *server = user_data;
  ZbusCallControl *control = _zbus_object_server_get_control (server);
  ZbusConnection *connection;

  g_mutex_lock (&control->lock);
  g_clear_pointer (&control->resume, g_source_unref);
  g_mutex_unlock (&control->lock);

  /* Calls still waiting on a closed connection cannot be answered. */
  connection = _zbus_object_server_peek_connection (server);
  if (connection == NULL || zbus_connection_is_closed (connection))
    {
      _zbus_call_control_clear (control);
      return G_SOURCE_REMOVE;
    }
  resume_authorization (control);
  resume_order (control);
  return G_SOURCE_REMOVE;
}
