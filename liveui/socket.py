"""The socket a view's callbacks receive: assigns with change tracking, flash, pushed events,
pending navigation. Handlers mutate it; the runtime renders after each callback."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import uploads
from .async_result import AsyncResult
from .attrdict import AttrDict
from .streams import LiveStream, Streams, default_dom_id

if TYPE_CHECKING:
    from .async_work import AsyncWork
    from .refs import ViewRef

HOOK_STAGES = ("handle_params", "handle_event", "handle_info", "handle_async", "after_render")

_IMMUTABLE = (str, int, float, bool, bytes, type(None), frozenset)


def _unchanged(old: Any, new: Any) -> bool:
    """Whether assigning `new` over `old` can be skipped.

    The same mutable object assigned again may have been mutated in place, so it counts as a
    change; equal immutable values, or equal but distinct objects, do not.
    """
    if old is new:
        return isinstance(new, _IMMUTABLE) or (type(new) is tuple and all(isinstance(v, _IMMUTABLE) for v in new))
    try:
        return type(old) is type(new) and bool(old == new)
    except Exception:  # an __eq__ that cannot answer: render to be safe
        return False


class Assigns(AttrDict):
    """The view's state: a dict whose keys also read as attributes (`assigns.count`)."""

    __slots__ = ()
    missing = "no assign {name!r}; assigns are {known}: set it with socket.assign({name}=...) in mount"


@dataclass(slots=True)
class Navigation:
    """A navigation requested by a callback: patch, navigate or redirect."""

    kind: str  # "patch" | "navigate" | "redirect"
    to: str
    replace: bool = False
    external: bool = False


