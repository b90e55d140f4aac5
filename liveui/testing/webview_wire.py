"""The `webview` test wire: frames go through a real pywebview window and its bridge.

The test client's frames are handed to a `DesktopSocket` in the window (liveui-desktop.js), which
sends them over the page's `js_api` to a `Bridge` in this process; what the server sends leaves as
scripts evaluated in the window, where the socket receives them and the page reports them back.
One window process (`python -m liveui.testing.webview_window`) serves every wire of a test run;
it starts with the first wire and ends when this process exits.
"""

from __future__ import annotations

import asyncio
import atexit
import base64
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from typing import Any

from ..transports.webview import Bridge
from .wire import MemoryWire
from .webview_window import MARK

START_TIMEOUT = 60.0

Handler = Callable[[str, list[Any]], None]


def window_environment() -> dict[str, str]:
    """Environment for a QtWebEngine window with no screen: offscreen, and no sandbox as root."""
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    if os.geteuid() == 0:  # Chromium refuses to run its sandbox as root
        env.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    env.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu")
    return env


class WindowProcess:
    """The shared test window: routes the page's bridge calls to handlers by socket id."""

    def __init__(self) -> None:
        self._log = tempfile.TemporaryFile("w+", prefix="liveui-window-")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "liveui.testing.webview_window"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._log, env=window_environment(), text=True, encoding="utf-8",
        )
        self._handlers: dict[str, Handler] = {}
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._failure: str | None = None
        self._reader = threading.Thread(target=self._read, name="liveui-window-reader", daemon=True)
        self._reader.start()
        if not self._ready.wait(START_TIMEOUT) or self._failure:
            self.stop()
            raise RuntimeError(f"the test window did not start: {self._failure or 'timed out'}\n{self.log()}")

    def attach(self, socket_id: str, handler: Handler) -> None:
        self._handlers[socket_id] = handler

    def detach(self, socket_id: str) -> None:
        self._handlers.pop(socket_id, None)

    def run(self, script: str) -> None:
        """Evaluate `script` in the window (in order with every other script)."""
        with self._lock:
            assert self._process.stdin is not None
            self._process.stdin.write(json.dumps({"run": script}) + "\n")
            self._process.stdin.flush()

    def alive(self) -> bool:
        return self._process.poll() is None

    def log(self) -> str:
        self._log.seek(0)
        return self._log.read()[-4000:]

    def stop(self) -> None:
        """Close the window (EOF on its stdin) and wait for the process to end."""
        try:
            if self._process.stdin is not None:
                self._process.stdin.close()
            self._process.wait(10)
        except (OSError, subprocess.TimeoutExpired):
            self._process.kill()
            self._process.wait()
        self._reader.join(5)
        self._log.close()

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            if not line.startswith(MARK):
                continue
            message = json.loads(line[len(MARK):])
            if "call" in message:
                handler = self._handlers.get(message["args"][0])
                if handler is not None:
                    handler(message["call"], message["args"])
            elif "ready" in message:
                self._ready.set()
            else:
                self._failure = str(message.get("failed"))
                self._ready.set()
        if not self._ready.is_set():
            self._failure = "the window process exited"
            self._ready.set()


_window: WindowProcess | None = None
_window_lock = threading.Lock()


def shared_window() -> WindowProcess:
    """The test run's window, started on first use (blocking) and closed at exit."""
    global _window
    with _window_lock:
        if _window is None or not _window.alive():
            _window = WindowProcess()
            atexit.register(_window.stop)
        return _window


