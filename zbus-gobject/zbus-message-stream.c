/* zbus-message-stream.c
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "zbus-connection-private.h"
#include "zbus-match-rule-private.h"
#include "zbus-message-private.h"
#include "zbus-message-stream.h"
#include "zbus-message-stream-private.h"

/**
 * ZbusMessageStream:
 *
 * The incoming messages of a connection, all of them or those that match
 * a [struct@Zbus.MatchRule], in a bounded queue.
 *
 * A stream is fed by the connection in the thread that reads its socket,
 * in arrival order, so it fills whether or not the connection's main
 * context runs, and two streams see the messages they share in the same
 * order. A program takes messages out in whichever way fits it, from any
 * thread:
 *
 * - blocking, with [method@Zbus.MessageStream.pop] or
 *   [method@Zbus.MessageStream.timed_pop] (both cancellable), or
 *   [method@Zbus.MessageStream.try_pop] which never waits;
 * - asynchronously, with [method@Zbus.MessageStream.next_async];
 * - from a main loop, with a [struct@GLib.Source] on any context
 *   ([method@Zbus.MessageStream.create_source],
 *   [method@Zbus.MessageStream.add_watch]) whose callback gets each message;
 * - as the [signal@Zbus.MessageStream::message] signal, for bindings, when
 *   [property@Zbus.MessageStream:emit-signals] is on.
 *
 * Each message goes to one consumer: several consumers of one stream share
 * its messages between them. To see every message twice, make two streams.
 *
 * ## A full stream
 *
 * A stream holds at most [property@Zbus.MessageStream:max-queued] messages.
 * A stream nobody reads never stalls the connection (zbus stalls the whole
 * connection then): when a message arrives at a full stream, the oldest
 * message in it is dropped and counted in
 * [property@Zbus.MessageStream:dropped], whose notification tells the
 * program. Method replies and other streams are never delayed by it.
 *
 * ## Match rules and the bus
 *
 * For a rule that can match signals on a bus connection, the stream asks
 * the bus for them with `AddMatch`; streams with identical rules share one
 * `AddMatch`, and `RemoveMatch` is sent when the last of them goes away.
 * On peer-to-peer connections, and for every rule, matching is done
 * locally, exactly as the bus daemon matches.
 *
 * The messages a stream gets are those the connection dispatches: replies
 * to the connection's own method calls go to those calls, not to streams.
 *
 * ## The end
 *
 * A stream ends when its connection closes or [method@Zbus.MessageStream.close]
 * is called. Messages already queued can still be taken; after them,
 * blocking pops and pending [method@Zbus.MessageStream.next_async] calls
 * fail with %G_IO_ERROR_CLOSED and sources stop.
 *
 * Since: 1.0
 */

#define REGISTRY_KEY "zbus-message-stream-registry"

/* The queue of a stream, shared with the connection's registry so the
 * registry can feed it without holding the stream object. */
typedef struct
{
  gatomicrefcount ref_count;
  GMutex lock;
  GCond cond;
  GQueue messages;            /* (element-type ZbusMessage) (owned) */
  guint max_queued;
  guint64 dropped;
  gboolean closed;
  GQueue waiters;             /* (element-type GTask) (owned): next_async */
  GPtrArray *sources;         /* (element-type GSource) (not owned) */
  GWeakRef stream;
  GMainContext *context;      /* (owned): the stream's creation context */
  gboolean notify_pending;
  guint n_waiting;
} Queue;

/* The streams of one connection: one connection filter feeds them all. */
typedef struct
{
  GMutex lock;
  ZbusConnection *connection;  /* (unowned): the registry is its data */
  guint filter_id;
  ZbusMatchIndex *index;       /* rule → Queue (owned refs) */
  GPtrArray *all;              /* (element-type Queue) (owned): streams with no rule */
  GPtrArray *every;            /* (element-type Queue) (owned): every stream, to end them */
  GHashTable *match_refs;      /* ZbusMatchRule → count of streams that asked AddMatch */
  gboolean closed;
} Registry;

struct _ZbusMessageStream
{
  GObject parent_instance;

  ZbusConnection *connection;  /* (owned) */
  ZbusMatchRule *rule;         /* (owned) (nullable) */
  Queue *queue;                /* (owned) */
  guint index_id;
  gboolean added_match;
  gboolean unregistered;
  gboolean fed_remove_match;   /* a fed stream whose RemoveMatch is due */

  GSource *signal_source;      /* (owned) (nullable) */
};

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_MATCH_RULE,
  PROP_MAX_QUEUED,
  PROP_DROPPED,
  PROP_IS_CLOSED,
  PROP_EMIT_SIGNALS,
  N_PROPS
};

