"""`JS`: Phoenix.LiveView.JS commands with Python names, rendered into `phx-*` attributes.

    <button phx-click="{{ JS.push('delete', value={'id': row.id}).hide('#row-' ~ row.id) }}">

Each call appends one command and returns a new `JS`, so commands chain from the class
(`JS.show(...)`) or from an instance (`JS().show(...)`); a `JS` renders as the escaped JSON list
of `[kind, args]` pairs that Phoenix's own `JS` module encodes, which the official client runs.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from typing import Any

from markupsafe import Markup, escape

__all__ = ["JS"]

Selector = str | tuple[str, str] | Mapping[str, str] | None
Transition = str | tuple[str, str, str] | None
_SCOPES = ("inner", "closest", "document")


class _command:
    """A method usable on the class (starting from an empty `JS`) and on an instance."""

    def __init__(self, fn: Callable[..., JS]) -> None:
        self.fn = fn
        functools.update_wrapper(self, fn)  # type: ignore[arg-type]

    def __get__(self, obj: JS | None, cls: type[JS]) -> Callable[..., JS]:
        return functools.partial(self.fn, obj if obj is not None else cls())


class JS:
    """A chain of client commands (see the module docstring); `str(js)` is its JSON."""

    __slots__ = ("ops",)

    def __init__(self, ops: tuple[list[Any], ...] = ()) -> None:
        self.ops = tuple(ops)

    def _op(self, kind: str, **args: Any) -> JS:
        return JS((*self.ops, [kind, {k: v for k, v in args.items() if v is not None}]))

    @_command
    def push(self, event: str, *, value: Mapping[str, Any] | None = None, target: Any = None,
             loading: Selector = None, page_loading: bool | None = None) -> JS:
        """Push `event` to the server, with `value` merged over the element's `phx-value-*`;
        `target` a selector or a component's `myself`; `loading` the elements given the loading
        classes; `page_loading` to fire the page-loading events."""
        if value is not None and not isinstance(value, Mapping):
            raise TypeError(f"JS.push value expected to be a dict, got {value!r}")
        return self._op("push", event=event, value=dict(value) if value is not None else None,
                        target=_target(target), loading=_selector(loading), page_loading=page_loading)

    @_command
    def navigate(self, href: str, *, replace: bool = False) -> JS:
        """Navigate to another live view of the same live session (`push_navigate`)."""
        return self._op("navigate", href=href, replace=bool(replace))

    @_command
    def patch(self, href: str, *, replace: bool = False) -> JS:
        """Patch the current live view to `href` (`handle_params` runs)."""
        return self._op("patch", href=href, replace=bool(replace))

    @_command
    def show(self, to: Selector = None, *, transition: Transition = None, display: str | None = None,
             time: int | None = None, blocking: bool | None = None) -> JS:
        """Show elements (default the interacted one), with an optional transition."""
        return self._op("show", to=_selector(to), display=display, transition=_transition(transition),
                        time=time, blocking=blocking)

    @_command
    def hide(self, to: Selector = None, *, transition: Transition = None, time: int | None = None,
             blocking: bool | None = None) -> JS:
        """Hide elements, with an optional transition."""
        return self._op("hide", to=_selector(to), transition=_transition(transition), time=time, blocking=blocking)

    @_command
    def toggle(self, to: Selector = None, *, in_: Transition = None, out: Transition = None,
               display: str | None = None, time: int | None = None, blocking: bool | None = None) -> JS:
        """Show hidden elements, hide visible ones (`in_`/`out` transitions)."""
        return self._op("toggle", to=_selector(to), display=display, ins=_transition(in_), outs=_transition(out),
                        time=time, blocking=blocking)

    @_command
    def add_class(self, names: str, *, to: Selector = None, transition: Transition = None,
                  time: int | None = None, blocking: bool | None = None) -> JS:
        """Add classes (space separated); they stick across server patches."""
        return self._classes("add_class", names, to, transition, time, blocking)

    @_command
    def remove_class(self, names: str, *, to: Selector = None, transition: Transition = None,
                     time: int | None = None, blocking: bool | None = None) -> JS:
        """Remove classes."""
        return self._classes("remove_class", names, to, transition, time, blocking)

    @_command
    def toggle_class(self, names: str, *, to: Selector = None, transition: Transition = None,
                     time: int | None = None, blocking: bool | None = None) -> JS:
        """Add the classes an element lacks, remove those it has."""
        return self._classes("toggle_class", names, to, transition, time, blocking)

    def _classes(self, kind: str, names: str, to: Selector, transition: Transition, time: int | None,
                 blocking: bool | None) -> JS:
        return self._op(kind, to=_selector(to), names=names.split(), transition=_transition(transition),
                        time=time, blocking=blocking)

    @_command
    def transition(self, transition: str | tuple[str, str, str], *, to: Selector = None, time: int | None = None,
                   blocking: bool | None = None) -> JS:
        """Apply transition classes for `time` ms (200 by default), then take them off."""
        return self._op("transition", time=time, to=_selector(to), transition=_transition(transition),
                        blocking=blocking)

    @_command
    def set_attribute(self, attr: str | tuple[str, str], value: str | None = None, *, to: Selector = None) -> JS:
        """Set an attribute: `set_attribute(("aria-expanded", "true"))` or `set_attribute("open", "")`."""
        name, val = attr if isinstance(attr, tuple) else (attr, value)
        return self._op("set_attr", to=_selector(to), attr=[name, val])

    @_command
    def remove_attribute(self, attr: str, *, to: Selector = None) -> JS:
        """Remove an attribute."""
        return self._op("remove_attr", to=_selector(to), attr=attr)

    @_command
    def toggle_attribute(self, attr: tuple[str, str] | tuple[str, str, str], *, to: Selector = None) -> JS:
        """`(name, value)`: set it or remove it; `(name, a, b)`: switch between two values."""
        if not isinstance(attr, tuple) or len(attr) not in (2, 3):
            raise TypeError(f"JS.toggle_attribute expects (name, value) or (name, value1, value2), got {attr!r}")
        return self._op("toggle_attr", to=_selector(to), attr=list(attr))

    @_command
    def dispatch(self, event: str, *, to: Selector = None, detail: Mapping[str, Any] | None = None,
                 bubbles: bool | None = None, blocking: bool | None = None) -> JS:
        """Dispatch a DOM event (a CustomEvent with `detail`; "click" is a MouseEvent)."""
        if event == "click" and detail is not None:
            raise ValueError("click events cannot be dispatched with details (the browser rewrites them)")
        if bubbles is not None and not isinstance(bubbles, bool):
            raise TypeError(f"JS.dispatch bubbles expected to be a bool, got {bubbles!r}")
        return self._op("dispatch", event=event, to=_selector(to), bubbles=bubbles,
                        detail=dict(detail) if detail is not None else None, blocking=blocking or None)

    @_command
    def exec(self, attr: str, *, to: Selector = None) -> JS:
        """Run the commands stored in another attribute (`JS.exec("data-cancel", to="#modal")`)."""
        return self._op("exec", attr=attr, to=_selector(to))

    @_command
    def focus(self, to: Selector = None) -> JS:
        """Focus an element."""
        return self._op("focus", to=_selector(to))

    @_command
    def focus_first(self, to: Selector = None) -> JS:
        """Focus the first focusable element inside an element."""
        return self._op("focus_first", to=_selector(to))

    @_command
    def push_focus(self, to: Selector = None) -> JS:
        """Remember an element (default the interacted one) to focus it again with `pop_focus`."""
        return self._op("push_focus", to=_selector(to))

    @_command
    def pop_focus(self) -> JS:
        """Focus the element last remembered by `push_focus`."""
        return self._op("pop_focus")

    @_command
    def concat(self, other: JS) -> JS:
        """These commands followed by `other`'s."""
        return JS((*self.ops, *other.ops))

    def __add__(self, other: JS) -> JS:
        return self.concat(other)

    def __str__(self) -> str:
        return json.dumps(list(self.ops), separators=(",", ":"), sort_keys=True, ensure_ascii=False)

    def __html__(self) -> Markup:
        return escape(str(self))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, JS) and self.ops == other.ops

    def __hash__(self) -> int:
        return hash(str(self))

    def __bool__(self) -> bool:
        return bool(self.ops)

    def __repr__(self) -> str:
        return f"JS({str(self)})"


