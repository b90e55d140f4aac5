"""The client's copy of a view's rendered tree: what phoenix_live_view 1.2.12 does with diffs.

The Python test client keeps one `Rendered` per view, built from the join reply's `rendered`
and fed every later diff, and reads the view's HTML from it. It follows docs/protocol.md §4 (merge
§4.3, render §4.4, components §4.6, keyed comprehensions §4.7.2, templates §4.7.3, streams
§8.2) with the 1.2.12 client's behaviour as the reference, checked diff by diff against the
real client in tests/test_testing_rendered.py.

Like the client, the tree is rendered once after the join and after every non-empty diff: the
render is part of the client's state machine (it resolves integer statics through `"p"` and
stores the arrays back, and it empties stream comprehensions once their items are rendered).
`to_html()` returns the HTML of that last render, so it can be called any number of times;
`page_html()` the same with each stream showing what its DOM holds (see below).

What the HTML contains, compared with the client's `toString` output:

* Components are always rendered in full, with `data-phx-component="<cid>"` injected after
  the tag name of their root tag (when the component node has the root flag `"r"`, as the
  client does). The client's other injected attributes are not produced: `data-phx-id`
  (magic ids of root-flagged nodes), `data-phx-view`, and the `data-phx-skip` placeholders of
  its skip optimisation (components not in the diff, unchanged root-flagged nodes), which
  stand for "keep the DOM as it is": here the content is rendered instead.
* Streams: in `to_html()` a stream comprehension renders the items inserted by the diff just
  merged, then forgets them, as the client's `Rendered` does. `page_html()` models what the
  client's DOM patch does with them (§8.2): each stream keeps its items, by DOM id, across
  renders: reset, deletes, updates in place, inserts at `at`, `limit`, `update_only`.
* Where the client would throw (a move without `"km"`, a missing component, an integer `"s"`
  with no template, a root-flagged node that does not start with a tag), `DiffError` is
  raised. Where it would silently print JavaScript values (a missing dynamic as `undefined`,
  `null`, `true`), `DiffError` is raised too: those are server bugs a test should see.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

__all__ = ["DiffError", "Rendered", "extract"]

Node = dict[str, Any]

# The start of a root-flagged node's HTML: optional whitespace and comments, then a tag name.
_COMPONENT_ATTR = re.compile(r'\sdata-phx-component="(\d+)"')
_ROOT_TAG = re.compile(r"^(\s*(?:<!--.*?-->\s*)*)<([^\s/>]+)")


class DiffError(ValueError):
    """A diff the official client cannot merge or render (or would render as garbage)."""


def extract(diff: dict[str, Any]) -> tuple[dict[str, Any], Any, list[Any], str | None]:
    """Split the top-level reply `"r"`, events `"e"` and title `"t"` off a diff (§4.2).

    Returns (the diff without them, the reply or None, the events list, the title or None).
    The diff given is not modified. As in the client, a falsy reply (0, "", false) is None.
    """
    rest = {key: value for key, value in diff.items() if key not in ("r", "e", "t")}
    reply = diff.get("r")
    events = diff.get("e")
    return rest, reply if _truthy(reply) else None, events if _truthy(events) else [], diff.get("t")


class Rendered:
    """The client's copy of one view's rendered tree."""

    def __init__(self, view_id: str, rendered: dict[str, Any]) -> None:
        """`rendered`: the join reply's `"rendered"`, after `extract`."""
        self.view_id = view_id
        self.tree: Node = {}
        self.streams: dict[str, list[tuple[str, str]]] = {}  # a stream's items as its DOM holds them
        self._html = ""
        self._page = ""
        self._apply(rendered)

    def merge(self, diff: dict[str, Any]) -> None:
        """Merge a later diff (after `extract`) and render. An empty diff changes nothing."""
        if diff:
            self._apply(diff)

    def to_html(self) -> str:
        """The view's inner HTML as the client's `Rendered` renders it after the last join or diff
        (a stream shows the items of that diff only)."""
        return self._html

    def page_html(self) -> str:
        """The view's inner HTML as its page shows it: streams hold every item their DOM kept."""
        return self._page

    def component_cids(self) -> list[int]:
        """The ids of the components the client holds, ascending."""
        return sorted(int(cid) for cid in self.tree.get("c", {}))

    def orphan_cids(self) -> list[int]:
        """Components the client holds that its page no longer shows."""
        shown = {int(cid) for cid in _COMPONENT_ATTR.findall(self._page)}
        return [cid for cid in self.component_cids() if cid not in shown]

    def prune(self, cids: list[int]) -> None:
        """Forget components the server freed."""
        components = self.tree.get("c", {})
        for cid in cids:
            components.pop(str(cid), None)

    def _apply(self, diff: dict[str, Any]) -> None:
        diff = _wire(diff)
        new_components = diff.pop("c", None)
        self.tree = _merge(self.tree, diff)
        components = self.tree.setdefault("c", {})
        if new_components:
            components.update(_resolve_components(new_components, components))
        marked = _Renderer(components, self.streams).node(self.tree, None, None)
        self._html = _STREAM_SEGMENT.sub(lambda found: found.group(2), marked)
        self._page = _STREAM_SEGMENT.sub(lambda found: "".join(h for _, h in self.streams.get(found.group(1), [])), marked)


