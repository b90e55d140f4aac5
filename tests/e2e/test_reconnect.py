"""A dropped connection in Chromium: the network between the page and the server fails (a proxy in
the test cuts every TCP connection, no close frame); the page shows the disconnected state, the
official client reconnects and rejoins, and the view comes back with its state: no reload, no
second mount, the stream's items still there."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

import liveui

from .support import MAIN, LiveServer, new_context, wait_connected

RECONNECT_TIMEOUT_MS = 15_000  # the client retries after 10 ms, 50 ms, 100 ms, ... (reconnectAfterMs)


class Notes(liveui.LiveView):
    template = """<h1>Notes</h1>
<p>Count: <span id="count">{{ count }}</span> mounts: <span id="mounts">{{ mounts }}</span></p>
<button id="inc" phx-click="inc">+</button>
<button id="add" phx-click="add">add</button>
<ul id="notes" phx-update="stream">{% for dom_id, note in streams.notes %}<li id="{{ dom_id }}">{{ note.text }}</li>{% endfor %}</ul>"""

    mounts = 0
    lock = threading.Lock()

    def mount(self, params, session, socket):
        if socket.connected:
            with self.lock:
                Notes.mounts += 1
        socket.assign(count=0, mounts=Notes.mounts, next=3)
        socket.stream("notes", [{"id": n, "text": f"note {n}"} for n in range(3)])

    def handle_event(self, event, params, socket):
        if event == "inc":
            socket.assign(count=socket.assigns.count + 1)
        elif event == "add":
            socket.stream_insert("notes", {"id": socket.assigns.next, "text": f"note {socket.assigns.next}"})
            socket.assign(next=socket.assigns.next + 1)


class CuttingProxy:
    """A TCP proxy on a free 127.0.0.1 port in front of the server; `cut()` aborts every
    connection through it (no WebSocket close frame: what a failing network looks like) and
    refuses new ones until `restore()`: the outage lasts until the test has seen the page's
    disconnected state (else the client's first retry, 10 ms later, may end it unseen)."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._transports: list[Any] = []
        self._down = False
        self._thread = threading.Thread(target=self._loop.run_forever, name="cutting-proxy", daemon=True)

    def start(self) -> CuttingProxy:
        self._thread.start()
        server = asyncio.run_coroutine_threadsafe(asyncio.start_server(self._pipe, "127.0.0.1", 0), self._loop).result(10)
        self._server = server
        self.port = server.sockets[0].getsockname()[1]
        return self

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._down:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        self._transports += [writer.transport, up_writer.transport]

        async def copy(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                sink.transport.abort()

        await asyncio.gather(copy(reader, up_writer), copy(up_reader, writer))

    def cut(self) -> None:
        def abort_all() -> None:
            self._down = True
            transports, self._transports = self._transports, []
            for transport in transports:
                transport.abort()

        self._loop.call_soon_threadsafe(abort_all)

    def restore(self) -> None:
        def up() -> None:
            self._down = False

        self._loop.call_soon_threadsafe(up)

    def stop(self) -> None:
        async def close() -> None:
            self._server.close()
            for transport in self._transports:
                transport.abort()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()


@pytest.fixture(scope="module")
def proxied() -> Iterator[CuttingProxy]:
    app = liveui.App(secret_key="e2e-reconnect")
    app.live("/notes", Notes)
    server = LiveServer(app, name="reconnect-server").start()
    proxy = CuttingProxy(server.port).start()  # type: ignore[arg-type]
    yield proxy
    proxy.stop()
    server.stop()


def test_a_dropped_network_comes_back_to_the_same_view(browser: Any, proxied: CuttingProxy) -> None:
    context = new_context(browser, f"http://127.0.0.1:{proxied.port}")
    page = context.new_page()
    try:
        page.goto("/notes")
        wait_connected(page)
        view_id = page.locator(MAIN).get_attribute("id")
        mounts = Notes.mounts
        for expected in ("1", "2", "3"):
            page.click("#inc")
            expect(page.locator("#count")).to_have_text(expected)
        page.click("#add")
        expect(page.locator("#notes li")).to_have_count(4)
        page.evaluate("window.__e2eLoaded = true")  # gone if the page reloaded

        proxied.cut()
        page.wait_for_selector(f"{MAIN}.phx-error", state="attached", timeout=RECONNECT_TIMEOUT_MS)
        proxied.restore()
        wait_connected(page, RECONNECT_TIMEOUT_MS)

        expect(page.locator("#count")).to_have_text("3")
        expect(page.locator("#notes li")).to_have_text(["note 0", "note 1", "note 2", "note 3"])
        assert page.evaluate("window.__e2eLoaded === true"), "the page reloaded"
        assert page.locator(MAIN).get_attribute("id") == view_id
        assert Notes.mounts == mounts, "the view mounted again"
        page.click("#inc")
        expect(page.locator("#count")).to_have_text("4")
        page.click("#add")
        expect(page.locator("#notes li")).to_have_count(5)
    finally:
        context.close()
