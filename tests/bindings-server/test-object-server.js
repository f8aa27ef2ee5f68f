// test-object-server.js: serving a Zbus.Interface subclass written in GJS
//
// Copyright 2026 The zbus-gobject authors
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Run as `dbus-run-session -- gjs -m test-object-server.js` with
// GI_TYPELIB_PATH and LD_LIBRARY_PATH pointing at the build tree. The
// interface is a GObject class declared here; a Zbus connection serves it
// (natively, then adopting a GDBusConnection) and a Gio.DBusConnection
// calls it. Prints TAP.
//
// How the GObject class maps in JS:
// - `Properties` are the D-Bus properties; their setters notify, which
//   queues PropertiesChanged.
// - `Signals` without ACTION are D-Bus signals; with ACTION they are
//   methods, answered by the class handler `on_<name>()` (GJS turns an
//   `on_` method into the signal's class closure; it maps only the first
//   `_` to `-`, so such names have at most two words).
// - A handler fails its call by answering the call it serves with an
//   error: `Zbus.MethodInvocation.get_current().return_gerror(...)` or
//   `.return_dbus_error(...)`; what it returns is then ignored. Throwing
//   does not fail the call: GJS logs the exception as a critical and the
//   signal returns its zero value, which becomes the reply.
// - A method whose first parameter is a Zbus.MethodInvocation is async:
//   the handler keeps the invocation and answers later.

import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Gio from 'gi://Gio';
import Zbus from 'gi://Zbus?version=1.0';

import {
    assertEqual, assertRejectsGError, assertTrue, closeQuietly, gdbusConnect, run, test,
    withTimeout,
} from '../bindings/testlib.js';

Gio._promisify(Gio.DBusConnection.prototype, 'call', 'call_finish');

const IFACE = 'org.zbus.GjsCounter';
const PATH = '/org/zbus/GjsCounter';
const PROPERTIES = 'org.freedesktop.DBus.Properties';
const ERROR_REFUSED = 'org.zbus.GjsCounter.Error.Refused';

const RW = GObject.ParamFlags.READWRITE | GObject.ParamFlags.EXPLICIT_NOTIFY;
const METHOD = GObject.SignalFlags.RUN_LAST | GObject.SignalFlags.ACTION;

const Counter = GObject.registerClass({
    GTypeName: 'GjsTestCounter',
    Properties: {
        'count': GObject.ParamSpec.int('count', null, 'How many times Add ran', RW,
            GLib.MININT32, GLib.MAXINT32, 0),
        'label': GObject.ParamSpec.string('label', null, null, RW, 'start'),
        'serial': GObject.ParamSpec.uint('serial', null, null, GObject.ParamFlags.READABLE,
            0, GLib.MAXUINT32, 0),
    },
    Signals: {
        'reached': {param_types: [GObject.TYPE_INT]},
        'add': {flags: METHOD, param_types: [GObject.TYPE_INT], return_type: GObject.TYPE_INT},
        'describe': {
            flags: METHOD,
            param_types: [GObject.TYPE_STRING, GObject.TYPE_UINT],
            return_type: GObject.TYPE_STRING,
        },
        'fail': {flags: METHOD, param_types: [GObject.TYPE_STRING]},
        'refuse': {flags: METHOD, param_types: [GObject.TYPE_STRING], return_type: GObject.TYPE_INT},
        'add-later': {flags: METHOD, param_types: [Zbus.MethodInvocation.$gtype, GObject.TYPE_INT]},
    },
}, class Counter extends Zbus.Interface {
    constructor(params = {}) {
        super(params);
        this._count = 0;
        this._label = 'start';
    }

    get count() {
        return this._count;
    }

    set count(value) {
        if (this._count === value)
            return;
        this._count = value;
        this.notify('count');
    }

    get label() {
        return this._label;
    }

    set label(value) {
        if (this._label === value)
            return;
        this._label = value;
        this.notify('label');
    }

    get serial() {
        return 7;
    }

    on_add(n) {
        this.count += n;
        if (this.count >= 10)
            this.emit('reached', this.count);
        return this.count;
    }

    on_describe(what, times) {
        return `${what} x${times} (${this.label})`;
    }

    // Fails with a GError in the D-Bus error domain: it reaches the peer
    // as org.freedesktop.DBus.Error.AccessDenied.
    on_fail(why) {
        const invocation = Zbus.MethodInvocation.get_current();
        invocation.return_gerror(new GLib.Error(Gio.DBusError, Gio.DBusError.ACCESS_DENIED,
            `no way: ${why}`));
    }

    // Fails with an error name of the interface's own; the return value
    // is ignored once the call is answered.
    on_refuse(why) {
        Zbus.MethodInvocation.get_current().return_dbus_error(ERROR_REFUSED, `refused: ${why}`);
        return -1;
    }

    on_add_later(invocation, n) {
        GLib.idle_add(GLib.PRIORITY_DEFAULT, () => {
            this.count += n;
            invocation.return_value(new GLib.Variant('(i)', [this.count]));
            return GLib.SOURCE_REMOVE;
        });
    }
});
Zbus.Interface.type_set_name(Counter, IFACE);

