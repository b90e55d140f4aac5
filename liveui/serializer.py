"""Phoenix Channels V2 serializer: the frames the phoenix.js ``Socket`` sends and expects.

Text frames are JSON arrays ``[join_ref, ref, topic, event, payload]``; binary frames carry a
one-byte kind, one-byte field lengths, the fields, then raw payload bytes (docs/protocol.md §1.2–1.3).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

PUSH_KIND = 0
REPLY_KIND = 1
MAX_FIELD_BYTES = 255


class FrameError(ValueError):
    """A frame from the socket does not follow the V2 serializer format."""


class NestingError(FrameError):
    """A text frame whose payload nests deeper than the JSON parser goes; `request` is its
    header (payload `{}`) when that much parses, so the push can be answered."""

    def __init__(self, text: str, request: Message | None) -> None:
        super().__init__(text)
        self.request = request


@dataclass(slots=True)
class Message:
    """One channel message; ``payload`` is a dict (text frame) or ``bytes`` (binary push)."""

    join_ref: str | None
    ref: str | None
    topic: str
    event: str
    payload: Any


def decode_text(frame: str) -> Message:
    """Parse a text frame; extra trailing array elements are ignored, as the Phoenix server does."""
    try:
        data = json.loads(frame)
    except RecursionError:
        raise NestingError("expected a JSON text frame, got one nested too deep to parse", _header(frame)) from None
    except ValueError as exc:
        raise FrameError(
            f"expected a JSON text frame, got unparsable text ({exc}); "
            "send [join_ref, ref, topic, event, payload] as JSON"
        ) from None
    if not isinstance(data, list) or len(data) < 5:
        given = f"a list of {len(data)}" if isinstance(data, list) else type(data).__name__
        raise FrameError(
            f"expected a JSON array [join_ref, ref, topic, event, payload], got {given}; "
            "connect with vsn=2.0.0 so the client uses the V2 array format"
        )
    join_ref, ref, topic, event, payload = data[:5]
    if (join_ref is not None and type(join_ref) is not str) or (ref is not None and type(ref) is not str):
        name, value = ("join_ref", join_ref) if join_ref is not None and type(join_ref) is not str else ("ref", ref)
        raise FrameError(f"expected {name} to be a string or null, got {value!r}")
    if type(topic) is not str or type(event) is not str:
        name, value = ("topic", topic) if type(topic) is not str else ("event", event)
        raise FrameError(f"expected {name} to be a string, got {value!r}")
    if type(payload) is not dict:
        raise FrameError(
            f"expected payload to be a JSON object, got {type(payload).__name__}; "
            "wrap the value in an object, e.g. {\"value\": ...}"
        )
    return Message(join_ref, ref, topic, event, payload)


_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")


def _header(frame: str) -> Message | None:
    """The join_ref, ref, topic and event of a text frame whose payload did not parse."""
    fields = []
    at = _SPACE.match(frame).end()  # type: ignore[union-attr]
    if not frame.startswith("[", at):
        return None
    at += 1
    try:
        for _ in range(4):
            value, at = _DECODER.raw_decode(frame, _SPACE.match(frame, at).end())  # type: ignore[union-attr]
            fields.append(value)
            at = _SPACE.match(frame, at).end()  # type: ignore[union-attr]
            if not frame.startswith(",", at):
                return None
            at += 1
    except (ValueError, RecursionError):
        return None
    join_ref, ref, topic, event = fields
    if not all(f is None or type(f) is str for f in (join_ref, ref)) or type(topic) is not str or type(event) is not str:
        return None
    return Message(join_ref, ref, topic, event, {})


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def encode_text(msg: Message) -> str:
    """Serialize a message as a compact text frame."""
    return _ENCODER.encode([msg.join_ref, msg.ref, msg.topic, msg.event, msg.payload])


def decode_binary(frame: bytes | bytearray | memoryview) -> Message:
    """Parse a client binary push (kind 0, e.g. an upload chunk); the payload stays raw bytes."""
    data = bytes(frame)
    if not data:
        raise FrameError("expected a binary frame with a kind byte, got an empty frame")
    if data[0] != PUSH_KIND:
        raise FrameError(
            f"expected binary frame kind {PUSH_KIND} (push), got kind {data[0]}; "
            "clients may only send pushes as binary frames"
        )
    if len(data) < 5:
        raise FrameError(
            f"expected a 5-byte binary push header, got {len(data)} bytes; the frame is truncated"
        )
    lengths = data[1:5]
    end = 5 + sum(lengths)
    if len(data) < end:
        raise FrameError(
            f"expected {end} header bytes for fields of lengths {list(lengths)}, "
            f"got a {len(data)}-byte frame; the frame is truncated"
        )
    fields = []
    start = 5
    for name, length in zip(("join_ref", "ref", "topic", "event"), lengths):
        raw = data[start : start + length]
        start += length
        try:
            fields.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise FrameError(f"expected {name} to be UTF-8, got {raw!r}") from None
    join_ref, ref, topic, event = fields
    return Message(join_ref, ref, topic, event, data[end:])


def encode_binary_push(msg: Message) -> bytes:
    """Serialize a server push with a bytes payload (kind 0, no ref: the client format)."""
    return _pack(PUSH_KIND, (msg.join_ref, msg.topic, msg.event), _payload_bytes(msg.payload))


def encode_binary_reply(
    join_ref: str | None, ref: str | None, topic: str, status: str, payload: bytes
) -> bytes:
    """Serialize a reply with a bytes response (kind 1); the client sees it as ``phx_reply``."""
    return _pack(REPLY_KIND, (join_ref, ref, topic, status), _payload_bytes(payload))


def encode_binary_client_push(msg: Message) -> bytes:
    """Serialize a push as phoenix.js sends it (kind 0 with ref); used by test clients."""
    fields = (msg.join_ref, msg.ref, msg.topic, msg.event)
    return _pack(PUSH_KIND, fields, _payload_bytes(msg.payload))


def reply(msg: Message, status: str, response: dict) -> Message:
    """Build the ``phx_reply`` answering ``msg``; the client matches it to the push by ``ref``."""
    return Message(
        msg.join_ref, msg.ref, msg.topic, "phx_reply", {"status": status, "response": response}
    )


def _payload_bytes(payload: Any) -> bytes:
    if not isinstance(payload, (bytes, bytearray, memoryview)):
        raise TypeError(
            f"expected a bytes payload for a binary frame, got {type(payload).__name__}; "
            "send dict payloads with encode_text"
        )
    return bytes(payload)


def _pack(kind: int, fields: tuple[str | None, ...], payload: bytes) -> bytes:
    # A null join_ref/ref travels as an empty field, which phoenix.js treats as "no ref".
    encoded = [(field or "").encode("utf-8") for field in fields]
    for raw in encoded:
        if len(raw) > MAX_FIELD_BYTES:
            raise ValueError(
                f"expected binary header fields of at most {MAX_FIELD_BYTES} UTF-8 bytes, "
                f"got {len(raw)} bytes ({raw[:32]!r}...); shorten the topic/event/ref"
            )
    return bytes([kind, *map(len, encoded)]) + b"".join(encoded) + payload
