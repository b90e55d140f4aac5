"""Uploads over every transport of the `live` fixture: selection, preflight, chunks on `lvu:`
channels, progress, consume/postpone/cancel, the server's own limits, writers, external
uploads, components, and that no temp file outlives its entry."""

from __future__ import annotations

import glob
import os
import re
import shutil
import tempfile
import tracemalloc

import pytest

from liveui import App, LiveComponent, LiveView
from liveui.writers import TEMP_PREFIX, WriterFailure
from polling import wait_for

FORM = """
<form id="f" phx-change="validate" phx-submit="save"{{ target }}>
  {{ live_file_input(uploads.docs) }}
  {% for err in upload_errors(uploads.docs) %}<p class="config-error">{{ err }}</p>{% endfor %}
  {% for entry in uploads.docs.entries %}
  <div class="entry" id="e-{{ entry.client_name|replace('.', '-') }}">{{ entry.client_name }} {{ entry.progress }}%{% if entry.done %} done{% endif %}
    {% for err in upload_errors(uploads.docs, entry) %}<span class="error">{{ err }}</span>{% endfor %}
    <button type="button" phx-click="cancel" phx-value-ref="{{ entry.ref }}"{{ target }}>cancel</button>
  </div>
  {% endfor %}
</form>
<ul id="saved">{% for name in saved %}<li>{{ name }}</li>{% endfor %}</ul>{{ waiting }}<p id="note">{{ note }}</p>
"""

def saver(socket):
    """Copies a finished upload into the app's `uploads_dir` (set by the app fixture; an app
    attribute, so it also reaches views that run in a kernel)."""
    def save(meta, entry):
        shutil.copyfile(meta["path"], os.path.join(socket.endpoint.uploads_dir, entry.client_name))
        return ("ok", entry.client_name)
    return save


class Docs(LiveView):
    template = FORM.replace("{{ target }}", "")
    options: dict = {"accept": [".txt", ".png"], "max_entries": 2, "max_file_size": 1000, "chunk_size": 100}

    def mount(self, params, session, socket):
        socket.assign(saved=[], waiting=[], note="")
        socket.allow_upload("docs", **self.options)

    def handle_event(self, event, params, socket):
        if event == "save":
            socket.assign(saved=socket.assigns.saved + socket.consume_uploaded_entries("docs", saver(socket)))
        elif event == "look":  # consume, but keep the entries for later
            socket.consume_uploaded_entries("docs", lambda meta, entry: ("postpone", entry.client_name))
        elif event == "cancel":
            socket.cancel_upload("docs", params["ref"])
        elif event == "save-first":
            completed, in_progress = socket.uploaded_entries("docs")
            socket.assign(saved=[socket.consume_uploaded_entry(completed[0], saver(socket))],
                          waiting=[entry.client_name for entry in in_progress])


class AutoDocs(Docs):
    options = {**Docs.options, "auto_upload": True}


class Recorder:
    """A writer that keeps chunks in a list (a test double for S3-like writers)."""

    def __init__(self, name, entry, socket):
        self.chunks, self.closed, self.name = [], None, name

    def init(self):
        pass

    def meta(self):
        return {"sizes": [len(chunk) for chunk in self.chunks], "closed": self.closed, "bytes": b"".join(self.chunks)}

    def write_chunk(self, data):
        self.chunks.append(data)

    def close(self, reason):
        self.closed = reason


class Quota(Recorder):
    """A writer that refuses past 150 bytes, with a reason (`w.txt`), or by crashing (`crash.txt`)."""

    def __init__(self, name, entry, socket):
        super().__init__(name, entry, socket)
        self.crash = entry.client_name == "crash.txt"

    def write_chunk(self, data):
        super().write_chunk(data)
        if sum(map(len, self.chunks)) > 150:
            if self.crash:
                raise OSError("disk gone")
            raise WriterFailure({"quota": 150})


