"""Handles to running views: any code, on any thread, can send a view a message."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any


class ViewRef:
    """A handle to one connected view; `send(msg)` delivers `msg` to its `handle_info`."""

    __slots__ = ("_loop", "_deliver", "alive")

    def __init__(self, loop: asyncio.AbstractEventLoop, deliver: Callable[[tuple[str, Any]], None]) -> None:
        self._loop = loop
        self._deliver = deliver
        self.alive = True

    def send(self, message: Any) -> None:
        """Queue `message` for the view's handle_info (a no-op once the view has ended)."""
        if self.alive:
            self._loop.call_soon_threadsafe(self._deliver, ("info", message))

    def send_after(self, message: Any, seconds: float) -> asyncio.TimerHandle:
        """Send `message` after a delay; `.cancel()` on the result prevents it."""
        return self._loop.call_later(seconds, self.send, message)
