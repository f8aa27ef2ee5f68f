/* zbus-object-server.c: the objects a connection serves
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdarg.h>
#include <string.h>

#include <glib/gstdio.h>

#include "zbus-call-control-private.h"
#include "zbus-connection-private.h"
#include "zbus-error.h"
#include "zbus-interface-private.h"
#include "zbus-message-private.h"
#include "zbus-object-server-private.h"

/**
 * ZbusObjectServer:
 *
 * The objects one connection serves: [class@Zbus.Interface] instances at
 * object paths.
 *
 * There is one per connection ([func@Zbus.ObjectServer.get_for_connection]),
 * made on first use and living as long as the connection. It dispatches
 * method calls on the connection's context, answers
 * `org.freedesktop.DBus.Properties`, `Introspectable` and `Peer` on every
 * path it serves (introspection also on the paths above them),
 * `org.freedesktop.DBus.ObjectManager` where the program asks for it
 * ([method@Zbus.ObjectServer.add_object_manager]), and answers
 * calls to what it does not serve with `UnknownObject`, `UnknownInterface`,
 * `UnknownMethod` or `InvalidArgs`, each naming what was wrong. A call
 * without an interface field is dispatched when its member is unambiguous
 * on the path.
 *
 * Calls are dispatched as they arrive; an async method may answer out of
 * order, unless its interface type asked for strict order
 * ([func@Zbus.Interface.type_set_strict_order]). A handler runs on the
 * connection's context and may make synchronous calls on the same
 * connection (the connection reads its socket meanwhile and queues the calls
 * that arrive, dispatching them once the handler returned), but not to a
 * method this same server must answer through the context it blocks.
 *
 * Every call to a served interface can be authorized first, synchronously
 * or not, with [signal@Zbus.ObjectServer::authorize-call]; arrival order is
 * kept while a decision is pending.
 *
 * On a connection that adopted a #GDBusConnection, calls to paths nothing
 * serves stay GDBus's, which may serve objects of its own there (and answers
 * `UnknownMethod` where it has none). A call to a path below one this
 * server serves is taken to be this server's and answered `UnknownObject`:
 * do not register GDBus objects below paths served here. GDBus offers no way
 * to tell which paths its registrations cover.
 *
 * Since: 1.0
 */

struct _ZbusObjectServer
{
  GObject         parent_instance;

  ZbusConnection *connection;  /* (unowned) (nullable): the server lives as long as it */
  /* (owned): path → GPtrArray of ZbusInterface, under servers_lock. An array
   * in the table is never changed (a change replaces it), so a snapshot is
   * a reference to it. */
  GHashTable     *nodes;
  guint           handler_id;
  ZbusCallControl *control;    /* (owned): authorization and strict order */
};

G_DEFINE_FINAL_TYPE (ZbusObjectServer, zbus_object_server, G_TYPE_OBJECT)

enum {
  SIGNAL_AUTHORIZE_CALL,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Guards every server's @nodes and the set of live servers: the call
 * claimer reads them in GDBus's worker thread. */
static GMutex servers_lock;
static GHashTable *live_servers;

static const char standard_interfaces_xml[] =
  "  <interface name=\"org.freedesktop.DBus.Peer\">\n"
  "    <method name=\"Ping\"/>\n"
  "    <method name=\"GetMachineId\">\n"
  "      <arg type=\"s\" name=\"machine_uuid\" direction=\"out\"/>\n"
  "    </method>\n"
  "  </interface>\n"
  "  <interface name=\"org.freedesktop.DBus.Introspectable\">\n"
  "    <method name=\"Introspect\">\n"
  "      <arg type=\"s\" name=\"xml_data\" direction=\"out\"/>\n"
  "    </method>\n"
  "  </interface>\n"
  "  <interface name=\"org.freedesktop.DBus.Properties\">\n"
  "    <method name=\"Get\">\n"
  "      <arg type=\"s\" name=\"interface_name\" direction=\"in\"/>\n"
  "      <arg type=\"s\" name=\"property_name\" direction=\"in\"/>\n"
  "      <arg type=\"v\" name=\"value\" direction=\"out\"/>\n"
  "    </method>\n"
  "    <method name=\"GetAll\">\n"
  "      <arg type=\"s\" name=\"interface_name\" direction=\"in\"/>\n"
  "      <arg type=\"a{sv}\" name=\"properties\" direction=\"out\"/>\n"
  "    </method>\n"
  "    <method name=\"Set\">\n"
  "      <arg type=\"s\" name=\"interface_name\" direction=\"in\"/>\n"
  "      <arg type=\"s\" name=\"property_name\" direction=\"in\"/>\n"
  "      <arg type=\"v\" name=\"value\" direction=\"in\"/>\n"
  "    </method>\n"
  "    <signal name=\"PropertiesChanged\">\n"
  "      <arg type=\"s\" name=\"interface_name\"/>\n"
  "      <arg type=\"a{sv}\" name=\"changed_properties\"/>\n"
  "      <arg type=\"as\" name=\"invalidated_properties\"/>\n"
  "    </signal>\n"
  "  </interface>\n";

static void
zbus_object_server_finalize (GObject *object)
{
  ZbusObjectServer *self = ZBUS_OBJECT_SERVER (object);

  g_clear_pointer (&self->nodes, g_hash_table_unref);
  g_clear_pointer (&self->control, _zbus_call_control_free);

  G_OBJECT_CLASS (zbus_object_server_parent_class)->finalize (object);
}

static void
zbus_object_server_class_init (ZbusObjectServerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = zbus_object_server_finalize;

  /**
   * ZbusObjectServer::authorize-call:
   * @self: the object server
   * @invocation: the call, asking to be dispatched
   *
   * Emitted on the connection's context for each call to a served
   * interface before it is dispatched: its methods, and the `Properties`
   * calls `Get`, `Set` and `GetAll` naming it (the property is in the
   * parameters). `GetManagedObjects` on an object manager (see
   * [method@Zbus.ObjectServer.add_object_manager]) is asked about too, as it
   * returns the readable properties of every object below: its
   * invocation has no interface
   * ([method@Zbus.MethodInvocation.get_interface] returns %NULL).
   * `Introspect`, `Peer`, and calls that fail anyway (an unknown path or
   * interface, an ambiguous member) are not asked about.
   *
   * A handler that takes charge returns %TRUE and decides with
   * [method@Zbus.MethodInvocation.authorize] or
   * [method@Zbus.MethodInvocation.deny] — now, or later from anywhere
   * (keep a reference, for instance while asking polkit or
   * [method@Zbus.MethodInvocation.get_caller_credentials]). An invocation
   * dropped undecided denies the call. While a decision is pending, every
   * call that arrives after it waits, from every sender and to any path
   * (`Introspect` and `Peer` too), and is dispatched, or asked about, in
   * its order once the decision is made; so decide promptly. At most
   * 1024 calls wait so; a call arriving beyond that is answered
   * `org.freedesktop.DBus.Error.LimitsExceeded` at once.
   *
   * A handler that returns %FALSE without deciding leaves the call to the
   * next handler; when none takes charge, the call is allowed. With no
   * handler connected, nothing is asked and nothing waits.
   *
   * Returns: %TRUE if the handler decided or will decide
   *
   * Since: 1.0
   */
  signals[SIGNAL_AUTHORIZE_CALL] =
    g_signal_new ("authorize-call", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, g_signal_accumulator_true_handled, NULL, NULL,
                  G_TYPE_BOOLEAN, 1, ZBUS_TYPE_METHOD_INVOCATION);
}

static void
zbus_object_server_init (ZbusObjectServer *self)
{
  self->nodes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) g_ptr_array_unref);
}

