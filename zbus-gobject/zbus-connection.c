/* zbus-connection.c
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "zbus-address-private.h"
#include "zbus-connection-builder.h"
#include "zbus-connection-private.h"
#include "zbus-enum-types.h"
#include "zbus-error.h"
#include "zbus-message-private.h"
#include "zbus-object-server.h"

/**
 * ZbusConnection:
 *
 * A connection to a message bus or to a peer.
 *
 * A connection makes method calls ([method@Zbus.Connection.call],
 * [method@Zbus.Connection.call_sync]), emits signals, owns bus names, and
 * routes what arrives to whoever asked for it.
 *
 * Most connections speak D-Bus themselves (the native transport): the
 * socket is read and messages are dispatched straight from the
 * [struct@GLib.MainContext] the connection belongs to, with no worker
 * thread in between. That context is the thread-default context of the
 * thread that built the connection, the one given to
 * [method@Zbus.ConnectionBuilder.set_main_context], or that of an internal
 * thread ([method@Zbus.ConnectionBuilder.set_internal_thread]).
 *
 * A connection can also adopt a [class@Gio.DBusConnection] with
 * [ctor@Zbus.Connection.new_for_gdbus], typically the one a
 * [class@Gio.Application] registered its name on, so an application serves
 * and calls on its own unique name.
 *
 * ## Threads
 *
 * Every function may be called from any thread. Sending never blocks the
 * context: what the socket does not take at once is queued and written as
 * the socket drains.
 *
 * A synchronous call made on the connection's own thread reads the socket
 * itself until its reply arrives; whatever else arrives meanwhile is queued
 * and dispatched later, in order, when the context runs. A synchronous call
 * from another thread waits for its reply without running that thread's
 * callbacks; if the connection's context is not running at that moment,
 * the waiting thread reads the socket itself, so the call completes either
 * way.
 *
 * Callbacks of asynchronous calls run in the thread-default context of the
 * thread that started the call, and in the order the replies arrived
 * relative to everything else dispatched on that context.
 *
 * [func@Zbus.Connection.session] and [func@Zbus.Connection.system] open a
 * new private connection each time, as zbus does; a program that wants one
 * shared connection keeps the object and passes it around.
 *
 * Since: 1.0
 */

G_STATIC_ASSERT (ZBUS_TIMEOUT_INFINITE == G_MAXINT);

#define DEFAULT_METHOD_TIMEOUT_MSEC 25000
/* One 64 KiB read holds about a thousand small signals: a bound below
 * that loses most of any burst (bench/README.md, "bench-stream"). */
#define DEFAULT_MAX_QUEUED 4096

#define PEER_INTERFACE "org.freedesktop.DBus.Peer"

typedef struct
{
  guint32 serial;
  ZbusMessage *reply;    /* (owned) (nullable): set when it came */
  GError *error;         /* (owned) (nullable): set when it failed */
  gboolean done;

  /* Asynchronous calls only. */
  GTask *task;           /* (owned) (nullable) */
  GSource *timeout;      /* (owned) (nullable) */
  GCancellable *cancellable;  /* (owned) (nullable) */
  gulong cancel_id;
} PendingCall;

typedef struct
{
  ZbusMessage *message;  /* (owned) */
  PendingCall *call;     /* (owned) (nullable): the async call it answers */
} Incoming;

typedef struct
{
  guint id;
  ZbusConnectionHandler func;
  ZbusConnectionFilter filter_func;
  gpointer user_data;
  GDestroyNotify destroy;
  gatomicrefcount ref_count;
  gboolean removed;
} Handler;

typedef struct
{
  GSource source;
  GWeakRef connection;
  gpointer fd_tag;
  GIOCondition fd_events;       /* what @fd_tag watches now */
} DispatchSource;

struct _ZbusConnection
{
  GObject parent_instance;

  /* Guards every field below that changes after construction. */
  GMutex lock;
  /* Broadcast when a synchronous call's reply came, when the reader role
   * is given back, and on close. */
  GCond cond;

  GMainContext *context;        /* (owned) */
  GThread *internal_thread;     /* (owned) (nullable) */
  GMainLoop *internal_loop;     /* (owned) (nullable) */

  ZbusNative *native;           /* (owned) (nullable): the native transport */
  GSource *source;              /* (owned) (nullable): reads and dispatches */
  GDBusConnection *gdbus;       /* (owned) (nullable): the GDBus transport */
  guint gdbus_filter_id;
  struct _FilterLink *gdbus_link;  /* (unowned) (nullable): freed by GDBus */
  gulong gdbus_closed_id;

  char *unique_name;            /* (owned) (nullable) */
  char *guid;                   /* (owned) (nullable) */
  GCredentials *peer_credentials;  /* (owned) (nullable) */
  gboolean is_bus;
  gboolean unix_fd_passing;
  int method_timeout;
  guint max_queued;

  gint next_serial;             /* (atomic) */

  GHashTable *pending;          /* serial → PendingCall, not owned */
  gboolean reading;             /* a thread holds the reader role */
  guint n_waiters;              /* threads waiting on @cond */
  GQueue incoming;              /* (element-type Incoming) */
  GPtrArray *handlers;          /* (element-type Handler) */
  GPtrArray *filters;           /* (element-type Handler) */
  guint next_handler_id;
  ZbusConnectionCallClaimer claimer;
  gpointer claimer_data;
  ZbusMonitorState monitor;     /* (atomic) */

  gboolean closed;
  gboolean closed_signalled;
};

enum {
  PROP_0,
  PROP_UNIQUE_NAME,
  PROP_GUID,
  PROP_IS_BUS,
  PROP_CLOSED,
  PROP_MAIN_CONTEXT,
  PROP_GDBUS_CONNECTION,
  PROP_UNIX_FD_PASSING,
  PROP_METHOD_TIMEOUT,
  N_PROPS
};

