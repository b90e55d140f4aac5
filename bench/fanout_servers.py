"""The servers of bench/pubsub.py (started by bench.servers as targets `fanout-liveui` and
`fanout-floor`). With BENCH_PUBSUB_URL set, the broadcast arrives from Redis; without it, a
`GET /publish?n=K` on the server itself broadcasts and answers the time it did
(`time.monotonic()`, the same clock in every process of the machine).

fanout-liveui  liveui views subscribed to "bench" (`handle_info` assigns the message), plus
               bench/views_liveui.py's counter at /counter (the CPU reference).
fanout-floor   raw Tornado: the echo server's page and join, and on each broadcast the same
               `diff` frame liveui sends, written to every joined socket.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import time

import tornado.web
import tornado.websocket

CHANNEL = "bench-floor"
TOPIC = "bench"


def _url() -> str | None:
    return os.environ.get("BENCH_PUBSUB_URL") or None


class _Publish(tornado.web.RequestHandler):
    def initialize(self, fanout) -> None:
        self.fanout = fanout

    def get(self) -> None:
        started = time.monotonic()
        self.fanout(int(self.get_argument("n")))
        self.finish(repr(started))


async def serve_liveui(port: int, host: str, announce) -> None:
    import liveui
    from bench.views_liveui import Counter
    from liveui import LiveView
    from liveui.server import make_application

    class Subscriber(LiveView):
        template = "<p>{{ n }}</p>"

        def mount(self, params, session, socket):
            socket.assign(n=0)
            if socket.connected:
                socket.subscribe(TOPIC)

        def handle_info(self, message, socket):
            socket.assign(n=message)

    app = liveui.App(secret_key="bench-fanout", pubsub=_url(), pubsub_namespace="bench")
    app.live("/fanout", Subscriber)
    app.live("/counter", Counter)
    app.pubsub.start()
    application = make_application(app)
    application.add_handlers(r".*", [(r"/publish", _Publish, {"fanout": lambda n: app.pubsub.broadcast(TOPIC, n)})])
    application.listen(port, address=host)
    announce(port)
    await asyncio.Event().wait()


async def serve_floor(port: int, host: str, announce) -> None:
    sockets: dict[tornado.websocket.WebSocketHandler, tuple[str, str]] = {}

    def fanout(n: int) -> None:
        for handler, (join_ref, topic) in list(sockets.items()):
            handler.write_message(json.dumps([join_ref, None, topic, "diff", {"0": str(n)}]))

    class Page(tornado.web.RequestHandler):
        def get(self) -> None:
            from bench.servers import _echo_page

            self.set_cookie("_floor_key", secrets.token_urlsafe(16), httponly=True)
            self.write(_echo_page(self.request.path))

    class Socket(tornado.websocket.WebSocketHandler):
        def on_message(self, message) -> None:
            join_ref, ref, topic, event = json.loads(message)[:4]
            response = {"rendered": {"0": "0", "s": ["<p>", "</p>"]}} if event == "phx_join" else {}
            if event == "phx_join":
                sockets[self] = (join_ref, topic)
            self.write_message(json.dumps([join_ref, ref, topic, "phx_reply", {"status": "ok", "response": response}]))

        def on_close(self) -> None:
            sockets.pop(self, None)

    application = tornado.web.Application([(r"/live/websocket", Socket), (r"/publish", _Publish, {"fanout": fanout}),
                                           (r"/.*", Page)])
    application.listen(port, address=host)
    url = _url()
    if url is not None:
        import redis.asyncio as redis

        client = redis.Redis.from_url(url)
        pubsub = client.pubsub()
        await pubsub.subscribe(CHANNEL)

        async def read() -> None:
            while True:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=None)
                if message is not None:
                    fanout(int(message["data"]))

        asyncio.get_running_loop().create_task(read())
    announce(port)
    await asyncio.Event().wait()
