/* bench-match.c: what finding a message's match rules costs, 1 to 10,000 rules
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Not a test: a program that times, for 1, 100 and 10,000 match rules on one
 * connection, how long finding the rules a received message matches takes,
 * in nanoseconds per message:
 *
 * - index:  the connection's private ZbusMatchIndex
 *           (_zbus_match_index_foreach_match), as the streams use it;
 * - linear: zbus_match_rule_matches() on every rule in turn, the naive way;
 * - e2e:    (unless --no-e2e) the whole receiving path of a peer-to-peer
 *           ZbusConnection with one ZbusMessageStream per rule: read the
 *           socket, decode, match, queue. Peer to peer, so that no AddMatch
 *           is sent: dbus-daemon caps match rules per connection (50,000
 *           in Debian's session.conf, the built-in 512 on the system bus).
 *
 * Messages are decoded from wire bytes just before each timed pass, as a
 * connection receives them, so the lazy decoding of a body for `arg0` is
 * paid where it would be. See bench/README.md.
 *
 * Two mixes of rules: "mixed" has 5% of rules with only a path_namespace,
 * "bucketable" gives those an interface too.
 *
 * Usage: bench-match [--quick] [--rounds N] [--no-e2e] [--rules N] [--mix M]
 */

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "zbus-gobject.h"
#include "zbus-match-rule-private.h"

/* Distinct messages in the stream; each is used once per pass. */
#define N_MESSAGE_KINDS 4096

typedef struct
{
  guint rounds;
  guint passes;       /* passes over the messages per round */
  gboolean e2e;
} Settings;

typedef struct
{
  guint n_rules;
  GPtrArray *rules;    /* (element-type ZbusMatchRule) (owned) */
  GPtrArray *wire;     /* (element-type GBytes) (owned): the messages */
  guint64 expected;    /* rule matches in one pass over the messages */
  guint n_matching;    /* messages that match at least one rule */
} RuleSet;

static volatile guint64 sink;

