"""One native window showing an app: its page, its bridge, its views."""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import threading
import html
import json
import webbrowser
from typing import Any
from urllib.parse import urljoin

try:
    import webview
except ImportError as missing:
    raise ImportError("liveui.desktop needs pywebview with Qt: pip install 'liveui[desktop]'") from missing

from ..transports.webview import Bridge, ScriptPoster
from .page import ORIGIN, desktop_page
from .runtime import Runtime

log = logging.getLogger("liveui")

LOAD_TIMEOUT = 10.0
VIEW_ID = re.compile(r"phx-[A-Za-z0-9_-]{1,64}")  # a main view's id, as a reload names it

LOADING = "<!DOCTYPE html><html><body style='font-family: sans-serif'><p>Loading…</p></body></html>"


def error_page(url: str, error: BaseException, start: str) -> str:
    """What the window shows when a page of the app cannot be rendered (details in the log),
    with a way back to the first page (asked for as liveui-desktop.js does)."""
    request = json.dumps({"url": start, "flash": None}).replace("</", "<\\/")
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>Error</title><script>"
            "function liveuiStart() {"
            f" const load = () => {{ window.pywebview.state.liveuiLoad = {{...{request}, nonce: String(Date.now())}} }};"
            " if (window.pywebview && window.pywebview.api && window.pywebview.api.open) load();"
            " else window.addEventListener('pywebviewready', load, {once: true}); return false }"
            "</script></head><body style='font-family: sans-serif; margin: 2em'><h1>This page could not be shown</h1>"
            f"<p id='liveui-error'>{html.escape(url)}: {html.escape(type(error).__name__)}: "
            f"{html.escape(str(error))}</p>"
            "<p><a href='#' id='liveui-start' onclick='return liveuiStart()'>Go to the first page</a></p></body></html>")


class DesktopWindow:
    """A pywebview window showing `app` from `path`; closing it ends its views.

    Page loads inside it (the first page, full redirects, plain links) are dead renders done in
    the runtime and loaded as HTML at `http://liveui.desktop/<path>`; live navigation, patches
    and back/forward are the client's own, over the bridge.
    """

    def __init__(self, app: Any, runtime: Runtime, path: str = "/", *, title: str, width: int, height: int,
                 resizable: bool, session: dict[str, Any] | None = None) -> None:
        self.app = app
        self.runtime = runtime
        self.session = {"_id": "desktop-" + secrets.token_hex(6), **(session or {})}
        self._bridge = Bridge(app, runtime.loop, self._post, info={"desktop_window": self})
        self.window = webview.create_window(title, html=LOADING, js_api=self._bridge, width=width, height=height,
                                            resizable=resizable)
        self._poster = ScriptPoster(self.window.run_js, name=f"liveui-window-{self.window.uid}",
                                    limit=app.outgoing_buffer, overflow=self._bridge.drop_all)
        self._start = urljoin(ORIGIN + "/", path)
        self._started = False  # the first page was asked for (once), under `_lock`
        self._lock = threading.Lock()
        self.window.events.closed += self._closed
        self.window.state += self._state_changed
        self.window.events.shown += self._shown
        if self.window.events.shown.is_set():  # opened while the GUI runs: it may be shown already
            self._shown()

    def navigate(self, url: str, flash_token: str | None = None, reload_view: str | None = None) -> None:
        """Load one of the app's pages into the window (from any thread; returns at once). A
        reload names the page's main view: the new page rejoins the views of the page it replaces."""
        asyncio.run_coroutine_threadsafe(self._load(urljoin(self._start, url), flash_token, reload_view),
                                         self.runtime.loop)

    async def _load(self, url: str, flash_token: str | None, reload_view: str | None = None) -> None:
        try:
            flash = self.app.signer.verify("flash", flash_token, 60) if flash_token else None
            page = await desktop_page(self.app, url, self.session, flash, reload_view)
            log.info("window %s: %s %s", self.window.uid, "opening outside" if page.external else "loading", page.url)
            if page.external:
                await asyncio.to_thread(webbrowser.open, page.url)
                return
            # pywebview readies a page's bridge from a thread that evaluates into whichever page is
            # current: a page loaded before that has finished would have its bridge readied twice
            # (losing the calls in flight), so the page being left must be ready first
            await asyncio.to_thread(self.window.events.loaded.wait, LOAD_TIMEOUT)
            if reload_view:  # the views of the page wait for its reload to rejoin them
                self._bridge.park_all()
            else:  # the views of the page being left end
                self._bridge.close_all()
            self.window.load_html(page.html, base_uri=page.url)  # queued to the GUI thread
        except Exception as error:
            log.exception("could not load %s into the window", url)
            self._bridge.close_all()
            self.window.load_html(error_page(url, error, self._start), base_uri=url)

    def _post(self, script: str) -> None:
        self._poster.post(script)

    def _shown(self) -> None:
        with self._lock:
            started, self._started = self._started, True
        if not started:
            self.navigate(self._start)

    def _state_changed(self, kind: str, key: str, value: Any) -> None:
        """What the page tells through pywebview's shared state (liveui-desktop.js): a page load
        it asks for (`liveuiLoad`), its title (`liveuiTitle`)."""
        if kind != "change":
            return
        if key == "liveuiLoad" and isinstance(value, dict) and isinstance(value.get("url"), str):
            flash, view = value.get("flash"), value.get("view")
            self.navigate(value["url"], flash if isinstance(flash, str) else None,
                          view if isinstance(view, str) and VIEW_ID.fullmatch(view) else None)
        elif key == "liveuiTitle" and isinstance(value, str) and value:
            self.window.set_title(value)

    def _closed(self) -> None:
        self._bridge.close_all()
        self._poster.stop()
