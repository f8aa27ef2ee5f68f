/* example-service.vala: the example service of example-service.c, in Vala
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Serves org.myservice.Example at /org/zbus/path as org.zbus.MyService on
 * the session bus until a client calls Quit. example-client drives it:
 *
 *   dbus-run-session -- sh -c '_build/examples/example-service-vala & sleep 1;
 *     _build/examples/example-client'
 *
 * Built against the zbus-gobject-1 vapi:
 *   valac --pkg zbus-gobject-1 example-service.vala
 */

/* org.myservice.Example: the GObject members below are its D-Bus members. */
public class Example : Zbus.Interface {
  /* Properties: TheAnswer (u, read-only), IFail (i), Greeting (s). */
  public uint the_answer {
    get { return 42; }
  }

  public int i_fail {
    get {
      /* A property read fails by answering the call that asked. */
      unowned var invocation = Zbus.MethodInvocation.get_current ();
      if (invocation != null)
        invocation.return_dbus_error ("org.freedesktop.DBus.Error.UnknownProperty",
                                      "IFail: this property always fails");
      return 0;
    }
  }

  [Description (blurb = "The greeting")]
  public string greeting { get; set; default = "Hello"; }

  /* A signal without action is a D-Bus signal ... */
  public signal void bye (string message);

  /* ... and one with action a method, its default handler the body. */
  [Signal (action = true)]
  public virtual signal void quit () {
    unowned var invocation = Zbus.MethodInvocation.get_current ();
    bye ("You are leaving me on the %s path?".printf (invocation.get_path ()));
    invocation.return_value (null);
    /* Leave once the reply is out. */
    invocation.get_connection ().flush.begin (null, (obj, res) => {
      try {
        ((Zbus.Connection) obj).flush.end (res);
      } catch (Error e) {
        /* Leaving anyway. */
      }
      loop.quit ();
    });
  }

  [Signal (action = true)]
  public virtual signal Variant meaning_of_life () {
    return new Variant ("(is)", 42, "Meaning of life");
  }

  private MainLoop loop;

  public Example (MainLoop loop) {
    this.loop = loop;
  }

  static construct {
    Zbus.Interface.type_set_name (typeof (Example), "org.myservice.Example");
    Zbus.Interface.type_set_method_signature (typeof (Example), "MeaningOfLife", "is",
                                              { "answer", "question" });
    Zbus.Interface.type_set_signal_signature (typeof (Example), "bye", null, { "message" });
  }
}

int
main (string[] args)
{
  var loop = new MainLoop ();
  Zbus.Connection connection;

  /* The connection must outlive the loop: dropping it closes it. */
  try {
    connection = Zbus.Connection.session (null);
    var server = Zbus.ObjectServer.get_for_connection (connection);
    server.at ("/org/zbus/path", new Example (loop));
    var reply = connection.request_name_sync ("org.zbus.MyService",
                                              Zbus.RequestNameFlags.DO_NOT_QUEUE, null);
    if (reply != Zbus.RequestNameReply.PRIMARY_OWNER) {
      printerr ("Cannot own org.zbus.MyService\n");
      return 1;
    }
  } catch (Error e) {
    printerr ("Cannot serve org.myservice.Example: %s\n", e.message);
    return 1;
  }

  print ("Serving org.myservice.Example at /org/zbus/path as org.zbus.MyService\n");
  loop.run ();
  return 0;
}
