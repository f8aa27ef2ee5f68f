// test-stream.js: ZbusMessageStream, ZbusMatchRule and ZbusMatchRuleBuilder
// through GJS
//
// Copyright 2026 The zbus-gobject authors
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Run as `dbus-run-session -- gjs -m test-stream.js` with GI_TYPELIB_PATH
// and LD_LIBRARY_PATH pointing at the build tree. Prints TAP; exits
// non-zero when a test fails. Signals come from a plain Gio.DBusConnection.
//
// The message a watch callback or a `message` signal handler gets is only
// borrowed: GJS 1.74 wraps it without taking a reference (the signal's
// parameter is declared G_SIGNAL_TYPE_STATIC_SCOPE, and GJS does not copy
// transfer-none boxed arguments of callbacks), so keeping it past the
// callback is a use after free that crashes gjs. These tests keep
// `new Zbus.Message(message)`, a reference of their own, instead.

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Zbus from 'gi://Zbus?version=1.0';

import {
    assertEqual, assertGError, assertRejectsGError, assertThrowsGError, assertTrue,
    closeQuietly, gdbusCall, gdbusConnect, nextSignal, run, test, withTimeout, zbusCall,
} from './testlib.js';

Gio._promisify(Zbus.MessageStream.prototype, 'next_async', 'next_finish');
Gio._promisify(Zbus.MessageStream, 'new_for_match_rule_async',
    'new_for_match_rule_finish');

const INTERFACE = 'org.zbus.Test.Stream';
const PATH = '/org/zbus/Test/Stream';
const RULE = `type='signal',interface='${INTERFACE}'`;

function emit(emitter, member, n, iface = INTERFACE) {
    emitter.emit_signal(null, PATH, iface, member, new GLib.Variant('(u)', [n]));
}

// Makes sure everything @emitter sent has reached @conn's streams: a round
// trip from the emitter, then one from @conn.
function syncBus(emitter, conn) {
    gdbusCall(emitter, 'GetId');
    zbusCall(conn, 'GetId');
}

function number(message) {
    assertTrue(message !== null, 'a message');
    return message.get_body().deepUnpack()[0];
}

function streamFor(conn, maxQueued = 0, rule = RULE) {
    return Zbus.MessageStream.new_for_match_rule(conn,
        Zbus.MatchRule.new_from_string(rule), maxQueued, null);
}

// Runs @func with a native connection and a GDBus emitter, then closes both.
async function withBus(func) {
    const conn = Zbus.Connection.session(null);
    const emitter = gdbusConnect();
    try {
        await func(conn, emitter);
    } finally {
        closeQuietly(conn);
        closeQuietly(emitter);
    }
}

test('next_async() awaited as a promise receives a signal', () => withBus(async (conn, emitter) => {
    const stream = streamFor(conn);
    const next = stream.next_async(null);
    emit(emitter, 'Tick', 42);
    const message = await withTimeout(next, 'next_async');
    assertTrue(message instanceof Zbus.Message, 'a Zbus.Message');
    assertEqual(message.get_message_type(), Zbus.MessageType.SIGNAL, 'type');
    assertEqual(message.get_interface(), INTERFACE, 'interface');
    assertEqual(message.get_member(), 'Tick', 'member');
    assertEqual(message.get_path(), PATH, 'path');
    assertEqual(message.get_sender(), emitter.get_unique_name(), 'sender');
    assertEqual(number(message), 42, 'argument');

    // One after the other, in order; an unrelated signal is not in it.
    emit(emitter, 'Tick', 0, 'org.zbus.Test.Unrelated');
    for (let n = 1; n <= 3; n++)
        emit(emitter, 'Tock', n);
    for (let n = 1; n <= 3; n++) {
        // eslint-disable-next-line no-await-in-loop
        assertEqual(number(await withTimeout(stream.next_async(null), 'next_async')), n,
            `signal ${n}`);
    }
}));

test('new_for_match_rule_async() awaited', () => withBus(async (conn, emitter) => {
    const stream = await withTimeout(Zbus.MessageStream.new_for_match_rule_async(conn,
        Zbus.MatchRule.new_from_string(RULE), 4, null), 'the stream');
    assertTrue(stream instanceof Zbus.MessageStream, 'a Zbus.MessageStream');
    assertEqual(stream.get_max_queued(), 4, 'max-queued');
    assertEqual(stream.get_match_rule().to_string(), RULE, 'match rule');
    assertEqual(stream.get_connection(), conn, 'connection');
    emit(emitter, 'Tick', 5);
    assertEqual(number(await withTimeout(stream.next_async(null), 'next_async')), 5,
        'argument');
}));

test('add_watch() dispatches on the main loop', () => withBus(async (conn, emitter) => {
    const stream = streamFor(conn);
    const received = [];
    await withTimeout(new Promise(resolve => {
        stream.add_watch(null, (source, message) => {
            assertEqual(source, stream, 'the stream');
            received.push(new Zbus.Message(message));
            if (received.length < 3)
                return GLib.SOURCE_CONTINUE;
            resolve();
            return GLib.SOURCE_REMOVE;
        });
        for (let n = 0; n < 3; n++)
            emit(emitter, 'Tick', n);
    }), 'three signals through the watch');
    assertEqual(JSON.stringify(received.map(number)), '[0,1,2]', 'messages');
    for (const message of received)
        assertEqual(message.get_member(), 'Tick', 'member');

    // The watch is gone: the next one waits in the queue.
    emit(emitter, 'Tick', 3);
    syncBus(emitter, conn);
    assertEqual(stream.get_queued(), 1, 'queued');
    assertEqual(number(stream.try_pop()), 3, 'popped');
}));

