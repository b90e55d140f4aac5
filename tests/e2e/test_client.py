"""docs/client.md in headless Chromium, as written: the `window.liveui` shim example and an app's
own esbuild bundle; and a plain view whose async hook waits longer than the client's latency
simulation.

Every wait is bounded (Playwright's `expect`); nothing sleeps.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
from contextlib import ExitStack
from pathlib import Path

import pytest
from playwright.sync_api import expect

import liveui

from .support import LiveServer, fresh_page, goto_live

REPO = Path(__file__).resolve().parents[2]
DOC = (REPO / "docs" / "client.md").read_text(encoding="utf-8")


def block(language: str, containing: str) -> str:
    """The fenced `language` block of docs/client.md that contains `containing`."""
    for found in re.finditer(rf"```{language}\n(.*?)```", DOC, re.S):
        if containing in found.group(1):
            return found.group(1)
    raise AssertionError(f"docs/client.md has no {language} block with {containing!r}")


class Signup(liveui.LiveView):
    template = (
        '<form id="f" phx-change="validate"><input name="user[name]" value="{{ name }}">'
        '<p id="feedback" phx-feedback-for="user[name]">name: {{ name or "required" }}</p></form>'
    )

    def mount(self, params, session, socket):
        socket.assign(name="")

    def handle_event(self, event, params, socket):
        socket.assign(name=params["user"]["name"])


class Charted(liveui.LiveView):
    template = '<div id="chart" phx-hook="Chart" phx-update="ignore"></div><p id="points">{{ points }}</p>'

    def mount(self, params, session, socket):
        socket.assign(points=0)

    def handle_event(self, event, params, socket):
        socket.assign(points=params["points"])


class Waiting(liveui.LiveView):
    """A plain handle_event with an async hook that waits longer than the client's simulated latency."""

    template = '<button id="go" phx-click="go">go</button><p id="count">{{ count }}</p>'

    def mount(self, params, session, socket):
        socket.assign(count=0)

        async def slow(event, params, socket):
            await asyncio.sleep(0.3)

        socket.attach_hook("slow", "handle_event", slow)

    def handle_event(self, event, params, socket):
        socket.assign(count=socket.assigns.count + 1)


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """The shim of the docs in a page's head; an app bundle built as the docs build it."""
    shim = liveui.App(secret_key="e2e-client-shim", head=block("html", "liveuiManualConnect"))
    shim.live("/signup", Signup)
    shim.live("/waiting", Waiting)

    root = tmp_path_factory.mktemp("app")
    (root / "assets").mkdir()
    (root / "assets" / "app.js").write_text(block("js", "new LiveSocket"))
    (root / "assets" / "chart_hook.js").write_text(
        "export default {mounted() { this.el.textContent = 'drawn'; this.pushEvent('plotted', {points: 3}) }}")
    command = block("bash", "npx esbuild").split()
    esbuild = REPO / "js" / "node_modules" / ".bin" / "esbuild"  # the one `npx` finds in an app's folder
    subprocess.run([str(esbuild), *command[2:]], cwd=root, check=True, timeout=60,
                   env={"NODE_PATH": str(REPO / "js" / "node_modules")})
    layout = (REPO / "liveui" / "templates" / "root.html.j2").read_text()
    ours = re.search(r"<script [^>]*liveui\.js[^>]*></script>", layout).group(0)
    (root / "root.html.j2").write_text(layout.replace(ours, block("jinja", "app.js").splitlines()[-1]))
    bundled = liveui.App(secret_key="e2e-client-bundle", root_layout=str(root / "root.html.j2"))
    bundled.static("/static", str(root / "static"))
    bundled.live("/chart", Charted)

    started = [LiveServer(shim, name="client-shim").start(), LiveServer(bundled, name="client-bundle").start()]
    yield started
    for server in started:
        server.stop()


@pytest.fixture
def open_page(browser, servers, console):
    """`open_page(server index, path)`: a fresh page on that server, connected."""
    with ExitStack() as pages:
        def open_(index: int, path: str):
            page = pages.enter_context(fresh_page(browser, servers[index].url, console))
            goto_live(page, path)
            return page

        yield open_


def test_the_no_feedback_shim_of_the_docs(open_page):
    page = open_page(0, "/signup")
    feedback = page.locator("#feedback")
    expect(feedback).to_have_class("phx-no-feedback")  # the input was not used yet
    page.fill("input[name='user[name]']", "Ada")
    expect(feedback).to_have_text("name: Ada")
    expect(feedback).not_to_have_class("phx-no-feedback")


def test_an_app_bundle_built_as_the_docs_build_it(open_page):
    page = open_page(1, "/chart")
    expect(page.locator("#chart")).to_have_text("drawn")  # the app's own hook, from its bundle
    expect(page.locator("#points")).to_have_text("3")
    assert page.evaluate("typeof window.liveui") == "undefined"  # liveui.js was not loaded


def test_a_hook_waiting_longer_than_the_latency_simulation(open_page):
    page = open_page(0, "/waiting")
    page.evaluate("liveSocket.enableLatencySim(100)")
    for count in ("1", "2"):
        page.click("#go")
        expect(page.locator("#count")).to_have_text(count)
    expect(page.locator("[data-phx-main]")).to_have_class(re.compile(r"\bphx-connected\b"))
