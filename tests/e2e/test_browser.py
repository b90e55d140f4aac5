"""The demo gallery in headless Chromium: the real LiveView client against the liveui server.

Every wait is bounded (Playwright auto-waiting, `expect`, `wait_for_*` with the context's
timeouts); nothing sleeps. The `page` fixture fails a test whose page logged a console error or
warning or threw.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from examples.index import PAGES

from .support import MAIN, goto_live, wait_connected

TITLES = [title for _, title, _ in PAGES]  # the index lists them, the nav links them

NAME_ORDER = ["Anvil", "Bellows", "Chisel", "Drill"]
PRICE_ORDER = ["Chisel", "Bellows", "Drill", "Anvil"]
NAME_ERROR = "Name must have at least 2 characters."
EMAIL_ERROR = "Enter an email address like ada@example.com."


def item_names(page: Page):
    return page.locator("#items li > a")


def mark_main(page: Page) -> None:
    """Tag the current view's container element (a JS property: not copied by cloneNode)."""
    page.evaluate(f"document.querySelector('{MAIN}').__e2eMark = true")


def main_is_marked(page: Page) -> bool:
    """Whether the container is still the tagged element: a patch keeps it, a navigation replaces it."""
    return page.evaluate(f"document.querySelector('{MAIN}').__e2eMark === true")


# -- index ------------------------------------------------------------------------------


def test_index_connects_and_links_to_the_pages(page: Page):
    goto_live(page, "/")
    expect(page).to_have_title("liveui")
    expect(page.locator("#pages li a")).to_have_text(TITLES)
    page.click("#pages a[href='/counter']")  # a plain link: a full page load
    page.wait_for_url(re.compile(r"/counter$"))
    wait_connected(page)
    page.click("#inc")
    expect(page.locator("#count")).to_have_text("1")


# -- nested live views -----------------------------------------------------------------


def test_dashboard_panels_are_live_views_of_their_own(page: Page):
    goto_live(page, "/dashboard")
    apples, pears = page.locator("#apples"), page.locator("#pears")
    expect(apples.locator(".tally-count")).to_have_text("0")  # the child joined and rendered
    expect(pears.locator("h2")).to_have_text("Pears")
    apples.locator("button").click()
    expect(apples.locator(".tally-count")).to_have_text("1")  # the client ignores clicks on a button awaiting its reply
    apples.locator("button").click()
    expect(apples.locator(".tally-count")).to_have_text("2")
    pears.locator("button").click()
    expect(pears.locator(".tally-count")).to_have_text("1")
    page.click("#refresh")  # the parent re-renders: the children keep their state
    expect(page.locator("#refreshed")).to_have_text("1")
    expect(apples.locator(".tally-count")).to_have_text("2")
    expect(pears.locator(".tally-count")).to_have_text("1")


# -- counter ----------------------------------------------------------------------------


def test_counter_clicks_and_reset_flash(page: Page):
    goto_live(page, "/counter")
    count = page.locator("#count")
    expect(count).to_have_text("0")
    expect(page).to_have_title("Counter")

    page.click("#inc")
    expect(count).to_have_text("1")
    page.click("#inc")
    expect(count).to_have_text("2")
    page.click("#dec")
    expect(count).to_have_text("1")
    expect(page.locator("#flash-info")).to_have_count(0)

    page.click("#reset")
    expect(count).to_have_text("0")
    expect(page.locator("#flash-info")).to_have_text("Counter reset.")

    page.click("#flash-info")  # phx-click="lv:clear-flash"
    expect(page.locator("#flash-info")).to_have_count(0)
    page.click("#inc")
    expect(count).to_have_text("1")


# -- form -------------------------------------------------------------------------------


