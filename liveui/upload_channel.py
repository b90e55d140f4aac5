"""One `lvu:<entry ref>` channel: the bytes of one upload entry, chunk by chunk, to its writer.

The join carries the token the view's preflight signed; each binary `chunk` push is written
and acknowledged before the client sends the next. The server enforces the entry's declared
size and the config's chunk timeout. The channel lives until the entry is consumed or
cancelled, the client leaves, or the view ends; its writer's stored bytes go with it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from .serializer import Message
from .tokens import InvalidToken
from .uploads import TOO_LARGE, WRITER_FAILURE, UploadConfig, UploadEntry
from .writers import TempFileWriter, WriterFailure

if TYPE_CHECKING:
    from .connection import Connection
    from .socket import Socket

log = logging.getLogger("liveui")


class UploadRefused(Exception):
    """A join the client is told about with `{"reason": ...}`."""


class UploadChannel:
    """The server end of one entry's upload."""

    def __init__(self, connection: Connection, topic: str, join_ref: str | None) -> None:
        self.connection = connection
        self.topic = topic
        self.join_ref = join_ref
        self.complete = False
        self.written = 0
        self.entry: UploadEntry | None = None
        self._socket: Socket | None = None
        self._view: Any = None
        self._writer: Any = None
        self._timer: asyncio.TimerHandle | None = None
        self._timeout = 0.0
        self._ended = False

    # -- the connection's side ----------------------------------------------------------

    def start(self, join: Message) -> None:
        try:
            self._register(join.payload.get("token") if isinstance(join.payload, dict) else None)
        except UploadRefused as refused:
            log.warning("upload join %s refused: %s", self.topic, refused)
            self.connection.reply(join, "error", {"reason": str(refused)})
            self.connection.forget(self)
            return
        self.connection.reply(join, "ok", {})

    def deliver(self, message: Message) -> None:
        if message.event == "chunk" and isinstance(message.payload, bytes):
            self._chunk(message)
        elif message.event == "phx_leave":
            self.connection.reply(message, "ok", {})
            self.end("cancel")
        else:
            log.warning("upload channel %s: unexpected %r push", self.topic, message.event)
            self.connection.reply(message, "error", {"reason": "expected binary chunk pushes"})

    def close(self) -> None:
        """Replaced by a new join of the same topic: the old upload stops."""
        self.end("cancel", notify=False)

    def stop(self, reason: Any) -> None:
        """The connection closed."""
        self.end("cancel", notify=False)

    # -- the view's side ----------------------------------------------------------------

    @property
    def owner(self) -> Any:
        """The view channel this upload belongs to (None before the join is accepted)."""
        return self._view

    def meta(self) -> dict[str, Any]:
        return self._writer.meta()

    def end(self, reason: str, notify: bool = True) -> None:
        """Stop receiving, let the writer know, delete what it stored, and leave the registry."""
        if self._ended:
            return
        self._ended = True
        if self._timer is not None:
            self._timer.cancel()
        if self._writer is not None:
            try:
                if not self.complete:
                    self._writer.close(reason)
                remove = getattr(self._writer, "remove", None)
                if remove is not None:
                    remove()
            except Exception:
                log.exception("upload writer of %s failed to close", self.topic)
        if self._socket is not None and self.entry is not None:
            self._socket.upload_channels.pop(self.entry.uuid, None)
        self.connection.forget(self)
        if notify:
            self.connection.send(Message(self.join_ref, self.join_ref, self.topic, "phx_close", {}))

    # -- internals ----------------------------------------------------------------------

    def _register(self, token: Any) -> None:
        endpoint = self.connection.endpoint
        try:
            claims = endpoint.signer.verify("upload", token, endpoint.token_max_age)
        except InvalidToken as bad:
            raise UploadRefused("invalid_token") from bad
        view = self.connection.channels.get(f"lv:{claims.get('view')}")
        socket = view.upload_socket(claims.get("cid")) if view is not None and hasattr(view, "upload_socket") else None
        config: UploadConfig | None = socket.assigns.get("uploads", {}).get(claims.get("name")) if socket else None
        entry = config.entry(str(claims.get("entry"))) if config is not None and config.ref == claims.get("config") else None
        if entry is None or not entry.preflighted or not entry.valid or entry.uuid != claims.get("uuid"):
            raise UploadRefused("disallowed")
        if entry.uuid in socket.upload_channels:  # type: ignore[union-attr]
            raise UploadRefused("already_registered")
        writer = config.writer(config.name, entry, socket) if config.writer is not None else TempFileWriter()  # type: ignore[union-attr]
        try:
            writer.init()
        except Exception as exc:
            log.exception("upload writer of %s failed to start", self.topic)
            raise UploadRefused("writer_error") from exc
        socket.upload_channels[entry.uuid] = self  # type: ignore[union-attr]
        self._socket, self._view, self.entry, self._writer = socket, view, entry, writer
        self._timeout = config.chunk_timeout / 1000  # type: ignore[union-attr]
        if entry.client_size == 0:
            self._finish()
        else:
            self._arm()

    def _chunk(self, message: Message) -> None:
        entry = self.entry
        assert entry is not None
        data: bytes = message.payload
        if self.complete or self.written + len(data) > entry.client_size:
            log.warning("upload %s ran past its declared %d bytes", self.topic, entry.client_size)
            self.connection.reply(message, "error", {"reason": "file_size_limit_exceeded", "limit": entry.client_size})
            self._fail("error", TOO_LARGE)
            return
        try:
            self._writer.write_chunk(data)
        except Exception as exc:
            self.connection.reply(message, "error", {"reason": "writer_error"})
            self._fail("error", self._writer_error(exc))
            return
        self.written += len(data)
        self.connection.reply(message, "ok", {})
        if self.written == entry.client_size:
            self._finish()
        else:
            self._arm()

    def _finish(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        try:
            self._writer.close("done")
        except Exception as exc:
            self._fail("error", self._writer_error(exc))
            return
        self.complete = True

    def _writer_error(self, exc: Exception) -> Any:
        """The entry error for a writer that raised: `("writer_failure", reason)` for a
        `WriterFailure` (an outcome the writer chose, logged in one line), else `"writer_failure"`."""
        if isinstance(exc, WriterFailure):
            log.warning("upload writer of %s failed: %.200r", self.topic, exc.reason)
            return (WRITER_FAILURE, exc.reason)
        log.exception("upload writer of %s failed", self.topic)
        return WRITER_FAILURE

    def _arm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = asyncio.get_running_loop().call_later(self._timeout, self._timed_out)

    def _timed_out(self) -> None:
        self._timer = None
        log.warning("upload %s: no chunk for %.1f s, closing it", self.topic, self._timeout)
        self._fail("cancel", None)

    def _fail(self, reason: str, error: Any) -> None:
        """End this upload; the view keeps its entry with `error`, or drops it (the client then
        cancels the file)."""
        self.end(reason)
        if self._view is not None and self.entry is not None:
            self._view.upload_ended(self._socket, self.entry, error)
