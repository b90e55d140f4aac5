"""The gallery's todo example (forms, core components, JS commands, the default layout) in
headless Chromium: errors after interaction, a submit that clears the input the user typed in,
toggle, and a delete behind data-confirm.

Every wait is bounded (Playwright's `expect`); nothing sleeps.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .support import goto_live


def test_todo_validates_adds_clears_toggles_and_deletes(page: Page):
    goto_live(page, "/todo")
    title = page.locator("#todo_title")
    title.fill("ab")
    expect(page.locator("#todo_title-error")).to_have_text("At least 3 characters.")
    title.fill("Buy milk")
    expect(page.locator("#todo_title-error")).to_have_count(0)
    title.press("Enter")  # submitted from the focused input
    expect(page.locator("#todos-rows tr")).to_have_count(1)
    expect(page.locator("#todos-rows tr td").nth(1)).to_have_text("Buy milk")
    expect(page.locator("#flash-info")).to_contain_text("Added Buy milk.")
    expect(title).to_have_value("")  # the fresh form cleared the input, focused as it is
    expect(page.locator(".lv-subtitle")).to_have_text("1 left")

    page.locator("#todos-rows input[type=checkbox]").click()
    expect(page.locator(".lv-subtitle")).to_have_text("0 left")

    page.once("dialog", lambda dialog: dialog.dismiss())
    page.locator("#todos-rows a", has_text="Delete").click()
    page.locator("#todos-rows input[type=checkbox]").click()  # a round trip after the dismissed delete
    expect(page.locator(".lv-subtitle")).to_have_text("1 left")
    expect(page.locator("#todos-rows tr")).to_have_count(1)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#todos-rows a", has_text="Delete").click()
    expect(page.locator("#todos-rows tr")).to_have_count(0)
