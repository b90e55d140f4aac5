"""The view actor (liveui/channel.py): one item at a time, in order, whatever the callbacks are.

Plain `def` callbacks run inline as frames arrive; `async def` ones, and plain ones that hand
back an awaitable, continue in a task. Either way replies keep the order of the pushes, and a
view that ends answers what was still queued.
"""

from __future__ import annotations

import asyncio
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

import liveui  # noqa: E402
from liveui import LiveComponent, LiveView  # noqa: E402
from wire import Recorder, open_client, serve, transport  # noqa: E402,F401

TERMINATED = Recorder()
GATES: dict[str, asyncio.Event] = {}


class Mixed(LiveView):
    template = '<p id="log">{{ log|join(",") }}</p><p id="page">{{ page }}</p>'

    def mount(self, params, session, socket):
        socket.assign(log=[], page="1")
        GATES[socket.id] = asyncio.Event()

    async def handle_params(self, params, uri, socket):
        await asyncio.sleep(0)
        socket.assign(page=params.get("page", "1"))

    async def handle_event(self, event, params, socket):
        if event == "slow":
            await GATES[socket.id].wait()
        elif event == "timeout":
            async with asyncio.timeout(5):  # needs to run inside the view's own task
                await asyncio.sleep(0)
        elif event == "patch":
            socket.push_patch("/mixed?page=2")
        socket.assign(log=[*socket.assigns.log, event])

    def terminate(self, reason, socket):
        TERMINATED.record((socket.id, reason))


class Plain(LiveView):
    template = '<p id="log">{{ log|join(",") }}</p>'

    def mount(self, params, session, socket):
        socket.assign(log=[])

    def handle_event(self, event, params, socket):
        socket.assign(log=[*socket.assigns.log, event])
        if event == "awaitable":
            return self._later(socket)  # a plain function that hands back a coroutine
        return None

    async def _later(self, socket):
        await asyncio.sleep(0)
        socket.assign(log=[*socket.assigns.log, "later"])


class Hooked(LiveView):
    """Plain callbacks, a hook and a terminate that wait on a real timer (not a bare yield)."""

    template = '<p id="log">{{ log|join(",") }}</p>'

    def mount(self, params, session, socket):
        socket.assign(log=[])

        async def hook(event, params, socket):
            await asyncio.sleep(0.01)
            socket.assign(log=[*socket.assigns.log, "hook"])

        socket.attach_hook("waits", "handle_event", hook)

    def handle_event(self, event, params, socket):
        socket.assign(log=[*socket.assigns.log, event])

    async def terminate(self, reason, socket):
        await asyncio.sleep(0.01)
        TERMINATED.record((socket.id, "waited"))


def in_views_task() -> bool:
    """Whether this runs in the view's own task (not the transport's, whose timeouts are its own)."""
    task = asyncio.current_task()
    return task is not None and task.get_name().startswith("liveui lv:")


class Timed(LiveComponent):
    template = '<p id="t">{{ done }}</p>'

    def mount(self, socket):
        socket.assign(done=False)

    async def handle_event(self, event, params, socket):
        socket.assign(done=in_views_task())  # from its start, before it first waits
        async with asyncio.timeout(5):  # needs to run inside the view's own task
            await asyncio.sleep(0)


class TimedHooks(LiveView):
    """Plain callbacks, with async hooks and a component whose async callbacks use asyncio.timeout."""

    template = '<p id="log">{{ log|join(",") }}</p>{{ live_component(Timed, id="t") }}'

    def mount(self, params, session, socket):
        socket.assign(log=[])

        async def hook(event, params, socket):
            socket.assign(log=[*socket.assigns.log, f"hook in the view's task: {in_views_task()}"])
            async with asyncio.timeout(5):  # needs to run inside the view's own task
                await asyncio.sleep(0)

        socket.attach_hook("timed", "handle_event", hook)

    def handle_event(self, event, params, socket):
        socket.assign(log=[*socket.assigns.log, event])


def make_app() -> liveui.App:
    app = liveui.App(secret_key="channel-tests")
    app.live("/mixed", Mixed)
    app.live("/plain", Plain)
    app.live("/hooked", Hooked)
    app.live("/timed", TimedHooks)
    return app


APP = make_app()


@pytest.mark.liveui_same_process  # observes through in-process recorders
async def test_async_handler_keeps_order_of_replies(open_client):
    client = await open_client(APP, "/mixed")
    await client.join()
    slow = client.click("slow")
    fast = client.click("fast")
    heartbeat = await client.heartbeat()  # the connection answers while the view waits
    assert heartbeat["status"] == "ok"
    GATES[client.topic[3:]].set()
    first = await client.reply_for(slow)
    second = await client.reply_for(fast)
    assert first[4]["response"]["diff"] == {"0": "slow"}
    assert second[4]["response"]["diff"] == {"0": "slow,fast"}


async def test_async_handler_runs_in_its_own_task(open_client):
    client = await open_client(APP, "/mixed")
    await client.join()
    reply = await client.event("timeout")
    assert reply["response"]["diff"] == {"0": "timeout"}


async def test_async_handle_params_after_a_patch(open_client):
    client = await open_client(APP, "/mixed")
    await client.join()
    reply = await client.event("patch")
    assert client.pushes[-1][3] == "live_patch"
    assert reply["response"]["diff"] == {"0": "patch", "1": "2"}


async def test_plain_handler_returning_an_awaitable(open_client):
    client = await open_client(APP, "/plain")
    await client.join()
    assert (await client.event("awaitable"))["response"]["diff"] == {"0": "awaitable,later"}
    assert (await client.event("next"))["response"]["diff"] == {"0": "awaitable,later,next"}


@pytest.mark.liveui_same_process  # observes through in-process recorders
async def test_stop_waits_for_the_running_handler(open_client):
    client = await open_client(APP, "/mixed")
    await client.join()
    view_id = client.topic[3:]
    client.click("slow")
    leave = client.push("phx_leave", {})
    GATES[view_id].set()
    assert (await client.reply_for(leave))[4] == {"status": "ok", "response": {}}
    await TERMINATED.wait(lambda seen: any(v == view_id for v, _ in seen))


@pytest.mark.liveui_same_process  # observes terminate through an in-process recorder
async def test_plain_handler_with_a_hook_that_waits(open_client):
    client = await open_client(APP, "/hooked")
    await client.join()
    first, second = client.click("one"), client.click("two")  # the second waits behind the first
    assert (await client.reply_for(first))[4]["response"]["diff"] == {"0": "hook,one"}
    assert (await client.reply_for(second))[4]["response"]["diff"] == {"0": "hook,one,hook,two"}
    view_id = client.topic[3:]
    leave = client.push("phx_leave", {})
    assert (await client.reply_for(leave))[4] == {"status": "ok", "response": {}}
    await TERMINATED.wait(lambda seen: (view_id, "waited") in seen)


async def test_async_hooks_and_component_callbacks_run_in_the_views_task(open_client):
    client = await open_client(APP, "/timed")
    await client.join()
    assert (await client.event("one"))["response"]["diff"] == {"0": "hook in the view&#39;s task: True,one"}
    reply = await client.event("go", cid=1)
    assert reply["response"]["diff"] == {"c": {"1": {"0": "True"}}}
