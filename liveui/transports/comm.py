"""The Jupyter transport: an anywidget in the kernel whose custom messages carry Phoenix frames.

Every frontend rendering of the widget (a cell output; the same output shown twice is two) is one
connection, named by the id `c` its client picks (see js/src/comm_transport.js):

    client -> kernel   {c, open: 1} | {c, t: text} | {c, b: 1} + [bytes] | {c, ping: 1} | {c, close: code}
    kernel -> client   {c, opened: 1} | {c, t: text} | {c, b: 1} + [bytes] | {c, pong: 1} | {c, close: code, reason}

(A ping asks whether the kernel still knows the connection: a restarted kernel does not answer.)
A client also sends `{static: html}`, the view's HTML as it now shows, for the output's static copy,
and `{render: id}` for a dead render of its own (answered `{rendered: id, html}`): element ids are
unique in a page, so an output the page already shows joins its second copy with a new container.

Binary frames travel as message buffers, never as base64. Closing the widget, or its comm,
ends every connection and so every view. A client can vanish without a word (its notebook or
browser tab closed: by then the frontend can no longer send), so a connection silent for
`SILENCE` heartbeats of its client (`heartbeat` seconds apart) ends too.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from ..connection import Connection

WIDGET_JS = Path(__file__).resolve().parent.parent / "static" / "liveui-widget.js"

SILENCE = 2.5  # heartbeats a client may miss before its connection ends

WIDGET_CSS = """
.liveui-cell [data-phx-session].phx-client-error::before, .liveui-cell > .phx-client-error::before,
.liveui-cell [data-phx-session].phx-server-error::before {
  display: block; padding: 2px 6px; margin-bottom: 4px; font-size: 12px;
  color: #8a1f11; background: #fdecea; border-left: 3px solid #d93025;
}
.liveui-cell [data-phx-session].phx-client-error::before, .liveui-cell > .phx-client-error::before { content: "Disconnected from the kernel"; }
.liveui-cell [data-phx-session].phx-server-error::before { content: "This view crashed"; }
.liveui-cell .liveui-notice {
  padding: 4px 8px; margin-top: 4px; font-size: 13px; background: #fff8e1; border-left: 3px solid #f9a825;
}
"""


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class CommTransport:
    """The kernel end of one connection: sends frames to one client of the widget."""

    def __init__(self, widget: LiveWidget, cid: str) -> None:
        self.widget = widget
        self.cid = cid

    def send_text(self, frame: str) -> None:
        self.widget.send({"c": self.cid, "t": frame})

    def send_binary(self, frame: bytes) -> None:
        self.widget.send({"c": self.cid, "b": 1}, buffers=[frame])

    def close(self, code: int = 1001, reason: str = "") -> None:
        self.widget.send({"c": self.cid, "close": code, "reason": reason})
        self.widget.end(self.cid)


class LiveWidget(anywidget.AnyWidget):
    """A live view's cell output: the container of its dead render, then one connection per client."""

    _esm = WIDGET_JS
    _css = WIDGET_CSS
    html = traitlets.Unicode("").tag(sync=True)  # the view's container (or a notice) from the dead render
    url = traitlets.Unicode("/").tag(sync=True)  # the path the client joins the view with
    heartbeat = traitlets.Float(30.0).tag(sync=True)  # seconds between the client's heartbeats

    def __init__(self, endpoint: Any, **state: Any) -> None:
        super().__init__(**state)
        self.endpoint = endpoint
        self.connections: dict[str, Connection] = {}
        self._heard: dict[str, float] = {}  # connection id -> when it last sent something
        self._sweeper: asyncio.TimerHandle | None = None
        self.on_static: Callable[[str], None] | None = None  # called with each `{static: html}` of a client
        self.on_render: Callable[[], str] | None = None  # a new dead render, for each `{render: id}`
        self._loop = _running_loop()  # the views' loop: the kernel's main one (a cell runs in it)
        self.on_msg(self._receive)
        if self.comm is not None:
            self.comm.on_close(lambda _msg: self._on_loop(self.end_all))

    def _on_loop(self, handle: Callable[..., None], *args: Any) -> None:
        """Run `handle` on the views' loop. A kernel with subshells (ipykernel 7; JupyterLab sends
        widget messages on one) hands some messages over on another thread and its own loop:
        the views never run there, concurrently with themselves."""
        here = _running_loop()
        if self._loop is None:
            self._loop = here
        if self._loop is None or here is self._loop or self._loop.is_closed():
            handle(*args)
        else:
            self._loop.call_soon_threadsafe(handle, *args)

    def _receive(self, _widget: Any, content: Any, buffers: list[Any]) -> None:
        self._on_loop(self._handle, content, buffers)

    def _handle(self, content: Any, buffers: list[Any]) -> None:
        if not isinstance(content, dict):
            return
        if isinstance(content.get("static"), str) and self.on_static is not None:
            self.on_static(content["static"])
        if isinstance(content.get("render"), str):
            html = self.on_render() if self.on_render is not None else self.html
            self.send({"rendered": content["render"], "html": html})
        if not isinstance(content.get("c"), str):
            return
        cid = content["c"]
        connection = self.connections.get(cid)
        if "open" in content:
            if connection is None:
                info = {"peer_data": {"address": "jupyter-comm"}, "uri": self.url, "user_agent": "jupyter"}
                self.connections[cid] = Connection(self.endpoint, CommTransport(self, cid), info=info)
                self._heard[cid] = time.monotonic()
                self._sweep_later()
            self.send({"c": cid, "opened": 1})
            return
        if connection is None:
            return
        self._heard[cid] = time.monotonic()
        if "close" in content:  # the client disconnected (it may come back: a reload, a reconnect)
            self.end(cid, reattachable=True)
        elif "ping" in content:
            self.send({"c": cid, "pong": 1})
        elif "t" in content and isinstance(content["t"], str):
            connection.receive_text(content["t"])
        elif content.get("b") and buffers:
            connection.receive_binary(bytes(buffers[0]))

    def _sweep_later(self) -> None:
        if self._sweeper is None and self.connections:
            self._sweeper = asyncio.get_running_loop().call_later(self.heartbeat, self._sweep)

    def _sweep(self) -> None:
        """End the connections whose client has gone silent."""
        self._sweeper = None
        deadline = time.monotonic() - SILENCE * self.heartbeat
        for cid, heard in list(self._heard.items()):
            if heard < deadline:  # a reloaded page, a lost network: its views may be rejoined
                self.end(cid, reattachable=True)
        self._sweep_later()

    def end(self, cid: str, reattachable: bool = False) -> None:
        """End one client's connection: its views terminate (or wait for a rejoin, see
        `Connection.closed`)."""
        self._heard.pop(cid, None)
        connection = self.connections.pop(cid, None)
        if connection is not None:
            connection.closed(reattachable=reattachable)
        if not self.connections and self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None

    def end_all(self) -> None:
        """End every connection (the widget or its comm is closing)."""
        for cid in list(self.connections):
            self.end(cid)

    def close(self) -> None:
        """Tell each client, end its views, close the comm."""
        for cid in list(self.connections):
            if self.comm is not None:
                self.send({"c": cid, "close": 1000, "reason": "closed by the kernel"})
            self.end(cid)
        super().close()
