"""A real pywebview window for the `webview` test wire: `python -m liveui.testing.webview_window`.

The window loads liveui-desktop.js and a small harness (`liveuiWire`) that plays the official
client's part: it opens a `DesktopSocket` per test connection, sends the frames the test client
gives it and reports what the socket receives. Everything the page calls on the bridge is
relayed as a JSON line on stdout, to the test process, which holds the app and the `Bridge`;
stdin carries scripts to run in the window (`{"run": script}`). EOF on stdin closes the window.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from typing import Any, TextIO

from .wire import MEMORY_BASE

MARK = "liveui-wire "  # prefixes protocol lines: anything else on stdout is noise

HARNESS = """
window.liveuiWire = (() => {
  const sockets = new Map()
  function toBase64(buffer) {
    let text = ""
    new Uint8Array(buffer).forEach((byte) => { text += String.fromCharCode(byte) })
    return btoa(text)
  }
  return {
    sockets,
    open(id) {
      const socket = new liveuiDesktop.DesktopSocket("desktop", id)
      const inbox = new liveuiDesktop.Outbox("inbox", id)
      socket.onopen = () => inbox.push({open: true})
      socket.onmessage = (e) => inbox.push(typeof e.data === "string" ? e.data : {b: toBase64(e.data)})
      socket.onclose = (e) => inbox.push({close: e.code})
      sockets.set(id, socket)
    },
    send(id, text) { sockets.get(id).send(text) },
    sendBinary(id, base64) { sockets.get(id).send(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)).buffer) },
    close(id) { const socket = sockets.get(id); sockets.delete(id); socket && socket.close() },
  }
})()
"""


def page() -> str:
    """The harness page: the desktop bundle and `liveuiWire`, inline (no server to fetch from)."""
    static = os.path.join(os.path.dirname(os.path.dirname(__file__)), "static", "liveui-desktop.js")
    with open(static, encoding="utf-8") as f:
        bundle = f.read()
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>liveui test window</title>"
            f"<script>{bundle}</script><script>{HARNESS}</script></head>"
            f"<body><p id='ready'>liveui test window</p></body></html>")


class Relay:
    """The `js_api` of the test window: every call the page makes goes to the test process."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._lock = threading.Lock()

    def _emit(self, message: dict[str, Any]) -> None:
        with self._lock:
            self._out.write(MARK + json.dumps(message) + "\n")
            self._out.flush()

    def open(self, socket_id: str, url: str) -> None:
        self._emit({"call": "open", "args": [socket_id, url]})

    def send(self, socket_id: str, frames: list[Any]) -> None:
        self._emit({"call": "send", "args": [socket_id, frames]})

    def close(self, socket_id: str) -> None:
        self._emit({"call": "close", "args": [socket_id]})

    def inbox(self, socket_id: str, items: list[Any]) -> None:
        self._emit({"call": "inbox", "args": [socket_id, items]})


def _serve(window: Any, relay: Relay) -> None:
    from ..transports.webview import ScriptPoster

    window.events.loaded.wait(30)  # the first page's bridge readied: none lands late on the harness
    window.load_html(page(), base_uri=MEMORY_BASE + "/")
    if not window.events.loaded.wait(30) or window.evaluate_js("typeof window.liveuiWire") != "object":
        relay._emit({"failed": "the harness page did not load"})
        window.destroy()
        return
    poster = ScriptPoster(window.run_js, name="liveui-test-window")
    relay._emit({"ready": True})
    try:
        for line in sys.stdin:
            poster.post(json.loads(line)["run"])
    finally:
        poster.stop()
        window.destroy()


def main() -> None:
    import webview

    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # stray prints of the GUI toolkit go to stderr, not into the protocol
    relay = Relay(out)
    window = webview.create_window("liveui test window", html="<p>starting</p>", js_api=relay, width=900, height=700)
    webview.start(_serve, (window, relay), gui=os.environ.get("PYWEBVIEW_GUI", "qt"))


if __name__ == "__main__":
    main()
