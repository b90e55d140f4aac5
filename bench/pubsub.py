"""PubSub fan-out benchmark: one broadcast to N views subscribed over real WebSockets.

    .venv/bin/python -m bench.pubsub [--clients 1000] [--rounds 40] [--no-results]

For each backend, the time from the `broadcast` call to the last client's `diff` frame (p50,
p99 over the rounds), against a floor measured in the same run: a raw Tornado WebSocket server
writing the same frame to the same sockets, triggered in-process (for the in-process backend)
or by the same message received from Redis (for the Redis backend). Also the server's CPU per
delivered diff, against liveui's CPU per counter click (bench/views_liveui.py) in the same run.
Servers on core 0, this client on core 1; a redis-server of its own on a free port.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from tornado.httpclient import AsyncHTTPClient

from bench.client import LiveClient, counter_event
from bench.fanout_servers import CHANNEL, TOPIC
from bench.servers import HOST, ServerProcess, free_port, pin_to_core

RESULTS = Path(__file__).with_name("RESULTS.md")
SECTION = "## PubSub fan-out"


class Redis:
    """A redis-server on a free port in a temporary directory (always stop() it)."""

    def __init__(self) -> None:
        self.directory = tempfile.mkdtemp(prefix="bench-redis-")
        self.port = free_port()
        self.url = f"redis://{HOST}:{self.port}/0"
        self.process = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", HOST, "--dir",
                                         self.directory, "--save", "", "--appendonly", "no"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    async def ready(self) -> None:
        import redis.asyncio as redis

        client = redis.Redis.from_url(self.url)
        for _ in range(200):
            try:
                await client.ping()
                break
            except OSError:
                await asyncio.sleep(0.05)
            except Exception:  # noqa: BLE001 - redis-py wraps the refusal in its ConnectionError
                await asyncio.sleep(0.05)
        await client.aclose()

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(10)
        shutil.rmtree(self.directory, ignore_errors=True)


class Fleet:
    """N joined clients whose readers note when each round's diff arrived."""

    def __init__(self, clients: list[LiveClient]) -> None:
        self.clients = clients
        self.last: dict[int, float] = {}
        self.count: dict[int, int] = {}
        self.done: dict[int, asyncio.Event] = {}
        self.readers = [asyncio.get_running_loop().create_task(self._read(c)) for c in clients]

    async def _read(self, client: LiveClient) -> None:
        async for frame in client.ws:  # type: ignore[union-attr]
            now = time.monotonic()
            message = json.loads(frame)
            if message[3] != "diff":
                continue
            n = int(message[4]["0"])
            self.last[n] = now
            self.count[n] = self.count.get(n, 0) + 1
            if self.count[n] == len(self.clients):
                self.round(n).set()

    def round(self, n: int) -> asyncio.Event:
        return self.done.setdefault(n, asyncio.Event())

    async def close(self) -> None:
        for reader in self.readers:
            reader.cancel()
        await asyncio.gather(*(c.close() for c in self.clients), return_exceptions=True)


async def connect(base_url: str, path: str, n: int) -> list[LiveClient]:
    gate = asyncio.Semaphore(50)

    async def one() -> LiveClient:
        async with gate:
            return await LiveClient(base_url, path, timeout=30).connect()

    return list(await asyncio.gather(*(one() for _ in range(n))))


async def measure(runs: list[tuple[ServerProcess, Fleet, object]], rounds: int) -> list[tuple[list[float], float]]:
    """For each (server, fleet, publish): latencies (ms) of `rounds` broadcasts after 3 warm-up
    ones, and the server's CPU seconds over them. The targets take turns, round by round, so a
    change in the machine's load hits them alike."""
    processes = [psutil.Process(server.pid) for server, _, _ in runs]
    latencies: list[list[float]] = [[] for _ in runs]
    cpu = [0.0 for _ in runs]
    for n in range(1, rounds + 4):
        for i, (_, fleet, publish) in enumerate(runs):
            before = sum(processes[i].cpu_times()[:2])
            started = await publish(n)  # type: ignore[operator]
            await asyncio.wait_for(fleet.round(n).wait(), 30)
            if n > 3:
                latencies[i].append((fleet.last[n] - started) * 1000)
                cpu[i] += sum(processes[i].cpu_times()[:2]) - before
    return list(zip(latencies, cpu))


def http_publisher(base_url: str):
    http = AsyncHTTPClient()

    async def publish(n: int) -> float:
        response = await http.fetch(f"{base_url}/publish?n={n}")
        return float(response.body)

    return publish


async def redis_publisher(url: str, liveui_format: bool):
    import redis.asyncio as redis

    from liveui.pubsub import RedisPubSub

    if liveui_format:  # the publishing process is a liveui process of the same app
        pubsub = RedisPubSub(url, "bench")
        pubsub.start()
        await asyncio.wait_for(pubsub.subscribed.wait(), 10)

        async def publish(n: int) -> float:
            started = time.monotonic()
            pubsub.broadcast(TOPIC, n)
            return started

        return publish, pubsub.close
    client = redis.Redis.from_url(url)

    async def publish_raw(n: int) -> float:
        started = time.monotonic()
        await client.publish(CHANNEL, str(n))
        return started

    return publish_raw, client.aclose


