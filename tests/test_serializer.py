import pytest

from liveui.serializer import (
    FrameError,
    Message,
    NestingError,
    decode_binary,
    decode_text,
    encode_binary_client_push,
    encode_binary_push,
    encode_binary_reply,
    encode_text,
    reply,
)

CHUNK_HEADER = b"\x00\x01\x02\x05\x05" + b"9" + b"10" + b"lvu:0" + b"chunk"


def test_decode_text_join():
    msg = decode_text('["4","4","lv:phx-abc","phx_join",{"url":"http://x/"}]')
    assert msg == Message("4", "4", "lv:phx-abc", "phx_join", {"url": "http://x/"})


def test_decode_text_heartbeat_with_null_join_ref():
    msg = decode_text('[null,"7","phoenix","heartbeat",{}]')
    assert msg == Message(None, "7", "phoenix", "heartbeat", {})


def test_decode_text_tolerates_trailing_elements():
    msg = decode_text('["1","2","t","e",{},"extra",3]')
    assert msg == Message("1", "2", "t", "e", {})


@pytest.mark.parametrize(
    ("frame", "fragment"),
    [
        ("not json", "unparsable"),
        ('{"topic":"t"}', "got dict"),
        ('["1","2","t","e"]', "a list of 4"),
        ('["1","2",3,"e",{}]', "topic"),
        ('["1","2","t",null,{}]', "event"),
        ('[1,"2","t","e",{}]', "join_ref"),
        ('["1",2,"t","e",{}]', "ref"),
        ('["1","2","t","e",[]]', "payload"),
        ('["1","2","t","e","x"]', "payload"),
        ("[" * 100000 + "]" * 100000, "nested too deep"),
    ],
)
def test_decode_text_errors(frame, fragment):
    with pytest.raises(FrameError, match="expected") as info:
        decode_text(frame)
    assert fragment in str(info.value)


def test_nested_too_deep_keeps_the_header_to_answer():
    """A payload too deep for the parser: the push's header is kept, so it can be answered."""
    deep = "[" * 100000 + "]" * 100000
    with pytest.raises(NestingError) as info:
        decode_text(f' [ "1" , "2","lv:x","event",{{"value":{deep}}}]')
    assert info.value.request == Message("1", "2", "lv:x", "event", {})
    for frame in [deep, f'["1",{deep},"t","e",{{}}]', f'["1","2",3,"e",{{"v":{deep}}}]', f'{{"a":{deep}}}']:
        with pytest.raises(NestingError) as info:
            decode_text(frame)
        assert info.value.request is None


def test_frame_error_is_a_value_error():
    assert issubclass(FrameError, ValueError)


def test_encode_text_is_compact_and_keeps_unicode():
    msg = Message("4", "5", "lv:x", "phx_reply", {"status": "ok", "response": {"t": "é ✓"}})
    expected = '["4","5","lv:x","phx_reply",{"status":"ok","response":{"t":"é ✓"}}]'
    assert encode_text(msg) == expected


def test_encode_text_server_push_nulls():
    assert encode_text(Message(None, None, "lv:x", "diff", {})) == '[null,null,"lv:x","diff",{}]'


def test_text_round_trip():
    msg = Message("1", "2", "lv:phx-1", "event", {"type": "click", "value": {"a": [1, None]}})
    assert decode_text(encode_text(msg)) == msg


def test_decode_binary_chunk_from_protocol_example():
    msg = decode_binary(CHUNK_HEADER + b"\x00\xffdata")
    assert msg == Message("9", "10", "lvu:0", "chunk", b"\x00\xffdata")
    assert type(msg.payload) is bytes


def test_decode_binary_accepts_memoryview_and_empty_payload():
    msg = decode_binary(memoryview(CHUNK_HEADER))
    assert msg == Message("9", "10", "lvu:0", "chunk", b"")
    assert type(msg.payload) is bytes


