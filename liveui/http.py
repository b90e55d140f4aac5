"""Plain HTTP routes beside the live ones (`app.route`): a login form that writes the session, a
JSON endpoint, a health check. Handlers read and write the same signed session cookie that live
views receive in `mount` as `session`."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import Any

import tornado.web

from . import debug
from .origin import host_allowed
from .session import ensure_session, read_session, write_session
from .tokens import check_csrf, csrf_token

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_INTERNAL_ERROR = ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{status}</title></head>"
                   "<body><h1>{status}</h1></body></html>")


class HostCheck(tornado.web.RequestHandler):
    """Refuses (400) a request naming a host the app does not serve (`App(hosts=...)`)."""

    app: Any

    def prepare(self) -> Any:
        if not host_allowed(self.app.hosts, self.request):
            raise tornado.web.HTTPError(400, "host %r is not served (App(hosts=...))", self.request.host[:100])
        return None


class RequestHandler(HostCheck):
    """A Tornado handler with the app's session: `self.session`, `put_session`, `delete_session`,
    `clear_session`, and `csrf_token` for forms. Requests other than GET/HEAD/OPTIONS must carry
    the token (form field `_csrf_token` or header `X-CSRF-Token`); set `csrf_protect = False`
    on a handler that authenticates otherwise (a JSON API with its own tokens)."""

    csrf_protect = True

    def initialize(self, app: Any) -> None:
        self.app = app
        self._session: dict[str, Any] | None = None

    def prepare(self) -> Any:
        super().prepare()
        if self.csrf_protect and self.request.method not in _SAFE_METHODS:
            token = self.get_argument("_csrf_token", None) or self.request.headers.get("X-CSRF-Token")
            session = read_session(self, self.app.signer)
            if session is None or not check_csrf(self.app.signer, token, session["_id"]):
                raise tornado.web.HTTPError(403, "missing or invalid CSRF token")
        return None

    @property
    def session(self) -> dict[str, Any]:
        """The session (a copy: change it with put_session / delete_session / clear_session)."""
        if self._session is None:
            self._session = ensure_session(self, self.app.signer)
        return {k: v for k, v in self._session.items() if k != "_id"}

    @property
    def csrf_token(self) -> str:
        """The token a form of this session posts back as `_csrf_token` (and live views join with)."""
        self.session  # noqa: B018 - makes sure there is a session to bind the token to
        return csrf_token(self.app.signer, self._session["_id"])  # type: ignore[index]

    def put_session(self, **values: Any) -> None:
        """Store these keys in the session (JSON-serialisable values)."""
        self.session  # noqa: B018
        self._session = write_session(self, self.app.signer, {**self._session, **values})  # type: ignore[dict-item]

    def delete_session(self, *keys: str) -> None:
        """Remove these keys from the session."""
        self.session  # noqa: B018
        kept = {k: v for k, v in self._session.items() if k not in keys}  # type: ignore[union-attr]
        self._session = write_session(self, self.app.signer, kept)

    def clear_session(self) -> None:
        """Drop the session: a new, empty one with a new id (log out)."""
        self._session = write_session(self, self.app.signer, {})

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """In debug mode an exception's traceback (and template line); otherwise the status alone."""
        exc = kwargs.get("exc_info", (None, None, None))[1]
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        if self.app.debug and status_code == 500 and exc is not None:
            self.finish(debug.error_page(exc))
        else:
            self.finish(_INTERNAL_ERROR.format(status=f"{status_code} {self._reason}" if status_code != 500
                                               else "Internal Server Error"))


class FunctionHandler(RequestHandler):
    """Runs `fn(handler)` (def or async def) for every method: a str answers as HTML, a dict or
    list as JSON, None leaves the answer to what `fn` wrote (or redirected)."""

    def initialize(self, app: Any, fn: Callable[[RequestHandler], Any]) -> None:  # type: ignore[override]
        super().initialize(app)
        self.fn = fn

    async def _call(self, *args: str) -> None:
        result = self.fn(self, *args)
        if inspect.isawaitable(result):
            result = await result
        if self._finished:
            return
        if isinstance(result, str):
            self.set_header("Content-Type", "text/html; charset=UTF-8")
            self.finish(result)
        elif isinstance(result, (dict, list)):
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps(result))
        elif result is not None:
            raise TypeError(f"a route function returns str, dict, list or None, got {type(result).__name__}")

    get = post = put = patch = delete = _call
