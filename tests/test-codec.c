/* test-codec.c: the D-Bus wire codec of ZbusMessage
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <gio/gunixfdlist.h>
#include <glib/gstdio.h>

#include "zbus-gobject.h"
#include "zbus-message-private.h"

#define HOST_ORDER (G_BYTE_ORDER == G_LITTLE_ENDIAN ? 'l' : 'B')

/* ------------------------------------------------------------------------ */
/* A hand-made message writer, independent of the codec under test, so the
 * malformed messages below say exactly which byte is wrong. */

typedef struct
{
  GByteArray *buf;
  gboolean swap;
  guint body_start;
} Raw;

static void
raw_u8 (Raw    *raw,
        guint8  v)
{
  g_byte_array_append (raw->buf, &v, 1);
}

static void
raw_pad (Raw    *raw,
         guint   alignment,
         guint8  fill)
{
  while (raw->buf->len % alignment != 0)
    raw_u8 (raw, fill);
}

static void
raw_data (Raw           *raw,
          gconstpointer  data,
          gsize          len)
{
  g_byte_array_append (raw->buf, data, len);
}

static void
raw_u32 (Raw     *raw,
         guint32  v)
{
  raw_pad (raw, 4, 0);
  if (raw->swap)
    v = GUINT32_SWAP_LE_BE (v);
  raw_data (raw, &v, 4);
}

static void
raw_u64 (Raw     *raw,
         guint64  v)
{
  raw_pad (raw, 8, 0);
  if (raw->swap)
    v = GUINT64_SWAP_LE_BE (v);
  raw_data (raw, &v, 8);
}

static void
raw_u32_at (Raw     *raw,
            guint    offset,
            guint32  v)
{
  if (raw->swap)
    v = GUINT32_SWAP_LE_BE (v);
  memcpy (raw->buf->data + offset, &v, 4);
}

/* A string of @len bytes (which may hold anything) and the byte after it. */
static void
raw_str_len (Raw        *raw,
             const char *s,
             gsize       len,
             guint8      terminator)
{
  raw_u32 (raw, len);
  raw_data (raw, s, len);
  raw_u8 (raw, terminator);
}

static void
raw_str (Raw        *raw,
         const char *s)
{
  raw_str_len (raw, s, strlen (s), 0);
}

static void
raw_sig (Raw        *raw,
         const char *s)
{
  raw_u8 (raw, strlen (s));
  raw_data (raw, s, strlen (s) + 1);
}

static void
raw_begin (Raw     *raw,
           char     order,
           guint8   type,
           guint32  serial)
{
  raw->buf = g_byte_array_new ();
  raw->swap = order != HOST_ORDER;
  raw->body_start = 0;
  raw_u8 (raw, order);
  raw_u8 (raw, type);
  raw_u8 (raw, 0);    /* flags */
  raw_u8 (raw, 1);    /* protocol version */
  raw_u32 (raw, 0);   /* body length, set by raw_finish() */
  raw_u32 (raw, serial);
  raw_u32 (raw, 0);   /* header fields length, set by raw_end_fields() */
}

/* Starts a header field whose value has type @sig; the caller writes the
 * value. */
static void
raw_field (Raw        *raw,
           guint8      code,
           const char *sig)
{
  raw_pad (raw, 8, 0);
  raw_u8 (raw, code);
  raw_sig (raw, sig);
}

static void
raw_field_str (Raw        *raw,
               guint8      code,
               char        type,
               const char *value)
{
  char sig[2] = { type, '\0' };

  raw_field (raw, code, sig);
  if (type == 'g')
    raw_sig (raw, value);
  else
    raw_str (raw, value);
}

static void
raw_field_u32 (Raw     *raw,
               guint8   code,
               guint32  value)
{
  raw_field (raw, code, "u");
  raw_u32 (raw, value);
}

static void
raw_end_fields (Raw *raw)
{
  raw_u32_at (raw, 12, raw->buf->len - 16);
  raw_pad (raw, 8, 0);
  raw->body_start = raw->buf->len;
}

static GBytes *
raw_finish (Raw *raw)
{
  raw_u32_at (raw, 4, raw->buf->len - raw->body_start);
  return g_byte_array_free_to_bytes (raw->buf);
}

/* A method call to "/", member "M", with a body of type @signature (none
 * if NULL), ready for its body to be written. */
static void
raw_call (Raw        *raw,
          const char *signature)
{
  raw_begin (raw, 'l', ZBUS_MESSAGE_TYPE_METHOD_CALL, 1);
  raw_field_str (raw, ZBUS_HEADER_FIELD_PATH, 'o', "/");
  raw_field_str (raw, ZBUS_HEADER_FIELD_MEMBER, 's', "M");
  if (signature != NULL)
    raw_field_str (raw, ZBUS_HEADER_FIELD_SIGNATURE, 'g', signature);
  raw_end_fields (raw);
}

/* ------------------------------------------------------------------------ */
/* Checks */

static GUnixFDList *
new_fd_list (guint n)
{
  g_autoptr(GUnixFDList) list = g_unix_fd_list_new ();

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      int fd = g_open ("/dev/null", O_RDONLY, 0);

      g_assert_cmpint (fd, >=, 0);
      g_assert_cmpint (g_unix_fd_list_append (list, fd, &error), ==, i);
      g_assert_no_error (error);
      close (fd);
    }

  return g_steal_pointer (&list);
}

/* Decodes @bytes, which must be valid, then checks its body builds and the
 * message writes back to bytes that decode again. Takes @bytes. */
static ZbusMessage *
check_valid_fds (GBytes      *bytes,
                 GUnixFDList *fds)
{
  g_autoptr(GBytes) owned = bytes;
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusMessage) msg = NULL;
  g_autoptr(ZbusMessage) again = NULL;
  g_autoptr(GBytes) written = NULL;

  msg = zbus_message_new_from_bytes (owned, fds, &error);
  g_assert_no_error (error);
  g_assert_nonnull (msg);
  zbus_message_get_body (msg);

  written = zbus_message_to_bytes (msg, &error);
  g_assert_no_error (error);
  again = zbus_message_new_from_bytes (written, fds, &error);
  g_assert_no_error (error);
  if (zbus_message_get_body (msg) != NULL)
    g_assert_true (g_variant_equal (zbus_message_get_body (msg), zbus_message_get_body (again)));

  return g_steal_pointer (&msg);
}

static void
check_valid (GBytes *bytes)
{
  g_autoptr(ZbusMessage) msg = check_valid_fds (bytes, NULL);

  g_assert_nonnull (msg);
}

/* Decoding @bytes (taken) must fail with @code. */
static void
check_invalid_fds (GBytes      *bytes,
                   GUnixFDList *fds,
                   int          code)
{
  g_autoptr(GBytes) owned = bytes;
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusMessage) msg = NULL;

  msg = zbus_message_new_from_bytes (owned, fds, &error);
  g_assert_error (error, ZBUS_ERROR, code);
  g_assert_null (msg);
  g_test_message ("%s", error->message);
}

static void
check_invalid (GBytes *bytes,
               int     code)
{
  check_invalid_fds (bytes, NULL, code);
}

static gboolean
gdbus_accepts (GBytes *bytes)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusMessage) msg = NULL;
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  msg = g_dbus_message_new_from_blob ((guchar *) data, size,
                                      G_DBUS_CAPABILITY_FLAGS_UNIX_FD_PASSING, &error);
  return msg != NULL;
}

static ZbusMessage *
new_call_with_body (GVariant *body)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusMessage) msg = NULL;

  msg = zbus_message_new_method_call ("org.example.Dest", "/org/example/Obj",
                                      "org.example.Iface", "Do", &error);
  g_assert_no_error (error);
  zbus_message_set_serial (msg, 7);
  g_assert_true (zbus_message_set_body (msg, body, &error));
  g_assert_no_error (error);

  return g_steal_pointer (&msg);
}

/* Writes @body in both byte orders, reads it back, and checks GDBus reads
 * our bytes to the same body and we read GDBus's. */
static void
check_body_round_trip (GVariant    *body,
                       GUnixFDList *fds)
{
  static const ZbusByteOrder orders[] = {
    ZBUS_BYTE_ORDER_LITTLE_ENDIAN, ZBUS_BYTE_ORDER_BIG_ENDIAN,
  };
  g_autoptr(GVariant) owned = g_variant_ref_sink (body);

  for (guint i = 0; i < G_N_ELEMENTS (orders); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ZbusMessage) msg = new_call_with_body (owned);
      g_autoptr(ZbusMessage) decoded = NULL;
      g_autoptr(ZbusMessage) from_gdbus = NULL;
      g_autoptr(GDBusMessage) gmsg = NULL;
      g_autoptr(GDBusMessage) gbuilt = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GBytes) again = NULL;
      g_autoptr(GBytes) gbytes = NULL;
      guchar *gblob;
      gsize gsize_;
      gsize size;
      const guint8 *data;

      zbus_message_set_byte_order (msg, orders[i]);
      zbus_message_set_unix_fd_list (msg, fds);
      bytes = zbus_message_to_bytes (msg, &error);
      g_assert_no_error (error);
      data = g_bytes_get_data (bytes, &size);
      g_assert_cmpint (data[0], ==, orders[i]);

      decoded = zbus_message_new_from_bytes (bytes, fds, &error);
      g_assert_no_error (error);
      g_assert_cmpint (zbus_message_get_byte_order (decoded), ==, orders[i]);
      g_assert_cmpstr (zbus_message_get_signature (decoded), ==, zbus_message_get_signature (msg));

      /* Untouched, the body is copied as it came... */
      again = zbus_message_to_bytes (decoded, &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (bytes, again));
      g_clear_pointer (&again, g_bytes_unref);

      /* ...and once built, it writes the same. */
      g_assert_true (g_variant_equal (zbus_message_get_body (decoded), owned));
      g_assert_false (g_variant_is_floating (zbus_message_get_body (decoded)));
      g_assert_true (g_variant_is_normal_form (zbus_message_get_body (decoded)));
      again = zbus_message_to_bytes (decoded, &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (bytes, again));

      /* GDBus reads our bytes... */
      gmsg = g_dbus_message_new_from_blob ((guchar *) data, size,
                                           G_DBUS_CAPABILITY_FLAGS_UNIX_FD_PASSING, &error);
      g_assert_no_error (error);
      g_assert_true (g_variant_equal (g_dbus_message_get_body (gmsg), owned));

      /* ...and we read its. */
      gbuilt = g_dbus_message_new_method_call ("org.example.Dest", "/org/example/Obj",
                                               "org.example.Iface", "Do");
      g_dbus_message_set_serial (gbuilt, 3);
      g_dbus_message_set_body (gbuilt, owned);
      g_dbus_message_set_byte_order (gbuilt, orders[i] == ZBUS_BYTE_ORDER_BIG_ENDIAN
                                                ? G_DBUS_MESSAGE_BYTE_ORDER_BIG_ENDIAN
                                                : G_DBUS_MESSAGE_BYTE_ORDER_LITTLE_ENDIAN);
      if (fds != NULL)
        g_dbus_message_set_unix_fd_list (gbuilt, fds);
      gblob = g_dbus_message_to_blob (gbuilt, &gsize_, G_DBUS_CAPABILITY_FLAGS_UNIX_FD_PASSING,
                                      &error);
      g_assert_no_error (error);
      gbytes = g_bytes_new_take (gblob, gsize_);
      from_gdbus = zbus_message_new_from_bytes (gbytes, fds, &error);
      g_assert_no_error (error);
      g_assert_true (g_variant_equal (zbus_message_get_body (from_gdbus), owned));
    }
}

