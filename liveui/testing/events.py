"""Event payloads as the phoenix_live_view 1.2 client builds them, as pure functions over `Node`s.

PROTOCOL.md §5.2 (click/key/focus values, `cid`), §5.2.1 (form serialization) and §7.5 (JS
`push` ops). The client does this in `view.ts` (`extractMeta`, `serializeForm`,
`targetComponentID`) and `js.js` (`exec_push`); browser form semantics follow the HTML spec's
"constructing the entry list" and value sanitization.
"""

from __future__ import annotations

import datetime
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..params import encode_query
from .dom import Document, ElementNotFound, Node

CID = re.compile(r"^(0|[1-9]\d*)$")
CHECKABLE = ("checkbox", "radio")
INPUT_TYPES = {
    "hidden", "text", "search", "tel", "url", "email", "password", "date", "month", "week", "time",
    "datetime-local", "number", "range", "color", "checkbox", "radio", "file", "submit", "image",
    "reset", "button",
}
BUTTON_TYPES = ("submit", "image", "reset", "button")
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


def dom_value(node: Node) -> Any:
    """The element's DOM `value` property; None for elements without one (`<a>`, `<div>`, `<form>`…)."""
    tag = node.tag
    if tag == "input":
        return _input_value(node)
    if tag == "select":
        selected = _selected_options(node)
        return option_value(selected[0]) if selected else ""
    if tag == "textarea":
        return textarea_value(node)
    if tag == "option":
        return option_value(node)
    if tag in ("button", "data", "param"):
        return node.get("value", "")
    if tag == "output":
        return node.text()
    if tag == "li":
        match = re.match(r"[\t\n\f\r ]*([-+]?\d+)", node.get("value", ""))
        return int(match.group(1)) if match else 0
    if tag in ("meter", "progress"):
        return _number(_range_element(node))
    return None


def _range_element(node: Node) -> float:
    value = _float(node.get("value"))
    if node.tag == "progress":
        high = _float(node.get("max"))
        high = high if high is not None and high > 0 else 1.0
        return min(value, high) if value is not None and value >= 0 else 0.0
    low = _float(node.get("min")) or 0.0
    high = _float(node.get("max"))
    high = max(low, 1.0 if high is None else high)
    return min(max(value or 0.0, low), high)


# -- input values ---------------------------------------------------------------------------


def input_type(node: Node) -> str:
    """The `type` property of an `<input>`: its attribute lower-cased, "text" when unknown."""
    kind = (node.get("type") or "text").strip().lower()
    return kind if kind in INPUT_TYPES else "text"


def is_checked(node: Node) -> bool:
    """Checkedness after parsing: a `checked` radio loses it to a later checked one of its group."""
    if not node.has("checked"):
        return False
    if input_type(node) != "radio" or not node.get("name"):
        return True
    owner = form_owner(node)
    group = [n for n in node.document.select('input[type="radio" i][checked]')
             if n.get("name") == node.get("name") and form_owner(n) == owner]
    return group[-1] == node


def option_value(node: Node) -> str:
    """An option's value: its attribute, else its text with whitespace stripped and collapsed."""
    value = node.get("value")
    return value if value is not None else " ".join(node.text().split())


def textarea_value(node: Node) -> str:
    """A textarea's value: its text, less the newline the HTML parser drops after `<textarea>`."""
    text = node.text().replace("\r\n", "\n").replace("\r", "\n")
    return text[1:] if text.startswith("\n") else text


def _input_value(node: Node) -> str:
    """The `value` of an input after the type's value sanitization (HTML spec §4.10.5)."""
    kind, raw = input_type(node), node.get("value")
    if kind in CHECKABLE:
        return "on" if raw is None else raw
    if kind == "file":
        return ""
    raw = raw or ""
    if kind in ("hidden", *BUTTON_TYPES):
        return raw
    raw = raw.replace("\r", "").replace("\n", "")
    if kind == "email":
        parts = raw.split(",") if node.has("multiple") else [raw]
        return ",".join(part.strip(" \t\n\f\r") for part in parts)
    if kind == "url":
        return raw.strip(" \t\n\f\r")
    if kind == "number":
        return raw if _float(raw) is not None else ""
    if kind == "range":
        return _number_text(_range_value(node, raw))
    if kind == "color":
        return _color(raw)
    if kind in _DATES:
        return _DATES[kind](raw)
    return raw


def _range_value(node: Node, raw: str) -> float:
    low = _float(node.get("min"))
    low = 0.0 if low is None else low
    high = _float(node.get("max"))
    high = max(low, 100.0 if high is None else high)
    value = _float(raw)
    value = low + (high - low) / 2 if value is None else min(max(value, low), high)
    step_attr = (node.get("step") or "").strip().lower()
    if step_attr == "any":
        return value
    step = _float(step_attr)
    step = 1.0 if step is None or step <= 0 else step
    base = _float(node.get("min"))
    base = (_float(node.get("value")) or 0.0) if base is None else base
    top = base + math.floor((high - base) / step + 1e-9) * step
    stepped = base + math.floor((value - base) / step + 0.5) * step
    return min(max(stepped, low), top) if top >= low else low


