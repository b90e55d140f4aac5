"""Desktop host: a liveui app in native windows, over pywebview's bridge (no TCP port).

`launch(Counter)` opens a window and blocks until the last window closes, like
`webview.start`; `open_window(...)` opens more. liveui's event loop runs on a background thread,
the GUI keeps the main thread. Needs the `desktop` extra (pywebview with Qt).
"""

from __future__ import annotations

import threading
from urllib.parse import urlsplit

from ..app import App
from ..view import LiveView
from .dialogs import open_file, save_file
from .runtime import Runtime
from .window import DesktopWindow

__all__ = ["DesktopWindow", "as_app", "launch", "open_file", "open_window", "save_file"]

_runtime: Runtime | None = None
_runtime_lock = threading.Lock()


def as_app(target: App | type[LiveView], path: str = "/") -> App:
    """`target` itself when it is an App; a view class becomes a one-route app at `path`."""
    if isinstance(target, App):
        return target
    if isinstance(target, type) and issubclass(target, LiveView):
        app = App(title=target.__name__)
        app.live(urlsplit(path).path or "/", target)
        return app
    raise TypeError(f"expected a liveui App or LiveView class, got {target!r}")


def _shared_runtime() -> Runtime:
    global _runtime
    with _runtime_lock:
        if _runtime is None:
            _runtime = Runtime()
        return _runtime


def open_window(target: App | type[LiveView], path: str = "/", *, title: str | None = None, width: int = 1000,
                height: int = 750, resizable: bool = True) -> DesktopWindow:
    """Open a window on `target` (an App or a LiveView class) at `path`; before or during `launch`.

    `title` shows until the page is loaded; then the window's title follows the page's.
    """
    app = as_app(target, path)
    return DesktopWindow(app, _shared_runtime(), path, title=title or app.title, width=width, height=height,
                         resizable=resizable)


def launch(target: App | type[LiveView], path: str = "/", *, title: str | None = None, width: int = 1000,
           height: int = 750, resizable: bool = True, debug: bool = False, gui: str | None = None) -> None:
    """Open a window on `target` and run the GUI until every window is closed (main thread only)."""
    global _runtime
    import webview

    open_window(target, path, title=title, width=width, height=height, resizable=resizable)
    try:
        webview.start(debug=debug, gui=gui)
    finally:
        with _runtime_lock:
            runtime, _runtime = _runtime, None
        if runtime is not None:
            runtime.stop()