/* ------------------------------------------------------------------------ */
/* Signatures */

static void
test_signature (void)
{
  static const char * const valid[] = {
    "", "y", "b", "n", "q", "i", "u", "x", "t", "d", "h", "s", "o", "g", "v",
    "ybnqiuxtdhsogv", "ai", "aai", "a{sv}", "a{ya{sv}}", "aa{sv}", "a{oa{sa{sv}}}",
    "(i)", "(ii)(s)", "a(ii)", "sa{sv}as", "(a{sv})", "((i))", "a{s(ii)}", "ah",
  };
  static const char * const invalid[] = {
    "a", "aa", "(", ")", "()", "(i", "i)", "(()i)", "{sv}", "a{}", "a{s}", "a{svv}", "a{vs}",
    "a{(i)s}", "a{ays}", "a{sv", "a{s{sv}}", "(i{sv})", "{", "}", "m", "mi", "ami", "r",
    "*", "?", "z", "ai(", "a{s}v", "i\x01", "(i))",
  };
  static const char * const single_valid[] = {
    "y", "v", "a{sv}", "(ii)", "aai", "a(sa{sv})",
  };
  static const char * const single_invalid[] = {
    "", "ii", "a{sv}s", "(", "m", "()", "{sv}",
  };
  g_autofree char *arrays_32 = NULL;
  g_autofree char *arrays_33 = NULL;
  g_autofree char *structs_32 = NULL;
  g_autofree char *structs_33 = NULL;
  g_autofree char *long_255 = g_strnfill (255, 'y');
  g_autofree char *long_256 = g_strnfill (256, 'y');

  g_test_summary ("zbus_is_signature() and zbus_is_single_complete_type() follow the "
                  "D-Bus rules, not GVariant's");

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_test_message ("valid: “%s”", valid[i]);
      g_assert_true (zbus_is_signature (valid[i]));
    }
  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_test_message ("invalid: “%s”", invalid[i]);
      g_assert_false (zbus_is_signature (invalid[i]));
      g_assert_false (zbus_is_single_complete_type (invalid[i]));
    }
  for (guint i = 0; i < G_N_ELEMENTS (single_valid); i++)
    g_assert_true (zbus_is_single_complete_type (single_valid[i]));
  for (guint i = 0; i < G_N_ELEMENTS (single_invalid); i++)
    g_assert_false (zbus_is_single_complete_type (single_invalid[i]));

  /* Nesting and length limits. */
  {
    g_autofree char *a32 = g_strnfill (32, 'a');
    g_autofree char *a33 = g_strnfill (33, 'a');
    g_autofree char *open32 = g_strnfill (32, '(');
    g_autofree char *close32 = g_strnfill (32, ')');

    arrays_32 = g_strconcat (a32, "y", NULL);
    arrays_33 = g_strconcat (a33, "y", NULL);
    structs_32 = g_strconcat (open32, "y", close32, NULL);
    structs_33 = g_strconcat ("(", open32, "y", close32, ")", NULL);
  }
  g_assert_true (zbus_is_single_complete_type (arrays_32));
  g_assert_false (zbus_is_signature (arrays_33));
  g_assert_true (zbus_is_single_complete_type (structs_32));
  g_assert_false (zbus_is_signature (structs_33));
  g_assert_true (zbus_is_signature (long_255));
  g_assert_false (zbus_is_signature (long_256));

  /* GVariant takes what D-Bus does not. */
  g_assert_true (g_variant_is_signature ("{sv}"));
  g_assert_false (zbus_is_signature ("{sv}"));
}

static void
check_type (const char *type,
            gboolean    is_body,
            gboolean    valid)
{
  g_autoptr(GError) error = NULL;

  g_test_message ("type “%s” as %s", type, is_body ? "body" : "value");
  g_assert_true (g_variant_type_string_is_valid (type));
  if (valid)
    {
      g_assert_true (_zbus_variant_type_check (G_VARIANT_TYPE (type), is_body, &error));
      g_assert_no_error (error);
    }
  else
    {
      g_assert_false (_zbus_variant_type_check (G_VARIANT_TYPE (type), is_body, &error));
      g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_SIGNATURE);
    }
}

static void
test_type_check (void)
{
  g_autofree char *y255 = g_strnfill (255, 'y');
  g_autofree char *y256 = g_strnfill (256, 'y');
  g_autofree char *body_255 = g_strconcat ("(", y255, ")", NULL);
  g_autofree char *body_256 = g_strconcat ("(", y256, ")", NULL);
  g_autoptr(GString) dicts_64 = g_string_new (NULL);
  g_autoptr(GString) dicts_65 = NULL;

  g_test_summary ("Types D-Bus cannot carry are refused with ZBUS_ERROR_INVALID_SIGNATURE");

  check_type ("(sua{sv})", TRUE, TRUE);
  check_type ("()", TRUE, TRUE);
  check_type ("(ms)", TRUE, FALSE);
  check_type ("(i())", TRUE, FALSE);
  check_type ("({sv})", TRUE, FALSE);
  check_type ("s", TRUE, FALSE);
  check_type (body_255, TRUE, TRUE);
  check_type (body_256, TRUE, FALSE);

  check_type ("a{sv}", FALSE, TRUE);
  check_type ("mi", FALSE, FALSE);
  check_type ("()", FALSE, FALSE);
  check_type ("{sv}", FALSE, FALSE);
  check_type ("(si)", FALSE, TRUE);

  /* 32 arrays of dict entries: 64 containers around the innermost value. */
  for (guint i = 0; i < 32; i++)
    g_string_append (dicts_64, "a{s");
  dicts_65 = g_string_new (dicts_64->str);
  g_string_append (dicts_64, "y");
  g_string_append (dicts_65, "(y)");
  for (guint i = 0; i < 32; i++)
    {
      g_string_append_c (dicts_64, '}');
      g_string_append_c (dicts_65, '}');
    }
  check_type (dicts_64->str, FALSE, TRUE);
  check_type (dicts_65->str, FALSE, FALSE);
}

/* ------------------------------------------------------------------------ */
/* Round trips */

static void
test_round_trip_basic (void)
{
  static const char * const bodies[] = {
    "(byte 0, byte 255)",
    "(true, false)",
    "(int16 -32768, int16 32767, uint16 0, uint16 65535)",
    "(-2147483648, 2147483647, uint32 0, uint32 4294967295)",
    "(int64 -9223372036854775808, int64 9223372036854775807, uint64 18446744073709551615)",
    "(-1.5, 1e300, 0.0, -0.0)",
    "('', 'héllo wörld ✓')",
    "(objectpath '/', objectpath '/org/example/a_b')",
    "(signature '', signature 'a{sv}(ii)')",
    "(<42>, <'x'>, <<(1, 'a')>>, <@a{sv} {}>)",
    "(byte 1, uint64 2, byte 3, int16 4, 5.5, byte 6, true)",
  };

  g_test_summary ("Every basic type survives a round trip in both byte orders, and "
                  "agrees with GDBus");

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_test_message ("%s", bodies[i]);
      check_body_round_trip (g_variant_new_parsed (bodies[i]), NULL);
    }
}

static void
test_round_trip_containers (void)
{
  static const char * const bodies[] = {
    "(@ay [], [byte 1, 2, 3])",
    "([true, false, true],)",
    "([int16 -1, 2], [uint16 3], [4, -5], [uint32 6], [int64 -7], [uint64 8], [9.5, -1.0])",
    "(['a', 'bc', ''], [objectpath '/a', '/b'], [signature 'i', 'a{sv}'])",
    "([<1>, <'s'>, <[byte 1]>],)",
    "([[byte 1, 2], [], [3]],)",
    "([(byte 1, 2), (byte 3, 4)],)",
    "({'a': <1>, 'b': <'x'>},)",
    "({1: {'x': byte 1}, 2: {}},)",
    "(byte 1, @a(xy) [], byte 2)",
    "(byte 1, @aax [], byte 2)",
    "(byte 1, [@ax []], byte 2)",
    "(byte 9, [int64 1, 2])",
    "((1, ('a', [<(true, objectpath '/')>])),)",
    "(@a{sv} {},)",
    "({byte 1: true},)",
    "([{'k': [int16 1]}],)",
  };
  g_autoptr(GVariantBuilder) many = g_variant_builder_new (G_VARIANT_TYPE ("as"));
  g_autofree guint8 *blob = g_malloc (100000);
  g_autofree char *long_string = g_strnfill (1000, 'z');

  g_test_summary ("Arrays, structs, dict entries and variants survive a round trip in both "
                  "byte orders, and agree with GDBus");

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_test_message ("%s", bodies[i]);
      check_body_round_trip (g_variant_new_parsed (bodies[i]), NULL);
    }

  /* Big enough to grow the buffers, with strings long enough to be sliced
   * rather than copied. */
  for (guint i = 0; i < 1000; i++)
    {
      g_autofree char *s = g_strdup_printf ("string number %u", i);
      g_variant_builder_add (many, "s", s);
    }
  for (guint i = 0; i < 100000; i++)
    blob[i] = i * 7;
  check_body_round_trip (g_variant_new ("(as@ays)", many,
                                        g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, blob,
                                                                   100000, 1),
                                        long_string),
                         NULL);
}

