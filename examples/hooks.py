"""push_event to a client hook: the server pushes, a JavaScript hook reacts (and replies)."""

from liveui import LiveView


class HookDemo(LiveView):
    template = "hooks.html.j2"

    def mount(self, params, session, socket):
        socket.assign(pings=0, page_title="Hooks")

    def handle_event(self, event, params, socket):
        if event == "ping":
            pings = socket.assigns.pings + 1
            socket.assign(pings=pings)
            socket.push_event("highlight", {"id": "pings", "n": pings})
        elif event == "hello":
            return {"greeting": f"hello {params.get('name', '?')}"}