enum {
  SIGNAL_MESSAGE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (ZbusMessageStream, zbus_message_stream, G_TYPE_OBJECT)

/* ------------------------------------------------------------------------ */
/* Queue: any thread */

static Queue *
queue_new (ZbusMessageStream *stream,
           guint              max_queued)
{
  Queue *queue = g_new0 (Queue, 1);

  g_atomic_ref_count_init (&queue->ref_count);
  g_mutex_init (&queue->lock);
  g_cond_init (&queue->cond);
  g_queue_init (&queue->messages);
  g_queue_init (&queue->waiters);
  queue->sources = g_ptr_array_new ();
  queue->max_queued = MAX (max_queued, 1);
  g_weak_ref_init (&queue->stream, stream);
  queue->context = g_main_context_ref_thread_default ();

  return queue;
}

static void
queue_unref (Queue *queue)
{
  if (!g_atomic_ref_count_dec (&queue->ref_count))
    return;

  g_queue_clear_full (&queue->messages, (GDestroyNotify) zbus_message_unref);
  g_queue_clear_full (&queue->waiters, g_object_unref);
  g_ptr_array_unref (queue->sources);
  g_weak_ref_clear (&queue->stream);
  g_main_context_unref (queue->context);
  g_mutex_clear (&queue->lock);
  g_cond_clear (&queue->cond);
  g_free (queue);
}

static Queue *
queue_ref (Queue *queue)
{
  g_atomic_ref_count_inc (&queue->ref_count);
  return queue;
}

static gboolean
notify_dropped_cb (gpointer data)
{
  Queue *queue = data;
  g_autoptr(ZbusMessageStream) stream = g_weak_ref_get (&queue->stream);

  g_mutex_lock (&queue->lock);
  queue->notify_pending = FALSE;
  g_mutex_unlock (&queue->lock);

  if (stream != NULL)
    g_object_notify_by_pspec (G_OBJECT (stream), properties[PROP_DROPPED]);

  return G_SOURCE_REMOVE;
}

/* Wakes the contexts of the sources reading @queue. Called with the lock
 * held. */
static void
wake_sources_locked (Queue *queue)
{
  for (guint i = 0; i < queue->sources->len; i++)
    g_source_set_ready_time (g_ptr_array_index (queue->sources, i), 0);
}

/* Runs in the thread that read @message from the socket. */
static void
queue_push (Queue       *queue,
            ZbusMessage *message)
{
  GTask *waiter;
  gboolean schedule_notify = FALSE;

  g_mutex_lock (&queue->lock);
  if (queue->closed)
    {
      g_mutex_unlock (&queue->lock);
      return;
    }

  /* A consumer already waiting takes it directly. */
  waiter = g_queue_pop_head (&queue->waiters);
  if (waiter != NULL)
    {
      g_mutex_unlock (&queue->lock);
      g_task_return_pointer (waiter, zbus_message_ref (message),
                             (GDestroyNotify) zbus_message_unref);
      g_object_unref (waiter);
      return;
    }

  /* Full: the oldest goes, the count says so, and nothing waits. */
  if (queue->messages.length >= queue->max_queued)
    {
      zbus_message_unref (g_queue_pop_head (&queue->messages));
      queue->dropped++;
      if (!queue->notify_pending)
        schedule_notify = queue->notify_pending = TRUE;
    }

  g_queue_push_tail (&queue->messages, zbus_message_ref (message));
  if (queue->n_waiting > 0)
    g_cond_signal (&queue->cond);
  wake_sources_locked (queue);
  g_mutex_unlock (&queue->lock);

  if (schedule_notify)
    {
      GSource *idle = g_idle_source_new ();

      g_source_set_callback (idle, notify_dropped_cb, queue_ref (queue),
                             (GDestroyNotify) queue_unref);
      g_source_set_static_name (idle, "[zbus] stream dropped");
      g_source_attach (idle, queue->context);
      g_source_unref (idle);
    }
}

static gboolean
notify_closed_cb (gpointer data)
{
  Queue *queue = data;
  g_autoptr(ZbusMessageStream) stream = g_weak_ref_get (&queue->stream);

  if (stream != NULL)
    g_object_notify_by_pspec (G_OBJECT (stream), properties[PROP_IS_CLOSED]);

  return G_SOURCE_REMOVE;
}

/* Runs in the cancelling thread: wakes the blocked pops to look. */
static void
queue_wake_cb (GCancellable *cancellable,
               gpointer      data)
{
  Queue *queue = data;

  g_mutex_lock (&queue->lock);
  g_cond_broadcast (&queue->cond);
  g_mutex_unlock (&queue->lock);
}

static void
queue_close (Queue *queue)
{
  GQueue waiters = G_QUEUE_INIT;
  GTask *waiter;
  gboolean was_closed;

  g_mutex_lock (&queue->lock);
  was_closed = queue->closed;
  queue->closed = TRUE;
  /* Waiters exist only while the queue is empty. */
  waiters = queue->waiters;
  g_queue_init (&queue->waiters);
  g_cond_broadcast (&queue->cond);
  wake_sources_locked (queue);
  g_mutex_unlock (&queue->lock);

  while ((waiter = g_queue_pop_head (&waiters)) != NULL)
    {
      g_task_return_new_error (waiter, G_IO_ERROR, G_IO_ERROR_CLOSED,
                               "The message stream ended: its connection or the stream "
                               "was closed");
      g_object_unref (waiter);
    }

  if (!was_closed)
    {
      GSource *idle = g_idle_source_new ();

      /* The notification goes out on the stream's context. */
      g_source_set_callback (idle, notify_closed_cb, queue_ref (queue),
                             (GDestroyNotify) queue_unref);
      g_source_set_static_name (idle, "[zbus] stream closed");
      g_source_attach (idle, queue->context);
      g_source_unref (idle);
    }
}

/* Takes the next message, waiting until @deadline (-1: forever). Returns
 * NULL with @error on time-out, cancellation or the end of the stream. */
static ZbusMessage *
queue_pop (Queue           *queue,
           ZbusConnection  *connection,
           gint64           deadline,
           GCancellable    *cancellable,
           GError         **error)
{
  ZbusMessage *message = NULL;
  gulong cancel_id = 0;

  if (cancellable != NULL)
    cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (queue_wake_cb),
                                       queue_ref (queue), (GDestroyNotify) queue_unref);

