"""Benchmark servers, each run in its own process pinned to one core.

Child side:  ``python -m bench.servers TARGET --port P [--core 0]`` pins itself,
starts the server on 127.0.0.1:P and prints ``READY <pid> <port>`` on stdout.

Parent side: :class:`ServerProcess` starts such a child, waits for the READY line
and the open port, exposes the pid (for CPU / RSS sampling) and always kills it
in :meth:`ServerProcess.stop`.

Targets:

* ``echo``   raw Tornado: serves a minimal dead-render page and answers every
             WebSocket frame with a ``phx_reply``-shaped frame (no rendering).
             This is the floor every ratio is computed against.
* ``liveui`` the views of ``bench/views_liveui.py`` on liveui's Tornado server.
* ``pyview`` the views of ``bench/views_pyview.py`` on pyview-web (Starlette)
             served by uvicorn.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
TARGETS = ("echo", "liveui", "pyview", "fanout-liveui", "fanout-floor")
HOST = "127.0.0.1"


# --------------------------------------------------------------------------------------
# child side
# --------------------------------------------------------------------------------------


def pin_to_core(core: int | None) -> bool:
    """Pin the calling process to ``core``; return False when not possible."""
    if core is None or not hasattr(os, "sched_setaffinity"):
        return False
    try:
        os.sched_setaffinity(0, {core})
        return True
    except OSError:
        return False


def _die_with_parent() -> None:
    """Linux: get SIGTERM when the orchestrator dies, even by SIGKILL."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def _announce(port: int) -> None:
    sys.stdout.write(f"READY {os.getpid()} {port}\n")
    sys.stdout.flush()


def _echo_page(path: str) -> str:
    lv_id = "phx-" + secrets.token_urlsafe(8)
    csrf = secrets.token_urlsafe(16)
    session = secrets.token_urlsafe(24)
    static = secrets.token_urlsafe(12)
    return (
        "<!DOCTYPE html><html><head>"
        f'<meta name="csrf-token" content="{csrf}"><title>echo</title></head><body>'
        f'<div id="{lv_id}" data-phx-main data-phx-session="{session}" '
        f'data-phx-static="{static}"><p>echo {path}</p></div>'
        "</body></html>"
    )


async def _serve_echo(port: int) -> None:
    import tornado.web
    import tornado.websocket

    class PageHandler(tornado.web.RequestHandler):
        def get(self) -> None:
            self.set_cookie("_echo_key", secrets.token_urlsafe(16), httponly=True)
            self.write(_echo_page(self.request.path))

    class EchoSocket(tornado.websocket.WebSocketHandler):
        """Answers each frame with a phx_reply of the same join_ref/ref/topic."""

        def open(self) -> None:
            self.n = 0

        def on_message(self, message) -> None:
            if isinstance(message, bytes):  # a binary push (an upload chunk): kind, 4 lengths, fields, data
                lengths = message[1:5]
                fields, start = [], 5
                for length in lengths:
                    fields.append(message[start:start + length].decode())
                    start += length
                join_ref, ref, topic, event = fields
            else:
                frame = json.loads(message)
                join_ref, ref, topic, event = frame[0], frame[1], frame[2], frame[3]
            if event == "event":
                self.n += 1
                response = {"diff": {"0": str(self.n)}}
            elif event == "phx_join":
                response = {"rendered": {"0": "0", "s": ["<p>", "</p>"]}}
            else:  # heartbeat, phx_leave, anything else
                response = {}
            self.write_message(
                json.dumps([join_ref, ref, topic, "phx_reply", {"status": "ok", "response": response}])
            )

    app = tornado.web.Application(
        [(r"/live/websocket", EchoSocket), (r"/counter", PageHandler), (r"/table", PageHandler),
         (r"/upload", PageHandler)]
    )
    app.listen(port, address=HOST)
    _announce(port)
    await asyncio.Event().wait()


async def _serve_liveui(port: int) -> None:
    sys.path.insert(0, str(REPO_ROOT))
    from bench import views_liveui

    views_liveui.app.listen(port, address=HOST)
    _announce(port)
    await asyncio.Event().wait()