def test_decode_binary_utf8_fields():
    topic = "lvu:é".encode()
    frame = bytes([0, 1, 1, len(topic), 1]) + b"12" + topic + b"c" + b"x"
    assert decode_binary(frame) == Message("1", "2", "lvu:é", "c", b"x")


@pytest.mark.parametrize(
    ("frame", "fragment"),
    [
        (b"", "empty frame"),
        (b"\x01\x01\x01\x01\x01abcd", "got kind 1"),
        (b"\x02\x01\x01ab", "got kind 2"),
        (b"\x00\x01\x02", "5-byte binary push header"),
        (CHUNK_HEADER[:-1], "truncated"),
        (b"\x00\x01\x00\x01\x01\xff" + b"tc", "join_ref to be UTF-8"),
    ],
)
def test_decode_binary_errors(frame, fragment):
    with pytest.raises(FrameError) as info:
        decode_binary(frame)
    assert fragment in str(info.value)


def test_encode_binary_client_push_matches_protocol_example():
    msg = Message("9", "10", "lvu:0", "chunk", b"data")
    assert encode_binary_client_push(msg) == CHUNK_HEADER + b"data"


def test_binary_client_push_round_trip():
    msg = Message("3", "44", "lvu:12", "chunk", bytes(range(256)))
    assert decode_binary(encode_binary_client_push(msg)) == msg


def test_encode_binary_push_has_no_ref():
    msg = Message("9", "ignored", "lvu:0", "blob", b"\x01\x02")
    assert encode_binary_push(msg) == b"\x00\x01\x05\x04" + b"9lvu:0blob" + b"\x01\x02"


def test_encode_binary_push_null_join_ref_is_empty_field():
    msg = Message(None, None, "t", "e", bytearray(b"p"))
    assert encode_binary_push(msg) == b"\x00\x00\x01\x01te" + b"p"


def test_encode_binary_reply():
    frame = encode_binary_reply("9", "10", "lvu:0", "ok", b"resp")
    assert frame == b"\x01\x01\x02\x05\x02" + b"910lvu:0ok" + b"resp"


def test_binary_fields_longer_than_255_bytes_are_rejected():
    long_topic = "t" * 256
    with pytest.raises(ValueError, match="at most 255"):
        encode_binary_push(Message("1", None, long_topic, "e", b""))
    with pytest.raises(ValueError, match="at most 255"):
        encode_binary_reply("1", "2", "t", "é" * 128, b"")
    with pytest.raises(ValueError, match="at most 255"):
        encode_binary_client_push(Message("1", "2", "t", long_topic, b""))


def test_exactly_255_bytes_is_allowed():
    frame = encode_binary_client_push(Message("1", "2", "t" * 255, "e", b""))
    assert frame[3] == 255
    assert decode_binary(frame).topic == "t" * 255


def test_binary_encoders_require_bytes_payload():
    with pytest.raises(TypeError, match="encode_text"):
        encode_binary_push(Message("1", None, "t", "e", {"a": 1}))
    with pytest.raises(TypeError, match="bytes payload"):
        encode_binary_reply("1", "2", "t", "ok", "text")  # type: ignore[arg-type]


def test_reply_echoes_refs_and_topic():
    request = Message("4", "11", "lv:phx-1", "event", {"type": "click"})
    answer = reply(request, "ok", {"diff": {"0": "1"}})
    assert answer == Message(
        "4", "11", "lv:phx-1", "phx_reply", {"status": "ok", "response": {"diff": {"0": "1"}}}
    )
    assert encode_text(answer) == (
        '["4","11","lv:phx-1","phx_reply",{"status":"ok","response":{"diff":{"0":"1"}}}]'
    )


def test_heartbeat_reply_wire_format():
    heartbeat = decode_text('[null,"3","phoenix","heartbeat",{}]')
    assert encode_text(reply(heartbeat, "ok", {})) == (
        '[null,"3","phoenix","phx_reply",{"status":"ok","response":{}}]'
    )
