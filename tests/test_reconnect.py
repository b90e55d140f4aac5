"""A view outlives a dropped connection for its grace period, and the client's rejoin from the
same session reattaches to it: the same state, no second mount (reconnect.py)."""

from __future__ import annotations

import asyncio
import secrets

import pytest

from liveui import App, LiveComponent, LiveView
from liveui.testing.client import Client, View, ViewCrashed
from polling import wait_for

TERMINATED: list[tuple[str, str]] = []


class Counter(LiveView):
    template = """
<p id="count">{{ count }}</p><p id="mount">{{ mount_id }}</p><p id="page">{{ page }}</p>
<button phx-click="inc">+</button>
<form id="f" phx-change="validate"><input name="title" value="{{ form.title }}"></form>
<ul id="items" phx-update="stream">{% for dom_id, item in streams.things %}<li id="{{ dom_id }}">{{ item.name }}</li>{% endfor %}</ul>
<p id="loaded">{{ loaded.result if loaded.ok else "loading" }}</p>
{{ live_component(Box, id="box") }}
"""

    def mount(self, params, session, socket):
        socket.assign(count=0, mount_id=secrets.token_hex(4), form={"title": ""}, page="1", Box=Box)
        socket.stream("things", [{"id": n, "name": f"item {n}"} for n in range(50)])
        socket.assign_async("loaded", self.load)

    async def load(self):
        return {"loaded": "first load"}

    def handle_params(self, params, uri, socket):
        socket.assign(page=params.get("page", "1"))

    def handle_event(self, event, params, socket):
        if event == "inc":
            socket.assign(count=socket.assigns.count + 1)
        elif event == "validate":
            socket.assign(form={"title": params["title"]})
        elif event == "add":
            socket.stream_insert("things", {"id": 100, "name": "item 100"}, at=0)
        elif event == "delete":
            socket.stream_delete("things", {"id": 3})
        elif event == "slow":
            socket.assign_async("loaded", self.slow_load)
        elif event == "later":
            socket.ref.send("ping")

    async def slow_load(self):
        await asyncio.sleep(0.2)
        return {"loaded": "slow load"}

    def handle_info(self, message, socket):
        socket.assign(count=socket.assigns.count + 100)
        socket.push_event("pinged", {"n": socket.assigns.count})

    def terminate(self, reason, socket):
        TERMINATED.append((socket.id, str(reason)))


class Box(LiveComponent):
    template = '<div id="box" phx-click="bump" phx-target="{{ myself }}">box {{ n }} updates {{ updates }}</div>'

    def mount(self, socket):
        socket.assign(n=0, updates=0)

    def update(self, assigns, socket):
        socket.assign(updates=socket.assigns.get("updates", 0) + 1)

    def handle_event(self, event, params, socket):
        socket.assign(n=socket.assigns.n + 1)


class Brief(Counter):
    reconnect_grace = 0.2


class Never(Counter):
    reconnect_grace = 0


@pytest.fixture
def app():
    app = App(secret_key="reconnect")
    app.live("/counter", Counter)
    app.live("/brief", Brief)
    app.live("/never", Never)
    return app


def text(view: View, selector: str) -> str:
    return view.element(selector).render().split(">", 1)[1].rsplit("<", 1)[0]


async def test_a_rejoin_reattaches_to_the_running_view(live):
    view, _ = await live("/counter")
    mount_id = text(view, "#mount")
    for _ in range(3):
        await view.element("button", "+").render_click()
    await view.client.reconnect()
    assert text(view, "#count") == "3"
    assert text(view, "#mount") == mount_id  # mount did not run again
    await view.element("button", "+").render_click()
    assert text(view, "#count") == "4"


async def test_streams_come_back_with_their_current_items(live):
    view, _ = await live("/counter")
    await view.render_hook("add")
    await view.render_hook("delete")
    await view.client.reconnect()
    items = [li.text() for li in view.document().select("#items li")]
    assert len(items) == 50 and items[0] == "item 100" and "item 3" not in items and items[-1] == "item 49"


async def test_a_form_mid_way_and_a_component_keep_their_state(live):
    view, _ = await live("/counter")
    await view.form("#f").render_change({"title": "half typed"})
    await view.element("#box").render_click()
    await view.client.reconnect()
    assert 'value="half typed"' in view.element("#f input").render()
    assert text(view, "#box") == "box 1 updates 1"  # its update did not run again either


