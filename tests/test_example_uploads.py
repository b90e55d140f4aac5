"""The demo gallery's upload page saves every file under a safe name of its own: hostile or
repeated client names neither escape the uploads directory, nor crash the view, nor overwrite."""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(__file__)))

import examples.uploads  # noqa: E402
from examples.gallery import make_app  # noqa: E402


@pytest.fixture
def app():
    return make_app()


@pytest.fixture
def saved_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(examples.uploads, "UPLOADS_DIR", str(tmp_path / "saved"))
    return tmp_path / "saved"


@pytest.mark.liveui_same_process  # reads the directory the view saves into
async def test_hostile_and_repeated_names_are_saved_apart(live, saved_dir):
    view, _ = await live("/uploads")
    names = ["..", "a\x00b.txt", "../../escape.txt"]
    for batch in (names, ["same.txt", ".hidden"], ["same.txt"]):  # a second upload of the same name
        upload = view.file_input("#files-form", "files", [{"name": n, "content": f"data {n}"} for n in batch])
        for n in batch:
            await upload.render_upload(n, 100)
        html = await view.form("#files-form").render_submit()
    assert sorted(os.listdir(saved_dir)) == ["a_b.txt", "escape.txt", "hidden", "same (2).txt", "same.txt", "upload"]
    assert not os.path.exists(saved_dir.parent / "escape.txt")
    assert "same (2).txt" in html
    assert (saved_dir / "same.txt").read_text() == (saved_dir / "same (2).txt").read_text() == "data same.txt"
    assert (saved_dir / "upload").read_text() == "data .."


@pytest.mark.parametrize("client_name, safe", [
    ("..", "upload"), ("", "upload"), ("a\x00b.png", "a_b.png"), ("../../etc/passwd", "passwd"),
    ("C:\\Users\\x\\evil.exe", "evil.exe"), (".bashrc", "bashrc"), ("<b>.js", "_b_.js"),
    ("x" * 300 + ".png", "x" * 96 + ".png"), ("résumé (1).pdf", "résumé (1).pdf"),
])
def test_safe_name(client_name, safe):
    assert examples.uploads.safe_name(client_name) == safe
