"""A thin DOM over BeautifulSoup (html.parser) for tests: CSS selection, text filters, clear errors.

`parse(html).one("button", "+")` finds the one `<button>` whose text contains "+", or raises an
`AssertionError` subclass that shows the selector, the filter and an excerpt of the HTML.
"""

from __future__ import annotations

import re
from typing import Union

from bs4 import BeautifulSoup, Tag

TextFilter = Union[str, "re.Pattern[str]", None]

EXCERPT = 600


class ElementNotFound(AssertionError):
    """No element matched a selector (and text filter) where one was expected."""


class MultipleElements(AssertionError):
    """Several elements matched a selector (and text filter) where exactly one was expected."""


class _Scope:
    """What a document and an element share: selection below them."""

    _tag: Tag

    def select(self, selector: str, text_filter: TextFilter = None) -> list[Node]:
        """Elements under this scope matching the CSS `selector` whose text passes `text_filter`."""
        return [Node(tag) for tag in self._tag.select(selector) if _passes(tag, text_filter)]

    def find_all(self, selector: str) -> list[Node]:
        """Elements under this scope matching the CSS `selector`, in document order."""
        return self.select(selector)

    def one(self, selector: str, text_filter: TextFilter = None) -> Node:
        """The single element matching; raises `ElementNotFound` or `MultipleElements` otherwise."""
        found = self.select(selector, text_filter)
        if len(found) == 1:
            return found[0]
        wanted = _describe(selector, text_filter)
        if not found:
            hint = ""
            if text_filter is not None:
                texts = [_short(Node(tag).text().strip(), 60) for tag in self._tag.select(selector)]
                hint = f"\nelements matching the selector alone have the texts: {texts[:10]!r}" if texts else ""
            raise ElementNotFound(f"no element matches {wanted}{hint}\nin:\n{_short(self._markup(), EXCERPT)}")
        shown = "\n".join(f"  {_short(node.outer_html(), 160)}" for node in found[:5])
        more = f"\n  … and {len(found) - 5} more" if len(found) > 5 else ""
        raise MultipleElements(f"{len(found)} elements match {wanted}, expected exactly one:\n{shown}{more}")

    def _markup(self) -> str:
        return str(self._tag)


class Document(_Scope):
    """A parsed HTML document or fragment (or the tree above a detached element)."""

    def __init__(self, root: Tag) -> None:
        self._tag = root

    def html(self) -> str:
        """The document serialized back to HTML."""
        return str(self._tag)

    def __repr__(self) -> str:
        return f"<Document {_short(self.html(), 80)!r}>"


class Node(_Scope):
    """One element; equal to another `Node` only when both wrap the same element."""

    def __init__(self, tag: Tag) -> None:
        self._tag = tag

    @property
    def tag(self) -> str:
        """The lower-case tag name."""
        return self._tag.name

    @property
    def attrs(self) -> dict[str, str]:
        """A copy of the attributes (names lower-cased by the parser, values as strings)."""
        return {name: _attr_text(value) for name, value in self._tag.attrs.items()}

    def get(self, name: str, default: str | None = None) -> str | None:
        """The attribute `name`, or `default` when absent."""
        value = self._tag.get(name)
        return default if value is None else _attr_text(value)

    def has(self, name: str) -> bool:
        """Whether the attribute `name` is present (boolean attributes have the value "")."""
        return self._tag.has_attr(name)

    def text(self) -> str:
        """The concatenated text of all descendants (like `textContent`)."""
        return self._tag.get_text()

    def outer_html(self) -> str:
        return str(self._tag)

    def inner_html(self) -> str:
        return self._tag.decode_contents()

    def closest(self, selector: str) -> Node | None:
        """This element or its nearest ancestor matching `selector` (like `Element.closest`)."""
        found = self._tag.css.closest(selector)
        return None if found is None else Node(found)

    def matches(self, selector: str) -> bool:
        return self._tag.css.match(selector)

    @property
    def parent(self) -> Node | None:
        """The parent element; None at the top of the document."""
        parent = self._tag.parent
        return None if parent is None or isinstance(parent, BeautifulSoup) else Node(parent)

    @property
    def document(self) -> Document:
        """The document this element belongs to (its topmost ancestor)."""
        top: Tag = self._tag
        while top.parent is not None:
            top = top.parent
        return Document(top)

    def descendants(self) -> list[Node]:
        """All descendant elements in document order."""
        return [Node(tag) for tag in self._tag.find_all(True)]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Node) and other._tag is self._tag

    def __hash__(self) -> int:
        return id(self._tag)

    def __repr__(self) -> str:
        return f"<Node {_short(self.outer_html(), 80)!r}>"


def parse(html: str) -> Document:
    """Parse `html` with Python's html.parser (no HTML5 tree fix-ups: close your `<option>`s)."""
    return Document(BeautifulSoup(html, "html.parser", multi_valued_attributes=None))


def _passes(tag: Tag, text_filter: TextFilter) -> bool:
    if text_filter is None:
        return True
    text = tag.get_text()
    if isinstance(text_filter, str):
        return text_filter in text
    return text_filter.search(text) is not None


def _describe(selector: str, text_filter: TextFilter) -> str:
    if text_filter is None:
        return f"selector {selector!r}"
    shown = text_filter if isinstance(text_filter, str) else f"/{text_filter.pattern}/"
    return f"selector {selector!r} with text filter {shown!r}"


def _attr_text(value: object) -> str:
    return " ".join(value) if isinstance(value, list) else str(value)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