static double
now_thread_cpu (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
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

/* ------------------------------------------------------------------------ */
/* Rules and messages */

/* Rule @i of a set: the mix a desktop process might have. Every rule is
 * distinct; which fields it fixes depends on i % 20:
 *
 *  0-7   a signal of its own:  interface, member and path of its own
 *  8-11  a proxy's PropertiesChanged: sender, Properties interface and
 *        member (shared by all of them), path of its own
 * 12-15  a name watch: NameOwnerChanged from the bus, arg0 of its own
 * 16-17  everything from one peer: sender only
 * 18     every signal of one interface: interface only
 * 19     an object tree: path_namespace only, which the index cannot
 *        bucket (it goes in the catch-all list); with @bucketable, the
 *        tree's interface too, which it can */
static char *
rule_text (guint    i,
           gboolean bucketable)
{
  switch (i % 20)
    {
    case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7:
      return g_strdup_printf ("type='signal',interface='org.example.Iface%u',"
                              "member='Signal%u',path='/org/example/Object%u'", i, i, i);
    case 8: case 9: case 10: case 11:
      return g_strdup_printf ("type='signal',sender=':1.%u',"
                              "interface='org.freedesktop.DBus.Properties',"
                              "member='PropertiesChanged',path='/org/example/Object%u'",
                              10 + i % 97, i);
    case 12: case 13: case 14: case 15:
      return g_strdup_printf ("type='signal',sender='org.freedesktop.DBus',"
                              "interface='org.freedesktop.DBus',member='NameOwnerChanged',"
                              "path='/org/freedesktop/DBus',arg0='org.example.Name%u'", i);
    case 16: case 17:
      return g_strdup_printf ("type='signal',sender=':1.%u'", 1000 + i);
    case 18:
      return g_strdup_printf ("type='signal',interface='org.example.Only%u'", i);
    case 19:
    default:
      if (bucketable)
        return g_strdup_printf ("type='signal',interface='org.example.Tree%u',"
                                "path_namespace='/org/example/Tree%u'", i, i);
      return g_strdup_printf ("type='signal',path_namespace='/org/example/Tree%u'", i);
    }
}

static ZbusMessage *
new_signal (const char *sender,
            const char *path,
            const char *interface_,
            const char *member,
            GVariant   *body)
{
  ZbusMessage *message = zbus_message_new_signal (path, interface_, member, NULL);

  g_assert_nonnull (message);
  zbus_message_set_sender (message, sender, NULL);
  if (body != NULL)
    zbus_message_set_body (message, body, NULL);
  return message;
}

static GVariant *
properties_body (void)
{
  GVariantBuilder changed;

  g_variant_builder_init (&changed, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&changed, "{sv}", "Value", g_variant_new_uint32 (42));
  return g_variant_new ("(sa{sv}as)", "org.example.Iface", &changed, NULL);
}

/* A message aimed at rule @i: it matches it when @hit, and is a near miss
 * of the same family (another object, name or peer) otherwise. */
static ZbusMessage *
message_for_rule (guint    i,
                  gboolean hit)
{
  guint j = hit ? i : i + 1000000;
  g_autofree char *path = g_strdup_printf ("/org/example/Object%u", j);
  g_autofree char *iface = g_strdup_printf ("org.example.Iface%u", j);
  g_autofree char *member = g_strdup_printf ("Signal%u", j);
  g_autofree char *name = NULL;
  g_autofree char *sender = NULL;

  switch (i % 20)
    {
    case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7:
      return new_signal (":1.5", path, iface, member, g_variant_new ("(u)", j));
    case 8: case 9: case 10: case 11:
      sender = g_strdup_printf (":1.%u", 10 + i % 97);
      return new_signal (sender, path, "org.freedesktop.DBus.Properties", "PropertiesChanged",
                         properties_body ());
    case 12: case 13: case 14: case 15:
      name = g_strdup_printf ("org.example.Name%u", j);
      return new_signal ("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                         "NameOwnerChanged", g_variant_new ("(sss)", name, "", ":1.77"));
    case 16: case 17:
      sender = g_strdup_printf (":1.%u", 1000 + j);
      return new_signal (sender, "/org/example/Other", "org.example.Other", "Happened",
                         g_variant_new ("(s)", "something"));
    case 18:
      iface = g_strdup_printf ("org.example.Only%u", j);
      return new_signal (":1.6", "/org/example/Other", iface, "Happened", NULL);
    case 19:
    default:
      path = g_strdup_printf ("/org/example/Tree%u/child/%u", j, j % 7);
      iface = g_strdup_printf ("org.example.Tree%u", j);
      return new_signal (":1.7", path, iface, "Grew", g_variant_new ("(u)", j));
    }
}

static GBytes *
encode (ZbusMessage *message,
        guint32      serial)
{
  g_autoptr(GError) error = NULL;
  GBytes *bytes;

  zbus_message_set_serial (message, serial);
  bytes = zbus_message_to_bytes (message, &error);
  g_assert_no_error (error);
  return bytes;
}

/* Half the messages match a rule, half are near misses; one in eight of
 * all is a method call, which a signal rule never matches. */
static GPtrArray *
make_messages (guint n_rules)
{
  GPtrArray *wire = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  GRand *rand = g_rand_new_with_seed (1234);

  for (guint k = 0; k < N_MESSAGE_KINDS; k++)
    {
      g_autoptr(ZbusMessage) message = NULL;

      if (k % 8 == 7)
        {
          message = zbus_message_new_method_call ("org.example.Service", "/org/example/Object1",
                                                  "org.example.Iface1", "Method", NULL);
          zbus_message_set_sender (message, ":1.5", NULL);
          /* The receiver of the end-to-end pass answers no call: nobody
           * would read the answers. */
          zbus_message_set_flags (message, ZBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED);
          zbus_message_set_body (message, g_variant_new ("(s)", "org.example.Name1"), NULL);
        }
      else
        message = message_for_rule (g_rand_int_range (rand, 0, (gint32) n_rules), k % 2 == 0);

      g_ptr_array_add (wire, encode (message, k + 1));
    }

  g_rand_free (rand);
  return wire;
}

static ZbusMessage **
decode_all (GPtrArray *wire)
{
  ZbusMessage **messages = g_new (ZbusMessage *, wire->len);

  for (guint k = 0; k < wire->len; k++)
    {
      g_autoptr(GError) error = NULL;

      messages[k] = zbus_message_new_from_bytes (g_ptr_array_index (wire, k), NULL, &error);
      g_assert_no_error (error);
    }
  return messages;
}

static void
free_all (ZbusMessage **messages,
          guint         n)
{
  for (guint k = 0; k < n; k++)
    zbus_message_unref (messages[k]);
  g_free (messages);
}

static void
rule_set_init (RuleSet  *set,
               guint     n_rules,
               gboolean  bucketable)
{
  set->n_rules = n_rules;
  set->rules = g_ptr_array_new_with_free_func ((GDestroyNotify) zbus_match_rule_unref);
  for (guint i = 0; i < n_rules; i++)
    {
      g_autofree char *text = rule_text (i, bucketable);
      g_autoptr(GError) error = NULL;
      ZbusMatchRule *rule = zbus_match_rule_new_from_string (text, &error);

      g_assert_no_error (error);
      g_ptr_array_add (set->rules, rule);
    }
  set->wire = make_messages (n_rules);
}

static void
rule_set_clear (RuleSet *set)
{
  g_ptr_array_unref (set->rules);
  g_ptr_array_unref (set->wire);
}

/* ------------------------------------------------------------------------ */
/* index and linear */

static void
count_cb (ZbusMatchRule *rule,
          gpointer       entry_data,
          gpointer       user_data)
{
  (*(guint64 *) user_data)++;
}

static ZbusMatchIndex *
build_index (RuleSet *set)
{
  ZbusMatchIndex *index = _zbus_match_index_new ();

  for (guint i = 0; i < set->rules->len; i++)
    _zbus_match_index_add (index, g_ptr_array_index (set->rules, i), GUINT_TO_POINTER (i + 1));
  return index;
}

static guint64
index_pass (ZbusMatchIndex  *index,
            ZbusMessage    **messages,
            guint            n)
{
  guint64 matches = 0;

  for (guint k = 0; k < n; k++)
    _zbus_match_index_foreach_match (index, messages[k], count_cb, &matches);
  return matches;
}

static guint64
linear_pass (RuleSet      *set,
             ZbusMessage **messages,
             guint         n)
{
  guint64 matches = 0;

  for (guint k = 0; k < n; k++)
    for (guint i = 0; i < set->rules->len; i++)
      matches += zbus_match_rule_matches (g_ptr_array_index (set->rules, i), messages[k]);
  return matches;
}

/* Both ways must find the same rules for every message. */
static void
check_same (RuleSet        *set,
            ZbusMatchIndex *index)
{
  ZbusMessage **messages = decode_all (set->wire);

  set->expected = 0;
  set->n_matching = 0;
  for (guint k = 0; k < set->wire->len; k++)
    {
      guint64 by_index = 0, by_scan;

      _zbus_match_index_foreach_match (index, messages[k], count_cb, &by_index);
      by_scan = linear_pass (set, &messages[k], 1);
      if (by_index != by_scan)
        g_error ("message %u: the index found %" G_GUINT64_FORMAT " rules, the scan %"
                 G_GUINT64_FORMAT, k, by_index, by_scan);
      set->expected += by_scan;
      set->n_matching += by_scan > 0;
    }
  free_all (messages, set->wire->len);
}

typedef enum
{
  WAY_INDEX,
  WAY_LINEAR,
} Way;

/* One round: @passes passes over freshly decoded messages; returns ns per
 * message. Decoding is not timed. */
static double
time_round (RuleSet        *set,
            ZbusMatchIndex *index,
            Way             way,
            guint           passes)
{
  double total = 0;

  for (guint p = 0; p < passes; p++)
    {
      ZbusMessage **messages = decode_all (set->wire);
      double t0 = now_thread_cpu ();
      guint64 matches;

      if (way == WAY_INDEX)
        matches = index_pass (index, messages, set->wire->len);
      else
        matches = linear_pass (set, messages, set->wire->len);
      total += now_thread_cpu () - t0;

      if (matches != set->expected)
        g_error ("%" G_GUINT64_FORMAT " matches, expected %" G_GUINT64_FORMAT,
                 matches, set->expected);
      sink += matches;
      free_all (messages, set->wire->len);
    }

  return total * 1e9 / ((double) passes * set->wire->len);
}

/* ------------------------------------------------------------------------ */
/* e2e: a peer-to-peer connection with one stream per rule */

typedef struct
{
  GSocket *socket;     /* (owned) */
  GError *error;
  ZbusConnection *connection;
} BuildData;

static gpointer
build_server_thread (gpointer data)
{
  BuildData *bd = data;
  g_autoptr(ZbusConnectionBuilder) builder = zbus_connection_builder_new_for_socket (bd->socket);
  g_autofree char *guid = zbus_generate_guid ();
  g_autoptr(GMainContext) context = g_main_context_new ();

  zbus_connection_builder_set_server (builder, guid);
  zbus_connection_builder_set_p2p (builder, TRUE);
  zbus_connection_builder_set_main_context (builder, context);
  bd->connection = zbus_connection_builder_build (builder, NULL, &bd->error);
  return NULL;
}

/* Connects our receiving connection to a server end over a socket pair.
 * The server end's connection only does the handshake: nobody runs its
 * context afterwards, so it never reads, and the messages are written
 * straight into its socket (returned in @server_fd). */
static void
connect_pair (ZbusConnection **receiver,
              ZbusConnection **server,
              int             *server_fd)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusConnectionBuilder) builder = NULL;
  g_autoptr(GSocket) client_socket = NULL;
  BuildData bd = { 0 };
  GThread *thread;
  int fds[2];

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
    g_error ("socketpair: %s", g_strerror (errno));
  bd.socket = g_socket_new_from_fd (fds[0], &error);
  g_assert_no_error (error);
  client_socket = g_socket_new_from_fd (fds[1], &error);
  g_assert_no_error (error);

  thread = g_thread_new ("build-server", build_server_thread, &bd);
  builder = zbus_connection_builder_new_for_socket (client_socket);
  zbus_connection_builder_set_p2p (builder, TRUE);
  *receiver = zbus_connection_builder_build (builder, NULL, &error);
  g_assert_no_error (error);
  g_thread_join (thread);
  g_assert_no_error (bd.error);
  *server = bd.connection;
  *server_fd = fds[0];
  g_object_unref (bd.socket);
}

