"""A real desktop window (`python -m liveui desktop ...`, Qt under Xvfb): it works, it shows the
page, and navigation stays inside it without an HTTP server."""

from __future__ import annotations

import asyncio
import time

from .support import DevTools

CONNECTED = "window.liveSocket && window.liveSocket.isConnected() && !!document.querySelector('.phx-connected')"


async def attach(process) -> DevTools:
    devtools = DevTools(process.port)
    await devtools.attach()
    return devtools


async def test_counter_window_counts_and_shows_the_page(screen, desktop) -> None:
    window = desktop("examples.counter:Counter")
    devtools = await attach(window)
    try:
        await devtools.wait_for(f"{CONNECTED} && document.querySelector('#count').textContent === '0'")
        assert await devtools.evaluate("location.href") == "http://liveui.desktop/"
        await devtools.click("#inc")
        await devtools.wait_for("document.querySelector('#count').textContent === '1'")
        await devtools.click("#inc")
        await devtools.wait_for("document.querySelector('#count').textContent === '2'")
        await devtools.click("#dec")
        await devtools.wait_for("document.querySelector('#count').textContent === '1'")
    finally:
        devtools.close()

    deadline = time.monotonic() + 10
    shot = screen.screenshot()
    while shot.covered() < 0.05 and time.monotonic() < deadline:  # the window maps and paints
        await asyncio.sleep(0.1)
        shot = screen.screenshot()
    assert shot.covered() >= 0.05, f"the screen is blank ({shot.colours()} colours)"
    assert shot.colours() > 16, f"the window shows no page, only {shot.colours()} colours"


async def test_live_navigation_stays_in_the_document(screen, desktop) -> None:
    window = desktop("tests.desktop_window.app:make_app")
    devtools = await attach(window)
    try:
        await devtools.wait_for(CONNECTED)
        await devtools.evaluate("location.assign('/items')")  # a page load: rendered by Python
        await devtools.wait_for(f"location.pathname === '/items' && {CONNECTED} && !!document.querySelector('#items')")
        await devtools.evaluate("window.sameDocument = true")
        screen.window_named("Items")  # the window's title follows the page's

        await devtools.click("#sort-price")  # push_patch
        await devtools.wait_for("location.search === '?sort=price' && "
                                "document.querySelector('#items li').textContent.includes('Chisel')")
        await devtools.click("#item-4 a")  # live link: push_navigate to another view
        await devtools.wait_for(f"location.pathname === '/items/4' && {CONNECTED} && "
                                "document.querySelector('#item-name')?.textContent === 'Drill'")
        screen.window_named("Drill")
        await devtools.evaluate("history.back()")
        await devtools.wait_for(f"location.pathname === '/items' && location.search === '?sort=price' && "
                                f"{CONNECTED} && !!document.querySelector('#items')")
        await devtools.evaluate("history.back()")
        await devtools.wait_for("location.search === '' && "
                                "document.querySelector('#items li').textContent.includes('Anvil')")
        await devtools.evaluate("history.forward()")
        await devtools.wait_for("location.search === '?sort=price' && "
                                "document.querySelector('#items li').textContent.includes('Chisel')")
        assert await devtools.evaluate("window.sameDocument") is True, "a live navigation reloaded the page"
    finally:
        devtools.close()


async def test_full_redirects_load_inside_or_open_the_system_browser(desktop) -> None:
    window = desktop("tests.desktop_window.app:make_app")
    devtools = await attach(window)
    try:
        await devtools.wait_for(CONNECTED)
        await devtools.evaluate("location.assign('/leave')")
        await devtools.wait_for(f"location.pathname === '/leave' && {CONNECTED}")
        await devtools.evaluate("window.sameDocument = true")

        await devtools.click("#outside")  # redirect(external=...): the system browser opens it
        deadline = time.monotonic() + 10
        while not window.opened_urls() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert window.opened_urls() == ["https://example.com/liveui-desktop-test"]
        # the client let the page's views go for the redirect: the window shows the page afresh
        await devtools.wait_for(f"location.pathname === '/leave' && window.sameDocument === undefined && {CONNECTED}")
        await devtools.evaluate("window.sameDocument = true")

        await devtools.click("#inside")  # redirect(to=...) into another live session, with a flash
        await devtools.wait_for(f"location.pathname === '/counter' && {CONNECTED} && "
                                "document.querySelector('#flash-info')?.textContent === 'Came by redirect.'")
        assert await devtools.evaluate("window.sameDocument") is None, "expected a new page"

        await devtools.evaluate("location.assign('/leave')")
        await devtools.wait_for(f"location.pathname === '/leave' && {CONNECTED}")
        await devtools.click("#plain")  # a plain link: a page load, rendered by Python
        await devtools.wait_for(f"location.pathname === '/counter' && {CONNECTED} && !!document.querySelector('#count')")

        await devtools.evaluate("location.assign('/broken')")  # a page that cannot be rendered says so
        await devtools.wait_for("location.pathname === '/broken' && document.querySelector('#liveui-error')?."
                                "textContent.includes('RuntimeError: the database is down')")
        await devtools.click("#liveui-start")  # and offers the way back
        await devtools.wait_for(f"location.pathname === '/' && {CONNECTED}")
    finally:
        devtools.close()


async def test_the_apps_inlined_static_files_work_in_the_window(desktop) -> None:
    window = desktop("tests.desktop_window.app:make_app")
    devtools = await attach(window)
    try:
        await devtools.wait_for(CONNECTED)
        await devtools.evaluate("location.assign('/hooks')")
        # hooks.js (an app static file) registered the Greeter hook, which asked the view
        await devtools.wait_for(f"location.pathname === '/hooks' && {CONNECTED} && "
                                "document.querySelector('#greeting')?.textContent === 'hello hook'")
        # gallery.css (another one) styles the page
        assert await devtools.evaluate("getComputedStyle(document.querySelector('header.bar')).display") == "flex"
    finally:
        devtools.close()


async def test_a_reload_of_the_window_keeps_its_view(desktop) -> None:
    window = desktop("examples.counter:Counter")
    devtools = await attach(window)
    try:
        await devtools.wait_for(f"{CONNECTED} && document.querySelector('#count').textContent === '0'")
        view_id = await devtools.evaluate("document.querySelector('[data-phx-main]').id")
        for expected in ("1", "2", "3"):
            await devtools.click("#inc")
            await devtools.wait_for(f"document.querySelector('#count').textContent === '{expected}'")
        await devtools.evaluate("window.beforeReload = true; location.reload()")
        await devtools.wait_for(f"window.beforeReload === undefined && {CONNECTED} && "
                                "document.querySelector('#count').textContent === '3'")
        assert await devtools.evaluate("document.querySelector('[data-phx-main]').id") == view_id
        await devtools.click("#inc")
        await devtools.wait_for("document.querySelector('#count').textContent === '4'")
        # a reload from outside the page (the inspector's, a menu's): Qt reloads the document itself
        await devtools.evaluate("window.beforeReload = true")
        await devtools.call("Page.reload")
        await devtools.wait_for(f"window.beforeReload === undefined && {CONNECTED} && "
                                "document.querySelector('#count').textContent === '4'")
        await devtools.click("#inc")
        await devtools.wait_for("document.querySelector('#count').textContent === '5'")
    finally:
        devtools.close()
