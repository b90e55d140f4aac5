"""Native file dialogs for views shown in a desktop window (`await open_file(socket)`)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any


def _window(socket: Any) -> Any:
    window = socket.get_connect_info("desktop_window")
    if window is None:
        raise RuntimeError("file dialogs need a view shown in a desktop window (liveui.desktop)")
    return window.window


async def open_file(socket: Any, *, directory: str = "", multiple: bool = False,
                    file_types: Sequence[str] = ()) -> list[str]:
    """Ask for files to open; returns their paths (empty when cancelled).

    `file_types` are pywebview's filters, e.g. `("Markdown (*.md)", "All files (*.*)")`.
    The dialog waits for the user on a worker thread, so the view's loop keeps running.
    """
    import webview

    chosen = await asyncio.to_thread(_window(socket).create_file_dialog, webview.FileDialog.OPEN,
                                     directory=directory, allow_multiple=multiple, file_types=tuple(file_types))
    return list(chosen or [])


async def save_file(socket: Any, *, filename: str = "", directory: str = "",
                    file_types: Sequence[str] = ()) -> str | None:
    """Ask where to save; returns the chosen path, or None when cancelled."""
    import webview

    chosen = await asyncio.to_thread(_window(socket).create_file_dialog, webview.FileDialog.SAVE,
                                     directory=directory, save_filename=filename, file_types=tuple(file_types))
    if isinstance(chosen, str):
        return chosen
    return chosen[0] if chosen else None
