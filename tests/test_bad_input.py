"""Bad input over the wire: each gets an error reply, or (a frame that is not a Phoenix message) closes its connection with one warning, and the
server keeps serving — the same connection's healthy view and a view on another connection
still answer events afterwards. Runs on the in-memory transport, on a real server, through a
pywebview window and over a Jupyter kernel's comm (tests that reach into the server's memory skip
that last one).
"""

from __future__ import annotations

import logging
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

import liveui  # noqa: E402
import liveui.connection  # noqa: E402
from liveui import LiveView  # noqa: E402
from liveui.tokens import Signer  # noqa: E402
from wire import WireClient, open_client, serve, transport  # noqa: E402,F401

SECRET = "bad-input-test-secret"


class Healthy(LiveView):
    template = '<p id="count">{{ count }}</p>'

    def mount(self, params, session, socket):
        socket.assign(count=0)

    def handle_event(self, event, params, socket):
        if event == "inc":
            socket.assign(count=socket.assigns.count + 1)
        elif event == "save":
            socket.assign(count=len(params))


CRASHY_REFS: dict[str, liveui.ViewRef] = {}


class Crashy(LiveView):
    template = '<p id="n">{{ n }}</p>'

    def mount(self, params, session, socket):
        socket.assign(n=0)
        if socket.connected:
            CRASHY_REFS[socket.id] = socket.ref

    def handle_event(self, event, params, socket):
        if event == "inc":
            socket.assign(n=socket.assigns.n + 1)
        elif event == "boom":
            raise RuntimeError("boom in handle_event")
        elif event == "bad_reply":
            return ["not", "a", "dict"]

    def handle_info(self, message, socket):
        raise RuntimeError("boom in handle_info")


class MountCrash(LiveView):
    template = "<p>never</p>"

    def mount(self, params, session, socket):
        if socket.connected:
            raise RuntimeError("boom in mount")


def make_app(**options) -> liveui.App:
    app = liveui.App(secret_key=SECRET, **options)
    app.live("/healthy", Healthy)
    app.live("/crashy", Crashy)
    app.live("/mount-crash", MountCrash)
    return app


APP = make_app()

UNMATCHED = {"status": "error", "response": {"reason": "unmatched topic"}}
MALFORMED = 1007  # the close code of a connection that sent a frame that is not a Phoenix message
STALE = {"status": "error", "response": {"reason": "stale"}}


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.WARNING, logger="liveui")
    return caplog


@pytest.fixture
async def pair(open_client):
    """A client with a joined healthy view, and a second connection with its own healthy view."""
    client = await open_client(APP, "/healthy")
    assert (await client.join())["status"] == "ok"
    other = await open_client(APP, "/healthy")
    assert (await other.join())["status"] == "ok"
    return client, other


async def assert_serving(client: WireClient, other: WireClient, topics: tuple[str, ...] = ()) -> None:
    """The same connection's views and the other connection's view still answer an event."""
    for c, topic in [(client, client.topic), *((client, t) for t in topics), (other, other.topic)]:
        reply = await c.event("inc", topic=topic)
        assert reply["status"] == "ok" and "diff" in reply["response"], reply


def logged(caplog, text: str) -> bool:
    return warnings(caplog, text) > 0


def warnings(caplog, text: str) -> int:
    """How many liveui warnings (or worse) contain `text`."""
    return sum(text in r.getMessage() and r.name == "liveui" and r.levelno >= logging.WARNING for r in caplog.records)


def assert_lines_bounded(caplog, limit: int = 1100) -> None:
    """No liveui log line quotes more than a bounded prefix of what the client sent."""
    for record in caplog.records:
        if record.name == "liveui":  # (a kernel's record comes with its traceback: not counted)
            message = record.getMessage().split("\nTraceback (most recent call last)")[0]
            assert len(message) <= limit, message[:200]


async def assert_other_serving(other: WireClient) -> None:
    reply = await other.event("inc")
    assert reply["status"] == "ok" and "diff" in reply["response"], reply


# -- frames ---------------------------------------------------------------------------------


