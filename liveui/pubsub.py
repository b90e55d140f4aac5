"""PubSub, the Phoenix.PubSub model: views subscribe to topics (`socket.subscribe`), any code on
any thread broadcasts, subscribers get the message in `handle_info`: at most once, in order per
publisher and topic.

Two backends: `PubSub` (in-process, the default: zero setup, works in a Jupyter kernel and a
desktop app) and `RedisPubSub` (several processes or machines sharing one Redis). Across
processes messages travel as JSON (tuples kept as tuples), never pickle.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import uuid
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from .refs import ViewRef

log = logging.getLogger("liveui.pubsub")

URL_VARIABLE = "LIVEUI_PUBSUB_URL"
_TUPLE = "__tuple__"
_MAX_OUTBOX = 10_000


@dataclass(frozen=True, slots=True)
class Broadcast:
    """A message the runtime itself sends to subscribers (Phoenix.Socket.Broadcast), such as a
    `presence_diff` event whose payload is `{"joins": {...}, "leaves": {...}}`."""

    topic: str
    event: str
    payload: Any


class NodeHandler(Protocol):
    """Something that keeps state replicated between the processes of one PubSub (Presence)."""

    def receive(self, data: dict[str, Any]) -> None: ...

    def tick(self) -> None: ...

    def reconnected(self) -> None: ...


class PubSub:
    """The in-process backend, and the local subscriptions and dispatch every backend shares."""

    node = "local"
    heartbeat = 1.0
    expiry = 5.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._topics: dict[str, dict[ViewRef, None]] = {}
        self._by_ref: dict[ViewRef, set[str]] = {}
        self.node_handlers: list[NodeHandler] = []
        self.tracker: Any = None  # its Presence tracker, made by liveui.presence on first use

    # -- subscriptions --------------------------------------------------------------------

    def subscribe(self, ref: ViewRef, topic: str) -> None:
        """Deliver `topic`'s messages to the view `ref` until it unsubscribes or ends (a second
        subscription to the same topic changes nothing: each message arrives once)."""
        _check_topic(topic)
        with self._lock:
            if not ref.alive:
                return
            topics = self._by_ref.get(ref)
            first = topics is None
            if first:
                topics = self._by_ref[ref] = set()
            topics.add(topic)  # type: ignore[union-attr]
            self._topics.setdefault(topic, {})[ref] = None
        if first:
            ref.on_close(self._forget)

    def unsubscribe(self, ref: ViewRef, topic: str) -> None:
        with self._lock:
            self._drop(ref, topic)
            topics = self._by_ref.get(ref)
            if topics is not None:
                topics.discard(topic)

    def subscribers(self, topic: str) -> int:
        """How many views of this process subscribe to `topic`."""
        with self._lock:
            return len(self._topics.get(topic, ()))

    def _forget(self, ref: ViewRef) -> None:
        with self._lock:
            for topic in self._by_ref.pop(ref, ()):
                self._drop(ref, topic)

    def _drop(self, ref: ViewRef, topic: str) -> None:
        subscribers = self._topics.get(topic)
        if subscribers is not None:
            subscribers.pop(ref, None)
            if not subscribers:
                del self._topics[topic]

    # -- publishing -----------------------------------------------------------------------

    def broadcast(self, topic: str, message: Any) -> None:
        """Send `message` to every subscriber of `topic`, in every process."""
        self.broadcast_from(None, topic, message)

    def broadcast_from(self, sender: Any, topic: str, message: Any) -> None:
        """`broadcast`, except to `sender` (a socket or a ViewRef)."""
        _check_topic(topic)
        self._publish(topic, message)
        self.local_broadcast_from(sender, topic, message)

    def local_broadcast(self, topic: str, message: Any) -> None:
        """Send `message` to the subscribers of `topic` in this process only."""
        self.local_broadcast_from(None, topic, message)

    def local_broadcast_from(self, sender: Any, topic: str, message: Any) -> None:
        exclude = getattr(sender, "ref", sender)
        with self._lock:
            subscribers = self._topics.get(topic)
            refs = [ref for ref in subscribers if ref is not exclude] if subscribers else ()
        if refs:
            _deliver(refs, ("info", message))

    def _publish(self, topic: str, message: Any) -> None:
        """Hand a broadcast to the other processes (none in-process)."""

    def node_publish(self, data: dict[str, Any]) -> None:
        """Send node-to-node data (Presence replication) to the other processes (none here)."""

    def check(self, value: Any) -> None:
        """Raise TypeError if `value` cannot reach other processes (in-process: anything can)."""

    def start(self) -> None:
        """Bind to the running event loop (nothing to do in-process)."""

    def __reduce__(self) -> Any:
        """A copy in another process (an app shipped to a Jupyter kernel) uses that process's own."""
        return current, ()

    async def close(self) -> None:
        """Stop talking to other processes (nothing to do in-process)."""


