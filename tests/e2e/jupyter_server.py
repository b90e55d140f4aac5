"""A JupyterLab (or Notebook 7) server for the notebook tests: a subprocess on a free port with
its own token and Jupyter directories (nothing read from or written to ~/.jupyter), stopped by
its owner. Kernels it starts run this checkout's Python, with the repository on the path; liveui's
server extension (TCP_NODELAY on kernel WebSockets) is on unless `nodelay=False`."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0


def notebook(*cells: str) -> dict[str, Any]:
    """An nbformat 4 notebook of code cells, for the python3 kernel (so no kernel picker appears)."""
    return {
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "cells": [{"cell_type": "code", "id": f"cell-{i}", "metadata": {}, "execution_count": None,
                   "outputs": [], "source": source} for i, source in enumerate(cells)],
    }


class JupyterServer:
    """`jupyter lab` (app="jupyterlab") or `jupyter notebook` (app="notebook") serving a temp dir;
    the page exposes the app as `window.jupyterapp`, so tests run cells with its own commands."""

    APP_CLASS = {"jupyterlab": "LabApp", "notebook": "JupyterNotebookApp"}
    TREE = {"jupyterlab": "/lab/tree", "notebook": "/notebooks"}

    def __init__(self, app: str = "jupyterlab", *, nodelay: bool = True) -> None:
        self.app = app
        self.nodelay = nodelay
        self.token = secrets.token_hex(16)
        self.home = Path(tempfile.mkdtemp(prefix="liveui-jupyter-"))
        self.root = self.home / "notebooks"
        self.port: int | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.log = self.home / "server.log"
        self.runtime_dir = self.home / "jupyter_runtime_dir"  # kernels' connection files

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def write(self, name: str, content: dict[str, Any]) -> str:
        """Put a notebook in the served directory; returns its name."""
        (self.root / name).write_text(json.dumps(content), encoding="utf-8")
        return name

    def start(self) -> JupyterServer:
        self.root.mkdir()
        dirs = {name: self.home / name.lower() for name in (
            "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR",
            "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR")}
        for path in dirs.values():
            path.mkdir()
        # no "get notified about Jupyter news?" toast over the notebook
        settings = dirs["JUPYTERLAB_SETTINGS_DIR"] / "@jupyterlab" / "apputils-extension"
        settings.mkdir(parents=True)
        (settings / "notification.jupyterlab-settings").write_text(
            json.dumps({"fetchNews": "false", "checkForUpdates": False}), encoding="utf-8")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        env = {**os.environ, **{k: str(v) for k, v in dirs.items()},
               "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
        if self.nodelay:  # the config `pip install liveui[jupyter]` puts under etc/jupyter (an editable install does not)
            env["JUPYTER_CONFIG_PATH"] = str(REPO / "jupyter-config")
        command = [sys.executable, "-m", self.app, "--ip=127.0.0.1", f"--port={self.port}", "--no-browser",
                   "--allow-root", f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
                   "--ServerApp.port_retries=0", f"--{self.APP_CLASS[self.app]}.expose_app_in_browser=True"]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=self.root)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.app} exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/status?token={self.token}", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                pass
            time.sleep(0.1)  # polling a subprocess that has no other way to say it is ready
        self.stop()
        raise RuntimeError(f"{self.app} did not answer within {START_TIMEOUT} s:\n{self.log.read_text()[-3000:]}")

    def api(self, method: str, path: str) -> Any:
        """Call the server's REST API (e.g. to shut a kernel down)."""
        request = urllib.request.Request(f"{self.url}{path}?token={self.token}", method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def stop(self, timeout: float = 15.0) -> None:
        import shutil

        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        shutil.rmtree(self.home, ignore_errors=True)
