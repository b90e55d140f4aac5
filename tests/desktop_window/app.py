"""The app the desktop window tests open: the demo gallery plus pages that leave the live session."""

from __future__ import annotations

import liveui
from examples.gallery import make_app as gallery


class Leave(liveui.LiveView):
    """Full redirects: to a page of the app (another live session) and to an outside URL."""

    template = """
<h1 id="leave">Leave</h1>
<button phx-click="inside" id="inside">to the counter</button>
<button phx-click="outside" id="outside">to the outside</button>
<a href="/counter" id="plain">plain link</a>
"""

    def handle_event(self, event, params, socket):
        if event == "inside":
            socket.put_flash("info", "Came by redirect.")
            socket.redirect(to="/counter")
        else:
            socket.redirect(external="https://example.com/liveui-desktop-test")


class Broken(liveui.LiveView):
    """A page whose mount fails."""

    template = "<p>never shown</p>"

    def mount(self, params, session, socket):
        raise RuntimeError("the database is down")


def make_app() -> liveui.App:
    app = gallery()
    with app.live_session("leaving"):
        app.live("/leave", Leave)
        app.live("/broken", Broken)
    return app
