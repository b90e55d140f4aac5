"""`{{ obj|image }}`: figures and objects with IPython's picture reprs as inline images that the
diff updates when the assign changes."""

from __future__ import annotations

import base64
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

import liveui  # noqa: E402
from liveui import LiveView, image  # noqa: E402
from wire import WireClient  # noqa: E402


class Png:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def _repr_png_(self) -> bytes:
        return self.data


class Svg:
    def _repr_svg_(self) -> str:
        return '<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>'

    def _repr_png_(self) -> bytes:
        return b"png"


class Figure:
    """What the helper uses of a matplotlib Figure."""

    def savefig(self, buffer, format, bbox_inches):  # noqa: A002
        buffer.write(f"{format}:{bbox_inches}".encode())


def src(html: str) -> bytes:
    return base64.b64decode(html.split("base64,")[1].split('"')[0])


def test_pictures_become_inline_images():
    assert str(image(Png(b"\x89PNG"), alt="a <b>")).startswith('<img src="data:image/png;base64,')
    assert 'alt="a &lt;b&gt;"' in image(Png(b"x"), alt="a <b>")
    assert src(image(Svg())) == b'<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>'
    assert "image/svg+xml" in image(Svg()) and src(image(Svg(), format="png")) == b"png"
    assert src(image(Figure())) == b"png:tight" and "image/svg+xml" in image(Figure(), format="svg")
    assert ' class="chart" data-id="3"' in image(Png(b"x"), class_="chart", data_id=3)
    with pytest.raises(TypeError, match="cannot picture object"):
        image(object())


class Chart(LiveView):
    template = '{{ chart|image(alt="chart") }}<p>{{ n }}</p>'

    def mount(self, params, session, socket):
        socket.assign(chart=Png(b"one"), n=0)

    def handle_event(self, event, params, socket):
        if event == "redraw":
            socket.assign(chart=Png(b"two"))
        else:
            socket.assign(n=socket.assigns.n + 1)


async def test_the_diff_carries_a_new_picture_only_when_the_object_changed():
    app = liveui.App(secret_key="images")
    app.live("/", Chart)
    async with WireClient.memory(app, "/") as client:
        rendered = (await client.join())["response"]["rendered"]
        assert src(rendered["0"]) == b"one"
        assert (await client.event("count"))["response"]["diff"] == {"1": "1"}
        diff = (await client.event("redraw"))["response"]["diff"]
    assert list(diff) == ["0"] and src(diff["0"]) == b"two"
