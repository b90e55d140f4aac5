"""The Notes view: edit Markdown on the left, see it rendered on the right; open and save files
through the native dialogs of the window."""

from __future__ import annotations

import os

import liveui
from liveui.desktop import open_file, save_file

from . import markdown

FILE_TYPES = ("Markdown (*.md;*.markdown;*.txt)", "All files (*.*)")

WELCOME = """# Welcome to Notes

Write **Markdown** here; the preview follows as you type.

- *Open* and *Save* use the system's file dialogs
- everything runs in Python: the page is a liveui view
"""


class Notes(liveui.LiveView):
    template = """
<div class="notes">
  <header>
    <strong id="title">{{ name }}{% if dirty %} •{% endif %}</strong>
    <button phx-click="new" id="new">New</button>
    <button phx-click="open" id="open">Open…</button>
    <button phx-click="save" id="save">Save</button>
    <button phx-click="save_as" id="save-as">Save as…</button>
    {% if message %}<span id="message">{{ message }}</span>{% endif %}
  </header>
  <form phx-change="edit" id="editor">
    <textarea name="text" id="text" phx-debounce="150" spellcheck="false">{{ text }}</textarea>
  </form>
  <article id="preview">{{ preview }}</article>
</div>
<style>
  body { margin: 0; font-family: system-ui, sans-serif; }
  .notes { display: grid; grid-template-columns: 1fr 1fr; grid-template-rows: auto 1fr; height: 100vh; }
  .notes header { grid-column: 1 / 3; display: flex; gap: .5em; align-items: center; padding: .5em;
                  background: #2d3e50; color: white; }
  .notes header strong { margin-right: auto; }
  #editor textarea { width: 100%; height: 100%; box-sizing: border-box; border: 0; padding: 1em;
                     font: 14px/1.5 monospace; resize: none; background: #fbfaf6; }
  #preview { padding: 0 1.5em; overflow: auto; border-left: 1px solid #ddd; }
</style>
"""

    def mount(self, params, session, socket):
        socket.assign(path=None, text=WELCOME, dirty=False, message="")
        self._show(socket)

    async def handle_event(self, event, params, socket):
        if event == "edit":
            socket.assign(text=params.get("text", ""), dirty=True, message="")
            self._show(socket)
        elif event == "new":
            socket.assign(path=None, text="", dirty=False, message="")
            self._show(socket)
        elif event == "open":
            chosen = await open_file(socket, file_types=FILE_TYPES)
            if chosen:
                try:
                    with open(chosen[0], encoding="utf-8") as f:
                        socket.assign(path=chosen[0], text=f.read(), dirty=False, message=f"Opened {chosen[0]}")
                except (OSError, UnicodeDecodeError) as error:
                    socket.assign(message=f"Could not open {chosen[0]}: {error}")
                self._show(socket)
        elif event in ("save", "save_as"):
            path = socket.assigns.path
            if event == "save_as" or path is None:
                path = await save_file(socket, filename=self._name(path) if path else "note.md", file_types=FILE_TYPES)
            if path:
                try:
                    with open(path, "w", encoding="utf-8") as f:
                        f.write(socket.assigns.text)
                    socket.assign(path=path, dirty=False, message=f"Saved {path}")
                except OSError as error:
                    socket.assign(message=f"Could not save {path}: {error}")
                self._show(socket)

    def _show(self, socket):
        name = self._name(socket.assigns.path) if socket.assigns.path else "Untitled"
        socket.assign(preview=markdown.render(socket.assigns.text), name=name, page_title=f"{name} — Notes")

    @staticmethod
    def _name(path: str) -> str:
        return os.path.basename(path)


def make_app() -> liveui.App:
    """The Notes app: one page."""
    app = liveui.App(title="Notes")
    app.live("/", Notes)
    return app


def main() -> None:
    """Open Notes in a window (blocks until it is closed)."""
    from liveui.desktop import launch

    launch(make_app(), title="Notes", width=1100, height=720)
