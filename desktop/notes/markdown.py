"""A small Markdown subset to HTML: headings, paragraphs, lists, quotes, code, emphasis, links.

Everything is escaped first; only the markup this module writes reaches the page.
"""

from __future__ import annotations

import re
from html import escape

from markupsafe import Markup

_INLINE = [
    (re.compile(r"`([^`]+)`"), r"<code>\1</code>"),
    (re.compile(r"\*\*(.+?)\*\*"), r"<strong>\1</strong>"),
    (re.compile(r"\*(.+?)\*"), r"<em>\1</em>"),
    (re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)"), r'<a href="\2">\1</a>'),
]


def inline(text: str) -> str:
    html = escape(text, quote=True)
    for pattern, replacement in _INLINE:
        html = pattern.sub(replacement, html)
    return html


def render(source: str) -> Markup:
    """The HTML of a note."""
    out: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    code: list[str] | None = None

    def flush() -> None:
        if paragraph:
            out.append(f"<p>{inline(' '.join(paragraph))}</p>")
            paragraph.clear()
        if items:
            out.append("<ul>" + "".join(f"<li>{inline(item)}</li>" for item in items) + "</ul>")
            items.clear()

    for line in source.splitlines():
        if code is not None:
            if line.startswith("```"):
                out.append(f"<pre><code>{escape(chr(10).join(code))}</code></pre>")
                code = None
            else:
                code.append(line)
        elif line.startswith("```"):
            flush()
            code = []
        elif heading := re.match(r"(#{1,6})\s+(.*)", line):
            flush()
            level = len(heading.group(1))
            out.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
        elif item := re.match(r"\s*[-*]\s+(.*)", line):
            if paragraph:
                flush()
            items.append(item.group(1))
        elif line.startswith(">"):
            flush()
            out.append(f"<blockquote>{inline(line[1:].strip())}</blockquote>")
        elif not line.strip():
            flush()
        else:
            if items:
                flush()
            paragraph.append(line.strip())
    if code is not None:
        out.append(f"<pre><code>{escape(chr(10).join(code))}</code></pre>")
    flush()
    return Markup("\n".join(out))