/* ------------------------------------------------------------------------ */
/* The tree */

static gboolean
is_below (const char *path,
          const char *ancestor)
{
  gsize n = strlen (ancestor);

  if (g_str_equal (ancestor, "/"))
    return path[1] != '\0';
  return strncmp (path, ancestor, n) == 0 && path[n] == '/';
}

static gboolean
has_descendants_locked (ZbusObjectServer *self,
                        const char       *path)
{
  GHashTableIter iter;
  const char *key;

  g_hash_table_iter_init (&iter, self->nodes);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, NULL))
    if (is_below (key, path))
      return TRUE;
  return FALSE;
}

static gboolean
is_standard_call (ZbusMessage *call)
{
  const char *iface = zbus_message_get_interface (call);

  return iface == NULL ||
         g_str_equal (iface, ZBUS_INTROSPECTABLE_INTERFACE) ||
         g_str_equal (iface, ZBUS_PEER_INTERFACE);
}

/* Whether @path is below a path this server serves. */
static gboolean
has_served_ancestor_locked (ZbusObjectServer *self,
                            const char       *path)
{
  g_autofree char *ancestor = NULL;
  char *slash;

  if (g_hash_table_size (self->nodes) == 0)
    return FALSE;
  ancestor = g_strdup (path);
  while ((slash = strrchr (ancestor, '/')) != NULL && slash != ancestor)
    {
      *slash = '\0';
      if (g_hash_table_contains (self->nodes, ancestor))
        return TRUE;
    }
  return path[1] != '\0' && g_hash_table_contains (self->nodes, "/");
}

/* Whether this server answers @call. Any thread. */
static gboolean
serves_call (ZbusObjectServer *self,
             ZbusMessage      *call)
{
  const char *path = zbus_message_get_path (call);
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&servers_lock);

  if (path == NULL)
    return FALSE;
  return g_hash_table_contains (self->nodes, path) ||
         (is_standard_call (call) && has_descendants_locked (self, path)) ||
         _zbus_object_server_managers_serve (self, path, is_standard_call (call));
}

/* Whether this server takes @call: what it serves, and anything below a
 * path it serves (answered UnknownObject where nothing is served there).
 * On the GDBus transport the rest stays GDBus's. Any thread. */
static gboolean
takes_call (ZbusObjectServer *self,
            ZbusMessage      *call)
{
  const char *path = zbus_message_get_path (call);
  g_autoptr(GMutexLocker) locker = NULL;

  if (serves_call (self, call))
    return TRUE;
  locker = g_mutex_locker_new (&servers_lock);
  return path != NULL && has_served_ancestor_locked (self, path);
}

/* Runs in the connection's reading thread (GDBus's worker thread). */
static gboolean
claim_call_cb (ZbusConnection *connection,
               ZbusMessage    *call,
               gpointer        user_data)
{
  gboolean alive;

  g_mutex_lock (&servers_lock);
  alive = live_servers != NULL && g_hash_table_contains (live_servers, user_data);
  g_mutex_unlock (&servers_lock);

  return alive && takes_call (user_data, call);
}

/* The interfaces at @path (a reference to the array, which holds one to
 * each), or NULL. */
static GPtrArray *
snapshot_node (ZbusObjectServer *self,
               const char       *path)
{
  GPtrArray *node;

  g_mutex_lock (&servers_lock);
  node = g_hash_table_lookup (self->nodes, path);
  if (node != NULL)
    g_ptr_array_ref (node);
  g_mutex_unlock (&servers_lock);
  return node;
}

/* A new node array: @node's interfaces but @except, and @extra. */
static GPtrArray *
copy_node (GPtrArray     *node,
           ZbusInterface *except,
           ZbusInterface *extra)
{
  GPtrArray *copy = g_ptr_array_new_full (node ? node->len + 1 : 1, g_object_unref);

  for (guint i = 0; node != NULL && i < node->len; i++)
    if (g_ptr_array_index (node, i) != except)
      g_ptr_array_add (copy, g_object_ref (g_ptr_array_index (node, i)));
  if (extra != NULL)
    g_ptr_array_add (copy, g_object_ref (extra));
  return copy;
}

/* Every node strictly below @path: path → the interfaces there, each with a
 * reference. */
GHashTable *
_zbus_object_server_snapshot_below (ZbusObjectServer *self,
                                    const char       *path)
{
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&servers_lock);
  GHashTable *below = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) g_ptr_array_unref);
  GHashTableIter iter;
  const char *key;
  GPtrArray *node;

  g_hash_table_iter_init (&iter, self->nodes);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, (gpointer *) &node))
    if (is_below (key, path))
      g_hash_table_insert (below, g_strdup (key), g_ptr_array_ref (node));
  return below;
}

static ZbusInterface *
find_by_name (GPtrArray  *node,
              const char *name)
{
  for (guint i = 0; node != NULL && i < node->len; i++)
    {
      ZbusInterface *iface = g_ptr_array_index (node, i);

      if (g_strcmp0 (_zbus_interface_get_info (iface)->name, name) == 0)
        return iface;
    }
  return NULL;
}

