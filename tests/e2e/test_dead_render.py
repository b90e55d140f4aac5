"""Without JavaScript: every demo page is complete HTML from the dead render alone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from examples.index import PAGES

from .support import MAIN, ConsoleLog, LiveServer, new_context

TITLES = [title for _, title, _ in PAGES]  # the index lists them, the nav links them

NAME_ORDER = ["Anvil", "Bellows", "Chisel", "Drill"]
PRICE_ORDER = ["Chisel", "Bellows", "Drill", "Anvil"]


@pytest.fixture
def dead_page(browser: Any, gallery_server: LiveServer, console: ConsoleLog) -> Iterator[Page]:
    context = new_context(browser, gallery_server.url, java_script_enabled=False)
    page = context.new_page()
    console.attach(page)
    yield page
    context.close()
    console.assert_clean()


def load(page: Page, path: str, status: int = 200) -> None:
    response = page.goto(path)
    assert response is not None and response.status == status, f"GET {path}: {response and response.status}"
    # The page is the dead render: a main view container that never connects.
    if status == 200:
        expect(page.locator(MAIN)).to_have_count(1)
        assert page.locator(MAIN).get_attribute("data-phx-session")
        expect(page.locator(f"{MAIN}.phx-connected")).to_have_count(0)


def test_scripts_are_off(dead_page: Page):
    load(dead_page, "/counter")
    assert dead_page.evaluate("1 + 1") == 2  # Playwright's evaluate still works...
    assert dead_page.evaluate("typeof window.liveSocket") == "undefined"  # ...but the page's scripts did not run


def test_nested_views_render_their_containers(dead_page: Page):
    # Without JavaScript no child joins: the parent renders, each panel is an empty container.
    load(dead_page, "/dashboard")
    expect(dead_page.locator("#refreshed")).to_have_text("0")
    for panel in ("#apples", "#pears"):
        assert dead_page.locator(panel).get_attribute("data-phx-parent-id")
        expect(dead_page.locator(panel)).to_be_empty()


def test_index_lists_the_pages(dead_page: Page):
    load(dead_page, "/")
    expect(dead_page).to_have_title("liveui")
    expect(dead_page.locator("h1")).to_have_text("liveui demo gallery")
    links = dead_page.locator("#pages li a")
    expect(links).to_have_text(TITLES)
    assert [links.nth(i).get_attribute("href") for i in range(5)] == ["/counter", "/form", "/todo", "/items", "/hooks"]


def test_counter_shows_zero(dead_page: Page):
    load(dead_page, "/counter")
    expect(dead_page).to_have_title("Counter")
    expect(dead_page.locator("#count")).to_have_text("0")
    for button in ("#inc", "#dec", "#reset"):
        expect(dead_page.locator(button)).to_be_visible()
    expect(dead_page.locator("header nav a")).to_have_text(TITLES)


def test_form_renders_empty_without_errors(dead_page: Page):
    load(dead_page, "/form")
    expect(dead_page).to_have_title("Form")
    expect(dead_page.locator("form#signup")).to_be_visible()
    expect(dead_page.locator("#user_name")).to_have_value("")
    expect(dead_page.locator("#user_email")).to_have_value("")
    expect(dead_page.locator(".error")).to_have_count(0)


def test_items_in_name_order(dead_page: Page):
    load(dead_page, "/items")
    expect(dead_page).to_have_title("Items")
    expect(dead_page.locator("#items li")).to_have_count(4)
    expect(dead_page.locator("#items li > a")).to_have_text(NAME_ORDER)
    expect(dead_page.locator("#sort-name")).to_have_class("active")


def test_items_sorted_by_price_from_the_query(dead_page: Page):
    load(dead_page, "/items?sort=price")
    expect(dead_page.locator("#items li > a")).to_have_text(PRICE_ORDER)
    expect(dead_page.locator("#items .price")).to_have_text(["12 €", "45 €", "80 €", "120 €"])
    expect(dead_page.locator("#sort-price")).to_have_class("active")


def test_items_unknown_sort_falls_back_to_name(dead_page: Page):
    load(dead_page, "/items?sort=bogus")
    expect(dead_page.locator("#items li > a")).to_have_text(NAME_ORDER)


def test_item_page(dead_page: Page):
    load(dead_page, "/items/2")
    expect(dead_page).to_have_title("Bellows")
    expect(dead_page.locator("#item-name")).to_have_text("Bellows")
    expect(dead_page.locator("#item-price")).to_have_text("45 €")


def test_unknown_item_redirects_with_flash(dead_page: Page):
    response = dead_page.goto("/items/999")
    assert response is not None and response.status == 200
    assert response.request.redirected_from is not None
    assert response.request.redirected_from.url.endswith("/items/999")
    assert re.search(r"/items$", dead_page.url)
    expect(dead_page.locator("#flash-error")).to_have_text("There is no item 999.")
    expect(dead_page.locator("#items li")).to_have_count(4)


def test_hooks_page(dead_page: Page):
    load(dead_page, "/hooks")
    expect(dead_page).to_have_title("Hooks")
    expect(dead_page.locator("#pings")).to_have_text("0")
    expect(dead_page.locator("#greeting")).to_have_text("")  # the hook never ran


@pytest.mark.parametrize("path", ["/nope", "/items/1/extra", "/counter/x"])
def test_unknown_path_is_404(dead_page: Page, path: str, console: ConsoleLog):
    console.allow(r"status of 404")  # the document itself is the 404
    load(dead_page, path, status=404)
    expect(dead_page.locator("h1")).to_have_text("Not found")
    expect(dead_page.locator("body")).to_contain_text(f"No page at {dead_page.url}")
    expect(dead_page.locator(MAIN)).to_have_count(0)
    expect(dead_page).to_have_title("Not found")
