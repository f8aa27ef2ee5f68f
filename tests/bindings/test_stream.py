# test_stream.py: ZbusMessageStream, ZbusMatchRule and
# ZbusMatchRuleBuilder through PyGObject
#
# Copyright 2026 The zbus-gobject authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run by `meson test --suite python` with GI_TYPELIB_PATH and
# LD_LIBRARY_PATH pointing at the build tree. Each module gets a private
# dbus-daemon (the `bus` fixture in conftest.py); signals come from a plain
# Gio.DBusConnection.

import time

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Zbus', '1.0')

from gi.repository import GLib, Gio, Zbus  # noqa: E402

import pytest  # noqa: E402

from zbustest import (  # noqa: E402
    DBUS_ERROR, IO_ERROR, assert_gerror, close_quietly, gdbus_call, gdbus_connect,
    record_signal, run_loop, wait_for, zbus_call)

INTERFACE = 'org.zbus.Test.Stream'
PATH = '/org/zbus/Test/Stream'
RULE = f"type='signal',interface='{INTERFACE}'"


@pytest.fixture(params=['native', 'gdbus'])
def zconn(request, bus):
    """A Zbus.Connection to the private bus, over each transport: the
    native one and an adopted Gio.DBusConnection."""
    adopted = None
    if request.param == 'native':
        conn = Zbus.Connection.session(None)
    else:
        adopted = gdbus_connect(bus)
        conn = Zbus.Connection.new_for_gdbus(adopted)
    yield conn
    close_quietly(conn)
    if adopted is not None:
        close_quietly(adopted)


def emit(emitter, member, n, interface=INTERFACE):
    emitter.emit_signal(None, PATH, interface, member, GLib.Variant('(u)', (n,)))


def sync_bus(emitter, conn):
    """Makes sure all the emitter sent so far has reached the bus and,
    through it, conn's streams: a round trip from the emitter, then one
    from conn (a synchronous call feeds the streams what arrives before
    its reply, whether or not the main context runs)."""
    gdbus_call(emitter, 'GetId')
    zbus_call(conn, 'GetId')


def number(message):
    assert message is not None
    (n,) = message.get_body().unpack()
    return n


def stream_for(conn, rule=RULE, max_queued=0):
    return Zbus.MessageStream.new_for_match_rule(
        conn, Zbus.MatchRule.new_from_string(rule), max_queued, None)


# --- Match rules ------------------------------------------------------------

def test_match_rule_from_string():
    rule = Zbus.MatchRule.new_from_string(
        "type='signal',sender='org.zbus.Test',interface='org.zbus.Test.Iface',"
        "member='Changed',path_namespace='/org/zbus',arg0='x',arg2path='/a/'")
    assert rule.get_message_type() == Zbus.MessageType.SIGNAL
    assert rule.get_sender() == 'org.zbus.Test'
    assert rule.get_interface() == 'org.zbus.Test.Iface'
    assert rule.get_member() == 'Changed'
    assert rule.get_path() is None
    assert rule.get_path_namespace() == '/org/zbus'
    assert rule.get_destination() is None
    assert rule.get_arg(0) == 'x'
    assert rule.get_arg(1) is None
    assert rule.get_arg_path(2) == '/a/'
    assert rule.get_arg0_namespace() is None
    assert rule.get_eavesdrop() is False

    # The string form parses back to an equal rule.
    again = Zbus.MatchRule.new_from_string(rule.to_string())
    assert again.equal(rule)
    assert again.hash() == rule.hash()
    assert not again.equal(Zbus.MatchRule.new_from_string("type='signal'"))


@pytest.mark.parametrize('text', [
    "type='bogus'",
    "member='a.b'",
    "path='not/a/path'",
    "arg64='x'",
    "interface=",
], ids=['type', 'member', 'path', 'arg64', 'no-value'])
def test_bad_match_rule(text):
    with pytest.raises(GLib.Error) as excinfo:
        Zbus.MatchRule.new_from_string(text)
    assert_gerror(excinfo, DBUS_ERROR, Gio.DBusError.MATCH_RULE_INVALID)


