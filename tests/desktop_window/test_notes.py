"""The Notes desktop app (desktop/notes): typing Markdown updates the title and the preview,
over every transport the suite runs (the bridge included)."""

from __future__ import annotations

import pytest

from desktop.notes.app import make_app


@pytest.fixture
def app():
    return make_app()


def text(view, selector: str) -> str:
    return view.element(selector).node()[0].text().strip()


async def test_typing_renders_the_preview_and_marks_the_note_changed(live) -> None:
    view, html = await live("/")
    assert "<h1>Welcome to Notes</h1>" in html
    assert text(view, "#title") == "Untitled"

    html = await view.form("#editor", {"text": "# Plan\n\n- **ship** it\n- <script>x</script>"}).render_change()
    assert view.element("#preview").render().count("<li>") == 2
    assert "<h1>Plan</h1>" in html and "<strong>ship</strong>" in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>x" not in html
    assert text(view, "#title") == "Untitled •"

    await view.element("#new").render_click()
    assert text(view, "#preview") == ""
    assert text(view, "#title") == "Untitled"
