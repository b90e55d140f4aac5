"""What a form control's DOM `value` is, as the browser computes it (HTML value sanitization
by input type: numbers, ranges, colours, dates and times, checkedness, options, textareas)."""

from __future__ import annotations

import datetime
import math
import re
from typing import Any

from .dom import Node

CHECKABLE = ("checkbox", "radio")
INPUT_TYPES = {
    "hidden", "text", "search", "tel", "url", "email", "password", "date", "month", "week", "time",
    "datetime-local", "number", "range", "color", "checkbox", "radio", "file", "submit", "image",
    "reset", "button",
}
BUTTON_TYPES = ("submit", "image", "reset", "button")


def dom_value(node: Node) -> Any:
    """The element's DOM `value` property; None for elements without one (`<a>`, `<div>`, `<form>`…)."""
    tag = node.tag
    if tag == "input":
        return input_value(node)
    if tag == "select":
        selected = selected_options(node)
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


def input_value(node: Node) -> str:
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


def form_owner(node: Node) -> Node | None:
    """The form a control belongs to: the one its `form` attribute names, else its nearest form."""
    if node.has("form"):
        found = [n for n in node.document.select("[id]") if n.get("id") == node.get("form")]
        return found[0] if found and found[0].tag == "form" else None
    parent = node.parent
    return parent.closest("form") if parent is not None else None


def selected_options(select: Node, chosen: set[Node] | None = None) -> list[Node]:
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
    usable = [o for o in options if not option_disabled(o)]
    return usable[:1]


def option_disabled(option: Node) -> bool:
    parent = option.parent
    return option.has("disabled") or (parent is not None and parent.tag == "optgroup" and parent.has("disabled"))