class WebviewWire(MemoryWire):
    """The dead render in-process (as the desktop host does it), the connection through the window."""

    transport = "webview"

    def __init__(self, app: Any, **options: Any) -> None:
        super().__init__(app, **options)
        self._id = "wire-" + secrets.token_hex(6)
        self._window: WindowProcess | None = None
        self._bridge: Bridge | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._opened: asyncio.Event | None = None
        self._closed: asyncio.Event | None = None

    async def start(self) -> None:
        if self._window is None:
            self._window = await asyncio.to_thread(shared_window)

    async def connect(self, csrf: str | None) -> None:
        if self._bridge is not None and self._opened is not None and not self._closed.is_set():  # type: ignore[union-attr]
            return
        await self.start()
        assert self._window is not None
        self._loop = asyncio.get_running_loop()
        self._opened, self._closed = asyncio.Event(), asyncio.Event()
        if self._bridge is None:
            self._bridge = Bridge(self.app, self._loop, self._window.run)
        self._window.attach(self._id, self._on_call)
        self._window.run(f"liveuiWire.open({json.dumps(self._id)})")
        try:
            await asyncio.wait_for(self._opened.wait(), self.timeout)
        except TimeoutError:
            raise AssertionError(f"the window's socket did not open within {self.timeout} s\n{self._window.log()}") from None

    def send(self, frame: list[Any]) -> None:
        self.send_text(json.dumps(frame, separators=(",", ":")))

    def send_text(self, text: str) -> None:
        """A text frame from the page's socket, as is (malformed ones included)."""
        assert self._window is not None
        self._window.run(f"liveuiWire.send({json.dumps(self._id)},{json.dumps(text)})")

    def send_binary(self, frame: bytes) -> None:
        """A binary frame from the page's socket (as the client sends upload chunks)."""
        assert self._window is not None
        encoded = base64.b64encode(frame).decode("ascii")
        self._window.run(f"liveuiWire.sendBinary({json.dumps(self._id)},{json.dumps(encoded)})")

    def connection(self) -> Any:
        """The server's end of this wire's connection (None before connecting and after closing)."""
        return self._bridge.connection(self._id) if self._bridge is not None else None

    async def close(self) -> None:
        if self._bridge is None or self._window is None or self._closed is None or self._closed.is_set():
            return
        connection = self._bridge.connection(self._id)
        endings = connection.view_endings() if connection is not None else []
        self._bridge.close_all()  # as a closing window: its views end now (a socket closing would park them)
        self._window.run(f"liveuiWire.close({json.dumps(self._id)})")
        try:
            await asyncio.wait_for(self._closed.wait(), self.timeout)
            if endings:
                await asyncio.wait(endings, timeout=self.timeout)
        finally:
            self._window.detach(self._id)
            self._bridge = None

    async def drop(self) -> None:
        """The page's socket closes (its client will reconnect on a new one, in the same window)."""
        if self._bridge is None or self._window is None or self._closed is None or self._closed.is_set():
            return
        self._window.run(f"liveuiWire.close({json.dumps(self._id)})")
        try:
            await asyncio.wait_for(self._closed.wait(), self.timeout)
        finally:
            self._window.detach(self._id)
            self._id = "wire-" + secrets.token_hex(6)
            self.inbox = asyncio.Queue()

    def _on_call(self, call: str, args: list[Any]) -> None:
        """A bridge call of this wire's socket (on the window's reader thread)."""
        bridge, loop = self._bridge, self._loop
        if bridge is None or loop is None:
            return
        if call == "inbox":
            loop.call_soon_threadsafe(self._arrive, args[1])
        elif call == "open":
            bridge.open(args[0], args[1])
        elif call == "send":
            bridge.send(args[0], args[1])
        elif call == "close":
            bridge.close(args[0])
            loop.call_soon_threadsafe(self._closed.set)  # type: ignore[union-attr]

    def _arrive(self, items: list[Any]) -> None:
        for item in items:
            if isinstance(item, str):
                self.inbox.put_nowait(item)
            elif "b" in item:
                self.inbox.put_nowait(base64.b64decode(item["b"]))
            elif "open" in item:
                self._opened.set()  # type: ignore[union-attr]
            elif "close" in item:  # the server closed the socket: nothing to wait for when closing
                self.inbox.put_nowait(None)
                self._closed.set()  # type: ignore[union-attr]
