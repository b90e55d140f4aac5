"""Nested live views: a dashboard whose panels are live views of their own (live_render)."""

from liveui import LiveView


class Tally(LiveView):
    """A panel with its own state and its own channel: clicks here never touch the parent."""

    container = ("section", {"class": "tally"})  # the element the view lives in
    template = """<h2>{{ label }}</h2>
<p>Count: <span class="tally-count">{{ count }}</span></p>
<button phx-click="inc">+1</button>"""

    def mount(self, params, session, socket):
        socket.assign(count=0, label=session["label"])

    def handle_event(self, event, params, socket):
        if event == "inc":
            socket.assign(count=socket.assigns.count + 1)


class Dashboard(LiveView):
    template = "dashboard.html.j2"

    def mount(self, params, session, socket):
        socket.assign(refreshed=0, page_title="Dashboard")

    def handle_event(self, event, params, socket):
        if event == "refresh":
            socket.assign(refreshed=socket.assigns.refreshed + 1)
