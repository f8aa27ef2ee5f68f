/* test-message.c: constructors, validation, accessors and GDBus conversion
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <gio/gunixfdlist.h>

#include "zbus-gobject.h"

static void
test_method_call (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusMessage) msg = NULL;

  msg = zbus_message_new_method_call ("org.example.Service", "/org/example/Object",
                                      "org.example.Iface", "DoThing", &error);
  g_assert_no_error (error);
  g_assert_nonnull (msg);

  g_assert_cmpint (zbus_message_get_message_type (msg), ==, ZBUS_MESSAGE_TYPE_METHOD_CALL);
  g_assert_cmpstr (zbus_message_get_destination (msg), ==, "org.example.Service");
  g_assert_cmpstr (zbus_message_get_path (msg), ==, "/org/example/Object");
  g_assert_cmpstr (zbus_message_get_interface (msg), ==, "org.example.Iface");
  g_assert_cmpstr (zbus_message_get_member (msg), ==, "DoThing");
  g_assert_null (zbus_message_get_error_name (msg));
  g_assert_null (zbus_message_get_sender (msg));
  g_assert_cmpstr (zbus_message_get_signature (msg), ==, "");
  g_assert_null (zbus_message_get_body (msg));
  g_assert_cmpuint (zbus_message_get_serial (msg), ==, 0);
  g_assert_cmpuint (zbus_message_get_reply_serial (msg), ==, 0);
  g_assert_cmpuint (zbus_message_get_num_unix_fds (msg), ==, 0);
  g_assert_cmpint (zbus_message_get_flags (msg), ==, ZBUS_MESSAGE_FLAGS_NONE);
  g_assert_cmpint (zbus_message_get_byte_order (msg), ==,
                   G_BYTE_ORDER == G_LITTLE_ENDIAN ? ZBUS_BYTE_ORDER_LITTLE_ENDIAN
                                                   : ZBUS_BYTE_ORDER_BIG_ENDIAN);
}

static void
test_method_call_optional (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusMessage) msg = NULL;

  /* Peer-to-peer calls have no destination; the interface may be left out. */
  msg = zbus_message_new_method_call (NULL, "/", NULL, "Ping", &error);
  g_assert_no_error (error);
  g_assert_null (zbus_message_get_destination (msg));
  g_assert_null (zbus_message_get_interface (msg));
  g_assert_cmpstr (zbus_message_get_path (msg), ==, "/");
}

typedef struct
{
  const char *destination;
  const char *path;
  const char *interface_;
  const char *member;
  const char *bad_part;
} BadCall;

static void
test_method_call_invalid (void)
{
  static const BadCall cases[] = {
    { "org..example", "/a", "org.example.I", "M", "bus name" },
    { "1org.example", "/a", "org.example.I", "M", "bus name" },
    { "org", "/a", "org.example.I", "M", "bus name" },
    { ":1", "/a", "org.example.I", "M", "bus name" },
    { "org.example", "a", "org.example.I", "M", "object path" },
    { "org.example", "/a/", "org.example.I", "M", "object path" },
    { "org.example", "/a//b", "org.example.I", "M", "object path" },
    { "org.example", "/a-b", "org.example.I", "M", "object path" },
    { "org.example", "", "org.example.I", "M", "object path" },
    { "org.example", "/a", "example", "M", "interface name" },
    { "org.example", "/a", "org.example-x.I", "M", "interface name" },
    { "org.example", "/a", "org.9example", "M", "interface name" },
    { "org.example", "/a", "org.example.I", "Do.It", "member name" },
    { "org.example", "/a", "org.example.I", "9Do", "member name" },
    { "org.example", "/a", "org.example.I", "", "member name" },
    { "org.example", "/a", "org.example.I", "Do-It", "member name" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ZbusMessage) msg = NULL;

      msg = zbus_message_new_method_call (cases[i].destination, cases[i].path,
                                          cases[i].interface_, cases[i].member, &error);
      g_assert_null (msg);
      g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME);
      g_assert_nonnull (strstr (error->message, cases[i].bad_part));
    }
}

