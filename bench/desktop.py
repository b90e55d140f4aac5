"""Desktop bridge benchmark: a liveui event round trip in a pywebview window (click -> bridge ->
view -> diff -> script -> DOM updated) against a raw `js_api` echo in the same window, same run.

    QTWEBENGINE_DISABLE_SANDBOX=1 QT_QPA_PLATFORM=offscreen python -m bench.desktop [--rounds N]

(the sandbox setting only as root; offscreen needs no X server). Writes its section of
the "desktop" section of bench/RESULTS.md unless `--no-results`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import threading
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import webview

import liveui
from liveui.desktop.page import ORIGIN, desktop_page
from liveui.desktop.runtime import Runtime
from liveui.transports.webview import Bridge, ScriptPoster

from bench.sections import put_section

RESULTS = Path(__file__).with_name("RESULTS.md")

# rounds of `block` raw echoes then `block` liveui clicks, so both see the same conditions
SCRIPT = """
(async (rounds, block) => {
  const api = window.pywebview.api
  const count = document.querySelector('#count')
  const button = document.querySelector('#inc')
  const raw = [], live = []
  const changed = () => new Promise((resolve) => {
    const seen = new MutationObserver(() => { seen.disconnect(); resolve() })
    seen.observe(count, {childList: true, characterData: true, subtree: true})
    button.click()
  })
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < block; i++) { const t = performance.now(); await api.echo(i); raw.push(performance.now() - t) }
    for (let i = 0; i < block; i++) { const t = performance.now(); await changed(); live.push(performance.now() - t) }
  }
  api.report(JSON.stringify({raw, live, count: count.textContent}))
})(%d, %d)
"""


class Counter(liveui.LiveView):
    template = "<p>Count: <span id='count'>{{ count }}</span></p><button id='inc' phx-click='inc'>+</button>"

    def mount(self, params, session, socket):
        socket.assign(count=0)

    def handle_event(self, event, params, socket):
        socket.assign(count=socket.assigns.count + 1)


class BenchBridge(Bridge):
    """The window's bridge plus the raw echo to compare with and a way to report."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._report: dict[str, Any] = {}
        self._reported = threading.Event()

    def echo(self, value: Any) -> Any:
        return value

    def report(self, text: str) -> None:
        self._report.update(json.loads(text))
        self._reported.set()


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p50": statistics.median(ordered), "p95": ordered[int(0.95 * (len(ordered) - 1))],
            "mean": statistics.fmean(ordered)}


def run(rounds: int, block: int) -> dict[str, Any]:
    app = liveui.App(title="bench")
    app.live("/", Counter)
    runtime = Runtime()
    posters: list[ScriptPoster] = []
    bridge = BenchBridge(app, runtime.loop, lambda script: posters[0].post(script))
    window = webview.create_window("liveui desktop bench", html="<p>bench</p>", js_api=bridge, width=800, height=600)
    posters.append(ScriptPoster(window.run_js))
    outcome: dict[str, Any] = {}

    def drive() -> None:
        try:
            page = runtime.call(desktop_page(app, ORIGIN + "/", {"_id": "bench"}), 30)
            window.load_html(page.html, base_uri=page.url)
            deadline = time.monotonic() + 30
            while window.evaluate_js("!!(window.liveSocket && window.liveSocket.isConnected() && "
                                     "document.querySelector('.phx-connected'))") is not True:
                if time.monotonic() > deadline:
                    raise RuntimeError("the page did not connect")
                time.sleep(0.05)
            window.run_js(SCRIPT % (rounds, block))
            if not bridge._reported.wait(300):
                raise RuntimeError("the benchmark script did not report")
            outcome.update(bridge._report)
        except Exception as error:
            outcome["error"] = repr(error)
        finally:
            window.destroy()

    try:
        webview.start(drive, gui="qt")
    finally:
        posters[0].stop()
        runtime.stop()
    if "error" in outcome:
        raise SystemExit(f"bench failed: {outcome['error']}")
    assert outcome["count"] == str(rounds * block), outcome["count"]
    return outcome


def table(outcome: dict[str, Any], rounds: int, block: int) -> str:
    raw, live = summary(outcome["raw"]), summary(outcome["live"])
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=Path(__file__).parent, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    rows = [f"| {name} (ms) | {raw[key]:.3f} | {live[key]:.3f} | {live[key] / raw[key]:.2f}x |"
            for key, name in (("p50", "p50 round trip"), ("p95", "p95 round trip"), ("mean", "mean round trip"))]
    return "\n".join([
        "## Desktop bridge (pywebview, Qt)",
        "",
        "Generated by `python -m bench.desktop`. In one window, the same run: **raw** is an awaited",
        "`pywebview.api.echo(i)` (the bridge's floor: JS -> Python thread -> result script -> JS);",
        "**liveui** is a click on a counter until the DOM shows the new count (DesktopSocket -> js_api",
        "-> view -> diff -> one `deliver` script -> official client patch). Timed in the page with",
        f"`performance.now()`; {rounds} rounds of {block} echoes then {block} clicks.",
        "",
        f"- **date**: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; **python**: {platform.python_version()};"
        f" **pywebview**: {metadata.version('pywebview')};"
        f" **Qt platform**: {os.environ.get('QT_QPA_PLATFORM', 'default')}; **liveui**: git {commit}",
        f"- **load average before the run**: {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        "",
        "| metric | raw js_api echo | liveui event | liveui/raw |",
        "|---|---:|---:|---:|",
        *rows,
    ])



def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.desktop")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--block", type=int, default=100)
    parser.add_argument("--no-results", action="store_true")
    args = parser.parse_args()
    outcome = run(args.rounds, args.block)
    section = table(outcome, args.rounds, args.block)
    print(section)
    if not args.no_results:
        put_section(RESULTS, "desktop", section)


if __name__ == "__main__":
    main()
