"""Live components: parts of a view's page with their own state, events and diff.

`{{ live_component(LineItem, id=item.id, item=item) }}` places a component. Identity is the
class and the `id`: the same pair keeps its state across the parent's renders. In a live render
the slot holds the component's cid (per view, from 1); once the parent has rendered, every
component placed or sent an update runs `update` (after `mount` when new) and renders with its
own diff engine into the diff's `"c"` map, sharing statics with a component of the same template
the client already holds. Events with a `cid` go to the component. The client says when
components left its DOM (`cids_will_destroy`, then `cids_destroyed`) and only then is their
state freed (docs/protocol.md §4.6, §5.5).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from markupsafe import Markup

from . import lifecycle, uploads
from . import scope as render_scope
from .diff import Differ
from .socket import Socket
from .template import environment
from .template.stream import ComponentCall
from .view import Renderable, find_class

log = logging.getLogger("liveui")


class CID(int):
    """A component's cid, its `myself` assign: `phx-target="{{ myself }}"` targets it."""

    __slots__ = ()
    __str__ = int.__repr__

    def __repr__(self) -> str:
        return f"CID({int(self)})"


class LiveComponent(Renderable):
    """A stateful live component (see the module docstring and `Renderable` for its template).

    Its assigns hold `id` and `myself` from the start, then what `update` assigned. A class may also define
    `update_many(cls, updates)`, a classmethod given every `(assigns, socket)` pair of one
    render at once (to load data in one query); it then replaces `update`.
    """

    def mount(self, socket: Socket) -> Any:
        """Set up state once, when the component first appears (before its first update)."""

    def update(self, assigns: dict[str, Any], socket: Socket) -> Any:
        """Take the assigns the parent placed it with (or a `send_update`); assigns them all."""
        socket.assign(assigns)

    def handle_event(self, event: str, params: Any, socket: Socket) -> Any:
        """Handle an event targeted at this component; return a dict to reply to the client."""
        log.warning("%s has no handle_event for event %r (params %r)", type(self).__name__, event, params)

    def handle_async(self, name: str, result: Any, socket: Socket) -> Any:
        """Handle the result of work started with `start_async` on this component's socket."""
        log.warning("%s has no handle_async for %r", type(self).__name__, name)


def live_component(component: type[LiveComponent] | str, id: Any = None, **assigns: Any) -> ComponentCall:
    """Place a stateful component in a template slot: `{{ live_component(Cart, id="cart") }}`."""
    cls = resolve(component)
    if id is None:
        raise TypeError(f"live_component({cls.__name__}) needs an id: the same id keeps the same component")
    return ComponentCall(cls, id, assigns)


def resolve(component: type[LiveComponent] | str) -> type[LiveComponent]:
    """A component class from a class or "module:Class"."""
    return find_class(component, LiveComponent, "live_component")


environment().globals["live_component"] = live_component


# -- a component's single root --------------------------------------------------------------

_VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
_SLOT_MARK = "\x01"
_single_roots: set[tuple[str, ...]] = set()