const TRANSPORTS = {
    native: () => Zbus.Connection.session(null),
    gdbus: () => Zbus.Connection.new_for_gdbus(gdbusConnect()),
};

// Serves a new Counter on a connection of @transport and connects a
// Gio.DBusConnection client that records every signal from it.
async function serve(transport) {
    const conn = TRANSPORTS[transport]();
    const counter = new Counter();
    const server = Zbus.ObjectServer.get_for_connection(conn);
    server.at(PATH, counter);
    const client = gdbusConnect();
    const fixture = {conn, counter, server, client, signals: [], waiters: []};
    fixture.subscription = client.signal_subscribe(conn.get_unique_name(), null, null, PATH, null,
        Gio.DBusSignalFlags.NONE, (_c, _sender, _path, iface, member, params) => {
            fixture.signals.push([iface, member, params.deepUnpack()]);
            for (const waiter of [...fixture.waiters])
                waiter();
        });
    // One round trip through the daemon: it has the client's AddMatch.
    await call(fixture, 'Describe', new GLib.Variant('(su)', ['sync', 0]), '(s)');
    return fixture;
}

function unserve(fixture) {
    fixture.client.signal_unsubscribe(fixture.subscription);
    closeQuietly(fixture.client);
    closeQuietly(fixture.conn);
}

function call(fixture, method, args, replyType, iface = IFACE) {
    return fixture.client.call(fixture.conn.get_unique_name(), PATH, iface, method, args,
        replyType ? new GLib.VariantType(replyType) : null, Gio.DBusCallFlags.NONE, 5000, null);
}

// Resolves with the first recorded signal [iface, member, args] matching
// @accept, seen already or still to come.
function signalSeen(fixture, what, accept) {
    const find = () => fixture.signals.find(([iface, member, args]) => accept(iface, member, args));
    const promise = new Promise(resolve => {
        const waiter = () => {
            const found = find();
            if (found) {
                fixture.waiters.splice(fixture.waiters.indexOf(waiter), 1);
                resolve(found);
            }
        };
        fixture.waiters.push(waiter);
        waiter();
    });
    return withTimeout(promise, what);
}

function propertiesChanged(fixture, name) {
    return signalSeen(fixture, `PropertiesChanged for ${name}`, (iface, member, args) =>
        iface === PROPERTIES && member === 'PropertiesChanged' && args[0] === IFACE &&
        name in args[1]);
}

test('the class maps to an interface description', async () => {
    assertEqual(Zbus.Interface.type_get_name(Counter), IFACE, 'interface name');
    const xml = Zbus.Interface.type_introspect(Counter);
    for (const part of [
        '<method name="Add">',
        '<method name="Describe">',
        '<method name="AddLater">',
        '<signal name="Reached">',
        '<property name="Count" type="i" access="readwrite">',
        '<property name="Label" type="s" access="readwrite">',
        '<property name="Serial" type="u" access="read">',
        'How many times Add ran',
    ])
        assertTrue(xml.includes(part), `introspection has ${part}`);
    assertEqual(new Counter().get_interface_name(), IFACE, 'instance interface name');
});

