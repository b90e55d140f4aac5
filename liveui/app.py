"""An app: live routes, live sessions, secrets and the page shell, independent of the host."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Iterable
from html import escape
from typing import Any

from markupsafe import Markup

from . import template as templates
from .router import Router
from .tokens import Signer

STATIC_DIR = os.path.join(os.path.dirname(__file__), "static")
STATIC_PREFIX = "/liveui/static"


class App:
    """A liveui application: `app.live("/path", View)`, then `app.listen(port)` or `liveui.serve(app)`.

    `secret_key` signs session cookies and view tokens; give every process of one deployment
    the same key (a random one is made when omitted). `allowed_origins` lists extra origins
    allowed to open the WebSocket besides the page's own host.
    """

    def __init__(self, *, secret_key: str | None = None, title: str = "liveui", root_layout: str | None = None,
                 head: str = "", allowed_origins: Iterable[str] = (), token_max_age: float = 14 * 86400) -> None:
        self.router = Router()
        self.live = self.router.live
        self.live_session = self.router.live_session
        self.signer = Signer(secret_key or secrets.token_hex(32))
        self.title = title
        self.head = Markup(head)
        self.allowed_origins = set(allowed_origins)
        self.token_max_age = token_max_age
        self.static_dirs: list[tuple[str, str]] = []
        self._layout = templates.load(root_layout or os.path.join(os.path.dirname(__file__), "templates", "root.html.j2"))

    def static(self, prefix: str, directory: str) -> None:
        """Serve the files of `directory` under the URL `prefix` (e.g. "/assets")."""
        self.static_dirs.append((prefix.rstrip("/"), os.path.abspath(directory)))

    def render_layout(self, inner: Markup, page_title: Any, csrf_token: str) -> str:
        """The root layout around a view's container (dead render only)."""
        return self._layout.render({
            "inner_content": inner, "page_title": page_title, "app_title": self.title,
            "csrf_token": csrf_token, "head": self.head, "static_prefix": STATIC_PREFIX,
        })

    def render_not_found(self, url: str) -> str:
        return self.render_layout(Markup(f"<h1>Not found</h1><p>No page at {escape(url)}.</p>"), "Not found", "")

    def listen(self, port: int, address: str = "127.0.0.1") -> Any:
        """Serve on `address:port` from the running event loop; returns the Tornado HTTPServer."""
        from .server import listen

        return listen(self, port, address)


def serve(app: App, port: int = 8000, address: str = "127.0.0.1") -> None:
    """Run `app` until interrupted (blocking)."""

    async def main() -> None:
        app.listen(port, address)
        print(f"liveui serving on http://{address}:{port}", flush=True)
        await asyncio.Event().wait()

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
