"""The gallery's index page."""

from liveui import LiveView

PAGES = [
    ("/counter", "Counter", "phx-click and server state"),
    ("/form", "Form", "phx-change validation with phx-debounce, phx-submit, flash"),
    ("/todo", "Todos", "to_form, the core components, JS commands and the default layout, in 43 lines"),
    ("/items", "Items", "push_patch, push_navigate, live links"),
    ("/hooks", "Hooks", "push_event to a client hook, hook pushEvent with a reply"),
    ("/dashboard", "Dashboard", "nested live views (live_render), each with its own state"),
    ("/cart", "Cart", "live components, function components with slots, async_result"),
    ("/songs", "Streams", "streams: insert at the top or bottom, update, delete, reset, limit"),
    ("/feed", "Feed", "infinite scroll: a stream fed by phx-viewport-bottom"),
    ("/async", "Async", "assign_async with loading and failure, start_async with cancel"),
    ("/uploads", "Uploads", "image preview, several files with progress, drag and drop, cancel"),
    ("/chat", "Chat", "PubSub and Presence: messages and who is here, across tabs and server processes"),
]


class Index(LiveView):
    # A file, not inline source: `extends "layout.html.j2"` resolves next to the including
    # template, and inline source has no folder (liveui's search path is empty by default).
    template = "index.html.j2"

    def mount(self, params, session, socket):
        socket.assign(pages=PAGES, page_title="liveui")
