/* zbus-object-server-manager.c: org.freedesktop.DBus.ObjectManager on the
 * paths a program chooses
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "zbus-error.h"
#include "zbus-interface-private.h"
#include "zbus-object-server-private.h"

/* The manager paths of a server are a set kept as data on it, so they go
 * with it. One lock guards the sets of every server: the call claimer reads
 * them in GDBus's worker thread, with the servers' lock already held, so
 * nothing here may take the servers' lock while holding this one. */
static GMutex managers_lock;

#define MANAGERS_KEY "zbus-object-managers"

const char _zbus_object_manager_xml[] =
  "  <interface name=\"org.freedesktop.DBus.ObjectManager\">\n"
  "    <method name=\"GetManagedObjects\">\n"
  "      <arg type=\"a{oa{sa{sv}}}\" name=\"object_paths_interfaces_and_properties\" direction=\"out\"/>\n"
  "    </method>\n"
  "    <signal name=\"InterfacesAdded\">\n"
  "      <arg type=\"o\" name=\"object_path\"/>\n"
  "      <arg type=\"a{sa{sv}}\" name=\"interfaces_and_properties\"/>\n"
  "    </signal>\n"
  "    <signal name=\"InterfacesRemoved\">\n"
  "      <arg type=\"o\" name=\"object_path\"/>\n"
  "      <arg type=\"as\" name=\"interfaces\"/>\n"
  "    </signal>\n"
  "  </interface>\n";

/* ------------------------------------------------------------------------ */
/* The set of manager paths */

/* With managers_lock held. */
static GHashTable *
peek_managers_locked (ZbusObjectServer *self)
{
  return g_object_get_data (G_OBJECT (self), MANAGERS_KEY);
}

/* The length of @ancestor's prefix in @path if @path is strictly below it,
 * else 0. */
static gsize
prefix_below (const char *path,
              const char *ancestor)
{
  gsize n = strlen (ancestor);

  if (g_str_equal (ancestor, "/"))
    return path[1] != '\0' ? 1 : 0;
  return strncmp (path, ancestor, n) == 0 && path[n] == '/' ? n + 1 : 0;
}

/* With managers_lock held: the manager nearest above @path (never @path
 * itself), or NULL. */
static char *
nearest_manager_locked (GHashTable *managers,
                        const char *path)
{
  g_autofree char *up = g_strdup (path);

  if (managers == NULL)
    return NULL;
  while (!g_str_equal (up, "/"))
    {
      char *slash = strrchr (up, '/');

      if (slash == up)
        slash[1] = '\0';
      else
        *slash = '\0';
      if (g_hash_table_contains (managers, up))
        return g_steal_pointer (&up);
    }
  return NULL;
}

static char *
nearest_manager (ZbusObjectServer *self,
                 const char       *path)
{
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&managers_lock);

  return nearest_manager_locked (peek_managers_locked (self), path);
}

gboolean
_zbus_object_server_is_manager (ZbusObjectServer *self,
                                const char       *path)
{
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&managers_lock);
  GHashTable *managers = peek_managers_locked (self);

  return managers != NULL && g_hash_table_contains (managers, path);
}

/* Whether a call to @path is the managers' to answer: every call to a
 * manager path, and standard calls (Introspect, Peer) to the paths above
 * one. Any thread; called with the servers' lock held. */
gboolean
_zbus_object_server_managers_serve (ZbusObjectServer *self,
                                    const char       *path,
                                    gboolean          standard_call)
{
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&managers_lock);
  GHashTable *managers = peek_managers_locked (self);
  GHashTableIter iter;
  const char *key;

  if (managers == NULL)
    return FALSE;
  if (g_hash_table_contains (managers, path))
    return TRUE;
  if (!standard_call)
    return FALSE;
  g_hash_table_iter_init (&iter, managers);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, NULL))
    if (prefix_below (key, path) > 0)
      return TRUE;
  return FALSE;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static gboolean
has_string (GPtrArray  *strings,
            const char *s)
{
  for (guint i = 0; i < strings->len; i++)
    if (g_str_equal (g_ptr_array_index (strings, i), s))
      return TRUE;
  return FALSE;
}

/* Adds to @children (sorted names of the nodes right below @path) those
 * that lead to a manager, so introspection finds managers that serve
 * nothing themselves. */
void
_zbus_object_server_add_manager_children (ZbusObjectServer *self,
                                          const char       *path,
                                          GPtrArray        *children)
{
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&managers_lock);
  GHashTable *managers = peek_managers_locked (self);
  gboolean added = FALSE;
  GHashTableIter iter;
  const char *key;

  if (managers == NULL)
    return;
  g_hash_table_iter_init (&iter, managers);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, NULL))
    {
      gsize prefix = prefix_below (key, path);
      const char *slash;
      g_autofree char *child = NULL;

      if (prefix == 0)
        continue;
      slash = strchr (key + prefix, '/');
      child = slash ? g_strndup (key + prefix, slash - (key + prefix)) : g_strdup (key + prefix);
      if (!has_string (children, child))
        {
          g_ptr_array_add (children, g_steal_pointer (&child));
          added = TRUE;
        }
    }
  if (added)
    g_ptr_array_sort (children, compare_strings);
}

