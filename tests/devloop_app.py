"""The app that `liveui run --reload` serves in the development-loop tests (tests/test_devloop.py
and tests/e2e/test_devloop.py), written into a folder of the test's own and edited by it."""

from __future__ import annotations

from pathlib import Path

SOURCE = '''
from liveui import App, LiveView

VERSION = "{version}"


class Home(LiveView):
    template = "home.html.j2"

    def mount(self, params, session, socket):
        socket.assign(count=0, version=VERSION)

    def handle_event(self, event, params, socket):
        if event == "boom":
            raise ValueError("boom!")
        socket.assign(count=socket.assigns.count + 1)


app = App(title="dev")
app.static("/assets", "assets")
app.live("/", Home)
'''
TEMPLATE = '''<p id="v">{{{{ version }}}} {label} <span id="count">{{{{ count }}}}</span></p>
<button id="inc" phx-click="inc">+</button> <button id="boom" phx-click="boom">boom</button>'''


def write_module(folder: Path, version: str) -> None:
    (folder / "devapp.py").write_text(SOURCE.format(version=version))


def write_template(folder: Path, label: str) -> None:
    (folder / "home.html.j2").write_text(TEMPLATE.format(label=label))


def write_app(folder: Path) -> None:
    """devapp.py (version "one"), its template (label "first") and assets/site.css."""
    (folder / "assets").mkdir(parents=True)
    (folder / "assets" / "site.css").write_text("p { color: red }")
    write_module(folder, "one")
    write_template(folder, "first")
