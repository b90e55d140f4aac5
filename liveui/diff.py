"""The diff engine: a render stream folded against what the client holds into a wire diff.

The client keeps, per view, a tree of statics and dynamics; we keep its shape (`Print`s: which
template is at which slot, which loop entries exist and the data each was rendered from). A
render walks the template's stream once and emits only what the client lacks: changed slots,
statics of shapes it does not hold, and keyed comprehension entries that are new, changed or
moved (phoenix_live_view 1.2's `k`/`kc`/`km` format). See docs/protocol.md §4.
"""

from __future__ import annotations

import copy
import hashlib
import pickle
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from markupsafe import Markup

from .streams import LiveStream
from .template import Template
from .template.stream import CLOSE, SKIP, ComponentCall, Open, OpenElse, OpenFor, Static

_SLOT = [str(i) for i in range(1024)]
_MISSING = object()
_ATOMS = frozenset({str, int, float, bool, type(None), bytes, Markup})


@dataclass(slots=True)
class Print:
    """A node the client holds: its shape and the prints of its nested slots."""

    key: Any
    statics: tuple[str, ...]
    children: dict[int, Any] = field(default_factory=dict)


@dataclass(slots=True)
class EntryPrint:
    """One comprehension entry the client holds, with a copy of the data it came from."""

    pos: int
    state: Any
    children: dict[int, Any]


@dataclass(slots=True)
class CompPrint:
    """A comprehension the client holds: body statics and entries in client order."""

    key: Any
    statics: tuple[str, ...]
    entries: dict[Any, EntryPrint]


def _copy(printed: Any) -> Any:
    """A copy of a print tree that renders against it cannot reach (entries move in place)."""
    kind = type(printed)
    if kind is Print:
        return Print(printed.key, printed.statics, {k: _copy(v) for k, v in printed.children.items()})
    if kind is CompPrint:
        return CompPrint(printed.key, printed.statics, {k: _copy(v) for k, v in printed.entries.items()})
    return EntryPrint(printed.pos, printed.state, {k: _copy(v) for k, v in printed.children.items()})


class Digest:
    """A loop entry's data, compacted: equal to a value whose pickle has the same digest.

    Unequal values never digest alike (short of a collision); equal values that pickle
    differently (dicts in another order) compare unequal, which only re-renders the entry.
    """

    __slots__ = ("value",)
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, value: bytes) -> None:
        self.value = value

    @classmethod
    def of(cls, state: Any) -> Any:
        try:
            return cls(hashlib.blake2b(pickle.dumps(state, 5), digest_size=16).digest())
        except Exception:  # unpicklable: never equal, its entry always re-renders
            return _MISSING

    def __eq__(self, other: object) -> bool:
        digest = other if type(other) is Digest else Digest.of(other)
        return type(digest) is Digest and digest.value == self.value


_NO_CHILDREN: Mapping[int, Any] = MappingProxyType({})


def _compact(printed: Any) -> None:
    """Replace the data kept for each loop entry by its digest, all the way down (and share one
    empty mapping among the entries without nested nodes)."""
    if type(printed) is CompPrint:
        for entry in printed.entries.values():
            if not entry.children:
                entry.children = _NO_CHILDREN  # type: ignore[assignment]
            if type(entry.state) is not Digest:
                digest = Digest.of(entry.state)
                if type(digest) is Digest:  # an unpicklable one keeps its copy
                    entry.state = digest
            for child in entry.children.values():
                _compact(child)
    elif printed is not None:
        for child in printed.children.values():
            _compact(child)


class _Restart(Exception):
    """A shape the client holds changed under the same marker: render everything again."""


def snapshot(value: Any) -> Any:
    """A copy of `value` that later in-place mutations of it cannot reach (compared with ==)."""
    kind = type(value)
    if kind in _ATOMS:
        return value
    if kind is dict:
        return {k: snapshot(v) for k, v in value.items()}
    if kind is list:
        return [snapshot(v) for v in value]
    if kind is tuple:
        return tuple(snapshot(v) for v in value)
    try:
        return copy.deepcopy(value)
    except Exception:  # an uncopyable object: never equal, so its entry always re-renders
        return _MISSING


