/* zbus-match-rule.h
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(ZBUS_INSIDE) && !defined(ZBUS_COMPILATION)
# error "Only <zbus-gobject.h> can be included directly."
#endif

#include <gio/gio.h>

#include "zbus-enums.h"
#include "zbus-message.h"
#include "zbus-version-macros.h"

G_BEGIN_DECLS

/**
 * ZBUS_MATCH_RULE_MAX_ARGS:
 *
 * How many `argN` keys a match rule may have: `arg0` to `arg63`.
 *
 * Since: 1.0
 */
#define ZBUS_MATCH_RULE_MAX_ARGS 64

#define ZBUS_TYPE_MATCH_RULE (zbus_match_rule_get_type ())

typedef struct _ZbusMatchRule ZbusMatchRule;

ZBUS_AVAILABLE_IN_1_0
GType             zbus_match_rule_get_type             (void) G_GNUC_CONST;

ZBUS_AVAILABLE_IN_1_0
ZbusMatchRule    *zbus_match_rule_new_from_string      (const char     *rule,
                                                        GError        **error);
ZBUS_AVAILABLE_IN_1_0
ZbusMatchRule    *zbus_match_rule_ref                  (ZbusMatchRule  *self);
ZBUS_AVAILABLE_IN_1_0
void              zbus_match_rule_unref                (ZbusMatchRule  *self);

ZBUS_AVAILABLE_IN_1_0
char             *zbus_match_rule_to_string            (ZbusMatchRule  *self);
ZBUS_AVAILABLE_IN_1_0
gboolean          zbus_match_rule_equal                (ZbusMatchRule  *a,
                                                        ZbusMatchRule  *b);
ZBUS_AVAILABLE_IN_1_0
guint             zbus_match_rule_hash                 (ZbusMatchRule  *self);
ZBUS_AVAILABLE_IN_1_0
gboolean          zbus_match_rule_matches              (ZbusMatchRule  *self,
                                                        ZbusMessage    *message);

ZBUS_AVAILABLE_IN_1_0
ZbusMessageType   zbus_match_rule_get_message_type     (ZbusMatchRule  *self);
ZBUS_AVAILABLE_IN_1_0
const char       *zbus_match_rule_get_sender           (ZbusMatchRule  *self);
ZBUS_AVAILABLE_IN_1_0
const char       *zbus_match_rule_get_interface        (ZbusMatchRule  *self);
ZBUS_AVAILABLE_IN_1_0
const char       *zbus_match_rule_get_member           (ZbusMatchRule  *self);
ZBUS_AVAILABLE_IN_1_0
const char       *zbus_match_rule_get_path             (ZbusMatchRule  *self);
ZBUS_AVAILABLE_IN_1_0
const char       *zbus_match_rule_get_path_namespace   (ZbusMatchRule  *self);
ZBUS_AVAILABLE_IN_1_0
const char       *zbus_match_rule_get_destination      (ZbusMatchRule  *self);
ZBUS_AVAILABLE_IN_1_0
const char       *zbus_match_rule_get_arg              (ZbusMatchRule  *self,
                                                        guint           index);
ZBUS_AVAILABLE_IN_1_0
const char       *zbus_match_rule_get_arg_path         (ZbusMatchRule  *self,
                                                        guint           index);
ZBUS_AVAILABLE_IN_1_0
const char       *zbus_match_rule_get_arg0_namespace   (ZbusMatchRule  *self);
ZBUS_AVAILABLE_IN_1_0
gboolean          zbus_match_rule_get_eavesdrop        (ZbusMatchRule  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZbusMatchRule, zbus_match_rule_unref)

#define ZBUS_TYPE_MATCH_RULE_BUILDER (zbus_match_rule_builder_get_type ())

ZBUS_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (ZbusMatchRuleBuilder, zbus_match_rule_builder, ZBUS, MATCH_RULE_BUILDER, GObject)

ZBUS_AVAILABLE_IN_1_0
ZbusMatchRuleBuilder *zbus_match_rule_builder_new                (void);
ZBUS_AVAILABLE_IN_1_0
ZbusMatchRuleBuilder *zbus_match_rule_builder_new_from_rule      (ZbusMatchRule        *rule);
ZBUS_AVAILABLE_IN_1_0
ZbusMatchRuleBuilder *zbus_match_rule_builder_set_message_type   (ZbusMatchRuleBuilder *self,
                                                                  ZbusMessageType       type);
ZBUS_AVAILABLE_IN_1_0
ZbusMatchRuleBuilder *zbus_match_rule_builder_set_sender         (ZbusMatchRuleBuilder *self,
                                                                  const char           *sender);
ZBUS_AVAILABLE_IN_1_0
ZbusMatchRuleBuilder *zbus_match_rule_builder_set_interface      (ZbusMatchRuleBuilder *self,
                                                                  const char           *interface_);
ZBUS_AVAILABLE_IN_1_0
ZbusMatchRuleBuilder *zbus_match_rule_builder_set_member         (ZbusMatchRuleBuilder *self,
                                                                  const char           *member);
ZBUS_AVAILABLE_IN_1_0
ZbusMatchRuleBuilder *zbus_match_rule_builder_set_path           (ZbusMatchRuleBuilder *self,
                                                                  const char           *path);
ZBUS_AVAILABLE_IN_1_0
ZbusMatchRuleBuilder *zbus_match_rule_builder_set_path_namespace (ZbusMatchRuleBuilder *self,
                                                                  const char           *path_namespace);
ZBUS_AVAILABLE_IN_1_0
ZbusMatchRuleBuilder *zbus_match_rule_builder_set_destination    (ZbusMatchRuleBuilder *self,
                                                                  const char           *destination);
ZBUS_AVAILABLE_IN_1_0
ZbusMatchRuleBuilder *zbus_match_rule_builder_set_arg            (ZbusMatchRuleBuilder *self,
                                                                  guint                 index,
                                                                  const char           *value);
ZBUS_AVAILABLE_IN_1_0
ZbusMatchRuleBuilder *zbus_match_rule_builder_set_arg_path       (ZbusMatchRuleBuilder *self,
                                                                  guint                 index,
                                                                  const char           *value);
ZBUS_AVAILABLE_IN_1_0
ZbusMatchRuleBuilder *zbus_match_rule_builder_set_arg0_namespace (ZbusMatchRuleBuilder *self,
                                                                  const char           *name_namespace);
ZBUS_AVAILABLE_IN_1_0
ZbusMatchRuleBuilder *zbus_match_rule_builder_set_eavesdrop      (ZbusMatchRuleBuilder *self,
                                                                  gboolean              eavesdrop);
ZBUS_AVAILABLE_IN_1_0
ZbusMatchRule        *zbus_match_rule_builder_build              (ZbusMatchRuleBuilder *self,
                                                                  GError              **error);

G_END_DECLS
