"""Streams, infinite scroll and async work in headless Chromium with the official client.

Every wait is bounded (Playwright's `expect`); nothing sleeps.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .support import goto_live


def titles(page: Page):
    return page.locator("#songs li .title")


def test_stream_insert_update_delete_reset_and_limit(page: Page):
    goto_live(page, "/songs")
    expect(titles(page)).to_have_text(["Blue in Green", "So What", "Freddie Freeloader"])
    page.click("#add-bottom")
    page.click("#add-top")
    expect(titles(page)).to_have_text(["Song 5", "Blue in Green", "So What", "Freddie Freeloader", "Song 4"])
    page.locator("#songs-2 .play").click()
    expect(page.locator("#songs-2 .plays")).to_have_text("1")  # updated in place
    expect(titles(page).nth(2)).to_have_text("So What")
    page.locator("#songs-1 .delete").click()
    expect(titles(page)).to_have_text(["Song 5", "So What", "Freddie Freeloader", "Song 4"])
    page.click("#limit")
    page.click("#add-top")
    page.click("#add-top")
    expect(titles(page)).to_have_text(["Song 7", "Song 6", "Song 5", "So What", "Freddie Freeloader"])
    page.click("#reset")
    expect(titles(page)).to_have_text(["Blue in Green", "So What", "Freddie Freeloader"])
    expect(page.locator("#songs-1 .plays")).to_have_text("0")


def test_infinite_scroll_with_phx_viewport_bottom(page: Page):
    goto_live(page, "/feed")
    posts = page.locator("#posts li")
    expect(posts).to_have_count(20)
    for loaded in ("2", "3", "4"):  # scroll to the end of the list: the next page arrives
        posts.last.scroll_into_view_if_needed()
        page.mouse.wheel(0, 400)
        expect(page.locator("#page")).to_have_text(loaded)
    expect(posts).to_have_count(60)
    # the limit: the first page was dropped
    expect(posts.first).to_have_text("Post number 21")
    expect(posts.last).to_have_text("Post number 80")


def test_assign_async_loading_ok_and_failure(page: Page):
    goto_live(page, "/async")
    expect(page.locator("#weather .report")).to_have_text("Lisbon: sunny, 21 °C")
    page.click("#reload-fail")
    expect(page.locator("#weather .loading")).to_have_text("Asking the weather service...")
    expect(page.locator("#weather .error")).to_have_text("the weather service for Lisbon did not answer")
    page.click("#reload")
    expect(page.locator("#weather .report")).to_have_text("Lisbon: sunny, 21 °C")


def test_start_async_and_cancel(page: Page):
    goto_live(page, "/async")
    page.click("#start")
    expect(page.locator("#job")).to_have_text("done: 42 widgets counted")
    page.click("#start")
    expect(page.locator("#job")).to_have_text("running")
    page.click("#cancel")
    expect(page.locator("#job")).to_have_text("stopped: cancelled by you")
