"""`liveui run --reload`: the development server.

A supervisor process binds the listening socket once, starts the app in a child process that
inherits it, and watches the app's folder with watchfiles (inotify and the like, no polling):

- a Python file changed: the child is replaced by a fresh one (connections queue on the shared
  socket meanwhile); open pages reconnect by themselves and mount again with the new code;
- a template changed: the child is told (a line on its stdin), forgets its compiled templates and
  re-renders every connected view in place, state kept;
- a static file changed: the child pushes a reload to every open page.

The child ends when the supervisor does (its stdin closes). Tornado's own `autoreload` polls the
mtimes of imported modules in the serving process and re-executes it: it cannot see templates
or static files, drops the listening socket during the restart, and a syntax error stops it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
from collections.abc import Iterable
from typing import Any

from . import template as templates
from .channel import connected_views
from .view import Renderable

LISTEN_FDS = "LIVEUI_LISTEN_FDS"
_TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2", ".html", ".heex")


def supervise(target: str, host: str, port: int, watch: Iterable[str], debug: bool = True) -> None:
    """Serve `target` (module:app) from a child process, restarted or notified on changes."""
    import watchfiles
    from tornado.netutil import bind_sockets

    logging.getLogger("watchfiles").setLevel(logging.WARNING)  # we say what changed ourselves

    listening = bind_sockets(port, host)  # one per address family of `host` ("localhost": two)
    bound = listening[0].getsockname()[1]
    folders = [os.path.abspath(folder) for folder in watch]
    env = {**os.environ, LISTEN_FDS: ",".join(str(sock.fileno()) for sock in listening)}
    env.setdefault("LIVEUI_SECRET_KEY", secrets.token_hex(32))  # sessions and pages survive a restart
    command = [sys.executable, "-m", "liveui", "run", target, "--host", host, "--port", str(bound)]
    command += ["--debug"] if debug else []
    print(f"liveui serving on http://{host}:{bound} (reloading on changes in {', '.join(folders)})", flush=True)
    child = _start(command, env, listening)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        for changes in watchfiles.watch(*folders, watch_filter=watchfiles.DefaultFilter()):
            paths = sorted({path for _, path in changes})
            if any(path.endswith(".py") for path in paths) or child.poll() is not None:
                print(f"liveui: {_names(paths)} changed, restarting", file=sys.stderr, flush=True)
                _stop(child)
                child = _start(command, env, listening)
            else:
                _notify(child, paths)
    except KeyboardInterrupt:
        pass
    finally:
        _stop(child)
        for sock in listening:
            sock.close()


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _start(command: list[str], env: dict[str, str], listening: list[socket.socket]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, env=env, stdin=subprocess.PIPE, pass_fds=[sock.fileno() for sock in listening])


def _stop(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is None:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(5)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    if child.stdin is not None:
        child.stdin.close()


def _notify(child: subprocess.Popen[bytes], paths: list[str]) -> None:
    try:
        child.stdin.write("".join(f"{path}\n" for path in paths).encode())  # type: ignore[union-attr]
        child.stdin.flush()  # type: ignore[union-attr]
    except (BrokenPipeError, ValueError):
        pass  # the child has just ended: the next change starts a new one


def _names(paths: list[str]) -> str:
    shown = ", ".join(os.path.relpath(path) for path in paths[:3])
    return shown + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")


# -- in the child ------------------------------------------------------------------------------


def listening_sockets() -> list[socket.socket]:
    """The sockets the supervisor bound, when this process is its child (else none)."""
    sockets = [socket.socket(fileno=int(fd)) for fd in os.environ.get(LISTEN_FDS, "").split(",") if fd]
    for sock in sockets:
        sock.setblocking(False)
    return sockets


def follow_supervisor(app: Any, stop: asyncio.Event) -> None:
    """Read the supervisor's change notices from stdin on the running loop; set `stop` when it goes."""
    loop = asyncio.get_running_loop()
    fd = sys.stdin.fileno()
    pending = b""

    def readable() -> None:
        nonlocal pending
        data = os.read(fd, 65536)
        if not data:
            loop.remove_reader(fd)
            stop.set()
            return
        pending += data
        *lines, pending = pending.split(b"\n")
        changed([line.decode() for line in lines if line], app)

    loop.add_reader(fd, readable)


def changed(paths: list[str], app: Any) -> None:
    """Apply edited non-Python files: templates re-render connected views, static files reload pages."""
    static = [directory for _, directory in app.static_dirs]
    if any(_under(path, directory) for path in paths for directory in static):
        for view in connected_views():
            view.reload_page()
    elif any(path.endswith(_TEMPLATE_SUFFIXES) for path in paths):
        forget_templates()
        for view in connected_views():
            view.refresh()


def forget_templates() -> None:
    """Drop every compiled template, so the next render loads the files as they are now."""
    templates.forget_compiled()
    pending = [Renderable]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if "_compiled_template" in cls.__dict__:
            del cls._compiled_template  # type: ignore[attr-defined]


def _under(path: str, directory: str) -> bool:
    return os.path.abspath(path).startswith(os.path.join(os.path.abspath(directory), ""))


def serve_app(app: Any, host: str, port: int) -> None:
    """Run `app` until interrupted, on the supervisor's sockets when this process is its child
    (then until the supervisor goes), else on `host:port` (0: a free port, printed)."""
    from tornado.netutil import bind_sockets

    from .server import serve_sockets

    inherited = listening_sockets()

    async def main() -> None:
        stop = asyncio.Event()
        sockets = inherited or bind_sockets(port, host)
        serve_sockets(app, sockets)
        if inherited:
            follow_supervisor(app, stop)
        else:
            print(f"liveui serving on http://{host}:{sockets[0].getsockname()[1]}", flush=True)
        await stop.wait()

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
