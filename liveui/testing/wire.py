"""The client end of one connection, as a browser would hold it: a dead render (over HTTP, or
in-process for the memory transport), then Phoenix frames over a WebSocket or in memory."""

from __future__ import annotations

import asyncio
import importlib
import json
import re
import secrets
import socket
from dataclasses import dataclass
from html import unescape
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

MEMORY_BASE = "http://liveui.test"

_CONTAINER = re.compile(r"<(\w+)[^>]*\sdata-phx-main[\s>=][^>]*>", re.S)
_ATTR = re.compile(r'([\w:-]+)="([^"]*)"')
_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]*)"')


@dataclass(slots=True)
class Page:
    """A dead render: status, HTML, redirect location and the tokens a join needs."""

    url: str
    status: int
    html: str
    location: str | None = None
    view_id: str | None = None
    session: str | None = None
    static: str | None = None
    csrf: str | None = None

    @property
    def topic(self) -> str:
        """The channel topic of the page's live view."""
        if self.view_id is None:
            raise AssertionError(f"no live view in the render of {self.url} (status {self.status})")
        return f"lv:{self.view_id}"


def parse_page(url: str, status: int, html: str, location: str | None) -> Page:
    page = Page(url, status, html, location)
    found = _CONTAINER.search(html)
    if found:
        attrs = {k: unescape(v) for k, v in _ATTR.findall(found.group(0))}
        page.view_id, page.session, page.static = attrs.get("id"), attrs.get("data-phx-session"), attrs.get("data-phx-static")
    csrf = _CSRF.search(html)
    page.csrf = unescape(csrf.group(1)) if csrf else None
    return page


class Wire:
    """Frames in and out of one connection; one subclass per transport (see `WIRES`).

    A wire does a dead render of a path (the tokens a join needs), connects, sends text frames,
    puts every frame the server sends into `inbox`, and closes, ending the server's views.
    """

    transport: str
    same_process = True  # whether the server's views run in the test's process (tests may reach into them)

    def __init__(self, app: Any, *, session: dict[str, Any] | None, timeout: float,
                 base_url: str | None = None) -> None:
        self.app = app
        self.timeout = timeout
        self.base_url = (base_url or MEMORY_BASE).rstrip("/")
        self.session = {"_id": "s-" + secrets.token_hex(6), **(session or {})}
        self.inbox: asyncio.Queue[Any] = asyncio.Queue()
        self._ref = 0

    def next_ref(self) -> str:
        self._ref += 1
        return str(self._ref)

    async def start(self) -> None:
        """Start what the transport needs before the first render (a server, a kernel...)."""

    async def render(self, path: str, flash: dict[str, Any] | None = None) -> Page:
        """A dead render of `path` with this client's session (and `flash`, after a redirect)."""
        raise NotImplementedError

    def carry_flash(self, token: str) -> dict[str, Any] | None:
        """What a full redirect does with a signed flash: returns the flash for the next render,
        or None when the transport carries it itself (a browser's cookie)."""
        return self.app.signer.verify("flash", token, 60)

    async def connect(self, csrf: str | None) -> None:
        raise NotImplementedError

    def send(self, frame: list[Any]) -> None:
        raise NotImplementedError

    def send_binary(self, frame: bytes) -> None:
        """Send a binary frame (an upload chunk)."""
        raise NotImplementedError

    async def drop(self) -> None:
        """Lose the connection as a failing network does; `connect` may follow."""
        raise NotImplementedError(f"the {self.transport} wire cannot drop its connection")

    async def close(self) -> None:
        """Close the connection (the server ends its views) and stop what `start` started."""


class MemoryWire(Wire):
    """In-process: the dead render is a function call, frames go through queues."""

    transport = "memory"

    def __init__(self, app: Any, **options: Any) -> None:
        super().__init__(app, **options)
        self._connection: Any = None
        self._flash: dict[str, Any] | None = None

    async def render(self, path: str, flash: dict[str, Any] | None = None) -> Page:
        from ..page import render_page

        url = urljoin(self.base_url + "/", path)
        # the flash a redirect leaves: over HTTP it rides in a cookie to the next page
        flash, self._flash = flash or self._flash, None
        result = await render_page(self.app, url, self.session, flash or {}, "")
        if result.location is not None:
            self._flash = result.flash
        return parse_page(url, result.status, result.html, result.location)

    async def connect(self, csrf: str | None) -> None:
        if self._connection is None:
            from ..transports.memory import connect

            self._connection, memory = connect(self.app, identity=self.session["_id"])
            self.inbox = memory.outbox

    def send(self, frame: list[Any]) -> None:
        self._connection.receive_text(json.dumps(frame, separators=(",", ":")))

    def send_binary(self, frame: bytes) -> None:
        self._connection.receive_binary(frame)

    async def drop(self) -> None:
        if self._connection is not None:
            self._connection.closed(reattachable=True)
            self._connection = None

    async def close(self) -> None:
        if self._connection is not None:
            endings = self._connection.view_endings()
            self._connection.closed()
            if endings:
                await asyncio.wait(endings, timeout=self.timeout)
            self._connection = None


