"""The Python test client against Chromium: the same events, the same HTML.

For every page of the demo gallery a short script of user actions (clicks, form changes and
submits, patches, live navigation) runs twice, in lockstep: in headless Chromium, where the
official phoenix_live_view 1.2.12 client talks to the gallery on a `LiveServer`, and in
`liveui.testing`'s `Client` (memory transport) on a fresh `make_app()`. After the mount and
after every action, the HTML the test client holds (`view.render()`) must equal what the
browser shows (`document.querySelector('[data-phx-main]').innerHTML`).

What is compared: both HTML strings are parsed with BeautifulSoup and serialised canonically,
one node a line, indented by depth: tags with their attributes sorted by name (values exact),
text with every run of whitespace collapsed to one space (whitespace-only text stays, as " "),
comments. Both sides go through the same `canonical()`; what it drops, and why:

* `data-phx-*` attributes other than those a template renders (`data-phx-link`,
  `data-phx-link-state`) and `data-phx-component` (which the test client reproduces): the
  client adds `data-phx-id`, `data-phx-ref-src`/`-lock`/`-loading` (pending events),
  `data-phx-skip`, `data-phx-view`, `data-phx-root-id` and the like to its DOM.
* The client's state classes (`phx-connected`, `phx-loading`, `phx-error`, `phx-*-loading`, ...)
  and a `class` attribute left empty once they are gone (the client leaves `class=""` behind).
* Page-specific parts owned by JavaScript hooks (see `HOOK_OWNED`): the /hooks page's Greeter
  hook writes `#greeting` and `#highlighted` and adds the class `highlight` to `#pings`. The
  test client runs no JavaScript, so their contents (and that class) are emptied on both sides;
  everything the server renders around and inside them (ids, the `pings` count) is compared.
  The test client plays the hook's side of the protocol instead (`render_hook("hello")`, the
  same push the hook makes on mount) and checks the `highlight` event the hook receives.

Form fields: only attributes are compared (innerHTML shows the `value` attribute, never the
`value` property). The client does not update the `value` attribute of the *focused* input
(`mergeFocusedInput` excludes it, so typing is never overwritten); a real mismatch would hide
behind that, so the browser script blurs a field after filling it, which also flushes its
`phx-debounce` at once, and the reply is patched into an unfocused input.

Waiting: every browser action waits, bounded, for its visible effect (a Playwright condition)
and then for the client to settle (connected, no pending `data-phx-ref-*`); no sleeps. If a wait
times out the HTML is compared anyway, so the failure shows the difference.

The test client runs on its own event loop in a helper thread (`ClientThread`): Playwright's
sync API keeps a loop marked as running in the test thread, so `asyncio.run` cannot be used
there; each client call is submitted to that loop and awaited with a timeout. Plain sync tests,
as everywhere in tests/e2e (see conftest.py).
"""

from __future__ import annotations

import asyncio
import difflib
import re
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from liveui.testing import Client, Redirected, View, follow_redirect

from .support import MAIN, TIMEOUT_MS, goto_live

CLIENT_TIMEOUT = 10.0  # seconds, for one test-client step (its own waits are 5 s)

# -- normalisation ----------------------------------------------------------------------------

# data-phx-* attributes the server renders (kept); every other data-phx-* is the client's.
SERVER_DATA_PHX = {"data-phx-link", "data-phx-link-state", "data-phx-component"}
CLIENT_CLASSES = re.compile(
    r"^phx-(connected|loading|error|client-error|server-error|disconnected|drop-target-active|[a-z]+-loading)$"
)


def _scrub_hooks(soup: BeautifulSoup) -> None:
    """What the /hooks page's Greeter hook writes: emptied (the test client runs no JS)."""
    for selector in ("#greeting", "#highlighted"):
        for element in soup.select(selector):
            element.clear()
    for element in soup.select("#pings"):
        classes = [c for c in (element.get("class") or "").split() if c != "highlight"]
        element["class"] = " ".join(classes)  # an empty class is dropped by canonical()


HOOK_OWNED: dict[str, Callable[[BeautifulSoup], None]] = {"/hooks": _scrub_hooks}