typedef struct
{
  RuleSet *set;
  ZbusConnection *receiver;   /* (owned) */
  ZbusConnection *server;     /* (owned): idle after the handshake */
  int fd;                     /* the server end's socket (not owned) */
  GPtrArray *streams;         /* (element-type ZbusMessageStream) (owned) */
  ZbusMessageStream *end;     /* (owned): gets the last message of a pass */
  GBytes *burst;              /* (owned): every message, then the end one */
} E2E;

static void
e2e_init (E2E     *e2e,
          RuleSet *set)
{
  g_autoptr(ZbusMatchRule) end_rule = NULL;
  g_autoptr(ZbusMessage) end_message = NULL;
  g_autoptr(GBytes) end_bytes = NULL;
  g_autoptr(GError) error = NULL;
  GByteArray *burst = g_byte_array_new ();

  e2e->set = set;
  connect_pair (&e2e->receiver, &e2e->server, &e2e->fd);
  e2e->streams = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < set->rules->len; i++)
    {
      /* Room for everything a pass sends: nothing is dropped. */
      ZbusMessageStream *stream =
        zbus_message_stream_new_for_match_rule (e2e->receiver, g_ptr_array_index (set->rules, i),
                                                N_MESSAGE_KINDS, NULL, &error);

      g_assert_no_error (error);
      g_ptr_array_add (e2e->streams, stream);
    }

  end_rule = zbus_match_rule_new_from_string ("type='signal',member='End',path='/end'", &error);
  g_assert_no_error (error);
  e2e->end = zbus_message_stream_new_for_match_rule (e2e->receiver, end_rule, 0, NULL, &error);
  g_assert_no_error (error);

  for (guint k = 0; k < set->wire->len; k++)
    {
      GBytes *bytes = g_ptr_array_index (set->wire, k);

      g_byte_array_append (burst, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
    }
  end_message = new_signal (":1.9", "/end", "org.example.End", "End", NULL);
  end_bytes = encode (end_message, N_MESSAGE_KINDS + 1);
  g_byte_array_append (burst, g_bytes_get_data (end_bytes, NULL), g_bytes_get_size (end_bytes));
  e2e->burst = g_byte_array_free_to_bytes (burst);
}