class WebSocketWire(Wire):
    """A real server on 127.0.0.1 (started here unless `base_url` names one): the dead render
    over HTTP with a cookie jar, then frames over a WebSocket with cookie, Origin and CSRF token."""

    transport = "websocket"

    def __init__(self, app: Any, **options: Any) -> None:
        super().__init__(app, **options)
        self._own_server = options.get("base_url") is None
        self.cookies: dict[str, str] = {}
        self._server: Any = None
        self._ws: Any = None

    async def start(self) -> None:
        if self._own_server and self._server is None:
            from tornado.netutil import bind_sockets

            from ..server import http_server

            sockets = bind_sockets(0, "127.0.0.1", family=socket.AF_INET)
            self._server = http_server(self.app)
            self._server.add_sockets(sockets)
            self.base_url = f"http://127.0.0.1:{sockets[0].getsockname()[1]}"

    async def render(self, path: str, flash: dict[str, Any] | None = None) -> Page:
        from tornado.httpclient import AsyncHTTPClient, HTTPRequest

        from ..session import COOKIE

        url = urljoin(self.base_url + "/", path)
        if self.app is not None and COOKIE not in self.cookies:  # the test's session, signed as the server would
            self.cookies[COOKIE] = self.app.signer.sign("session-cookie", self.session)
        headers = {"Cookie": self.cookie_header()}
        response = await AsyncHTTPClient().fetch(
            HTTPRequest(url, headers=headers, follow_redirects=False, request_timeout=self.timeout), raise_error=False
        )
        for header in response.headers.get_list("Set-Cookie"):
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel.value and morsel["max-age"] != "0" and "1970" not in morsel["expires"]:
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        body = response.body.decode("utf-8") if response.body else ""
        return parse_page(url, response.code, body, response.headers.get("Location"))

    def carry_flash(self, token: str) -> None:
        """What the client does before a full-page redirect: the flash rides in a cookie."""
        self.cookies["__phoenix_flash__"] = token
        return None

    async def connect(self, csrf: str | None) -> None:
        if self._ws is not None:
            return
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        netloc = urlsplit(self.base_url).netloc
        request = HTTPRequest(
            f"ws://{netloc}/live/websocket?_csrf_token={quote(csrf or '')}&vsn=2.0.0",
            headers={"Cookie": self.cookie_header(), "Origin": self.base_url},
            connect_timeout=self.timeout, request_timeout=self.timeout,
        )
        self.inbox = asyncio.Queue()  # one per connection: the old one's end does not stop the new reader
        self._ws = await websocket_connect(request, on_message_callback=self.inbox.put_nowait)

    def send(self, frame: list[Any]) -> None:
        self._ws.write_message(json.dumps(frame, separators=(",", ":")))

    def send_binary(self, frame: bytes) -> None:
        self._ws.write_message(frame, binary=True)

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    async def drop(self) -> None:
        if self._ws is not None:
            self._ws.close()
            self._ws = None

    async def close(self) -> None:
        if self._ws is not None:
            self._ws.close()
            self._ws = None
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
            self._server = None


# transport name -> "module:class" of its wire (imported on first use: a host's extra may be missing)
WIRES: dict[str, str] = {
    "memory": f"{__name__}:MemoryWire",
    "websocket": f"{__name__}:WebSocketWire",
    "webview": "liveui.testing.webview_wire:WebviewWire",
    "comm": "liveui.testing.comm_wire:CommWire",
}


def wire_class(transport: str) -> type[Wire]:
    """The Wire subclass of `transport` (a key of `WIRES`)."""
    if transport not in WIRES:
        raise ValueError(f"transport must be one of {sorted(WIRES)}, got {transport!r}")
    module, _, name = WIRES[transport].partition(":")
    return getattr(importlib.import_module(module), name)


def open_wire(transport: str, app: Any, **options: Any) -> Wire:
    """The wire of `transport` (a key of `WIRES`) to `app`; options as `Wire`'s."""
    return wire_class(transport)(app, **options)
