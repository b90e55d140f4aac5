"""The test client: a live view driven the way the official client drives it.

`view, html = await live(app, "/path")` does the dead render, joins, and returns a `View`;
`view.element("button", "+").render_click()` encodes the event as phoenix_live_view does, sends
it, merges the reply's diff like the client and returns the view's new HTML.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import tempfile
import traceback
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

from ..serializer import Message, encode_binary_client_push
from .dom import Document, Node, parse
from .events import Push, binding, click_value, form_controls, form_value, key_value, target_cid
from .rendered import Rendered, extract
from .uploads import Upload
from .wire import Page, open_wire

TIMEOUT = 5.0


class Redirected(Exception):
    """A navigation away: `kind` is "redirect" (full page) or "live_redirect"; `follow_redirect`
    takes it (with the client, and the view it left, if any)."""

    def __init__(self, kind: str, to: str, flash: str | None = None, *, client: Client | None = None,
                 view: View | None = None) -> None:
        super().__init__(f"{kind} to {to}")
        self.kind, self.to, self.flash = kind, to, flash
        self.client, self.view = client, view


class ViewCrashed(AssertionError):
    """The view raised on the server; the message carries the server's traceback."""


class _Crashes(logging.Handler):
    """Keeps the tracebacks the runtime logs, so a crash surfaces in the test that caused it."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def take(self) -> str:
        text = "\n".join(
            record.getMessage() + "\n" + "".join(traceback.format_exception(*record.exc_info))
            if record.exc_info else record.getMessage()
            for record in self.records
        )
        self.records.clear()
        return text


class Client:
    """One browser-like client of an app: its session, its connection, its views."""

    def __init__(self, app: Any, *, transport: str = "memory", session: dict[str, Any] | None = None,
                 connect_params: dict[str, Any] | None = None, timeout: float = TIMEOUT) -> None:
        self.wire = open_wire(transport, app, session=session, timeout=timeout)
        self.connect_params = dict(connect_params or {})
        self.timeout = timeout
        self.views: dict[str, View] = {}
        self._replies: dict[str, tuple[str, asyncio.Future[dict[str, Any]]]] = {}
        self._reader: asyncio.Task[None] | None = None
        self._crashes = _Crashes()
        logging.getLogger("liveui").addHandler(self._crashes)

    async def live(self, path: str) -> tuple[View, str]:
        """Dead render `path`, then join it; raises `Redirected` when the page redirects."""
        await self.wire.start()
        page = await self.wire.render(path)
        if page.location is not None:
            raise Redirected("redirect", page.location, client=self)
        if page.status != 200 or page.view_id is None:
            raise AssertionError(f"GET {path} answered {page.status} without a live view:\n{page.html[:500]}")
        return await self.open(page)

    async def open(self, page: Page) -> tuple[View, str]:
        """Join the live view of a dead render (connecting first, if need be)."""
        await self.wire.connect(page.csrf)
        if self._reader is None:
            self._reader = asyncio.get_running_loop().create_task(self._read())
        view = View(self, page)
        return view, await view._join({"url": page.url})

    async def close(self) -> None:
        """Leave every view, as a page that unloads does, then close the connection."""
        for view in list(self.views.values()):
            if view.joined and view.error is None:
                view.joined = False
                try:
                    await self.call(view.topic, view.join_ref, "phx_leave", {})
                except Exception:  # no answer, or nothing to send on: the connection is gone already
                    break
        logging.getLogger("liveui").removeHandler(self._crashes)
        await self.wire.close()
        if self._reader is not None:
            self._reader.cancel()
            self._reader = None

    async def reconnect(self) -> None:
        """Drop the connection as a failing network does (no leave), connect again and rejoin
        every view, parents first, as the client does after it reconnects."""
        views = [view for view in self.views.values() if view.joined and view.error is None]
        if self._reader is not None:
            self._reader.cancel()
            self._reader = None
        await self.wire.drop()
        if not views:
            return
        await self.wire.connect(views[0].page.csrf)
        self._reader = asyncio.get_running_loop().create_task(self._read())
        for view in views:
            await view._join({"url": view.page.url} if view.root else {})

    # -- frames ---------------------------------------------------------------------------

    async def request(self, view: View, event: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Push to the view's topic and wait for the reply (pushes seen meanwhile are applied)."""
        ref = self.wire.next_ref()
        if event == "phx_join":
            view.join_ref = ref
            view._holding = True  # released by _join once the rendered tree is in place
            return await self.call(view.topic, view.join_ref, event, payload, ref=ref)
        try:
            reply = await self.call(view.topic, view.join_ref, event, payload, ref=ref)
            response = reply.get("response") or {}
            if reply.get("status") == "ok" and "diff" in response:
                view._merge(response["diff"])  # before any push that came after this reply
            return reply
        finally:
            view._release()

    async def call(self, topic: str, join_ref: str | None, event: str, payload: dict[str, Any] | bytes,
                   *, ref: str | None = None) -> dict[str, Any]:
        """Push to any topic (bytes go as a binary frame) and wait for its reply."""
        ref = ref or self.wire.next_ref()
        waiter: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._replies[ref] = (topic, waiter)
        if isinstance(payload, bytes):
            self.wire.send_binary(encode_binary_client_push(Message(join_ref, ref, topic, event, payload)))
        else:
            self.wire.send([join_ref, ref, topic, event, payload])
        try:
            return await asyncio.wait_for(waiter, self.timeout)
        except TimeoutError:
            crash = self._crashes.take()
            if crash:
                raise ViewCrashed(f"{topic} {event}: the view crashed\n{crash}") from None
            raise AssertionError(f"no reply to {event} on {topic} within {self.timeout} s") from None
        finally:
            self._replies.pop(ref, None)

    async def _read(self) -> None:
        while True:
            frame = await self.wire.inbox.get()
            if frame is None:
                return
            join_ref, ref, topic, event, payload = json.loads(frame)
            view = self.views.get(topic)
            if event == "phx_reply" and ref in self._replies:
                if view is not None:  # pushes after this reply wait until the reply is applied
                    view._holding = True
                self._replies[ref][1].set_result(payload)
            elif view is not None:
                if view._holding:
                    view._held.append((event, payload))
                else:
                    self.deliver(view, event, payload)

    def deliver(self, view: View, event: str, payload: dict[str, Any]) -> None:
        """Apply a push from the server to its view, as the client does."""
        try:
            view._push(event, payload)
        except Exception as exc:  # e.g. a diff the client could not merge: a server bug
            view.error = f"{view.topic}: could not apply the server's {event!r}: {exc!r}"
        if view.error:  # a crash answers no pending push: fail them with the traceback
            for waiting_topic, waiter in self._replies.values():
                if waiting_topic == view.topic and not waiter.done():
                    waiter.set_exception(ViewCrashed(view.error))