class _Roots(HTMLParser):
    """Counts the elements at the top level of some HTML and notes text beside them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.depth = 0
        self.roots = 0
        self.loose = False

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.roots += self.depth == 0
        self.depth += tag not in _VOID

    def handle_startendtag(self, tag: str, attrs: Any) -> None:
        self.roots += self.depth == 0

    def handle_endtag(self, tag: str) -> None:
        self.depth -= tag not in _VOID

    def handle_data(self, data: str) -> None:
        self.loose = self.loose or (self.depth == 0 and bool(data.strip()))


def _check_root(component: type, html: str) -> None:
    parser = _Roots()
    parser.feed(html)
    parser.close()
    if parser.roots != 1 or parser.loose:
        found = f"{parser.roots} elements" + (" and text or a dynamic slot" if parser.loose else "")
        raise ValueError(
            f"the template of live component {component.__name__} must render exactly one static HTML "
            f"tag at its root (the client marks it with the component's cid); found {found} at the top level"
        )


def _check_statics(component: type, statics: tuple[str, ...]) -> None:
    """Slots count as text: a root chosen by `if` or written by `{{ }}` is not a static root."""
    if statics not in _single_roots:
        _check_root(component, _SLOT_MARK.join(statics))
        _single_roots.add(statics)


# -- the components of a connected view -----------------------------------------------------

@dataclass(slots=True)
class _Mounted:
    """One live component of a view: its instance, socket and what its client holds."""

    cid: int
    key: tuple[type[LiveComponent], Any]
    component: LiveComponent
    socket: Socket
    differ: Differ
    mounted: bool = False
    rendered: bool = False


class Components:
    """The live components of one connected view, by cid."""

    def __init__(self, view_socket: Socket) -> None:
        self._view = view_socket
        self._by_cid: dict[int, _Mounted] = {}
        self._cids: dict[tuple[type, Any], int] = {}
        self._next = 1
        self._updates: list[tuple[int, dict[str, Any]]] = []
        self._dirty: dict[int, None] = {}
        self._marked: set[int] = set()
        self._templates: dict[Any, int] = {}  # a template -> a component the client holds it for
        self._resending = False  # the client lost every component (a reattach): render, do not update

    def __len__(self) -> int:
        return len(self._by_cid)

    def sockets(self) -> list[Socket]:
        return [mounted.socket for mounted in self._by_cid.values()]

    def resend(self) -> None:
        """The client gets the view's whole tree again (it reattached to a new connection, or its
        templates were edited): the next render sends each placed component whole, sharing no
        statics with what the client held before, without running its `update` again."""
        self._resending = True
        self._templates = {}
        for mounted in self._by_cid.values():
            mounted.differ.reset()
            mounted.rendered = False
            for stream in mounted.socket.assigns.get("streams", {}).values():
                stream.replay()

    def waiting(self) -> bool:
        """Whether components wait for a render (sent updates, handled events) besides placements."""
        return bool(self._updates or self._dirty)

    def get(self, cid: Any) -> _Mounted | None:
        return self._by_cid.get(cid) if type(cid) is int else None

    def cid_for(self, call: ComponentCall) -> int:
        """The cid of the component a render placed (a new one for a new class and id)."""
        key = (call.component, call.id)
        cid = self._cids.get(key)
        if cid is None:
            cid = self._next
            self._next += 1
            self._cids[key] = cid
            socket = Socket(view_id=self._view.id, connected=self._view.connected, endpoint=self._view.endpoint,
                            ref=self._view.ref)
            socket.assign(id=call.id, myself=CID(cid))
            socket.stream_prefix = f"{cid}-"
            socket.keep_streams = self._view.keep_streams
            socket.work, socket.cid = self._view.work, cid
            socket.upload_channels = self._view.upload_channels  # one registry per view: they end with it
            self._by_cid[cid] = _Mounted(cid, key, call.component(), socket, Differ(self.cid_for))
        self._marked.discard(cid)  # a render that uses a cid the client will destroy keeps it
        return cid

    def send_update(self, target: Any, assigns: dict[str, Any]) -> None:
        """Queue `update` with `assigns` for a component (a CID/int, or a class with `id=`)."""
        if isinstance(target, int):
            cid: int | None = int(target) if int(target) in self._by_cid else None
        else:
            cid = self._cids.get((resolve(target), assigns.get("id")))
        if cid is None:
            log.warning("send_update to %r (assigns %r): no such component on this view (removed?)", target, assigns)
            return
        self._updates.append((cid, assigns))

    def touch(self, mounted: _Mounted) -> None:
        """Re-render a component with the next diff (its assigns were changed from outside)."""
        self._dirty[mounted.cid] = None

    async def run(self, mounted: _Mounted, stage: str, *args: Any) -> Any:
        """Run the component's hooks and callback of `stage` (handle_event, handle_async); it
        re-renders with the next diff."""
        result = await lifecycle.dispatch(mounted.component, stage, mounted.socket, *args)
        self._bubble(mounted.socket)
        self._dirty[mounted.cid] = None
        return result

    async def render(self, placed: list[tuple[int, ComponentCall]]) -> dict[str, Any]:
        """Update and render what the parent placed, what was sent updates and what handled an
        event, then what they placed in turn: the diff's `"c"` map."""
        updates = self._placements(placed) + self._updates
        self._updates = []
        seen = {cid for cid, _ in placed}
        if len(seen) != len(placed):
            _duplicates(placed)
        out: dict[str, Any] = {}
        while updates or self._dirty:
            await self._update(updates)
            order = dict.fromkeys([cid for cid, _ in updates])
            order.update(self._dirty)
            self._dirty = {}
            updates = []
            for cid in order:
                mounted = self._by_cid.get(cid)
                if mounted is None or (mounted.rendered and not mounted.socket.changed):
                    continue
                diff = self._render_one(mounted, out)
                if diff:
                    out[str(cid)] = diff
                for _, hook in list(mounted.socket.hooks.get("after_render", ())):
                    await lifecycle.call(hook, mounted.socket)
                for cid_placed, _ in mounted.differ.placed:
                    if cid_placed in seen:
                        _duplicates([*placed, *mounted.differ.placed])
                    seen.add(cid_placed)
                updates += self._placements(mounted.differ.placed)
        self._resending = False
        return out

    def _placements(self, placed: list[tuple[int, ComponentCall]]) -> list[tuple[int, dict[str, Any]]]:
        """The updates a render's placements ask for; when resending, a component already
        mounted is only rendered again (its state is what the client lost, not what changed)."""
        updates = []
        for cid, call in placed:
            mounted = self._by_cid.get(cid)
            if self._resending and mounted is not None and mounted.mounted:
                self._dirty[cid] = None
            else:
                updates.append((cid, {**call.assigns, "id": call.id}))
        return updates

    async def _update(self, updates: list[tuple[int, dict[str, Any]]]) -> None:
        """mount new components, then `update` (or the class's `update_many`) in placement order."""
        batches: dict[type, list[tuple[dict[str, Any], _Mounted]]] = {}
        for cid, assigns in updates:
            mounted = self._by_cid.get(cid)
            if mounted is None:  # freed after a send_update was queued
                continue
            if not mounted.mounted:
                mounted.mounted = True
                await lifecycle.call(mounted.component.mount, mounted.socket)
                self._bubble(mounted.socket)
            batches.setdefault(type(mounted.component), []).append((assigns, mounted))
        for cls, batch in batches.items():
            many = getattr(cls, "update_many", None)
            if many is not None:
                await lifecycle.call(many, [(assigns, mounted.socket) for assigns, mounted in batch])
            for assigns, mounted in batch:
                if many is None:
                    await lifecycle.call(mounted.component.update, assigns, mounted.socket)
                self._bubble(mounted.socket)

    def _render_one(self, mounted: _Mounted, out: dict[str, Any]) -> dict[str, Any]:
        socket = mounted.socket
        template = mounted.component.template_for(socket.assigns, socket.render_fn)
        changed = socket.take_changes()
        shared = None
        if not mounted.rendered:
            shared = self._sharing(template, mounted, out)
            if shared is not None:
                mounted.differ.adopt(self._by_cid[abs(shared)].differ)
                changed = None
        mounted.rendered = True
        diff = mounted.differ.render(template, socket.assigns, changed)
        socket.rendered()
        prints = mounted.differ.prints
        self._templates[template] = mounted.cid
        if "s" in diff or shared is not None:
            _check_statics(type(mounted.component), prints.statics)  # type: ignore[union-attr]
            if "s" not in diff:
                diff["s"] = shared
            diff["r"] = 1
        return diff

    def _sharing(self, template: Any, mounted: _Mounted, out: dict[str, Any]) -> int | None:
        """A component whose statics the client holds for `template`: +cid if it rendered in
        this diff (the client takes its new tree), -cid if not (its tree before this diff)."""
        cid = self._templates.get(template)
        if cid is None or cid in self._marked:
            return None
        return cid if str(cid) in out else -cid

    def _bubble(self, socket: Socket) -> None:
        """What a component asks of the page goes through its view: events, navigation, flash."""
        view = self._view
        view.events.extend(socket.take_events())
        navigation = socket.take_navigation()
        if navigation is not None:
            view.navigation = navigation
        flash = socket.assigns.get("flash")
        if flash:
            for kind, message in flash.items():
                view.put_flash(kind, message)
            socket.assigns["flash"] = {}

    def compact(self) -> None:
        """The view hibernates: so do its components' diff engines."""
        for mounted in self._by_cid.values():
            mounted.differ.compact()

    def will_destroy(self, cids: Iterable[Any]) -> None:
        """The client no longer shows these components: free them unless a render uses them again."""
        self._marked.update(cid for cid in cids if type(cid) is int and cid in self._by_cid)

    def destroyed(self, cids: Iterable[Any]) -> list[int]:
        """Free the components still marked; the client forgets exactly the cids returned."""
        freed = []
        for cid in cids:
            if type(cid) is int and cid in self._marked:
                self._marked.discard(cid)
                mounted = self._by_cid.pop(cid)
                uploads.drop_all(mounted.socket)
                del self._cids[mounted.key]
                self._templates = {t: c for t, c in self._templates.items() if c != cid}
                freed.append(cid)
        return freed


