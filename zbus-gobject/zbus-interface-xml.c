/* zbus-interface-xml.c: the introspection <interface> element of a
 * ZbusInterface type, with its org.gtk.GDBus.DocString annotations
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "zbus-interface-private.h"

#define DOC_ANNOTATION "org.gtk.GDBus.DocString"

static void append_escaped (GString    *xml,
                            const char *format,
                            ...) G_GNUC_PRINTF (2, 3);

static void
append_escaped (GString    *xml,
                const char *format,
                ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_markup_vprintf_escaped (format, args);
  va_end (args);
  g_string_append (xml, text);
}

/* Free text as an attribute value. XML 1.0 has no place for control
 * characters but tab, newline and carriage return, and a parser turns
 * those into spaces unless they are written as references; GMarkup would
 * write the others as references XML does not allow, so they are dropped. */
static void
append_attribute_text (GString    *xml,
                       const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      switch (c)
        {
        case '&': g_string_append (xml, "&amp;"); break;
        case '<': g_string_append (xml, "&lt;"); break;
        case '>': g_string_append (xml, "&gt;"); break;
        case '"': g_string_append (xml, "&quot;"); break;
        case '\'': g_string_append (xml, "&apos;"); break;
        case '\t': g_string_append (xml, "&#9;"); break;
        case '\n': g_string_append (xml, "&#10;"); break;
        case '\r': g_string_append (xml, "&#13;"); break;
        default:
          if (c >= 0x20 && c != 0xFFFE && c != 0xFFFF)
            g_string_append_len (xml, p, g_utf8_next_char (p) - p);
          break;
        }
    }
}

static void
append_doc (GString    *xml,
            const char *indent,
            const char *doc,
            const char *values)
{
  if (doc == NULL && values == NULL)
    return;
  g_string_append_printf (xml, "%s<annotation name=\"" DOC_ANNOTATION "\" value=\"", indent);
  if (doc != NULL)
    append_attribute_text (xml, doc);
  if (doc != NULL && values != NULL)
    append_attribute_text (xml, "\n");
  if (values != NULL)
    append_attribute_text (xml, values);
  g_string_append (xml, "\"/>\n");
}

/* The GType behind D-Bus argument @i of @m, if it is an action signal or
 * a signal (method-table methods have none). */
static GType
arg_gtype (const ZbusMemberInfo *m,
           guint                 i)
{
  if (m->signal_id == 0)
    return G_TYPE_INVALID;
  return m->query.param_types[i + m->first_arg] & ~G_SIGNAL_TYPE_STATIC_SCOPE;
}

static void
append_args (GString                 *xml,
             const ZbusInterfaceInfo *info,
             const char * const      *sigs,
             const char              *direction,
             const char * const      *names,
             const ZbusMemberInfo    *m,
             gboolean                 out)
{
  guint n_names = names ? g_strv_length ((char **) names) : 0;

  for (guint i = 0; sigs[i] != NULL; i++)
    {
      g_autofree char *values = NULL;
      GType type = G_TYPE_INVALID;

      if (out && sigs[1] == NULL && m->signal_id != 0)
        type = m->query.return_type & ~G_SIGNAL_TYPE_STATIC_SCOPE;
      else if (!out)
        type = arg_gtype (m, i);
      if (info->docs && type != G_TYPE_INVALID)
        values = _zbus_type_values_doc (type);

      append_escaped (xml, "      <arg type=\"%s\"", sigs[i]);
      if (i < n_names)
        append_escaped (xml, " name=\"%s\"", names[i]);
      if (direction != NULL)
        append_escaped (xml, " direction=\"%s\"", direction);
      if (values == NULL)
        {
          g_string_append (xml, "/>\n");
          continue;
        }
      g_string_append (xml, ">\n");
      append_doc (xml, "        ", NULL, values);
      g_string_append (xml, "      </arg>\n");
    }
}

static void
append_method (GString                 *xml,
               const ZbusInterfaceInfo *info,
               const ZbusMemberInfo    *m)
{
  append_escaped (xml, "    <method name=\"%s\">\n", m->name);
  append_args (xml, info, (const char * const *) m->arg_sigs, "in",
               (const char * const *) m->arg_names, m, FALSE);
  if (m->out_signature != NULL)
    {
      g_autofree char *inner = g_strndup (m->out_signature + 1, strlen (m->out_signature) - 2);
      g_auto(GStrv) outs = _zbus_signature_split (inner);

      append_args (xml, info, (const char * const *) outs, "out",
                   (const char * const *) m->out_names, m, TRUE);
    }
  append_doc (xml, "      ", m->doc, NULL);
  g_string_append (xml, "    </method>\n");
}

static void
append_signal (GString                 *xml,
               const ZbusInterfaceInfo *info,
               const ZbusMemberInfo    *m)
{
  append_escaped (xml, "    <signal name=\"%s\">\n", m->name);
  append_args (xml, info, (const char * const *) m->arg_sigs, NULL,
               (const char * const *) m->arg_names, m, FALSE);
  append_doc (xml, "      ", m->doc, NULL);
  g_string_append (xml, "    </signal>\n");
}

static const char *
emits_to_string (ZbusEmits emits)
{
  static const char * const names[] = { "true", "invalidates", "const", "false" };

  return names[emits];
}

static void
append_property (GString                 *xml,
                 const ZbusInterfaceInfo *info,
                 const ZbusPropertyInfo  *p)
{
  const char *access = p->readable ? (p->writable ? "readwrite" : "read") : "write";
  g_autofree char *values = info->docs ? _zbus_type_values_doc (p->pspec->value_type) : NULL;

  append_escaped (xml, "    <property name=\"%s\" type=\"%s\" access=\"%s\">\n",
                  p->name, p->signature, access);
  if (p->emits != ZBUS_EMITS_TRUE)
    append_escaped (xml, "      <annotation name=\"org.freedesktop.DBus.Property.EmitsChangedSignal\" value=\"%s\"/>\n",
                    emits_to_string (p->emits));
  append_doc (xml, "      ", p->doc, values);
  g_string_append (xml, "    </property>\n");
}

char *
_zbus_interface_info_to_xml (const ZbusInterfaceInfo *info)
{
  GString *xml = g_string_new (NULL);

  append_escaped (xml, "  <interface name=\"%s\">\n", info->name);
  append_doc (xml, "    ", info->doc, NULL);
  for (guint i = 0; i < info->methods->len; i++)
    append_method (xml, info, g_ptr_array_index (info->methods, i));
  for (guint i = 0; i < info->signals->len; i++)
    append_signal (xml, info, g_ptr_array_index (info->signals, i));
  for (guint i = 0; i < info->properties->len; i++)
    append_property (xml, info, g_ptr_array_index (info->properties, i));
  g_string_append (xml, "  </interface>\n");
  return g_string_free (xml, FALSE);
}
