"""A frame-level Phoenix channel client for tests (not a test module).

Speaks the V2 serializer like phoenix.js: one per-socket ref counter (strings "1", "2", ...),
a join's ref is its join_ref, later pushes on that topic carry it. Four ways to reach a server:

    async with WireClient.websocket("http://127.0.0.1:PORT", "/counter") as client:   # real HTTP + WS
    async with WireClient.memory(app, "/counter") as client:                          # in-process
    async with WireClient("webview", "/counter", app=app) as client:                  # a pywebview window
    async with WireClient("comm", "/counter", app=app) as client:                     # a Jupyter kernel's comm

All do a dead render of `path` first (tokens, view id, CSRF token) and open the connection;
`await client.join()` then joins that view. Every wait is bounded (`timeout`, default 2 s).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urljoin, urlsplit

from liveui.testing.wire import MEMORY_BASE, Page, open_wire

TIMEOUT = 2.0


class WireClient:
    """One client connection; see the module docstring."""

    def __init__(self, kind: str, path: str, *, base_url: str = MEMORY_BASE, app: Any = None,
                 origin: str | None = None, csrf: str | None | bool = True, session: dict[str, Any] | None = None,
                 timeout: float = TIMEOUT) -> None:
        self.kind = kind
        self.path = path
        self.base_url = base_url.rstrip("/")
        self.app = app
        self.origin = origin
        self._csrf_choice = csrf  # True: the page's token; None: omit; str: that value
        self.timeout = timeout
        self.wire = open_wire(kind, app, session=session or {"_id": "s-1"}, timeout=timeout,
                              base_url=None if kind == "memory" else self.base_url)
        self.page: Page | None = None
        self.csrf: str | None = None
        self.pushes: list[list[Any]] = []
        self.join_refs: dict[str, str] = {}
        self.closed = False
        self._ref = 0
        self._inbox: asyncio.Queue[Any] = asyncio.Queue()
        self._ws: Any = None
        self.connection: Any = None  # memory only: the server's Connection
        self._transport: Any = None

    # -- construction ---------------------------------------------------------------------

    @classmethod
    def websocket(cls, base_url: str, path: str, **options: Any) -> WireClient:
        """A client for a real server at `base_url` (dead render over HTTP, then the WebSocket).

        Options: `origin` (default: the server's own), `csrf` (True = the page's token, None =
        omitted, a string = that token), `timeout`.
        """
        return cls("websocket", path, base_url=base_url, **options)

    @classmethod
    def memory(cls, app: Any, path: str, **options: Any) -> WireClient:
        """A client on an in-memory connection to `app` (no CSRF check on that transport)."""
        return cls("memory", path, app=app, **options)

    async def __aenter__(self) -> WireClient:
        await self.open()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    async def open(self) -> WireClient:
        """Dead render of `path` (keeps the tokens in `.page`), then connect."""
        await self.wire.start()
        self.page = await self.render(self.path)
        self.csrf = self.page.csrf if self._csrf_choice is True else self._csrf_choice  # type: ignore[assignment]
        await self.connect()
        return self

    async def render(self, path: str) -> Page:
        """A dead render of `path` with this client's cookies (new view id and tokens each time)."""
        page = await self.wire.render(path)
        if self.kind == "comm" and self.page is not None:  # each render is a widget: its own connection
            await self.wire.connect(self.csrf)
        return page

    @property
    def cookies(self) -> dict[str, str]:
        return self.wire.cookies

    def cookie_header(self) -> str:
        return self.wire.cookie_header()

    async def connect(self) -> None:
        if self.kind == "memory":
            from liveui.transports.memory import connect

            self.connection, self._transport = connect(self.app)
            self._inbox = self._transport.outbox
            return
        if self.kind in ("webview", "comm"):  # frames through a real pywebview window / a kernel's comm
            await self.wire.connect(self.csrf)
            self._inbox = self.wire.inbox
            return
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        parts = urlsplit(self.base_url)
        query = f"_csrf_token={self.csrf}&vsn=2.0.0" if self.csrf is not None else "vsn=2.0.0"
        request = HTTPRequest(
            f"ws://{parts.netloc}/live/websocket?{query}",
            headers={"Cookie": self.cookie_header(), "Origin": self.origin or self.base_url},
            connect_timeout=self.timeout, request_timeout=self.timeout,
        )
        self._ws = await websocket_connect(request, on_message_callback=self._inbox.put_nowait)

    async def close(self) -> None:
        """Close the connection; the server ends every view of it (terminate 'disconnect')."""
        if self.closed:
            return
        self.closed = True
        if self.kind == "memory":
            if self.connection is not None:
                channels = list(self.connection.channels.values())
                self.connection.closed()
                ends = [c.done for c in channels]
                if ends:
                    await asyncio.wait(ends, timeout=self.timeout)
        elif self.kind in ("webview", "comm"):
            await self.wire.close()
        elif self._ws is not None:
            self._ws.close()

    # -- sending --------------------------------------------------------------------------

    def make_ref(self) -> str:
        self._ref += 1
        return str(self._ref)

    @property
    def topic(self) -> str:
        assert self.page is not None, "open() first"
        return self.page.topic

    def send_frame(self, frame: list[Any]) -> None:
        if self.kind == "comm":  # the comm of the frame's topic (each dead render is its own connection)
            self.wire.send(frame)
        else:
            self.send_raw(json.dumps(frame))

    def send_raw(self, frame: str | bytes) -> None:
        """Send a text (str) or binary (bytes) frame as is."""
        if self.kind == "memory":
            if isinstance(frame, bytes):
                self.connection.receive_binary(frame)
            else:
                self.connection.receive_text(frame)
        elif self.kind in ("webview", "comm"):
            if isinstance(frame, bytes):
                self.wire.send_binary(frame)
            else:
                self.wire.send_text(frame)
        else:
            self._ws.write_message(frame, binary=isinstance(frame, bytes))

    def join_payload(self, page: Page | None = None, *, url: str | None = None, redirect: str | None = None,
                     params: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
        """The payload phoenix.js/LiveView sends to join `page` (default: the opened page)."""
        page = page or self.page
        assert page is not None
        connect_params: dict[str, Any] = {"_mounts": 0, "_mount_attempts": 0}
        if self.csrf is not None:
            connect_params["_csrf_token"] = self.csrf
        connect_params.update(params or {})
        payload: dict[str, Any] = {"params": connect_params, "session": page.session, "static": page.static or None}
        if redirect is not None:
            payload["redirect"] = urljoin(self.base_url + "/", redirect)
            payload.setdefault("flash", None)
        else:
            payload["url"] = urljoin(self.base_url + "/", url) if url is not None else page.url
        payload.update(extra)
        return payload

    def send_join(self, topic: str | None = None, payload: dict[str, Any] | None = None, **options: Any) -> str:
        """Send a phx_join (without waiting); returns its ref (= the new join_ref of the topic)."""
        topic = topic or self.topic
        ref = self.make_ref()
        self.join_refs[topic] = ref
        self.send_frame([ref, ref, topic, "phx_join", payload if payload is not None else self.join_payload(**options)])
        return ref

    async def join(self, topic: str | None = None, payload: dict[str, Any] | None = None, **options: Any) -> dict[str, Any]:
        """Join (default: the opened page's view) and return the reply payload {status, response}."""
        ref = self.send_join(topic, payload, **options)
        return (await self.reply_for(ref))[4]

    async def join_page(self, path: str, **options: Any) -> tuple[Page, dict[str, Any]]:
        """Dead render another path on this connection's session and join its view too."""
        page = await self.render(path)
        reply = await self.join(page.topic, self.join_payload(page, **options))
        return page, reply

    def push(self, event: str, payload: dict[str, Any] | None = None, topic: str | None = None,
             join_ref: str | None | bool = True) -> str:
        """Send `event` on `topic` (default: the opened view) with its join_ref; returns the ref."""
        topic = topic or self.topic
        ref = self.make_ref()
        jr = self.join_refs.get(topic) if join_ref is True else join_ref
        self.send_frame([jr, ref, topic, event, payload if payload is not None else {}])
        return ref

    def click(self, name: str, value: Any = None, topic: str | None = None) -> str:
        return self.push("event", {"type": "click", "event": name, "value": {"value": ""} if value is None else value},
                         topic)

    async def call(self, event: str, payload: dict[str, Any] | None = None, topic: str | None = None) -> dict[str, Any]:
        """push + reply_for: the reply payload {status, response}."""
        return (await self.reply_for(self.push(event, payload, topic)))[4]

    async def event(self, name: str, value: Any = None, topic: str | None = None, **extra: Any) -> dict[str, Any]:
        """A click event; returns the reply payload."""
        payload = {"type": "click", "event": name, "value": {"value": ""} if value is None else value, **extra}
        return await self.call("event", payload, topic)

    async def heartbeat(self) -> dict[str, Any]:
        ref = self.make_ref()
        self.send_frame([None, ref, "phoenix", "heartbeat", {}])
        return (await self.reply_for(ref))[4]

    async def barrier(self) -> list[Any]:
        """A heartbeat round trip; returns the frames that arrived before its reply.

        The connection handles frames in order, so a frame it drops (malformed, ...) has been
        dealt with once the heartbeat is answered: nothing in the result means "no reply".
        """
        start = len(self.pushes)
        await self.heartbeat()
        return self.pushes[start:]

    # -- receiving ------------------------------------------------------------------------

    async def receive(self, timeout: float | None = None) -> Any:
        """The next frame from the server: a decoded list (bytes for a binary frame).

        Raises ConnectionError when the server closed the WebSocket, TimeoutError after `timeout`.
        """
        frame = await asyncio.wait_for(self._inbox.get(), self.timeout if timeout is None else timeout)
        if frame is None:
            self._inbox.put_nowait(None)  # stay closed for later reads
            raise ConnectionError("the server closed the connection")
        if isinstance(frame, bytes):
            return frame
        return json.loads(frame)

    async def closed_by_server(self, timeout: float | None = None) -> int | None:
        """`wait_closed`, then the close code where the transport tells it (memory, websocket)."""
        await self.wait_closed(timeout)
        if self.kind == "memory":
            return self._transport.close_code
        return self._ws.close_code if self.kind == "websocket" else None

    async def reply_for(self, ref: str, timeout: float | None = None) -> list[Any]:
        """The phx_reply frame answering `ref`; other frames seen meanwhile go to `.pushes`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.timeout if timeout is None else timeout)
        while True:
            frame = await self.receive(max(0.0, deadline - loop.time()))
            if isinstance(frame, list) and frame[3] == "phx_reply" and frame[1] == ref:
                return frame
            self.pushes.append(frame)

    async def expect(self, event: str, topic: str | None = None, timeout: float | None = None) -> list[Any]:
        """The first frame with `event` (on `topic`, if given): taken from `.pushes`, else awaited.

        Frames read past on the way are kept in `.pushes`.
        """
        for i, frame in enumerate(self.pushes):
            if isinstance(frame, list) and frame[3] == event and (topic is None or frame[2] == topic):
                return self.pushes.pop(i)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.timeout if timeout is None else timeout)
        while True:
            frame = await self.receive(max(0.0, deadline - loop.time()))
            if isinstance(frame, list) and frame[3] == event and (topic is None or frame[2] == topic):
                return frame
            self.pushes.append(frame)

    async def wait_closed(self, timeout: float | None = None) -> None:
        """Until the server has closed the connection (frames read meanwhile go to `.pushes`)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.timeout if timeout is None else timeout)
        while True:
            try:
                self.pushes.append(await self.receive(max(0.0, deadline - loop.time())))
            except ConnectionError:
                return


