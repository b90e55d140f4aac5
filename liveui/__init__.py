"""liveui: Phoenix LiveView for Python.

A view is a Python class whose state lives on the server; clients send events, the server
re-renders and ships only what changed, over a WebSocket, a Jupyter comm or a pywebview bridge.
"""

from . import presence, pubsub
from .app import App, serve
from .async_result import AsyncResult
from .components import CID, LiveComponent
from .forms import Form, FormField, Invalid, to_form
from .js import JS
from .images import image
from .lifecycle import Cont, Halt
from .refs import ViewRef
from .socket import Socket
from .template import Template
from .upload_tags import live_file_input, live_img_preview, upload_errors
from .uploads import UploadConfig, UploadEntry
from .view import LiveView
from .writers import TempFileWriter, UploadWriter, WriterFailure

__all__ = ["App", "AsyncResult", "CID", "Cont", "Form", "FormField", "Halt", "Invalid", "JS", "LiveComponent", "LiveView",
           "Socket", "Template", "TempFileWriter", "UploadConfig", "UploadEntry", "UploadWriter", "ViewRef", "WriterFailure",
           "image", "live_file_input", "live_img_preview", "presence", "pubsub", "serve", "to_form", "upload_errors"]