static ZbusInterface *
find_by_type (GPtrArray *node,
              GType      type)
{
  for (guint i = 0; node != NULL && i < node->len; i++)
    {
      ZbusInterface *iface = g_ptr_array_index (node, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (iface, type))
        return iface;
    }
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* Answering */

static void
send_or_warn (ZbusObjectServer *self,
              ZbusMessage      *call,
              ZbusMessage      *reply)
{
  g_autoptr(GError) error = NULL;

  if (zbus_message_get_flags (call) & ZBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED)
    return;
  if (!zbus_connection_send_message (self->connection, reply, NULL, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED))
    g_warning ("Could not send a reply: %s", error->message);
}

G_GNUC_PRINTF (4, 5)
static void
reply_error (ZbusObjectServer *self,
             ZbusMessage      *call,
             const char       *name,
             const char       *format,
             ...)
{
  g_autofree char *text = NULL;
  g_autoptr(ZbusMessage) reply = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  reply = zbus_message_new_error (call, name, text, NULL);
  send_or_warn (self, call, reply);
}

static void
reply_value (ZbusObjectServer *self,
             ZbusMessage      *call,
             GVariant         *body)
{
  g_autoptr(ZbusMessage) reply = zbus_message_new_method_reply (call);

  if (body != NULL)
    zbus_message_set_body (reply, body, NULL);
  send_or_warn (self, call, reply);
}

static const char *
machine_id (void)
{
  static gsize id = 0;

  if (g_once_init_enter (&id))
    {
      char *contents = NULL;

      if (!g_file_get_contents ("/etc/machine-id", &contents, NULL, NULL) &&
          !g_file_get_contents ("/var/lib/dbus/machine-id", &contents, NULL, NULL))
        contents = g_strdup ("");
      g_once_init_leave (&id, (gsize) g_strstrip (contents));
    }
  return (const char *) id;
}

static gboolean
body_is (ZbusMessage *call,
         const char  *signature)
{
  return g_str_equal (zbus_message_get_signature (call), signature);
}

static void
bad_args (ZbusObjectServer *self,
          ZbusMessage      *call,
          const char       *interface_,
          const char       *expected)
{
  reply_error (self, call, "org.freedesktop.DBus.Error.InvalidArgs",
               "Method “%s” of interface “%s” takes “(%s)”, not “(%s)”",
               zbus_message_get_member (call), interface_, expected,
               zbus_message_get_signature (call));
}

static void
handle_peer (ZbusObjectServer *self,
             ZbusMessage      *call)
{
  const char *member = zbus_message_get_member (call);

  if (g_str_equal (member, "Ping") || g_str_equal (member, "GetMachineId"))
    {
      if (!body_is (call, ""))
        bad_args (self, call, ZBUS_PEER_INTERFACE, "");
      else
        reply_value (self, call, g_str_equal (member, "Ping") ? NULL
                                   : g_variant_new ("(s)", machine_id ()));
    }
  else
    reply_error (self, call, "org.freedesktop.DBus.Error.UnknownMethod",
                 "No method “%s” in interface “%s”", member, ZBUS_PEER_INTERFACE);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The names of the nodes right below @path. */
static GPtrArray *
list_children_locked (ZbusObjectServer *self,
                      const char       *path)
{
  GPtrArray *children = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  gsize prefix = g_str_equal (path, "/") ? 1 : strlen (path) + 1;
  GHashTableIter iter;
  const char *key;

  g_hash_table_iter_init (&iter, self->nodes);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, NULL))
    {
      const char *rest, *slash;
      char *child;

      if (!is_below (key, path))
        continue;
      rest = key + prefix;
      slash = strchr (rest, '/');
      child = slash ? g_strndup (rest, slash - rest) : g_strdup (rest);
      if (g_hash_table_add (seen, child))
        g_ptr_array_add (children, child);
      else
        g_free (child);
    }
  g_ptr_array_sort (children, compare_strings);
  return children;
}

/**
 * zbus_object_server_introspect:
 * @self: an object server
 * @path: an object path
 *
 * Gets the introspection XML `org.freedesktop.DBus.Introspectable.Introspect`
 * answers at @path: the standard interfaces, `org.freedesktop.DBus.ObjectManager`
 * if an object manager is there, every interface served there, and the child
 * nodes below it.
 *
 * Returns: (transfer full) (nullable): the XML, or %NULL if nothing is
 *   served or managed at or below @path
 *
 * Since: 1.0
 */
