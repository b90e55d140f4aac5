"""What `pip install liveui[...]` brings: the `test` extra holds only what testing one's own views
needs (resolved by pip, transitive dependencies included), and the wheel ships the demo gallery."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HEAVY = {"jupyterlab", "notebook", "jupyter-server", "pyinstaller", "playwright", "ipykernel", "pyqt6"}


def resolve(tmp_path: Path, requirement: str) -> set[str]:
    """The distributions pip would install into an empty environment for `requirement`."""
    report = tmp_path / "report.json"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--dry-run",
                    "--ignore-installed", "--report", str(report), requirement],
                   cwd=REPO, check=True, capture_output=True, timeout=300)
    return {item["metadata"]["name"].lower().replace("_", "-") for item in json.loads(report.read_text())["install"]}


def test_the_test_extra_pulls_no_jupyter_and_no_packagers(tmp_path):
    names = resolve(tmp_path, ".[test]")
    assert {"pytest", "pytest-asyncio", "beautifulsoup4", "liveui"} <= names
    assert not names & HEAVY, names & HEAVY


def test_the_wheel_ships_the_demo_gallery(tmp_path):
    source = tmp_path / "source"  # a copy: a build/ folder left in the checkout cannot leak into the wheel
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(
        ".*", "build", "node_modules", "*.egg-info", "__pycache__", "tests", "bench", "notebooks", "desktop"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--disable-pip-version-check", "--no-deps", ".",
                    "-w", str(tmp_path)], cwd=source, check=True, capture_output=True, timeout=300)
    [wheel] = tmp_path.glob("liveui-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in ("liveui_examples/gallery.py", "liveui_examples/counter.html.j2", "liveui_examples/assets/gallery.css",
                    "liveui/static/liveui.js", "liveui/templates/root.html.j2"):
        assert shipped in names
    assert not any(name.startswith(("examples/", "tests/")) for name in names)
    # the gallery as installed from the wheel (not the checkout) renders its pages
    installed = tmp_path / "installed"
    zipfile.ZipFile(wheel).extractall(installed)
    check = ("import asyncio, liveui, liveui_examples.gallery as gallery\n"
             "from liveui.page import render_container\n"
             f"assert liveui.__file__.startswith({str(installed)!r}) and gallery.__file__.startswith({str(installed)!r})\n"
             "page = asyncio.run(render_container(gallery.make_app('k'), 'http://demo/counter', {}, {}))\n"
             "print(page.status, 'id=\"count\"' in page.html)\n")
    done = subprocess.run([sys.executable, "-c", check], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(installed)})
    assert done.stdout.split() == ["200", "True"], done.stderr


def test_the_repository_stands_alone():
    """Code and docs point at docs/protocol.md, never at notes outside the repository."""
    skip = {".git", ".venv", "node_modules", "build", "__pycache__", ".pytest_cache"}
    offenders = []
    for folder, dirs, files in os.walk(REPO):
        dirs[:] = [d for d in dirs if d not in skip and not d.endswith(".egg-info")]
        for name in files:
            path = Path(folder, name)
            if path.suffix not in (".py", ".md", ".js", ".mjs", ".toml", ".j2", ".ipynb", ".txt", ".cfg") \
                    or path.parent.name == "static":
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            if "PROTOCOL" + ".md" in text or "../" + "shared" in text:
                offenders.append(str(path.relative_to(REPO)))
    assert offenders == []
    assert (REPO / "docs" / "protocol.md").is_file()
