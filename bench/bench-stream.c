/* bench-stream.c: signals received per second, message streams against GDBus and sd-bus
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Not a test: a program that measures, in one run, how fast each way of
 * receiving signals takes in N small signals `Tick(u)` that a sender
 * process emits as fast as it can:
 *
 * - zbus-watch:     a ZbusMessageStream read by its GSource
 *                   (zbus_message_stream_add_watch) on a main loop;
 * - zbus-pop:       the same stream read by zbus_message_stream_pop() on a
 *                   thread, nobody running the connection's context (the
 *                   popping thread reads the socket itself);
 * - zbus-pop+loop:  the same, while the main thread runs the connection's
 *                   context (it reads; the thread only pops);
 * - zbus-handler:   no stream: a connection handler (private API) on the
 *                   main loop, the floor under the streams;
 * - gdbus:          g_dbus_connection_signal_subscribe() on a main loop;
 * - sdbus:          sd_bus_match_signal() with sd_bus_process()/sd_bus_wait().
 *
 * Every receiver gets its own connection; they run one after another in
 * each round, against the same sender, so they are compared within one
 * run. Two setups:
 *
 * - bus: a private dbus-daemon (`dbus-daemon --session`, started and
 *   stopped here); the sender is an sd-bus connection calling
 *   sd_bus_emit_signal() in a loop. The daemon relays each signal, so it
 *   bounds the rate: its CPU use is printed too.
 * - p2p: no daemon; the sender is a raw socket server (a dozen lines of
 *   SASL) that writes N pre-encoded signals in one go, so the receiver
 *   alone bounds the rate.
 *
 * The sender is this program run again (--sender-bus, --sender-p2p), so
 * its CPU time never counts as the receiver's. Each receiver checks the
 * Tick values arrive in order; streams are made big enough to drop
 * nothing, and drops are reported.
 *
 * Usage: bench-stream [--quick] [-n N] [--rounds R] [--mode bus|p2p|both]
 *                     [--receivers a,b,...] [--max-queued M]
 */

#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "zbus-gobject.h"
#include "zbus-connection-private.h"

#define TICK_PATH   "/bench"
#define TICK_IFACE  "org.bench.Echo"
#define TICK_MEMBER "Tick"

/* A receiver that gets nothing for this long has lost signals. */
#define STALL_SECONDS 10

#define DIE(...) G_STMT_START {     \
    fprintf (stderr, __VA_ARGS__);  \
    fputc ('\n', stderr);           \
    exit (1);                       \
  } G_STMT_END