class View:
    """A connected live view under test."""

    def __init__(self, client: Client, page: Page) -> None:
        self.client = client
        self.page = page
        self.id = page.view_id
        self.topic = f"lv:{page.view_id}"
        self.join_ref: str | None = None
        self.rendered: Rendered | None = None
        self.page_title: str | None = None
        self.events: list[tuple[str, Any]] = []
        self.replies: list[Any] = []
        self.patches: list[str] = []
        self.redirect: Redirected | None = None
        self.error: str | None = None
        self.mounts = 0
        self.root = bool(page.html)  # a page's view (a nested one has no dead render of its own)
        self.joined = False
        self.children: list[View] = []
        self._holding = False  # a reply is being applied: pushes wait in _held, in order
        self._held: list[tuple[str, Any]] = []
        self.submitted: set[str] = set()  # forms submitted once: the client counts all their fields used

    async def rejoin(self) -> str:
        """Join again, as the client does after a crash or a reconnect: the view mounts afresh."""
        self.error = None
        return await self._join({"url": self.page.url})

    async def _join(self, how: dict[str, Any], flash: str | None = None) -> str:
        params = {**self.client.connect_params, "_csrf_token": self.page.csrf, "_mounts": self.mounts,
                  "_mount_attempts": 0}
        payload = {**how, "params": params, "session": self.page.session, "static": self.page.static or None}
        if flash is not None:
            payload["flash"] = flash
        self.client.views[self.topic] = self
        reply = await self.client.request(self, "phx_join", payload)
        response = reply.get("response", {})
        if reply.get("status") != "ok":
            self._raise_navigation(response)
            crash = self.client._crashes.take()
            raise ViewCrashed(f"join of {self.page.url} refused: {response}\n{crash}".rstrip())
        self.mounts += 1
        self.joined = True
        rendered, _, events, title = extract(response["rendered"])
        self.rendered = Rendered(self.id, rendered)
        self._observe(events, title, None)
        if "live_patch" in response:
            self._patched(response["live_patch"]["to"])
        self._release()
        await self.live_children()
        return self.render()

    # -- reading --------------------------------------------------------------------------

    def render(self) -> str:
        """The view's current HTML (inside its container), nested live views' HTML included."""
        if self.error:
            raise ViewCrashed(self.error)
        assert self.rendered is not None
        html = self.rendered.page_html()
        for child in self.children:
            html = _splice(html, child.id, child.render())
        return html

    def document(self) -> Document:
        return parse(self.render())

    def file_input(self, form_selector: str, name: str, files: list[dict[str, Any]]) -> Upload:
        """Files picked in the live_file_input `name` of a form: dicts with "name", "content"
        (bytes) and optionally "type", "size" (the declared size), "last_modified". Send them
        with `await upload.render_upload("a.png", percent)`."""
        return Upload(self, form_selector, name, files)

    def element(self, selector: str, text_filter: Any = None) -> Element:
        """A handle on the one element matching `selector` (and containing `text_filter`)."""
        return Element(self, selector, text_filter)

    def form(self, selector: str, data: dict[str, Any] | None = None) -> Form:
        """A handle on a form; `data` is checked against its fields when an event is sent."""
        return Form(self, selector, data or {})

    def has_element(self, selector: str, text_filter: Any = None) -> bool:
        return bool(self.document().select(selector, text_filter))

    async def live_children(self) -> list[View]:
        """The live views nested in this one (`live_render`): joined as the client joins them,
        once, after each render that shows their container."""
        children = []
        for node in parse(self.rendered.page_html() if self.rendered else "").select("[data-phx-parent-id]"):
            if node.get("data-phx-parent-id") != self.id:
                continue
            child = self.client.views.get(f"lv:{node.get('id')}")
            if child is None or child.error:
                page = Page(self.page.url, 200, "", None, node.get("id"), node.get("data-phx-session"), None,
                            self.page.csrf)
                child = View(self.client, page)
                await child._join({})
            children.append(child)
        self.children = children
        return children

    async def find_live_child(self, child_id: str) -> View:
        """The nested live view with this container id."""
        for child in await self.live_children():
            if child.id == child_id:
                return child
        raise AssertionError(f"no live child {child_id!r} in {self.topic}")

    # -- events ---------------------------------------------------------------------------

    async def push_event(self, payload: dict[str, Any], cid: int | None = None) -> str:
        """Send an `event` push as the client would and return the HTML after its reply."""
        if cid is not None:
            payload = {**payload, "cid": cid}
        reply = await self.client.request(self, "event", payload)
        self._apply_reply(reply)
        await self.live_children()
        await self._free_components()
        return self.render()

    async def render_hook(self, event: str, value: Any = None) -> str:
        """What a hook's `pushEvent(event, value)` does."""
        return await self.push_event({"type": "hook", "event": event, "value": value or {}})

    async def render_async(self, timeout: float | None = None) -> str:
        """The HTML once the view has done everything asked of it so far (messages sent to it,
        timers already fired) and its assign_async/start_async work has ended (bounded)."""
        await asyncio.sleep(0)  # let messages sent from this thread reach the view's mailbox first
        previous, self.client.timeout = self.client.timeout, timeout or self.client.timeout
        try:
            self._apply_reply(await self.client.request(self, "event", {"type": "hook", "event": "lv:await-async",
                                                                        "value": {}}))
        finally:
            self.client.timeout = previous
        await self._free_components()
        return self.render()

    async def render_patch(self, path: str) -> str:
        """Follow a live patch link to `path` (handle_params runs with its params)."""
        reply = await self.client.request(self, "live_patch", {"url": urljoin(self.page.url, path)})
        response = reply.get("response", {})
        if response.get("link_redirect"):
            raise Redirected("live_redirect", path, client=self.client, view=self)
        self._apply_reply(reply)
        self._patched(path)
        await self._free_components()
        return self.render()

    # -- assertions -----------------------------------------------------------------------

    def assert_patch(self, path: str | None = None) -> str:
        """The path of the last patch (push_patch or patch link); it must equal `path` if given."""
        if not self.patches:
            raise AssertionError("expected a patch, the view was not patched")
        last = self.patches.pop()
        if path is not None and last != path:
            raise AssertionError(f"expected a patch to {path!r}, got {last!r}")
        return last

    def assert_redirect(self, to: str | None = None) -> tuple[str, str | None]:
        """The view's last navigation away (redirect or live redirect): its target and flash token."""
        if self.redirect is None:
            raise AssertionError("expected a redirect, the view did not navigate away")
        if to is not None and self.redirect.to != to:
            raise AssertionError(f"expected a redirect to {to!r}, got {self.redirect.to!r}")
        return self.redirect.to, self.redirect.flash

    def assert_push_event(self, name: str, payload: Any = None) -> Any:
        """Check (and consume) an event pushed to the client with `push_event`."""
        for index, (event, value) in enumerate(self.events):
            if event == name and (payload is None or value == payload):
                del self.events[index]
                return value
        raise AssertionError(f"expected push_event {name!r} {payload!r}; pushed: {self.events}")

    def assert_reply(self, reply: Any) -> None:
        """Check (and consume) a reply returned by handle_event."""
        if reply not in self.replies:
            raise AssertionError(f"expected the reply {reply!r}; replies: {self.replies}")
        self.replies.remove(reply)

    def open_browser(self) -> str:
        """Write the current HTML to a file, print and return its path (for a look by eye)."""
        handle, path = tempfile.mkstemp(prefix="liveui-", suffix=".html")
        with os.fdopen(handle, "w", encoding="utf-8") as f:
            f.write(f"<!DOCTYPE html><meta charset=utf-8><title>{self.page_title or ''}</title>{self.render()}")
        print(f"liveui: view written to {path}")
        return path

    # -- frames ---------------------------------------------------------------------------

    async def _free_components(self) -> None:
        """What the client does when components left its page: tell the server, then forget
        those it confirms it freed (docs/protocol.md §5.5)."""
        gone = self.rendered.orphan_cids() if self.rendered is not None else []
        if gone:
            await self.client.request(self, "cids_will_destroy", {"cids": gone})
            reply = await self.client.request(self, "cids_destroyed", {"cids": gone})
            self.rendered.prune(reply.get("response", {}).get("cids", []))  # type: ignore[union-attr]

    def _apply_reply(self, reply: dict[str, Any]) -> None:
        """Check a reply (its diff was merged when it arrived, see Client.request)."""
        response = reply.get("response") or {}
        if reply.get("status") != "ok":
            raise AssertionError(f"the server refused the push: {response}")
        self._raise_navigation(response)

    def _release(self) -> None:
        """The reply being applied is in: apply the pushes that came after it."""
        self._holding = False
        held, self._held = self._held, []
        for event, payload in held:
            self.client.deliver(self, event, payload)

    def _raise_navigation(self, response: dict[str, Any]) -> None:
        for kind in ("redirect", "live_redirect"):
            if kind in response:
                target = response[kind]
                self.redirect = Redirected(kind, target["to"], target.get("flash"), client=self.client, view=self)
                raise self.redirect

    def _merge(self, diff: dict[str, Any]) -> None:
        body, reply, events, title = extract(diff)
        assert self.rendered is not None
        if body:
            self.rendered.merge(body)
        self._observe(events, title, reply)

    def _observe(self, events: list[Any], title: str | None, reply: Any) -> None:
        self.events.extend((name, payload) for name, payload in events)
        if title is not None:
            self.page_title = title
        if reply is not None:
            self.replies.append(reply)

    def _patched(self, to: str) -> None:
        self.patches.append(to)
        self.page.url = urljoin(self.page.url, to)

    def _push(self, event: str, payload: dict[str, Any]) -> None:
        if event == "diff":
            self._merge(payload)
        elif event == "live_patch":
            self._patched(payload["to"])
        elif event in ("redirect", "live_redirect"):
            self.redirect = Redirected(event, payload["to"], payload.get("flash"), client=self.client, view=self)
        elif event == "phx_error":
            crash = self.client._crashes.take()
            self.error = f"{self.topic} crashed on the server\n{crash}".rstrip()


