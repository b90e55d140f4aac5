"""The benchmark views written for liveui.

/counter  a button with phx-click="inc"; the count is shown in a <p>.
/table    1,000 rows rendered by a plain for-loop; event "bump" with
          value {"id": "N"} increments the value of row N (ids 1..1000).
/upload   one upload of any file up to 1 GB; event "save" consumes it
          (the temp file is deleted), for bench/uploads.py.
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


class Upload(LiveView):
    template = (
        '<form id="f" phx-change="validate" phx-submit="save">{{ live_file_input(uploads.file) }}'
        "{% for entry in uploads.file.entries %}<p>{{ entry.progress }}%</p>{% endfor %}</form><p>{{ saved }}</p>"
    )

    def mount(self, params, session, socket):
        socket.assign(saved=0)
        socket.allow_upload("file", accept="any", max_file_size=1_000_000_000)

    def handle_event(self, event, params, socket):
        if event == "save":
            sizes = socket.consume_uploaded_entries("file", lambda meta, entry: ("ok", entry.client_size))
            socket.assign(saved=socket.assigns.saved + sum(sizes))


app = liveui.App(secret_key="bench")
app.live("/counter", Counter)
app.live("/table", Table)
app.live("/upload", Upload)