# -- merging ------------------------------------------------------------------------------


def _wire(value: Any) -> Any:
    """A private copy of `value` as it arrives over the wire (string keys, lists, no aliasing)."""
    return json.loads(json.dumps(value))


def _truthy(value: Any) -> bool:
    """JavaScript truthiness: objects and arrays are true even when empty."""
    if value is None or value is False or value == "":
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value != 0
    return True


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _merge(target: Node, source: Node) -> Node:
    """A node merged with its diff: the diff itself when it has statics (a new template)."""
    if "s" in source:
        return source
    _merge_into(target, source)
    return target


def _merge_into(target: Node, source: Node) -> None:
    """Merge `source` into `target` in place: nested diffs without statics recurse, the rest replaces."""
    if _truthy(source.get("k")):
        _merge_keyed(target, source)
        return
    for key, value in source.items():
        old = target.get(key)
        if isinstance(value, dict) and "s" not in value and isinstance(old, dict):
            _merge_into(old, value)
        else:
            target[key] = value


def _merge_keyed(target: Node, source: Node) -> None:
    """Merge a keyed comprehension diff (§4.7.2): entries by position, moves read the old entries."""
    keyed = source["k"]
    entries = target.get("k")
    if not isinstance(entries, dict):
        raise DiffError(f"a keyed diff for a node that is not a keyed comprehension: {json.dumps(source)[:200]}")
    before = copy.deepcopy(entries) if _truthy(keyed.get("km")) else None

    def moved(old_position: Any) -> Node:
        if before is None:
            raise DiffError(f'a keyed move without "km" (the 1.2.12 client throws): {json.dumps(keyed)[:200]}')
        entry = before.get(str(old_position))
        if not isinstance(entry, dict):
            raise DiffError(f"a keyed move from position {old_position}, which holds no entry")
        return entry

    for position, entry in keyed.items():
        if position in ("kc", "km"):
            continue
        if isinstance(entry, list):  # [old position, diff]: moved, then merged
            old_position, entry_diff = entry
            entries[position] = moved(old_position)
            _merge_into(entries[position], entry_diff)
        elif _is_number(entry):  # moved unchanged
            entries[position] = moved(entry)
        elif isinstance(entry, dict):  # merged in place, or new (then complete)
            if not _truthy(entries.get(position)):
                entries[position] = {}
            _merge_into(entries[position], entry)
        else:
            raise DiffError(f"keyed entry {position} is neither a diff nor a move: {entry!r}")

    count, old_count = keyed.get("kc"), entries.get("kc")
    if _is_number(count) and _is_number(old_count) and count < old_count:
        for position in range(int(count), int(old_count)):
            entries.pop(str(position), None)
    entries["kc"] = count
    for key in ("stream", "p"):
        if _truthy(source.get(key)):
            target[key] = source[key]


