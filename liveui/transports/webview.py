"""The desktop transport: frames over pywebview's bridge, with no network in between.

JS -> Python: the window's `DesktopSocket` (liveui-desktop.js) calls the `Bridge` given to
pywebview as `js_api`: `open`, `send` (a batch of frames) and `close`, each on a pywebview worker
thread; the bridge hands them to the runtime's event loop in order. Python -> JS: a
`WebviewTransport` collects what one loop turn sends and posts it as one script
(`liveuiDesktop.deliver(id, frames)`); a `ScriptPoster` thread evaluates queued scripts in the
window, several at once when they pile up. Binary frames travel as base64 (`{"b": ...}`).
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import queue
import secrets
import threading
import webbrowser
from collections.abc import Callable, Mapping
from typing import Any

from ..connection import MALFORMED, Connection

log = logging.getLogger("liveui")

Frame = str | dict[str, Any]


def python_only(method: Callable[..., Any]) -> Callable[..., Any]:
    """Keep a public method of a `js_api` object out of reach of the page (pywebview's marker)."""
    method._serializable = False  # type: ignore[attr-defined]
    return method


def deliver_script(socket_id: str, frames: list[Frame]) -> str:
    """The script that hands `frames` to the window's socket `socket_id` (ASCII-only JSON)."""
    return f"window.liveuiDesktop.deliver({json.dumps(socket_id)},{json.dumps(frames, separators=(',', ':'))})"


def decode_frame(frame: Any) -> str | bytes:
    """A frame from the page: text as is, `{"b": base64}` as bytes."""
    if isinstance(frame, str):
        return frame
    if isinstance(frame, dict) and isinstance(frame.get("b"), str):
        return base64.b64decode(frame["b"], validate=True)
    raise ValueError(f"not a frame: {frame!r:.80}")


class WebviewTransport:
    """The server end of one `DesktopSocket`: what one loop turn sends leaves as one script."""

    def __init__(self, socket_id: str, post: Callable[[str], None], loop: asyncio.AbstractEventLoop,
                 ended: Callable[[], None] = lambda: None) -> None:
        self.socket_id = socket_id
        self._post = post
        self._loop = loop
        self._ended = ended  # the server closed this socket: its bridge forgets it
        self._closed = False
        self._frames: list[Frame] = []

    def send_text(self, frame: str) -> None:
        self._queue(frame)

    def send_binary(self, frame: bytes) -> None:
        self._queue({"b": base64.b64encode(frame).decode("ascii")})

    def close(self, code: int = 1001, reason: str = "") -> None:
        self._queue({"close": code, "reason": reason})
        self._closed = True
        self._ended()

    def _queue(self, frame: Frame) -> None:
        if self._closed:  # nothing follows a close
            return
        if not self._frames:
            self._loop.call_soon(self._flush)
        self._frames.append(frame)

    def _flush(self) -> None:
        frames, self._frames = self._frames, []
        if frames:
            self._post(deliver_script(self.socket_id, frames))


class Bridge:
    """The `js_api` of one window: the page's sockets become connections to `app`.

    pywebview exposes every public method to the page and walks public attributes, so all state
    is private and Python-side methods are marked `python_only`. `open_external` hands a URL
    outside the app to the system browser.
    """

    def __init__(self, app: Any, loop: asyncio.AbstractEventLoop, post: Callable[[str], None], *,
                 info: Mapping[str, Any] | None = None) -> None:
        self._app = app
        self._loop = loop
        self._post = post
        self._info = dict(info or {})
        self._connections: dict[str, Connection] = {}
        self._identity = secrets.token_hex(8)  # the window: only its pages may rejoin its views

    # -- called by the page (pywebview worker threads) ------------------------------------

    def open(self, socket_id: str, url: str) -> None:
        """A `DesktopSocket` opened (resolving the page's promise makes it open). Its id is
        `<page>.<socket>`: one from a new page parks the sockets of the page before it."""
        self._loop.call_soon_threadsafe(self._open, str(socket_id), str(url))

    def send(self, socket_id: str, frames: list[Any]) -> None:
        """Frames from a socket, in the order it sent them."""
        self._loop.call_soon_threadsafe(self._receive, str(socket_id), frames)

    def close(self, socket_id: str) -> None:
        """The page closed a socket (its client reconnects, or the page is going): its views
        wait for a rejoin for their grace period."""
        self._loop.call_soon_threadsafe(self._close, str(socket_id))

    def open_external(self, url: str) -> None:
        """A URL outside the app: the system browser shows it."""
        if str(url).startswith(("http://", "https://", "mailto:")):
            webbrowser.open(str(url))
        else:
            log.warning("not opening %r outside the window", url)

    # -- Python side ------------------------------------------------------------------------

    @python_only
    def connection(self, socket_id: str) -> Connection | None:
        """The connection of a page socket (None once closed)."""
        return self._connections.get(socket_id)

    @python_only
    def close_all(self) -> None:
        """The window closed or left the page: end every view of it (thread-safe)."""
        self._loop.call_soon_threadsafe(self._close_all)

    @python_only
    def park_all(self) -> None:
        """The page is reloading: close every socket, its views waiting for the reloaded page's
        rejoin for their grace period (thread-safe)."""
        self._loop.call_soon_threadsafe(self._park_all)

    def _open(self, socket_id: str, url: str) -> None:
        page, dot, _ = socket_id.partition(".")
        if dot:  # a window shows one page: the sockets of an earlier one (a reload) are gone, unclosed
            for other in [other for other in self._connections if not other.startswith(page + ".")]:
                self._close(other)
        transport = WebviewTransport(socket_id, self._post, self._loop, lambda: self._close(socket_id))
        self._connections[socket_id] = Connection(self._app, transport, info={**self._info, "uri": url},
                                                  identity=self._identity)

    def _receive(self, socket_id: str, frames: Any) -> None:
        connection = self._connections.get(socket_id)
        if connection is None or not isinstance(frames, list):
            return
        for raw in frames:
            try:
                frame = decode_frame(raw)
            except ValueError as bad:
                connection.shut(MALFORMED, "malformed frame", f"closing the connection on a malformed frame from the window: {bad}")
                return
            if isinstance(frame, bytes):
                connection.receive_binary(frame)
            else:
                connection.receive_text(frame)

    def _close(self, socket_id: str, reattachable: bool = True) -> None:
        connection = self._connections.pop(socket_id, None)
        if connection is not None:
            connection.closed(reattachable=reattachable)

    @python_only
    def drop_all(self, code: int = 1013, reason: str = "the window stalled") -> None:
        """The page stopped taking frames: close each socket with `code` (the page reconnects when
        it runs again; its views wait for it for their grace period) (thread-safe)."""
        self._loop.call_soon_threadsafe(self._drop_all, code, reason)

    def _drop_all(self, code: int, reason: str) -> None:
        for connection in list(self._connections.values()):
            transport = connection.transport
            connection.closed(reattachable=True)
            transport.close(code, reason)

    def _park_all(self) -> None:
        for socket_id in list(self._connections):
            self._close(socket_id)

    def _close_all(self) -> None:
        for socket_id in list(self._connections):
            self._close(socket_id, reattachable=False)


class ScriptPoster:
    """A thread that evaluates scripts in a window in order, joining those that queue up.

    `run_js` blocks until the GUI thread has run the script (or a page is loading), so it never
    runs on the event loop. `stop()` ends the thread; scripts posted after it are dropped.
    A page that stops running scripts (a busy loop, a hung renderer) may leave at most `limit`
    characters waiting: past that they are dropped and `overflow()` is called (its sockets are
    then closed, so the page rejoins once it runs again).
    """

    def __init__(self, run_js: Callable[[str], Any], name: str = "liveui-poster", *, limit: int | None = None,
                 overflow: Callable[[], None] = lambda: None) -> None:
        self._run_js = run_js
        self._scripts: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._limit = limit
        self._overflow = overflow
        self._waiting = 0  # characters of the queued scripts
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._work, name=name, daemon=True)
        self._thread.start()

    def post(self, script: str) -> None:
        with self._lock:
            full = self._limit is not None and self._waiting and self._waiting + len(script) > self._limit
            if not full:
                self._waiting += len(script)
                self._scripts.put(script)
                return
            dropped = self._drop_waiting()
        log.warning("a window stopped running scripts: dropping %d characters of them and closing its sockets", dropped)
        self._overflow()

    def _drop_waiting(self) -> int:
        dropped, self._waiting = self._waiting, 0
        while True:
            try:
                script = self._scripts.get_nowait()
            except queue.Empty:
                return dropped
            if script is None:  # stop() was called meanwhile: keep the request
                self._scripts.put(None)
                return dropped

    def stop(self, timeout: float = 5.0) -> None:
        self._scripts.put(None)
        self._thread.join(timeout)

    def _work(self) -> None:
        while True:
            batch = [self._scripts.get()]
            while batch[-1] is not None:
                try:
                    batch.append(self._scripts.get_nowait())
                except queue.Empty:
                    break
            scripts = [script for script in batch if script is not None]
            with self._lock:
                self._waiting = max(0, self._waiting - sum(map(len, scripts)))
            if scripts:
                try:
                    self._run_js(";\n".join(scripts))
                except Exception:  # a closing window: nothing left to update
                    log.exception("could not run a script in the window")
            if batch[-1] is None:
                return