static void
test_long_names (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusMessage) ok = NULL;
  g_autoptr(ZbusMessage) bad = NULL;
  g_autoptr(GString) name = g_string_new ("org.");
  g_autofree char *name_255 = NULL;

  /* Names may be 255 bytes long, not one more. */
  while (name->len < 255)
    g_string_append_c (name, 'a');
  name_255 = g_strdup (name->str);
  g_string_append_c (name, 'a');

  ok = zbus_message_new_method_call (name_255, "/", NULL, "M", &error);
  g_assert_no_error (error);
  g_assert_nonnull (ok);

  bad = zbus_message_new_method_call (name->str, "/", NULL, "M", &error);
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME);
  g_assert_null (bad);
}

static void
test_signal (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusMessage) msg = NULL;
  g_autoptr(ZbusMessage) bad = NULL;

  msg = zbus_message_new_signal ("/org/zbus/path", "org.myservice.Example", "Bye", &error);
  g_assert_no_error (error);
  g_assert_cmpint (zbus_message_get_message_type (msg), ==, ZBUS_MESSAGE_TYPE_SIGNAL);
  g_assert_cmpstr (zbus_message_get_path (msg), ==, "/org/zbus/path");
  g_assert_cmpstr (zbus_message_get_interface (msg), ==, "org.myservice.Example");
  g_assert_cmpstr (zbus_message_get_member (msg), ==, "Bye");
  g_assert_null (zbus_message_get_destination (msg));
  g_assert_true (zbus_message_get_flags (msg) & ZBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED);

  g_assert_true (zbus_message_set_destination (msg, ":1.42", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (zbus_message_get_destination (msg), ==, ":1.42");
  g_assert_true (zbus_message_set_destination (msg, NULL, &error));
  g_assert_null (zbus_message_get_destination (msg));

  g_assert_false (zbus_message_set_destination (msg, "no", &error));
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME);
  g_clear_error (&error);

  bad = zbus_message_new_signal ("/p", "noDots", "Bye", &error);
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME);
  g_assert_null (bad);
}

static ZbusMessage *
make_received_call (void)
{
  g_autoptr(GError) error = NULL;
  ZbusMessage *call;

  call = zbus_message_new_method_call ("org.example", "/", "org.example.I", "M", &error);
  g_assert_no_error (error);
  zbus_message_set_serial (call, 7);
  g_assert_true (zbus_message_set_sender (call, ":1.5", &error));
  g_assert_no_error (error);

  return call;
}

static void
test_reply (void)
{
  g_autoptr(ZbusMessage) call = make_received_call ();
  g_autoptr(ZbusMessage) reply = NULL;

  zbus_message_set_byte_order (call, ZBUS_BYTE_ORDER_BIG_ENDIAN);
  reply = zbus_message_new_method_reply (call);
  g_assert_cmpint (zbus_message_get_message_type (reply), ==, ZBUS_MESSAGE_TYPE_METHOD_RETURN);
  g_assert_cmpuint (zbus_message_get_reply_serial (reply), ==, 7);
  g_assert_cmpstr (zbus_message_get_destination (reply), ==, ":1.5");
  g_assert_cmpint (zbus_message_get_byte_order (reply), ==, ZBUS_BYTE_ORDER_BIG_ENDIAN);
  g_assert_null (zbus_message_get_member (reply));
  g_assert_null (zbus_message_get_path (reply));
}

static void
test_error (void)
{
  g_autoptr(ZbusMessage) call = make_received_call ();
  g_autoptr(ZbusMessage) reply = NULL;
  g_autoptr(ZbusMessage) bare = NULL;
  g_autoptr(ZbusMessage) bad = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) carried = NULL;
  g_autofree char *text = NULL;

  reply = zbus_message_new_error (call, "org.freedesktop.DBus.Error.InvalidArgs",
                                  "Argument 1 is wrong", &error);
  g_assert_no_error (error);
  g_assert_cmpint (zbus_message_get_message_type (reply), ==, ZBUS_MESSAGE_TYPE_ERROR);
  g_assert_cmpstr (zbus_message_get_error_name (reply), ==,
                   "org.freedesktop.DBus.Error.InvalidArgs");
  g_assert_cmpuint (zbus_message_get_reply_serial (reply), ==, 7);
  g_assert_cmpstr (zbus_message_get_signature (reply), ==, "s");
  text = zbus_message_dup_error_message (reply);
  g_assert_cmpstr (text, ==, "Argument 1 is wrong");

  /* The standard name comes back as its GDBus error code. */
  g_assert_true (zbus_message_to_gerror (reply, &carried));
  g_assert_error (carried, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_assert_nonnull (strstr (carried->message, "Argument 1 is wrong"));

  bare = zbus_message_new_error (call, "org.example.Error.Plain", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (zbus_message_get_body (bare));
  g_assert_null (zbus_message_dup_error_message (bare));

  bad = zbus_message_new_error (call, "NotAnErrorName", "x", &error);
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_NAME);
  g_assert_null (bad);
  g_clear_error (&error);

  bad = zbus_message_new_error (call, "org.example.Error.X", "\xff\xfe", &error);
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_MESSAGE);
  g_assert_null (bad);
}

