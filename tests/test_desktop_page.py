"""The page a desktop window loads: a dead render with the app's static files inlined (there is
no server behind the window), redirects followed in-process, outside URLs handed off."""

from __future__ import annotations

import base64
import re
from pathlib import Path

from examples.gallery import make_app
from liveui.desktop.page import ORIGIN, desktop_page

ASSETS = Path(__file__).resolve().parents[1] / "examples" / "assets"
STATIC = Path(__file__).resolve().parents[1] / "liveui" / "static"


async def test_static_files_and_the_bundles_are_inlined() -> None:
    page = await desktop_page(make_app("k"), f"{ORIGIN}/counter", {"_id": "s"})
    assert not page.external and page.url == f"{ORIGIN}/counter"
    assert 'id="count"' in page.html
    found = re.findall(r'(?:src|href)="data:([\w/+-]+);base64,([^"]+)"', page.html)
    inlined = [base64.b64decode(data) for _, data in found]
    assert (ASSETS / "gallery.css").read_bytes() in inlined
    assert (ASSETS / "hooks.js").read_bytes() in inlined
    assert (STATIC / "liveui.js").read_bytes() in inlined
    assert (STATIC / "liveui-desktop.js").read_bytes() in inlined
    assert not re.search(r'(?:src|href)="/(?:assets|liveui)/', page.html), "a static URL was left for a server"
    assert "phx-track-static" not in page.html  # data: URLs would travel with every join
    # the desktop bundle connects (over the bridge), not liveui.js on its own (over a WebSocket)
    assert page.html.index("window.liveuiManualConnect = true") < page.html.index("</head>")


async def test_redirects_are_followed_and_outside_urls_handed_off() -> None:
    app = make_app("k")
    page = await desktop_page(app, f"{ORIGIN}/items/99", {"_id": "s"})  # no such item: back to the list
    assert page.url == f"{ORIGIN}/items" and not page.external
    assert "There is no item 99." in page.html and 'id="items"' in page.html

    outside = await desktop_page(app, "https://example.com/x", {"_id": "s"})
    assert outside.external and outside.url == "https://example.com/x" and outside.html == ""
