"""PubSub and Presence (liveui/pubsub.py, liveui/presence.py), the same suite over the
in-process backend and over Redis (a real redis-server on a free port). Over Redis each App
is its own node with its own connections, as separate processes would be."""

from __future__ import annotations

import asyncio
from html import unescape
import logging
import os
import sys
import threading
import uuid

import pytest

sys.path.insert(0, os.path.dirname(__file__))

import liveui  # noqa: E402
from liveui import LiveComponent, LiveView, presence  # noqa: E402
from liveui import pubsub as pubsub_module  # noqa: E402
from liveui.pubsub import Broadcast, PubSub, RedisPubSub  # noqa: E402
from liveui.testing import live  # noqa: E402
from polling import wait_for  # noqa: E402
from redis_server import redis_server, redis_url  # noqa: E402,F401


class Room(LiveView):
    template = """<ul id="log">{% for line in lines %}<li>{{ line }}</li>{% endfor %}</ul>
<p id="who">{{ who|join(",") }}</p>
<button phx-click="say">say</button>"""

    def mount(self, params, session, socket):
        socket.assign(lines=[], who=[], me=params.get("me", "anon"))
        if socket.connected:
            socket.subscribe("room")
            if params.get("track"):
                presence.track(socket, "room", socket.assigns.me, {"name": socket.assigns.me})
            socket.assign(who=sorted(presence.list("room", socket)))

    def handle_event(self, event, params, socket):
        text = params.get("text", "hi")
        if event == "say":
            liveui.pubsub.broadcast_from(socket, "room", ["said", socket.assigns.me, text])
            socket.assign(lines=[*socket.assigns.lines, f"me: {text}"])
        elif event == "shout":
            socket.endpoint.pubsub.broadcast("room", ["said", socket.assigns.me, text])
        elif event == "leave-room":
            socket.unsubscribe("room")
        elif event == "away":
            presence.update(socket, "room", socket.assigns.me, lambda meta: {**meta, "away": True})

    def handle_info(self, message, socket):
        if isinstance(message, Broadcast) and message.event == "presence_diff":
            socket.assign(who=sorted(presence.list("room", socket)))
            return
        if message == "boom" and socket.assigns.me == "fragile":
            raise RuntimeError("this view cannot take a boom")
        if isinstance(message, list) and message[0] == "said":
            socket.assign(lines=[*socket.assigns.lines, f"{message[1]}: {message[2]}"])
        else:
            socket.assign(lines=[*socket.assigns.lines, repr(message)])


def lines(view) -> list[str]:
    html = view.render()
    return [unescape(part.split("</li>")[0]) for part in html.split("<li>")[1:]]


@pytest.fixture(autouse=True)
def keep_current_pubsub(monkeypatch):
    """The process's current PubSub (the module functions') is put back after each test."""
    monkeypatch.setattr(pubsub_module, "_current", pubsub_module._current)


@pytest.fixture(params=["local", "redis"])
async def nodes(request):
    """`await nodes.app()` makes an App serving Room: over Redis each is a node of its own."""
    kind = request.param
    namespace = uuid.uuid4().hex
    made: list[liveui.App] = []
    shared = PubSub()
    clients = []

    class Nodes:
        backend = kind

        async def app(self, **options) -> liveui.App:
            if kind == "local":
                pubsub = shared
            else:
                pubsub = RedisPubSub(request.getfixturevalue("redis_url"), namespace, **options)
            app = liveui.App(secret_key="s" * 32, pubsub=pubsub)
            app.live("/room", Room)
            pubsub.start()
            if kind == "redis":
                await asyncio.wait_for(pubsub.subscribed.wait(), 5)
            made.append(app)
            return app

        async def live(self, app, path):
            view, html = await live(app, path)
            clients.append(view.client)
            return view, html

    yield Nodes()
    for client in clients:
        await client.close()
    for app in made:
        await app.pubsub.close()


async def test_a_broadcast_reaches_every_subscriber_once_in_order(nodes):
    one, two = await nodes.app(), await nodes.app()
    a, _ = await nodes.live(one, "/room?me=ada")
    b, _ = await nodes.live(two, "/room?me=bob")
    c, _ = await nodes.live(two, "/room?me=cy")
    for i in range(30):
        await a.element("button", "say").render_click({"text": str(i)})
    expected = [f"ada: {i}" for i in range(30)]
    await wait_for(lambda: lines(b) == expected and lines(c) == expected, "30 messages at bob and cy")
    assert lines(a) == [f"me: {i}" for i in range(30)]  # broadcast_from: not to the sender


async def test_broadcast_from_any_thread_and_module_functions(nodes):
    one, two = await nodes.app(), await nodes.app()
    b, _ = await nodes.live(two, "/room?me=bob")
    sender = threading.Thread(target=lambda: [one.pubsub.broadcast("room", ("job", n)) for n in range(5)])
    sender.start()
    sender.join(5)
    await wait_for(lambda: len(lines(b)) == 5, "5 messages from a thread")
    assert lines(b) == [repr(("job", n)) for n in range(5)]  # a tuple stays a tuple across processes
    pubsub_module.use(one.pubsub)
    liveui.pubsub.broadcast("room", {"from": "module"})
    await wait_for(lambda: len(lines(b)) == 6, "the module function's message")
    assert lines(b)[-1] == "{'from': 'module'}"


