"""Command line: `python -m liveui run module:app [--reload] [--workers N]` serves an app;
`python -m liveui demo [--port N] [--host H]` serves the demo gallery;
`python -m liveui desktop module:View` (or `module:app`) opens it in a native window."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from typing import Any

from .app import App, serve


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="liveui")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="serve an app (module:app or module:make_app, from the current directory)")
    run.add_argument("target", help="module:app or module:make_app")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    run.add_argument("--reload", action="store_true",
                     help="development: restart on Python edits, re-render on template edits (implies --debug)")
    run.add_argument("--reload-dir", action="append", default=[], help="a folder to watch (default: the current one)")
    run.add_argument("--debug", action="store_true", help="error pages with tracebacks, events logged at INFO")
    run.add_argument("--workers", type=int, default=1, help="server processes sharing the port (see docs/scaling.md)")
    demo = commands.add_parser("demo", help="serve the demo gallery")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--host", default="127.0.0.1")
    desktop = commands.add_parser("desktop", help="open a view or app in a native window")
    desktop.add_argument("target", help="module:View, module:app or module:make_app (from the current directory)")
    desktop.add_argument("--path", default="/", help="the page to open first")
    desktop.add_argument("--title")
    desktop.add_argument("--width", type=int, default=1000)
    desktop.add_argument("--height", type=int, default=750)
    desktop.add_argument("--debug", action="store_true", help="with the web inspector")
    desktop.add_argument("--gui", help="pywebview backend (qt, gtk); default: pywebview's choice")
    desktop.add_argument("--no-sandbox", action="store_true",
                         help="run QtWebEngine without its sandbox (required as root)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "run":
        if args.reload:
            if args.workers != 1:
                parser.error("--reload runs one server process: leave out --workers")
            from .reload import supervise

            supervise(args.target, args.host, args.port, args.reload_dir or ["."])
            return
        from .reload import LISTEN_FDS, serve_app
        from .workers import WorkersRefused, run as run_workers

        app = load_target(parser, args.target)
        if not isinstance(app, App):
            parser.exit(1, f"{args.target} is a {type(app).__name__}, not a liveui.App\n")
        app.debug = app.debug or args.debug
        if os.environ.get(LISTEN_FDS):  # the server process of `run --reload`: on its supervisor's socket
            serve_app(app, args.host, args.port)
            return
        try:
            run_workers(app, host=args.host, port=args.port, workers=args.workers)
        except WorkersRefused as refused:
            parser.exit(2, f"liveui: {refused}\n")
    elif args.command == "demo":
        from liveui_examples.gallery import make_app  # examples/, installed with liveui

        serve(make_app(), port=args.port, address=args.host)
    elif args.command == "desktop":
        if args.no_sandbox:
            os.environ["QTWEBENGINE_DISABLE_SANDBOX"] = "1"
        elif os.geteuid() == 0 and not os.environ.get("QTWEBENGINE_DISABLE_SANDBOX"):
            print("liveui: as root, QtWebEngine needs --no-sandbox (or QTWEBENGINE_DISABLE_SANDBOX=1)", file=sys.stderr)
        from .desktop import launch, no_display

        target = load_target(parser, args.target)
        if no_display() is not None:
            parser.exit(1, f"liveui: {no_display()}\n")
        launch(target, args.path, title=args.title, width=args.width, height=args.height,
               debug=args.debug, gui=args.gui)


def load_target(parser: argparse.ArgumentParser, spec: str) -> Any:
    """The object named by `module:attribute` (a function is called to make it), from the current directory."""
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        parser.error(f"expected module:View or module:app, got {spec!r}")
    sys.path.insert(0, os.getcwd())
    try:
        target = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as missing:
        parser.exit(1, f"cannot load {spec}: {missing}\n")
    return target() if callable(target) and not isinstance(target, type) else target


if __name__ == "__main__":
    main()
