/* sdbus-service.c: a service written with sd-bus, for the proxy tests
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Owns org.zbus.SdTest on the session bus (DBUS_SESSION_BUS_ADDRESS) and
 * serves /org/zbus/SdTest, interface org.zbus.SdTest:
 *
 *   Echo(s) → s
 *   SetValue(u): sets Value, emits PropertiesChanged and then Tick(u)
 *   Quit(): replies and exits
 *   property Value (u, read-only, emits change), 7 at start
 *   signal Tick(u)
 *
 * sd-bus answers Peer, Introspectable and Properties itself. Not linked to
 * zbus-gobject: it is the other side.
 */

#include <stdio.h>
#include <stdlib.h>

#include <systemd/sd-bus.h>

#define NAME  "org.zbus.SdTest"
#define PATH  "/org/zbus/SdTest"
#define IFACE "org.zbus.SdTest"

static uint32_t value = 7;
static int quit;

static int
echo_cb (sd_bus_message *m,
         void           *userdata,
         sd_bus_error   *error)
{
  const char *s;
  int r = sd_bus_message_read (m, "s", &s);

  return r < 0 ? r : sd_bus_reply_method_return (m, "s", s);
}

static int
set_value_cb (sd_bus_message *m,
              void           *userdata,
              sd_bus_error   *error)
{
  sd_bus *bus = sd_bus_message_get_bus (m);
  int r = sd_bus_message_read (m, "u", &value);

  if (r < 0)
    return r;
  r = sd_bus_emit_properties_changed (bus, PATH, IFACE, "Value", NULL);
  if (r >= 0)
    r = sd_bus_emit_signal (bus, PATH, IFACE, "Tick", "u", value);
  return r < 0 ? r : sd_bus_reply_method_return (m, "");
}

static int
quit_cb (sd_bus_message *m,
         void           *userdata,
         sd_bus_error   *error)
{
  quit = 1;
  return sd_bus_reply_method_return (m, "");
}

static const sd_bus_vtable vtable[] = {
  SD_BUS_VTABLE_START (0),
  SD_BUS_METHOD ("Echo", "s", "s", echo_cb, SD_BUS_VTABLE_UNPRIVILEGED),
  SD_BUS_METHOD ("SetValue", "u", "", set_value_cb, SD_BUS_VTABLE_UNPRIVILEGED),
  SD_BUS_METHOD ("Quit", "", "", quit_cb, SD_BUS_VTABLE_UNPRIVILEGED),
  SD_BUS_PROPERTY ("Value", "u", NULL, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
  SD_BUS_SIGNAL ("Tick", "u", 0),
  SD_BUS_VTABLE_END
};

int
main (void)
{
  sd_bus *bus = NULL;
  int r;

  r = sd_bus_open_user (&bus);
  if (r >= 0)
    r = sd_bus_add_object_vtable (bus, NULL, PATH, IFACE, vtable, &value);
  if (r >= 0)
    r = sd_bus_request_name (bus, NAME, 0);
  if (r < 0)
    {
      fprintf (stderr, "sdbus-service: cannot serve %s: %d\n", NAME, r);
      return 1;
    }

  while (!quit)
    {
      r = sd_bus_process (bus, NULL);
      if (r < 0)
        break;
      if (r == 0 && sd_bus_wait (bus, UINT64_MAX) < 0)
        break;
    }
  sd_bus_flush_close_unref (bus);
  return r < 0 ? 1 : 0;
}