enum {
  SIGNAL_CLOSED,
  SIGNAL_NAME_ACQUIRED,
  SIGNAL_NAME_LOST,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (ZbusConnection, zbus_connection, G_TYPE_OBJECT)

static void close_internal_full (ZbusConnection *self,
                                 gboolean        remote_peer_vanished,
                                 const GError   *error,
                                 gboolean        emit);

#define close_internal(self, vanished, error) close_internal_full (self, vanished, error, TRUE)

/* ------------------------------------------------------------------------ */
/* Pending calls */

static void
pending_call_free (PendingCall *call)
{
  g_clear_pointer (&call->reply, zbus_message_unref);
  g_clear_error (&call->error);
  if (call->timeout != NULL)
    {
      g_source_destroy (call->timeout);
      g_source_unref (call->timeout);
    }
  g_clear_object (&call->task);
  g_clear_object (&call->cancellable);
  g_free (call);
}

/* Completes an asynchronous call the caller has taken out of the table. */
static void
pending_call_complete (PendingCall *call,
                       ZbusMessage *reply,
                       GError      *error)
{
  /* Disconnecting waits for a cancel handler running in another thread,
   * which then finds the call gone from the table and does nothing. */
  if (call->cancel_id != 0)
    g_cancellable_disconnect (call->cancellable, call->cancel_id);
  call->cancel_id = 0;

  if (reply != NULL)
    g_task_return_pointer (call->task, zbus_message_ref (reply),
                           (GDestroyNotify) zbus_message_unref);
  else
    g_task_return_error (call->task, error);

  pending_call_free (call);
}

/* Removes the call with @serial from the table, if it is still there. */
static PendingCall *
steal_pending_locked (ZbusConnection *self,
                      guint32         serial)
{
  PendingCall *call = g_hash_table_lookup (self->pending, GUINT_TO_POINTER (serial));

  if (call != NULL)
    g_hash_table_remove (self->pending, GUINT_TO_POINTER (serial));
  return call;
}

/* ------------------------------------------------------------------------ */
/* Routing what arrives; runs in whichever thread read it */

static void
push_incoming_locked (ZbusConnection *self,
                      ZbusMessage    *message,
                      PendingCall    *call)
{
  Incoming *in = g_new (Incoming, 1);

  in->message = zbus_message_ref (message);
  in->call = call;
  g_queue_push_tail (&self->incoming, in);
}

/* Replies to synchronous calls go straight to their waiter; everything
 * else, replies to asynchronous calls included, joins one queue that the
 * context dispatches in order, so nothing overtakes anything. Called with
 * the lock held. Returns whether the context must be woken. */
static gboolean
route_locked (ZbusConnection *self,
              ZbusMessage    *message)
{
  if (message->type == ZBUS_MESSAGE_TYPE_METHOD_RETURN ||
      message->type == ZBUS_MESSAGE_TYPE_ERROR)
    {
      PendingCall *call = steal_pending_locked (self, message->reply_serial);

      if (call != NULL && call->task == NULL)
        {
          call->reply = zbus_message_ref (message);
          call->done = TRUE;
          /* A broadcast is a futex syscall even with nobody waiting. */
          if (self->n_waiters > 0)
            g_cond_broadcast (&self->cond);
          return FALSE;
        }

      if (call == NULL)
        return FALSE;  /* a late reply to a call that timed out: dropped */

      push_incoming_locked (self, message, call);
      return TRUE;
    }

  /* A signal no handler wants need not wait for the context (streams got
   * theirs from the filters); the bus's own signals are for the
   * connection itself. */
  if (message->type == ZBUS_MESSAGE_TYPE_SIGNAL && self->handlers->len == 0 &&
      !(self->is_bus && g_strcmp0 (message->strings[ZBUS_STR_SENDER], "org.freedesktop.DBus") == 0))
    return FALSE;

  push_incoming_locked (self, message, NULL);
  return TRUE;
}

static GPtrArray *snapshot_handlers_locked (GPtrArray *handlers);
static void       run_filters              (ZbusConnection *self,
                                            GPtrArray      *filters,
                                            ZbusMessage    *message);

static gboolean
is_reply_to_pending_locked (ZbusConnection *self,
                            ZbusMessage    *message)
{
  return (message->type == ZBUS_MESSAGE_TYPE_METHOD_RETURN ||
          message->type == ZBUS_MESSAGE_TYPE_ERROR) &&
         g_hash_table_contains (self->pending, GUINT_TO_POINTER (message->reply_serial));
}

/* Filters first, in this (the reading) thread; then the queue. */
static void
deliver (ZbusConnection *self,
         ZbusMessage    *message)
{
  g_autoptr(GPtrArray) filters = NULL;
  gboolean wake;

  g_mutex_lock (&self->lock);
  if (self->filters->len > 0 && !is_reply_to_pending_locked (self, message))
    filters = snapshot_handlers_locked (self->filters);
  g_mutex_unlock (&self->lock);

  if (filters != NULL)
    run_filters (self, filters, message);

  g_mutex_lock (&self->lock);
  wake = route_locked (self, message);
  g_mutex_unlock (&self->lock);

  /* A thread that owns the context runs prepare() before it polls again,
   * and prepare() sees the queue: waking it would only cost an eventfd
   * write now and a read later. */
  if (wake && !g_main_context_is_owner (self->context))
    g_main_context_wakeup (self->context);
}

static void
native_message_cb (ZbusMessage *message,
                   gpointer     user_data)
{
  deliver (user_data, message);
}

/* What GDBus's filter holds instead of the connection. GDBus may still run
 * a filter just after removing it, so the filter cannot simply point at
 * the connection; and it must not own a reference either, or the last one
 * could be dropped, and the connection finalized, on GDBus's thread.
 * Dispose clears @self under @lock, so it waits for a running filter, and
 * the filter does nothing once @self is gone. */
typedef struct _FilterLink
{
  GMutex lock;
  ZbusConnection *self;  /* (unowned) (nullable) */
} FilterLink;

static void
filter_link_free (gpointer data)
{
  FilterLink *link = data;

  g_mutex_clear (&link->lock);
  g_free (link);
}

static GDBusMessage *filter_gdbus_message (ZbusConnection *self,
                                           GDBusMessage   *gmessage);

/* Runs on GDBus's worker thread, for every message GDBus receives. */
static GDBusMessage *
gdbus_filter_cb (GDBusConnection *connection,
                 GDBusMessage    *gmessage,
                 gboolean         incoming,
                 gpointer         user_data)
{
  FilterLink *link = user_data;

  if (!incoming)
    return gmessage;

  g_mutex_lock (&link->lock);
  if (link->self != NULL)
    gmessage = filter_gdbus_message (link->self, gmessage);
  g_mutex_unlock (&link->lock);

  return gmessage;
}

static GDBusMessage *
filter_gdbus_message (ZbusConnection *self,
                      GDBusMessage   *gmessage)
{
  g_autoptr(ZbusMessage) message = NULL;
  GDBusMessageType type = g_dbus_message_get_message_type (gmessage);
  ZbusConnectionCallClaimer claimer;
  gpointer claimer_data;
  gboolean ours;

  message = zbus_message_new_from_gdbus (gmessage, NULL);
  if (message == NULL)
    return gmessage;

  /* A monitor's messages are all the program's, and GDBus must answer
   * none of the calls it sees: the bus disconnects a monitor that sends. */
  if (g_atomic_int_get (&self->monitor) != ZBUS_MONITOR_NONE)
    {
      deliver (self, message);
      g_object_unref (gmessage);
      return NULL;
    }

  g_mutex_lock (&self->lock);
  ours = is_reply_to_pending_locked (self, message);
  claimer = self->claimer;
  claimer_data = self->claimer_data;
  g_mutex_unlock (&self->lock);

  /* A call the program serves is ours alone too. */
  if (type == G_DBUS_MESSAGE_TYPE_METHOD_CALL)
    {
      if (claimer != NULL && claimer (self, message, claimer_data))
        {
          message->claim = ZBUS_CLAIM_TAKEN;
          ours = TRUE;
        }
      else
        message->claim = ZBUS_CLAIM_LEFT;
    }

  if (ours || type == G_DBUS_MESSAGE_TYPE_SIGNAL || type == G_DBUS_MESSAGE_TYPE_METHOD_CALL)
    deliver (self, message);

  /* Replies to our calls and calls we serve are ours alone; GDBus keeps
   * seeing signals and other calls, and answers those it has objects for. */
  if (ours)
    {
      g_object_unref (gmessage);
      return NULL;
    }
  return gmessage;
}

/* ------------------------------------------------------------------------ */
/* The reader role */

/* Takes the reader role if nobody holds it. Called with the lock held. */
static gboolean
try_take_reader_locked (ZbusConnection *self)
{
  if (self->reading || self->native == NULL || self->closed)
    return FALSE;
  self->reading = TRUE;
  return TRUE;
}

static void
give_back_reader_locked (ZbusConnection *self)
{
  self->reading = FALSE;
  if (self->n_waiters > 0)
    g_cond_broadcast (&self->cond);
}

/* ------------------------------------------------------------------------ */
/* Dispatching on the context */

static void
handler_unref (Handler *handler)
{
  if (!g_atomic_ref_count_dec (&handler->ref_count))
    return;
  if (handler->destroy != NULL)
    handler->destroy (handler->user_data);
  g_free (handler);
}

static const char *
read_machine_id (void)
{
  static gsize machine_id = 0;

  if (g_once_init_enter (&machine_id))
    {
      char *contents = NULL;

      if (!g_file_get_contents ("/etc/machine-id", &contents, NULL, NULL) &&
          !g_file_get_contents ("/var/lib/dbus/machine-id", &contents, NULL, NULL))
        contents = g_strdup ("");
      g_once_init_leave (&machine_id, (gsize) g_strstrip (contents));
    }

  return (const char *) machine_id;
}

static void
reply_to_call (ZbusConnection *self,
               ZbusMessage    *reply)
{
  g_autoptr(GError) error = NULL;

  if (!zbus_connection_send_message (self, reply, NULL, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED))
    g_warning ("Could not send a reply: %s", error->message);
}

/* What the connection does with a method call no handler claimed: the Peer
 * interface is answered here, anything else gets the standard error. */
static void
answer_unclaimed_call (ZbusConnection *self,
                       ZbusMessage    *call)
{
  const char *interface_ = zbus_message_get_interface (call);
  const char *member = zbus_message_get_member (call);
  g_autoptr(ZbusMessage) reply = NULL;

  if (zbus_message_get_flags (call) & ZBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED)
    return;

  if (g_strcmp0 (interface_, PEER_INTERFACE) == 0 || interface_ == NULL)
    {
      if (g_str_equal (member, "Ping") && zbus_message_get_signature (call)[0] == '\0')
        reply = zbus_message_new_method_reply (call);
      else if (g_str_equal (member, "GetMachineId") && zbus_message_get_signature (call)[0] == '\0')
        {
          reply = zbus_message_new_method_reply (call);
          zbus_message_set_body (reply, g_variant_new ("(s)", read_machine_id ()), NULL);
        }
    }

  if (reply == NULL)
    {
      g_autofree char *text = g_strdup_printf ("No object at path “%s”",
                                               zbus_message_get_path (call));

      reply = zbus_message_new_error (call, "org.freedesktop.DBus.Error.UnknownObject",
                                      text, NULL);
    }

  reply_to_call (self, reply);
}

static gboolean
is_from_bus (ZbusMessage *message)
{
  return g_strcmp0 (zbus_message_get_sender (message), ZBUS_DBUS_NAME) == 0 &&
         g_strcmp0 (zbus_message_get_interface (message), ZBUS_DBUS_INTERFACE) == 0 &&
         g_strcmp0 (zbus_message_get_path (message), ZBUS_DBUS_PATH) == 0;
}

static void
handle_bus_signal (ZbusConnection *self,
                   ZbusMessage    *message)
{
  const char *member = zbus_message_get_member (message);
  const char *name;
  GVariant *body;

  if (g_strcmp0 (zbus_message_get_signature (message), "s") != 0)
    return;

  body = zbus_message_get_body (message);
  g_variant_get_child (body, 0, "&s", &name);

  /* The bus also announces the unique name it gave after Hello: that is
   * not a name anyone asked for. */
  if (g_dbus_is_unique_name (name))
    return;

  if (g_str_equal (member, "NameAcquired"))
    g_signal_emit (self, signals[SIGNAL_NAME_ACQUIRED], 0, name);
  else if (g_str_equal (member, "NameLost"))
    g_signal_emit (self, signals[SIGNAL_NAME_LOST], 0, name);
}

/* Handlers may be removed, or add others, while they run: callers work
 * on a referenced copy of the list. */
static GPtrArray *
snapshot_handlers_locked (GPtrArray *handlers)
{
  GPtrArray *snapshot = g_ptr_array_new_full (handlers->len, (GDestroyNotify) handler_unref);

  for (guint i = 0; i < handlers->len; i++)
    {
      Handler *handler = g_ptr_array_index (handlers, i);

      g_atomic_ref_count_inc (&handler->ref_count);
      g_ptr_array_add (snapshot, handler);
    }

  return snapshot;
}

static void
run_filters (ZbusConnection *self,
             GPtrArray      *filters,
             ZbusMessage    *message)
{
  for (guint i = 0; i < filters->len; i++)
    {
      Handler *filter = g_ptr_array_index (filters, i);

      if (!g_atomic_int_get (&filter->removed))
        filter->filter_func (self, message, filter->user_data);
    }
}

static void
dispatch_message (ZbusConnection *self,
                  ZbusMessage    *message)
{
  g_autoptr(GPtrArray) snapshot = NULL;
  gboolean claimed = FALSE;

  /* A monitor's messages are other connections' business: they are for
   * its streams alone (fed by the filters), never to be answered or
   * taken as the bus speaking to this connection. */
  if (g_atomic_int_get (&self->monitor) != ZBUS_MONITOR_NONE)
    return;

  g_mutex_lock (&self->lock);
  snapshot = snapshot_handlers_locked (self->handlers);
  g_mutex_unlock (&self->lock);

  for (guint i = 0; i < snapshot->len; i++)
    {
      Handler *handler = g_ptr_array_index (snapshot, i);

      if (!g_atomic_int_get (&handler->removed) &&
          handler->func (self, message, handler->user_data))
        claimed = TRUE;
    }

  if (message->type == ZBUS_MESSAGE_TYPE_SIGNAL && self->is_bus && is_from_bus (message))
    handle_bus_signal (self, message);
  else if (message->type == ZBUS_MESSAGE_TYPE_METHOD_CALL && !claimed && self->gdbus == NULL)
    answer_unclaimed_call (self, message);
}

static void
dispatch_incoming (ZbusConnection *self)
{
  for (;;)
    {
      Incoming *in;

      g_mutex_lock (&self->lock);
      in = g_queue_pop_head (&self->incoming);
      g_mutex_unlock (&self->lock);

      if (in == NULL)
        return;

      if (in->call != NULL)
        pending_call_complete (in->call, in->message, NULL);
      else
        dispatch_message (self, in->message);

      zbus_message_unref (in->message);
      g_free (in);
    }
}

/* Whether a failed read means the peer went away, as opposed to the peer
 * breaking the protocol (which this side answers by closing). */
static gboolean
peer_vanished (const GError *error)
{
  return error->domain != ZBUS_ERROR &&
         !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

static gboolean
dispatch_source_prepare (GSource *source,
                         int     *timeout)
{
  DispatchSource *ds = (DispatchSource *) source;
  g_autoptr(ZbusConnection) self = g_weak_ref_get (&ds->connection);
  gboolean ready;

  *timeout = -1;
  if (self == NULL)
    return FALSE;

  /* Watch for room in the socket only while output waits. Only on a
   * change: g_source_modify_unix_fd() wakes the context, so calling it
   * in every prepare() makes the loop spin at 100% CPU. */
  if (ds->fd_tag != NULL)
    {
      GIOCondition events = G_IO_IN | G_IO_HUP | G_IO_ERR |
                            (_zbus_native_has_pending_output (self->native) ? G_IO_OUT : 0);

      if (events != ds->fd_events)
        {
          g_source_modify_unix_fd (source, ds->fd_tag, events);
          ds->fd_events = events;
        }
    }

  g_mutex_lock (&self->lock);
  ready = !g_queue_is_empty (&self->incoming);
  g_mutex_unlock (&self->lock);

  return ready;
}

static gboolean
dispatch_source_check (GSource *source)
{
  DispatchSource *ds = (DispatchSource *) source;
  g_autoptr(ZbusConnection) self = g_weak_ref_get (&ds->connection);
  gboolean ready;

  if (self == NULL)
    return FALSE;

  if (ds->fd_tag != NULL && g_source_query_unix_fd (source, ds->fd_tag) != 0)
    return TRUE;

  /* Closed: dispatch must run once to stop watching the hung-up socket,
   * which poll() would otherwise report ready forever. */
  if (ds->fd_tag != NULL && zbus_connection_is_closed (self))
    return TRUE;

  g_mutex_lock (&self->lock);
  ready = !g_queue_is_empty (&self->incoming);
  g_mutex_unlock (&self->lock);

  return ready;
}

static gboolean
dispatch_source_dispatch (GSource     *source,
                          GSourceFunc  callback,
                          gpointer     user_data)
{
  DispatchSource *ds = (DispatchSource *) source;
  g_autoptr(ZbusConnection) self = g_weak_ref_get (&ds->connection);
  GIOCondition revents = 0;
  g_autoptr(GError) error = NULL;
  gboolean ok = TRUE;

  if (self == NULL)
    return G_SOURCE_REMOVE;

  if (ds->fd_tag != NULL && zbus_connection_is_closed (self))
    {
      g_source_remove_unix_fd (source, ds->fd_tag);
      ds->fd_tag = NULL;
    }

  if (ds->fd_tag != NULL)
    revents = g_source_query_unix_fd (source, ds->fd_tag);

  if (revents & G_IO_OUT)
    ok = _zbus_native_write_pending (self->native, &error);

  if (ok && (revents & (G_IO_IN | G_IO_HUP | G_IO_ERR)))
    {
      gboolean reader;

      /* A thread blocked in a synchronous call may be reading already; it
       * queues what it reads for us, so there is nothing to do here. */
      g_mutex_lock (&self->lock);
      reader = try_take_reader_locked (self);
      g_mutex_unlock (&self->lock);

      if (reader)
        {
          ok = _zbus_native_read (self->native, &error);
          g_mutex_lock (&self->lock);
          give_back_reader_locked (self);
          g_mutex_unlock (&self->lock);
        }
    }

  dispatch_incoming (self);

  if (!ok)
    {
      close_internal (self, peer_vanished (error), error);
      /* Completions of the calls the close failed are queued: run them. */
      dispatch_incoming (self);
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

static void
dispatch_source_finalize (GSource *source)
{
  DispatchSource *ds = (DispatchSource *) source;

  g_weak_ref_clear (&ds->connection);
}

static GSourceFuncs dispatch_source_funcs = {
  .prepare = dispatch_source_prepare,
  .check = dispatch_source_check,
  .dispatch = dispatch_source_dispatch,
  .finalize = dispatch_source_finalize,
};

static GSource *
dispatch_source_new (ZbusConnection *self)
{
  GSource *source = g_source_new (&dispatch_source_funcs, sizeof (DispatchSource));
  DispatchSource *ds = (DispatchSource *) source;

  g_weak_ref_init (&ds->connection, self);
  if (self->native != NULL)
    {
      ds->fd_events = G_IO_IN | G_IO_HUP | G_IO_ERR;
      ds->fd_tag = g_source_add_unix_fd (source, _zbus_native_get_fd (self->native),
                                         ds->fd_events);
    }
  g_source_set_static_name (source, "[zbus] connection dispatch");
  /* GLib blocks a source that cannot recurse around each dispatch,
   * removing its fds from the poll set and adding them back, and wakes the
   * context both times: two eventfd writes and a read per dispatch. The
   * reader role and the locked queue make recursive dispatch safe. */
  g_source_set_can_recurse (source, TRUE);
  g_source_set_priority (source, G_PRIORITY_DEFAULT);

  return source;
}

/* ------------------------------------------------------------------------ */
/* Closing */

static gboolean
emit_closed_cb (gpointer data)
{
  gpointer *args = data;
  ZbusConnection *self = args[0];
  GError *error = args[2];

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLOSED]);
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0, GPOINTER_TO_INT (args[1]), error);

  return G_SOURCE_REMOVE;
}

static void
emit_closed_free (gpointer data)
{
  gpointer *args = data;

  g_object_unref (args[0]);
  g_clear_error ((GError **) &args[2]);
  g_free (args);
}

/* Marks the connection closed, fails every pending call and, when @emit,
 * tells the program on the context, once. Any thread. */
static void
close_internal_full (ZbusConnection *self,
                     gboolean        remote_peer_vanished,
                     const GError   *error,
                     gboolean        emit)
{
  g_autoptr(GPtrArray) calls = g_ptr_array_new ();
  g_autoptr(GPtrArray) filters = NULL;
  GHashTableIter iter;
  PendingCall *call;
  gpointer *args;

  g_mutex_lock (&self->lock);
  if (self->closed)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  self->closed = TRUE;
  filters = snapshot_handlers_locked (self->filters);

  if (self->native != NULL)
    _zbus_native_shutdown (self->native);

  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &call))
    {
      if (call->task == NULL)
        {
          call->done = TRUE;
          call->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                             "The connection was closed before the reply came");
        }
      else
        g_ptr_array_add (calls, call);
      g_hash_table_iter_remove (&iter);
    }
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);

  for (guint i = 0; i < calls->len; i++)
    pending_call_complete (g_ptr_array_index (calls, i), NULL,
                           g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                                "The connection was closed before the reply came"));

  /* Streams end now, in this thread, whether or not the context runs. */
  run_filters (self, filters, NULL);

  if (!emit)
    return;

  args = g_new0 (gpointer, 3);
  args[0] = g_object_ref (self);
  args[1] = GINT_TO_POINTER (remote_peer_vanished);
  args[2] = error != NULL ? g_error_copy (error) : NULL;
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT,
                              emit_closed_cb, args, emit_closed_free);
}

