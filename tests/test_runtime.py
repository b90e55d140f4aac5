"""The runtime over the wire: join, events, replies, navigation, infos, leave (docs/protocol.md §1–§7).

Most tests run on each transport: in memory, on a real Tornado server (dead render over HTTP,
then the WebSocket with cookie, Origin and CSRF token), through a real pywebview window's
bridge and over a Jupyter kernel's comm (skipping the tests that observe through in-process
recorders), via `tests/wire.py`.
"""

from __future__ import annotations

import json
import os
import sys

import pytest
import threading

sys.path.insert(0, os.path.dirname(__file__))

import liveui  # noqa: E402
from liveui import Cont, Halt, LiveView  # noqa: E402
from wire import Recorder, WireClient, open_client, serve, transport  # noqa: E402,F401

TERMINATED = Recorder()  # (view id, view name, reason)
PARAMS = Recorder()  # (view id, connected, params, uri)
REFS: dict[str, liveui.ViewRef] = {}


class Counter(LiveView):
    layout = None  # renders its own flash; the join's exact shape is asserted below
    template = (
        '<p id="count">{{ count }}</p><p id="page">{{ page }}</p>'
        '{% if flash.info %}<p class="flash">{{ flash.info }}</p>{% endif %}'
        '<button phx-click="inc">+</button>'
    )

    def mount(self, params, session, socket):
        socket.assign(count=0, page="1")
        if socket.connected:
            REFS[socket.id] = socket.ref

    def handle_params(self, params, uri, socket):
        PARAMS.record((socket.id, socket.connected, dict(params), uri))
        socket.assign(page=params.get("page", "1"))

    def handle_event(self, event, params, socket):
        if event == "inc":
            socket.assign(count=socket.assigns.count + 1)
        elif event == "noop":
            socket.assign(count=socket.assigns.count)
        elif event == "reply":
            return {"count": socket.assigns.count, "got": params}
        elif event == "inc_reply":
            socket.assign(count=socket.assigns.count + 1)
            return {"ok": True}
        elif event == "push_event":
            socket.push_event("highlight", {"id": 1})
            socket.push_event("scroll", {"to": "top"})
        elif event == "title":
            socket.assign(page_title="New title")
        elif event == "flash":
            socket.put_flash("info", "Hello there")
        elif event == "patch":
            socket.push_patch("/counter?page=2")
        elif event == "navigate":
            socket.push_navigate(params.get("to", "/other"))
        elif event == "navigate_flash":
            socket.push_event("bye", {"n": 1})
            socket.put_flash("info", "Moved")
            socket.push_navigate("/other", replace=True)
        elif event == "redirect_flash":
            socket.put_flash("info", "Saved!")
            socket.redirect(to="/counter")

    def handle_info(self, message, socket):
        kind, value = message
        if kind == "set":
            socket.assign(count=value)

    def terminate(self, reason, socket):
        TERMINATED.record((socket.id, "counter", reason))


class Other(LiveView):
    template = '<h1 id="other">other view</h1>{% if flash.info %}<p class="flash">{{ flash.info }}</p>{% endif %}'

    def mount(self, params, session, socket):
        socket.assign(page_title="Other")

    def terminate(self, reason, socket):
        TERMINATED.record((socket.id, "other", reason))


class Gate(LiveView):
    """Redirects (with a flash) from mount when the URL has ?go=1."""

    template = "<p>gate</p>"

    def mount(self, params, session, socket):
        if params.get("go"):
            socket.put_flash("error", "Go away")
            socket.redirect(to="/counter")


class Patcher(LiveView):
    """Navigates from mount (connected only), as `?mode=` says."""

    template = '<p id="page">{{ page }}</p>'

    def mount(self, params, session, socket):
        mode = params.get("mode") if socket.connected else None
        if mode == "self":
            socket.push_patch("/patcher?page=2", replace=True)
        elif mode == "away":
            socket.push_patch("/other")
        elif mode == "navigate":
            socket.push_navigate("/other")

    def handle_params(self, params, uri, socket):
        PARAMS.record((socket.id, socket.connected, dict(params), uri))
        socket.assign(page=params.get("page", "1"))


class User(LiveView):
    template = '<p id="user">user {{ id }} tab {{ tab }}</p>'

    def mount(self, params, session, socket):
        socket.assign(id=params["id"], tab=params.get("tab", "-"))

    def handle_params(self, params, uri, socket):
        PARAMS.record((socket.id, socket.connected, dict(params), uri))