char *
zbus_object_server_introspect (ZbusObjectServer *self,
                               const char       *path)
{
  g_autoptr(GPtrArray) node = NULL;
  g_autoptr(GPtrArray) children = NULL;
  gboolean manager;
  GString *xml;

  g_return_val_if_fail (ZBUS_IS_OBJECT_SERVER (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  node = snapshot_node (self, path);
  g_mutex_lock (&servers_lock);
  children = list_children_locked (self, path);
  g_mutex_unlock (&servers_lock);
  manager = _zbus_object_server_is_manager (self, path);
  _zbus_object_server_add_manager_children (self, path, children);
  if (node == NULL && children->len == 0 && !manager)
    return NULL;

  xml = g_string_new ("<!DOCTYPE node PUBLIC \"-//freedesktop//DTD D-BUS Object Introspection 1.0//EN\"\n"
                      "\"http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd\">\n"
                      "<node>\n");
  g_string_append (xml, standard_interfaces_xml);
  if (manager)
    g_string_append (xml, _zbus_object_manager_xml);
  for (guint i = 0; node != NULL && i < node->len; i++)
    g_string_append (xml, _zbus_interface_get_info (g_ptr_array_index (node, i))->xml);
  for (guint i = 0; i < children->len; i++)
    {
      g_autofree char *escaped = g_markup_escape_text (g_ptr_array_index (children, i), -1);

      g_string_append_printf (xml, "  <node name=\"%s\"/>\n", escaped);
    }
  g_string_append (xml, "</node>\n");
  return g_string_free (xml, FALSE);
}

static void
handle_introspectable (ZbusObjectServer *self,
                       ZbusMessage      *call)
{
  g_autofree char *xml = NULL;

  if (!g_str_equal (zbus_message_get_member (call), "Introspect"))
    {
      reply_error (self, call, "org.freedesktop.DBus.Error.UnknownMethod",
                   "No method “%s” in interface “%s”", zbus_message_get_member (call),
                   ZBUS_INTROSPECTABLE_INTERFACE);
      return;
    }
  if (!body_is (call, ""))
    {
      bad_args (self, call, ZBUS_INTROSPECTABLE_INTERFACE, "");
      return;
    }
  xml = zbus_object_server_introspect (self, zbus_message_get_path (call));
  if (xml == NULL)
    reply_error (self, call, "org.freedesktop.DBus.Error.UnknownObject",
                 "No object at path “%s”", zbus_message_get_path (call));
  else
    reply_value (self, call, g_variant_new ("(s)", xml));
}

/* ------------------------------------------------------------------------ */
/* Properties */

/* Reads one property with @frame's call current. Returns the value, or
 * NULL when the getter answered (failed or deferred) by itself. */
static GVariant *
read_property (ZbusObjectServer       *self,
               ZbusInterface          *iface,
               const ZbusPropertyInfo *p,
               ZbusCallFrame          *frame,
               GError                **error)
{
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, p->pspec->value_type);
  _zbus_call_frame_push (frame);
  g_object_get_property (G_OBJECT (iface), p->pspec->name, &value);
  _zbus_call_frame_pop (frame);
  if (_zbus_call_frame_is_settled (frame))
    return NULL;
  return _zbus_value_to_variant (&value, p->signature, self->connection, error);
}

/* The string at @index of @body, a tuple. Not g_variant_get (…, "(&s…)"):
 * a borrowed string makes GLib serialize the whole body, which the codec
 * built in tree form. @child keeps the string. */
static const char *
peek_string (GVariant  *body,
             gsize      index,
             GVariant **child)
{
  *child = g_variant_get_child_value (body, index);
  return g_variant_get_string (*child, NULL);
}

static const ZbusPropertyInfo *
find_property_or_fail (ZbusObjectServer *self,
                       ZbusMessage      *call,
                       GPtrArray        *node,
                       const char       *iface_name,
                       const char       *prop_name,
                       ZbusInterface   **out_iface)
{
  ZbusInterface *iface = find_by_name (node, iface_name);
  const ZbusPropertyInfo *p;

  if (iface == NULL)
    {
      reply_error (self, call, "org.freedesktop.DBus.Error.UnknownInterface",
                   "No interface “%s” at path “%s”", iface_name, zbus_message_get_path (call));
      return NULL;
    }
  p = _zbus_interface_info_find_property (_zbus_interface_get_info (iface), prop_name);
  if (p == NULL)
    {
      reply_error (self, call, "org.freedesktop.DBus.Error.UnknownProperty",
                   "No property “%s” in interface “%s”", prop_name, iface_name);
      return NULL;
    }
  *out_iface = iface;
  return p;
}

static void
handle_get (ZbusObjectServer *self,
            ZbusMessage      *call,
            GPtrArray        *node)
{
  GVariant *body = zbus_message_get_body (call);
  g_autoptr(GVariant) iface_v = NULL;
  g_autoptr(GVariant) prop_v = NULL;
  const char *iface_name = peek_string (body, 0, &iface_v);
  const char *prop_name = peek_string (body, 1, &prop_v);
  const ZbusPropertyInfo *p;
  ZbusInterface *iface = NULL;
  g_autoptr(GVariant) value = NULL;
  g_autoptr(GError) error = NULL;

  p = find_property_or_fail (self, call, node, iface_name, prop_name, &iface);
  if (p == NULL)
    return;
  if (!p->readable)
    {
      reply_error (self, call, "org.freedesktop.DBus.Error.AccessDenied",
                   "Property “%s” of interface “%s” is write-only", prop_name, iface_name);
      return;
    }
  {
    ZbusCallFrame frame = ZBUS_CALL_FRAME_INIT (self, self->connection, iface, call, "(v)", FALSE);

    value = read_property (self, iface, p, &frame, &error);
    if (value != NULL)
      {
        GVariant *boxed = g_variant_new_variant (value);

        _zbus_call_frame_return_value (&frame, g_variant_new_tuple (&boxed, 1), NULL);
      }
    else if (error != NULL)
      _zbus_call_frame_return_dbus_error (&frame, "org.freedesktop.DBus.Error.Failed",
                                          error->message);
    _zbus_call_frame_clear (&frame);
  }
}

/* The readable properties of @iface as an a{sv}, each read with a scratch
 * invocation of @call current. A property whose getter fails is left out,
 * so one fallible property does not hide the others. */
GVariant *
_zbus_object_server_read_properties (ZbusObjectServer *self,
                                     ZbusInterface    *iface,
                                     ZbusMessage      *call)
{
  const ZbusInterfaceInfo *info = _zbus_interface_get_info (iface);
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  for (guint i = 0; i < info->properties->len; i++)
    {
      const ZbusPropertyInfo *p = g_ptr_array_index (info->properties, i);
      ZbusCallFrame scratch = ZBUS_CALL_FRAME_INIT (self, self->connection, iface, call, NULL, TRUE);
      g_autoptr(GVariant) value = NULL;

      if (!p->readable)
        continue;
      value = read_property (self, iface, p, &scratch, NULL);
      if (value != NULL)
        g_variant_builder_add (&builder, "{sv}", p->name, value);
      _zbus_call_frame_clear (&scratch);
    }
  return g_variant_builder_end (&builder);
}

static void
handle_get_all (ZbusObjectServer *self,
                ZbusMessage      *call,
                GPtrArray        *node)
{
  g_autoptr(GVariant) iface_v = NULL;
  const char *iface_name = peek_string (zbus_message_get_body (call), 0, &iface_v);
  ZbusInterface *iface;
  ZbusCallFrame frame;
  GVariant *properties;

  iface = find_by_name (node, iface_name);
  if (iface == NULL)
    {
      if (g_str_has_prefix (iface_name, "org.freedesktop.DBus."))
        reply_value (self, call, g_variant_new ("(a{sv})", NULL));
      else
        reply_error (self, call, "org.freedesktop.DBus.Error.UnknownInterface",
                     "No interface “%s” at path “%s”", iface_name, zbus_message_get_path (call));
      return;
    }

  frame = (ZbusCallFrame) ZBUS_CALL_FRAME_INIT (self, self->connection, iface, call, NULL, FALSE);
  properties = _zbus_object_server_read_properties (self, iface, call);
  _zbus_call_frame_return_value (&frame, g_variant_new_tuple (&properties, 1), NULL);
}

static void
handle_set (ZbusObjectServer *self,
            ZbusMessage      *call,
            GPtrArray        *node)
{
  GVariant *body = zbus_message_get_body (call);
  g_autoptr(GVariant) iface_v = NULL;
  g_autoptr(GVariant) prop_v = NULL;
  g_autoptr(GVariant) boxed = g_variant_get_child_value (body, 2);
  g_autoptr(GVariant) inner = g_variant_get_variant (boxed);
  const char *iface_name = peek_string (body, 0, &iface_v);
  const char *prop_name = peek_string (body, 1, &prop_v);
  const ZbusPropertyInfo *p;
  ZbusInterface *iface = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;
  ZbusCallFrame frame;

  p = find_property_or_fail (self, call, node, iface_name, prop_name, &iface);
  if (p == NULL)
    return;
  if (!p->writable)
    {
      reply_error (self, call, "org.freedesktop.DBus.Error.PropertyReadOnly",
                   "Property “%s” of interface “%s” is read-only", prop_name, iface_name);
      return;
    }

  g_value_init (&value, p->pspec->value_type);
  if (g_str_equal (p->signature, "v"))
    {
      GVariant *wrapped = g_variant_ref_sink (g_variant_new_variant (inner));

      g_variant_unref (inner);
      inner = wrapped;
    }
  if (!_zbus_variant_to_value (inner, &value, p->signature, self->connection, &error))
    {
      reply_error (self, call, "org.freedesktop.DBus.Error.InvalidArgs",
                   "Property “%s” of interface “%s” has type “%s”: %s",
                   prop_name, iface_name, p->signature, error->message);
      return;
    }
  if (g_param_value_validate (p->pspec, &value))
    {
      reply_error (self, call, "org.freedesktop.DBus.Error.InvalidArgs",
                   "The value is out of range for property “%s” of interface “%s”",
                   prop_name, iface_name);
      return;
    }

  frame = (ZbusCallFrame) ZBUS_CALL_FRAME_INIT (self, self->connection, iface, call, NULL, FALSE);
  _zbus_call_frame_push (&frame);
  g_object_set_property (G_OBJECT (iface), p->pspec->name, &value);
  _zbus_call_frame_pop (&frame);
  if (!_zbus_call_frame_is_settled (&frame))
    _zbus_call_frame_return_value (&frame, NULL, NULL);
  _zbus_call_frame_clear (&frame);
}

static void
handle_properties (ZbusObjectServer *self,
                   ZbusMessage      *call,
                   GPtrArray        *node)
{
  const char *member = zbus_message_get_member (call);

  if (g_str_equal (member, "Get"))
    {
      if (body_is (call, "ss"))
        handle_get (self, call, node);
      else
        bad_args (self, call, ZBUS_PROPERTIES_INTERFACE, "ss");
    }
  else if (g_str_equal (member, "GetAll"))
    {
      if (body_is (call, "s"))
        handle_get_all (self, call, node);
      else
        bad_args (self, call, ZBUS_PROPERTIES_INTERFACE, "s");
    }
  else if (g_str_equal (member, "Set"))
    {
      if (body_is (call, "ssv"))
        handle_set (self, call, node);
      else
        bad_args (self, call, ZBUS_PROPERTIES_INTERFACE, "ssv");
    }
  else
    reply_error (self, call, "org.freedesktop.DBus.Error.UnknownMethod",
                 "No method “%s” in interface “%s”", member, ZBUS_PROPERTIES_INTERFACE);
}

/* ------------------------------------------------------------------------ */
/* Methods */

/* Returns a full reference; copies of the descriptors of `h` values join
 * @fds. */
static GVariant *
make_reply_body (ZbusObjectServer     *self,
                 const ZbusMemberInfo *m,
                 GValue               *ret,
                 GUnixFDList          *fds,
                 GError              **error)
{
  gsize inner_len = strlen (m->out_signature) - 2;
  char inner_buf[64];
  g_autofree char *inner_owned = NULL;
  const char *inner;
  g_autoptr(GVariant) v = NULL;

  if (inner_len == 0)
    return g_variant_ref_sink (g_variant_new_tuple (NULL, 0));
  if (inner_len < sizeof inner_buf)
    {
      memcpy (inner_buf, m->out_signature + 1, inner_len);
      inner_buf[inner_len] = '\0';
      inner = inner_buf;
    }
  else
    inner = inner_owned = g_strndup (m->out_signature + 1, inner_len);

  /* A GVariant return of several out-arguments is the whole tuple. */
  if (G_VALUE_HOLDS (ret, G_TYPE_VARIANT) && !zbus_is_single_complete_type (inner))
    {
      GVariant *tuple = g_value_get_variant (ret);

      if (tuple == NULL || !g_str_equal (g_variant_get_type_string (tuple), m->out_signature))
        {
          g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED,
                       "The handler of %s returned “%s” where “%s” is declared", m->name,
                       tuple ? g_variant_get_type_string (tuple) : "NULL", m->out_signature);
          return NULL;
        }
      return g_variant_ref (tuple);
    }
  v = _zbus_value_to_variant_full (ret, inner, self->connection, fds, error);
  return v ? g_variant_ref_sink (g_variant_new_tuple (&v, 1)) : NULL;
}