class _Node:
    """A node being rendered: collects statics, the wire diff and the new prints."""

    __slots__ = ("key", "prev", "same", "track", "slot", "out", "statics", "open_static", "children", "parent_slot")

    def __init__(self, key: Any, prev: Print | EntryPrint | None, same: bool, track: bool, parent_slot: int) -> None:
        self.key = key
        self.prev = prev
        self.same = same
        self.track = track
        self.slot = 0
        self.out: dict[str, Any] = {}
        self.statics: list[str] = []
        self.open_static = False
        self.children: dict[int, Any] = {}
        self.parent_slot = parent_slot

    def static(self, text: str) -> None:
        if self.open_static:
            self.statics[-1] += text
        else:
            self.statics.append(text)
            self.open_static = True

    def next_slot(self) -> int:
        if not self.open_static:
            self.statics.append("")
        self.open_static = False
        slot = self.slot
        self.slot = slot + 1
        return slot

    def prev_child(self, slot: int) -> Any:
        return self.prev.children.get(slot) if self.prev is not None else None

    def finish_statics(self) -> tuple[str, ...]:
        if not self.open_static:
            self.statics.append("")
        return tuple(self.statics)


class _Entry(_Node):
    """A loop entry being rendered (its `parent_slot` is its position in the loop)."""

    __slots__ = ("entry_key", "state")


class _Comp:
    """A comprehension being rendered."""

    __slots__ = ("key", "prev", "old", "same", "track", "parent_slot", "k", "entries", "statics", "moved",
                 "count", "deps", "outer_dirty", "stream")

    def __init__(self, key: Any, prev: CompPrint | None, same: bool, track: bool, parent_slot: int) -> None:
        self.key = key
        self.prev = prev
        self.old: dict[Any, EntryPrint] = prev.entries if prev is not None else {}
        self.same = same
        self.track = track
        self.parent_slot = parent_slot
        self.k: dict[str, Any] = {}
        self.entries: dict[Any, EntryPrint] = {}
        self.statics: tuple[str, ...] | None = None
        self.moved = False
        self.count = 0
        self.deps: Any = _MISSING
        self.outer_dirty = True
        self.stream: LiveStream | None = None

    def streams(self, items: Any) -> bool:
        """Whether this loop renders a stream: every entry is new, none is remembered."""
        if type(items) is not LiveStream:
            return False
        self.stream = items
        self.old = {}
        return True


def _slot(index: int) -> str:
    return _SLOT[index] if index < 1024 else str(index)


def _opened(marker: Open, parent: _Node, slot: int) -> _Node | _Comp:
    """The frame of what `marker` opens at `slot`: does the client hold that shape there already?"""
    prev = parent.prev_child(slot)
    if type(marker) is OpenFor:  # (a stream that never rendered an item has no statics yet)
        same = type(prev) is CompPrint and prev.key is marker and prev.statics is not None
        return _Comp(marker, prev if same else None, same, same and parent.track, slot)
    same = type(prev) is Print and prev.key is marker
    return _Node(marker, prev if same else None, same, same and parent.track, slot)


