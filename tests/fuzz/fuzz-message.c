/* fuzz-message.c: libFuzzer target for the message codec
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Feeds the input to zbus_message_bytes_needed() and
 * zbus_message_new_from_bytes(). A message that decodes must also build its
 * body; re-encode to the same bytes whether its body was built or not;
 * decode again to the same message; go through the other byte order
 * unchanged; and convert to an equal GDBusMessage. Anything else aborts, as
 * does any warning or critical logged on the way.
 *
 * With ZBUS_FUZZ_GDBUS=1 in the environment the input also goes to
 * g_dbus_message_new_from_blob(), and when both decoders accept it they must
 * agree on every header field and on the body. (Which inputs each accepts
 * differs on purpose: GDBus is laxer in places.)
 */

#include "config.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gio/gunixfdlist.h>

#include "zbus-gobject.h"

/* Enough fds for the 'h' values of most inputs. */
#define N_FDS 4

static GUnixFDList *fd_list;
static gboolean compare_with_gdbus;

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static GLogWriterOutput
log_writer (GLogLevelFlags   log_level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  /* A warning or critical means the library tripped over its own checks on
   * input it should have refused cleanly: a bug worth a crash. */
  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    {
      g_log_writer_standard_streams (log_level, fields, n_fields, user_data);
      abort ();
    }

  return G_LOG_WRITER_HANDLED;
}

static void
fuzz_init (void)
{
  static gboolean done = FALSE;

  if (done)
    return;
  done = TRUE;

  g_log_set_writer_func (log_writer, NULL, NULL);
  compare_with_gdbus = g_strcmp0 (g_getenv ("ZBUS_FUZZ_GDBUS"), "1") == 0;

  fd_list = g_unix_fd_list_new ();
  for (guint i = 0; i < N_FDS; i++)
    {
      int fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);

      if (fd < 0 || g_unix_fd_list_append (fd_list, fd, NULL) < 0)
        abort ();
      close (fd);
    }
}

G_GNUC_NORETURN static void
fail (const char  *what,
      ZbusMessage *msg,
      const GError *error)
{
  fprintf (stderr, "fuzz-message: %s%s%s\n", what,
           error != NULL ? ": " : "", error != NULL ? error->message : "");
  if (msg != NULL)
    {
      g_autofree char *text = zbus_message_to_string (msg);
      fprintf (stderr, "%s", text);
    }
  abort ();
}

/* Same value, bit for bit (g_variant_equal() may compare printed forms). */
static gboolean
same_variant (GVariant *a,
              GVariant *b)
{
  g_autoptr(GVariant) na = NULL;
  g_autoptr(GVariant) nb = NULL;

  if (a == NULL || b == NULL)
    return a == b;
  if (!g_variant_type_equal (g_variant_get_type (a), g_variant_get_type (b)))
    return FALSE;

  na = g_variant_get_normal_form (a);
  nb = g_variant_get_normal_form (b);
  /* Empty data may be a NULL pointer, which memcmp() must not get. */
  return g_variant_get_size (na) == g_variant_get_size (nb) &&
         (g_variant_get_size (na) == 0 ||
          memcmp (g_variant_get_data (na), g_variant_get_data (nb), g_variant_get_size (na)) == 0);
}

