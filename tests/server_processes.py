"""liveui server processes for tests (not a test module): `python -m liveui run` on a free port."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECRET = "k" * 64
BOUND = 5.0 + 1.0  # a dead process's presences leave within expiry + heartbeat (docs/presence.md)
SLACK = 1.5  # for a busy machine's scheduling


def start(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str]:
    """`python -m liveui run examples.gallery:make_app ...` on a free port; (process, base URL)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "liveui", "run", "examples.gallery:make_app", "--port", "0", *args],
        cwd=REPO, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()  # type: ignore[union-attr]
        found = re.search(r"serving on (http://\S+)", line)
        if found:
            return process, found.group(1)
        if not line and process.poll() is not None:
            break
    process.kill()
    raise AssertionError(f"the server did not start: {process.stdout.read()}")  # type: ignore[union-attr]


def stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
