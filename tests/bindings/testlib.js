// testlib.js: a small TAP harness for the GJS tests that need a bus
//
// Copyright 2026 The zbus-gobject authors
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Tests are async functions run one after the other; each await inside
// them runs the default main context, as `gjs -m` does for a module's
// top-level await. Prints TAP; the process exits non-zero when a test
// fails.

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Zbus from 'gi://Zbus?version=1.0';
import System from 'system';

export const DBUS_NAME = 'org.freedesktop.DBus';
export const DBUS_PATH = '/org/freedesktop/DBus';
export const DBUS_INTERFACE = 'org.freedesktop.DBus';

// How long anything a test waits for may take before the test fails.
export const WAIT_MSEC = 10000;

const tests = [];

// Thrown by a test to report itself skipped (TAP `# SKIP`), with the reason.
export class Skip extends Error {}

export function test(name, func) {
    tests.push([name, func]);
}

export function assertEqual(actual, expected, what) {
    if (actual !== expected)
        throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

export function assertTrue(value, what) {
    if (!value)
        throw new Error(`${what}: not true`);
}

function describeError(e) {
    if (e instanceof GLib.Error)
        return `${GLib.quark_to_string(e.domain)} ${e.code}: ${e.message}`;
    return String(e);
}

// Checks that @e is a GLib.Error of @domain (a quark or an error enum
// such as Gio.IOErrorEnum) with @code.
export function assertGError(e, domain, code, what) {
    if (!(e instanceof GLib.Error))
        throw new Error(`${what}: expected a GLib.Error, got ${describeError(e)}`);
    if (!e.matches(domain, code))
        throw new Error(`${what}: expected error code ${code}, got ${describeError(e)}`);
}

export function assertThrowsGError(func, domain, code, what) {
    try {
        func();
    } catch (e) {
        assertGError(e, domain, code, what);
        return;
    }
    throw new Error(`${what}: did not throw`);
}

export async function assertRejectsGError(promise, domain, code, what) {
    try {
        await promise;
    } catch (e) {
        assertGError(e, domain, code, what);
        return;
    }
    throw new Error(`${what}: did not fail`);
}

// Rejects if @promise has not settled after @msec.
export function withTimeout(promise, what, msec = WAIT_MSEC) {
    let id = 0;
    const timeout = new Promise((resolve, reject) => {
        id = GLib.timeout_add(GLib.PRIORITY_DEFAULT, msec, () => {
            id = 0;
            reject(new Error(`timed out after ${msec} ms waiting for ${what}`));
            return GLib.SOURCE_REMOVE;
        });
    });
    return Promise.race([promise, timeout]).finally(() => {
        if (id !== 0)
            GLib.source_remove(id);
    });
}

// Resolves with the arguments (after the emitter) of the next emission of
// @signal on @obj for which @accept returns true.
export function nextSignal(obj, signal, what, accept = () => true) {
    let handlerId = 0;
    const promise = new Promise(resolve => {
        handlerId = obj.connect(signal, (_obj, ...args) => {
            if (accept(...args))
                resolve(args);
        });
    });
    return withTimeout(promise, what).finally(() => obj.disconnect(handlerId));
}

// Lets whatever is ready on the default main context run.
export function idle() {
    return new Promise(resolve => {
        GLib.idle_add(GLib.PRIORITY_LOW, () => {
            resolve();
            return GLib.SOURCE_REMOVE;
        });
    });
}

export function sessionBusAddress() {
    const address = GLib.getenv('DBUS_SESSION_BUS_ADDRESS');
    if (!address || address === 'disabled:') {
        print('Bail out! No session bus: run this test under `dbus-run-session --`');
        System.exit(1);
    }
    return address;
}

export function gdbusConnect() {
    return Gio.DBusConnection.new_for_address_sync(sessionBusAddress(),
        Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
        Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION,
        null, null);
}

export function gdbusCall(connection, method, args = null, replyType = null) {
    return connection.call_sync(DBUS_NAME, DBUS_PATH, DBUS_INTERFACE, method, args,
        replyType ? new GLib.VariantType(replyType) : null,
        Gio.DBusCallFlags.NONE, -1, null).deepUnpack();
}

export function zbusCall(connection, method, args = null, replyType = null) {
    return connection.call_sync(DBUS_NAME, DBUS_PATH, DBUS_INTERFACE, method, args,
        replyType ? new GLib.VariantType(replyType) : null,
        Zbus.MessageFlags.NONE, Zbus.TIMEOUT_DEFAULT, null);
}

// Closes a Zbus.Connection or a Gio.DBusConnection, closed already or not.
export function closeQuietly(connection) {
    try {
        connection.close_sync(null);
    } catch (e) {
        if (!(e instanceof GLib.Error) || !e.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.CLOSED))
            throw e;
    }
}

export async function run() {
    sessionBusAddress();
    print('TAP version 13');
    print(`1..${tests.length}`);
    let failed = 0, skipped = 0;
    for (const [i, [name, func]] of tests.entries()) {
        try {
            // eslint-disable-next-line no-await-in-loop
            await withTimeout(func(), `the test to finish`, 3 * WAIT_MSEC);
            print(`ok ${i + 1} - ${name}`);
        } catch (e) {
            if (e instanceof Skip) {
                print(`ok ${i + 1} - ${name} # SKIP ${e.message}`);
                skipped++;
                continue;
            }
            failed++;
            print(`not ok ${i + 1} - ${name}`);
            for (const line of `${describeError(e)}\n${e.stack ?? ''}`.trimEnd().split('\n'))
                print(`# ${line}`);
        }
    }
    print(`# ${tests.length - failed - skipped} passed, ${skipped} skipped, ${failed} failed`);
    System.exit(failed ? 1 : 0);
}