static void
test_to_gerror_not_error (void)
{
  g_autoptr(ZbusMessage) call = make_received_call ();
  g_autoptr(ZbusMessage) reply = zbus_message_new_method_reply (call);
  g_autoptr(GError) error = NULL;

  g_assert_false (zbus_message_to_gerror (reply, &error));
  g_assert_no_error (error);
}

static void
test_error_from_gerror (void)
{
  g_autoptr(ZbusMessage) call = make_received_call ();
  g_autoptr(GError) dbus_error = g_error_new (G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED, "No way");
  g_autoptr(GError) zbus_error = g_error_new (ZBUS_ERROR, ZBUS_ERROR_INVALID_FD, "Bad fd");
  g_autoptr(GError) io_error = g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "Gone");
  g_autoptr(GError) remote = NULL;
  g_autoptr(ZbusMessage) reply1 = NULL;
  g_autoptr(ZbusMessage) reply2 = NULL;
  g_autoptr(ZbusMessage) reply3 = NULL;
  g_autoptr(ZbusMessage) reply4 = NULL;
  g_autoptr(GError) back = NULL;
  g_autofree char *text = NULL;

  reply1 = zbus_message_new_error_from_gerror (call, dbus_error);
  g_assert_cmpstr (zbus_message_get_error_name (reply1), ==,
                   "org.freedesktop.DBus.Error.AccessDenied");
  text = zbus_message_dup_error_message (reply1);
  g_assert_cmpstr (text, ==, "No way");

  /* Our own domain is registered with GIO, so it keeps its name and code. */
  reply2 = zbus_message_new_error_from_gerror (call, zbus_error);
  g_assert_cmpstr (zbus_message_get_error_name (reply2), ==, "org.zbus.Error.InvalidFd");
  g_assert_true (zbus_message_to_gerror (reply2, &back));
  g_assert_error (back, ZBUS_ERROR, ZBUS_ERROR_INVALID_FD);
  g_clear_error (&back);

  /* An unregistered domain still travels, under GIO's documented scheme. */
  reply3 = zbus_message_new_error_from_gerror (call, io_error);
  g_assert_true (g_str_has_prefix (zbus_message_get_error_name (reply3),
                                   "org.gtk.GDBus.UnmappedGError.Quark"));
  g_assert_true (zbus_message_to_gerror (reply3, &back));
  g_assert_error (back, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&back);

  /* A remote error keeps its name; the prefix GIO adds is stripped. */
  g_dbus_error_set_dbus_error (&remote, "org.example.Error.Odd", "Odd thing", NULL);
  reply4 = zbus_message_new_error_from_gerror (call, remote);
  g_assert_cmpstr (zbus_message_get_error_name (reply4), ==, "org.example.Error.Odd");
  g_clear_pointer (&text, g_free);
  text = zbus_message_dup_error_message (reply4);
  g_assert_cmpstr (text, ==, "Odd thing");
}

