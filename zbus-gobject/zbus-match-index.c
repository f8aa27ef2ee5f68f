/* zbus-match-index.c: finding the match rules a message matches
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "zbus-match-rule-private.h"
#include "zbus-message-private.h"

/* The fields an entry can be bucketed by, in the order that breaks ties. */
typedef enum
{
  KEY_MEMBER,
  KEY_PATH,
  KEY_ARG0,
  KEY_INTERFACE,
  KEY_SENDER,
  KEY_PATH_NAMESPACE,
  N_KEYS,
} Key;

typedef struct
{
  char *key;            /* (owned): the field value all its entries fix */
  GQueue entries;       /* (element-type Entry): links embedded in the entries */
} Bucket;

typedef struct
{
  guint id;
  guint64 seq;          /* insertion order; ids may wrap, this does not */
  ZbusMatchRule *rule;  /* (owned) */
  gpointer data;        /* (not owned) */
  Key key;
  Bucket *bucket;       /* (nullable): NULL when in the catch-all list */
  GList link;           /* in bucket->entries or the catch-all list */
} Entry;

struct _ZbusMatchIndex
{
  GHashTable *entries;           /* id → (owned) Entry */
  GHashTable *buckets[N_KEYS];   /* field value → (owned) Bucket */
  GQueue catch_all;              /* (element-type Entry) */
  guint next_id;
  guint64 next_seq;
};

/* How many candidate ids and lists foreach_match keeps on the stack. */
#define N_STACK_MATCHES 32
#define N_STACK_HEADS 16

/* The lists a message selects: the first link of each. */
typedef struct
{
  GList **heads;            /* stack, or (owned) when it outgrew it */
  guint n;
  guint size;
  GList *stack[N_STACK_HEADS];
} Heads;

static void
bucket_free (Bucket *bucket)
{
  g_free (bucket->key);
  g_free (bucket);
}

static void
entry_free (Entry *entry)
{
  zbus_match_rule_unref (entry->rule);
  g_free (entry);
}

ZbusMatchIndex *
_zbus_match_index_new (void)
{
  ZbusMatchIndex *index = g_new0 (ZbusMatchIndex, 1);

  index->entries = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) entry_free);
  for (guint k = 0; k < N_KEYS; k++)
    index->buckets[k] = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                               (GDestroyNotify) bucket_free);
  g_queue_init (&index->catch_all);
  index->next_id = 1;

  return index;
}

void
_zbus_match_index_free (ZbusMatchIndex *index)
{
  if (index == NULL)
    return;

  /* The queues hold links embedded in the entries: nothing to free there. */
  g_hash_table_unref (index->entries);
  for (guint k = 0; k < N_KEYS; k++)
    g_hash_table_unref (index->buckets[k]);
  g_free (index);
}

static const char *
rule_key (ZbusMatchRule *rule,
          Key            key)
{
  switch (key)
    {
    case KEY_MEMBER:
      return zbus_match_rule_get_member (rule);
    case KEY_PATH:
      return zbus_match_rule_get_path (rule);
    case KEY_ARG0:
      return zbus_match_rule_get_arg (rule, 0);
    case KEY_INTERFACE:
      return zbus_match_rule_get_interface (rule);
    case KEY_SENDER:
      return zbus_match_rule_get_sender (rule);
    case KEY_PATH_NAMESPACE:
      return zbus_match_rule_get_path_namespace (rule);
    case N_KEYS:
    default:
      g_assert_not_reached ();
    }
}

static guint
bucket_size (ZbusMatchIndex *index,
             Key             key,
             const char     *value)
{
  Bucket *bucket = g_hash_table_lookup (index->buckets[key], value);

  return bucket != NULL ? bucket->entries.length : 0;
}

/* The key to bucket @rule by: of the fields it fixes, the one whose bucket
 * is smallest now; N_KEYS if it fixes none. */
static Key
choose_key (ZbusMatchIndex *index,
            ZbusMatchRule  *rule)
{
  Key best = N_KEYS;
  guint best_size = G_MAXUINT;

  for (Key k = 0; k < N_KEYS && best_size > 0; k++)
    {
      const char *value = rule_key (rule, k);
      guint size;

      if (value == NULL)
        continue;
      size = bucket_size (index, k, value);
      if (size < best_size)
        {
          best = k;
          best_size = size;
        }
    }

  return best;
}

static guint
take_id (ZbusMatchIndex *index)
{
  /* After 2^32 additions ids wrap: skip 0 and those still in use. */
  while (index->next_id == 0 ||
         g_hash_table_contains (index->entries, GUINT_TO_POINTER (index->next_id)))
    index->next_id++;

  return index->next_id++;
}

