"""Live components: identity, events, updates, the "c" map on the wire, freeing, errors.

Behaviour runs through the `live` fixture over every transport; the wire shape (which bytes a
change sends, the destroy handshake, cids after a rejoin) through the frame-level client.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import threading

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from liveui import App, LiveComponent, LiveView  # noqa: E402
from liveui.testing import ViewCrashed, render_component  # noqa: E402
from wire import WireClient  # noqa: E402


class LineItem(LiveComponent):
    template = (
        '<li id="line-{{ id }}"><span class="name">{{ item.name }}</span> '
        '<b class="qty">{{ qty }}</b>{% if note %} <i>{{ note }}</i>{% endif %} '
        '<button class="inc" phx-click="inc" phx-target="{{ myself }}">+</button></li>'
    )

    def mount(self, socket):
        socket.assign(qty=1, note="")

    def handle_event(self, event, params, socket):
        if event == "inc":
            socket.assign(qty=socket.assigns.qty + 1)
        elif event == "ask":
            return {"qty": socket.assigns.qty}
        elif event == "celebrate":
            socket.put_flash("info", f"{socket.assigns.item['name']} celebrated")
            socket.push_event("confetti", {"id": socket.assigns.id})
        return None


class Cart(LiveView):
    template = (
        "<h1>Cart ({{ items|length }})</h1>"
        '<p id="flash">{{ flash.info }}</p>'
        '<ul id="lines">{% for item in items %}{{ live_component(LineItem, id=item.id, item=item) }}{% endfor %}</ul>'
        '<button id="drop" phx-click="drop">drop first</button><button id="add" phx-click="add">add</button>'
        '<button id="rename" phx-click="rename">rename</button>'
    )

    def mount(self, params, session, socket):
        socket.assign(items=[{"id": i, "name": f"item {i}"} for i in range(int(params.get("n", 100)))])

    def handle_event(self, event, params, socket):
        items = socket.assigns["items"]  # (assigns.items is the dict method)
        if event == "drop":
            socket.assign(items=items[1:])
        elif event == "add":
            socket.assign(items=[*items, {"id": int(params.get("id", len(items) + 1000)), "name": "new"}])
        elif event == "rename":
            socket.assign(items=[{**items[0], "name": "renamed"}, *items[1:]])
        elif event == "bump":
            socket.send_update(LineItem, id=params["id"], qty=params["qty"])
        elif event == "bump-from-a-thread":  # any thread may update the view's components
            thread = threading.Thread(target=socket.ref.send_update, args=(LineItem,),
                                      kwargs={"id": params["id"], "qty": params["qty"]})
            thread.start()
            thread.join()
        elif event == "note-later":
            socket.send_update_after(params["cid"], 5, note="cancelled").cancel()
            socket.send_update_after(params["cid"], 30, note="later")


class Batched(LiveComponent):
    template = '<span id="b-{{ id }}">{{ label }}</span>'

    @classmethod
    def update_many(cls, updates):
        for assigns, socket in updates:
            socket.assign(label=f"{assigns['id']}/{len(updates)}")


class Inner(LiveComponent):
    template = '<em id="inner-{{ id }}" phx-click="poke" phx-target="{{ myself }}">{{ pokes }}</em>'

    def mount(self, socket):
        socket.assign(pokes=0)

    def handle_event(self, event, params, socket):
        socket.assign(pokes=socket.assigns.pokes + 1)


class Panel(LiveComponent):
    template = (
        '<section id="panel-{{ id }}"><h2>{{ title }}</h2>'
        "{% for n in range(count) %}{{ live_component(Inner, id=id ~ '-' ~ n) }}{% endfor %}"
        '<button id="grow-{{ id }}" phx-click="grow" phx-target="{{ myself }}">grow</button></section>'
    )

    def mount(self, socket):
        socket.assign(count=1)

    def handle_event(self, event, params, socket):
        socket.assign(count=socket.assigns.count + 1)


class Board(LiveView):
    template = (
        "{% for id in panels %}{{ live_component(Panel, id=id, title=id|upper) }}{% endfor %}"
        "<div>{% for n in range(3) %}{{ live_component(Batched, id=n) }}{% endfor %}</div>"
    )

    def mount(self, params, session, socket):
        socket.assign(panels=["a", "b"])


class Wrapped(LiveView):
    """A component placed from a macro of the view's own template."""

    template = (
        '{% macro framed(n) %}<div class="frame">{{ live_component(Inner, id=n) }}</div>{% endmacro %}'
        "{% for n in ns %}{{ framed(n) }}{% endfor %}"
    )

    def mount(self, params, session, socket):
        socket.assign(ns=[1, 2])


