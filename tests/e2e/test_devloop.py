"""`liveui run --reload` with a real page in Chromium: a template edit re-renders the open page in
place (state kept), a module edit restarts the server and the page comes back with the new code by
itself, a static edit reloads the page, and a crash shows the developer a notice in the page (debug
mode is on under --reload)."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.devloop_app import write_app, write_module, write_template

from .support import ConsoleLog, new_context, wait_connected

@pytest.fixture
def dev_server(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    folder = tmp_path / "app"
    write_app(folder)
    env = {k: v for k, v in os.environ.items() if k != "LIVEUI_SECRET_KEY"}
    with open(tmp_path / "server.log", "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "liveui", "run", "devapp:app", "--reload", "--port", "0"],
                                   cwd=folder, env=env, stdout=subprocess.PIPE, stderr=log)
    try:
        ready, _, _ = select.select([process.stdout], [], [], 20)
        line = process.stdout.readline().decode() if ready else ""  # type: ignore[union-attr]
        assert "liveui serving on http://" in line, (tmp_path / "server.log").read_text()
        yield folder, line.split()[3]
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(10)
        process.stdout.close()  # type: ignore[union-attr]


@pytest.fixture
def dev_page(browser: Any, dev_server: tuple[Path, str]) -> Iterator[tuple[Path, Any, ConsoleLog]]:
    """The app's folder, a connected page on it, and what the page logs."""
    folder, base = dev_server
    console = ConsoleLog()
    page = new_context(browser, base).new_page()
    console.attach(page)
    page.goto("/")
    wait_connected(page)
    yield folder, page, console
    page.context.close()


def test_edits_come_back_to_the_open_page_by_themselves(dev_page: tuple[Path, Any, ConsoleLog]) -> None:
    folder, page, console = dev_page
    page.click("#inc")
    expect(page.locator("#count")).to_have_text("1")

    write_template(folder, "second")
    expect(page.locator("#v")).to_contain_text("one second", timeout=10_000)
    expect(page.locator("#count")).to_have_text("1")  # re-rendered in place: the state survived

    write_module(folder, "two")
    expect(page.locator("#v")).to_contain_text("two second", timeout=15_000)  # new process, new mount
    wait_connected(page)
    page.click("#inc")
    expect(page.locator("#count")).to_have_text("1")
    # the restart cut the socket: the client logs the lost connection; nothing else may go wrong
    console.allow(r"WebSocket|ERR_CONNECTION|net::|socket|closed")
    console.assert_clean()


def test_a_static_edit_reloads_the_open_page(dev_page: tuple[Path, Any, ConsoleLog]) -> None:
    folder, page, console = dev_page
    page.evaluate("window.beforeTheEdit = true")
    (folder / "assets" / "site.css").write_text("p { color: blue }")
    page.wait_for_function("window.beforeTheEdit === undefined", timeout=10_000)  # a new document
    wait_connected(page)
    console.assert_clean()


def test_a_crash_shows_a_notice_in_the_page(dev_page: tuple[Path, Any, ConsoleLog]) -> None:
    _, page, console = dev_page
    page.click("#inc")
    page.click("#boom")
    notice = page.locator("#liveui-crash")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Home crashed")
    expect(notice).to_contain_text("ValueError: boom!")
    assert any("ValueError: boom!" in line for line in console.problems)  # the server's message on the console
    expect(page.locator("#count")).to_have_text("0")  # mounted again, as the notice says
    notice.click()
    expect(notice).to_have_count(0)
