"""Query and form decoding with the rules of ``Plug.Conn.Query``, which LiveView apps expect.

``decode_query("user[name]=Al&tags[]=a&tags[]=b")`` gives
``{"user": {"name": "Al"}, "tags": ["a", "b"]}`` (docs/protocol.md Appendix A).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote_plus, unquote_plus

MAX_DEPTH = 32  # levels of `[...]` a form key may nest (`a[b][c]` is 3)


def decode_query(qs: str) -> dict:
    """Decode an ``application/x-www-form-urlencoded`` string into nested dicts and lists.

    Pairs are read left to right, so a repeated key or a key given two shapes (``a=1&a[b]=2``)
    keeps the last one. ``a[]`` appends to a list; inside a list of maps (``a[][x]=1``) a new
    map starts when the first key after ``[]`` repeats. A key without ``=`` gets ``""``, as in
    current Plug and the URL standard. Empty pairs (``a=1&&b=2``) are skipped. A key nested
    deeper than ``MAX_DEPTH`` levels raises ``ValueError``.
    """
    params: dict = {}
    for pair in qs.split("&"):
        if not pair:
            continue
        key, _, value = pair.partition("=")
        _put(params, _key_segments(unquote_plus(key)), unquote_plus(value))
    return params


def encode_query(params: dict) -> str:
    """Encode nested params the way the browser's ``URLSearchParams`` would (spaces as ``+``).

    Dicts become ``a[b]=``, lists ``a[]=``; ``True``/``False`` become ``true``/``false``, ``None``
    an empty value; empty dicts and lists emit nothing.
    """
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        _flatten(str(key), value, pairs)
    return "&".join(f"{_form_escape(key)}={_form_escape(value)}" for key, value in pairs)


def decode_event_value(payload: dict) -> Any:
    """Return the params a LiveView ``event`` payload hands to ``handle_event``.

    ``type == "form"``: the URL-encoded ``value`` is decoded with ``decode_query``, ``meta`` is
    merged over it, and a string ``_target`` becomes its key path (``"user[email]"`` →
    ``["user", "email"]``). Other types pass ``value`` through (``None`` → ``{}``), with ``meta``
    merged over it when both are dicts.
    """
    value = payload.get("value")
    meta = payload.get("meta")
    if meta is not None and not isinstance(meta, dict):
        raise ValueError(
            f"expected the event's meta to be an object, got {type(meta).__name__}; "
            "send meta as a JSON object or leave it out"
        )
    if payload.get("type") != "form":
        params = {} if value is None else value
        if meta and isinstance(params, dict):
            params = {**params, **meta}
        return params
    if not isinstance(value, str):
        raise ValueError(
            f"expected a URL-encoded string as the value of a form event, got "
            f"{type(value).__name__}; serialize the form as URLSearchParams would"
        )
    params = {**decode_query(value), **(meta or {})}
    target = params.get("_target")
    if isinstance(target, str):
        params["_target"] = [s for s in _key_segments(unquote_plus(target)) if s]
    return params


def _key_segments(key: str) -> list[str]:
    """Split ``a[b][]`` into ``["a", "b", ""]``; ``""`` marks a list segment."""
    if not key.endswith("]") or "[" not in key:
        return [key]
    head, _, inner = key[:-1].partition("[")
    segments = [head, *inner.split("][", MAX_DEPTH)]
    if len(segments) > MAX_DEPTH:
        raise ValueError(f"form key {key[:40]!r}... nests deeper than {MAX_DEPTH} levels")
    return segments


def _put(container: dict, segments: list[str], value: str) -> None:
    key, rest = segments[0], segments[1:]
    if not rest:
        container[key] = value
    elif rest[0] == "":
        items = container.get(key)
        if not isinstance(items, list):
            items = container[key] = []
        _append(items, rest[1:], value)
    else:
        child = container.get(key)
        if not isinstance(child, dict):
            child = container[key] = {}
        _put(child, rest, value)


def _append(items: list, rest: list[str], value: str) -> None:
    if not rest:
        items.append(value)
        return
    last = items[-1] if items else None
    if not isinstance(last, dict) or rest[0] in last:
        last = {}
        items.append(last)
    _put(last, rest, value)


def _flatten(key: str, value: Any, pairs: list[tuple[str, str]]) -> None:
    if isinstance(value, dict):
        for sub, item in value.items():
            _flatten(f"{key}[{sub}]", item, pairs)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _flatten(f"{key}[]", item, pairs)
    elif isinstance(value, bool):
        pairs.append((key, "true" if value else "false"))
    else:
        pairs.append((key, "" if value is None else str(value)))


def _form_escape(text: str) -> str:
    # URLSearchParams keeps "*" and escapes "~"; Python's quote does the opposite.
    return quote_plus(text, safe="*").replace("~", "%7E")
