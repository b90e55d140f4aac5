"""The dead render: the full HTML page of a live route, before (or without) JavaScript."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from . import lifecycle
from . import scope as render_scope
from .components import fill_static
from .container import markup, session_token
from .socket import Socket
from .tokens import random_id


@dataclass(slots=True)
class Page:
    """The outcome of a dead render: HTML, a redirect, or not found."""

    status: int
    html: str = ""
    location: str | None = None
    flash: dict[str, Any] | None = None
    title: Any = None


async def render_page(app: Any, url: str, session: dict[str, Any], flash: dict[str, Any], csrf: str,
                      view_id: str | None = None) -> Page:
    """Mount the view for `url` disconnected and render the page around its container (under
    `view_id` when given: a reload that rejoins the view still running with that id)."""
    page = await render_container(app, url, session, flash, view_id)
    if page.status == 200:
        page.html = app.render_layout(Markup(page.html), page.title, csrf)
    return page


async def render_container(app: Any, url: str, session: dict[str, Any], flash: dict[str, Any],
                           view_id: str | None = None) -> Page:
    """Mount the view for `url` disconnected and render its container alone (hosts that are not
    a browser page, such as a notebook cell, put it in their own page)."""
    match = app.router.match(url)
    if match is None:
        return Page(404, app.render_not_found(url))
    view_id = view_id or random_id()
    socket = Socket(view_id=view_id, connected=False, endpoint=app)
    if flash:
        socket.assign(flash=flash)
    view = match.route.view()
    mounted = await lifecycle.mount(view, match, lifecycle.session_for(match, session), socket)
    navigation = socket.navigation
    if navigation is not None:
        return Page(302, location=navigation.to, flash=socket.assigns["flash"] or None)
    if not mounted:
        return Page(403, app.render_not_found(url))
    user_session = {k: v for k, v in session.items() if k != "_id"}
    token = session_token(app, view_id, match.route.view, match.route.live_session.name, user_session)
    static_token = app.signer.sign("static", {"id": view_id, "flash": socket.assigns["flash"]})
    with render_scope.rendering(app, view_id, match.route.live_session.name, False) as scope:
        inner = await fill_static(view.template_for(socket.assigns, socket.render_fn).render(socket.assigns), scope)
    container = markup(type(view), view_id, {
        "data-phx-main": None, "data-phx-session": token, "data-phx-static": static_token,
    }, inner)
    return Page(200, container, title=socket.assigns.get("page_title"))
