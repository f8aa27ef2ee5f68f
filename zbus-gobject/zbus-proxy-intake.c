/* zbus-proxy-intake.c: the signals a ZbusProxy listens to, in order
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "zbus-connection-private.h"
#include "zbus-message-stream-private.h"
#include "zbus-proxy-intake-private.h"

/* One connection filter per proxy sees every incoming signal in the
 * thread that read it, in arrival order. It keeps those of the proxy's
 * object (its interface's signals, PropertiesChanged for its interface)
 * and NameOwnerChanged for its destination in one queue, so the proxy
 * handles them in the order they arrived, on its own context. Tracking
 * the owner here, in arrival order, is what lets a signal be judged
 * against the owner of the name at the moment it was sent, not when the
 * context gets round to it; streams of one signal are fed here too, so
 * they fill whether or not the proxy's context runs. */

void
_zbus_intake_item_free (ZbusIntakeItem *item)
{
  zbus_message_unref (item->message);
  g_free (item->new_owner);
  g_free (item);
}

typedef struct
{
  GWeakRef stream;
  ZbusMatchRule *rule;  /* (owned): the local rule, without sender */
} Feed;

static void
feed_free (Feed *feed)
{
  g_weak_ref_clear (&feed->stream);
  zbus_match_rule_unref (feed->rule);
  g_free (feed);
}

/* Whether serial @a comes after @b; serials wrap at 2^32. */
gboolean
_zbus_serial_after (guint32 a,
                    guint32 b)
{
  return (gint32) (a - b) > 0;
}

ZbusIntake *
_zbus_intake_new (GObject       *proxy,
                  GMainContext  *context,
                  gboolean       check_sender,
                  ZbusMatchRule *owner_rule,
                  ZbusMatchRule *signal_rule,
                  ZbusMatchRule *props_rule,
                  GSourceFunc    dispatch)
{
  ZbusIntake *in = g_new0 (ZbusIntake, 1);

  g_atomic_ref_count_init (&in->ref_count);
  g_mutex_init (&in->lock);
  g_weak_ref_init (&in->proxy, proxy);
  in->context = g_main_context_ref (context);
  in->check_sender = check_sender;
  in->owner_rule = owner_rule != NULL ? zbus_match_rule_ref (owner_rule) : NULL;
  in->signal_rule = zbus_match_rule_ref (signal_rule);
  in->props_rule = props_rule != NULL ? zbus_match_rule_ref (props_rule) : NULL;
  in->dispatch = dispatch;
  g_queue_init (&in->items);
  in->feeds = g_ptr_array_new_with_free_func ((GDestroyNotify) feed_free);

  return in;
}

ZbusIntake *
_zbus_intake_ref (ZbusIntake *in)
{
  g_atomic_ref_count_inc (&in->ref_count);
  return in;
}

void
_zbus_intake_unref (ZbusIntake *in)
{
  if (!g_atomic_ref_count_dec (&in->ref_count))
    return;

  g_queue_clear_full (&in->items, (GDestroyNotify) _zbus_intake_item_free);
  g_ptr_array_unref (in->feeds);
  g_clear_pointer (&in->owner_rule, zbus_match_rule_unref);
  g_clear_pointer (&in->signal_rule, zbus_match_rule_unref);
  g_clear_pointer (&in->props_rule, zbus_match_rule_unref);
  g_free (in->owner);
  g_weak_ref_clear (&in->proxy);
  g_main_context_unref (in->context);
  g_mutex_clear (&in->lock);
  g_free (in);
}

/* Called with the lock held. */
static void
schedule_locked (ZbusIntake *in)
{
  GSource *idle;

  if (in->scheduled || in->items.length == 0)
    return;

  in->scheduled = TRUE;
  idle = g_idle_source_new ();
  g_source_set_callback (idle, in->dispatch, _zbus_intake_ref (in),
                         (GDestroyNotify) _zbus_intake_unref);
  g_source_set_static_name (idle, "[zbus] proxy signals");
  g_source_attach (idle, in->context);
  g_source_unref (idle);
}

void
_zbus_intake_schedule (ZbusIntake *in)
{
  g_mutex_lock (&in->lock);
  schedule_locked (in);
  g_mutex_unlock (&in->lock);
}

GQueue
_zbus_intake_take_items (ZbusIntake *in,
                         gboolean    ready)
{
  GQueue items = G_QUEUE_INIT;

  g_mutex_lock (&in->lock);
  in->scheduled = FALSE;
  if (ready)
    {
      items = in->items;
      g_queue_init (&in->items);
    }
  g_mutex_unlock (&in->lock);

  return items;
}

void
_zbus_intake_set_owner (ZbusIntake *in,
                        const char *owner,
                        guint32     serial)
{
  g_mutex_lock (&in->lock);
  if (!in->owner_known || _zbus_serial_after (serial, in->owner_serial))
    {
      g_free (in->owner);
      in->owner = g_strdup (owner);
      in->owner_serial = serial;
      in->owner_known = TRUE;
    }
  g_mutex_unlock (&in->lock);
}

char *
_zbus_intake_dup_owner (ZbusIntake *in,
                        guint32    *out_serial)
{
  char *owner;

  g_mutex_lock (&in->lock);
  owner = g_strdup (in->owner);
  *out_serial = in->owner_serial;
  g_mutex_unlock (&in->lock);

  return owner;
}

static void
push_locked (ZbusIntake         *in,
             ZbusIntakeItemKind  kind,
             ZbusMessage        *message,
             const char         *new_owner,
             gboolean            deferred)
{
  ZbusIntakeItem *item = g_new0 (ZbusIntakeItem, 1);

  item->kind = kind;
  item->message = zbus_message_ref (message);
  item->new_owner = g_strdup (new_owner);
  item->deferred = deferred;
  g_queue_push_tail (&in->items, item);
}

