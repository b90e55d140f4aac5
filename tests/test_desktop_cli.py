"""`python -m liveui desktop TARGET`: what TARGET may name, and the errors when it names nothing
(the window itself is opened in tests/desktop_window)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import liveui
from examples.counter import Counter
from liveui.desktop import as_app

REPO = Path(__file__).resolve().parents[1]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "liveui", "desktop", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=60)


def test_a_target_that_names_nothing_is_refused_before_any_window() -> None:
    missing = run_cli("examples.nothing_here:View", "--no-sandbox")
    assert missing.returncode == 1 and "cannot load examples.nothing_here:View" in missing.stderr
    no_attribute = run_cli("examples.counter:Nope", "--no-sandbox")
    assert no_attribute.returncode == 1 and "cannot load examples.counter:Nope" in no_attribute.stderr
    no_colon = run_cli("examples.counter", "--no-sandbox")
    assert no_colon.returncode == 2 and "expected module:View or module:app" in no_colon.stderr


def test_a_view_class_becomes_a_one_route_app_and_an_app_stays_itself() -> None:
    app = as_app(Counter, "/count?x=1")
    assert app.router.match("http://liveui.desktop/count").route.view is Counter
    assert app.router.match("http://liveui.desktop/") is None
    own = liveui.App()
    assert as_app(own) is own
    with pytest.raises(TypeError):
        as_app(object())  # type: ignore[arg-type]


def test_without_a_display_the_command_says_so_in_one_line() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run([sys.executable, "-m", "liveui", "desktop", "examples.counter:Counter", "--no-sandbox"],
                            cwd=REPO, capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("liveui: no display"), result.stderr


def test_the_installed_backend_is_chosen_so_pywebview_does_not_try_gtk_first(monkeypatch) -> None:
    import liveui.desktop as desktop

    found = {"qtpy", "PyQt6"}
    monkeypatch.setattr(desktop, "find_spec", lambda name: object() if name in found else None)
    assert desktop.installed_gui() == "qt"  # Qt without GTK: pywebview would print GTK's tracebacks first
    found = {"gi"}
    assert desktop.installed_gui() == "gtk"
    found = set()
    assert desktop.installed_gui() is None