async def counter_cpu(server: ServerProcess, events: int = 2000) -> float:
    """liveui's server CPU seconds per counter click (one client, round trips)."""
    client = await LiveClient(server.base_url, "/counter").connect()
    process = psutil.Process(server.pid)
    for k in range(200):
        await client.push_event(counter_event(0, k))
    before = sum(process.cpu_times()[:2])
    for k in range(events):
        await client.push_event(counter_event(0, k))
    cpu = sum(process.cpu_times()[:2]) - before
    await client.close()
    return cpu / events


async def run_backend(redis_url: str | None, clients: int, rounds: int) -> dict[str, dict[str, float]]:
    """The floor and liveui for one backend, both up, taking turns."""
    if redis_url:
        os.environ["BENCH_PUBSUB_URL"] = redis_url
    else:
        os.environ.pop("BENCH_PUBSUB_URL", None)
    servers, fleets, closers, runs = [], [], [], []
    try:
        for target in ("fanout-floor", "fanout-liveui"):
            server = ServerProcess(target, core=0).start()
            servers.append(server)
            fleet = Fleet(await connect(server.base_url, "/fanout", clients))
            fleets.append(fleet)
            if redis_url:
                publish, closer = await redis_publisher(redis_url, target == "fanout-liveui")
                closers.append(closer)
            else:
                publish = http_publisher(server.base_url)
            runs.append((server, fleet, publish))
        results = {}
        for name, (latencies, cpu) in zip(("floor", "liveui"), await measure(runs, rounds)):
            results[name] = {"p50": statistics.median(latencies), "p99": _p99(latencies),
                             "cpu_per_diff_us": cpu / (rounds * clients) * 1e6}
        for fleet in fleets:
            await fleet.close()
        if not redis_url:
            results["liveui"]["counter_cpu_us"] = await counter_cpu(servers[1]) * 1e6
        return results
    finally:
        for closer in closers:
            await closer()
        for server in servers:
            server.stop()


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--no-results", action="store_true", help="print only; do not update bench/RESULTS.md")
    args = parser.parse_args(argv)
    pin_to_core(1)
    redis = Redis()
    await redis.ready()
    try:
        figures = {}
        for backend, url in (("in-process", None), ("Redis", redis.url)):
            for name, result in (await run_backend(url, args.clients, args.rounds)).items():
                figures[f"{name}, {backend}"] = result
                print(name, backend, {k: round(v, 2) for k, v in result.items()}, flush=True)
    finally:
        redis.stop()
    table = report(figures, args.clients, args.rounds)
    print(table)
    if not args.no_results:
        write_results(table)


def report(figures: dict[str, dict[str, float]], clients: int, rounds: int) -> str:
    counter = figures["liveui, in-process"]["counter_cpu_us"]
    lines = [SECTION, "",
             f"Generated by `python -m bench.pubsub --clients {clients} --rounds {rounds}` on "
             f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores "
             f"({platform.processor() or platform.machine()}), load average before: "
             f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}. One broadcast to {clients} subscribed views over "
             "real WebSockets; time from the `broadcast` call to the last client's `diff` frame. Floors: a raw "
             "Tornado server writing the same frame to the same sockets (triggered in-process, or by the message "
             "from Redis); the floor and liveui take turns, round by round. Goals: liveui/floor at most 1.5x; CPU per delivered diff at most 1.5x liveui's CPU per "
             "counter click in the same run.", "",
             "| backend | floor p50 (ms) | liveui p50 (ms) | ratio | floor p99 (ms) | liveui p99 (ms) | ratio | "
             "liveui CPU per diff (us) | / counter click CPU |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for backend in ("in-process", "Redis"):
        floor, ours = figures[f"floor, {backend}"], figures[f"liveui, {backend}"]
        lines.append(f"| {backend} | {floor['p50']:.1f} | {ours['p50']:.1f} | {ours['p50'] / floor['p50']:.2f}x | "
                     f"{floor['p99']:.1f} | {ours['p99']:.1f} | {ours['p99'] / floor['p99']:.2f}x | "
                     f"{ours['cpu_per_diff_us']:.0f} | {ours['cpu_per_diff_us'] / counter:.2f}x |")
    lines += ["", f"liveui's server CPU per counter click in the same run: {counter:.0f} us."]
    load = os.getloadavg()[0]
    if load > (os.cpu_count() or 1):
        lines.append(f"The machine was busy (load average {load:.1f} on {os.cpu_count()} cores): latencies vary "
                     "between runs, by more than the ratios' goals; compare ratios, and re-run on a quiet machine.")
    lines.append("")
    return "\n".join(lines)


def write_results(table: str) -> None:
    text = RESULTS.read_text()
    if SECTION in text:
        start = text.index(SECTION)
        end = text.find("\n## ", start + len(SECTION))
        text = text[:start] + table + (text[end + 1:] if end != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + table
    RESULTS.write_text(text)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    asyncio.run(main())
