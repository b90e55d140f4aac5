"""One client connection: Phoenix channel multiplexing over any transport.

Routes frames to channels by topic, answers heartbeats, starts a view actor per `lv:` join and
an upload channel per `lvu:` join (a second join of the same topic replaces the first, as live
navigation expects), and refuses what it cannot route with the replies the Phoenix client
understands. A frame that is not a Phoenix message closes the connection, as Phoenix does (one
warning; the client reconnects); a push too deeply nested to parse gets an error reply.
"""

from __future__ import annotations

import contextvars
import weakref
import logging
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from .channel import ViewChannel
from .upload_channel import UploadChannel
from .serializer import FrameError, Message, NestingError, decode_binary, decode_text, encode_text, reply

log = logging.getLogger("liveui")

MAX_CHANNELS = 1000
MAX_LOG_LINE = 1000  # characters of a liveui log message: a client's payload never fills the log
MAX_WARNINGS = 20  # warnings one connection may cause; past them one notice, then silence
MALFORMED = 1007  # the close code for a frame that is not a Phoenix message ("invalid data")


# the connection whose frame is being handled: warnings logged meanwhile (by its views too, in the
# tasks they start from there) count against its budget. A weak reference: the contexts of
# long-lived timers and tasks started from there must not keep a closed connection alive.
_handling: contextvars.ContextVar[weakref.ref[Connection] | None] = contextvars.ContextVar("liveui_connection",
                                                                                            default=None)