  g_mutex_lock (&queue->lock);
  for (;;)
    {
      message = g_queue_pop_head (&queue->messages);
      if (message != NULL)
        break;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        break;

      if (queue->closed)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                               "The message stream ended: its connection or the stream "
                               "was closed");
          break;
        }

      if (deadline >= 0 && g_get_monotonic_time () >= deadline)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                               "No message came in time");
          break;
        }

      /* Read the socket ourselves if nobody does (the connection's context
       * may not be running, or be this thread's); otherwise wait for the
       * reader to feed us. Either way look again now and then: the reader
       * role may come free. */
      {
        gint64 slice = g_get_monotonic_time () + 100 * G_TIME_SPAN_MILLISECOND;
        gboolean read;

        if (deadline >= 0 && deadline < slice)
          slice = deadline;

        g_mutex_unlock (&queue->lock);
        read = _zbus_connection_read_once (connection, slice, cancellable);
        g_mutex_lock (&queue->lock);

        if (!read && g_queue_is_empty (&queue->messages) && !queue->closed)
          {
            queue->n_waiting++;
            g_cond_wait_until (&queue->cond, &queue->lock, slice);
            queue->n_waiting--;
          }
      }
    }
  g_mutex_unlock (&queue->lock);

  if (cancel_id != 0)
    g_cancellable_disconnect (cancellable, cancel_id);

  return message;
}

/* ------------------------------------------------------------------------ */
/* The registry of a connection */

static void
collect_cb (ZbusMatchRule *rule,
            gpointer       entry_data,
            gpointer       user_data)
{
  g_ptr_array_add (user_data, queue_ref (entry_data));
}

/* The connection's filter: runs in the thread that read @message, or with
 * a NULL message when the connection closed. */
static void
registry_filter_cb (ZbusConnection *connection,
                    ZbusMessage    *message,
                    gpointer        user_data)
{
  Registry *registry = user_data;
  g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func ((GDestroyNotify) queue_unref);

  g_mutex_lock (&registry->lock);
  if (message == NULL)
    registry->closed = TRUE;
  if (message != NULL)
    {
      for (guint i = 0; i < registry->all->len; i++)
        g_ptr_array_add (targets, queue_ref (g_ptr_array_index (registry->all, i)));
      _zbus_match_index_foreach_match (registry->index, message, collect_cb, targets);
    }
  else
    {
      for (guint i = 0; i < registry->every->len; i++)
        g_ptr_array_add (targets, queue_ref (g_ptr_array_index (registry->every, i)));
    }
  g_mutex_unlock (&registry->lock);

  /* Pushing takes each queue's own lock: the registry's is not held, so a
   * consumer never waits on another stream. */
  for (guint i = 0; i < targets->len; i++)
    {
      if (message != NULL)
        queue_push (g_ptr_array_index (targets, i), message);
      else
        queue_close (g_ptr_array_index (targets, i));
    }
}

static void
registry_free (Registry *registry)
{
  /* Object data is freed after the connection's own finalize: its filter
   * list is gone with it, and no thread reads it any more. */
  _zbus_match_index_free (registry->index);
  g_ptr_array_unref (registry->all);
  g_ptr_array_unref (registry->every);
  g_hash_table_unref (registry->match_refs);
  g_mutex_clear (&registry->lock);
  g_free (registry);
}

static Registry *
registry_get (ZbusConnection *connection)
{
  static GMutex create_lock;
  Registry *registry;

  g_mutex_lock (&create_lock);
  registry = g_object_get_data (G_OBJECT (connection), REGISTRY_KEY);
  if (registry == NULL)
    {
      registry = g_new0 (Registry, 1);
      g_mutex_init (&registry->lock);
      registry->connection = connection;
      registry->index = _zbus_match_index_new ();
      registry->all = g_ptr_array_new_with_free_func ((GDestroyNotify) queue_unref);
      registry->every = g_ptr_array_new_with_free_func ((GDestroyNotify) queue_unref);
      registry->match_refs = g_hash_table_new_full ((GHashFunc) zbus_match_rule_hash,
                                                    (GEqualFunc) zbus_match_rule_equal,
                                                    (GDestroyNotify) zbus_match_rule_unref,
                                                    NULL);
      registry->closed = zbus_connection_is_closed (connection);
      registry->filter_id = _zbus_connection_add_filter (connection, registry_filter_cb,
                                                         registry, NULL);
      g_object_set_data_full (G_OBJECT (connection), REGISTRY_KEY, registry,
                              (GDestroyNotify) registry_free);
    }
  g_mutex_unlock (&create_lock);

  return registry;
}

/* Whether the bus must be asked for what @rule matches: signals reach a
 * connection only through match rules; calls and replies to it come
 * anyway. */
static gboolean
rule_needs_add_match (ZbusMatchRule *rule)
{
  ZbusMessageType type = zbus_match_rule_get_message_type (rule);

  return type == ZBUS_MESSAGE_TYPE_INVALID || type == ZBUS_MESSAGE_TYPE_SIGNAL ||
         zbus_match_rule_get_eavesdrop (rule);
}

/* Registers @self; returns TRUE if this stream is the first with its rule
 * and must send AddMatch. */
static gboolean
register_stream (ZbusMessageStream *self)
{
  Registry *registry = registry_get (self->connection);
  gboolean first = FALSE;
  gboolean closed;

  g_mutex_lock (&registry->lock);
  closed = registry->closed;
  g_ptr_array_add (registry->every, queue_ref (self->queue));
  if (self->rule == NULL)
    g_ptr_array_add (registry->all, queue_ref (self->queue));
  else
    {
      self->index_id = _zbus_match_index_add (registry->index, self->rule, queue_ref (self->queue));

      if (zbus_connection_is_bus (self->connection) && rule_needs_add_match (self->rule))
        {
          guint count = GPOINTER_TO_UINT (g_hash_table_lookup (registry->match_refs, self->rule));

          first = count == 0;
          g_hash_table_replace (registry->match_refs, zbus_match_rule_ref (self->rule),
                                GUINT_TO_POINTER (count + 1));
          self->added_match = TRUE;
        }
    }
  g_mutex_unlock (&registry->lock);

  if (closed)
    queue_close (self->queue);

  return first && !closed;
}

/* Unregisters @self; returns TRUE if it was the last with its rule and
 * RemoveMatch must be sent. Idempotent. */