class Secure(LiveView):
    template = '<p id="who">{{ user }}</p>'


class Admin(LiveView):
    template = "<p>admin</p>"


def require_member(params, session, socket):
    """on_mount hook: guests are redirected away (halt); members get a `user` assign."""
    if params.get("guest"):
        socket.redirect(to="/counter")
        return Halt()
    socket.assign(user="alice")
    return Cont()


def make_app() -> liveui.App:
    app = liveui.App(secret_key="runtime-test-secret")
    app.live("/counter", Counter)
    app.live("/other", Other)
    app.live("/gate", Gate)
    app.live("/patcher", Patcher)
    app.live("/users/{id}", User)
    with app.live_session("members", on_mount=[require_member]):
        app.live("/secure", Secure)
    with app.live_session("admin"):
        app.live("/admin", Admin)
    return app


APP = make_app()


def ok(response):
    return {"status": "ok", "response": response}


# -- join -----------------------------------------------------------------------------------


async def test_join_reply_exact_shape(open_client):
    client = await open_client(APP, "/counter")
    ref = client.send_join()
    frame = await client.reply_for(ref)
    assert frame[:4] == [ref, ref, client.topic, "phx_reply"]
    payload = frame[4]
    assert payload["status"] == "ok"
    assert set(payload["response"]) == {"rendered", "liveview_version"}
    assert payload["response"]["liveview_version"] == "1.2.12"
    rendered = payload["response"]["rendered"]
    assert rendered["0"] == "0" and rendered["1"] == "1"
    assert isinstance(rendered["s"], list) and all(isinstance(s, str) for s in rendered["s"])
    assert rendered["s"][0] == '<p id="count">'
    assert "t" not in rendered and "e" not in rendered and "r" not in rendered


async def test_join_sends_title_of_view(open_client):
    client = await open_client(APP, "/other")
    reply = await client.join()
    assert reply["response"]["rendered"]["t"] == "Other"


@pytest.mark.liveui_same_process  # observes through in-process recorders
async def test_path_params(open_client):
    client = await open_client(APP, "/users/42?tab=posts")
    assert 'user 42 tab posts' in client.page.html
    reply = await client.join()
    assert reply["status"] == "ok"
    rendered = reply["response"]["rendered"]
    assert rendered["0"] == "42" and rendered["1"] == "posts"
    calls = [c for c in PARAMS.items if c[0] == client.page.view_id and c[1]]
    assert calls == [(client.page.view_id, True, {"id": "42", "tab": "posts"}, client.page.url)]


# -- events and replies ---------------------------------------------------------------------


async def test_click_event_reply_is_exact_diff(open_client):
    client = await open_client(APP, "/counter")
    await client.join()
    ref = client.click("inc")
    frame = await client.reply_for(ref)
    assert frame == [client.join_refs[client.topic], ref, client.topic, "phx_reply", ok({"diff": {"0": "1"}})]
    assert await client.event("inc") == ok({"diff": {"0": "2"}})
    assert client.pushes == []


async def test_unchanged_event_replies_empty(open_client):
    client = await open_client(APP, "/counter")
    await client.join()
    assert await client.event("noop") == ok({})
    assert await client.event("unhandled-by-view") == ok({})


async def test_heartbeat(open_client):
    client = await open_client(APP, "/counter")
    ref = client.make_ref()
    client.send_frame([None, ref, "phoenix", "heartbeat", {}])
    assert await client.receive() == [None, ref, "phoenix", "phx_reply", ok({})]


async def test_handle_event_reply_goes_to_r(open_client):
    client = await open_client(APP, "/counter")
    await client.join()
    reply = await client.event("reply", {"x": 1})
    assert reply == ok({"diff": {"r": {"count": 0, "got": {"x": 1}}}})
    assert await client.event("inc_reply") == ok({"diff": {"0": "1", "r": {"ok": True}}})


async def test_push_event_goes_to_e_in_order(open_client):
    client = await open_client(APP, "/counter")
    await client.join()
    assert await client.event("push_event") == ok({"diff": {"e": [["highlight", {"id": 1}], ["scroll", {"to": "top"}]]}})


async def test_page_title_goes_to_t(open_client):
    client = await open_client(APP, "/counter")
    await client.join()
    assert await client.event("title") == ok({"diff": {"t": "New title"}})
    assert await client.event("title") == ok({})  # unchanged title: not resent