def _is_cid(value: Any) -> bool:
    """A component id as the client tests it: a number or a string of digits."""
    return _is_number(value) or (isinstance(value, str) and re.fullmatch(r"0|[1-9]\d*", value) is not None)


def _resolve_components(new: dict[str, Node], old: dict[str, Node]) -> dict[str, Node]:
    """The cache entries for the components of a diff's `"c"` (§4.6).

    An entry with statics (or a component new to the client) is taken as is; one without is
    merged onto a copy of the cached one. An integer `"s"` shares another component's tree:
    `+N` the one of this diff, `-N` the one cached before this diff; the entry is merged onto
    a copy of it and takes its statics.
    """
    resolved: dict[str, Node] = {}
    pending: set[str] = set()

    def find(cid: str) -> Node:
        if cid in resolved:
            return resolved[cid]
        entry = new.get(cid)
        if not isinstance(entry, dict):
            raise DiffError(f"component {cid} shared by another one is not in this diff")
        if cid in pending:
            raise DiffError(f"component {cid} shares its statics with itself")
        pending.add(cid)
        share = entry.get("s")
        if _is_cid(share):
            number = int(share)
            base = find(str(number)) if number > 0 else old.get(str(-number))
            if base is None:
                raise DiffError(f"component {cid} shares the statics of component {-number}, not held by the client")
            node = _clone_merge(base, entry)
            node["s"] = base.get("s")
        elif "s" in entry or cid not in old:
            node = entry
        else:
            node = _clone_merge(old[cid], entry)
        resolved[cid] = node
        return node

    for cid in new:
        find(cid)
    return resolved


def _clone_merge(target: Node, source: Node) -> Node:
    """`source` merged onto a copy of `target`, leaving `target` as it was."""
    merged = copy.deepcopy(target)
    _merge_into(merged, source)
    return merged


# -- rendering ----------------------------------------------------------------------------


class _Renderer:
    """One render of the tree (§4.4); stores resolved statics back and empties rendered streams."""

    def __init__(self, components: dict[str, Node], streams: dict[str, list[tuple[str, str]]]) -> None:
        self.components = components
        self.streams = streams

    def node(self, node: Node, templates: dict[str, Any] | None, cid: int | None) -> str:
        """A node's HTML; `templates` is the nearest enclosing `"p"`, `cid` set for a component root."""
        if _truthy(node.get("k")):
            return self.comprehension(node, templates)
        if _truthy(node.get("p")):
            templates = node.pop("p")
        statics = _statics(node, templates)
        html = self.dynamics(node, statics, templates)
        if _truthy(node.get("r")):
            html = _mark_root(html, cid)
        return html

    def comprehension(self, node: Node, templates: dict[str, Any] | None) -> str:
        """Every entry rendered with the shared statics; a stream's entries are then forgotten.

        As in the client, the comprehension's own integer `"s"` resolves only through an
        enclosing `"p"`, while its entries use the enclosing `"p"` or, failing that, its own.
        """
        entry_templates = templates if templates is not None else node.get("p")
        entries = node["k"]
        count = int(entries["kc"]) if _is_number(entries.get("kc")) else 0
        statics = _statics(node, templates, required=count > 0)
        node.pop("p", None)
        htmls = [self.dynamics(entries.get(str(i)), statics, entry_templates) for i in range(count)]
        stream = node.get("stream")
        if _truthy(stream):
            node["stream ref"] = stream[0]  # ours, not the protocol's: the client keeps it on its DOM nodes
            deletes = stream[2]
            reset = stream[3] if len(stream) > 3 else None
            if count > 0 or len(deletes) > 0 or _truthy(reset):
                del node["stream"]
                node["k"] = {"kc": 0}
                _patch_stream(self.streams.setdefault(stream[0], []), htmls, stream)
        if "stream ref" in node:  # marked: page_html shows the stream's DOM here instead
            return f"\x02{node['stream ref']}\x03{''.join(htmls)}\x02\x03"
        return "".join(htmls)

    def dynamics(self, node: Node | None, statics: list[str], templates: dict[str, Any] | None) -> str:
        """Statics interleaved with the node's dynamics "0", "1", …"""
        if len(statics) > 1 and not isinstance(node, dict):
            raise DiffError(f"no dynamics to fill statics {statics!r} (a missing comprehension entry?)")
        parts = [statics[0]]
        for i, static in enumerate(statics[1:]):
            parts.append(self.dynamic(node, str(i), templates))  # type: ignore[arg-type]
            parts.append(static)
        return "".join(parts)

    def dynamic(self, node: Node, key: str, templates: dict[str, Any] | None) -> str:
        value = node.get(key)
        if isinstance(value, str):
            return value
        if isinstance(value, dict):
            return self.node(value, templates, None)
        if isinstance(value, int) and not isinstance(value, bool):
            return self.component(value)
        shown = "missing" if key not in node else json.dumps(value)
        raise DiffError(f"dynamic {key} is {shown}, not HTML, a node or a component id, in {json.dumps(node)[:200]}")

    def component(self, cid: int) -> str:
        node = self.components.get(str(cid))
        if node is None:
            raise DiffError(f"no component for CID {cid}")
        return self.node(node, None, cid)


