"""Routes from URL paths (with `{param}` segments) to live views, grouped in live sessions."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from .params import decode_query
from .view import LiveView


@dataclass(slots=True)
class LiveSession:
    """Views that can navigate between each other live; shares on_mount hooks and session data."""

    name: str
    on_mount: list[Callable[..., Any]] = field(default_factory=list)
    session: dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]] | None = None


@dataclass(slots=True)
class Route:
    path: str
    view: type[LiveView]
    live_session: LiveSession
    action: str | None
    regex: re.Pattern[str]


@dataclass(slots=True)
class Match:
    """A URL matched to a route: the params handed to mount/handle_params."""

    route: Route
    params: dict[str, Any]
    uri: str


def view_key(view: type) -> str:
    """The stable name of a view class, carried in session tokens."""
    return f"{view.__module__}.{view.__qualname__}"


def _compile(path: str) -> re.Pattern[str]:
    if not path.startswith("/"):
        raise ValueError(f"route paths start with '/', got {path!r}")
    pattern = ""
    for part in re.split(r"(\{[A-Za-z_][A-Za-z0-9_]*\})", path):
        if part.startswith("{") and part.endswith("}"):
            pattern += f"(?P<{part[1:-1]}>[^/]+)"
        else:
            if "{" in part or "}" in part:
                raise ValueError(f"bad path parameter in {path!r}: use {{name}} with a Python identifier")
            pattern += re.escape(part)
    return re.compile(f"^{pattern}/?$" if path != "/" else "^/$")


class Router:
    """The routing table of an app."""

    def __init__(self) -> None:
        self.routes: list[Route] = []
        self.views: dict[str, type[LiveView]] = {}
        self.sessions: dict[str, LiveSession] = {"default": LiveSession("default")}
        self._current = self.sessions["default"]

    def live(self, path: str, view: type[LiveView], *, action: str | None = None) -> None:
        """Serve `view` at `path` (e.g. "/users/{id}"), in the current live session."""
        if not (isinstance(view, type) and issubclass(view, LiveView)):
            raise TypeError(f"app.live({path!r}, ...) expects a LiveView subclass, got {view!r}")
        self.routes.append(Route(path, view, self._current, action, _compile(path)))
        self.views[view_key(view)] = view

    @contextmanager
    def live_session(self, name: str, *, on_mount: list[Callable[..., Any]] | None = None,
                     session: Any = None) -> Iterator[LiveSession]:
        """Group routes: live navigation stays inside one live session, on_mount hooks run for each."""
        if name in self.sessions:
            raise ValueError(f"live session {name!r} is defined twice; pick another name")
        live_session = self.sessions[name] = LiveSession(name, list(on_mount or []), session)
        previous, self._current = self._current, live_session
        try:
            yield live_session
        finally:
            self._current = previous

    def match(self, url: str) -> Match | None:
        """Match a URL or path (with query) to a route; path params override query params."""
        parts = urlsplit(url)
        path = parts.path or "/"
        for route in self.routes:
            found = route.regex.match(path)
            if found:
                params = decode_query(parts.query)
                params.update({k: unquote(v) for k, v in found.groupdict().items()})
                uri = url if parts.scheme else path + (f"?{parts.query}" if parts.query else "")
                return Match(route, params, uri)
        return None