static void
test_body (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusMessage) msg = NULL;
  GVariant *body;

  msg = zbus_message_new_method_call (NULL, "/", NULL, "M", &error);
  g_assert_no_error (error);

  g_assert_true (zbus_message_set_body (msg, g_variant_new ("(sua{sv})", "x", 5, NULL), &error));
  g_assert_no_error (error);
  g_assert_cmpstr (zbus_message_get_signature (msg), ==, "sua{sv}");
  body = zbus_message_get_body (msg);
  g_assert_cmpstr (g_variant_get_type_string (body), ==, "(sua{sv})");
  g_assert_false (g_variant_is_floating (body));

  /* A non-tuple body and maybe types are refused; the old body stays. */
  g_assert_false (zbus_message_set_body (msg, g_variant_new_string ("x"), &error));
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_SIGNATURE);
  g_clear_error (&error);
  g_assert_false (zbus_message_set_body (msg, g_variant_new ("(ms)", NULL), &error));
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_SIGNATURE);
  g_clear_error (&error);
  g_assert_false (zbus_message_set_body (msg, g_variant_new ("(i())", 1), &error));
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_SIGNATURE);
  g_clear_error (&error);
  g_assert_cmpstr (zbus_message_get_signature (msg), ==, "sua{sv}");

  /* An empty tuple and NULL both mean an empty body. */
  g_assert_true (zbus_message_set_body (msg, g_variant_new ("()"), &error));
  g_assert_cmpstr (zbus_message_get_signature (msg), ==, "");
  g_assert_null (zbus_message_get_body (msg));
  g_assert_true (zbus_message_set_body (msg, g_variant_new ("(i)", 3), &error));
  g_assert_true (zbus_message_set_body (msg, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (zbus_message_get_body (msg));
}

static void
test_flags_serial (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusMessage) msg = zbus_message_new_method_call (NULL, "/", NULL, "M", &error);

  zbus_message_set_flags (msg, ZBUS_MESSAGE_FLAGS_NO_AUTO_START |
                               ZBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION);
  g_assert_cmpint (zbus_message_get_flags (msg), ==,
                   ZBUS_MESSAGE_FLAGS_NO_AUTO_START |
                   ZBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION);
  zbus_message_set_serial (msg, 0xffffffff);
  g_assert_cmpuint (zbus_message_get_serial (msg), ==, 0xffffffff);
}

static void
test_refcount (void)
{
  g_autoptr(GError) error = NULL;
  ZbusMessage *msg = zbus_message_new_method_call (NULL, "/", NULL, "M", &error);
  GValue value = G_VALUE_INIT;

  g_assert_true (G_TYPE_IS_BOXED (ZBUS_TYPE_MESSAGE));
  g_assert_true (zbus_message_ref (msg) == msg);
  zbus_message_unref (msg);

  /* As a boxed type it goes through GValue, as bindings use it. */
  g_value_init (&value, ZBUS_TYPE_MESSAGE);
  g_value_take_boxed (&value, msg);
  g_assert_true (g_value_get_boxed (&value) == msg);
  g_value_unset (&value);
}

static int
make_fd (void)
{
  int fds[2];

  g_assert_no_errno (pipe (fds));
  close (fds[1]);
  return fds[0];
}

static void
test_unix_fds (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusMessage) msg = zbus_message_new_method_call (NULL, "/", NULL, "M", &error);
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
  int fd = make_fd ();

  g_assert_cmpint (g_unix_fd_list_append (fds, fd, &error), ==, 0);
  g_assert_no_error (error);
  close (fd);

  zbus_message_set_unix_fd_list (msg, fds);
  g_assert_true (zbus_message_get_unix_fd_list (msg) == fds);
  g_assert_cmpuint (zbus_message_get_num_unix_fds (msg), ==, 1);
  zbus_message_set_unix_fd_list (msg, NULL);
  g_assert_null (zbus_message_get_unix_fd_list (msg));
  g_assert_cmpuint (zbus_message_get_num_unix_fds (msg), ==, 0);
}

