#!/usr/bin/python3
# make-corpus.py: writes the seed corpus of fuzz-message with GIO's encoder
#
# Copyright 2026 The zbus-gobject authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: tests/fuzz/make-corpus.py [OUTPUT-DIR]   (default: corpus/message
# next to this script). The messages are made by Gio.DBusMessage.to_blob, so
# the seeds are GIO's idea of valid messages, not ours. Output is
# deterministic: running it again rewrites the same files.

import math
import os
import struct
import sys

import gi

gi.require_version('Gio', '2.0')
from gi.repository import Gio, GLib  # noqa: E402

V = GLib.Variant
CAPS = Gio.DBusCapabilityFlags.UNIX_FD_PASSING
ORDERS = {
    'le': Gio.DBusMessageByteOrder.LITTLE_ENDIAN,
    'be': Gio.DBusMessageByteOrder.BIG_ENDIAN,
}


def nan_with_payload():
    return struct.unpack('<d', struct.pack('<Q', 0x7ff8dead0000beef))[0]


def nested(wrap, depth, leaf):
    value = leaf
    for _ in range(depth):
        value = wrap(value)
    return value


def method_call(dest, path, iface, member, body=None, sender=None, flags=0):
    m = Gio.DBusMessage.new_method_call(dest, path, iface, member)
    if body is not None:
        m.set_body(body)
    if sender is not None:
        m.set_sender(sender)
    m.set_flags(Gio.DBusMessageFlags(flags))
    return m


def reply_to(call_serial, error_name=None, body=None, dest=None):
    call = Gio.DBusMessage.new_method_call(None, '/', None, 'Call')
    call.set_serial(call_serial)
    if error_name is None:
        m = call.new_method_reply()
    else:
        m = call.new_method_error_literal(error_name, 'it went wrong: ünïcode ✓')
    if body is not None:
        m.set_body(body)
    if dest is not None:
        m.set_destination(dest)
    return m


def signal(path, iface, member, body=None, dest=None):
    m = Gio.DBusMessage.new_signal(path, iface, member)
    if body is not None:
        m.set_body(body)
    if dest is not None:
        m.set_destination(dest)
    return m


def with_fds(message, n):
    fds = Gio.UnixFDList.new()
    devnull = os.open('/dev/null', os.O_RDONLY)
    for _ in range(n):
        fds.append(devnull)
    os.close(devnull)
    message.set_unix_fd_list(fds)
    return message


def all_basic_types():
    return V('(ybnqiuxtdsogh)', (0xff, True, -32768, 65535, -2**31, 2**32 - 1,
                                  -2**63, 2**64 - 1, nan_with_payload(), 'str é€𝄞',
                                  '/obj/path', 'a{sv}(ii)', 0))


def add_unknown_field(blob, code, text):
    """Appends header field @code holding the string @text to a wire message.

    GIO cannot set a header field whose code it does not know from Python,
    so this edits the bytes: the fields array is the last thing before the
    body, which starts at the next multiple of 8."""
    endian = '<' if blob[0:1] == b'l' else '>'
    fields_len = struct.unpack(endian + 'I', blob[12:16])[0]
    fields_end = 16 + fields_len
    body = blob[(fields_end + 7) & ~7:]
    fields = bytearray(blob[16:fields_end])
    fields += b'\0' * (-len(fields) % 8)
    fields += bytes([code, 1]) + b's\0'
    fields += struct.pack(endian + 'I', len(text)) + text + b'\0'
    header = bytearray(blob[:12]) + struct.pack(endian + 'I', len(fields)) + fields
    header += b'\0' * (-len(header) % 8)
    return bytes(header) + body


