"""The element a live view lives in, and the signed session token the client joins it with
(docs/protocol.md §2.1, §2.3): one shape for main views (dead render) and nested ones (live_render)."""

from __future__ import annotations

from html import escape
from typing import Any

from .router import view_key
from .view import LiveView


def session_token(app: Any, view_id: str, view: type[LiveView], live_session: str, session: dict[str, Any],
                  parent: str | None = None) -> str:
    """The token a join presents: which view, bound to its id, with its session (and parent)."""
    data = {"id": view_id, "view": view_key(view), "live_session": live_session, "session": session}
    if parent is not None:
        data["parent"] = parent
    return app.signer.sign("session", data)


def markup(view: type[LiveView], view_id: str, attrs: dict[str, str | None], inner: str = "") -> str:
    """The view's container element (its `container` tag and attributes) around `inner`;
    a None value is a boolean attribute (`data-phx-main`)."""
    tag, own = view.container
    rendered = "".join(
        f" {escape(k)}" if v is None else f' {escape(k)}="{escape(str(v))}"' for k, v in {**attrs, **own}.items()
    )
    return f'<{tag} id="{escape(view_id)}"{rendered}>{inner}</{tag}>'
