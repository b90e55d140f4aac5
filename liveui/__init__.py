"""liveui: Phoenix LiveView for Python.

A view is a Python class whose state lives on the server; clients send events, the server
re-renders and ships only what changed, over a WebSocket, a Jupyter comm or a pywebview bridge.
"""

from .app import App, serve
from .async_result import AsyncResult
from .components import CID, LiveComponent
from .lifecycle import Cont, Halt
from .refs import ViewRef
from .socket import Socket
from .template import Template
from .view import LiveView

__all__ = ["App", "AsyncResult", "CID", "Cont", "Halt", "LiveComponent", "LiveView", "Socket", "Template", "ViewRef", "serve"]
