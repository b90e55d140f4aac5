"""Running a view's callbacks: sync or async, on_mount hooks, the mount sequence."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

from .router import Match
from .socket import Socket
from .view import LiveView


@dataclass(frozen=True, slots=True)
class Cont:
    """A hook result: continue with the next hook and the view's own callback."""

    reply: Any = None


@dataclass(frozen=True, slots=True)
class Halt:
    """A hook result: stop here (typically after a redirect on the socket)."""

    reply: Any = None


async def call(fn: Any, *args: Any) -> Any:
    """Call a callback that may be a plain function or a coroutine function."""
    result = fn(*args)
    if inspect.isawaitable(result):
        result = await result
    return result


async def dispatch(view: Any, stage: str, socket: Socket, *args: Any) -> Any:
    """The hooks attached to `stage` (`socket.attach_hook`), then the view's own callback of
    that name unless a hook returned `Halt`: what the callback (or the halting hook) replies."""
    hooks = socket.hooks.get(stage)
    if hooks:
        for _, hook in list(hooks):
            result = await call(hook, *args, socket)
            if isinstance(result, Halt):
                return result.reply
    result = getattr(view, stage)(*args, socket)
    if inspect.isawaitable(result):
        result = await result
    return result.reply if isinstance(result, (Cont, Halt)) else result


async def on_mount(hooks: Any, params: dict[str, Any], session: dict[str, Any], socket: Socket) -> bool:
    """Run on_mount hooks in order; False when one halted (it may have asked for a redirect)."""
    for hook in hooks:
        result = await call(hook, params, session, socket)
        if isinstance(result, Halt) or result is False:
            return False
    return True


def session_for(match: Match, session: dict[str, Any]) -> dict[str, Any]:
    """The session a view mounts with: the browser session plus its live session's extras."""
    extra = match.route.live_session.session
    if callable(extra):
        extra = extra(session)
    return {**session, **(extra or {})}


async def mount(view: LiveView, match: Match, session: dict[str, Any], socket: Socket) -> bool:
    """on_mount hooks (the live session's, then the view's), mount, handle_params; False when a
    hook halted or a redirect was requested.

    A push_patch stays pending on the socket: the dead render answers it with a redirect, a join
    follows it (ViewChannel._follow_patches).
    """
    params = match.params
    if not await on_mount([*match.route.live_session.on_mount, *type(view).on_mount], params, session, socket):
        return False
    if match.route.action is not None:
        socket.assign(live_action=match.route.action)
    await call(view.mount, params, session, socket)
    if socket.navigation is not None and socket.navigation.kind != "patch":
        return False
    await handle_params(view, match, socket)
    return socket.navigation is None or socket.navigation.kind == "patch"


async def handle_params(view: LiveView, match: Match, socket: Socket) -> None:
    """handle_params for the URL of `match` (after mount, a push_patch or a live patch), with
    `live_action` set to its route's action first, as Phoenix does."""
    if match.route.action is not None or "live_action" in socket.assigns:
        socket.assign(live_action=match.route.action)
    await dispatch(view, "handle_params", socket, match.params, match.uri)