@pytest.mark.parametrize("frame", [
    pytest.param("[not json", id="malformed-json"),
    pytest.param("", id="empty"),
    pytest.param("[" * 100_000, id="deeply-nested"),
    pytest.param('{"topic": "phoenix", "event": "heartbeat"}', id="object-not-list"),
    pytest.param('"heartbeat"', id="string-not-list"),
    pytest.param("[]", id="empty-list"),
    pytest.param('[null, "7", "phoenix"]', id="three-elements"),
    pytest.param('[null, "7", "phoenix", "heartbeat", "payload"]', id="payload-string"),
    pytest.param('[null, "7", "phoenix", "heartbeat", [1, 2]]', id="payload-list"),
    pytest.param('[null, 7, "phoenix", "heartbeat", {}]', id="ref-number"),
    pytest.param('[null, "7", 5, "heartbeat", {}]', id="topic-number"),
    pytest.param('[null, "7", "phoenix", null, {}]', id="event-null"),
])
async def test_malformed_text_frame_closes_the_connection(pair, logs, frame):
    """As Phoenix does: the first frame that is not a Phoenix message closes the connection
    (the client reconnects), with one warning; so junk costs the log one line per connection."""
    client, other = pair
    client.send_raw(frame)
    assert await client.closed_by_server() in (MALFORMED, None)
    assert client.pushes == []  # nothing answered the bad frame
    assert warnings(logs, "closing the connection on a malformed frame") == 1
    assert_lines_bounded(logs)
    await assert_other_serving(other)


@pytest.mark.parametrize("frame", [
    pytest.param(b"", id="empty"),
    pytest.param(b"\x07garbage", id="unknown-kind"),
    pytest.param(b"\x01\x00\x01\x06\x05", id="reply-kind"),
    pytest.param(b"\x00\x01", id="short-header"),
    pytest.param(b"\x00\x05\x05\x05\x05abc", id="truncated-fields"),
    pytest.param(b"\x00\x01\x01\x02\x01\xff\xfe\xfd\xfc\xfb", id="not-utf8"),
    pytest.param(bytes(range(255, -1, -1)) * 4, id="noise"),
])
async def test_binary_garbage_closes_the_connection(pair, logs, frame):
    client, other = pair
    client.send_raw(frame)
    assert await client.closed_by_server() in (MALFORMED, None)
    assert client.pushes == []
    assert warnings(logs, "closing the connection on a malformed binary frame") == 1
    await assert_other_serving(other)


async def test_junk_after_junk_logs_once(pair, logs):
    """Frames that follow a malformed one are not read: one warning however many come."""
    client, other = pair
    for _ in range(200):
        client.send_raw("junk" * 50)
    await client.closed_by_server()
    assert warnings(logs, "malformed") == 1
    await assert_other_serving(other)


def binary_push(join_ref: str | None, ref: str, topic: str, event: str, payload: bytes) -> bytes:
    fields = [(join_ref or "").encode(), ref.encode(), topic.encode(), event.encode()]
    return bytes([0, *map(len, fields)]) + b"".join(fields) + payload


async def test_binary_push_to_a_view_topic_is_refused(pair, logs):
    """A well-formed binary push (upload-chunk framing) on an lv: topic gets an error reply."""
    client, other = pair
    jr = client.join_refs[client.topic]
    client.send_raw(binary_push(jr, "900", client.topic, "event", b'{"type":"click"}'))
    frame = await client.reply_for("900")
    assert frame[4]["status"] == "error"
    assert logged(logs, "LiveView topics take JSON payloads")
    # a binary join or a binary push to an unknown topic: unmatched
    client.send_raw(binary_push("901", "901", "lv:phx-nope", "phx_join", b"{}"))
    assert (await client.reply_for("901"))[4] == UNMATCHED
    client.send_raw(binary_push(None, "902", "lvu:0", "chunk", b"\x00" * 10))
    assert (await client.reply_for("902"))[4] == UNMATCHED
    # a binary heartbeat is still a heartbeat
    client.send_raw(binary_push(None, "903", "phoenix", "heartbeat", b""))
    assert (await client.reply_for("903"))[4] == {"status": "ok", "response": {}}
    await assert_serving(client, other)
    assert client.pushes == []