def canonical(html: str, scrub: Callable[[BeautifulSoup], None] | None = None) -> list[str]:
    """One line per node: `<tag a="1" b="2">`, text (whitespace collapsed), comments; indented."""
    soup = BeautifulSoup(html, "html.parser", multi_valued_attributes=None)
    if scrub is not None:
        scrub(soup)
    lines: list[str] = []

    def walk(node: Tag, depth: int) -> None:
        indent = "  " * depth
        for child in node.children:
            if isinstance(child, Comment):
                lines.append(f"{indent}<!--{child}-->")
            elif isinstance(child, NavigableString):
                text = re.sub(r"\s+", " ", str(child))
                if text:
                    lines.append(f"{indent}{text!r}")
            elif isinstance(child, Tag):
                attrs = []
                for name, value in sorted(child.attrs.items()):
                    if name.startswith("data-phx-") and name not in SERVER_DATA_PHX:
                        continue
                    if name == "class":
                        value = " ".join(c for c in value.split() if not CLIENT_CLASSES.match(c))
                        if not value:
                            continue
                    attrs.append(f"{name}={value!r}")
                lines.append(f"{indent}<{' '.join([child.name, *attrs])}>")
                walk(child, depth + 1)

    walk(soup, 0)
    return lines


# -- the test client, on its own loop -------------------------------------------------------


class ClientThread:
    """A `Client` (memory transport, fresh gallery app) driven from the sync test thread."""

    def __init__(self) -> None:
        from examples.gallery import make_app

        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="crosscheck-client", daemon=True)
        self.thread.start()
        self.client: Client = self.call(self._make(make_app("crosscheck-secret")))
        self.view: View | None = None

    @staticmethod
    async def _make(app: Any) -> Client:
        return Client(app, transport="memory")

    def call(self, coroutine: Coroutine[Any, Any, Any], timeout: float = CLIENT_TIMEOUT) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def live(self, path: str) -> str:
        """Open `path`; a dead-render redirect is followed (as the browser follows a 302)."""

        async def open_() -> str:
            try:
                self.view, html = await self.client.live(path)
            except Redirected as redirect:
                assert redirect.kind == "redirect", redirect
                self.view, html = await self.client.live(redirect.to)
            return html

        return self.call(open_())

    def run(self, action: Callable[[View], Awaitable[Any]], *, navigates: bool = False) -> None:
        """Run one step on the current view; `navigates`: it must redirect, and it is followed."""

        async def step() -> None:
            assert self.view is not None
            try:
                await action(self.view)
            except Redirected as redirect:
                if not navigates:
                    raise
                self.view, _ = await follow_redirect(self.view, redirect)
            else:
                assert not navigates, "the step was expected to navigate, the test client stayed"

        self.call(step())

    def html(self) -> str:
        assert self.view is not None
        return self.view.render()

    def close(self) -> None:
        try:
            self.call(self.client.close())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(CLIENT_TIMEOUT)
            if not self.thread.is_alive():
                self.loop.close()


@pytest.fixture
def client() -> Iterator[ClientThread]:
    runner = ClientThread()
    yield runner
    runner.close()


# -- the lockstep runner ----------------------------------------------------------------------


@dataclass
class Step:
    label: str
    browser: Callable[[Page], None]  # act, then wait for the visible effect
    client: Callable[[View], Awaitable[Any]]  # the same action on the test client
    navigates: bool = False  # a live navigation (push_navigate, redirect link): follow it


SETTLED = f"""() => {{
    const main = document.querySelector('{MAIN}');
    return !!main && main.classList.contains('phx-connected') &&
        !main.querySelector('[data-phx-ref-src], [data-phx-ref-lock], [data-phx-ref-loading]');
}}"""


def browser_html(page: Page) -> str:
    return page.evaluate(f"document.querySelector('{MAIN}').innerHTML")


