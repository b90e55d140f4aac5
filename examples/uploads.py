"""Uploads: an avatar with an image preview, saved on submit, and several files (drag and drop
or pick) sent as soon as they are chosen, with progress and cancel. The server checks type,
size and count itself; files are saved to `UPLOADS_DIR` when the form is submitted."""

import os
import re
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

UNSAFE = re.compile(r"[^\w.() -]")  # anything but letters, digits, "_", ".", "(", ")", " " and "-"


def safe_name(client_name: str) -> str:
    """The client's file name made safe to save under: its last path segment, unusual characters
    (NUL, slashes, control characters...) replaced, no leading dot, at most 100 characters."""
    name = UNSAFE.sub("_", client_name.replace("\\", "/").rsplit("/", 1)[-1])[-100:].lstrip(". ").strip()
    return name or "upload"


def create_free(directory: str, name: str) -> str:
    """Create an empty file for `name` in `directory`, as `name (2).ext` etc. when taken (an
    existing file is never overwritten, even by a concurrent upload); returns its path."""
    stem, ext = os.path.splitext(name)
    for n in range(1, 10_000):
        path = os.path.join(directory, name if n == 1 else f"{stem} ({n}){ext}")
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
            return path
        except FileExistsError:
            continue
    raise FileExistsError(f"no free name for {name!r} in {directory}")


def save(meta, entry):
    """Copy one finished upload out of its temp file into UPLOADS_DIR, under a safe, free name."""
    os.makedirs(UPLOADS_DIR, exist_ok=True)
    path = create_free(UPLOADS_DIR, safe_name(entry.client_name))
    shutil.copyfile(meta["path"], path)
    return ("ok", {"name": os.path.basename(path), "size": entry.client_size})


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
