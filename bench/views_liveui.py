"""The two benchmark views written for liveui.

/counter  a button with phx-click="inc"; the count is shown in a <p>.
/table    1,000 rows rendered by a plain for-loop; event "bump" with
          value {"id": "N"} increments the value of row N (ids 1..1000).
"""

import liveui
from liveui import LiveView

ROWS = 1000


class Counter(LiveView):
    template = """<p id="count">{{ count }}</p><button phx-click="inc">+</button>"""

    def mount(self, params, session, socket):
        socket.assign(count=0)

    def handle_event(self, event, params, socket):
        if event == "inc":
            socket.assign(count=socket.assigns.count + 1)


class Table(LiveView):
    template = (
        "<table><tbody>{% for row in rows %}"
        '<tr id="row-{{ row.id }}"><td>{{ row.id }}</td><td>{{ row.label }}</td>'
        "<td>{{ row.value }}</td></tr>"
        "{% endfor %}</tbody></table>"
    )

    def mount(self, params, session, socket):
        socket.assign(rows=[{"id": i, "label": f"row {i}", "value": 0} for i in range(1, ROWS + 1)])

    def handle_event(self, event, params, socket):
        if event == "bump":
            index = int(params["id"]) - 1
            rows = list(socket.assigns.rows)
            row = rows[index]
            rows[index] = {**row, "value": row["value"] + 1}
            socket.assign(rows=rows)


app = liveui.App(secret_key="bench")
app.live("/counter", Counter)
app.live("/table", Table)
