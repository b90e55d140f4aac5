"""Nested live views: `{{ live_render(View, id="clock") }}` in a parent's template.

The child is its own view with its own channel: the parent renders only its container, with a
signed token naming the child's class, id, session and parent. Once the parent has joined, the
client joins every such container; the child mounts (no URL, no handle_params) and renders itself.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from .container import markup, session_token
from .template import environment
from .view import LiveView


@dataclass(slots=True)
class Scope:
    """What a parent's render knows that its children's containers need."""

    app: Any
    parent_id: str
    live_session: str
    connected: bool


_scope: ContextVar[Scope | None] = ContextVar("liveui_render_scope", default=None)


@contextmanager
def rendering(app: Any, parent_id: str, live_session: str, connected: bool) -> Iterator[None]:
    """Let `live_render` calls in the templates rendered inside this block find their parent."""
    token = _scope.set(Scope(app, parent_id, live_session, connected))
    try:
        yield
    finally:
        _scope.reset(token)


def live_render(view: type[LiveView] | str, id: str, session: dict[str, Any] | None = None) -> Markup:
    """The container of a nested live view (a class, or "module:Class"), mounted once connected."""
    scope = _scope.get()
    if scope is None:
        raise RuntimeError("live_render is only available in the template of a live view")
    view_class = resolve(view)
    token = session_token(scope.app, id, view_class, scope.live_session, dict(session or {}), scope.parent_id)
    return Markup(markup(view_class, id, {
        "data-phx-session": token, "data-phx-static": "", "data-phx-parent-id": scope.parent_id,
    }))


def resolve(view: type[LiveView] | str) -> type[LiveView]:
    """A view class from a class, "module:Class" or the "module.Class" key a token carries."""
    if isinstance(view, type) and issubclass(view, LiveView):
        return view
    if isinstance(view, str):
        module, _, name = view.partition(":") if ":" in view else view.rpartition(".")
        found: Any = importlib.import_module(module)
        for part in name.split("."):
            found = getattr(found, part, None)
        if isinstance(found, type) and issubclass(found, LiveView):
            return found
    raise TypeError(f"live_render expects a LiveView subclass or 'module:Class', got {view!r}")


environment().globals["live_render"] = live_render
