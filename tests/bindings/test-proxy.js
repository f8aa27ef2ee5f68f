// test-proxy.js: ZbusProxy through GJS, against python-dbusmock
//
// Copyright 2026 The zbus-gobject authors
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Run as `dbus-run-session -- gjs -m test-proxy.js` with GI_TYPELIB_PATH
// and LD_LIBRARY_PATH pointing at the build tree. The service is
// python-dbusmock with tests/proxy-mock-template.py. Prints TAP.

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Zbus from 'gi://Zbus?version=1.0';

import {
    assertEqual, assertTrue, closeQuietly, nextSignal, run, test, withTimeout, zbusCall,
} from './testlib.js';

Gio._promisify(Zbus.Proxy, 'new_async', 'new_finish');
Gio._promisify(Zbus.Proxy.prototype, 'call_async', 'call_finish');
Gio._promisify(Zbus.Proxy.prototype, 'set_dbus_property_async', 'set_dbus_property_finish');

const MOCK_NAME = 'org.zbus.ProxyMock';
const MOCK_PATH = '/org/zbus/ProxyMock';
const MOCK_IFACE = 'org.zbus.ProxyMock';
const MOCK_CONTROL = 'org.freedesktop.DBus.Mock';

const here = GLib.path_get_dirname(GLib.filename_from_uri(import.meta.url)[0]);
const template = GLib.build_filenamev([here, '..', 'proxy-mock-template.py']);

function sleep(msec) {
    return new Promise(resolve => GLib.timeout_add(GLib.PRIORITY_DEFAULT, msec, () => {
        resolve();
        return GLib.SOURCE_REMOVE;
    }));
}

async function startMock(conn) {
    const proc = Gio.Subprocess.new(['/usr/bin/python3', '-m', 'dbusmock', '--session',
        '-t', template, '-p', '{"count": 1}'], Gio.SubprocessFlags.STDOUT_SILENCE);
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

test('a proxy reads, calls, sets and receives a signal', async () => {
    const conn = Zbus.Connection.session(null);
    const mock = await startMock(conn);
    try {
        const proxy = await Zbus.Proxy.new_async(conn, MOCK_NAME, MOCK_PATH, MOCK_IFACE,
            Zbus.ProxyCacheMode.EAGER, null);
        assertTrue(proxy instanceof Zbus.Proxy, 'a Zbus.Proxy');
        assertTrue(Gio.dbus_is_unique_name(proxy.name_owner), 'name-owner');
        assertEqual(proxy.get_cached_property('Count').deepUnpack(), 1, 'cached Count');
        assertEqual(proxy.get_dbus_property('Name', null).deepUnpack(), 'mock', 'Name');

        control(conn, 'AddMethod', new GLib.Variant('(sssss)',
            [MOCK_IFACE, 'Sum', 'ii', 'i', 'ret = args[0] + args[1]']));
        const reply = await proxy.call_async('Sum', new GLib.Variant('(ii)', [2, 40]),
            new GLib.VariantType('(i)'), Zbus.MessageFlags.NONE, Zbus.TIMEOUT_DEFAULT, null);
        assertEqual(reply.deepUnpack()[0], 42, 'Sum');

        const changed = nextSignal(proxy, 'properties-changed', 'properties-changed');
        await proxy.set_dbus_property_async('Count', new GLib.Variant('i', 5), null);
        const [dict, invalidated] = await changed;
        assertEqual(dict.deepUnpack().Count.deepUnpack(), 5, 'changed Count');
        assertEqual(invalidated.length, 0, 'nothing invalidated');
        assertEqual(proxy.get_cached_property('Count').deepUnpack(), 5, 'cache follows');

        let failed = null;
        try {
            await proxy.set_dbus_property_async('NoSuchProperty', new GLib.Variant('i', 1), null);
        } catch (e) {
            failed = e;
        }
        assertTrue(failed instanceof GLib.Error, 'a failing Set rejects');
        assertEqual(Gio.DBusError.get_remote_error(failed), `${MOCK_IFACE}.UnknownProperty`,
            'the remote error');

        const ping = nextSignal(proxy, 'dbus-signal::Ping', 'dbus-signal::Ping');
        control(conn, 'EmitSignal', new GLib.Variant('(sssav)',
            [MOCK_IFACE, 'Ping', 's', [new GLib.Variant('s', 'hello')]]));
        const [sender, name, params] = await ping;
        assertEqual(sender, proxy.name_owner, 'sender');
        assertEqual(name, 'Ping', 'signal name');
        assertEqual(params.deepUnpack()[0], 'hello', 'argument');
    } finally {
        mock.force_exit();
        closeQuietly(conn);
    }
});

await run();
