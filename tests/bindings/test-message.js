// test-message.js: ZbusMessage through GJS
//
// Copyright 2026 The zbus-gobject authors
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Run as `gjs -m test-message.js` with GI_TYPELIB_PATH and LD_LIBRARY_PATH
// pointing at the build tree. Prints TAP; exits non-zero when a test fails.

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Zbus from 'gi://Zbus?version=1.0';
import System from 'system';

const BODY_TYPE = '(suas)';
const BODY_VALUE = ['hello, world', 42, ['one', 'two']];

const tests = [];
function test(name, func) {
    tests.push([name, func]);
}

function assertEqual(actual, expected, what) {
    if (actual !== expected)
        throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

function assertTrue(value, what) {
    if (!value)
        throw new Error(`${what}: not true`);
}

function assertThrowsZbusError(func, code, what) {
    try {
        func();
    } catch (e) {
        if (!(e instanceof GLib.Error))
            throw new Error(`${what}: threw ${e}, not a GLib.Error`);
        if (!e.matches(Zbus.error_quark(), code))
            throw new Error(`${what}: expected Zbus error ${code}, got ${GLib.quark_to_string(e.domain)} ${e.code}: ${e.message}`);
        return;
    }
    throw new Error(`${what}: did not throw`);
}

function makeCall(byteOrder) {
    const msg = Zbus.Message.new_method_call('org.zbus.Test', '/org/zbus/Test',
        'org.zbus.Test', 'Frobnicate');
    msg.set_byte_order(byteOrder);
    msg.set_body(new GLib.Variant(BODY_TYPE, BODY_VALUE));
    msg.set_serial(7);
    return msg;
}

function checkCall(msg) {
    assertEqual(msg.get_message_type(), Zbus.MessageType.METHOD_CALL, 'type');
    assertEqual(msg.get_serial(), 7, 'serial');
    assertEqual(msg.get_destination(), 'org.zbus.Test', 'destination');
    assertEqual(msg.get_path(), '/org/zbus/Test', 'path');
    assertEqual(msg.get_interface(), 'org.zbus.Test', 'interface');
    assertEqual(msg.get_member(), 'Frobnicate', 'member');
    assertEqual(msg.get_signature(), 'suas', 'signature');
    const body = msg.get_body();
    assertTrue(body.equal(new GLib.Variant(BODY_TYPE, BODY_VALUE)), 'body equal');
    assertEqual(JSON.stringify(body.deepUnpack()), JSON.stringify(BODY_VALUE), 'body value');
}

for (const [name, byteOrder, marker] of [
    ['little-endian', Zbus.ByteOrder.LITTLE_ENDIAN, 'l'],
    ['big-endian', Zbus.ByteOrder.BIG_ENDIAN, 'B'],
]) {
    test(`round trip, ${name}`, () => {
        const bytes = makeCall(byteOrder).to_bytes();
        const raw = bytes.toArray();
        assertEqual(String.fromCharCode(raw[0]), marker, 'byte order marker');
        assertEqual(raw[1], Zbus.MessageType.METHOD_CALL, 'wire type');

        const decoded = Zbus.Message.new_from_bytes(bytes, null);
        assertEqual(decoded.get_byte_order(), byteOrder, 'byte order');
        checkCall(decoded);
    });

    test(`Gio.DBusMessage conversion, ${name}`, () => {
        const gmsg = makeCall(byteOrder).to_gdbus();
        assertTrue(gmsg instanceof Gio.DBusMessage, 'is a Gio.DBusMessage');
        assertEqual(gmsg.get_member(), 'Frobnicate', 'GDBus member');
        assertEqual(gmsg.get_serial(), 7, 'GDBus serial');
        checkCall(Zbus.Message.new_from_gdbus(gmsg));
    });
}

test('bad object path is a Zbus.Error.INVALID_NAME', () => {
    assertThrowsZbusError(
        () => Zbus.Message.new_method_call('org.zbus.Test', 'not/a/path', null, 'Frobnicate'),
        Zbus.Error.INVALID_NAME, 'new_method_call');
});

test('a method call without a path is a Zbus.Error.INVALID_MESSAGE', () => {
    // A well-formed little-endian header (serial 1, empty body) without the
    // required PATH and MEMBER fields.
    const header = new Uint8Array(16);
    header.set([0x6c, 1, 0, 1]);
    header[8] = 1;
    assertThrowsZbusError(
        () => Zbus.Message.new_from_bytes(new GLib.Bytes(header), null),
        Zbus.Error.INVALID_MESSAGE, 'new_from_bytes');
});

print('TAP version 13');
print(`1..${tests.length}`);
let failed = 0;
tests.forEach(([name, func], i) => {
    try {
        func();
        print(`ok ${i + 1} - ${name}`);
    } catch (e) {
        failed++;
        print(`not ok ${i + 1} - ${name}`);
        for (const line of `${e}\n${e.stack ?? ''}`.trimEnd().split('\n'))
            print(`# ${line}`);
    }
});
print(`# ${tests.length - failed} passed, ${failed} failed`);
System.exit(failed ? 1 : 0);
