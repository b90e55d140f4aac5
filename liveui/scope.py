"""What a view's render knows that helpers called from its template need: which app and view
it renders for, whether it is connected, and (dead render) the components it placed."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any


class Scope:
    """One view's render: `live_render` and `live_component` read it."""

    __slots__ = ("app", "view_id", "live_session", "connected", "_placed", "_nonce")

    def __init__(self, app: Any, view_id: str, live_session: str, connected: bool) -> None:
        self.app = app
        self.view_id = view_id
        self.live_session = live_session
        self.connected = connected
        self._placed: list[Any] | None = None
        self._nonce = ""

    @property
    def placed(self) -> list[Any]:
        """Dead render: the components placed so far, awaiting their HTML."""
        if self._placed is None:
            self._placed = []
        return self._placed

    @property
    def nonce(self) -> str:
        """Dead render: what makes this render's component markers unguessable."""
        if not self._nonce:
            self._nonce = secrets.token_hex(8)
        return self._nonce


_scope: ContextVar[Scope | None] = ContextVar("liveui_render_scope", default=None)


@contextmanager
def rendering(app: Any, view_id: str, live_session: str, connected: bool) -> Iterator[Scope]:
    """Let template helpers called inside this block find the view being rendered."""
    scope = Scope(app, view_id, live_session, connected)
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(token)


def current(helper: str) -> Scope:
    """The render in progress; a helper used outside one is an error that names it."""
    scope = _scope.get()
    if scope is None:
        raise RuntimeError(f"{helper} is only available in the template of a live view or live component")
    return scope