def test_match_rule_builder():
    builder = Zbus.MatchRuleBuilder.new()
    # Every setter returns the builder, so calls chain.
    same = (builder.set_message_type(Zbus.MessageType.SIGNAL)
            .set_sender('org.zbus.Test')
            .set_interface(INTERFACE)
            .set_member('Tick')
            .set_path(PATH)
            .set_arg(0, 'hello')
            .set_arg(3, 'three'))
    assert same is builder
    rule = builder.build()
    assert isinstance(rule, Zbus.MatchRule)
    assert rule.get_message_type() == Zbus.MessageType.SIGNAL
    assert rule.get_member() == 'Tick'
    assert rule.get_arg(0) == 'hello'
    assert rule.get_arg(3) == 'three'
    assert rule.equal(Zbus.MatchRule.new_from_string(rule.to_string()))

    def signal(member='Tick', path=PATH, args=('hello', 'a', 'b', 'three')):
        msg = Zbus.Message.new_signal(path, INTERFACE, member)
        msg.set_sender('org.zbus.Test')
        msg.set_body(GLib.Variant('(ssss)', args))
        return msg

    assert rule.matches(signal())
    assert not rule.matches(signal(member='Tock'))
    assert not rule.matches(signal(path='/elsewhere'))
    assert not rule.matches(signal(args=('bye', 'a', 'b', 'three')))
    assert not rule.matches(signal(args=('hello', 'a', 'b', 'four')))
    other_sender = signal()
    other_sender.set_sender('org.zbus.Other')
    assert not rule.matches(other_sender)
    call = Zbus.Message.new_method_call(None, PATH, INTERFACE, 'Tick')
    assert not rule.matches(call)


def test_match_rule_builder_from_rule():
    rule = Zbus.MatchRule.new_from_string(RULE)
    narrower = (Zbus.MatchRuleBuilder.new_from_rule(rule)
                .set_path_namespace('/org/zbus')
                .set_arg0_namespace('org.zbus')
                .build())
    assert narrower.get_interface() == INTERFACE
    assert narrower.get_path_namespace() == '/org/zbus'
    assert narrower.get_arg0_namespace() == 'org.zbus'
    assert not narrower.equal(rule)

    msg = Zbus.Message.new_signal(PATH, INTERFACE, 'Any')
    msg.set_body(GLib.Variant('(s)', ('org.zbus.Thing',)))
    assert narrower.matches(msg)
    msg.set_body(GLib.Variant('(s)', ('org.other.Thing',)))
    assert not narrower.matches(msg)


def test_match_rule_builder_errors():
    with pytest.raises(GLib.Error) as excinfo:
        Zbus.MatchRuleBuilder.new().set_arg(Zbus.MATCH_RULE_MAX_ARGS, 'x').build()
    assert_gerror(excinfo, DBUS_ERROR, Gio.DBusError.MATCH_RULE_INVALID)

    with pytest.raises(GLib.Error) as excinfo:
        Zbus.MatchRuleBuilder.new().set_path('/a').set_path_namespace('/b').build()
    assert_gerror(excinfo, DBUS_ERROR, Gio.DBusError.MATCH_RULE_INVALID)


# --- Reading a stream -------------------------------------------------------

def test_new_for_match_rule(zconn):
    stream = stream_for(zconn, max_queued=5)
    assert stream.get_connection() is zconn
    assert stream.props.connection is zconn
    assert stream.get_match_rule().to_string() == RULE
    assert stream.props.match_rule.equal(Zbus.MatchRule.new_from_string(RULE))
    assert stream.get_max_queued() == 5
    assert stream.get_queued() == 0
    assert stream.get_dropped() == 0
    assert not stream.is_closed()
    assert not stream.get_emit_signals()

    # 0 is the connection's default.
    assert stream_for(zconn).get_max_queued() == 4096


def test_watch_on_main_loop(zconn, gdbus):
    """The stream's GSource, through add_watch, on a GLib.MainLoop."""
    stream = stream_for(zconn)
    loop = GLib.MainLoop()
    received = []

    def on_message(source_stream, message, user_data):
        assert source_stream is stream
        assert user_data == 'user data'
        received.append(message)
        if len(received) == 3:
            loop.quit()
            return GLib.SOURCE_REMOVE
        return GLib.SOURCE_CONTINUE

    watch_id = stream.add_watch(None, on_message, 'user data')
    assert watch_id > 0
    for n in range(3):
        emit(gdbus, 'Tick', n)
    emit(gdbus, 'Tick', 3, interface='org.zbus.Test.Unrelated')
    run_loop(loop, 'three signals through the watch')

    # The messages outlive the callback that got them.
    assert [number(m) for m in received] == [0, 1, 2]
    for message in received:
        assert message.get_message_type() == Zbus.MessageType.SIGNAL
        assert message.get_interface() == INTERFACE
        assert message.get_member() == 'Tick'
        assert message.get_path() == PATH
        assert message.get_sender() == gdbus.get_unique_name()

    # The watch is gone: the next signal waits in the queue.
    emit(gdbus, 'Tick', 4)
    sync_bus(gdbus, zconn)
    assert stream.get_queued() == 1
    assert number(stream.try_pop()) == 4
    assert stream.try_pop() is None


