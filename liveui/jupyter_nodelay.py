"""A Jupyter server extension that sends kernel messages to the browser without Nagle's delay.

The server writes several small WebSocket frames per kernel message exchange (status busy, the
reply, status idle) and never sets TCP_NODELAY, so Nagle's algorithm and the browser's delayed ACK
hold the last ones about 40 ms: every click in a live view's cell would take that long. This sets
TCP_NODELAY on each kernel WebSocket. `pip install liveui[jupyter]` enables it (the file
jupyter-config/jupyter_server_config.d/liveui.json, installed under etc/jupyter); turn it off with
`--ServerApp.jpserver_extensions="{'liveui.jupyter_nodelay': False}"`.
"""

from __future__ import annotations

from typing import Any


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "liveui.jupyter_nodelay"}]


def nodelay(connection_class: type) -> type:
    """`connection_class` (a kernel WebSocket connection) that sets TCP_NODELAY when it connects."""
    if getattr(connection_class, "liveui_nodelay", False):
        return connection_class

    def connect(self: Any) -> Any:
        self.websocket_handler.set_nodelay(True)
        return connection_class.connect(self)

    return type(f"NoDelay{connection_class.__name__}", (connection_class,), {"connect": connect, "liveui_nodelay": True})


def _load_jupyter_server_extension(serverapp: Any) -> None:
    settings = serverapp.web_app.settings
    base = settings.get("kernel_websocket_connection_class") or serverapp.kernel_websocket_connection_class
    settings["kernel_websocket_connection_class"] = nodelay(base)
    serverapp.log.info("liveui: kernel WebSockets send without Nagle's delay (TCP_NODELAY)")
