/* bench-message.c: ZbusMessage against GDBusMessage, build, encode, decode
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Not a test: a program that times, in one run, the same work done with
 * ZbusMessage and with GDBusMessage, and prints per-operation times (median
 * of several rounds), operations per second and the ratio GDBus/Zbus
 * (above 1: we are faster). See bench/README.md.
 *
 * Usage: bench-message [--quick] [--rounds N] [--round-ms MS]
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zbus-gobject.h"

#define MIB (1024 * 1024)

typedef struct _BenchCase BenchCase;

/* Reads enough of a decoded body that it must really have been built. */
typedef guint64 (*TouchFunc) (GVariant *body);

struct _BenchCase
{
  const char *name;
  GVariant *body;          /* (owned) */
  TouchFunc touch;
  GBytes *zbus_wire;       /* (owned): our encoding, decoded by our side */
  guchar *gdbus_wire;      /* (owned): GDBus's encoding, decoded by GDBus */
  gsize gdbus_wire_size;
};

typedef guint64 (*OpFunc) (BenchCase *bc);

typedef struct
{
  guint rounds;
  double round_seconds;
} Settings;

/* Results land here so the compiler cannot drop the work. */
static volatile guint64 sink;

/* ------------------------------------------------------------------------ */
/* The work */

static ZbusMessage *
zbus_build (BenchCase *bc)
{
  g_autoptr(ZbusMessage) msg = NULL;

  msg = zbus_message_new_method_call ("org.example.Service", "/org/example/Object",
                                      "org.example.Iface", "Method", NULL);
  zbus_message_set_body (msg, bc->body, NULL);
  zbus_message_set_serial (msg, 42);
  return g_steal_pointer (&msg);
}

static GDBusMessage *
gdbus_build (BenchCase *bc)
{
  GDBusMessage *msg;

  msg = g_dbus_message_new_method_call ("org.example.Service", "/org/example/Object",
                                        "org.example.Iface", "Method");
  g_dbus_message_set_body (msg, bc->body);
  g_dbus_message_set_serial (msg, 42);
  return msg;
}

static guint64
zbus_encode (BenchCase *bc)
{
  g_autoptr(ZbusMessage) msg = zbus_build (bc);
  g_autoptr(GBytes) bytes = zbus_message_to_bytes (msg, NULL);

  return g_bytes_get_size (bytes);
}

static guint64
gdbus_encode (BenchCase *bc)
{
  g_autoptr(GDBusMessage) msg = gdbus_build (bc);
  g_autofree guchar *blob = NULL;
  gsize size = 0;

  blob = g_dbus_message_to_blob (msg, &size, G_DBUS_CAPABILITY_FLAGS_NONE, NULL);
  return size;
}

static guint64
zbus_decode (BenchCase *bc)
{
  g_autoptr(ZbusMessage) msg = zbus_message_new_from_bytes (bc->zbus_wire, NULL, NULL);

  return bc->touch (zbus_message_get_body (msg));
}

static guint64
gdbus_decode (BenchCase *bc)
{
  g_autoptr(GDBusMessage) msg = NULL;

  msg = g_dbus_message_new_from_blob (bc->gdbus_wire, bc->gdbus_wire_size,
                                      G_DBUS_CAPABILITY_FLAGS_NONE, NULL);
  return bc->touch (g_dbus_message_get_body (msg));
}

static guint64
touch_call (GVariant *body)
{
  const char *s;
  guint32 u;

  g_variant_get (body, "(&su)", &s, &u);
  return (guint64) s[0] + u;
}

static guint64
touch_bytes (GVariant *body)
{
  g_autoptr(GVariant) array = g_variant_get_child_value (body, 0);
  const guint8 *data;
  gsize n;

  data = g_variant_get_fixed_array (array, &n, 1);
  return n + data[0] + data[n - 1];
}

static guint64
touch_dict (GVariant *body)
{
  g_autoptr(GVariant) dict = g_variant_get_child_value (body, 0);
  gsize n = g_variant_n_children (dict);
  g_autoptr(GVariant) last = g_variant_get_child_value (dict, n - 1);
  g_autoptr(GVariant) key = g_variant_get_child_value (last, 0);

  return n + strlen (g_variant_get_string (key, NULL));
}