static void
gdbus_closed_cb (GDBusConnection *connection,
                 gboolean         remote_peer_vanished,
                 GError          *error,
                 gpointer         user_data)
{
  close_internal (user_data, remote_peer_vanished, error);
}

/* ------------------------------------------------------------------------ */
/* GObject */

static gboolean
quit_loop_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
zbus_connection_dispose (GObject *object)
{
  ZbusConnection *self = ZBUS_CONNECTION (object);

  if (self->source != NULL)
    {
      g_source_destroy (self->source);
      g_clear_pointer (&self->source, g_source_unref);
    }

  if (self->gdbus != NULL)
    {
      g_mutex_lock (&self->gdbus_link->lock);
      self->gdbus_link->self = NULL;
      g_mutex_unlock (&self->gdbus_link->lock);
      g_dbus_connection_remove_filter (self->gdbus, self->gdbus_filter_id);
      g_clear_signal_handler (&self->gdbus_closed_id, self->gdbus);
    }

  /* Nobody can hear a closed signal from an object going away, and the
   * emission would hold it alive until its context runs again. */
  close_internal_full (self, FALSE, NULL, FALSE);

  if (self->internal_loop != NULL)
    {
      /* Quit from inside the loop: a quit before the thread reached
       * g_main_loop_run() would be lost, and the join below would hang. */
      GSource *idle = g_idle_source_new ();

      g_source_set_callback (idle, quit_loop_cb, g_main_loop_ref (self->internal_loop),
                             (GDestroyNotify) g_main_loop_unref);
      g_source_attach (idle, self->context);
      g_source_unref (idle);
      if (g_thread_self () != self->internal_thread)
        g_thread_join (g_steal_pointer (&self->internal_thread));
      else
        g_clear_pointer (&self->internal_thread, g_thread_unref);
      g_clear_pointer (&self->internal_loop, g_main_loop_unref);
    }

  G_OBJECT_CLASS (zbus_connection_parent_class)->dispose (object);
}

