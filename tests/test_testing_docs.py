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


TUTORIAL = DOCS.parent / "tutorial.md"


def test_the_tutorial_files_work_as_written(pytester):
    """Every block of docs/tutorial.md titled with a file name, written out: its tests pass."""
    files = dict(re.findall(r'```\w+ title="([^"]+)"\n(.*?)```', TUTORIAL.read_text(encoding="utf-8"), re.S))
    assert set(files) == {"todos.py", "todos.html.j2", "test_todos.py", "pytest.ini"}
    for name, text in files.items():
        (pytester.path / name).write_text(text, encoding="utf-8")
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)  # the tutorial says so
