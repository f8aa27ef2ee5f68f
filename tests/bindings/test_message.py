# test_message.py: ZbusMessage through PyGObject
#
# Copyright 2026 The zbus-gobject authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run by `meson test --suite python` with GI_TYPELIB_PATH and
# LD_LIBRARY_PATH pointing at the build tree's Zbus-1.0.typelib and library.

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Zbus', '1.0')

from gi.repository import GLib, Gio, Zbus  # noqa: E402

import pytest  # noqa: E402

BYTE_ORDERS = [
    pytest.param(Zbus.ByteOrder.LITTLE_ENDIAN, b'l', id='little-endian'),
    pytest.param(Zbus.ByteOrder.BIG_ENDIAN, b'B', id='big-endian'),
]

BODY_TYPE = '(suxa{sv}asay)'
BODY_VALUE = (
    'hello, world',
    42,
    -(2 ** 40),
    {'answer': GLib.Variant('i', 42), 'name': GLib.Variant('s', 'zbus')},
    ['one', 'two', 'three'],
    b'\x00\x01\xfe\xff',
)


def make_call(byte_order=Zbus.ByteOrder.LITTLE_ENDIAN):
    msg = Zbus.Message.new_method_call('org.zbus.Test', '/org/zbus/Test',
                                       'org.zbus.Test', 'Frobnicate')
    msg.set_byte_order(byte_order)
    msg.set_body(GLib.Variant(BODY_TYPE, BODY_VALUE))
    msg.set_serial(7)
    return msg


def assert_same_call(msg):
    assert msg.get_message_type() == Zbus.MessageType.METHOD_CALL
    assert msg.get_serial() == 7
    assert msg.get_destination() == 'org.zbus.Test'
    assert msg.get_path() == '/org/zbus/Test'
    assert msg.get_interface() == 'org.zbus.Test'
    assert msg.get_member() == 'Frobnicate'
    assert msg.get_error_name() is None
    assert msg.get_signature() == BODY_TYPE[1:-1]
    body = msg.get_body()
    assert body.get_type_string() == BODY_TYPE
    assert body.equal(GLib.Variant(BODY_TYPE, BODY_VALUE))
    assert body.unpack() == (
        BODY_VALUE[0], BODY_VALUE[1], BODY_VALUE[2],
        {'answer': 42, 'name': 'zbus'},
        BODY_VALUE[4], list(BODY_VALUE[5]),  # 'ay' unpacks to a list of ints
    )


def assert_zbus_error(excinfo, code):
    err = excinfo.value
    assert isinstance(err, GLib.Error)
    assert err.domain == 'zbus-error-quark'
    assert err.matches(Zbus.error_quark(), code), \
        f'expected {code!r}, got code {err.code}: {err.message}'


def test_new_method_call():
    msg = Zbus.Message.new_method_call(None, '/', None, 'Ping')
    assert msg.get_message_type() == Zbus.MessageType.METHOD_CALL
    assert msg.get_destination() is None
    assert msg.get_interface() is None
    assert msg.get_path() == '/'
    assert msg.get_member() == 'Ping'
    assert msg.get_serial() == 0
    assert msg.get_flags() == Zbus.MessageFlags.NONE
    assert msg.get_byte_order() in (Zbus.ByteOrder.LITTLE_ENDIAN,
                                    Zbus.ByteOrder.BIG_ENDIAN)


@pytest.mark.parametrize('byte_order, marker', BYTE_ORDERS)
def test_round_trip(byte_order, marker):
    msg = make_call(byte_order)
    assert msg.get_byte_order() == byte_order

    data = msg.to_bytes()
    assert isinstance(data, GLib.Bytes)
    raw = data.get_data()
    assert raw[0:1] == marker
    assert raw[1] == int(Zbus.MessageType.METHOD_CALL)
    endian = 'little' if marker == b'l' else 'big'
    assert int.from_bytes(raw[8:12], endian) == 7  # the serial
    body_length = int.from_bytes(raw[4:8], endian)
    assert 0 < body_length < len(raw)
    # The first 16 bytes tell the size of the whole message.
    assert Zbus.Message.bytes_needed(raw[:Zbus.MESSAGE_HEADER_MIN_SIZE]) == len(raw)

    decoded = Zbus.Message.new_from_bytes(data, None)
    assert decoded.get_byte_order() == byte_order
    assert_same_call(decoded)

    # Encoding the decoded message again gives the same bytes.
    assert decoded.to_bytes().get_data() == raw