test('emit-signals and the message signal', () => withBus(async (conn, emitter) => {
    const stream = streamFor(conn);
    const numbers = [];
    let handlerId = 0;
    const received = new Promise(resolve => {
        handlerId = stream.connect('message', (source, message) => {
            numbers.push(number(message));
            if (numbers.length === 2)
                resolve(new Zbus.Message(message));
        });
    });
    stream.emit_signals = true;
    assertEqual(stream.get_emit_signals(), true, 'get_emit_signals()');
    emit(emitter, 'Tick', 7);
    emit(emitter, 'Tock', 8);
    const last = await withTimeout(received, 'two message signals');
    stream.disconnect(handlerId);
    assertEqual(JSON.stringify(numbers), '[7,8]', 'arguments');
    assertEqual(last.get_member(), 'Tock', 'the kept message');

    stream.set_emit_signals(false);
    emit(emitter, 'Tick', 9);
    syncBus(emitter, conn);
    assertEqual(number(stream.try_pop()), 9, 'queued again');
}));

test('try_pop() and timed_pop()', () => withBus(async (conn, emitter) => {
    const stream = streamFor(conn);
    assertEqual(stream.try_pop(), null, 'empty');
    const start = GLib.get_monotonic_time();
    assertThrowsGError(() => stream.timed_pop(100 * 1000, null),
        Gio.IOErrorEnum, Gio.IOErrorEnum.TIMED_OUT, 'timed_pop on an empty stream');
    assertTrue(GLib.get_monotonic_time() - start >= 90 * 1000, 'waited');

    emit(emitter, 'Tick', 1);
    assertEqual(number(stream.timed_pop(10 * 1000 * 1000, null)), 1, 'timed_pop');
}));

test('a full stream drops its oldest and counts them', () => withBus(async (conn, emitter) => {
    const stream = streamFor(conn, 3);
    const notified = nextSignal(stream, 'notify::dropped', 'notify::dropped');
    for (let n = 0; n < 10; n++)
        emit(emitter, 'Flood', n);
    syncBus(emitter, conn);

    assertEqual(stream.get_queued(), 3, 'queued');
    assertEqual(stream.get_dropped(), 7, 'get_dropped()');
    assertEqual(stream.dropped, 7, 'dropped property');
    const kept = [stream.try_pop(), stream.try_pop(), stream.try_pop()].map(number);
    assertEqual(JSON.stringify(kept), '[7,8,9]', 'the newest remain');
    await notified;
}));

test('MatchRuleBuilder: chained setters, build(), matches()', async () => {
    const rule = Zbus.MatchRuleBuilder.new()
        .set_message_type(Zbus.MessageType.SIGNAL)
        .set_interface(INTERFACE)
        .set_member('Tick')
        .set_path(PATH)
        .set_arg(0, 'hello')
        .build();
    assertEqual(rule.to_string(),
        `type='signal',interface='${INTERFACE}',member='Tick',path='${PATH}',arg0='hello'`,
        'to_string()');
    assertTrue(rule.equal(Zbus.MatchRule.new_from_string(rule.to_string())), 'round trip');
    assertEqual(rule.get_arg(0), 'hello', 'arg0');
    assertEqual(rule.get_arg(1), null, 'arg1');

    const signal = (member, arg) => {
        const msg = Zbus.Message.new_signal(PATH, INTERFACE, member);
        msg.set_body(new GLib.Variant('(s)', [arg]));
        return msg;
    };
    assertTrue(rule.matches(signal('Tick', 'hello')), 'matches');
    assertTrue(!rule.matches(signal('Tock', 'hello')), 'another member');
    assertTrue(!rule.matches(signal('Tick', 'bye')), 'another arg0');

    assertThrowsGError(() => Zbus.MatchRule.new_from_string("type='bogus'"),
        Gio.DBusError, Gio.DBusError.MATCH_RULE_INVALID, 'a bad rule');
    assertThrowsGError(() => Zbus.MatchRuleBuilder.new().set_arg(64, 'x').build(),
        Gio.DBusError, Gio.DBusError.MATCH_RULE_INVALID, 'arg64');
});

test('a closed stream ends: next_async() rejects with CLOSED', () => withBus(async (conn, emitter) => {
    const stream = streamFor(conn);
    const pending = stream.next_async(null);
    stream.close();
    await assertRejectsGError(withTimeout(pending, 'the pending next_async'),
        Gio.IOErrorEnum, Gio.IOErrorEnum.CLOSED, 'pending next_async');
    await assertRejectsGError(withTimeout(stream.next_async(null), 'next_async'),
        Gio.IOErrorEnum, Gio.IOErrorEnum.CLOSED, 'next_async after close');
    assertEqual(stream.is_closed(), true, 'is-closed');
}));

test('closing the connection ends its streams', async () => {
    const conn = Zbus.Connection.session(null);
    const stream = streamFor(conn);
    const pending = stream.next_async(null);
    conn.close_sync(null);
    try {
        await withTimeout(pending, 'the pending next_async');
        throw new Error('next_async did not fail');
    } catch (e) {
        assertGError(e, Gio.IOErrorEnum, Gio.IOErrorEnum.CLOSED, 'pending next_async');
    }
    assertEqual(stream.is_closed(), true, 'is-closed');
});

await run();
