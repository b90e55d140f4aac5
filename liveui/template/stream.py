"""The render stream: what a compiled template yields, and the tracker it asks.

A compiled template is a generator. It yields `Static` strings (template text), dynamic
values (escaped `str`, or `SKIP` for a slot whose assigns did not change) and markers that
open and close nested nodes (`if` branches) and comprehensions (`for` loops). While it runs it
asks a `Tracker` whether a slot must be evaluated and whether a loop entry must be rendered:
the diff engine answers from what the client already holds; the dead render answers "yes".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from jinja2.runtime import Macro
from markupsafe import escape


class Static(str):
    """Template text: a piece of the statics of the node being rendered."""

    __slots__ = ()


class Open:
    """Opens a nested node (an `if` branch, a `for` else-branch) in the next dynamic slot.

    Instances are module constants of a compiled template, so identity is the fingerprint:
    the same marker always opens the same static shape.
    """

    __slots__ = ("where",)

    def __init__(self, where: str) -> None:
        self.where = where

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.where}>"


class OpenFor(Open):
    """Opens a comprehension (a `for` loop) in the next dynamic slot."""

    __slots__ = ()


class OpenElse(Open):
    """Turns the comprehension just opened into the node of its `else` branch (empty loop)."""

    __slots__ = ()


class _Marker:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


CLOSE = _Marker("CLOSE")
"""Closes the node or comprehension opened last."""

SKIP = _Marker("SKIP")
"""A dynamic slot that was not evaluated because none of the assigns it reads changed."""


class ComponentCall:
    """A stateful component placed in a slot (`{{ live_component(Cart, id="cart") }}`).

    A live render hands it to the diff engine, which gives it a cid; a dead render asks it for
    its HTML (`__html__`), rendering the component in place.
    """

    __slots__ = ("component", "id", "assigns")

    def __init__(self, component: type, id: Any, assigns: dict[str, Any]) -> None:
        self.component = component
        self.id = id
        self.assigns = assigns

    def __html__(self) -> str:
        from ..components import render_static

        return render_static(self)

    def __repr__(self) -> str:
        return f"<live_component {self.component.__name__} id={self.id!r}>"


def component_slot(marked: bool, value: Any) -> Any:
    """The value of a `{{ live_component(...) }}` slot: the call itself for a live render."""
    if marked and type(value) is ComponentCall:
        return value
    return escape(value)


class Tracker(Protocol):
    """What a rendering template asks while it runs (`context`: the Jinja2 context of the
    asking code, where a name that is not an assign may still be defined)."""

    def dirty(self, deps: frozenset[str], context: Any) -> bool:
        """Whether a slot reading these assigns must be evaluated."""

    def entry(self, item: Any, deps: frozenset[str] | None, loop: Any, context: Any) -> bool:
        """Start a loop entry for `item`; whether its body must be rendered."""

    def entries(self, items: Iterable[Any], deps: frozenset[str] | None, context: Any) -> Iterable[Any]:
        """The items of a plain loop whose entries must be rendered (each starts its entry)."""

    def source(self, items: Any) -> Any:
        """What a loop that asks `entry` per item iterates (the tracker may note a stream)."""


class RenderAll:
    """The tracker of a full render: every slot and every entry is rendered."""

    __slots__ = ()

    def dirty(self, deps: frozenset[str], context: Any) -> bool:
        return True

    def entry(self, item: Any, deps: frozenset[str] | None, loop: Any, context: Any) -> bool:
        return True

    def entries(self, items: Iterable[Any], deps: frozenset[str] | None, context: Any) -> Iterable[Any]:
        return items

    def source(self, items: Any) -> Any:
        return items


RENDER_ALL = RenderAll()
"""Also means "text only": a template rendered with it yields no markers (see `codegen`)."""


class Shadowed:
    """The tracker of a template included where some names are bound by the includer.

    A `{% set %}`, `{% with %}` or loop target may hide an assign of the same name, and the
    included template cannot know: slots and loop entries reading such a name are always
    rendered, everything else is asked of the includer's tracker.
    """

    __slots__ = ("tracker", "names")

    def __init__(self, tracker: Tracker, names: frozenset[str]) -> None:
        self.tracker = tracker
        self.names = names

    def dirty(self, deps: frozenset[str], context: Any) -> bool:
        return not deps.isdisjoint(self.names) or self.tracker.dirty(deps, context)

    def entry(self, item: Any, deps: frozenset[str] | None, loop: Any, context: Any) -> bool:
        return self.tracker.entry(item, self._unshadowed(deps), loop, context)

    def entries(self, items: Iterable[Any], deps: frozenset[str] | None, context: Any) -> Iterable[Any]:
        return self.tracker.entries(items, self._unshadowed(deps), context)

    def source(self, items: Any) -> Any:
        return self.tracker.source(items)

    def _unshadowed(self, deps: frozenset[str] | None) -> frozenset[str] | None:
        return None if deps is None or not deps.isdisjoint(self.names) else deps


class StreamMacro(Macro):
    """A macro of the template being rendered, called where its output is a whole slot.

    It binds its arguments like any Jinja2 macro, then streams its body into the caller's
    render as a nested node, so a change inside it sends only its changed slots.
    """

    def _invoke(self, arguments: list[Any], autoescape: bool) -> Iterator[Any]:  # type: ignore[override]
        return self._func(*arguments)


def to_html(stream: Any) -> str:
    """Concatenate a render stream into HTML (the dead render), dropping the markers."""
    return "".join(item for item in stream if isinstance(item, str))
