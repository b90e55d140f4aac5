"""The `comm` wire: the test is the Jupyter frontend of a real ipykernel.

The kernel is started with jupyter_client (one per test process, shut down at exit); the wire
ships the app to it (pickled: views by reference, so their modules must be importable there),
dead renders by executing `kernel_render` in it, which opens a `LiveWidget` comm, then speaks
the comm transport's messages on the kernel's shell and iopub channels, as JupyterLab would.
The kernel's `liveui` log records come back to the test's `liveui` logger, so crashes surface.
"""

from __future__ import annotations

import ast
import asyncio
import atexit
import io
import itertools
import json
import logging
import os
import pickle
import secrets
import sys
import tempfile
import threading
from typing import Any
from urllib.parse import urljoin

from .wire import Page, Wire, parse_page

_kernel: Any = None  # the shared KernelManager
_kernel_lock = threading.Lock()
_forwarded = 0  # the last kernel log record re-logged here (every wire sees every record)

RECORD, UNIT, END = "\x1e", "\x1f", "\x1d"


def kernel_manager() -> Any:
    """The test process's kernel (started on first use, shut down when the process exits)."""
    global _kernel
    with _kernel_lock:
        if _kernel is None:
            from jupyter_client.kernelspec import KernelSpecManager
            from jupyter_client.manager import KernelManager

            runtime = tempfile.mkdtemp(prefix="liveui-kernel-")
            spec = os.path.join(runtime, "kernels", "liveui-test")
            os.makedirs(spec)
            with open(os.path.join(spec, "kernel.json"), "w", encoding="utf-8") as f:
                json.dump({"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                           "display_name": "liveui tests", "language": "python"}, f)
            manager = KernelManager(kernel_name="liveui-test",
                                    kernel_spec_manager=KernelSpecManager(kernel_dirs=[os.path.join(runtime, "kernels")]),
                                    transport="ipc", ip=os.path.join(runtime, "kernel"),
                                    connection_file=os.path.join(runtime, "kernel.json"))
            manager.start_kernel(env={**os.environ, "PYTHONUNBUFFERED": "1"})
            atexit.register(_shutdown, manager, runtime)
            _kernel = manager
        return _kernel


def _shutdown(manager: Any, runtime: str) -> None:
    import shutil

    manager.shutdown_kernel(now=True)
    shutil.rmtree(runtime, ignore_errors=True)


class _Pickler(pickle.Pickler):
    """Pickles an app: compiled templates travel as the file they were loaded from."""

    def reducer_override(self, obj: Any) -> Any:
        from .. import template

        if isinstance(obj, template.Template):
            filename = obj.jinja.filename
            if not filename:
                raise pickle.PicklingError("an app's inline templates cannot travel to the kernel")
            return template.load, (filename,)
        return NotImplemented


def pickle_app(app: Any) -> bytes:
    """The app as bytes the kernel can load."""
    out = io.BytesIO()
    _Pickler(out).dump(app)
    return out.getvalue()


class CommWire(Wire):
    """Frames over a real kernel's comm: one `LiveWidget` (one connection) per dead render."""

    transport = "comm"
    same_process = False

    def __init__(self, app: Any, **options: Any) -> None:
        super().__init__(app, **options)
        self.key = "w" + secrets.token_hex(6)
        self._client: Any = None
        self._pump: asyncio.Task[None] | None = None
        self._comms: dict[str, str] = {}  # comm id -> our connection id on it
        self._opened: dict[str, asyncio.Future[None]] = {}  # connection id -> opened
        self._topics: dict[str, str] = {}  # topic -> comm id
        self._current: str | None = None  # the comm of the last dead render
        self._subshell: str | None = None  # the kernel subshell the widget messages go to, if any
        self._flash: dict[str, Any] | None = None
        self._log_buffer = ""

    async def start(self) -> None:
        if self._client is not None:
            return
        from jupyter_client.asynchronous import AsyncKernelClient

        manager = await asyncio.to_thread(kernel_manager)
        client = AsyncKernelClient()  # its own session, so the kernel routes its replies to it
        client.load_connection_info(manager.get_connection_info())
        client.start_channels()
        for attempt in range(3):  # a loaded machine can delay a heartbeat: the client then thinks the kernel died
            try:
                await client.wait_for_ready(timeout=60)
                break
            except RuntimeError:
                if attempt == 2 or not await asyncio.to_thread(manager.is_alive):
                    raise
        self._client = client
        self._subshell = await self._create_subshell()
        self._pump = asyncio.get_running_loop().create_task(self._read_iopub())
        paths = [p for p in sys.path if p]
        await self._execute(
            "import sys as _s, pickle as _p\n"
            f"_s.path[:0] = [p for p in {paths!r} if p not in _s.path]\n"
            "from liveui.testing import comm_wire as _lw\n"
            f"_lw.kernel_setup({self.key!r}, _p.loads({pickle_app(self.app)!r}))\n"
        )

    async def render(self, path: str, flash: dict[str, Any] | None = None) -> Page:
        url = urljoin(self.base_url + "/", path)
        flash, self._flash = flash or self._flash, None
        args = ", ".join(repr(json.dumps(value)) for value in (url, self.session, flash or {}))
        result = await self._execute(f"_lw_page = _lw.kernel_render({self.key!r}, {args})", {"page": "_lw_page"})
        page = json.loads(ast.literal_eval(result["user_expressions"]["page"]["data"]["text/plain"]))
        if page["location"] is not None:
            self._flash = page["flash"]
        parsed = parse_page(url, page["status"], page["html"], page["location"])
        if page["comm"] is not None:
            self._current = page["comm"]
            if parsed.view_id is not None:
                self._topics[parsed.topic] = page["comm"]
        return parsed

    async def connect(self, csrf: str | None) -> None:
        comm = self._current
        if comm is None or comm in self._comms:
            return
        cid = secrets.token_hex(6)
        self._comms[comm] = cid
        opened = self._opened[cid] = asyncio.get_running_loop().create_future()
        self._custom(comm, {"c": cid, "open": 1})
        await asyncio.wait_for(opened, self.timeout)

    def send(self, frame: list[Any]) -> None:
        topic = frame[2] if len(frame) > 2 and isinstance(frame[2], str) else None
        self._send_on(self._topics.get(topic) or self._current, json.dumps(frame, separators=(",", ":")))

    def send_text(self, text: str) -> None:
        """A text frame as is (malformed ones included), on the comm of the last render."""
        self._send_on(self._current, text)

    def _send_on(self, comm: str | None, text: str) -> None:
        if comm is None or comm not in self._comms:
            raise AssertionError("no comm connection: render and connect first")
        self._custom(comm, {"c": self._comms[comm], "t": text})

    def send_binary(self, frame: bytes) -> None:
        """A binary frame (an upload chunk) as a message buffer, on the comm of the last render."""
        comm = self._current
        if comm is None or comm not in self._comms:
            raise AssertionError("no comm connection: render and connect first")
        self._custom(comm, {"c": self._comms[comm], "b": 1}, buffers=[frame])

    async def drop(self) -> None:
        """The page's client disconnects (a reload, its heartbeat timed out): it tells the kernel,
        which parks the views; a rejoin on a new connection takes them over."""
        for comm, cid in self._comms.items():
            self._custom(comm, {"c": cid, "close": 1000})
        self._comms.clear()
        self.inbox = asyncio.Queue()

    async def close(self) -> None:
        if self._client is None:
            return
        for comm, cid in self._comms.items():
            self._custom(comm, {"c": cid, "close": 1000})
        await self._execute(f"_lw.kernel_forget({self.key!r})")
        if self._subshell is not None:
            await self._control("delete_subshell_request", {"subshell_id": self._subshell})
            self._subshell = None
        if self._pump is not None:
            self._pump.cancel()
            self._pump = None
        self._client.stop_channels()
        self._client = None
        self.inbox.put_nowait(None)

    # -- the frontend's side of the kernel protocol --------------------------------------------

    async def _create_subshell(self) -> str | None:
        """A subshell for the widget messages, as JupyterLab makes one for its widgets when the
        kernel has them (ipykernel 7): the messages then arrive on another thread than the cells'."""
        msg_id = self._client.kernel_info()
        while (reply := await self._client.get_shell_msg(timeout=max(self.timeout, 10.0)))["parent_header"].get("msg_id") != msg_id:
            pass
        if "kernel subshells" not in reply["content"].get("supported_features", []):
            return None
        return (await self._control("create_subshell_request", {}))["subshell_id"]

    async def _control(self, kind: str, content: dict[str, Any]) -> dict[str, Any]:
        msg = self._client.session.msg(kind, content=content)
        self._client.control_channel.send(msg)
        while (reply := await self._client.get_control_msg(timeout=max(self.timeout, 10.0)))["parent_header"].get("msg_id") != msg["header"]["msg_id"]:
            pass
        if reply["content"].get("status") != "ok":
            raise AssertionError(f"kernel: {kind}: {reply['content']}")
        return reply["content"]

    def _custom(self, comm: str, content: dict[str, Any], buffers: list[bytes] | None = None) -> None:
        msg = self._client.session.msg("comm_msg", content={"comm_id": comm, "data": {"method": "custom", "content": content}})
        if self._subshell is not None:
            msg["header"]["subshell_id"] = self._subshell
        if buffers:
            msg["buffers"] = buffers
        self._client.shell_channel.send(msg)

    async def _execute(self, code: str, expressions: dict[str, str] | None = None) -> dict[str, Any]:
        msg_id = self._client.execute(code, store_history=False, user_expressions=expressions or {})
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(self.timeout, 10.0)
        while True:
            reply = await self._client.get_shell_msg(timeout=max(0.0, deadline - loop.time()))
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        content = reply["content"]
        if content["status"] != "ok":
            raise AssertionError(f"kernel: {content.get('ename')}: {content.get('evalue')}\n"
                                 + "\n".join(content.get("traceback", [])))
        return content

    async def _read_iopub(self) -> None:
        while True:
            msg = await self._client.get_iopub_msg()
            kind, content = msg["msg_type"], msg["content"]
            if kind == "comm_msg" and content.get("comm_id") in self._comms:
                self._deliver(content["data"].get("content") or {}, msg.get("buffers") or [])
            elif kind == "stream" and content.get("name") == "stderr":
                self._relog(content.get("text", ""))

    def _deliver(self, content: dict[str, Any], buffers: list[Any]) -> None:
        cid = content.get("c")
        if content.get("opened"):
            opened = self._opened.pop(cid, None)
            if opened is not None and not opened.done():
                opened.set_result(None)
        elif cid not in self._comms.values():  # a connection this wire dropped
            return
        elif "t" in content:
            self.inbox.put_nowait(content["t"])
        elif content.get("b") and buffers:
            self.inbox.put_nowait(bytes(buffers[0]))
        elif "close" in content:  # the kernel closed this connection
            self.inbox.put_nowait(None)

    def _relog(self, text: str) -> None:
        """Re-log the kernel's `liveui` records here (each once, though every wire reads them)."""
        global _forwarded
        self._log_buffer += text
        while RECORD in self._log_buffer and END in self._log_buffer.split(RECORD, 1)[1]:
            _, rest = self._log_buffer.split(RECORD, 1)
            record, self._log_buffer = rest.split(END, 1)
            seq, level, message = record.split(UNIT, 2)
            if int(seq) > _forwarded:
                _forwarded = int(seq)
                # bounded in the kernel already; here with its traceback, which stays whole
                logging.getLogger("liveui").log(logging.getLevelName(level), "[kernel] %s", message,
                                                extra={"liveui_bounded": True})


# -- the kernel's side (run in the kernel by the wire) ---------------------------------------------

_apps: dict[str, Any] = {}
_widgets: dict[str, list[Any]] = {}
_sequence = itertools.count(1)


class _RecordHandler(logging.Handler):
    """Writes `liveui` log records to stderr, delimited, flushed at once (so they reach the
    frontend before the frames that follow them)."""

    def emit(self, record: logging.LogRecord) -> None:
        text = logging.Formatter("%(message)s").format(record)
        sys.stderr.write(f"{RECORD}{next(_sequence)}{UNIT}{record.levelname}{UNIT}{text}{END}")
        sys.stderr.flush()


def kernel_setup(key: str, app: Any) -> None:
    """Keep `app` for the wire `key`; forward liveui's log records (once per kernel)."""
    _apps[key] = app
    _widgets[key] = []
    logger = logging.getLogger("liveui")
    if not any(isinstance(handler, _RecordHandler) for handler in logger.handlers):
        logger.addHandler(_RecordHandler())


def kernel_render(key: str, url: str, session: str, flash: str) -> str:
    """Dead render `url` of the wire's app; a live view gets its widget (a comm) as in a cell."""
    from ..jupyter import dead_render
    from ..transports.comm import LiveWidget

    app = _apps[key]
    url = json.loads(url)
    page = dead_render(app, url, json.loads(session), json.loads(flash))
    comm = None
    if page.status == 200:
        widget = LiveWidget(app, html=page.html, url=url)
        _widgets[key].append(widget)
        comm = widget.comm.comm_id
    return json.dumps({"status": page.status, "html": page.html, "location": page.location,
                       "flash": page.flash, "comm": comm})


def kernel_forget(key: str) -> None:
    """The wire closed: close its widgets (their views end) and drop its app."""
    for widget in _widgets.pop(key, []):
        widget.close()
    _apps.pop(key, None)