def _duplicates(placed: list[tuple[int, ComponentCall]]) -> None:
    seen: set[int] = set()
    for cid, call in placed:
        if cid in seen:
            raise ValueError(
                f"live component {call.component.__name__} with id {call.id!r} is placed twice on the page: "
                "each live_component needs an id unique among the components of its class"
            )
        seen.add(cid)


# -- the dead render -------------------------------------------------------------------------

def render_static(call: ComponentCall) -> str:
    """A component's place in a dead render: a marker `fill_static` replaces with its HTML.

    In a live render this runs only where the call's output is not a whole slot.
    """
    scope = render_scope.current("live_component")
    if scope.connected:
        raise TypeError(
            f"{call!r} must be a whole {{{{ }}}} slot of a live view's or component's template, "
            "not inside an expression, a filter or an imported macro"
        )
    scope.placed.append(call)
    return Markup(f"<lv-component-{scope.nonce}-{len(scope.placed) - 1}/>")


async def fill_static(html: str, scope: render_scope.Scope) -> str:
    """The dead render of the components placed in `html` (and in theirs), mounted disconnected."""
    if not scope.placed:
        return html
    pattern = re.compile(rf"<lv-component-{scope.nonce}-(\d+)/>")
    keys: set[tuple[type, Any]] = set()

    async def fill(text: str) -> str:
        text = str(text)  # not Markup: joining onto Markup would escape the HTML put in
        found = list(pattern.finditer(text))
        calls = [(CID(int(match.group(1)) + 1), scope.placed[int(match.group(1))]) for match in found]
        for _, call in calls:
            if (call.component, call.id) in keys:
                _duplicates([(0, call), (0, call)])
            keys.add((call.component, call.id))
        parts, last = [], 0
        for match, inner in zip(found, await _render_static(calls, scope)):
            parts += [text[last:match.start()], await fill(inner)]
            last = match.end()
        return "".join(parts) + text[last:]

    return await fill(html)


async def _render_static(calls: list[tuple[CID, ComponentCall]], scope: render_scope.Scope) -> list[str]:
    """mount, update (one `update_many` per class) and render components placed side by side."""
    batches: dict[type, list[tuple[dict[str, Any], Socket, LiveComponent]]] = {}
    for cid, call in calls:
        component = call.component()
        socket = Socket(view_id=scope.view_id, connected=False, endpoint=scope.app)
        socket.assign(id=call.id, myself=cid)
        await lifecycle.call(component.mount, socket)
        batches.setdefault(call.component, []).append(({**call.assigns, "id": call.id}, socket, component))
    html: dict[int, str] = {}
    for cls, batch in batches.items():
        many = getattr(cls, "update_many", None)
        if many is not None:
            await lifecycle.call(many, [(assigns, socket) for assigns, socket, _ in batch])
        for assigns, socket, component in batch:
            if many is None:
                await lifecycle.call(component.update, assigns, socket)
            template = component.template_for(socket.assigns, socket.render_fn)
            html[socket.assigns["myself"]] = rendered = template.render(socket.assigns)
            _check_root(cls, rendered)
    return [html[cid] for cid, _ in calls]
