// test-connection.js: ZbusConnection and ZbusConnectionBuilder through GJS
//
// Copyright 2026 The zbus-gobject authors
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Run as `dbus-run-session -- gjs -m test-connection.js` with
// GI_TYPELIB_PATH and LD_LIBRARY_PATH pointing at the build tree. Prints
// TAP; exits non-zero when a test fails.
//

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Zbus from 'gi://Zbus?version=1.0';

import {
    DBUS_INTERFACE, DBUS_NAME, DBUS_PATH, Skip, assertEqual, assertGError,
    assertRejectsGError, assertThrowsGError, assertTrue, closeQuietly, gdbusCall,
    gdbusConnect, idle, nextSignal, run, test, withTimeout, zbusCall,
} from './testlib.js';

Gio._promisify(Zbus.Connection, 'session_async', 'session_finish');
Gio._promisify(Zbus.Connection.prototype, 'call', 'call_finish');
Gio._promisify(Zbus.Connection.prototype, 'send_message_with_reply',
    'send_message_with_reply_finish');
Gio._promisify(Zbus.Connection.prototype, 'request_name', 'request_name_finish');
Gio._promisify(Zbus.Connection.prototype, 'release_name', 'release_name_finish');
Gio._promisify(Zbus.Connection.prototype, 'close', 'close_finish');
Gio._promisify(Zbus.ConnectionBuilder.prototype, 'build_async', 'build_finish');
Gio._promisify(Gio.SocketListener.prototype, 'accept_async', 'accept_finish');

function getId(conn) {
    return conn.call(DBUS_NAME, DBUS_PATH, DBUS_INTERFACE, 'GetId', null,
        new GLib.VariantType('(s)'), Zbus.MessageFlags.NONE, Zbus.TIMEOUT_DEFAULT, null);
}

function nameOwner(gdbus, name) {
    return gdbusCall(gdbus, 'GetNameOwner', new GLib.Variant('(s)', [name]), '(s)')[0];
}

test('session() connects with a unique name', async () => {
    const conn = Zbus.Connection.session(null);
    try {
        const name = conn.get_unique_name();
        assertTrue(Gio.dbus_is_unique_name(name), `${name} is a unique name`);
        assertEqual(conn.unique_name, name, 'unique-name property');
        assertEqual(conn.is_bus(), true, 'is-bus');
        assertEqual(conn.is_closed(), false, 'is-closed');
        assertTrue(Gio.dbus_is_guid(conn.get_guid()), 'GUID');
        assertEqual(conn.get_gdbus_connection(), null, 'no GDBus connection');
        assertEqual(conn.get_method_timeout(), 25000, 'default timeout');
    } finally {
        closeQuietly(conn);
    }
});

test('session_async() as a promise', async () => {
    const conn = await Zbus.Connection.session_async(null);
    try {
        assertTrue(conn instanceof Zbus.Connection, 'a Zbus.Connection');
        assertTrue(Gio.dbus_is_unique_name(conn.unique_name), 'unique name');
    } finally {
        closeQuietly(conn);
    }
});

test('call_sync GetId equals what GDBus gets', async () => {
    const conn = Zbus.Connection.session(null);
    const gdbus = gdbusConnect();
    try {
        const reply = zbusCall(conn, 'GetId', null, '(s)');
        assertEqual(reply.get_type_string(), '(s)', 'reply type');
        const [id] = reply.deepUnpack();
        assertEqual(id.length, 32, 'length of the bus ID');
        assertEqual(id, gdbusCall(gdbus, 'GetId', null, '(s)')[0], 'bus ID');
    } finally {
        closeQuietly(conn);
        closeQuietly(gdbus);
    }
});

test('call() awaited as a promise', async () => {
    const conn = Zbus.Connection.session(null);
    const gdbus = gdbusConnect();
    try {
        const reply = await withTimeout(getId(conn), 'the reply to GetId');
        assertEqual(reply.deepUnpack()[0], gdbusCall(gdbus, 'GetId')[0], 'bus ID');

        // Several calls at once, each with its own promise.
        const replies = await withTimeout(Promise.all([0, 1, 2, 3].map(() => getId(conn))),
            'four replies');
        for (const r of replies)
            assertEqual(r.deepUnpack()[0], reply.deepUnpack()[0], 'bus ID');
    } finally {
        closeQuietly(conn);
        closeQuietly(gdbus);
    }
});

