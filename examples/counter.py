"""A counter: one button, one number, state on the server."""

from liveui import LiveView


class Counter(LiveView):
    template = "counter.html.j2"

    def mount(self, params, session, socket):
        socket.assign(count=0, page_title="Counter")

    def handle_event(self, event, params, socket):
        if event == "inc":
            socket.assign(count=socket.assigns.count + 1)
        elif event == "dec":
            socket.assign(count=socket.assigns.count - 1)
        elif event == "reset":
            socket.assign(count=0)
            socket.put_flash("info", "Counter reset.")
