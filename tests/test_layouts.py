"""The root layout's head hooks (stylesheets, scripts, title suffix, `head`) in pages and notebook
cells, and the cache headers of static files."""

from __future__ import annotations

import os
import re
import sys

from tornado.httpclient import AsyncHTTPClient

sys.path.insert(0, os.path.dirname(__file__))

import liveui  # noqa: E402
from liveui import LiveView  # noqa: E402
from wire import serve  # noqa: E402,F401


class Shop(LiveView):
    template = "<p>shop</p>"

    def mount(self, params, session, socket):
        socket.assign(page_title="Cart")


def shop_app(tmp_path) -> liveui.App:
    (tmp_path / "app.css").write_text("p { color: teal }")
    (tmp_path / "app.js").write_text("window.loaded = true")
    app = liveui.App(secret_key="layouts", static_dir=str(tmp_path), stylesheets=["/static/app.css"],
                     scripts=["/static/app.js"], title_suffix=" · Shop", head="<style>h1 { margin: 0 }</style>")
    app.live("/", Shop)
    return app


async def test_pages_link_the_stylesheets_and_scripts_with_their_version_and_the_title_suffix(tmp_path, serve):
    app = shop_app(tmp_path)
    html = (await AsyncHTTPClient().fetch(await serve(app) + "/")).body.decode()
    css, js = app.static_url("/static/app.css"), app.static_url("/static/app.js")
    assert re.fullmatch(r"/static/app\.css\?vsn=[0-9a-f]{12}", css)
    assert f'<link rel="stylesheet" phx-track-static href="{css}">' in html
    assert f'<script defer phx-track-static src="{js}"></script>' in html
    assert "<style>h1 { margin: 0 }</style>" in html
    assert '<title data-suffix=" · Shop">Cart · Shop</title>' in html


async def test_a_versioned_static_url_is_cached_for_good_and_any_other_revalidated(tmp_path, serve):
    app = shop_app(tmp_path)
    base = await serve(app)
    client = AsyncHTTPClient()
    current = await client.fetch(base + app.static_url("/static/app.css"))
    assert current.body == b"p { color: teal }"
    assert "immutable" in current.headers["Cache-Control"] and "max-age=" in current.headers["Cache-Control"]
    plain = await client.fetch(base + "/static/app.css")
    assert plain.headers["Cache-Control"] == "no-cache"
    stale = await client.fetch(base + "/static/app.css?vsn=000000000000")
    assert stale.headers["Cache-Control"] == "no-cache"


def test_notebook_cells_get_the_app_styles_inline_and_scoped(tmp_path):
    from liveui.jupyter import LiveOutput

    output = LiveOutput(shop_app(tmp_path), "/")
    html = output.widget.html
    assert html.startswith("<div") and "<p>shop</p>" in html  # the container first: the widget starts on it
    assert "<style>.liveui-cell {\np { color: teal }\n}</style>" in html
    assert "<style>.liveui-cell {\nh1 { margin: 0 }\n}</style>" in html
    assert output.static_html.endswith("</style>")
    output.close()


async def test_in_debug_mode_an_edited_root_layout_shows_on_the_next_page(tmp_path, serve):
    layout = tmp_path / "root.html.j2"
    layout.write_text("<html><body>one {{ inner_content }}</body></html>")
    app = liveui.App(secret_key="layouts", root_layout=str(layout), debug=True)
    app.live("/", Shop)
    base = await serve(app)
    assert "one <div" in (await AsyncHTTPClient().fetch(base + "/")).body.decode()
    layout.write_text("<html><body>two {{ inner_content }}</body></html>")
    os.utime(layout, ns=(layout.stat().st_atime_ns, layout.stat().st_mtime_ns + 1_000_000))  # a later mtime
    assert "two <div" in (await AsyncHTTPClient().fetch(base + "/")).body.decode()
