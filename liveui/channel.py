"""One connected view: an actor (asyncio task + mailbox) on an `lv:<id>` topic.

Joins, events, patches, infos and leaves are processed one at a time, in arrival order. After
each callback the view is rendered and only the diff is sent: in the reply to the client's
push, or as a `diff` push for server-side changes. A crash ends this view alone with
`phx_error`; the client rejoins and mounts again. When the connection drops, the view is parked
for its reconnect grace period and goes on running; a rejoin from the same session reattaches
it to the new connection with a full render of its current state (reconnect.py).
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import logging
import time
import types
import weakref
from collections import deque
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from . import debug, lifecycle, nested, uploads
from .reconnect import grace_of
from . import scope as render_scope
from .async_work import AsyncWork, assign_outcome
from .components import Components
from .diff import Differ
from .params import decode_event_value
from .refs import ViewGone, ViewRef
from .router import Match, view_key
from .serializer import Message
from .socket import Navigation, Socket
from .tokens import InvalidToken
from .view import LiveView

if TYPE_CHECKING:
    from .connection import Connection

log = logging.getLogger("liveui")

LIVEVIEW_VERSION = "1.2.12"
_MAX_PATCHES = 10
_MAX_AWAITING = 16
_MAX_HELD_EVENTS = 100  # push_events kept for the client while the view is parked (the newest)
_LIVE: weakref.WeakSet[ViewChannel] = weakref.WeakSet()


def connected_views() -> list[ViewChannel]:
    """The views connected to this process (for the development server's reloads)."""
    return list(_LIVE)


class _Stop(Exception):
    """Ends the actor after the current message (leave, navigation, failed join)."""


class JoinError(Exception):
    """A join refused with a reason the client understands (stale, unauthorized, ...)."""

    def __init__(self, response: dict[str, Any], why: str) -> None:
        super().__init__(why)
        self.response = response


class ViewChannel:
    """The actor of one view on one connection."""

    def __init__(self, connection: Connection, topic: str, join_ref: str | None) -> None:
        self.connection = connection
        self.topic = topic
        self.join_ref = join_ref
        self._mailbox: deque[tuple[str, Any]] = deque()
        self._busy = False
        self._loop = asyncio.get_running_loop()
        self.done: asyncio.Future[None] = self._loop.create_future()
        self.ref = ViewRef(self._loop, self._post)
        self.view: LiveView | None = None
        self.socket: Socket | None = None
        self.match: Match | None = None
        self.live_session = ""
        self.nested = False  # a view placed by live_render (no default layout)
        self.differ = Differ()
        self.components: Components | None = None
        self.work = AsyncWork(self._post)
        self._sleep: asyncio.TimerHandle | None = None  # hibernation, armed while idle
        self._active = 0.0  # when the mailbox last ran empty
        self._awaiting: list[Message] = []  # lv:await-async pushes waiting for the work to end
        self._expiry: asyncio.TimerHandle | None = None  # armed while parked: the end of the grace period
        self._held_events: deque[Any] | None = None  # while parked: the push_events it issued
        self.task: asyncio.Task[None] | None = None  # held: asyncio keeps only weak references
        self.debug = bool(getattr(connection.endpoint, "debug", False))
        _LIVE.add(self)

    # -- lifecycle ----------------------------------------------------------------------

    def start(self, join: Message) -> None:
        self._post(("join", join))

    def deliver(self, message: Message) -> None:
        self._post(("message", message))

    def stop(self, reason: Any) -> None:
        """End the view after what is already queued (the connection closed, a duplicate join)."""
        self._post(("stop", reason))

    def reattachable(self) -> bool:
        """Whether this view may outlive its connection (it is joined and has a grace period)."""
        return self.view is not None and not self.done.done() and grace_of(type(self.view), self.connection.endpoint) > 0

    def park(self) -> None:
        """The connection dropped: keep running for the grace period, waiting for a rejoin."""
        self._post(("park", None))

    def reattach(self, connection: Connection, join: Message) -> bool:
        """A rejoin of this view from the same session on `connection` (reconnect.py): taken if
        its tokens are this view's (else it is a join of its own, refused as any other)."""
        try:
            _, params, _ = self._verify(join, connection)
        except JoinError:
            return False
        self.join_ref = join.join_ref  # the client's next pushes carry it
        self._post(("rejoin", (connection, join, params)))
        return True

    def refresh(self) -> None:
        """Render again with the templates as they are now (a template file was edited); the
        state survives. (A view still joining renders with them anyway.)"""
        if self.view is not None:
            self._post(("refresh", None))

    def reload_page(self) -> None:
        """Make the page reload itself (a static asset changed); a main view only."""
        if self.match is not None:
            self._post(("reload", None))

    def _post(self, item: tuple[str, Any]) -> None:
        if self.done.done():
            self._mailbox.append(item)
            self._refuse_queued()
            return
        self._mailbox.append(item)
        if not self._busy:
            self._pump()

    def _pump(self) -> None:
        """Handle the mailbox in order: inline while items finish without waiting (no event-loop
        round trip for a plain `def` handler), in a task from the first item that waits.

        Each item runs in a context of its own; when an inline item waits (an `async def` hook or
        component callback, say), a task takes it over in that same context, from the very await
        it stopped at (`_resumed`): to the item's code this is one uninterrupted coroutine.
        """
        self._busy = True
        while self._mailbox and not self.done.done():
            item = self._mailbox.popleft()
            work = self._process(*item)
            if not self._plain(item):
                self.task = self._loop.create_task(self._run(work), name=f"liveui {self.topic}")
                return
            context = contextvars.copy_context()
            try:
                waiting_on = context.run(work.send, None)
            except StopIteration:
                continue
            except Exception:  # _process handles callback errors; this is liveui's own bug
                log.exception("view %s failed", self.topic)
                continue
            self.task = self._loop.create_task(self._run(_resumed(work, waiting_on)), name=f"liveui {self.topic}",
                                               context=context)
            return
        self._busy = False
        self._idle()

    def _idle(self) -> None:
        """The mailbox is empty: after the view's `hibernate_after` seconds of this, compact it.
        (One timer, re-armed when it fires early: a message costs a clock read, not a timer.)"""
        self._active = self._loop.time()
        if self._sleep is None and not self.done.done():
            after = getattr(self.view, "hibernate_after", None)
            if after is not None:
                self._sleep = self._loop.call_later(after, self._hibernate, after)

    def _hibernate(self, after: float) -> None:
        self._sleep = None
        if self.done.done():
            return
        idle = self._loop.time() - self._active
        if self._busy or idle < after:
            self._sleep = self._loop.call_later(after - idle if not self._busy else after, self._hibernate, after)
            return
        self.differ.compact()
        self.components.compact()  # type: ignore[union-attr]

    async def _run(self, work: Any) -> None:
        """Drive `work` to its end in this task, then go on with the mailbox."""
        try:
            await work
        except Exception:  # _process handles callback errors; this is liveui's own bug
            log.exception("view %s failed", self.topic)
        self._pump()

    def _plain(self, item: tuple[str, Any]) -> bool:
        """Whether the callback this item runs, and the hooks attached to its stage, are plain
        functions (so it can run inline). The view's, or for an event with a `cid` the component's."""
        kind, message = item
        if self.view is None:
            return kind == "stop"
        name = "handle_info" if kind == "info" else _CALLBACKS.get(getattr(message, "event", None), "terminate")
        owner, socket = self.view, self.socket
        payload = getattr(message, "payload", None)
        if name == "handle_event" and isinstance(payload, dict) and "cid" in payload:
            mounted = self.components.get(payload["cid"])  # type: ignore[union-attr]
            if mounted is not None:
                owner, socket = mounted.component, mounted.socket
        hooks = socket.hooks.get(name, ())  # type: ignore[union-attr]
        return not (inspect.iscoroutinefunction(getattr(owner, name))
                    or any(inspect.iscoroutinefunction(hook) for _, hook in hooks))

    async def _process(self, kind: str, item: Any) -> None:
        """Handle one mailbox item; a leave, a navigation, a crash or a stop ends the view."""
        if kind == "stop":
            await self._end(item)
            return
        try:
            await self._handle(kind, item)
        except _Stop as stop:
            await self._end(str(stop) or "shutdown")
        except Exception as exc:
            if self.view is None:
                log.exception("join of %s crashed", self.topic)
                await self._end("join crashed")
                return
            log.exception("view %s crashed on %s", self.topic, item)
            if self.debug:  # the developer sees it in the page before the client rejoins
                self.push("diff", {"e": [[debug.CRASH_EVENT, debug.crash_notice(type(self.view).__name__, exc)]]})
            # Phoenix sends phx_error with ref = join_ref (docs/protocol.md §1.5)
            self.connection.send(Message(self.join_ref, self.join_ref, self.topic, "phx_error",
                                         {"reason": "channel_crash"}))
            await self._end(exc)

    async def _end(self, reason: Any) -> None:
        self.done.set_result(None)
        self.ref.close()
        self.work.close()
        if self._sleep is not None:
            self._sleep.cancel()
        if self._expiry is not None:
            self._expiry.cancel()
        running = getattr(self.connection.endpoint, "running_views", None)
        if running is not None:
            running.remove(self)
        if self.socket is not None:
            for upload in list(self.socket.upload_channels.values()):
                upload.end("cancel")
        self.connection.forget(self)
        self._refuse_queued()
        await self._terminate(reason)

    def _refuse_queued(self) -> None:
        """Pushes still queued when the view ends get the reply of a topic that is gone."""
        while self._mailbox:
            kind, item = self._mailbox.popleft()
            if kind == "call":
                item[1].set_exception(ViewGone("the view ended before answering"))
            elif kind == "message":
                leaving = item.event == "phx_leave"
                self.reply(item, "ok" if leaving else "error", {} if leaving else {"reason": "unmatched topic"})

    async def _terminate(self, reason: Any) -> None:
        if self.view is None or self.socket is None:
            return
        try:
            await lifecycle.call(self.view.terminate, reason, self.socket)
        except Exception:
            log.exception("terminate of %s raised", self.topic)

    def _log(self, callback: str, *what: Any) -> None:
        """Log a callback at the view class's `log_level` (None: not at all; at least INFO in debug mode)."""
        level = self._log_level()
        if level is not None and log.isEnabledFor(level):
            log.log(level, "%s %s %s %s", type(self.view).__name__, self.topic, callback, " ".join(map(repr, what)))

    def _log_reply(self, what: str, diff: dict[str, Any] | None, started: float) -> None:
        """Log what answering a push sent and how long the server took (debug mode: at INFO)."""
        level = self._log_level()
        if level is not None and log.isEnabledFor(level):
            log.log(level, "%s %s replied to %s: %d bytes in %.1f ms", type(self.view).__name__, self.topic, what,
                    debug.size(diff), (time.perf_counter() - started) * 1000)

    def _log_level(self) -> int | None:
        level = type(self.view).log_level  # type: ignore[union-attr]
        return max(level, logging.INFO) if self.debug and level is not None else level

    # -- sending ------------------------------------------------------------------------

    def push(self, event: str, payload: dict[str, Any]) -> None:
        if self._held_events is not None and "e" in payload:  # parked: the events wait for a reattach
            self._held_events.extend(payload["e"])
        self.connection.send(Message(self.join_ref, None, self.topic, event, payload))

    def reply(self, request: Message, status: str, response: dict[str, Any]) -> None:
        self.connection.reply(request, status, response)

    def close(self) -> None:
        """Tell the client this channel ended on purpose (it does not rejoin)."""
        self.connection.send(Message(self.join_ref, self.join_ref, self.topic, "phx_close", {}))

    # -- messages -----------------------------------------------------------------------

    async def _handle(self, kind: str, item: Any) -> None:
        if kind == "join":
            await self._join(item)
        elif kind == "park":
            self._park()
            await self._after(None)
        elif kind == "rejoin":
            await self._rejoin(*item)
        elif kind == "info":
            self._log("handle_info", item)
            await lifecycle.dispatch(self.view, "handle_info", self.socket, item)  # type: ignore[arg-type]
            await self._after(None)
        elif kind == "update":
            target, assigns = item
            self.components.send_update(target, assigns)  # type: ignore[union-attr]
            await self._after(None)
        elif kind == "async":
            await self._async_outcome(*item)
        elif kind == "refresh":  # the whole tree again (components included), the state kept
            self._resend()
            await self._after(None)
        elif kind == "reload":
            self.push("redirect", {"to": _local_part(self.match.uri)})  # type: ignore[union-attr]
            self.close()
            raise _Stop("reload")
        elif kind == "upload":
            socket, entry, error = item
            config = socket.assigns.get("uploads", {}).get(entry.upload_config)
            if config is not None and entry in config.entries:
                if error is None:
                    uploads.drop(socket, config, entry)
                else:
                    uploads.reject(socket, config, entry, error)
                self._touch(socket)
                await self._after(None)
        elif kind == "cast":
            await lifecycle.call(self.view.handle_cast, item, self.socket)  # type: ignore[union-attr]
            await self._after(None)
        elif kind == "call":
            message, answer = item
            try:
                result = await lifecycle.call(self.view.handle_call, message, self.socket)  # type: ignore[union-attr]
            except BaseException as exc:
                answer.set_exception(exc)
                raise
            answer.set_result(result)
            await self._after(None)
        else:
            handler = _HANDLERS.get(item.event)
            if not isinstance(item.payload, dict):  # a binary push: only upload channels take those
                log.warning("binary %r push on %s: LiveView topics take JSON payloads", item.event, self.topic)
                self.reply(item, "error", {"reason": "expected a JSON object payload"})
                return
            if handler is None:
                log.warning("unknown event %r on %s", item.event, self.topic)
                self.reply(item, "error", {"reason": f"unknown event {item.event!r}"})
                return
            await handler(self, item)

    async def _join(self, message: Message) -> None:
        started = time.perf_counter()
        try:
            view, socket, match, patch = await self._mount(message)
        except JoinError as refused:
            log.warning("join of %s refused: %s", self.topic, refused)
            self.reply(message, "error", refused.response)
            raise _Stop("join refused") from None
        except Exception:
            log.exception("mount of %s raised", self.topic)
            self.reply(message, "error", {"reason": "join crashed"})
            raise _Stop("join crashed") from None
        self.view, self.socket, self.match = view, socket, match
        self.components = Components(socket)
        self.differ.cids = self.components.cid_for
        response: dict[str, Any] = {"rendered": await self._render(), "liveview_version": LIVEVIEW_VERSION}
        if patch is not None:
            response["live_patch"] = _navigation_payload(patch)
        if "redirect" in message.payload:
            tag, attrs = type(view).container
            response["container"] = [tag, attrs]
        self.reply(message, "ok", response)
        running = getattr(self.connection.endpoint, "running_views", None)
        if running is not None and grace_of(type(view), self.connection.endpoint) > 0:
            running.add(self, self.connection.identity)
        self._log("mounted", match.uri if match is not None else "(nested)")
        self._log_reply("the join", response["rendered"], started)

    def _park(self) -> None:
        """Start the grace period (once); uploads in progress are cancelled (the client restarts them)."""
        if self._expiry is None:
            grace = grace_of(type(self.view), self.connection.endpoint)
            # an empty context: the timer outlives the message that armed it (and its connection)
            self._expiry = self._loop.call_later(grace, self.stop, "reconnect_grace_expired",
                                                 context=contextvars.Context())
            self._held_events = deque(maxlen=_MAX_HELD_EVENTS)
            self.ref.away(True)
        self._cancel_uploads()

    def _resend(self) -> None:
        """The client gets the whole tree again (a reattach, a template edit): every slot, every
        component whole, every stream's shown items."""
        self.differ.reset()
        self.components.resend()  # type: ignore[union-attr]
        for stream in self.socket.assigns.get("streams", {}).values():  # type: ignore[union-attr]
            stream.replay()

    def _cancel_uploads(self) -> None:
        for socket in [self.socket, *self.components.sockets()]:  # type: ignore[union-attr]
            uploads.cancel_in_progress(socket)  # type: ignore[arg-type]

    async def _rejoin(self, connection: Connection, message: Message, params: dict[str, Any]) -> None:
        """Reattach to `connection`: the join reply is a full render of the current state (the
        held push_events with it); `handle_params` runs only if the URL changed."""
        if self._expiry is not None:
            self._expiry.cancel()
            self._expiry = None
            self.ref.away(False)
        else:  # taken over from a connection still open (half-open after a network change)
            self._cancel_uploads()
        if self.connection is not connection:
            self.connection.forget(self)
        self.connection = connection
        socket = self.socket
        assert socket is not None
        socket.reconnected(params, connection.info)
        url = message.payload.get("url")
        if self.match is not None and isinstance(url, str) and url != self.match.uri:
            target = connection.endpoint.router.match(url)
            if target is not None and target.route.view is type(self.view):
                self.match = target
                await lifecycle.handle_params(self.view, target, socket)  # type: ignore[arg-type]
        self._resend()
        rendered = await self._render()
        held, self._held_events = self._held_events, None
        if held:
            rendered["e"] = [*held, *rendered.get("e", ())]
        self.reply(message, "ok", {"rendered": rendered, "liveview_version": LIVEVIEW_VERSION})

    def _verify(self, message: Message, connection: Connection | None = None) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        """A join's CSRF token (for `connection`, this view's by default), session token and
        static token, checked: (session token, params, static)."""
        connection = connection or self.connection
        endpoint = connection.endpoint
        payload = message.payload
        params = payload.get("params") if isinstance(payload.get("params"), dict) else {}
        if not connection.csrf_ok(params.get("_csrf_token")):
            raise JoinError({"reason": "stale"}, "missing or invalid CSRF token")
        try:
            token = endpoint.signer.verify("session", payload.get("session"), endpoint.token_max_age)
        except InvalidToken as bad:
            raise JoinError({"reason": "stale"}, f"session token {bad.reason}") from None
        if token.get("id") != self.topic[3:]:
            raise JoinError({"reason": "stale"}, "session token belongs to another view")
        return token, params, self._static(payload.get("static"))

    async def _mount(self, message: Message) -> tuple[LiveView, Socket, Match | None, Navigation | None]:
        endpoint = self.connection.endpoint
        payload = message.payload
        token, params, static = self._verify(message)
        self.live_session = str(token.get("live_session"))
        socket = Socket(view_id=self.topic[3:], connected=True, endpoint=endpoint, connect_params=params,
                        connect_info=self.connection.info, ref=self.ref)
        socket.work = self.work
        if token.get("parent") is not None:
            self.nested = True
            return await self._mount_child(token, socket)
        navigating = "redirect" in payload
        url = payload.get("redirect") if navigating else payload.get("url")
        match = endpoint.router.match(url) if isinstance(url, str) else None
        if match is None:
            raise JoinError({"reason": "unauthorized"}, f"no live route for {url!r}")
        if match.route.live_session.name != token.get("live_session") or (
            not navigating and view_key(match.route.view) != token.get("view")
        ):
            raise JoinError({"reason": "unauthorized"}, f"{url!r} is not a live route of this view's live session")
        flash = self._join_flash(payload, params, navigating, static)
        if flash:
            socket.assign(flash=flash)
        session = lifecycle.session_for(match, token.get("session") or {})
        socket.keep_streams = grace_of(match.route.view, endpoint) > 0
        view = match.route.view()
        mounted = await lifecycle.mount(view, match, session, socket)
        patch = None
        if mounted:  # a push_patch to another view's URL becomes a navigation here
            match, patch = await self._follow_patches(view, socket, match)
        self._refuse_if_navigating(socket)
        if not mounted:
            raise JoinError({"reason": "unauthorized"}, "an on_mount hook halted without redirecting")
        return view, socket, match, patch

    async def _mount_child(self, token: dict[str, Any], socket: Socket) -> tuple[LiveView, Socket, None, None]:
        """A nested view (see nested.py): mounted with the session its parent gave, no URL."""
        try:
            view = nested.resolve(token.get("view"))()
        except (TypeError, ImportError) as bad:
            raise JoinError({"reason": "unauthorized"}, str(bad)) from None
        socket.keep_streams = grace_of(type(view), self.connection.endpoint) > 0
        session = token.get("session") or {}
        if await lifecycle.on_mount(type(view).on_mount, {}, session, socket):
            await lifecycle.call(view.mount, {}, session, socket)
        self._refuse_if_navigating(socket)
        return view, socket, None, None

    def _refuse_if_navigating(self, socket: Socket) -> None:
        """A navigation requested while mounting answers the join (1.2 clients dispatch its events)."""
        navigation = socket.take_navigation()
        if navigation is not None:
            response: dict[str, Any] = {_NAV_KEY[navigation.kind]: self._navigation(navigation, socket)}
            events = socket.take_events()
            if events:
                response["events"] = events
            raise JoinError(response, f"mount redirected to {navigation.to}")

    def _static(self, token: Any) -> dict[str, Any]:
        """The dead render's static token, bound to this view id like the session token ({} if none)."""
        if token is None or token == "":
            return {}
        endpoint = self.connection.endpoint
        try:
            static = endpoint.signer.verify("static", token, endpoint.token_max_age)
        except InvalidToken as bad:
            raise JoinError({"reason": "stale"}, f"static token {bad.reason}") from None
        if not isinstance(static, dict) or static.get("id") != self.topic[3:]:
            raise JoinError({"reason": "stale"}, "static token belongs to another view")
        return static

    def _join_flash(self, payload: dict[str, Any], params: dict[str, Any], navigating: bool,
                    static: dict[str, Any]) -> dict[str, Any]:
        """A navigation's flash token, else the dead render's flash on a first mount."""
        if payload.get("flash"):
            try:
                return self.connection.endpoint.signer.verify("flash", payload["flash"], 60)
            except InvalidToken as bad:
                log.warning("ignoring %s flash token on %s", bad.reason, self.topic)
        elif not navigating and params.get("_mounts", 0) == 0:
            return static.get("flash") or {}
        return {}

    async def _follow_patches(self, view: LiveView, socket: Socket, match: Match) -> tuple[Match, Navigation | None]:
        """Run handle_params for each push_patch until none is pending; return the last patch."""
        last = None
        for _ in range(_MAX_PATCHES):
            navigation = socket.navigation
            if navigation is None or navigation.kind != "patch":
                return match, last
            socket.navigation = None
            target = self.connection.endpoint.router.match(navigation.to)
            if target is None or target.route.view is not type(view):
                socket.navigation = Navigation("navigate", navigation.to, navigation.replace)
                return match, last
            last, match = navigation, target
            await lifecycle.handle_params(view, match, socket)
        raise RuntimeError(f"push_patch kept patching after {_MAX_PATCHES} rounds (last to {socket.navigation})")

    def _navigation(self, navigation: Navigation, socket: Socket) -> dict[str, Any]:
        payload = _navigation_payload(navigation)
        flash = socket.assigns.get("flash")
        if flash:
            payload["flash"] = self.connection.endpoint.signer.sign("flash", flash)
        return payload

    async def _render(self) -> dict[str, Any]:
        socket, view, components = self.socket, self.view, self.components
        assert socket is not None and view is not None and components is not None
        changed = socket.take_changes()
        with render_scope.rendering(self.connection.endpoint, socket.id, self.live_session, True):
            diff = self.differ.render(view.template_for(socket.assigns, socket.render_fn, self.nested), socket.assigns,
                                       changed)
            socket.rendered()
            rendered = await components.render(self.differ.placed) if self.differ.placed or components.waiting() else None
        if rendered:
            diff["c"] = rendered
        for _, hook in list(socket.hooks.get("after_render", ())):
            await lifecycle.call(hook, socket)
        if "page_title" in socket.assigns and ("page_title" in changed or "s" in diff):
            diff["t"] = str(socket.assigns["page_title"])
        events = socket.take_events()
        if events:
            diff["e"] = events
        return diff

    async def _after(self, request: Message | None, reply: Any = None,
                     response: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """Send what a callback produced: navigation, then the diff (in the reply to `request`,
        with `response`'s keys); returns the diff sent."""
        socket = self.socket
        assert socket is not None and self.view is not None
        if socket.navigation is not None:
            self.match, patch = await self._follow_patches(self.view, socket, self.match)  # type: ignore[arg-type]
            if patch is not None:
                self.push("live_patch", _navigation_payload(patch))
        navigation = socket.take_navigation()
        if navigation is not None:
            events = socket.take_events()
            if events:
                self.push("diff", {"e": events})
            payload = self._navigation(navigation, socket)
            if request is not None:
                self.reply(request, "ok", {_NAV_KEY[navigation.kind]: payload})
            else:
                self.push(_NAV_KEY[navigation.kind], payload)
            self.close()
            raise _Stop("navigation")
        diff = await self._render()
        if reply is not None:
            diff["r"] = reply
        if request is not None:
            self.reply(request, "ok", {**(response or {}), "diff": diff} if diff else response or {})
        elif diff:
            self.push("diff", diff)
        return diff

    # -- client pushes ------------------------------------------------------------------

    async def _event(self, message: Message) -> None:
        payload = message.payload
        name = payload.get("event")
        try:
            if not isinstance(name, str):
                raise ValueError(f"the event name must be a string, got {name!r}")
            params = decode_event_value(payload)
            if payload.get("uploads"):
                self._select(payload["uploads"], payload.get("cid"))
        except ValueError as bad:
            log.warning("bad event payload on %s: %s", self.topic, bad)
            self.reply(message, "error", {"reason": f"bad event payload: {bad}"})
            return
        if name == "lv:clear-flash":
            self.socket.clear_flash(params.get("key") if isinstance(params, dict) else None)  # type: ignore[union-attr]
            await self._after(message)
            return
        if name == "lv:await-async":  # liveui.testing's render_async: answered once no work runs
            self._awaiting.append(message)
            self._answer_awaiting()
            return
        if name.startswith("lv:"):
            log.warning("unknown reserved event %r on %s", name, self.topic)
            self.reply(message, "error", {"reason": f"unknown reserved event {name!r}"})
            return
        self._log("handle_event", name, params, payload.get("cid"))
        started = time.perf_counter()
        if "cid" in payload:
            result = await self._component_event(message, name, params)
        else:
            result = await lifecycle.dispatch(self.view, "handle_event", self.socket, name, params)  # type: ignore[arg-type]
        if result is not None and not isinstance(result, dict):
            raise TypeError(f"handle_event({name!r}) must return None or a dict to reply with, got {type(result).__name__}")
        self._log_reply(repr(name), await self._after(message, result), started)

    async def _component_event(self, message: Message, name: str, params: Any) -> Any:
        """An event for a component: its handle_event, or nothing if it is gone (an empty reply)."""
        mounted = self.components.get(message.payload["cid"])  # type: ignore[union-attr]
        if mounted is None:
            log.warning("event %r for component %r on %s: no such component (removed?)", name,
                        message.payload["cid"], self.topic)
            return None
        return await self.components.run(mounted, "handle_event", name, params)  # type: ignore[union-attr]

    async def _async_outcome(self, key: Any, task: Any, outcome: tuple[str, Any]) -> None:
        """The outcome of background work, if it is still wanted (not replaced or cancelled)."""
        if task is not None and not self.work.finished(key, task):
            return
        cid, kind, name = key
        mounted = self.components.get(cid) if cid is not None else None  # type: ignore[union-attr]
        if cid is not None and mounted is None:
            return  # the component left the page
        socket = mounted.socket if mounted is not None else self.socket
        if kind == "assign":
            socket.assign(assign_outcome(name, socket.assigns, outcome))  # type: ignore[union-attr]
            if mounted is not None:
                self.components.touch(mounted)  # type: ignore[union-attr]
        elif mounted is not None:
            await self.components.run(mounted, "handle_async", name, outcome)  # type: ignore[union-attr]
        else:
            await lifecycle.dispatch(self.view, "handle_async", socket, name, outcome)  # type: ignore[arg-type]
        await self._after(None)
        self._answer_awaiting()

    def _answer_awaiting(self) -> None:
        if not self.work.running_any() or len(self._awaiting) > _MAX_AWAITING:
            awaiting, self._awaiting = self._awaiting, []
            for message in awaiting:
                self.reply(message, "ok", {})

    # -- uploads ------------------------------------------------------------------------

    def upload_socket(self, cid: Any) -> Socket | None:
        """The socket that holds uploads for `cid` (a component's, or the view's for None)."""
        if cid is None:
            return self.socket
        mounted = self.components.get(cid) if self.components is not None else None
        return mounted.socket if mounted is not None else None

    def upload_ended(self, socket: Socket, entry: uploads.UploadEntry, error: Any) -> None:
        """An entry's upload channel ended early: drop the entry, or keep it with `error`."""
        self._post(("upload", (socket, entry, error)))

    def _touch(self, socket: Socket) -> None:
        if socket.cid is not None:
            mounted = self.components.get(socket.cid)  # type: ignore[union-attr]
            if mounted is not None:
                self.components.touch(mounted)  # type: ignore[union-attr]

    def _upload_config(self, payload: dict[str, Any]) -> tuple[Socket, uploads.UploadConfig]:
        socket = self.upload_socket(payload.get("cid"))
        registered = socket.assigns.get("uploads") if socket is not None else None
        config = registered.by_ref(payload.get("ref")) if registered is not None else None
        if config is None:
            raise ValueError(f"no upload with ref {payload.get('ref')!r} on this view (cid {payload.get('cid')!r})")
        return socket, config  # type: ignore[return-value]

    def _select(self, selected: Any, cid: Any) -> None:
        """A form event's `uploads`: the entries the client selected, checked and kept."""
        if not isinstance(selected, dict):
            raise ValueError("uploads must be an object of upload ref -> entries")
        for ref, entries in selected.items():
            socket, config = self._upload_config({"ref": ref, "cid": cid})
            uploads.put_entries(socket, config, entries)
            self._touch(socket)

    async def _allow_upload(self, message: Message) -> None:
        payload = message.payload
        try:
            socket, config = self._upload_config(payload)
            response = uploads.preflight(socket, config, payload.get("entries"), self._upload_signer(socket, config))
        except ValueError as bad:
            log.warning("bad allow_upload on %s: %s", self.topic, bad)
            self.reply(message, "error", {"reason": f"bad allow_upload: {bad}"})
            return
        self._touch(socket)
        await self._after(message, response=response)

    def _upload_signer(self, socket: Socket, config: uploads.UploadConfig) -> Any:
        signer = self.connection.endpoint.signer
        return lambda entry: signer.sign("upload", {"view": self.topic[3:], "cid": socket.cid, "name": config.name,
                                                    "config": config.ref, "entry": entry.ref, "uuid": entry.uuid})

    async def _progress(self, message: Message) -> None:
        payload = message.payload
        try:
            socket, config = self._upload_config(payload)
            entry = config.entry(str(payload.get("entry_ref")))
            if entry is None:  # cancelled while this report was on its way: nothing to do
                self.reply(message, "ok", {})
                return
            report = uploads.update_progress(socket, config, entry, payload.get("progress"))
        except ValueError as bad:
            log.warning("bad upload progress on %s: %s", self.topic, bad)
            self.reply(message, "error", {"reason": f"bad progress: {bad}"})
            return
        self._touch(socket)
        if report and config.progress is not None:
            await lifecycle.call(config.progress, config.name, entry, socket)
        await self._after(message)

    async def _live_patch(self, message: Message) -> None:
        url = message.payload.get("url")
        target = self.connection.endpoint.router.match(url) if isinstance(url, str) else None
        if target is None or target.route.view is not type(self.view):
            self.reply(message, "ok", {"link_redirect": True})
            return
        self.match = target
        started = time.perf_counter()
        self._log("handle_params", target.params, target.uri)
        await lifecycle.handle_params(self.view, target, self.socket)  # type: ignore[arg-type]
        self._log_reply("the patch", await self._after(message), started)

    async def _leave(self, message: Message) -> None:
        self.close()
        self.reply(message, "ok", {})
        raise _Stop("leave")

    async def _cids_will_destroy(self, message: Message) -> None:
        self.components.will_destroy(_cids(message.payload))  # type: ignore[union-attr]
        self.reply(message, "ok", {})

    async def _cids_destroyed(self, message: Message) -> None:
        self.reply(message, "ok", {"cids": self.components.destroyed(_cids(message.payload))})  # type: ignore[union-attr]


_HANDLERS = {
    "event": ViewChannel._event,
    "live_patch": ViewChannel._live_patch,
    "phx_leave": ViewChannel._leave,
    "cids_will_destroy": ViewChannel._cids_will_destroy,
    "cids_destroyed": ViewChannel._cids_destroyed,
    "allow_upload": ViewChannel._allow_upload,
    "progress": ViewChannel._progress,
}

_CALLBACKS = {"event": "handle_event", "live_patch": "handle_params"}
_NAV_KEY = {"navigate": "live_redirect", "redirect": "redirect", "patch": "live_patch"}


def _cids(payload: dict[str, Any]) -> list[Any]:
    cids = payload.get("cids")
    return cids if isinstance(cids, list) else []


def _local_part(uri: str) -> str:
    """The path and query of an absolute URL (what a redirect to the same page needs)."""
    parts = urlsplit(uri)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _navigation_payload(navigation: Navigation) -> dict[str, Any]:
    if navigation.kind == "redirect":
        return {"to": navigation.to}
    return {"to": navigation.to, "kind": "replace" if navigation.replace else "push"}


@types.coroutine
def _resumed(work: Any, waiting_on: Any) -> Any:
    """`work`, a coroutine run by hand until it yielded `waiting_on`, continued by the task that
    awaits this: the task gets `waiting_on` as if `work` had yielded it to the task itself (so a
    future is awaited once, as asyncio requires), and then drives `work` on."""
    while True:
        try:
            sent = yield waiting_on
        except BaseException as exc:  # a cancellation reaches the coroutine where it waits
            step, value = work.throw, exc
        else:
            step, value = work.send, sent
        try:
            waiting_on = step(value)
        except StopIteration as stop:
            return stop.value
