"""What a reconnect costs: rejoin to state on screen, reattach against remount, and the memory of
views that wait for their clients.

    .venv/bin/python -m bench.reconnect [--rounds 200] [--views 1000] [--no-results]

A liveui server runs in its own process (`--serve`); the client here speaks the Phoenix protocol
over real WebSockets. Each round: dead render, join, three clicks, then the connection drops
(the client closes its socket without leaving) and a new socket rejoins with the page's tokens.
The time is from sending the rejoin to its reply (the state the page then shows), for a view that
reattaches (`reconnect_grace` 30 s) and for the same view that mounts afresh (grace 0: what
LiveView does); the floor is the remount measured in the same run. Then `--views` views are
joined, dropped all at once and reattached: the server's RSS and Python heap at each step, and none
may be lost.
Writes the "Reconnect" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import psutil
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from websockets.asyncio.client import connect as ws_connect

if __package__ in (None, ""):  # `python bench/reconnect.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.client import _cookie_header, parse_dead_render  # noqa: E402
from bench.sections import put_section  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
ITEMS = 50


def make_app():
    from liveui import App, LiveView

    class Notes(LiveView):
        template = ('<p id="count">{{ count }}</p><form phx-change="v"><input name="t" value="{{ t }}"></form>'
                    '<ul id="notes" phx-update="stream">{% for dom_id, n in streams.notes %}'
                    '<li id="{{ dom_id }}">{{ n.text }}</li>{% endfor %}</ul>')

        def mount(self, params, session, socket):
            socket.assign(count=0, t="")
            socket.stream("notes", [{"id": i, "text": f"note {i}"} for i in range(ITEMS)])

        def handle_event(self, event, params, socket):
            socket.assign(count=socket.assigns.count + 1)

    class Remount(Notes):
        reconnect_grace = 0

    app = App(secret_key="bench-reconnect")
    app.live("/reattach", Notes)
    app.live("/remount", Remount)
    return app


def heap() -> dict:
    """After a full collection: Python's allocated memory blocks, and the connections and view
    channels still alive (what a leak would keep, apart from what the allocator keeps of RSS)."""
    import gc

    from liveui.channel import ViewChannel
    from liveui.connection import Connection

    gc.collect()
    alive = gc.get_objects()
    return {"blocks": sys.getallocatedblocks(), "connections": sum(type(o) is Connection for o in alive),
            "channels": sum(type(o) is ViewChannel for o in alive)}


def serve() -> None:
    from tornado.web import RequestHandler

    class Heap(RequestHandler):
        def get(self) -> None:
            self.write(heap())

    from tornado.netutil import bind_sockets

    async def main() -> None:
        from tornado.httpserver import HTTPServer

        from liveui.server import make_application

        sockets = bind_sockets(0, "127.0.0.1")
        application = make_application(make_app())
        application.add_handlers(r".*", [(r"/_heap", Heap)])
        HTTPServer(application).add_sockets(sockets)
        print(sockets[0].getsockname()[1], flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


class Tab:
    """One page: its dead render's tokens and cookie, one socket at a time."""

    def __init__(self, base: str, path: str) -> None:
        self.base, self.path = base, path
        self.ws = None
        self.ref = 0

    async def open(self) -> None:
        response = await AsyncHTTPClient().fetch(HTTPRequest(self.base + self.path, request_timeout=10))
        self.dead = parse_dead_render(response.body.decode())
        self.cookie = _cookie_header(response.headers.get_list("Set-Cookie"))
        await self.join()

    async def join(self) -> tuple[float, int, dict]:
        """A new socket and a join with the page's tokens: (seconds to the reply, its bytes, its response)."""
        query = urlencode({"_csrf_token": self.dead.csrf_token, "vsn": "2.0.0"})
        self.ws = await ws_connect(f"ws{self.base[4:]}/live/websocket?{query}", origin=self.base,
                                   additional_headers={"Cookie": self.cookie}, compression=None,
                                   ping_interval=None, max_size=2**24)
        payload = {"url": self.base + self.path, "session": self.dead.session, "static": self.dead.static,
                   "params": {"_csrf_token": self.dead.csrf_token, "_mounts": 0, "_mount_attempts": 0}}
        started = time.perf_counter()
        text = await self.call("phx_join", payload)
        elapsed = time.perf_counter() - started
        reply = json.loads(text)[4]
        assert reply["status"] == "ok", reply
        return elapsed, len(text.encode()), reply["response"]

    async def call(self, event: str, payload: dict) -> str:
        self.ref += 1
        ref = str(self.ref)
        join_ref = ref if event == "phx_join" else self.join_ref
        if event == "phx_join":
            self.join_ref = ref
        await self.ws.send(json.dumps([join_ref, ref, f"lv:{self.dead.view_id}", event, payload]))
        while True:
            text = await asyncio.wait_for(self.ws.recv(), 10)
            frame = json.loads(text)
            if frame[1] == ref and frame[3] == "phx_reply":
                return text

    async def click(self) -> None:
        await self.call("event", {"type": "click", "event": "inc", "value": {}})

    async def drop(self) -> None:
        """The network goes: the socket closes, no leave is sent."""
        await self.ws.close()

    async def leave(self) -> None:
        await self.call("phx_leave", {})
        await self.ws.close()


def count_of(response: dict) -> str:
    return response["rendered"]["0"]