guint
_zbus_match_index_add (ZbusMatchIndex *index,
                       ZbusMatchRule  *rule,
                       gpointer        entry_data)
{
  Entry *entry;

  g_return_val_if_fail (index != NULL, 0);
  g_return_val_if_fail (rule != NULL, 0);

  entry = g_new0 (Entry, 1);
  entry->id = take_id (index);
  entry->seq = index->next_seq++;
  entry->rule = zbus_match_rule_ref (rule);
  entry->data = entry_data;
  entry->key = choose_key (index, rule);
  entry->link.data = entry;

  if (entry->key != N_KEYS)
    {
      GHashTable *buckets = index->buckets[entry->key];
      const char *value = rule_key (rule, entry->key);

      entry->bucket = g_hash_table_lookup (buckets, value);
      if (entry->bucket == NULL)
        {
          entry->bucket = g_new0 (Bucket, 1);
          entry->bucket->key = g_strdup (value);
          g_queue_init (&entry->bucket->entries);
          g_hash_table_insert (buckets, entry->bucket->key, entry->bucket);
        }
      g_queue_push_tail_link (&entry->bucket->entries, &entry->link);
    }
  else
    g_queue_push_tail_link (&index->catch_all, &entry->link);

  g_hash_table_insert (index->entries, GUINT_TO_POINTER (entry->id), entry);
  return entry->id;
}

gpointer
_zbus_match_index_remove (ZbusMatchIndex *index,
                          guint           id)
{
  Entry *entry;
  gpointer data;

  g_return_val_if_fail (index != NULL, NULL);

  entry = g_hash_table_lookup (index->entries, GUINT_TO_POINTER (id));
  if (entry == NULL)
    return NULL;

  if (entry->bucket != NULL)
    {
      Bucket *bucket = entry->bucket;

      g_queue_unlink (&bucket->entries, &entry->link);
      if (g_queue_is_empty (&bucket->entries))
        g_hash_table_remove (index->buckets[entry->key], bucket->key);
    }
  else
    g_queue_unlink (&index->catch_all, &entry->link);

  data = entry->data;
  g_hash_table_remove (index->entries, GUINT_TO_POINTER (id));
  return data;
}

guint
_zbus_match_index_size (ZbusMatchIndex *index)
{
  g_return_val_if_fail (index != NULL, 0);

  return g_hash_table_size (index->entries);
}

/* The first argument of @message if it is a string, decoding the body; the
 * string lives as long as *@holder. */
static const char *
message_arg0 (ZbusMessage  *message,
              GVariant    **holder)
{
  const char *signature = zbus_message_get_signature (message);
  GVariant *body;

  if (signature == NULL || signature[0] != 's')
    return NULL;

  /* A decoded message's body was validated: its first string lies at the
   * start of the body, length first, NUL-terminated. Read it in place. */
  if (g_atomic_pointer_get (&message->body) == NULL && message->blob != NULL &&
      message->body_size >= 5)
    {
      const guint8 *p = (const guint8 *) g_bytes_get_data (message->blob, NULL) + message->body_offset;
      guint32 len;

      memcpy (&len, p, sizeof len);
      len = message->byte_order == ZBUS_BYTE_ORDER_BIG_ENDIAN ? GUINT32_FROM_BE (len)
                                                              : GUINT32_FROM_LE (len);
      if ((gsize) len + 5 <= message->body_size)
        return (const char *) p + 4;
    }

  body = zbus_message_get_body (message);
  if (body == NULL)
    return NULL;

  *holder = g_variant_get_child_value (body, 0);
  return g_variant_get_string (*holder, NULL);
}

static const char *
message_key (ZbusMessage  *message,
             Key           key,
             GVariant    **holder)
{
  switch (key)
    {
    case KEY_MEMBER:
      return message->strings[ZBUS_STR_MEMBER];
    case KEY_PATH:
      return message->strings[ZBUS_STR_PATH];
    case KEY_ARG0:
      return message_arg0 (message, holder);
    case KEY_INTERFACE:
      return message->strings[ZBUS_STR_INTERFACE];
    case KEY_SENDER:
      return message->strings[ZBUS_STR_SENDER];
    case KEY_PATH_NAMESPACE:
    case N_KEYS:
    default:
      g_assert_not_reached ();
    }
}

static void
heads_add (Heads *heads,
           GList *head)
{
  if (heads->n == heads->size)
    {
      GList **bigger = g_new (GList *, heads->size * 2);

      memcpy (bigger, heads->heads, heads->n * sizeof (GList *));
      if (heads->heads != heads->stack)
        g_free (heads->heads);
      heads->heads = bigger;
      heads->size *= 2;
    }

  heads->heads[heads->n++] = head;
}