def test_watch_on_other_context(zconn, gdbus):
    stream = stream_for(zconn)
    context = GLib.MainContext.new()
    received = []

    def on_message(_stream, message):
        received.append(number(message))
        return GLib.SOURCE_CONTINUE

    watch_id = stream.add_watch(context, on_message)
    emit(gdbus, 'Tick', 1)
    sync_bus(gdbus, zconn)

    # Nothing is dispatched until that context runs.
    assert received == []
    deadline = time.monotonic() + 10
    while not received and time.monotonic() < deadline:
        context.iteration(False)
    assert received == [1]
    context.find_source_by_id(watch_id).destroy()


def test_try_pop_and_timed_pop(zconn, gdbus):
    stream = stream_for(zconn)
    assert stream.try_pop() is None

    start = time.monotonic()
    with pytest.raises(GLib.Error) as excinfo:
        stream.timed_pop(100 * 1000, None)  # microseconds
    assert_gerror(excinfo, IO_ERROR, Gio.IOErrorEnum.TIMED_OUT)
    assert time.monotonic() - start >= 0.09

    cancellable = Gio.Cancellable()
    cancellable.cancel()
    with pytest.raises(GLib.Error) as excinfo:
        stream.timed_pop(10 * 1000 * 1000, cancellable)
    assert_gerror(excinfo, IO_ERROR, Gio.IOErrorEnum.CANCELLED)

    emit(gdbus, 'Tick', 1)
    emit(gdbus, 'Tock', 2)
    # Blocking pops take what arrives without any main loop running.
    first = stream.timed_pop(10 * 1000 * 1000, None)
    assert first.get_member() == 'Tick'
    assert number(first) == 1
    second = stream.pop(None)
    assert second.get_member() == 'Tock'
    assert number(second) == 2
    assert stream.try_pop() is None


def test_next_async(zconn, gdbus):
    stream = stream_for(zconn)
    loop = GLib.MainLoop()
    received = []

    def done(source_stream, result, user_data):
        received.append((source_stream.next_finish(result), user_data))
        loop.quit()

    stream.next_async(None, done, 'user data')
    emit(gdbus, 'Tick', 7)
    run_loop(loop, 'next_async')
    message, user_data = received[0]
    assert user_data == 'user data'
    assert number(message) == 7


def test_next_async_cancelled(zconn):
    stream = stream_for(zconn)
    loop = GLib.MainLoop()
    errors = []
    cancellable = Gio.Cancellable()

    def done(source_stream, result):
        try:
            source_stream.next_finish(result)
        except GLib.Error as e:
            errors.append(e)
        loop.quit()

    stream.next_async(cancellable, done)
    cancellable.cancel()
    run_loop(loop, 'the cancelled next_async')
    assert errors[0].matches(IO_ERROR, Gio.IOErrorEnum.CANCELLED)


def test_new_for_match_rule_async(zconn, gdbus):
    loop = GLib.MainLoop()
    streams = []

    def done(source, result):
        streams.append(Zbus.MessageStream.new_for_match_rule_finish(result))
        loop.quit()

    Zbus.MessageStream.new_for_match_rule_async(
        zconn, Zbus.MatchRule.new_from_string(RULE), 2, None, done)
    run_loop(loop, 'new_for_match_rule_async')
    stream = streams[0]
    assert stream.get_max_queued() == 2

    # The bus has the rule by the time the stream is there.
    emit(gdbus, 'Tick', 5)
    assert number(stream.timed_pop(10 * 1000 * 1000, None)) == 5


def test_emit_signals(zconn, gdbus):
    stream = stream_for(zconn)
    received = []
    loop = GLib.MainLoop()

    def on_message(source_stream, message):
        assert source_stream is stream
        received.append(message)
        if len(received) == 2:
            loop.quit()

    stream.connect('message', on_message)
    notified = record_signal(stream, 'notify::emit-signals')
    stream.props.emit_signals = True
    assert stream.get_emit_signals()
    assert len(notified) == 1

    emit(gdbus, 'Tick', 1)
    emit(gdbus, 'Tick', 2)
    run_loop(loop, 'two message signals')
    assert [number(m) for m in received] == [1, 2]

    # Off again: messages stay in the queue.
    stream.set_emit_signals(False)
    assert not stream.props.emit_signals
    emit(gdbus, 'Tick', 3)
    sync_bus(gdbus, zconn)
    assert number(stream.try_pop()) == 3
    assert len(received) == 2