/* Whether @a and @b are the same message, but for the byte order. */
static gboolean
same_message (ZbusMessage *a,
              ZbusMessage *b)
{
  return zbus_message_get_message_type (a) == zbus_message_get_message_type (b) &&
         zbus_message_get_flags (a) == zbus_message_get_flags (b) &&
         zbus_message_get_serial (a) == zbus_message_get_serial (b) &&
         zbus_message_get_reply_serial (a) == zbus_message_get_reply_serial (b) &&
         g_strcmp0 (zbus_message_get_path (a), zbus_message_get_path (b)) == 0 &&
         g_strcmp0 (zbus_message_get_interface (a), zbus_message_get_interface (b)) == 0 &&
         g_strcmp0 (zbus_message_get_member (a), zbus_message_get_member (b)) == 0 &&
         g_strcmp0 (zbus_message_get_error_name (a), zbus_message_get_error_name (b)) == 0 &&
         g_strcmp0 (zbus_message_get_destination (a), zbus_message_get_destination (b)) == 0 &&
         g_strcmp0 (zbus_message_get_sender (a), zbus_message_get_sender (b)) == 0 &&
         g_strcmp0 (zbus_message_get_signature (a), zbus_message_get_signature (b)) == 0 &&
         zbus_message_get_num_unix_fds (a) == zbus_message_get_num_unix_fds (b) &&
         same_variant (zbus_message_get_body (a), zbus_message_get_body (b));
}

/* @compare_fds: whether to compare the number of fds. A message we read
 * holds all the fds it came with, however many its header announced;
 * GDBus only reads the header. */
static gboolean
same_as_gdbus (ZbusMessage  *ours,
               GDBusMessage *theirs,
               gboolean      compare_fds)
{
  const char *signature = g_dbus_message_get_signature (theirs);

  return zbus_message_get_message_type (ours) == (ZbusMessageType) g_dbus_message_get_message_type (theirs) &&
         zbus_message_get_flags (ours) == (g_dbus_message_get_flags (theirs) & 0x7) &&
         zbus_message_get_byte_order (ours) == (ZbusByteOrder) g_dbus_message_get_byte_order (theirs) &&
         zbus_message_get_serial (ours) == g_dbus_message_get_serial (theirs) &&
         zbus_message_get_reply_serial (ours) == g_dbus_message_get_reply_serial (theirs) &&
         g_strcmp0 (zbus_message_get_path (ours), g_dbus_message_get_path (theirs)) == 0 &&
         g_strcmp0 (zbus_message_get_interface (ours), g_dbus_message_get_interface (theirs)) == 0 &&
         g_strcmp0 (zbus_message_get_member (ours), g_dbus_message_get_member (theirs)) == 0 &&
         g_strcmp0 (zbus_message_get_error_name (ours), g_dbus_message_get_error_name (theirs)) == 0 &&
         g_strcmp0 (zbus_message_get_destination (ours), g_dbus_message_get_destination (theirs)) == 0 &&
         g_strcmp0 (zbus_message_get_sender (ours), g_dbus_message_get_sender (theirs)) == 0 &&
         g_strcmp0 (zbus_message_get_signature (ours), signature != NULL ? signature : "") == 0 &&
         (!compare_fds ||
          zbus_message_get_num_unix_fds (ours) == g_dbus_message_get_num_unix_fds (theirs)) &&
         same_variant (zbus_message_get_body (ours), g_dbus_message_get_body (theirs));
}

/* The body must be a tuple of the message's signature, in normal form. */
static void
check_body (ZbusMessage *msg)
{
  GVariant *body = zbus_message_get_body (msg);
  const char *signature = zbus_message_get_signature (msg);
  g_autofree char *tuple = NULL;

  if (body == NULL)
    {
      if (*signature != '\0')
        fail ("no body for a non-empty signature", msg, NULL);
      return;
    }

  tuple = g_strdup_printf ("(%s)", signature);
  if (strcmp (g_variant_get_type_string (body), tuple) != 0)
    fail ("body type differs from the signature", msg, NULL);
  if (!g_variant_is_normal_form (body))
    fail ("body not in normal form", msg, NULL);
}