static void
heads_add_bucket (Heads      *heads,
                  GHashTable *buckets,
                  const char *value)
{
  Bucket *bucket = g_hash_table_lookup (buckets, value);

  if (bucket != NULL)
    heads_add (heads, bucket->entries.head);
}

/* The path_namespace buckets holding @path: those of "/", and of each
 * prefix of @path that ends before a '/' or at its end. */
static void
select_namespaces (ZbusMatchIndex *index,
                   const char     *path,
                   Heads          *heads)
{
  GHashTable *buckets = index->buckets[KEY_PATH_NAMESPACE];
  g_autofree char *heap_copy = NULL;
  char stack_copy[256];
  char *copy;
  gsize len;

  if (path == NULL || g_hash_table_size (buckets) == 0)
    return;

  heads_add_bucket (heads, buckets, "/");
  len = strlen (path);
  if (len == 1)
    return;

  copy = len < sizeof stack_copy ? stack_copy : (heap_copy = g_malloc (len + 1));
  memcpy (copy, path, len + 1);
  for (gsize i = 1; i <= len; i++)
    {
      if (path[i] != '/' && path[i] != '\0')
        continue;
      copy[i] = '\0';
      heads_add_bucket (heads, buckets, copy);
      copy[i] = path[i];
    }
}

/* Fills @heads with the first link of each list @message selects. */
static void
select_lists (ZbusMatchIndex  *index,
              ZbusMessage     *message,
              Heads           *heads,
              GVariant       **holder)
{
  for (Key k = 0; k < KEY_PATH_NAMESPACE; k++)
    {
      const char *value;

      /* An empty table costs nothing, not even decoding arg0. */
      if (g_hash_table_size (index->buckets[k]) == 0)
        continue;
      value = message_key (message, k, holder);
      if (value != NULL)
        heads_add_bucket (heads, index->buckets[k], value);
    }

  select_namespaces (index, message->strings[ZBUS_STR_PATH], heads);

  if (index->catch_all.head != NULL)
    heads_add (heads, index->catch_all.head);
}

/* Pops the entry added first among the heads of the lists. */
static Entry *
pop_first (GList **heads,
           guint   n_heads)
{
  guint first = n_heads;
  Entry *entry;

  for (guint i = 0; i < n_heads; i++)
    {
      if (heads[i] == NULL)
        continue;
      if (first == n_heads ||
          ((Entry *) heads[i]->data)->seq < ((Entry *) heads[first]->data)->seq)
        first = i;
    }

  if (first == n_heads)
    return NULL;

  entry = heads[first]->data;
  heads[first] = heads[first]->next;
  return entry;
}

static void
call_matches (ZbusMatchIndex     *index,
              const guint        *ids,
              guint               n_ids,
              ZbusMatchIndexFunc  func,
              gpointer            user_data)
{
  for (guint i = 0; i < n_ids; i++)
    {
      Entry *entry = g_hash_table_lookup (index->entries, GUINT_TO_POINTER (ids[i]));
      g_autoptr(ZbusMatchRule) rule = NULL;

      /* An earlier callback may have removed it. */
      if (entry == NULL)
        continue;

      rule = zbus_match_rule_ref (entry->rule);
      func (rule, entry->data, user_data);
    }
}

void
_zbus_match_index_foreach_match (ZbusMatchIndex     *index,
                                 ZbusMessage        *message,
                                 ZbusMatchIndexFunc  func,
                                 gpointer            user_data)
{
  g_autoptr(GVariant) holder = NULL;
  g_autoptr(GArray) more = NULL;
  Heads heads;
  guint ids[N_STACK_MATCHES];
  guint n_ids = 0;
  Entry *entry;

  g_return_if_fail (index != NULL);
  g_return_if_fail (message != NULL);
  g_return_if_fail (func != NULL);

  heads.heads = heads.stack;
  heads.n = 0;
  heads.size = N_STACK_HEADS;

  /* Matching first, calling after: the callbacks may change the index. */
  select_lists (index, message, &heads, &holder);
  while ((entry = pop_first (heads.heads, heads.n)) != NULL)
    {
      if (!zbus_match_rule_matches (entry->rule, message))
        continue;
      if (n_ids < N_STACK_MATCHES)
        ids[n_ids++] = entry->id;
      else
        {
          if (more == NULL)
            more = g_array_new (FALSE, FALSE, sizeof (guint));
          g_array_append_val (more, entry->id);
        }
    }

  if (heads.heads != heads.stack)
    g_free (heads.heads);

  call_matches (index, ids, n_ids, func, user_data);
  if (more != NULL)
    call_matches (index, (const guint *) (gpointer) more->data, more->len, func, user_data);
}
