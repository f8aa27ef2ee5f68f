/* bench-echo.h: what zbus-server and zbus-client agree on
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The org.bench.Echo interface of the bench-peers harness (bench.xml there)
 * and its RESULT line, so our stack runs in the same table as GDBus, sd-bus,
 * libdbus and zbus. The constants match bench-peers' common/bench.h; they
 * are repeated here so the tree builds without bench-peers.
 */

#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <glib.h>

#define BENCH_PATH   "/bench"
#define BENCH_IFACE  "org.bench.Echo"
#define BENCH_STR    "0123456789abcdef"   /* 16-byte payload for Echo */
#define BENCH_WINDOW 64                   /* calls in flight for the async bench */
#define BENCH_BYTES  (1u << 20)           /* EchoBytes payload: 1 MiB */
#define PROPS_IFACE  "org.freedesktop.DBus.Properties"

#define BENCH_DIE(...) G_STMT_START { \
    fprintf (stderr, __VA_ARGS__);    \
    fputc ('\n', stderr);             \
    exit (1);                         \
  } G_STMT_END

typedef struct
{
  double t0;
  double c0;
} BenchTimer;

static inline double
bench_clock (clockid_t clock)
{
  struct timespec ts;

  clock_gettime (clock, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static inline void
bench_start (BenchTimer *timer)
{
  timer->t0 = bench_clock (CLOCK_MONOTONIC);
  timer->c0 = bench_clock (CLOCK_PROCESS_CPUTIME_ID);
}

/* The one line bench-peers' run.sh parses: operations per second, client
 * CPU seconds (all threads) and elapsed seconds. */
static inline void
bench_report (const BenchTimer *timer,
              unsigned          n)
{
  double elapsed = bench_clock (CLOCK_MONOTONIC) - timer->t0;
  double cpu = bench_clock (CLOCK_PROCESS_CPUTIME_ID) - timer->c0;

  printf ("RESULT %.1f %.4f %.4f\n", n / elapsed, cpu, elapsed);
  fflush (stdout);
}