# -- topics and events ----------------------------------------------------------------------


async def test_unknown_topics_are_unmatched(pair, logs):
    client, other = pair
    assert await client.call("event", {"type": "click", "event": "inc", "value": {}}, topic="lv:phx-nope") == UNMATCHED
    assert logged(logs, "no channel for lv:phx-nope")
    assert await client.call("phx_join", {}, topic="room:lobby") == UNMATCHED
    assert await client.call("phx_join", client.join_payload(), topic="lv:") == UNMATCHED
    assert await client.call("shout", {}, topic="phoenix") == UNMATCHED
    await assert_serving(client, other)


async def test_warnings_of_one_connection_are_bounded(pair, logs):
    """Pushes that are well-formed but wrong: each is answered, the log stops after 20 warnings
    of that connection (whichever part of the server logs them); other connections still log."""
    client, other = pair
    refs = [client.push("event", {"type": "click", "event": "inc", "value": {}}, topic=f"lv:phx-nope{n}")
            for n in range(15)]
    refs += [client.push("event", {"type": "form", "event": "save", "value": 5}) for _ in range(15)]
    refs += [client.push("event", {"type": "click", "event": "lv:x", "value": {}}) for _ in range(15)]
    replies = [(await client.reply_for(ref))[4] for ref in refs]
    assert replies[:15] == [UNMATCHED] * 15 and all(r["status"] == "error" for r in replies[15:])
    assert warnings(logs, "no channel for lv:phx-nope") == 15
    assert warnings(logs, "bad event payload") == 5
    assert warnings(logs, "unknown reserved event") == 0
    assert warnings(logs, "20 warnings from one connection") == 1
    await assert_serving(client, other)
    assert await other.call("event", {"type": "form", "event": "save", "value": 5}, topic=other.topic)
    assert warnings(logs, "bad event payload") == 6


async def test_unknown_event_on_joined_topic(pair, logs):
    client, other = pair
    reply = await client.call("bogus", {"x": 1})
    assert reply["status"] == "error" and "bogus" in reply["response"]["reason"]
    assert logged(logs, "unknown event 'bogus'")
    await assert_serving(client, other)


async def test_unknown_reserved_event_is_refused(pair, logs):
    client, other = pair
    reply = await client.call("event", {"type": "click", "event": "lv:explode", "value": {}})
    assert reply["status"] == "error" and "lv:explode" in reply["response"]["reason"]
    assert logged(logs, "unknown reserved event 'lv:explode'")
    await assert_serving(client, other)


async def test_event_before_join(open_client, pair, logs):
    client, other = pair
    fresh = await open_client(APP, "/healthy")  # rendered, connected, never joined
    assert await fresh.event("inc") == UNMATCHED
    assert logged(logs, "no channel for " + fresh.topic)
    # on a connection that has joined another view, too
    page = await client.render("/healthy")
    assert await client.event("inc", topic=page.topic) == UNMATCHED
    await assert_serving(client, other)


async def test_event_with_stale_join_ref(pair, logs):
    client, other = pair
    ref = client.push("event", {"type": "click", "event": "inc", "value": {}}, join_ref="12345")
    assert (await client.reply_for(ref))[4] == UNMATCHED
    await assert_serving(client, other)


@pytest.mark.parametrize("payload, why", [
    pytest.param({"type": "form", "event": "save", "value": 5}, "URL-encoded string", id="form-value-number"),
    pytest.param({"type": "form", "event": "save", "value": {"a": "b"}}, "URL-encoded string", id="form-value-object"),
    pytest.param({"type": "form", "event": "save", "value": "a=1", "meta": "x"}, "meta", id="meta-string"),
    pytest.param({"type": "click", "event": 7, "value": {}}, "event name", id="event-name-number"),
    pytest.param({"type": "click", "value": {}}, "event name", id="event-name-missing"),
])
async def test_bad_event_payload_gets_error_reply(pair, logs, payload, why):
    client, other = pair
    reply = await client.call("event", payload)
    assert reply["status"] == "error"
    assert reply["response"]["reason"].startswith("bad event payload") and why in reply["response"]["reason"]
    assert logged(logs, "bad event payload")
    await assert_serving(client, other)
    # a good form event still decodes
    good = await client.call("event", {"type": "form", "event": "save", "value": "a=1&b=2", "meta": {"_target": "a"}})
    assert good == {"status": "ok", "response": {"diff": {"0": "3"}}}