class Element:
    """An element of a view, found again (exactly once) each time it is used."""

    def __init__(self, view: View, selector: str, text_filter: Any) -> None:
        self.view, self.selector, self.text_filter = view, selector, text_filter

    def node(self) -> tuple[Node, Document]:
        document = self.view.document()
        return document.one(self.selector, self.text_filter), document

    def render(self) -> str:
        return self.node()[0].outer_html()

    async def _fire(self, name: str, value: Callable[[Node, Push], dict[str, Any]], kind: str) -> str:
        node, document = self.node()
        pushes = binding(node, name)
        if not pushes:
            raise AssertionError(f"{self.selector!r} has no phx-{name} binding: {node.outer_html()[:200]}")
        html = ""
        for push in pushes:
            payload = {"type": kind, "event": push.event, "value": value(node, push)}
            html = await self.view.push_event(payload, target_cid(node, document, push=push))
        return html

    async def render_click(self, value: dict[str, Any] | None = None) -> str:
        """Click it: its phx-click (event name or JS push commands) with phx-value-* and `value`."""
        return await self._fire("click", lambda node, push: click_value(node, value, push=push), "click")

    async def render_keydown(self, value: dict[str, Any] | None = None) -> str:
        return await self._key("keydown", value)

    async def render_keyup(self, value: dict[str, Any] | None = None) -> str:
        return await self._key("keyup", value)

    async def _key(self, name: str, value: dict[str, Any] | None) -> str:
        extra = dict(value or {})
        key = extra.pop("key", "")
        return await self._fire(name, lambda node, push: key_value(node, key, extra, push=push), name)

    async def render_blur(self, value: dict[str, Any] | None = None) -> str:
        return await self._fire("blur", lambda node, push: key_value(node, None, value, push=push), "blur")

    async def render_focus(self, value: dict[str, Any] | None = None) -> str:
        return await self._fire("focus", lambda node, push: key_value(node, None, value, push=push), "focus")

    async def render_hook(self, event: str, value: Any = None) -> str:
        """A hook on this element pushing `event` (targets the element's component, if any)."""
        node, document = self.node()
        return await self.view.push_event({"type": "hook", "event": event, "value": value or {}},
                                          target_cid(node, document))


