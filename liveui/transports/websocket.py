"""The browser transport: a Tornado WebSocket at /live/websocket.

Limits (docs/security.md): the upgrade is refused (403) for a Host the app does not serve or a
foreign Origin; a socket silent for `App.idle_timeout` seconds (no frame, no pong: the client
heartbeats every 30 s) is closed; a client that stops reading may leave at most
`App.outgoing_buffer` bytes unsent, then its connection is dropped. Either way its views wait
for the client's rejoin for their reconnect grace period (docs/reconnect.md).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

import tornado.ioloop
import tornado.web
import tornado.websocket
from tornado.iostream import StreamBufferFullError

from ..connection import Connection
from ..origin import host_allowed
from ..session import read_session
from ..tokens import check_csrf

log = logging.getLogger("liveui")

IDLE = 1001  # the close code of a silent socket ("going away"; the client reconnects)


class LiveSocketHandler(tornado.websocket.WebSocketHandler):
    """One browser connection: frames in and out, the session cookie for CSRF checks."""

    def initialize(self, app: Any) -> None:
        self.app = app
        self.connection: Connection | None = None
        self._heard = 0.0  # loop time of the last frame or pong from the client
        self._idle: Any = None  # the timer that closes a silent socket
        self._loop: Any = None

    def prepare(self) -> None:
        if not host_allowed(self.app.hosts, self.request):
            raise tornado.web.HTTPError(403, "host %r is not served (App(hosts=...))", self.request.host[:100])

    def check_origin(self, origin: str) -> bool:
        return urlsplit(origin).netloc == self.request.host or origin in self.app.allowed_origins

    def open(self, *args: Any, **kwargs: Any) -> None:
        self.set_nodelay(True)  # several small frames per event: without it Nagle holds them ~40 ms
        self.ws_connection.stream.max_write_buffer_size = self.app.outgoing_buffer  # type: ignore[union-attr]
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
        self._loop = tornado.ioloop.IOLoop.current()
        self._heard = self._loop.time()
        self._idle = self._loop.call_later(self.app.idle_timeout, self._check_idle)

    def on_message(self, message: str | bytes) -> None:
        if self.connection is None:
            return
        self._heard = self._loop.time()
        if isinstance(message, bytes):
            self.connection.receive_binary(message)
        else:
            self.connection.receive_text(message)

    def on_pong(self, data: bytes) -> None:
        self._heard = self._loop.time()

    def _check_idle(self) -> None:
        quiet = self._loop.time() - self._heard
        if quiet < self.app.idle_timeout:
            self._idle = self._loop.call_later(self.app.idle_timeout - quiet, self._check_idle)
        else:
            self._idle = None
            if self.connection is not None:  # now, not when the silent client answers: its views
                self.connection.closed(reattachable=True)  # wait for it for their grace period
            self.close(IDLE, "idle")

    def on_close(self) -> None:
        if self._idle is not None:
            self._loop.remove_timeout(self._idle)
            self._idle = None
        if self.connection is not None:  # a page that is gone leaves its views first; this may be a drop
            self.connection.closed(reattachable=True)

    def send_text(self, frame: str) -> None:
        self._send(frame, binary=False)

    def send_binary(self, frame: bytes) -> None:
        self._send(frame, binary=True)

    def _send(self, frame: str | bytes, binary: bool) -> None:
        try:
            written = self.write_message(frame, binary=binary)
        except tornado.websocket.WebSocketClosedError:
            return
        except StreamBufferFullError:
            self._drop_stalled()
            return
        written.add_done_callback(_settled)

    def _drop_stalled(self) -> None:
        """The client stopped reading: drop the connection now (a close frame would only queue
        behind what it does not read), so its views end and the buffer is freed."""
        if self.connection is not None and self.connection.open:
            log.warning("dropping the WebSocket of %s: over %d bytes wait for a client that stopped reading",
                        self.request.remote_ip, self.app.outgoing_buffer)
            self.connection.closed()
        self.ws_connection.stream.close()  # type: ignore[union-attr]


def _settled(written: Any) -> None:
    """A frame's write ended; one that failed (the client left) needs no further word."""
    if not written.cancelled():
        written.exception()
