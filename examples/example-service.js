// example-service.js: the example service of example-service.c, in GJS
//
// Copyright 2026 The zbus-gobject authors
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Serves org.myservice.Example at /org/zbus/path as org.zbus.MyService on the
// session bus until a client calls Quit. example-client drives it:
//
//   dbus-run-session -- sh -c 'gjs -m examples/example-service.js & sleep 1;
//     _build/examples/example-client'
//
// (From a build tree, with GI_TYPELIB_PATH and LD_LIBRARY_PATH set to
// _build/zbus-gobject.)

import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Zbus from 'gi://Zbus?version=1.0';

// org.myservice.Example: the GObject members below are its D-Bus members.
const Example = GObject.registerClass({
    GTypeName: 'ExampleGjsService',
    // Properties: TheAnswer (u, read-only), IFail (i), Greeting (s).
    Properties: {
        'the-answer': GObject.ParamSpec.uint('the-answer', '', '',
            GObject.ParamFlags.READABLE, 0, GLib.MAXUINT32, 42),
        'i-fail': GObject.ParamSpec.int('i-fail', '', '',
            GObject.ParamFlags.READABLE, GLib.MININT32, GLib.MAXINT32, 0),
        'greeting': GObject.ParamSpec.string('greeting', '', 'The greeting',
            GObject.ParamFlags.READWRITE | GObject.ParamFlags.EXPLICIT_NOTIFY, 'Hello'),
    },
    Signals: {
        // A signal without ACTION is a D-Bus signal ...
        'bye': {param_types: [GObject.TYPE_STRING]},
        // ... and one with ACTION a method. on_quit() and
        // on_meaning_of_life() below are their class handlers.
        'quit': {flags: GObject.SignalFlags.RUN_LAST | GObject.SignalFlags.ACTION},
        'meaning-of-life': {
            flags: GObject.SignalFlags.RUN_LAST | GObject.SignalFlags.ACTION,
            return_type: GLib.Variant.$gtype,
        },
    },
}, class Example extends Zbus.Interface {
    constructor(loop) {
        super();
        this._loop = loop;
        this._greeting = 'Hello';
    }

    get theAnswer() {
        return 42;
    }

    get iFail() {
        // A property read fails by answering the call that asked.
        const invocation = Zbus.MethodInvocation.get_current();
        if (invocation) {
            invocation.return_dbus_error('org.freedesktop.DBus.Error.UnknownProperty',
                'IFail: this property always fails');
        }
        return 0;
    }

    get greeting() {
        return this._greeting;
    }

    set greeting(value) {
        if (this._greeting === value)
            return;
        this._greeting = value;
        this.notify('greeting');
    }

    on_quit() {
        const invocation = Zbus.MethodInvocation.get_current();
        this.emit('bye', `You are leaving me on the ${invocation.get_path()} path?`);
        invocation.return_value(null);
        // Leave once the reply is out.
        invocation.get_connection().flush(null, (connection, result) => {
            connection.flush_finish(result);
            this._loop.quit();
        });
    }

    on_meaning_of_life() {
        return new GLib.Variant('(is)', [42, 'Meaning of life']);
    }
});

Zbus.Interface.type_set_name(Example.$gtype, 'org.myservice.Example');
Zbus.Interface.type_set_method_signature(Example.$gtype, 'MeaningOfLife', 'is',
    ['answer', 'question']);
Zbus.Interface.type_set_signal_signature(Example.$gtype, 'bye', null, ['message']);

const loop = new GLib.MainLoop(null, false);
const connection = Zbus.Connection.session(null);
const server = Zbus.ObjectServer.get_for_connection(connection);
server.at('/org/zbus/path', new Example(loop));
const reply = connection.request_name_sync('org.zbus.MyService',
    Zbus.RequestNameFlags.DO_NOT_QUEUE, null);
if (reply !== Zbus.RequestNameReply.PRIMARY_OWNER)
    throw new Error('Cannot own org.zbus.MyService');
print('Serving org.myservice.Example at /org/zbus/path as org.zbus.MyService');
loop.run();