static double
clock_seconds (clockid_t clock)
{
  struct timespec ts;

  clock_gettime (clock, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* CPU seconds (user + system) another process has used so far, from
 * /proc (in clock ticks: 10 ms resolution). */
static double
process_cpu_seconds (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *contents = NULL;
  unsigned long utime, stime;
  const char *p;

  if (pid <= 0 || !g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  /* The command name may hold spaces: fields 14 and 15 count from the
   * last ')'. */
  p = strrchr (contents, ')');
  if (p == NULL ||
      sscanf (p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
    return 0;
  return (double) (utime + stime) / sysconf (_SC_CLK_TCK);
}

/* ------------------------------------------------------------------------ */
/* The sender, in its own process */

/* Commands come on stdin, one a line; answers go to stdout:
 *   (start)   -> "ready TARGET"   (bus: our unique name; p2p: an address)
 *   "emit N"  -> "sent"           once all N are written
 *   "close"   -> "closed"         (p2p: hang up, accept the next receiver)
 *   "quit"                        exit */

static gboolean
read_command (char   *line,
              size_t  size)
{
  if (fgets (line, (int) size, stdin) == NULL)
    return FALSE;
  line[strcspn (line, "\n")] = '\0';
  return TRUE;
}

static void
answer (const char *format,
        ...) G_GNUC_PRINTF (1, 2);

static void
answer (const char *format,
        ...)
{
  va_list args;

  va_start (args, format);
  vprintf (format, args);
  va_end (args);
  putchar ('\n');
  fflush (stdout);
}

static int
sender_bus_main (const char *address)
{
  sd_bus *bus = NULL;
  const char *unique;
  char line[128];
  int r;

  if ((r = sd_bus_new (&bus)) < 0 ||
      (r = sd_bus_set_address (bus, address)) < 0 ||
      (r = sd_bus_set_bus_client (bus, 1)) < 0 ||
      (r = sd_bus_start (bus)) < 0 ||
      (r = sd_bus_get_unique_name (bus, &unique)) < 0)
    DIE ("sender: connect to %s: %s", address, strerror (-r));
  answer ("ready %s", unique);

  while (read_command (line, sizeof line))
    {
      unsigned n;

      if (sscanf (line, "emit %u", &n) == 1)
        {
          for (unsigned i = 0; i < n; i++)
            if ((r = sd_bus_emit_signal (bus, TICK_PATH, TICK_IFACE, TICK_MEMBER, "u",
                                         (uint32_t) i)) < 0)
              DIE ("sender: emit: %s", strerror (-r));
          if ((r = sd_bus_flush (bus)) < 0)
            DIE ("sender: flush: %s", strerror (-r));
          answer ("sent");
        }
      else if (g_str_equal (line, "quit"))
        break;
    }

  sd_bus_flush_close_unref (bus);
  return 0;
}

/* N signals Tick(0) … Tick(N-1), encoded back to back, no sender field
 * (peer to peer there is no bus to add one). */
static GBytes *
encode_ticks (guint n)
{
  GByteArray *burst = g_byte_array_new ();

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ZbusMessage) message = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;

      message = zbus_message_new_signal (TICK_PATH, TICK_IFACE, TICK_MEMBER, &error);
      if (message == NULL || !zbus_message_set_body (message, g_variant_new ("(u)", i), &error))
        DIE ("sender: %s", error->message);
      zbus_message_set_serial (message, i + 1);
      bytes = zbus_message_to_bytes (message, &error);
      if (bytes == NULL)
        DIE ("sender: %s", error->message);
      g_byte_array_append (burst, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
    }

  return g_byte_array_free_to_bytes (burst);
}

static void
write_all (int         fd,
           const void *data,
           size_t      size)
{
  const char *p = data;

  while (size > 0)
    {
      ssize_t n = send (fd, p, size, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return;  /* the receiver gave up and hung up: nothing to do */
      p += n;
      size -= (size_t) n;
    }
}

/* The server side of the SASL handshake, as little of it as the three
 * clients need: EXTERNAL is accepted whatever the identity (this is a
 * benchmark), fd passing is agreed to. Returns at BEGIN. */
static gboolean
sasl_serve (int         fd,
            const char *guid)
{
  g_autoptr(GString) pending = g_string_new (NULL);
  gboolean seen_nul = FALSE;

  for (;;)
    {
      char chunk[512];
      ssize_t n = read (fd, chunk, sizeof chunk);
      char *end;

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      g_string_append_len (pending, chunk, n);

      if (!seen_nul && pending->len > 0)
        {
          if (pending->str[0] != '\0')
            return FALSE;
          g_string_erase (pending, 0, 1);
          seen_nul = TRUE;
        }

      while ((end = strstr (pending->str, "\r\n")) != NULL)
        {
          g_autofree char *line = g_strndup (pending->str, end - pending->str);
          g_autofree char *reply = NULL;

          g_string_erase (pending, 0, end - pending->str + 2);

          if (g_str_has_prefix (line, "AUTH EXTERNAL "))
            reply = g_strdup_printf ("OK %s\r\n", guid);
          else if (g_str_equal (line, "AUTH EXTERNAL"))
            reply = g_strdup ("DATA\r\n");
          else if (g_str_equal (line, "DATA") || g_str_has_prefix (line, "DATA "))
            reply = g_strdup_printf ("OK %s\r\n", guid);
          else if (g_str_equal (line, "NEGOTIATE_UNIX_FD"))
            reply = g_strdup ("AGREE_UNIX_FD\r\n");
          else if (g_str_equal (line, "BEGIN"))
            return TRUE;
          else
            reply = g_strdup ("REJECTED EXTERNAL\r\n");

          write_all (fd, reply, strlen (reply));
        }
    }
}

/* Accepts a receiver and authenticates it; -1 if the handshake failed. */
static int
accept_receiver (int         listener,
                 const char *guid)
{
  int fd;

  do
    fd = accept (listener, NULL, NULL);
  while (fd < 0 && errno == EINTR);
  if (fd < 0)
    DIE ("sender: accept: %s", strerror (errno));

  if (!sasl_serve (fd, guid))
    {
      close (fd);
      return -1;
    }
  return fd;
}

static int
sender_p2p_main (guint n)
{
  g_autoptr(GBytes) burst = encode_ticks (n);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bench-stream-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *guid = zbus_generate_guid ();
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int listener;
  int fd = -1;
  char line[128];

  if (dir == NULL)
    DIE ("sender: %s", error->message);
  path = g_build_filename (dir, "socket", NULL);
  g_strlcpy (addr.sun_path, path, sizeof addr.sun_path);

  listener = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener < 0 || bind (listener, (struct sockaddr *) &addr, sizeof addr) < 0 ||
      listen (listener, 4) < 0)
    DIE ("sender: listen on %s: %s", path, strerror (errno));
  answer ("ready unix:path=%s", path);

  /* A receiver may connect before or after its "emit" comes (sd-bus
   * finishes its handshake lazily, while processing): both are watched. */
  for (;;)
    {
      struct pollfd fds[2] = { { listener, POLLIN, 0 }, { STDIN_FILENO, POLLIN, 0 } };
      unsigned count;

      if (poll (fds, 2, -1) < 0 && errno != EINTR)
        DIE ("sender: poll: %s", strerror (errno));

      if (fd < 0 && fds[0].revents != 0)
        fd = accept_receiver (listener, guid);

      if (fds[1].revents == 0)
        continue;
      if (!read_command (line, sizeof line) || g_str_equal (line, "quit"))
        break;

      if (sscanf (line, "emit %u", &count) == 1)
        {
          gsize size;
          const guint8 *data = g_bytes_get_data (burst, &size);

          while (fd < 0)
            fd = accept_receiver (listener, guid);
          /* The first @count messages: they all have the same size. */
          write_all (fd, data, size / n * MIN (count, n));
          answer ("sent");
        }
      else if (g_str_equal (line, "close"))
        {
          if (fd >= 0)
            close (fd);
          fd = -1;
          answer ("closed");
        }
    }

  if (fd >= 0)
    close (fd);
  close (listener);
  unlink (path);
  rmdir (dir);
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Child processes, from the measuring side */

typedef struct
{
  GPid pid;
  FILE *to;     /* (owned): its stdin */
  FILE *from;   /* (owned): its stdout */
} Child;

/* Children die with us, even when we abort. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void
child_spawn (Child        *child,
             const char  **argv,
             gboolean      want_stdin)
{
  g_autoptr(GError) error = NULL;
  int in_fd = -1, out_fd = -1;

  if (!g_spawn_async_with_pipes (NULL, (char **) argv, NULL,
                                 G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                                 die_with_parent, NULL, &child->pid,
                                 want_stdin ? &in_fd : NULL, &out_fd, NULL, &error))
    DIE ("spawn %s: %s", argv[0], error->message);
  child->to = want_stdin ? fdopen (in_fd, "w") : NULL;
  child->from = fdopen (out_fd, "r");
}

static char *
child_read_line (Child *child)
{
  char line[1024];

  if (fgets (line, sizeof line, child->from) == NULL)
    DIE ("child %d ended", (int) child->pid);
  line[strcspn (line, "\n")] = '\0';
  return g_strdup (line);
}

static void
child_command (Child      *child,
               const char *command,
               const char *expected)
{
  g_autofree char *reply = NULL;

  fprintf (child->to, "%s\n", command);
  fflush (child->to);
  if (expected == NULL)
    return;
  reply = child_read_line (child);
  if (expected != NULL && !g_str_equal (reply, expected))
    DIE ("child %d answered “%s” to “%s”", (int) child->pid, reply, command);
}

static void
child_stop (Child *child)
{
  if (child->to != NULL)
    {
      fprintf (child->to, "quit\n");
      fclose (child->to);
    }
  else
    kill (child->pid, SIGTERM);
  fclose (child->from);
  waitpid (child->pid, NULL, 0);
  g_spawn_close_pid (child->pid);
}

/* ------------------------------------------------------------------------ */
/* Receivers */

typedef enum
{
  MODE_BUS,
  MODE_P2P,
} Mode;

typedef struct
{
  Mode mode;
  const char *address;       /* where receivers connect */
  const char *sender_name;   /* (nullable): the sender's unique name on the bus */
  guint n;
  guint max_queued;          /* of the streams; 0: the connection's default */

  /* One measurement, written by the receiving thread */
  volatile guint count;      /* signals received */
  volatile gboolean done;    /* the last one, Tick(N-1), came */
  guint next;                /* the value expected next */
  guint lost;                /* values skipped: dropped on the way */
  guint out_of_order;
  guint64 dropped;
  guint backlog;             /* left in a zbus context queue nobody ran */
  guint held;                /* the most a stream was seen holding */
  gboolean stalled;
  guint last_count;
  gint64 last_progress;

  GMainLoop *loop;           /* (owned) */
  ZbusConnection *zbus;      /* (owned) (nullable) */
  ZbusMessageStream *stream; /* (owned) (nullable) */
  guint handler_id;
  GThread *thread;           /* (owned) (nullable) */
  GDBusConnection *gdbus;    /* (owned) (nullable) */
  guint subscription;
  sd_bus *sdbus;             /* (owned) (nullable) */
  sd_bus_slot *slot;         /* (owned) (nullable) */
} Run;

typedef struct
{
  const char *name;
  void (*setup)    (Run *run);
  void (*receive)  (Run *run);
  void (*teardown) (Run *run);
} Receiver;

static void
tick (Run     *run,
      guint32  value)
{
  /* A stream that drops keeps the newest messages: the last signal always
   * arrives, and what was dropped shows as gaps. */
  if (value < run->next)
    run->out_of_order++;
  else
    {
      run->lost += value - run->next;
      run->next = value + 1;
    }
  run->count++;
  if (value == run->n - 1)
    run->done = TRUE;
}

/* No progress for STALL_SECONDS: signals were lost, stop waiting. */
static gboolean
stalled (Run *run)
{
  gint64 now = g_get_monotonic_time ();

  if (run->count != run->last_count)
    {
      run->last_count = run->count;
      run->last_progress = now;
      return FALSE;
    }
  if (now - run->last_progress < STALL_SECONDS * G_USEC_PER_SEC)
    return FALSE;
  run->stalled = TRUE;
  return TRUE;
}

static gboolean
watchdog_cb (gpointer data)
{
  Run *run = data;

  if (stalled (run))
    g_main_loop_quit (run->loop);
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until all N came or they stop coming. */
static void
run_loop (Run *run)
{
  GSource *watchdog = g_timeout_source_new_seconds (1);

  g_source_set_callback (watchdog, watchdog_cb, run, NULL);
  g_source_attach (watchdog, NULL);
  if (!run->done)
    g_main_loop_run (run->loop);
  g_source_destroy (watchdog);
  g_source_unref (watchdog);
}

static void
drain_context (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static char *
tick_rule (Run *run)
{
  if (run->sender_name != NULL)
    return g_strdup_printf ("type='signal',sender='%s',path='%s',interface='%s',member='%s'",
                            run->sender_name, TICK_PATH, TICK_IFACE, TICK_MEMBER);
  return g_strdup_printf ("type='signal',path='%s',interface='%s',member='%s'",
                          TICK_PATH, TICK_IFACE, TICK_MEMBER);
}

/* zbus {{{ */

static void
zbus_connect (Run *run)
{
  g_autoptr(ZbusConnectionBuilder) builder = zbus_connection_builder_new_for_address (run->address);
  g_autoptr(GError) error = NULL;

  zbus_connection_builder_set_p2p (builder, run->mode == MODE_P2P);
  run->zbus = zbus_connection_builder_build (builder, NULL, &error);
  if (run->zbus == NULL)
    DIE ("zbus: connect: %s", error->message);
}

static void
zbus_stream_setup (Run *run)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusMatchRule) rule = NULL;
  g_autofree char *text = tick_rule (run);

  zbus_connect (run);
  rule = zbus_match_rule_new_from_string (text, &error);
  if (rule == NULL)
    DIE ("zbus: %s", error->message);
  run->stream = zbus_message_stream_new_for_match_rule (run->zbus, rule, run->max_queued, NULL,
                                                        &error);
  if (run->stream == NULL)
    DIE ("zbus: %s", error->message);
}

static void
zbus_take (Run         *run,
           ZbusMessage *message)
{
  guint32 value;

  g_variant_get (zbus_message_get_body (message), "(u)", &value);
  tick (run, value);
}

static gboolean
watch_cb (ZbusMessageStream *stream,
          ZbusMessage       *message,
          gpointer           user_data)
{
  Run *run = user_data;

  zbus_take (run, message);
  /* How far behind the consumer runs, now and then. */
  if ((run->count & 1023) == 0)
    run->held = MAX (run->held, zbus_message_stream_get_queued (stream));
  if (run->done)
    {
      g_main_loop_quit (run->loop);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
zbus_watch_receive (Run *run)
{
  zbus_message_stream_add_watch (run->stream, NULL, watch_cb, run, NULL);
  run_loop (run);
}

static gpointer
pop_thread (gpointer data)
{
  Run *run = data;

  while (!run->done)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ZbusMessage) message = NULL;

      message = zbus_message_stream_timed_pop (run->stream, G_USEC_PER_SEC, NULL, &error);
      if (message != NULL)
        {
          zbus_take (run, message);
          continue;
        }
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        DIE ("zbus: pop: %s", error->message);
      if (stalled (run))
        break;
    }

  if (run->loop != NULL)
    g_main_loop_quit (run->loop);
  return NULL;
}

static gboolean
count_backlog_cb (ZbusConnection *connection,
                  ZbusMessage    *message,
                  gpointer        user_data)
{
  Run *run = user_data;

  run->backlog++;
  return FALSE;
}

static void
zbus_pop_receive (Run *run)
{
  /* The main thread waits without running the connection's context. */
  run->thread = g_thread_new ("pop", pop_thread, run);
  g_thread_join (g_steal_pointer (&run->thread));
}

static void
zbus_pop_loop_receive (Run *run)
{
  /* The thread pops; this thread runs the context, so it reads. */
  run->thread = g_thread_new ("pop", pop_thread, run);
  run_loop (run);
  g_thread_join (g_steal_pointer (&run->thread));
}

static void zbus_stream_teardown (Run *run);

/* After the timing. */
static void
zbus_pop_teardown (Run *run)
{
  guint handler;

  /* Everything the connection read went to its context's queue too, for
   * handlers: count what waits there. */
  handler = _zbus_connection_add_handler (run->zbus, count_backlog_cb, run, NULL);
  drain_context ();
  _zbus_connection_remove_handler (run->zbus, handler);
  zbus_stream_teardown (run);
}

static void
zbus_stream_teardown (Run *run)
{
  run->dropped = zbus_message_stream_get_dropped (run->stream);
  zbus_message_stream_close (run->stream);
  g_clear_object (&run->stream);
  zbus_connection_close_sync (run->zbus, NULL, NULL);
  g_clear_object (&run->zbus);
  drain_context ();
}

/* Runs on the connection's context for each message that is not a reply. */
static gboolean
handler_cb (ZbusConnection *connection,
            ZbusMessage    *message,
            gpointer        user_data)
{
  Run *run = user_data;

  if (zbus_message_get_message_type (message) != ZBUS_MESSAGE_TYPE_SIGNAL ||
      g_strcmp0 (zbus_message_get_member (message), TICK_MEMBER) != 0 ||
      g_strcmp0 (zbus_message_get_interface (message), TICK_IFACE) != 0 ||
      g_strcmp0 (zbus_message_get_path (message), TICK_PATH) != 0)
    return FALSE;

  zbus_take (run, message);
  if (run->done)
    g_main_loop_quit (run->loop);
  return FALSE;
}

static void
zbus_handler_setup (Run *run)
{
  zbus_connect (run);
  run->handler_id = _zbus_connection_add_handler (run->zbus, handler_cb, run, NULL);

  /* No stream, so the bus is asked by hand. */
  if (run->mode == MODE_BUS)
    {
      g_autofree char *rule = tick_rule (run);
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) reply = NULL;

      reply = zbus_connection_call_sync (run->zbus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                         "org.freedesktop.DBus", "AddMatch",
                                         g_variant_new ("(s)", rule), NULL,
                                         ZBUS_MESSAGE_FLAGS_NONE, ZBUS_TIMEOUT_DEFAULT, NULL, &error);
      if (reply == NULL)
        DIE ("zbus: AddMatch: %s", error->message);
    }
}

static void
zbus_handler_teardown (Run *run)
{
  _zbus_connection_remove_handler (run->zbus, run->handler_id);
  zbus_connection_close_sync (run->zbus, NULL, NULL);
  g_clear_object (&run->zbus);
  drain_context ();
}

/* }}} */
/* GDBus {{{ */

static void
gdbus_tick_cb (GDBusConnection *connection,
               const char      *sender_name,
               const char      *object_path,
               const char      *interface_name,
               const char      *signal_name,
               GVariant        *parameters,
               gpointer         user_data)
{
  Run *run = user_data;
  guint32 value;

  g_variant_get (parameters, "(u)", &value);
  tick (run, value);
  if (run->done)
    g_main_loop_quit (run->loop);
}

static void
gdbus_setup (Run *run)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  GDBusConnectionFlags flags = G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT;

  if (run->mode == MODE_BUS)
    flags |= G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION;
  run->gdbus = g_dbus_connection_new_for_address_sync (run->address, flags, NULL, NULL, &error);
  if (run->gdbus == NULL)
    DIE ("gdbus: connect: %s", error->message);

  run->subscription = g_dbus_connection_signal_subscribe (run->gdbus, run->sender_name, TICK_IFACE,
                                                          TICK_MEMBER, TICK_PATH, NULL,
                                                          G_DBUS_SIGNAL_FLAGS_NONE, gdbus_tick_cb,
                                                          run, NULL);
  if (run->mode == MODE_BUS)
    {
      /* GDBus sends AddMatch without waiting for the answer; the bus
       * handles one connection's messages in order, so once this call
       * returns the rule is in place. */
      reply = g_dbus_connection_call_sync (run->gdbus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                           "org.freedesktop.DBus", "GetId", NULL, NULL,
                                           G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
      if (reply == NULL)
        DIE ("gdbus: GetId: %s", error->message);
    }
}

static void
loop_receive (Run *run)
{
  run_loop (run);
}

static void
gdbus_teardown (Run *run)
{
  g_dbus_connection_signal_unsubscribe (run->gdbus, run->subscription);
  g_dbus_connection_close_sync (run->gdbus, NULL, NULL);
  g_clear_object (&run->gdbus);
  drain_context ();
}

/* }}} */
/* sd-bus {{{ */

static int
sdbus_tick_cb (sd_bus_message *message,
               void           *user_data,
               sd_bus_error   *error)
{
  Run *run = user_data;
  uint32_t value;

  if (sd_bus_message_read (message, "u", &value) < 0)
    DIE ("sdbus: bad Tick");
  tick (run, value);
  return 0;
}

static void
sdbus_setup (Run *run)
{
  int r;

  if ((r = sd_bus_new (&run->sdbus)) < 0 ||
      (r = sd_bus_set_address (run->sdbus, run->address)) < 0 ||
      (r = sd_bus_set_bus_client (run->sdbus, run->mode == MODE_BUS)) < 0 ||
      (r = sd_bus_start (run->sdbus)) < 0)
    DIE ("sdbus: connect: %s", strerror (-r));

  /* Synchronous: AddMatch has been answered when it returns. */
  r = sd_bus_match_signal (run->sdbus, &run->slot, run->sender_name, TICK_PATH, TICK_IFACE,
                           TICK_MEMBER, sdbus_tick_cb, run);
  if (r < 0)
    DIE ("sdbus: match: %s", strerror (-r));
}

static void
sdbus_receive (Run *run)
{
  while (!run->done)
    {
      int r = sd_bus_process (run->sdbus, NULL);

      if (r < 0)
        DIE ("sdbus: process: %s", strerror (-r));
      if (r > 0)
        continue;
      if ((r = sd_bus_wait (run->sdbus, G_USEC_PER_SEC)) < 0)
        DIE ("sdbus: wait: %s", strerror (-r));
      if (r == 0 && stalled (run))
        break;
    }
}

static void
sdbus_teardown (Run *run)
{
  run->slot = sd_bus_slot_unref (run->slot);
  run->sdbus = sd_bus_flush_close_unref (run->sdbus);
}

/* }}} */

static const Receiver receivers[] = {
  { "zbus-watch", zbus_stream_setup, zbus_watch_receive, zbus_stream_teardown },
  { "zbus-pop", zbus_stream_setup, zbus_pop_receive, zbus_pop_teardown },
  { "zbus-pop+loop", zbus_stream_setup, zbus_pop_loop_receive, zbus_stream_teardown },
  { "zbus-handler", zbus_handler_setup, loop_receive, zbus_handler_teardown },
  { "gdbus", gdbus_setup, loop_receive, gdbus_teardown },
  { "sdbus", sdbus_setup, sdbus_receive, sdbus_teardown },
};

/* ------------------------------------------------------------------------ */
/* Measuring */

typedef struct
{
  GArray *rate;          /* (element-type double): signals per second */
  GArray *cpu;           /* (element-type double): receiver CPU µs per signal */
  GArray *daemon;        /* (element-type double): daemon CPU share of the time */
  GArray *sender;        /* (element-type double): sender CPU share of the time */
  guint64 dropped;
  guint64 lost;
  guint out_of_order;
  guint incomplete;
  guint backlog;
  guint held;
} Result;

typedef struct
{
  Mode mode;
  guint n;
  guint rounds;
  guint max_queued;
  GPtrArray *chosen;     /* (element-type Receiver) (not owned) */
} Settings;

static void
measure_once (Run            *run,
              const Receiver *receiver,
              Child          *sender,
              GPid            daemon_pid,
              Result         *result)
{
  g_autofree char *command = g_strdup_printf ("emit %u", run->n);
  double t0, c0, d0, s0, elapsed, cpu, daemon, sending;

  run->count = run->last_count = 0;
  run->done = FALSE;
  run->next = 0;
  run->lost = 0;
  run->out_of_order = 0;
  run->dropped = 0;
  run->backlog = 0;
  run->held = 0;
  run->stalled = FALSE;

  receiver->setup (run);
  run->last_progress = g_get_monotonic_time ();

  t0 = clock_seconds (CLOCK_MONOTONIC);
  c0 = clock_seconds (CLOCK_PROCESS_CPUTIME_ID);
  d0 = process_cpu_seconds (daemon_pid);
  s0 = process_cpu_seconds (sender->pid);
  child_command (sender, command, NULL);
  receiver->receive (run);
  elapsed = clock_seconds (CLOCK_MONOTONIC) - t0;
  cpu = clock_seconds (CLOCK_PROCESS_CPUTIME_ID) - c0;
  daemon = process_cpu_seconds (daemon_pid) - d0;
  sending = process_cpu_seconds (sender->pid) - s0;

  receiver->teardown (run);
  /* After the receiver hung up: a p2p sender blocked on a receiver that
   * stalled gets free that way. */
  {
    g_autofree char *reply = child_read_line (sender);

    if (!g_str_equal (reply, "sent"))
      DIE ("sender answered “%s”", reply);
  }
  if (run->mode == MODE_P2P)
    child_command (sender, "close", "closed");

  if (run->stalled)
    {
      /* The stall wait is not receiving time. */
      result->incomplete++;
      elapsed -= STALL_SECONDS;
    }
  {
    double rate = run->count / elapsed;
    double cpu_us = cpu * 1e6 / run->n;  /* per signal sent, received or not */
    double share = daemon / elapsed;
    double sender_share = sending / elapsed;

    g_array_append_val (result->rate, rate);
    g_array_append_val (result->cpu, cpu_us);
    g_array_append_val (result->daemon, share);
    g_array_append_val (result->sender, sender_share);
  }
  result->dropped += run->dropped;
  result->out_of_order += run->out_of_order;
  result->lost += run->lost;
  result->backlog = MAX (result->backlog, run->backlog);
  result->held = MAX (result->held, run->held);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (GArray *values)
{
  g_array_sort (values, compare_doubles);
  return g_array_index (values, double, values->len / 2);
}

static const Result *
find_result (const Settings *settings,
             Result         *results,
             const char     *name)
{
  for (guint i = 0; i < settings->chosen->len; i++)
    if (g_str_equal (((const Receiver *) g_ptr_array_index (settings->chosen, i))->name, name))
      return &results[i];
  return NULL;
}

static void
print_ratio (const Result *ours,
             const Result *theirs)
{
  if (theirs == NULL)
    {
      printf ("  %6s %6s", "-", "-");
      return;
    }
  /* Above 1: we receive faster, and spend less CPU per signal. */
  printf ("  %5.2fx %5.2fx",
          median (ours->rate) / median (theirs->rate),
          median (theirs->cpu) / median (ours->cpu));
}

static void
print_results (const Settings *settings,
               Result         *results)
{
  const Result *gdbus = find_result (settings, results, "gdbus");
  const Result *sdbus = find_result (settings, results, "sdbus");

  printf ("%-14s %10s %21s %10s %7s %7s   %-13s  %-13s  %s\n",
          "receiver", "signals/s", "(min..max)", "CPU µs/sig", "daemon", "sender",
          "vs gdbus", "vs sdbus", "notes");
  printf ("%-14s %10s %21s %10s %7s %7s   %-13s  %-13s\n",
          "", "", "", "", "CPU", "CPU", " rate    CPU", " rate    CPU");

  for (guint i = 0; i < settings->chosen->len; i++)
    {
      const Receiver *receiver = g_ptr_array_index (settings->chosen, i);
      Result *result = &results[i];
      g_autoptr(GString) notes = g_string_new (NULL);
      double lo, hi;

      g_array_sort (result->rate, compare_doubles);
      lo = g_array_index (result->rate, double, 0);
      hi = g_array_index (result->rate, double, result->rate->len - 1);

      printf ("%-14s %10.0f %10.0f..%-10.0f %10.2f", receiver->name, median (result->rate),
              lo, hi, median (result->cpu));
      if (settings->mode == MODE_BUS)
        printf (" %6.0f%%", 100 * median (result->daemon));
      else
        printf (" %7s", "-");
      printf (" %6.0f%%", 100 * median (result->sender));
      print_ratio (result, gdbus);
      print_ratio (result, sdbus);

      if (result->dropped > 0 || result->lost > 0)
        g_string_append_printf (notes, " LOST %.1f%% (stream dropped %" G_GUINT64_FORMAT ");",
                                100.0 * result->lost / ((double) settings->n * settings->rounds),
                                result->dropped);
      if (result->out_of_order > 0)
        g_string_append_printf (notes, " OUT OF ORDER %u;", result->out_of_order);
      if (result->incomplete > 0)
        g_string_append_printf (notes, " INCOMPLETE %u runs;", result->incomplete);
      if (result->backlog > 0)
        g_string_append_printf (notes, " %u left in context queue;", result->backlog);
      if (result->held > 0)
        g_string_append_printf (notes, " stream held up to %u;", result->held);
      printf ("  %s\n", notes->str);
    }
  fflush (stdout);
}

static void
bench_mode (const Settings *settings,
            const char     *self_exe,
            const char     *bus_address,
            GPid            daemon_pid)
{
  g_autofree char *n_text = g_strdup_printf ("%u", settings->n);
  const char *bus_argv[] = { self_exe, "--sender-bus", bus_address, NULL };
  const char *p2p_argv[] = { self_exe, "--sender-p2p", n_text, NULL };
  g_autofree char *ready = NULL;
  g_autofree Result *results = g_new0 (Result, settings->chosen->len);
  Child sender = { 0 };
  Run run = { 0 };

  child_spawn (&sender, settings->mode == MODE_BUS ? bus_argv : p2p_argv, TRUE);
  ready = child_read_line (&sender);
  if (!g_str_has_prefix (ready, "ready "))
    DIE ("sender: %s", ready);

  run.mode = settings->mode;
  run.n = settings->n;
  run.max_queued = settings->max_queued;
  run.loop = g_main_loop_new (NULL, FALSE);
  if (settings->mode == MODE_BUS)
    {
      run.address = bus_address;
      run.sender_name = ready + strlen ("ready ");
    }
  else
    run.address = ready + strlen ("ready ");

  for (guint i = 0; i < settings->chosen->len; i++)
    {
      results[i].rate = g_array_new (FALSE, FALSE, sizeof (double));
      results[i].cpu = g_array_new (FALSE, FALSE, sizeof (double));
      results[i].daemon = g_array_new (FALSE, FALSE, sizeof (double));
      results[i].sender = g_array_new (FALSE, FALSE, sizeof (double));
    }

  /* Interleaved: every receiver once per round, so drift on a busy
   * machine spreads over all of them. */
  for (guint r = 0; r < settings->rounds; r++)
    for (guint i = 0; i < settings->chosen->len; i++)
      {
        measure_once (&run, g_ptr_array_index (settings->chosen, i), &sender,
                      settings->mode == MODE_BUS ? daemon_pid : 0, &results[i]);
        fprintf (stderr, ".");
      }
  fprintf (stderr, "\n");

  if (settings->mode == MODE_BUS)
    printf ("\nbus: private dbus-daemon --session, sd-bus sender (%s), %u Tick(u) per run, "
            "median of %u rounds\n", run.sender_name, settings->n, settings->rounds);
  else
    printf ("\np2p: no daemon, raw socket sender writing pre-encoded signals, %u Tick(u) per run, "
            "median of %u rounds\n", settings->n, settings->rounds);
  print_results (settings, results);

  for (guint i = 0; i < settings->chosen->len; i++)
    {
      g_array_unref (results[i].rate);
      g_array_unref (results[i].cpu);
      g_array_unref (results[i].daemon);
      g_array_unref (results[i].sender);
    }
  g_main_loop_unref (run.loop);
  child_stop (&sender);
}

static GPtrArray *
choose_receivers (const char *list)
{
  GPtrArray *chosen = g_ptr_array_new ();
  g_auto(GStrv) names = list != NULL ? g_strsplit (list, ",", -1) : NULL;

  for (guint i = 0; i < G_N_ELEMENTS (receivers); i++)
    if (names == NULL || g_strv_contains ((const char * const *) names, receivers[i].name))
      g_ptr_array_add (chosen, (gpointer) &receivers[i]);
  if (chosen->len == 0)
    DIE ("no receiver chosen");
  return chosen;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *self_exe = NULL;
  g_autofree char *bus_address = NULL;
  g_autofree char *mode = NULL;
  g_autofree char *list = NULL;
  g_autoptr(GPtrArray) chosen = NULL;
  gboolean quick = FALSE;
  int n = 0, rounds = 0, max_queued = -1;
  Child daemon = { 0 };
  Settings settings = { 0 };
  const char *daemon_argv[] = { "dbus-daemon", "--session", "--nofork", "--print-address=1", NULL };
  GOptionEntry entries[] = {
    { "quick", 'q', 0, G_OPTION_ARG_NONE, &quick, "20,000 signals, 3 rounds", NULL },
    { "signals", 'n', 0, G_OPTION_ARG_INT, &n, "Signals per run (default 100,000)", "N" },
    { "rounds", 'r', 0, G_OPTION_ARG_INT, &rounds, "Rounds, median taken (default 5)", "R" },
    { "mode", 'm', 0, G_OPTION_ARG_STRING, &mode, "bus, p2p or both (default)", "MODE" },
    { "receivers", 0, 0, G_OPTION_ARG_STRING, &list, "Comma-separated receivers to run", "LIST" },
    { "max-queued", 0, 0, G_OPTION_ARG_INT, &max_queued,
      "Stream bound (default: N + 16, nothing dropped; 0: the connection's default)", "M" },
    G_OPTION_ENTRY_NULL
  };

  /* The sender halves. */
  if (argc == 3 && g_str_equal (argv[1], "--sender-bus"))
    return sender_bus_main (argv[2]);
  if (argc == 3 && g_str_equal (argv[1], "--sender-p2p"))
    return sender_p2p_main ((guint) atoi (argv[2]));

  context = g_option_context_new ("- signals received per second: streams, GDBus, sd-bus");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    DIE ("%s", error->message);

  self_exe = g_file_read_link ("/proc/self/exe", &error);
  if (self_exe == NULL)
    DIE ("%s", error->message);
  chosen = choose_receivers (list);
  settings.n = n > 0 ? (guint) n : quick ? 20000 : 100000;
  settings.rounds = rounds > 0 ? (guint) rounds : quick ? 3 : 5;
  settings.chosen = chosen;
  /* Room for every signal by default: a consumer that falls behind must
   * not lose any. */
  settings.max_queued = max_queued >= 0 ? (guint) max_queued : settings.n + 16;

  if (mode == NULL || g_str_equal (mode, "both") || g_str_equal (mode, "bus"))
    {
      child_spawn (&daemon, daemon_argv, FALSE);
      bus_address = child_read_line (&daemon);
      settings.mode = MODE_BUS;
      bench_mode (&settings, self_exe, bus_address, daemon.pid);
      child_stop (&daemon);
    }
  if (mode == NULL || g_str_equal (mode, "both") || g_str_equal (mode, "p2p"))
    {
      settings.mode = MODE_P2P;
      bench_mode (&settings, self_exe, NULL, 0);
    }

  printf ("\nsignals/s: receiving rate, wall clock; CPU µs/sig: this process (all threads), "
          "per signal; daemon CPU: dbus-daemon's CPU time / wall time;\n"
          "vs gdbus / vs sdbus: our rate / theirs and their CPU / ours (above 1: better).\n");
  return 0;
}