static void
assert_same_as_gdbus (ZbusMessage  *msg,
                      GDBusMessage *gmsg)
{
  GVariant *body = zbus_message_get_body (msg);
  GVariant *gbody = g_dbus_message_get_body (gmsg);

  g_assert_cmpint (zbus_message_get_message_type (msg), ==, g_dbus_message_get_message_type (gmsg));
  g_assert_cmpint (zbus_message_get_flags (msg), ==, g_dbus_message_get_flags (gmsg));
  g_assert_cmpuint (zbus_message_get_serial (msg), ==, g_dbus_message_get_serial (gmsg));
  g_assert_cmpuint (zbus_message_get_reply_serial (msg), ==,
                    g_dbus_message_get_reply_serial (gmsg));
  g_assert_cmpstr (zbus_message_get_path (msg), ==, g_dbus_message_get_path (gmsg));
  g_assert_cmpstr (zbus_message_get_interface (msg), ==, g_dbus_message_get_interface (gmsg));
  g_assert_cmpstr (zbus_message_get_member (msg), ==, g_dbus_message_get_member (gmsg));
  g_assert_cmpstr (zbus_message_get_error_name (msg), ==, g_dbus_message_get_error_name (gmsg));
  g_assert_cmpstr (zbus_message_get_destination (msg), ==, g_dbus_message_get_destination (gmsg));
  g_assert_cmpstr (zbus_message_get_sender (msg), ==, g_dbus_message_get_sender (gmsg));
  g_assert_cmpstr (zbus_message_get_signature (msg), ==, g_dbus_message_get_signature (gmsg));
  g_assert_cmpuint (zbus_message_get_num_unix_fds (msg), ==, g_dbus_message_get_num_unix_fds (gmsg));
  if (body == NULL || gbody == NULL)
    g_assert_true (body == gbody);
  else
    g_assert_true (g_variant_equal (body, gbody));
}

static void
test_gdbus_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusMessage) call = make_received_call ();
  g_autoptr(ZbusMessage) reply = NULL;
  g_autoptr(ZbusMessage) back = NULL;
  g_autoptr(GDBusMessage) gcall = NULL;
  g_autoptr(GDBusMessage) greply = NULL;
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
  int fd = make_fd ();

  g_unix_fd_list_append (fds, fd, &error);
  g_assert_no_error (error);
  close (fd);

  g_assert_true (zbus_message_set_body (call, g_variant_new ("(sh)", "file", 0), &error));
  zbus_message_set_unix_fd_list (call, fds);
  zbus_message_set_flags (call, ZBUS_MESSAGE_FLAGS_NO_AUTO_START);

  gcall = zbus_message_to_gdbus (call, &error);
  g_assert_no_error (error);
  assert_same_as_gdbus (call, gcall);
  g_assert_true (g_dbus_message_get_unix_fd_list (gcall) == fds);

  back = zbus_message_new_from_gdbus (gcall, &error);
  g_assert_no_error (error);
  assert_same_as_gdbus (back, gcall);

  reply = zbus_message_new_error (call, "org.example.Error.Nope", "nope", &error);
  g_assert_no_error (error);
  zbus_message_set_serial (reply, 9);
  greply = zbus_message_to_gdbus (reply, &error);
  g_assert_no_error (error);
  assert_same_as_gdbus (reply, greply);
  g_assert_cmpint (g_dbus_message_get_message_type (greply), ==, G_DBUS_MESSAGE_TYPE_ERROR);
}

static void
test_gdbus_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusMessage) gmsg = g_dbus_message_new ();
  g_autoptr(ZbusMessage) msg = NULL;

  /* A bare GDBusMessage has no valid type. */
  msg = zbus_message_new_from_gdbus (gmsg, &error);
  g_assert_error (error, ZBUS_ERROR, ZBUS_ERROR_INVALID_MESSAGE);
  g_assert_null (msg);
}

static void
test_to_string (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusMessage) msg = zbus_message_new_method_call ("org.example", "/obj", "org.example.I",
                                                             "Go", &error);
  g_autofree char *text = NULL;

  zbus_message_set_serial (msg, 3);
  zbus_message_set_flags (msg, ZBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED);
  g_assert_true (zbus_message_set_body (msg, g_variant_new ("(s)", "hi"), &error));
  text = zbus_message_to_string (msg);
  g_assert_nonnull (strstr (text, "method-call serial=3"));
  g_assert_nonnull (strstr (text, "no-reply-expected"));
  g_assert_nonnull (strstr (text, "member: Go"));
  g_assert_nonnull (strstr (text, "path: /obj"));
  g_assert_nonnull (strstr (text, "body: ('hi',)"));
}