_STREAM_SEGMENT = re.compile("\x02([^\x03]*)\x03(.*?)\x02\x03", re.S)
_ELEMENT_ID = re.compile(r'^\s*<[^\s>/]+[^>]*?\sid="([^"]*)"')


def _patch_stream(children: list[tuple[str, str]], htmls: list[str], stream: list[Any]) -> None:
    """What the client's DOM patch does to a stream's items (§8.2): reset, deletes, then each
    rendered item updated in place (same id) or inserted where its insert says, then limited."""
    inserts = {insert[0]: insert for insert in stream[1]}
    if len(stream) > 3:
        children.clear()
    deleted = set(stream[2])
    children[:] = [child for child in children if child[0] not in deleted]
    for html in htmls:
        found = _ELEMENT_ID.match(html)
        if found is None:
            raise DiffError(f"a stream item must be one element with an id (its DOM id): {html[:200]!r}")
        dom_id = found.group(1)
        _, at, limit, update_only = (list(inserts.get(dom_id, [dom_id, -1, None])) + [False])[:4]
        index = next((i for i, (other, _) in enumerate(children) if other == dom_id), None)
        if index is not None:
            children[index] = (dom_id, html)
            continue
        if update_only:
            continue
        children.insert(len(children) if at == -1 or at >= len(children) else at, (dom_id, html))
        if limit is not None and limit >= 0:
            del children[limit:]
        elif limit is not None and len(children) > -limit:
            del children[: len(children) + limit]


def _statics(node: Node, templates: dict[str, Any] | None, required: bool = True) -> list[str]:
    """The node's statics, an integer `"s"` resolved through `templates` and stored back.

    Missing statics are an error only when `required` (an empty comprehension never reads them).
    """
    statics = node.get("s")
    if _is_number(statics):
        if templates is None or str(statics) not in templates:
            raise DiffError(f'statics {statics} refer to a template no enclosing "p" holds')
        statics = node["s"] = templates[str(statics)]
    if not required and statics is None:
        return []
    if not isinstance(statics, list) or not statics:
        raise DiffError(f"a node without statics: {json.dumps(node)[:200]}")
    return statics


def _mark_root(html: str, cid: int | None) -> str:
    """A root-flagged node's HTML must start with a tag; a component's gets `data-phx-component`."""
    start = _ROOT_TAG.match(html)
    if start is None:
        raise DiffError(f"malformed html for a root-flagged node (it must start with a tag): {html[:200]!r}")
    if cid is None:
        return html
    return f'{html[: start.end()]} data-phx-component="{cid}"{html[start.end():]}'
