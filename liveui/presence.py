"""Presence, the Phoenix.Presence model: who is on a topic, kept by each process and replicated
to the others over its PubSub; changes reach the topic's subscribers as `presence_diff`.

A view's presences end with it (leave, crash, closed tab) and hide while its client is away (a
dropped connection the view waits on for its reconnect grace period). Over Redis every process sends a
heartbeat each `heartbeat` seconds; a process not heard from for `expiry` seconds (killed, cut
off) is dropped with its presences, so a dead process's users leave within expiry + heartbeat.
"""

from __future__ import annotations

import builtins
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

from . import pubsub as pubsub_module
from .pubsub import Broadcast, PubSub
from .refs import ViewRef

Metas = builtins.list[dict[str, Any]]


class Tracker:
    """The presences of one PubSub: this process's own (tracked by its views) and a replica of
    the other processes', each known by its node id."""

    def __init__(self, pubsub: PubSub) -> None:
        self.pubsub = pubsub
        self._lock = threading.RLock()
        self._state: dict[str, dict[str, dict[str, tuple[str, dict[str, Any]]]]] = {}  # topic > key > phx_ref
        self._own: dict[ViewRef, dict[tuple[str, str], str]] = {}
        self._hidden: dict[ViewRef, dict[tuple[str, str], dict[str, Any]]] = {}  # entries of views whose client is away
        self._vsn = 0
        self._nodes: dict[str, list[float]] = {}  # node -> [last vsn applied, last heard (monotonic)]
        self._asked: dict[str, float] = {}  # node -> when its state was last requested
        pubsub.node_handlers.append(self)

    # -- this process's presences -----------------------------------------------------------

    def track(self, ref: ViewRef, topic: str, key: str, meta: dict[str, Any]) -> str:
        _check(topic, key, meta)
        with self._lock:
            own = self._own.get(ref)
            if own is not None and (topic, key) in own:
                raise ValueError(f"presence {key!r} on {topic!r} is already tracked by this view: use update()")
            if not ref.alive:
                return ""
            entry = {**meta, "phx_ref": _new_ref()}
            self.pubsub.check(entry)
            if own is None:
                own = self._own[ref] = {}
                ref.on_close(self._ended)
                ref.on_away(self._away)
            own[(topic, key)] = entry["phx_ref"]
            self._show(ref, topic, key, entry)
        return entry["phx_ref"]

    def update(self, ref: ViewRef, topic: str, key: str, meta: dict[str, Any] | Callable[[dict[str, Any]], Any]) -> str:
        with self._lock:
            phx_ref = self._own.get(ref, {}).get((topic, key))
            if phx_ref is None:
                raise ValueError(f"presence {key!r} on {topic!r} is not tracked by this view: track() it first")
            hidden = self._hidden.get(ref)
            old = hidden[(topic, key)] if hidden is not None else self._state[topic][key][phx_ref][1]
            if callable(meta):
                meta = meta({k: v for k, v in old.items() if k not in ("phx_ref", "phx_ref_prev")})
            _check(topic, key, meta)  # type: ignore[arg-type]
            entry = {**meta, "phx_ref": _new_ref(), "phx_ref_prev": phx_ref}  # type: ignore[dict-item]
            self.pubsub.check(entry)
            self._own[ref][(topic, key)] = entry["phx_ref"]
            if hidden is not None:
                hidden[(topic, key)] = entry
            else:
                self._remove(topic, key, phx_ref)
                self._put(topic, key, self.pubsub.node, entry)
                self._announce(topic, {key: [entry]}, {key: [old]})
        return entry["phx_ref"]

    def untrack(self, ref: ViewRef, topic: str, key: str) -> None:
        with self._lock:
            phx_ref = self._own.get(ref, {}).pop((topic, key), None)
            if phx_ref is not None:
                self._hide(ref, topic, key, phx_ref)
                self._hidden.get(ref, {}).pop((topic, key), None)

    def _ended(self, ref: ViewRef) -> None:
        with self._lock:
            for (topic, key), phx_ref in self._own.pop(ref, {}).items():
                self._hide(ref, topic, key, phx_ref)
            self._hidden.pop(ref, None)

    def _away(self, ref: ViewRef, away: bool) -> None:
        """The view's client went: its presences leave (kept aside); it came back: they join again."""
        with self._lock:
            if away and ref not in self._hidden:
                hidden = self._hidden[ref] = {}
                for (topic, key), phx_ref in self._own.get(ref, {}).items():
                    hidden[(topic, key)] = self._remove(topic, key, phx_ref)
                    self._announce(topic, {}, {key: [hidden[(topic, key)]]})
            elif not away:
                for (topic, key), entry in self._hidden.pop(ref, {}).items():
                    self._put(topic, key, self.pubsub.node, entry)
                    self._announce(topic, {key: [entry]}, {})

    def _show(self, ref: ViewRef, topic: str, key: str, entry: dict[str, Any]) -> None:
        if ref in self._hidden:
            self._hidden[ref][(topic, key)] = entry
        else:
            self._put(topic, key, self.pubsub.node, entry)
            self._announce(topic, {key: [entry]}, {})

    def _hide(self, ref: ViewRef, topic: str, key: str, phx_ref: str) -> None:
        if ref not in self._hidden:
            self._announce(topic, {}, {key: [self._remove(topic, key, phx_ref)]})

    def list(self, topic: str) -> dict[str, dict[str, Metas]]:
        with self._lock:
            return {key: {"metas": [dict(meta) for _, meta in entries.values()]}
                    for key, entries in self._state.get(topic, {}).items()}

    def _announce(self, topic: str, joins: dict[str, Metas], leaves: dict[str, Metas]) -> None:
        """Tell this process's subscribers, then the other processes (under the lock: in order)."""
        self._vsn += 1
        self.pubsub.node_publish({"k": "p", "op": "d", "v": self._vsn, "topic": topic, "joins": joins, "leaves": leaves})
        self._dispatch(topic, joins, leaves)

    def _dispatch(self, topic: str, joins: dict[str, Metas], leaves: dict[str, Metas]) -> None:
        if joins or leaves:
            diff = {"joins": {k: {"metas": v} for k, v in joins.items()},
                    "leaves": {k: {"metas": v} for k, v in leaves.items()}}
            self.pubsub.local_broadcast(topic, Broadcast(topic, "presence_diff", diff))

    def _put(self, topic: str, key: str, node: str, entry: dict[str, Any]) -> None:
        self._state.setdefault(topic, {}).setdefault(key, {})[entry["phx_ref"]] = (node, entry)

    def _remove(self, topic: str, key: str, phx_ref: str) -> dict[str, Any]:
        keys = self._state[topic]
        entry = keys[key].pop(phx_ref)[1]
        if not keys[key]:
            del keys[key]
            if not keys:
                del self._state[topic]
        return entry

    # -- the other processes (NodeHandler) -------------------------------------------------

    def receive(self, data: dict[str, Any]) -> None:
        if data.get("k") != "p":
            return
        node, op, now = data["n"], data["op"], time.monotonic()
        with self._lock:
            known = self._nodes.get(node)
            if op == "d":
                if known is not None and data["v"] <= known[0]:
                    return
                if (known is None and data["v"] == 1) or (known is not None and data["v"] == known[0] + 1):
                    self._nodes[node] = [data["v"], now]
                    self._apply_delta(node, data["topic"], data["joins"], data["leaves"])
                else:
                    self._ask(node, now)
            elif op == "h":
                if known is not None and known[0] == data["v"]:
                    known[1] = now
                else:
                    self._ask(node, now)
            elif op == "s" and data.get("to") == self.pubsub.node:
                self._send_state()
            elif op == "f":
                self._nodes[node] = [data["v"], now]
                self._asked.pop(node, None)
                self._replace(node, data["state"])

    def tick(self) -> None:
        """Each heartbeat: say we are alive (with our version), drop the processes gone silent."""
        now = time.monotonic()
        with self._lock:
            self.pubsub.node_publish({"k": "p", "op": "h", "v": self._vsn})
            for node, (_, heard) in builtins.list(self._nodes.items()):
                if now - heard > self.pubsub.expiry:
                    self._drop_node(node)

    def reconnected(self) -> None:
        """Back from a Redis outage: announce ourselves now (the others ask for what they missed)."""
        with self._lock:
            self.pubsub.node_publish({"k": "p", "op": "h", "v": self._vsn})

    def _ask(self, node: str, now: float) -> None:
        if now - self._asked.get(node, -1e9) >= self.pubsub.heartbeat:
            self._asked[node] = now
            self.pubsub.node_publish({"k": "p", "op": "s", "to": node})

    def _send_state(self) -> None:
        state: dict[str, dict[str, Metas]] = {}
        for ref, own in self._own.items():
            if ref in self._hidden:
                continue
            for (topic, key), phx_ref in own.items():
                state.setdefault(topic, {}).setdefault(key, []).append(self._state[topic][key][phx_ref][1])
        self.pubsub.node_publish({"k": "p", "op": "f", "v": self._vsn, "state": state})

    def _apply_delta(self, node: str, topic: str, joins: dict[str, Metas], leaves: dict[str, Metas]) -> None:
        left: dict[str, Metas] = {}
        for key, metas in leaves.items():
            for meta in metas:
                if meta["phx_ref"] in self._state.get(topic, {}).get(key, {}):
                    left.setdefault(key, []).append(self._remove(topic, key, meta["phx_ref"]))
        for key, metas in joins.items():
            for meta in metas:
                self._put(topic, key, node, meta)
        self._dispatch(topic, joins, left)

    def _replace(self, node: str, state: dict[str, dict[str, Metas]]) -> None:
        """A process's whole state: apply the difference with what we knew of it."""
        had = self._entries_of(node)
        has = {(topic, key, meta["phx_ref"]): meta
               for topic, keys in state.items() for key, metas in keys.items() for meta in metas}
        changes: dict[str, tuple[dict[str, Metas], dict[str, Metas]]] = {}
        for (topic, key, phx_ref), meta in had.items():
            if (topic, key, phx_ref) not in has:
                changes.setdefault(topic, ({}, {}))[1].setdefault(key, []).append(self._remove(topic, key, phx_ref))
        for (topic, key, phx_ref), meta in has.items():
            if (topic, key, phx_ref) not in had:
                self._put(topic, key, node, meta)
                changes.setdefault(topic, ({}, {}))[0].setdefault(key, []).append(meta)
        for topic, (joins, leaves) in changes.items():
            self._dispatch(topic, joins, leaves)

    def _drop_node(self, node: str) -> None:
        self._nodes.pop(node, None)
        self._asked.pop(node, None)
        self._replace(node, {})

    def _entries_of(self, node: str) -> dict[tuple[str, str, str], dict[str, Any]]:
        return {(topic, key, phx_ref): meta
                for topic, keys in self._state.items() for key, entries in keys.items()
                for phx_ref, (owner, meta) in entries.items() if owner == node}