async def test_flash_and_clear_flash(open_client):
    client = await open_client(APP, "/counter")
    await client.join()
    reply = await client.event("flash")
    assert reply["status"] == "ok" and "Hello there" in str(reply["response"]["diff"])
    cleared = await client.call("event", {"type": "click", "event": "lv:clear-flash", "value": {"key": "info"}})
    assert cleared["status"] == "ok"
    diff = cleared["response"]["diff"]
    assert diff and "Hello there" not in str(diff)
    assert await client.call("event", {"type": "click", "event": "lv:clear-flash", "value": {}}) == ok({})


# -- patches --------------------------------------------------------------------------------


@pytest.mark.liveui_same_process  # observes through in-process recorders
async def test_push_patch_from_event(open_client):
    client = await open_client(APP, "/counter")
    await client.join()
    jr, topic = client.join_refs[client.topic], client.topic
    ref = client.click("patch")
    frame = await client.reply_for(ref)
    # the live_patch push comes first, then the reply with the diff handle_params produced
    assert client.pushes == [[jr, None, topic, "live_patch", {"to": "/counter?page=2", "kind": "push"}]]
    assert frame[4] == ok({"diff": {"1": "2"}})
    last = [c for c in PARAMS.items if c[0] == client.page.view_id][-1]
    assert last[1:] == (True, {"page": "2"}, "/counter?page=2")


@pytest.mark.liveui_same_process  # observes through in-process recorders
async def test_client_live_patch(open_client):
    client = await open_client(APP, "/counter")
    await client.join()
    url = client.page.url + "?page=3"
    assert await client.call("live_patch", {"url": url}) == ok({"diff": {"1": "3"}})
    last = [c for c in PARAMS.items if c[0] == client.page.view_id][-1]
    assert last[1:] == (True, {"page": "3"}, url)
    # same params again: handle_params runs, nothing changed
    assert await client.call("live_patch", {"url": url}) == ok({})
    # a URL of another view: the client must navigate live instead
    other = client.page.url.replace("/counter", "/other")
    assert await client.call("live_patch", {"url": other}) == ok({"link_redirect": True})
    assert await client.event("inc") == ok({"diff": {"0": "1"}})  # still alive


# -- navigation -----------------------------------------------------------------------------


@pytest.mark.liveui_same_process  # observes through in-process recorders
async def test_push_navigate_then_rejoin_same_topic(open_client):
    client = await open_client(APP, "/counter")
    await client.join()
    old_jr, topic, view_id = client.join_refs[client.topic], client.topic, client.page.view_id
    ref = client.click("navigate")
    frame = await client.reply_for(ref)
    assert frame == [old_jr, ref, topic, "phx_reply", ok({"live_redirect": {"to": "/other", "kind": "push"}})]
    assert await client.receive() == [old_jr, old_jr, topic, "phx_close", {}]
    await TERMINATED.wait(lambda items: (view_id, "counter", "navigation") in items)
    # the client rejoins the same topic, same tokens, with `redirect`
    reply = await client.join(redirect="/other", params={"_live_referer": client.page.url})
    assert reply["status"] == "ok"
    response = reply["response"]
    assert response["liveview_version"] == "1.2.12"
    assert response["container"] == ["div", {}]
    assert "other view" in "".join(response["rendered"]["s"])
    assert response["rendered"]["t"] == "Other"
    # the new view answers on the topic
    assert await client.call("live_patch", {"url": client.page.url}) == ok({"link_redirect": True})


async def test_push_navigate_with_flash_and_pending_events(open_client):
    client = await open_client(APP, "/counter")
    await client.join()
    jr, topic = client.join_refs[client.topic], client.topic
    ref = client.click("navigate_flash")
    frame = await client.reply_for(ref)
    # events pushed before navigating go out first, as a diff push
    assert client.pushes == [[jr, None, topic, "diff", {"e": [["bye", {"n": 1}]]}]]
    live_redirect = frame[4]["response"]["live_redirect"]
    assert live_redirect["to"] == "/other" and live_redirect["kind"] == "replace"
    assert isinstance(live_redirect["flash"], str)
    await client.expect("phx_close")
    reply = await client.join(redirect="/other", flash=live_redirect["flash"])
    assert reply["status"] == "ok"
    assert "Moved" in json.dumps(reply["response"]["rendered"])
    # a forged flash token is ignored, the join still succeeds
    token = live_redirect["flash"]
    forged = await client.join(redirect="/other", flash=token[:-1] + ("1" if token[-1] != "1" else "2"))
    assert forged["status"] == "ok" and "Moved" not in json.dumps(forged["response"]["rendered"])