def nested_key(levels: int) -> str:
    """A form key `a[b][b]...` of `levels` levels (`a` alone is 1)."""
    return "a" + "[b]" * (levels - 1)


@pytest.mark.parametrize("levels", [33, 2_000, 20_000])
async def test_deeply_nested_form_key_gets_error_reply(pair, logs, levels):
    client, other = pair
    reply = await client.call("event", {"type": "form", "event": "save", "value": nested_key(levels) + "=1"})
    assert reply["status"] == "error"
    assert reply["response"]["reason"].startswith("bad event payload") and "deeper than 32 levels" in reply["response"]["reason"]
    assert len(reply["response"]["reason"]) < 200
    assert not logged(logs, "crashed")
    assert_lines_bounded(logs)
    await assert_serving(client, other)
    # 32 levels is the documented limit: still decoded
    good = await client.call("event", {"type": "form", "event": "save", "value": nested_key(32) + "=1&b=2"})
    assert good == {"status": "ok", "response": {"diff": {"0": "2"}}}


@pytest.mark.parametrize("levels", [990, 5_000])
async def test_json_nested_too_deep_to_parse_gets_error_reply(pair, logs, levels):
    """A push whose payload the JSON parser cannot follow is answered (not left to time out)."""
    client, other = pair
    ref = client.make_ref()
    value = "[" * levels + "]" * levels
    jr = client.join_refs[client.topic]
    client.send_raw(f'["{jr}","{ref}","{client.topic}","event",{{"type":"click","event":"inc","value":{{"v":{value}}}}}]')
    reply = (await client.reply_for(ref))[4]  # answered, not left to the client's timeout
    too_deep = {"status": "error", "response": {"reason": "payload nested too deep"}}
    if levels < 1000:  # the parser follows 990 levels when it starts from a shallow stack: an event then
        assert reply in (too_deep, {"status": "ok", "response": {"diff": {"0": "1"}}})
    else:
        assert reply == too_deep
    assert_lines_bounded(logs)
    await assert_serving(client, other)


async def test_crash_log_quotes_a_bounded_prefix_of_the_payload(pair, logs):
    client, other = pair
    crashy, _ = await client.join_page("/crashy")
    client.push("event", {"type": "click", "event": "boom", "value": {"junk": "x" * 1_000_000}}, crashy.topic)
    assert (await client.expect("phx_error"))[2] == crashy.topic
    assert logged(logs, f"view {crashy.topic} crashed")
    assert_lines_bounded(logs)
    await assert_serving(client, other)


# -- join tokens ----------------------------------------------------------------------------


def tamper(token: str) -> str:
    middle = len(token) // 2
    return token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1:]


@pytest.mark.parametrize("change", [
    pytest.param(lambda p: {**p, "session": tamper(p["session"])}, id="tampered"),
    pytest.param(lambda p: {**p, "session": p["session"][:-1]}, id="truncated"),
    pytest.param(lambda p: {**p, "session": "garbage"}, id="garbage"),
    pytest.param(lambda p: {**p, "session": p["static"]}, id="static-as-session"),
    pytest.param(lambda p: {k: v for k, v in p.items() if k != "session"}, id="missing"),
    pytest.param(lambda p: {**p, "session": 123}, id="number"),
    pytest.param(lambda p: {**p, "session": ["x"]}, id="list"),
])
async def test_bad_session_token_is_stale(open_client, pair, logs, change):
    client, other = pair
    page = await client.render("/healthy")
    reply = await client.join(page.topic, change(client.join_payload(page)))
    assert reply == STALE
    assert logged(logs, "refused: session token invalid")
    await assert_serving(client, other)
    # the untouched token of that page still joins
    assert (await client.join(page.topic, client.join_payload(page)))["status"] == "ok"
    await assert_serving(client, other, (page.topic,))


