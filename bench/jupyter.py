"""Jupyter benchmark: a live view's event round trip over the comm, against a raw anywidget
custom-message echo in the same kernel (same run), and click-to-DOM-updated in JupyterLab in
headless Chromium, with liveui's TCP_NODELAY server extension on and off.

    .venv/bin/python -m bench.jupyter [--clicks 50] [--round-trips 300] [--no-results]

Writes the "jupyter" section of bench/RESULTS.md (other sections are kept).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.sections import put_section  # noqa: E402
from liveui import App, LiveView  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"


class Clicks(LiveView):
    """The measured view: one number, one button."""

    template = '<p id="n">{{ n }}</p><button id="inc" phx-click="inc">+</button>'

    def mount(self, params, session, socket):
        socket.assign(n=0)

    def handle_event(self, event, params, socket):
        socket.assign(n=socket.assigns.n + 1)


ECHO = '''
import anywidget

class Echo(anywidget.AnyWidget):
    _esm = """
    export default {render({model, el}) {
      const button = document.createElement("button"); button.id = "echo"; button.textContent = "echo"
      const label = document.createElement("span"); label.id = "echoed"; label.textContent = "0"
      button.onclick = () => model.send({i: Number(label.textContent) + 1})
      model.on("msg:custom", (msg) => { label.textContent = String(msg.i) })
      el.append(button, label)
    }}"""

    def __init__(self):
        super().__init__()
        self.on_msg(lambda widget, content, buffers: self.send(content, buffers=buffers))
'''


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"median": statistics.median(ordered), "p95": ordered[int(0.95 * (len(ordered) - 1))], "n": len(ordered)}


# -- 1. over the comm, the bench acting as the frontend -------------------------------------------

async def comm_round_trips(count: int) -> dict[str, dict[str, float]]:
    from bench.jupyter import Clicks as View  # by its module's name (not __main__): the kernel imports it
    from liveui.testing.comm_wire import CommWire

    app = App()
    app.live("/", View)
    wire = CommWire(app, session=None, timeout=10)
    await wire.start()
    try:
        page = await wire.render("/")
        await wire.connect(None)
        topic = page.topic

        async def reply(ref: str) -> None:
            while True:
                frame = json.loads(await asyncio.wait_for(wire.inbox.get(), 10))
                if frame[3] == "phx_reply" and frame[1] == ref:
                    return

        join = wire.next_ref()
        wire.send([join, join, topic, "phx_join", {"url": page.url, "session": page.session, "static": page.static,
                                                  "params": {"_mounts": 0}}])
        await reply(join)
        # the floor: a raw anywidget custom message echoed by the same kernel
        result = await wire._execute(ECHO + "_echo = Echo()", {"comm": "_echo.comm.comm_id"})
        comm = result["user_expressions"]["comm"]["data"]["text/plain"].strip("'")
        wire._comms[comm] = "echo"
        live: list[float] = []
        raw: list[float] = []
        for i in range(count):  # interleaved, so both see the same machine
            ref = wire.next_ref()
            started = time.perf_counter()
            wire.send([join, ref, topic, "event", {"type": "click", "event": "inc", "value": {"value": ""}}])
            await reply(ref)
            live.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            wire._custom(comm, {"c": "echo", "t": str(i)})
            while await asyncio.wait_for(wire.inbox.get(), 10) != str(i):
                pass
            raw.append((time.perf_counter() - started) * 1000)
        return {"liveui": summary(live), "anywidget": summary(raw)}
    finally:
        await wire.close()


# -- 2. click-to-DOM in JupyterLab ------------------------------------------------------------------

MEASURE = """async ([root, button, shown, n]) => {
  const times = []
  for (let i = 0; i < n; i++) {
    const scope = document.querySelector(root)
    const before = scope.querySelector(shown).textContent
    const changed = new Promise((resolve) => {
      const observer = new MutationObserver(() => {
        if (scope.querySelector(shown).textContent !== before) { observer.disconnect(); resolve() }
      })
      observer.observe(scope, {subtree: true, childList: true, characterData: true})
    })
    const started = performance.now()
    scope.querySelector(button).click()
    await Promise.race([changed, new Promise((_, reject) => setTimeout(() => reject(new Error("no update in 5 s")), 5000))])
    times.push(performance.now() - started)
  }
  return times
}"""

CELLS = ("from bench.jupyter import Clicks\nfrom liveui.jupyter import show\nshow(Clicks)", ECHO + "Echo()")


def lab_clicks(clicks: int, nodelay: bool) -> dict[str, dict[str, float]]:
    from playwright.sync_api import sync_playwright

    from tests.e2e.jupyter_server import JupyterServer, notebook
    from tests.e2e.support import CHROMIUM, CHROMIUM_ARGS

    server = JupyterServer("jupyterlab", nodelay=nodelay).start()
    try:
        server.write("bench.ipynb", notebook(*CELLS))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                page.goto(f"{server.url}/lab/tree/bench.ipynb?reset&token={server.token}")
                page.wait_for_function("""(() => {
                    const session = window.jupyterapp?.shell.currentWidget?.sessionContext
                    return session?.isReady && session.session?.kernel?.connectionStatus === "connected"
                        && session.kernelDisplayStatus === "idle" })()""", timeout=60_000)
                page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
                page.wait_for_selector(".liveui-cell .phx-connected", timeout=30_000)
                page.wait_for_selector("#echo", timeout=30_000)
                liveui: list[float] = []
                raw: list[float] = []
                for _ in range(0, clicks, 5):  # interleaved batches, so both see the same machine
                    liveui += page.evaluate(MEASURE, [".liveui-cell", "#inc", "#n", 5])
                    raw += page.evaluate(MEASURE, [".jp-OutputArea:has(#echo)", "#echo", "#echoed", 5])
            finally:
                browser.close()
    finally:
        server.stop()
    return {"liveui": summary(liveui), "anywidget": summary(raw)}


# -- report -----------------------------------------------------------------------------------------

def report(comm: dict[str, Any], lab: dict[bool, dict[str, Any]], load: tuple[float, ...]) -> str:
    def row(name: str, figures: dict[str, float], floor: dict[str, float] | None = None) -> str:
        ratio = f"{figures['median'] / floor['median']:.2f}" if floor else "1.00"
        return f"| {name} | {figures['median']:.2f} | {figures['p95']:.2f} | {figures['n']} | {ratio} |"

    on, off = lab[True], lab[False]
    target = "PASS" if on["liveui"]["median"] <= 15 else "MISS"
    return "\n".join([
        "## Jupyter (bench/jupyter.py)",
        "",
        f"- **date**: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; python {platform.python_version()}, "
        "JupyterLab 4 in headless Chromium, kernels started by jupyter_client; 2 cores shared with other work "
        f"(load average before the run: {' '.join(f'{x:.2f}' for x in load)})",
        "",
        "Event round trip over the comm, the benchmark acting as the frontend on the kernel's channels "
        "(ms; ratio to the raw anywidget echo in the same kernel, same run):",
        "",
        "| what | median | p95 | n | ratio |",
        "|---|---|---|---|---|",
        row("anywidget custom-message echo (floor)", comm["anywidget"]),
        row("liveui click event → reply (render + diff)", comm["liveui"], comm["anywidget"]),
        "",
        "Click to DOM updated in JupyterLab, measured in the page (click() → MutationObserver), ms:",
        "",
        "| what | median | p95 | n | ratio |",
        "|---|---|---|---|---|",
        row("anywidget echo, liveui server extension on (TCP_NODELAY)", on["anywidget"]),
        row("liveui view, extension on", on["liveui"], on["anywidget"]),
        row("anywidget echo, extension off (Jupyter's default)", off["anywidget"]),
        row("liveui view, extension off", off["liveui"], off["anywidget"]),
        "",
        f"Target: median click-to-DOM ≤ 15 ms in JupyterLab out of the box: **{target}** "
        f"({on['liveui']['median']:.1f} ms with the extension that `pip install liveui[jupyter]` enables).",
    ])



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=50)
    parser.add_argument("--round-trips", type=int, default=300)
    parser.add_argument("--no-results", action="store_true", help="print only")
    args = parser.parse_args()
    load = os.getloadavg()
    comm = asyncio.run(comm_round_trips(args.round_trips))
    lab = {nodelay: lab_clicks(args.clicks, nodelay) for nodelay in (True, False)}
    section = report(comm, lab, load)
    print(section)
    if not args.no_results:
        put_section(RESULTS, "jupyter", section)


if __name__ == "__main__":
    main()