class Form(Element):
    """A form of a view with the data a test fills in."""

    def __init__(self, view: View, selector: str, data: dict[str, Any]) -> None:
        super().__init__(view, selector, None)
        self.data = data

    async def render_change(self, data: dict[str, Any] | None = None) -> str:
        """Change fields (`data` over the form's data): its phx-change with `_target` the first field."""
        overrides = {**self.data, **(data or {})}
        return await self._send("change", overrides, data or self.data)

    async def render_submit(self, data: dict[str, Any] | None = None, submitter: str | None = None) -> str:
        """Submit (with the button matching `submitter`, if given): its phx-submit."""
        return await self._send("submit", {**self.data, **(data or {})}, None, submitter)

    async def _send(self, name: str, overrides: dict[str, Any], changed: dict[str, Any] | None,
                    submitter: str | None = None) -> str:
        node, document = self.node()
        pushes = binding(node, name)
        if not pushes:
            raise AssertionError(f"form {self.selector!r} has no phx-{name}")
        button = document.one(submitter) if submitter else None
        target = _first_field(changed) if changed else None
        touched = _field_names(overrides)
        key = node.get("id") or self.selector
        if key in self.view.submitted:  # the 1.2 client never marks a submitted form's fields unused again
            touched |= {control.get("name") for control in form_controls(node)}
        html = ""
        for push in pushes:
            encoded, meta = form_value(node, overrides, target=target, submitter=button,
                                       touched=touched, kind=name, push=push)
            payload: dict[str, Any] = {"type": "form", "event": push.event, "value": encoded, "meta": meta}
            if name == "change":
                payload["uploads"] = {}
            html = await self.view.push_event(payload, target_cid(node, document, push=push))
        if name == "submit":
            self.view.submitted.add(key)
        return html