async def test_navigate_into_another_live_session_is_unauthorized(open_client):
    client = await open_client(APP, "/counter")
    await client.join()
    ref = client.click("navigate", {"to": "/admin"})
    frame = await client.reply_for(ref)
    assert frame[4] == ok({"live_redirect": {"to": "/admin", "kind": "push"}})
    await client.expect("phx_close")
    assert await client.join(redirect="/admin") == {"status": "error", "response": {"reason": "unauthorized"}}
    # a URL that routes nowhere is refused too
    assert await client.join(redirect="/nowhere") == {"status": "error", "response": {"reason": "unauthorized"}}
    # and so is a normal join whose url is another view than the token's
    assert await client.join(url="/other") == {"status": "error", "response": {"reason": "unauthorized"}}


async def test_redirect_with_flash_reaches_next_dead_render(open_client, serve):
    client = await open_client(APP, "/counter")
    await client.join()
    jr, topic = client.join_refs[client.topic], client.topic
    ref = client.click("redirect_flash")
    frame = await client.reply_for(ref)
    response = frame[4]["response"]
    assert frame[4]["status"] == "ok" and set(response) == {"redirect"}
    assert response["redirect"]["to"] == "/counter"
    token = response["redirect"]["flash"]
    assert isinstance(token, str) and token
    assert await client.receive() == [jr, jr, topic, "phx_close", {}]
    # the browser stores the token in __phoenix_flash__ and loads `to`
    browser = WireClient.websocket(await serve(APP), "/counter")
    browser.cookies["__phoenix_flash__"] = token
    page = await browser.render("/counter")
    assert page.status == 200
    assert '<p class="flash">Saved!</p>' in page.html
    assert "__phoenix_flash__" not in browser.cookies  # read once: the response clears it
    again = await browser.render("/counter")
    assert "Saved!" not in again.html
    # a forged token shows nothing
    browser.cookies["__phoenix_flash__"] = token[:-1] + ("1" if token[-1] != "1" else "2")
    assert "Saved!" not in (await browser.render("/counter")).html


async def test_redirect_during_mount_is_a_join_error(open_client):
    client = await open_client(APP, "/gate")
    reply = await client.join(url="/gate?go=1")
    assert reply["status"] == "error"
    redirect = reply["response"]["redirect"]
    assert redirect["to"] == "/counter"
    assert isinstance(redirect.get("flash"), str)
    # the topic is not joined
    assert await client.event("x") == {"status": "error", "response": {"reason": "unmatched topic"}}


@pytest.mark.liveui_same_process  # observes through in-process recorders
async def test_push_patch_during_mount_is_in_the_join_reply(open_client):
    client = await open_client(APP, "/patcher")
    reply = await client.join(url="/patcher?mode=self")
    assert reply["status"] == "ok"
    response = reply["response"]
    assert response["live_patch"] == {"to": "/patcher?page=2", "kind": "replace"}
    assert response["rendered"]["0"] == "2"  # rendered after handle_params of the patched URL
    connected = [c[2:] for c in PARAMS.items if c[0] == client.page.view_id and c[1]]
    assert connected == [({"mode": "self"}, client.page.url + "?mode=self"), ({"page": "2"}, "/patcher?page=2")]


async def test_navigation_during_mount_is_a_join_error(open_client):
    client = await open_client(APP, "/patcher")
    navigate = await client.join(url="/patcher?mode=navigate")
    assert navigate == {"status": "error", "response": {"live_redirect": {"to": "/other", "kind": "push"}}}
    # a push_patch to another view's URL cannot patch: it navigates, at join time too
    away = await client.join(url="/patcher?mode=away")
    assert away == {"status": "error", "response": {"live_redirect": {"to": "/other", "kind": "push"}}}
    assert await client.event("x") == {"status": "error", "response": {"reason": "unmatched topic"}}


async def test_on_mount_hook_in_live_session(open_client):
    client = await open_client(APP, "/secure")
    assert '<p id="who">alice</p>' in client.page.html
    reply = await client.join()
    assert reply["status"] == "ok" and reply["response"]["rendered"]["0"] == "alice"
    # same token, a URL for which the hook halts with a redirect
    guest = await client.join(url="/secure?guest=1")
    assert guest == {"status": "error", "response": {"redirect": {"to": "/counter"}}}


# -- infos, leave, terminate ----------------------------------------------------------------


