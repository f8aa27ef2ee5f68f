/* test-message.vala: ZbusMessage through the generated vapi
 *
 * Copyright 2026 The zbus-gobject authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

const string BODY_TYPE = "(suas)";

Variant make_body () {
    return new Variant.tuple ({
        new Variant.string ("hello, world"),
        new Variant.uint32 (42),
        new Variant.strv ({ "one", "two" }),
    });
}

Zbus.Message make_call (Zbus.ByteOrder byte_order) throws Error {
    var msg = new Zbus.Message.method_call ("org.zbus.Test", "/org/zbus/Test",
                                            "org.zbus.Test", "Frobnicate");
    msg.set_byte_order (byte_order);
    msg.set_body (make_body ());
    msg.set_serial (7);
    return msg;
}

void check_call (Zbus.Message msg) {
    assert_true (msg.get_message_type () == Zbus.MessageType.METHOD_CALL);
    assert_cmpuint (msg.get_serial (), CompareOperator.EQ, 7);
    assert_cmpstr (msg.get_destination (), CompareOperator.EQ, "org.zbus.Test");
    assert_cmpstr (msg.get_path (), CompareOperator.EQ, "/org/zbus/Test");
    assert_cmpstr (msg.get_interface (), CompareOperator.EQ, "org.zbus.Test");
    assert_cmpstr (msg.get_member (), CompareOperator.EQ, "Frobnicate");
    assert_cmpstr (msg.get_signature (), CompareOperator.EQ, "suas");

    unowned Variant? body = msg.get_body ();
    assert_nonnull (body);
    assert_cmpstr (body.get_type_string (), CompareOperator.EQ, BODY_TYPE);
    assert_true (body.equal (make_body ()));

    string text;
    uint32 number;
    VariantIter names;
    body.get ("(suas)", out text, out number, out names);
    assert_cmpstr (text, CompareOperator.EQ, "hello, world");
    assert_cmpuint (number, CompareOperator.EQ, 42);
    assert_cmpuint ((uint) names.n_children (), CompareOperator.EQ, 2);
}

void test_round_trip (Zbus.ByteOrder byte_order, char marker) {
    try {
        var bytes = make_call (byte_order).to_bytes ();
        unowned uint8[] raw = bytes.get_data ();
        assert_cmpint (raw[0], CompareOperator.EQ, marker);
        assert_cmpint (raw[1], CompareOperator.EQ, Zbus.MessageType.METHOD_CALL);

        var decoded = new Zbus.Message.from_bytes (bytes, null);
        assert_true (decoded.get_byte_order () == byte_order);
        check_call (decoded);
    } catch (Error e) {
        error ("round trip failed: %s", e.message);
    }
}

void test_gdbus () {
    try {
        var gmsg = make_call (Zbus.ByteOrder.BIG_ENDIAN).to_gdbus ();
        assert_cmpstr (gmsg.get_member (), CompareOperator.EQ, "Frobnicate");
        check_call (new Zbus.Message.from_gdbus (gmsg));
    } catch (Error e) {
        error ("GDBus conversion failed: %s", e.message);
    }
}

void test_bad_path () {
    try {
        new Zbus.Message.method_call ("org.zbus.Test", "not/a/path", null, "Frobnicate");
        assert_not_reached ();
    } catch (Error e) {
        assert_true (e is Zbus.Error.INVALID_NAME);
        assert_true (e.domain == Zbus.Error.quark ());
    }
}

int main (string[] args) {
    Test.init (ref args);
    Test.add_func ("/Zbus/Vala/Message/round-trip-little-endian",
                   () => test_round_trip (Zbus.ByteOrder.LITTLE_ENDIAN, 'l'));
    Test.add_func ("/Zbus/Vala/Message/round-trip-big-endian",
                   () => test_round_trip (Zbus.ByteOrder.BIG_ENDIAN, 'B'));
    Test.add_func ("/Zbus/Vala/Message/gdbus", test_gdbus);
    Test.add_func ("/Zbus/Vala/Message/bad-path", test_bad_path);
    return Test.run ();
}