async def test_token_of_another_view_id_is_stale(pair, logs):
    client, other = pair
    page = await client.render("/healthy")
    reply = await client.join("lv:phx-someoneelse", client.join_payload(page))
    assert reply == STALE
    assert logged(logs, "session token belongs to another view")
    # another view's token on an existing view's topic does not take it over either
    assert await client.join(other.topic, client.join_payload(page)) == STALE
    await assert_serving(client, other)


@pytest.mark.liveui_same_process
async def test_expired_session_token_is_stale(transport, serve, logs):
    now = [1_000_000.0]
    app = make_app(token_max_age=60)
    app.signer = Signer(SECRET, clock=lambda: now[0])
    if transport == "websocket":
        base = await serve(app)
        client, other = WireClient.websocket(base, "/healthy"), WireClient.websocket(base, "/healthy")
    else:
        client, other = WireClient(transport, "/healthy", app=app), WireClient(transport, "/healthy", app=app)
    async with client, other:
        assert (await other.join())["status"] == "ok"
        fresh = await client.render("/healthy")
        now[0] += 61
        assert await client.join() == STALE
        assert logged(logs, "session token expired")
        # a page rendered 61 s ago by the clock is expired, one rendered now is not
        assert await client.join(fresh.topic, client.join_payload(fresh)) == STALE
        page = await client.render("/healthy")
        assert (await client.join(page.topic, client.join_payload(page)))["status"] == "ok"
        assert (await client.event("inc", topic=page.topic))["status"] == "ok"
        assert (await other.event("inc"))["status"] == "ok"  # joined before: keeps working


async def test_bad_join_params_do_not_crash(pair, logs):
    client, other = pair
    page = await client.render("/healthy")
    for extra in [{"flash": 5}, {"flash": "garbage"}, {"static": None}, {"static": ""}]:
        reply = await client.join(page.topic, {**client.join_payload(page), **extra})
        assert reply["status"] == "ok", (extra, reply)
    assert logged(logs, "ignoring invalid flash token")
    # the static token is bound to the view id like the session token
    other_page = await client.render("/healthy")
    for extra in [{"static": 5}, {"static": "garbage"}, {"static": client.join_payload(other_page)["static"]}]:
        assert await client.join(page.topic, {**client.join_payload(page), **extra}) == STALE, extra
    # params that are not an object count as none: no CSRF token, which only the WebSocket checks
    reply = await client.join(page.topic, {**client.join_payload(page), "params": "x"})
    assert reply == ({"status": "ok", "response": reply["response"]} if client.kind != "websocket" else STALE)
    reply = await client.join(page.topic, {**client.join_payload(page), "url": 5})
    assert reply == {"status": "error", "response": {"reason": "unauthorized"}}
    await assert_serving(client, other)


@pytest.mark.liveui_same_process
async def test_too_many_channels(pair, monkeypatch):
    client, other = pair
    monkeypatch.setattr(liveui.connection, "MAX_CHANNELS", 2)
    page2, reply = await client.join_page("/healthy")
    assert reply["status"] == "ok"
    _, refused = await client.join_page("/healthy")
    assert refused == {"status": "error", "response": {"reason": "too many channels joined"}}
    await assert_serving(client, other, (page2.topic,))


# -- WebSocket-only checks: CSRF and Origin --------------------------------------------------


@pytest.mark.parametrize("csrf", [None, "", "bogus", "other-session"])
async def test_missing_or_invalid_csrf_token_is_stale(serve, logs, csrf):
    base = await serve(APP)
    async with WireClient.websocket(base, "/healthy") as other:
        assert (await other.join())["status"] == "ok"
        if csrf == "other-session":
            csrf = other.csrf  # valid, but bound to another browser session
        async with WireClient.websocket(base, "/healthy", csrf=csrf) as client:
            assert await client.join() == STALE
            assert logged(logs, "missing or invalid CSRF token")
            assert await client.heartbeat() == {"status": "ok", "response": {}}
            assert (await other.event("inc"))["status"] == "ok"
        # the CSRF token also travels in the join params: a valid query token is what counts
        async with WireClient.websocket(base, "/healthy") as client:
            payload = client.join_payload(params={"_csrf_token": "bogus"})
            assert await client.join(payload=payload) == STALE
            assert (await client.join())["status"] == "ok"
            assert (await client.event("inc"))["status"] == "ok"


