"""Streams: large or endless collections the server does not keep (docs/protocol.md §8).

`socket.stream("songs", songs)` queues inserts; the next render sends only the queued items (in
a `phx-update="stream"` container, `{% for dom_id, song in streams.songs %}<li id="{{ dom_id }}">`)
with the stream's instructions (where to insert, limits, deletes, reset), and then forgets
them: the client's DOM is the only copy of a stream's items. A view that may reattach after a
reconnect (see reconnect.py) also keeps references to the items the client shows, to send them
again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from .attrdict import AttrDict

_MISSING = object()


def default_dom_id(name: str) -> Callable[[Any], str]:
    """`<name>-<id>`, from the item's `id` key or attribute."""

    def dom_id(item: Any) -> str:
        key = item.get("id", _MISSING) if isinstance(item, dict) else getattr(item, "id", _MISSING)
        if key is _MISSING or key is None:
            raise ValueError(
                f"stream {name!r}: the item {item!r} has no `id` key or attribute to make its DOM id from; "
                f"give it one, or configure one: socket.stream_configure({name!r}, dom_id=lambda item: ...)"
            )
        return f"{name}-{key}"

    return dom_id


class LiveStream:
    """One stream: its DOM ids, and what the next render tells the client to do."""

    __slots__ = ("name", "ref", "dom_id", "_inserts", "deletes", "reset", "shown")

    def __init__(self, name: str, ref: str, dom_id: Callable[[Any], str], keep: bool = False) -> None:
        self.name = name
        self.ref = ref
        self.dom_id = dom_id
        self._inserts: dict[str, tuple[Any, int, int | None, bool]] = {}
        self.deletes: list[str] = []
        self.reset = False
        # what the client shows, in its order (references, not copies), so that a view that
        # reattaches after a reconnect can send it again; None: nothing is kept
        self.shown: dict[str, Any] | None = {} if keep else None

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        """The items to render: `(dom_id, item)` for each insert queued since the last render."""
        return ((dom_id, insert[0]) for dom_id, insert in self._inserts.items())

    def __repr__(self) -> str:
        return f"<LiveStream {self.name} ref={self.ref} inserts={len(self._inserts)} deletes={len(self.deletes)}>"

    def insert(self, item: Any, at: int, limit: int | None, update_only: bool) -> None:
        dom_id = self.dom_id(item)
        self._inserts.pop(dom_id, None)  # one entry per DOM id: the latest insert wins
        self._inserts[dom_id] = (item, at, limit, update_only)

    def delete(self, dom_id: str) -> None:
        self._inserts.pop(dom_id, None)
        self.deletes.append(dom_id)

    def clear(self) -> None:
        """A reset: the client removes every item of the stream before this render's inserts."""
        self._inserts.clear()
        self.deletes.clear()
        self.reset = True

    def pending(self) -> bool:
        return bool(self._inserts or self.deletes or self.reset)

    def instructions(self) -> list[Any]:
        """The comprehension's `"stream"` value: `[ref, inserts, delete_ids]` (+ `true` on reset)."""
        inserts = [[dom_id, at, limit, update_only] for dom_id, (_, at, limit, update_only) in self._inserts.items()]
        out: list[Any] = [self.ref, inserts, list(self.deletes)]
        if self.reset:
            out.append(True)
        return out

    def sent(self) -> None:
        """After a render: forget the items and instructions it sent (keeping what the client
        then shows, if asked to)."""
        if self.shown is not None:
            self._follow()
        self._inserts = {}
        self.deletes = []
        self.reset = False

    def replay(self) -> None:
        """The client lost the stream (a reattach): the next render sends every shown item again."""
        if self.shown is not None:
            self._inserts = {dom_id: (item, -1, None, False) for dom_id, item in self.shown.items()}

    def _follow(self) -> None:
        """Apply this render's instructions to `shown` as the client applies them to its DOM:
        reset, deletes, then each insert at its place, trimmed to its limit."""
        shown = self.shown
        assert shown is not None
        if self.reset:
            shown.clear()
        for dom_id in self.deletes:
            shown.pop(dom_id, None)
        for dom_id, (item, at, limit, update_only) in self._inserts.items():
            if dom_id in shown or at == -1:
                if dom_id in shown or not update_only:
                    shown[dom_id] = item  # updated in place, or appended
            elif not update_only:
                order = list(shown.items())
                order.insert(at, (dom_id, item))
                shown.clear()
                shown.update(order)
            while limit is not None and len(shown) > abs(limit):
                del shown[next(iter(shown)) if limit < 0 else next(reversed(shown))]


class Streams(AttrDict):
    """The `streams` assign: a view's streams by name (`streams.songs` in templates)."""

    __slots__ = ()
    missing = "no stream {name!r}; streams are {known}: create it with socket.stream({name!r}, items)"
