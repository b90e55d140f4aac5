"""Live and function components in headless Chromium with the official client: the cart page.

Every wait is bounded (Playwright's `expect`); nothing sleeps.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

import liveui

from .support import LiveServer, fresh_page, goto_live, wait_connected


def line(page: Page, line_id: int):
    return page.locator(f"#line-{line_id}")


def recorded_socket(page: Page, sent: list) -> list:
    """Record the frames the page's LiveView socket sends (decoded); returns a list that will
    hold the socket once opened."""
    sockets: list = []

    def on_socket(ws):
        sockets.append(ws)
        ws.on("framesent", lambda payload: sent.append(json.loads(payload)))

    page.on("websocket", on_socket)
    return sockets


def test_line_items_keep_their_own_state(page: Page):
    goto_live(page, "/cart")
    expect(page.locator("#lines li")).to_have_count(4)
    line(page, 2).locator(".inc").click()
    expect(line(page, 2).locator(".qty")).to_have_text("2")  # a click on a button awaiting its ack is dropped
    line(page, 2).locator(".inc").click()
    expect(line(page, 2).locator(".qty")).to_have_text("3")
    expect(line(page, 1).locator(".qty")).to_have_text("1")
    # the component told the page, whose summary table (a function component with slots) follows
    expect(page.locator("#summary tbody tr").nth(1)).to_have_text("Bellows3135")
    expect(page.locator("#total")).to_have_text("347")
    assert line(page, 2).get_attribute("data-phx-component") == "2"


def test_a_removed_component_is_freed_and_comes_back_fresh(page: Page):
    sent: list = []
    sockets = recorded_socket(page, sent)
    goto_live(page, "/cart")
    line(page, 1).locator(".inc").click()
    expect(line(page, 1).locator(".qty")).to_have_text("2")

    def freed(payload: str) -> bool:
        frame = json.loads(payload)
        return frame[3] == "phx_reply" and frame[4] == {"status": "ok", "response": {"cids": [1]}}

    with sockets[0].expect_event("framereceived", predicate=freed):  # the server freed cid 1
        line(page, 1).locator(".remove").click()
    assert [f[4] for f in sent if f[3] in ("cids_will_destroy", "cids_destroyed")] == [{"cids": [1]}] * 2
    expect(page.locator("#lines li")).to_have_count(3)
    page.locator("#restore").click()
    expect(line(page, 1).locator(".qty")).to_have_text("1")  # mounted afresh: the old state is gone
    assert line(page, 1).get_attribute("data-phx-component") == "5"


def test_send_update_and_send_update_after(page: Page):
    goto_live(page, "/cart")
    line(page, 3).locator(".inc").click()
    expect(line(page, 3).locator(".qty")).to_have_text("2")
    page.locator("#reset").click()
    expect(line(page, 3).locator(".qty")).to_have_text("1")
    page.locator("#sale").click()
    expect(line(page, 1).locator(".badge-sale")).to_have_text("sale soon")
    expect(line(page, 1).locator(".badge-sale")).to_have_text("-10%")  # 1.5 s later, from a timer
    page.locator("#cancel-sale").click()
    expect(line(page, 1).locator(".badge-sale")).to_have_count(0)


def test_async_result_loading_ok_and_failed(page: Page):
    goto_live(page, "/cart")
    expect(page.locator("#picks li")).to_have_text(["Tongs", "Hammer"])
    page.locator("#reload-fail").click()
    expect(page.locator("#picks .error")).to_have_text("Could not load: the shop is closed")
    page.locator("#reload").click()
    expect(page.locator("#picks .loading")).to_have_text("Loading suggestions...")
    expect(page.locator("#picks li")).to_have_text(["Tongs", "Hammer"])


def test_container_option_of_nested_views(page: Page):
    goto_live(page, "/dashboard")
    expect(page.locator("section.tally#apples .tally-count")).to_have_text("0")
    expect(page.locator("section.tally#pears h2")).to_have_text("Pears")


class Profile(liveui.LiveComponent):
    """A component's own form, keeping what its phx-change sent."""

    template = (
        '<form id="profile" phx-change="validate" phx-target="{{ myself }}">'
        '<input id="name" name="name" value="{{ name }}"><span id="seen">{{ name }}</span></form>'
    )

    def handle_event(self, event, params, socket):
        socket.assign(name=params["name"])


class Account(liveui.LiveView):
    """Reads names that are no assigns (optional ones), one of them where it places the component."""

    template = '<div id="account">{{ pre_script }}{{ live_component(Profile, id="profile", name="old", hint=hint) }}</div>'


class Counter(liveui.LiveComponent):
    template = '<span id="counter-{{ id }}"><button phx-click="inc" phx-target="{{ myself }}">{{ n }}</button></span>'

    def mount(self, socket):
        socket.assign(n=0)

    def handle_event(self, event, params, socket):
        socket.assign(n=socket.assigns.n + 1)


class Rows(liveui.LiveView):
    """Components inside the items of a stream, beside a name that is no assign."""

    template = (
        '<p>{{ pre_script }}</p><ul id="rows" phx-update="stream">{% for dom_id, row in streams.rows %}'
        '<li id="{{ dom_id }}">{{ row.label }} {{ live_component(Counter, id=row.id) }}</li>{% endfor %}</ul>'
    )

    def mount(self, params, session, socket):
        socket.stream("rows", [{"id": 1, "label": "one"}, {"id": 2, "label": "two"}])


@pytest.fixture(scope="module")
def account_server():
    app = liveui.App(secret_key="e2e-account")
    app.live("/account", Account)
    app.live("/rows", Rows)
    server = LiveServer(app, name="account-server").start()
    yield server
    server.stop()


@pytest.fixture
def account_page(browser, account_server, console):
    """A fresh page on the account server; fails the test at teardown on console errors."""
    with fresh_page(browser, account_server.url, console) as page:
        yield page


def test_form_recovery_of_a_form_inside_a_component(account_page):
    page = account_page
    goto_live(page, "/account")
    page.fill("#name", "new")
    expect(page.locator("#seen")).to_have_text("new")  # the component's event kept its own value
    page.evaluate("liveSocket.disconnect()")
    expect(page.locator("[data-phx-main]")).not_to_have_class(re.compile(r"\bphx-connected\b"))
    page.evaluate("liveSocket.connect()")  # rejoin: the client sends the form's values again
    wait_connected(page)
    expect(page.locator("#seen")).to_have_text("new")
    expect(page.locator("#name")).to_have_value("new")


def test_a_component_inside_a_stream_item_updates(account_page):
    page = account_page
    goto_live(page, "/rows")
    for count in ("1", "2"):
        page.click("#counter-2 button")
        expect(page.locator("#counter-2 button")).to_have_text(count)
    expect(page.locator("#counter-1 button")).to_have_text("0")
    expect(page.locator("#rows li")).to_have_count(2)