/* A method of a method table: the handler answers through the invocation,
 * now or later; the arguments were checked against its in signature. */
static void
invoke_table_method (ZbusObjectServer     *self,
                     ZbusInterface        *iface,
                     const ZbusMemberInfo *m,
                     ZbusMessage          *call)
{
  g_autoptr(ZbusMethodInvocation) invocation = NULL;

  invocation = _zbus_method_invocation_new (self, self->connection, iface, call, FALSE);
  _zbus_method_invocation_set_out_signature (invocation, m->out_signature);
  _zbus_method_invocation_push_current (invocation);
  m->func (iface, invocation, zbus_method_invocation_get_parameters (invocation), m->func_data);
  _zbus_method_invocation_pop_current (invocation);
}

/* An action signal: its invocation is made only for an async method or
 * when the handler asks for it (zbus_method_invocation_get_current()); a
 * sync handler's return value is otherwise answered directly. */
static void
invoke_method (ZbusObjectServer     *self,
               ZbusInterface        *iface,
               const ZbusMemberInfo *m,
               ZbusMessage          *call)
{
  ZbusCallFrame frame = ZBUS_CALL_FRAME_INIT (self, self->connection, iface, call,
                                              m->out_signature, FALSE);
  GVariant *body = zbus_message_get_body (call);
  guint n_values = m->query.n_params + 1;
  GValue stack_values[8];
  GValue *values;
  g_auto(GValue) ret = G_VALUE_INIT;
  GType rtype = m->query.return_type & ~G_SIGNAL_TYPE_STATIC_SCOPE;
  g_autoptr(GError) error = NULL;

  if (m->func != NULL)
    {
      invoke_table_method (self, iface, m, call);
      return;
    }

  if (n_values <= G_N_ELEMENTS (stack_values))
    {
      memset (stack_values, 0, n_values * sizeof (GValue));
      values = stack_values;
    }
  else
    values = g_new0 (GValue, n_values);

  g_value_init (&values[0], G_OBJECT_TYPE (iface));
  g_value_set_object (&values[0], iface);
  if (m->is_async)
    {
      g_value_init (&values[1], ZBUS_TYPE_METHOD_INVOCATION);
      g_value_set_object (&values[1], _zbus_call_frame_get_invocation (&frame));
    }
  for (guint i = m->first_arg; i < m->query.n_params; i++)
    {
      g_autoptr(GVariant) arg = g_variant_get_child_value (body, i - m->first_arg);

      g_value_init (&values[i + 1], m->query.param_types[i] & ~G_SIGNAL_TYPE_STATIC_SCOPE);
      if (!_zbus_variant_to_value_full (arg, &values[i + 1], m->arg_sigs[i - m->first_arg],
                                        self->connection, zbus_message_get_unix_fd_list (call),
                                        &error))
        {
          g_prefix_error (&error, "Argument %u of %s: ", i - m->first_arg, m->name);
          _zbus_call_frame_return_gerror (&frame, error);
          goto out;
        }
    }

  if (rtype != G_TYPE_NONE)
    g_value_init (&ret, rtype);
  _zbus_call_frame_push (&frame);
  g_signal_emitv (values, m->signal_id, 0, rtype != G_TYPE_NONE ? &ret : NULL);
  _zbus_call_frame_pop (&frame);

  if (m->is_async || _zbus_call_frame_is_settled (&frame))
    goto out;

  /* A handler returning nothing where out-arguments are declared had to
   * answer through zbus_method_invocation_get_current(). */
  if (rtype == G_TYPE_NONE && m->out_signature[2] != '\0')
    {
      g_autofree char *message =
        g_strdup_printf ("The handler of %s returned nothing and did not answer through its "
                         "invocation, where “%s” is declared", m->name, m->out_signature);

      g_warning ("%s", message);
      _zbus_call_frame_return_dbus_error (&frame, "org.freedesktop.DBus.Error.Failed", message);
      goto out;
    }

  {
    /* Only an `h` out-argument can add descriptors. */
    g_autoptr(GUnixFDList) fds = strchr (m->out_signature, 'h') ? g_unix_fd_list_new () : NULL;
    g_autoptr(GVariant) reply = make_reply_body (self, m, &ret, fds, &error);

    /* A returned descriptor is handed over: the reply has its copy. */
    if (G_VALUE_HOLDS_INT (&ret) && g_str_equal (m->out_signature, "(h)") &&
        g_value_get_int (&ret) >= 0)
      g_close (g_value_get_int (&ret), NULL);

    if (reply == NULL)
      {
        g_warning ("%s", error->message);
        _zbus_call_frame_return_dbus_error (&frame, "org.freedesktop.DBus.Error.Failed",
                                            error->message);
      }
    else
      _zbus_call_frame_return_value (&frame, reply,
                                     fds != NULL && g_unix_fd_list_get_length (fds) > 0 ? fds : NULL);
  }

out:
  for (guint i = 0; i < n_values; i++)
    if (G_IS_VALUE (&values[i]))
      g_value_unset (&values[i]);
  if (values != stack_values)
    g_free (values);
  _zbus_call_frame_clear (&frame);
}