/* NameOwnerChanged for the destination: the owner from now on. */
static void
owner_changed_locked (ZbusIntake  *in,
                      ZbusMessage *message)
{
  GVariant *body = zbus_message_get_body (message);
  const char *new_owner = NULL;
  guint32 serial = zbus_message_get_serial (message);

  if (g_strcmp0 (zbus_message_get_signature (message), "sss") != 0)
    return;
  g_variant_get_child (body, 2, "&s", &new_owner);
  if (*new_owner == '\0')
    new_owner = NULL;

  /* Older than the owner GetNameOwner told: that answer includes it. */
  if (in->owner_known && !_zbus_serial_after (serial, in->owner_serial))
    return;

  g_free (in->owner);
  in->owner = g_strdup (new_owner);
  in->owner_serial = serial;
  in->owner_known = TRUE;
  push_locked (in, ZBUS_INTAKE_OWNER, message, new_owner, FALSE);
}

/* Whether @message comes from the destination's current owner. Until
 * the owner is known (during construction) the proxy decides later. */
static gboolean
sender_ok_locked (ZbusIntake  *in,
                  ZbusMessage *message,
                  gboolean    *deferred)
{
  *deferred = FALSE;
  if (!in->check_sender)
    return TRUE;
  if (!in->owner_known)
    {
      *deferred = TRUE;
      return TRUE;
    }
  return in->owner != NULL && g_strcmp0 (zbus_message_get_sender (message), in->owner) == 0;
}

static void
close_feeds (ZbusIntake *in)
{
  g_autoptr(GPtrArray) streams = g_ptr_array_new_with_free_func (g_object_unref);

  g_mutex_lock (&in->lock);
  for (guint i = 0; i < in->feeds->len; i++)
    {
      Feed *feed = g_ptr_array_index (in->feeds, i);
      ZbusMessageStream *stream = g_weak_ref_get (&feed->stream);

      if (stream != NULL)
        g_ptr_array_add (streams, stream);
    }
  g_ptr_array_set_size (in->feeds, 0);
  in->closed = TRUE;
  g_mutex_unlock (&in->lock);

  for (guint i = 0; i < streams->len; i++)
    zbus_message_stream_close (g_ptr_array_index (streams, i));
}

/* The connection filter: runs in the thread that read @message, or with
 * NULL when the connection closed. */
void
_zbus_intake_filter_cb (ZbusConnection *connection,
                        ZbusMessage    *message,
                        gpointer        user_data)
{
  ZbusIntake *in = user_data;
  g_autoptr(GPtrArray) targets = NULL;
  gboolean is_owner, is_props, is_signal;
  gboolean deferred = FALSE;

  if (message == NULL)
    {
      close_feeds (in);
      return;
    }

  if (zbus_message_get_message_type (message) != ZBUS_MESSAGE_TYPE_SIGNAL)
    return;

  is_owner = in->owner_rule != NULL && zbus_match_rule_matches (in->owner_rule, message);
  is_props = in->props_rule != NULL && zbus_match_rule_matches (in->props_rule, message);
  is_signal = zbus_match_rule_matches (in->signal_rule, message);
  if (!is_owner && !is_props && !is_signal)
    return;

  g_mutex_lock (&in->lock);
  if (is_owner)
    owner_changed_locked (in, message);
  if ((is_props || is_signal) && sender_ok_locked (in, message, &deferred))
    {
      if (is_props)
        push_locked (in, ZBUS_INTAKE_PROPERTIES, message, NULL, deferred);
      if (is_signal)
        push_locked (in, ZBUS_INTAKE_SIGNAL, message, NULL, deferred);

      /* Streams exist only once the owner is known: nothing is deferred
       * for them. A stream nobody holds any more is forgotten. */
      for (guint i = 0; is_signal && !deferred && i < in->feeds->len; )
        {
          Feed *feed = g_ptr_array_index (in->feeds, i);
          ZbusMessageStream *stream = g_weak_ref_get (&feed->stream);

          if (stream == NULL)
            {
              g_ptr_array_remove_index_fast (in->feeds, i);
              continue;
            }
          if (zbus_match_rule_matches (feed->rule, message))
            {
              if (targets == NULL)
                targets = g_ptr_array_new_with_free_func (g_object_unref);
              g_ptr_array_add (targets, g_steal_pointer (&stream));
            }
          g_clear_object (&stream);
          i++;
        }
    }
  schedule_locked (in);
  g_mutex_unlock (&in->lock);

  /* Each stream takes its own lock: not under ours. */
  for (guint i = 0; targets != NULL && i < targets->len; i++)
    _zbus_message_stream_feed (g_ptr_array_index (targets, i), message);
}

void
_zbus_intake_add_feed (ZbusIntake        *in,
                       ZbusMessageStream *stream,
                       ZbusMatchRule     *local_rule)
{
  Feed *feed = g_new0 (Feed, 1);
  gboolean closed;

  g_weak_ref_init (&feed->stream, stream);
  feed->rule = zbus_match_rule_ref (local_rule);

  g_mutex_lock (&in->lock);
  closed = in->closed;
  if (!closed)
    g_ptr_array_add (in->feeds, feed);
  g_mutex_unlock (&in->lock);

  if (closed)
    {
      feed_free (feed);
      zbus_message_stream_close (stream);
    }
}

void
_zbus_intake_close (ZbusIntake *in)
{
  close_feeds (in);
}