/* ------------------------------------------------------------------------ */
/* The cases */

static GVariant *
make_call_body (void)
{
  return g_variant_ref_sink (g_variant_new ("(su)", "hello, world", 42));
}

static GVariant *
make_bytes_body (void)
{
  guint8 *data = g_malloc (MIB);

  for (gsize i = 0; i < MIB; i++)
    data[i] = (guint8) (i * 31 + 7);

  return g_variant_ref_sink (
    g_variant_new_tuple ((GVariant *[]) {
      g_variant_new_from_data (G_VARIANT_TYPE_BYTESTRING, data, MIB, TRUE, g_free, data),
    }, 1));
}

/* 1,000 entries of the kinds of values a{sv} carries in practice. */
static GVariant *
make_dict_body (void)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  for (guint i = 0; i < 1000; i++)
    {
      g_autofree char *key = g_strdup_printf ("property-%04u", i);
      GVariant *value;

      switch (i % 8)
        {
        case 0:
          value = g_variant_new_string ("a string value of moderate length");
          break;
        case 1:
          value = g_variant_new_uint32 (i);
          break;
        case 2:
          value = g_variant_new_int64 (-(gint64) i * 1000003);
          break;
        case 3:
          value = g_variant_new_double (i / 7.0);
          break;
        case 4:
          value = g_variant_new_boolean (i % 3 == 0);
          break;
        case 5:
          value = g_variant_new_parsed ("['one', 'two', 'three']");
          break;
        case 6:
          value = g_variant_new_parsed ("(int32 -1, uint32 2, 'three', objectpath '/four')");
          break;
        default:
          value = g_variant_new_parsed ("{'nested': <uint32 1>, 'again': <'x'>}");
          break;
        }
      g_variant_builder_add (&builder, "{sv}", key, value);
    }

  return g_variant_ref_sink (g_variant_new ("(a{sv})", &builder));
}

static void
bench_case_init (BenchCase  *bc,
                 const char *name,
                 GVariant   *body,
                 TouchFunc   touch)
{
  g_autoptr(ZbusMessage) msg = NULL;
  g_autoptr(GDBusMessage) gmsg = NULL;
  g_autoptr(GError) error = NULL;

  bc->name = name;
  bc->body = body;
  bc->touch = touch;

  msg = zbus_build (bc);
  bc->zbus_wire = zbus_message_to_bytes (msg, &error);
  g_assert_no_error (error);

  gmsg = gdbus_build (bc);
  bc->gdbus_wire = g_dbus_message_to_blob (gmsg, &bc->gdbus_wire_size,
                                           G_DBUS_CAPABILITY_FLAGS_NONE, &error);
  g_assert_no_error (error);

  /* Both sides must read what they write, or the timings mean nothing. */
  sink += zbus_decode (bc) + gdbus_decode (bc);
}

static void
bench_case_clear (BenchCase *bc)
{
  g_clear_pointer (&bc->body, g_variant_unref);
  g_clear_pointer (&bc->zbus_wire, g_bytes_unref);
  g_clear_pointer (&bc->gdbus_wire, g_free);
}

/* ------------------------------------------------------------------------ */
/* Timing */

/* CPU time of the process, not wall time: on a shared machine another
 * process taking the CPU away must not count against either side. Nothing
 * timed here starts a thread. */
static double
now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
run_iterations (OpFunc     op,
                BenchCase *bc,
                guint64    n)
{
  double start = now ();
  guint64 acc = 0;

  for (guint64 i = 0; i < n; i++)
    acc += op (bc);
  sink += acc;

  return now () - start;
}

