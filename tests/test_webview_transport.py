"""The pywebview bridge transport: what one loop turn sends leaves as one script, scripts that
queue up are evaluated together, frames keep their order, binary frames cross intact (the
window tests use a real Qt window: `liveui.testing.webview_wire`)."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest

from liveui import App, LiveView
from liveui.serializer import decode_binary
from liveui.testing.wire import open_wire
from liveui.transports.webview import ScriptPoster, WebviewTransport, decode_frame, deliver_script


def frames_of(script: str) -> tuple[str, list]:
    """The socket id and frames of a `deliver_script`."""
    prefix = "window.liveuiDesktop.deliver("
    assert script.startswith(prefix) and script.endswith(")")
    socket_id, frames = json.loads("[" + script[len(prefix):-1] + "]")
    return socket_id, frames


async def test_one_loop_turn_of_frames_is_one_script() -> None:
    posted: list[str] = []
    transport = WebviewTransport("s1", posted.append, asyncio.get_running_loop())
    for n in range(100):
        transport.send_text(f'[null,"{n}","phoenix","phx_reply",{{}}]')
    transport.send_binary(b"\x00\xff")
    transport.close(1000, "bye")
    assert posted == []  # nothing leaves before the loop turns
    await asyncio.sleep(0)
    assert len(posted) == 1
    socket_id, frames = frames_of(posted[0])
    assert socket_id == "s1"
    assert frames[:100] == [f'[null,"{n}","phoenix","phx_reply",{{}}]' for n in range(100)]
    assert frames[100:] == [{"b": "AP8="}, {"close": 1000, "reason": "bye"}]
    transport.send_text("[]")  # nothing follows a close
    await asyncio.sleep(0)
    assert len(posted) == 1


def test_the_script_is_ascii_and_keeps_script_breaking_text_inert() -> None:
    script = deliver_script("s", ['"</script>\u2028\u00e9', {"b": "AA=="}])
    assert script.isascii()
    assert frames_of(script)[1] == ['"</script>\u2028\u00e9', {"b": "AA=="}]


def test_frames_from_the_page_decode() -> None:
    assert decode_frame("text") == "text"
    assert decode_frame({"b": "AAEC/w=="}) == b"\x00\x01\x02\xff"
    for bad in ({"b": "not base64!"}, {"x": 1}, 3, None):
        with pytest.raises(ValueError):
            decode_frame(bad)


def test_scripts_that_queue_up_are_evaluated_together() -> None:
    ran: list[str] = []
    first_running, release = threading.Event(), threading.Event()

    def run_js(script: str) -> None:
        ran.append(script)
        first_running.set()
        assert release.wait(5)

    poster = ScriptPoster(run_js)
    try:
        poster.post("a()")
        assert first_running.wait(5)
        for name in "bcd":  # the window is busy with a(): these wait, then go as one
            poster.post(f"{name}()")
        release.set()
    finally:
        poster.stop()
    assert ran == ["a()", "b();\nc();\nd()"]


async def test_a_stalled_window_is_bounded_then_its_sockets_close(caplog) -> None:
    """A page that stops running scripts: what waits for it stays under the limit, then the
    waiting scripts are dropped, its views end and its sockets get a close frame (1013)."""
    from liveui.transports.webview import Bridge

    ran: list[str] = []
    running, release = threading.Event(), threading.Event()

    def run_js(script: str) -> None:
        ran.append(script)
        running.set()
        assert release.wait(10)

    app = App()
    app.live("/", Echo)
    loop = asyncio.get_running_loop()
    holder: dict[str, ScriptPoster] = {}
    bridge = Bridge(app, loop, lambda script: holder["poster"].post(script))
    poster = holder["poster"] = ScriptPoster(run_js, limit=100_000, overflow=bridge.drop_all)
    try:
        bridge.open("s1", "http://liveui.desktop/")
        await asyncio.sleep(0)
        connection = bridge.connection("s1")
        connection.transport.send_text("first")
        await asyncio.sleep(0)
        assert running.wait(5)  # the window is now stuck in the first script
        for n in range(300):  # 300 loop turns of 1 kB each: 3x the limit (a closed transport sends nothing)
            connection.transport.send_text("x" * 1000)
            await asyncio.sleep(0)
            assert poster._waiting <= 100_000 + 1100
        for _ in range(10):
            await asyncio.sleep(0)
        assert not connection.open and bridge.connection("s1") is None
        assert sum("stopped running scripts" in r.getMessage() for r in caplog.records) >= 1
        release.set()
    finally:
        poster.stop()
    closes = [frame for script in ran[1:] for part in script.split(";\n") for frame in frames_of(part)[1]
              if isinstance(frame, dict)]
    assert closes == [{"close": 1013, "reason": "the window stalled"}]


async def test_a_socket_of_a_new_page_parks_the_sockets_of_the_page_before() -> None:
    """A window shows one page: when a reload (one the page could not catch) opens a socket, the
    sockets of the page before, never closed by it, are closed on the server (their views park)."""
    from liveui.transports.webview import Bridge

    app = App()
    app.live("/", Echo)
    bridge = Bridge(app, asyncio.get_running_loop(), lambda script: None)
    bridge.open("pagea.s1", "http://liveui.desktop/")
    bridge.open("pagea.s2", "http://liveui.desktop/")
    await asyncio.sleep(0)
    old = [bridge.connection("pagea.s1"), bridge.connection("pagea.s2")]
    assert all(connection is not None and connection.open for connection in old)
    bridge.open("pageb.s1", "http://liveui.desktop/")
    await asyncio.sleep(0)
    assert [connection.open for connection in old] == [False, False]  # type: ignore[union-attr]
    assert bridge.connection("pagea.s1") is None and bridge.connection("pagea.s2") is None
    assert bridge.connection("pageb.s1") is not None and bridge.connection("pageb.s1").open  # type: ignore[union-attr]


class Echo(LiveView):
    template = "<p id='n'>{{ n }}</p>"

    def mount(self, params, session, socket):
        socket.assign(n=0)


@pytest.fixture
async def wire():
    app = App()
    app.live("/", Echo)
    wire = open_wire("webview", app, session=None, timeout=10.0)
    await wire.start()
    await wire.connect(None)
    yield wire
    await wire.close()


async def test_frames_keep_their_order_through_the_window(wire) -> None:
    for n in range(1, 301):
        wire.send([None, str(n), "phoenix", "heartbeat", {}])
    refs = []
    for _ in range(300):
        frame = json.loads(await asyncio.wait_for(wire.inbox.get(), 10))
        assert frame[3:] == ["phx_reply", {"status": "ok", "response": {}}]
        refs.append(frame[1])
    assert refs == [str(n) for n in range(1, 301)]


async def test_binary_frames_cross_the_bridge_intact(wire) -> None:
    connection = wire.connection()
    received: list[bytes] = []
    connection.receive_binary = received.append  # what the server is handed, byte for byte
    payload = bytes(range(256)) * 40
    frame = bytes([0, 1, 1, 7, 11]) + b"1" + b"2" + b"lvu:abc" + b"allow_chunk" + payload
    wire.send_binary(frame)
    wire.send([None, "3", "phoenix", "heartbeat", {}])  # answered after the binary frame arrived
    assert json.loads(await asyncio.wait_for(wire.inbox.get(), 10))[1] == "3"
    assert received == [frame]
    message = decode_binary(received[0])
    assert (message.topic, message.event, message.payload) == ("lvu:abc", "allow_chunk", payload)

    connection.transport.send_binary(payload)  # server -> page -> back: the same bytes
    assert await asyncio.wait_for(wire.inbox.get(), 10) == payload


async def test_a_frame_whose_handler_throws_does_not_cost_the_next_ones(wire) -> None:
    socket = json.dumps(wire._id)
    wire._window.run(f"(() => {{ const s = liveuiWire.sockets.get({socket}); const pass = s.onmessage;"
                     f" s.onmessage = (e) => {{ if (e.data === 'boom') throw new Error('boom'); pass(e) }} }})()")
    wire.send([None, "1", "phoenix", "heartbeat", {}])  # the wrapper is in place once this is answered
    assert json.loads(await asyncio.wait_for(wire.inbox.get(), 10))[1] == "1"
    transport = wire.connection().transport
    transport.send_text("boom")  # one loop turn: one script with both frames
    transport.send_text('[null,"2","phoenix","phx_reply",{}]')
    assert json.loads(await asyncio.wait_for(wire.inbox.get(), 10))[1] == "2"