def _selector(to: Selector) -> Any:
    """A CSS selector, or a scoped one: `("inner", ".menu")`, `("closest", "tr")`."""
    if to is None or isinstance(to, str):
        return to
    if isinstance(to, tuple) and len(to) == 2 and to[0] in _SCOPES:
        return to[1] if to[0] == "document" else {to[0]: to[1]}
    if isinstance(to, Mapping) and len(to) == 1 and next(iter(to)) in _SCOPES:
        return dict(to)
    raise ValueError(f"invalid selector {to!r}: a CSS selector or (scope, selector) with scope one of {_SCOPES}")


def _target(target: Any) -> Any:
    """A component's `myself` (a cid, an int) or a selector."""
    if target is None or isinstance(target, (int, str)):
        return int(target) if isinstance(target, int) and not isinstance(target, bool) else target
    raise TypeError(f"JS.push target expected a selector or a component's myself, got {target!r}")


def _transition(transition: Transition) -> list[list[str]] | None:
    """"fade" → [["fade"], [], []]; ("ease-out", "opacity-0", "opacity-100") → three lists."""
    if transition is None:
        return None
    if isinstance(transition, str):
        return [transition.split(), [], []]
    if isinstance(transition, tuple) and len(transition) == 3 and all(isinstance(t, str) for t in transition):
        return [part.split() for part in transition]
    raise ValueError(f"a transition is a string of classes or a 3-tuple of them, got {transition!r}")