# -- test support shared by the runtime test modules -----------------------------------------


class Recorder:
    """Collects what view callbacks report (e.g. terminate reasons); `wait` is bounded, not a sleep."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self._waiters: list[tuple[Any, asyncio.Future[None]]] = []

    def record(self, item: Any) -> None:
        self.items.append(item)
        for predicate, future in list(self._waiters):
            if not future.done() and predicate(self.items):
                future.get_loop().call_soon_threadsafe(_resolve, future)

    async def wait(self, predicate: Any, timeout: float = TIMEOUT) -> list[Any]:
        """Until `predicate(items)` holds; returns the items."""
        if not predicate(self.items):
            future = asyncio.get_running_loop().create_future()
            entry = (predicate, future)
            self._waiters.append(entry)
            try:
                await asyncio.wait_for(future, timeout)
            finally:
                self._waiters.remove(entry)
        return self.items

    def clear(self) -> None:
        self.items.clear()


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


async def start_server(app: Any) -> tuple[Any, str]:
    """Serve `app` from the running loop on a free 127.0.0.1 port; returns (HTTPServer, base URL)."""
    from tornado.netutil import bind_sockets

    from liveui.server import http_server

    sockets = bind_sockets(0, "127.0.0.1")
    port = sockets[0].getsockname()[1]
    server = http_server(app)
    server.add_sockets(sockets)
    return server, f"http://127.0.0.1:{port}"


async def drain_views(timeout: float = TIMEOUT) -> None:
    """Wait (bounded) for the view actors of this loop to end, so none is left pending."""
    current = asyncio.current_task()
    tasks = [t for t in asyncio.all_tasks() if t is not current and t.get_name().startswith("liveui ")]
    if tasks:
        await asyncio.wait(tasks, timeout=timeout)


try:
    import pytest
except ImportError:  # pragma: no cover - wire.py used outside pytest
    pytest = None  # type: ignore[assignment]

if pytest is not None:

    @pytest.fixture
    async def serve() -> Any:
        """`base_url = await serve(app)`: a server on a free port, stopped at teardown."""
        servers: dict[int, tuple[Any, str]] = {}

        async def start(app: Any) -> str:
            if id(app) not in servers:
                servers[id(app)] = await start_server(app)
            return servers[id(app)][1]

        yield start
        for server, _ in servers.values():
            server.stop()
        await drain_views()

    @pytest.fixture(params=["memory", "websocket", "webview", "comm"])
    def transport(request: Any) -> str:
        """The transport of `open_client`; a test marked `liveui_same_process` (it reaches into
        the server's memory) is skipped over comm, whose views run in a kernel."""
        if request.param == "comm" and request.node.get_closest_marker("liveui_same_process"):
            pytest.skip("the views of comm run in another process")
        return request.param

    @pytest.fixture
    async def open_client(transport: str, serve: Any) -> Any:
        """`client = await open_client(app, path, **options)`: an opened WireClient over the
        parametrised transport; closed at teardown."""
        clients: list[WireClient] = []

        async def open_(app: Any, path: str, **options: Any) -> WireClient:
            if transport == "websocket":
                client = WireClient.websocket(await serve(app), path, **options)
            else:
                client = WireClient(transport, path, app=app, **options)
            clients.append(client)
            return await client.open()

        yield open_
        for client in clients:
            await client.close()
        await drain_views()
