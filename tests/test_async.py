"""assign_async, start_async, cancel_async and handle_async: loading, ok and failed states,
thread pool and coroutines, only once connected, the latest start wins, work ends with its view,
and in components."""

from __future__ import annotations

import asyncio
import threading

import pytest

from liveui import App, AsyncResult, LiveComponent, LiveView

GATES: dict[str, threading.Event] = {}
RAN: list[str] = []


def gate(name: str) -> threading.Event:
    GATES[name] = threading.Event()
    return GATES[name]


def load_org(mode: str) -> dict:
    """Plain work for the thread pool: waits for the test to open its gate, then answers."""
    RAN.append(threading.current_thread().name)
    assert GATES["org"].wait(5), "the test never opened the gate"
    if mode == "raise":
        raise RuntimeError("database down")
    if mode == "error":
        return ("error", "not found")
    return {"org": {"name": "Acme"}}


class Org(LiveView):
    template = (
        "{% call(org) async_result(org) %}{% slot loading %}<p id='loading'>loading</p>{% endslot %}"
        "{% slot failed(reason) %}<p id='failed'>{{ reason[0] }}: {{ reason[1] }}</p>{% endslot %}"
        "<h1>{{ org.name }}</h1>{% endcall %}<p id='status'>{{ status }}</p>"
    )

    def mount(self, params, session, socket):
        mode = params.get("mode", "ok")
        socket.assign(status="idle")
        socket.assign_async("org", lambda: load_org(mode))

    async def handle_event(self, event, params, socket):
        if event == "job":
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
            socket.assign_async("org", lambda: {"org": {"name": "Acme 2"}}, reset="reset" in params)
        elif event == "cancel-org":
            socket.cancel_async("org")

    def handle_async(self, name, result, socket):
        kind, value = result
        socket.assign(status=f"{name} {kind}: {value}")


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


@pytest.mark.liveui_same_process
async def test_assign_async_loading_then_ok_in_the_thread_pool(live):
    opened = gate("org")
    RAN.clear()
    view, html = await live("/org")
    assert "<p id='loading'>loading</p>" in html
    opened.set()
    html = await view.render_async()
    assert "<h1>Acme</h1>" in html
    assert RAN == ["liveui-async_0"] or all(name.startswith("liveui-async") for name in RAN)
    assert len(RAN) == 1, "the dead render does not start the work: only the connected mount does"


@pytest.mark.parametrize("mode, shown", [("raise", "exit: database down"), ("error", "error: not found")])
@pytest.mark.liveui_same_process
async def test_assign_async_failures(live, mode, shown):
    gate("org").set()
    view, _ = await live(f"/org?mode={mode}")
    html = await view.render_async()
    assert f"<p id='failed'>{shown}</p>" in html


@pytest.mark.liveui_same_process
async def test_reload_keeps_the_last_result_unless_reset(live):
    gate("org").set()
    view, _ = await live("/org")
    await view.render_async()
    html = await view.push_event({"type": "click", "event": "reload", "value": {}})
    assert "<h1>Acme</h1>" in html  # loading again, showing the last good result meanwhile
    html = await view.render_async()
    assert "<h1>Acme 2</h1>" in html
    html = await view.push_event({"type": "click", "event": "reload", "value": {"reset": "1"}})
    assert "loading" in html


async def test_start_async_outcomes_and_the_latest_start_wins(live):
    gate("org").set()
    view, _ = await live("/org")
    await view.push_event({"type": "click", "event": "job", "value": {"value": "first", "delay": "0.2"}})
    await view.push_event({"type": "click", "event": "job", "value": {"value": "second"}})
    html = await view.render_async()
    assert "<p id='status'>job ok: second</p>" in html
    await view.push_event({"type": "click", "event": "job", "value": {"value": "boom"}})
    html = await view.render_async()
    assert "<p id='status'>job exit: boom</p>" in html


@pytest.mark.liveui_same_process
async def test_cancel_async(live):
    gate("org")  # never opened: the org stays loading until cancelled
    view, _ = await live("/org")
    await view.push_event({"type": "click", "event": "job", "value": {"value": "x", "delay": "30"}})
    await view.push_event({"type": "click", "event": "cancel", "value": {}})
    html = await view.push_event({"type": "click", "event": "cancel-org", "value": {}})
    assert "<p id='failed'>exit: cancelled</p>" in html
    html = await view.render_async()
    assert "<p id='status'>job exit: stopped by the user</p>" in html
    GATES["org"].set()  # let the pool thread finish (its result is no longer wanted)


async def test_work_ends_with_its_view(app):
    from wire import WireClient

    gate("org")
    async with WireClient.memory(app, "/org") as client:
        await client.join()
        channel = client.connection.channels[client.topic]
        await client.event("job", {"value": "x", "delay": "30"})
        tasks = [task for key, task in channel.work._tasks.items()]
        assert len(tasks) == 2  # the org (a pool thread) and the job (a task)
    await asyncio.wait(tasks, timeout=2)
    assert all(task.cancelled() for task in tasks)
    GATES["org"].set()


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
