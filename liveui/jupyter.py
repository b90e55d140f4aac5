"""Live views in Jupyter notebook cells: `show(Counter)`, or a `LiveOutput` as a cell's last expression.

The view runs in the kernel; the cell's output is an anywidget (liveui/transports/comm.py) whose
ES module runs the official LiveView client over the widget's custom messages. The output also
carries the view's HTML as `text/html`, for viewers without a kernel (nbconvert, GitHub): the
dead render, then what the view last showed (the client reports it once the view is quiet).
Needs the `jupyter` extra: `pip install liveui[jupyter]`.
"""

from __future__ import annotations

import asyncio
import re
import threading
import uuid
from html import escape
from typing import Any
from urllib.parse import urlencode, urlsplit

from .app import App
from .page import Page, render_container
from .transports.comm import LiveWidget
from .view import LiveView

MAX_REDIRECTS = 5
HEARTBEAT = 30.0  # seconds between a cell's heartbeats; the kernel ends a view whose cell went silent

_TOKENS = re.compile(r'\s(?:data-phx-session|data-phx-static)="[^"]*"')
_by_cell: dict[str, tuple[str, list[LiveOutput]]] = {}  # cell id -> (its execution, outputs)


def dead_render(app: App, url: str, session: dict[str, Any] | None = None,
                flash: dict[str, Any] | None = None) -> Page:
    """The dead render of `url` (its container alone), from synchronous code such as a cell.

    A cell runs inside the kernel's event loop, which cannot be re-entered: the render gets its
    own loop in a short-lived thread, joined before returning.
    """
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["page"] = asyncio.run(render_container(app, url, dict(session or {}), dict(flash or {})))
        except BaseException as error:  # re-raised in the caller's thread
            outcome["error"] = error

    thread = threading.Thread(target=run, name="liveui dead render")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["page"]


def _widget_html(app: App, page: Page) -> str:
    """What the widget starts the client on: a live view's container (then the app's styles), or
    a notice without tokens."""
    return page.html + app.cell_styles() if page.status == 200 else _TOKENS.sub("", page.html)


class LiveOutput:
    """A live view in a cell output; display it (or make it the cell's last expression)."""

    def __init__(self, app: App, url: str, *, session: dict[str, Any] | None = None) -> None:
        self.app = app
        self.session = dict(session or {})
        page, url = self._follow(url)
        self.url = url
        html = _widget_html(app, page)
        self.static_html = _TOKENS.sub("", html)
        self.widget = LiveWidget(app, html=html, url=url, heartbeat=HEARTBEAT)
        self.widget.on_static = self._show_static
        self.widget.on_render = self._render_again
        self.display_id = uuid.uuid4().hex

    def _follow(self, url: str) -> tuple[Page, str]:
        """Dead render `url`, following redirects to routes of the app as a browser would."""
        flash: dict[str, Any] | None = None
        for _ in range(MAX_REDIRECTS):
            page = dead_render(self.app, url, self.session, flash)
            if page.location is None:
                return page, url
            target = urlsplit(page.location)
            if target.netloc or self.app.router.match(page.location) is None:
                link = escape(page.location)
                return Page(302, f'<p class="liveui-notice">This view redirected to <a href="{link}" '
                                 f'target="_blank" rel="noopener">{link}</a></p>'), url
            url, flash = page.location, page.flash
        return Page(508, '<p class="liveui-notice">Too many redirects.</p>'), url

    def _render_again(self) -> str:
        """A new dead render for another copy of this output on the page (its own container id)."""
        return _widget_html(self.app, self._follow(self.url)[0])

    def close(self) -> None:
        """End the view (its terminate runs) and close the widget."""
        self.widget.close()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict[str, Any], dict[str, Any]]:
        data, metadata = self.widget._repr_mimebundle_()
        data["text/html"] = self.static_html
        return data, metadata

    def _ipython_display_(self) -> None:
        """Display the output under a display id, so that its static copy can follow the view."""
        from IPython.display import display

        data, metadata = self._repr_mimebundle_()
        display(data, metadata=metadata, raw=True, display_id=self.display_id)

    def _show_static(self, html: str) -> None:
        """A client reported what the view shows: the displayed output's text/html becomes that."""
        from IPython.display import update_display

        html = _TOKENS.sub("", html)
        if html != self.static_html:
            self.static_html = html
            data, metadata = self._repr_mimebundle_()
            update_display(data, metadata=metadata, raw=True, display_id=self.display_id)

    def __repr__(self) -> str:
        return f"<LiveOutput {self.url}>"


def show(view: type[LiveView] | App, path: str | None = None, params: dict[str, Any] | None = None,
         session: dict[str, Any] | None = None) -> LiveOutput:
    """A live view for this cell: `show(Counter)`, `show(View, params={"id": 3})`, or
    `show(app, "/items")` for an app whose routes the view may navigate between.

    `session` is what mount receives as its session. Re-running the cell ends the view it
    showed before.
    """
    if isinstance(view, App):
        app = view
    else:
        app = App(title=view.__name__)
        app.live(path or "/", view)
    url = (path or "/") + (("&" if "?" in (path or "") else "?") + urlencode(params, doseq=True) if params else "")
    output = LiveOutput(app, url, session=session)
    _replace_in_cell(output)
    return output


def _replace_in_cell(output: LiveOutput) -> None:
    """The cell re-ran: end the view it showed before (frontends send the cell's id)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    parent = getattr(getattr(shell, "kernel", None), "get_parent", lambda: None)() if shell is not None else None
    cell = ((parent or {}).get("metadata") or {}).get("cellId")
    if not cell:
        return
    execution = (parent.get("header") or {}).get("msg_id", "")
    previous, outputs = _by_cell.get(cell, (execution, []))
    if previous != execution:
        for old in outputs:
            old.close()
        outputs = []
    _by_cell[cell] = (execution, [*outputs, output])