async def test_foreign_origin_is_refused_at_upgrade(serve, caplog):
    from tornado.httpclient import HTTPClientError

    caplog.set_level(logging.WARNING, logger="tornado.access")
    base = await serve(APP)
    for origin in ["http://evil.example", "http://127.0.0.1.evil.example", "null"]:
        client = WireClient.websocket(base, "/healthy", origin=origin)
        with pytest.raises(HTTPClientError) as refused:
            await client.open()
        assert refused.value.code == 403
    refusals = [r for r in caplog.records if r.name == "tornado.access" and "403 GET /live/websocket" in r.getMessage()]
    assert len(refusals) == 3
    async with WireClient.websocket(base, "/healthy") as client:
        assert (await client.join())["status"] == "ok"


async def test_allowed_origins_extend_the_check(serve):
    app = make_app(allowed_origins=["http://trusted.example"])
    base = await serve(app)
    async with WireClient.websocket(base, "/healthy", origin="http://trusted.example") as client:
        assert (await client.join())["status"] == "ok"


# -- crashes --------------------------------------------------------------------------------


async def test_handler_crash_errors_that_topic_only(open_client, pair, logs):
    client, other = pair
    crashy, reply = await client.join_page("/crashy")
    assert reply["status"] == "ok"
    jr = client.join_refs[crashy.topic]
    assert await client.event("inc", topic=crashy.topic) == {"status": "ok", "response": {"diff": {"0": "1"}}}
    client.click("boom", topic=crashy.topic)
    frame = await client.expect("phx_error")
    assert frame[:4] == [jr, jr, crashy.topic, "phx_error"]
    assert frame[4] in ({}, {"reason": "channel_crash"})
    assert logged(logs, f"view {crashy.topic} crashed")
    assert [f for f in client.pushes if f[2] == client.topic] == []  # the healthy view saw nothing
    await assert_serving(client, other)
    # the crashed topic is gone until rejoined; the rejoin mounts fresh state
    assert await client.event("inc", topic=crashy.topic) == UNMATCHED
    rejoin = await client.join(crashy.topic, client.join_payload(crashy, params={"_mounts": 1}))
    assert rejoin["status"] == "ok" and rejoin["response"]["rendered"]["0"] == "0"
    assert await client.event("inc", topic=crashy.topic) == {"status": "ok", "response": {"diff": {"0": "1"}}}
    await assert_serving(client, other, (crashy.topic,))


async def test_bad_handle_event_return_value_crashes_that_view(pair, logs):
    client, other = pair
    crashy, _ = await client.join_page("/crashy")
    client.click("bad_reply", topic=crashy.topic)
    assert (await client.expect("phx_error"))[2] == crashy.topic
    assert logged(logs, f"view {crashy.topic} crashed") and "must return None or a dict" in logs.text
    await assert_serving(client, other)


@pytest.mark.liveui_same_process
async def test_handle_info_crash_errors_that_topic_only(pair, logs):
    client, other = pair
    crashy, _ = await client.join_page("/crashy")
    CRASHY_REFS[crashy.view_id].send("anything")
    assert (await client.expect("phx_error"))[2] == crashy.topic
    assert logged(logs, f"view {crashy.topic} crashed")
    await assert_serving(client, other)


async def test_mount_crash_is_a_join_error(pair, logs):
    client, other = pair
    page, reply = await client.join_page("/mount-crash")
    assert reply["status"] == "error"
    assert logged(logs, f"mount of {page.topic} raised")
    assert await client.event("inc", topic=page.topic) == UNMATCHED
    await assert_serving(client, other)