class Crosscheck:
    """One page in both clients: `mount()`, then `steps([...])`; compares after each."""

    def __init__(self, page: Page, client: ClientThread, path: str) -> None:
        self.page, self.client, self.path = page, client, path
        self.scrub = HOOK_OWNED.get(path)
        self.history: list[str] = []
        self.waited: Exception | None = None  # the last browser wait's failure, if any

    def mount(self, ready: Callable[[Page], None] | None = None) -> None:
        self.client.live(self.path)

        def open_(page: Page) -> None:
            goto_live(page, self.path)
            if ready is not None:
                ready(page)

        self._browse(open_)
        self.compare(f"mount {self.path}")

    def steps(self, steps: list[Step]) -> None:
        for step in steps:
            self.client.run(step.client, navigates=step.navigates)
            self._browse(step.browser)
            self.compare(step.label)

    def _browse(self, act: Callable[[Page], Any]) -> None:
        self.waited = None
        try:
            act(self.page)
            self.page.wait_for_function(SETTLED, timeout=TIMEOUT_MS)
        except (AssertionError, PlaywrightError) as exc:  # compare anyway: show the difference
            self.waited = exc

    def compare(self, label: str) -> None:
        self.history.append(label)
        expected = canonical(self.client.html(), self.scrub)
        shown = canonical(browser_html(self.page), self.scrub)
        if expected != shown:
            diff = "\n".join(difflib.unified_diff(expected, shown, "test client", "chromium", lineterm="", n=3))
            waited = f"\n(the browser's wait failed first: {self.waited})" if self.waited else ""
            raise AssertionError(
                f"{self.path}: after {' → '.join(self.history)}: the HTML differs{waited}\n{diff}"
            )
        if self.waited is not None:
            raise AssertionError(f"{self.path}: {label}: same HTML, but the browser's wait failed") from self.waited


def click(selector: str, then: Callable[[Page], None]) -> Callable[[Page], None]:
    def act(page: Page) -> None:
        page.click(selector)
        then(page)

    return act


def fill(selector: str, value: str, then: Callable[[Page], None]) -> Callable[[Page], None]:
    """Type into a field and leave it (flushes phx-debounce; the reply patches an unfocused input)."""

    def act(page: Page) -> None:
        field = page.locator(selector)
        field.fill(value)
        field.blur()
        then(page)

    return act


def has_text(selector: str, text: str) -> Callable[[Page], None]:
    return lambda page: expect(page.locator(selector)).to_have_text(text)


def gone(selector: str) -> Callable[[Page], None]:
    return lambda page: expect(page.locator(selector)).to_have_count(0)


def at(url: str, then: Callable[[Page], None]) -> Callable[[Page], None]:
    """The browser is at `url` (a path and query) and `then` holds."""

    def wait(page: Page) -> None:
        page.wait_for_url(re.compile(re.escape(url) + "$"))
        then(page)

    return wait


def both(*waits: Callable[[Page], None]) -> Callable[[Page], None]:
    def wait(page: Page) -> None:
        for w in waits:
            w(page)

    return wait


# -- the pages --------------------------------------------------------------------------------


def test_counter(page: Page, client: ClientThread):
    check = Crosscheck(page, client, "/counter")
    check.mount()
    check.steps([
        Step("+", click("#inc", has_text("#count", "1")), lambda v: v.element("#inc").render_click()),
        Step("+", click("#inc", has_text("#count", "2")), lambda v: v.element("button", "+").render_click()),
        Step("−", click("#dec", has_text("#count", "1")), lambda v: v.element("#dec").render_click()),
        Step("reset", click("#reset", both(has_text("#count", "0"), has_text("#flash-info", "Counter reset."))),
             lambda v: v.element("#reset").render_click()),
        Step("clear flash", click("#flash-info", gone("#flash-info")),
             lambda v: v.element("#flash-info").render_click()),
        Step("+", click("#inc", has_text("#count", "1")), lambda v: v.element("#inc").render_click()),
    ])


def test_form(page: Page, client: ClientThread):
    check = Crosscheck(page, client, "/form")
    check.mount()
    check.steps([
        Step("submit empty", click("#save", has_text("#user_email-error", "Enter an email address like ada@example.com.")),
             lambda v: v.form("#signup").render_submit()),
        Step("name=Ada", fill("#user_name", "Ada", gone("#user_name-error")),
             lambda v: v.form("#signup").render_change({"user": {"name": "Ada"}})),
        Step("email=ada@example.com", fill("#user_email", "ada@example.com", gone("#user_email-error")),
             lambda v: v.form("#signup").render_change({"user": {"email": "ada@example.com"}})),
        Step("submit", click("#save", both(has_text("#signed-up", "Signed up: Ada"),
                                           has_text("#flash-info", "Welcome, Ada!"))),
             lambda v: v.form("#signup").render_submit()),
        Step("name=A", fill("#user_name", "A", has_text("#user_name-error", "Name must have at least 2 characters.")),
             lambda v: v.form("#signup").render_change({"user": {"name": "A"}})),
    ])


NAME_ORDER = ["Anvil", "Bellows", "Chisel", "Drill"]
PRICE_ORDER = ["Chisel", "Bellows", "Drill", "Anvil"]


