"""The running views of an app by topic, so that a rejoin reattaches to its view.

A view outlives its connection for a grace period (`App(reconnect_grace=...)`, or a view
class's own `reconnect_grace`). A join of the same topic from the same browser session (the
connection's `identity`: the session cookie's id; in-process hosts have none) within that period
reattaches to the running view instead of mounting a new one: from a dropped connection, or
from one the server still believes open (a half-open socket after a network change).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .channel import ViewChannel

DEFAULT_GRACE = 30.0


class RunningViews:
    """Joined views by topic and the identity of the session that joined them (a page's tokens
    replayed by another session mount a view of their own under the same topic)."""

    def __init__(self) -> None:
        self._views: dict[tuple[str, Any], ViewChannel] = {}
        self._identities: dict[ViewChannel, Any] = {}

    def __len__(self) -> int:
        return len(self._views)

    def __reduce__(self) -> Any:
        """A copy in another process (an app shipped to a Jupyter kernel) starts empty."""
        return RunningViews, ()

    def add(self, channel: ViewChannel, identity: Any) -> None:
        self._views[(channel.topic, identity)] = channel
        self._identities[channel] = identity

    def remove(self, channel: ViewChannel) -> None:
        identity = self._identities.pop(channel, None)
        if self._views.get((channel.topic, identity)) is channel:
            del self._views[(channel.topic, identity)]

    def claim(self, topic: str, identity: Any, connection: Any) -> ViewChannel | None:
        """The running view `topic` of the session `identity`, if it may move to `connection`:
        it is parked or held by another connection."""
        channel = self._views.get((topic, identity))
        if channel is None or channel.connection is connection or not channel.reattachable():
            return None
        return channel


def grace_of(view_class: type, endpoint: Any) -> float:
    """The seconds a view outlives its connection: its class's `reconnect_grace`, else the app's."""
    own = getattr(view_class, "reconnect_grace", None)
    if own is not None:
        return float(own)
    return float(getattr(endpoint, "reconnect_grace", DEFAULT_GRACE))
