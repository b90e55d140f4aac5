"""docs/testing.md: its complete example runs as written, through the installed pytest plugin."""

from __future__ import annotations

import re
from pathlib import Path

pytest_plugins = ["pytester"]

DOCS = Path(__file__).resolve().parents[1] / "docs" / "testing.md"


def test_the_testing_page_example_passes(pytester):
    example = re.search(r"```python\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S).group(1)
    pytester.makepyfile(test_counter=example)
    pytester.makeini("[pytest]\nasyncio_mode = auto\n")
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)  # once over memory, once over a WebSocket
