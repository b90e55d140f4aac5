"""The committed client bundles must be reproducible from js/ and its lock file.

Copies the JS sources to a temporary directory, installs exactly what the lock file
pins (`npm ci`, once), rebuilds each bundle, and compares bytes with liveui/static/.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
JS = ROOT / "js"
STATIC = ROOT / "liveui" / "static"
BUNDLES = {  # build script -> committed output
    "build.mjs": "liveui.js",
    "build-widget.mjs": "liveui-widget.js",
}


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
def js_checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of js/ with the locked dependencies installed."""
    work = tmp_path_factory.mktemp("bundle") / "js"
    work.mkdir()
    for name in ("package.json", "package-lock.json", *BUNDLES):
        shutil.copy2(JS / name, work / name)
    shutil.copytree(JS / "src", work / "src")
    _run([_tool("npm"), "ci", "--no-audit", "--no-fund", "--loglevel=error"], work, timeout=120)
    return work


@pytest.mark.parametrize("script, bundle", BUNDLES.items())
def test_bundle_is_reproducible(js_checkout: Path, script: str, bundle: str) -> None:
    committed_path = STATIC / bundle
    assert committed_path.is_file(), f"{committed_path} is missing: run `npm run build` in js/"
    out = js_checkout.parent / bundle
    _run([_tool("node"), script, str(out)], js_checkout, timeout=60)

    built = out.read_bytes()
    committed = committed_path.read_bytes()
    assert built == committed, (
        f"liveui/static/{bundle} ({len(committed)} bytes) differs from a fresh build "
        f"({len(built)} bytes): run `npm ci && npm run build` in js/ and commit the result"
    )