async def test_async_work_started_before_the_drop_lands_after_the_reattach(live):
    view, _ = await live("/counter")
    await view.render_async()
    await view.render_hook("slow")
    await view.client.reconnect()
    html = await view.render_async()
    assert '<p id="loaded">slow load</p>' in html


async def test_a_patched_url_is_rejoined_without_a_new_mount(live):
    view, _ = await live("/counter")
    mount_id = text(view, "#mount")
    await view.render_patch("/counter?page=2")
    await view.client.reconnect()
    assert text(view, "#page") == "2" and text(view, "#mount") == mount_id


async def test_another_session_never_gets_the_running_view(live, app, live_transport):
    view, _ = await live("/counter")
    await view.element("button", "+").render_click()
    mount_id = text(view, "#mount")
    other = Client(app, transport=live_transport)
    try:
        await other.wire.start()
        if live_transport == "websocket":  # the replayed page must be served by the same server
            other.wire.base_url = view.client.wire.base_url
        await other.wire.render("/counter")  # a session of its own
        await other.wire.connect(view.page.csrf)
        other._reader = asyncio.get_running_loop().create_task(other._read())
        replay = View(other, view.page)
        try:
            await replay._join({"url": view.page.url})
        except ViewCrashed as refused:  # another session's cookie: its CSRF check refuses the join
            assert "stale" in str(refused)
        else:  # no cookie to check (in-process): a fresh mount, never the running view
            assert text(replay, "#count") == "0" and text(replay, "#mount") != mount_id
    finally:
        await other.close()
    await view.client.reconnect()
    assert text(view, "#count") == "1" and text(view, "#mount") == mount_id


async def test_a_view_without_grace_mounts_afresh(live):
    view, _ = await live("/never")
    await view.element("button", "+").render_click()
    mount_id = text(view, "#mount")
    await view.client.reconnect()
    assert text(view, "#count") == "0" and text(view, "#mount") != mount_id


@pytest.mark.liveui_same_process
async def test_after_the_grace_period_the_view_ends_and_a_rejoin_mounts_afresh(live, app):
    view, _ = await live("/brief")
    await view.element("button", "+").render_click()
    mount_id = text(view, "#mount")
    await view.client.wire.drop()
    await wait_for(lambda: (view.id, "reconnect_grace_expired") in TERMINATED, "the grace period to end the view")
    assert len(app.running_views) == 0
    await view.client.reconnect()  # nothing to drop any more: connect and rejoin
    assert text(view, "#count") == "0" and text(view, "#mount") != mount_id


@pytest.mark.liveui_same_process
async def test_messages_update_a_parked_view_and_its_events_wait_for_the_reattach(live, app):
    view, _ = await live("/counter")
    await view.client.wire.drop()
    channel, = app.running_views._views.values()
    await wait_for(lambda: not channel.connection.open, "the server to see the connection close")
    ref = channel.ref
    ref.send("ping")
    ref.send("ping")
    await view.client.reconnect()
    assert text(view, "#count") == "200"
    assert [payload["n"] for name, payload in view.events if name == "pinged"] == [100, 200]


@pytest.mark.liveui_same_process
async def test_many_views_dropped_at_once_all_reattach_and_nothing_is_left_behind(app, live_transport):
    """200 views parked at once all come back; the dropped connections hold none of them."""
    if live_transport != "memory":
        pytest.skip("one in-process count is enough")
    import gc

    from liveui.connection import Connection

    clients = [Client(app) for _ in range(200)]
    try:
        views = [(await client.live("/counter"))[0] for client in clients]
        for view in views:
            await view.element("button", "+").render_click()
        for client in clients:
            await client.reconnect()
        gc.collect()
        connections = [o for o in gc.get_objects() if isinstance(o, Connection) and o.endpoint is app]
        assert len([c for c in connections if c.open]) == 200  # the dropped ones hold no view
        channels = list(app.running_views._views.values())
        assert len(channels) == 200 and all(channel.connection.open for channel in channels)
        assert not any(channel.topic in c.channels for c in connections if not c.open for channel in channels)
        assert [text(view, "#count") for view in views] == ["1"] * 200
    finally:
        for client in clients:
            await client.close()
    assert len(app.running_views) == 0  # every view left with its client