static void
test_round_trip_header (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusMessage) call = NULL;
  g_autoptr(ZbusMessage) reply = NULL;
  g_autoptr(ZbusMessage) err = NULL;
  g_autoptr(ZbusMessage) signal = NULL;
  ZbusMessage *messages[4];

  g_test_summary ("Every header field and the flags survive a round trip");

  call = zbus_message_new_method_call ("org.example.Dest", "/a/b", "org.example.I", "Call",
                                       &error);
  g_assert_no_error (error);
  zbus_message_set_serial (call, 0xdeadbeef);
  zbus_message_set_flags (call, ZBUS_MESSAGE_FLAGS_NO_AUTO_START |
                                ZBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION);
  g_assert_true (zbus_message_set_sender (call, ":1.42", &error));

  reply = zbus_message_new_method_reply (call);
  zbus_message_set_serial (reply, 2);
  err = zbus_message_new_error (call, "org.example.Error.Bad", "bad", &error);
  g_assert_no_error (error);
  zbus_message_set_serial (err, 3);
  signal = zbus_message_new_signal ("/s", "org.example.S", "Changed", &error);
  g_assert_no_error (error);
  zbus_message_set_serial (signal, 4);
  g_assert_true (zbus_message_set_destination (signal, "org.freedesktop.DBus", &error));

  messages[0] = call;
  messages[1] = reply;
  messages[2] = err;
  messages[3] = signal;

  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    for (guint order = 0; order < 2; order++)
      {
        ZbusMessage *msg = messages[i];
        g_autoptr(ZbusMessage) decoded = NULL;
        g_autoptr(GBytes) bytes = NULL;
        g_autofree char *text = NULL;
        g_autofree char *decoded_text = NULL;

        zbus_message_set_byte_order (msg, order ? ZBUS_BYTE_ORDER_BIG_ENDIAN
                                                : ZBUS_BYTE_ORDER_LITTLE_ENDIAN);
        bytes = zbus_message_to_bytes (msg, &error);
        g_assert_no_error (error);
        g_assert_true (gdbus_accepts (bytes));
        decoded = zbus_message_new_from_bytes (bytes, NULL, &error);
        g_assert_no_error (error);

        g_assert_cmpint (zbus_message_get_message_type (decoded), ==,
                         zbus_message_get_message_type (msg));
        g_assert_cmpint (zbus_message_get_flags (decoded), ==, zbus_message_get_flags (msg));
        g_assert_cmpuint (zbus_message_get_serial (decoded), ==, zbus_message_get_serial (msg));
        g_assert_cmpuint (zbus_message_get_reply_serial (decoded), ==,
                          zbus_message_get_reply_serial (msg));
        g_assert_cmpstr (zbus_message_get_path (decoded), ==, zbus_message_get_path (msg));
        g_assert_cmpstr (zbus_message_get_interface (decoded), ==,
                         zbus_message_get_interface (msg));
        g_assert_cmpstr (zbus_message_get_member (decoded), ==, zbus_message_get_member (msg));
        g_assert_cmpstr (zbus_message_get_error_name (decoded), ==,
                         zbus_message_get_error_name (msg));
        g_assert_cmpstr (zbus_message_get_destination (decoded), ==,
                         zbus_message_get_destination (msg));
        g_assert_cmpstr (zbus_message_get_sender (decoded), ==, zbus_message_get_sender (msg));
        g_assert_cmpstr (zbus_message_get_signature (decoded), ==,
                         zbus_message_get_signature (msg));

        text = zbus_message_to_string (msg);
        decoded_text = zbus_message_to_string (decoded);
        g_assert_cmpstr (text, ==, decoded_text);
      }
}

static void
test_fds (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GUnixFDList) fds = new_fd_list (2);
  g_autoptr(ZbusMessage) msg = NULL;
  g_autoptr(ZbusMessage) decoded = NULL;
  g_autoptr(GBytes) bytes = NULL;

  g_test_summary ("Handles are fd indexes, checked against the fds of the message");

  check_body_round_trip (g_variant_new_parsed ("(handle 1, [handle 0, 1], <handle 0>)"), fds);

  msg = new_call_with_body (g_variant_new_parsed ("(handle 1,)"));
  zbus_message_set_unix_fd_list (msg, fds);
  bytes = zbus_message_to_bytes (msg, &error);
  g_assert_no_error (error);

  /* The header says 2 fds: fewer is an error. */
  decoded = zbus_message_new_from_bytes (bytes, NULL, &error);
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_FD);
  g_assert_null (decoded);
  g_clear_error (&error);

  decoded = zbus_message_new_from_bytes (bytes, fds, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (zbus_message_get_num_unix_fds (decoded), ==, 2);
  g_assert_true (zbus_message_get_unix_fd_list (decoded) == fds);
  g_clear_pointer (&bytes, g_bytes_unref);

  /* An index past the fds is not written. */
  zbus_message_set_unix_fd_list (msg, NULL);
  bytes = zbus_message_to_bytes (msg, &error);
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_FD);
  g_assert_null (bytes);
  g_clear_error (&error);

  g_assert_true (zbus_message_set_body (msg, g_variant_new_parsed ("([handle 0, 2],)"), &error));
  zbus_message_set_unix_fd_list (msg, fds);
  bytes = zbus_message_to_bytes (msg, &error);
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_FD);
  g_assert_null (bytes);
}

/* A method call to org.x at /a, org.x.Y.Ping ("hi", uint32 7), serial 1. */
static const guint8 known_le[] = {
  'l', 1, 0, 1,  12, 0, 0, 0,  1, 0, 0, 0,  72, 0, 0, 0,
  /* 16: PATH */
  1, 1, 'o', 0,  2, 0, 0, 0,  '/', 'a', 0, 0,  0, 0, 0, 0,
  /* 32: INTERFACE */
  2, 1, 's', 0,  7, 0, 0, 0,  'o', 'r', 'g', '.',  'x', '.', 'Y', 0,
  /* 48: MEMBER */
  3, 1, 's', 0,  4, 0, 0, 0,  'P', 'i', 'n', 'g',  0, 0, 0, 0,
  /* 64: DESTINATION */
  6, 1, 's', 0,  5, 0, 0, 0,  'o', 'r', 'g', '.',  'x', 0, 0, 0,
  /* 80: SIGNATURE */
  8, 1, 'g', 0,  2, 's', 'u', 0,
  /* 88: the body */
  2, 0, 0, 0,  'h', 'i', 0, 0,  7, 0, 0, 0,
};

static const guint8 known_be[] = {
  'B', 1, 0, 1,  0, 0, 0, 12,  0, 0, 0, 1,  0, 0, 0, 72,
  1, 1, 'o', 0,  0, 0, 0, 2,  '/', 'a', 0, 0,  0, 0, 0, 0,
  2, 1, 's', 0,  0, 0, 0, 7,  'o', 'r', 'g', '.',  'x', '.', 'Y', 0,
  3, 1, 's', 0,  0, 0, 0, 4,  'P', 'i', 'n', 'g',  0, 0, 0, 0,
  6, 1, 's', 0,  0, 0, 0, 5,  'o', 'r', 'g', '.',  'x', 0, 0, 0,
  8, 1, 'g', 0,  2, 's', 'u', 0,
  0, 0, 0, 2,  'h', 'i', 0, 0,  0, 0, 0, 7,
};

static void
test_known_bytes (void)
{
  struct
  {
    ZbusByteOrder order;
    const guint8 *data;
    gsize size;
  } cases[] = {
    { ZBUS_BYTE_ORDER_LITTLE_ENDIAN, known_le, sizeof known_le },
    { ZBUS_BYTE_ORDER_BIG_ENDIAN, known_be, sizeof known_be },
  };

  g_test_summary ("A method call is written to, and read from, bytes written out by hand");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ZbusMessage) msg = NULL;
      g_autoptr(ZbusMessage) decoded = NULL;
      g_autoptr(GBytes) expected = g_bytes_new (cases[i].data, cases[i].size);
      g_autoptr(GBytes) bytes = NULL;
      gsize size;
      const guint8 *data;

      msg = zbus_message_new_method_call ("org.x", "/a", "org.x.Y", "Ping", &error);
      g_assert_no_error (error);
      zbus_message_set_serial (msg, 1);
      zbus_message_set_byte_order (msg, cases[i].order);
      g_assert_true (zbus_message_set_body (msg, g_variant_new ("(su)", "hi", 7), &error));

      bytes = zbus_message_to_bytes (msg, &error);
      g_assert_no_error (error);
      data = g_bytes_get_data (bytes, &size);
      g_assert_cmpmem (data, size, cases[i].data, cases[i].size);

      g_assert_cmpint (zbus_message_bytes_needed (cases[i].data, 16, &error), ==, cases[i].size);
      g_assert_no_error (error);

      decoded = zbus_message_new_from_bytes (expected, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (zbus_message_get_message_type (decoded), ==,
                       ZBUS_MESSAGE_TYPE_METHOD_CALL);
      g_assert_cmpint (zbus_message_get_byte_order (decoded), ==, cases[i].order);
      g_assert_cmpuint (zbus_message_get_serial (decoded), ==, 1);
      g_assert_cmpstr (zbus_message_get_destination (decoded), ==, "org.x");
      g_assert_cmpstr (zbus_message_get_path (decoded), ==, "/a");
      g_assert_cmpstr (zbus_message_get_interface (decoded), ==, "org.x.Y");
      g_assert_cmpstr (zbus_message_get_member (decoded), ==, "Ping");
      g_assert_cmpstr (zbus_message_get_signature (decoded), ==, "su");
      g_assert_true (g_variant_equal (zbus_message_get_body (decoded),
                                      zbus_message_get_body (msg)));
      g_assert_true (gdbus_accepts (expected));

      /* The header strings are read in place. */
      g_assert_true ((const guint8 *) zbus_message_get_member (decoded) ==
                     (const guint8 *) g_bytes_get_data (expected, NULL) + 56);
    }
}