class Written(Docs):
    options = {**Docs.options, "writer": Recorder}

    def handle_event(self, event, params, socket):
        if event == "save":
            got = socket.consume_uploaded_entries(
                "docs", lambda meta, entry: ("ok", f"{meta['sizes']} {meta['closed']} {meta['bytes'].decode()}"))
            socket.assign(saved=got)


class OverQuota(Docs):
    options = {**Docs.options, "writer": Quota}


class External(Docs):
    def mount(self, params, session, socket):
        socket.assign(saved=[], waiting=[], note="")
        socket.allow_upload("docs", accept="any", max_entries=2, external=self.presign)

    def presign(self, entry, socket):
        if entry.client_name.startswith("deny"):
            return ("error", {"reason": "denied"})
        return ("ok", {"uploader": "S3", "url": f"https://bucket.example/{entry.client_name}"})

    def handle_event(self, event, params, socket):
        if event == "save":
            socket.assign(saved=socket.consume_uploaded_entries("docs", lambda meta, entry: ("ok", meta["url"])))


class Progressing(Docs):
    def mount(self, params, session, socket):
        socket.assign(saved=[], waiting=[], note="")
        socket.allow_upload("docs", accept="any", chunk_size=100, progress=self.on_progress)

    def on_progress(self, name, entry, socket):
        socket.assign(note=f"{socket.assigns.note}[{name} {entry.progress} {entry.done}]")


class Big(Docs):
    """Measures the peak of its own process's Python allocations from the "trace" event to "peak"."""

    options = {"accept": "any", "max_file_size": 50_000_000}

    def handle_event(self, event, params, socket):
        if event == "trace":
            tracemalloc.start()
        elif event == "peak":
            socket.assign(note=f"peak {tracemalloc.get_traced_memory()[1]}")
            tracemalloc.stop()
        else:
            super().handle_event(event, params, socket)

    def terminate(self, reason, socket):
        tracemalloc.stop()  # still tracing if the test failed in between


class Slow(Docs):
    options = {**Docs.options, "chunk_timeout": 50}


class Uploader(LiveComponent):
    template = "<div>" + FORM.replace("{{ target }}", ' phx-target="{{ myself }}"').replace('id="f"', 'id="cf"') + "</div>"

    def mount(self, socket):
        socket.assign(saved=[], waiting=[], note="")
        socket.allow_upload("docs", accept="any", chunk_size=100)

    def handle_event(self, event, params, socket):
        if event == "save":
            socket.assign(saved=socket.consume_uploaded_entries("docs", saver(socket)))


class Host(LiveView):
    template = "<main>{% if shown %}{{ live_component(Uploader, id='up') }}{% endif %}</main><button phx-click='hide'>hide</button>"

    def mount(self, params, session, socket):
        socket.assign(shown=True)

    def handle_event(self, event, params, socket):
        socket.assign(shown=False)


@pytest.fixture
def app(tmp_path):
    app = App(secret_key="uploads")
    app.uploads_dir = str(tmp_path)
    for path, view in {"/docs": Docs, "/auto": AutoDocs, "/written": Written, "/quota": OverQuota, "/external": External,
                       "/progress": Progressing, "/big": Big, "/slow": Slow, "/host": Host}.items():
        app.live(path, view)
    return app


@pytest.fixture
def temp_files():
    """The upload temp files that appear during a test (must be none left at its end)."""
    before = set(glob.glob(os.path.join(tempfile.gettempdir(), TEMP_PREFIX + "*")))
    return lambda: set(glob.glob(os.path.join(tempfile.gettempdir(), TEMP_PREFIX + "*"))) - before


