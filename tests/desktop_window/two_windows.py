"""Run by test_close.py as a process: two windows of one app (the second opened while `launch`
runs); closing one ends its views only, `launch` returns once the last one is closed and the
runtime has stopped. Prints one JSON line."""

from __future__ import annotations

import json
import threading

import webview

import liveui
from liveui import desktop

MOUNTED = {name: threading.Event() for name in "ab"}
TERMINATED = {name: threading.Event() for name in "ab"}
WAIT = 30


class Probe(liveui.LiveView):
    template = "<p id='name'>{{ name }}</p>"

    def mount(self, params, session, socket):
        socket.assign(name=params["name"], page_title=params["name"].upper())  # the window's title
        if socket.connected:
            MOUNTED[params["name"]].set()

    def terminate(self, reason, socket):
        TERMINATED[socket.assigns.name].set()


def window(title: str) -> webview.Window:
    return next(w for w in webview.windows if w.title == title)


def drive(app: liveui.App, result: dict) -> None:
    try:
        result["mounted"] = MOUNTED["a"].wait(WAIT)
        desktop.open_window(app, "/b", title="B", width=400, height=300)
        result["mounted"] = result["mounted"] and MOUNTED["b"].wait(WAIT)
        window("A").destroy()
        result["a_ended_on_close"] = TERMINATED["a"].wait(WAIT)
        result["b_alive_meanwhile"] = not TERMINATED["b"].is_set()
        window("B").destroy()
        result["b_ended_on_close"] = TERMINATED["b"].wait(WAIT)
    except Exception as error:  # report it, and let launch return
        result["error"] = repr(error)
        for open_window in list(webview.windows):
            open_window.destroy()


def main() -> None:
    app = liveui.App()
    app.live("/{name}", Probe)
    result: dict = {}
    threading.Thread(target=drive, args=(app, result), daemon=True).start()
    desktop.launch(app, "/a", title="A", width=400, height=300, gui="qt")
    result["runtime_stopped"] = not any(t.name == "liveui-runtime" for t in threading.enumerate())
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