static void
test_lazy_body (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusMessage) msg = zbus_message_new_method_call ("org.example", "/obj", "org.example.I",
                                                             "Go", &error);
  g_autoptr(ZbusMessage) decoded = NULL;
  g_autoptr(GBytes) bytes = NULL;
  GVariant *body;

  g_assert_true (zbus_message_set_body (msg, g_variant_new ("(sau)", "lazy", NULL), &error));
  zbus_message_set_serial (msg, 1);
  bytes = zbus_message_to_bytes (msg, &error);
  g_assert_no_error (error);

  decoded = zbus_message_new_from_bytes (bytes, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (zbus_message_get_signature (decoded), ==, "sau");
  body = zbus_message_get_body (decoded);
  g_assert_true (g_variant_equal (body, zbus_message_get_body (msg)));
  /* Asking again gives the same body, not a second decoding. */
  g_assert_true (zbus_message_get_body (decoded) == body);

  /* Replacing the body of a decoded message works and keeps its header. */
  g_assert_true (zbus_message_set_body (decoded, g_variant_new ("(b)", TRUE), &error));
  g_assert_cmpstr (zbus_message_get_signature (decoded), ==, "b");
  g_assert_cmpstr (zbus_message_get_member (decoded), ==, "Go");
}

static gpointer
get_body_thread (gpointer data)
{
  return zbus_message_get_body (data);
}

static void
test_lazy_body_threads (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZbusMessage) msg = zbus_message_new_signal ("/a", "org.example.I", "S", &error);
  g_autoptr(GBytes) bytes = NULL;

  g_assert_true (zbus_message_set_body (msg, g_variant_new ("(ssss)", "a", "b", "c", "d"), &error));
  zbus_message_set_serial (msg, 1);
  bytes = zbus_message_to_bytes (msg, &error);
  g_assert_no_error (error);

  /* Several threads asking at once all get the one body. */
  for (guint round = 0; round < 50; round++)
    {
      g_autoptr(ZbusMessage) decoded = zbus_message_new_from_bytes (bytes, NULL, &error);
      GThread *threads[4];
      gpointer seen[4];

      g_assert_no_error (error);
      for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
        threads[i] = g_thread_new ("body", get_body_thread, decoded);
      for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
        seen[i] = g_thread_join (threads[i]);
      for (guint i = 1; i < G_N_ELEMENTS (threads); i++)
        g_assert_true (seen[i] == seen[0]);
      g_assert_true (seen[0] == zbus_message_get_body (decoded));
    }
}

static void
test_error_domain (void)
{
  g_autofree char *name = NULL;
  g_autoptr(GError) error = g_error_new_literal (ZBUS_ERROR, ZBUS_ERROR_MESSAGE_TOO_LARGE, "big");

  name = g_dbus_error_encode_gerror (error);
  g_assert_cmpstr (name, ==, "org.zbus.Error.MessageTooLarge");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/Zbus/Message/method-call", test_method_call);
  g_test_add_func ("/Zbus/Message/method-call-optional", test_method_call_optional);
  g_test_add_func ("/Zbus/Message/method-call-invalid", test_method_call_invalid);
  g_test_add_func ("/Zbus/Message/long-names", test_long_names);
  g_test_add_func ("/Zbus/Message/signal", test_signal);
  g_test_add_func ("/Zbus/Message/reply", test_reply);
  g_test_add_func ("/Zbus/Message/error", test_error);
  g_test_add_func ("/Zbus/Message/to-gerror-not-error", test_to_gerror_not_error);
  g_test_add_func ("/Zbus/Message/error-from-gerror", test_error_from_gerror);
  g_test_add_func ("/Zbus/Message/body", test_body);
  g_test_add_func ("/Zbus/Message/flags-serial", test_flags_serial);
  g_test_add_func ("/Zbus/Message/refcount", test_refcount);
  g_test_add_func ("/Zbus/Message/unix-fds", test_unix_fds);
  g_test_add_func ("/Zbus/Message/gdbus-round-trip", test_gdbus_round_trip);
  g_test_add_func ("/Zbus/Message/gdbus-refused", test_gdbus_refused);
  g_test_add_func ("/Zbus/Message/to-string", test_to_string);
  g_test_add_func ("/Zbus/Message/lazy-body", test_lazy_body);
  g_test_add_func ("/Zbus/Message/lazy-body-threads", test_lazy_body_threads);
  g_test_add_func ("/Zbus/Message/error-domain", test_error_domain);

  return g_test_run ();
}