def _color(raw: str) -> str:
    """Hex colors as Chromium normalizes them (`#ABC` → `#aabbcc`, alpha dropped); else black."""
    match = re.fullmatch(r"#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})", raw.strip(" \t\n\f\r").lower())
    if not match:
        return "#000000"
    digits = match[1] if len(match[1]) > 4 else "".join(c * 2 for c in match[1])
    return "#" + digits[:6]


def _date(raw: str) -> str:
    return raw if _valid_date(raw) else ""


def _month(raw: str) -> str:
    match = re.fullmatch(r"(\d{4,})-(\d\d)", raw)
    return raw if match and int(match[1]) > 0 and 1 <= int(match[2]) <= 12 else ""


def _week(raw: str) -> str:
    match = re.fullmatch(r"(\d{4,})-W(\d\d)", raw)
    return raw if match and int(match[1]) > 0 and 1 <= int(match[2]) <= _weeks(int(match[1])) else ""


def _time(raw: str) -> str:
    return raw if _valid_time(raw) else ""


def _datetime_local(raw: str) -> str:
    date, sep, time = raw.partition("T") if "T" in raw else raw.partition(" ")
    if not sep or not _valid_date(date) or not _valid_time(time):
        return ""
    hours_minutes, seconds = time[:5], time[6:]
    if seconds:
        whole, _, fraction = seconds.partition(".")
        fraction = fraction.rstrip("0")
        if whole != "00" or fraction:
            hours_minutes += f":{whole}" + (f".{fraction}" if fraction else "")
    return f"{date}T{hours_minutes}"


def _valid_date(raw: str) -> bool:
    match = re.fullmatch(r"(\d{4,})-(\d\d)-(\d\d)", raw)
    if not match or int(match[1]) == 0 or not 1 <= int(match[2]) <= 12:
        return False
    year, month = int(match[1]), int(match[2])
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return 1 <= int(match[3]) <= days


def _valid_time(raw: str) -> bool:
    match = re.fullmatch(r"(\d\d):(\d\d)(?::(\d\d)(?:\.\d{1,3})?)?", raw)
    return bool(match) and int(match[1]) < 24 and int(match[2]) < 60 and int(match[3] or 0) < 60


def _weeks(year: int) -> int:
    return datetime.date(year, 12, 28).isocalendar()[1]


_DATES = {"date": _date, "month": _month, "week": _week, "time": _time, "datetime-local": _datetime_local}


def _float(text: str | None) -> float | None:
    """A valid floating-point number (HTML spec), or None."""
    if text is None or not re.fullmatch(r"-?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?", text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def _number(value: float) -> Any:
    """A float as JSON from JavaScript has it: integral values as ints."""
    return int(value) if value.is_integer() else value


def _number_text(value: float) -> str:
    """A float as JavaScript's `String(n)` writes it (for the usual magnitudes)."""
    return str(_number(value))


# -- forms ----------------------------------------------------------------------------------


def form_owner(node: Node) -> Node | None:
    """The form a control belongs to: the one its `form` attribute names, else its nearest form."""
    if node.has("form"):
        found = [n for n in node.document.select("[id]") if n.get("id") == node.get("form")]
        return found[0] if found and found[0].tag == "form" else None
    parent = node.parent
    return parent.closest("form") if parent is not None else None


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


def _selected_options(select: Node, chosen: set[Node] | None = None) -> list[Node]:
    """The options with selectedness true (a single select falls back to its first usable option)."""
    options = select.find_all("option")
    if chosen is not None:
        return [o for o in options if o in chosen]
    selected = [o for o in options if o.has("selected")]
    if select.has("multiple"):
        return selected
    if selected:
        return selected[-1:]
    size = re.match(r"\s*(\d+)", select.get("size") or "")
    if size and int(size[1]) > 1:
        return []
    usable = [o for o in options if not _option_disabled(o)]
    return usable[:1]


def _option_disabled(option: Node) -> bool:
    parent = option.parent
    return option.has("disabled") or (parent is not None and parent.tag == "optgroup" and parent.has("disabled"))


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
                entries.append((name, _input_value(control)))
        elif tag == "select":
            chosen = _selected_options(control, state.chosen.get(control))
            entries.extend((name, option_value(o)) for o in chosen if not _option_disabled(o))
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
            state.checked[control] = _input_value(control) in values
        elif kind == "radio":
            hit = not radio_done and bool(values) and _input_value(control) == values[-1]
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
    return [_input_value(control)]


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
