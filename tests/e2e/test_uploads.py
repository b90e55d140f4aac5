"""Uploads in headless Chromium with the official client: real files through the file input
and drag and drop, previews, progress, a 50 MB file, rejections, cancel mid-way; the bytes on
disk afterwards, and no temp file left on the server.

Every wait is bounded (Playwright's `expect`); nothing sleeps.
"""

from __future__ import annotations

import glob
import hashlib
import os
import re
import struct
import tempfile
import zlib

import pytest
from playwright.sync_api import Page, expect

import examples.uploads
import liveui
from liveui.writers import TEMP_PREFIX

from .support import LiveServer, goto_live, new_context

AVATAR = "#avatar-form input[type=file]"
FILES = "#files-form input[type=file]"


def png(width: int, height: int, filler: bytes = b"") -> bytes:
    """A valid RGB PNG of one colour (plus an ignored text chunk of `filler`, to set its size)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\x30\x80\xc0" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    extra = chunk(b"tEXt", b"pad\x00" + filler) if filler else b""
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + extra + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def temp_uploads() -> set[str]:
    return set(glob.glob(os.path.join(tempfile.gettempdir(), TEMP_PREFIX + "*")))


@pytest.fixture
def saved_dir(tmp_path, monkeypatch):
    """Where the demo saves files during this test."""
    monkeypatch.setattr(examples.uploads, "UPLOADS_DIR", str(tmp_path))
    return tmp_path


def test_avatar_preview_then_save(page: Page, saved_dir):
    goto_live(page, "/uploads")
    image = png(12, 7)
    page.set_input_files(AVATAR, files=[{"name": "me.png", "mimeType": "image/png", "buffer": image}])
    preview = page.locator("#avatar-form img[data-phx-hook='Phoenix.LiveImgPreview']")
    expect(preview).to_have_attribute("src", re.compile(r"^blob:"))
    page.wait_for_function("el => el.complete && el.naturalWidth === 12", arg=preview.element_handle())
    page.click("#save-avatar")
    expect(page.locator("#saved li")).to_have_text([f"me.png ({len(image)} bytes)"])
    assert (saved_dir / "me.png").read_bytes() == image
    expect(page.locator("#avatar-form .upload")).to_have_count(0)


def test_several_files_with_progress_and_drag_and_drop(page: Page, saved_dir):
    goto_live(page, "/uploads")
    contents = {f"part{i}.bin": os.urandom(300_000 + i) for i in range(2)}
    page.set_input_files(FILES, files=[{"name": name, "mimeType": "application/octet-stream", "buffer": data}
                                       for name, data in contents.items()])
    page.evaluate("""() => {
        const data = new DataTransfer()
        data.items.add(new File(["dropped by hand"], "dropped.txt", {type: "text/plain"}))
        document.getElementById("drop").dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true, cancelable: true}))
    }""")
    contents["dropped.txt"] = b"dropped by hand"
    expect(page.locator("#files-form .upload .percent")).to_have_text(["100%"] * 3)
    expect(page.locator("#files-form progress").first).to_have_attribute("value", "100")
    page.click("#save-files")
    expect(page.locator("#saved li")).to_have_count(3)
    for name, data in contents.items():
        assert (saved_dir / name).read_bytes() == data


def test_a_50_mb_file(page: Page, saved_dir, tmp_path_factory):
    source = tmp_path_factory.mktemp("big") / "big.bin"
    digest = hashlib.sha256()
    with open(source, "wb") as out:
        for _ in range(50):
            block = os.urandom(1024 * 1024)
            digest.update(block)
            out.write(block)
    goto_live(page, "/uploads")
    page.set_input_files(FILES, str(source))
    expect(page.locator("#files-form .percent")).to_have_text("100%", timeout=120_000)
    page.click("#save-files")
    expect(page.locator("#saved li")).to_have_text([f"big.bin ({50 * 1024 * 1024} bytes)"])
    with open(saved_dir / "big.bin", "rb") as stored:
        assert hashlib.file_digest(stored, "sha256").hexdigest() == digest.hexdigest()


def test_too_many_files_are_listed_to_cancel_one(page: Page, saved_dir):
    """Four files for max_entries=3 (auto upload): all four listed with the error, the first
    three go up; cancelling the fourth clears the error and the three are saved."""
    goto_live(page, "/uploads")
    contents = {f"n{i}.txt": b"file %d" % i for i in range(4)}
    page.set_input_files(FILES, files=[{"name": name, "mimeType": "text/plain", "buffer": data}
                                       for name, data in contents.items()])
    expect(page.locator("#files-form .upload .name")).to_have_text(list(contents))
    expect(page.locator("#files-form > p.error")).to_have_count(1)
    expect(page.locator("#files-form .upload .percent").nth(2)).to_have_text("100%")
    page.locator("#files-form .upload", has_text="n3.txt").locator(".cancel").click()
    expect(page.locator("#files-form .upload .name")).to_have_text(["n0.txt", "n1.txt", "n2.txt"])
    expect(page.locator("#files-form > p.error")).to_have_count(0)
    page.click("#save-files")
    expect(page.locator("#saved li")).to_have_count(3)
    for name in ("n0.txt", "n1.txt", "n2.txt"):
        assert (saved_dir / name).read_bytes() == contents[name]
    assert not (saved_dir / "n3.txt").exists()


def test_a_rejected_type_and_a_too_large_file_are_not_saved(page: Page, saved_dir):
    goto_live(page, "/uploads")
    page.set_input_files(AVATAR, files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hi"}])
    expect(page.locator("#avatar-form .error")).to_have_text("That file type is not accepted")
    page.click("#save-avatar")  # the client holds the submit while an entry has errors
    page.set_input_files(AVATAR, files=[{"name": "huge.png", "mimeType": "image/png",
                                         "buffer": png(2, 2, b"x" * 2_100_000)}])
    expect(page.locator("#avatar-form .error")).to_have_text("Too large")
    expect(page.locator("#avatar-form .upload .name")).to_have_text("huge.png")  # the sole entry was replaced
    page.click("#save-avatar")
    expect(page.locator("#saved li")).to_have_count(0)
    assert list(saved_dir.iterdir()) == []


def test_cancel_mid_way_leaves_nothing(page: Page, saved_dir):
    before = temp_uploads()
    goto_live(page, "/uploads")
    page.evaluate("liveSocket.enableLatencySim(40)")  # 40 ms between chunks: time to click cancel
    page.set_input_files(FILES, files=[{"name": "slow.bin", "mimeType": "application/octet-stream",
                                        "buffer": os.urandom(3_000_000)}])
    percent = page.locator("#files-form .percent")
    expect(percent).not_to_have_text("0%", timeout=20_000)
    assert percent.inner_text() != "100%"
    page.click("#files-form .cancel")
    expect(page.locator("#files-form .upload")).to_have_count(0)
    page.wait_for_function("() => document.querySelector('#files-form input[type=file]').dataset.phxActiveRefs === ''")
    page.evaluate("liveSocket.disableLatencySim()")
    page.click("#save-files")
    expect(page.locator("#saved li")).to_have_count(0)
    assert temp_uploads() <= before
    assert list(saved_dir.iterdir()) == []


class Presigned(liveui.LiveView):
    """External uploads: the browser's own uploader sends the bytes; liveui only signs and tracks."""

    template = (
        '<form id="ext" phx-change="validate" phx-submit="save">{{ live_file_input(uploads.photo) }}'
        '{% for entry in uploads.photo.entries %}<p class="entry">{{ entry.client_name }} {{ entry.progress }}%</p>'
        "{% endfor %}<button>save</button></form>"
        '<ul id="stored">{% for url in stored %}<li>{{ url }}</li>{% endfor %}</ul>'
    )

    def mount(self, params, session, socket):
        socket.assign(stored=[])
        socket.allow_upload("photo", accept=[".png"], external=self.presign, auto_upload=True)

    def presign(self, entry, socket):
        return ("ok", {"uploader": "Bucket", "url": f"https://bucket.example/{entry.client_name}"})

    def handle_event(self, event, params, socket):
        if event == "save":
            urls = socket.consume_uploaded_entries("photo", lambda meta, entry: ("ok", meta["url"]))
            socket.assign(stored=socket.assigns.stored + urls)


