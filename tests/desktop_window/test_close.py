"""Closing a desktop window ends its views; `launch` returns when the last window is closed."""

from __future__ import annotations

import json
import subprocess
import sys

from liveui.testing.webview_wire import window_environment

from .conftest import REPO


def test_closing_a_window_ends_its_views_and_launch_returns_after_the_last() -> None:
    done = subprocess.run([sys.executable, "-m", "tests.desktop_window.two_windows"], cwd=REPO, env=window_environment(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"mounted": True, "a_ended_on_close": True, "b_alive_meanwhile": True,
                      "b_ended_on_close": True, "runtime_stopped": True}, done.stderr[-3000:]