def tracker(pubsub: PubSub) -> Tracker:
    """The Tracker of `pubsub` (made on first use)."""
    with _trackers_lock:
        found = getattr(pubsub, "tracker", None)
        if found is None:
            found = pubsub.tracker = Tracker(pubsub)  # type: ignore[attr-defined]
        return found


_trackers_lock = threading.Lock()


def _of(socket: Any) -> tuple[Tracker, ViewRef]:
    ref = getattr(socket, "ref", None)
    if ref is None:
        raise RuntimeError("presence needs a connected view: track in mount when socket.connected")
    pubsub = getattr(getattr(socket, "endpoint", None), "pubsub", None)
    return tracker(pubsub if isinstance(pubsub, PubSub) else pubsub_module.current()), ref


def track(socket: Any, topic: str, key: str, meta: dict[str, Any]) -> str:
    """Mark this view present on `topic` as `key` with `meta` (a dict); returns its phx_ref.
    The presence ends when the view does (or with `untrack`)."""
    tracker_, ref = _of(socket)
    return tracker_.track(ref, topic, key, meta)


def update(socket: Any, topic: str, key: str, meta: dict[str, Any] | Callable[[dict[str, Any]], Any]) -> str:
    """Replace this view's meta for `key` on `topic` (a dict, or a function of the old meta)."""
    tracker_, ref = _of(socket)
    return tracker_.update(ref, topic, key, meta)


def untrack(socket: Any, topic: str, key: str) -> None:
    """This view is no longer present on `topic` as `key`."""
    tracker_, ref = _of(socket)
    tracker_.untrack(ref, topic, key)


def list(topic: str, pubsub: Any = None) -> dict[str, dict[str, Metas]]:
    """Who is on `topic`, in every process: `{key: {"metas": [meta, ...]}}` (one meta per view
    tracking that key). `pubsub` is a PubSub or a socket (default: the process's current one)."""
    if pubsub is not None and not isinstance(pubsub, PubSub):
        pubsub = getattr(getattr(pubsub, "endpoint", None), "pubsub", None)
    return tracker(pubsub if isinstance(pubsub, PubSub) else pubsub_module.current()).list(topic)


def _check(topic: Any, key: Any, meta: Any) -> None:
    if not isinstance(topic, str) or not topic:
        raise TypeError(f"a presence topic is a non-empty string, got {topic!r}")
    if not isinstance(key, str):
        raise TypeError(f"a presence key is a string (e.g. the user id as text), got {key!r}")
    if not isinstance(meta, dict):
        raise TypeError(f"presence meta is a dict, got {type(meta).__name__}")


def _new_ref() -> str:
    return secrets.token_urlsafe(6)