static void
check_gdbus_agrees (const uint8_t *data,
                    size_t         size,
                    ZbusMessage   *msg)
{
  g_autoptr(GDBusMessage) theirs = NULL;

  if (size < 16)
    return;

  theirs = g_dbus_message_new_from_blob ((guchar *) data, size,
                                         G_DBUS_CAPABILITY_FLAGS_UNIX_FD_PASSING, NULL);
  if (theirs != NULL && msg != NULL && !same_as_gdbus (msg, theirs, FALSE))
    {
      g_autofree char *printed = g_dbus_message_print (theirs, 2);
      fprintf (stderr, "GDBus read:\n%s\n", printed);
      fail ("GDBus and we read the same bytes differently", msg, NULL);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GBytes) encoded = NULL;
  g_autoptr(GBytes) swapped = NULL;
  g_autoptr(ZbusMessage) msg = NULL;
  g_autoptr(ZbusMessage) again = NULL;
  g_autoptr(ZbusMessage) swapped_again = NULL;
  g_autoptr(GDBusMessage) converted = NULL;
  gssize needed = -1;

  fuzz_init ();

  if (size >= ZBUS_MESSAGE_HEADER_MIN_SIZE)
    {
      needed = zbus_message_bytes_needed (data, size, &error);
      if ((needed < 0) != (error != NULL))
        fail ("bytes_needed: result and error disagree", NULL, error);
      g_clear_error (&error);
    }

  /* Static bytes: the decoder reads libFuzzer's exact-size buffer, so an
   * overread is caught by ASan. */
  bytes = g_bytes_new_static (data, size);
  msg = zbus_message_new_from_bytes (bytes, fd_list, &error);

  if (compare_with_gdbus)
    check_gdbus_agrees (data, size, msg);

  if (msg == NULL)
    {
      if (error == NULL)
        fail ("new_from_bytes failed without an error", NULL, NULL);
      return 0;
    }
  if (error != NULL)
    fail ("new_from_bytes set an error and returned a message", msg, error);

  /* Whatever decodes is a whole message, and bytes_needed agrees. */
  if (needed != (gssize) size)
    fail ("bytes_needed disagrees with the size of a message that decoded", msg, NULL);

  /* Before the body is built, encoding copies the body bytes as they came;
   * after, it writes the body from its GVariant. Both must give the same
   * bytes: the wire format has one encoding per value, so anything else
   * means the reader let something non-canonical through. */
  raw = zbus_message_to_bytes (msg, &error);
  if (raw == NULL)
    fail ("a decoded message does not re-encode", msg, error);

  check_body (msg);
  encoded = zbus_message_to_bytes (msg, &error);
  if (encoded == NULL)
    fail ("a decoded message does not re-encode once its body is built", msg, error);
  if (!g_bytes_equal (raw, encoded))
    fail ("the body bytes and the re-encoded body differ", msg, NULL);

  again = zbus_message_new_from_bytes (encoded, fd_list, &error);
  if (again == NULL)
    fail ("a re-encoded message does not decode", msg, error);
  if (zbus_message_get_byte_order (again) != zbus_message_get_byte_order (msg))
    fail ("a message changed byte order through re-encoding", msg, NULL);

  /* The same message in the other byte order, set before its body is
   * built, so that encoding must build it. */
  zbus_message_set_byte_order (again,
                               zbus_message_get_byte_order (msg) == ZBUS_BYTE_ORDER_BIG_ENDIAN
                                 ? ZBUS_BYTE_ORDER_LITTLE_ENDIAN
                                 : ZBUS_BYTE_ORDER_BIG_ENDIAN);
  swapped = zbus_message_to_bytes (again, &error);
  if (swapped == NULL)
    fail ("a message does not encode in the other byte order", again, error);
  swapped_again = zbus_message_new_from_bytes (swapped, fd_list, &error);
  if (swapped_again == NULL)
    fail ("a message in the other byte order does not decode", again, error);
  if (!same_message (msg, again))
    fail ("a message changed through re-encoding", msg, NULL);
  if (!same_message (msg, swapped_again))
    fail ("a message changed through the other byte order", msg, NULL);

  converted = zbus_message_to_gdbus (msg, &error);
  if (converted == NULL)
    fail ("zbus_message_to_gdbus failed", msg, error);
  if (!same_as_gdbus (msg, converted, TRUE))
    fail ("zbus_message_to_gdbus changed the message", msg, NULL);

  return 0;
}