def _splice(html: str, container_id: str, inner: str) -> str:
    """Put a nested view's HTML into its (empty) container, as the client's DOM holds it."""
    start = html.find(f'id="{container_id}"')
    end = html.find("></", start)
    return html if start < 0 or end < 0 else html[:end + 1] + inner + html[end + 1:]


def _field_names(data: dict[str, Any], prefix: str = "") -> set[str]:
    names: set[str] = set()
    for key, value in data.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        names |= _field_names(value, name) if isinstance(value, dict) else {name + ("[]" if isinstance(value, list) else "")}
    return names


def _first_field(data: dict[str, Any], prefix: str = "") -> str | None:
    for key, value in data.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        return _first_field(value, name) if isinstance(value, dict) and value else name
    return None


async def live(app: Any, path: str = "/", **options: Any) -> tuple[View, str]:
    """Open `path` of `app` in a fresh client; `await view.client.close()` when done (the pytest
    fixture does it for you). Options: transport ("memory" or "websocket"), session,
    connect_params, timeout."""
    client = Client(app, **options)
    try:
        return await client.live(path)
    except BaseException:
        await client.close()
        raise


async def live_isolated(app: Any, view_class: type, *, session: dict[str, Any] | None = None,
                        **options: Any) -> tuple[View, str]:
    """Mount a view class that `app` does not route, with `app`'s secret, layout and static files."""
    isolated = isolate(app, view_class)
    return await live(isolated, ISOLATED_PATH, session=session, **options)


