"""Desktop host: a liveui app in native windows, over pywebview's bridge (no TCP port).

`launch(Counter)` opens a window and blocks until the last window closes, like
`webview.start`; `open_window(...)` opens more. liveui's event loop runs on a background thread,
the GUI keeps the main thread. Needs the `desktop` extra (pywebview with Qt).
"""

from __future__ import annotations

import os
import sys
import threading
from importlib.util import find_spec
from urllib.parse import urlsplit

from ..app import App
from ..view import LiveView
from .dialogs import open_file, save_file
from .runtime import Runtime
from .window import DesktopWindow

__all__ = ["DesktopWindow", "as_app", "installed_gui", "launch", "no_display", "open_file", "open_window", "save_file"]

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


def installed_gui() -> str | None:
    """The pywebview backend installed here on Linux: "qt" (the `desktop` extra) or "gtk"; None
    elsewhere (pywebview's choice). pywebview itself tries GTK first and prints its traceback
    when GTK is missing, before it falls back to Qt."""
    if not sys.platform.startswith("linux"):
        return None
    if find_spec("qtpy") is not None and any(find_spec(qt) is not None for qt in ("PyQt6", "PyQt5", "PySide6")):
        return "qt"
    return "gtk" if find_spec("gi") is not None else None


def no_display() -> str | None:
    """Why no window can open here (a Linux session without a display), or None. A Qt platform
    that needs no display (`QT_QPA_PLATFORM=offscreen`, ...) counts as one."""
    env = os.environ
    if sys.platform.startswith("linux") and not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")) \
            and env.get("QT_QPA_PLATFORM", "xcb").startswith("xcb"):
        return "no display to open a window on ($DISPLAY and $WAYLAND_DISPLAY are not set; under SSH use -X, or run xvfb-run)"
    return None


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

    problem = no_display()
    if problem is not None:
        raise RuntimeError(problem)
    open_window(target, path, title=title, width=width, height=height, resizable=resizable)
    try:
        webview.start(debug=debug, gui=gui or installed_gui())
    finally:
        with _runtime_lock:
            runtime, _runtime = _runtime, None
        if runtime is not None:
            runtime.stop()
