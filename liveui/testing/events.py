"""Event payloads as the phoenix_live_view 1.2 client builds them, as pure functions over `Node`s.

docs/protocol.md §5.2 (click/key/focus values, `cid`), §5.2.1 (form serialization) and §7.5 (JS
`push` ops). The client does this in `view.ts` (`extractMeta`, `serializeForm`,
`targetComponentID`) and `js.js` (`exec_push`); forms follow the HTML spec's "constructing the
entry list", with each control's value from `values.py`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..params import encode_query
from .dom import Document, ElementNotFound, Node
from .values import (
    BUTTON_TYPES, CHECKABLE, dom_value, form_owner, input_type, input_value, is_checked, option_disabled,
    option_value, selected_options,
)

CID = re.compile(r"^(0|[1-9]\d*)$")
LIMITED = {"select", "multiple select", "checkbox", "radio", "hidden"}  # overrides must pick a DOM value


@dataclass
class Push:
    """One `event` push a binding makes: the event name, the JS `push` value and target."""

    event: str
    value: dict[str, Any] = field(default_factory=dict)
    target: int | str | None = None


# -- bindings -------------------------------------------------------------------------------


def js_commands(node: Node, name: str) -> list[tuple[str, dict[str, Any]]] | None:
    """The ops of `phx-<name>`: a plain event name is one `push` op; None when absent or empty."""
    return _ops(node, f"phx-{name}", plain_push=True)


def binding(node: Node, name: str) -> list[Push] | None:
    """The pushes `phx-<name>` makes: one per JS `push` op (following `exec` of the element's own
    attributes); other ops are ignored; None when the attribute is absent."""
    return _pushes(node, f"phx-{name}", plain_push=True, depth=0)


def _pushes(node: Node, attr: str, plain_push: bool, depth: int) -> list[Push] | None:
    ops = _ops(node, attr, plain_push)
    if ops is None:
        return None
    pushes: list[Push] = []
    for kind, args in ops:
        if kind == "push":
            if not args.get("event"):
                raise ValueError(f"a JS push op in {attr} has no event: {node.get(attr, '')[:200]}")
            pushes.append(Push(args["event"], dict(args.get("value") or {}), args.get("target")))
        elif kind == "exec" and not args.get("to") and args.get("attr") and depth < 8:
            pushes.extend(_pushes(node, args["attr"], False, depth + 1) or [])
    return pushes


def _ops(node: Node, attr: str, plain_push: bool) -> list[tuple[str, dict[str, Any]]] | None:
    raw = node.get(attr)
    if not raw:
        return None
    if not raw.startswith("["):
        return [("push", {"event": raw})] if plain_push else None
    try:
        ops = json.loads(raw)
    except ValueError as exc:
        raise ValueError(f"{attr} starts with '[' but is not JSON ({exc}): {raw[:200]}") from None
    return [(str(op[0]), dict(op[1]) if len(op) > 1 and op[1] else {}) for op in ops]


# -- click, key, focus values ---------------------------------------------------------------


def click_value(node: Node, extra: dict[str, Any] | None = None, *, push: Push | None = None) -> dict[str, Any]:
    """The `value` of a click (also blur/focus): phx-value-*, the DOM `value`, push value, `extra`."""
    return _meta(node, {}, push, extra)


def key_value(node: Node, key: str | None, extra: dict[str, Any] | None = None, *,
              push: Push | None = None) -> dict[str, Any]:
    """The `value` of keydown/keyup (`{"key": key, ...}`); `key=None` gives a blur/focus value."""
    return _meta(node, {} if key is None else {"key": key}, push, extra)


def _meta(node: Node, meta: dict[str, Any], push: Push | None, extra: dict[str, Any] | None) -> dict[str, Any]:
    meta.update(phx_values(node))
    if node.tag != "form":
        value = dom_value(node)
        if value is not None:
            meta["value"] = value
        if node.tag == "input" and input_type(node) in CHECKABLE and not is_checked(node):
            meta.pop("value", None)
    meta.update(push.value if push else {})
    meta.update(extra or {})
    return meta


def phx_values(node: Node) -> dict[str, str]:
    """The `phx-value-*` attributes, named without the prefix."""
    return {name[len("phx-value-"):]: value for name, value in node.attrs.items() if name.startswith("phx-value-")}


# -- forms ----------------------------------------------------------------------------------


def is_disabled(node: Node) -> bool:
    """Disabled by its own attribute or by a disabled fieldset (outside that fieldset's first legend)."""
    if node.has("disabled"):
        return True
    child, parent = node, node.parent
    while parent is not None:
        if parent.tag == "fieldset" and parent.has("disabled"):
            legends = parent.find_all(":scope > legend")
            if not legends or legends[0] != child:
                return True
        child, parent = parent, parent.parent
    return False


def form_controls(form: Node) -> list[Node]:
    """The form's listed controls (input, select, textarea, button) in tree order, `form=` included."""
    return [n for n in form.document.select("input, select, textarea, button") if form_owner(n) == form]


@dataclass
class _State:
    """What a user changed: checkedness, chosen options and typed values, per control."""

    checked: dict[Node, bool] = field(default_factory=dict)
    chosen: dict[Node, set[Node]] = field(default_factory=dict)
    typed: dict[Node, list[str]] = field(default_factory=dict)


def form_value(
    form: Node,
    overrides: dict[str, Any] | None = None,
    *,
    target: str | None = None,
    submitter: Node | None = None,
    touched: Iterable[str] = (),
    kind: Literal["change", "submit"] | None = None,
    push: Push | None = None,
    only: Sequence[str] | None = None,
) -> tuple[str, dict[str, Any]]:
    """The URL-encoded `value` and the `meta` of a form event, as the 1.2 client sends them.

    `kind` defaults to "change" when `target` (the changed field's name) is given, else "submit".
    `overrides` (nested like the params) sets fields a user would fill in; each key must name a
    non-disabled field. `touched` names fields that already fired input events: change events
    mark the others (not the target) `_unused_`; a submit marks every field used. `only` limits
    the fields serialized (a `phx-change` on a single input). `push` adds a JS push op's value.
    """
    if form.tag != "form":
        raise ValueError(f"form events need a <form>, got <{form.tag}>: {form.outer_html()[:200]}")
    kind = kind or ("change" if target is not None else "submit")
    controls = form_controls(form)
    state = _apply_overrides(form, controls, overrides or {})
    if submitter is not None:
        _check_submitter(form, submitter)
    entries = _entries(controls, state, submitter)
    used = {target, *touched} if kind == "change" else {c.get("name") for c in controls}
    pairs = _with_unused(form, controls, entries, used, submitter, only)
    encoded = "&".join(encode_query({key: value}) for key, value in pairs)
    meta: dict[str, Any] = {"_target": target or "undefined"} if kind == "change" else {}
    meta.update(phx_values(form))
    meta.update(push.value if push else {})
    return encoded, meta


def _check_submitter(form: Node, submitter: Node) -> None:
    if form_owner(submitter) != form:
        raise ValueError(f"the submitter is not a control of the form: {submitter.outer_html()[:200]}")
    if is_disabled(submitter):
        raise ValueError(f"a disabled submitter cannot submit the form: {submitter.outer_html()[:200]}")


def _entries(controls: list[Node], state: _State, submitter: Node | None) -> list[tuple[str, str]]:
    """FormData(form): successful controls in tree order, the submitter injected before itself."""
    entries: list[tuple[str, str]] = []
    files: set[str] = set()
    for control in controls:
        name = control.get("name") or ""
        if control == submitter and name:
            entries.append((name, dom_value(control)))
        if not name or is_disabled(control):  # Chromium keeps controls inside <datalist>
            continue
        tag, kind = control.tag, input_type(control) if control.tag == "input" else control.tag
        if tag == "button" or kind in BUTTON_TYPES:
            continue
        if kind == "file":
            files.add(name)
        elif kind in CHECKABLE:
            if state.checked.get(control, is_checked(control)):
                entries.append((name, input_value(control)))
        elif tag == "select":
            chosen = selected_options(control, state.chosen.get(control))
            entries.extend((name, option_value(o)) for o in chosen if not option_disabled(o))
        elif kind == "hidden" and name.lower() == "_charset_":
            entries.append((name, "UTF-8"))
        else:
            values = state.typed.get(control, [dom_value(control)])
            entries.extend((name, value) for value in values)
    # the client drops File entries with `formData.delete(name)`: every entry of that name goes
    return [(k, v) for k, v in entries if k not in files]


def _with_unused(form: Node, controls: list[Node], entries: list[tuple[str, str]], used: set[str | None],
                 submitter: Node | None, only: Sequence[str] | None) -> list[tuple[str, str]]:
    """Put `_unused_` markers before entries of untouched, not hidden-only fields (1.2 client)."""
    unused: dict[str, bool] = {}
    hidden_only: dict[str, bool] = {}
    for control in controls:
        name = control.get("name")
        if not name or (control.tag == "input" and input_type(control) == "image"):
            continue
        is_used = name in used or control.has("phx-no-unused-field")
        unused[name] = unused.get(name, True) and not is_used
        hidden = control.tag == "input" and input_type(control) == "hidden"
        hidden_only[name] = hidden_only.get(name, True) and hidden
    skip = form.has("phx-no-unused-field")
    submitter_name = submitter.get("name") if submitter is not None else None
    pairs: list[tuple[str, str]] = []
    for key, value in entries:
        if only and key not in only:
            continue
        if not skip and unused.get(key) and key != submitter_name and not hidden_only.get(key):
            pairs.append((unused_name(key), ""))
        pairs.append((key, value))
    return pairs


def unused_name(key: str) -> str:
    """`user[email]` → `user[_unused_email]`, `tags[]` → `_unused_tags[]` (`prependFormDataKey`)."""
    array = key.endswith("[]")
    base = key[:-2] if array else key
    base = re.sub(r"([^\[\]]+)(\]?)$", r"_unused_\1\2", base, count=1)
    return base + ("[]" if array else "")


# -- overrides (LiveViewTest's form data checks) --------------------------------------------


def _apply_overrides(form: Node, controls: list[Node], overrides: dict[str, Any]) -> _State:
    """Set fields like a user would; raise ValueError for names or values the form cannot take."""
    state = _State()
    fields = [c for c in controls if c.tag in ("input", "select", "textarea") and not is_disabled(c)]
    for name, values in _flatten(overrides):
        named = [c for c in fields if c.get("name") == name]
        if not named:
            known = list(dict.fromkeys(c.get("name") for c in fields if c.get("name")))
            raise ValueError(
                f"could not find a non-disabled input, select or textarea named {name!r} in the form "
                f"{_form_label(form)}; its fields: {known}"
            )
        kinds = [_field_kind(c) for c in named]
        forbidden = next((k for k in kinds if k in (*BUTTON_TYPES, "file")), None)
        if forbidden:
            raise ValueError(f"cannot give a value to {name!r}: it is a {forbidden} input, never serialized")
        if all(k in LIMITED for k in kinds):
            allowed = [v for c in named for v in _dom_choices(c)]
            wrong = next((v for v in values if v not in allowed), None)
            if wrong is not None:
                raise ValueError(f"value for {kinds[0]} {name!r} must be one of {allowed}, got: {wrong!r}")
        _set(named, values, state)
    return state


def _set(named: list[Node], values: list[str], state: _State) -> None:
    free = [c for c in named if _field_kind(c) not in LIMITED]
    radio_done = False
    for control in named:
        kind = _field_kind(control)
        if kind == "checkbox":
            state.checked[control] = input_value(control) in values
        elif kind == "radio":
            hit = not radio_done and bool(values) and input_value(control) == values[-1]
            radio_done = radio_done or hit
            state.checked[control] = hit
        elif kind == "multiple select":
            state.chosen[control] = {o for o in control.find_all("option") if option_value(o) in values}
        elif kind == "select":
            match = [o for o in control.find_all("option") if values and option_value(o) == values[-1]]
            state.chosen[control] = set(match[:1])
    for index, control in enumerate(free):
        last = index == len(free) - 1
        state.typed[control] = values[index:] if last else values[index:index + 1]


def _field_kind(control: Node) -> str:
    if control.tag == "select":
        return "multiple select" if control.has("multiple") else "select"
    return "textarea" if control.tag == "textarea" else input_type(control)


def _dom_choices(control: Node) -> list[str]:
    if control.tag == "select":
        return [option_value(o) for o in control.find_all("option")]
    return [input_value(control)]


def _flatten(data: dict[str, Any], prefix: str = "") -> list[tuple[str, list[str]]]:
    """`{"user": {"tags": ["a"]}}` → `[("user[tags][]", ["a"])]`: field names and their values."""
    out: list[tuple[str, list[str]]] = []
    for key, value in data.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if isinstance(value, dict):
            out.extend(_flatten(value, name))
        elif isinstance(value, (list, tuple)):
            if any(isinstance(item, (dict, list, tuple)) for item in value):
                raise ValueError(f"{name!r}: give nested lists of fields as dicts with index keys")
            out.append((name + "[]", [_text(item) for item in value]))
        else:
            out.append((name, [_text(value)]))
    return out


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _form_label(form: Node) -> str:
    return f"#{form.get('id')}" if form.get("id") else "<form>"


# -- targets --------------------------------------------------------------------------------


def target_cids(node: Node, document: Document, *, push: Push | None = None) -> list[int | None]:
    """The `cid` of each event the client sends: one per element a selector `phx-target` matches."""
    wanted: Any = push.target if push is not None and push.target else node.get("phx-target")
    if isinstance(wanted, int) and not isinstance(wanted, bool):
        return [wanted]
    if wanted is None:
        return [None]
    if CID.match(wanted):
        return [int(wanted)]
    if wanted == "":  # `phx-target=""`: the client falls back to the element itself
        return [_component_of(node)]
    found = document.select(wanted)
    if not found:
        raise ElementNotFound(f"phx-target selector {wanted!r} matches nothing; the client sends no event")
    return [_component_of(target) for target in found]


def target_cid(node: Node, document: Document, *, push: Push | None = None) -> int | None:
    """The event's `cid`: `phx-target` (or the push op's target) as a cid, or the component a
    selector's first match sits in; None when the target is the view."""
    return target_cids(node, document, push=push)[0]


def _component_of(node: Node) -> int | None:
    root = node.closest("[data-phx-component]")
    if root is None:
        return None
    match = re.match(r"\s*[-+]?\d+", root.get("data-phx-component") or "")
    return int(match.group(0)) if match else None