# A client uploader as an app registers it: it gets the entries with the server's meta and
# reports progress (here without sending the bytes anywhere: the server never sees them).
BUCKET = """<script>
window.liveuiManualConnect = true
window.bucketCalls = []
document.addEventListener("DOMContentLoaded", () => liveui.connect({uploaders: {
  Bucket(entries, onViewError) {
    for (const entry of entries) {
      window.bucketCalls.push([entry.file.name, entry.meta.url])
      entry.progress(50)
      entry.progress(100)
    }
  }
}}))
</script>"""


@pytest.fixture(scope="module")
def external_server():
    app = liveui.App(secret_key="e2e-external", head=BUCKET)
    app.live("/photo", Presigned)
    server = LiveServer(app, name="external-upload-server").start()
    yield server
    server.stop()


def test_external_uploads_call_the_named_client_uploader(browser, external_server, console):
    context = new_context(browser, external_server.url)
    page = context.new_page()
    console.attach(page)
    try:
        goto_live(page, "/photo")
        page.set_input_files("#ext input[type=file]", files=[{"name": "cat.png", "mimeType": "image/png",
                                                               "buffer": png(3, 3)}])
        expect(page.locator("#ext .entry")).to_have_text("cat.png 100%")
        assert page.evaluate("window.bucketCalls") == [["cat.png", "https://bucket.example/cat.png"]]
        page.click("#ext button")
        expect(page.locator("#stored li")).to_have_text(["https://bucket.example/cat.png"])
    finally:
        context.close()
    console.assert_clean()
