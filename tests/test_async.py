"""assign_async, start_async, cancel_async and handle_async: loading, ok and failed states,
thread pool and coroutines, only once connected, the latest start wins, work ends with its view,
and in components."""

from __future__ import annotations

import asyncio
import re
import threading

import pytest

from liveui import App, AsyncResult, LiveComponent, LiveView

RAN: dict[str, list[str]] = {}  # view id -> the threads load_org ran in for it (the server's memory, shown by Org)


def load_org(view_id: str, name: str, mode: str, gate: threading.Event) -> dict:
    """Plain work for the thread pool: waits for the page to open its view's gate, then answers
    (with the threads that ran it for this view: the dead render's mount and the connected one's)."""
    ran = RAN.setdefault(view_id, [])
    ran.append(threading.current_thread().name)
    assert gate.wait(5), "the page never opened the gate"
    if mode == "raise":
        raise RuntimeError("database down")
    if mode == "error":
        return ("error", "not found")
    return {"org": {"name": name, "ran": " ".join(ran)}}


class Org(LiveView):
    template = (
        "{% call(org) async_result(org) %}{% slot loading %}<p id='loading'>loading</p>{% endslot %}"
        "{% slot failed(reason) %}<p id='failed'>{{ reason[0] }}: {{ reason[1] }}</p>{% endslot %}"
        "<h1>{{ org.name }}</h1><p id='ran'>{{ org.ran }}</p>{% endcall %}<p id='status'>{{ status }}</p>"
    )

    def mount(self, params, session, socket):
        socket.assign(status="idle")
        self.load(socket, "Acme", params.get("mode", "ok"))
        if "open" in params:
            socket.private["gate"].set()

    def load(self, socket, name, mode="ok", reset=False):
        gate = threading.Event()  # opened by the page ("open"), or when the view ends
        socket.put_private("gate", gate)
        socket.assign_async("org", lambda: load_org(socket.id, name, mode, gate), reset=reset)

    async def handle_event(self, event, params, socket):
        if event == "open":
            socket.private["gate"].set()
        elif event == "job":
            value = params["value"]

            async def job():
                await asyncio.sleep(float(params.get("delay", 0)))
                if value == "boom":
                    raise ValueError("boom")
                return value

            socket.start_async("job", job)
        elif event == "cancel":
            socket.cancel_async("job", "stopped by the user")
        elif event == "reload":
            self.load(socket, "Acme 2", reset="reset" in params)
        elif event == "cancel-org":
            socket.cancel_async("org")

    def handle_async(self, name, result, socket):
        kind, value = result
        socket.assign(status=f"{name} {kind}: {value}")

    def terminate(self, reason, socket):
        socket.private["gate"].set()  # a pool thread still waiting on it can finish


class Counter(LiveComponent):
    template = '<div id="c-{{ id }}"><span>{{ status }}</span><button phx-click="go" phx-target="{{ myself }}">go</button></div>'

    def mount(self, socket):
        socket.assign(status="idle")

    def handle_event(self, event, params, socket):
        async def work():
            return 42

        socket.start_async("work", work)

    def handle_async(self, name, result, socket):
        socket.assign(status=f"{name}: {result}")


class Host(LiveView):
    template = "{{ live_component(Counter, id=1) }}"


@pytest.fixture
def app():
    app = App(secret_key="async")
    app.live("/org", Org)
    app.live("/host", Host)
    return app


def click(event, **value):
    return {"type": "click", "event": event, "value": value}


async def test_assign_async_loading_then_ok_in_the_thread_pool(live):
    view, html = await live("/org")
    assert "<p id='loading'>loading</p>" in html
    await view.push_event(click("open"))
    html = await view.render_async()
    assert "<h1>Acme</h1>" in html
    # one run, in the pool: the dead render starts no work, only the connected mount does
    assert re.search(r"<p id='ran'>liveui-async_\d+</p>", html), html


@pytest.mark.parametrize("mode, shown", [("raise", "exit: database down"), ("error", "error: not found")])
async def test_assign_async_failures(live, mode, shown):
    view, _ = await live(f"/org?mode={mode}&open")
    html = await view.render_async()
    assert f"<p id='failed'>{shown}</p>" in html


async def test_reload_keeps_the_last_result_unless_reset(live):
    view, _ = await live("/org?open")
    await view.render_async()
    html = await view.push_event(click("reload"))
    assert "<h1>Acme</h1>" in html  # loading again, showing the last good result meanwhile
    await view.push_event(click("open"))
    html = await view.render_async()
    assert "<h1>Acme 2</h1>" in html
    html = await view.push_event(click("reload", reset="1"))
    assert "loading" in html


async def test_start_async_outcomes_and_the_latest_start_wins(live):
    view, _ = await live("/org?open")
    await view.push_event(click("job", value="first", delay="0.2"))
    await view.push_event(click("job", value="second"))
    html = await view.render_async()
    assert "<p id='status'>job ok: second</p>" in html
    await view.push_event(click("job", value="boom"))
    html = await view.render_async()
    assert "<p id='status'>job exit: boom</p>" in html


async def test_cancel_async(live):
    view, _ = await live("/org")  # its gate is never opened: the org stays loading until cancelled
    await view.push_event(click("job", value="x", delay="30"))
    await view.push_event(click("cancel"))
    html = await view.push_event(click("cancel-org"))
    assert "<p id='failed'>exit: cancelled</p>" in html
    html = await view.render_async()
    assert "<p id='status'>job exit: stopped by the user</p>" in html


async def test_work_ends_with_its_view(app):
    from wire import WireClient

    async with WireClient.memory(app, "/org") as client:
        await client.join()
        channel = client.connection.channels[client.topic]
        await client.event("job", {"value": "x", "delay": "30"})
        tasks = [task for key, task in channel.work._tasks.items()]
        assert len(tasks) == 2  # the org (a pool thread) and the job (a task)
    await asyncio.wait(tasks, timeout=2)
    assert all(task.cancelled() for task in tasks)


async def test_start_async_in_a_component(live):
    view, _ = await live("/host")
    await view.element("#c-1 button").render_click()
    html = await view.render_async()
    assert "<span>work: (&#39;ok&#39;, 42)</span>" in html


def test_async_result_states():
    loading = AsyncResult()
    assert loading.loading and not loading.ok
    ok = loading.succeeded(1)
    assert (ok.ok, ok.result, ok.loading) == (True, 1, None)
    assert ok.reloading().result == 1 and ok.reloading().loading
    failed = ok.errored(("exit", "x"))
    assert failed.failed == ("exit", "x") and failed.result == 1