async def test_upload_two_files_with_progress_then_consume(live, tmp_path, temp_files):
    view, html = await live("/docs")
    assert 'data-phx-hook="Phoenix.LiveFileUpload"' in html and 'accept=".txt,.png"' in html and "multiple" in html
    upload = view.file_input("#f", "docs", [{"name": "a.txt", "content": b"A" * 250, "type": "text/plain"},
                                           {"name": "b.png", "content": bytes(range(256)) * 3, "type": "image/png"}])
    html = await upload.render_upload("a.txt", 40)
    assert "a.txt 40%" in html and "b.png 0%" in html
    assert len(temp_files()) == 2 or len(temp_files()) == 1  # b.png's channel is not joined yet
    html = await upload.render_upload("a.txt")
    assert "a.txt 100% done" in html
    html = await upload.render_upload("b.png")
    assert "b.png 100% done" in html
    assert 'data-phx-done-refs="' + ",".join(s["ref"] for s in upload.files.values()) + '"' in html
    html = await view.form("#f").render_submit()
    assert "<li>a.txt</li>" in html and "<li>b.png</li>" in html
    assert (tmp_path / "a.txt").read_bytes() == b"A" * 250
    assert (tmp_path / "b.png").read_bytes() == bytes(range(256)) * 3
    assert 'class="entry"' not in html and 'data-phx-active-refs=""' in html
    assert temp_files() == set()


async def test_server_checks_size_type_and_count(live, temp_files):
    view, _ = await live("/docs")
    upload = view.file_input("#f", "docs", [{"name": "big.txt", "content": b"x" * 1001},
                                           {"name": "tool.exe", "content": b"MZ"}])
    html = await upload.select()
    assert '<span class="error">too_large</span>' in view.element("#e-big-txt").render()
    assert '<span class="error">not_accepted</span>' in view.element("#e-tool-exe").render()
    assert 'data-phx-error-refs="' in html and 'data-phx-error-refs=""' not in html
    await upload.preflight()
    assert sorted(map(tuple, upload.errors)) == sorted([(upload.files["big.txt"]["ref"], "too_large"),
                                                        (upload.files["tool.exe"]["ref"], "not_accepted")])
    assert await upload.render_upload("big.txt") == view.render()  # nothing was sent
    many = view.file_input("#f", "docs", [{"name": f"{i}.txt", "content": b"1"} for i in range(3)])
    await many.select()
    assert '<p class="config-error">too_many_files</p>' in view.render()
    assert len(view.document().select(".entry")) == 5  # every selected file is listed, to be cancelled
    html = await view.element("#e-big-txt button").render_click()
    assert "too_many_files" in html and "big.txt" not in html  # four left: still too many
    await view.element("#e-tool-exe button").render_click()
    html = await view.element("#e-0-txt button").render_click()
    assert "too_many_files" not in html and len(view.document().select(".entry")) == 2  # room again
    assert temp_files() == set()


async def test_auto_upload_of_too_many_files_lists_them_all(live, temp_files):
    """Three files for max_entries=2: all three listed with too_many_files, the first two go up;
    cancelling the third clears the error and the two are saved."""
    view, _ = await live("/auto")
    upload = view.file_input("#f", "docs", [{"name": f"{i}.txt", "content": b"%d" % i} for i in range(3)])
    reply = await upload.preflight()
    assert list(reply["entries"]) == [upload.files["0.txt"]["ref"], upload.files["1.txt"]["ref"]]
    html = view.render()
    assert '<p class="config-error">too_many_files</p>' in html
    assert [entry.text().split()[0] for entry in view.document().select(".entry")] == ["0.txt", "1.txt", "2.txt"]
    await upload.render_upload("0.txt")
    await upload.render_upload("1.txt")
    html = await view.element("#e-2-txt button").render_click()
    assert "too_many_files" not in html and "2.txt" not in html
    html = await view.form("#f").render_submit()
    assert "<li>0.txt</li>" in html and "<li>1.txt</li>" in html
    assert temp_files() == set()


