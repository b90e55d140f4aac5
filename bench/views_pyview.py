"""The same two benchmark views written for pyview-web 0.9.0 (Starlette app).

pyview normally finds a view's template in a ``.html`` file next to its module
(``LiveView.render`` -> ``find_associated_file`` -> ``template_file``). Here the
templates are compiled once at import time and ``render`` returns the same
``LiveRender`` object pyview would build, which skips pyview's per-render file
stat; everything else (mount/handle_event binding, tree render, diff, JSON)
is pyview's own code path.
"""

from typing import Any

from pyview import LiveView, PyView
from pyview.template import LiveRender, LiveTemplate, Template

ROWS = 1000

_COUNTER = LiveTemplate(
    Template(
        """<p id="count">{{ count }}</p><button phx-click="inc">+</button>""",
        template_id="bench-counter",
    )
)

_TABLE = LiveTemplate(
    Template(
        "<table><tbody>{% for row in rows %}"
        '<tr id="row-{{ row.id }}"><td>{{ row.id }}</td><td>{{ row.label }}</td>'
        "<td>{{ row.value }}</td></tr>"
        "{% endfor %}</tbody></table>",
        template_id="bench-table",
    )
)


class Counter(LiveView[dict]):
    async def mount(self, socket, session):
        socket.context = {"count": 0}

    async def handle_event(self, event, payload, socket):
        if event == "inc":
            socket.context["count"] += 1

    async def render(self, assigns: Any, meta):
        return LiveRender(_COUNTER, assigns, meta)


class Table(LiveView[dict]):
    async def mount(self, socket, session):
        socket.context = {
            "rows": [{"id": i, "label": f"row {i}", "value": 0} for i in range(1, ROWS + 1)]
        }

    async def handle_event(self, event, payload, socket):
        if event == "bump":
            socket.context["rows"][int(payload["id"]) - 1]["value"] += 1

    async def render(self, assigns: Any, meta):
        return LiveRender(_TABLE, assigns, meta)


app = PyView()
app.add_live_view("/counter", Counter)
app.add_live_view("/table", Table)
