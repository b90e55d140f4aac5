"""Infinite scroll: a stream that loads the next page when the end of the list comes into view
(`phx-viewport-bottom`), keeping at most 60 items in the page."""

from liveui import LiveView

PAGE = 20


class Feed(LiveView):
    template = "feed.html.j2"

    def mount(self, params, session, socket):
        socket.assign(page=1, page_title="Feed")
        socket.stream("posts", posts(1))

    def handle_event(self, event, params, socket):
        if event == "next-page":
            page = socket.assigns.page + 1
            socket.assign(page=page)
            socket.stream("posts", posts(page), limit=-3 * PAGE)


def posts(page):
    start = (page - 1) * PAGE
    return [{"id": n, "text": f"Post number {n}"} for n in range(start + 1, start + PAGE + 1)]
