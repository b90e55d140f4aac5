"""Where upload chunks go as they arrive: the `UploadWriter` protocol and the default writer,
a temp file per entry (a file is never held whole in memory)."""

from __future__ import annotations

import os
import tempfile
from typing import Any, Protocol, runtime_checkable

TEMP_PREFIX = "liveui-upload-"


class WriterFailure(Exception):
    """Raised by a writer's `init`, `write_chunk` or `close` to fail its entry with a reason the
    page can show: the entry's error becomes `("writer_failure", reason)` (LiveView's
    `{:writer_failure, reason}`). Any other exception fails it with a bare `"writer_failure"`."""

    def __init__(self, reason: Any) -> None:
        super().__init__(reason)
        self.reason = reason


@runtime_checkable
class UploadWriter(Protocol):
    """Receives one entry's bytes. `allow_upload(writer=fn)` makes one per entry with
    `fn(name, entry, socket)`. Methods run on the server's event loop: keep them quick."""

    def init(self) -> None:
        """Prepare to receive (open a file, start a multipart upload...)."""

    def meta(self) -> dict[str, Any]:
        """What `consume_uploaded_entries` hands to its function (e.g. `{"path": ...}`)."""

    def write_chunk(self, data: bytes) -> None:
        """Store the next chunk; raise `WriterFailure(reason)` to fail the entry with a reason."""

    def close(self, reason: str) -> None:
        """The upload ended: "done" (every byte written), "cancel" or "error"."""


class TempFileWriter:
    """The default writer: chunks go to a temp file, deleted when its entry is consumed,
    cancelled, or its view ends (`remove`)."""

    def __init__(self) -> None:
        self.path = ""
        self._file: Any = None

    def init(self) -> None:
        fd, self.path = tempfile.mkstemp(prefix=TEMP_PREFIX)
        self._file = os.fdopen(fd, "wb")

    def meta(self) -> dict[str, Any]:
        return {"path": self.path}

    def write_chunk(self, data: bytes) -> None:
        self._file.write(data)

    def close(self, reason: str) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        if reason != "done":
            self.remove()

    def remove(self) -> None:
        """Delete the temp file (the entry is gone)."""
        if self.path:
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass
            self.path = ""