/* How many iterations fill a round of about @seconds. */
static guint64
calibrate (OpFunc     op,
           BenchCase *bc,
           double     seconds)
{
  guint64 n = 1;
  double elapsed;

  for (;;)
    {
      elapsed = run_iterations (op, bc, n);
      if (elapsed >= seconds / 8 || n >= G_MAXUINT32)
        break;
      n *= 2;
    }

  return MAX (1, (guint64) (n * seconds / MAX (elapsed, 1e-6)));
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

/* The median time of one operation, in microseconds. */
static double
measure (OpFunc          op,
         BenchCase      *bc,
         const Settings *settings)
{
  g_autofree double *times = g_new (double, settings->rounds);
  guint64 n = calibrate (op, bc, settings->round_seconds);

  for (guint r = 0; r < settings->rounds; r++)
    times[r] = run_iterations (op, bc, n) * 1e6 / n;

  qsort (times, settings->rounds, sizeof (double), compare_doubles);
  return times[settings->rounds / 2];
}

/* ------------------------------------------------------------------------ */
/* Reporting */

static void
print_header (void)
{
  g_autoptr(GDateTime) date = g_date_time_new_now_local ();
  g_autofree char *when = g_date_time_format (date, "%Y-%m-%d %H:%M");

  printf ("bench-message: ZbusMessage vs GDBusMessage (GLib %u.%u.%u), %s, %u CPUs%s\n",
          glib_major_version, glib_minor_version, glib_micro_version, when,
          g_get_num_processors (),
#ifdef __OPTIMIZE__
          ""
#else
          ", NOT OPTIMIZED: build with -Dbuildtype=release or debugoptimized"
#endif
          );
  printf ("\n%-22s %-10s %12s %12s %12s %12s %11s\n",
          "case", "operation", "zbus µs", "gdbus µs", "zbus op/s", "gdbus op/s", "gdbus/zbus");
}

static void
print_row (const char *name,
           const char *op,
           double      zbus_us,
           double      gdbus_us)
{
  printf ("%-22s %-10s %12.2f %12.2f %12.0f %12.0f %10.2fx\n",
          name, op, zbus_us, gdbus_us, 1e6 / zbus_us, 1e6 / gdbus_us, gdbus_us / zbus_us);
}

/* Prints the rows of @bc; returns the round-trip ratio GDBus/Zbus. */
static double
bench_case_run (BenchCase      *bc,
                const Settings *settings)
{
  double zbus_encode_us = measure (zbus_encode, bc, settings);
  double gdbus_encode_us = measure (gdbus_encode, bc, settings);
  double zbus_decode_us = measure (zbus_decode, bc, settings);
  double gdbus_decode_us = measure (gdbus_decode, bc, settings);

  print_row (bc->name, "encode", zbus_encode_us, gdbus_encode_us);
  print_row ("", "decode", zbus_decode_us, gdbus_decode_us);
  print_row ("", "both", zbus_encode_us + zbus_decode_us, gdbus_encode_us + gdbus_decode_us);
  fflush (stdout);

  return (gdbus_encode_us + gdbus_decode_us) / (zbus_encode_us + zbus_decode_us);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  gboolean quick = FALSE;
  int rounds = 0;
  int round_ms = 0;
  GOptionEntry entries[] = {
    { "quick", 'q', 0, G_OPTION_ARG_NONE, &quick, "A fast, rougher run (about 2 s)", NULL },
    { "rounds", 'r', 0, G_OPTION_ARG_INT, &rounds, "Rounds per measurement (default 7)", "N" },
    { "round-ms", 'm', 0, G_OPTION_ARG_INT, &round_ms, "Length of a round (default 150)", "MS" },
    { NULL },
  };
  Settings settings;
  BenchCase cases[3] = { { 0 } };
  double ratios[G_N_ELEMENTS (cases)];

  context = g_option_context_new ("— time ZbusMessage against GDBusMessage");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }

  settings.rounds = rounds > 0 ? (guint) rounds : quick ? 3 : 7;
  settings.round_seconds = (round_ms > 0 ? round_ms : quick ? 25 : 150) / 1000.0;

  bench_case_init (&cases[0], "call (su)", make_call_body (), touch_call);
  bench_case_init (&cases[1], "ay, 1 MiB", make_bytes_body (), touch_bytes);
  bench_case_init (&cases[2], "a{sv}, 1000 entries", make_dict_body (), touch_dict);

  print_header ();
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    ratios[i] = bench_case_run (&cases[i], &settings);

  printf ("\nsummary: build+encode+decode, GDBus time / Zbus time: ");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    printf ("%s%s %.2fx", i > 0 ? ", " : "", cases[i].name, ratios[i]);
  printf ("\n");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    bench_case_clear (&cases[i]);

  return 0;
}
