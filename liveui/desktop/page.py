"""The page a desktop window loads: the dead render, with the app's static files inlined.

There is no HTTP server behind a window, so every `src`/`href` naming one of the app's static
files becomes a `data:` URL, and the desktop bundle joins the page to connect over the bridge.
"""

from __future__ import annotations

import base64
import mimetypes
import os
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from ..page import render_page

# the origin of every page of a window: no host of that name is ever contacted
ORIGIN = "http://liveui.desktop"
MAX_REDIRECTS = 10

_STATIC_ATTR = re.compile(r'\b(src|href)="(/[^"]*)"')
_TRACK_STATIC = re.compile(r"\sphx-track-static(?:=\"[^\"]*\")?")
_DESKTOP_JS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "static", "liveui-desktop.js")


@dataclass(slots=True)
class DesktopPage:
    """What loading `url` gives: the HTML to show at `url`, or an outside URL to hand off."""

    url: str
    html: str = ""
    external: bool = False


def data_url(path: str) -> str:
    """The content of a file as a `data:` URL."""
    kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
    with open(path, "rb") as f:
        return f"data:{kind};base64,{base64.b64encode(f.read()).decode('ascii')}"


def static_file(app: Any, path: str) -> str | None:
    """The file behind one of the app's static URL paths, if any."""
    for prefix, directory in app.static_dirs:
        if path.startswith(prefix + "/"):
            file = os.path.realpath(os.path.join(directory, path[len(prefix) + 1:]))
            if file.startswith(os.path.realpath(directory) + os.sep) and os.path.isfile(file):
                return file
    return None


def inline_static(app: Any, html: str) -> str:
    """The page with static URLs as `data:` URLs and the desktop bundle added (connecting it)."""

    def inline(found: re.Match[str]) -> str:
        file = static_file(app, urlsplit(found.group(2)).path)
        return found.group(0) if file is None else f'{found.group(1)}="{data_url(file)}"'

    html = _TRACK_STATIC.sub("", _STATIC_ATTR.sub(inline, html))
    desktop = ('<script>window.liveuiManualConnect = true</script>'
               f'<script defer src="{data_url(_DESKTOP_JS)}"></script>')
    head_end = html.find("</head>")
    return html[:head_end] + desktop + html[head_end:] if head_end >= 0 else desktop + html


async def desktop_page(app: Any, url: str, session: dict[str, Any], flash: dict[str, Any] | None = None,
                       view_id: str | None = None) -> DesktopPage:
    """Render `url` for a window, following the app's redirects (an outside one is handed off);
    its main view gets `view_id` when given (a reload), a page it redirects to a new one."""
    for _ in range(MAX_REDIRECTS):
        if not url.startswith(ORIGIN + "/"):
            return DesktopPage(url, external=True)
        page = await render_page(app, url, session, flash or {}, "", view_id)
        if page.location is None:
            return DesktopPage(url, inline_static(app, page.html))
        url, flash, view_id = urljoin(url, page.location), page.flash, None
    raise RuntimeError(f"too many redirects from {url}")
