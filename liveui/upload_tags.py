"""Template helpers for uploads: `live_file_input`, `live_img_preview` and `upload_errors`
(the attributes the official client's upload hooks read, docs/protocol.md section 6.1)."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from . import uploads
from .template import environment
from .template.function_components import attrs
from .uploads import UploadConfig, UploadEntry


def live_file_input(config: UploadConfig, **extra: Any) -> Markup:
    """The file input of an upload: `{{ live_file_input(uploads.avatar) }}` inside a form with
    phx-change; extra keyword arguments become attributes (`class="..."`)."""
    if not isinstance(config, UploadConfig):
        raise TypeError(f"live_file_input expects an upload such as uploads.avatar, got {type(config).__name__}")
    entries = config.entries
    values: dict[str, Any] = {
        "id": config.ref, "type": "file", "name": config.name, "accept": config.accept_attr() or None,
        "data_phx_hook": "Phoenix.LiveFileUpload", "data_phx_upload_ref": config.ref,
        "data_phx_active_refs": ",".join(entry.ref for entry in entries),
        "data_phx_done_refs": ",".join(entry.ref for entry in entries if entry.done),
        "data_phx_preflighted_refs": ",".join(entry.ref for entry in entries if entry.preflighted),
        "data_phx_error_refs": ",".join(dict.fromkeys(ref for ref, _ in config.errors)),
        "data_phx_auto_upload": config.auto_upload, "multiple": config.max_entries > 1,
    }
    return Markup(f"<input{attrs(values)}{attrs(extra)}>")


def live_img_preview(entry: UploadEntry, **extra: Any) -> Markup:
    """An `<img>` the client fills with the selected file before it is uploaded."""
    if not isinstance(entry, UploadEntry):
        raise TypeError(f"live_img_preview expects an upload entry, got {type(entry).__name__}")
    values = {"id": f"phx-preview-{entry.ref}", "data_phx_upload_ref": entry.upload_ref,
              "data_phx_entry_ref": entry.ref, "data_phx_hook": "Phoenix.LiveImgPreview", "data_phx_update": "ignore"}
    return Markup(f"<img{attrs(values)}{attrs(extra)}>")


def upload_errors(config: UploadConfig, entry: UploadEntry | None = None) -> list[Any]:
    """The errors of an upload (e.g. "too_many_files"), or of one entry ("too_large", "not_accepted")."""
    return uploads.errors_of(config, entry)


environment().globals.update(live_file_input=live_file_input, live_img_preview=live_img_preview,
                             upload_errors=upload_errors)
