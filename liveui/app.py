"""An app: live routes, live sessions, secrets and the page shell, independent of the host."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import secrets
from collections.abc import Iterable
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from markupsafe import Markup

from . import debug, origin, presence
from . import template as templates
from .pubsub import PubSub
from .pubsub import for_app as pubsub_for_app
from .reconnect import DEFAULT_GRACE, RunningViews
from .router import Router
from .tokens import Signer

STATIC_DIR = os.path.join(os.path.dirname(__file__), "static")
STATIC_PREFIX = "/liveui/static"
SECRET_VARIABLE = "LIVEUI_SECRET_KEY"


class App:
    """A liveui application: `app.live("/path", View)`, then `app.listen(port)` or `liveui.serve(app)`.

    `secret_key` signs session cookies and view tokens; give every process of one deployment
    the same key (when omitted: `$LIVEUI_SECRET_KEY`, else a random one). `allowed_origins` lists
    extra origins allowed to open the WebSocket besides the page's own host. `debug` shows errors
    with their traceback to the browser and logs events at INFO (docs/devloop.md): never in production.
    `pubsub` is a Redis URL (`redis://host:port/db`), a PubSub, or None for the
    LIVEUI_PUBSUB_URL environment variable's or else the in-process one; Redis channels are
    named after `pubsub_namespace` (default: a digest of the secret key).

    The root layout (docs/layouts.md): `static_dir` is served under /static; `stylesheets` and
    `scripts` (URLs of served files) are linked from every page with their version, tracked for
    changes, and the stylesheets also reach notebook cells; `title_suffix` follows every page title;
    `head` is extra markup for the page's <head>.

    `hosts`: the Host names served (`"*.example.com"`, `"*"`); default: loopback names only
    when the request arrived on a loopback address (docs/security.md, DNS rebinding).
    `header_timeout`: seconds a client may take to send a request's headers (or stay idle
    between requests) before its connection closes.
    `idle_timeout`: seconds a WebSocket may stay silent (no frame, no pong) before it closes.
    `outgoing_buffer`: bytes a WebSocket may hold unsent for a client that stopped reading;
    past it the connection is dropped (the client reconnects).
    `reconnect_grace`: seconds a view outlives a dropped connection, waiting for its client to
    rejoin (0: it ends with its connection; a view class may set its own; docs/reconnect.md).
    """

    def __init__(self, *, secret_key: str | None = None, title: str = "liveui", root_layout: str | None = None,
                 head: str = "", allowed_origins: Iterable[str] = (), token_max_age: float = 14 * 86400,
                 hosts: Iterable[str] | None = None, header_timeout: float = 5.0, idle_timeout: float = 60.0,
                 outgoing_buffer: int = 8 * 1024 * 1024,
                 reconnect_grace: float = DEFAULT_GRACE, debug: bool = False,
                 static_dir: str | None = None, stylesheets: Iterable[str] = (), scripts: Iterable[str] = (),
                 title_suffix: str = "", pubsub: str | PubSub | None = None,
                 pubsub_namespace: str | None = None) -> None:
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
        self.debug = debug
        self.routes: list[tuple[str, Any, dict[str, Any]]] = []
        self.title = title
        self.head = Markup(head)
        self.allowed_origins = set(allowed_origins)
        self.token_max_age = token_max_age
        self.hosts = origin.normalize(hosts)
        self.header_timeout = header_timeout
        self.idle_timeout = idle_timeout
        self.outgoing_buffer = outgoing_buffer
        self.reconnect_grace = reconnect_grace
        self.running_views = RunningViews()
        self.static_dirs: list[tuple[str, str]] = [(STATIC_PREFIX, STATIC_DIR)]
        if static_dir is not None:
            self.static("/static", static_dir)
        self.stylesheets = list(stylesheets)
        self.scripts = list(scripts)
        self.title_suffix = title_suffix
        self._versions: dict[str, tuple[float, str]] = {}
        self._layout_path = root_layout or os.path.join(os.path.dirname(__file__), "templates", "root.html.j2")
        self._layout = templates.load(self._layout_path)

    def route(self, path: str, handler: Any, **kwargs: Any) -> None:
        """Serve `path` (a Tornado pattern: "/login", r"/api/items/([0-9]+)") over plain HTTP,
        before the live routes: `handler` is a `liveui.http.RequestHandler` subclass (or any
        Tornado RequestHandler; `kwargs` go to its `initialize`), or a function
        `fn(handler, *groups)` returning HTML (str), JSON (dict or list) or None."""
        self.routes.append((path, handler, kwargs))

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

    def static_file(self, path: str) -> str | None:
        """The file a static URL path serves (None when it serves none)."""
        for prefix, directory in self.static_dirs:
            if path.startswith(prefix + "/"):
                file = os.path.realpath(os.path.join(directory, path[len(prefix) + 1:]))
                if file.startswith(os.path.realpath(directory) + os.sep) and os.path.isfile(file):
                    return file
        return None

    def _static_version(self, path: str) -> str | None:
        file = self.static_file(path)
        if file is None:
            return None
        mtime = os.path.getmtime(file)
        known = self._versions.get(file)
        if known is None or known[0] != mtime:
            with open(file, "rb") as f:
                known = self._versions[file] = (mtime, hashlib.sha256(f.read()).hexdigest()[:12])
        return known[1]

    def head_markup(self) -> Markup:
        """What the root layout puts in <head> besides its own tags: the stylesheets and scripts
        (versioned, `phx-track-static`), `head`, and in debug mode the crash notice script."""
        tags = [f'<link rel="stylesheet" phx-track-static href="{escape(self.static_url(url))}">' for url in self.stylesheets]
        tags += [f'<script defer phx-track-static src="{escape(self.static_url(url))}"></script>' for url in self.scripts]
        return Markup("\n".join(tags)) + self.head + (debug.HEAD if self.debug else "")

    def cell_styles(self) -> str:
        """The app's CSS for a notebook cell, which cannot load the app's files: the stylesheets'
        contents and the <style> blocks of `head`, inline and scoped to the cell's output."""
        sources = [Path(file).read_text(encoding="utf-8") for file in map(self.static_file, self.stylesheets) if file]
        sources += re.findall(r"<style\b[^>]*>(.*?)</style>", str(self.head), re.S | re.I)
        return "".join(f"<style>.liveui-cell {{\n{source}\n}}</style>" for source in sources)

    def render_layout(self, inner: Markup, page_title: Any, csrf_token: str, layout: Any = None) -> str:
        """The root layout (or a view's own) around a view's container (dead render only); in
        debug mode the root layout file is read again when it was edited."""
        root = templates.load(self._layout_path) if self.debug else self._layout
        return (layout or root).render({
            "inner_content": inner, "page_title": page_title, "app_title": self.title,
            "csrf_token": csrf_token, "head": self.head_markup(), "title_suffix": self.title_suffix,
            "static_url": self.static_url,
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