static void
test_reencode (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusMessage) msg = NULL;
  g_autoptr(ZbusMessage) decoded = NULL;
  g_autoptr(ZbusMessage) swapped = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) other = NULL;

  g_test_summary ("A decoded message can be changed and written again, in either byte order");

  msg = new_call_with_body (g_variant_new_parsed ("([int16 1, 2], [3.5], 'x', {'a': <[true]>})"));
  zbus_message_set_byte_order (msg, ZBUS_BYTE_ORDER_BIG_ENDIAN);
  bytes = zbus_message_to_bytes (msg, &error);
  g_assert_no_error (error);
  decoded = zbus_message_new_from_bytes (bytes, NULL, &error);
  g_assert_no_error (error);

  /* The other byte order, without asking for the body first. */
  zbus_message_set_byte_order (decoded, ZBUS_BYTE_ORDER_LITTLE_ENDIAN);
  zbus_message_set_serial (decoded, 99);
  other = zbus_message_to_bytes (decoded, &error);
  g_assert_no_error (error);
  g_assert_cmpint (((const guint8 *) g_bytes_get_data (other, NULL))[0], ==, 'l');
  swapped = zbus_message_new_from_bytes (other, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (zbus_message_get_serial (swapped), ==, 99);
  g_assert_true (g_variant_equal (zbus_message_get_body (swapped), zbus_message_get_body (msg)));
  g_assert_cmpstr (zbus_message_get_member (swapped), ==, "Do");
  g_clear_pointer (&other, g_bytes_unref);

  /* A new body replaces the one in the bytes. */
  g_assert_true (zbus_message_set_body (decoded, g_variant_new ("(u)", 5), &error));
  other = zbus_message_to_bytes (decoded, &error);
  g_assert_no_error (error);
  g_clear_pointer (&swapped, zbus_message_unref);
  swapped = zbus_message_new_from_bytes (other, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (zbus_message_get_signature (swapped), ==, "u");
  g_clear_pointer (&other, g_bytes_unref);

  g_assert_true (zbus_message_set_body (decoded, NULL, &error));
  other = zbus_message_to_bytes (decoded, &error);
  g_assert_no_error (error);
  g_clear_pointer (&swapped, zbus_message_unref);
  swapped = zbus_message_new_from_bytes (other, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (zbus_message_get_body (swapped));
}

static void
test_misaligned (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusMessage) msg = NULL;
  g_autoptr(ZbusMessage) decoded = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) shifted = NULL;
  g_autoptr(GBytes) slice = NULL;
  g_autofree guint8 *buffer = NULL;
  gsize size;

  g_test_summary ("Bytes at an odd address in memory decode the same");

  msg = new_call_with_body (g_variant_new_parsed ("([int64 1, 2], [uint16 3], [4.5], 'x')"));
  bytes = zbus_message_to_bytes (msg, &error);
  g_assert_no_error (error);

  size = g_bytes_get_size (bytes);
  buffer = g_malloc (size + 1);
  memcpy (buffer + 1, g_bytes_get_data (bytes, NULL), size);
  shifted = g_bytes_new_static (buffer, size + 1);
  slice = g_bytes_new_from_bytes (shifted, 1, size);

  decoded = zbus_message_new_from_bytes (slice, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_variant_equal (zbus_message_get_body (decoded), zbus_message_get_body (msg)));
}

static void
test_bytes_needed (void)
{
  g_autoptr(GError) error = NULL;
  guint8 header[16] = { 'l', 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0 };
  guint32 v;

  g_test_summary ("zbus_message_bytes_needed() reads the size from the first 16 bytes");

  /* 16 + 5 fields bytes, padded to 24, + 100 body bytes. */
  v = GUINT32_TO_LE (100);
  memcpy (header + 4, &v, 4);
  v = GUINT32_TO_LE (5);
  memcpy (header + 12, &v, 4);
  g_assert_cmpint (zbus_message_bytes_needed (header, 16, &error), ==, 124);
  g_assert_no_error (error);
  g_assert_cmpint (g_dbus_message_bytes_needed (header, 16, NULL), ==, 124);

  /* Exactly 128 MiB is allowed, one byte more is not. */
  v = GUINT32_TO_LE (0);
  memcpy (header + 12, &v, 4);
  v = GUINT32_TO_LE (ZBUS_MAX_MESSAGE_SIZE - 16);
  memcpy (header + 4, &v, 4);
  g_assert_cmpint (zbus_message_bytes_needed (header, 16, &error), ==, ZBUS_MAX_MESSAGE_SIZE);
  g_assert_no_error (error);
  v = GUINT32_TO_LE (ZBUS_MAX_MESSAGE_SIZE - 15);
  memcpy (header + 4, &v, 4);
  g_assert_cmpint (zbus_message_bytes_needed (header, 16, &error), ==, -1);
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_MESSAGE_TOO_LARGE);
  g_clear_error (&error);

  /* Lengths near 4 GiB do not wrap around. */
  memset (header + 4, 0xff, 4);
  memset (header + 12, 0xff, 4);
  g_assert_cmpint (zbus_message_bytes_needed (header, 16, &error), ==, -1);
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_MESSAGE_TOO_LARGE);
  g_clear_error (&error);

  header[0] = 'x';
  g_assert_cmpint (zbus_message_bytes_needed (header, 16, &error), ==, -1);
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_MESSAGE);
  g_clear_error (&error);

  /* Big endian: 16 + 0x20 fields bytes + 0x0100 body bytes. */
  header[0] = 'B';
  v = GUINT32_TO_BE (0x100);
  memcpy (header + 4, &v, 4);
  v = GUINT32_TO_BE (0x20);
  memcpy (header + 12, &v, 4);
  g_assert_cmpint (zbus_message_bytes_needed (header, 16, &error), ==, 48 + 0x100);
  g_assert_no_error (error);
  g_assert_cmpint (g_dbus_message_bytes_needed (header, 16, NULL), ==, 48 + 0x100);
}

/* ------------------------------------------------------------------------ */
/* Encoding errors */

static void
check_encode_fails (ZbusMessage *msg,
                    int          code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = zbus_message_to_bytes (msg, &error);

  g_assert_error (error, ZBUS_ERROR, code);
  g_assert_null (bytes);
  g_test_message ("%s", error->message);
}

static GVariant *
nested_variants (guint n)
{
  GVariant *value = g_variant_new_byte (1);

  for (guint i = 0; i < n; i++)
    value = g_variant_new_variant (value);

  return g_variant_new_tuple (&value, 1);
}

static void
test_encode_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusMessage) call = NULL;
  g_autoptr(ZbusMessage) msg = NULL;
  g_autoptr(GBytes) bytes = NULL;

  g_test_summary ("Messages D-Bus does not allow are not written");

  call = zbus_message_new_method_call (NULL, "/", NULL, "M", &error);
  g_assert_no_error (error);
  check_encode_fails (call, ZBUS_ERROR_INVALID_MESSAGE);   /* serial 0 */
  zbus_message_set_serial (call, 1);

  /* Required header fields, per type. */
  msg = _zbus_message_new (ZBUS_MESSAGE_TYPE_METHOD_CALL);
  msg->serial = 1;
  _zbus_message_set_string (msg, ZBUS_STR_PATH, "/");
  check_encode_fails (msg, ZBUS_ERROR_INVALID_MESSAGE);
  g_clear_pointer (&msg, zbus_message_unref);

  msg = _zbus_message_new (ZBUS_MESSAGE_TYPE_SIGNAL);
  msg->serial = 1;
  _zbus_message_set_string (msg, ZBUS_STR_PATH, "/");
  _zbus_message_set_string (msg, ZBUS_STR_MEMBER, "S");
  check_encode_fails (msg, ZBUS_ERROR_INVALID_MESSAGE);
  _zbus_message_set_string (msg, ZBUS_STR_INTERFACE, "a.b");
  bytes = zbus_message_to_bytes (msg, &error);
  g_assert_no_error (error);
  g_clear_pointer (&bytes, g_bytes_unref);
  g_clear_pointer (&msg, zbus_message_unref);

  msg = _zbus_message_new (ZBUS_MESSAGE_TYPE_ERROR);
  msg->serial = 1;
  _zbus_message_set_string (msg, ZBUS_STR_ERROR_NAME, "a.b");
  check_encode_fails (msg, ZBUS_ERROR_INVALID_MESSAGE);
  g_clear_pointer (&msg, zbus_message_unref);

  msg = _zbus_message_new (ZBUS_MESSAGE_TYPE_METHOD_RETURN);
  msg->serial = 1;
  check_encode_fails (msg, ZBUS_ERROR_INVALID_MESSAGE);
  msg->reply_serial = 5;
  bytes = zbus_message_to_bytes (msg, &error);
  g_assert_no_error (error);
  g_clear_pointer (&bytes, g_bytes_unref);
  g_clear_pointer (&msg, zbus_message_unref);

  /* What variants hold is only checked when written. */
  g_assert_true (zbus_message_set_body (call, g_variant_new_parsed ("(<@mi 5>,)"), &error));
  check_encode_fails (call, ZBUS_ERROR_INVALID_SIGNATURE);
  g_assert_true (zbus_message_set_body (call, g_variant_new_parsed ("([<()>],)"), &error));
  check_encode_fails (call, ZBUS_ERROR_INVALID_SIGNATURE);
  g_assert_true (zbus_message_set_body (call, g_variant_new_parsed ("(<{1, 2}>,)"), &error));
  check_encode_fails (call, ZBUS_ERROR_INVALID_SIGNATURE);

  /* So are signature values, which GVariant allows more of. */
  g_assert_true (zbus_message_set_body (call, g_variant_new ("(g)", "{sv}"), &error));
  check_encode_fails (call, ZBUS_ERROR_INVALID_SIGNATURE);
  g_assert_true (zbus_message_set_body (call, g_variant_new ("(g)", "()"), &error));
  check_encode_fails (call, ZBUS_ERROR_INVALID_SIGNATURE);

  /* 64 variants deep is the limit. */
  g_assert_true (zbus_message_set_body (call, nested_variants (64), &error));
  bytes = zbus_message_to_bytes (call, &error);
  g_assert_no_error (error);
  g_assert_true (gdbus_accepts (bytes));
  g_clear_pointer (&bytes, g_bytes_unref);
  g_assert_true (zbus_message_set_body (call, nested_variants (65), &error));
  check_encode_fails (call, ZBUS_ERROR_INVALID_SIGNATURE);
}