@pytest.mark.parametrize('byte_order, marker', BYTE_ORDERS)
def test_flags_survive(byte_order, marker):
    msg = make_call(byte_order)
    flags = (Zbus.MessageFlags.NO_AUTO_START
             | Zbus.MessageFlags.ALLOW_INTERACTIVE_AUTHORIZATION)
    msg.set_flags(flags)
    decoded = Zbus.Message.new_from_bytes(msg.to_bytes(), None)
    assert decoded.get_flags() == flags


def test_reply_and_error():
    call = make_call()

    reply = Zbus.Message.new_method_reply(call)
    assert reply.get_message_type() == Zbus.MessageType.METHOD_RETURN
    assert reply.get_reply_serial() == 7

    err = Zbus.Message.new_error(call, 'org.zbus.Test.Error.Broken', 'it broke')
    err.set_serial(8)
    decoded = Zbus.Message.new_from_bytes(err.to_bytes(), None)
    assert decoded.get_message_type() == Zbus.MessageType.ERROR
    assert decoded.get_error_name() == 'org.zbus.Test.Error.Broken'
    assert decoded.get_reply_serial() == 7
    assert decoded.dup_error_message() == 'it broke'


def test_bad_object_path():
    with pytest.raises(GLib.Error) as excinfo:
        Zbus.Message.new_method_call('org.zbus.Test', 'not/a/path',
                                     'org.zbus.Test', 'Frobnicate')
    assert_zbus_error(excinfo, Zbus.Error.INVALID_NAME)


def test_bad_member_name():
    with pytest.raises(GLib.Error) as excinfo:
        Zbus.Message.new_method_call('org.zbus.Test', '/org/zbus/Test',
                                     'org.zbus.Test', 'not.a.member')
    assert_zbus_error(excinfo, Zbus.Error.INVALID_NAME)


def test_method_call_without_path():
    # A well-formed little-endian header of a method call (serial 1, empty
    # body) with no header fields at all: PATH and MEMBER are required.
    header = b'l\x01\x00\x01' + (0).to_bytes(4, 'little') \
        + (1).to_bytes(4, 'little') + (0).to_bytes(4, 'little')
    with pytest.raises(GLib.Error) as excinfo:
        Zbus.Message.new_from_bytes(GLib.Bytes.new(header), None)
    assert_zbus_error(excinfo, Zbus.Error.INVALID_MESSAGE)


def test_oversized_header():
    # The header field array claims 4 GiB.
    garbage = b'l\x01\x00\x01' + b'\xff' * 28
    with pytest.raises(GLib.Error) as excinfo:
        Zbus.Message.new_from_bytes(GLib.Bytes.new(garbage), None)
    assert_zbus_error(excinfo, Zbus.Error.MESSAGE_TOO_LARGE)


def test_truncated_bytes():
    raw = make_call().to_bytes().get_data()
    with pytest.raises(GLib.Error) as excinfo:
        Zbus.Message.new_from_bytes(GLib.Bytes.new(raw[:-3]), None)
    assert excinfo.value.domain == 'zbus-error-quark'


@pytest.mark.parametrize('byte_order, marker', BYTE_ORDERS)
def test_gdbus_conversion(byte_order, marker):
    msg = make_call(byte_order)

    gmsg = msg.to_gdbus()
    assert isinstance(gmsg, Gio.DBusMessage)
    assert gmsg.get_message_type() == Gio.DBusMessageType.METHOD_CALL
    assert gmsg.get_serial() == 7
    assert gmsg.get_destination() == 'org.zbus.Test'
    assert gmsg.get_path() == '/org/zbus/Test'
    assert gmsg.get_interface() == 'org.zbus.Test'
    assert gmsg.get_member() == 'Frobnicate'
    assert gmsg.get_body().equal(GLib.Variant(BODY_TYPE, BODY_VALUE))

    back = Zbus.Message.new_from_gdbus(gmsg)
    assert_same_call(back)


@pytest.mark.parametrize('byte_order, marker', BYTE_ORDERS)
def test_wire_compatible_with_gdbus(byte_order, marker):
    # Our bytes parse with GDBus's codec ...
    raw = make_call(byte_order).to_bytes().get_data()
    gmsg = Gio.DBusMessage.new_from_blob(raw, Gio.DBusCapabilityFlags.NONE)
    assert gmsg.get_member() == 'Frobnicate'
    assert gmsg.get_body().equal(GLib.Variant(BODY_TYPE, BODY_VALUE))

    # ... and GDBus's bytes parse with ours.
    blob = gmsg.to_blob(Gio.DBusCapabilityFlags.NONE)
    assert_same_call(Zbus.Message.new_from_bytes(GLib.Bytes.new(blob), None))
