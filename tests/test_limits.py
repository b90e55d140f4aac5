"""The server's limits against clients that misbehave at the connection level (docs/security.md):
a client that stops reading, stalled requests and silent sockets, foreign Host names, a client
gone while frames were queued. The clients here are raw sockets, so they can stall on purpose.
"""

from __future__ import annotations

import asyncio
import base64
import gc
import json
import logging
import os
import socket
import struct
import sys
from typing import Any
from urllib.parse import urlsplit

import pytest

sys.path.insert(0, os.path.dirname(__file__))

import liveui  # noqa: E402
from liveui import LiveView  # noqa: E402
from wire import Recorder, WireClient, serve  # noqa: E402,F401

SECRET = "limits-test-secret"
TERMINATED = Recorder()
PUSHED = Recorder()  # a view id per chunk pushed
CHUNK = "x" * 65_536


class Flood(LiveView):
    """Pushes `n` 64 KiB events on "flood": far more than a stalled client's socket buffers hold."""

    template = '<p id="n">{{ n }}</p>'

    def mount(self, params, session, socket):
        socket.assign(n=0)

    def handle_event(self, event, params, socket):
        if event == "flood":
            for _ in range(int(params["n"])):
                socket.ref.send("chunk")
        socket.assign(n=socket.assigns.n + 1)

    def handle_info(self, message, socket):
        socket.push_event("chunk", {"data": CHUNK})
        PUSHED.record(socket.id)

    def terminate(self, reason, socket):
        TERMINATED.record((socket.id, reason))


def make_app(**options: Any) -> liveui.App:
    # views end with their connection here (no reconnect grace), so that terminate shows the drop
    app = liveui.App(secret_key=SECRET, **{"reconnect_grace": 0, **options})
    app.live("/flood", Flood)
    return app


# -- a raw WebSocket client: it reads only when told to --------------------------------------------


