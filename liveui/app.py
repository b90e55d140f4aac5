"""An app: live routes, live sessions, secrets and the page shell, independent of the host."""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
from collections.abc import Iterable
from html import escape
from typing import Any
from urllib.parse import parse_qs, urlsplit

from markupsafe import Markup

from . import presence
from . import template as templates
from .pubsub import PubSub
from .pubsub import for_app as pubsub_for_app
from .router import Router
from .tokens import Signer

STATIC_DIR = os.path.join(os.path.dirname(__file__), "static")
STATIC_PREFIX = "/liveui/static"
SECRET_VARIABLE = "LIVEUI_SECRET_KEY"


class App:
    """A liveui application: `app.live("/path", View)`, then `app.listen(port)` or `liveui.serve(app)`.

    `secret_key` signs session cookies and view tokens; give every process of one deployment
    the same key (default: the LIVEUI_SECRET_KEY environment variable, else a random one).
    `allowed_origins` lists extra origins allowed to open the WebSocket besides the page's own
    host. `pubsub` is a Redis URL (`redis://host:port/db`), a PubSub, or None for the
    LIVEUI_PUBSUB_URL environment variable's or else the in-process one; Redis channels are
    named after `pubsub_namespace` (default: a digest of the secret key).
    """

    def __init__(self, *, secret_key: str | None = None, title: str = "liveui", root_layout: str | None = None,
                 head: str = "", allowed_origins: Iterable[str] = (), token_max_age: float = 14 * 86400,
                 pubsub: str | PubSub | None = None, pubsub_namespace: str | None = None) -> None:
        self.router = Router()
        self.live = self.router.live
        self.live_session = self.router.live_session
        secret_key = secret_key or os.environ.get(SECRET_VARIABLE) or None
        self.random_secret = secret_key is None  # several processes cannot share it
        secret_key = secret_key or secrets.token_hex(32)
        self.signer = Signer(secret_key)
        namespace = pubsub_namespace or hashlib.sha256(b"liveui pubsub " + secret_key.encode()).hexdigest()[:16]
        self.pubsub = pubsub_for_app(pubsub, namespace)
        presence.tracker(self.pubsub)
        self.title = title
        self.head = Markup(head)
        self.allowed_origins = set(allowed_origins)
        self.token_max_age = token_max_age
        self.static_dirs: list[tuple[str, str]] = [(STATIC_PREFIX, STATIC_DIR)]
        self._versions: dict[str, tuple[float, str]] = {}
        self._layout = templates.load(root_layout or os.path.join(os.path.dirname(__file__), "templates", "root.html.j2"))

    def static(self, prefix: str, directory: str) -> None:
        """Serve the files of `directory` under the URL `prefix` (e.g. "/assets")."""
        self.static_dirs.append((prefix.rstrip("/"), os.path.abspath(directory)))

    def static_url(self, path: str) -> str:
        """`path` of a served static file with `?vsn=` its content digest: mark the tag that
        loads it `phx-track-static` and `socket.static_changed()` tells when it changed."""
        version = self._static_version(path)
        return f"{path}?vsn={version}" if version else path

    def static_changed(self, tracked: Any) -> bool:
        """Whether any of these tracked static URLs (the client's `_track_static`) is out of date."""
        for url in tracked if isinstance(tracked, list) else []:
            parts = urlsplit(str(url))
            sent = parse_qs(parts.query).get("vsn", [None])[0]
            current = self._static_version(parts.path)
            if current is not None and sent != current:
                return True
        return False

    def _static_version(self, path: str) -> str | None:
        for prefix, directory in self.static_dirs:
            if path.startswith(prefix + "/"):
                file = os.path.realpath(os.path.join(directory, path[len(prefix) + 1:]))
                if file.startswith(directory + os.sep) and os.path.isfile(file):
                    mtime = os.path.getmtime(file)
                    known = self._versions.get(file)
                    if known is None or known[0] != mtime:
                        with open(file, "rb") as f:
                            known = self._versions[file] = (mtime, hashlib.sha256(f.read()).hexdigest()[:12])
                    return known[1]
        return None

    def render_layout(self, inner: Markup, page_title: Any, csrf_token: str, layout: Any = None) -> str:
        """The root layout (or a view's own) around a view's container (dead render only)."""
        return (layout or self._layout).render({
            "inner_content": inner, "page_title": page_title, "app_title": self.title,
            "csrf_token": csrf_token, "head": self.head, "static_url": self.static_url,
        })

    def render_not_found(self, url: str) -> str:
        return self.render_layout(Markup(f"<h1>Not found</h1><p>No page at {escape(url)}.</p>"), "Not found", "")

    def listen(self, port: int, address: str = "127.0.0.1") -> Any:
        """Serve on `address:port` from the running event loop; returns the Tornado HTTPServer."""
        from .server import listen

        self.pubsub.start()
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
