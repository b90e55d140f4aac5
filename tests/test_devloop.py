"""The development loop: debug mode (error page, crash notice, INFO logs), plain HTTP routes with
the session, and `liveui run --reload` in a subprocess (template, static and module edits)."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPResponse

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import liveui  # noqa: E402
from liveui import LiveView  # noqa: E402
from liveui.testing import Redirected, live  # noqa: E402
from devloop_app import write_app, write_module, write_template  # noqa: E402
from wire import MEMORY_BASE, WireClient, serve  # noqa: E402,F401

BROKEN = """<h1>Broken</h1>
<p>fine</p>
<p>{{ user.name.first }}</p>
"""


def broken_app(tmp_path: Path, debug: bool) -> liveui.App:
    (tmp_path / "broken.html.j2").write_text(BROKEN)

    class Broken(LiveView):
        template = str(tmp_path / "broken.html.j2")

        def mount(self, params, session, socket):
            socket.assign(user=None)

    app = liveui.App(secret_key="devloop", debug=debug)
    app.live("/broken", Broken)
    return app


async def fetch(url: str, **options: Any) -> HTTPResponse:
    try:
        return await AsyncHTTPClient().fetch(url, follow_redirects=False, **options)
    except HTTPClientError as error:
        assert error.response is not None, error
        return error.response


async def test_debug_error_page_shows_the_traceback_and_template_line(tmp_path, serve):
    base = await serve(broken_app(tmp_path, debug=True))
    response = await fetch(base + "/broken")
    body = response.body.decode()
    assert response.code == 500
    assert f"in template <code>{tmp_path / 'broken.html.j2'}</code>, line 3" in body
    assert "{{ user.name.first }}" in body  # the failing line, in an excerpt of the source
    assert 'id="liveui-error-traceback"' in body and "UndefinedError" in body


async def test_production_error_page_says_internal_server_error_and_nothing_more(tmp_path, serve):
    base = await serve(broken_app(tmp_path, debug=False))
    response = await fetch(base + "/broken")
    body = response.body.decode()
    assert response.code == 500
    assert "Internal Server Error" in body
    for leak in ("broken.html.j2", "Traceback", "UndefinedError", "user.name", "line 3"):
        assert leak not in body


class Crashy(LiveView):
    template = "<p>{{ count }}</p>"

    def mount(self, params, session, socket):
        socket.assign(count=0)

    def handle_event(self, event, params, socket):
        if event == "boom":
            raise ValueError("boom!")
        socket.assign(count=socket.assigns.count + 1)


def crashy_app(debug: bool) -> liveui.App:
    app = liveui.App(secret_key="devloop", debug=debug)
    app.live("/crashy", Crashy)
    return app


@pytest.mark.parametrize("debug", [True, False])
async def test_a_crash_sends_a_notice_before_the_error_in_debug_mode_only(debug):
    async with WireClient.memory(crashy_app(debug), "/crashy") as client:
        assert (await client.join())["status"] == "ok"
        client.click("boom")
        await client.expect("phx_error")
        notices = [frame for frame in client.pushes if frame[3] == "diff"]
    if not debug:
        assert notices == []
        return
    [[_, _, _, _, payload]] = notices
    [[event, detail]] = payload["e"]
    assert event == "liveui:crash"
    assert detail["view"] == "Crashy" and detail["error"] == "ValueError: boom!"
    assert "handle_event" in detail["traceback"]


async def test_debug_mode_logs_events_params_and_replies_at_info(caplog):
    caplog.set_level(logging.INFO, logger="liveui")
    async with WireClient.memory(crashy_app(True), "/crashy") as client:
        await client.join()
        await client.event("inc", {"value": "7"})
    messages = [record.getMessage() for record in caplog.records if record.levelno == logging.INFO]
    assert any("handle_event 'inc' {'value': '7'}" in message for message in messages), messages
    assert any("replied to 'inc':" in message and " bytes in " in message for message in messages), messages
    assert any("Crashy lv:" in message and "mounted 'http://liveui.test/crashy'" in message for message in messages)
    assert any("replied to the join:" in message for message in messages), messages


async def test_production_mode_keeps_events_at_debug(caplog):
    caplog.set_level(logging.INFO, logger="liveui")
    async with WireClient.memory(crashy_app(False), "/crashy") as client:
        await client.join()
        await client.event("inc")
    assert not [record for record in caplog.records if "inc" in record.getMessage()]


# -- HTTP routes and the session ---------------------------------------------------------------


def cookie_of(response: HTTPResponse) -> str:
    return "; ".join(header.split(";", 1)[0] for header in response.headers.get_list("Set-Cookie"))


async def test_login_writes_the_session_a_protected_live_view_reads(serve):
    from examples.login import make_app

    base = await serve(make_app("devloop"))
    assert (await fetch(base + "/health")).body == b'{"status": "ok"}'
    anonymous = await fetch(base + "/account")
    assert anonymous.code == 302 and anonymous.headers["Location"] == "/login"

    form = await fetch(base + "/login")
    cookie = cookie_of(form)
    token = form.body.decode().split('name="_csrf_token" value="')[1].split('"')[0]
    forged = await fetch(base + "/login", method="POST", headers={"Cookie": cookie},
                         body=urlencode({"user": "ada", "password": "lovelace"}))
    assert forged.code == 403  # no CSRF token
    wrong = await fetch(base + "/login", method="POST", headers={"Cookie": cookie},
                        body=urlencode({"_csrf_token": token, "user": "ada", "password": "x"}))
    assert wrong.code == 401
    login = await fetch(base + "/login", method="POST", headers={"Cookie": cookie},
                        body=urlencode({"_csrf_token": token, "user": "ada", "password": "lovelace"}))
    assert login.code == 302 and login.headers["Location"] == "/account"
    cookie = cookie_of(login)
    page = await fetch(base + "/account", headers={"Cookie": cookie})
    assert page.code == 200 and '<span id="user">ada</span>' in page.body.decode()

    logout_form = await fetch(base + "/logout", headers={"Cookie": cookie})
    token = logout_form.body.decode().split('name="_csrf_token" value="')[1].split('"')[0]
    logout = await fetch(base + "/logout", method="POST", headers={"Cookie": cookie},
                         body=urlencode({"_csrf_token": token}))
    assert logout.code == 302
    after = await fetch(base + "/account", headers={"Cookie": cookie_of(logout)})
    assert after.code == 302 and after.headers["Location"] == "/login"


async def test_an_anonymous_join_of_the_protected_page_is_refused():
    from examples.login import make_app

    app = make_app("devloop")
    with pytest.raises(Redirected) as refused:
        await live(app, "/account")
    assert refused.value.to == "/login"
    view, html = await live(app, "/account", session={"user_id": "ada"})
    assert '<span id="user">ada</span>' in html
    await view.client.close()
    # a join that skips the dead render, with a token for an anonymous session, is refused too
    from examples.login import Account
    from liveui.container import session_token

    client = WireClient.memory(app, "/account", csrf=None)
    await client.connect()
    payload = {"params": {"_mounts": 0}, "session": session_token(app, "phx-anon", Account, "users", {}),
               "static": None, "url": MEMORY_BASE + "/account"}
    reply = await client.join("lv:phx-anon", payload)
    await client.close()
    assert reply == {"status": "error", "response": {"redirect": {"to": "/login"}}}


# -- template edits in a running process --------------------------------------------------------


async def test_a_template_edit_resends_the_view_and_its_components_with_their_state(tmp_path):
    from liveui import LiveComponent, reload

    (tmp_path / "item.html.j2").write_text('<li id="{{ id }}">{{ label }} {{ clicks }}</li>')
    (tmp_path / "page.html.j2").write_text('<ul>{{ live_component(Item, id="a", label="A") }}</ul><p>{{ n }}</p>')

    class Item(LiveComponent):
        template = str(tmp_path / "item.html.j2")

        def mount(self, socket):
            socket.assign(clicks=0)

        def handle_event(self, event, params, socket):
            socket.assign(clicks=socket.assigns.clicks + 1)

    class Page(LiveView):
        template = str(tmp_path / "page.html.j2")
        layout = None  # the view's own statics, without the default layout around them

        def mount(self, params, session, socket):
            socket.assign(n=0)

        def handle_event(self, event, params, socket):
            socket.assign(n=socket.assigns.n + 1)

    Page._template_names = classmethod(lambda cls: {"Item": Item})  # the classes live in this function
    app = liveui.App(secret_key="devloop")
    app.live("/", Page)
    async with WireClient.memory(app, "/") as client:
        await client.join()
        await client.event("inc")
        await client.event("click", cid=1)
        (tmp_path / "item.html.j2").write_text('<li id="{{ id }}">edited {{ label }} {{ clicks }}</li>')
        reload.changed([str(tmp_path / "item.html.j2")], app)
        diff = (await client.expect("diff"))[4]
    assert diff["s"] == ["<ul>", "</ul><p>", "</p>"] and diff["1"] == "1"  # the view's state kept
    assert diff["c"] == {"1": {"0": "a", "1": "A", "2": "1", "s": ['<li id="', '">edited ', " ", "</li>"], "r": 1}}


# -- liveui run --reload -----------------------------------------------------------------------

def shows(version: str, label: str, count: int) -> str:
    return f'<p id="v">{version} {label} <span id="count">{count}</span></p>'


class DevServer:
    """`python -m liveui run devapp:app --reload --port 0` in a folder of the test's own."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.process: asyncio.subprocess.Process | None = None
        self.base = ""

    async def start(self) -> DevServer:
        env = {k: v for k, v in os.environ.items() if k != "LIVEUI_SECRET_KEY"}
        self.log = open(self.folder.parent / "server.log", "wb")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "liveui", "run", "devapp:app", "--reload", "--port", "0",
            cwd=self.folder, env=env, stdout=asyncio.subprocess.PIPE, stderr=self.log)
        line = (await asyncio.wait_for(self.process.stdout.readline(), 20)).decode()  # type: ignore[union-attr]
        assert "liveui serving on http://" in line, line
        self.base = line.split()[3]
        return self

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGINT)
            await asyncio.wait_for(self.process.wait(), 10)
        self.log.close()

    async def page_until(self, text: str, timeout: float = 10.0) -> str:
        """Dead renders of / until one contains `text` (bounded)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        body = ""
        while loop.time() < deadline:
            try:
                body = (await fetch(self.base + "/")).body.decode()
            except (ConnectionError, OSError):
                body = ""
            if text in body:
                return body
            await asyncio.sleep(0.05)
        raise AssertionError(f"no dead render showed {text!r} within {timeout} s; last: {body[-300:]}")


@pytest.fixture
async def dev_server(tmp_path: Path) -> Any:
    folder = tmp_path / "app"
    write_app(folder)
    server = await DevServer(folder).start()
    yield server
    await server.stop()


async def test_a_template_edit_reaches_the_next_dead_render_and_connected_views_keep_state(dev_server):
    await dev_server.page_until(shows("one", "first", 0))
    async with WireClient.websocket(dev_server.base, "/") as client:
        assert (await client.join())["status"] == "ok"
        await client.event("inc")
        write_template(dev_server.folder, "second")
        await dev_server.page_until(shows("one", "second", 0))
        diff = (await client.expect("diff", timeout=10))[4]
        assert diff["s"][1] == ' second <span id="count">' and diff["1"] == "1"  # the count survived


async def test_a_static_edit_reloads_open_pages(dev_server):
    async with WireClient.websocket(dev_server.base, "/") as client:
        await client.join()
        (dev_server.folder / "assets" / "site.css").write_text("p { color: blue }")
        assert (await client.expect("redirect", timeout=10))[4] == {"to": "/"}


async def test_a_module_edit_restarts_the_server_with_the_new_code(dev_server):
    async with WireClient.websocket(dev_server.base, "/") as client:
        await client.join()
        write_module(dev_server.folder, "two")
        await client.wait_closed(timeout=10)  # the page's socket drops: the client reconnects
    await dev_server.page_until(shows("two", "first", 0))
    async with WireClient.websocket(dev_server.base, "/") as client:  # the new process serves joins
        assert (await client.join())["status"] == "ok"


async def test_a_module_that_fails_to_import_is_retried_on_the_next_edit(dev_server):
    log = dev_server.folder.parent / "server.log"
    (dev_server.folder / "devapp.py").write_text("def broken(:\n")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while "SyntaxError" not in log.read_text():  # the new child failed; the supervisor goes on
        assert loop.time() < deadline, log.read_text()
        await asyncio.sleep(0.05)
    write_module(dev_server.folder, "three")
    await dev_server.page_until(shows("three", "first", 0))


@pytest.mark.parametrize("debug", [True, False])
async def test_a_failing_http_route_gets_the_same_error_pages(serve, debug):
    def items(handler, item_id):
        if item_id == "0":
            raise LookupError("no item 0")
        return {"id": int(item_id)}

    app = liveui.App(secret_key="devloop", debug=debug)
    app.route(r"/api/items/([0-9]+)", items)
    base = await serve(app)
    assert (await fetch(base + "/api/items/7")).body == b'{"id": 7}'
    failed = await fetch(base + "/api/items/0")
    body = failed.body.decode()
    assert failed.code == 500
    if debug:
        assert "LookupError" in body and "no item 0" in body and 'id="liveui-error-traceback"' in body
    else:
        assert "Internal Server Error" in body and "LookupError" not in body and "no item" not in body


async def test_run_without_reload_serves_on_the_port_it_prints(tmp_path):
    write_app(tmp_path)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "liveui", "run", "devapp:app", "--port", "0", cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
    try:
        line = (await asyncio.wait_for(process.stdout.readline(), 20)).decode()  # type: ignore[union-attr]
        assert line.startswith("liveui serving on http://127.0.0.1:") and not line.rstrip().endswith(":0"), line
        assert shows("one", "first", 0) in (await fetch(line.split()[3] + "/")).body.decode()
    finally:
        process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.wait(), 10)