static void
e2e_clear (E2E *e2e)
{
  g_ptr_array_unref (e2e->streams);
  g_object_unref (e2e->end);
  zbus_connection_close_sync (e2e->receiver, NULL, NULL);
  zbus_connection_close_sync (e2e->server, NULL, NULL);
  g_object_unref (e2e->receiver);
  g_object_unref (e2e->server);
  g_bytes_unref (e2e->burst);
}

/* Writes the burst into the socket, waiting for room as the receiver reads
 * (the socket is non-blocking: GSocket made it so). */
static gpointer
writer_thread (gpointer data)
{
  E2E *e2e = data;
  gsize size;
  const guint8 *p = g_bytes_get_data (e2e->burst, &size);

  while (size > 0)
    {
      ssize_t n = send (e2e->fd, p, size, MSG_NOSIGNAL);

      if (n < 0 && (errno == EAGAIN || errno == EINTR))
        {
          struct timespec pause = { 0, 50000 };

          nanosleep (&pause, NULL);
          continue;
        }
      if (n < 0)
        g_error ("send: %s", g_strerror (errno));
      p += n;
      size -= (gsize) n;
    }
  return NULL;
}

/* Empties every stream and checks that, together, they got what the index
 * said they would. */
static void
e2e_drain (E2E *e2e)
{
  guint64 got = 0;

  for (guint i = 0; i < e2e->streams->len; i++)
    {
      ZbusMessageStream *stream = g_ptr_array_index (e2e->streams, i);
      ZbusMessage *message;

      if (zbus_message_stream_get_dropped (stream) != 0)
        g_error ("stream %u dropped messages", i);
      while ((message = zbus_message_stream_try_pop (stream)) != NULL)
        {
          got++;
          zbus_message_unref (message);
        }
    }
  if (got != e2e->set->expected)
    g_error ("streams got %" G_GUINT64_FORMAT " messages, expected %" G_GUINT64_FORMAT,
             got, e2e->set->expected);
}

