"""The committed client bundles must be reproducible from js/ and its lock file.

Copies the JS sources to a temporary directory, installs exactly what the lock file
pins (`npm ci`), rebuilds, and compares bytes with each bundle in liveui/static/.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
JS = ROOT / "js"
STATIC = ROOT / "liveui" / "static"
BUNDLES = ("liveui.js", "liveui-desktop.js")


def _run(cmd: list[str], cwd: Path, timeout: float) -> None:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        pytest.fail(
            f"{' '.join(cmd)} failed with exit code {proc.returncode}\n"
            f"--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"
        )


def test_bundle_is_reproducible(tmp_path: Path) -> None:
    npm = shutil.which("npm")
    node = shutil.which("node")
    if npm is None or node is None:
        pytest.fail(
            "npm/node not found on PATH: the bundle check needs Node.js and npm "
            "(on Debian: apt-get install nodejs npm)"
        )
    for name in BUNDLES:
        assert (STATIC / name).is_file(), f"{STATIC / name} is missing: run `npm run build` in js/"

    work = tmp_path / "js"
    work.mkdir()
    for name in ("package.json", "package-lock.json", "build.mjs"):
        shutil.copy2(JS / name, work / name)
    shutil.copytree(JS / "src", work / "src")

    _run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], work, timeout=120)
    out = tmp_path / "static"
    _run([node, "build.mjs", str(out)], work, timeout=60)

    for name in BUNDLES:
        built = (out / name).read_bytes()
        committed = (STATIC / name).read_bytes()
        assert built == committed, (
            f"liveui/static/{name} ({len(committed)} bytes) differs from a fresh build "
            f"({len(built)} bytes): run `npm ci && npm run build` in js/ and commit the result"
        )
