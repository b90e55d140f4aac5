"""liveui.testing: the core behaviour suite, run by the `live` fixture over every transport.

Mount, events, forms, navigation, flash, push_event, replies, crash and rejoin — the same test
bodies over the in-memory transport and over a real WebSocket to a Tornado server.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from examples.gallery import make_app  # noqa: E402
from liveui import LiveView  # noqa: E402
from liveui.testing import Redirected, ViewCrashed, follow_redirect, live_isolated  # noqa: E402


class Crashy(LiveView):
    template = '<p id="n">{{ n }}</p><button phx-click="inc">+</button><button phx-click="boom">boom</button>'

    def mount(self, params, session, socket):
        socket.assign(n=0)

    def handle_event(self, event, params, socket):
        if event == "boom":
            raise RuntimeError("kaboom from the view")
        socket.assign(n=socket.assigns.n + 1)


class Slow(LiveView):
    template = "<p>{{ status }}</p>"

    def mount(self, params, session, socket):
        socket.assign(status="idle")

    def handle_event(self, event, params, socket):
        socket.ref.send(event)  # handled after this event's reply

    async def handle_info(self, message, socket):
        await asyncio.sleep(0.01)  # work that takes a while on the server
        socket.assign(status=message)


class Whoami(LiveView):
    template = "<p>{{ user }}</p>"

    def mount(self, params, session, socket):
        socket.assign(user=session.get("user", "nobody"))


class Pushy(LiveView):
    template = (
        '<button id="js" phx-click=\'[["push",{"event":"hello","value":{"who":"js"}}]]\'>js</button>'
        '<input id="k" phx-keydown="key" phx-value-field="k" value="v">'
        "<p>{{ said }}</p>"
    )

    def mount(self, params, session, socket):
        socket.assign(said="", page_title="Pushy")

    def handle_event(self, event, params, socket):
        socket.assign(said=f"{event}:{sorted(params.items())}")
        if event == "hello":
            return {"got": params["who"]}
        return None


class Twice(LiveView):
    """A click whose reply and a push right behind it change the same slot."""

    template = '<button phx-click="bump">bump</button><p id="n">{{ n }}</p>'

    def mount(self, params, session, socket):
        socket.assign(n=0)

    def handle_event(self, event, params, socket):
        socket.assign(n=1)
        socket.ref.send("again")  # handled right after the reply is sent: a diff push follows it

    def handle_info(self, message, socket):
        socket.assign(n=2)


@pytest.fixture
def app():
    app = make_app(secret_key="testing-client")
    app.live("/twice", Twice)
    app.live("/crashy", Crashy)
    app.live("/pushy", Pushy)
    return app


async def test_mount_and_click(live, live_transport):
    view, html = await live("/counter")
    assert '<span id="count">0</span>' in html
    await view.element("#inc").render_click()
    html = await view.element("button", "+").render_click()
    assert '<span id="count">2</span>' in html
    assert view.page_title == "Counter"


async def test_flash_and_clear_flash(live):
    view, _ = await live("/counter")
    html = await view.element("#reset").render_click()
    assert "Counter reset." in html
    html = await view.element("#flash-info").render_click()
    assert "Counter reset." not in html


async def test_form_change_and_submit(live):
    view, _ = await live("/form")
    form = view.form("#signup")
    html = await form.render_change({"user": {"name": "A"}})
    assert "at least 2 characters" in html and "email address like" not in html
    html = await form.render_submit({"user": {"name": "Ada", "email": "ada@example.com"}})
    assert "Welcome, Ada!" in html and 'id="signed-up"' in html
    with pytest.raises(ValueError, match="nickname"):
        await form.render_change({"user": {"nickname": "x"}})


async def test_patch_and_navigate(live):
    view, _ = await live("/items")
    html = await view.element("#sort-price").render_click()
    assert view.assert_patch("/items?sort=price") == "/items?sort=price"
    assert html.index("Chisel") < html.index("Anvil")
    html = await view.render_patch("/items?sort=name")
    assert html.index("Anvil") < html.index("Chisel")
    with pytest.raises(Redirected) as redirect:
        await view.element("#item-3 button", "open").render_click()
    assert redirect.value.kind == "live_redirect" and redirect.value.to == "/items/3"
    assert view.assert_redirect("/items/3") == ("/items/3", None)
    item, html = await follow_redirect(view, redirect.value)
    assert '<h1 id="item-name">Chisel</h1>' in html and item.page_title == "Chisel"
    with pytest.raises(Redirected) as bought:
        await item.element("#buy").render_click()
    back, html = await follow_redirect(item, bought.value)
    assert "You bought a Chisel." in html


async def test_push_event_reply_and_js_commands(live):
    view, _ = await live("/hooks")
    await view.element("#ping").render_click()
    view.assert_push_event("highlight", {"id": "pings", "n": 1})
    await view.element("#greeter").render_hook("hello", {"name": "test"})
    view.assert_reply({"greeting": "hello test"})
    pushy, _ = await live("/pushy")
    html = await pushy.element("#js").render_click()
    assert "hello:[(&#39;value&#39;, &#39;&#39;), (&#39;who&#39;, &#39;js&#39;)]" in html  # a button sends its value
    pushy.assert_reply({"got": "js"})
    html = await pushy.element("#k").render_keydown({"key": "Enter"})
    assert "key:[(&#39;field&#39;, &#39;k&#39;), (&#39;key&#39;, &#39;Enter&#39;), (&#39;value&#39;, &#39;v&#39;)]" in html


async def test_crash_surfaces_with_traceback_then_rejoin(live):
    view, _ = await live("/crashy")
    await view.element("button", "+").render_click()
    with pytest.raises(ViewCrashed, match=re.compile("kaboom from the view", re.S)) as crash:
        await view.element("button", "boom").render_click()
    assert "Traceback" in str(crash.value)
    html = await view.rejoin()
    assert '<p id="n">0</p>' in html
    assert '<p id="n">1</p>' in await view.element("button", "+").render_click()


async def test_dead_render_redirect_is_raised_and_keeps_the_flash(live):
    with pytest.raises(Redirected) as redirect:
        await live("/items/999")
    assert redirect.value.to == "/items"
    view, html = await follow_redirect(redirect.value)
    assert "There is no item 999." in html


async def test_live_isolated(app):
    view, html = await live_isolated(app, Crashy, session={"user": "ada"})
    try:
        assert '<p id="n">0</p>' in html
        assert view.has_element("button", "boom") and not view.has_element("button", "nope")
    finally:
        await view.client.close()


async def test_render_async_waits_for_work_sent_to_the_view(live):
    view, _ = await live.isolated(Slow)
    await view.render_hook("done")
    assert "<p>done</p>" in await view.render_async()


async def test_session_reaches_mount(live):
    view, html = await live.isolated(Whoami, session={"user": "ada"})
    assert "<p>ada</p>" in html


async def test_live_isolated_fixture(live):
    view, html = await live.isolated(Pushy)
    assert view.page_title == "Pushy"
    assert '<p id="n">1</p>' in await (await live.isolated(Crashy))[0].element("button", "+").render_click()


class Clock(LiveView):
    template = '<p class="time">{{ label }} {{ ticks }}</p><button phx-click="tick">tick</button>'

    def mount(self, params, session, socket):
        socket.assign(ticks=0, label=session.get("label", "?"))

    def handle_event(self, event, params, socket):
        socket.assign(ticks=socket.assigns.ticks + 1)


class Dashboard(LiveView):
    template = (
        "<h1>{{ title }}</h1>"
        "{{ live_render('test_testing_client:Clock', id='clock-a', session={'label': 'A'}) }}"
        "{{ live_render(clock, id='clock-b', session={'label': 'B'}) }}"
        '<button phx-click="rename">rename</button>'
    )

    def mount(self, params, session, socket):
        socket.assign(title="Dashboard", clock=Clock)

    def handle_event(self, event, params, socket):
        socket.assign(title="Renamed")


async def test_nested_live_views(live):
    view, html = await live.isolated(Dashboard)
    assert '<p class="time">A 0</p>' in html and '<p class="time">B 0</p>' in html  # joined, shown inside
    children = await view.live_children()
    assert [c.id for c in children] == ["clock-a", "clock-b"]
    a = await view.find_live_child("clock-a")
    assert '<p class="time">A 0</p>' in a.render()
    assert '<p class="time">A 1</p>' in await a.element("button").render_click()
    b = await view.find_live_child("clock-b")
    assert '<p class="time">B 0</p>' in b.render()  # its own state
    assert '<p class="time">A 1</p>' in view.render()
    assert "Renamed" in await view.element("button", "rename").render_click()
    assert (await view.find_live_child("clock-a")) is a  # re-rendering the parent keeps the child


async def test_open_browser_writes_the_html(live, capsys):
    view, _ = await live("/counter")
    path = view.open_browser()
    try:
        with open(path, encoding="utf-8") as f:
            written = f.read()
        assert '<span id="count">0</span>' in written and "<title>Counter</title>" in written
        assert path in capsys.readouterr().out
    finally:
        os.remove(path)
    assert view.has_element("#count", re.compile(r"^\d$"))


async def test_a_push_right_behind_a_reply_is_applied_after_it(live):
    view, _ = await live("/twice")
    await view.element("button").render_click()
    assert await view.render_async() == view.render()
    assert '<p id="n">2</p>' in view.render()