async def rounds(base: str, path: str, n: int) -> dict:
    times, sizes, counts = [], [], set()
    for _ in range(n):
        tab = Tab(base, path)
        await tab.open()
        for _ in range(3):
            await tab.click()
        await tab.drop()
        elapsed, size, response = await tab.join()
        times.append(elapsed)
        sizes.append(size)
        counts.add(count_of(response))
        await tab.leave()
    times.sort()
    return {"p50": statistics.median(times) * 1e3, "p99": times[int(len(times) * 0.99) - 1] * 1e3,
            "bytes": statistics.median(sizes), "counts": sorted(counts)}


async def server_heap(base: str) -> dict:
    return json.loads((await AsyncHTTPClient().fetch(base + "/_heap", request_timeout=30)).body)


async def memory(base: str, pid: int, views: int) -> dict:
    process = psutil.Process(pid)
    rss = lambda: process.memory_info().rss / 2**20  # noqa: E731
    before, heap_before = rss(), await server_heap(base)
    tabs = [Tab(base, "/reattach") for _ in range(views)]
    for start in range(0, views, 20):
        await asyncio.gather(*(tab.open() for tab in tabs[start:start + 20]))
    for tab in tabs:
        for _ in range(3):
            await tab.click()
    connected, heap_connected = rss(), await server_heap(base)
    await asyncio.gather(*(tab.drop() for tab in tabs))
    await asyncio.sleep(1)  # let the server notice every close (a measurement, not a test)
    parked = rss()
    responses = []
    for start in range(0, views, 20):
        responses += await asyncio.gather(*(tab.join() for tab in tabs[start:start + 20]))
    reattached, heap_reattached = rss(), await server_heap(base)
    lost = sum(1 for _, _, response in responses if count_of(response) != "3")
    for start in range(0, views, 20):
        await asyncio.gather(*(tab.leave() for tab in tabs[start:start + 20]))
    return {"before": before, "connected": connected, "parked": parked, "reattached": reattached, "lost": lost,
            "heap": {"before": heap_before, "connected": heap_connected, "reattached": heap_reattached}}


async def main(rounds_n: int, views: int) -> tuple[dict, dict, dict]:
    server = subprocess.Popen([sys.executable, "-m", "bench.reconnect", "--serve"], stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parent.parent)
    try:
        port = int(server.stdout.readline())  # type: ignore[union-attr]
        base = f"http://127.0.0.1:{port}"
        await rounds(base, "/reattach", 20)  # warm up both
        await rounds(base, "/remount", 20)
        reattach = await rounds(base, "/reattach", rounds_n)
        remount = await rounds(base, "/remount", rounds_n)
        mem = await memory(base, server.pid, views)
        return reattach, remount, mem
    finally:
        server.terminate()
        server.wait(10)


def report(reattach: dict, remount: dict, mem: dict, rounds_n: int, views: int) -> str:
    per_view = (mem["parked"] - mem["before"]) / views * 1024
    return "\n".join([
        "## Reconnect",
        "",
        f"`python -m bench.reconnect --rounds {rounds_n} --views {views}`: a view with a {ITEMS}-item stream, a form",
        "and a count clicked to 3; the connection drops (socket closed, no leave) and a new socket rejoins.",
        "Time from sending the rejoin to its reply; the floor is the same view mounting afresh (grace 0, as",
        "LiveView does) in the same run.",
        "",
        "| rejoin | p50 ms | p99 ms | reply bytes | count after | p50 vs remount |",
        "|---|---:|---:|---:|---|---:|",
        f"| reattach (grace 30 s) | {reattach['p50']:.2f} | {reattach['p99']:.2f} | {reattach['bytes']:.0f} | "
        f"{', '.join(reattach['counts'])} | {reattach['p50'] / remount['p50']:.2f}x |",
        f"| remount (grace 0) | {remount['p50']:.2f} | {remount['p99']:.2f} | {remount['bytes']:.0f} | "
        f"{', '.join(remount['counts'])} | 1.00x |",
        "",
        f"{views} views joined and clicked, all dropped at once, all rejoined (server RSS, MiB):",
        "",
        "| before | connected | parked | reattached | lost |",
        "|---:|---:|---:|---:|---:|",
        f"| {mem['before']:.1f} | {mem['connected']:.1f} | {mem['parked']:.1f} | {mem['reattached']:.1f} | {mem['lost']} |",
        "",
        f"Parked/connected RSS: {(mem['parked'] - mem['before']) / (mem['connected'] - mem['before']):.2f}x; "
        f"reattached/connected: {(mem['reattached'] - mem['before']) / (mem['connected'] - mem['before']):.2f}x "
        f"(about {per_view:.1f} KiB a parked view).",
        "",
        "The server's Python heap after a full collection (allocated blocks, live objects):",
        "",
        "| | blocks | connections | view channels |",
        "|---|---:|---:|---:|",
        *(f"| {step} | {h['blocks']} | {h['connections']} | {h['channels']} |" for step, h in mem["heap"].items()),
        "",
        f"Reattached/connected heap: {blocks(mem, 'reattached') / blocks(mem, 'connected'):.2f}x. A parked view keeps its "
        "closed connection (small) until the rejoin, never the socket behind it: the new sockets reuse that memory.",
    ])


def blocks(mem: dict, step: str) -> int:
    """Python heap blocks at `step` above those before the views."""
    return mem["heap"][step]["blocks"] - mem["heap"]["before"]["blocks"]


def more_files() -> None:
    """Room for a thousand sockets on each side."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 8192)), hard))


if __name__ == "__main__":
    more_files()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--views", type=int, default=1000)
    parser.add_argument("--no-results", action="store_true")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve()
    else:
        text = report(*asyncio.run(main(args.rounds, args.views)), args.rounds, args.views)
        print(text)
        if not args.no_results:
            put_section(RESULTS, "reconnect", text)
