"""Upload throughput over a WebSocket: liveui against a raw Tornado binary echo, same run.

    .venv/bin/python -m bench.uploads [--mb 200] [--rounds 3] [--no-results]

Both servers run in their own process (bench.servers, pinned like bench.run). The client sends
what the official client sends for one file: 64,000-byte binary `chunk` pushes on an `lvu:`
topic, each after the previous one's ack, and a `progress` push on the view's topic whenever
the integer percentage grows. The echo answers every frame with an empty ok reply; liveui
checks the token, writes each chunk to a temp file and renders the progress. MB/s counts the
file's bytes over the whole chunk phase. The liveui server's RSS is sampled during the upload
and compared with its level just before it. Writes the "uploads" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as _dt
import json
import re
import statistics
import sys
import threading
import time
from pathlib import Path

if __package__ in (None, ""):  # `python bench/uploads.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "bench"

import psutil  # noqa: E402

from bench.client import LiveClient  # noqa: E402
from bench.sections import put_section  # noqa: E402
from bench.servers import ServerProcess, pin_to_core  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
CHUNK = 64_000
MB = 1_000_000


def binary_push(join_ref: str, ref: str, topic: str, event: str, data: bytes) -> bytes:
    """A push as phoenix.js sends binary payloads (kind 0, four field lengths, fields, data)."""
    fields = [join_ref.encode(), ref.encode(), topic.encode(), event.encode()]
    return bytes([0, *map(len, fields)]) + b"".join(fields) + data


class Uploader(LiveClient):
    """A LiveClient that uploads one file the way the official client does."""

    async def call(self, frame: list | bytes, ref: str) -> dict:
        assert self.ws is not None
        await self.ws.send(frame if isinstance(frame, bytes) else json.dumps(frame))
        reply, _ = await self._reply(ref)
        if reply[4].get("status") != "ok":
            raise RuntimeError(f"{reply[3]} refused: {reply[4]}")
        return reply[4].get("response") or {}

    async def prepare(self, size: int, live: bool) -> tuple[str, str]:
        """Select and preflight the file (liveui only): the upload topic and its join token."""
        if not live:
            return "lvu:0", "token"
        config_ref = re.search(r'data-phx-upload-ref=\\?"([^"\\]+)', json.dumps(self.join_response)).group(1)
        entry = {"ref": "0", "name": "big.bin", "size": size, "type": "application/octet-stream",
                 "relative_path": "", "last_modified": 0}
        self.config_ref = config_ref
        await self.call([self.join_ref, self._next_ref(), self.topic, "event", {
            "type": "form", "event": "validate", "value": "_target=file", "uploads": {config_ref: [entry]}}],
            str(self._ref))
        response = await self.call([self.join_ref, self._next_ref(), self.topic, "allow_upload",
                                    {"ref": config_ref, "entries": [entry]}], str(self._ref))
        return "lvu:0", response["entries"]["0"]

    async def send_file(self, size: int, topic: str, token: str) -> float:
        """Join the upload topic and send every chunk with progress; seconds taken."""
        data = bytes(CHUNK)
        join_ref = self._next_ref()
        started = time.perf_counter()
        await self.call([join_ref, join_ref, topic, "phx_join", {"token": token}], join_ref)
        sent, reported = 0, 0
        while sent < size:
            piece = data[:min(CHUNK, size - sent)]
            ref = self._next_ref()
            await self.call(binary_push(join_ref, ref, topic, "chunk", piece), ref)
            sent += len(piece)
            percent = sent * 100 // size
            if percent > reported:
                reported = percent
                ref = self._next_ref()
                await self.call([self.join_ref, ref, self.topic, "progress", {
                    "event": None, "ref": getattr(self, "config_ref", "r"), "entry_ref": "0", "progress": percent}], ref)
        return time.perf_counter() - started

    async def consume(self) -> None:
        ref = self._next_ref()
        await self.call([self.join_ref, ref, self.topic, "event", {"type": "form", "event": "save", "value": ""}], ref)


class PeakRss:
    """Samples a process's RSS in a thread until stopped (the peak is what we report)."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


async def one_upload(server: ServerProcess, size: int, live: bool) -> dict:
    client = await Uploader(server.base_url, "/upload").connect()
    try:
        topic, token = await client.prepare(size, live)
        before = psutil.Process(server.pid).memory_info().rss
        with PeakRss(server.pid) as rss:
            seconds = await client.send_file(size, topic, token)
        if live:
            await client.consume()
        return {"mb_s": size / MB / seconds, "rss_before": before, "rss_peak": rss.peak}
    finally:
        await client.close()


async def main_async(size: int, rounds: int) -> dict[str, list[dict]]:
    servers = {"echo": ServerProcess("echo", core=0).start(), "liveui": ServerProcess("liveui", core=0).start()}
    try:
        runs: dict[str, list[dict]] = {"echo": [], "liveui": []}
        for target in ("echo", "liveui"):  # warm up: imports, first allocations
            await one_upload(servers[target], 4 * CHUNK, target == "liveui")
        for _ in range(rounds):  # alternate so both see the same machine
            for target in ("echo", "liveui"):
                runs[target].append(await one_upload(servers[target], size, target == "liveui"))
        return runs
    finally:
        for server in servers.values():
            server.stop()


def report(runs: dict[str, list[dict]], size: int, rounds: int) -> str:
    echo = statistics.median(r["mb_s"] for r in runs["echo"])
    live = statistics.median(r["mb_s"] for r in runs["liveui"])
    growth = max(r["rss_peak"] - r["rss_before"] for r in runs["liveui"]) / 1024
    idle = runs["liveui"][0]["rss_before"] / 2**20
    when = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return "\n".join([
        "## Uploads",
        "",
        f"Generated by `python -m bench.uploads --mb {size // MB} --rounds {rounds}` on {when}: one "
        f"{size // MB} MB file in {CHUNK:,}-byte chunks, each acknowledged before the next, with the "
        "progress pushes the official client sends; median of the rounds. The echo is a raw Tornado "
        "WebSocket answering every frame (bench/servers.py).",
        "",
        "| metric | echo | liveui | liveui/echo |",
        "|---|---:|---:|---:|",
        f"| upload throughput (MB/s) | {echo:.1f} | {live:.1f} | {live / echo:.2f}x |",
        "",
        f"liveui server RSS: {idle:.1f} MiB before the upload, at most {growth:+,.0f} KiB during it "
        "(sampled every 5 ms; chunks go to a temp file, never held whole in memory).",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=int, default=200, help="file size in MB (default 200)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-results", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args(argv)
    pin_to_core(1)
    size = args.mb * MB
    runs = asyncio.run(main_async(size, args.rounds))
    text = report(runs, size, args.rounds)
    print(text)
    if not args.no_results:
        put_section(RESULTS, "uploads", text)
        print(f"wrote the uploads section of {RESULTS}")
    return 0  # a benchmark never fails on a timing


if __name__ == "__main__":
    sys.exit(main())