def test_overflow(zconn, gdbus):
    stream = stream_for(zconn, max_queued=3)
    dropped_notified = record_signal(stream, 'notify::dropped')

    for n in range(10):
        emit(gdbus, 'Flood', n)
    sync_bus(gdbus, zconn)

    # The newest three remain; the oldest seven were dropped and counted.
    assert stream.get_queued() == 3
    assert stream.get_dropped() == 7
    assert stream.props.dropped == 7
    assert [number(stream.try_pop()) for _ in range(3)] == [7, 8, 9]
    assert stream.try_pop() is None

    wait_for(lambda: dropped_notified, 'notify::dropped')


def test_full_stream_does_not_stall(zconn, gdbus):
    stuck = stream_for(zconn, max_queued=1)
    other = stream_for(zconn, max_queued=500)
    for n in range(200):
        emit(gdbus, 'Flood', n)

    # Nobody reads stuck: calls still complete and other gets everything.
    sync_bus(gdbus, zconn)
    assert [number(other.try_pop()) for _ in range(200)] == list(range(200))
    assert stuck.get_dropped() == 199
    assert number(stuck.try_pop()) == 199


def test_stream_of_every_message(zconn, gdbus):
    stream = Zbus.MessageStream.new(zconn)
    assert stream.get_match_rule() is None

    # A method call from GDBus reaches the stream. (Nothing serves it, so
    # the call itself fails; run the loop so that answer can go out.)
    loop = GLib.MainLoop()
    errors = []

    def done(conn, result):
        try:
            conn.call_finish(result)
        except GLib.Error as e:
            errors.append(e)
        loop.quit()

    gdbus.call(zconn.get_unique_name(), '/org/zbus/Test/Nothing', 'org.zbus.Test.Nothing',
               'Poke', GLib.Variant('(s)', ('hey',)), None, Gio.DBusCallFlags.NONE, 5000,
               None, done)
    run_loop(loop, 'the reply to Poke')
    assert errors and errors[0].domain == 'g-dbus-error-quark'

    calls = []
    while (message := stream.try_pop()) is not None:
        if message.get_message_type() == Zbus.MessageType.METHOD_CALL:
            calls.append(message)
    assert len(calls) == 1
    assert calls[0].get_member() == 'Poke'
    assert calls[0].get_sender() == gdbus.get_unique_name()
    assert calls[0].get_body().unpack() == ('hey',)


# --- The end of a stream ----------------------------------------------------

def test_close_stream(zconn, gdbus):
    stream = stream_for(zconn)
    emit(gdbus, 'Tick', 1)
    sync_bus(gdbus, zconn)

    stream.close()
    assert stream.is_closed()
    assert stream.props.closed

    # What was queued can still be taken; then pops fail with CLOSED.
    assert number(stream.try_pop()) == 1
    with pytest.raises(GLib.Error) as excinfo:
        stream.timed_pop(10 * 1000 * 1000, None)
    assert_gerror(excinfo, IO_ERROR, Gio.IOErrorEnum.CLOSED)

    loop = GLib.MainLoop()
    errors = []

    def done(source_stream, result):
        try:
            source_stream.next_finish(result)
        except GLib.Error as e:
            errors.append(e)
        loop.quit()

    stream.next_async(None, done)
    run_loop(loop, 'next_async on a closed stream')
    assert errors[0].matches(IO_ERROR, Gio.IOErrorEnum.CLOSED)

    # Nothing more arrives.
    emit(gdbus, 'Tick', 2)
    sync_bus(gdbus, zconn)
    assert stream.get_queued() == 0


def test_connection_close_ends_stream_and_watch(zconn):
    stream = stream_for(zconn)
    calls = []

    def on_message(_stream, message):
        calls.append(message)
        return GLib.SOURCE_CONTINUE

    watch_id = stream.add_watch(None, on_message)
    context = GLib.MainContext.default()
    source = context.find_source_by_id(watch_id)
    assert source is not None

    # The stream ends in the thread that closes the connection; its source
    # goes away the next time the context runs.
    close_quietly(zconn)
    assert stream.is_closed()
    wait_for(source.is_destroyed, 'the watch to end')
    assert calls == []