@pytest.mark.liveui_same_process  # observes through in-process recorders
async def test_handle_info_from_another_thread_pushes_diff(open_client):
    client = await open_client(APP, "/counter")
    await client.join()
    jr, topic = client.join_refs[client.topic], client.topic
    ref = REFS[client.page.view_id]
    thread = threading.Thread(target=ref.send, args=(("set", 5),))
    thread.start()
    thread.join(2)
    assert await client.expect("diff") == [jr, None, topic, "diff", {"0": "5"}]
    assert await client.event("inc") == ok({"diff": {"0": "6"}})


@pytest.mark.liveui_same_process  # observes through in-process recorders
async def test_leave_closes_and_terminates(open_client):
    client = await open_client(APP, "/counter")
    await client.join()
    jr, topic, view_id = client.join_refs[client.topic], client.topic, client.page.view_id
    ref = client.push("phx_leave", {})
    assert await client.receive() == [jr, jr, topic, "phx_close", {}]
    assert await client.receive() == [jr, ref, topic, "phx_reply", ok({})]
    await TERMINATED.wait(lambda items: (view_id, "counter", "leave") in items)
    assert [i for i in TERMINATED.items if i[0] == view_id] == [(view_id, "counter", "leave")]
    assert await client.event("inc") == {"status": "error", "response": {"reason": "unmatched topic"}}
    # Phoenix answers a leave of a topic that is already gone with ok
    assert await client.call("phx_leave", {}) == ok({})
    assert REFS[view_id].alive is False


@pytest.mark.liveui_same_process  # observes through in-process recorders
async def test_disconnect_terminates_every_view_without_a_reconnect_grace(open_client):
    app = make_app()
    app.reconnect_grace = 0  # with one, a dropped connection parks its views (test_reconnect.py)
    client = await open_client(app, "/counter")
    await client.join()
    other, reply = await client.join_page("/other")
    assert reply["status"] == "ok"
    await client.close()
    ids = {client.page.view_id, other.view_id}
    await TERMINATED.wait(lambda items: {i[0] for i in items if i[2] == "disconnect"} >= ids)


@pytest.mark.liveui_same_process  # observes through in-process recorders
async def test_duplicate_join_replaces_the_old_channel(open_client):
    client = await open_client(APP, "/counter")
    await client.join()
    topic, view_id = client.topic, client.page.view_id
    old_jr = client.join_refs[topic]
    assert await client.event("inc") == ok({"diff": {"0": "1"}})
    new_jr = client.send_join()
    frame = await client.reply_for(new_jr)
    assert client.pushes == [[old_jr, old_jr, topic, "phx_close", {}]]
    assert frame[:2] == [new_jr, new_jr] and frame[4]["status"] == "ok"
    assert frame[4]["response"]["rendered"]["0"] == "0"  # fresh mount
    await TERMINATED.wait(lambda items: (view_id, "counter", "replaced") in items)
    assert await client.event("inc") == ok({"diff": {"0": "1"}})
    # pushes carrying the old join_ref no longer reach a channel
    ref = client.push("event", {"type": "click", "event": "inc", "value": {}}, join_ref=old_jr)
    assert (await client.reply_for(ref))[4] == {"status": "error", "response": {"reason": "unmatched topic"}}


# -- dead render (HTTP) ---------------------------------------------------------------------


async def test_dead_render_page(serve):
    base = await serve(APP)
    browser = WireClient.websocket(base, "/counter")
    page = await browser.render("/counter")
    assert page.status == 200
    assert page.view_id and page.view_id.startswith("phx-")
    assert page.session and page.static and page.csrf
    assert "liveui_session" in browser.cookies
    assert '<div id="%s" data-phx-main data-phx-session=' % page.view_id in page.html


async def test_dead_render_unknown_path_is_404(serve):
    browser = WireClient.websocket(await serve(APP), "/")
    page = await browser.render("/no/such/page")
    assert page.status == 404
    assert page.view_id is None


async def test_dead_render_redirect_in_mount_is_302(serve):
    browser = WireClient.websocket(await serve(APP), "/")
    page = await browser.render("/gate?go=1")
    assert page.status == 302
    assert page.location == "/counter"
    assert "__phoenix_flash__" in browser.cookies  # the flash put before redirecting
    follow = await browser.render(page.location)
    assert "__phoenix_flash__" not in browser.cookies
    assert follow.status == 200


async def test_dead_render_on_mount_halt_is_302(serve):
    browser = WireClient.websocket(await serve(APP), "/")
    page = await browser.render("/secure?guest=1")
    assert page.status == 302 and page.location == "/counter"
