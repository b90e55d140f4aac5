"""Handles to running views: any code, on any thread, can send a view a message."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any


class ViewGone(Exception):
    """A call to a view that has ended (or ends before answering)."""


class Timer:
    """A delayed send; `cancel()` (from any thread) stops it if it has not fired yet."""

    __slots__ = ("_ref", "_handle", "_cancelled", "_lock")

    def __init__(self, ref: ViewRef) -> None:
        self._ref = ref
        self._handle: asyncio.TimerHandle | None = None
        self._cancelled = False
        self._lock = threading.Lock()

    def _start(self, seconds: float, item: tuple[str, Any]) -> None:
        with self._lock:
            if not self._cancelled:
                self._handle = self._ref._loop.call_later(seconds, self._fire, item)

    def _fire(self, item: tuple[str, Any]) -> None:
        self._ref._timers.discard(self)
        self._ref._post(item)

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            handle, self._handle = self._handle, None
        self._ref._timers.discard(self)
        if handle is not None:
            self._ref._loop.call_soon_threadsafe(handle.cancel)


class ViewRef:
    """A handle to one connected view: `send(msg)` delivers `msg` to its `handle_info`,
    `send_update(...)` updates one of its live components."""

    __slots__ = ("_loop", "_deliver", "_timers", "_closers", "_away_listeners", "alive")

    def __init__(self, loop: asyncio.AbstractEventLoop, deliver: Callable[[tuple[str, Any]], None]) -> None:
        self._loop = loop
        self._deliver = deliver
        self._timers: set[Timer] = set()
        self._closers: list[Callable[[ViewRef], None]] = []
        self._away_listeners: list[Callable[[ViewRef, bool], None]] = []
        self.alive = True

    def send(self, message: Any) -> None:
        """Queue `message` for the view's handle_info (a no-op once the view has ended)."""
        self._post(("info", message))

    def send_after(self, message: Any, seconds: float) -> Timer:
        """Send `message` after a delay; `.cancel()` on the result prevents it."""
        return self._later(seconds, ("info", message))

    def cast(self, message: Any) -> None:
        """Queue `message` for the view's handle_cast (no answer; a no-op once the view ended)."""
        self._post(("cast", message))

    async def call(self, message: Any, timeout: float = 5.0) -> Any:
        """Ask the view: its `handle_call(message, socket)` return value (from any event loop).

        Raises ViewGone if the view has ended, TimeoutError after `timeout` seconds, or the
        exception handle_call raised (which also ends the view, as a crash does).
        """
        if not self.alive:
            raise ViewGone("the view has ended")
        answer: Future[Any] = Future()
        self._post(("call", (message, answer)))
        return await asyncio.wait_for(asyncio.wrap_future(answer), timeout)

    def send_update(self, target: Any, **assigns: Any) -> None:
        """Run `update` of a live component of this view with `assigns`, then re-render it.

        `target` is the component's `myself` (a cid), or its class with `id=` among the assigns.
        """
        self._post(("update", (target, assigns)))

    def send_update_after(self, target: Any, ms: float, **assigns: Any) -> Timer:
        """`send_update` after `ms` milliseconds; `.cancel()` on the result prevents it."""
        return self._later(ms / 1000, ("update", (target, assigns)))

    def close(self) -> None:
        """The view ended: later sends are dropped and pending timers cancelled."""
        self.alive = False
        for timer in list(self._timers):
            timer.cancel()
        closers, self._closers = self._closers, []
        for closer in closers:
            closer(self)

    def on_close(self, closer: Callable[[ViewRef], None]) -> None:
        """Call `closer(ref)` when the view ends (PubSub subscriptions and presences end with it)."""
        if self.alive:
            self._closers.append(closer)
        else:
            closer(self)

    def on_away(self, listener: Callable[[ViewRef, bool], None]) -> None:
        """Call `listener(ref, away)` when the view's client goes (a dropped connection: the view
        waits for a rejoin, docs/reconnect.md) and when it comes back (presences hide meanwhile)."""
        self._away_listeners.append(listener)

    def away(self, away: bool) -> None:
        """The view's client went (True) or came back (False)."""
        for listener in list(self._away_listeners):
            listener(self, away)

    def _later(self, seconds: float, item: tuple[str, Any]) -> Timer:
        timer = Timer(self)
        if self.alive:
            self._timers.add(timer)
            self._loop.call_soon_threadsafe(timer._start, seconds, item)
        return timer

    def _post(self, item: tuple[str, Any]) -> None:
        if self.alive:
            self._loop.call_soon_threadsafe(self._deliver, item)
