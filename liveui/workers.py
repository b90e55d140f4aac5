"""Several server processes on one port: `python -m liveui run module:app --workers N`.

The parent binds the listening socket, forks N workers that accept on it (the kernel spreads
connections between them) and restarts a worker that dies. No sticky sessions: every token is
signed with the shared secret, so any worker can join a view another one rendered; PubSub and
Presence cross processes over Redis (LIVEUI_PUBSUB_URL).
"""

from __future__ import annotations

import asyncio
import logging

from tornado.netutil import bind_sockets
from tornado.process import fork_processes, task_id

from .app import SECRET_VARIABLE, App
from .pubsub import RedisPubSub

log = logging.getLogger("liveui")


class WorkersRefused(Exception):
    """The app cannot run on several processes as configured (the message says what to set)."""


def check(app: App, workers: int) -> None:
    """Refuse several workers that could not verify each other's tokens."""
    if workers > 1 and app.random_secret:
        raise WorkersRefused(
            f"--workers {workers} needs one secret key shared by every process, and this app has a random one: "
            f"set {SECRET_VARIABLE} (e.g. export {SECRET_VARIABLE}=$(python -c 'import secrets; "
            "print(secrets.token_hex(32))')) or pass App(secret_key=...)")
    if workers > 1 and not isinstance(app.pubsub, RedisPubSub):
        log.warning("%d workers with the in-process PubSub: broadcasts and presences stay inside each process; "
                    "set LIVEUI_PUBSUB_URL=redis://host:6379/0 to share them", workers)


def run(app: App, *, host: str, port: int, workers: int) -> None:
    """Serve `app` on `host:port` with `workers` processes (blocking; 1: this process alone)."""
    check(app, workers)
    sockets = bind_sockets(port, host)
    port = sockets[0].getsockname()[1]  # the one chosen, for --port 0
    if workers > 1:
        fork_processes(workers, max_restarts=1000)  # the parent stays here, restarting dead workers

    async def main() -> None:
        from .server import serve_sockets

        serve_sockets(app, sockets)
        worker = task_id()
        print(f"liveui serving on http://{host}:{port}" + (f" (worker {worker})" if worker is not None else ""),
              flush=True)
        await asyncio.Event().wait()

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass

