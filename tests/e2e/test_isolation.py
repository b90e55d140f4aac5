"""A view that crashes ends alone: its page shows the error state and rejoins (a fresh mount),
another page's view keeps its state and keeps counting, and the server logs the traceback."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

import liveui

from .support import MAIN, ConsoleLog, LiveServer, new_context, wait_connected

RECOVERY_TIMEOUT_MS = 10_000  # the Phoenix client rejoins a crashed channel after ~1 s


class Crashy(liveui.LiveView):
    """A counter whose "boom" event raises."""

    template = """<h1>Crashy</h1>
<p>Count: <span id="count">{{ count }}</span></p>
<button id="inc" phx-click="inc">+</button>
<button id="boom" phx-click="boom">boom</button>"""

    mounts: list[str] = []  # view ids of connected mounts
    terminated: list[Any] = []  # terminate reasons
    lock = threading.Lock()

    def mount(self, params, session, socket):
        socket.assign(count=0, page_title="Crashy")
        if socket.connected:
            with self.lock:
                self.mounts.append(socket.id)

    def handle_event(self, event, params, socket):
        if event == "boom":
            raise RuntimeError("boom requested by the test")
        if event == "inc":
            socket.assign(count=socket.assigns.count + 1)

    def terminate(self, reason, socket):
        with self.lock:
            self.terminated.append(reason)


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def crash_server() -> Iterator[LiveServer]:
    app = liveui.App(secret_key="e2e-isolation", title="isolation")
    app.live("/crashy", Crashy)
    server = LiveServer(app, name="crash-server").start()
    yield server
    server.stop()


@pytest.fixture
def liveui_log() -> Iterator[Records]:
    handler = Records()
    logger = logging.getLogger("liveui")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


@pytest.fixture
def pages(browser: Any, crash_server: LiveServer) -> Iterator[tuple[Page, Page, ConsoleLog, ConsoleLog]]:
    """Two pages, each in its own browser context (own session cookie and WebSocket).

    Not two pages of one context: headless Chromium then treats only the last-opened page as
    the front one and throttles requestAnimationFrame in the other to about once a second,
    which delays every LiveView DOM update there by up to a second.
    """
    contexts = [new_context(browser, crash_server.url) for _ in range(2)]
    logs = ConsoleLog(), ConsoleLog()
    a, b = (context.new_page() for context in contexts)
    logs[0].attach(a)
    logs[1].attach(b)
    yield a, b, *logs
    for context in contexts:
        context.close()
    for log in logs:
        log.assert_clean()


WATCH_MAIN = """() => {
    const main = document.querySelector("%s");
    window.__e2eClasses = [];
    new MutationObserver(() => window.__e2eClasses.push(main.className))
        .observe(main, {attributes: true, attributeFilter: ["class"]});
    window.__e2eConn = window.liveSocket.getSocket().conn;
}""" % MAIN


def saw_class(page: Page, name: str) -> bool:
    return page.evaluate("(name) => window.__e2eClasses.some((c) => c.split(' ').includes(name))", name)


def test_crash_in_one_view_leaves_the_other_running(pages, liveui_log: Records):
    a, b, _, _ = pages
    for page in (a, b):
        page.goto("/crashy")
        wait_connected(page)
        page.evaluate(WATCH_MAIN)
    view_a = a.locator(MAIN).get_attribute("id")
    Crashy.mounts.clear()
    Crashy.terminated.clear()

    a.click("#inc")
    a.click("#inc")
    expect(a.locator("#count")).to_have_text("2")
    b.click("#inc")
    expect(b.locator("#count")).to_have_text("1")

    a.click("#boom")
    a.wait_for_function("() => window.__e2eClasses.some((c) => c.split(' ').includes('phx-error'))")
    # While A is down (or already back: not asserted, so no race), B keeps its state and counts on.
    b.click("#inc")
    expect(b.locator("#count")).to_have_text("2")

    # A shows the server error, then rejoins: phx-connected again, a fresh mount (count back to 0).
    assert saw_class(a, "phx-server-error"), "the crash should show as a server error"
    a.wait_for_function(
        """(sel) => document.querySelector(sel).classList.contains("phx-connected")
                   && !document.querySelector(sel).classList.contains("phx-error")
                   && document.getElementById("count").textContent === "0" """,
        arg=MAIN, timeout=RECOVERY_TIMEOUT_MS,
    )
    assert a.evaluate("window.liveSocket.getSocket().conn === window.__e2eConn"), \
        "the crashed view must rejoin over the same WebSocket (the connection survives)"
    assert a.locator(MAIN).get_attribute("id") == view_a

    # B never noticed.
    assert not saw_class(b, "phx-error")
    assert b.locator(f"{MAIN}.phx-connected").count() == 1
    expect(b.locator("#count")).to_have_text("2")

    # The remounted view works.
    a.click("#inc")
    expect(a.locator("#count")).to_have_text("1")
    b.click("#inc")
    expect(b.locator("#count")).to_have_text("3")

    # Server side: one connected mount again (the rejoin of A, same view id), terminate saw the error,
    # and the traceback was logged.
    assert Crashy.mounts == [view_a]
    assert len(Crashy.terminated) == 1 and isinstance(Crashy.terminated[0], RuntimeError)
    crashes = [r for r in liveui_log.records if r.levelno >= logging.ERROR and r.exc_info]
    assert len(crashes) == 1, [r.getMessage() for r in liveui_log.records]
    record = crashes[0]
    assert f"lv:{view_a}" in record.getMessage() and "crashed" in record.getMessage()
    assert record.exc_info[0] is RuntimeError and "boom requested by the test" in str(record.exc_info[1])
    formatted = logging.Formatter().format(record)
    assert "Traceback (most recent call last)" in formatted and "handle_event" in formatted