test('an unknown method is a Gio.DBusError.UNKNOWN_METHOD', async () => {
    const conn = Zbus.Connection.session(null);
    try {
        assertThrowsGError(() => zbusCall(conn, 'NoSuchMethod'),
            Gio.DBusError, Gio.DBusError.UNKNOWN_METHOD, 'call_sync');
        try {
            await withTimeout(conn.call(DBUS_NAME, DBUS_PATH, DBUS_INTERFACE, 'NoSuchMethod',
                null, null, Zbus.MessageFlags.NONE, Zbus.TIMEOUT_DEFAULT, null), 'the error');
            throw new Error('call() did not fail');
        } catch (e) {
            assertGError(e, Gio.DBusError, Gio.DBusError.UNKNOWN_METHOD, 'call()');
            assertEqual(Gio.DBusError.get_remote_error(e),
                'org.freedesktop.DBus.Error.UnknownMethod', 'remote error name');
        }
    } finally {
        closeQuietly(conn);
    }
});

test('other errors keep their domain and code', async () => {
    const conn = Zbus.Connection.session(null);
    try {
        assertThrowsGError(() => zbusCall(conn, 'GetId', null, '(u)'),
            Gio.IOErrorEnum, Gio.IOErrorEnum.INVALID_ARGUMENT, 'wrong reply type');
        assertThrowsGError(
            () => conn.call_sync('org.zbus.Test.Nobody', '/', 'org.zbus.Test', 'Ping', null,
                null, Zbus.MessageFlags.NO_AUTO_START, Zbus.TIMEOUT_DEFAULT, null),
            Gio.DBusError, Gio.DBusError.NAME_HAS_NO_OWNER, 'no owner');
        assertThrowsGError(
            () => conn.call_sync(DBUS_NAME, 'not/a/path', DBUS_INTERFACE, 'GetId', null, null,
                Zbus.MessageFlags.NONE, Zbus.TIMEOUT_DEFAULT, null),
            Zbus.error_quark(), Zbus.Error.INVALID_NAME, 'bad object path');
    } finally {
        closeQuietly(conn);
    }
});

// Returns the GLib.Error a failed name request throws.
async function nameRequestError(func) {
    try {
        await func();
    } catch (e) {
        return e;
    }
    throw new Error('did not fail');
}

test('failed name requests throw their GLib.Error', async () => {
    const conn = Zbus.Connection.session(null);
    try {
        assertGError(await nameRequestError(
            () => conn.request_name_sync(':1.999', Zbus.RequestNameFlags.NONE, null)),
        Zbus.error_quark(), Zbus.Error.INVALID_NAME, 'request_name_sync(unique name)');
        assertGError(await nameRequestError(
            () => conn.request_name(':1.999', Zbus.RequestNameFlags.NONE, null)),
        Zbus.error_quark(), Zbus.Error.INVALID_NAME, 'request_name(unique name)');
        assertGError(await nameRequestError(() => conn.release_name_sync(':1.999', null)),
            Zbus.error_quark(), Zbus.Error.INVALID_NAME, 'release_name_sync(unique name)');
    } finally {
        closeQuietly(conn);
    }
});

test('own a name: PRIMARY_OWNER, name-acquired, then EXISTS for another', async () => {
    const name = 'org.zbus.Test.Js.Owned';
    const conn = Zbus.Connection.session(null);
    const other = Zbus.Connection.session(null);
    const gdbus = gdbusConnect();
    try {
        const acquired = nextSignal(conn, 'name-acquired', 'name-acquired', n => n === name);
        assertEqual(conn.request_name_sync(name, Zbus.RequestNameFlags.NONE, null),
            Zbus.RequestNameReply.PRIMARY_OWNER, 'first request');
        assertEqual((await acquired)[0], name, 'name-acquired');
        assertEqual(nameOwner(gdbus, name), conn.unique_name, 'owner');

        assertEqual(conn.request_name_sync(name, Zbus.RequestNameFlags.NONE, null),
            Zbus.RequestNameReply.ALREADY_OWNER, 'again');
        assertEqual(other.request_name_sync(name, Zbus.RequestNameFlags.DO_NOT_QUEUE, null),
            Zbus.RequestNameReply.EXISTS, 'another connection, not queueing');
        assertEqual(nameOwner(gdbus, name), conn.unique_name, 'owner after');
    } finally {
        closeQuietly(conn);
        closeQuietly(other);
        closeQuietly(gdbus);
    }
});