/* ------------------------------------------------------------------------ */
/* Decoding errors: each malformed message next to its valid twin */

static void
test_invalid_endianness (void)
{
  Raw raw;
  GBytes *bytes;

  g_test_summary ("The endianness byte must be 'l' or 'B'");

  raw_call (&raw, NULL);
  check_valid (raw_finish (&raw));

  raw_call (&raw, NULL);
  raw.buf->data[0] = 'x';
  bytes = raw_finish (&raw);
  check_invalid (bytes, ZBUS_ERROR_INVALID_MESSAGE);

  /* The other byte order than the one the numbers are in: the header
   * fields length becomes huge. */
  raw_call (&raw, NULL);
  raw.buf->data[0] = 'B';
  check_invalid (raw_finish (&raw), ZBUS_ERROR_MESSAGE_TOO_LARGE);
}

static void
test_invalid_type (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusMessage) msg = NULL;
  g_autoptr(GBytes) bytes = NULL;
  Raw raw;

  g_test_summary ("Message types 0 and past 4 are refused, saying which type it was");

  raw_call (&raw, NULL);
  raw.buf->data[1] = 0;
  check_invalid (raw_finish (&raw), ZBUS_ERROR_INVALID_MESSAGE);

  raw_call (&raw, NULL);
  raw.buf->data[1] = 5;
  bytes = raw_finish (&raw);
  msg = zbus_message_new_from_bytes (bytes, NULL, &error);
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_MESSAGE);
  g_assert_null (msg);
  g_assert_nonnull (strstr (error->message, "type 5"));
}

static void
test_invalid_version (void)
{
  Raw raw;

  g_test_summary ("The protocol version must be 1");

  raw_call (&raw, NULL);
  raw.buf->data[3] = 2;
  check_invalid (raw_finish (&raw), ZBUS_ERROR_INVALID_MESSAGE);

  raw_call (&raw, NULL);
  raw.buf->data[3] = 0;
  check_invalid (raw_finish (&raw), ZBUS_ERROR_INVALID_MESSAGE);
}

static void
test_invalid_serial (void)
{
  Raw raw;

  g_test_summary ("The serial must not be 0, nor the reply serial");

  raw_call (&raw, NULL);
  raw_u32_at (&raw, 8, 0);
  check_invalid (raw_finish (&raw), ZBUS_ERROR_INVALID_MESSAGE);

  raw_begin (&raw, 'l', ZBUS_MESSAGE_TYPE_METHOD_RETURN, 2);
  raw_field_u32 (&raw, ZBUS_HEADER_FIELD_REPLY_SERIAL, 1);
  raw_end_fields (&raw);
  check_valid (raw_finish (&raw));

  raw_begin (&raw, 'l', ZBUS_MESSAGE_TYPE_METHOD_RETURN, 2);
  raw_field_u32 (&raw, ZBUS_HEADER_FIELD_REPLY_SERIAL, 0);
  raw_end_fields (&raw);
  check_invalid (raw_finish (&raw), ZBUS_ERROR_INVALID_MESSAGE);
}

/* A message whose body holds one of each kind of value. */
static GBytes *
rich_message (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusMessage) msg = NULL;
  GBytes *bytes;

  msg = new_call_with_body (g_variant_new_parsed (
    "(byte 1, true, int16 -2, uint16 3, 4, uint32 5, int64 -6, uint64 7, 8.5, 'nine', "
    "objectpath '/ten', signature 'a{sv}', <'twelve'>, [int64 13, 14], ['fifteen'], "
    "{'sixteen': <byte 17>}, (byte 18, 'nineteen'), @a(xs) [], [true, false])"));
  bytes = zbus_message_to_bytes (msg, &error);
  g_assert_no_error (error);

  return bytes;
}

static void
test_invalid_truncated (void)
{
  g_autoptr(GBytes) bytes = rich_message ();
  g_autoptr(ZbusMessage) msg = NULL;
  const guint8 *data;
  gsize size;
  gsize body_offset;

  g_test_summary ("Every truncation of a message is refused, even when the lengths in its "
                  "header are made to agree");

  data = g_bytes_get_data (bytes, &size);
  msg = check_valid_fds (g_bytes_ref (bytes), NULL);
  body_offset = size - msg->body_size;

  /* Cut anywhere: the size in the header does not match. */
  for (gsize cut = 0; cut < size; cut++)
    check_invalid (g_bytes_new (data, cut), ZBUS_ERROR_INVALID_MESSAGE);

  /* The body cut short, with a body length that says so: the values do not
   * fit. */
  for (gsize cut = body_offset; cut < size; cut++)
    {
      guint8 *copy = g_memdup2 (data, cut);
      guint32 body_len = GUINT32_TO_LE (cut - body_offset);

      g_assert_cmpint (data[0], ==, 'l');
      memcpy (copy + 4, &body_len, 4);
      check_invalid (g_bytes_new_take (copy, cut), ZBUS_ERROR_INVALID_MESSAGE);
    }

  /* The header fields cut short, with lengths that say so: refused unless
   * the cut falls between fields and the message is still complete. */
  for (gsize cut = 0; cut < body_offset - 16; cut++)
    {
      gsize padded = 16 + ((cut + 7) & ~(gsize) 7);
      guint8 *copy = g_malloc0 (padded);
      guint32 fields_len = GUINT32_TO_LE (cut);
      g_autoptr(GBytes) cut_bytes = NULL;
      g_autoptr(ZbusMessage) cut_msg = NULL;
      g_autoptr(GError) error = NULL;

      memcpy (copy, data, 16 + cut);
      memcpy (copy + 12, &fields_len, 4);
      memset (copy + 4, 0, 4);
      cut_bytes = g_bytes_new_take (copy, padded);
      cut_msg = zbus_message_new_from_bytes (cut_bytes, NULL, &error);
      g_assert_true ((cut_msg == NULL) == (error != NULL));
      if (error != NULL)
        g_assert_true (error->domain == ZBUS_ERROR);
    }
}

static void
test_invalid_size (void)
{
  Raw raw;
  GBytes *bytes;
  gsize size;
  guint8 *copy;

  g_test_summary ("The size of a message must be what its header says, to the byte");

  /* One byte more than the header says. */
  raw_call (&raw, "u");
  raw_u32 (&raw, 1);
  bytes = raw_finish (&raw);
  size = g_bytes_get_size (bytes);
  copy = g_malloc0 (size + 1);
  memcpy (copy, g_bytes_get_data (bytes, NULL), size);
  g_bytes_unref (bytes);
  check_invalid (g_bytes_new_take (copy, size + 1), ZBUS_ERROR_INVALID_MESSAGE);

  /* Bytes after the values of the body. */
  raw_call (&raw, "u");
  raw_u32 (&raw, 1);
  raw_u32 (&raw, 0);
  check_invalid (raw_finish (&raw), ZBUS_ERROR_INVALID_MESSAGE);

  /* A body without a signature. */
  raw_call (&raw, NULL);
  raw_u32 (&raw, 1);
  check_invalid (raw_finish (&raw), ZBUS_ERROR_INVALID_MESSAGE);

  /* An empty signature and a body. */
  raw_call (&raw, "");
  raw_u32 (&raw, 1);
  check_invalid (raw_finish (&raw), ZBUS_ERROR_INVALID_MESSAGE);
  raw_call (&raw, "");
  check_valid (raw_finish (&raw));

  /* A signature and no body. */
  raw_call (&raw, "y");
  check_invalid (raw_finish (&raw), ZBUS_ERROR_INVALID_MESSAGE);
}

static void
test_invalid_padding (void)
{
  Raw raw;

  g_test_summary ("Padding bytes must be zero: in the body, between header fields, before "
                  "the body and before the first element of an array");

  raw_call (&raw, "yu");
  raw_u8 (&raw, 1);
  raw_pad (&raw, 4, 0);
  raw_u32 (&raw, 2);
  check_valid (raw_finish (&raw));

  raw_call (&raw, "yu");
  raw_u8 (&raw, 1);
  raw_pad (&raw, 4, 0x80);
  raw_u32 (&raw, 2);
  check_invalid (raw_finish (&raw), ZBUS_ERROR_INVALID_MESSAGE);

  raw_call (&raw, "yt");
  raw_u8 (&raw, 1);
  raw_u64 (&raw, 2);
  check_valid (raw_finish (&raw));

  raw_call (&raw, "yt");
  raw_u8 (&raw, 1);
  raw_pad (&raw, 8, 0);
  raw.buf->data[raw.buf->len - 1] = 1;
  raw_u64 (&raw, 2);
  check_invalid (raw_finish (&raw), ZBUS_ERROR_INVALID_MESSAGE);

  /* Between header fields: PATH "/" ends at offset 26. */
  raw_begin (&raw, 'l', ZBUS_MESSAGE_TYPE_METHOD_CALL, 1);
  raw_field_str (&raw, ZBUS_HEADER_FIELD_PATH, 'o', "/");
  raw_pad (&raw, 8, 1);
  raw_field_str (&raw, ZBUS_HEADER_FIELD_MEMBER, 's', "M");
  raw_end_fields (&raw);
  check_invalid (raw_finish (&raw), ZBUS_ERROR_INVALID_MESSAGE);

  /* Before the body. */
  raw_begin (&raw, 'l', ZBUS_MESSAGE_TYPE_METHOD_CALL, 1);
  raw_field_str (&raw, ZBUS_HEADER_FIELD_PATH, 'o', "/");
  raw_field_str (&raw, ZBUS_HEADER_FIELD_MEMBER, 's', "M");
  raw_u32_at (&raw, 12, raw.buf->len - 16);
  raw_pad (&raw, 8, 0xff);
  raw.body_start = raw.buf->len;
  check_invalid (raw_finish (&raw), ZBUS_ERROR_INVALID_MESSAGE);

  /* Before the first element of an empty array of structs: present, and
   * zero. */
  raw_call (&raw, "a(y)");
  raw_u32 (&raw, 0);
  raw_pad (&raw, 8, 0);
  check_valid (raw_finish (&raw));

  raw_call (&raw, "a(y)");
  raw_u32 (&raw, 0);
  raw_pad (&raw, 8, 7);
  check_invalid (raw_finish (&raw), ZBUS_ERROR_INVALID_MESSAGE);

  raw_call (&raw, "a(y)");
  raw_u32 (&raw, 0);
  check_invalid (raw_finish (&raw), ZBUS_ERROR_INVALID_MESSAGE);
}

