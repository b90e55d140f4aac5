"""Callbacks that really wait (a timer, not a bare yield), in every mix of plain and async.

A view whose own callbacks are plain `def`s runs inline as frames arrive; an `async def` hook or
component callback that waits on a timer must then go on in a task without losing its place,
its context (the render scope of a component rendering inside the view's render) or its order.
Each mix runs every stage: on_mount hooks, mount, handle_params, handle_event, handle_info,
handle_async, handle_cast, handle_call, after_render; and a live component's mount, update (or
update_many), handle_event and handle_async.
"""

from __future__ import annotations

import asyncio
import itertools

import pytest

from liveui import App, LiveComponent, LiveView

WAIT = 0.005  # seconds: a real timer (not a bare yield), short enough for a quick suite


async def pause() -> None:
    await asyncio.sleep(WAIT)


def callback(waits: bool, body):
    """`body(*args)` as a plain function, or as a coroutine function that first waits."""
    if not waits:
        return body

    async def waiting(*args):
        await pause()
        return body(*args)

    return waiting


def note(socket, what: str) -> None:
    socket.assign(log=[*socket.assigns.get("log", []), what])


def make_component(waits: bool, many: bool) -> type[LiveComponent]:
    def mount(self, socket):
        note(socket, "mount")

    def update(self, assigns, socket):
        socket.assign(assigns)
        note(socket, f"update {assigns.get('label', '-')}")

    def update_many(cls, updates):
        for assigns, socket in updates:
            socket.assign(assigns)
            note(socket, f"update_many {assigns.get('label', '-')}")

    def handle_event(self, event, params, socket):
        note(socket, "event")

        async def job():
            await pause()
            return "done"

        socket.start_async("job", job)

    def handle_async(self, name, result, socket):
        note(socket, f"async {result[1]}")

    namespace = {
        "template": '<div><p id="c-{{ id }}">{{ log|join(",") }}</p>'
                    '<button id="b-{{ id }}" phx-click="go" phx-target="{{ myself }}">go</button></div>',
        "mount": callback(waits, mount),
        "handle_event": callback(waits, handle_event),
        "handle_async": callback(waits, handle_async),
        "__module__": __name__,
    }
    if many:
        namespace["update_many"] = classmethod(callback(waits, update_many))
    else:
        namespace["update"] = callback(waits, update)
    return type("Component", (LiveComponent,), namespace)


def make_view(view_waits: bool, hooks_wait: bool, component: type[LiveComponent]) -> type[LiveView]:
    def on_mount_hook(params, session, socket):
        note(socket, "on_mount")
        for stage in ("handle_params", "handle_event", "handle_info", "handle_async"):
            socket.attach_hook(stage, stage, callback(hooks_wait, lambda *args, stage=stage: note(args[-1], f"hook {stage}")))
        socket.attach_hook("renders", "after_render", callback(hooks_wait, lambda socket: socket.assign(
            renders=socket.assigns.get("renders", 0) + 1)))

    def mount(self, params, session, socket):
        note(socket, "mount")

    def handle_params(self, params, uri, socket):
        note(socket, f"params {params.get('page', '1')}")

    def handle_event(self, event, params, socket):
        note(socket, f"event {event}")
        if event == "go":
            socket.ref.send("info")
            socket.ref.cast("cast")
            ref = socket.ref

            async def ask():
                await pause()
                return await ref.call("question")

            socket.start_async("ask", ask)
        elif event == "update":
            socket.send_update(component, id="one", label="sent")
        elif event == "patch":
            socket.push_patch(f"{self.route}?page=2")

    def handle_info(self, message, socket):
        note(socket, f"info {message}")

    def handle_async(self, name, result, socket):
        note(socket, f"async {result[1]}")

    def handle_cast(self, message, socket):
        note(socket, f"cast {message}")

    def handle_call(self, message, socket):
        note(socket, f"call {message}")
        return "answer"

    namespace = {
        "template": '<p id="log">{{ log|join(",") }}</p><p id="renders">{{ renders }}</p>'
                    '{{ live_component(Component, id="one", label="placed") }}',
        "on_mount": (callback(hooks_wait, on_mount_hook),),
        "__module__": __name__,
    }
    for fn in (mount, handle_params, handle_event, handle_info, handle_async, handle_cast, handle_call):
        namespace[fn.__name__] = callback(view_waits, fn)
    return type("View", (LiveView,), namespace)


MIXES = [
    # (the view's callbacks wait, its hooks wait, the component's callbacks wait, update_many)
    (view, hooks, component, many)
    for view, hooks, component, many in itertools.product((False, True), repeat=4)
    if (view, hooks, component) != (False, False, False) or not many  # all plain once is enough
]


def mix_name(view: bool, hooks: bool, component: bool, many: bool) -> str:
    kind = lambda waits: "async" if waits else "plain"  # noqa: E731
    return f"view_{kind(view)}_hooks_{kind(hooks)}_component_{kind(component)}{'_many' if many else ''}"


for _mix in MIXES:  # module-level classes: the comm transport's kernel imports them by name
    _name = mix_name(*_mix)
    _component = make_component(_mix[2], _mix[3])
    _view = make_view(_mix[0], _mix[1], _component)
    for _cls, _suffix in ((_component, "Component"), (_view, "View")):
        _cls.__name__ = _cls.__qualname__ = f"{_name}_{_suffix}"
        globals()[_cls.__name__] = _cls
    _view.Component = _component  # the template's `Component`
    _view.route = f"/{_name}"
    _view._template_names = classmethod(lambda cls: {"Component": cls.Component})


@pytest.fixture
def app():
    app = App(secret_key="waiting")
    for mix in MIXES:
        view = globals()[f"{mix_name(*mix)}_View"]
        app.live(view.route, view)
    return app


def log(view, selector: str = "#log") -> list[str]:
    return view.document().one(selector).text().split(",")


@pytest.mark.parametrize("mix", MIXES, ids=[mix_name(*mix) for mix in MIXES])
async def test_every_stage_waits(live, mix):
    view, _ = await live(f"/{mix_name(*mix)}")
    assert log(view) == ["on_mount", "mount", "hook handle_params", "params 1"]
    update = "update_many" if mix[3] else "update"
    assert log(view, "#c-one") == ["mount", f"{update} placed"]

    await view.element("#b-one").render_click()  # the component's own event, then its async work
    await view.render_async()
    assert log(view, "#c-one") == ["mount", f"{update} placed", "event", "async done"]

    await view.render_hook("update", {})  # send_update: the component's update runs, waiting
    await view.render_async()
    assert log(view, "#c-one")[-1] == f"{update} sent"

    await view.render_hook("go", {})
    await view.render_async()
    assert log(view)[-8:] == [
        "hook handle_event", "event go", "hook handle_info", "info info", "cast cast",
        "call question", "hook handle_async", "async answer",
    ]
    await view.render_hook("patch", {})
    assert log(view)[-2:] == ["hook handle_params", "params 2"]
    assert int(view.document().one("#renders").text()) >= 5  # the after_render hook ran after each render