static void
incoming_free (Incoming *in)
{
  if (in->call != NULL)
    pending_call_free (in->call);
  zbus_message_unref (in->message);
  g_free (in);
}

static void
zbus_connection_finalize (GObject *object)
{
  ZbusConnection *self = ZBUS_CONNECTION (object);

  g_queue_clear_full (&self->incoming, (GDestroyNotify) incoming_free);
  g_ptr_array_unref (self->handlers);
  g_ptr_array_unref (self->filters);
  g_hash_table_unref (self->pending);
  g_clear_pointer (&self->native, _zbus_native_free);
  g_clear_object (&self->gdbus);
  g_clear_object (&self->peer_credentials);
  g_clear_pointer (&self->unique_name, g_free);
  g_clear_pointer (&self->guid, g_free);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (zbus_connection_parent_class)->finalize (object);
}

static void
zbus_connection_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  ZbusConnection *self = ZBUS_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_UNIQUE_NAME:
      g_value_set_string (value, zbus_connection_get_unique_name (self));
      break;
    case PROP_GUID:
      g_value_set_string (value, zbus_connection_get_guid (self));
      break;
    case PROP_IS_BUS:
      g_value_set_boolean (value, zbus_connection_is_bus (self));
      break;
    case PROP_CLOSED:
      g_value_set_boolean (value, zbus_connection_is_closed (self));
      break;
    case PROP_MAIN_CONTEXT:
      g_value_set_boxed (value, zbus_connection_get_main_context (self));
      break;
    case PROP_GDBUS_CONNECTION:
      g_value_set_object (value, zbus_connection_get_gdbus_connection (self));
      break;
    case PROP_UNIX_FD_PASSING:
      g_value_set_boolean (value, zbus_connection_get_unix_fd_passing (self));
      break;
    case PROP_METHOD_TIMEOUT:
      g_value_set_int (value, zbus_connection_get_method_timeout (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
zbus_connection_class_init (ZbusConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = zbus_connection_dispose;
  object_class->finalize = zbus_connection_finalize;
  object_class->get_property = zbus_connection_get_property;

  /**
   * ZbusConnection:unique-name:
   *
   * The unique name the bus gave the connection (`:1.42`), or %NULL for a
   * peer-to-peer connection.
   *
   * Since: 1.0
   */
  properties[PROP_UNIQUE_NAME] =
    g_param_spec_string ("unique-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * ZbusConnection:guid:
   *
   * The GUID of the server end of the connection: the bus daemon's, or the
   * peer-to-peer server's.
   *
   * Since: 1.0
   */
  properties[PROP_GUID] =
    g_param_spec_string ("guid", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * ZbusConnection:message-bus:
   *
   * Whether the connection is to a message bus (as opposed to a peer); see
   * zbus_connection_is_bus(). (Not `is-bus`: in GJS a property of that name
   * would hide the method.)
   *
   * Since: 1.0
   */
  properties[PROP_IS_BUS] =
    g_param_spec_boolean ("message-bus", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * ZbusConnection:closed:
   *
   * Whether the connection is closed; see zbus_connection_is_closed(). It
   * is notified, and [signal@Zbus.Connection::closed] emitted, on the
   * connection's context.
   *
   * Since: 1.0
   */
  properties[PROP_CLOSED] =
    g_param_spec_boolean ("closed", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * ZbusConnection:main-context:
   *
   * The main context the connection reads its socket and dispatches on.
   *
   * Since: 1.0
   */
  properties[PROP_MAIN_CONTEXT] =
    g_param_spec_boxed ("main-context", NULL, NULL, G_TYPE_MAIN_CONTEXT,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * ZbusConnection:gdbus-connection:
   *
   * The GDBus connection this connection adopted, or %NULL for a native
   * connection.
   *
   * Since: 1.0
   */
  properties[PROP_GDBUS_CONNECTION] =
    g_param_spec_object ("gdbus-connection", NULL, NULL, G_TYPE_DBUS_CONNECTION,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * ZbusConnection:unix-fd-passing:
   *
   * Whether unix file descriptors can travel over the connection (both
   * ends agreed to it during authentication).
   *
   * Since: 1.0
   */
  properties[PROP_UNIX_FD_PASSING] =
    g_param_spec_boolean ("unix-fd-passing", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * ZbusConnection:method-timeout:
   *
   * How long, in milliseconds, a method call waits for its reply when the
   * call says %ZBUS_TIMEOUT_DEFAULT.
   *
   * Since: 1.0
   */
  properties[PROP_METHOD_TIMEOUT] =
    g_param_spec_int ("method-timeout", NULL, NULL, 0, G_MAXINT, DEFAULT_METHOD_TIMEOUT_MSEC,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ZbusConnection::closed:
   * @self: the connection
   * @remote_peer_vanished: %TRUE if the peer (or the bus) went away,
   *   %FALSE if this side closed the connection
   * @error: (nullable): what went wrong, or %NULL for a close asked for
   *
   * Emitted once, on the connection's context, when the connection closes.
   * Every call still waiting for a reply has failed with
   * %G_IO_ERROR_CLOSED by then.
   *
   * Since: 1.0
   */
  signals[SIGNAL_CLOSED] =
    g_signal_new ("closed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_BOOLEAN, G_TYPE_ERROR);

  /**
   * ZbusConnection::name-acquired:
   * @self: the connection
   * @name: the bus name
   *
   * Emitted on the connection's context when the bus says the connection
   * now owns @name: right after a successful request, or later when it
   * leaves the queue for the name.
   *
   * Since: 1.0
   */
  signals[SIGNAL_NAME_ACQUIRED] =
    g_signal_new ("name-acquired",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * ZbusConnection::name-lost:
   * @self: the connection
   * @name: the bus name
   *
   * Emitted on the connection's context when the bus says the connection
   * no longer owns @name: it was released, or another connection replaced
   * it.
   *
   * Since: 1.0
   */
  signals[SIGNAL_NAME_LOST] =
    g_signal_new ("name-lost",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
zbus_connection_init (ZbusConnection *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  g_queue_init (&self->incoming);
  self->pending = g_hash_table_new (NULL, NULL);
  self->handlers = g_ptr_array_new_with_free_func ((GDestroyNotify) handler_unref);
  self->filters = g_ptr_array_new_with_free_func ((GDestroyNotify) handler_unref);
  self->method_timeout = DEFAULT_METHOD_TIMEOUT_MSEC;
  self->max_queued = DEFAULT_MAX_QUEUED;
}

/* ------------------------------------------------------------------------ */
/* Construction */

ZbusConnection *
_zbus_connection_new_native (GSocket      *socket,
                             GBytes       *leftover,
                             const char   *guid,
                             gboolean      unix_fd_passing,
                             gboolean      is_bus,
                             GMainContext *context,
                             int           method_timeout,
                             guint         max_queued)
{
  ZbusConnection *self = g_object_new (ZBUS_TYPE_CONNECTION, NULL);

  self->context = g_main_context_ref (context);
  self->guid = g_strdup (guid);
  self->is_bus = is_bus;
  self->unix_fd_passing = unix_fd_passing;
  self->method_timeout = method_timeout > 0 ? method_timeout : DEFAULT_METHOD_TIMEOUT_MSEC;
  self->max_queued = max_queued > 0 ? max_queued : DEFAULT_MAX_QUEUED;
  self->peer_credentials = g_socket_get_credentials (socket, NULL);
  self->native = _zbus_native_new (socket, leftover, unix_fd_passing, native_message_cb, self);

  self->source = dispatch_source_new (self);
  g_source_attach (self->source, self->context);

  /* Bytes read behind authentication may hold whole messages already,
   * and the socket will not say so: parse them now (the read stops at
   * EAGAIN), so they are queued and the source is ready. */
  if (leftover != NULL && g_bytes_get_size (leftover) > 0)
    {
      g_autoptr(GError) error = NULL;

      self->reading = TRUE;
      if (!_zbus_native_read (self->native, &error))
        close_internal (self, TRUE, error);
      self->reading = FALSE;
      g_main_context_wakeup (self->context);
    }

  return self;
}

void
_zbus_connection_set_internal_thread (ZbusConnection *self,
                                      GThread        *thread,
                                      GMainLoop      *loop)
{
  self->internal_thread = thread;
  self->internal_loop = loop;
}

guint
_zbus_connection_get_max_queued (ZbusConnection *self)
{
  return self->max_queued;
}

/**
 * zbus_connection_new_for_gdbus:
 * @connection: a GDBus connection
 *
 * Makes a connection that sends and receives through @connection, so a
 * program serves and calls on the same connection, and the same unique
 * name, as the GDBus code around it (typically its [class@Gio.Application]).
 *
 * The new connection dispatches on the thread-default main context of the
 * calling thread. GDBus reads the socket on its own worker thread; messages
 * cross to that context from there. Method calls that no handler of this
 * connection claims are left to GDBus, which answers those it has objects
 * for.
 *
 * Returns: (transfer full): the new connection
 *
 * Since: 1.0
 */
ZbusConnection *
zbus_connection_new_for_gdbus (GDBusConnection *connection)
{
  ZbusConnection *self;

  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), NULL);

  self = g_object_new (ZBUS_TYPE_CONNECTION, NULL);
  self->context = g_main_context_ref_thread_default ();
  self->gdbus = g_object_ref (connection);
  self->unique_name = g_strdup (g_dbus_connection_get_unique_name (connection));
  self->guid = g_strdup (g_dbus_connection_get_guid (connection));
  self->is_bus = self->unique_name != NULL;
  self->unix_fd_passing = (g_dbus_connection_get_capabilities (connection) &
                           G_DBUS_CAPABILITY_FLAGS_UNIX_FD_PASSING) != 0;
  if (g_dbus_connection_get_peer_credentials (connection) != NULL)
    self->peer_credentials = g_object_ref (g_dbus_connection_get_peer_credentials (connection));

  self->source = dispatch_source_new (self);
  g_source_attach (self->source, self->context);

  self->gdbus_link = g_new0 (FilterLink, 1);
  g_mutex_init (&self->gdbus_link->lock);
  self->gdbus_link->self = self;
  self->gdbus_filter_id = g_dbus_connection_add_filter (connection, gdbus_filter_cb,
                                                        self->gdbus_link, filter_link_free);
  self->gdbus_closed_id = g_signal_connect (connection, "closed",
                                            G_CALLBACK (gdbus_closed_cb), self);
  if (g_dbus_connection_is_closed (connection))
    close_internal (self, TRUE, NULL);

  return self;
}

static void
build_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  ZbusConnection *connection;

  connection = zbus_connection_builder_build_finish (ZBUS_CONNECTION_BUILDER (object), result,
                                                     &error);
  if (connection == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, connection, g_object_unref);
}

/**
 * zbus_connection_session:
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Opens a new private connection to the session bus, on the calling
 * thread's thread-default main context. The bus's address comes from
 * `DBUS_SESSION_BUS_ADDRESS`, or else is `$XDG_RUNTIME_DIR/bus`.
 *
 * Each call opens a new connection, as zbus does: to share one, keep it and
 * pass it around. [class@Zbus.ConnectionBuilder] offers every other choice.
 *
 * Returns: (transfer full): the connection, or %NULL on error
 *
 * Since: 1.0
 */
ZbusConnection *
zbus_connection_session (GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(ZbusConnectionBuilder) builder = zbus_connection_builder_new_session ();

  return zbus_connection_builder_build (builder, cancellable, error);
}

/**
 * zbus_connection_session_async:
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the connection is ready or failed
 * @user_data: (closure): data for @callback
 *
 * Opens a new private connection to the session bus without blocking; see
 * [func@Zbus.Connection.session].
 *
 * Since: 1.0
 */
void
zbus_connection_session_async (GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(ZbusConnectionBuilder) builder = zbus_connection_builder_new_session ();
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, zbus_connection_session_async);
  zbus_connection_builder_build_async (builder, cancellable, build_cb, task);
}

/**
 * zbus_connection_session_finish:
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [func@Zbus.Connection.session_async].
 *
 * Returns: (transfer full): the connection, or %NULL on error
 *
 * Since: 1.0
 */
ZbusConnection *
zbus_connection_session_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * zbus_connection_system:
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Opens a new private connection to the system bus, on the calling
 * thread's thread-default main context. The bus's address comes from
 * `DBUS_SYSTEM_BUS_ADDRESS`, or else is
 * `unix:path=/var/run/dbus/system_bus_socket`.
 *
 * Returns: (transfer full): the connection, or %NULL on error
 *
 * Since: 1.0
 */
ZbusConnection *
zbus_connection_system (GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(ZbusConnectionBuilder) builder = zbus_connection_builder_new_system ();

  return zbus_connection_builder_build (builder, cancellable, error);
}

/**
 * zbus_connection_system_async:
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the connection is ready or failed
 * @user_data: (closure): data for @callback
 *
 * Opens a new private connection to the system bus without blocking; see
 * [func@Zbus.Connection.system].
 *
 * Since: 1.0
 */
void
zbus_connection_system_async (GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(ZbusConnectionBuilder) builder = zbus_connection_builder_new_system ();
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, zbus_connection_system_async);
  zbus_connection_builder_build_async (builder, cancellable, build_cb, task);
}

/**
 * zbus_connection_system_finish:
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [func@Zbus.Connection.system_async].
 *
 * Returns: (transfer full): the connection, or %NULL on error
 *
 * Since: 1.0
 */
ZbusConnection *
zbus_connection_system_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------ */
/* Properties */

/**
 * zbus_connection_get_unique_name:
 * @self: a connection
 *
 * Gets the unique name the bus gave the connection.
 *
 * Returns: (nullable): the unique name, or %NULL for a peer-to-peer
 *   connection
 *
 * Since: 1.0
 */
const char *
zbus_connection_get_unique_name (ZbusConnection *self)
{
  g_return_val_if_fail (ZBUS_IS_CONNECTION (self), NULL);

  return self->unique_name;
}

/**
 * zbus_connection_get_guid:
 * @self: a connection
 *
 * Gets the GUID of the server end of the connection.
 *
 * Returns: (nullable): the GUID
 *
 * Since: 1.0
 */
const char *
zbus_connection_get_guid (ZbusConnection *self)
{
  g_return_val_if_fail (ZBUS_IS_CONNECTION (self), NULL);

  return self->guid;
}

/**
 * zbus_connection_is_bus:
 * @self: a connection
 *
 * Tells whether the connection is to a message bus.
 *
 * Returns: %TRUE for a bus connection, %FALSE for a peer-to-peer one
 *
 * Since: 1.0
 */
gboolean
zbus_connection_is_bus (ZbusConnection *self)
{
  g_return_val_if_fail (ZBUS_IS_CONNECTION (self), FALSE);

  return self->is_bus;
}

/**
 * zbus_connection_is_closed:
 * @self: a connection
 *
 * Tells whether the connection is closed.
 *
 * Returns: %TRUE if closed
 *
 * Since: 1.0
 */
gboolean
zbus_connection_is_closed (ZbusConnection *self)
{
  gboolean closed;

  g_return_val_if_fail (ZBUS_IS_CONNECTION (self), TRUE);

  g_mutex_lock (&self->lock);
  closed = self->closed;
  g_mutex_unlock (&self->lock);

  return closed;
}

/**
 * zbus_connection_get_main_context:
 * @self: a connection
 *
 * Gets the main context the connection dispatches on.
 *
 * Returns: (transfer none): the main context
 *
 * Since: 1.0
 */
GMainContext *
zbus_connection_get_main_context (ZbusConnection *self)
{
  g_return_val_if_fail (ZBUS_IS_CONNECTION (self), NULL);

  return self->context;
}

/**
 * zbus_connection_get_gdbus_connection:
 * @self: a connection
 *
 * Gets the GDBus connection @self adopted.
 *
 * Returns: (transfer none) (nullable): the GDBus connection, or %NULL for a
 *   native connection
 *
 * Since: 1.0
 */
GDBusConnection *
zbus_connection_get_gdbus_connection (ZbusConnection *self)
{
  g_return_val_if_fail (ZBUS_IS_CONNECTION (self), NULL);

  return self->gdbus;
}

/**
 * zbus_connection_get_peer_credentials:
 * @self: a connection
 *
 * Gets the credentials (uid, pid) of the process at the other end of the
 * socket, as the kernel reported them when the connection was made. For a
 * bus connection those are the bus daemon's.
 *
 * Returns: (transfer none) (nullable): the credentials, or %NULL where the
 *   transport does not have them
 *
 * Since: 1.0
 */
GCredentials *
zbus_connection_get_peer_credentials (ZbusConnection *self)
{
  g_return_val_if_fail (ZBUS_IS_CONNECTION (self), NULL);

  return self->peer_credentials;
}

/**
 * zbus_connection_get_unix_fd_passing:
 * @self: a connection
 *
 * Tells whether unix file descriptors can travel over the connection.
 *
 * Returns: %TRUE if both ends agreed to pass fds
 *
 * Since: 1.0
 */
gboolean
zbus_connection_get_unix_fd_passing (ZbusConnection *self)
{
  g_return_val_if_fail (ZBUS_IS_CONNECTION (self), FALSE);

  return self->unix_fd_passing;
}

/**
 * zbus_connection_get_method_timeout:
 * @self: a connection
 *
 * Gets how long a method call waits for its reply by default.
 *
 * Returns: the timeout in milliseconds
 *
 * Since: 1.0
 */
int
zbus_connection_get_method_timeout (ZbusConnection *self)
{
  g_return_val_if_fail (ZBUS_IS_CONNECTION (self), 0);

  return self->method_timeout;
}

/* ------------------------------------------------------------------------ */
/* Handlers */

static guint
add_handler (ZbusConnection *self,
             GPtrArray      *list,
             Handler        *handler)
{
  guint id;

  g_atomic_ref_count_init (&handler->ref_count);

  g_mutex_lock (&self->lock);
  id = handler->id = ++self->next_handler_id;
  g_ptr_array_add (list, handler);
  g_mutex_unlock (&self->lock);

  return id;
}

static void
remove_handler (ZbusConnection *self,
                GPtrArray      *list,
                guint           id)
{
  Handler *found = NULL;

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < list->len; i++)
    {
      Handler *handler = g_ptr_array_index (list, i);

      if (handler->id == id)
        {
          found = g_ptr_array_steal_index (list, i);
          break;
        }
    }
  g_mutex_unlock (&self->lock);

  /* A thread running it right now holds a reference: the data is
   * destroyed when that run ends, and no run starts after this. */
  if (found != NULL)
    {
      g_atomic_int_set (&found->removed, TRUE);
      handler_unref (found);
    }
}

guint
_zbus_connection_add_handler (ZbusConnection        *self,
                              ZbusConnectionHandler  func,
                              gpointer               user_data,
                              GDestroyNotify         destroy)
{
  Handler *handler = g_new0 (Handler, 1);

  handler->func = func;
  handler->user_data = user_data;
  handler->destroy = destroy;
  return add_handler (self, self->handlers, handler);
}

void
_zbus_connection_remove_handler (ZbusConnection *self,
                                 guint           handler_id)
{
  remove_handler (self, self->handlers, handler_id);
}

guint
_zbus_connection_add_filter (ZbusConnection       *self,
                             ZbusConnectionFilter  func,
                             gpointer              user_data,
                             GDestroyNotify        destroy)
{
  Handler *handler = g_new0 (Handler, 1);

  handler->filter_func = func;
  handler->user_data = user_data;
  handler->destroy = destroy;
  return add_handler (self, self->filters, handler);
}

void
_zbus_connection_remove_filter (ZbusConnection *self,
                                guint           filter_id)
{
  remove_handler (self, self->filters, filter_id);
}

void
_zbus_connection_set_call_claimer (ZbusConnection            *self,
                                   ZbusConnectionCallClaimer  claimer,
                                   gpointer                   user_data)
{
  g_mutex_lock (&self->lock);
  self->claimer = claimer;
  self->claimer_data = user_data;
  g_mutex_unlock (&self->lock);
}

/* ------------------------------------------------------------------------ */
/* Sending */

static guint32
next_serial (ZbusConnection *self)
{
  guint32 serial;

  /* 0 is not a valid serial: skip it when the counter wraps. */
  do
    serial = (guint32) g_atomic_int_add (&self->next_serial, 1) + 1;
  while (serial == 0);

  return serial;
}

static gboolean
check_open (ZbusConnection  *self,
            GError         **error)
{
  if (!zbus_connection_is_closed (self))
    return TRUE;

  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "The connection is closed");
  return FALSE;
}

void
_zbus_connection_set_monitor (ZbusConnection   *self,
                              ZbusMonitorState  state)
{
  g_atomic_int_set (&self->monitor, state);
}

/* Sends @message, registering @call (when not NULL) under its serial
 * before the message can leave, so the reply cannot come first. */
static gboolean
send_internal (ZbusConnection  *self,
               ZbusMessage     *message,
               PendingCall     *call,
               GError         **error)
{
  if (!check_open (self, error))
    return FALSE;
  if (g_atomic_int_get (&self->monitor) == ZBUS_MONITOR_ACTIVE)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "The connection is a monitor: it cannot send messages");
      return FALSE;
    }

  if (self->gdbus != NULL)
    {
      g_autoptr(GDBusMessage) gmessage = zbus_message_to_gdbus (message, error);
      guint32 serial = 0;
      gboolean ok;

      if (gmessage == NULL)
        return FALSE;

      /* GDBus picks the serial as it sends. Holding the lock keeps the
       * filter (on GDBus's thread) from looking up the reply before the
       * call is in the table. */
      g_mutex_lock (&self->lock);
      ok = g_dbus_connection_send_message (self->gdbus, gmessage, G_DBUS_SEND_MESSAGE_FLAGS_NONE,
                                           &serial, error);
      if (ok)
        {
          message->serial = serial;
          if (call != NULL)
            {
              call->serial = serial;
              g_hash_table_insert (self->pending, GUINT_TO_POINTER (serial), call);
            }
        }
      g_mutex_unlock (&self->lock);

      return ok;
    }

  message->serial = next_serial (self);
  if (call != NULL)
    {
      call->serial = message->serial;
      g_mutex_lock (&self->lock);
      g_hash_table_insert (self->pending, GUINT_TO_POINTER (call->serial), call);
      g_mutex_unlock (&self->lock);
    }

  if (!_zbus_native_send (self->native, message, error))
    {
      if (call != NULL)
        {
          g_mutex_lock (&self->lock);
          steal_pending_locked (self, call->serial);
          g_mutex_unlock (&self->lock);
        }
      return FALSE;
    }

  /* Output the socket would not take now waits for the context. */
  if (_zbus_native_has_pending_output (self->native))
    g_main_context_wakeup (self->context);

  return TRUE;
}

/**
 * zbus_connection_send_message:
 * @self: a connection
 * @message: the message to send
 * @out_serial: (out) (optional): return location for the serial the
 *   message was sent with
 * @error: return location for a #GError
 *
 * Sends @message without waiting for a reply; a reply that comes is
 * dispatched like any other message. The connection sets the serial of
 * @message.
 *
 * May be called from any thread. It does not block: what the socket does
 * not take at once is written when it drains.
 *
 * Returns: %TRUE if the message was sent or queued, %FALSE if the
 *   connection is closed or the message cannot be encoded
 *
 * Since: 1.0
 */
gboolean
zbus_connection_send_message (ZbusConnection  *self,
                              ZbusMessage     *message,
                              guint32         *out_serial,
                              GError         **error)
{
  g_return_val_if_fail (ZBUS_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!send_internal (self, message, NULL, error))
    return FALSE;

  if (out_serial != NULL)
    *out_serial = message->serial;
  return TRUE;
}

static gint64
deadline_for (ZbusConnection *self,
              int             timeout_msec)
{
  if (timeout_msec == ZBUS_TIMEOUT_INFINITE)
    return -1;
  if (timeout_msec < 0)
    timeout_msec = self->method_timeout;
  return g_get_monotonic_time () + (gint64) timeout_msec * 1000;
}

/* Reads the socket once as the holder of the reader role, then gives the
 * role back. Called with the lock held and the role taken; returns with
 * the lock held. Returns FALSE with @error on time-out or cancellation
 * (the connection goes on) or when the socket failed (the connection is
 * then closed). */
static gboolean
read_as_reader_locked (ZbusConnection  *self,
                       gint64           deadline,
                       GCancellable    *cancellable,
                       GError         **error)
{
  GError *local_error = NULL;
  gboolean ok;

  g_mutex_unlock (&self->lock);
  ok = _zbus_native_wait_and_read (self->native, deadline, cancellable, &local_error);
  g_mutex_lock (&self->lock);
  give_back_reader_locked (self);

  if (!ok && !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) &&
      !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* The socket failed: the connection is gone. */
      g_mutex_unlock (&self->lock);
      close_internal (self, peer_vanished (local_error), local_error);
      g_mutex_lock (&self->lock);
    }

  /* What was read for others is queued, and deliver() woke the context
   * for it already. (Waking whenever the queue is not empty costs an
   * eventfd write per call while a message waits for a context nobody
   * runs, such as NameAcquired in a program that only makes sync calls.) */

  if (!ok)
    g_propagate_error (error, local_error);
  return ok;
}

gboolean
_zbus_connection_read_once (ZbusConnection *self,
                            gint64          deadline_us,
                            GCancellable   *cancellable)
{
  gboolean reader;

  g_mutex_lock (&self->lock);
  reader = try_take_reader_locked (self);
  if (reader)
    read_as_reader_locked (self, deadline_us, cancellable, NULL);
  g_mutex_unlock (&self->lock);

  return reader;
}

/* Waits for @call (in the table) to be answered. Called with the lock held;
 * returns with it held. */
static void
wait_for_reply_locked (ZbusConnection *self,
                       PendingCall    *call,
                       gint64          deadline,
                       GCancellable   *cancellable)
{
  while (!call->done)
    {
      if (try_take_reader_locked (self))
        {
          GError *error = NULL;

          if (!read_as_reader_locked (self, deadline, cancellable, &error) && !call->done)
            {
              steal_pending_locked (self, call->serial);
              call->error = error;
              call->done = TRUE;
            }
          else
            g_clear_error (&error);
          continue;
        }

      if (self->closed && !call->done)
        {
          call->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                             "The connection was closed before the reply came");
          call->done = TRUE;
          break;
        }

      /* Someone else reads (or GDBus's thread does): wait for them to hand
       * over our reply or give back the reader role. Wake up now and then
       * to notice time-out and cancellation. */
      {
        gint64 until = g_get_monotonic_time () + 50 * G_TIME_SPAN_MILLISECOND;

        if (deadline >= 0 && deadline < until)
          until = deadline;
        self->n_waiters++;
        g_cond_wait_until (&self->cond, &self->lock, until);
        self->n_waiters--;
      }

      if (!call->done &&
          ((deadline >= 0 && g_get_monotonic_time () >= deadline) ||
           g_cancellable_is_cancelled (cancellable)))
        {
          steal_pending_locked (self, call->serial);
          call->done = TRUE;
          if (g_cancellable_set_error_if_cancelled (cancellable, &call->error))
            break;
          call->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                             "Timed out waiting for a reply");
        }
    }
}

/**
 * zbus_connection_send_message_with_reply_sync:
 * @self: a connection
 * @message: a method call
 * @timeout_msec: how long to wait in milliseconds, %ZBUS_TIMEOUT_DEFAULT or
 *   %ZBUS_TIMEOUT_INFINITE
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Sends @message and blocks until its reply comes.
 *
 * On the connection's own thread, the call reads the socket itself until
 * the reply arrives; everything else that arrives meanwhile is dispatched
 * later, in order. From another thread, it waits without running that
 * thread's callbacks. See [class@Zbus.Connection] for the details.
 *
 * The reply may be an error message: this function fails only when no
 * reply came (time-out, cancellation, closed connection). Use
 * [method@Zbus.Message.to_gerror] to turn an error reply into a #GError.
 *
 * Returns: (transfer full): the reply, or %NULL on error
 *
 * Since: 1.0
 */
ZbusMessage *
zbus_connection_send_message_with_reply_sync (ZbusConnection  *self,
                                              ZbusMessage     *message,
                                              int              timeout_msec,
                                              GCancellable    *cancellable,
                                              GError         **error)
{
  PendingCall call = { 0 };
  gint64 deadline;

  g_return_val_if_fail (ZBUS_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail (zbus_message_get_message_type (message) == ZBUS_MESSAGE_TYPE_METHOD_CALL,
                        NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  deadline = deadline_for (self, timeout_msec);
  message->flags &= ~ZBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED;

  if (!send_internal (self, message, &call, error))
    return NULL;

  g_mutex_lock (&self->lock);
  wait_for_reply_locked (self, &call, deadline, cancellable);
  g_mutex_unlock (&self->lock);

  if (call.error != NULL)
    {
      g_propagate_error (error, call.error);
      return NULL;
    }

  return call.reply;
}

/* Takes the asynchronous call of @task out of the table, if it is still
 * there. Time-outs and cancellations find their call this way, by task and
 * not by pointer, since the reply may have freed the call already. */
static PendingCall *
steal_call_for_task (ZbusConnection *self,
                     GTask          *task)
{
  GHashTableIter iter;
  PendingCall *call;

  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &call))
    {
      if (call->task == task)
        {
          g_hash_table_iter_remove (&iter);
          g_mutex_unlock (&self->lock);
          return call;
        }
    }
  g_mutex_unlock (&self->lock);

  return NULL;
}

static gboolean
async_call_timeout_cb (gpointer user_data)
{
  GTask *task = user_data;
  PendingCall *call = steal_call_for_task (g_task_get_source_object (task), task);

  if (call != NULL)
    pending_call_complete (call, NULL,
                           g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                                "Timed out waiting for a reply"));

  return G_SOURCE_REMOVE;
}

static gboolean
async_call_cancelled_idle_cb (gpointer user_data)
{
  GTask *task = user_data;
  PendingCall *call = steal_call_for_task (g_task_get_source_object (task), task);

  if (call != NULL)
    {
      GError *error = NULL;

      g_cancellable_set_error_if_cancelled (call->cancellable, &error);
      pending_call_complete (call, NULL, error);
    }

  return G_SOURCE_REMOVE;
}

/* Runs in whichever thread cancelled. Completing from here could deadlock
 * on the disconnect in pending_call_complete(), so it moves to an idle in
 * the caller's context. */
static void
async_call_cancelled_cb (GCancellable *cancellable,
                         gpointer      user_data)
{
  GTask *task = user_data;
  GSource *idle = g_idle_source_new ();

  g_source_set_callback (idle, async_call_cancelled_idle_cb, g_object_ref (task), g_object_unref);
  g_source_set_static_name (idle, "[zbus] call cancelled");
  g_source_attach (idle, g_task_get_context (task));
  g_source_unref (idle);
}

/**
 * zbus_connection_send_message_with_reply:
 * @self: a connection
 * @message: a method call
 * @timeout_msec: how long to wait in milliseconds, %ZBUS_TIMEOUT_DEFAULT or
 *   %ZBUS_TIMEOUT_INFINITE
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the reply came or the call failed
 * @user_data: (closure): data for @callback
 *
 * Sends @message and calls @callback, in the thread-default main context of
 * the calling thread, when its reply comes. Any thread may call it.
 *
 * Since: 1.0
 */
void
zbus_connection_send_message_with_reply (ZbusConnection      *self,
                                         ZbusMessage         *message,
                                         int                  timeout_msec,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  PendingCall *call;
  gint64 deadline;

  g_return_if_fail (ZBUS_IS_CONNECTION (self));
  g_return_if_fail (message != NULL);
  g_return_if_fail (zbus_message_get_message_type (message) == ZBUS_MESSAGE_TYPE_METHOD_CALL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, zbus_connection_send_message_with_reply);

  if (g_task_return_error_if_cancelled (task))
    return;

  message->flags &= ~ZBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED;
  call = g_new0 (PendingCall, 1);
  call->task = g_object_ref (task);

  /* Everything is in place before the message leaves: from then on the
   * reply may complete and free the call at any moment. */
  deadline = deadline_for (self, timeout_msec);
  if (deadline >= 0)
    {
      call->timeout = g_timeout_source_new (MAX (0, (deadline - g_get_monotonic_time ()) / 1000));
      g_source_set_callback (call->timeout, async_call_timeout_cb, g_object_ref (task),
                             g_object_unref);
      g_source_set_static_name (call->timeout, "[zbus] call timeout");
      g_source_attach (call->timeout, g_task_get_context (task));
    }
  if (cancellable != NULL)
    {
      call->cancellable = g_object_ref (cancellable);
      call->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (async_call_cancelled_cb),
                                               task, NULL);
    }

  if (!send_internal (self, message, call, &error))
    pending_call_complete (call, NULL, error);
}

