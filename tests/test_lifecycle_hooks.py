"""Lifecycle hooks (attach_hook/detach_hook on every stage, on_mount on a view) and the rest of
the socket API: temporary assigns, render_with, static_changed, connect info, handle_call and
handle_cast, the layout and log_level class options."""

from __future__ import annotations

import asyncio
import logging

import pytest

from liveui import App, Cont, Halt, LiveComponent, LiveView, Socket, ViewRef
from liveui.testing import Redirected
from polling import wait_for


def track_params(params, session, socket):
    """An on_mount hook that attaches a handle_params hook, as a view's on_mount would."""
    socket.assign(seen=[])

    def seen(params, uri, socket):
        socket.assign(seen=[*socket.assigns.seen, params.get("page", "-")])

    socket.attach_hook("seen", "handle_params", seen)


class Hooked(LiveView):
    on_mount = (track_params,)
    template = (
        "<p id='n'>{{ n }}</p><p id='seen'>{{ seen|join(',') }}</p><p id='infos'>{{ infos }}</p>"
        "<p id='renders'>{{ renders }}</p><p id='async'>{{ outcome }}</p>"
    )

    def mount(self, params, session, socket):
        socket.assign(n=0, infos=0, renders=0, outcome="")

        def ping(event, params, socket):
            if event == "ping":
                return Halt({"pong": True})  # answered here: the view never sees it
            return Cont()

        def infos(message, socket):
            socket.assign(infos=socket.assigns.infos + 1)

        def renders(socket):
            socket.assign(renders=socket.assigns.renders + 1)  # shown by the next render

        def outcome(name, result, socket):
            socket.assign(outcome=f"hook saw {name} {result[0]}")

        socket.attach_hook("ping", "handle_event", ping)
        socket.attach_hook("infos", "handle_info", infos)
        socket.attach_hook("renders", "after_render", renders)
        socket.attach_hook("outcome", "handle_async", outcome)

    def handle_event(self, event, params, socket):
        if event == "detach":
            socket.detach_hook("ping", "handle_event")
        elif event == "hello":
            socket.ref.send("hello")
        elif event == "job":
            async def job():
                return 1

            socket.start_async("job", job)
        socket.assign(n=socket.assigns.n + 1)

    def handle_info(self, message, socket):
        pass

    def handle_async(self, name, result, socket):
        pass


def only_admins(params, session, socket):
    if not session.get("admin"):
        socket.redirect(to="/hooked")
        return Halt()
    return None


class Admin(LiveView):
    on_mount = (only_admins,)
    template = "<p>secret</p>"


class Temporary(LiveView):
    template = '<ul id="msgs" phx-update="append">{% for m in messages %}<li id="m{{ m.id }}">{{ m.text }}</li>{% endfor %}</ul>'

    def mount(self, params, session, socket):
        socket.temporary_assigns(messages=[])
        socket.assign(messages=[{"id": 1, "text": "hello"}])

    def handle_event(self, event, params, socket):
        if event == "kept":  # what the server still holds of the messages it sent
            return {"kept": socket.assigns["messages"]}
        socket.assign(messages=[{"id": 2, "text": params["text"]}])
        return None


class Switchable(LiveView):
    template = "<p id='which'>normal {{ n }}</p>"

    def mount(self, params, session, socket):
        socket.assign(n=1, stale=socket.static_changed(), agent=str(socket.get_connect_info("user_agent")))
        if params.get("alt"):
            socket.render_with(lambda assigns: "<p id='which'>alternate {{ n }}</p><p id='stale'>{{ stale }}</p>")


COUNTERPARTS: dict[str, ViewRef] = {}  # view id -> ref: how code in the server's process finds a view


class Counterpart(LiveView):
    """Answers handle_call and handle_cast; its events ask another Counterpart (by view id) from
    its own background work, as any code holding a view's ref would, and show the answer."""

    template = "<p id='count'>{{ count }}</p><p id='answer'>{{ answer }}</p>"

    def mount(self, params, session, socket):
        socket.assign(count=0, answer="")
        if socket.connected:
            COUNTERPARTS[socket.id] = socket.ref

    def handle_event(self, event, params, socket):
        other, message = COUNTERPARTS[params["to"]], params.get("message")
        if event == "cast":
            other.cast(params["n"])
        elif event == "call":  # from a task on the view's own loop

            async def ask():
                return await other.call(message)

            socket.start_async("call", ask)
        elif event == "call-from-a-thread":  # from another event loop, in a pool thread
            socket.start_async("call", lambda: asyncio.run(other.call(message)))

    def handle_async(self, name, result, socket):
        kind, value = result
        socket.assign(answer=f"{kind}: {value!r}")

    def handle_call(self, message, socket):
        if message == "boom":
            raise RuntimeError("cannot answer")
        return {"count": socket.assigns.count, "asked": message}

    def handle_cast(self, message, socket):
        socket.assign(count=socket.assigns.count + message)


