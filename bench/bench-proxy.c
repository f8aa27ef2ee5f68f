/* bench-proxy.c: proxy calls and property reads against GDBusProxy, plain
 * connection calls and sd-bus
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Not a test: a program that measures, in one run, the client side of
 * three things a program does with a remote object, each through every
 * stack, against the same server (bench/zbus-server serving
 * org.bench.Echo as org.bench.Proxy) on a private dbus-daemon that this
 * program starts and stops:
 *
 * - call:      a synchronous `Echo("0123456789abcdef")` round trip;
 * - uncached:  a property read that asks the server (`Properties.Get` of
 *              `Value`);
 * - cached:    a property read from a proxy's cache (no I/O).
 *
 * | stack        | call                          | uncached                       | cached |
 * |--------------|-------------------------------|--------------------------------|--------|
 * | zbus-proxy   | zbus_proxy_call               | zbus_proxy_get_dbus_property (cache mode none) | zbus_proxy_get_cached_property |
 * | zbus-typed   | zbus_proxy_call_method        | | |
 * | zbus-conn    | zbus_connection_call_sync     | the same, Properties.Get       | |
 * | gdbus-proxy  | g_dbus_proxy_call_sync        | (none: GDBusProxy only caches) | g_dbus_proxy_get_cached_property |
 * | gdbus-conn   | g_dbus_connection_call_sync   | the same, Properties.Get       | |
 * | sdbus        | sd_bus_call_method            | sd_bus_get_property_trivial    | |
 *
 * Each cell is the median of R rounds of N operations (the cached reads
 * are 1000 times as many); the stacks take turns within a round, each
 * round starting with the next one. Printed:
 * operations per second, the client's CPU time per operation (all its
 * threads: GDBus's worker counts), and each stack's rate over
 * zbus-proxy's.
 *
 * Usage: bench-proxy [--quick] [-n N] [--rounds R] [--bench BENCH] [--stack STACK]
 *
 * --bench and --stack keep one bench or one stack (repeatable). To count
 * the instructions of one call, run one stack under callgrind and collect
 * only inside one_op(), e.g.
 *
 *   valgrind --tool=callgrind --toggle-collect=one_op \
 *     bench-proxy -n 2000 --rounds 1 --bench call --stack zbus-proxy
 *
 * and divide the total by N.
 */

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "zbus-gobject.h"
#include "bench-echo.h"

#define NAME "org.bench.Proxy"

enum { BENCH_CALL, BENCH_UNCACHED, BENCH_CACHED, N_BENCHES };
enum { STACK_ZBUS_PROXY, STACK_ZBUS_TYPED, STACK_ZBUS_CONN, STACK_GDBUS_PROXY, STACK_GDBUS_CONN, STACK_SDBUS,
       N_STACKS };

static const char *bench_names[N_BENCHES] = { "call", "uncached", "cached" };
static const char *stack_names[N_STACKS] = { "zbus-proxy", "zbus-typed", "zbus-conn", "gdbus-proxy", "gdbus-conn",
                                              "sdbus" };

/* What the typed proxy is made from. */
static const char echo_xml[] =
  "<node><interface name='" BENCH_IFACE "'>"
  "<method name='Echo'><arg type='s' direction='in'/><arg type='s' direction='out'/></method>"
  "<property name='Value' type='u' access='read'/>"
  "</interface></node>";

/* What --bench and --stack keep: all when none is given. */
static gboolean bench_kept[N_BENCHES], stack_kept[N_STACKS];
static gboolean bench_filter, stack_filter;

typedef struct
{
  ZbusConnection  *zconn;
  ZbusProxy       *zproxy;
  ZbusProxy       *zproxy_none;   /* cache mode none: every read asks */
  ZbusProxy       *ztyped;        /* made from echo_xml */
  GDBusConnection *gconn;
  GDBusProxy      *gproxy;
  sd_bus          *sdbus;
} Clients;

typedef struct
{
  double rate;   /* operations per second */
  double cpu;    /* client CPU µs per operation */
} Sample;

/* The index of @name in @names, or die. */
static int
find_name (const char  *name,
           const char **names,
           int          n)
{
  for (int i = 0; i < n; i++)
    if (g_str_equal (name, names[i]))
      return i;
  BENCH_DIE ("unknown name “%s”", name);
}

