"""The comm transport's own behaviour, in a real kernel (the test is the frontend): binary frames
travel as comm message buffers both ways, and closing the widget ends its views."""

from __future__ import annotations

import json
import os
import sys
import threading

import pytest

pytest.importorskip("anywidget", reason="the comm transport needs the jupyter extra")

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from examples.gallery import make_app  # noqa: E402
from liveui import App, LiveView  # noqa: E402
from liveui.serializer import Message, encode_binary_client_push  # noqa: E402
from liveui.testing.client import Client  # noqa: E402
from liveui.testing.comm_wire import CommWire  # noqa: E402


@pytest.fixture
async def wire():
    wire = CommWire(make_app("comm-tests"), session=None, timeout=5)
    await wire.start()
    page = await wire.render("/counter")
    await wire.connect(None)
    wire.page = page
    yield wire
    await wire.close()


async def next_frame(wire: CommWire) -> str | bytes:
    import asyncio

    return await asyncio.wait_for(wire.inbox.get(), wire.timeout)


async def test_a_binary_frame_from_the_client_arrives_as_bytes(wire):
    frame = encode_binary_client_push(Message("1", "7", "lv:nowhere", "chunk", b"\x00\xffraw bytes"))
    comm = wire._current
    wire._custom(comm, {"c": wire._comms[comm], "b": 1}, [frame])  # a buffer, not base64 in the JSON
    reply = json.loads(await next_frame(wire))
    assert reply == ["1", "7", "lv:nowhere", "phx_reply", {"status": "error", "response": {"reason": "unmatched topic"}}]


async def test_a_binary_frame_from_the_kernel_arrives_as_bytes(wire):
    await wire._execute(
        f"_c = _lw._widgets[{wire.key!r}][0]\n"
        "next(iter(_c.connections.values())).transport.send_binary(bytes(range(256)))"
    )
    assert await next_frame(wire) == bytes(range(256))


async def test_closing_the_widget_ends_its_views(wire):
    join = wire.next_ref()
    wire.send([join, join, wire.page.topic, "phx_join", {"url": wire.page.url, "session": wire.page.session,
                                                         "static": wire.page.static, "params": {}}])
    reply = json.loads(await next_frame(wire))
    assert reply[3] == "phx_reply" and reply[4]["status"] == "ok"
    result = await wire._execute(
        "import asyncio\n"
        f"_c = _lw._widgets[{wire.key!r}][0]\n"
        "_channels = [ch for conn in _c.connections.values() for ch in conn.channels.values()]\n"
        "_c.close()\n"
        "await asyncio.wait([ch.done for ch in _channels], timeout=5)\n"
        "_ended = [ch.done.done() for ch in _channels]",
        {"ended": "_ended", "open": "len(_c.connections)"},
    )
    assert result["user_expressions"]["ended"]["data"]["text/plain"] == "[True]"
    assert result["user_expressions"]["open"]["data"]["text/plain"] == "0"


class Whereabouts(LiveView):
    """Shows the thread its event ran on."""

    template = '<p id="thread">{{ thread }}</p><button phx-click="where">where</button>'

    def mount(self, params, session, socket):
        socket.assign(thread="")

    def handle_event(self, event, params, socket):
        socket.assign(thread=threading.current_thread().name)


async def test_widget_messages_on_a_kernel_subshell_run_the_view_on_the_main_thread():
    """JupyterLab sends widget messages on a kernel subshell (its own thread and loop) when the
    kernel has them; the views still run on the kernel's main thread, one at a time."""
    app = App(secret_key="comm-subshell")
    app.live("/", Whereabouts)
    client = Client(app, transport="comm")
    try:
        view, _ = await client.live("/")
        assert client.wire._subshell is not None, "this kernel has no subshells: the test proves nothing"
        html = await view.element("button", "where").render_click()
        assert '<p id="thread">MainThread</p>' in html
    finally:
        await client.close()