async def test_local_broadcast_stays_in_this_process(nodes):
    one, two = await nodes.app(), await nodes.app()
    a, _ = await nodes.live(one, "/room?me=ada")
    b, _ = await nodes.live(two, "/room?me=bob")
    one.pubsub.local_broadcast("room", "local only")
    one.pubsub.broadcast("room", "everyone")
    await wait_for(lambda: "'everyone'" in lines(b), "the broadcast at bob")
    await wait_for(lambda: "'everyone'" in lines(a), "the broadcast at ada")
    assert lines(a) == ["'local only'", "'everyone'"]
    expected_b = ["'everyone'"] if nodes.backend == "redis" else ["'local only'", "'everyone'"]
    assert lines(b) == expected_b


async def test_subscriptions_end_with_unsubscribe_and_with_the_view(nodes):
    one = await nodes.app()
    a, _ = await nodes.live(one, "/room?me=ada")
    b, _ = await nodes.live(one, "/room?me=bob")
    assert one.pubsub.subscribers("room") == 2
    await a.element("button", "say").render_hook("leave-room", {})
    one.pubsub.broadcast("room", "after")
    await wait_for(lambda: lines(b) == ["'after'"], "bob's message")
    assert lines(a) == []
    assert one.pubsub.subscribers("room") == 1
    await b.client.close()
    await wait_for(lambda: one.pubsub.subscribers("room") == 0, "bob's subscription to end with his view")


async def test_a_message_a_view_cannot_take_crashes_that_view_alone(nodes, caplog):
    one, two = await nodes.app(), await nodes.app()
    fragile, _ = await nodes.live(one, "/room?me=fragile")
    sturdy, _ = await nodes.live(two, "/room?me=sturdy")
    with caplog.at_level(logging.ERROR, "liveui"):
        one.pubsub.broadcast("room", "boom")
        left = 1 if nodes.backend == "local" else 0  # in-process, sturdy's subscription is in the same PubSub
        await wait_for(lambda: one.pubsub.subscribers("room") == left, "the fragile view to end")
    fragile.client._crashes.records.clear()
    assert "this view cannot take a boom" in caplog.text
    one.pubsub.broadcast("room", "still here")
    await wait_for(lambda: lines(sturdy) == ["'boom'", "'still here'"], "sturdy goes on")
    again, _ = await nodes.live(one, "/room?me=fragile")  # a remount subscribes again
    two.pubsub.broadcast("room", "welcome back")
    await wait_for(lambda: lines(again) == ["'welcome back'"], "the remounted view's message")


class Ticker(LiveComponent):
    template = '<span id="{{ id }}">{{ seen }}</span>'

    def mount(self, socket):
        socket.assign(seen=0)
        socket.subscribe("ticks")

    def update(self, assigns, socket):
        socket.assign(assigns)


class Host(LiveView):
    template = '{{ live_component(Ticker, id="t") }}'

    def mount(self, params, session, socket):
        socket.assign(Ticker=Ticker)

    def handle_info(self, message, socket):
        socket.send_update(Ticker, id="t", seen=message["n"])


async def test_a_component_subscribes_through_its_view(nodes):
    one, two = await nodes.app(), await nodes.app()
    one.live("/host", Host)
    view, _ = await nodes.live(one, "/host")
    await wait_for(lambda: one.pubsub.subscribers("ticks") == 1, "the component's subscription")
    two.pubsub.broadcast("ticks", {"n": 7})
    await wait_for(lambda: 'id="t">7</span>' in view.render(), "the component to show 7")


async def test_a_message_that_is_not_json_raises_at_broadcast(nodes):
    one = await nodes.app()
    if nodes.backend == "local":
        one.pubsub.broadcast("room", object())  # in-process messages are never encoded
        return
    with pytest.raises(TypeError, match=r"cannot broadcast message\[1\]: a set is not JSON"):
        one.pubsub.broadcast("room", ["x", {1, 2}])
    with pytest.raises(TypeError, match="dict key 1 is not a string"):
        one.pubsub.broadcast("room", {1: "x"})


# -- Presence -----------------------------------------------------------------------------------