static GBytes *
boolean_message (guint32 value)
{
  Raw raw;

  raw_call (&raw, "b");
  raw_u32 (&raw, value);
  return raw_finish (&raw);
}

static void
test_invalid_boolean (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = boolean_message (2);
  g_autoptr(ZbusMessage) msg = NULL;
  Raw raw;

  g_test_summary ("Booleans must be 0 or 1, alone or in arrays");

  check_valid (boolean_message (0));
  check_valid (boolean_message (1));

  msg = zbus_message_new_from_bytes (bytes, NULL, &error);
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_MESSAGE);
  g_assert_cmpstr (error->message, ==,
                   "Invalid message: boolean value 2 at offset 56 (only 0 and 1 are allowed)");

  raw_call (&raw, "ab");
  raw_u32 (&raw, 8);
  raw_u32 (&raw, 1);
  raw_u32 (&raw, 256);
  check_invalid (raw_finish (&raw), ZBUS_ERROR_INVALID_MESSAGE);
}

static GBytes *
string_message (char        type,
                const char *value,
                gsize       len,
                guint8      terminator)
{
  char sig[2] = { type, '\0' };
  Raw raw;

  raw_call (&raw, sig);
  if (type == 'g')
    {
      raw_u8 (&raw, len);
      raw_data (&raw, value, len);
      raw_u8 (&raw, terminator);
    }
  else
    {
      raw_str_len (&raw, value, len, terminator);
    }
  return raw_finish (&raw);
}

static void
test_invalid_strings (void)
{
  g_test_summary ("Strings must be valid UTF-8 without a NUL inside and with one after");

  check_valid (string_message ('s', "h\xc3\xa9", 3, 0));
  check_invalid (string_message ('s', "h\xc3", 2, 0), ZBUS_ERROR_INVALID_MESSAGE);
  check_invalid (string_message ('s', "\xff", 1, 0), ZBUS_ERROR_INVALID_MESSAGE);
  check_invalid (string_message ('s', "\xed\xa0\x80", 3, 0), ZBUS_ERROR_INVALID_MESSAGE);
  check_invalid (string_message ('s', "a\0b", 3, 0), ZBUS_ERROR_INVALID_MESSAGE);
  check_invalid (string_message ('s', "ab", 2, 'c'), ZBUS_ERROR_INVALID_MESSAGE);
  check_invalid (string_message ('o', "/a\0b", 4, 0), ZBUS_ERROR_INVALID_MESSAGE);
  check_invalid (string_message ('o', "/a", 2, '/'), ZBUS_ERROR_INVALID_MESSAGE);
  check_invalid (string_message ('g', "i\0i", 3, 0), ZBUS_ERROR_INVALID_MESSAGE);
  check_invalid (string_message ('g', "ii", 2, 'i'), ZBUS_ERROR_INVALID_MESSAGE);
}

static void
test_invalid_object_path (void)
{
  static const char * const invalid[] = { "", "a", "//", "/a/", "/a//b", "/a-b", "/\xc3\xa9" };

  g_test_summary ("Object paths must follow the rules of the specification");

  check_valid (string_message ('o', "/a/b_0", 6, 0));
  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    check_invalid (string_message ('o', invalid[i], strlen (invalid[i]), 0),
                   ZBUS_ERROR_INVALID_MESSAGE);
}

static void
test_invalid_signature (void)
{
  static const char * const invalid[] = { "a", "m", "mi", "()", "{sv}", "a{vs}", "(i", "z" };
  Raw raw;

  g_test_summary ("Signatures must be valid D-Bus signatures, as values and in the header");

  check_valid (string_message ('g', "a{sv}(ii)", 9, 0));
  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      check_invalid (string_message ('g', invalid[i], strlen (invalid[i]), 0),
                     ZBUS_ERROR_INVALID_MESSAGE);

      raw_call (&raw, invalid[i]);
      raw_u32 (&raw, 0);
      check_invalid (raw_finish (&raw), ZBUS_ERROR_INVALID_MESSAGE);
    }
}

static GBytes *
variant_message (const char *sig,
                 guint32     value)
{
  Raw raw;

  raw_call (&raw, "v");
  raw_sig (&raw, sig);
  raw_u32 (&raw, value);
  return raw_finish (&raw);
}

static void
test_invalid_variant (void)
{
  g_test_summary ("A variant's signature must be a single complete type");

  check_valid (variant_message ("u", 1));
  check_invalid (variant_message ("", 1), ZBUS_ERROR_INVALID_MESSAGE);
  check_invalid (variant_message ("yy", 1), ZBUS_ERROR_INVALID_MESSAGE);
  check_invalid (variant_message ("ii", 1), ZBUS_ERROR_INVALID_MESSAGE);
  check_invalid (variant_message ("mu", 1), ZBUS_ERROR_INVALID_MESSAGE);
  check_invalid (variant_message ("b", 2), ZBUS_ERROR_INVALID_MESSAGE);
}

static void
test_invalid_array (void)
{
  Raw raw;

  g_test_summary ("Arrays must hold whole elements and end within their container");

  raw_call (&raw, "ai");
  raw_u32 (&raw, 8);
  raw_u32 (&raw, 1);
  raw_u32 (&raw, 2);
  check_valid (raw_finish (&raw));

  /* Not a multiple of the element size. */
  raw_call (&raw, "ai");
  raw_u32 (&raw, 6);
  raw_u32 (&raw, 1);
  raw_u32 (&raw, 2);
  check_invalid (raw_finish (&raw), ZBUS_ERROR_INVALID_MESSAGE);

  /* Longer than the body. */
  raw_call (&raw, "ai");
  raw_u32 (&raw, 12);
  raw_u32 (&raw, 1);
  raw_u32 (&raw, 2);
  check_invalid (raw_finish (&raw), ZBUS_ERROR_INVALID_MESSAGE);

  /* An element runs past the length of the array. */
  raw_call (&raw, "asy");
  raw_u32 (&raw, 5);
  raw_str (&raw, "abc");
  raw_u8 (&raw, 0);
  check_invalid (raw_finish (&raw), ZBUS_ERROR_INVALID_MESSAGE);

  /* The length ends inside the padding of the next element. */
  raw_call (&raw, "a(y)");
  raw_u32 (&raw, 2);
  raw_pad (&raw, 8, 0);
  raw_u8 (&raw, 1);
  raw_u8 (&raw, 0);
  check_invalid (raw_finish (&raw), ZBUS_ERROR_INVALID_MESSAGE);

  raw_call (&raw, "aay");
  raw_u32 (&raw, 9);
  raw_u32 (&raw, 1);
  raw_u8 (&raw, 1);
  raw_pad (&raw, 4, 0);
  raw_u32 (&raw, 0);
  check_invalid (raw_finish (&raw), ZBUS_ERROR_INVALID_MESSAGE);
}

static void
test_invalid_array_too_large (void)
{
  Raw raw;

  g_test_summary ("An array claiming more than 64 MiB is refused as too large");

  raw_call (&raw, "ay");
  raw_u32 (&raw, ZBUS_MAX_ARRAY_SIZE + 1);
  raw_u32 (&raw, 0);
  check_invalid (raw_finish (&raw), ZBUS_ERROR_MESSAGE_TOO_LARGE);

  /* Exactly 64 MiB claimed is only short of bytes. */
  raw_call (&raw, "ay");
  raw_u32 (&raw, ZBUS_MAX_ARRAY_SIZE);
  raw_u32 (&raw, 0);
  check_invalid (raw_finish (&raw), ZBUS_ERROR_INVALID_MESSAGE);

  /* The header fields are an array too. */
  raw_call (&raw, NULL);
  raw_u32_at (&raw, 12, ZBUS_MAX_ARRAY_SIZE + 8);
  check_invalid (raw_finish (&raw), ZBUS_ERROR_MESSAGE_TOO_LARGE);
}

static void
test_invalid_message_too_large (void)
{
  g_autoptr(GError) error = NULL;
  GBytes *bytes;
  Raw raw;

  g_test_summary ("A message claiming more than 128 MiB is refused as too large");

  /* The body length says 128 MiB, the header makes it more. */
  raw_call (&raw, "ay");
  raw_u32 (&raw, 0);
  raw_u32_at (&raw, 4, ZBUS_MAX_MESSAGE_SIZE);
  bytes = g_byte_array_free_to_bytes (raw.buf);
  g_assert_cmpint (zbus_message_bytes_needed (g_bytes_get_data (bytes, NULL), 16, &error), ==, -1);
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_MESSAGE_TOO_LARGE);
  check_invalid (bytes, ZBUS_ERROR_MESSAGE_TOO_LARGE);
}

/* Writes @n containers of @kind ('a' for arrays of one element, '(' for
 * structs) around a byte, by hand. */
static GBytes *
nested_message (char  kind,
                guint n)
{
  g_autoptr(GString) sig = g_string_new (NULL);
  g_autoptr(GArray) lengths = g_array_new (FALSE, FALSE, sizeof (guint));
  Raw raw;

  for (guint i = 0; i < n; i++)
    g_string_append_c (sig, kind);
  g_string_append_c (sig, 'y');
  if (kind == '(')
    for (guint i = 0; i < n; i++)
      g_string_append_c (sig, ')');

  raw_call (&raw, sig->str);
  for (guint i = 0; i < n; i++)
    {
      if (kind == 'a')
        {
          guint pos;

          raw_u32 (&raw, 0);
          pos = raw.buf->len - 4;
          g_array_append_val (lengths, pos);
        }
      else
        {
          raw_pad (&raw, 8, 0);
        }
    }
  raw_u8 (&raw, 42);
  /* Each array holds everything after its length. */
  for (guint i = 0; i < lengths->len; i++)
    {
      guint pos = g_array_index (lengths, guint, i);
      raw_u32_at (&raw, pos, raw.buf->len - pos - 4);
    }

  return raw_finish (&raw);
}

