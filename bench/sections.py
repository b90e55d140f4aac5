"""bench/RESULTS.md holds the event benchmark (bench.run) and sections written by other
benchmarks (bench.uploads); each writer replaces its own part and keeps the others."""

from __future__ import annotations

import re
from pathlib import Path

_SECTION = re.compile(r"<!-- begin (\S+) -->\n.*?<!-- end \1 -->\n", re.S)


def sections(text: str) -> dict[str, str]:
    """The named sections of a results file, each with its markers."""
    return {match.group(1): match.group(0) for match in _SECTION.finditer(text)}


def write_main(path: Path, text: str) -> None:
    """Write the main results, keeping the named sections the file already holds."""
    old = path.read_text() if path.exists() else ""
    path.write_text(text.rstrip("\n") + "\n" + "".join("\n" + block for block in sections(old).values()))


def put_section(path: Path, name: str, text: str) -> None:
    """Replace (or append) the section `name` of a results file."""
    old = path.read_text() if path.exists() else ""
    block = f"<!-- begin {name} -->\n{text.rstrip(chr(10))}\n<!-- end {name} -->\n"
    current = sections(old).get(name)
    path.write_text(old.replace(current, block) if current else old.rstrip("\n") + "\n\n" + block)
