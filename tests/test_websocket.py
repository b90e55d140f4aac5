"""The WebSocket transport (liveui/transports/websocket.py): socket options and frame plumbing."""

from __future__ import annotations

import os
import socket
import sys

sys.path.insert(0, os.path.dirname(__file__))

import liveui  # noqa: E402
from liveui import LiveView  # noqa: E402
from liveui.connection import Connection  # noqa: E402
from wire import WireClient, serve  # noqa: E402,F401


class Hello(LiveView):
    template = "<p>{{ greeting }}</p>"

    def mount(self, params, session, socket):
        socket.assign(greeting="hello")


async def test_every_websocket_disables_nagle(serve, monkeypatch):
    """Several small frames go out per event: without TCP_NODELAY the second waits ~40 ms."""
    opened: list[Connection] = []
    original = Connection.__init__

    def record(self, *args, **kwargs):
        original(self, *args, **kwargs)
        opened.append(self)

    monkeypatch.setattr(Connection, "__init__", record)
    app = liveui.App(secret_key="ws-tests")
    app.live("/hello", Hello)
    async with WireClient.websocket(await serve(app), "/hello") as client:
        reply = await client.join()
        assert reply["status"] == "ok"
        assert len(opened) == 1
        server_socket = opened[0].transport.ws_connection.stream.socket
        assert server_socket.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