async def test_auto_upload_preflight_grants_valid_entries_and_reports_invalid_ones(live):
    view, _ = await live("/auto")
    assert "data-phx-auto-upload" in view.render()
    upload = view.file_input("#f", "docs", [{"name": "ok.txt", "content": b"fine"},
                                           {"name": "bad.exe", "content": b"MZ"}])
    reply = await upload.preflight()
    assert list(reply["entries"]) == [upload.files["ok.txt"]["ref"]]
    assert reply["errors"] == {upload.files["bad.exe"]["ref"]: ["not_accepted"]}
    assert reply["config"] == {"max_file_size": 1000, "max_entries": 2, "chunk_size": 100, "chunk_timeout": 10000}
    assert "ok.txt 100% done" in await upload.render_upload("ok.txt")


async def test_cancel_mid_way_and_view_end_delete_temp_files(live, temp_files):
    view, _ = await live("/docs")
    upload = view.file_input("#f", "docs", [{"name": "a.txt", "content": b"a" * 500}])
    await upload.render_upload("a.txt", 50)
    assert len(temp_files()) == 1
    html = await view.element("#e-a-txt button").render_click()
    assert 'class="entry"' not in html and temp_files() == set()
    late = await view.client.request(view, "progress", {"event": None, "ref": upload.ref,
                                                        "entry_ref": upload.files["a.txt"]["ref"], "progress": 60})
    assert late == {"status": "ok", "response": {}}  # a report already on its way when it was cancelled

    other, _ = await live("/docs")
    upload = other.file_input("#f", "docs", [{"name": "b.txt", "content": b"b" * 500}])
    await upload.render_upload("b.txt", 20)
    assert len(temp_files()) == 1
    await other.client.close()
    await wait_for(lambda: temp_files() == set(), "the server to end the view (a socket closes asynchronously)")


async def test_chunks_past_the_declared_size_are_cut_off(live, temp_files):
    view, _ = await live("/docs")
    upload = view.file_input("#f", "docs", [{"name": "liar.txt", "content": b"z" * 300, "size": 120}])
    await upload.render_upload("liar.txt", 100)
    assert upload.errors == {"reason": "file_size_limit_exceeded", "limit": 120}
    await wait_for(lambda: "too_large" in view.render(), "the entry's error")
    assert temp_files() == set()


async def test_progress_100_before_the_bytes_arrive_is_refused(live):
    view, _ = await live("/docs")
    upload = view.file_input("#f", "docs", [{"name": "a.txt", "content": b"a" * 300}])
    await upload.render_upload("a.txt", 10)
    reply = await view.client.request(view, "progress", {"event": None, "ref": upload.ref,
                                                         "entry_ref": upload.files["a.txt"]["ref"], "progress": 100})
    assert reply["status"] == "error" and "before the server received" in reply["response"]["reason"]
    assert "a.txt 10%" in view.render()


async def test_tampered_or_replayed_tokens_are_refused(live):
    view, _ = await live("/docs")
    upload = view.file_input("#f", "docs", [{"name": "a.txt", "content": b"a" * 10}])
    reply = await upload.preflight()
    token = reply["entries"][upload.files["a.txt"]["ref"]]
    client = view.client
    bad = await client.call("lvu:x1", "j1", "phx_join", {"token": token[:-2] + "xx"}, ref="j1")
    assert bad == {"status": "error", "response": {"reason": "invalid_token"}}
    assert "a.txt 100% done" in await upload.render_upload("a.txt")
    again = await client.call("lvu:x2", "j2", "phx_join", {"token": token}, ref="j2")
    assert again == {"status": "error", "response": {"reason": "already_registered"}}
    assert "a.txt 100% done" in view.render()  # the view is unharmed


async def test_postponed_entries_stay_until_consumed(live, temp_files):
    view, _ = await live("/docs")
    upload = view.file_input("#f", "docs", [{"name": "a.txt", "content": b"keep"}])
    await upload.render_upload("a.txt")
    html = await view.render_hook("look")
    assert "a.txt 100% done" in html and len(temp_files()) == 1
    html = await view.form("#f").render_submit()
    assert "<li>a.txt</li>" in html and temp_files() == set()