def test_form_validates_after_debounce_then_submits(page: Page):
    goto_live(page, "/form")
    # Time the error's appearance in the page itself: the debounce gives a hard lower bound
    # (the change event cannot go out before 200 ms), with no racy "not there yet" check.
    page.evaluate("""() => {
        window.__t0 = performance.now();
        window.__nameErrorAt = null;
        new MutationObserver(() => {
            if (window.__nameErrorAt === null && document.getElementById("user_name-error"))
                window.__nameErrorAt = performance.now();
        }).observe(document.body, {childList: true, subtree: true});
    }""")
    page.fill("#user_name", "A")
    expect(page.locator("#user_name-error")).to_have_text(NAME_ERROR)
    waited = page.evaluate("window.__nameErrorAt - window.__t0")
    assert waited >= 190, f"the name error appeared {waited:.0f} ms after typing, before the 200 ms debounce"
    expect(page.locator("#user_email-error")).to_have_count(0)  # email not touched yet

    page.fill("#user_name", "Ada")
    expect(page.locator("#user_name-error")).to_have_count(0)
    page.fill("#user_email", "ada@example")
    expect(page.locator("#user_email-error")).to_have_text(EMAIL_ERROR)
    page.fill("#user_email", "ada@example.com")
    expect(page.locator("#user_email-error")).to_have_count(0)

    page.click("#save")
    expect(page.locator("#flash-info")).to_have_text("Welcome, Ada!")
    expect(page.locator("#signed-up")).to_have_text("Signed up: Ada")
    expect(page.locator(".lv-error")).to_have_count(0)


def test_form_invalid_submit_shows_both_errors(page: Page):
    goto_live(page, "/form")
    page.click("#save")
    expect(page.locator("#user_name-error")).to_have_text(NAME_ERROR)
    expect(page.locator("#user_email-error")).to_have_text(EMAIL_ERROR)
    expect(page.locator("#signed-up")).to_have_count(0)
    expect(page.locator("#flash-info")).to_have_count(0)


# -- items: push_patch, live patch links, push_navigate, history --------------------------


def test_items_sort_by_button_patches_the_url(page: Page):
    goto_live(page, "/items")
    expect(item_names(page)).to_have_text(NAME_ORDER)
    expect(page.locator("#sort-name")).to_have_class("active")
    mark_main(page)

    page.click("#sort-price")
    page.wait_for_url(re.compile(r"/items\?sort=price$"))
    expect(item_names(page)).to_have_text(PRICE_ORDER)
    expect(page.locator("#items li").first).to_contain_text("Chisel")
    expect(page.locator("#sort-price")).to_have_class("active")
    assert main_is_marked(page), "push_patch must keep the view (no remount)"


def test_items_sort_by_patch_link(page: Page):
    goto_live(page, "/items")
    mark_main(page)
    page.click("#link-price")
    page.wait_for_url(re.compile(r"/items\?sort=price$"))
    expect(item_names(page)).to_have_text(PRICE_ORDER)
    assert main_is_marked(page), "a patch link must keep the view (no remount)"
    page.click("#sort-name")
    page.wait_for_url(re.compile(r"/items\?sort=name$"))
    expect(item_names(page)).to_have_text(NAME_ORDER)


def test_items_open_buy_and_browser_history(page: Page):
    goto_live(page, "/items")
    page.evaluate("window.__sameDocument = true")  # gone if anything reloads the page
    page.click("#sort-price")
    page.wait_for_url(re.compile(r"/items\?sort=price$"))
    expect(item_names(page)).to_have_text(PRICE_ORDER)
    mark_main(page)

    page.click("#item-3 button")  # push_navigate to /items/3
    page.wait_for_url(re.compile(r"/items/3$"))
    expect(page.locator("#item-name")).to_have_text("Chisel")
    expect(page.locator("#item-price")).to_have_text("12 €")
    expect(page).to_have_title("Chisel")  # from the `t` of the join reply
    assert not main_is_marked(page), "push_navigate mounts a new view in a new container"

    page.click("#buy")  # flash + push_navigate back to /items
    page.wait_for_url(re.compile(r"/items$"))
    expect(page.locator("#flash-info")).to_have_text("You bought a Chisel.")
    expect(item_names(page)).to_have_text(NAME_ORDER)
    expect(page).to_have_title("Items")

    page.go_back()
    page.wait_for_url(re.compile(r"/items/3$"))
    expect(page.locator("#item-name")).to_have_text("Chisel")
    expect(page).to_have_title("Chisel")
    expect(page.locator("#flash-info")).to_have_count(0)

    page.go_back()
    page.wait_for_url(re.compile(r"/items\?sort=price$"))
    expect(item_names(page)).to_have_text(PRICE_ORDER)
    expect(page.locator("#sort-price")).to_have_class("active")
    expect(page).to_have_title("Items")

    page.go_forward()
    page.wait_for_url(re.compile(r"/items/3$"))
    expect(page.locator("#item-name")).to_have_text("Chisel")
    assert page.evaluate("window.__sameDocument") is True, "history navigation reloaded the page"


