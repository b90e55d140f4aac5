"""phoenix_live_view's own `Rendered` (npm 1.2.12) in a Node process, for the tests that use the
official client as the judge of our diffs (tests/js/rendered_harness.mjs answers JSON lines)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
HARNESS = ROOT / "tests" / "js" / "rendered_harness.mjs"
CLIENT_VERSION = "1.2.12"
RENDERED_JS = ROOT / "js" / "node_modules" / "phoenix_live_view" / "assets" / "js" / "phoenix_live_view" / "rendered.js"


class Harness:
    """The Node process: one view at a time, one message per round trip."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc

    def ask(self, message: Any) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(message) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            stderr = self.proc.stderr.read() if self.proc.stderr else ""
            pytest.fail(f"the client harness exited (code {self.proc.poll()}):\n{stderr}")
        return json.loads(line)


@contextmanager
def running() -> Iterator[Harness]:
    """Start the harness (checking node and the client's version), stop it afterwards."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node not found on PATH: these tests need Node.js (on Debian: apt-get install nodejs)")
    if not RENDERED_JS.is_file():
        pytest.fail(f"{RENDERED_JS} is missing: install the official client with `cd {ROOT / 'js'} && npm ci`")
    proc = subprocess.Popen(
        [node, str(HARNESS)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        harness = Harness(proc)
        reply = harness.ask("reset")
        assert reply.get("version") == CLIENT_VERSION, f"phoenix_live_view in js/ is not {CLIENT_VERSION}: run `npm ci`"
        yield harness
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