async def test_a_custom_writer_gets_every_chunk(live):
    view, _ = await live("/written")
    upload = view.file_input("#f", "docs", [{"name": "w.txt", "content": b"0123456789" * 25}])
    await upload.render_upload("w.txt")
    html = await view.form("#f").render_submit()
    assert "<li>[100, 100, 50] done " + "0123456789" * 25 + "</li>" in html


async def test_a_writer_fails_its_entry_with_a_reason_the_page_shows(live, caplog):
    view, _ = await live("/quota")
    upload = view.file_input("#f", "docs", [{"name": "w.txt", "content": b"x" * 250},
                                           {"name": "crash.txt", "content": b"y" * 250}])
    html = await upload.render_upload("w.txt")
    assert upload.errors == {"reason": "writer_error"}  # what the client's chunk push gets back
    assert "<span class=\"error\">(&#39;writer_failure&#39;, {&#39;quota&#39;: 150})</span>" in html
    html = await upload.render_upload("crash.txt")
    assert "crash.txt 0%" in html and "<span class=\"error\">writer_failure</span>" in html


async def test_external_uploads_hand_the_client_an_uploader(live):
    view, _ = await live("/external")
    upload = view.file_input("#f", "docs", [{"name": "photo.jpg", "content": b"jpg"},
                                           {"name": "deny.jpg", "content": b"no"}])
    reply = await upload.preflight()
    assert reply["error"] == [[upload.files["deny.jpg"]["ref"], {"reason": "denied"}]]
    view2, _ = await live("/external")
    upload = view2.file_input("#f", "docs", [{"name": "photo.jpg", "content": b"jpg"}])
    reply = await upload.preflight()
    meta = reply["entries"][upload.files["photo.jpg"]["ref"]]
    assert meta == {"uploader": "S3", "url": "https://bucket.example/photo.jpg"}
    html = await upload._report(upload.files["photo.jpg"], 100)  # what the JS uploader reports
    assert "photo.jpg 100% done" in html
    html = await view2.form("#f").render_submit()
    assert "<li>https://bucket.example/photo.jpg</li>" in html


async def test_the_progress_callback_runs_on_each_report(live):
    view, _ = await live("/progress")
    upload = view.file_input("#f", "docs", [{"name": "p.bin", "content": b"p" * 400}])
    await upload.render_upload("p.bin", 50)
    html = await upload.render_upload("p.bin", 100)
    assert '<p id="note">[docs 50 False][docs 100 True]</p>' in html


async def test_a_stalled_upload_times_out_and_its_entry_goes(live, temp_files):
    view, _ = await live("/slow")
    upload = view.file_input("#f", "docs", [{"name": "s.txt", "content": b"s" * 300}])
    await upload.render_upload("s.txt", 34)
    await wait_for(lambda: 'class="entry"' not in view.render(), "the stalled entry to be dropped")
    assert temp_files() == set()


async def test_uploads_in_a_live_component(live, tmp_path):
    view, _ = await live("/host")
    upload = view.file_input("#cf", "docs", [{"name": "c.txt", "content": b"component"}])
    assert "c.txt 100% done" in await upload.render_upload("c.txt")
    html = await view.form("#cf").render_submit()
    assert "<li>c.txt</li>" in html and (tmp_path / "c.txt").read_bytes() == b"component"


async def test_a_component_that_leaves_the_page_ends_its_uploads(live, temp_files):
    view, _ = await live("/host")
    upload = view.file_input("#cf", "docs", [{"name": "c.txt", "content": b"c" * 500}])
    await upload.render_upload("c.txt", 40)
    assert len(temp_files()) == 1
    await view.element("button", "hide").render_click()  # the client frees the component
    assert temp_files() == set()