/* A call without an interface field: the member must be unambiguous. */
static ZbusInterface *
resolve_member (GPtrArray             *node,
                const char            *member,
                const ZbusMemberInfo **out_method,
                guint                 *n_found)
{
  ZbusInterface *found = NULL;

  *n_found = 0;
  for (guint i = 0; node != NULL && i < node->len; i++)
    {
      ZbusInterface *iface = g_ptr_array_index (node, i);
      const ZbusMemberInfo *m = _zbus_interface_info_find_method (_zbus_interface_get_info (iface), member);

      if (m != NULL)
        {
          found = iface;
          *out_method = m;
          (*n_found)++;
        }
    }
  return found;
}

static const char * const standard_members[][2] = {
  { "Ping", ZBUS_PEER_INTERFACE },
  { "GetMachineId", ZBUS_PEER_INTERFACE },
  { "Introspect", ZBUS_INTROSPECTABLE_INTERFACE },
  { "Get", ZBUS_PROPERTIES_INTERFACE },
  { "GetAll", ZBUS_PROPERTIES_INTERFACE },
  { "Set", ZBUS_PROPERTIES_INTERFACE },
  { "GetManagedObjects", ZBUS_OBJECT_MANAGER_INTERFACE },
};

static void
handle_method (ZbusObjectServer *self,
               ZbusMessage      *call,
               GPtrArray        *node,
               const char       *iface_name)
{
  const char *member = zbus_message_get_member (call);
  const ZbusMemberInfo *m = NULL;
  ZbusInterface *iface;

  if (iface_name != NULL)
    {
      iface = find_by_name (node, iface_name);
      if (iface == NULL)
        {
          reply_error (self, call, "org.freedesktop.DBus.Error.UnknownInterface",
                       "No interface “%s” at path “%s”", iface_name, zbus_message_get_path (call));
          return;
        }
      m = _zbus_interface_info_find_method (_zbus_interface_get_info (iface), member);
      if (m == NULL)
        {
          reply_error (self, call, "org.freedesktop.DBus.Error.UnknownMethod",
                       "No method “%s” in interface “%s”", member, iface_name);
          return;
        }
    }
  else
    {
      guint n;

      iface = resolve_member (node, member, &m, &n);
      if (n != 1)
        {
          reply_error (self, call, "org.freedesktop.DBus.Error.UnknownMethod",
                       n == 0 ? "No method “%s” at path “%s”"
                              : "Method “%s” at path “%s” is in several interfaces: give the interface",
                       member, zbus_message_get_path (call));
          return;
        }
      iface_name = _zbus_interface_get_info (iface)->name;
    }

  if (strncmp (m->in_signature + 1, zbus_message_get_signature (call), strlen (m->in_signature) - 2) != 0 ||
      strlen (zbus_message_get_signature (call)) != strlen (m->in_signature) - 2)
    {
      g_autofree char *expected = g_strndup (m->in_signature + 1, strlen (m->in_signature) - 2);

      bad_args (self, call, iface_name, expected);
      return;
    }
  invoke_method (self, iface, m, call);
}

static void
dispatch_call (ZbusObjectServer *self,
               ZbusMessage      *call)
{
  const char *iface_name = zbus_message_get_interface (call);
  const char *member = zbus_message_get_member (call);
  g_autoptr(GPtrArray) node = snapshot_node (self, zbus_message_get_path (call));

  /* Without an interface, a standard member wins unless a served interface
   * has a method of that name. */
  if (iface_name == NULL)
    {
      const ZbusMemberInfo *m;
      guint n;

      resolve_member (node, member, &m, &n);
      for (guint i = 0; n == 0 && i < G_N_ELEMENTS (standard_members); i++)
        if (g_str_equal (member, standard_members[i][0]))
          iface_name = standard_members[i][1];
    }

  if (g_strcmp0 (iface_name, ZBUS_PEER_INTERFACE) == 0)
    handle_peer (self, call);
  else if (g_strcmp0 (iface_name, ZBUS_INTROSPECTABLE_INTERFACE) == 0)
    handle_introspectable (self, call);
  else if (g_strcmp0 (iface_name, ZBUS_OBJECT_MANAGER_INTERFACE) == 0 &&
           _zbus_object_server_is_manager (self, zbus_message_get_path (call)))
    _zbus_object_server_handle_manager_call (self, call);
  else if (node == NULL && !_zbus_object_server_is_manager (self, zbus_message_get_path (call)))
    reply_error (self, call, "org.freedesktop.DBus.Error.UnknownObject",
                 "No object at path “%s”", zbus_message_get_path (call));
  else if (g_strcmp0 (iface_name, ZBUS_PROPERTIES_INTERFACE) == 0)
    handle_properties (self, call, node);
  else
    handle_method (self, call, node, iface_name);
}

void
_zbus_object_server_dispatch (ZbusObjectServer *self,
                              ZbusMessage      *call)
{
  if (self->connection != NULL)
    dispatch_call (self, call);
}

/* The interface a call is for, resolved as dispatch_call() does. */
ZbusInterface *
_zbus_object_server_find_target (ZbusObjectServer *self,
                                 ZbusMessage      *call)
{
  const char *iface_name = zbus_message_get_interface (call);
  const char *member = zbus_message_get_member (call);
  g_autoptr(GPtrArray) node = snapshot_node (self, zbus_message_get_path (call));
  ZbusInterface *iface = NULL;

  if (node == NULL)
    return NULL;
  if (iface_name == NULL)
    {
      const ZbusMemberInfo *m;
      guint n;

      iface = resolve_member (node, member, &m, &n);
      if (n != 1)
        iface = NULL;
    }
  else if (g_str_equal (iface_name, ZBUS_PROPERTIES_INTERFACE))
    {
      if ((g_str_equal (member, "Get") && body_is (call, "ss")) ||
          (g_str_equal (member, "Set") && body_is (call, "ssv")) ||
          (g_str_equal (member, "GetAll") && body_is (call, "s")))
        {
          const char *name;

          g_variant_get_child (zbus_message_get_body (call), 0, "&s", &name);
          iface = find_by_name (node, name);
        }
    }
  else
    iface = find_by_name (node, iface_name);

  return iface ? g_object_ref (iface) : NULL;
}