/**
 * zbus_object_server_add_object_manager:
 * @self: an object server
 * @path: an object path
 * @error: return location for a #GError
 *
 * Serves `org.freedesktop.DBus.ObjectManager` at @path, for the objects
 * below it.
 *
 * `GetManagedObjects` then answers with every path strictly below @path
 * that serves at least one interface, each with its interfaces and their
 * readable properties as `GetAll` reads them (a property whose getter fails
 * is left out). The standard interfaces (`Properties`, `Introspectable`,
 * `Peer`) are not listed, as GDBus's object manager does not list them
 * either. As interfaces are served ([method@Zbus.ObjectServer.at]) and
 * removed ([method@Zbus.ObjectServer.remove]) below @path, the manager
 * emits `InterfacesAdded` (with the values of the properties) and
 * `InterfacesRemoved`; the pending property changes of a removed interface
 * go out before its `InterfacesRemoved`.
 *
 * Managers nest: a path belongs to the nearest manager above it only. A
 * manager's own path belongs to the manager above it, if any. Adding or
 * removing a manager emits nothing for the objects already below it.
 *
 * @path answers `Introspect` and `Peer` even when nothing else is served
 * there, and introspection lists it among the child nodes of the paths
 * above it. Safe from any thread.
 *
 * Returns: %TRUE if added; %FALSE without an error if there is already a
 *   manager at @path, %FALSE with @error set if @path is not an object path
 *   or the connection is gone
 *
 * Since: 1.0
 */
gboolean
zbus_object_server_add_object_manager (ZbusObjectServer  *self,
                                       const char        *path,
                                       GError           **error)
{
  GHashTable *managers;
  gboolean added;

  g_return_val_if_fail (ZBUS_IS_OBJECT_SERVER (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!g_variant_is_object_path (path))
    {
      g_set_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME, "“%s” is not an object path", path);
      return FALSE;
    }
  if (_zbus_object_server_peek_connection (self) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "The connection is gone");
      return FALSE;
    }

  g_mutex_lock (&managers_lock);
  managers = peek_managers_locked (self);
  if (managers == NULL)
    {
      managers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_object_set_data_full (G_OBJECT (self), MANAGERS_KEY, managers,
                              (GDestroyNotify) g_hash_table_unref);
    }
  added = !g_hash_table_contains (managers, path) && g_hash_table_add (managers, g_strdup (path));
  g_mutex_unlock (&managers_lock);
  return added;
}

/**
 * zbus_object_server_remove_object_manager:
 * @self: an object server
 * @path: an object path
 *
 * Stops serving `org.freedesktop.DBus.ObjectManager` at @path. The objects
 * below it stay; those a manager above @path now holds are its own from
 * then on, without a signal. Safe from any thread.
 *
 * Returns: %TRUE if there was a manager at @path
 *
 * Since: 1.0
 */
gboolean
zbus_object_server_remove_object_manager (ZbusObjectServer *self,
                                          const char       *path)
{
  g_autoptr(GMutexLocker) locker = NULL;
  GHashTable *managers;

  g_return_val_if_fail (ZBUS_IS_OBJECT_SERVER (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  locker = g_mutex_locker_new (&managers_lock);
  managers = peek_managers_locked (self);
  return managers != NULL && g_hash_table_remove (managers, path);
}

/* ------------------------------------------------------------------------ */
/* GetManagedObjects */

/* What a getter sees as its call while its object is listed: a GetAll on
 * the object's own path, from @sender (NULL for a signal). */
static ZbusMessage *
make_read_call (const char    *path,
                ZbusInterface *iface,
                const char    *sender)
{
  ZbusMessage *call = zbus_message_new_method_call (NULL, path, ZBUS_PROPERTIES_INTERFACE, "GetAll", NULL);

  zbus_message_set_body (call, g_variant_new ("(s)", _zbus_interface_get_info (iface)->name), NULL);
  if (sender != NULL)
    zbus_message_set_sender (call, sender, NULL);
  return call;
}

/* The a{sa{sv}} of the interfaces at @path. */
static GVariant *
describe_node (ZbusObjectServer *self,
               const char       *path,
               GPtrArray        *node,
               const char       *sender)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{sa{sv}}"));
  for (guint i = 0; i < node->len; i++)
    {
      ZbusInterface *iface = g_ptr_array_index (node, i);
      g_autoptr(ZbusMessage) call = make_read_call (path, iface, sender);

      g_variant_builder_add (&builder, "{s@a{sv}}", _zbus_interface_get_info (iface)->name,
                             _zbus_object_server_read_properties (self, iface, call));
    }
  return g_variant_builder_end (&builder);
}

/* The paths of @below that @manager holds (it is the nearest manager above
 * them), sorted. */
static GPtrArray *
managed_paths (ZbusObjectServer *self,
               const char       *manager,
               GHashTable       *below)
{
  GPtrArray *paths = g_ptr_array_new ();
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&managers_lock);
  GHashTable *managers = peek_managers_locked (self);
  GHashTableIter iter;
  const char *path;

  g_hash_table_iter_init (&iter, below);
  while (g_hash_table_iter_next (&iter, (gpointer *) &path, NULL))
    {
      g_autofree char *nearest = nearest_manager_locked (managers, path);

      if (g_strcmp0 (nearest, manager) == 0)
        g_ptr_array_add (paths, (gpointer) path);
    }
  g_ptr_array_sort (paths, compare_strings);
  return paths;
}