ISOLATED_PATH = "/__isolated__"


def isolate(app: Any, view_class: type) -> Any:
    """An app serving only `view_class` (at ISOLATED_PATH), sharing `app`'s signer and assets."""
    from ..app import App

    isolated = App(title=app.title, head=str(app.head), allowed_origins=app.allowed_origins,
                   token_max_age=app.token_max_age)
    isolated.signer = app.signer
    isolated.pubsub = app.pubsub
    isolated.static_dirs = list(app.static_dirs)
    isolated.live(ISOLATED_PATH, view_class)
    return isolated


async def render_component(component: type | str, app: Any = None, **assigns: Any) -> str:
    """The HTML of a live component mounted and updated with `assigns` (`id` included), as the
    dead render shows it: `render_component/3` of LiveViewTest."""
    from .. import scope
    from ..components import fill_static, live_component

    with scope.rendering(app, "phx-render-component", "", False) as rendering:
        return await fill_static(live_component(component, **assigns).__html__(), rendering)


async def follow_redirect(source: View | Redirected, redirect: Redirected | None = None) -> tuple[View, str]:
    """Follow a redirect (`Redirected`, or a view's last one): a live redirect joins the new view
    on the same connection; a full redirect does a new dead render (the flash rides along as the
    browser's cookie would carry it)."""
    if isinstance(source, Redirected):
        redirect, client, view = source, source.client, source.view
    else:
        redirect, client, view = redirect or source.redirect, source.client, source
    if redirect is None or client is None:
        raise AssertionError("there is no redirect to follow")
    if redirect.kind == "live_redirect" and view is not None:
        target = View(client, Page(urljoin(view.page.url, redirect.to), 200, "", None, view.id,
                                   view.page.session, view.page.static, view.page.csrf))
        client.views.pop(view.topic, None)
        return target, await target._join({"redirect": target.page.url}, redirect.flash)
    flash = client.wire.carry_flash(redirect.flash) if redirect.flash else None
    page = await client.wire.render(redirect.to, flash)
    if page.location is not None:
        raise Redirected("redirect", page.location, client=client)
    return await client.open(page)
