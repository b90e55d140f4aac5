"""Streams: a playlist the server does not keep. Inserts at the top or the bottom, updates in
place, deletes, a reset and a limit; only what changed travels, and the DOM holds the rest."""

from liveui import LiveView

FIRST = ["Blue in Green", "So What", "Freddie Freeloader"]


class Songs(LiveView):
    template = "songs.html.j2"

    def mount(self, params, session, socket):
        self.count = 0  # the next song's number: plain view state, never rendered
        socket.assign(page_title="Streams", limited=False)
        socket.stream("songs", [self._song(title) for title in FIRST])

    def _song(self, title):
        self.count += 1
        return {"id": self.count, "title": title, "plays": 0}

    def handle_event(self, event, params, socket):
        limit = 5 if socket.assigns.limited else None
        if event == "add-bottom":
            socket.stream_insert("songs", self._song(f"Song {self.count + 1}"), limit=limit and -limit)
        elif event == "add-top":
            socket.stream_insert("songs", self._song(f"Song {self.count + 1}"), at=0, limit=limit)
        elif event == "play":
            song = {"id": int(params["id"]), "title": params["title"], "plays": int(params["plays"]) + 1}
            socket.stream_insert("songs", song)  # same DOM id: updated in place
        elif event == "delete":
            socket.stream_delete_by_dom_id("songs", params["dom-id"])
        elif event == "reset":
            self.count = 0
            socket.stream("songs", [self._song(title) for title in FIRST], reset=True)
        elif event == "limit":
            socket.assign(limited=not socket.assigns.limited)