/* @n variants one inside the other around a byte, by hand. */
static GBytes *
nested_variant_message (guint n)
{
  Raw raw;

  raw_call (&raw, "v");
  for (guint i = 1; i < n; i++)
    raw_sig (&raw, "v");
  raw_sig (&raw, "y");
  raw_u8 (&raw, 42);
  return raw_finish (&raw);
}

static void
test_invalid_depth (void)
{
  g_autoptr(GBytes) variants_64 = nested_variant_message (64);
  g_autoptr(GBytes) variants_65 = nested_variant_message (65);
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusMessage) msg = NULL;
  GVariant *inner;

  g_test_summary ("Nesting is limited to 32 arrays and 32 structs per signature and 64 "
                  "containers in all, counted as GLib counts them");

  check_valid (nested_message ('a', 32));
  check_invalid (nested_message ('a', 33), ZBUS_ERROR_INVALID_MESSAGE);
  check_valid (nested_message ('(', 32));
  check_invalid (nested_message ('(', 33), ZBUS_ERROR_INVALID_MESSAGE);

  /* Variants: GDBus agrees on where the limit lies. */
  g_assert_true (gdbus_accepts (variants_64));
  g_assert_false (gdbus_accepts (variants_65));
  check_valid (g_bytes_ref (variants_64));
  check_invalid (g_bytes_ref (variants_65), ZBUS_ERROR_INVALID_MESSAGE);

  /* The elements of an array are one level deeper even when there are
   * none, and a variant's type counts in full even if its arrays are
   * empty: 63 variants holding an empty "aay" nest the bytes 65 deep. */
  for (guint n = 62; n <= 63; n++)
    {
      GVariant *value = g_variant_new_array (G_VARIANT_TYPE ("ay"), NULL, 0);
      g_autoptr(GDBusMessage) gmsg = g_dbus_message_new_method_call (NULL, "/", NULL, "M");
      g_autoptr(GBytes) gbytes = NULL;
      guchar *blob;
      gsize size;

      for (guint i = 0; i < n; i++)
        value = g_variant_new_variant (value);
      g_dbus_message_set_serial (gmsg, 1);
      g_dbus_message_set_body (gmsg, g_variant_new_tuple (&value, 1));
      blob = g_dbus_message_to_blob (gmsg, &size, 0, &error);
      g_assert_no_error (error);
      gbytes = g_bytes_new_take (blob, size);
      g_assert_true (gdbus_accepts (gbytes) == (n == 62));
      if (n == 62)
        check_valid (g_bytes_ref (gbytes));
      else
        check_invalid (g_bytes_ref (gbytes), ZBUS_ERROR_INVALID_MESSAGE);
    }

  /* 64 variants deep decode to 64 variants. */
  msg = zbus_message_new_from_bytes (variants_64, NULL, &error);
  g_assert_no_error (error);
  inner = zbus_message_get_body (msg);
  for (guint i = 0; i < 64; i++)
    {
      inner = g_variant_get_child_value (inner, 0);
      g_variant_unref (inner);
      g_assert_true (g_variant_is_of_type (inner, G_VARIANT_TYPE_VARIANT));
    }
}

static GBytes *
fd_message (guint32 num_unix_fds,
            guint32 index_)
{
  Raw raw;

  raw_begin (&raw, 'l', ZBUS_MESSAGE_TYPE_METHOD_CALL, 1);
  raw_field_str (&raw, ZBUS_HEADER_FIELD_PATH, 'o', "/");
  raw_field_str (&raw, ZBUS_HEADER_FIELD_MEMBER, 's', "M");
  raw_field_str (&raw, ZBUS_HEADER_FIELD_SIGNATURE, 'g', "h");
  raw_field_u32 (&raw, ZBUS_HEADER_FIELD_UNIX_FDS, num_unix_fds);
  raw_end_fields (&raw);
  raw_u32 (&raw, index_);
  return raw_finish (&raw);
}

static void
test_invalid_fds (void)
{
  g_autoptr(GUnixFDList) one = new_fd_list (1);
  g_autoptr(GUnixFDList) two = new_fd_list (2);
  g_autoptr(ZbusMessage) msg = NULL;

  g_test_summary ("Handles must index the fds of the message, and those must have come");

  msg = check_valid_fds (fd_message (1, 0), one);
  g_clear_pointer (&msg, zbus_message_unref);
  msg = check_valid_fds (fd_message (1, 0), two);
  g_clear_pointer (&msg, zbus_message_unref);

  /* Index out of range. */
  check_invalid_fds (fd_message (1, 1), one, ZBUS_ERROR_INVALID_FD);
  check_invalid_fds (fd_message (1, 0xffffffff), one, ZBUS_ERROR_INVALID_FD);
  check_invalid_fds (fd_message (0, 0), one, ZBUS_ERROR_INVALID_FD);

  /* Fds announced but missing. */
  check_invalid_fds (fd_message (2, 0), one, ZBUS_ERROR_INVALID_FD);
  check_invalid_fds (fd_message (1, 0), NULL, ZBUS_ERROR_INVALID_FD);

  /* What a connection reads keeps a handle past the fds, as dbus-daemon
   * lets it through; missing fds stay an error. */
  {
    g_autoptr(GBytes) bytes = fd_message (1, 5);
    g_autoptr(GBytes) missing = fd_message (2, 0);
    g_autoptr(GError) error = NULL;
    g_autoptr(ZbusMessage) lenient = NULL;
    g_autoptr(ZbusMessage) refused = NULL;
    gint32 handle;

    lenient = _zbus_message_new_from_bytes_full (bytes, one, FALSE, &error);
    g_assert_no_error (error);
    g_variant_get (zbus_message_get_body (lenient), "(h)", &handle);
    g_assert_cmpint (handle, ==, 5);
    refused = _zbus_message_new_from_bytes_full (missing, one, FALSE, &error);
    g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_FD);
    g_assert_null (refused);
  }
}

static void
test_invalid_header_fields (void)
{
  Raw raw;

  g_test_summary ("Header fields: no duplicates, the right types, no code 0, valid names");

  /* Duplicate. */
  raw_begin (&raw, 'l', ZBUS_MESSAGE_TYPE_METHOD_CALL, 1);
  raw_field_str (&raw, ZBUS_HEADER_FIELD_PATH, 'o', "/");
  raw_field_str (&raw, ZBUS_HEADER_FIELD_MEMBER, 's', "M");
  raw_field_str (&raw, ZBUS_HEADER_FIELD_MEMBER, 's', "N");
  raw_end_fields (&raw);
  check_invalid (raw_finish (&raw), ZBUS_ERROR_INVALID_MESSAGE);

  /* Wrong type. */
  raw_begin (&raw, 'l', ZBUS_MESSAGE_TYPE_METHOD_CALL, 1);
  raw_field_str (&raw, ZBUS_HEADER_FIELD_PATH, 's', "/");
  raw_field_str (&raw, ZBUS_HEADER_FIELD_MEMBER, 's', "M");
  raw_end_fields (&raw);
  check_invalid (raw_finish (&raw), ZBUS_ERROR_INVALID_MESSAGE);

  raw_begin (&raw, 'l', ZBUS_MESSAGE_TYPE_METHOD_RETURN, 1);
  raw_field (&raw, ZBUS_HEADER_FIELD_REPLY_SERIAL, "i");
  raw_u32 (&raw, 1);
  raw_end_fields (&raw);
  check_invalid (raw_finish (&raw), ZBUS_ERROR_INVALID_MESSAGE);

  /* Code 0. */
  raw_begin (&raw, 'l', ZBUS_MESSAGE_TYPE_METHOD_CALL, 1);
  raw_field_str (&raw, ZBUS_HEADER_FIELD_PATH, 'o', "/");
  raw_field_str (&raw, ZBUS_HEADER_FIELD_MEMBER, 's', "M");
  raw_field_str (&raw, 0, 's', "x");
  raw_end_fields (&raw);
  check_invalid (raw_finish (&raw), ZBUS_ERROR_INVALID_MESSAGE);

  /* Names. */
  {
    static const struct
    {
      guint8 code;
      const char *value;
    } bad[] = {
      { ZBUS_HEADER_FIELD_INTERFACE, "nodot" },
      { ZBUS_HEADER_FIELD_INTERFACE, "a..b" },
      { ZBUS_HEADER_FIELD_ERROR_NAME, "1a.b" },
      { ZBUS_HEADER_FIELD_DESTINATION, "a" },
      { ZBUS_HEADER_FIELD_DESTINATION, ":" },
      { ZBUS_HEADER_FIELD_SENDER, "-a.b.." },
      { ZBUS_HEADER_FIELD_SENDER, "\xc3\xa9.a" },
    };
    static const struct
    {
      guint8 code;
      const char *value;
    } good[] = {
      { ZBUS_HEADER_FIELD_INTERFACE, "a.b" },
      { ZBUS_HEADER_FIELD_ERROR_NAME, "a.b.Error" },
      { ZBUS_HEADER_FIELD_DESTINATION, ":1.2" },
      { ZBUS_HEADER_FIELD_SENDER, "org.freedesktop.DBus" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (good); i++)
      {
        raw_call (&raw, NULL);
        raw_field_str (&raw, good[i].code, 's', good[i].value);
        raw_end_fields (&raw);
        check_valid (raw_finish (&raw));
      }
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        raw_call (&raw, NULL);
        raw_field_str (&raw, bad[i].code, 's', bad[i].value);
        raw_end_fields (&raw);
        check_invalid (raw_finish (&raw), ZBUS_ERROR_INVALID_MESSAGE);
      }

    raw_begin (&raw, 'l', ZBUS_MESSAGE_TYPE_METHOD_CALL, 1);
    raw_field_str (&raw, ZBUS_HEADER_FIELD_PATH, 'o', "/a/");
    raw_field_str (&raw, ZBUS_HEADER_FIELD_MEMBER, 's', "M");
    raw_end_fields (&raw);
    check_invalid (raw_finish (&raw), ZBUS_ERROR_INVALID_MESSAGE);

    raw_begin (&raw, 'l', ZBUS_MESSAGE_TYPE_METHOD_CALL, 1);
    raw_field_str (&raw, ZBUS_HEADER_FIELD_PATH, 'o', "/");
    raw_field_str (&raw, ZBUS_HEADER_FIELD_MEMBER, 's', "a.b");
    raw_end_fields (&raw);
    check_invalid (raw_finish (&raw), ZBUS_ERROR_INVALID_MESSAGE);
  }
}

