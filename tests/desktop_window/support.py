"""What the desktop tests drive a real window with: an Xvfb screen whose framebuffer is a file
(the screenshot), and the window's DevTools endpoint (QtWebEngine's remote debugging) to read
and click its page. Not a test module."""

from __future__ import annotations

import asyncio
import json
import os
import select
import socket
import struct
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tornado.httpclient import AsyncHTTPClient
from tornado.websocket import websocket_connect


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]




def stop_process(process: subprocess.Popen) -> None:
    """Terminate a child, and kill it if it has not exited within 10 s."""
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()

class DevToolsError(AssertionError):
    """DevTools answered a command with an error."""

class Xvfb:
    """An X server on a free display, its screen mirrored to `<directory>/Xvfb_screen0` (XWD)."""

    def __init__(self, directory: Path, size: str = "1024x768x24", timeout: float = 20.0) -> None:
        self.directory = directory
        self.log = directory / "xvfb.log"
        read, write = os.pipe()
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                ["Xvfb", "-displayfd", str(write), "-screen", "0", size, "-fbdir", str(directory), "-nolisten", "tcp", "-noreset"],
                pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=log,
            )
        os.close(write)
        number, deadline = b"", time.monotonic() + timeout
        try:  # Xvfb writes the number, then a newline: close the pipe only after both
            while not number.endswith(b"\n") and select.select([read], [], [], max(0.0, deadline - time.monotonic()))[0]:
                chunk = os.read(read, 32)
                if not chunk:
                    break
                number += chunk
        finally:
            os.close(read)
        number = number.decode().strip() if number.endswith(b"\n") else ""
        if not number:
            self.stop()
            raise RuntimeError(f"Xvfb did not report its display:\n{self.log.read_text()}")
        self.display = f":{number}"

    def window_named(self, title: str, timeout: float = 10.0) -> str:
        """The id of the shown window called exactly `title`, waiting for it (xdotool)."""
        done = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", f"^{title}$"],
                              env={**os.environ, "DISPLAY": self.display}, capture_output=True, text=True,
                              timeout=timeout)
        assert done.returncode == 0, f"no window called {title!r}: {done.stderr}"
        return done.stdout.split()[0]

    def screenshot(self) -> Screen:
        return Screen.read(self.directory / "Xvfb_screen0")

    def stop(self) -> None:
        stop_process(self.process)


@dataclass
class Screen:
    """A screenshot: width, height and 32-bit pixels (XWD, ZPixmap)."""

    width: int
    height: int
    pixels: list[int]

    @classmethod
    def read(cls, path: Path) -> Screen:
        data = path.read_bytes()
        fields = struct.unpack(">25I", data[:100])
        header_size, width, height, bits, stride, ncolors = fields[0], fields[4], fields[5], fields[11], fields[12], fields[19]
        assert bits == 32, f"expected a 32-bit screen, got {bits} bits per pixel"
        start = header_size + 12 * ncolors
        pixels = []
        for y in range(height):
            row = data[start + y * stride:start + y * stride + 4 * width]
            pixels.extend(struct.unpack(f"<{width}I", row))
        return cls(width, height, [p & 0xFFFFFF for p in pixels])

    def colours(self) -> int:
        """How many distinct colours the screen shows (1 for an empty screen)."""
        return len(set(self.pixels))

    def covered(self) -> float:
        """The share of the screen not in the background colour (the most common one)."""
        counts: dict[int, int] = {}
        for p in self.pixels:
            counts[p] = counts.get(p, 0) + 1
        return 1 - max(counts.values()) / len(self.pixels)


class DevTools:
    """The page of a QtWebEngine window over the DevTools protocol: evaluate, wait, click."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._ws: Any = None
        self._id = 0

    async def attach(self, timeout: float = 30.0) -> None:
        """Wait for the window's page to be debuggable and connect to it."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                response = await AsyncHTTPClient().fetch(f"http://127.0.0.1:{self.port}/json", request_timeout=2)
                pages = [t for t in json.loads(response.body) if t.get("type") == "page"]
                if pages:
                    self._ws = await websocket_connect(pages[0]["webSocketDebuggerUrl"], max_message_size=64 << 20)
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"no DevTools page on port {self.port} within {timeout} s")
            await asyncio.sleep(0.1)  # the window process is still starting: poll its endpoint

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        self._id += 1
        ident = self._id
        await self._ws.write_message(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = await asyncio.wait_for(self._ws.read_message(), 10)
            if message is None:
                raise AssertionError("the window's DevTools connection closed")
            answer = json.loads(message)
            if answer.get("id") == ident:
                if "error" in answer:
                    raise DevToolsError(f"{method}: {answer['error']}")
                return answer["result"]

    async def evaluate(self, expression: str) -> Any:
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            return None
        return result["result"].get("value")

    async def wait_for(self, expression: str, timeout: float = 10.0) -> Any:
        """Poll `expression` in the page until it is truthy (page loads in between are fine)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                value = await self.evaluate(expression)
            except DevToolsError:  # e.g. "Execution context was destroyed": a page load is under way
                value = None
            if value:
                return value
            if time.monotonic() > deadline:
                page = await self.evaluate("location.href + '\\n' + document.body.innerText.slice(0, 600)")
                raise AssertionError(f"{expression!r} still false after {timeout} s; the page:\n{page}")
            await asyncio.sleep(0.02)

    async def click(self, selector: str) -> None:
        """A mouse click in the middle of the element, as a user's (it counts as a user gesture)."""
        centre = await self.evaluate(
            f"(() => {{ const el = document.querySelector({json.dumps(selector)}); if (!el) return null;"
            f" el.scrollIntoView({{block: 'center'}}); const r = el.getBoundingClientRect();"
            f" return [r.left + r.width / 2, r.top + r.height / 2] }})()")
        assert centre, f"nothing matches {selector!r} in the window"
        # a page takes no input before its first frame is painted: wait for a frame after this one
        await self.call("Runtime.evaluate", awaitPromise=True, expression=(
            "new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))"))
        for kind in ("mousePressed", "mouseReleased"):
            await self.call("Input.dispatchMouseEvent", type=kind, x=centre[0], y=centre[1], button="left", clickCount=1)

    def close(self) -> None:
        if self._ws is not None:
            self._ws.close()
            self._ws = None


def answer_file_dialog(display: str, title: str, path: Path, timeout: float = 15.0) -> None:
    """Type `path` into the window's Qt file dialog called `title` and accept it (xdotool).

    Keys typed before the dialog has focused its file name field are lost: while the dialog is
    still shown a moment later, it is typed again (three times at most).
    """
    env = {**os.environ, "DISPLAY": display}

    def xdotool(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(["xdotool", *args], env=env, capture_output=True, text=True, timeout=timeout)
        assert done.returncode == 0 or not check, f"xdotool {' '.join(args)}: {done.stderr}"
        return done

    def shown() -> bool:
        return xdotool("search", "--onlyvisible", "--name", title, check=False).returncode == 0

    dialog = xdotool("search", "--sync", "--onlyvisible", "--name", title).stdout.split()[0]
    for _ in range(3):
        xdotool("windowfocus", "--sync", dialog)
        xdotool("key", "--clearmodifiers", "ctrl+a")  # the file name field has the focus
        xdotool("type", "--delay", "5", str(path))
        xdotool("key", "Return")
        deadline = time.monotonic() + 3
        while shown() and time.monotonic() < deadline:
            time.sleep(0.05)
        if not shown():
            return
    raise AssertionError(f"the {title!r} dialog did not take {path}")
