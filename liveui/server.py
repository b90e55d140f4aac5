"""The Tornado host: pages (dead render), static assets and the live WebSocket."""

from __future__ import annotations

from typing import Any

import tornado.web
from tornado.httpserver import HTTPServer

from .app import App
from .origin import host_allowed
from .page import render_page
from .session import ensure_session
from .tokens import InvalidToken, csrf_token
from .transports.websocket import LiveSocketHandler

FLASH_COOKIE = "__phoenix_flash__"


class HostCheck(tornado.web.RequestHandler):
    """Refuses (400) a request naming a host the app does not serve (`App(hosts=...)`)."""

    app: App

    def prepare(self) -> None:
        if not host_allowed(self.app.hosts, self.request):
            raise tornado.web.HTTPError(400, "host %r is not served (App(hosts=...))", self.request.host[:100])


class PageHandler(HostCheck):
    """GET of a live route: the full page, a redirect, or 404."""

    def initialize(self, app: App) -> None:
        self.app = app

    async def get(self) -> None:
        app = self.app
        session = ensure_session(self, app.signer)
        flash = self._take_flash()
        page = await render_page(app, self.request.full_url(), session, flash, csrf_token(app.signer, session["_id"]))
        if page.location is not None:
            if page.flash:
                self.set_cookie(FLASH_COOKIE, app.signer.sign("flash", page.flash), expires_days=1 / 1440, path="/")
            self.redirect(page.location)
            return
        self.set_status(page.status)
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.finish(page.html)

    def _take_flash(self) -> dict[str, Any]:
        """The flash a client-side redirect left in its cookie (read once)."""
        token = self.get_cookie(FLASH_COOKIE)
        if token is None:
            return {}
        self.clear_cookie(FLASH_COOKIE, path="/")
        try:
            flash = self.app.signer.verify("flash", token, 120)
        except InvalidToken:
            return {}
        return flash if isinstance(flash, dict) else {}


class NoFaviconHandler(HostCheck):
    """/favicon.ico of an app that serves none: an empty answer (204), so browsers log no 404.
    An app shows its own icon with `<link rel="icon" ...>` in its head, or a static file there."""

    def initialize(self, app: App) -> None:
        self.app = app

    def get(self) -> None:
        self.set_status(204)
        self.set_header("Cache-Control", "public, max-age=86400")
        self.finish()


class StaticHandler(tornado.web.StaticFileHandler, HostCheck):
    """The files of a static directory (`App.static`), for the hosts the app serves."""

    def initialize(self, path: str, app: App) -> None:  # type: ignore[override]
        super().initialize(path)
        self.app = app


def make_application(app: App) -> tornado.web.Application:
    """The Tornado application serving `app`."""
    handlers: list[Any] = [
        (r"/live/websocket", LiveSocketHandler, {"app": app}),
    ]
    handlers += [(prefix + r"/(.*)", StaticHandler, {"path": path, "app": app}) for prefix, path in app.static_dirs]
    handlers.append((r"/favicon\.ico", NoFaviconHandler, {"app": app}))
    handlers.append((r"/.*", PageHandler, {"app": app}))
    return tornado.web.Application(handlers, websocket_ping_interval=None)


def http_server(app: App) -> HTTPServer:
    """The HTTP server of `app`, not yet listening: incomplete request headers (and idle
    keep-alive connections) time out after `app.header_timeout` seconds."""
    return HTTPServer(make_application(app), xheaders=False, idle_connection_timeout=app.header_timeout)


def listen(app: App, port: int, address: str = "127.0.0.1") -> HTTPServer:
    server = http_server(app)
    server.listen(port, address)
    return server
