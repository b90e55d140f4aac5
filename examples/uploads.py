"""Uploads: an avatar with an image preview, saved on submit, and several files (drag and drop
or pick) sent as soon as they are chosen, with progress and cancel. The server checks type,
size and count itself; files are saved to `UPLOADS_DIR` when the form is submitted."""

import os
import shutil
import tempfile

from liveui import LiveView

# where saved files go; the gallery's make_app may point it elsewhere (tests use a temp dir)
UPLOADS_DIR = os.path.join(tempfile.gettempdir(), "liveui-demo-uploads")

MESSAGES = {
    "too_large": "Too large",
    "not_accepted": "That file type is not accepted",
    "too_many_files": "Too many files",
}


def save(meta, entry):
    """Move one finished upload out of its temp file into UPLOADS_DIR."""
    os.makedirs(UPLOADS_DIR, exist_ok=True)
    name = os.path.basename(entry.client_name) or entry.ref
    shutil.copyfile(meta["path"], os.path.join(UPLOADS_DIR, name))
    return ("ok", {"name": name, "size": entry.client_size})


class Uploads(LiveView):
    template = "uploads.html.j2"

    def mount(self, params, session, socket):
        socket.assign(page_title="Uploads", saved=[], messages=MESSAGES)
        socket.allow_upload("avatar", accept=[".png", ".jpg", ".jpeg", ".gif"], max_file_size=2_000_000)
        socket.allow_upload("files", accept="any", max_entries=3, max_file_size=100_000_000, auto_upload=True)

    def handle_event(self, event, params, socket):
        if event in ("save-avatar", "save-files"):
            name = event.removeprefix("save-")
            socket.assign(saved=socket.assigns.saved + socket.consume_uploaded_entries(name, save))
        elif event == "cancel":
            socket.cancel_upload(params["upload"], params["ref"])