def seeds():
    """(name, message) pairs; byte order and serial are set by the caller."""
    yield 'call-simple', method_call('org.example.Service', '/org/example/Obj',
                                     'org.example.Iface', 'Hello',
                                     V('(su)', ('world', 42)))
    yield 'call-no-body', method_call(None, '/', None, 'Ping')
    yield 'call-flags-sender', method_call(':1.42', '/a/b', 'org.example.I', 'M',
                                           V('(as)', (['x', 'yy', ''],)),
                                           sender=':1.7', flags=7)
    yield 'call-asv', method_call('org.example.Service', '/org/example/Obj',
                                  'org.freedesktop.DBus.Properties', 'GetAll',
                                  V('(a{sv})', ({
                                      'byte': V('y', 1),
                                      'double': V('d', -0.0),
                                      'inf': V('d', math.inf),
                                      'strv': V('as', ['a', 'b']),
                                      'nested': V('v', V('(ix)', (1, -2))),
                                      'empty': V('a{sv}', {}),
                                      'bytes': V('ay', b'\x00\x01\xff'),
                                  },)))
    yield 'call-all-basic', with_fds(method_call(None, '/', 'org.example.I', 'Basic',
                                                 all_basic_types()), 1)
    yield 'call-fds', with_fds(method_call('org.example.S', '/fd', 'org.example.I', 'Pass',
                                           V('(hah)', (1, [0, 1, 0]))), 2)
    yield 'call-empty-arrays', method_call(None, '/', None, 'Empty',
                                           V('(ayaxa(yx)a{sv}aavy)', (b'', [], [], {}, [], 9)))
    yield 'call-nested-arrays-32', method_call(None, '/', None, 'Deep',
                                               V('(' + 'a' * 32 + 'y)',
                                                 (nested(lambda v: [v], 32, 7),)))
    yield 'call-nested-structs-32', method_call(None, '/', None, 'Deep',
                                                V('(' + '(' * 32 + 'y' + ')' * 32 + ')',
                                                  (nested(lambda v: (v,), 32, 7),)))
    yield 'call-variants-64', method_call(None, '/', None, 'Deep',
                                          V.new_tuple(nested(V.new_variant, 64, V('y', 7))))
    yield 'call-dict-structs', method_call(None, '/', None, 'Dict',
                                           V('(a{u(sd)}a{os})', ({1: ('one', 1.5), 2: ('two', 2.5)},
                                                                  {'/a': 'x', '/b': 'y'})))
    yield 'return-empty', reply_to(5)
    yield 'return-body', reply_to(6, body=V('(sv)', ('answer', V('t', 2**64 - 1))), dest=':1.3')
    yield 'error-message', reply_to(7, 'org.freedesktop.DBus.Error.Failed', dest=':1.3')
    yield 'error-no-body', reply_to(8, 'org.example.Error.Bad', body=None)
    yield 'signal-simple', signal('/org/example/Obj', 'org.example.Iface', 'Changed',
                                  V('(i)', (-1,)))
    yield 'signal-props', signal('/org/example/Obj', 'org.freedesktop.DBus.Properties',
                                 'PropertiesChanged',
                                 V('(sa{sv}as)', ('org.example.Iface',
                                                  {'Count': V('u', 3)}, ['Gone'])),
                                 dest=':1.99')
    yield 'signal-unknown-field', signal('/x', 'org.example.I', 'S')


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, 'corpus', 'message')
    os.makedirs(out_dir, exist_ok=True)

    count = 0
    for serial, (name, message) in enumerate(seeds(), start=1):
        for order_name, order in ORDERS.items():
            copy = message.copy()
            copy.set_serial(serial)
            copy.set_byte_order(order)
            blob = bytes(copy.to_blob(CAPS))
            if name == 'signal-unknown-field':
                # The spec says to ignore header fields of unknown codes.
                blob = add_unknown_field(blob, 42, b'unknown')
            with open(os.path.join(out_dir, f'{name}-{order_name}.bin'), 'wb') as f:
                f.write(blob)
            count += 1

    print(f'wrote {count} seeds to {out_dir}')


if __name__ == '__main__':
    main()
