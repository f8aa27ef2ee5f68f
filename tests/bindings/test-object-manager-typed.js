// test-object-manager-typed.js: Zbus.ObjectManagerClient with typed
// proxies, through GJS
//
// Copyright 2026 The zbus-gobject authors
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Run as `dbus-run-session -- gjs -m test-object-manager-typed.js` with
// GI_TYPELIB_PATH and LD_LIBRARY_PATH pointing at the build tree. The
// service is a Zbus.Interface written here, served under an object manager
// on a second connection of this process. Prints TAP.

import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Gio from 'gi://Gio';
import Zbus from 'gi://Zbus?version=1.0';

import {
    assertEqual, assertTrue, closeQuietly, nextSignal, run, test, withTimeout,
} from './testlib.js';

Gio._promisify(Zbus.ObjectManagerClient.prototype, 'init_async', 'init_finish');

const IFACE = 'org.zbus.GjsOmTyped.Lamp';
const MANAGER_PATH = '/org/zbus/lamps';

const Lamp = GObject.registerClass({
    GTypeName: 'GjsOmTypedLamp',
    Properties: {
        'brightness': GObject.ParamSpec.int('brightness', '', '', GObject.ParamFlags.READWRITE,
            0, 100, 0),
    },
    Signals: {
        'switched': {param_types: [GObject.TYPE_BOOLEAN, GObject.TYPE_STRING]},
    },
}, class Lamp extends Zbus.Interface {
    get brightness() {
        return this._brightness ?? 0;
    }

    set brightness(value) {
        this._brightness = value;
        this.notify('brightness');
    }
});
Zbus.Interface.type_set_name(Lamp.$gtype, IFACE);

function waitUntil(predicate, what) {
    return withTimeout(new Promise(resolve => {
        GLib.timeout_add(GLib.PRIORITY_DEFAULT, 10, () => {
            if (!predicate())
                return GLib.SOURCE_CONTINUE;
            resolve();
            return GLib.SOURCE_REMOVE;
        });
    }), what);
}

test('typed proxies of the objects under a manager: values, notify, binding, signals', async () => {
    const conn = Zbus.Connection.session(null);
    const service = Zbus.Connection.session(null);
    try {
        const server = Zbus.ObjectServer.get_for_connection(service);
        assertTrue(server.add_object_manager(MANAGER_PATH), 'manager added');
        const lamp = new Lamp();
        lamp.brightness = 30;
        assertTrue(server.at(`${MANAGER_PATH}/a`, lamp), 'served');

        // Constructed, given the type, then initialized.
        const manager = new Zbus.ObjectManagerClient({
            connection: conn, name: service.get_unique_name(), object_path: MANAGER_PATH,
        });
        assertTrue(manager.add_interface_type(Lamp.$gtype), 'type added');
        await withTimeout(manager.init_async(GLib.PRIORITY_DEFAULT, null), 'init');
        assertEqual(manager.get_n_items(), 1, 'one object');

        const proxy = manager.get_interface(`${MANAGER_PATH}/a`, IFACE);
        assertTrue(proxy instanceof Zbus.Proxy, 'a Zbus.Proxy');
        assertEqual(GObject.type_name(proxy.constructor.$gtype),
            GObject.type_name(Zbus.Proxy.type_for_interface_type(Lamp.$gtype)), 'its type');
        assertEqual(proxy.brightness, 30, 'the value from GetManagedObjects');

        const target = new Lamp();
        proxy.bind_property('brightness', target, 'brightness', GObject.BindingFlags.SYNC_CREATE);
        assertEqual(target.brightness, 30, 'bound at once');
        const notified = nextSignal(proxy, 'notify::brightness', 'notify::brightness');
        lamp.brightness = 80;
        await notified;
        assertEqual(proxy.brightness, 80, 'after the change');
        assertEqual(target.brightness, 80, 'the binding follows');

        const switched = nextSignal(proxy, 'switched', 'switched');
        lamp.emit('switched', true, 'motion');
        const [on, why] = await switched;
        assertEqual(on, true, 'first argument');
        assertEqual(why, 'motion', 'second argument');

        // New objects come typed; removed ones go.
        const b = new Lamp();
        b.brightness = 5;
        assertTrue(server.at(`${MANAGER_PATH}/b`, b), 'served b');
        await waitUntil(() => manager.get_n_items() === 2, 'the new object');
        assertEqual(manager.get_interface(`${MANAGER_PATH}/b`, IFACE).brightness, 5, 'b');
        assertTrue(server.remove(`${MANAGER_PATH}/a`, Lamp.$gtype), 'removed');
        await waitUntil(() => manager.get_n_items() === 1, 'the object to leave');
        assertEqual(manager.get_object(`${MANAGER_PATH}/a`), null, 'a is gone');
    } finally {
        closeQuietly(conn);
        closeQuietly(service);
    }
});

await run();