/* Whether @call is `GetManagedObjects` to an object manager, resolved as
 * dispatch_call() does. */
gboolean
_zbus_object_server_is_manager_call (ZbusObjectServer *self,
                                     ZbusMessage      *call)
{
  const char *iface_name = zbus_message_get_interface (call);
  const char *path = zbus_message_get_path (call);

  if (g_strcmp0 (zbus_message_get_member (call), "GetManagedObjects") != 0 ||
      !_zbus_object_server_is_manager (self, path))
    return FALSE;
  if (iface_name == NULL)
    {
      g_autoptr(GPtrArray) node = snapshot_node (self, path);
      const ZbusMemberInfo *m;
      guint n;

      resolve_member (node, "GetManagedObjects", &m, &n);
      return n == 0;
    }
  return g_str_equal (iface_name, ZBUS_OBJECT_MANAGER_INTERFACE);
}

ZbusCallControl *
_zbus_object_server_get_control (ZbusObjectServer *self)
{
  return self->control;
}

gboolean
_zbus_object_server_has_authorizer (ZbusObjectServer *self)
{
  return g_signal_has_handler_pending (self, signals[SIGNAL_AUTHORIZE_CALL], 0, TRUE);
}

gboolean
_zbus_object_server_emit_authorize (ZbusObjectServer     *self,
                                    ZbusMethodInvocation *invocation)
{
  gboolean handled = FALSE;

  g_signal_emit (self, signals[SIGNAL_AUTHORIZE_CALL], 0, invocation, &handled);
  return handled;
}

/* Runs on the connection's context for each incoming message. */
static gboolean
message_cb (ZbusConnection *connection,
            ZbusMessage    *message,
            gpointer        user_data)
{
  ZbusObjectServer *self = user_data;
  g_autoptr(ZbusObjectServer) hold = NULL;

  if (zbus_message_get_message_type (message) != ZBUS_MESSAGE_TYPE_METHOD_CALL ||
      self->connection == NULL)
    return FALSE;
  /* On the GDBus transport the claimer decided in GDBus's worker thread,
   * and GDBus answers the calls left to it: asking again here could differ
   * (an object removed or added since), leaving a call unanswered or
   * answered twice. A claimed call is answered whatever is served now. */
  if (message->claim == ZBUS_CLAIM_LEFT ||
      (message->claim == ZBUS_CLAIM_UNASKED && !takes_call (self, message)))
    return FALSE;

  hold = g_object_ref (self);
  /* Without an authorizer, strict-order types or calls waiting, a call
   * goes straight to its handler. */
  if (G_LIKELY (_zbus_call_control_is_idle (self->control)))
    dispatch_call (self, message);
  else
    _zbus_call_control_admit (self->control, message);
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* One per connection */

static void
unexport_all (ZbusObjectServer *self)
{
  g_autoptr(GHashTable) nodes = NULL;
  GHashTableIter iter;
  const char *path;
  GPtrArray *node;

  g_mutex_lock (&servers_lock);
  nodes = g_steal_pointer (&self->nodes);
  self->nodes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) g_ptr_array_unref);
  g_mutex_unlock (&servers_lock);

  g_hash_table_iter_init (&iter, nodes);
  while (g_hash_table_iter_next (&iter, (gpointer *) &path, (gpointer *) &node))
    for (guint i = 0; i < node->len; i++)
      _zbus_interface_remove_export (g_ptr_array_index (node, i), self, path);
}

/* Runs while the connection is disposed. */
static void
connection_gone_cb (gpointer  data,
                    GObject  *where_the_object_was)
{
  ZbusObjectServer *self = data;
  ZbusConnection *connection = ZBUS_CONNECTION (where_the_object_was);

  _zbus_connection_set_call_claimer (connection, NULL, NULL);
  _zbus_connection_remove_handler (connection, self->handler_id);
  _zbus_call_control_clear (self->control);
  g_mutex_lock (&servers_lock);
  g_hash_table_remove (live_servers, self);
  g_mutex_unlock (&servers_lock);
  g_object_set_data (G_OBJECT (connection), "zbus-object-server", NULL);

  unexport_all (self);
  self->connection = NULL;
  g_object_unref (self);
}

/**
 * zbus_object_server_get_for_connection:
 * @connection: a connection
 *
 * Gets the object server of @connection, making it on first use. It lives as
 * long as the connection. Safe from any thread.
 *
 * Returns: (transfer none): the object server
 *
 * Since: 1.0
 */
ZbusObjectServer *
zbus_object_server_get_for_connection (ZbusConnection *connection)
{
  static GMutex create_lock;
  ZbusObjectServer *self;

  g_return_val_if_fail (ZBUS_IS_CONNECTION (connection), NULL);

  g_mutex_lock (&create_lock);
  self = g_object_get_data (G_OBJECT (connection), "zbus-object-server");
  if (self == NULL)
    {
      self = g_object_new (ZBUS_TYPE_OBJECT_SERVER, NULL);
      self->connection = connection;
      self->control = _zbus_call_control_new (self, zbus_connection_get_main_context (connection));
      g_mutex_lock (&servers_lock);
      if (live_servers == NULL)
        live_servers = g_hash_table_new (NULL, NULL);
      g_hash_table_add (live_servers, self);
      g_mutex_unlock (&servers_lock);
      self->handler_id = _zbus_connection_add_handler (connection, message_cb, self, NULL);
      _zbus_connection_set_call_claimer (connection, claim_call_cb, self);
      g_object_weak_ref (G_OBJECT (connection), connection_gone_cb, self);
      g_object_set_data (G_OBJECT (connection), "zbus-object-server", self);
    }
  g_mutex_unlock (&create_lock);
  return self;
}

/**
 * zbus_object_server_get_connection:
 * @self: an object server
 *
 * Gets the connection @self serves on.
 *
 * Returns: (transfer none) (nullable): the connection, %NULL once it is
 *   gone
 *
 * Since: 1.0
 */
ZbusConnection *
zbus_object_server_get_connection (ZbusObjectServer *self)
{
  g_return_val_if_fail (ZBUS_IS_OBJECT_SERVER (self), NULL);

  return self->connection;
}

ZbusConnection *
_zbus_object_server_peek_connection (ZbusObjectServer *self)
{
  return self->connection;
}