def listed(names: list[str]) -> Callable[[Page], None]:
    return lambda page: expect(page.locator("#items li > a")).to_have_text(names)


def test_items_sort_patch_and_open(page: Page, client: ClientThread):
    check = Crosscheck(page, client, "/items")
    check.mount()
    check.steps([
        Step("sort by price (push_patch)", click("#sort-price", at("/items?sort=price", listed(PRICE_ORDER))),
             lambda v: v.element("#sort-price").render_click()),
        Step("sort by name (push_patch)", click("#sort-name", at("/items?sort=name", listed(NAME_ORDER))),
             lambda v: v.element("#sort-name").render_click()),
        Step("price link (live patch)", click("#link-price", at("/items?sort=price", listed(PRICE_ORDER))),
             lambda v: v.render_patch("/items?sort=price")),
        Step("open Chisel (push_navigate)", click("#item-3 button", at("/items/3", has_text("#item-name", "Chisel"))),
             lambda v: v.element("#item-3 button").render_click(), navigates=True),
    ])


async def _live_link(view: View, to: str) -> None:
    """A `data-phx-link="redirect"` click: the client joins the target view (live redirect)."""
    raise Redirected("live_redirect", to)


def test_item_buy_flash_and_links(page: Page, client: ClientThread):
    check = Crosscheck(page, client, "/items/2")
    check.mount()
    check.steps([
        Step("buy (flash + push_navigate)",
             click("#buy", at("/items", both(has_text("#flash-info", "You bought a Bellows."), listed(NAME_ORDER)))),
             lambda v: v.element("#buy").render_click(), navigates=True),
        Step("clear flash", click("#flash-info", gone("#flash-info")),
             lambda v: v.element("#flash-info").render_click()),
        Step("Drill (live redirect link)", click("#item-4 > a", at("/items/4", has_text("#item-name", "Drill"))),
             lambda v: _live_link(v, "/items/4"), navigates=True),
        Step("back (live redirect link)", click("#back", at("/items", listed(NAME_ORDER))),
             lambda v: _live_link(v, "/items"), navigates=True),
    ])


async def _assert_reply(view: View, reply: Any) -> None:
    view.assert_reply(reply)


def test_hooks_clicks(page: Page, client: ClientThread):
    def pinged(n: int) -> Callable[[Page], None]:
        return both(has_text("#pings", str(n)), has_text("#highlighted", f"highlighted pings ({n})"))

    async def ping(view: View, n: int) -> None:
        await view.element("#ping").render_click()
        view.assert_push_event("highlight", {"id": "pings", "n": n})

    check = Crosscheck(page, client, "/hooks")
    # The hook pushes "hello" on mount and writes the reply: the test client pushes it too.
    check.mount(ready=has_text("#greeting", "hello hook"))
    client.run(lambda v: v.render_hook("hello", {"name": "hook"}))
    client.run(lambda v: _assert_reply(v, {"greeting": "hello hook"}))
    check.compare("hook hello")
    check.steps([Step(f"ping {n}", click("#ping", pinged(n)), lambda v, n=n: ping(v, n)) for n in (1, 2, 3)])


def test_unknown_item_redirects_with_flash(page: Page, client: ClientThread):
    # ItemShow.mount puts an error flash and push_navigates: the dead render answers 302 to /items.
    check = Crosscheck(page, client, "/items/99")
    check.mount(ready=at("/items", has_text("#flash-error", "There is no item 99.")))


def test_dashboard_nested_views(page: Page, client: ClientThread):
    async def in_child(view: View, child_id: str) -> None:
        await (await view.find_live_child(child_id)).element("button").render_click()

    check = Crosscheck(page, client, "/dashboard")
    check.mount(ready=both(has_text("#apples .tally-count", "0"), has_text("#pears .tally-count", "0")))
    check.steps([
        Step("apples +1", click("#apples button", has_text("#apples .tally-count", "1")),
             lambda v: in_child(v, "apples")),
        Step("pears +1", click("#pears button", has_text("#pears .tally-count", "1")),
             lambda v: in_child(v, "pears")),
        Step("refresh the parent", click("#refresh", has_text("#refreshed", "1")),
             lambda v: v.element("#refresh").render_click()),
        Step("apples +1", click("#apples button", has_text("#apples .tally-count", "2")),
             lambda v: in_child(v, "apples")),
    ])