class _BoundedLines(logging.Filter):
    """Bounds what clients can make liveui log: messages are cut to `MAX_LOG_LINE` characters
    (they may quote client input), and a connection's warnings stop after `MAX_WARNINGS`.
    A record logged with `extra={"liveui_bounded": True}` was bounded where it was made."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "liveui_bounded", False):
            return True
        handling = _handling.get()
        connection = handling() if handling is not None else None
        if record.levelno == logging.WARNING and connection is not None and not connection.may_warn():
            return False
        message = record.getMessage()
        if len(message) > MAX_LOG_LINE:
            record.msg, record.args = f"{message[:MAX_LOG_LINE]}... ({len(message)} characters)", None
        return True


log.addFilter(_BoundedLines())


class Transport(Protocol):
    """Moves frames of one connection; knows nothing about views."""

    def send_text(self, frame: str) -> None: ...

    def send_binary(self, frame: bytes) -> None: ...

    def close(self, code: int = 1001, reason: str = "") -> None: ...


class _Gone:
    """The transport of a closed connection: parked views may keep the connection a while, never
    the socket behind it (its buffers go with it)."""

    def send_text(self, frame: str) -> None:
        pass

    def send_binary(self, frame: bytes) -> None:
        pass

    def close(self, code: int = 1001, reason: str = "") -> None:
        pass


_GONE = _Gone()


class Connection:
    """The channels of one connected client."""

    def __init__(self, endpoint: Any, transport: Transport, *, csrf: Callable[[Any], bool] | None = None,
                 info: Mapping[str, Any] | None = None, identity: Any = None) -> None:
        self.endpoint = endpoint
        self.transport = transport
        self.info = dict(info or {})
        self.identity = identity  # the browser session (its cookie's id): only it may reattach its views
        self.channels: dict[str, ViewChannel | UploadChannel] = {}
        self._csrf = csrf
        self._warnings = 0
        self.open = True

    def csrf_ok(self, token: Any) -> bool:
        """Whether a join's `_csrf_token` is valid (transports without cookies pass None: trusted)."""
        return self._csrf is None or self._csrf(token)

    # -- incoming -----------------------------------------------------------------------

    def receive_text(self, frame: str) -> None:
        self._receive(decode_text, frame, "frame")

    def receive_binary(self, frame: bytes) -> None:
        self._receive(decode_binary, frame, "binary frame")

    def _receive(self, decode: Callable[[Any], Message], frame: Any, what: str) -> None:
        if not self.open:
            return
        handling = _handling.set(weakref.ref(self))
        try:
            message = decode(frame)
        except NestingError as bad:
            if bad.request is None:
                self.shut(MALFORMED, f"malformed {what}", f"closing the connection on a malformed {what}: {bad}")
            else:
                log.warning("refusing a push on %.100s nested too deep to parse", bad.request.topic)
                self.reply(bad.request, "error", {"reason": "payload nested too deep"})
        except FrameError as bad:
            self.shut(MALFORMED, f"malformed {what}", f"closing the connection on a malformed {what}: {bad}")
        else:
            self.dispatch(message)
        finally:
            _handling.reset(handling)

    def dispatch(self, message: Message) -> None:
        topic, event = message.topic, message.event
        if topic == "phoenix":
            if event == "heartbeat":
                self.reply(message, "ok", {})
            else:
                self._unmatched(message)
        elif event == "phx_join":
            self._join(message)
        else:
            channel = self.channels.get(topic)
            if channel is not None and channel.join_ref == message.join_ref:
                channel.deliver(message)
            elif event == "phx_leave":
                self.reply(message, "ok", {})
            else:
                self._unmatched(message)

    def _join(self, message: Message) -> None:
        topic = message.topic
        prefix, _, rest = topic.partition(":")
        kind = {"lv": ViewChannel, "lvu": UploadChannel}.get(prefix)
        if kind is None or not rest or not isinstance(message.payload, dict):
            self._unmatched(message)
            return
        old = self.channels.pop(topic, None)
        if old is not None:
            old.close()
            old.stop("replaced")
        elif len(self.channels) >= MAX_CHANNELS:
            self.reply(message, "error", {"reason": "too many channels joined"})
            return
        running = getattr(self.endpoint, "running_views", None) if kind is ViewChannel else None
        parked = running.claim(topic, self.identity, self) if running is not None else None
        if parked is not None and parked.reattach(self, message):
            self.channels[topic] = parked
            return
        channel = self.channels[topic] = kind(self, topic, message.join_ref)
        channel.start(message)

    def _unmatched(self, message: Message) -> None:
        log.warning("no channel for %.100s %.100r (join first)", message.topic, message.event)
        self.reply(message, "error", {"reason": "unmatched topic"})

    def forget(self, channel: ViewChannel | UploadChannel) -> None:
        """Called by a channel when its actor has ended."""
        if self.channels.get(channel.topic) is channel:
            del self.channels[channel.topic]

    def view_endings(self) -> list[Any]:
        """A future per view of this connection, done when that view has ended (terminate ran)."""
        return [channel.done for channel in self.channels.values() if isinstance(channel, ViewChannel)]

    def may_warn(self) -> bool:
        """Count a warning this client caused: whether it may still be logged (`MAX_WARNINGS`)."""
        self._warnings += 1
        if self._warnings == MAX_WARNINGS + 1:
            log.warning("%d warnings from one connection (%s): not logging more of its warnings", MAX_WARNINGS,
                        self.info.get("peer_data", {}).get("address", "?"), extra={"liveui_bounded": True})
        return self._warnings <= MAX_WARNINGS

    def shut(self, code: int, reason: str, why: str) -> None:
        """Close the connection from the server's side (one warning saying `why`): nothing more is
        sent or received; its views wait for the client's reconnect for their grace period."""
        if not self.open:
            return
        log.warning("%.300s", why)
        transport = self.transport
        self.closed(reattachable=True)
        transport.close(code, reason)

    def closed(self, *, reattachable: bool = False) -> None:
        """The transport closed (once): end every view of this connection, or, when the client may
        come back (`reattachable`: a dropped network connection), park the views that have a
        reconnect grace period, with the uploads they completed."""
        if not self.open:
            return
        self.open = False
        parked = set()
        if reattachable:
            for channel in self.channels.values():
                if isinstance(channel, ViewChannel) and channel.reattachable():
                    channel.park()
                    parked.add(channel)
        for channel in list(self.channels.values()):
            if channel in parked or (isinstance(channel, UploadChannel) and channel.complete and channel.owner in parked):
                continue
            channel.stop("disconnect")
        self.transport = _GONE

    # -- outgoing -----------------------------------------------------------------------

    def send(self, message: Message) -> None:
        if self.open:
            self.transport.send_text(encode_text(message))

    def reply(self, request: Message, status: str, response: dict[str, Any]) -> None:
        self.send(reply(request, status, response))