class TwoRoots(LiveComponent):
    template = "<p>one</p><p>two</p>"


class DynamicRoot(LiveComponent):
    template = "{% if big %}<h2>big</h2>{% else %}<p>small</p>{% endif %}"

    def mount(self, socket):
        socket.assign(big=False)


class Broken(LiveView):
    template = "<div>{{ live_component(TwoRoots, id=1) }}</div>"


class Unrooted(LiveView):
    template = "<div>{{ live_component(DynamicRoot, id=1) }}</div>"


class Twice(LiveView):
    template = (
        '{% if twice %}{{ live_component(Inner, id=1) }}{{ live_component(Inner, id=1) }}{% endif %}'
        '<button id="twice" phx-click="twice">twice</button>'
    )

    def mount(self, params, session, socket):
        socket.assign(twice="now" in params)

    def handle_event(self, event, params, socket):
        socket.assign(twice=True)


class Rows(LiveView):
    """A nested live view whose container is a table row."""

    container = ("tr", {"class": "row"})
    template = "<td>{{ n }}</td>"

    def mount(self, params, session, socket):
        socket.assign(n=session["n"])


class Table(LiveView):
    template = "<table><tbody>{% for n in [1, 2] %}{{ live_render(Rows, id='row-' ~ n, session={'n': n}) }}{% endfor %}</tbody></table>"


class Profile(LiveComponent):
    """A form that keeps what its own phx-change sent (the default `update` takes the parent's)."""

    template = (
        '<form id="profile" phx-change="validate" phx-target="{{ myself }}">'
        '<input name="name" value="{{ name }}"><span id="seen">{{ name }}</span></form>'
    )

    def handle_event(self, event, params, socket):
        socket.assign(name=params["name"])


class Account(LiveView):
    """Reads a name that is no assign (an optional one) beside the component it places."""

    template = (
        '<div id="account">{{ pre_script }}<p id="visits">{{ visits }}</p>'
        '{% if show %}{{ extra }}{{ live_component(Profile, id="profile", name="old", hint=hint) }}{% endif %}</div>'
    )

    def mount(self, params, session, socket):
        socket.assign(show=True, visits=0)

    def handle_event(self, event, params, socket):
        socket.assign(visits=socket.assigns.visits + 1)


@pytest.fixture
def app():
    app = App(secret_key="components")
    app.live("/account", Account)
    app.live("/cart", Cart)
    app.live("/board", Board)
    app.live("/broken", Broken)
    app.live("/unrooted", Unrooted)
    app.live("/twice", Twice)
    app.live("/table", Table)
    app.live("/wrapped", Wrapped)
    return app


# -- behaviour over every transport ---------------------------------------------------------


async def test_components_render_and_handle_their_own_events(live):
    view, html = await live("/cart")
    assert html.count('class="qty">1<') == 100
    html = await view.element("#line-5 button").render_click()
    html = await view.element("#line-5 button").render_click()
    assert '<li data-phx-component="6" id="line-5">' in html
    assert 'id="line-5"><span class="name">item 5</span> <b class="qty">3</b>' in html
    assert html.count('class="qty">1<') == 99


async def test_the_same_id_keeps_its_state_across_parent_renders(live):
    view, _ = await live("/cart?n=3")
    for n in range(3):
        await view.element(f"#line-{n} button").render_click()
    html = await view.element("#rename").render_click()
    assert '<span class="name">renamed</span> <b class="qty">2</b>' in html  # new assigns, same state
    html = await view.element("#add").render_click()
    assert html.count('class="qty">2<') == 3  # none of the three mounted again (mount sets qty 1)
    assert '<li data-phx-component="4" id="line-1003"><span class="name">new</span> <b class="qty">1</b>' in html
    assert view.rendered.component_cids() == [1, 2, 3, 4]  # only the new item mounted, with the next cid