/* One pass: a thread writes every message into the socket while this one
 * pops the end stream. Nobody runs the connection's context, so the pop
 * reads the socket itself: all the receiving (read, decode, match, queue)
 * happens in this thread, whose CPU time is what is measured. */
static double
e2e_pass (E2E *e2e)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusMessage) end = NULL;
  GThread *writer;
  double t0, cpu;

  t0 = now_thread_cpu ();
  writer = g_thread_new ("writer", writer_thread, e2e);
  end = zbus_message_stream_pop (e2e->end, NULL, &error);
  g_assert_no_error (error);
  cpu = now_thread_cpu () - t0;
  g_thread_join (writer);

  /* The connection's context queue holds every message too (for its
   * handlers): let it go, untimed, as an application's main loop would. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  e2e_drain (e2e);

  return cpu * 1e9 / (e2e->set->wire->len + 1);
}

/* ------------------------------------------------------------------------ */

static void
bench_rule_count (guint           n_rules,
                  gboolean        bucketable,
                  const Settings *settings)
{
  RuleSet set = { 0 };
  ZbusMatchIndex *index;
  g_autoptr(GArray) by_index = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) by_scan = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) by_e2e = g_array_new (FALSE, FALSE, sizeof (double));
  guint scan_passes = settings->passes;
  E2E e2e = { 0 };
  double index_ns, scan_ns, e2e_ns = 0;

  rule_set_init (&set, n_rules, bucketable);
  index = build_index (&set);
  check_same (&set, index);

  /* The scan of 10,000 rules is slow: fewer passes keep rounds short. */
  if (n_rules >= 1000)
    scan_passes = MAX (1, settings->passes / 10);

  if (settings->e2e)
    e2e_init (&e2e, &set);

  for (guint r = 0; r < settings->rounds; r++)
    {
      double v;

      v = time_round (&set, index, WAY_INDEX, settings->passes);
      g_array_append_val (by_index, v);
      v = time_round (&set, index, WAY_LINEAR, scan_passes);
      g_array_append_val (by_scan, v);
      if (settings->e2e)
        {
          v = e2e_pass (&e2e);
          g_array_append_val (by_e2e, v);
        }
    }

  index_ns = median (by_index);
  scan_ns = median (by_scan);
  if (settings->e2e)
    e2e_ns = median (by_e2e);

  printf ("%-11s %6u  %12.0f  %12.0f  %10.1fx", bucketable ? "bucketable" : "mixed", n_rules, index_ns, scan_ns, scan_ns / index_ns);
  if (settings->e2e)
    printf ("  %12.0f", e2e_ns);
  printf ("   %4.1f%% of messages match, %.2f rules each\n",
          100.0 * set.n_matching / set.wire->len,
          set.n_matching > 0 ? (double) set.expected / set.n_matching : 0.0);
  fflush (stdout);

  if (settings->e2e)
    e2e_clear (&e2e);
  _zbus_match_index_free (index);
  rule_set_clear (&set);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  gboolean quick = FALSE;
  gboolean no_e2e = FALSE;
  int rounds = 0;
  int only_rules = 0;
  g_autofree char *mix = NULL;
  Settings settings = { 0 };
  const guint counts[] = { 1, 100, 10000 };
  GOptionEntry entries[] = {
    { "quick", 'q', 0, G_OPTION_ARG_NONE, &quick, "Fewer rounds and passes", NULL },
    { "rounds", 'r', 0, G_OPTION_ARG_INT, &rounds, "Rounds (median taken)", "N" },
    { "no-e2e", 0, 0, G_OPTION_ARG_NONE, &no_e2e, "Skip the connection end-to-end column", NULL },
    { "rules", 0, 0, G_OPTION_ARG_INT, &only_rules, "Only this many rules (for profiling)", "N" },
    { "mix", 0, 0, G_OPTION_ARG_STRING, &mix, "Only this mix: mixed or bucketable", "MIX" },
    G_OPTION_ENTRY_NULL
  };

  context = g_option_context_new ("- match rule lookup cost, 1 to 10,000 rules");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }

  settings.rounds = rounds > 0 ? (guint) rounds : quick ? 3 : 7;
  settings.passes = quick ? 2 : 10;
  settings.e2e = !no_e2e;

  printf ("%u distinct messages per pass, decoded fresh before each; ns per message, "
          "median of %u rounds\n", N_MESSAGE_KINDS, settings.rounds);
  printf ("%-11s %6s  %12s  %12s  %11s", "mix", "rules", "index ns", "linear ns", "linear/index");
  if (settings.e2e)
    printf ("  %12s", "e2e ns");
  printf ("\n");

  /* "mixed" has 5% of rules the index cannot bucket (path_namespace
   * only); "bucketable" gives those an interface too. */
  for (guint m = 0; m < 2; m++)
    {
      if (mix != NULL && !g_str_equal (mix, m == 0 ? "mixed" : "bucketable"))
        continue;
      for (guint c = 0; c < G_N_ELEMENTS (counts); c++)
        if (only_rules == 0 || (guint) only_rules == counts[c])
          bench_rule_count (counts[c], m == 1, &settings);
      if (only_rules > 0 && only_rules != 1 && only_rules != 100 && only_rules != 10000)
        bench_rule_count ((guint) only_rules, m == 1, &settings);
    }

  return (int) (sink & 0);
}
