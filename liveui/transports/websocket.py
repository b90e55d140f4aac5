"""The browser transport: a Tornado WebSocket at /live/websocket."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import tornado.websocket

from ..connection import Connection
from ..session import read_session
from ..tokens import check_csrf


class LiveSocketHandler(tornado.websocket.WebSocketHandler):
    """One browser connection: frames in and out, the session cookie for CSRF checks."""

    def initialize(self, app: Any) -> None:
        self.app = app
        self.connection: Connection | None = None

    def check_origin(self, origin: str) -> bool:
        return urlsplit(origin).netloc == self.request.host or origin in self.app.allowed_origins

    def open(self, *args: Any, **kwargs: Any) -> None:
        self.set_nodelay(True)  # several small frames per event: without it Nagle holds them ~40 ms
        session = read_session(self, self.app.signer)
        session_id = session["_id"] if session else None
        signer = self.app.signer

        def csrf(token: Any) -> bool:
            return session_id is not None and check_csrf(signer, token, session_id)

        request = self.request
        info = {
            "peer_data": {"address": request.remote_ip},
            "user_agent": request.headers.get("User-Agent"),
            "uri": request.full_url(),
            "x_headers": {k: v for k, v in request.headers.items() if k.lower().startswith("x-")},
            "trace_context_headers": {k: v for k, v in request.headers.items() if k.lower() in ("traceparent", "tracestate")},
        }
        self.connection = Connection(self.app, self, csrf=csrf, info=info, identity=session_id)

    def on_message(self, message: str | bytes) -> None:
        if self.connection is None:
            return
        if isinstance(message, bytes):
            self.connection.receive_binary(message)
        else:
            self.connection.receive_text(message)

    def on_close(self) -> None:
        if self.connection is not None:  # a page that is gone leaves its views first; this may be a drop
            self.connection.closed(reattachable=True)

    def send_text(self, frame: str) -> None:
        self._send(frame, binary=False)

    def send_binary(self, frame: bytes) -> None:
        self._send(frame, binary=True)

    def _send(self, frame: str | bytes, binary: bool) -> None:
        try:
            self.write_message(frame, binary=binary)
        except tornado.websocket.WebSocketClosedError:
            pass
