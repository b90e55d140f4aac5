"""Work a view (or a component) runs in the background: `assign_async` and `start_async`.

Plain functions run in a bounded thread pool shared by the process, coroutine functions as
tasks on the view's loop. Work starts only once the view is connected, one piece per name (a
later start with the same name replaces, and cancels, the earlier one), and is cancelled when
its view ends. Outcomes come back through the view's mailbox, one at a time like every other
message: `("ok", result)`, or `("exit", reason)` for an exception or a cancellation.
"""

from __future__ import annotations

import asyncio
import inspect
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .async_result import AsyncResult

POOL = ThreadPoolExecutor(max_workers=min(32, 4 * (os.cpu_count() or 1)), thread_name_prefix="liveui-async")
"""Where plain functions given to assign_async/start_async run (bounded: a burst queues)."""

Key = tuple[Any, str, Any]  # (cid or None, "assign" | "start", keys or name)


class AsyncWork:
    """The background work of one connected view and its components."""

    def __init__(self, post: Callable[[tuple[str, Any]], None]) -> None:
        self._post = post
        self._tasks: dict[Key, asyncio.Task[None]] = {}

    def start(self, key: Key, fn: Callable[[], Any]) -> None:
        """Run `fn` for `key`, replacing (and cancelling) work already running under it."""
        self.cancel(key)
        task = asyncio.get_running_loop().create_task(self._run(key, fn), name=f"liveui async {key[1]} {key[2]}")
        self._tasks[key] = task

    def cancel(self, key: Key) -> bool:
        """Stop the work under `key`; whether there was any. Its outcome will not arrive."""
        task = self._tasks.pop(key, None)
        if task is None:
            return False
        task.cancel()
        return True

    def finished(self, key: Key, task: asyncio.Task[None]) -> bool:
        """Whether an outcome is the current work's (not replaced or cancelled since); forgets it."""
        if self._tasks.get(key) is not task:
            return False
        del self._tasks[key]
        return True

    def close(self) -> None:
        """The view ended: cancel everything still running."""
        for key in list(self._tasks):
            self.cancel(key)

    def running_any(self) -> bool:
        return bool(self._tasks)

    def running(self, cid: Any, kind: str) -> list[Key]:
        """The keys of the work of one owner (a view: cid None) and kind now running."""
        return [key for key in self._tasks if key[0] == cid and key[1] == kind]

    async def _run(self, key: Key, fn: Callable[[], Any]) -> None:
        task = asyncio.current_task()
        try:
            if inspect.iscoroutinefunction(fn):
                result = await fn()
            else:
                result = await asyncio.get_running_loop().run_in_executor(POOL, fn)
                if inspect.isawaitable(result):
                    result = await result
            outcome: tuple[str, Any] = ("ok", result)
        except asyncio.CancelledError:
            raise  # cancelled by `cancel`: whoever cancelled has answered for it
        except Exception as exc:  # the work failed: its owner hears of it, the view goes on
            outcome = ("exit", exc)
        self._post(("async", (key, task, outcome)))


def assign_outcome(keys: tuple[str, ...], current: dict[str, Any], outcome: tuple[str, Any]) -> dict[str, AsyncResult]:
    """The new AsyncResults of `assign_async` keys for an outcome: ok needs a dict with every key."""
    kind, value = outcome
    if kind == "ok":
        if isinstance(value, tuple) and len(value) == 2 and value[0] == "error":
            kind, value = "error", value[1]
        elif not isinstance(value, dict) or not set(keys) <= set(value):
            missing = sorted(set(keys) - set(value)) if isinstance(value, dict) else keys
            kind, value = "exit", ValueError(f"assign_async for {list(keys)} must return a dict with those keys; missing {missing}")
    results = {}
    for key in keys:
        old = current.get(key)
        old = old if isinstance(old, AsyncResult) else AsyncResult()
        results[key] = old.succeeded(value[key]) if kind == "ok" else old.errored((kind, value))
    return results
