/* fuzz-proxy-xml.c: libFuzzer target for proxy types made from
 * introspection XML
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The input (up to its first NUL) is introspection XML as a remote peer
 * could send it. It goes through the parser zbus_proxy_new_for_xml() uses,
 * and through the library's guarded g_dbus_node_info_new_for_xml() (GDBus's
 * own parser crashes on some XML, so it is not called on the input
 * directly); each interface found (in child nodes too) is then checked as
 * zbus_proxy_type_for_interface_info() checks it and handed to that
 * function, whose class is made.
 *
 * The check and the function must agree: a description the check refuses
 * is refused with the same error, one it takes gives a type (the same type
 * each time) or, once the caps on run-time types are reached, a clean
 * G_IO_ERROR_NO_SPACE. A type made must carry its description, with every
 * property and signal installed under the GObject name it was given. The
 * number of types made never goes past the cap: as the caps are reached
 * early, most inputs exercise the checks only, which is where a hostile
 * description is met. Anything else aborts, as does any warning or critical
 * logged on the way.
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zbus-proxy-type-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);
const char *__asan_default_options (void);

/* No leak check at exit, only libFuzzer's after an input that leaks each
 * time it runs: the types made here intern thousands of names, and GLib's
 * quark table, when it grows, drops its old array on purpose (readers take
 * it without a lock), which looks lost at exit. Options set in
 * $ASAN_OPTIONS still win. */
const char *
__asan_default_options (void)
{
  return "leak_check_at_exit=0";
}

/* MAX_RUNTIME_TYPES of zbus-proxy-type.c: no more ZbusProxy subclasses than
 * this may ever be made from descriptions. */
#define MAX_RUNTIME_TYPES 1024
/* Child nodes deeper than this are not searched for interfaces. */
#define MAX_NODE_DEPTH 8

static GLogWriterOutput
log_writer (GLogLevelFlags   log_level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  /* A critical means we handed our own API something it refuses: a bug. */
  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    {
      g_log_writer_standard_streams (log_level, fields, n_fields, user_data);
      abort ();
    }

  return G_LOG_WRITER_HANDLED;
}

/* The type's class holds what its description says. */
static void
check_type (GType               type,
            GDBusInterfaceInfo *dinfo)
{
  const ZbusProxyTypeInfo *info;
  GObjectClass *klass;

  if (!g_type_is_a (type, ZBUS_TYPE_PROXY) || type == ZBUS_TYPE_PROXY)
    abort ();
  info = _zbus_proxy_type_info_peek (type);
  if (info == NULL || info->type != type || strcmp (info->interface_name, dinfo->name) != 0)
    abort ();

  /* Makes the class: installs the properties and signals. */
  klass = g_type_class_ref (type);
  for (guint i = 0; i < info->properties->len; i++)
    {
      const ZbusProxyTypeProperty *p = g_ptr_array_index (info->properties, i);

      if (g_object_class_find_property (klass, p->gname) != p->pspec ||
          g_hash_table_lookup (info->props_by_name, p->name) != p)
        abort ();
    }
  for (guint i = 0; i < info->signals->len; i++)
    {
      const ZbusProxyTypeSignal *s = g_ptr_array_index (info->signals, i);

      if (s->signal_id == 0 || g_signal_lookup (s->gname, type) != s->signal_id ||
          g_hash_table_lookup (info->signals_by_name, s->name) != s)
        abort ();
    }
  for (guint i = 0; i < info->methods->len; i++)
    {
      const ZbusProxyTypeMethod *m = g_ptr_array_index (info->methods, i);

      if (g_hash_table_lookup (info->methods_by_name, m->name) != m)
        abort ();
    }
  g_type_class_unref (klass);
}

static void
fuzz_interface (GDBusInterfaceInfo *dinfo)
{
  g_autoptr(GError) check_error = NULL;
  g_autoptr(GError) error = NULL;
  gboolean valid;
  GType type;
  guint n_types = 0;

  valid = _zbus_proxy_type_check_interface_info (dinfo, &check_error);
  if (valid != (check_error == NULL) ||
      (check_error != NULL && !g_utf8_validate (check_error->message, -1, NULL)))
    abort ();

  type = zbus_proxy_type_for_interface_info (dinfo, &error);
  if ((type == G_TYPE_INVALID) != (error != NULL))
    abort ();
  if (!valid)
    {
      /* Refused for the same reason. */
      if (type != G_TYPE_INVALID || error->domain != check_error->domain ||
          error->code != check_error->code)
        abort ();
      return;
    }
  if (type == G_TYPE_INVALID)
    {
      /* Only the caps may refuse a description the check took. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
        abort ();
    }
  else
    {
      g_autoptr(GError) again_error = NULL;

      check_type (type, dinfo);
      /* A description made a type once always gives that type. */
      if (zbus_proxy_type_for_interface_info (dinfo, &again_error) != type)
        abort ();
    }

  g_free (g_type_children (ZBUS_TYPE_PROXY, &n_types));
  if (n_types > MAX_RUNTIME_TYPES)
    abort ();
}

static void
fuzz_node (GDBusNodeInfo *node,
           guint          depth)
{
  for (guint i = 0; node->interfaces != NULL && node->interfaces[i] != NULL; i++)
    fuzz_interface (node->interfaces[i]);
  if (depth >= MAX_NODE_DEPTH)
    return;
  for (guint i = 0; node->nodes != NULL && node->nodes[i] != NULL; i++)
    fuzz_node (node->nodes[i], depth + 1);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static gboolean initialized = FALSE;
  g_autofree char *text = g_strndup ((const char *) data, size);
  GDBusInterfaceInfo *only;
  g_autoptr(GDBusNodeInfo) node = NULL;
  g_autoptr(GError) error = NULL;

  if (!initialized)
    {
      g_log_set_writer_func (log_writer, NULL, NULL);
      initialized = TRUE;
    }

  /* zbus_proxy_new_for_xml()'s parser: a <node>, or one <interface>. */
  only = _zbus_proxy_type_parse_xml (text, NULL, &error);
  if ((only == NULL) != (error != NULL) ||
      (error != NULL && !g_utf8_validate (error->message, -1, NULL)))
    abort ();
  if (only != NULL)
    {
      fuzz_interface (only);
      g_dbus_interface_info_unref (only);
    }
  g_clear_error (&error);

  /* Not g_dbus_node_info_new_for_xml(), which some XML crashes. */
  node = _zbus_node_info_new_for_xml (text, &error);
  if ((node == NULL) != (error != NULL) ||
      (error != NULL && !g_utf8_validate (error->message, -1, NULL)))
    abort ();
  if (node != NULL)
    fuzz_node (node, 0);

  return 0;
}