/**
 * zbus_object_server_at:
 * @self: an object server
 * @path: an object path
 * @iface: the interface instance to serve
 * @error: return location for a #GError
 *
 * Serves @iface at @path. The same instance may be served at several paths
 * and on several connections; its signals go out on all of them. The first
 * time a type is served, its D-Bus description is derived; a member without
 * a D-Bus mapping is reported in @error. The nearest object manager above
 * @path, if any, emits `InterfacesAdded`.
 *
 * Call it in the thread that uses @iface — where its signals are emitted
 * and its properties change, which is normally the thread running the
 * connection's main context: serving connects to those signals, which is
 * not safe against their emission in another thread. The table of served
 * paths itself is locked, so a call arriving meanwhile finds @iface either
 * served or not. Do not serve or remove the same instance from two threads
 * at once.
 *
 * Returns: %TRUE if added; %FALSE without an error if an interface of the
 *   same name is already at @path, %FALSE with @error set if the type cannot
 *   be served or @path is not an object path
 *
 * Since: 1.0
 */
gboolean
zbus_object_server_at (ZbusObjectServer  *self,
                       const char        *path,
                       ZbusInterface     *iface,
                       GError           **error)
{
  const ZbusInterfaceInfo *info;
  GPtrArray *node;

  g_return_val_if_fail (ZBUS_IS_OBJECT_SERVER (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (ZBUS_IS_INTERFACE (iface), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!g_variant_is_object_path (path))
    {
      g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME, "“%s” is not an object path", path);
      return FALSE;
    }
  info = _zbus_interface_info_get (G_OBJECT_TYPE (iface), error);
  if (info == NULL)
    return FALSE;
  if (self->connection == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "The connection is gone");
      return FALSE;
    }

  g_mutex_lock (&servers_lock);
  node = g_hash_table_lookup (self->nodes, path);
  if (node != NULL && find_by_name (node, info->name) != NULL)
    {
      g_mutex_unlock (&servers_lock);
      return FALSE;
    }
  g_hash_table_insert (self->nodes, g_strdup (path), copy_node (node, NULL, iface));
  g_mutex_unlock (&servers_lock);

  _zbus_interface_add_export (iface, self, path);
  _zbus_object_server_interface_added (self, path, iface);
  return TRUE;
}

static gboolean
remove_matching (ZbusObjectServer *self,
                 const char       *path,
                 GType             type,
                 const char       *name)
{
  g_autoptr(ZbusInterface) removed = NULL;
  GPtrArray *node;

  g_mutex_lock (&servers_lock);
  node = g_hash_table_lookup (self->nodes, path);
  for (guint i = 0; node != NULL && i < node->len; i++)
    {
      ZbusInterface *iface = g_ptr_array_index (node, i);

      if (name != NULL ? g_str_equal (_zbus_interface_get_info (iface)->name, name)
                       : G_TYPE_CHECK_INSTANCE_TYPE (iface, type))
        {
          removed = g_object_ref (iface);
          break;
        }
    }
  if (removed != NULL && node->len == 1)
    g_hash_table_remove (self->nodes, path);
  else if (removed != NULL)
    g_hash_table_insert (self->nodes, g_strdup (path), copy_node (node, removed, NULL));
  g_mutex_unlock (&servers_lock);

  if (removed == NULL)
    return FALSE;
  /* Its pending PropertiesChanged leaves before InterfacesRemoved. */
  _zbus_interface_remove_export (removed, self, path);
  _zbus_object_server_interface_removed (self, path, removed);
  return TRUE;
}

/**
 * zbus_object_server_remove:
 * @self: an object server
 * @path: an object path
 * @type: the type (or an ancestor type) of the interface to remove
 *
 * Stops serving the interface of @type at @path. Its pending property
 * changes go out first, then the nearest object manager above @path, if
 * any, emits `InterfacesRemoved`.
 *
 * Call it in the thread that uses the interface instance, as for
 * [method@Zbus.ObjectServer.at]. A call to it already received but not yet
 * dispatched (the connection's context had not run) is answered
 * `org.freedesktop.DBus.Error.UnknownObject` (or `UnknownInterface` if
 * another interface stays at @path); a handler already running, or an
 * invocation kept to answer later, is not affected.
 *
 * Returns: %TRUE if one was removed
 *
 * Since: 1.0
 */
gboolean
zbus_object_server_remove (ZbusObjectServer *self,
                           const char       *path,
                           GType             type)
{
  g_return_val_if_fail (ZBUS_IS_OBJECT_SERVER (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  return remove_matching (self, path, type, NULL);
}

/**
 * zbus_object_server_remove_by_name:
 * @self: an object server
 * @path: an object path
 * @interface_name: the D-Bus name of the interface to remove
 *
 * Stops serving the interface named @interface_name at @path, as
 * [method@Zbus.ObjectServer.remove] does.
 *
 * Returns: %TRUE if one was removed
 *
 * Since: 1.0
 */
gboolean
zbus_object_server_remove_by_name (ZbusObjectServer *self,
                                   const char       *path,
                                   const char       *interface_name)
{
  g_return_val_if_fail (ZBUS_IS_OBJECT_SERVER (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (interface_name != NULL, FALSE);

  return remove_matching (self, path, 0, interface_name);
}

ZbusInterface *
_zbus_object_server_find_at (ZbusObjectServer *self,
                             const char       *path,
                             GType             type)
{
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&servers_lock);

  return find_by_type (g_hash_table_lookup (self->nodes, path), type);
}

/**
 * zbus_object_server_lookup:
 * @self: an object server
 * @path: an object path
 * @type: a type the interface is an instance of
 *
 * Finds the interface of @type served at @path.
 *
 * Returns: (transfer full) (nullable): the interface, or %NULL
 *
 * Since: 1.0
 */
ZbusInterface *
zbus_object_server_lookup (ZbusObjectServer *self,
                           const char       *path,
                           GType             type)
{
  ZbusInterface *found;

  g_return_val_if_fail (ZBUS_IS_OBJECT_SERVER (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  g_mutex_lock (&servers_lock);
  found = find_by_type (g_hash_table_lookup (self->nodes, path), type);
  if (found != NULL)
    g_object_ref (found);
  g_mutex_unlock (&servers_lock);
  return found;
}

/**
 * zbus_object_server_lookup_by_name:
 * @self: an object server
 * @path: an object path
 * @interface_name: a D-Bus interface name
 *
 * Finds the interface named @interface_name served at @path.
 *
 * Returns: (transfer full) (nullable): the interface, or %NULL
 *
 * Since: 1.0
 */
ZbusInterface *
zbus_object_server_lookup_by_name (ZbusObjectServer *self,
                                   const char       *path,
                                   const char       *interface_name)
{
  ZbusInterface *found;

  g_return_val_if_fail (ZBUS_IS_OBJECT_SERVER (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (interface_name != NULL, NULL);

  g_mutex_lock (&servers_lock);
  found = find_by_name (g_hash_table_lookup (self->nodes, path), interface_name);
  if (found != NULL)
    g_object_ref (found);
  g_mutex_unlock (&servers_lock);
  return found;
}