/**
 * zbus_connection_send_message_with_reply_finish:
 * @self: a connection
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Zbus.Connection.send_message_with_reply]. As with the
 * synchronous form, an error reply is a reply, not a failure.
 *
 * Returns: (transfer full): the reply, or %NULL on error
 *
 * Since: 1.0
 */
ZbusMessage *
zbus_connection_send_message_with_reply_finish (ZbusConnection  *self,
                                                GAsyncResult    *result,
                                                GError         **error)
{
  g_return_val_if_fail (ZBUS_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------ */
/* Flush and close */

/**
 * zbus_connection_flush_sync:
 * @self: a connection
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Blocks until every message sent so far has been written to the socket.
 *
 * Returns: %TRUE when written, %FALSE on error
 *
 * Since: 1.0
 */
gboolean
zbus_connection_flush_sync (ZbusConnection  *self,
                            GCancellable    *cancellable,
                            GError         **error)
{
  g_return_val_if_fail (ZBUS_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_open (self, error))
    return FALSE;

  if (self->gdbus != NULL)
    return g_dbus_connection_flush_sync (self->gdbus, cancellable, error);

  return _zbus_native_flush (self->native, cancellable, error);
}

static void
flush_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;

  if (zbus_connection_flush_sync (source_object, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * zbus_connection_flush:
 * @self: a connection
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when everything is written
 * @user_data: (closure): data for @callback
 *
 * Waits, without blocking, until every message sent so far has been
 * written to the socket.
 *
 * Since: 1.0
 */
void
zbus_connection_flush (ZbusConnection      *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (ZBUS_IS_CONNECTION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, zbus_connection_flush);

  /* The usual case, nothing queued, needs no thread. */
  if (self->native != NULL && !_zbus_native_has_pending_output (self->native))
    {
      GError *error = NULL;

      if (check_open (self, &error))
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, error);
      return;
    }

  g_task_run_in_thread (task, flush_thread);
}

/**
 * zbus_connection_flush_finish:
 * @self: a connection
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Zbus.Connection.flush].
 *
 * Returns: %TRUE when written, %FALSE on error
 *
 * Since: 1.0
 */
gboolean
zbus_connection_flush_finish (ZbusConnection  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * zbus_connection_close_sync:
 * @self: a connection
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Writes what is queued, then closes the connection. Every call still
 * waiting for a reply fails with %G_IO_ERROR_CLOSED, and
 * [signal@Zbus.Connection::closed] is emitted on the connection's context.
 * Closing a closed connection is a %G_IO_ERROR_CLOSED error.
 *
 * An adopted GDBus connection is closed too.
 *
 * Returns: %TRUE if closed by this call
 *
 * Since: 1.0
 */
gboolean
zbus_connection_close_sync (ZbusConnection  *self,
                            GCancellable    *cancellable,
                            GError         **error)
{
  g_autoptr(GError) flush_error = NULL;

  g_return_val_if_fail (ZBUS_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_open (self, error))
    return FALSE;

  /* A failed flush does not stop the close. */
  zbus_connection_flush_sync (self, cancellable, &flush_error);

  if (self->gdbus != NULL && !g_dbus_connection_is_closed (self->gdbus))
    g_dbus_connection_close_sync (self->gdbus, cancellable, NULL);

  close_internal (self, FALSE, NULL);
  return TRUE;
}

static void
close_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;

  if (zbus_connection_close_sync (source_object, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * zbus_connection_close:
 * @self: a connection
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the connection is closed
 * @user_data: (closure): data for @callback
 *
 * Closes the connection without blocking; see
 * [method@Zbus.Connection.close_sync].
 *
 * Since: 1.0
 */
void
zbus_connection_close (ZbusConnection      *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (ZBUS_IS_CONNECTION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, zbus_connection_close);
  g_task_run_in_thread (task, close_thread);
}

/**
 * zbus_connection_close_finish:
 * @self: a connection
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Zbus.Connection.close].
 *
 * Returns: %TRUE if closed by this call
 *
 * Since: 1.0
 */
gboolean
zbus_connection_close_finish (ZbusConnection  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Says Hello to the bus and learns the unique name; the first call on
 * every bus connection. */
gboolean
_zbus_connection_hello (ZbusConnection  *self,
                        GCancellable    *cancellable,
                        GError         **error)
{
  g_autoptr(GVariant) body = NULL;

  body = zbus_connection_call_sync (self, ZBUS_DBUS_NAME, ZBUS_DBUS_PATH, ZBUS_DBUS_INTERFACE, "Hello", NULL,
                                    G_VARIANT_TYPE ("(s)"), ZBUS_MESSAGE_FLAGS_NONE,
                                    ZBUS_TIMEOUT_DEFAULT, cancellable, error);
  if (body == NULL)
    {
      g_prefix_error (error, "The bus did not accept the connection: ");
      return FALSE;
    }

  g_mutex_lock (&self->lock);
  g_variant_get (body, "(s)", &self->unique_name);
  g_mutex_unlock (&self->lock);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNIQUE_NAME]);

  return TRUE;
}

/**
 * zbus_connection_get_object_server:
 * @self: a connection
 *
 * Gets the object server of the connection, which serves
 * [class@Zbus.Interface] instances at object paths. It is made on first
 * use and lives as long as the connection.
 *
 * Returns: (transfer none): the object server
 *
 * Since: 1.0
 */
ZbusObjectServer *
zbus_connection_get_object_server (ZbusConnection *self)
{
  g_return_val_if_fail (ZBUS_IS_CONNECTION (self), NULL);

  return zbus_object_server_get_for_connection (self);
}

/**
 * zbus_generate_guid:
 *
 * Makes a new GUID for the server end of a peer-to-peer connection
 * ([method@Zbus.ConnectionBuilder.set_server]): 32 lowercase hexadecimal
 * digits, as the D-Bus specification describes.
 *
 * Returns: (transfer full): the GUID
 *
 * Since: 1.0
 */
char *
zbus_generate_guid (void)
{
  return _zbus_generate_guid ();
}
