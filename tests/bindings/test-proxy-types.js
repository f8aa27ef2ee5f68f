// test-proxy-types.js: ZbusProxy types made from interface descriptions,
// through GJS
//
// Copyright 2026 The zbus-gobject authors
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Run as `dbus-run-session -- gjs -m test-proxy-types.js` with
// GI_TYPELIB_PATH and LD_LIBRARY_PATH pointing at the build tree. The
// service is a Zbus.Interface written here, served on a second connection
// of this process, so every proxy is made without blocking. Prints TAP.

import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Gio from 'gi://Gio';
import Zbus from 'gi://Zbus?version=1.0';

import {
    assertEqual, assertTrue, closeQuietly, nextSignal, run, test, withTimeout,
} from './testlib.js';

Gio._promisify(Zbus.Proxy, 'new_for_introspection_async', 'new_for_introspection_finish');

const IFACE = 'org.zbus.GjsProxyTypes';
const PATH = '/org/zbus/lamp';

const Lamp = GObject.registerClass({
    GTypeName: 'GjsProxyTypesLamp',
    Properties: {
        'brightness': GObject.ParamSpec.int('brightness', '', '', GObject.ParamFlags.READWRITE,
            0, 100, 0),
        'colour-name': GObject.ParamSpec.string('colour-name', '', '',
            GObject.ParamFlags.READWRITE, 'white'),
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

    get colourName() {
        return this._colourName ?? 'white';
    }

    set colourName(value) {
        // The service refuses one colour.
        const invocation = Zbus.MethodInvocation.get_current();
        if (value === 'ultraviolet' && invocation) {
            invocation.return_dbus_error('org.zbus.Test.Error.Refused', 'Not that one');
            return;
        }
        this._colourName = value;
        this.notify('colour-name');
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

test('a proxy from introspection reads, binds, sets and receives a signal', async () => {
    const conn = Zbus.Connection.session(null);
    const server = Zbus.Connection.session(null);
    try {
        const lamp = new Lamp();
        lamp.brightness = 40;
        assertTrue(Zbus.ObjectServer.get_for_connection(server).at(PATH, lamp), 'served');

        const proxy = await Zbus.Proxy.new_for_introspection_async(conn,
            server.get_unique_name(), PATH, IFACE, Zbus.ProxyCacheMode.EAGER, null);
        assertTrue(proxy instanceof Zbus.Proxy, 'a Zbus.Proxy');
        assertTrue(GObject.type_name(proxy.constructor.$gtype) !== 'ZbusProxy', 'a subclass');
        assertEqual(proxy.get_interface_info().name, IFACE, 'the description');

        // Real GObject properties, under their JS names.
        assertEqual(proxy.brightness, 40, 'brightness');
        assertEqual(proxy.colour_name, 'white', 'colour_name');
        assertEqual(proxy.colourName, 'white', 'colourName');

        // notify:: and bind_property follow the service.
        const target = new Lamp();
        proxy.bind_property('brightness', target, 'brightness',
            GObject.BindingFlags.SYNC_CREATE);
        assertEqual(target.brightness, 40, 'bound at once');
        const notified = nextSignal(proxy, 'notify::brightness', 'notify::brightness');
        lamp.brightness = 70;
        await notified;
        assertEqual(proxy.brightness, 70, 'brightness after the change');
        assertEqual(target.brightness, 70, 'the binding follows');

        // Setting goes through Set; the value shows at once.
        proxy.brightness = 15;
        assertEqual(proxy.brightness, 15, 'read back');
        assertEqual(target.brightness, 15, 'the binding follows the write');
        await waitUntil(() => lamp.brightness === 15, 'the service to take the value');

        // A refused value comes back, and set-property-failed says why.
        const failed = nextSignal(proxy, 'set-property-failed', 'set-property-failed');
        proxy.colourName = 'ultraviolet';
        assertEqual(proxy.colourName, 'ultraviolet', 'shown at once');
        const [name, error] = await failed;
        assertEqual(name, 'colour-name', 'the failed property');
        assertTrue(error instanceof GLib.Error, 'a GLib.Error');
        assertEqual(Gio.DBusError.get_remote_error(error), 'org.zbus.Test.Error.Refused',
            'the remote error');
        assertEqual(proxy.colourName, 'white', 'rolled back');

        // A signal, with its arguments mapped.
        const switched = nextSignal(proxy, 'switched', 'switched');
        lamp.emit('switched', true, 'motion');
        const [on, why] = await switched;
        assertEqual(on, true, 'first argument');
        assertEqual(why, 'motion', 'second argument');
    } finally {
        closeQuietly(conn);
        closeQuietly(server);
    }
});

await run();