test('request_name() and release_name() awaited; the queue moves on', async () => {
    const name = 'org.zbus.Test.Js.Queued';
    const conn = Zbus.Connection.session(null);
    const other = Zbus.Connection.session(null);
    try {
        assertEqual(await withTimeout(conn.request_name(name, Zbus.RequestNameFlags.NONE, null),
            'RequestName'), Zbus.RequestNameReply.PRIMARY_OWNER, 'first');
        assertEqual(await withTimeout(other.request_name(name, Zbus.RequestNameFlags.NONE, null),
            'RequestName'), Zbus.RequestNameReply.IN_QUEUE, 'second');

        const lost = nextSignal(conn, 'name-lost', 'name-lost', n => n === name);
        const acquired = nextSignal(other, 'name-acquired', 'name-acquired', n => n === name);
        assertEqual(await withTimeout(conn.release_name(name, null), 'ReleaseName'),
            Zbus.ReleaseNameReply.RELEASED, 'release');
        await Promise.all([lost, acquired]);
    } finally {
        closeQuietly(conn);
        closeQuietly(other);
    }
});

test('the builder owns a name, and fails when it is taken', async () => {
    const name = 'org.zbus.Test.Js.Builder';
    const gdbus = gdbusConnect();
    const builder = Zbus.ConnectionBuilder.new_session();
    builder.add_name(name, Zbus.RequestNameFlags.DO_NOT_QUEUE);
    builder.set_method_timeout(3000);
    const conn = await withTimeout(builder.build_async(null), 'build_async');
    try {
        assertEqual(conn.get_method_timeout(), 3000, 'method timeout');
        assertEqual(nameOwner(gdbus, name), conn.unique_name, 'owner');

        const taken = Zbus.ConnectionBuilder.new_session();
        taken.add_name(name, Zbus.RequestNameFlags.DO_NOT_QUEUE);
        assertThrowsGError(() => taken.build(null),
            Gio.DBusError, Gio.DBusError.ADDRESS_IN_USE, 'build with a taken name');
        await assertRejectsGError(withTimeout(taken.build_async(null), 'build_async'),
            Gio.DBusError, Gio.DBusError.ADDRESS_IN_USE, 'build_async with a taken name');
    } finally {
        closeQuietly(conn);
        closeQuietly(gdbus);
    }
});

test('send_message_with_reply() awaited', async () => {
    const conn = Zbus.Connection.session(null);
    try {
        const call = Zbus.Message.new_method_call(DBUS_NAME, DBUS_PATH, DBUS_INTERFACE, 'GetId');
        const reply = await withTimeout(
            conn.send_message_with_reply(call, Zbus.TIMEOUT_DEFAULT, null), 'the reply');
        assertEqual(reply.get_message_type(), Zbus.MessageType.METHOD_RETURN, 'type');
        assertEqual(reply.get_reply_serial(), call.get_serial(), 'reply serial');
        assertEqual(reply.get_body().deepUnpack()[0], zbusCall(conn, 'GetId').deepUnpack()[0],
            'bus ID');
    } finally {
        closeQuietly(conn);
    }
});

test('emit_signal() reaches GDBus', async () => {
    const conn = Zbus.Connection.session(null);
    const gdbus = gdbusConnect();
    let subscription = 0;
    try {
        const received = new Promise(resolve => {
            subscription = gdbus.signal_subscribe(conn.unique_name, 'org.zbus.Test', 'Hello',
                '/org/zbus/Test', null, Gio.DBusSignalFlags.NONE,
                (_c, sender, path, iface, member, params) => resolve([sender, params.deepUnpack()]));
        });
        // GDBus sends its AddMatch asynchronously: a round trip makes sure
        // the bus has it.
        gdbusCall(gdbus, 'GetId');
        assertTrue(conn.emit_signal(null, '/org/zbus/Test', 'org.zbus.Test', 'Hello',
            new GLib.Variant('(s)', ['world'])), 'emit_signal');
        const [sender, args] = await withTimeout(received, 'the signal');
        assertEqual(sender, conn.unique_name, 'sender');
        assertEqual(args[0], 'world', 'argument');
    } finally {
        gdbus.signal_unsubscribe(subscription);
        closeQuietly(conn);
        closeQuietly(gdbus);
    }
});

test('new_for_gdbus() adopts a Gio.DBusConnection', async () => {
    const gdbus = gdbusConnect();
    const conn = Zbus.Connection.new_for_gdbus(gdbus);
    try {
        assertEqual(conn.get_gdbus_connection(), gdbus, 'gdbus-connection');
        assertEqual(conn.unique_name, gdbus.get_unique_name(), 'unique name');
        assertEqual(conn.is_bus(), true, 'is-bus');
        const reply = await withTimeout(getId(conn), 'GetId');
        assertEqual(reply.deepUnpack()[0], gdbusCall(gdbus, 'GetId')[0], 'bus ID');

        const name = 'org.zbus.Test.Js.Adopted';
        assertEqual(conn.request_name_sync(name, Zbus.RequestNameFlags.NONE, null),
            Zbus.RequestNameReply.PRIMARY_OWNER, 'request');
        assertEqual(nameOwner(gdbus, name), gdbus.get_unique_name(), 'owner');
    } finally {
        closeQuietly(conn);
        closeQuietly(gdbus);
    }
});

