"""Debug mode (`App(debug=True)`, on under `liveui run --reload`): what the developer is shown.

A failed dead render answers with a page holding the traceback and the template file and line;
a connected view that crashes sends the page a `liveui:crash` event (a notice drawn by the
script below) before the client rejoins. Outside debug mode neither is ever sent.
"""

from __future__ import annotations

import json
import re
import traceback
from html import escape
from typing import Any

import jinja2
from markupsafe import Markup

CRASH_EVENT = "liveui:crash"

_TEMPLATE_NOTE = re.compile(r"^in template (?P<file>.+), line (?P<line>\d+)$")


def size(payload: Any) -> int:
    """The size in bytes of `payload` as JSON (what a reply weighs on the wire, near enough)."""
    return 0 if payload is None else len(json.dumps(payload, separators=(",", ":"), default=str).encode())


def template_location(exc: BaseException) -> tuple[str, int] | None:
    """The template file and line an exception was raised at, when it was raised in one."""
    if isinstance(exc, jinja2.TemplateSyntaxError) and (exc.filename or exc.name) and exc.lineno:
        return str(exc.filename or exc.name), exc.lineno
    for note in getattr(exc, "__notes__", ()):
        found = _TEMPLATE_NOTE.match(note)
        if found:
            return found["file"], int(found["line"])
    return None


def crash_notice(view: str, exc: BaseException) -> dict[str, Any]:
    """The payload of the `liveui:crash` event: what failed and where."""
    location = template_location(exc)
    return {
        "view": view,
        "error": f"{type(exc).__name__}: {exc}",
        "template": f"{location[0]}, line {location[1]}" if location else None,
        "traceback": "".join(traceback.format_exception(exc)),
    }


def error_page(exc: BaseException) -> str:
    """The page a failed dead render answers with in debug mode."""
    location = template_location(exc)
    source = ""
    where = ""
    if location is not None:
        file, line = location
        where = f"<p id=\"liveui-error-location\">in template <code>{escape(file)}</code>, line {line}</p>"
        source = _excerpt(file, line)
    trace = escape("".join(traceback.format_exception(exc)))
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Error: "
        f"{escape(type(exc).__name__)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{escape(type(exc).__name__)}</h1><p id=\"liveui-error-message\">{escape(str(exc))}</p>"
        f"{where}{source}<h2>Traceback</h2><pre id=\"liveui-error-traceback\">{trace}</pre>"
        "<p class=\"hint\">Shown because the app runs in debug mode; in production this page says "
        "Internal Server Error and nothing more.</p></body></html>"
    )


def _excerpt(file: str, line: int, around: int = 3) -> str:
    """The template lines around `line`, the failing one marked."""
    try:
        with open(file, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        return ""
    first = max(1, line - around)
    rows = "".join(
        f"<span class=\"{'bad' if n == line else ''}\">{n:>5}  {escape(lines[n - 1])}</span>\n"
        for n in range(first, min(len(lines), line + around) + 1)
    )
    return f"<pre id=\"liveui-error-source\">{rows}</pre>"


_STYLE = (
    "body{font:15px/1.4 system-ui,sans-serif;margin:2em;color:#222}h1{color:#b00020;margin-bottom:.2em}"
    "pre{background:#f6f6f6;padding:1em;overflow:auto;font-size:13px}.bad{background:#ffd7d7;display:block}"
    ".hint{color:#666;font-size:13px}"
)

# Drawn in browser pages in debug mode: a dismissible notice for each `liveui:crash` event, and the
# server's message on the console.
HEAD = Markup("""<script>
window.addEventListener("phx:liveui:crash", function (e) {
  var d = e.detail || {};
  console.error("liveui: " + d.view + " crashed: " + d.error + (d.template ? " (in template " + d.template + ")" : "") + "\\n" + d.traceback);
  var box = document.getElementById("liveui-crash");
  if (!box) {
    box = document.createElement("div");
    box.id = "liveui-crash";
    box.setAttribute("role", "alert");
    box.style.cssText = "position:fixed;right:1em;bottom:1em;max-width:40em;z-index:2147483647;background:#fff0f0;" +
      "color:#222;border:2px solid #b00020;border-radius:6px;padding:.8em 1em;font:14px/1.4 system-ui,sans-serif;" +
      "box-shadow:0 4px 16px rgba(0,0,0,.2);cursor:pointer";
    box.title = "click to dismiss";
    box.addEventListener("click", function () { box.remove(); });
    document.body.appendChild(box);
  }
  box.textContent = "";
  var title = document.createElement("strong");
  title.textContent = d.view + " crashed and was mounted again (its state was reset)";
  var message = document.createElement("pre");
  message.style.cssText = "white-space:pre-wrap;margin:.4em 0 0;font-size:13px";
  message.textContent = d.error + (d.template ? "\\nin template " + d.template : "") + "\\n(traceback in the server log and the console)";
  box.appendChild(title);
  box.appendChild(message);
});
</script>""")
