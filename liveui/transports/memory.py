"""An in-process transport: frames go through queues, for tests and the test client."""

from __future__ import annotations

import asyncio
from typing import Any

from ..connection import Connection


class MemoryTransport:
    """The server end of an in-memory connection; frames the server sends land in `outbox`,
    then `None` if the server closes it."""

    def __init__(self) -> None:
        self.outbox: asyncio.Queue[str | bytes] = asyncio.Queue()
        self.close_code: int | None = None

    def send_text(self, frame: str) -> None:
        self.outbox.put_nowait(frame)

    def send_binary(self, frame: bytes) -> None:
        self.outbox.put_nowait(frame)

    def close(self, code: int = 1001, reason: str = "") -> None:
        if self.close_code is None:
            self.close_code = code
            self.outbox.put_nowait(None)


def connect(endpoint: Any, *, info: dict[str, Any] | None = None,
            identity: Any = None) -> tuple[Connection, MemoryTransport]:
    """Open an in-memory connection to an app (no CSRF check: the caller is in-process);
    `identity` names the session that may reattach its views after a drop."""
    transport = MemoryTransport()
    return Connection(endpoint, transport, info=info, identity=identity), transport