class Socket:
    """The state of one live view and the requests its callbacks make."""

    def __init__(self, *, view_id: str, connected: bool, endpoint: Any = None,
                 connect_params: Mapping[str, Any] | None = None, connect_info: Mapping[str, Any] | None = None,
                 ref: ViewRef | None = None) -> None:
        self.id = view_id
        self.connected = connected
        self.endpoint = endpoint
        self.assigns = Assigns(flash={})
        self.private: dict[str, Any] = {}
        self.changed: set[str] = {"flash"}
        self.events: list[list[Any]] = []
        self.navigation: Navigation | None = None
        self.ref = ref
        self.stream_prefix = ""  # a component's streams are "<cid>-<n>"
        self.keep_streams = False  # whether streams keep what the client shows (the view may reattach)
        self.work: AsyncWork | None = None  # set once connected: background work runs only then
        self.cid: int | None = None  # a component's socket: its cid
        self.hooks: dict[str, list[tuple[str, Callable[..., Any]]]] = {}
        self.render_fn: Callable[[Any], Any] | None = None
        self.upload_channels: dict[str, Any] = {}  # entry uuid -> its lvu: channel
        self._temporary: dict[str, Any] = {}
        self._connect_params = dict(connect_params) if connect_params is not None else None
        self._connect_info = dict(connect_info or {})

    # -- assigns ------------------------------------------------------------------------

    def assign(self, values: Mapping[str, Any] | None = None, /, **kwargs: Any) -> Socket:
        """Set assigns; only values that differ (or mutable values assigned again) re-render."""
        for items in (values or {}, kwargs):
            for key, value in items.items():
                if key in self.assigns and _unchanged(self.assigns[key], value):
                    continue
                self.assigns[key] = value
                self.changed.add(key)
        return self

    def update(self, key: str, fn: Callable[[Any], Any]) -> Socket:
        """Assign `fn(current value)` to an existing assign."""
        if key not in self.assigns:
            raise KeyError(f"cannot update assign {key!r}: it is not set; assign it first")
        return self.assign({key: fn(self.assigns[key])})

    def assign_new(self, key: str, fn: Callable[[], Any]) -> Socket:
        """Assign `fn()` only when `key` is not assigned yet."""
        if key not in self.assigns:
            self.assign({key: fn()})
        return self

    def temporary_assigns(self, **defaults: Any) -> Socket:
        """Assigns reset to these defaults after every render (`temporary_assigns` of mount):
        the server does not keep what it sent, e.g. messages appended on the client."""
        self._temporary.update(defaults)
        for key, value in defaults.items():
            self.assigns.setdefault(key, value)
        return self

    def render_with(self, render: Callable[[Any], Any]) -> Socket:
        """Render with `render(assigns)` (Jinja2 source or a Template) instead of the view's own."""
        self.render_fn = render
        return self

    def put_private(self, key: str, value: Any) -> Socket:
        """Keep a value on the socket that templates do not see and that never re-renders."""
        self.private[key] = value
        return self

    # -- flash --------------------------------------------------------------------------

    def put_flash(self, kind: str, message: str) -> Socket:
        """Show a flash message (rendered from the `flash` assign)."""
        return self.assign(flash={**self.assigns["flash"], kind: message})

    def clear_flash(self, kind: str | None = None) -> Socket:
        """Remove one flash message, or all of them."""
        flash = {} if kind is None else {k: v for k, v in self.assigns["flash"].items() if k != kind}
        return self.assign(flash=flash)

    # -- client events and navigation ---------------------------------------------------

    def push_event(self, name: str, payload: Mapping[str, Any]) -> Socket:
        """Dispatch `phx:<name>` on the client's window (and to hooks' handleEvent) after the patch."""
        if not isinstance(payload, Mapping):
            raise TypeError(f"push_event payload must be a dict, got {type(payload).__name__}: wrap it, e.g. {{'value': ...}}")
        self.events.append([name, dict(payload)])
        return self

    def push_patch(self, to: str, replace: bool = False) -> Socket:
        """Change the URL of this view without remounting it: handle_params runs with the new params."""
        self.navigation = Navigation("patch", _local(to, "push_patch"), replace)
        return self

    def push_navigate(self, to: str, replace: bool = False) -> Socket:
        """Go to another live view of the same live session over the same connection."""
        self.navigation = Navigation("navigate", _local(to, "push_navigate"), replace)
        return self

    def redirect(self, to: str | None = None, external: str | None = None) -> Socket:
        """Leave the live view with a full page load of `to` (a path) or an `external` URL."""
        if (to is None) == (external is None):
            raise ValueError("redirect needs exactly one of to='/path' or external='https://...'")
        target = _local(to, "redirect") if to is not None else external
        self.navigation = Navigation("redirect", target, external=external is not None)  # type: ignore[arg-type]
        return self

    # -- streams --------------------------------------------------------------------------

    def stream(self, name: str, items: Any, *, at: int = -1, reset: bool = False, limit: int | None = None) -> Socket:
        """Insert `items` into the stream `name` on the client (created on first use); `reset`
        empties it first; `at` -1 appends, 0 prepends, n inserts before the n-th item; `limit`
        keeps the first n (or last -n) items. The server keeps none of them after the render."""
        stream = self._stream(name)
        if reset:
            stream.clear()
        for item in items:
            stream.insert(item, at, limit, False)
        return self

    def stream_insert(self, name: str, item: Any, *, at: int = -1, limit: int | None = None,
                      update_only: bool = False) -> Socket:
        """Insert or update (same DOM id) one item; `update_only` never adds a missing one."""
        self._stream(name).insert(item, at, limit, update_only)
        return self

    def stream_delete(self, name: str, item: Any) -> Socket:
        """Remove an item (by the DOM id it would have) from the client's stream."""
        stream = self._stream(name)
        stream.delete(stream.dom_id(item))
        return self

    def stream_delete_by_dom_id(self, name: str, dom_id: str) -> Socket:
        self._stream(name).delete(dom_id)
        return self

    def stream_configure(self, name: str, *, dom_id: Callable[[Any], str]) -> Socket:
        """Set how a stream's items get their DOM ids; before the stream is first used."""
        streams = self._streams()
        if name in streams:
            raise ValueError(f"stream {name!r} is already in use: configure it before its first socket.stream()")
        streams[name] = LiveStream(name, f"{self.stream_prefix}{len(streams)}", dom_id, self.keep_streams)
        return self

    def rendered(self) -> None:
        """After a render: streams forget what it sent, temporary assigns go back to their defaults."""
        for stream in self.assigns.get("streams", {}).values():
            stream.sent()
        self.assigns.update(self._temporary)  # not a change: the client already has what was sent

    def _streams(self) -> Streams:
        streams = self.assigns.get("streams")
        if streams is None:
            streams = self.assigns["streams"] = Streams()
        self.changed.add("streams")
        return streams

    def _stream(self, name: str) -> LiveStream:
        streams = self._streams()
        stream = streams.get(name)
        if stream is None:
            stream = streams[name] = LiveStream(name, f"{self.stream_prefix}{len(streams)}", default_dom_id(name),
                                                self.keep_streams)
        return stream

    # -- lifecycle hooks ------------------------------------------------------------------

    def attach_hook(self, name: str, stage: str, fn: Callable[..., Any]) -> Socket:
        """Run `fn` before the view's own callback of `stage` (with the same arguments, the
        socket last); returning `Halt(reply)` stops there. `after_render` hooks get the socket
        after each render."""
        if stage not in HOOK_STAGES:
            raise ValueError(f"attach_hook: no stage {stage!r}; stages are {', '.join(HOOK_STAGES)}")
        if self.cid is not None and stage not in ("handle_event", "after_render"):
            raise ValueError(f"attach_hook: a live component takes handle_event and after_render hooks, not {stage!r}")
        hooks = self.hooks.setdefault(stage, [])
        if any(existing == name for existing, _ in hooks):
            raise ValueError(f"attach_hook: a hook named {name!r} is already attached to {stage}")
        hooks.append((name, fn))
        return self

    def detach_hook(self, name: str, stage: str) -> Socket:
        """Remove the hook `name` from `stage` (nothing happens if there is none)."""
        self.hooks[stage] = [(existing, fn) for existing, fn in self.hooks.get(stage, ()) if existing != name]
        return self

    # -- async work -----------------------------------------------------------------------

    def assign_async(self, keys: str | Any, fn: Callable[[], Any], *, reset: bool = False) -> Socket:
        """Assign `keys` from `fn()` run in the background (a dict with those keys; `("error",
        reason)` or an exception fails them). Until then each key is a loading `AsyncResult`,
        keeping its last result unless `reset`. Runs only once connected."""
        names = (keys,) if isinstance(keys, str) else tuple(keys)
        for name in names:
            current = self.assigns.get(name)
            self.assign({name: current.reloading() if isinstance(current, AsyncResult) and not reset else AsyncResult()})
        if self.connected and self.work is not None:
            self.work.start((self.cid, "assign", names), fn)
        return self

    def start_async(self, name: str, fn: Callable[[], Any]) -> Socket:
        """Run `fn()` in the background; `handle_async(name, ("ok", result) or ("exit",
        reason), socket)` gets its outcome. A later start with the same name replaces it."""
        if self.connected and self.work is not None:
            self.work.start((self.cid, "start", name), fn)
        return self

    def cancel_async(self, name: str, reason: Any = "cancelled") -> Socket:
        """Cancel a `start_async` by name (handle_async then gets `("exit", reason)`), or the
        `assign_async` that loads the key `name` (its results fail with `("exit", reason)`)."""
        work = self.work
        if work is None:
            return self
        key = (self.cid, "start", name)
        if work.cancel(key) and self.ref is not None:
            self.ref._post(("async", (key, None, ("exit", reason))))
        for key in work.running(self.cid, "assign"):
            if name in key[2] and work.cancel(key):
                self.assign({k: self.assigns[k].errored(("exit", reason)) for k in key[2]})
        return self

    # -- uploads --------------------------------------------------------------------------

    def allow_upload(self, name: str, *, accept: Any, max_entries: int = 1, max_file_size: int = 8_000_000,
                     chunk_size: int = 64_000, chunk_timeout: int = 10_000, external: Callable[..., Any] | None = None,
                     progress: Callable[..., Any] | None = None, auto_upload: bool = False,
                     writer: Callable[..., Any] | None = None) -> Socket:
        """Accept uploads named `name` (see docs/uploads.md): `accept` is 'any' or extensions and
        MIME types; sizes in bytes, `chunk_timeout` in ms; `progress(name, entry, socket)` runs
        on each progress report; `external(entry, socket)` returns ("ok", meta) for a client-side
        uploader; `writer(name, entry, socket)` makes the UploadWriter of each entry."""
        uploads.allow(self, name, accept=accept, max_entries=max_entries, max_file_size=max_file_size,
                      chunk_size=chunk_size, chunk_timeout=chunk_timeout, external=external, progress=progress,
                      auto_upload=auto_upload, writer=writer)
        return self

    def disallow_upload(self, name: str) -> Socket:
        """Stop accepting uploads named `name` (an error while entries are in progress)."""
        uploads.disallow(self, name)
        return self

    def cancel_upload(self, name: str, ref: str) -> Socket:
        """Drop the entry `ref` of upload `name` (its transfer stops, its temp file goes)."""
        config = uploads.get(self, name)
        entry = config.entry(str(ref))
        if entry is not None:
            uploads.drop(self, config, entry)
        return self

    def uploaded_entries(self, name: str) -> tuple[list[uploads.UploadEntry], list[uploads.UploadEntry]]:
        """(completed, in progress) entries of upload `name`."""
        return uploads.uploaded(uploads.get(self, name))

    def consume_uploaded_entries(self, name: str, fn: Callable[[Any, uploads.UploadEntry], Any]) -> list[Any]:
        """Call `fn(meta, entry)` for each completed entry (meta is `{"path": ...}` for the
        default writer); it returns ("ok", value) to drop the entry and its temp file or
        ("postpone", value) to keep it. Returns the values. An error while any is in progress."""
        config = uploads.get(self, name)
        completed, in_progress = uploads.uploaded(config)
        if in_progress:
            raise ValueError(f"cannot consume {name!r} while {len(in_progress)} entries are still uploading; "
                             "check uploaded_entries() or consume on submit")
        return uploads.consume(self, config, completed, fn)

    def consume_uploaded_entry(self, entry: uploads.UploadEntry, fn: Callable[[Any, uploads.UploadEntry], Any]) -> Any:
        """`consume_uploaded_entries` for one completed entry."""
        return uploads.consume(self, uploads.get(self, entry.upload_config), [entry], fn)[0]

    # -- live components ----------------------------------------------------------------

    def send_update(self, target: Any, **assigns: Any) -> Socket:
        """Update a live component of this view (its `myself`, or its class with `id=`) after
        the current callback; a no-op while not connected."""
        if self.ref is not None:
            self.ref.send_update(target, **assigns)
        return self

    def send_update_after(self, target: Any, ms: float, **assigns: Any) -> Any:
        """`send_update` after `ms` milliseconds; the result's `.cancel()` prevents it
        (None while not connected)."""
        return self.ref.send_update_after(target, ms, **assigns) if self.ref is not None else None

    # -- PubSub -----------------------------------------------------------------------------

    def subscribe(self, topic: str) -> Socket:
        """Receive the messages broadcast on `topic` in handle_info (a component's go to its
        view) until `unsubscribe` or the view's end; a no-op while not connected."""
        if self.ref is not None:
            self.endpoint.pubsub.subscribe(self.ref, topic)
        return self

    def unsubscribe(self, topic: str) -> Socket:
        if self.ref is not None:
            self.endpoint.pubsub.unsubscribe(self.ref, topic)
        return self

    # -- connection ---------------------------------------------------------------------

    def get_connect_params(self) -> dict[str, Any] | None:
        """The params the client sent with its join (LiveSocket `params`); None while not connected."""
        return self._connect_params if self.connected else None

    def reconnected(self, connect_params: Mapping[str, Any], connect_info: Mapping[str, Any]) -> None:
        """The view reattached to a new connection: its params and info are the new ones."""
        self._connect_params = dict(connect_params)
        self._connect_info = dict(connect_info)

    def static_changed(self) -> bool:
        """Whether the page's `phx-track-static` assets differ from what the server now serves
        (a deploy happened since the page loaded: ask the user to reload)."""
        params = self.get_connect_params() or {}
        return self.endpoint is not None and self.endpoint.static_changed(params.get("_track_static"))

    def get_connect_info(self, key: str) -> Any:
        """Information about the connection (peer_data, user_agent, uri, x_headers), or None."""
        return self._connect_info.get(key)

    def take_changes(self) -> set[str]:
        """The assigns changed since the last render; starts a new change set."""
        changed, self.changed = self.changed, set()
        return changed

    def take_events(self) -> list[list[Any]]:
        events, self.events = self.events, []
        return events

    def take_navigation(self) -> Navigation | None:
        navigation, self.navigation = self.navigation, None
        return navigation


def _local(to: str, what: str) -> str:
    if not isinstance(to, str) or not to.startswith("/") or to.startswith("//"):
        raise ValueError(f"{what} expects a path on this site such as '/items?page=2', got {to!r}")
    return to
