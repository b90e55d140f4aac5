"""Which Host names a server answers, and which Origins may open its WebSocket.

A page that a foreign name resolves to (DNS rebinding: `rebind.example` pointing at 127.0.0.1)
sends that name as Host and Origin, so comparing the two proves nothing; the Host itself must be
one the app serves. `App(hosts=[...])` lists them (`"*.example.com"` for subdomains, `"*"` for
any); by default a request that arrived on a loopback address may only name a loopback host.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def hostname(netloc: str) -> str | None:
    """The lower-cased host name of `host[:port]` (`[::1]:80` gives `::1`); None if unparsable."""
    try:
        return urlsplit("//" + netloc).hostname
    except ValueError:
        return None


def normalize(hosts: Iterable[str] | None) -> frozenset[str] | None:
    """`App(hosts=...)` as lower-cased names (a port, and the brackets of an IPv6 address, dropped)."""
    if hosts is None:
        return None
    return frozenset(hostname(name.strip()) or name.strip().lower() for name in hosts)


def host_allowed(hosts: frozenset[str] | None, request: Any) -> bool:
    """Whether a Tornado `request` names a host the app serves (see the module docstring)."""
    name = hostname(request.host or "")
    if name is None:
        return False
    if hosts is None:
        return name in LOOPBACK_NAMES or not _arrived_on_loopback(request)
    return "*" in hosts or name in hosts or any(
        entry.startswith("*.") and name.endswith(entry[1:]) for entry in hosts)


def _arrived_on_loopback(request: Any) -> bool:
    try:
        address = ipaddress.ip_address(request.connection.stream.socket.getsockname()[0].split("%")[0])
    except (AttributeError, OSError, ValueError, IndexError, TypeError):  # not an IP socket, or gone
        return False
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1 on a dual-stack socket
    return (mapped or address).is_loopback
