"""The Tornado host: pages (dead render), static assets and the live WebSocket."""

from __future__ import annotations

import socket
from typing import Any

import tornado.web
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets

from .app import App
from .http import FunctionHandler, HostCheck, RequestHandler
from .page import render_page
from .session import ensure_session
from .tokens import InvalidToken, csrf_token
from .transports.websocket import LiveSocketHandler

FLASH_COOKIE = "__phoenix_flash__"


class PageHandler(RequestHandler):
    """GET of a live route: the full page, a redirect, or 404 (an error: see RequestHandler.write_error)."""

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


class StaticFiles(tornado.web.StaticFileHandler, HostCheck):
    """A static folder, for the hosts the app serves: a URL carrying the file's current version
    (`?vsn=`, see App.static_url) is cached for good; any other is revalidated on every use, so
    an edited file shows at once."""

    def initialize(self, path: str, app: App) -> None:  # type: ignore[override]
        super().initialize(path)
        self.app = app

    def _current(self) -> bool:
        sent = self.get_query_argument("vsn", None)
        return sent is not None and sent == self.app._static_version(self.request.path)

    def get_cache_time(self, path: str, modified: Any, mime_type: str) -> int:
        return self.CACHE_MAX_AGE if self._current() else 0

    def set_extra_headers(self, path: str) -> None:
        self.set_header("Cache-Control", "public, max-age=%d, immutable" % self.CACHE_MAX_AGE if self._current()
                        else "no-cache")


def make_application(app: App) -> tornado.web.Application:
    """The Tornado application serving `app`."""
    handlers: list[Any] = [
        (r"/live/websocket", LiveSocketHandler, {"app": app}),
    ]
    handlers += [(prefix + r"/(.*)", StaticFiles, {"path": path, "app": app}) for prefix, path in app.static_dirs]
    handlers += [_route(app, path, handler, kwargs) for path, handler, kwargs in app.routes]
    handlers.append((r"/favicon\.ico", NoFaviconHandler, {"app": app}))
    handlers.append((r"/.*", PageHandler, {"app": app}))
    return tornado.web.Application(handlers, websocket_ping_interval=None)


def http_server(app: App) -> HTTPServer:
    """The HTTP server of `app`, not yet listening: incomplete request headers (and idle
    keep-alive connections) time out after `app.header_timeout` seconds."""
    return HTTPServer(make_application(app), xheaders=False, idle_connection_timeout=app.header_timeout)


def _route(app: App, path: str, handler: Any, kwargs: dict[str, Any]) -> tuple[str, Any, dict[str, Any]]:
    """A Tornado handler spec for `app.route(path, handler, **kwargs)`."""
    if isinstance(handler, type) and issubclass(handler, RequestHandler):
        return path, handler, {"app": app, **kwargs}
    if isinstance(handler, type) and issubclass(handler, tornado.web.RequestHandler):
        return path, handler, kwargs
    if callable(handler):
        return path, FunctionHandler, {"app": app, "fn": handler}
    raise TypeError(f"app.route({path!r}, ...) takes a RequestHandler subclass or a function, got {handler!r}")


def serve_sockets(app: App, sockets: list[socket.socket]) -> HTTPServer:
    """Serve `app` on bound sockets from the running event loop, its PubSub started."""
    app.pubsub.start()
    server = http_server(app)
    server.add_sockets(sockets)
    return server


def listen(app: App, port: int, address: str = "127.0.0.1") -> HTTPServer:
    return serve_sockets(app, bind_sockets(port, address))