static gboolean
unregister_stream (ZbusMessageStream *self)
{
  Registry *registry;
  gboolean last = FALSE;

  if (self->unregistered)
    return FALSE;
  self->unregistered = TRUE;

  registry = g_object_get_data (G_OBJECT (self->connection), REGISTRY_KEY);
  if (registry == NULL)
    return FALSE;

  g_mutex_lock (&registry->lock);
  g_ptr_array_remove (registry->every, self->queue);
  if (self->rule == NULL)
    g_ptr_array_remove (registry->all, self->queue);
  else
    {
      Queue *queue = _zbus_match_index_remove (registry->index, self->index_id);

      if (queue != NULL)
        queue_unref (queue);

      if (self->added_match)
        {
          guint count = GPOINTER_TO_UINT (g_hash_table_lookup (registry->match_refs, self->rule));

          if (count <= 1)
            {
              g_hash_table_remove (registry->match_refs, self->rule);
              last = TRUE;
            }
          else
            g_hash_table_replace (registry->match_refs, zbus_match_rule_ref (self->rule),
                                  GUINT_TO_POINTER (count - 1));
        }
    }
  g_mutex_unlock (&registry->lock);

  return last;
}

static void
send_remove_match (ZbusMessageStream *self)
{
  g_autofree char *rule = NULL;
  g_autoptr(GVariant) ignored = NULL;

  if (zbus_connection_is_closed (self->connection))
    return;

  /* Nobody waits for the answer: the stream is going away. */
  rule = zbus_match_rule_to_string (self->rule);
  ignored = zbus_connection_call_sync (self->connection, "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "RemoveMatch", g_variant_new ("(s)", rule), NULL,
                                       ZBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED, ZBUS_TIMEOUT_DEFAULT,
                                       NULL, NULL);
}

/* ------------------------------------------------------------------------ */
/* GObject */

static void
zbus_message_stream_dispose (GObject *object)
{
  ZbusMessageStream *self = ZBUS_MESSAGE_STREAM (object);

  if (self->signal_source != NULL)
    {
      g_source_destroy (self->signal_source);
      g_clear_pointer (&self->signal_source, g_source_unref);
    }

  if (self->fed_remove_match)
    {
      self->fed_remove_match = FALSE;
      send_remove_match (self);
    }
  else if (self->connection != NULL && unregister_stream (self))
    send_remove_match (self);

  if (self->queue != NULL)
    queue_close (self->queue);

  G_OBJECT_CLASS (zbus_message_stream_parent_class)->dispose (object);
}

static void
zbus_message_stream_finalize (GObject *object)
{
  ZbusMessageStream *self = ZBUS_MESSAGE_STREAM (object);

  g_clear_pointer (&self->queue, queue_unref);
  g_clear_pointer (&self->rule, zbus_match_rule_unref);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (zbus_message_stream_parent_class)->finalize (object);
}