class RawSocket:
    """A WebSocket client over a plain TCP socket with a small receive buffer."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.ref = 0

    @classmethod
    async def upgrade(cls, base: str, *, host: str | None = None, origin: str | None = None, cookie: str = "",
                      query: str = "vsn=2.0.0") -> tuple[RawSocket, int]:
        """Connect and ask for the upgrade; returns the socket and the HTTP status answered."""
        parts = urlsplit(base)
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, (parts.hostname, parts.port))
        reader, writer = await asyncio.open_connection(sock=sock)
        host = host or parts.netloc
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write((f"GET /live/websocket?{query} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
                      f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                      f"Origin: {origin or 'http://' + host}\r\nCookie: {cookie}\r\n\r\n").encode())
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        return cls(reader, writer), int(head.split(b" ", 2)[1])

    def send_text(self, text: str) -> None:
        data = text.encode()
        mask = os.urandom(4)
        length = len(data)
        header = bytes([0x81]) + (bytes([0x80 | length]) if length < 126 else
                                  bytes([0x80 | 126]) + struct.pack("!H", length) if length < 65536 else
                                  bytes([0x80 | 127]) + struct.pack("!Q", length))
        self.writer.write(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def push(self, join_ref: str | None, topic: str, event: str, payload: dict[str, Any]) -> str:
        """Send a push (a join when `join_ref` is None: its ref is its join_ref); returns its ref."""
        self.ref += 1
        ref = str(self.ref)
        self.send_text(json.dumps([join_ref or ref, ref, topic, event, payload]))
        return ref

    async def ended(self, timeout: float = 5.0) -> bool:
        """Read frames until the server sends a close frame or ends the connection: True when it
        did within `timeout`."""
        try:
            await asyncio.wait_for(self._until_closed(), timeout)
        except (TimeoutError, asyncio.TimeoutError):
            return False
        return True

    async def _until_closed(self) -> None:
        try:
            while True:
                head = await self.reader.readexactly(2)
                length = head[1] & 0x7F
                if length >= 126:
                    length = int.from_bytes(await self.reader.readexactly(2 if length == 126 else 8), "big")
                await self.reader.readexactly(length)
                if head[0] & 0x0F == 0x8:
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            return

    def abort(self) -> None:
        self.writer.transport.abort()


async def joined_raw(base: str) -> tuple[RawSocket, str, str]:
    """A dead render over HTTP, then a raw socket that joins its view; returns (socket, topic, join_ref)."""
    client = WireClient.websocket(base, "/flood")
    page = await client.render("/flood")
    raw, status = await RawSocket.upgrade(base, cookie=client.cookie_header(),
                                          query=f"_csrf_token={page.csrf}&vsn=2.0.0")
    assert status == 101
    payload = {"params": {"_csrf_token": page.csrf, "_mounts": 0}, "session": page.session,
               "static": page.static, "url": page.url}
    join_ref = raw.push(None, page.topic, "phx_join", payload)
    return raw, page.topic, join_ref


# -- a client that stops reading ---------------------------------------------------------------------


async def test_a_client_that_stops_reading_is_dropped_at_the_buffer_limit(serve, caplog):
    caplog.set_level(logging.WARNING)
    app = make_app(outgoing_buffer=256 * 1024)
    base = await serve(app)
    raw, topic, join_ref = await joined_raw(base)
    raw.push(join_ref, topic, "event", {"type": "click", "event": "flood", "value": {"n": 400}})  # 25 MiB
    view_id = topic[3:]
    await TERMINATED.wait(lambda items: (view_id, "disconnect") in items, timeout=10)
    assert await raw.ended()
    dropped = [r for r in caplog.records if "stopped reading" in r.getMessage()]
    assert len(dropped) == 1 and dropped[0].levelno == logging.WARNING
    # the server stays healthy for others
    async with WireClient.websocket(base, "/flood") as other:
        assert (await other.join())["status"] == "ok"
        assert (await other.event("flood", {"n": 3}))["status"] == "ok"


async def test_a_reading_client_gets_more_than_the_buffer(serve):
    """The limit is on what waits unsent, not on how much a connection may receive."""
    app = make_app(outgoing_buffer=256 * 1024)
    async with WireClient.websocket(await serve(app), "/flood") as client:
        assert (await client.join())["status"] == "ok"
        assert (await client.event("flood", {"n": 40}))["status"] == "ok"  # 2.5 MiB
        for _ in range(40):
            assert (await client.expect("diff"))[4]["e"][0][0] == "chunk"


async def test_frames_queued_for_a_client_that_left_log_nothing(serve, caplog):
    """A client gone while frames wait to be written: no 'exception was never retrieved' per frame."""
    caplog.set_level(logging.WARNING)
    app = make_app()  # the default buffer holds all of this
    base = await serve(app)
    raw, topic, join_ref = await joined_raw(base)
    raw.push(join_ref, topic, "event", {"type": "click", "event": "flood", "value": {"n": 100}})
    view_id = topic[3:]
    await PUSHED.wait(lambda items: items.count(view_id) == 100)  # queued behind the client's full buffer
    raw.abort()
    await TERMINATED.wait(lambda items: (view_id, "disconnect") in items, timeout=10)
    for _ in range(3):  # a never-retrieved exception is reported when its task is collected
        gc.collect()
        await asyncio.sleep(0)
    unretrieved = [r for r in caplog.records if "never retrieved" in r.getMessage()]
    assert unretrieved == []


# -- stalled requests and silent sockets ------------------------------------------------------------


async def test_incomplete_request_headers_time_out(serve):
    base = await serve(make_app(header_timeout=0.3))
    parts = urlsplit(base)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    writer.write(b"GET /flood HTTP/1.1\r\nHost: " + parts.netloc.encode() + b"\r\nX-Slow: ")
    assert await asyncio.wait_for(reader.read(), 5) == b""  # closed without an answer
    writer.close()


async def test_a_silent_websocket_is_closed_and_a_heartbeating_one_is_not(serve):
    app = make_app(idle_timeout=0.5)
    base = await serve(app)
    raw, topic, _ = await joined_raw(base)
    async with WireClient.websocket(base, "/flood") as client:
        assert (await client.join())["status"] == "ok"
        loop = asyncio.get_running_loop()
        start = loop.time()
        while loop.time() - start < 1.5:  # three idle timeouts, heartbeating as phoenix.js does
            assert await client.heartbeat() == {"status": "ok", "response": {}}
            await asyncio.sleep(0.1)
        assert await raw.ended()  # the raw socket said nothing after its join: closed long ago
        await TERMINATED.wait(lambda items: (topic[3:], "disconnect") in items)
        assert (await client.event("flood", {"n": 0}))["status"] == "ok"


# -- foreign Host names (DNS rebinding) -------------------------------------------------------------


async def fetch(url: str, host: str) -> int:
    from tornado.httpclient import AsyncHTTPClient, HTTPRequest

    response = await AsyncHTTPClient().fetch(HTTPRequest(url, headers={"Host": host}, request_timeout=5),
                                             raise_error=False)
    return response.code


async def test_a_foreign_host_is_refused(serve):
    base = await serve(make_app())
    port = urlsplit(base).port
    for name in ["rebind.example", "127.0.0.1.rebind.example", "localhost.example"]:
        assert await fetch(base + "/flood", f"{name}:{port}") == 400
        assert await fetch(base + "/liveui/static/liveui.js", f"{name}:{port}") == 400
        raw, status = await RawSocket.upgrade(base, host=f"{name}:{port}")
        assert status == 403
        raw.abort()
    for name in ["localhost", "127.0.0.1", "[::1]", "LOCALHOST"]:
        assert await fetch(base + "/flood", f"{name}:{port}") == 200
        raw, status = await RawSocket.upgrade(base, host=f"{name}:{port}")
        assert status == 101
        raw.abort()


async def test_listed_hosts_are_served(serve):
    base = await serve(make_app(hosts=["App.Example:8000", "*.apps.example"]))  # a port in the list is ignored
    port = urlsplit(base).port
    for name, code in [("app.example", 200), ("a.apps.example", 200), ("apps.example", 400),
                       ("rebind.example", 400), ("localhost", 400)]:
        assert await fetch(base + "/flood", f"{name}:{port}") == code, name
    raw, status = await RawSocket.upgrade(base, host=f"app.example:{port}")
    assert status == 101
    raw.abort()
    base_any = await serve(make_app(hosts=["*"]))
    assert await fetch(base_any + "/flood", "anything.example") == 200