async def test_a_file_is_never_held_whole_in_memory(live, temp_files):
    view, _ = await live("/big")
    content = os.urandom(8 * 1024 * 1024)
    upload = view.file_input("#f", "docs", [{"name": "big.bin", "content": content}])
    await upload.preflight()
    await view.render_hook("trace")  # the server's process measures itself
    await upload.render_upload("big.bin")
    peak = int(re.search(r'<p id="note">peak (\d+)</p>', await view.render_hook("peak"))[1])
    assert peak < 2 * 1024 * 1024, f"peak {peak} bytes while uploading 8 MiB"
    assert len(temp_files()) == 1
    with open(next(iter(temp_files())), "rb") as stored:
        assert stored.read() == content


def test_allow_upload_rejects_bad_options():
    from liveui import Socket

    socket = Socket(view_id="x", connected=False)
    with pytest.raises(ValueError, match="accept must be"):
        socket.allow_upload("a", accept=".png")
    with pytest.raises(ValueError, match="max_entries must be a positive integer"):
        socket.allow_upload("a", accept="any", max_entries=0)
    with pytest.raises(ValueError, match="no upload 'b'"):
        socket.uploaded_entries("b")


async def test_consume_one_entry_while_another_uploads(live, tmp_path):
    view, _ = await live("/docs")
    upload = view.file_input("#f", "docs", [{"name": "one.txt", "content": b"first"},
                                           {"name": "two.txt", "content": b"second" * 50}])
    await upload.render_upload("one.txt")
    await upload.render_upload("two.txt", 50)
    html = await view.render_hook("save-first")
    assert "<li>one.txt</li>" in html and "[&#39;two.txt&#39;]" in html
    assert (tmp_path / "one.txt").read_bytes() == b"first"
    assert "two.txt 50%" in html and "one.txt" not in view.element("form").render()


@pytest.mark.parametrize("event, payload, reason", [
    ("allow_upload", {"ref": "nope", "entries": []}, "no upload with ref"),
    ("allow_upload", {"ref": None, "entries": "x"}, "no upload with ref"),
    ("event", {"type": "form", "event": "validate", "value": "", "uploads": {"nope": []}}, "no upload with ref"),
    ("event", {"type": "form", "event": "validate", "value": "", "uploads": ["x"]}, "uploads must be an object"),
    ("progress", {"ref": "nope", "entry_ref": "0", "progress": 5}, "no upload with ref"),
])
async def test_bad_upload_pushes_get_error_replies(live, event, payload, reason):
    view, html = await live("/docs")
    reply = await view.client.request(view, event, payload)
    assert reply["status"] == "error" and reason in reply["response"]["reason"]
    assert view.render() == html  # the view lives on


async def test_bad_entries_and_progress_values_get_error_replies(live):
    view, _ = await live("/docs")
    upload = view.file_input("#f", "docs", [{"name": "a.txt", "content": b"a"}])
    reply = await view.client.request(view, "allow_upload", {"ref": upload._input()[1], "entries": [{"ref": "9"}]})
    assert reply["status"] == "error" and "size must be a non-negative integer" in reply["response"]["reason"]
    await upload.render_upload("a.txt", 0)
    reply = await view.client.request(view, "progress", {"ref": upload.ref, "entry_ref": upload.files["a.txt"]["ref"],
                                                         "progress": "50"})
    assert reply["status"] == "error" and "integer 0-100" in reply["response"]["reason"]
    assert "a.txt 100% done" in await upload.render_upload("a.txt")


def test_disallow_upload_refuses_while_entries_are_in_progress():
    from liveui import Socket
    from liveui.uploads import put_entries

    socket = Socket(view_id="x", connected=False)
    socket.allow_upload("a", accept="any")
    put_entries(socket, socket.assigns.uploads.a, [{"ref": "0", "name": "x.bin", "size": 3}])
    with pytest.raises(ValueError, match="while entries are in progress"):
        socket.disallow_upload("a")
    socket.cancel_upload("a", "0")
    socket.disallow_upload("a")
    assert "a" not in socket.assigns.uploads
