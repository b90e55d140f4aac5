"""Shared machinery of the browser tests: a liveui app served from a thread, a console collector.

Kept out of conftest.py so test modules can import it (`from .support import LiveServer`).
"""

from __future__ import annotations

import asyncio
import errno
import os
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import liveui

# Debian's Chromium; Playwright's own browser download is never used (no `playwright install`).
CHROMIUM = os.environ.get("LIVEUI_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--no-first-run", "--disable-sync", "--disable-dev-shm-usage",
]

# Bounded waits, in milliseconds (Playwright units). Generous for a loaded CI box; a
# passing run never waits for them.
TIMEOUT_MS = 5_000
NAVIGATION_TIMEOUT_MS = 10_000

MAIN = "[data-phx-main]"


class LiveServer:
    """Serve one `liveui.App` on a free 127.0.0.1 port from a background thread with its own loop."""

    def __init__(self, app: liveui.App, name: str = "liveui-e2e-server") -> None:
        self.app = app
        self.name = name
        self.port: int | None = None
        self.thread: threading.Thread | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        assert self.port is not None, "server not started"
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 10.0) -> LiveServer:
        self.thread = threading.Thread(target=asyncio.run, args=(self._main(),), name=self.name, daemon=True)
        self.thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError(f"{self.name} did not start listening within {timeout} s")
        if self._error is not None:
            raise RuntimeError(f"{self.name} failed to start: {self._error!r}") from self._error
        return self

    async def _main(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        try:
            http_server = self._listen()
        except BaseException as exc:  # reported to start() in the test thread
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        await self._stop.wait()
        http_server.stop()
        await http_server.close_all_connections()
        # asyncio.run cancels what is left (view actors, open WebSocket handlers).

    def _listen(self) -> Any:
        """`app.listen` on a port the OS just handed out; retry if someone grabbed it meanwhile."""
        for _ in range(20):
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
            try:
                server = self.app.listen(port, "127.0.0.1")
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    continue
                raise
            self.port = port
            return server
        raise RuntimeError("no free port after 20 tries")

    def stop(self, timeout: float = 10.0) -> None:
        if self.loop is not None and self._stop is not None and not self.loop.is_closed():
            try:
                self.loop.call_soon_threadsafe(self._stop.set)
            except RuntimeError:  # the loop already ended
                pass
        if self.thread is not None:
            self.thread.join(timeout)
            if self.thread.is_alive():
                raise RuntimeError(f"{self.name} did not stop within {timeout} s")


class ConsoleLog:
    """Console messages and uncaught page errors of one page; errors and warnings count as problems."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.problems: list[str] = []
        self._allowed: list[re.Pattern[str]] = []

    def attach(self, page: Any) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", self._on_pageerror)

    def allow(self, pattern: str) -> None:
        """Tolerate problems matching `pattern` (a regex searched in the recorded line)."""
        self._allowed.append(re.compile(pattern))

    def _on_console(self, message: Any) -> None:
        url = (message.location or {}).get("url", "")
        line = f"console.{message.type}: {message.text} ({url})"
        self.messages.append(line)
        if message.type in ("error", "warning"):
            self.problems.append(line)

    def _on_pageerror(self, error: Any) -> None:
        line = f"pageerror: {error}"
        self.messages.append(line)
        self.problems.append(line)

    def unexpected(self) -> list[str]:
        return [line for line in self.problems if not any(p.search(line) for p in self._allowed)]

    def assert_clean(self) -> None:
        unexpected = self.unexpected()
        assert not unexpected, "console errors/warnings or page errors:\n  " + "\n  ".join(unexpected)


def new_context(browser: Any, base_url: str, **options: Any) -> Any:
    """A browser context (own cookies and storage) with bounded default timeouts; relative URLs work."""
    context = browser.new_context(base_url=base_url, **options)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    return context


@contextmanager
def fresh_page(browser: Any, base_url: str, console: ConsoleLog) -> Iterator[Any]:
    """A page in a context of its own on `base_url`, its console recorded; after the block the
    context closes and the console must be clean."""
    context = new_context(browser, base_url)
    page = context.new_page()
    console.attach(page)
    yield page
    context.close()
    console.assert_clean()


def wait_connected(page: Any, timeout: float = TIMEOUT_MS) -> None:
    """Wait until the page's main LiveView has joined (`.phx-connected` on `[data-phx-main]`)."""
    page.wait_for_selector(f"{MAIN}.phx-connected", state="attached", timeout=timeout)


def goto_live(page: Any, path: str) -> Any:
    """Load `path` (dead render), then wait for the LiveView to connect; returns the response."""
    response = page.goto(path)
    wait_connected(page)
    return response
