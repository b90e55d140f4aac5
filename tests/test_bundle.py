"""The committed client bundles must be reproducible from js/ and its lock file.

Copies the JS sources to a temporary directory, installs exactly what the lock file
pins (`npm ci`), rebuilds once, and compares bytes with each bundle in liveui/static/.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
JS = ROOT / "js"
STATIC = ROOT / "liveui" / "static"
BUNDLES = ("liveui.js", "liveui-widget.js", "liveui-desktop.js")


def _run(cmd: list[str], cwd: Path, timeout: float) -> None:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        pytest.fail(
            f"{' '.join(cmd)} failed with exit code {proc.returncode}\n"
            f"--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"
        )


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} not found on PATH: the bundle check needs Node.js and npm "
                    "(on Debian: apt-get install nodejs npm)")
    return path


@pytest.fixture(scope="module")
def fresh_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundles built from a copy of js/ with the locked dependencies installed."""
    work = tmp_path_factory.mktemp("bundle") / "js"
    work.mkdir()
    for name in ("package.json", "package-lock.json", "build.mjs"):
        shutil.copy2(JS / name, work / name)
    shutil.copytree(JS / "src", work / "src")
    _run([_tool("npm"), "ci", "--no-audit", "--no-fund", "--loglevel=error"], work, timeout=120)
    out = work.parent / "static"
    _run([_tool("node"), "build.mjs", str(out)], work, timeout=60)
    return out


@pytest.mark.parametrize("bundle", BUNDLES)
def test_bundle_is_reproducible(fresh_build: Path, bundle: str) -> None:
    committed_path = STATIC / bundle
    assert committed_path.is_file(), f"{committed_path} is missing: run `npm run build` in js/"
    built = (fresh_build / bundle).read_bytes()
    committed = committed_path.read_bytes()
    assert built == committed, (
        f"liveui/static/{bundle} ({len(committed)} bytes) differs from a fresh build "
        f"({len(built)} bytes): run `npm ci && npm run build` in js/ and commit the result"
    )
