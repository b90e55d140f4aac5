"""Property-based fuzz of frames and event payloads (hypothesis): whatever a client sends, the
server logs no error, raises nothing, and a view on another connection keeps answering.

Each example opens a connection, joins a view, sends a few generated frames (malformed text and
binary, well-formed pushes to real and unknown topics, events with odd payloads), then either
sees the connection closed (a frame that is not a Phoenix message) or gets a heartbeat answered.
In memory, so a few hundred examples take seconds.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(__file__))

import liveui  # noqa: E402
from liveui import LiveComponent, LiveView  # noqa: E402
from wire import WireClient  # noqa: E402


class Note(LiveComponent):
    template = '<p id="{{ id }}" phx-target="{{ myself }}">{{ n }}</p>'

    def mount(self, socket):
        socket.assign(n=0)

    def handle_event(self, event, params, socket):
        socket.assign(n=socket.assigns.n + 1)


class Target(LiveView):
    """Counts whatever events arrive; has a component and an upload, so those paths run too."""

    template = '<p id="n">{{ n }}</p>{{ live_component(Note, id="note") }}'

    def mount(self, params, session, socket):
        socket.assign(n=0, Note=Note)
        socket.allow_upload("files", accept="any", max_entries=2, max_file_size=1000)

    def handle_event(self, event, params, socket):
        socket.assign(n=socket.assigns.n + 1)

    def handle_params(self, params, uri, socket):
        pass


APP = liveui.App(secret_key="fuzz-test-secret", reconnect_grace=0)  # a closed connection's views end at once
APP.live("/target", Target)
APP.live("/target/{id}", Target)

EVENTS = ["heartbeat", "event", "phx_join", "phx_leave", "live_patch", "allow_upload", "progress",
          "cids_will_destroy", "cids_destroyed", "chunk", "shout"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
form_keys = st.lists(st.sampled_from(["a", "b", "[", "]", "[]", "[x]", "%5B", "=", "&", "+", "%", "_target"]),
                     max_size=12).map("".join)
deep_keys = st.integers(0, 3000).map(lambda n: "a" + "[b]" * n)
form_values = st.lists(st.tuples(form_keys | deep_keys, st.text(max_size=5)), max_size=5).map(
    lambda pairs: "&".join(f"{k}={v}" for k, v in pairs))


@st.composite
def event_payloads(draw: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "type": draw(st.just("form") | st.sampled_from(["click", "keyup", "focus", "hook", "x"])),
        "event": draw(st.sampled_from(["inc", "lv:clear-flash", "lv:x", "save"]) | st.text(max_size=10) | json_values),
        "value": draw(form_values | json_values),
    }
    for key, values in [("cid", st.integers(-2, 3) | json_values), ("meta", json_values), ("uploads", json_values),
                        ("ref", json_values), ("entries", json_values), ("entry_ref", json_values),
                        ("progress", json_values), ("url", st.sampled_from(["/target/2", "/nope", "//x"]) | json_values),
                        ("cids", json_values)]:
        if draw(st.booleans()) and draw(st.booleans()):
            payload[key] = draw(values)
    return payload


@st.composite
def frames(draw: Any, topic: str, join_ref: str) -> Any:
    kind = draw(st.sampled_from(["text", "binary", "array", "deep", "push", "event", "event", "event"]))
    if kind == "event":  # an event for the joined view: it reaches the view's decoding and callbacks
        return [join_ref, "902", topic, "event", draw(event_payloads())]
    if kind == "deep":  # a push whose value nests as deep as the parser may or may not follow
        depth = draw(st.integers(1, 3000))
        return f'["{join_ref}","901","{topic}","event",{{"type":"click","event":"inc","value":{"[" * depth}{"]" * depth}}}]'
    if kind == "text":
        return draw(st.text(max_size=40))
    if kind == "binary":
        return draw(st.binary(max_size=40))
    if kind == "array":
        return draw(st.lists(json_values, max_size=6))
    chosen_topic = draw(st.sampled_from([topic, topic, "phoenix", "lv:other", "lvu:0"]) | st.text(max_size=8))
    ref = draw(st.sampled_from([join_ref, None, "77"]) | st.text(max_size=3))
    event = draw(st.just("event") | st.sampled_from(EVENTS) | st.text(max_size=8))
    payload = draw(event_payloads() if event == "event" else st.dictionaries(st.text(max_size=8), json_values, max_size=3))
    return [ref, "900", chosen_topic, event, payload]


@pytest.fixture
def errors(caplog):
    caplog.set_level(logging.WARNING)
    return caplog


@pytest.fixture
async def other():
    async with WireClient.memory(APP, "/target") as client:
        assert (await client.join())["status"] == "ok"
        yield client


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
async def test_fuzzed_frames_never_break_the_server(data, other, errors):
    async with WireClient.memory(APP, "/target") as client:
        assert (await client.join())["status"] == "ok"
        for _ in range(data.draw(st.integers(1, 4), label="frames")):
            frame = data.draw(frames(client.topic, client.join_refs[client.topic]), label="frame")
            if isinstance(frame, list):
                client.send_frame(frame)
            else:
                client.send_raw(frame)
        if client.connection.open:
            await client.heartbeat()
        else:
            await client.closed_by_server()
    assert (await other.event("inc"))["status"] == "ok"
    bad = [r for r in errors.records if r.levelno >= logging.ERROR]
    assert bad == [], bad[0].getMessage()[:500]
    assert all(len(r.getMessage()) <= 1100 for r in errors.records)
