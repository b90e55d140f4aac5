"""Command line: `python -m liveui demo [--port N] [--host H]` serves the demo gallery."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from .app import serve


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="liveui")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="serve the demo gallery")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "demo":
        repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        sys.path.insert(0, repo)
        try:
            from examples.gallery import make_app
        except ImportError as missing:
            parser.exit(1, f"the demo gallery lives in the source checkout (examples/): {missing}\n")
        serve(make_app(), port=args.port, address=args.host)


if __name__ == "__main__":
    main()
