"""`liveui.jupyter.show` as a cell calls it: the dead render in the output (widget + static HTML),
params and session reaching mount, redirects of the dead render followed inside the app."""

from __future__ import annotations

import os
import sys

import pytest

pytest.importorskip("anywidget", reason="liveui.jupyter needs the jupyter extra")

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from examples.gallery import make_app  # noqa: E402
from liveui import LiveView  # noqa: E402
from liveui.jupyter import show  # noqa: E402

WIDGET = "application/vnd.jupyter.widget-view+json"


class Greeter(LiveView):
    template = "<p id='hi'>{{ greeting }}, {{ who }}</p>"

    def mount(self, params, session, socket):
        socket.assign(greeting=params.get("greeting", "hello"), who=session.get("who", "nobody"))


class Away(LiveView):
    template = "<p>never</p>"

    def mount(self, params, session, socket):
        socket.redirect(external="https://example.org/elsewhere")


def bundle(output):
    data, _metadata = output._repr_mimebundle_()
    return data


def test_show_renders_with_params_and_session():
    output = show(Greeter, params={"greeting": "bonjour"}, session={"who": "Ada"})
    try:
        data = bundle(output)
        assert data[WIDGET]["model_id"] == output.widget.model_id
        assert "<p id='hi'>bonjour, Ada</p>" in data["text/html"]
        assert "data-phx-session" not in data["text/html"]  # the static copy has no token
        assert "data-phx-session" in output.widget.html  # the live one does
        assert output.widget.url == "/?greeting=bonjour"
    finally:
        output.close()


def test_a_redirecting_mount_is_followed_inside_the_app():
    output = show(make_app(), "/items/999")  # ItemShow redirects to /items with a flash
    try:
        assert output.url == "/items"
        html = bundle(output)["text/html"]
        assert "There is no item 999." in html and "Anvil" in html
    finally:
        output.close()


def test_a_redirect_out_of_the_app_shows_a_link():
    output = show(Away)
    try:
        html = bundle(output)["text/html"]
        assert 'href="https://example.org/elsewhere"' in html
        assert "data-phx-session" not in output.widget.html  # nothing to join
    finally:
        output.close()