async def test_a_removed_component_is_freed_and_comes_back_fresh(live):
    view, _ = await live("/cart?n=3")
    await view.element("#line-0 button").render_click()
    html = await view.element("#drop").render_click()
    assert 'id="line-0"' not in html
    assert view.rendered.component_cids() == [2, 3]  # the client forgot the cid the server freed
    html = await view.push_event({"type": "click", "event": "add", "value": {"id": "0"}})
    assert 'id="line-0"><span class="name">new</span> <b class="qty">1</b>' in html  # mounted again


async def test_send_update_from_the_view_another_thread_and_later(live):
    view, _ = await live("/cart?n=3")
    await view.push_event({"type": "click", "event": "bump", "value": {"id": 1, "qty": 7}})
    html = await view.render_async()
    assert 'id="line-1"><span class="name">item 1</span> <b class="qty">7</b>' in html
    await view.push_event({"type": "click", "event": "bump-from-a-thread", "value": {"id": 2, "qty": 8}})
    html = await view.render_async()
    assert 'id="line-2"><span class="name">item 2</span> <b class="qty">8</b>' in html
    cid = view.rendered.component_cids()[0]
    await view.push_event({"type": "click", "event": "note-later", "value": {"cid": cid}})
    html = await wait_for_html(view, "<i>later</i>")
    assert "cancelled" not in html


async def test_components_inside_components_and_update_many(live):
    view, html = await live("/board")
    # one update_many call for the three Batched components: in the dead render, then once connected
    assert '<span id="b-2">2/3</span>' in view.page.html
    assert '<span data-phx-component="5" id="b-2">2/3</span>' in html
    html = await view.element("#grow-b").render_click()
    assert 'id="inner-b-1"' in html and 'id="inner-a-1"' not in html
    html = await view.element("#inner-b-1").render_click()
    assert 'id="inner-b-1" phx-click="poke" phx-target="8">1</em>' in html  # panels 1-2, Batched 3-5, Inner 6-8
    assert 'id="inner-b-0" phx-click="poke" phx-target="7">0</em>' in html


async def test_flash_and_push_event_from_a_component_reach_the_page(live):
    view, _ = await live("/cart?n=2")
    cid = view.rendered.component_cids()[1]
    html = await view.push_event({"type": "click", "event": "celebrate", "value": {}}, cid=cid)
    assert '<p id="flash">item 1 celebrated</p>' in html
    view.assert_push_event("confetti", {"id": 1})


async def test_container_option_of_nested_views(live):
    view, html = await live("/table")
    assert '<tr id="row-1" data-phx-session=' in html
    assert 'class="row"><td>1</td></tr>' in html and "<td>2</td>" in html


async def test_components_placed_from_a_macro(live):
    view, html = await live("/wrapped")
    html = await view.element("#inner-2").render_click()
    assert '<div class="frame"><em data-phx-component="2" id="inner-2" phx-click="poke" phx-target="2">1</em></div>' in html


async def test_a_component_must_have_one_static_root(live):
    with pytest.raises(ViewCrashed, match="exactly one static HTML tag at its root"):
        await live("/unrooted")  # renders one root, but chosen by `if`: refused when live


async def test_a_duplicate_component_id_is_an_error(live):
    view, _ = await live("/twice")
    with pytest.raises(ViewCrashed, match="Inner with id 1 is placed twice"):
        await view.element("#twice").render_click()


async def test_dead_render_mounts_components_and_checks_roots(app):
    from liveui.page import render_page

    page = await render_page(app, "http://x/cart?n=2", {}, {}, "")
    assert '<li id="line-1"><span class="name">item 1</span> <b class="qty">1</b>' in page.html
    with pytest.raises(ValueError, match="found 2 elements"):
        await render_page(app, "http://x/broken", {}, {}, "")
    with pytest.raises(ValueError, match="Inner with id 1 is placed twice"):
        await render_page(app, "http://x/twice?now", {}, {}, "")


