"""The packaging recipe (desktop/packaging/build.sh, PyInstaller, one folder) builds a Notes
executable that starts, shows its page and works with no Python environment around it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import REPO
from .support import DevTools, Xvfb, free_port


async def test_the_packaged_notes_app_starts_and_works(screen: Xvfb, tmp_path: Path) -> None:
    build = tmp_path / "build"
    try:
        built = subprocess.run([str(REPO / "desktop" / "packaging" / "build.sh"), sys.executable],
                               env={**os.environ, "BUILD_DIR": str(build)}, capture_output=True, text=True, timeout=600)
        assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-4000:]
        executable = build / "dist" / "liveui-notes" / "liveui-notes"
        assert executable.is_file()

        port = free_port()
        env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL_ENV"))}
        env.update(DISPLAY=screen.display, QT_QPA_PLATFORM="xcb", QTWEBENGINE_REMOTE_DEBUGGING=f"127.0.0.1:{port}",
                   QTWEBENGINE_CHROMIUM_FLAGS="--disable-gpu")
        if os.geteuid() == 0:
            env["QTWEBENGINE_DISABLE_SANDBOX"] = "1"
        with open(tmp_path / "notes.log", "w") as log:
            app = subprocess.Popen([str(executable)], cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
        devtools = DevTools(port)
        try:
            await devtools.attach()
            await devtools.wait_for("window.liveSocket && window.liveSocket.isConnected() && "
                                    "document.querySelector('.phx-connected #preview h1')?.textContent === 'Welcome to Notes'")
            await devtools.click("#new")
            await devtools.wait_for("document.querySelector('#preview').textContent.trim() === '' && "
                                    "document.querySelector('#title').textContent.trim() === 'Untitled'")
        finally:
            devtools.close()
            app.terminate()
            app.wait(10)
    finally:
        shutil.rmtree(build, ignore_errors=True)  # ~550 MB