class Framed(LiveView):
    layout = "app_layout.html.j2"
    template = "<p id='inner'>{{ body }}</p>"

    def mount(self, params, session, socket):
        socket.assign(title="Framed", body="inside")

    def handle_event(self, event, params, socket):
        socket.assign(body="changed")


class Captured(logging.Handler):
    """Keeps the messages of the `liveui` records, from DEBUG up, until detached."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []
        self.logger = logging.getLogger("liveui")
        self.level_before = self.logger.level
        self.logger.setLevel(logging.DEBUG)
        self.logger.addHandler(self)

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def detach(self) -> None:
        self.logger.removeHandler(self)
        self.logger.setLevel(self.level_before)


class Logs(LiveView):
    """Shows the `liveui` log records of its own process since it mounted (`caplog` for views
    that may run in another process than the test)."""

    log_level = None
    template = "<ul id='records'>{% for record in records %}<li>{{ record }}</li>{% endfor %}</ul>"

    def mount(self, params, session, socket):
        socket.assign(records=[])
        if socket.connected:
            socket.put_private("captured", Captured())

    def handle_event(self, event, params, socket):
        socket.assign(records=list(socket.private["captured"].messages))

    def terminate(self, reason, socket):
        socket.private["captured"].detach()


class Quiet(LiveView):
    log_level = None
    template = "<p>{{ n }}</p>"

    def mount(self, params, session, socket):
        socket.assign(n=0)

    def handle_event(self, event, params, socket):
        socket.assign(n=1)


class Limited(LiveComponent):
    template = "<p>x</p>"


class Items(LiveView):
    """One view on two routes with their own actions (Phoenix's `live "/items/:id", ItemLive, :show`)."""

    template = "<p id='action'>{{ live_action }} {{ seen|join(',') }}</p>"

    def mount(self, params, session, socket):
        socket.assign(seen=[])

    def handle_params(self, params, uri, socket):
        socket.assign(seen=[*socket.assigns.seen, f"{socket.assigns.live_action}:{params.get('id', '-')}"])

    def handle_event(self, event, params, socket):
        socket.push_patch(params["to"])


@pytest.fixture
def app():
    app = App(secret_key="hooks")
    app.live("/items", Items, action="index")
    app.live("/items/{id}", Items, action="show")
    app.live("/hooked", Hooked)
    app.live("/admin", Admin)
    app.live("/temporary", Temporary)
    app.live("/switch", Switchable)
    app.live("/counterpart", Counterpart)
    app.live("/framed", Framed)
    app.live("/quiet", Quiet)
    app.live("/logs", Logs)
    return app


def click(event, **value):
    return {"type": "click", "event": event, "value": value}


def answer(view):
    return view.document().one("#answer").text()


async def test_hooks_on_every_stage(live):
    view, html = await live("/hooked?page=1")
    assert "<p id='seen'>1</p>" in html  # the hook attached in on_mount saw the mount's params
    await view.render_patch("/hooked?page=2")
    assert view.has_element("#seen", "1,2")
    html = await view.push_event(click("ping"))
    assert "<p id='n'>0</p>" in html  # halted by the hook (its reply: test_a_hook_reply_reaches_the_client)
    await view.push_event(click("detach"))
    html = await view.push_event(click("ping"))
    assert "<p id='n'>2</p>" in html  # the hook is gone: the view handles ping now
    await view.push_event(click("hello"))  # the view sends itself a message
    html = await view.render_async()
    assert "<p id='infos'>1</p>" in html
    await view.push_event(click("job"))
    html = await view.render_async()
    assert "<p id='async'>hook saw job ok</p>" in html
    assert int(view.document().select("#renders")[0].text()) >= 5  # after_render ran after each render


async def test_a_hook_reply_reaches_the_client(app):
    from wire import WireClient

    async with WireClient.memory(app, "/hooked") as client:
        await client.join()
        reply = await client.event("ping")
        assert reply["response"]["diff"]["r"] == {"pong": True}
        assert reply["response"]["diff"]["3"] == "1"  # the after_render hook's count of the join render


async def test_on_mount_of_a_view_halts_with_a_redirect(live):
    with pytest.raises(Redirected) as redirected:
        await live("/admin")
    assert redirected.value.to == "/hooked"
    view, html = await live.isolated(Admin, session={"admin": True})
    assert "secret" in html


def test_attach_hook_refuses_mistakes():
    socket = Socket(view_id="v", connected=True)
    socket.attach_hook("a", "handle_event", print)
    with pytest.raises(ValueError, match="already attached"):
        socket.attach_hook("a", "handle_event", print)
    with pytest.raises(ValueError, match="no stage 'handle_evnt'"):
        socket.attach_hook("b", "handle_evnt", print)
    component = Socket(view_id="v", connected=True)
    component.cid = 3
    with pytest.raises(ValueError, match="takes handle_event and after_render hooks"):
        component.attach_hook("c", "handle_info", print)


async def test_temporary_assigns_are_not_kept(live):
    view, html = await live("/temporary")
    assert '<li id="m1">hello</li>' in html
    await view.push_event(click("kept"))
    view.assert_reply({"kept": []})  # reset after the render that sent it
    html = await view.push_event(click("say", text="again"))
    assert '<li id="m2">again</li>' in html
    await view.push_event(click("kept"))
    view.assert_reply({"kept": []})


async def test_render_with_static_changed_and_connect_info(live, live_transport):
    from liveui.testing import Client

    view, html = await live("/switch?alt=1")
    assert "<p id='which'>alternate 1</p>" in html
    assert "<p id='stale'>False</p>" in html  # no tracked statics sent: nothing changed
    app = view.client.wire.app
    current = app.static_url("/liveui/static/liveui.js")
    for tracked, stale in ([f"http://x{current}"], "False"), (["http://x/liveui/static/liveui.js?vsn=old"], "True"):
        client = Client(app, transport=live_transport, connect_params={"_track_static": tracked})
        try:
            _, html = await client.live("/switch?alt=1")
        finally:
            await client.close()
        assert f"<p id='stale'>{stale}</p>" in html


async def test_handle_call_and_handle_cast(live):
    view, _ = await live("/counterpart")
    asker, _ = await live("/counterpart")
    await asker.push_event(click("cast", to=view.id, n=5))
    await asker.push_event(click("call", to=view.id, message="how many?"))
    await asker.render_async()
    assert answer(asker) == "ok: {'count': 5, 'asked': 'how many?'}"
    assert "<p id='count'>5</p>" in await view.render_async()
    await asker.push_event(click("call", to=view.id, message="boom"))
    await asker.render_async()
    assert answer(asker) == "exit: RuntimeError('cannot answer')"  # the caller gets the exception
    await asker.push_event(click("call", to=view.id, message="anyone?"))
    await asker.render_async()
    assert answer(asker).startswith("exit: ViewGone(")  # and the view crashed, as a crash in any callback does
    await wait_for(lambda: view.error is not None, "the crash to reach its client")
    assert "cannot answer" in view.error


async def test_call_from_another_loop_thread(live):
    """`call` works from code on another event loop (another thread)."""
    view, _ = await live("/counterpart")
    asker, _ = await live("/counterpart")
    await asker.push_event(click("call-from-a-thread", to=view.id, message="from a thread"))
    await asker.render_async()
    assert answer(asker) == "ok: {'count': 0, 'asked': 'from a thread'}"


async def test_layout_option(live):
    view, html = await live("/framed")
    assert html.startswith("<header id=\"app-header\">Framed</header><main><p id='inner'>inside</p></main>")
    html = await view.push_event(click("change"))
    assert "<p id='inner'>changed</p>" in html


async def test_log_level_option(live):
    logs, _ = await live("/logs")
    hooked, _ = await live("/hooked")
    await hooked.push_event(click("inc"))
    quiet, _ = await live("/quiet")
    await quiet.push_event(click("inc"))
    await logs.push_event(click("show"))
    records = [record.text() for record in logs.document().select("#records li")]
    assert any(record.startswith(f"Hooked lv:{hooked.id} handle_event 'inc'") for record in records), records
    assert not any(quiet.id in record for record in records), records


async def test_live_action_follows_a_patch(live):
    view, html = await live("/items")
    assert "<p id='action'>index index:-</p>" in html
    html = await view.render_patch("/items/7")  # a live patch link
    assert "<p id='action'>show index:-,show:7</p>" in html
    html = await view.render_hook("go", {"to": "/items"})  # push_patch from a callback
    assert "<p id='action'>index index:-,show:7,index:-</p>" in html