test('peer to peer: a socket listener and a builder for its stream', async () => {
    const socketName = `zbus-gjs-test-${GLib.uuid_string_random()}`;
    const listener = new Gio.SocketListener();
    listener.add_address(
        Gio.UnixSocketAddress.new_with_type(socketName, Gio.UnixSocketAddressType.ABSTRACT),
        Gio.SocketType.STREAM, Gio.SocketProtocol.DEFAULT, null);
    const guid = Zbus.generate_guid();

    const serverPromise = (async () => {
        const [stream] = await listener.accept_async(null);
        const builder = Zbus.ConnectionBuilder.new_for_stream(stream);
        builder.set_server(guid);
        return builder.build_async(null);
    })();
    const clientBuilder = Zbus.ConnectionBuilder.new_for_address(`unix:abstract=${socketName}`);
    clientBuilder.set_p2p(true);
    const [server, client] = await withTimeout(
        Promise.all([serverPromise, clientBuilder.build_async(null)]), 'both ends');
    listener.close();

    try {
        assertEqual(client.is_bus(), false, 'client is-bus');
        assertEqual(server.is_bus(), false, 'server is-bus');
        assertEqual(client.unique_name, null, 'no unique name');
        assertEqual(client.get_guid(), guid, 'GUID');
        assertEqual(server.get_peer_credentials().get_unix_pid(), new Gio.Credentials().get_unix_pid(),
            'peer pid');

        const reply = await withTimeout(client.call(null, '/', 'org.freedesktop.DBus.Peer', 'Ping',
            null, null, Zbus.MessageFlags.NONE, Zbus.TIMEOUT_DEFAULT, null), 'Peer.Ping');
        assertEqual(reply.get_type_string(), '()', 'empty reply');

        const closed = nextSignal(client, 'closed', 'closed on the client');
        server.close_sync(null);
        const [vanished, error] = await closed;
        assertEqual(vanished, true, 'remote peer vanished');
        assertTrue(error instanceof GLib.Error, 'with an error');
        assertEqual(client.is_closed(), true, 'client is-closed');
    } finally {
        closeQuietly(client);
        closeQuietly(server);
    }
});

test('close(): the closed signal, then CLOSED errors', async () => {
    const conn = Zbus.Connection.session(null);
    const closed = nextSignal(conn, 'closed', 'closed');
    assertEqual(await withTimeout(conn.close(null), 'close'), true, 'close()');
    const [vanished, error] = await closed;
    assertEqual(vanished, false, 'remote peer vanished');
    assertEqual(error, null, 'no error');
    assertEqual(conn.is_closed(), true, 'is-closed');

    assertThrowsGError(() => conn.close_sync(null),
        Gio.IOErrorEnum, Gio.IOErrorEnum.CLOSED, 'closing again');
    await assertRejectsGError(getId(conn), Gio.IOErrorEnum, Gio.IOErrorEnum.CLOSED,
        'a call on a closed connection');
    await idle();
});

test('is_bus() and is_closed() can be called', async () => {
    const conn = Zbus.Connection.session(null);
    try {
        assertEqual(conn.is_bus(), true, 'is_bus()');
        assertEqual(conn.is_closed(), false, 'is_closed()');
    } finally {
        closeQuietly(conn);
    }
});

test('Zbus.TIMEOUT_INFINITE is there', async () => {
    assertEqual(Zbus.TIMEOUT_DEFAULT, -1, 'TIMEOUT_DEFAULT');
    const conn = Zbus.Connection.session(null);
    try {
        const reply = conn.call_sync(DBUS_NAME, DBUS_PATH, DBUS_INTERFACE, 'GetId', null, null,
            Zbus.MessageFlags.NONE, GLib.MAXINT32, null);
        assertEqual(reply.deepUnpack()[0].length, 32, 'GetId with G_MAXINT');
    } finally {
        closeQuietly(conn);
    }
    assertEqual(Zbus.TIMEOUT_INFINITE, GLib.MAXINT32, 'TIMEOUT_INFINITE');
});

await run();