static GVariant *
get_managed_objects (ZbusObjectServer *self,
                     const char       *manager,
                     const char       *sender)
{
  g_autoptr(GHashTable) below = _zbus_object_server_snapshot_below (self, manager);
  g_autoptr(GPtrArray) paths = managed_paths (self, manager, below);
  GVariantBuilder builder;

  /* Getters run without any lock held: they may call the server. */
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{oa{sa{sv}}}"));
  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);

      g_variant_builder_add (&builder, "{o@a{sa{sv}}}", path,
                             describe_node (self, path, g_hash_table_lookup (below, path), sender));
    }
  return g_variant_builder_end (&builder);
}

/* A call of interface org.freedesktop.DBus.ObjectManager to a manager path,
 * on the connection's context. */
void
_zbus_object_server_handle_manager_call (ZbusObjectServer *self,
                                         ZbusMessage      *call)
{
  ZbusConnection *connection = _zbus_object_server_peek_connection (self);
  const char *member = zbus_message_get_member (call);
  g_autoptr(ZbusMethodInvocation) invocation = NULL;
  GVariant *objects;

  invocation = _zbus_method_invocation_new (self, connection, NULL, call, FALSE);
  if (!g_str_equal (member, "GetManagedObjects"))
    {
      g_autofree char *text = g_strdup_printf ("No method “%s” in interface “%s”", member,
                                               ZBUS_OBJECT_MANAGER_INTERFACE);

      zbus_method_invocation_return_dbus_error (invocation, "org.freedesktop.DBus.Error.UnknownMethod", text);
      return;
    }
  if (!g_str_equal (zbus_message_get_signature (call), ""))
    {
      g_autofree char *text = g_strdup_printf ("Method “%s” of interface “%s” takes “()”, not “(%s)”",
                                               member, ZBUS_OBJECT_MANAGER_INTERFACE,
                                               zbus_message_get_signature (call));

      zbus_method_invocation_return_dbus_error (invocation, "org.freedesktop.DBus.Error.InvalidArgs", text);
      return;
    }
  objects = get_managed_objects (self, zbus_message_get_path (call), zbus_message_get_sender (call));
  zbus_method_invocation_return_value (invocation, g_variant_new ("(@a{oa{sa{sv}}})", objects));
}

/* ------------------------------------------------------------------------ */
/* InterfacesAdded and InterfacesRemoved */

static void
emit_from_manager (ZbusObjectServer *self,
                   const char       *manager,
                   const char       *signal,
                   GVariant         *parameters)
{
  ZbusConnection *connection = _zbus_object_server_peek_connection (self);
  g_autoptr(GError) error = NULL;

  if (connection == NULL)
    {
      g_variant_unref (g_variant_ref_sink (parameters));
      return;
    }
  if (!zbus_connection_emit_signal (connection, NULL, manager, ZBUS_OBJECT_MANAGER_INTERFACE,
                                    signal, parameters, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED))
    g_warning ("Could not emit %s on %s: %s", signal, manager, error->message);
}

/* After @iface was served at @path; on the thread that served it. */
void
_zbus_object_server_interface_added (ZbusObjectServer *self,
                                     const char       *path,
                                     ZbusInterface    *iface)
{
  g_autofree char *manager = nearest_manager (self, path);
  g_autoptr(ZbusMessage) call = NULL;
  GVariantBuilder builder;

  if (manager == NULL)
    return;
  call = make_read_call (path, iface, NULL);
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{sa{sv}}"));
  g_variant_builder_add (&builder, "{s@a{sv}}", _zbus_interface_get_info (iface)->name,
                         _zbus_object_server_read_properties (self, iface, call));
  emit_from_manager (self, manager, "InterfacesAdded", g_variant_new ("(oa{sa{sv}})", path, &builder));
}

/* After @iface stopped being served at @path (its pending property changes
 * already sent); on the thread that removed it. */
void
_zbus_object_server_interface_removed (ZbusObjectServer *self,
                                       const char       *path,
                                       ZbusInterface    *iface)
{
  g_autofree char *manager = nearest_manager (self, path);
  const char *name = _zbus_interface_get_info (iface)->name;

  if (manager == NULL)
    return;
  emit_from_manager (self, manager, "InterfacesRemoved",
                     g_variant_new ("(o@as)", path, g_variant_new_strv (&name, 1)));
}
