"""The Jupyter transport: an anywidget in the kernel whose custom messages carry Phoenix frames.

Every frontend rendering of the widget (a cell output; the same output shown twice is two) is one
connection, named by the id `c` its client picks (see js/src/comm_transport.js):

    client -> kernel   {c, open: 1} | {c, t: text} | {c, b: 1} + [bytes] | {c, close: code}
    kernel -> client   {c, opened: 1} | {c, t: text} | {c, b: 1} + [bytes] | {c, close: code, reason}

Binary frames travel as message buffers, never as base64. Closing the widget, or its comm
(the notebook closed, the kernel shutting down), ends every connection and so every view.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anywidget
import traitlets

from ..connection import Connection

WIDGET_JS = Path(__file__).resolve().parent.parent / "static" / "liveui-widget.js"

WIDGET_CSS = """
.liveui-cell [data-phx-session].phx-client-error::before,
.liveui-cell [data-phx-session].phx-server-error::before {
  display: block; padding: 2px 6px; margin-bottom: 4px; font-size: 12px;
  color: #8a1f11; background: #fdecea; border-left: 3px solid #d93025;
}
.liveui-cell [data-phx-session].phx-client-error::before { content: "Disconnected from the kernel"; }
.liveui-cell [data-phx-session].phx-server-error::before { content: "This view crashed"; }
.liveui-cell .liveui-notice {
  padding: 4px 8px; margin-top: 4px; font-size: 13px; background: #fff8e1; border-left: 3px solid #f9a825;
}
"""


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

    def __init__(self, endpoint: Any, **state: Any) -> None:
        super().__init__(**state)
        self.endpoint = endpoint
        self.connections: dict[str, Connection] = {}
        self.on_msg(self._receive)
        if self.comm is not None:
            self.comm.on_close(lambda _msg: self.end_all())

    def _receive(self, _widget: Any, content: Any, buffers: list[Any]) -> None:
        if not isinstance(content, dict) or not isinstance(content.get("c"), str):
            return
        cid = content["c"]
        connection = self.connections.get(cid)
        if "open" in content:
            if connection is None:
                info = {"peer_data": {"address": "jupyter-comm"}, "uri": self.url, "user_agent": "jupyter"}
                self.connections[cid] = Connection(self.endpoint, CommTransport(self, cid), info=info)
            self.send({"c": cid, "opened": 1})
        elif connection is None:
            return
        elif "t" in content and isinstance(content["t"], str):
            connection.receive_text(content["t"])
        elif content.get("b") and buffers:
            connection.receive_binary(bytes(buffers[0]))
        elif "close" in content:
            self.end(cid)

    def end(self, cid: str) -> None:
        """End one client's connection: its views terminate."""
        connection = self.connections.pop(cid, None)
        if connection is not None:
            connection.closed()

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
