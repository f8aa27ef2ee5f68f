/* test-util.h: helpers shared by the C tests
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <fcntl.h>
#include <stdlib.h>

#include <gio/gio.h>

#include "zbus-gobject.h"

/* Marks every fd above stderr close-on-exec. Call it before
 * g_test_dbus_up(): GLib 2.74's GTestDBus spawns dbus-daemon leaving fds
 * open, so each daemon inherits the pipe of GTestDBus's clean-up process;
 * when a test aborts, that process then never sees the pipe close, and the
 * daemon outlives the test (holding its stdout, so the runner waits for its
 * timeout). */
static inline void
zbus_test_set_cloexec_on_all_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *name;

  if (dir == NULL)
    return;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      int fd = atoi (name);
      int flags = fd > 2 ? fcntl (fd, F_GETFD) : -1;

      if (flags >= 0 && !(flags & FD_CLOEXEC))
        fcntl (fd, F_SETFD, flags | FD_CLOEXEC);
    }
}

/* A plain GDBus client on the bus GTestDBus started. */
/* GTestDBus forks a watcher process the first time a bus comes up. Forked
 * while other threads run (GDBus's worker, a test's service thread), the
 * watcher has their memory but not them, and LeakSanitizer, which runs when
 * it exits, reports that memory as leaked. A test that starts threads
 * before its first bus (a peer-to-peer GDBus connection, say) calls this
 * from main(), before any of them, so the watcher forks alone. */
static inline void
zbus_test_fork_bus_watcher (void)
{
  g_autoptr(GTestDBus) bus = NULL;

  zbus_test_set_cloexec_on_all_fds ();
  bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (bus);
  g_test_dbus_down (bus);
}

/* The two transports the tests run on: zbus-gobject's own, and an adopted
 * GDBusConnection. */
typedef enum { TRANSPORT_NATIVE, TRANSPORT_GDBUS } Transport;

static inline GDBusConnection *
zbus_test_connect_gdbus (void)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *connection;

  connection = g_dbus_connection_new_for_address_sync (g_getenv ("DBUS_SESSION_BUS_ADDRESS"),
                                                       G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                       G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                       NULL, NULL, &error);
  g_assert_no_error (error);
  return connection;
}

/* A connection to the session bus (the test's GTestDBus) over @transport. */
static inline ZbusConnection *
zbus_test_connect (Transport transport)
{
  g_autoptr(GError) error = NULL;
  ZbusConnection *connection;

  if (transport == TRANSPORT_GDBUS)
    {
      g_autoptr(GDBusConnection) gdbus = zbus_test_connect_gdbus ();
      return zbus_connection_new_for_gdbus (gdbus);
    }
  connection = zbus_connection_session (NULL, &error);
  g_assert_no_error (error);
  return connection;
}

static inline gboolean
zbus_test_quit_loop_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

/* Quits @loop, which another thread runs or is about to run, from inside
 * the loop: a g_main_loop_quit() made before that thread reached
 * g_main_loop_run() would be lost, and a join on the thread would hang. */
static inline void
zbus_test_quit_loop_in_its_thread (GMainLoop *loop)
{
  GSource *idle = g_idle_source_new ();

  g_source_set_callback (idle, zbus_test_quit_loop_cb, g_main_loop_ref (loop),
                         (GDestroyNotify) g_main_loop_unref);
  g_source_attach (idle, g_main_loop_get_context (loop));
  g_source_unref (idle);
}
