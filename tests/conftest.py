"""Suite-wide checks."""

from __future__ import annotations

import glob
import os
import tempfile
from collections.abc import Iterator

import pytest

from liveui.writers import TEMP_PREFIX


def _upload_temp_files() -> set[str]:
    return set(glob.glob(os.path.join(tempfile.gettempdir(), TEMP_PREFIX + "*")))


@pytest.fixture(scope="session", autouse=True)
def no_upload_temp_file_left() -> Iterator[None]:
    """Every upload temp file the suite's servers made is gone when the suite ends."""
    before = _upload_temp_files()
    yield
    left = _upload_temp_files() - before
    assert not left, f"upload temp files left behind by the test suite: {sorted(left)}"
