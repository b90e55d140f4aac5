"""Nested live views: `{{ live_render(View, id="clock") }}` in a parent's template.

The child is its own view with its own channel: the parent renders only its container, with a
signed token naming the child's class, id, session and parent. Once the parent has joined, the
client joins every such container; the child mounts (no URL, no handle_params) and renders itself.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from . import scope as render_scope
from .container import markup, session_token
from .template import environment
from .view import LiveView, find_class


def live_render(view: type[LiveView] | str, id: str, session: dict[str, Any] | None = None) -> Markup:
    """The container of a nested live view (a class, or "module:Class"), mounted once connected."""
    scope = render_scope.current("live_render")
    view_class = resolve(view)
    token = session_token(scope.app, id, view_class, scope.live_session, dict(session or {}), scope.view_id)
    return Markup(markup(view_class, id, {
        "data-phx-session": token, "data-phx-static": "", "data-phx-parent-id": scope.view_id,
    }))


def resolve(view: type[LiveView] | str) -> type[LiveView]:
    """A view class from a class, "module:Class" or the "module.Class" key a token carries."""
    return find_class(view, LiveView, "live_render")


environment().globals["live_render"] = live_render
