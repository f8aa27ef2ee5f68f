// test-object-manager-client.js: ZbusObjectManagerClient and ZbusBusProxy
// through GJS, against python-dbusmock acting as an object manager
//
// Copyright 2026 The zbus-gobject authors
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Run as `dbus-run-session -- gjs -m test-object-manager-client.js` with
// GI_TYPELIB_PATH and LD_LIBRARY_PATH pointing at the build tree. Prints
// TAP.

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Zbus from 'gi://Zbus?version=1.0';

import {
    assertEqual, assertTrue, closeQuietly, nextSignal, run, test, withTimeout, zbusCall,
} from './testlib.js';

Gio._promisify(Zbus.ObjectManagerClient, 'new_async', 'new_finish');
Gio._promisify(Zbus.BusProxy.prototype, 'list_names_async', 'list_names_finish');

const MOCK_NAME = 'org.zbus.ManagerMock';
const MOCK_PATH = '/org/zbus/ManagerMock';
const MOCK_IFACE = 'org.zbus.ManagerMock';
const MOCK_CONTROL = 'org.freedesktop.DBus.Mock';
const THING_IFACE = 'org.zbus.Thing';

function sleep(msec) {
    return new Promise(resolve => GLib.timeout_add(GLib.PRIORITY_DEFAULT, msec, () => {
        resolve();
        return GLib.SOURCE_REMOVE;
    }));
}

async function startMock(conn) {
    const proc = Gio.Subprocess.new(['/usr/bin/python3', '-m', 'dbusmock', '--session', '-m',
        MOCK_NAME, MOCK_PATH, MOCK_IFACE], Gio.SubprocessFlags.STDOUT_SILENCE);
    const started = async () => {
        while (!zbusCall(conn, 'NameHasOwner', new GLib.Variant('(s)', [MOCK_NAME]), '(b)')
            .deepUnpack()[0])
            await sleep(20);
    };
    await withTimeout(started(), 'dbusmock to start');
    return proc;
}

function control(conn, method, args) {
    return conn.call_sync(MOCK_NAME, MOCK_PATH, MOCK_CONTROL, method, args, null,
        Zbus.MessageFlags.NONE, Zbus.TIMEOUT_DEFAULT, null);
}

// dbusmock leaves InterfacesAdded to its user.
function addThing(conn, name, count) {
    const path = `${MOCK_PATH}/${name}`;
    const props = {Count: new GLib.Variant('i', count)};
    control(conn, 'AddObject', new GLib.Variant('(ssa{sv}a(ssss))', [path, THING_IFACE, props, []]));
    control(conn, 'EmitSignal', new GLib.Variant('(sssav)', [
        'org.freedesktop.DBus.ObjectManager', 'InterfacesAdded', 'oa{sa{sv}}', [
            new GLib.Variant('o', path),
            new GLib.Variant('a{sa{sv}}', {[THING_IFACE]: props}),
        ]]));
}

test('the model of a manager is iterated and sees an object added', async () => {
    const conn = Zbus.Connection.session(null);
    const mock = await startMock(conn);
    try {
        addThing(conn, 'one', 1);
        const manager = await Zbus.ObjectManagerClient.new_async(conn, MOCK_NAME, MOCK_PATH,
            Zbus.ObjectManagerClientFlags.NONE, null);
        assertTrue(manager instanceof Gio.ListModel, 'a Gio.ListModel');
        assertEqual(manager.get_n_items(), 1, 'one object');

        const paths = [];
        for (let i = 0; i < manager.get_n_items(); i++)
            paths.push(manager.get_item(i).get_object_path());
        assertEqual(paths.join(','), `${MOCK_PATH}/one`, 'iterated');

        const object = manager.get_item(0);
        assertTrue(object instanceof Zbus.RemoteObject, 'a Zbus.RemoteObject');
        const proxy = object.get_interface(THING_IFACE);
        assertTrue(proxy instanceof Zbus.Proxy, 'a Zbus.Proxy');
        assertEqual(proxy.get_cached_property('Count').deepUnpack(), 1, 'seeded Count');

        const changed = nextSignal(manager, 'items-changed', 'items-changed');
        addThing(conn, 'two', 2);
        const [position, removed, added] = await changed;
        assertEqual([position, removed, added].join(','), '1,0,1', 'items-changed');
        assertEqual(manager.get_item(1).get_object_path(), `${MOCK_PATH}/two`, 'the new object');
        assertEqual(manager.get_interface(`${MOCK_PATH}/two`, THING_IFACE)
            .get_cached_property('Count').deepUnpack(), 2, 'its Count');
    } finally {
        mock.force_exit();
        closeQuietly(conn);
    }
});

test('the bus proxy lists names and tells of new owners', async () => {
    const conn = Zbus.Connection.session(null);
    const other = Zbus.Connection.session(null);
    try {
        const bus = Zbus.BusProxy.new(conn, null);
        const names = await bus.list_names_async(null);
        assertTrue(names.includes(conn.get_unique_name()), 'our name is listed');
        assertEqual(bus.get_name_owner('org.freedesktop.DBus', null), 'org.freedesktop.DBus',
            'GetNameOwner');
        assertTrue(bus.ping(null), 'Ping');

        const changed = nextSignal(bus, 'name-owner-changed', 'name-owner-changed',
            name => name === 'org.zbus.Gjs.Someone');
        other.request_name_sync('org.zbus.Gjs.Someone', Zbus.RequestNameFlags.NONE, null);
        const [, oldOwner, newOwner] = await changed;
        assertEqual(oldOwner, null, 'no old owner');
        assertEqual(newOwner, other.get_unique_name(), 'the new owner');
    } finally {
        closeQuietly(other);
        closeQuietly(conn);
    }
});

await run();
