/* zbus-proxy-intake-private.h: the signals a ZbusProxy listens to
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "zbus-connection.h"
#include "zbus-match-rule.h"
#include "zbus-message-stream.h"

G_BEGIN_DECLS

typedef enum
{
  ZBUS_INTAKE_OWNER,       /* NameOwnerChanged for the destination */
  ZBUS_INTAKE_PROPERTIES,  /* PropertiesChanged for the interface */
  ZBUS_INTAKE_SIGNAL,      /* a signal of the interface */
} ZbusIntakeItemKind;

typedef struct
{
  ZbusIntakeItemKind kind;
  ZbusMessage *message;    /* (owned) */
  char *new_owner;         /* (owned) (nullable): ZBUS_INTAKE_OWNER */
  gboolean deferred;       /* arrived before the owner was known */
} ZbusIntakeItem;

typedef struct
{
  gatomicrefcount ref_count;
  GMutex lock;
  GWeakRef proxy;
  GMainContext *context;        /* (owned): the proxy's */
  GSourceFunc dispatch;         /* runs on @context with the intake */

  /* Constant. */
  gboolean check_sender;        /* a bus destination: its owner only */
  ZbusMatchRule *owner_rule;    /* (owned) (nullable) */
  ZbusMatchRule *signal_rule;   /* (owned) */
  ZbusMatchRule *props_rule;    /* (owned) (nullable) */

  /* Under @lock. */
  gboolean owner_known;
  char *owner;                  /* (owned) (nullable) */
  guint32 owner_serial;         /* of the bus message that said so */
  GQueue items;                 /* (element-type ZbusIntakeItem) (owned) */
  gboolean scheduled;
  GPtrArray *feeds;             /* (element-type Feed) (owned) */
  gboolean closed;
} ZbusIntake;

gboolean    _zbus_serial_after      (guint32            a,
                                     guint32            b);

ZbusIntake *_zbus_intake_new        (GObject           *proxy,
                                     GMainContext      *context,
                                     gboolean           check_sender,
                                     ZbusMatchRule     *owner_rule,
                                     ZbusMatchRule     *signal_rule,
                                     ZbusMatchRule     *props_rule,
                                     GSourceFunc        dispatch);
ZbusIntake *_zbus_intake_ref        (ZbusIntake        *in);
void        _zbus_intake_unref      (ZbusIntake        *in);
void        _zbus_intake_filter_cb  (ZbusConnection    *connection,
                                     ZbusMessage       *message,
                                     gpointer           user_data);
void        _zbus_intake_schedule   (ZbusIntake        *in);
GQueue      _zbus_intake_take_items (ZbusIntake        *in,
                                     gboolean           ready);
void        _zbus_intake_item_free  (ZbusIntakeItem    *item);
void        _zbus_intake_set_owner  (ZbusIntake        *in,
                                     const char        *owner,
                                     guint32            serial);
char       *_zbus_intake_dup_owner  (ZbusIntake        *in,
                                     guint32           *out_serial);
void        _zbus_intake_add_feed   (ZbusIntake        *in,
                                     ZbusMessageStream *stream,
                                     ZbusMatchRule     *local_rule);
void        _zbus_intake_close      (ZbusIntake        *in);

G_END_DECLS