def _deliver(refs: Iterable[ViewRef], item: tuple[str, Any]) -> None:
    """Queue `item` in each view's mailbox: one event-loop callback per loop, not per view."""
    by_loop: dict[asyncio.AbstractEventLoop, list[ViewRef]] = {}
    for ref in refs:
        by_loop.setdefault(ref._loop, []).append(ref)
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    for loop, group in by_loop.items():
        try:
            if loop is running:
                loop.call_soon(_post_all, group, item)
            else:
                loop.call_soon_threadsafe(_post_all, group, item)
        except RuntimeError:  # that loop has closed: its views are gone
            pass


def _post_all(refs: list[ViewRef], item: tuple[str, Any]) -> None:
    for ref in refs:
        if ref.alive:
            ref._deliver(item)


def _check_topic(topic: Any) -> None:
    if not isinstance(topic, str) or not topic:
        raise TypeError(f"a PubSub topic is a non-empty string, got {topic!r}")


# -- the JSON codec ---------------------------------------------------------------------------


def encode(message: Any) -> str:
    """`message` as JSON; tuples stay tuples. Raises TypeError naming what cannot be sent."""
    return _dumps(_plain(message, "message"))


def _dumps(plain: Any) -> str:
    return json.dumps(plain, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def decode(data: str | bytes) -> Any:
    return json.loads(data, object_hook=_restore)


def _plain(value: Any, path: str) -> Any:
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, list):
        return [_plain(item, f"{path}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, tuple):
        return {_TUPLE: [_plain(item, f"{path}[{i}]") for i, item in enumerate(value)]}
    if isinstance(value, dict):
        plain = {}
        for key, item in value.items():
            if not isinstance(key, str) or key == _TUPLE:
                raise TypeError(f"cannot broadcast {path}: dict key {key!r} is not a string (or is reserved); "
                                "messages cross processes as JSON")
            plain[key] = _plain(item, f"{path}[{key!r}]")
        return plain
    raise TypeError(f"cannot broadcast {path}: a {type(value).__name__} is not JSON; messages cross processes "
                    "as JSON (str, int, float, bool, None, list, tuple, dict with string keys)")


def _restore(obj: dict[str, Any]) -> Any:
    if len(obj) == 1 and _TUPLE in obj:
        return tuple(obj[_TUPLE])
    return obj


# -- Redis ------------------------------------------------------------------------------------


class RedisPubSub(PubSub):
    """Processes sharing one Redis: each publishes its broadcasts on one Redis channel per app
    namespace and dispatches what the others publish to its own subscribers.

    While Redis is unreachable, local delivery goes on, broadcasts to other processes are
    dropped (one warning per outage) and the subscription comes back by itself.
    """

    def __init__(self, url: str, namespace: str, *, heartbeat: float = 1.0, expiry: float = 5.0) -> None:
        try:
            import redis.asyncio  # noqa: F401
        except ImportError:
            raise ImportError("the Redis PubSub needs redis-py: pip install 'liveui[redis]'") from None
        super().__init__()
        self.url = url
        self.channel = f"liveui:{namespace}"
        self.node = uuid.uuid4().hex[:16]
        self._pid = os.getpid()
        self.heartbeat = heartbeat
        self.expiry = expiry
        self.loop: asyncio.AbstractEventLoop | None = None
        self._outbox: deque[str] = deque()
        self._wake: asyncio.Event | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._closing = False
        self._down: set[str] = set()  # "publishing" / "subscription" while failing (one warning each)
        self.subscribed: asyncio.Event | None = None  # set while the Redis subscription is up

    def __reduce__(self) -> Any:
        return RedisPubSub, (self.url, self.channel.partition(":")[2]), {"heartbeat": self.heartbeat, "expiry": self.expiry}

    def start(self) -> None:
        """Bind to the running event loop: start reading from and writing to Redis."""
        if self.loop is not None and not self.loop.is_closed():
            return
        if self._pid != os.getpid():  # forked from the process that made this one: a node of its own
            self.node, self._pid = uuid.uuid4().hex[:16], os.getpid()
        self.loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self.subscribed = asyncio.Event()
        self._tasks = [self.loop.create_task(work(), name=f"liveui pubsub {work.__name__}")
                       for work in (self._reader, self._writer, self._ticker)]

    async def close(self) -> None:
        """Stop the tasks and connections (the other processes expire our presences)."""
        tasks, self._tasks = self._tasks, []
        self._closing = True
        if self._wake is not None:
            self._wake.set()
        for task in tasks[::2]:  # reader and ticker; the writer ends after its publish (redis-py's
            task.cancel()       # asyncio publish can hang when cancelled midway)
        if tasks:
            _, stuck = await asyncio.wait(tasks, timeout=5)
            if stuck:
                log.warning("Redis PubSub tasks did not stop: %s", stuck)

    def _publish(self, topic: str, message: Any) -> None:
        self._send(_dumps({"k": "b", "n": self.node, "t": topic, "m": _plain(message, "message")}))

    def node_publish(self, data: dict[str, Any]) -> None:
        self._send(encode({**data, "n": self.node}))

    def check(self, value: Any) -> None:
        encode(value)

    def subscribe(self, ref: ViewRef, topic: str) -> None:
        if self.loop is None or self.loop.is_closed():  # a view outside App.listen (a notebook cell)
            self.start()
        super().subscribe(ref, topic)

    def _send(self, frame: str) -> None:
        loop = self.loop
        if loop is None or loop.is_closed():
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                raise RuntimeError("the Redis PubSub has not started: serve the app (or call start() "
                                   "on an event loop) before broadcasting from another thread") from None
            self.start()
            loop = self.loop
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._enqueue(frame)
        else:
            loop.call_soon_threadsafe(self._enqueue, frame)  # type: ignore[union-attr]

    def _enqueue(self, frame: str) -> None:
        if len(self._outbox) >= _MAX_OUTBOX:
            self._outbox.popleft()
            self._failed("publishing", "too many broadcasts waiting for Redis")
        self._outbox.append(frame)
        self._wake.set()  # type: ignore[union-attr]

    def _failed(self, what: str, error: Any) -> None:
        if what not in self._down:
            self._down.add(what)
            log.warning("Redis PubSub %s (node %s) at %s failed (%s): broadcasts between processes are lost "
                        "until it is back", what, self.node, self.url, error)

    def _recovered(self, what: str) -> None:
        if what in self._down:
            self._down.discard(what)
            log.info("Redis PubSub %s (node %s) at %s is back", what, self.node, self.url)

    async def _writer(self) -> None:
        import redis.asyncio as redis
        from redis.exceptions import RedisError

        client = redis.Redis.from_url(self.url, socket_connect_timeout=2, socket_timeout=5)
        outbox, wake = self._outbox, self._wake
        assert wake is not None
        try:
            while not self._closing:
                if not outbox:
                    wake.clear()
                    await wake.wait()
                    continue
                frame = outbox.popleft()
                try:
                    await client.publish(self.channel, frame)
                except (RedisError, OSError) as error:
                    self._failed("publishing", error)
                    outbox.clear()  # at most once: what was queued during the outage is dropped
                    await asyncio.sleep(0.2)
                    continue
                self._recovered("publishing")
        finally:
            await client.aclose()

    async def _reader(self) -> None:
        import redis.asyncio as redis
        from redis.exceptions import RedisError

        delay = 0.05
        assert self.subscribed is not None
        while True:
            client = redis.Redis.from_url(self.url, socket_connect_timeout=2)
            pubsub = client.pubsub()
            try:
                await pubsub.subscribe(self.channel)
                self.subscribed.set()
                if self._down:
                    self._recovered("subscription")
                    for handler in self.node_handlers:
                        handler.reconnected()
                delay = 0.05
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=None)
                    if message is not None and message.get("type") == "message":
                        self._received(message["data"])
            except (RedisError, OSError) as error:
                self.subscribed.clear()
                self._failed("subscription", error)
            finally:
                try:
                    await pubsub.aclose()
                    await client.aclose()
                except (RedisError, OSError):
                    pass
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)

    async def _ticker(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat)
            for handler in self.node_handlers:
                try:
                    handler.tick()
                except Exception:
                    log.exception("PubSub heartbeat failed")

    def _received(self, frame: bytes) -> None:
        try:
            data = decode(frame)
            if data["n"] == self.node:
                return
            if data.get("k") == "b":
                self.local_broadcast(data["t"], data["m"])
                return
        except (ValueError, KeyError, TypeError) as bad:
            log.warning("dropping a malformed PubSub frame on %s: %s", self.channel, bad)
            return
        for handler in self.node_handlers:
            try:
                handler.receive(data)
            except Exception:
                log.exception("dropping PubSub node data %.200r", data)