static void
test_invalid_required_fields (void)
{
  static const struct
  {
    ZbusMessageType type;
    gboolean path, interface, member, error_name, reply_serial;
    gboolean valid;
  } cases[] = {
    { ZBUS_MESSAGE_TYPE_METHOD_CALL, TRUE, FALSE, TRUE, FALSE, FALSE, TRUE },
    { ZBUS_MESSAGE_TYPE_METHOD_CALL, FALSE, TRUE, TRUE, FALSE, FALSE, FALSE },
    { ZBUS_MESSAGE_TYPE_METHOD_CALL, TRUE, TRUE, FALSE, FALSE, FALSE, FALSE },
    { ZBUS_MESSAGE_TYPE_SIGNAL, TRUE, TRUE, TRUE, FALSE, FALSE, TRUE },
    { ZBUS_MESSAGE_TYPE_SIGNAL, FALSE, TRUE, TRUE, FALSE, FALSE, FALSE },
    { ZBUS_MESSAGE_TYPE_SIGNAL, TRUE, FALSE, TRUE, FALSE, FALSE, FALSE },
    { ZBUS_MESSAGE_TYPE_SIGNAL, TRUE, TRUE, FALSE, FALSE, FALSE, FALSE },
    { ZBUS_MESSAGE_TYPE_ERROR, FALSE, FALSE, FALSE, TRUE, TRUE, TRUE },
    { ZBUS_MESSAGE_TYPE_ERROR, FALSE, FALSE, FALSE, FALSE, TRUE, FALSE },
    { ZBUS_MESSAGE_TYPE_ERROR, FALSE, FALSE, FALSE, TRUE, FALSE, FALSE },
    { ZBUS_MESSAGE_TYPE_METHOD_RETURN, FALSE, FALSE, FALSE, FALSE, TRUE, TRUE },
    { ZBUS_MESSAGE_TYPE_METHOD_RETURN, TRUE, TRUE, TRUE, FALSE, FALSE, FALSE },
  };

  g_test_summary ("Each type of message needs its header fields");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Raw raw;
      GBytes *bytes;

      raw_begin (&raw, 'l', cases[i].type, 1);
      if (cases[i].path)
        raw_field_str (&raw, ZBUS_HEADER_FIELD_PATH, 'o', "/");
      if (cases[i].interface)
        raw_field_str (&raw, ZBUS_HEADER_FIELD_INTERFACE, 's', "a.b");
      if (cases[i].member)
        raw_field_str (&raw, ZBUS_HEADER_FIELD_MEMBER, 's', "M");
      if (cases[i].error_name)
        raw_field_str (&raw, ZBUS_HEADER_FIELD_ERROR_NAME, 's', "a.b");
      if (cases[i].reply_serial)
        raw_field_u32 (&raw, ZBUS_HEADER_FIELD_REPLY_SERIAL, 9);
      raw_end_fields (&raw);
      bytes = raw_finish (&raw);

      if (cases[i].valid)
        check_valid (bytes);
      else
        check_invalid (bytes, ZBUS_ERROR_INVALID_MESSAGE);
    }
}

static void
test_unknown_header_field (void)
{
  g_autoptr(ZbusMessage) msg = NULL;
  Raw raw;

  g_test_summary ("Unknown header fields are ignored, but must be well-formed");

  raw_begin (&raw, 'l', ZBUS_MESSAGE_TYPE_METHOD_CALL, 1);
  raw_field_str (&raw, ZBUS_HEADER_FIELD_PATH, 'o', "/");
  raw_field (&raw, 200, "a{sv}");
  raw_u32 (&raw, 16);
  raw_pad (&raw, 8, 0);
  raw_str (&raw, "k");
  raw_sig (&raw, "b");
  raw_u32 (&raw, 1);
  raw_field (&raw, 200, "s");
  raw_str (&raw, "again: unknown fields may repeat");
  raw_field_str (&raw, ZBUS_HEADER_FIELD_MEMBER, 's', "M");
  raw_end_fields (&raw);
  msg = check_valid_fds (raw_finish (&raw), NULL);
  g_assert_cmpstr (zbus_message_get_member (msg), ==, "M");
  g_assert_cmpstr (zbus_message_get_path (msg), ==, "/");

  /* A boolean 2 in it. */
  raw_begin (&raw, 'l', ZBUS_MESSAGE_TYPE_METHOD_CALL, 1);
  raw_field_str (&raw, ZBUS_HEADER_FIELD_PATH, 'o', "/");
  raw_field (&raw, 10, "b");
  raw_u32 (&raw, 2);
  raw_field_str (&raw, ZBUS_HEADER_FIELD_MEMBER, 's', "M");
  raw_end_fields (&raw);
  check_invalid (raw_finish (&raw), ZBUS_ERROR_INVALID_MESSAGE);

  /* A bad signature. */
  raw_begin (&raw, 'l', ZBUS_MESSAGE_TYPE_METHOD_CALL, 1);
  raw_field_str (&raw, ZBUS_HEADER_FIELD_PATH, 'o', "/");
  raw_field (&raw, 10, "ss");
  raw_str (&raw, "a");
  raw_str (&raw, "b");
  raw_field_str (&raw, ZBUS_HEADER_FIELD_MEMBER, 's', "M");
  raw_end_fields (&raw);
  check_invalid (raw_finish (&raw), ZBUS_ERROR_INVALID_MESSAGE);
}

static void
test_mutations (void)
{
  g_autoptr(GBytes) bytes = rich_message ();
  static const guint8 values[] = { 0x00, 0x01, 0x7f, 0x80, 0xff };
  const guint8 *data;
  gsize size;
  guint accepted = 0;

  g_test_summary ("Changing any byte of a message never crashes the decoder, and what it "
                  "accepts it can write and read again");

  data = g_bytes_get_data (bytes, &size);
  for (gsize i = 0; i < size; i++)
    for (guint j = 0; j < G_N_ELEMENTS (values); j++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(ZbusMessage) msg = NULL;
        g_autoptr(GBytes) mutated = NULL;
        guint8 *copy;

        if (data[i] == values[j])
          continue;
        copy = g_memdup2 (data, size);
        copy[i] = values[j];
        mutated = g_bytes_new_take (copy, size);
        msg = zbus_message_new_from_bytes (mutated, NULL, &error);
        if (msg == NULL)
          {
            g_assert_true (error->domain == ZBUS_ERROR);
            continue;
          }

        accepted++;
        g_clear_pointer (&msg, zbus_message_unref);
        msg = check_valid_fds (g_bytes_ref (mutated), NULL);
      }

  g_test_message ("%u mutations accepted", accepted);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/Zbus/Codec/signature", test_signature);
  g_test_add_func ("/Zbus/Codec/type-check", test_type_check);
  g_test_add_func ("/Zbus/Codec/round-trip/basic", test_round_trip_basic);
  g_test_add_func ("/Zbus/Codec/round-trip/containers", test_round_trip_containers);
  g_test_add_func ("/Zbus/Codec/round-trip/header", test_round_trip_header);
  g_test_add_func ("/Zbus/Codec/fds", test_fds);
  g_test_add_func ("/Zbus/Codec/known-bytes", test_known_bytes);
  g_test_add_func ("/Zbus/Codec/reencode", test_reencode);
  g_test_add_func ("/Zbus/Codec/misaligned", test_misaligned);
  g_test_add_func ("/Zbus/Codec/bytes-needed", test_bytes_needed);
  g_test_add_func ("/Zbus/Codec/encode-errors", test_encode_errors);
  g_test_add_func ("/Zbus/Codec/invalid/endianness", test_invalid_endianness);
  g_test_add_func ("/Zbus/Codec/invalid/type", test_invalid_type);
  g_test_add_func ("/Zbus/Codec/invalid/version", test_invalid_version);
  g_test_add_func ("/Zbus/Codec/invalid/serial", test_invalid_serial);
  g_test_add_func ("/Zbus/Codec/invalid/truncated", test_invalid_truncated);
  g_test_add_func ("/Zbus/Codec/invalid/size", test_invalid_size);
  g_test_add_func ("/Zbus/Codec/invalid/padding", test_invalid_padding);
  g_test_add_func ("/Zbus/Codec/invalid/boolean", test_invalid_boolean);
  g_test_add_func ("/Zbus/Codec/invalid/strings", test_invalid_strings);
  g_test_add_func ("/Zbus/Codec/invalid/object-path", test_invalid_object_path);
  g_test_add_func ("/Zbus/Codec/invalid/signature", test_invalid_signature);
  g_test_add_func ("/Zbus/Codec/invalid/variant", test_invalid_variant);
  g_test_add_func ("/Zbus/Codec/invalid/array", test_invalid_array);
  g_test_add_func ("/Zbus/Codec/invalid/array-too-large", test_invalid_array_too_large);
  g_test_add_func ("/Zbus/Codec/invalid/message-too-large", test_invalid_message_too_large);
  g_test_add_func ("/Zbus/Codec/invalid/depth", test_invalid_depth);
  g_test_add_func ("/Zbus/Codec/invalid/fds", test_invalid_fds);
  g_test_add_func ("/Zbus/Codec/invalid/header-fields", test_invalid_header_fields);
  g_test_add_func ("/Zbus/Codec/invalid/required-fields", test_invalid_required_fields);
  g_test_add_func ("/Zbus/Codec/invalid/unknown-header-field", test_unknown_header_field);
  g_test_add_func ("/Zbus/Codec/invalid/mutations", test_mutations);

  return g_test_run ();
}
