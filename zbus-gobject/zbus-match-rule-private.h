/* zbus-match-rule-private.h
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "zbus-match-rule.h"

G_BEGIN_DECLS

/* An index of match rules, so that finding the rules a message matches
 * costs about the same with 10,000 rules as with one. Each entry goes in
 * one bucket, keyed by one field its rule fixes: member, path, arg0 (a
 * plain `arg0` string), interface, sender or path_namespace, whichever of
 * these the rule has whose bucket is the smallest when the entry is added
 * (ties go in that order, so the first rule of a member goes by member). Rules
 * like "member='PropertiesChanged',path='/o/N'" for many N, or
 * "member='NameOwnerChanged',arg0='name.N'", thus spread over many
 * buckets instead of piling up in one. Rules that fix none of these go in
 * a catch-all list. A message is checked only against the buckets its own
 * member, path, first string argument, interface and sender select, those
 * of the namespaces its path lies in, and the catch-all list; its body is
 * decoded for arg0 only when some entry is bucketed by arg0 and the
 * message's first argument is a string.
 *
 * Not thread-safe: the caller locks. */
typedef struct _ZbusMatchIndex ZbusMatchIndex;

/* Called for each entry whose rule matches; entries added with the same
 * rule are separate entries. */
typedef void (*ZbusMatchIndexFunc) (ZbusMatchRule *rule,
                                    gpointer       entry_data,
                                    gpointer       user_data);

ZbusMatchIndex *_zbus_match_index_new     (void);
void            _zbus_match_index_free    (ZbusMatchIndex     *index);
/* Adds an entry; returns an id for removal (never 0). */
guint           _zbus_match_index_add     (ZbusMatchIndex     *index,
                                           ZbusMatchRule      *rule,
                                           gpointer            entry_data);
/* Removes the entry; returns its entry_data, or NULL if unknown. */
gpointer        _zbus_match_index_remove  (ZbusMatchIndex     *index,
                                           guint               id);
guint           _zbus_match_index_size    (ZbusMatchIndex     *index);
/* Calls @func for each entry whose rule matches @message, in the order the
 * entries were added. @func may add and remove entries: an entry removed
 * before its turn is not called, one added meanwhile is not called either.
 * The rule passed to @func stays valid during the call even if @func
 * removes its entry. */
void            _zbus_match_index_foreach_match (ZbusMatchIndex     *index,
                                                 ZbusMessage        *message,
                                                 ZbusMatchIndexFunc  func,
                                                 gpointer            user_data);

G_END_DECLS