static double
now (clockid_t clock)
{
  struct timespec ts;

  clock_gettime (clock, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* One operation of @bench through @stack; FALSE where the stack has none
 * or the command line left it out. */
static gboolean
supported (int bench,
           int stack)
{
  if ((bench_filter && !bench_kept[bench]) || (stack_filter && !stack_kept[stack]))
    return FALSE;
  if (bench == BENCH_CACHED)
    return stack == STACK_ZBUS_PROXY || stack == STACK_GDBUS_PROXY;
  if (bench == BENCH_UNCACHED)
    return stack != STACK_GDBUS_PROXY && stack != STACK_ZBUS_TYPED;
  return TRUE;
}

static void
check (gboolean    ok,
       const char *what,
       GError     *error)
{
  if (!ok)
    BENCH_DIE ("%s failed: %s", what, error ? error->message : "?");
}

/* Not inlined: callgrind's --toggle-collect=one_op counts one operation. */
static G_GNUC_NO_INLINE void
one_op (Clients *c,
        int      bench,
        int      stack)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) v = NULL;

  switch (bench * N_STACKS + stack)
    {
    case BENCH_CALL * N_STACKS + STACK_ZBUS_PROXY:
      v = zbus_proxy_call (c->zproxy, "Echo", g_variant_new ("(s)", BENCH_STR), G_VARIANT_TYPE ("(s)"),
                           ZBUS_MESSAGE_FLAGS_NONE, -1, NULL, &error);
      break;
    case BENCH_CALL * N_STACKS + STACK_ZBUS_TYPED:
      v = zbus_proxy_call_method (c->ztyped, "Echo", g_variant_new ("(s)", BENCH_STR),
                                  ZBUS_MESSAGE_FLAGS_NONE, -1, NULL, &error);
      break;
    case BENCH_CALL * N_STACKS + STACK_ZBUS_CONN:
      v = zbus_connection_call_sync (c->zconn, NAME, BENCH_PATH, BENCH_IFACE, "Echo",
                                     g_variant_new ("(s)", BENCH_STR), G_VARIANT_TYPE ("(s)"),
                                     ZBUS_MESSAGE_FLAGS_NONE, -1, NULL, &error);
      break;
    case BENCH_CALL * N_STACKS + STACK_GDBUS_PROXY:
      v = g_dbus_proxy_call_sync (c->gproxy, "Echo", g_variant_new ("(s)", BENCH_STR),
                                  G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
      break;
    case BENCH_CALL * N_STACKS + STACK_GDBUS_CONN:
      v = g_dbus_connection_call_sync (c->gconn, NAME, BENCH_PATH, BENCH_IFACE, "Echo",
                                       g_variant_new ("(s)", BENCH_STR), G_VARIANT_TYPE ("(s)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
      break;
    case BENCH_CALL * N_STACKS + STACK_SDBUS:
      {
        sd_bus_message *reply = NULL;
        const char *s;

        if (sd_bus_call_method (c->sdbus, NAME, BENCH_PATH, BENCH_IFACE, "Echo", NULL, &reply,
                                "s", BENCH_STR) < 0 ||
            sd_bus_message_read (reply, "s", &s) < 0)
          BENCH_DIE ("sd-bus Echo failed");
        sd_bus_message_unref (reply);
        return;
      }
    case BENCH_UNCACHED * N_STACKS + STACK_ZBUS_PROXY:
      v = zbus_proxy_get_dbus_property (c->zproxy_none, "Value", NULL, &error);
      break;
    case BENCH_UNCACHED * N_STACKS + STACK_ZBUS_CONN:
      v = zbus_connection_call_sync (c->zconn, NAME, BENCH_PATH, PROPS_IFACE, "Get",
                                     g_variant_new ("(ss)", BENCH_IFACE, "Value"), G_VARIANT_TYPE ("(v)"),
                                     ZBUS_MESSAGE_FLAGS_NONE, -1, NULL, &error);
      break;
    case BENCH_UNCACHED * N_STACKS + STACK_GDBUS_CONN:
      v = g_dbus_connection_call_sync (c->gconn, NAME, BENCH_PATH, PROPS_IFACE, "Get",
                                       g_variant_new ("(ss)", BENCH_IFACE, "Value"), G_VARIANT_TYPE ("(v)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
      break;
    case BENCH_UNCACHED * N_STACKS + STACK_SDBUS:
      {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        uint32_t value;

        if (sd_bus_get_property_trivial (c->sdbus, NAME, BENCH_PATH, BENCH_IFACE, "Value", &e,
                                         'u', &value) < 0 || value != 42)
          BENCH_DIE ("sd-bus Get failed: %s", e.message ? e.message : "?");
        return;
      }
    case BENCH_CACHED * N_STACKS + STACK_ZBUS_PROXY:
      v = zbus_proxy_get_cached_property (c->zproxy, "Value");
      break;
    case BENCH_CACHED * N_STACKS + STACK_GDBUS_PROXY:
      v = g_dbus_proxy_get_cached_property (c->gproxy, "Value");
      break;
    default:
      g_assert_not_reached ();
    }
  check (v != NULL, bench_names[bench], error);
}

static Sample
run_one (Clients *c,
         int      bench,
         int      stack,
         guint    n)
{
  double t0 = now (CLOCK_MONOTONIC), c0 = now (CLOCK_PROCESS_CPUTIME_ID);
  Sample s;

  for (guint i = 0; i < n; i++)
    one_op (c, bench, stack);
  s.rate = n / (now (CLOCK_MONOTONIC) - t0);
  s.cpu = (now (CLOCK_PROCESS_CPUTIME_ID) - c0) * 1e6 / n;
  return s;
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof (double), compare_doubles);
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

/* A private bus and the server on it; returns the daemon's pid. */
static GPid
start_bus_and_server (const char *server_path,
                      GPid       *server_pid)
{
  g_autoptr(GError) error = NULL;
  const char *daemon_argv[] = { "dbus-daemon", "--session", "--nofork", "--print-address=1", NULL };
  char address[512];
  int out_fd;
  ssize_t len = 0;
  GPid pid;

  if (!g_spawn_async_with_pipes (NULL, (char **) daemon_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                                 &pid, NULL, &out_fd, NULL, &error))
    BENCH_DIE ("cannot start dbus-daemon: %s", error->message);
  while (len < (ssize_t) sizeof address - 1)
    {
      ssize_t r = read (out_fd, address + len, sizeof address - 1 - len);

      if (r <= 0)
        break;
      len += r;
      if (memchr (address, '\n', len) != NULL)
        break;
    }
  address[len] = '\0';
  g_strchomp (address);
  if (len == 0)
    BENCH_DIE ("dbus-daemon printed no address");
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", address, TRUE);

  {
    const char *server_argv[] = { server_path, NAME, NULL };

    if (!g_spawn_async (NULL, (char **) server_argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, server_pid,
                        &error))
      BENCH_DIE ("cannot start %s: %s", server_path, error->message);
  }
  return pid;
}

static void
wait_for_name (GDBusConnection *connection)
{
  for (int i = 0; i < 500; i++)
    {
      g_autoptr(GVariant) reply = g_dbus_connection_call_sync (
        connection, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
        "NameHasOwner", g_variant_new ("(s)", NAME), G_VARIANT_TYPE ("(b)"),
        G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
      gboolean has = FALSE;

      if (reply != NULL)
        g_variant_get (reply, "(b)", &has);
      if (has)
        return;
      g_usleep (10000);
    }
  BENCH_DIE ("the server did not take %s", NAME);
}

static void
connect_clients (Clients *c)
{
  g_autoptr(GError) error = NULL;

  c->gconn = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  check (c->gconn != NULL, "g_bus_get_sync", error);
  wait_for_name (c->gconn);
  c->gproxy = g_dbus_proxy_new_sync (c->gconn, G_DBUS_PROXY_FLAGS_NONE, NULL, NAME, BENCH_PATH,
                                     BENCH_IFACE, NULL, &error);
  check (c->gproxy != NULL, "g_dbus_proxy_new_sync", error);
  c->zconn = zbus_connection_session (NULL, &error);
  check (c->zconn != NULL, "zbus_connection_session", error);
  c->zproxy = zbus_proxy_new (c->zconn, NAME, BENCH_PATH, BENCH_IFACE, ZBUS_PROXY_CACHE_MODE_EAGER,
                              NULL, &error);
  check (c->zproxy != NULL, "zbus_proxy_new", error);
  c->zproxy_none = zbus_proxy_new (c->zconn, NAME, BENCH_PATH, BENCH_IFACE, ZBUS_PROXY_CACHE_MODE_NONE,
                                   NULL, &error);
  check (c->zproxy_none != NULL, "zbus_proxy_new", error);
  c->ztyped = zbus_proxy_new_for_xml (c->zconn, echo_xml, BENCH_IFACE, NAME, BENCH_PATH,
                                      ZBUS_PROXY_CACHE_MODE_NONE, NULL, &error);
  check (c->ztyped != NULL, "zbus_proxy_new_for_xml", error);
  if (sd_bus_open_user (&c->sdbus) < 0)
    BENCH_DIE ("sd_bus_open_user failed");
  /* Both caches must hold Value before the cached reads. */
  {
    g_autoptr(GVariant) a = zbus_proxy_get_cached_property (c->zproxy, "Value");
    g_autoptr(GVariant) b = g_dbus_proxy_get_cached_property (c->gproxy, "Value");

    if (a == NULL || b == NULL || g_variant_get_uint32 (a) != 42 || g_variant_get_uint32 (b) != 42)
      BENCH_DIE ("a proxy's cache has no Value");
  }
}

static void
disconnect_clients (Clients *c)
{
  g_clear_object (&c->zproxy);
  g_clear_object (&c->zproxy_none);
  g_clear_object (&c->ztyped);
  zbus_connection_close_sync (c->zconn, NULL, NULL);
  g_clear_object (&c->zconn);
  g_clear_object (&c->gproxy);
  g_dbus_connection_close_sync (c->gconn, NULL, NULL);
  g_clear_object (&c->gconn);
  sd_bus_flush_close_unref (c->sdbus);
}

int
main (int    argc,
      char **argv)
{
  guint n = 5000, rounds = 5;
  g_autofree char *dir = g_path_get_dirname (argv[0]);
  g_autofree char *server = g_build_filename (dir, "zbus-server", NULL);
  Clients clients = { 0, };
  double rates[N_BENCHES][N_STACKS][32];
  double cpus[N_BENCHES][N_STACKS][32];
  GPid daemon_pid, server_pid;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--quick"))
        n = 1000, rounds = 3;
      else if (g_str_equal (argv[i], "-n") && i + 1 < argc)
        n = (guint) atoi (argv[++i]);
      else if (g_str_equal (argv[i], "--rounds") && i + 1 < argc)
        {
          int r = atoi (argv[++i]);   /* once: CLAMP evaluates its argument more than once */

          rounds = CLAMP (r, 1, 32);
        }
      else if (g_str_equal (argv[i], "--bench") && i + 1 < argc)
        bench_kept[find_name (argv[++i], bench_names, N_BENCHES)] = bench_filter = TRUE;
      else if (g_str_equal (argv[i], "--stack") && i + 1 < argc)
        stack_kept[find_name (argv[++i], stack_names, N_STACKS)] = stack_filter = TRUE;
      else
        BENCH_DIE ("usage: %s [--quick] [-n N] [--rounds R] [--bench BENCH] [--stack STACK]", argv[0]);
    }

  daemon_pid = start_bus_and_server (server, &server_pid);
  connect_clients (&clients);

  for (guint r = 0; r < rounds; r++)
    for (int b = 0; b < N_BENCHES; b++)
      for (int i = 0; i < N_STACKS; i++)
        {
          /* Each round starts with the next stack: no stack always runs
           * first, right after another bench. */
          int s = (i + r) % N_STACKS;

          if (supported (b, s))
            {
              Sample sample = run_one (&clients, b, s, b == BENCH_CACHED ? n * 1000 : n);

              rates[b][s][r] = sample.rate;
              cpus[b][s][r] = sample.cpu;
            }
        }

  printf ("%-9s %-12s %14s %14s %12s\n", "bench", "stack", "ops/s", "client CPU µs", "÷ zbus-proxy");
  for (int b = 0; b < N_BENCHES; b++)
    {
      double ours = supported (b, STACK_ZBUS_PROXY) ? median (rates[b][STACK_ZBUS_PROXY], rounds) : 0;
      gboolean first = TRUE;

      for (int s = 0; s < N_STACKS; s++)
        if (supported (b, s))
          {
            double rate = median (rates[b][s], rounds);
            double cpu = median (cpus[b][s], rounds);

            printf ("%-9s %-12s %14.0f %14.3f %11.2fx\n", first ? bench_names[b] : "", stack_names[s],
                    rate, cpu, ours > 0 ? rate / ours : 0);
            first = FALSE;
          }
    }

  disconnect_clients (&clients);
  kill (server_pid, SIGTERM);
  kill (daemon_pid, SIGTERM);
  waitpid (server_pid, NULL, 0);
  waitpid (daemon_pid, NULL, 0);
  return 0;
}