async def _serve_pyview(port: int) -> None:
    import uvicorn

    from bench import views_pyview

    config = uvicorn.Config(
        views_pyview.app,
        host=HOST,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="on",
    )
    server = uvicorn.Server(config)
    task = asyncio.ensure_future(server.serve())
    while not server.started:
        if task.done():
            task.result()  # re-raise the startup error
            raise RuntimeError("uvicorn exited during startup")
        await asyncio.sleep(0.02)
    _announce(port)
    await task


def _exit_on_signal(signum, frame) -> None:
    raise SystemExit(0)


async def _serve_fanout(target: str, port: int) -> None:
    from bench import fanout_servers

    serve = fanout_servers.serve_liveui if target == "fanout-liveui" else fanout_servers.serve_floor
    await serve(port, HOST, _announce)


SERVE = {"echo": _serve_echo, "liveui": _serve_liveui, "pyview": _serve_pyview,
         "fanout-liveui": lambda port: _serve_fanout("fanout-liveui", port),
         "fanout-floor": lambda port: _serve_fanout("fanout-floor", port)}


def child_main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="run one benchmark server")
    parser.add_argument("target", choices=TARGETS)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--core", type=int, default=None)
    args = parser.parse_args(argv)
    _die_with_parent()
    pin_to_core(args.core)
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        asyncio.run(SERVE[args.target](args.port))
    except (KeyboardInterrupt, SystemExit):
        pass


# --------------------------------------------------------------------------------------
# parent side
# --------------------------------------------------------------------------------------


class ServerStartError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.2):
            return True
    except OSError:
        return False


class ServerProcess:
    """One benchmark server child process (always stop() it, e.g. in finally)."""

    def __init__(self, target: str, core: int | None = 0, start_timeout: float = 30.0):
        self.target = target
        self.core = core
        self.start_timeout = start_timeout
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self._deadline = 0.0
        self._stderr = tempfile.TemporaryFile(mode="w+b")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def stderr_tail(self, limit: int = 3000) -> str:
        self._stderr.flush()
        self._stderr.seek(0)
        data = self._stderr.read().decode("utf-8", "replace")
        return data[-limit:]

    def start(self) -> "ServerProcess":
        """launch() then wait_ready()."""
        return self.launch().wait_ready()

    def launch(self) -> "ServerProcess":
        """Start the child without waiting (several can boot side by side)."""
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p
        )
        env.setdefault("PYTHONUNBUFFERED", "1")
        cmd = [sys.executable, "-m", "bench.servers", self.target, "--port", str(self.port)]
        if self.core is not None:
            cmd += ["--core", str(self.core)]
        self.proc = subprocess.Popen(
            cmd,
            cwd=str(REPO_ROOT),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
        )
        self._deadline = time.monotonic() + self.start_timeout
        return self

    def wait_ready(self) -> "ServerProcess":
        """Block until the READY line and the open port; stop() and raise otherwise."""
        assert self.proc is not None and self.proc.stdout is not None
        deadline = self._deadline
        ready = False
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        buf = b""
        try:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    tail = self.stderr_tail()
                    last = tail.strip().splitlines()[-1] if tail.strip() else "no stderr"
                    raise ServerStartError(
                        f"{self.target} server exited with code {self.proc.returncode} ({last})\n{tail}"
                    )
                if not ready and sel.select(timeout=0.1):
                    chunk = os.read(self.proc.stdout.fileno(), 4096)
                    if not chunk:  # stdout closed: the exit is reported on the next turn
                        time.sleep(0.05)
                    buf += chunk
                    ready = b"READY" in buf
                if ready and _port_open(self.port):
                    return self
            raise ServerStartError(
                f"{self.target} server not ready after {self.start_timeout:.0f}s\n" + self.stderr_tail()
            )
        except BaseException:
            self.stop()
            raise
        finally:
            sel.close()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        proc = self.proc
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        if proc.stdout is not None:
            proc.stdout.close()


if __name__ == "__main__":
    child_main()