# -- the process's PubSub ---------------------------------------------------------------------

_current: PubSub | None = None
_current_lock = threading.Lock()


def for_app(spec: str | PubSub | None, namespace: str) -> PubSub:
    """An App's PubSub from its `pubsub=` argument: a PubSub, a Redis URL, or None for the one
    LIVEUI_PUBSUB_URL names (one per process) or else the in-process one. It becomes the
    process's current PubSub unless it is the in-process default."""
    if isinstance(spec, PubSub):
        use(spec)
        return spec
    url = spec or os.environ.get(URL_VARIABLE) or None
    if url is None:
        return current()
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError(f"unknown PubSub URL {url!r}: expected redis://host:port/db (or none, for in-process)")
    existing = current()
    if spec is None and isinstance(existing, RedisPubSub) and existing.url == url:
        return existing
    pubsub = RedisPubSub(url, namespace)
    use(pubsub)
    return pubsub


def current() -> PubSub:
    """The PubSub the module functions use: the last one an App was made with, else the
    in-process one."""
    global _current
    with _current_lock:
        if _current is None:
            _current = PubSub()
        return _current


def use(pubsub: PubSub) -> None:
    """Make `pubsub` the one `broadcast(...)` and friends use in this process."""
    global _current
    with _current_lock:
        _current = pubsub


def broadcast(topic: str, message: Any) -> None:
    """Send `message` to every subscriber of `topic`, in every process (from any thread)."""
    current().broadcast(topic, message)


def broadcast_from(sender: Any, topic: str, message: Any) -> None:
    """`broadcast`, except to `sender` (the socket of the view that sends it; its app's PubSub)."""
    pubsub = getattr(getattr(sender, "endpoint", None), "pubsub", None)
    (pubsub if isinstance(pubsub, PubSub) else current()).broadcast_from(sender, topic, message)


def local_broadcast(topic: str, message: Any) -> None:
    """Send `message` to the subscribers of `topic` in this process only."""
    current().local_broadcast(topic, message)
