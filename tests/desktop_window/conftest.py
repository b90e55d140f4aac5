"""Fixtures of the desktop tests: an Xvfb screen per module and desktop windows as processes
(`python -m liveui desktop ...`), each with its DevTools port; the system browser is a script
that records the URLs it is asked to open."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .support import Xvfb, free_port, stop_process

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def screen(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Xvfb]:
    xvfb = Xvfb(tmp_path_factory.mktemp("xvfb"))
    yield xvfb
    xvfb.stop()


class DesktopProcess:
    """One `python -m liveui desktop` process on the test screen."""

    def __init__(self, screen: Xvfb, target: str, directory: Path) -> None:
        self.port = free_port()
        self.opened = directory / "opened-urls.txt"
        browser = directory / "record-url"
        browser.write_text(f'#!/bin/sh\necho "$1" >> {self.opened}\n')
        browser.chmod(0o755)
        self.log = directory / "window.log"
        env = {
            **os.environ, "DISPLAY": screen.display, "QT_QPA_PLATFORM": "xcb",
            "QTWEBENGINE_REMOTE_DEBUGGING": f"127.0.0.1:{self.port}", "QTWEBENGINE_CHROMIUM_FLAGS": "--disable-gpu",
            "BROWSER": f"{browser} %s",
        }
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "liveui", "desktop", target, "--no-sandbox", "--gui", "qt",
                 "--width", "900", "--height", "700"],
                cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
            )

    def opened_urls(self) -> list[str]:
        return self.opened.read_text().split() if self.opened.exists() else []

    def stop(self) -> None:
        stop_process(self.process)


@pytest.fixture
def desktop(screen: Xvfb, tmp_path: Path) -> Iterator[Callable[[str], DesktopProcess]]:
    """`desktop("module:View")` opens a window on the test screen; all are closed after the test."""
    processes: list[DesktopProcess] = []

    def open_desktop(target: str) -> DesktopProcess:
        process = DesktopProcess(screen, target, tmp_path)
        processes.append(process)
        return process

    yield open_desktop
    for process in processes:
        process.stop()