static void
zbus_message_stream_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  ZbusMessageStream *self = ZBUS_MESSAGE_STREAM (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_MATCH_RULE:
      g_value_set_boxed (value, self->rule);
      break;
    case PROP_MAX_QUEUED:
      g_value_set_uint (value, zbus_message_stream_get_max_queued (self));
      break;
    case PROP_DROPPED:
      g_value_set_uint64 (value, zbus_message_stream_get_dropped (self));
      break;
    case PROP_IS_CLOSED:
      g_value_set_boolean (value, zbus_message_stream_is_closed (self));
      break;
    case PROP_EMIT_SIGNALS:
      g_value_set_boolean (value, zbus_message_stream_get_emit_signals (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
zbus_message_stream_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  ZbusMessageStream *self = ZBUS_MESSAGE_STREAM (object);

  switch (prop_id)
    {
    case PROP_EMIT_SIGNALS:
      zbus_message_stream_set_emit_signals (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
zbus_message_stream_class_init (ZbusMessageStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = zbus_message_stream_dispose;
  object_class->finalize = zbus_message_stream_finalize;
  object_class->get_property = zbus_message_stream_get_property;
  object_class->set_property = zbus_message_stream_set_property;

  /**
   * ZbusMessageStream:connection:
   *
   * The connection whose messages the stream receives.
   *
   * Since: 1.0
   */
  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, ZBUS_TYPE_CONNECTION,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * ZbusMessageStream:match-rule:
   *
   * The rule messages must match to enter the stream, or %NULL for every
   * message.
   *
   * Since: 1.0
   */
  properties[PROP_MATCH_RULE] =
    g_param_spec_boxed ("match-rule", NULL, NULL, ZBUS_TYPE_MATCH_RULE,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * ZbusMessageStream:max-queued:
   *
   * How many messages the stream holds before it drops the oldest.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_QUEUED] =
    g_param_spec_uint ("max-queued", NULL, NULL, 1, G_MAXUINT, 4096,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * ZbusMessageStream:dropped:
   *
   * How many messages were dropped because the stream was full. Its
   * notification is emitted on the thread-default main context of the
   * thread that made the stream, once per main-loop iteration at most.
   *
   * Since: 1.0
   */
  properties[PROP_DROPPED] =
    g_param_spec_uint64 ("dropped", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * ZbusMessageStream:closed:
   *
   * Whether the stream has ended (messages still queued can be taken); see
   * zbus_message_stream_is_closed().
   *
   * Since: 1.0
   */
  properties[PROP_IS_CLOSED] =
    g_param_spec_boolean ("closed", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * ZbusMessageStream:emit-signals:
   *
   * Whether the stream takes its messages itself and emits
   * [signal@Zbus.MessageStream::message] for each, on the thread-default
   * main context of the thread that turned this on. Off by default.
   *
   * Since: 1.0
   */
  properties[PROP_EMIT_SIGNALS] =
    g_param_spec_boolean ("emit-signals", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ZbusMessageStream::message:
   * @self: the stream
   * @message: the message
   *
   * Emitted for each message while [property@Zbus.MessageStream:emit-signals]
   * is on.
   *
   * Since: 1.0
   */
  signals[SIGNAL_MESSAGE] =
    g_signal_new ("message",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, ZBUS_TYPE_MESSAGE);
}

static void
zbus_message_stream_init (ZbusMessageStream *self)
{
}

static ZbusMessageStream *
stream_new (ZbusConnection *connection,
            ZbusMatchRule  *rule,
            guint           max_queued)
{
  ZbusMessageStream *self = g_object_new (ZBUS_TYPE_MESSAGE_STREAM, NULL);

  self->connection = g_object_ref (connection);
  self->rule = rule != NULL ? zbus_match_rule_ref (rule) : NULL;
  if (max_queued == 0)
    max_queued = _zbus_connection_get_max_queued (connection);
  self->queue = queue_new (self, max_queued);

  return self;
}

/**
 * zbus_message_stream_new:
 * @connection: a connection
 *
 * Makes a stream of every message @connection receives (except the
 * replies to its own calls), from now on. It holds up to the connection's
 * default number of messages ([method@Zbus.ConnectionBuilder.set_max_queued]).
 *
 * Returns: (transfer full): the new stream
 *
 * Since: 1.0
 */
ZbusMessageStream *
zbus_message_stream_new (ZbusConnection *connection)
{
  ZbusMessageStream *self;

  g_return_val_if_fail (ZBUS_IS_CONNECTION (connection), NULL);

  self = stream_new (connection, NULL, 0);
  register_stream (self);
  return self;
}

static gboolean
send_add_match (ZbusMessageStream  *self,
                GCancellable       *cancellable,
                GError            **error)
{
  g_autofree char *rule = zbus_match_rule_to_string (self->rule);
  g_autoptr(GVariant) reply = NULL;

  reply = zbus_connection_call_sync (self->connection, "org.freedesktop.DBus",
                                     "/org/freedesktop/DBus", "org.freedesktop.DBus", "AddMatch",
                                     g_variant_new ("(s)", rule), NULL, ZBUS_MESSAGE_FLAGS_NONE,
                                     ZBUS_TIMEOUT_DEFAULT, cancellable, error);
  if (reply == NULL)
    {
      g_prefix_error (error, "The bus refused the match rule “%s”: ", rule);
      return FALSE;
    }

  return TRUE;
}

/**
 * zbus_message_stream_new_for_match_rule:
 * @connection: a connection
 * @rule: the rule messages must match
 * @max_queued: how many messages the stream holds, or 0 for the
 *   connection's default
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Makes a stream of the messages @connection receives that match @rule.
 *
 * On a bus connection, for a rule that can match signals, this asks the
 * bus for them (`AddMatch`) and returns once the bus has agreed, so every
 * matching signal sent after it returns arrives.
 *
 * Returns: (transfer full): the new stream, or %NULL if the bus refused
 *   the rule or the connection failed
 *
 * Since: 1.0
 */
ZbusMessageStream *
zbus_message_stream_new_for_match_rule (ZbusConnection  *connection,
                                        ZbusMatchRule   *rule,
                                        guint            max_queued,
                                        GCancellable    *cancellable,
                                        GError         **error)
{
  g_autoptr(ZbusMessageStream) self = NULL;

  g_return_val_if_fail (ZBUS_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (rule != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = stream_new (connection, rule, max_queued);

  /* Registered before AddMatch: nothing that matches can slip past. */
  if (register_stream (self) && !send_add_match (self, cancellable, error))
    {
      unregister_stream (self);
      return NULL;
    }

  return g_steal_pointer (&self);
}

static void
add_match_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ZbusMessageStream *self = g_task_get_task_data (task);
  g_autoptr(GVariant) reply = NULL;
  GError *error = NULL;

  reply = zbus_connection_call_finish (ZBUS_CONNECTION (object), result, &error);
  if (reply == NULL)
    {
      g_autofree char *rule = zbus_match_rule_to_string (self->rule);

      unregister_stream (self);
      g_prefix_error (&error, "The bus refused the match rule “%s”: ", rule);
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, g_object_ref (self), g_object_unref);
}

/**
 * zbus_message_stream_new_for_match_rule_async:
 * @connection: a connection
 * @rule: the rule messages must match
 * @max_queued: how many messages the stream holds, or 0 for the
 *   connection's default
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the stream is ready
 * @user_data: (closure): data for @callback
 *
 * Makes a stream of the messages that match @rule without blocking; see
 * [ctor@Zbus.MessageStream.new_for_match_rule].
 *
 * Since: 1.0
 */
void
zbus_message_stream_new_for_match_rule_async (ZbusConnection      *connection,
                                              ZbusMatchRule       *rule,
                                              guint                max_queued,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  ZbusMessageStream *self;
  GTask *task;
  g_autofree char *text = NULL;

  g_return_if_fail (ZBUS_IS_CONNECTION (connection));
  g_return_if_fail (rule != NULL);

  self = stream_new (connection, rule, max_queued);
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, zbus_message_stream_new_for_match_rule_async);
  g_task_set_task_data (task, self, g_object_unref);

  if (!register_stream (self))
    {
      g_task_return_pointer (task, g_object_ref (self), g_object_unref);
      g_object_unref (task);
      return;
    }

  text = zbus_match_rule_to_string (rule);
  zbus_connection_call (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                        "org.freedesktop.DBus", "AddMatch", g_variant_new ("(s)", text), NULL,
                        ZBUS_MESSAGE_FLAGS_NONE, ZBUS_TIMEOUT_DEFAULT, cancellable,
                        add_match_cb, task);
}

/**
 * zbus_message_stream_new_for_match_rule_finish:
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [func@Zbus.MessageStream.new_for_match_rule_async].
 *
 * Returns: (transfer full): the new stream, or %NULL on error
 *
 * Since: 1.0
 */
ZbusMessageStream *
zbus_message_stream_new_for_match_rule_finish (GAsyncResult  *result,
                                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* A stream fed by its owner instead of the registry: see
 * zbus-message-stream-private.h. */
ZbusMessageStream *
_zbus_message_stream_new_fed (ZbusConnection *connection,
                              ZbusMatchRule  *rule,
                              guint           max_queued)
{
  ZbusMessageStream *self = stream_new (connection, rule, max_queued);

  /* Never registered: dispose must not look for it in the registry. */
  self->unregistered = TRUE;
  return self;
}

void
_zbus_message_stream_set_remove_match (ZbusMessageStream *self,
                                       gboolean           remove_match)
{
  self->fed_remove_match = remove_match && self->rule != NULL;
}

/* Any thread. */
void
_zbus_message_stream_feed (ZbusMessageStream *self,
                           ZbusMessage       *message)
{
  queue_push (self->queue, message);
}

/* ------------------------------------------------------------------------ */
/* Accessors */

/**
 * zbus_message_stream_get_connection:
 * @self: a stream
 *
 * Gets the connection whose messages the stream receives.
 *
 * Returns: (transfer none): the connection
 *
 * Since: 1.0
 */
ZbusConnection *
zbus_message_stream_get_connection (ZbusMessageStream *self)
{
  g_return_val_if_fail (ZBUS_IS_MESSAGE_STREAM (self), NULL);

  return self->connection;
}

/**
 * zbus_message_stream_get_match_rule:
 * @self: a stream
 *
 * Gets the rule of the stream.
 *
 * Returns: (transfer none) (nullable): the rule, or %NULL for a stream of
 *   every message
 *
 * Since: 1.0
 */
ZbusMatchRule *
zbus_message_stream_get_match_rule (ZbusMessageStream *self)
{
  g_return_val_if_fail (ZBUS_IS_MESSAGE_STREAM (self), NULL);

  return self->rule;
}

/**
 * zbus_message_stream_get_max_queued:
 * @self: a stream
 *
 * Gets how many messages the stream holds before dropping the oldest.
 *
 * Returns: the bound
 *
 * Since: 1.0
 */
guint
zbus_message_stream_get_max_queued (ZbusMessageStream *self)
{
  g_return_val_if_fail (ZBUS_IS_MESSAGE_STREAM (self), 0);

  return self->queue->max_queued;
}

/**
 * zbus_message_stream_get_queued:
 * @self: a stream
 *
 * Gets how many messages wait in the stream now.
 *
 * Returns: the number of messages queued
 *
 * Since: 1.0
 */
guint
zbus_message_stream_get_queued (ZbusMessageStream *self)
{
  guint queued;

  g_return_val_if_fail (ZBUS_IS_MESSAGE_STREAM (self), 0);

  g_mutex_lock (&self->queue->lock);
  queued = self->queue->messages.length;
  g_mutex_unlock (&self->queue->lock);

  return queued;
}

/**
 * zbus_message_stream_get_dropped:
 * @self: a stream
 *
 * Gets how many messages the stream dropped because it was full.
 *
 * Returns: the number of messages dropped
 *
 * Since: 1.0
 */
guint64
zbus_message_stream_get_dropped (ZbusMessageStream *self)
{
  guint64 dropped;

  g_return_val_if_fail (ZBUS_IS_MESSAGE_STREAM (self), 0);

  g_mutex_lock (&self->queue->lock);
  dropped = self->queue->dropped;
  g_mutex_unlock (&self->queue->lock);

  return dropped;
}

/**
 * zbus_message_stream_is_closed:
 * @self: a stream
 *
 * Tells whether the stream has ended. Messages queued before the end can
 * still be taken.
 *
 * Returns: %TRUE if ended
 *
 * Since: 1.0
 */
gboolean
zbus_message_stream_is_closed (ZbusMessageStream *self)
{
  gboolean closed;

  g_return_val_if_fail (ZBUS_IS_MESSAGE_STREAM (self), TRUE);

  g_mutex_lock (&self->queue->lock);
  closed = self->queue->closed;
  g_mutex_unlock (&self->queue->lock);

  return closed;
}

/**
 * zbus_message_stream_close:
 * @self: a stream
 *
 * Ends the stream: it receives nothing more, and once what is queued has
 * been taken, consumers are told the stream ended. Its match rule is
 * removed from the bus if no other stream uses it.
 *
 * Since: 1.0
 */
void
zbus_message_stream_close (ZbusMessageStream *self)
{
  g_return_if_fail (ZBUS_IS_MESSAGE_STREAM (self));

  if (unregister_stream (self))
    send_remove_match (self);
  queue_close (self->queue);
}

/* ------------------------------------------------------------------------ */
/* Taking messages */

/**
 * zbus_message_stream_pop:
 * @self: a stream
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Takes the next message, blocking until one comes. Any thread may call
 * it; it does not run any main context.
 *
 * Returns: (transfer full): the message, or %NULL with %G_IO_ERROR_CLOSED
 *   once the stream has ended and is empty, or %G_IO_ERROR_CANCELLED
 *
 * Since: 1.0
 */
ZbusMessage *
zbus_message_stream_pop (ZbusMessageStream  *self,
                         GCancellable       *cancellable,
                         GError            **error)
{
  g_return_val_if_fail (ZBUS_IS_MESSAGE_STREAM (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return queue_pop (self->queue, self->connection, -1, cancellable, error);
}

/**
 * zbus_message_stream_timed_pop:
 * @self: a stream
 * @timeout_usec: how long to wait, in microseconds
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Takes the next message, waiting at most @timeout_usec for one.
 *
 * Returns: (transfer full): the message, or %NULL with
 *   %G_IO_ERROR_TIMED_OUT, %G_IO_ERROR_CLOSED or %G_IO_ERROR_CANCELLED
 *
 * Since: 1.0
 */
ZbusMessage *
zbus_message_stream_timed_pop (ZbusMessageStream  *self,
                               guint64             timeout_usec,
                               GCancellable       *cancellable,
                               GError            **error)
{
  g_return_val_if_fail (ZBUS_IS_MESSAGE_STREAM (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return queue_pop (self->queue, self->connection,
                    g_get_monotonic_time () + (gint64) MIN (timeout_usec, G_MAXINT64 / 2),
                    cancellable, error);
}

/**
 * zbus_message_stream_try_pop:
 * @self: a stream
 *
 * Takes the next message if one is queued, without waiting.
 *
 * Returns: (transfer full) (nullable): the message, or %NULL if none is
 *   queued
 *
 * Since: 1.0
 */
ZbusMessage *
zbus_message_stream_try_pop (ZbusMessageStream *self)
{
  ZbusMessage *message;

  g_return_val_if_fail (ZBUS_IS_MESSAGE_STREAM (self), NULL);

  g_mutex_lock (&self->queue->lock);
  message = g_queue_pop_head (&self->queue->messages);
  g_mutex_unlock (&self->queue->lock);

  return message;
}

static void
next_cancelled_cb (GCancellable *cancellable,
                   gpointer      user_data)
{
  GTask *task = user_data;
  Queue *queue = g_task_get_task_data (task);
  gboolean found;

  /* Still waiting? Then it is ours to fail; otherwise a message or the end
   * already answered it. */
  g_mutex_lock (&queue->lock);
  found = g_queue_remove (&queue->waiters, task);
  g_mutex_unlock (&queue->lock);

  if (found)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "The wait for a message was cancelled");
      g_object_unref (task);
    }
}

/**
 * zbus_message_stream_next_async:
 * @self: a stream
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the next message
 * @user_data: (closure): data for @callback
 *
 * Takes the next message without blocking: @callback runs, in the
 * thread-default main context of the calling thread, when one is there.
 *
 * Since: 1.0
 */
void
zbus_message_stream_next_async (ZbusMessageStream   *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Queue *queue;
  ZbusMessage *message;
  gboolean closed;

  g_return_if_fail (ZBUS_IS_MESSAGE_STREAM (self));

  queue = self->queue;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, zbus_message_stream_next_async);
  g_task_set_task_data (task, queue_ref (queue), (GDestroyNotify) queue_unref);

  g_mutex_lock (&queue->lock);
  message = g_queue_pop_head (&queue->messages);
  closed = queue->closed;
  if (message == NULL && !closed)
    g_queue_push_tail (&queue->waiters, g_object_ref (task));
  g_mutex_unlock (&queue->lock);

  if (message != NULL)
    g_task_return_pointer (task, message, (GDestroyNotify) zbus_message_unref);
  else if (closed)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CLOSED,
                             "The message stream ended: its connection or the stream "
                             "was closed");
  else if (cancellable != NULL)
    {
      /* The task lives until it returns, so the handler's data does. */
      g_cancellable_connect (cancellable, G_CALLBACK (next_cancelled_cb), task, NULL);
    }
}

/**
 * zbus_message_stream_next_finish:
 * @self: a stream
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Zbus.MessageStream.next_async].
 *
 * Returns: (transfer full): the message, or %NULL with %G_IO_ERROR_CLOSED
 *   once the stream has ended, or %G_IO_ERROR_CANCELLED
 *
 * Since: 1.0
 */
ZbusMessage *
zbus_message_stream_next_finish (ZbusMessageStream  *self,
                                 GAsyncResult       *result,
                                 GError            **error)
{
  g_return_val_if_fail (ZBUS_IS_MESSAGE_STREAM (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------ */
/* Sources */

typedef struct
{
  GSource source;
  ZbusMessageStream *stream;   /* (owned) unless @borrowed */
  gboolean borrowed;
  Queue *queue;                /* (owned) */
} StreamSource;

static gboolean
stream_source_ready (StreamSource *ss)
{
  gboolean ready;

  g_mutex_lock (&ss->queue->lock);
  ready = !g_queue_is_empty (&ss->queue->messages) || ss->queue->closed;
  g_mutex_unlock (&ss->queue->lock);

  return ready;
}

static gboolean
stream_source_prepare (GSource *source,
                       int     *timeout)
{
  *timeout = -1;
  return stream_source_ready ((StreamSource *) source);
}

static gboolean
stream_source_check (GSource *source)
{
  return stream_source_ready ((StreamSource *) source);
}

static gboolean
stream_source_dispatch (GSource     *source,
                        GSourceFunc  callback,
                        gpointer     user_data)
{
  StreamSource *ss = (StreamSource *) source;
  ZbusMessageStreamFunc func = (ZbusMessageStreamFunc) G_CALLBACK (callback);
  guint batch;

  g_source_set_ready_time (source, -1);

  /* What is queued now, not what comes meanwhile. */
  batch = MAX (zbus_message_stream_get_queued (ss->stream), 1);
  for (guint i = 0; i < batch; i++)
    {
      g_autoptr(ZbusMessage) message = zbus_message_stream_try_pop (ss->stream);

      if (message == NULL)
        return zbus_message_stream_is_closed (ss->stream) ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
      if (func != NULL && !func (ss->stream, message, user_data))
        return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

static void
stream_source_finalize (GSource *source)
{
  StreamSource *ss = (StreamSource *) source;

  g_mutex_lock (&ss->queue->lock);
  g_ptr_array_remove (ss->queue->sources, source);
  g_mutex_unlock (&ss->queue->lock);

  queue_unref (ss->queue);
  if (!ss->borrowed)
    g_object_unref (ss->stream);
}

static gboolean
stream_source_closure_callback (ZbusMessageStream *stream,
                                ZbusMessage       *message,
                                gpointer           data)
{
  GClosure *closure = data;
  GValue params[2] = { G_VALUE_INIT, G_VALUE_INIT };
  GValue result = G_VALUE_INIT;
  gboolean ret;

  g_value_init (&result, G_TYPE_BOOLEAN);
  g_value_init (&params[0], ZBUS_TYPE_MESSAGE_STREAM);
  g_value_set_object (&params[0], stream);
  g_value_init (&params[1], ZBUS_TYPE_MESSAGE);
  g_value_set_boxed (&params[1], message);

  g_closure_invoke (closure, &result, 2, params, NULL);

  ret = g_value_get_boolean (&result);
  g_value_unset (&result);
  g_value_unset (&params[0]);
  g_value_unset (&params[1]);

  return ret;
}

static GSourceFuncs stream_source_funcs = {
  .prepare = stream_source_prepare,
  .check = stream_source_check,
  .dispatch = stream_source_dispatch,
  .finalize = stream_source_finalize,
  .closure_callback = (GSourceFunc) stream_source_closure_callback,
  .closure_marshal = NULL,
};

/**
 * zbus_message_stream_create_source:
 * @self: a stream
 *
 * Makes a [struct@GLib.Source] that dispatches each message of the stream
 * to its callback, a [callback@Zbus.MessageStreamFunc] (set it with
 * g_source_set_callback(), casting it with `G_SOURCE_FUNC`). Attach it to
 * any main context. It ends by itself once the stream has ended and is
 * empty.
 *
 * Its callback is not a #GSourceFunc, so bindings use
 * [method@Zbus.MessageStream.add_watch] instead.
 *
 * Returns: (transfer full): the new source
 *
 * Since: 1.0
 */
GSource *
zbus_message_stream_create_source (ZbusMessageStream *self)
{
  GSource *source;
  StreamSource *ss;

  g_return_val_if_fail (ZBUS_IS_MESSAGE_STREAM (self), NULL);

  source = g_source_new (&stream_source_funcs, sizeof (StreamSource));
  ss = (StreamSource *) source;
  ss->stream = g_object_ref (self);
  ss->queue = queue_ref (self->queue);
  g_source_set_static_name (source, "[zbus] message stream");

  g_mutex_lock (&self->queue->lock);
  g_ptr_array_add (self->queue->sources, source);
  g_mutex_unlock (&self->queue->lock);

  return source;
}

/**
 * zbus_message_stream_add_watch:
 * @self: a stream
 * @context: (nullable): the main context to dispatch on, or %NULL for the
 *   thread-default one
 * @func: (scope notified) (closure user_data) (destroy notify): called with
 *   each message
 * @user_data: data for @func
 * @notify: (nullable): called when the watch is removed
 *
 * Calls @func for each message of the stream, from @context, until @func
 * returns %G_SOURCE_REMOVE or the stream ends. This is
 * [method@Zbus.MessageStream.create_source] with the callback set and the
 * source attached, in a form bindings can use.
 *
 * Returns: the ID of the source in @context
 *
 * Since: 1.0
 */
guint
zbus_message_stream_add_watch (ZbusMessageStream     *self,
                               GMainContext          *context,
                               ZbusMessageStreamFunc  func,
                               gpointer               user_data,
                               GDestroyNotify         notify)
{
  g_autoptr(GSource) source = NULL;
  g_autoptr(GMainContext) owned = NULL;

  g_return_val_if_fail (ZBUS_IS_MESSAGE_STREAM (self), 0);
  g_return_val_if_fail (func != NULL, 0);

  if (context == NULL)
    context = owned = g_main_context_ref_thread_default ();

  source = zbus_message_stream_create_source (self);
  g_source_set_callback (source, G_SOURCE_FUNC (func), user_data, notify);
  return g_source_attach (source, context);
}

static gboolean
emit_message_cb (ZbusMessageStream *stream,
                 ZbusMessage       *message,
                 gpointer           user_data)
{
  g_signal_emit (stream, signals[SIGNAL_MESSAGE], 0, message);
  return G_SOURCE_CONTINUE;
}

/**
 * zbus_message_stream_get_emit_signals:
 * @self: a stream
 *
 * Tells whether the stream emits [signal@Zbus.MessageStream::message].
 *
 * Returns: %TRUE if it does
 *
 * Since: 1.0
 */
gboolean
zbus_message_stream_get_emit_signals (ZbusMessageStream *self)
{
  g_return_val_if_fail (ZBUS_IS_MESSAGE_STREAM (self), FALSE);

  return self->signal_source != NULL;
}

/**
 * zbus_message_stream_set_emit_signals:
 * @self: a stream
 * @emit_signals: whether to emit [signal@Zbus.MessageStream::message]
 *
 * Makes the stream take its own messages and emit
 * [signal@Zbus.MessageStream::message] for each, on the thread-default main
 * context of the calling thread. The signal competes with other consumers
 * of the stream for its messages.
 *
 * Since: 1.0
 */
void
zbus_message_stream_set_emit_signals (ZbusMessageStream *self,
                                      gboolean           emit_signals)
{
  g_return_if_fail (ZBUS_IS_MESSAGE_STREAM (self));

  if (!!emit_signals == (self->signal_source != NULL))
    return;

  if (emit_signals)
    {
      g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();

      self->signal_source = zbus_message_stream_create_source (self);
      /* The stream owns this source and destroys it in dispose: the source
       * must not hold the stream, or the stream would never be disposed. */
      g_object_unref (self);
      ((StreamSource *) self->signal_source)->borrowed = TRUE;
      g_source_set_callback (self->signal_source, G_SOURCE_FUNC (emit_message_cb), NULL, NULL);
      g_source_attach (self->signal_source, context);
    }
  else
    {
      g_source_destroy (self->signal_source);
      g_clear_pointer (&self->signal_source, g_source_unref);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EMIT_SIGNALS]);
}
