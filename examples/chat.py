"""A chat room with Presence: every open tab, in any server process, sees the messages and
who is here. In-process by default; over Redis with several processes (docs/scaling.md)."""

import secrets

from liveui import LiveView, presence
from liveui.pubsub import Broadcast

TOPIC = "chat:lobby"
KEEP = 50  # messages a view keeps


class Chat(LiveView):
    template = "chat.html.j2"

    def mount(self, params, session, socket):
        name = str(params.get("name") or f"guest-{secrets.randbelow(1000):03d}")[:24]
        socket.assign(name=name, messages=[], who=[], page_title="Chat")
        if socket.connected:
            socket.subscribe(TOPIC)
            presence.track(socket, TOPIC, name, {"name": name})
            socket.assign(who=_who(socket))

    def handle_event(self, event, params, socket):
        if event == "send":
            text = str(params.get("text", "")).strip()[:500]
            if text:
                socket.endpoint.pubsub.broadcast(TOPIC, {"from": socket.assigns.name, "text": text})

    def handle_info(self, message, socket):
        if isinstance(message, Broadcast) and message.event == "presence_diff":
            socket.assign(who=_who(socket))
        elif isinstance(message, dict) and "text" in message:
            socket.assign(messages=[*socket.assigns.messages, message][-KEEP:])


def _who(socket):
    return sorted(presence.list(TOPIC, socket))

