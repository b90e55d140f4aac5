"""A minimal Phoenix LiveView client (Channels V2 JSON over a real WebSocket).

It does what the browser's phoenix.js + LiveSocket do for one root view, and no
more: GET the page (dead render), read the CSRF meta tag and the container's
id / data-phx-session / data-phx-static, open ``/live/websocket?_csrf_token=..
&vsn=2.0.0`` with the page's cookies and an Origin header, ``phx_join`` the
``lv:<id>`` topic, then push ``event`` messages one at a time and time each
until the ``phx_reply`` that carries the same ref.

HTTP goes through tornado's client (not timed); the WebSocket side uses the
``websockets`` package, whose client costs less CPU per frame than tornado's,
so the client core saturates later in the many-clients phases.

No permessage-deflate is offered, so the reply size measured is the JSON text.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed


class ProtocolError(RuntimeError):
    pass


@dataclass
class TargetConfig:
    """Per-target wire details (all three targets currently share the defaults).

    * ``ws_path``: the socket endpoint (phoenix.js appends /websocket to "/live").
    * ``csrf_in_query``: pass the meta csrf token as ``_csrf_token`` in the
      WebSocket URL (Phoenix validates it there; pyview ignores it, harmless).
    """

    ws_path: str = "/live/websocket"
    csrf_in_query: bool = True


DEFAULT_CONFIG = TargetConfig()


@dataclass
class DeadRender:
    csrf_token: str
    view_id: str
    session: str
    static: str | None


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.csrf: str | None = None
        self.view: dict[str, str | None] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and a.get("name") == "csrf-token":
            self.csrf = a.get("content") or ""
        elif (
            self.view is None
            and "data-phx-session" in a
            and "data-phx-parent-id" not in a
        ):
            self.view = a

    handle_startendtag = handle_starttag


def parse_dead_render(html: str) -> DeadRender:
    p = _PageParser()
    p.feed(html)
    p.close()
    if p.view is None:
        raise ProtocolError("no [data-phx-session] container in the dead render")
    if p.csrf is None:
        raise ProtocolError('no <meta name="csrf-token"> in the dead render')
    view_id = p.view.get("id")
    if not view_id:
        raise ProtocolError("LiveView container has no id")
    static = p.view.get("data-phx-static")
    return DeadRender(
        csrf_token=p.csrf,
        view_id=view_id,
        session=p.view.get("data-phx-session") or "",
        static=static if static else None,  # "" is sent as null, like phoenix.js
    )


def _cookie_header(set_cookie_values: list[str]) -> str:
    jar = SimpleCookie()
    for value in set_cookie_values:
        try:
            jar.load(value)
        except Exception:  # malformed cookie: ignore, like a lenient browser
            continue
    return "; ".join(f"{k}={m.value}" for k, m in jar.items())


class LiveClient:
    """One browser tab: one WebSocket, one joined root LiveView."""

    def __init__(
        self,
        base_url: str,
        path: str,
        config: TargetConfig = DEFAULT_CONFIG,
        timeout: float = 10.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.path = path
        self.config = config
        self.timeout = timeout
        self.ws: ClientConnection | None = None
        self.topic = ""
        self.join_ref = ""
        self._ref = 0
        self.join_reply_bytes = 0
        self.join_response: dict | None = None
        self.last_reply: list | None = None

    def _next_ref(self) -> str:
        self._ref += 1
        return str(self._ref)

    async def connect(self) -> "LiveClient":
        page_url = self.base_url + self.path
        http = AsyncHTTPClient()
        resp = await http.fetch(
            HTTPRequest(page_url, headers={"Accept": "text/html"}, request_timeout=self.timeout),
            raise_error=True,
        )
        dead = parse_dead_render(resp.body.decode("utf-8", "replace"))
        cookie = _cookie_header(resp.headers.get_list("Set-Cookie"))

        query = {"vsn": "2.0.0"}
        if self.config.csrf_in_query:
            query = {"_csrf_token": dead.csrf_token, "vsn": "2.0.0"}
        ws_url = "ws" + self.base_url[len("http"):] + self.config.ws_path + "?" + urlencode(query)
        self.ws = await ws_connect(
            ws_url,
            origin=self.base_url,
            additional_headers={"Cookie": cookie} if cookie else None,
            compression=None,
            proxy=None,
            open_timeout=self.timeout,
            ping_interval=None,
            close_timeout=1.0,
            max_size=64 * 1024 * 1024,
        )

        try:
            await self._join(page_url, dead)
        except BaseException:
            await self.close()
            raise
        return self

    async def _join(self, page_url: str, dead: DeadRender) -> None:
        assert self.ws is not None
        self.topic = "lv:" + dead.view_id
        self.join_ref = self._next_ref()
        join = {
            "url": page_url,
            "params": {"_csrf_token": dead.csrf_token, "_mounts": 0, "_mount_attempts": 0},
            "session": dead.session,
            "static": dead.static,
        }
        async with asyncio.timeout(self.timeout):
            await self.ws.send(json.dumps([self.join_ref, self.join_ref, self.topic, "phx_join", join]))
            frame, size = await self._reply(self.join_ref)
        payload = frame[4]
        if not isinstance(payload, dict) or payload.get("status") != "ok":
            raise ProtocolError(f"join refused: {str(payload)[:300]}")
        self.join_reply_bytes = size
        self.join_response = payload.get("response")

    async def _reply(self, ref: str) -> tuple[list, int]:
        """Read frames until the phx_reply for ``ref``; other frames are skipped."""
        ws = self.ws
        assert ws is not None
        while True:
            try:
                msg = await ws.recv()
            except ConnectionClosed as e:
                raise ProtocolError(f"socket closed while waiting for ref {ref}: {e}") from None
            if isinstance(msg, bytes):
                continue
            frame = json.loads(msg)
            if frame[1] == ref and frame[3] == "phx_reply":
                size = len(msg) if msg.isascii() else len(msg.encode("utf-8"))
                return frame, size

    async def push_event(self, payload: dict) -> tuple[int, int]:
        """Send one ``event`` and wait for its reply.

        Returns (round trip in ns, reply text frame length in bytes).
        """
        ref = self._next_ref()
        data = json.dumps([self.join_ref, ref, self.topic, "event", payload])
        ws = self.ws
        assert ws is not None
        async with asyncio.timeout(self.timeout):
            t0 = time.perf_counter_ns()
            await ws.send(data)
            frame, size = await self._reply(ref)
            t1 = time.perf_counter_ns()
        self.last_reply = frame
        status = frame[4].get("status") if isinstance(frame[4], dict) else None
        if status != "ok":
            raise ProtocolError(f"event reply not ok: {str(frame[4])[:300]}")
        return t1 - t0, size

    async def close(self) -> None:
        ws, self.ws = self.ws, None
        if ws is not None:
            try:
                await ws.close()
            except Exception:  # noqa: BLE001 - tearing down anyway
                pass


def counter_event(client_index: int, k: int) -> dict:
    return {"type": "click", "event": "inc", "value": {"value": ""}}


def table_event(client_index: int, k: int, rows: int = 1000) -> dict:
    # spread the rows: a stride co-prime with 1000 visits every row
    row = (client_index * 37 + k * 7919) % rows + 1
    return {"type": "click", "event": "bump", "value": {"id": str(row)}}