for (const transport of Object.keys(TRANSPORTS)) {
    test(`${transport}: methods take arguments and return values`, async () => {
        const fixture = await serve(transport);
        try {
            let reply = await call(fixture, 'Add', new GLib.Variant('(i)', [4]), '(i)');
            assertEqual(reply.deepUnpack()[0], 4, 'Add(4)');
            reply = await call(fixture, 'Describe', new GLib.Variant('(su)', ['apple', 3]), '(s)');
            assertEqual(reply.deepUnpack()[0], 'apple x3 (start)', 'Describe');
            reply = await call(fixture, 'AddLater', new GLib.Variant('(i)', [2]), '(i)');
            assertEqual(reply.deepUnpack()[0], 6, 'async AddLater(2)');
            assertEqual(fixture.counter.count, 6, 'the object ran the handlers');
        } finally {
            unserve(fixture);
        }
    });

    test(`${transport}: properties read, write and announce changes`, async () => {
        const fixture = await serve(transport);
        try {
            let reply = await call(fixture, 'Get', new GLib.Variant('(ss)', [IFACE, 'Serial']),
                '(v)', PROPERTIES);
            assertEqual(reply.deepUnpack()[0].deepUnpack(), 7, 'Get Serial');

            // A remote Set runs the JS setter; its notify goes out.
            await call(fixture, 'Set', new GLib.Variant('(ssv)',
                [IFACE, 'Label', new GLib.Variant('s', 'hi')]), null, PROPERTIES);
            assertEqual(fixture.counter.label, 'hi', 'the setter ran');
            let [, , [, changed, invalidated]] = await propertiesChanged(fixture, 'Label');
            assertEqual(changed.Label.deepUnpack(), 'hi', 'PropertiesChanged Label');
            assertEqual(invalidated.length, 0, 'nothing invalidated');

            // A change made in JS goes out too, and Get reads it back.
            fixture.counter.count = 41;
            [, , [, changed]] = await propertiesChanged(fixture, 'Count');
            assertEqual(changed.Count.deepUnpack(), 41, 'PropertiesChanged Count');
            reply = await call(fixture, 'GetAll', new GLib.Variant('(s)', [IFACE]), '(a{sv})',
                PROPERTIES);
            const all = reply.deepUnpack()[0];
            assertEqual(all.Count.deepUnpack(), 41, 'GetAll Count');
            assertEqual(all.Label.deepUnpack(), 'hi', 'GetAll Label');

            await assertRejectsGError(call(fixture, 'Set', new GLib.Variant('(ssv)',
                [IFACE, 'Serial', new GLib.Variant('u', 1)]), null, PROPERTIES),
            Gio.DBusError, Gio.DBusError.PROPERTY_READ_ONLY, 'Set on a read-only property');
        } finally {
            unserve(fixture);
        }
    });

    test(`${transport}: emitting the GObject signal sends the D-Bus signal`, async () => {
        const fixture = await serve(transport);
        try {
            fixture.counter.emit('reached', 99);
            const [, , args] = await signalSeen(fixture, 'Reached(99)',
                (iface, member) => iface === IFACE && member === 'Reached');
            assertEqual(args[0], 99, 'Reached argument');

            // A method handler emitting it.
            const reply = await call(fixture, 'Add', new GLib.Variant('(i)', [12]), '(i)');
            assertEqual(reply.deepUnpack()[0], 12, 'Add(12)');
            await signalSeen(fixture, 'Reached(12)', (iface, member, a) =>
                iface === IFACE && member === 'Reached' && a[0] === 12);
        } finally {
            unserve(fixture);
        }
    });

    test(`${transport}: a handler fails its call with a GError or an error name`, async () => {
        const fixture = await serve(transport);
        try {
            let failure = null;
            try {
                await call(fixture, 'Fail', new GLib.Variant('(s)', ['because']), null);
            } catch (e) {
                failure = e;
            }
            assertTrue(failure instanceof GLib.Error, 'Fail rejects with a GLib.Error');
            assertTrue(failure.matches(Gio.DBusError, Gio.DBusError.ACCESS_DENIED),
                `AccessDenied, got ${failure.message}`);
            assertTrue(failure.message.includes('no way: because'), 'the message');

            failure = null;
            try {
                await call(fixture, 'Refuse', new GLib.Variant('(s)', ['now']), '(i)');
            } catch (e) {
                failure = e;
            }
            assertTrue(failure instanceof GLib.Error, 'Refuse rejects with a GLib.Error');
            assertEqual(Gio.DBusError.get_remote_error(failure), ERROR_REFUSED, 'the error name');
            assertTrue(failure.message.includes('refused: now'), 'the message');

            await assertRejectsGError(call(fixture, 'Add', new GLib.Variant('(s)', ['x']), null),
                Gio.DBusError, Gio.DBusError.INVALID_ARGS, 'Add with a string');
            await assertRejectsGError(call(fixture, 'NoSuchMethod', null, null),
                Gio.DBusError, Gio.DBusError.UNKNOWN_METHOD, 'an unknown method');

            // The service keeps running.
            const reply = await call(fixture, 'Add', new GLib.Variant('(i)', [1]), '(i)');
            assertEqual(reply.deepUnpack()[0], 1, 'Add after the failures');
        } finally {
            unserve(fixture);
        }
    });
}

await run();
