"""The browser session: a signed cookie holding a random id and the app's session data."""

from __future__ import annotations

from typing import Any

from tornado.web import RequestHandler

from .tokens import InvalidToken, Signer, random_id

COOKIE = "liveui_session"
MAX_AGE = 14 * 86400


def read_session(handler: RequestHandler, signer: Signer) -> dict[str, Any] | None:
    """The session in the request's cookie, or None when absent, tampered or expired."""
    try:
        data = signer.verify("session-cookie", handler.get_cookie(COOKIE), MAX_AGE)
    except InvalidToken:
        return None
    return data if isinstance(data, dict) and isinstance(data.get("_id"), str) else None


def write_session(handler: RequestHandler, signer: Signer, data: dict[str, Any]) -> dict[str, Any]:
    """Store `data` as the session (keeping its id, or making one) and return it."""
    session = {**data, "_id": data.get("_id") or random_id("s-")}
    handler.set_cookie(COOKIE, signer.sign("session-cookie", session), httponly=True, samesite="Lax",
                       expires_days=MAX_AGE / 86400, path="/")
    return session


def ensure_session(handler: RequestHandler, signer: Signer) -> dict[str, Any]:
    """The request's session, starting a new one (with a cookie) when there is none."""
    return read_session(handler, signer) or write_session(handler, signer, {})