class Differ:
    """Renders templates for one view (or component) and remembers what its client holds.

    `cids` gives each component placed in a render its cid (the slot holds it); the render's
    placements are left in `placed`, in order, for the caller to update and render them.
    """

    __slots__ = ("prints", "cids", "placed", "_changed", "_keys", "_stack")

    def __init__(self, cids: Callable[[ComponentCall], int] | None = None) -> None:
        self.prints: Print | None = None
        self.cids = cids
        self.placed: list[tuple[int, ComponentCall]] = []
        self._changed: frozenset[str] | set[str] = frozenset()
        self._keys: Any = frozenset()
        self._stack: list[Any] = []

    def reset(self) -> None:
        """Forget what the client holds (a rejoin): the next render is full."""
        self.prints = None

    def compact(self) -> None:
        """Keep a digest of each loop entry's data instead of a copy (an idle view hibernates)."""
        _compact(self.prints)

    def adopt(self, other: Differ) -> None:
        """Render the next time as a diff against what `other`'s client holds (statics sharing)."""
        self.prints = _copy(other.prints) if other.prints is not None else None

    def render(self, template: Template, assigns: Mapping[str, Any], changed: Iterable[str] | None) -> dict[str, Any]:
        """The wire diff that brings the client from its current tree to this render.

        `changed` names the assigns changed since the last render (None: treat all as changed).
        The first render after construction or `reset()` is a full render with statics.
        """
        try:
            return self._render(template, assigns, changed, self.prints)
        except _Restart:
            return self._render(template, assigns, None, None)

    def _render(self, template: Template, assigns: Mapping[str, Any], changed: Iterable[str] | None,
                prev: Print | None) -> dict[str, Any]:
        same = prev is not None and prev.key is template
        self._changed = frozenset(changed) if changed is not None else frozenset()
        self._keys = assigns.keys()
        self.placed = []
        root = _Node(template, prev if same else None, same, same and changed is not None, -1)
        self._stack = [root]
        try:
            self._fold(template.stream(assigns, self))
        finally:
            self._stack = []
        statics = root.finish_statics()
        if same and statics != prev.statics:  # type: ignore[union-attr]
            raise _Restart
        if not same:
            root.out["s"] = list(statics)
        self.prints = Print(template, statics, root.children)
        return root.out

    # -- the Tracker protocol -----------------------------------------------------------

    def dirty(self, deps: frozenset[str], context: Any) -> bool:
        frame = self._stack[-1]
        if not frame.track or not deps.isdisjoint(self._changed):
            return True
        if deps <= self._keys:
            return False
        # A name that is no assign (an optional one, `{{ x }}` where x may be unset) is unchanged
        # while nothing defines it: assigning it later marks it changed. One the template's
        # context defines otherwise (a `set` of a template that extends this one) may change.
        keys = self._keys
        return any(name in context for name in deps if name not in keys)

    def entry(self, item: Any, deps: frozenset[str] | None, loop: Any, context: Any) -> bool:
        stack = self._stack
        comp = stack[-1]
        if type(comp) is _Entry:
            stack.pop()
            self._close_entry(comp)
            comp = stack[-1]
        if deps is not comp.deps:
            comp.deps = deps
            comp.outer_dirty = deps is None or not comp.track or self.dirty(deps, context)
        index = comp.count
        comp.count = index + 1
        state = item if loop is None else (item, loop.index0, loop.length)
        entry = self._start_entry(comp, item, state, index, comp.outer_dirty)
        if entry is None:
            return False
        stack.append(entry)
        return True

    def entries(self, items: Iterable[Any], deps: frozenset[str] | None, context: Any) -> Iterator[Any]:
        """The items of a plain loop (no `loop`, filter or else) whose entries must be rendered.

        The same decisions as `entry`, made in one tight loop: unchanged items never reach
        the template's loop body at all.
        """
        stack = self._stack
        comp = stack[-1]
        render_all = comp.streams(items) or deps is None or not comp.track or self.dirty(deps, context)
        for index, item in enumerate(items):
            entry = self._start_entry(comp, item, item, index, render_all)
            if entry is None:
                continue
            stack.append(entry)
            yield item
            if stack[-1] is entry:
                stack.pop()
                self._close_entry(entry)

    def source(self, items: Any) -> Any:
        """A loop asking `entry` per item iterates `items` (a stream renders all its entries)."""
        self._stack[-1].streams(items)  # a stream's entries are all new: none is compared
        return items

    def _start_entry(self, comp: _Comp, item: Any, state: Any, index: int, render_all: bool) -> _Entry | None:
        """Keep the client's entry for `item` when its data is unchanged (None), else open one."""
        key = item.get("id", _MISSING) if type(item) is dict else getattr(item, "id", _MISSING)
        if key is _MISSING or key is None:
            key = ("#", index)
        if key in comp.entries:
            key = ("dup", key, index)
        old = comp.old.get(key)
        if old is not None and not render_all and old.state == state:
            if old.pos != index:
                comp.k[_slot(index)] = old.pos
                comp.moved = True
                old.pos = index
            comp.entries[key] = old
            return None
        entry = _Entry(comp.key, old, old is not None, False, index)
        entry.entry_key = key
        entry.state = state
        return entry

    # -- folding the stream -------------------------------------------------------------

    def _fold(self, stream: Iterable[Any]) -> None:
        stack = self._stack
        for item in stream:
            kind = type(item)
            if kind is Static:
                stack[-1].static(item)
            elif item is SKIP:
                frame = stack[-1]
                slot = frame.next_slot()
                child = frame.prev_child(slot)
                if child is not None:
                    frame.children[slot] = child
            elif kind is Markup or kind is str:
                frame = stack[-1]
                frame.out[_slot(frame.slot)] = item
                frame.next_slot()
            elif kind is ComponentCall:
                if self.cids is None:
                    raise RuntimeError(f"{item!r} in a render without components (not a live view's)")
                frame = stack[-1]
                cid = self.cids(item)
                self.placed.append((cid, item))
                frame.out[_slot(frame.slot)] = cid
                frame.next_slot()
            elif kind is Open or kind is OpenFor:
                frame = stack[-1]
                stack.append(_opened(item, frame, frame.next_slot()))
            elif kind is OpenElse:
                comp = stack.pop()
                stack.append(_opened(item, stack[-1], comp.parent_slot))
            elif item is CLOSE:
                frame = stack.pop()
                if type(frame) is _Entry:
                    self._close_entry(frame)
                    frame = stack.pop()
                if type(frame) is _Comp:
                    self._close_comp(frame)
                else:
                    self._close_node(frame)
            else:
                raise TypeError(f"unexpected item in a render stream: {item!r}")

    def _close_node(self, node: _Node) -> None:
        statics = node.finish_statics()
        parent = self._stack[-1]
        if node.same:
            if statics != node.prev.statics:  # type: ignore[union-attr]
                raise _Restart
        else:
            node.out["s"] = list(statics)
        parent.children[node.parent_slot] = Print(node.key, statics, node.children)
        if node.out:
            parent.out[str(node.parent_slot)] = node.out

    def _close_entry(self, entry: _Entry) -> None:
        comp: _Comp = self._stack[-1]
        statics = entry.finish_statics()
        if comp.statics is None:
            comp.statics = statics
            if comp.prev is not None and statics != comp.prev.statics:
                raise _Restart
        elif statics != comp.statics:
            raise ValueError(
                f"the body of the loop at {comp.key.where} rendered a different shape for one item: "
                "every iteration of a `for` must have the same template text; move the varying "
                "part (e.g. an include with a computed name) into an `if` inside the loop"
            )
        index = entry.parent_slot
        if comp.stream is not None:  # sent once, never compared: nothing of it is kept
            comp.k[_slot(index)] = entry.out
            return
        comp.entries[entry.entry_key] = EntryPrint(index, snapshot(entry.state), entry.children)
        old = entry.prev
        if old is None:
            comp.k[_slot(index)] = entry.out
        elif old.pos != index:
            comp.k[_slot(index)] = [old.pos, entry.out] if entry.out else old.pos
            comp.moved = True
        elif entry.out:
            comp.k[_slot(index)] = entry.out

    def _close_comp(self, comp: _Comp) -> None:
        if comp.stream is not None:
            return self._close_stream(comp, comp.stream)
        parent = self._stack[-1]
        slot = str(comp.parent_slot)
        count = len(comp.entries)
        if not comp.same:
            if count == 0:
                parent.out[slot] = ""
                return
            comp.k["kc"] = count
            parent.out[slot] = {"s": list(comp.statics), "k": comp.k}  # type: ignore[arg-type]
        elif comp.k or count != len(comp.prev.entries):  # type: ignore[union-attr]
            comp.k["kc"] = count
            if comp.moved:
                comp.k["km"] = True
            parent.out[slot] = {"k": comp.k}
        statics = comp.statics if comp.statics is not None else comp.prev.statics  # type: ignore[union-attr]
        parent.children[comp.parent_slot] = CompPrint(comp.key, statics, comp.entries)

    def _close_stream(self, comp: _Comp, stream: LiveStream) -> None:
        """A stream's comprehension: this render's inserts as new entries, with the stream's
        instructions; the client empties its entries after patching, so nothing is kept here."""
        parent = self._stack[-1]
        count = len(comp.k)
        statics = comp.statics if comp.statics is not None else comp.prev.statics if comp.prev is not None else None
        if count or stream.pending():
            comp.k["kc"] = count
            out: dict[str, Any] = {"k": comp.k, "stream": stream.instructions()}
            if not comp.same:
                out["s"] = list(statics) if statics is not None else []
            parent.out[str(comp.parent_slot)] = out
        elif not comp.same:
            parent.out[str(comp.parent_slot)] = ""
        parent.children[comp.parent_slot] = CompPrint(comp.key, statics, {})  # type: ignore[arg-type]
