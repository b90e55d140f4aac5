"""Signed, expiring tokens (session, static, upload, CSRF) on top of Tornado's signed values.

Each token is bound to a purpose, so a token issued for one use cannot be replayed for another.
"""

from __future__ import annotations

import hmac
import json
import secrets
import time
from collections.abc import Callable
from typing import Any

from tornado.web import create_signed_value, decode_signed_value

CSRF_PURPOSE = "csrf"
CSRF_MAX_AGE_SECONDS = 14 * 24 * 3600
_SECONDS_PER_DAY = 86400


class InvalidToken(ValueError):
    """A token failed verification; ``reason`` is ``"invalid"`` or ``"expired"``."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class Signer:
    """Signs JSON data under a purpose with a server secret, and verifies it with a max age."""

    def __init__(self, secret: str | bytes, *, clock: Callable[[], float] = time.time) -> None:
        """Keep the secret; ``clock`` (seconds) is replaceable so tests can age tokens."""
        if not secret:
            raise ValueError(
                "expected a non-empty secret to sign tokens, got an empty one; "
                "pass a long random value, e.g. secrets.token_urlsafe(64)"
            )
        self._secret = secret
        self._clock = clock

    def sign(self, purpose: str, data: Any) -> str:
        """Return an ASCII token carrying ``data`` (anything JSON can encode) for ``purpose``."""
        body = json.dumps({"iat": self._clock(), "data": data}, separators=(",", ":"))
        token = create_signed_value(
            self._secret, _signed_name(purpose), body, version=2, clock=self._clock
        )
        return token.decode("ascii")

    def verify(self, purpose: str, token: Any, max_age_seconds: float) -> Any:
        """Return the data of a token signed for ``purpose`` at most ``max_age_seconds`` ago.

        Anything that is not such a token (None, a number, a list from a client) is invalid.
        """
        # Tornado only knows whole-day ages; give it a day of slack and check seconds ourselves.
        body = None if not isinstance(token, str) else decode_signed_value(
            self._secret,
            _signed_name(purpose),
            token,
            max_age_days=max_age_seconds / _SECONDS_PER_DAY + 1,
            clock=self._clock,
            min_version=2,
        )
        claims = _claims(body)
        if claims is None:
            raise InvalidToken(
                "invalid",
                f"expected a token signed for {purpose!r}, got one that is missing, altered, "
                "malformed or signed for another purpose; issue it with Signer.sign",
            )
        age = self._clock() - claims["iat"]
        if age > max_age_seconds:
            raise InvalidToken(
                "expired",
                f"expected a {purpose!r} token at most {max_age_seconds:g}s old, got one "
                f"{age:.1f}s old; issue a fresh token",
            )
        return claims["data"]


def _signed_name(purpose: str) -> str:
    # Namespaced so a Tornado signed cookie made with the same secret never passes as a token.
    return f"liveui.{purpose}"


def _claims(body: bytes | None) -> dict | None:
    """Parse the signed body, or None when it is not one this module wrote."""
    if body is None:
        return None
    try:
        claims = json.loads(body)
    except ValueError:
        return None
    if not isinstance(claims, dict) or not isinstance(claims.get("iat"), (int, float)):
        return None
    return claims if "data" in claims else None


def random_id(prefix: str = "phx-") -> str:
    """Return ``prefix`` plus 16 random URL-safe characters, e.g. a LiveView DOM id."""
    return prefix + secrets.token_urlsafe(12)


def csrf_token(signer: Signer, session_id: str) -> str:
    """Return a CSRF token bound to the browser session's random id, valid for 14 days."""
    return signer.sign(CSRF_PURPOSE, session_id)


def check_csrf(signer: Signer, token: str | None, session_id: str) -> bool:
    """Tell whether ``token`` is a live CSRF token for ``session_id``; never raises."""
    if not isinstance(token, str):
        return False
    try:
        bound_to = signer.verify(CSRF_PURPOSE, token, CSRF_MAX_AGE_SECONDS)
    except InvalidToken:
        return False
    return isinstance(bound_to, str) and hmac.compare_digest(
        bound_to.encode("utf-8"), session_id.encode("utf-8")
    )
