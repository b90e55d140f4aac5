"""Benchmark orchestrator.

    .venv/bin/python -m bench.run [--quick] [--targets echo,liveui,pyview]
    .venv/bin/python bench/run.py ...          (same thing)

Servers run in their own process pinned to core 0, this client process is
pinned to core 1. Every target is measured with the same client; the rounds of
each phase are interleaved across targets, and ratios are computed against the
``echo`` target of the same run. A timing never makes the exit status
non-zero: this is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as _dt
import gc
import math
import os
import platform
import signal
import statistics
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # `python bench/run.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "bench"

import psutil  # noqa: E402

from bench.client import LiveClient, counter_event, table_event  # noqa: E402
from bench.servers import TARGETS, ServerProcess, ServerStartError, pin_to_core  # noqa: E402
from bench.sections import write_main  # noqa: E402

SERVER_CORE = 0
CLIENT_CORE = 1


@dataclass
class Plan:
    """Event counts (bounded) and wall-clock budgets.

    Each event phase is split into rounds (``rounds_c1`` for the 1-client
    phases, ``rounds_cn`` for the many-clients ones) and the rounds of all
    targets are interleaved (echo, liveui, pyview, then the next round in a
    rotated order), so drift of the machine's speed hits every target alike.
    """

    counter_c1: int = 2000
    counter_clients: int = 50
    counter_per_client: int = 100
    table_c1: int = 2000
    table_clients: int = 50
    table_per_client: int = 100
    rounds_c1: int = 20
    rounds_cn: int = 4
    rss_views: int = 200
    table_rss_views: int = 100
    warmup_events: int = 100
    phase_budget_s: float = 12.0  # per target and phase, over all its rounds
    event_timeout_s: float = 10.0


FULL = Plan()
QUICK = Plan(
    counter_c1=300,
    counter_clients=50,
    counter_per_client=10,
    table_c1=40,
    table_clients=20,
    table_per_client=4,
    rounds_c1=4,
    rounds_cn=2,
    rss_views=100,
    table_rss_views=10,
    warmup_events=30,
    phase_budget_s=3.0,
)


# --------------------------------------------------------------------------------------
# measurements
# --------------------------------------------------------------------------------------


def _pct(sorted_values: list[int], p: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return math.nan
    k = max(0, min(len(sorted_values) - 1, math.ceil(p / 100.0 * len(sorted_values)) - 1))
    return float(sorted_values[k])


@dataclass
class EventPhase:
    view: str
    clients: int
    planned: int
    latencies_ns: list[int] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    wall_s: float = 0.0
    server_cpu_s: float = 0.0
    client_cpu_s: float = 0.0
    errors: list[str] = field(default_factory=list)
    stopped_early: bool = False
    rounds: int = 0
    round_metrics: list[dict] = field(default_factory=list)

    @property
    def events(self) -> int:
        return len(self.latencies_ns)

    def merge(self, other: "EventPhase", round_index: int) -> None:
        self.latencies_ns.extend(other.latencies_ns)
        self.sizes.extend(other.sizes)
        self.wall_s += other.wall_s
        self.server_cpu_s += other.server_cpu_s
        self.client_cpu_s += other.client_cpu_s
        self.errors.extend(other.errors)
        self.stopped_early = self.stopped_early or other.stopped_early
        self.rounds += 1
        self.round_metrics.append(dict(other.metrics(), round=round_index))

    def metrics(self) -> dict[str, float]:
        lat = sorted(self.latencies_ns)
        n = len(lat)
        if n == 0:
            return {}
        return {
            "p50_ms": _pct(lat, 50) / 1e6,
            "p99_ms": _pct(lat, 99) / 1e6,
            "eps": n / self.wall_s if self.wall_s > 0 else math.nan,
            "cpu_us": self.server_cpu_s / n * 1e6,
            "bytes": float(statistics.median(self.sizes)),
            "bytes_max": float(max(self.sizes)),
            "client_busy": self.client_cpu_s / self.wall_s if self.wall_s > 0 else math.nan,
        }


def _cpu_s(proc: psutil.Process) -> float:
    """CPU time of a process in seconds, at nanosecond resolution when possible.

    /proc/<pid>/task/*/schedstat carries each thread's on-CPU time in ns; the
    utime/stime of /proc/<pid>/stat (what psutil reads) only count 10 ms ticks,
    too coarse for a per-event figure of a few hundred microseconds.
    """
    total = 0
    try:
        for tid in os.listdir(f"/proc/{proc.pid}/task"):
            try:
                with open(f"/proc/{proc.pid}/task/{tid}/schedstat") as f:
                    total += int(f.read().split()[0])
            except (OSError, ValueError, IndexError):
                continue  # thread ended meanwhile
        if total:
            return total / 1e9
    except OSError:
        pass
    t = proc.cpu_times()
    return t.user + t.system


async def _connect_many(base_url: str, path: str, n: int, timeout: float, parallel: int = 10):
    sem = asyncio.Semaphore(parallel)

    async def one() -> LiveClient:
        async with sem:
            return await LiveClient(base_url, path, timeout=timeout).connect()

    results = await asyncio.gather(*(one() for _ in range(n)), return_exceptions=True)
    clients = [r for r in results if isinstance(r, LiveClient)]
    errors = [r for r in results if not isinstance(r, LiveClient)]
    if errors:
        await _close_all(clients)
        raise RuntimeError(f"{len(errors)}/{n} connects failed; first: {errors[0]!r}") from errors[0]
    return clients


async def _close_all(clients: list[LiveClient]) -> None:
    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
    await asyncio.sleep(0.02)


async def run_events(
    server: ServerProcess,
    view: str,
    n_clients: int,
    per_client: int,
    plan: Plan,
    make_event,
    budget_s: float,
    first_k: int = 0,
) -> EventPhase:
    """``n_clients`` joined views, each pushing ``per_client`` events back to back.

    All clients join first (not timed), then start together; the server's CPU
    time and the wall time are taken around the event loop only.
    """
    phase = EventPhase(view=view, clients=n_clients, planned=n_clients * per_client)
    sproc = psutil.Process(server.pid)
    me = psutil.Process()
    clients = await _connect_many(server.base_url, "/" + view, n_clients, plan.event_timeout_s)
    try:
        # short per-client warm-up, not timed
        await asyncio.gather(*(c.push_event(make_event(i, -1)) for i, c in enumerate(clients)))
        per_client_lat: list[list[int]] = [[] for _ in clients]
        per_client_size: list[list[int]] = [[] for _ in clients]
        start = asyncio.Event()
        deadline = 0.0

        async def loop(i: int, c: LiveClient) -> None:
            await start.wait()
            lat, sizes = per_client_lat[i], per_client_size[i]
            for k in range(first_k, first_k + per_client):
                if time.monotonic() > deadline:
                    phase.stopped_early = True
                    return
                ns, size = await c.push_event(make_event(i, k))
                lat.append(ns)
                sizes.append(size)

        tasks = [asyncio.ensure_future(loop(i, c)) for i, c in enumerate(clients)]
        await asyncio.sleep(0)  # every task parks on start.wait()
        gc.collect()
        gc.disable()
        try:
            cpu0, mine0, t0 = _cpu_s(sproc), _cpu_s(me), time.perf_counter()
            deadline = time.monotonic() + budget_s
            start.set()
            results = await asyncio.gather(*tasks, return_exceptions=True)
            t1, cpu1, mine1 = time.perf_counter(), _cpu_s(sproc), _cpu_s(me)
        finally:
            gc.enable()
        phase.wall_s = t1 - t0
        phase.server_cpu_s = cpu1 - cpu0
        phase.client_cpu_s = mine1 - mine0
        phase.errors = [repr(r) for r in results if isinstance(r, BaseException)]
        for lat, sizes in zip(per_client_lat, per_client_size):
            phase.latencies_ns.extend(lat)
            phase.sizes.extend(sizes)
    finally:
        await _close_all(clients)
    return phase


async def _warm_up(server: ServerProcess, plan: Plan) -> None:
    """Imports, caches and allocator warm-up; nothing here is measured."""
    c = await LiveClient(server.base_url, "/counter", timeout=plan.event_timeout_s).connect()
    for k in range(plan.warmup_events):
        await c.push_event(counter_event(0, k))
    await c.close()
    t = await LiveClient(server.base_url, "/table", timeout=plan.event_timeout_s).connect()
    for k in range(max(5, plan.warmup_events // 10)):
        await t.push_event(table_event(0, k))
    await t.close()


def _contains_value(node, wanted: str) -> bool:
    if isinstance(node, (str, int)) and not isinstance(node, bool):
        return str(node) == wanted
    if isinstance(node, dict):
        return any(_contains_value(v, wanted) for v in node.values())
    if isinstance(node, list):
        return any(_contains_value(v, wanted) for v in node)
    return False


async def check_replies(server: ServerProcess, plan: Plan) -> list[str]:
    """Cheap sanity check that event replies carry the change.

    Not a protocol test: it only looks for the new value anywhere in the
    reply's ``diff``, so a server that answers ``{}`` cannot post flattering
    numbers unnoticed.
    """
    problems = []
    c = await LiveClient(server.base_url, "/counter", timeout=plan.event_timeout_s).connect()
    try:
        for k in range(3):
            await c.push_event(counter_event(0, k))
        frame = c.last_reply
        diff = frame[4].get("response", {}).get("diff") if frame else None
        if diff is None or not _contains_value(diff, "3"):
            problems.append(f"counter: 3rd inc reply has no count 3 in its diff: {str(frame)[:200]}")
    finally:
        await c.close()
    t = await LiveClient(server.base_url, "/table", timeout=plan.event_timeout_s).connect()
    try:
        bump = {"type": "click", "event": "bump", "value": {"id": "17"}}
        await t.push_event(bump)
        await t.push_event(bump)
        frame = t.last_reply
        diff = frame[4].get("response", {}).get("diff") if frame else None
        if diff is None or not _contains_value(diff, "2"):
            problems.append(f"table: 2nd bump of row 17 has no value 2 in its diff: {str(frame)[:200]}")
    finally:
        await t.close()
    return problems


async def run_rss(server: ServerProcess, view: str, n_views: int, plan: Plan) -> float:
    """Server RSS growth per connected (joined) view, in KiB, on a fresh server.

    A fresh process per view type: memory freed by earlier connections would
    otherwise be reused and hide the cost of the next ones. ``server`` has been
    launched (not necessarily ready yet); it is stopped here.
    """
    try:
        server.wait_ready()
        sproc = psutil.Process(server.pid)
        await _warm_up(server, plan)
        warm = await _connect_many(server.base_url, "/" + view, 5, plan.event_timeout_s)
        await _close_all(warm)
        await asyncio.sleep(0.2)
        rss0 = sproc.memory_info().rss
        clients = await _connect_many(server.base_url, "/" + view, n_views, plan.event_timeout_s)
        try:
            await asyncio.sleep(0.3)
            rss1 = sproc.memory_info().rss
        finally:
            await _close_all(clients)
    finally:
        server.stop()
    return (rss1 - rss0) / n_views / 1024.0


PHASES = ("counter.c1", "counter.cN", "table.c1", "table.cN")


def _phase_shape(key: str, plan: Plan):
    """(view, clients, events per client, event factory) of a phase key."""
    return {
        "counter.c1": ("counter", 1, plan.counter_c1, counter_event),
        "counter.cN": ("counter", plan.counter_clients, plan.counter_per_client, counter_event),
        "table.c1": ("table", 1, plan.table_c1, table_event),
        "table.cN": ("table", plan.table_clients, plan.table_per_client, table_event),
    }[key]


def _split(total: int, parts: int) -> list[int]:
    q, r = divmod(total, parts)
    return [q + (1 if i < r else 0) for i in range(parts)]


def _record_phase(target: str, key: str, result: EventPhase, out: dict, log) -> None:
    for name, value in result.metrics().items():
        out["metrics"][f"{key}.{name}"] = value
    out["metrics"][f"{key}.events"] = result.events
    msg = (
        f"{result.events}/{result.planned} events, {result.clients} client(s), "
        f"{result.rounds} round(s), {result.wall_s:.2f}s timed"
    )
    if result.stopped_early:
        msg += " (stopped at the phase budget)"
        out["notes"].append(f"{key}: {msg}")
    if result.errors:
        out["notes"].append(f"{key}: {len(result.errors)} client error(s), first: {result.errors[0]}")
        msg += f", {len(result.errors)} client error(s): {result.errors[0]}"
    log(f"[{target}] {key}: {msg}")


async def main_async(targets: list[str], plan: Plan, log) -> dict:
    results: dict = {t: {"metrics": {}, "notes": []} for t in targets}
    servers: dict[str, ServerProcess] = {}
    booting: dict[str, ServerProcess] = {}

    def failed(target: str, key: str, e: BaseException) -> None:
        results[target]["notes"].append(f"{key}: FAILED {e!r}")
        log(f"[{target}] {key}: FAILED {e!r}")
        if os.environ.get("BENCH_DEBUG"):
            traceback.print_exc()

    def usable(target: str) -> bool:
        server = servers.get(target)
        if server is None:
            return False
        if not server.alive():
            results[target]["notes"].append("server died: " + server.stderr_tail(800))
            log(f"[{target}] server died:\n{server.stderr_tail()}")
            servers.pop(target).stop()
            return False
        return True

    try:
        # 1. all servers up (idle ones cost nothing), warmed up and sanity-checked
        for t in targets:
            booting[t] = ServerProcess(t, core=SERVER_CORE).launch()
        for target in targets:
            try:
                server = booting.pop(target).wait_ready()
            except ServerStartError as e:
                results[target]["skipped"] = str(e).strip()
                log(f"[{target}] SKIPPED: {str(e).strip().splitlines()[0]}")
                if os.environ.get("BENCH_DEBUG"):
                    log(str(e))
                continue
            servers[target] = server
            log(f"[{target}] pid {server.pid} on {server.base_url}")
            try:
                await _warm_up(server, plan)
                for problem in await check_replies(server, plan):
                    results[target]["notes"].append("reply check: " + problem)
                    log(f"[{target}] WARNING reply check: {problem}")
            except Exception as e:  # noqa: BLE001
                failed(target, "warm-up", e)

        # 2. event phases, rounds interleaved across targets
        for key in PHASES:
            view, n_clients, per_client, make_event = _phase_shape(key, plan)
            merged = {t: EventPhase(view, n_clients, n_clients * per_client) for t in servers}
            per_round = _split(per_client, plan.rounds_c1 if n_clients == 1 else plan.rounds_cn)
            done_k = 0
            for rnd, count in enumerate(per_round):
                if count == 0:
                    continue
                order = list(servers)
                order = order[rnd % len(order):] + order[: rnd % len(order)] if order else order
                for target in order:
                    if target not in merged or not usable(target):
                        continue
                    budget = plan.phase_budget_s - merged[target].wall_s
                    if budget <= 0:
                        merged[target].stopped_early = True
                        continue
                    try:
                        part = await run_events(
                            servers[target], view, n_clients, count, plan, make_event, budget, done_k
                        )
                    except Exception as e:  # noqa: BLE001 - report and go on
                        failed(target, key, e)
                        merged.pop(target)
                        continue
                    merged[target].merge(part, rnd)
                done_k += count
            for target, phase in merged.items():
                _record_phase(target, key, phase, results[target], log)
                results[target].setdefault("rounds", {})[key] = phase.round_metrics
    finally:
        for server in list(servers.values()) + list(booting.values()):
            server.stop()

    # 3. memory, each on a fresh server process (all booted side by side)
    jobs = [
        (target, key, view, n_views)
        for target in targets
        if "skipped" not in results[target]
        for key, view, n_views in (
            ("counter.rss_kb", "counter", plan.rss_views),
            ("table.rss_kb", "table", plan.table_rss_views),
        )
    ]
    fresh = [ServerProcess(target, core=SERVER_CORE) for target, *_ in jobs]
    try:
        for server in fresh:
            server.launch()
        for server, (target, key, view, n_views) in zip(fresh, jobs):
            t0 = time.perf_counter()
            try:
                value = await run_rss(server, view, n_views, plan)
            except Exception as e:  # noqa: BLE001
                failed(target, key, e)
                continue
            results[target]["metrics"][key] = value
            log(f"[{target}] {key}: {value:.1f} KiB/view over {n_views} views ({time.perf_counter() - t0:.1f}s)")
    finally:
        for server in fresh:
            server.stop()
    return results


# --------------------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------------------

# (key, label, format)
ROWS = [
    ("counter.c1.p50_ms", "counter  1 client  p50 round trip (ms)", "{:.3f}"),
    ("counter.c1.p99_ms", "counter  1 client  p99 round trip (ms)", "{:.3f}"),
    ("counter.c1.eps", "counter  1 client  events/s", "{:.0f}"),
    ("counter.c1.cpu_us", "counter  1 client  server CPU/event (us)", "{:.1f}"),
    ("counter.cN.p50_ms", "counter  N clients p50 round trip (ms)", "{:.3f}"),
    ("counter.cN.p99_ms", "counter  N clients p99 round trip (ms)", "{:.3f}"),
    ("counter.cN.eps", "counter  N clients events/s", "{:.0f}"),
    ("counter.cN.cpu_us", "counter  N clients server CPU/event (us)", "{:.1f}"),
    ("counter.c1.bytes", "counter  reply bytes/event", "{:.0f}"),
    ("counter.rss_kb", "counter  RSS per connected view (KiB)", "{:.1f}"),
    ("table.c1.p50_ms", "table    1 client  p50 round trip (ms)", "{:.3f}"),
    ("table.c1.p99_ms", "table    1 client  p99 round trip (ms)", "{:.3f}"),
    ("table.c1.eps", "table    1 client  events/s", "{:.0f}"),
    ("table.c1.cpu_us", "table    1 client  server CPU/event (us)", "{:.1f}"),
    ("table.cN.p50_ms", "table    N clients p50 round trip (ms)", "{:.3f}"),
    ("table.cN.p99_ms", "table    N clients p99 round trip (ms)", "{:.3f}"),
    ("table.cN.eps", "table    N clients events/s", "{:.0f}"),
    ("table.cN.cpu_us", "table    N clients server CPU/event (us)", "{:.1f}"),
    ("table.c1.bytes", "table    reply bytes/event", "{:.0f}"),
    ("table.rss_kb", "table    RSS per connected view (KiB)", "{:.1f}"),
]

# (target label, metric key, kind, limit): kind "ratio" = value/echo <= limit,
# "abs" = value <= limit (in the metric's unit)
TARGET_CHECKS = [
    ("counter 1-client p50 latency", "counter.c1.p50_ms", "ratio", 1.3),
    ("counter server CPU per event (1 client)", "counter.c1.cpu_us", "ratio", 1.6),
    ("counter RSS per view", "counter.rss_kb", "ratio", 1.3),
    ("table one-row update reply bytes", "table.c1.bytes", "abs", 300.0),
    ("table server CPU per event (1 client, us)", "table.c1.cpu_us", "abs", 1000.0),
]


def _fmt(value, fmt: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return fmt.format(value)


def _ratio(value, base) -> float | None:
    if value is None or base is None or not base or math.isnan(value) or math.isnan(base):
        return None
    return value / base


def _label(key_label: str, plan: Plan) -> str:
    n = f"{plan.counter_clients} clients" if key_label.startswith("counter") else f"{plan.table_clients} clients"
    return key_label.replace("N clients", n)


def build_table(results: dict, plan: Plan) -> tuple[list[str], list[list[str]]]:
    order = [t for t in results if "skipped" not in results[t]]
    base = results.get("echo", {}).get("metrics", {}) if "echo" in order else {}
    header = ["metric"]
    for t in order:
        header.append(t)
        if t != "echo" and base:
            header.append(f"{t}/echo")
    rows = []
    for key, label, fmt in ROWS:
        row = [_label(label, plan)]
        for t in order:
            v = results[t]["metrics"].get(key)
            row.append(_fmt(v, fmt))
            if t != "echo" and base:
                r = _ratio(v, base.get(key))
                row.append("-" if r is None else f"{r:.2f}x")
        rows.append(row)
    return header, rows


def paired_ratios(results: dict, target: str, key: str) -> list[float]:
    """Per-round ratios target/echo of a phase metric ("counter.c1.p50_ms").

    Each round of a target is paired with the echo round of the same index,
    run right before or after it, so a burst of foreign load or a change of
    the machine's speed mostly cancels out.
    """
    phase, _, metric = key.rpartition(".")
    echo_rounds = results.get("echo", {}).get("rounds", {}).get(phase, [])
    base = {r["round"]: r.get(metric) for r in echo_rounds}
    return sorted(
        r[metric] / base[r["round"]]
        for r in results.get(target, {}).get("rounds", {}).get(phase, [])
        if r.get(metric) and base.get(r["round"])
    )


def target_lines(results: dict) -> list[tuple[str, str, str, str, str]]:
    """(target, figure, measured, goal, verdict) rows.

    Latency and CPU ratios use the median of the paired per-round ratios when
    there are at least 3 rounds (robust to bursts of foreign load); otherwise,
    and for RSS, the ratio of the pooled figures of the results table.
    """
    base = results.get("echo", {}).get("metrics", {})
    lines = []
    for t, res in results.items():
        if t == "echo" or "skipped" in res:
            continue
        for label, key, kind, limit in TARGET_CHECKS:
            v = res["metrics"].get(key)
            if kind == "ratio":
                paired = paired_ratios(results, t, key)
                if len(paired) >= 3:
                    r = statistics.median(paired)
                    how = f" (median of {len(paired)} rounds)"
                else:
                    r = _ratio(v, base.get(key)) if base else None
                    how = ""
                shown = "-" if r is None else f"{r:.3f}x echo{how}"
                goal = f"<= {limit:g}x"
                verdict = "n/a" if r is None else ("PASS" if r <= limit else "MISS")
            else:
                shown = "-" if v is None else f"{v:.1f}"
                goal = f"<= {limit:g}"
                verdict = "n/a" if v is None else ("PASS" if v <= limit else "MISS")
            lines.append((t, label, shown, goal, verdict))
    return lines


def _text_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
    out = []
    for j, r in enumerate([header] + rows):
        cells = [r[0].ljust(widths[0])] + [c.rjust(widths[i]) for i, c in enumerate(r) if i]
        out.append("  ".join(cells))
        if j == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _version(dist: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def _proc_stat_busy() -> dict[str, tuple[float, float]]:
    """(user+nice+system, steal) seconds per cpu line of /proc/stat, machine-wide.

    irq/softirq time is left out: the kernel's loopback network work for this
    run's own traffic lands there and is not charged to any process.
    """
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    out = {}
    try:
        with open("/proc/stat") as f:
            for line in f:
                if not line.startswith("cpu"):
                    break
                name, *vals = line.split()
                v = [int(x) for x in vals]
                # user nice system idle iowait irq softirq steal ...
                out[name] = ((v[0] + v[1] + v[2]) / tick, (v[7] if len(v) > 7 else 0) / tick)
    except (OSError, ValueError, IndexError):
        pass
    return out


class ForeignLoad:
    """CPU used on this machine by processes other than this run.

    Machine-wide busy time from /proc/stat minus this process's CPU time
    (the client, core 1) and its reaped children's (the servers, core 0).
    """

    def __init__(self) -> None:
        self.busy0 = _proc_stat_busy()
        t = os.times()
        self.self0, self.children0, self.wall0 = t.user + t.system, t.children_user + t.children_system, time.time()
        self.busy = 0.0  # other processes' average use in cores, set by report()

    def report(self) -> str:
        busy1 = _proc_stat_busy()
        t = os.times()
        wall = max(1e-9, time.time() - self.wall0)
        own = (t.user + t.system) - self.self0
        kids = (t.children_user + t.children_system) - self.children0
        if "cpu" not in busy1 or "cpu" not in self.busy0:
            return "unknown"
        def delta(name: str, i: int) -> float:
            return busy1[name][i] - self.busy0[name][i]

        text = f"{max(0.0, delta('cpu', 0) - own - kids) / wall:.2f} cores on average"
        server_core, client_core = f"cpu{SERVER_CORE}", f"cpu{CLIENT_CORE}"
        if server_core in busy1 and client_core in busy1:
            other0 = max(0.0, delta(server_core, 0) - kids) / wall * 100
            other1 = max(0.0, delta(client_core, 0) - own) / wall * 100
            text += f" (server core {other0:.0f}%, client core {other1:.0f}%)"
        text += f"; steal {delta('cpu', 1) / wall * 100:.0f}% of a core"
        self.busy = max(0.0, delta("cpu", 0) - own - kids) / wall
        return text


def _git_rev() -> str:
    import subprocess

    root = Path(__file__).resolve().parent.parent
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True, timeout=5
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "liveui"], cwd=root, capture_output=True, text=True, timeout=5
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (rev or "unknown") + (" + uncommitted liveui/ changes" if dirty else "")


def machine_info(pinned: bool, load_before: str, foreign: str) -> dict[str, str]:
    model = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        from uvicorn.protocols.websockets.auto import AutoWebSocketsProtocol

        uv_ws = getattr(AutoWebSocketsProtocol, "__name__", str(AutoWebSocketsProtocol))
    except Exception:  # noqa: BLE001
        uv_ws = "?"
    import importlib.util

    uv_loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio loop"
    uv_http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return {
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": model,
        "cores": str(os.cpu_count()),
        "pinning": (
            f"server core {SERVER_CORE}, client core {CLIENT_CORE}" if pinned else "none (fewer than 2 cores)"
        ),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "os": platform.platform(),
        "load average before the run": load_before,
        "CPU used by other processes during the run": foreign,
        "liveui": f"source tree at git {_git_rev()}",
        "packages": ", ".join(
            f"{d} {_version(d)}"
            for d in ("tornado", "pyview-web", "starlette", "uvicorn", "websockets", "psutil")
        )
        + f" (pyview served by uvicorn with {uv_ws}, {uv_loop}, {uv_http})",
    }


SPREAD_KEYS = [("counter.c1.p50_ms", "p50 round trip"), ("counter.c1.cpu_us", "server CPU/event")]


def round_spread(results: dict) -> list[str]:
    """Paired per-round ratios to echo, to show how much the machine wobbled."""
    lines = []
    for key, label in SPREAD_KEYS:
        for t in results:
            if t == "echo":
                continue
            ratios = paired_ratios(results, t, key)
            if len(ratios) >= 2:
                lines.append(
                    f"{t} {key.rpartition('.')[0]} {label}: per-round ratio to echo median "
                    f"{statistics.median(ratios):.2f}x, range {ratios[0]:.2f}x-{ratios[-1]:.2f}x "
                    f"over {len(ratios)} rounds"
                )
    return lines


def render_console(results: dict, plan: Plan, info: dict, warnings: list[str]) -> str:
    header, rows = build_table(results, plan)
    parts = ["", "machine: " + "; ".join(f"{k}: {v}" for k, v in info.items()), ""]
    parts.append(_text_table(header, rows))
    for t, res in results.items():
        if "skipped" in res:
            parts.append(f"\n{t}: SKIPPED - {res['skipped'].splitlines()[0] if res['skipped'] else ''}")
    checks = target_lines(results)
    if checks:
        parts.append("\ntargets (ratios to echo in this run):")
        for t, label, shown, goal, verdict in checks:
            parts.append(f"  {t:7} {label:42} {shown:>34}  {goal:>8}  {verdict}")
    for t, res in results.items():
        for note in res.get("notes", []):
            parts.append(f"note [{t}] {note}")
    busy = [
        f"{t} {res['metrics'][k] * 100:.0f}%"
        for t, res in results.items()
        for k in ("counter.cN.client_busy",)
        if k in res.get("metrics", {})
    ]
    if busy:
        parts.append("client core busy during the counter N-client phase: " + ", ".join(busy))
    parts += ["spread: " + line for line in round_spread(results)]
    parts += ["WARNING: " + w for w in warnings]
    return "\n".join(parts)


def render_markdown(results: dict, plan: Plan, info: dict, argv: list[str], warnings: list[str]) -> str:
    header, rows = build_table(results, plan)
    lines = [
        "# liveui benchmark results",
        "",
        f"Generated by `python -m bench.run {' '.join(argv)}`".rstrip() + ". See `bench/README.md` for what",
        "each figure means. Ratios are `target / echo` from the same run (lower is better).",
        "",
        "## Machine",
        "",
    ]
    lines += [f"- **{k}**: {v}" for k, v in info.items()]
    lines += [f"\n**Warning:** {w}" for w in warnings]
    lines += [
        "",
        "## Plan",
        "",
        f"- counter: 1 client x {plan.counter_c1} events; {plan.counter_clients} clients x "
        f"{plan.counter_per_client} events; RSS over {plan.rss_views} connected views",
        f"- table (1,000 rows, one row changed per event): 1 client x {plan.table_c1} events; "
        f"{plan.table_clients} clients x {plan.table_per_client} events; RSS over "
        f"{plan.table_rss_views} connected views",
        f"- every timed phase stops early past {plan.phase_budget_s:g} s (noted below when it happens)",
        "",
        "## Results",
        "",
        _md_table(header, rows),
        "",
    ]
    skipped = [(t, r["skipped"]) for t, r in results.items() if "skipped" in r]
    for t, why in skipped:
        lines.append(f"- `{t}` skipped: {why.splitlines()[0] if why else ''}")
    checks = target_lines(results)
    if checks:
        lines += ["", "## Targets", "", "| target | figure | measured | goal | verdict |", "|---|---|---:|---:|---|"]
        lines += [f"| {t} | {label} | {shown} | {goal} | {verdict} |" for t, label, shown, goal, verdict in checks]
    notes = [f"- [{t}] {n.splitlines()[0]}" for t, r in results.items() for n in r.get("notes", [])]
    busy = [
        f"{t} {r['metrics']['counter.cN.client_busy'] * 100:.0f}%"
        for t, r in results.items()
        if "counter.cN.client_busy" in r.get("metrics", {})
    ]
    spread = round_spread(results)
    if notes or busy or spread:
        lines += ["", "## Notes", ""] + notes
        lines += [f"- {line}" for line in spread]
        if busy:
            lines.append(
                "- client core busy during the counter N-client phase (near 100% means events/s is "
                "bounded by the Python client, not the server): " + ", ".join(busy)
            )
    return "\n".join(lines) + "\n"


def parse_args(argv: list[str] | None = None):
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="~20 s smoke run with small counts")
    p.add_argument(
        "--targets",
        default=",".join(TARGETS),
        help=f"comma-separated subset of {','.join(TARGETS)} (default: all)",
    )
    p.add_argument(
        "--results",
        default=str(Path(__file__).resolve().parent / "RESULTS.md"),
        help="where to write the markdown table (default: bench/RESULTS.md)",
    )
    p.add_argument("--no-results", action="store_true", help="print only, do not write the markdown file")
    args = p.parse_args(argv)
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    unknown = [t for t in targets if t not in TARGETS]
    if unknown:
        p.error(f"unknown target(s): {', '.join(unknown)}")
    if "echo" in targets:  # the floor runs first, the others follow in the given order
        targets.remove("echo")
        targets.insert(0, "echo")
    args.targets = targets
    return args


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    plan = QUICK if args.quick else FULL
    t0 = time.perf_counter()
    pinned = (os.cpu_count() or 1) >= 2 and pin_to_core(CLIENT_CORE)
    if not pinned:
        print("warning: fewer than 2 usable cores; client and server are not pinned", file=sys.stderr)

    def log(msg: str) -> None:
        print(f"{time.perf_counter() - t0:6.1f}s {msg}", flush=True)

    def interrupt(signum, frame) -> None:
        raise KeyboardInterrupt  # unwinds through the finally blocks that stop the servers

    signal.signal(signal.SIGTERM, interrupt)

    try:
        load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load_before = "?"
    foreign = ForeignLoad()
    try:
        results = asyncio.run(main_async(args.targets, plan, log))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    info = machine_info(pinned, load_before, foreign.report())
    warnings = []
    if foreign.busy > 0.1:
        warnings.append(
            f"other processes used {foreign.busy:.2f} cores on average during this run: "
            "the timings are disturbed, rerun on a quiet machine"
        )
    print(render_console(results, plan, info, warnings))
    print(f"\ntotal {time.perf_counter() - t0:.1f}s")
    if not args.no_results:
        shown = (["--quick"] if args.quick else []) + ["--targets", ",".join(args.targets)]
        write_main(Path(args.results), render_markdown(results, plan, info, shown, warnings))
        print(f"wrote {args.results}")
    return 0  # never fail on a timing


if __name__ == "__main__":
    sys.exit(main())