def test_item_live_redirect_link_and_back_link(page: Page):
    goto_live(page, "/items")
    page.click("#item-2 > a")  # data-phx-link="redirect"
    page.wait_for_url(re.compile(r"/items/2$"))
    expect(page.locator("#item-name")).to_have_text("Bellows")
    expect(page).to_have_title("Bellows")
    page.click("#back")
    page.wait_for_url(re.compile(r"/items$"))
    expect(item_names(page)).to_have_text(NAME_ORDER)


def test_nav_bar_links_navigate_live(page: Page):
    goto_live(page, "/counter")
    page.evaluate("window.__sameDocument = true")
    page.click("#inc")
    expect(page.locator("#count")).to_have_text("1")

    page.click("header nav a[href='/items']")
    page.wait_for_url(re.compile(r"/items$"))
    expect(item_names(page)).to_have_text(NAME_ORDER)
    expect(page).to_have_title("Items")

    page.click("header nav a[href='/hooks']")
    page.wait_for_url(re.compile(r"/hooks$"))
    expect(page.locator("#greeting")).to_have_text("hello hook")

    page.click("header nav a[href='/counter']")
    page.wait_for_url(re.compile(r"/counter$"))
    expect(page.locator("#count")).to_have_text("0")  # a fresh mount
    assert page.evaluate("window.__sameDocument") is True, "a live link reloaded the page"


def test_unknown_item_redirects_with_error_flash(page: Page):
    response = page.goto("/items/999")  # the dead render redirects (302, flash in a cookie)
    assert response is not None and response.request.redirected_from is not None
    page.wait_for_url(re.compile(r"/items$"))
    expect(page.locator("#flash-error")).to_have_text("There is no item 999.")
    expect(item_names(page)).to_have_text(NAME_ORDER)
    page.wait_for_selector(f"{MAIN}.phx-connected", state="attached")
    expect(page.locator("#flash-error")).to_have_text("There is no item 999.")  # kept by the connected mount


def test_unknown_item_by_live_navigation_redirects_with_error_flash(page: Page):
    goto_live(page, "/items")
    page.evaluate("""() => {
        window.__sameDocument = true;
        const a = document.createElement("a");
        a.id = "missing"; a.href = "/items/999"; a.textContent = "missing";
        a.setAttribute("data-phx-link", "redirect");
        a.setAttribute("data-phx-link-state", "push");
        document.body.appendChild(a);
    }""")
    page.click("#missing")  # the join's mount push_navigates back: a live_redirect with a flash
    expect(page.locator("#flash-error")).to_have_text("There is no item 999.")
    page.wait_for_url(re.compile(r"/items$"))
    expect(item_names(page)).to_have_text(NAME_ORDER)
    assert page.evaluate("window.__sameDocument") is True


# -- hooks ------------------------------------------------------------------------------


def test_hooks_reply_and_push_event(page: Page):
    goto_live(page, "/hooks")
    expect(page.locator("#greeting")).to_have_text("hello hook")  # pushEvent reply
    expect(page.locator("#pings")).not_to_have_class(re.compile("highlight"))

    page.click("#ping")  # server push_event("highlight") -> hook handleEvent
    expect(page.locator("#pings")).to_have_text("1")
    expect(page.locator("#highlighted")).to_have_text("highlighted pings (1)")
    expect(page.locator("#pings")).to_have_class(re.compile(r"\bhighlight\b"))

    page.click("#ping")
    expect(page.locator("#highlighted")).to_have_text("highlighted pings (2)")
    expect(page.locator("#pings")).to_have_text("2")


def test_the_bundle_exposes_the_official_clients_exports(page: Page):
    """`window.liveui` carries what `phoenix` and `phoenix_live_view` export (a phx-no-feedback
    shim needs `isUsedInput`), beside liveui's own `connect`."""
    goto_live(page, "/form")
    names = ["connect", "LiveSocket", "Socket", "Channel", "Presence", "isUsedInput", "createHook", "ViewHook",
             "getFileURLForUpload"]
    missing = page.evaluate("names => names.filter(name => typeof window.liveui[name] !== 'function')", names)
    assert missing == []
    used = "() => Boolean(window.liveui.isUsedInput(document.getElementById('user_name')))"
    assert page.evaluate(used) is False  # untouched
    page.fill("#user_name", "Ada")
    page.wait_for_function(used)