async def test_presence_lists_every_process_and_diffs_reach_subscribers(nodes):
    one, two = await nodes.app(), await nodes.app()
    a, _ = await nodes.live(one, "/room?me=ada&track=1")
    b, _ = await nodes.live(two, "/room?me=bob&track=1")
    await wait_for(lambda: '<p id="who">ada,bob</p>' in a.render(), "ada to see bob")
    await wait_for(lambda: '<p id="who">ada,bob</p>' in b.render(), "bob to see ada")
    listed = presence.list("room", one.pubsub)
    assert sorted(listed) == ["ada", "bob"]
    assert listed["bob"]["metas"][0]["name"] == "bob" and listed["bob"]["metas"][0]["phx_ref"]
    await a.element("button", "say").render_hook("away", {})
    await wait_for(lambda: presence.list("room", two.pubsub)["ada"]["metas"][0].get("away") is True,
                   "the update at bob's process")
    assert presence.list("room", two.pubsub)["ada"]["metas"][0]["phx_ref_prev"]
    await b.client.close()  # a closed tab leaves at once
    await wait_for(lambda: '<p id="who">ada</p>' in a.render(), "bob to leave ada's list")
    assert sorted(presence.list("room", two.pubsub)) == ["ada"]


async def test_a_crashed_view_leaves_presence(nodes):
    one, two = await nodes.app(), await nodes.app()
    fragile, _ = await nodes.live(one, "/room?me=fragile&track=1")
    sturdy, _ = await nodes.live(two, "/room?me=sturdy&track=1")
    await wait_for(lambda: '<p id="who">fragile,sturdy</p>' in sturdy.render(), "both present")
    one.pubsub.broadcast("room", "boom")
    await wait_for(lambda: '<p id="who">sturdy</p>' in sturdy.render(), "the crashed view to leave")
    fragile.client._crashes.records.clear()


async def test_one_key_tracked_from_two_views_has_two_metas(nodes):
    one, two = await nodes.app(), await nodes.app()
    first, _ = await nodes.live(one, "/room?me=ada&track=1")
    second, _ = await nodes.live(two, "/room?me=ada&track=1")
    await wait_for(lambda: len(presence.list("room", one.pubsub).get("ada", {}).get("metas", [])) == 2, "two metas")
    await second.client.close()
    await wait_for(lambda: len(presence.list("room", one.pubsub)["ada"]["metas"]) == 1, "one meta left")


async def test_a_silent_process_leaves_within_the_expiry(nodes):
    if nodes.backend == "local":
        pytest.skip("one process: nothing can go silent")
    one, two = await nodes.app(heartbeat=0.1, expiry=0.5), await nodes.app(heartbeat=0.1, expiry=0.5)
    a, _ = await nodes.live(one, "/room?me=ada&track=1")
    b, _ = await nodes.live(two, "/room?me=bob&track=1")
    await wait_for(lambda: '<p id="who">ada,bob</p>' in a.render(), "ada to see bob")
    await two.pubsub.close()  # as if killed: no more heartbeats
    # within expiry + heartbeat (0.6 s), with slack for a busy machine
    await wait_for(lambda: '<p id="who">ada</p>' in a.render(), "bob's process to expire", timeout=0.6 + 1.5)


# -- faults -------------------------------------------------------------------------------------


async def test_redis_stopped_and_restarted_while_views_run(redis_server, caplog):
    namespace = uuid.uuid4().hex
    apps = []
    for _ in range(2):
        app = liveui.App(secret_key="s" * 32, pubsub=RedisPubSub(redis_server.url, namespace, heartbeat=0.1, expiry=2))
        app.live("/room", Room)
        app.pubsub.start()
        await asyncio.wait_for(app.pubsub.subscribed.wait(), 5)
        apps.append(app)
    one, two = apps
    a, _ = await live(one, "/room?me=ada&track=1")
    b, _ = await live(two, "/room?me=bob&track=1")
    try:
        await wait_for(lambda: '<p id="who">ada,bob</p>' in a.render(), "ada to see bob")
        with caplog.at_level(logging.WARNING, "liveui.pubsub"):
            redis_server.stop()
            await wait_for(lambda: not one.pubsub.subscribed.is_set(), "the subscription to notice the outage")
            for i in range(20):  # publishing during the outage: no crash, one warning
                await a.element("button", "say").render_click({"text": f"lost {i}"})
            await wait_for(lambda: len(lines(a)) == 20, "ada's own lines")
            await wait_for(lambda: "publishing" in caplog.text, "the publishing warning")
            # an outage longer than the expiry: each process shows its own users only
            await wait_for(lambda: '<p id="who">bob</p>' in b.render(), "ada to expire at bob's", 4)
            redis_server.start()
            await wait_for(lambda: one.pubsub.subscribed.is_set() and two.pubsub.subscribed.is_set(),
                           "both subscriptions to come back by themselves")
            await a.element("button", "say").render_click({"text": "back"})
            await wait_for(lambda: "ada: back" in lines(b), "a message after the restart", timeout=5)
        warned = [r.getMessage() for r in caplog.records if "publishing (node " + one.pubsub.node in r.getMessage()]
        assert len(warned) == 1, warned  # one warning for the outage, not one per message
        assert len(lines(b)) == len(set(lines(b)))  # at most once
        # and the presence lists heal by themselves once Redis is back
        await wait_for(lambda: '<p id="who">ada,bob</p>' in b.render() and '<p id="who">ada,bob</p>' in a.render(),
                       "both users back in both lists", 5)
    finally:
        await a.client.close()
        await b.client.close()
        for app in apps:
            await app.pubsub.close()
