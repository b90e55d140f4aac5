"""What a view's render knows that helpers called from its template need: which app and view
it renders for, whether it is connected, and (dead render) the components it placed."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Scope:
    """One view's render: `live_render` and `live_component` read it."""

    app: Any
    view_id: str
    live_session: str
    connected: bool
    placed: list[Any] = field(default_factory=list)  # dead render: components awaiting their HTML
    nonce: str = field(default_factory=lambda: secrets.token_hex(8))


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
