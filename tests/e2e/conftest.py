"""Fixtures of the browser tests: the gallery served from a thread, headless Debian Chromium, a page per test.

Playwright's sync API marks its own event loop as *running* in the test thread between calls
(greenlets; see playwright/sync_api/_context_manager.py). While it is alive no asyncio loop can
run in that thread, so pytest-asyncio tests collected after these would fail with "Cannot run the
event loop while another loop is running". The Playwright fixtures are therefore package-scoped
(this directory has an `__init__.py`): Playwright is started once for tests/e2e and stopped
after its last test, before the rest of the suite. Do not write `async def` tests in this package.
The server thread has its own loop and can stay session-scoped.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .support import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, ConsoleLog, LiveServer, fresh_page

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # `examples` is not an installed package
    sys.path.insert(0, str(REPO))


@pytest.fixture(scope="session")
def gallery_server() -> Iterator[LiveServer]:
    """The demo gallery (`examples.gallery.make_app`) on a free 127.0.0.1 port."""
    from examples.gallery import make_app

    server = LiveServer(make_app("e2e-secret-key"), name="gallery-server").start()
    yield server
    server.stop()


@pytest.fixture(scope="package")
def playwright() -> Iterator[Any]:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium; "
                    "or set LIVEUI_E2E_CHROMIUM); never `playwright install`", pytrace=False)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        pytest.fail("the sync Playwright API cannot start inside a running asyncio loop", pytrace=False)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="package")
def browser(playwright: Any) -> Iterator[Any]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def console() -> ConsoleLog:
    """What the test's page logged; `page` fails the test at teardown on unexpected errors."""
    return ConsoleLog()


@pytest.fixture
def page(browser: Any, gallery_server: LiveServer, console: ConsoleLog) -> Iterator[Any]:
    """A fresh page (own context: cookies, sessionStorage) on the gallery; relative URLs work."""
    with fresh_page(browser, gallery_server.url, console) as page:
        yield page
