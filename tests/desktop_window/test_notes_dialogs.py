"""The Notes app in a real window saves and opens files through the native (Qt) file dialogs
(`liveui.desktop.save_file` / `open_file`), answered by typing into them."""

from __future__ import annotations

from pathlib import Path

from .support import DevTools, answer_file_dialog

TYPE = ("(() => {{ const t = document.querySelector('#text'); t.value = {text};"
        " t.dispatchEvent(new Event('input', {{bubbles: true}})) }})()")


async def test_save_as_then_open_through_the_dialogs(screen, desktop, tmp_path: Path) -> None:
    window = desktop("desktop.notes.app:make_app")
    devtools = DevTools(window.port)
    await devtools.attach()
    note = tmp_path / "plans.md"
    try:
        await devtools.wait_for("window.liveSocket && window.liveSocket.isConnected() && "
                                "!!document.querySelector('.phx-connected #preview h1')")  # joined: typing sticks
        await devtools.evaluate(TYPE.format(text='"# Plans\\n\\n- ship the desktop host"'))
        await devtools.wait_for("document.querySelector('#preview h1')?.textContent === 'Plans' && "
                                "document.querySelector('#title').textContent.trim() === 'Untitled •'")

        await devtools.click("#save-as")
        answer_file_dialog(screen.display, "Save file", note)
        await devtools.wait_for("document.querySelector('#title').textContent.trim() === 'plans.md'")
        assert note.read_text() == "# Plans\n\n- ship the desktop host"

        await devtools.click("#new")
        await devtools.wait_for("document.querySelector('#title').textContent.trim() === 'Untitled' && "
                                "!document.querySelector('#preview h1')")
        note.write_text("# Reopened\n\nfrom disk")
        await devtools.click("#open")
        answer_file_dialog(screen.display, "Open file", note)
        await devtools.wait_for("document.querySelector('#title').textContent.trim() === 'plans.md' && "
                                "document.querySelector('#preview h1')?.textContent === 'Reopened' && "
                                "document.querySelector('#text').value === '# Reopened\\n\\nfrom disk'")

        binary = tmp_path / "image.png"
        binary.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
        await devtools.click("#open")
        answer_file_dialog(screen.display, "Open file", binary)  # not text: said, and the note stays
        await devtools.wait_for("document.querySelector('#message')?.textContent.startsWith('Could not open') && "
                                "document.querySelector('#preview h1')?.textContent === 'Reopened'")
    finally:
        devtools.close()