async def test_render_component_in_isolation():
    html = await render_component(Panel, id="p", title="Solo")
    assert html == (
        '<section id="panel-p"><h2>Solo</h2><em id="inner-p-0" phx-click="poke" phx-target="2">0</em>'
        '<button id="grow-p" phx-click="grow" phx-target="1">grow</button></section>'
    )


async def wait_for_html(view, text: str, timeout: float = 2.0) -> str:
    """The view's HTML once it contains `text` (work the view does later, e.g. on a timer)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        html = await view.render_async()
        if text in html or loop.time() > deadline:
            assert text in html, f"{text!r} did not appear within {timeout} s:\n{html}"
            return html
        await asyncio.sleep(0.005)


# -- the wire -------------------------------------------------------------------------------


def cids_of(rendered: dict) -> list[int]:
    """The cids in the slots of the cart's list, in order."""
    entries = rendered["2"]["k"]
    return [entries[str(i)]["0"] for i in range(entries["kc"])]


async def test_updating_one_item_of_100_sends_only_its_changed_slot(app):
    async with WireClient.memory(app, "/cart") as client:
        joined = await client.join()
        rendered = joined["response"]["rendered"]
        cids = cids_of(rendered)
        assert cids == list(range(1, 101))
        first, second = rendered["c"]["1"], rendered["c"]["2"]
        assert first["r"] == 1 and isinstance(first["s"], list)
        assert second["s"] == 1 and second["r"] == 1  # statics shared with cid 1 of the same diff
        reply = await client.event("inc", cid=cids[5])
        assert json.dumps(reply["response"], separators=(",", ":")) == '{"diff":{"c":{"6":{"2":"2"}}}}'


async def test_a_new_component_shares_statics_with_one_the_client_holds(app):
    async with WireClient.memory(app, "/cart?n=2") as client:
        await client.join()
        reply = await client.event("add", {"id": "7"})
        diff = reply["response"]["diff"]
        assert diff["c"] == {"3": {"0": "7", "1": "new", "2": "1", "3": "", "4": "3", "s": -2, "r": 1}}


async def test_destroy_handshake_frees_only_what_is_still_gone(app):
    async with WireClient.memory(app, "/cart?n=3") as client:
        await client.join()
        components = client.connection.channels[client.topic].components
        assert await client.call("cids_will_destroy", {"cids": [1, 2]}) == {"status": "ok", "response": {}}
        await client.event("rename")  # renders item 0 again: cid 1 is in use after all
        reply = await client.call("cids_destroyed", {"cids": [1, 2]})
        assert reply == {"status": "ok", "response": {"cids": [2]}}
        assert components.get(2) is None and components.get(1) is not None
        # an event for the freed component: an empty reply, not an error
        assert await client.event("inc", cid=2) == {"status": "ok", "response": {}}


async def test_a_rejoin_starts_a_fresh_cid_space(app):
    async with WireClient.memory(app, "/cart?n=3") as client:
        await client.join()
        await client.event("add", {"id": "9"})
        again = await client.join()
        assert sorted(int(cid) for cid in again["response"]["rendered"]["c"]) == [1, 2, 3]  # not 5, 6, 7


async def test_a_component_reply_and_an_unknown_event_payload(app):
    async with WireClient.memory(app, "/cart?n=1") as client:
        await client.join()
        reply = await client.event("ask", cid=1)
        assert reply == {"status": "ok", "response": {"diff": {"r": {"qty": 1}}}}
        assert await client.event("inc", cid="1") == {"status": "ok", "response": {}}  # not a cid: ignored


async def test_a_component_event_renders_that_component_alone(live):
    view, _ = await live("/account")
    html = await view.form("#profile").render_change({"name": "new"})
    assert 'value="new"' in html and '<span id="seen">new</span>' in html
    html = await view.render_hook("visit", {})  # the parent changes, not what it placed the component with
    assert '<p id="visits">1</p>' in html and '<span id="seen">new</span>' in html


async def test_a_component_event_sends_no_slot_of_the_parent(app):
    from wire import WireClient

    async with WireClient.memory(app, "/account") as client:
        await client.join()
        reply = await client.event("validate", "name=new", cid=1, type="form")
        assert reply["response"]["diff"] == {"c": {"1": {"1": "new", "2": "new"}}}
