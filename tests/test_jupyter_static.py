"""The static copy of a live output, in a real kernel (the test is the frontend): `show` displays
under a display id, and what a client reports the view shows becomes the output's text/html."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

pytest.importorskip("anywidget", reason="liveui.jupyter needs the jupyter extra")

from liveui.testing.comm_wire import kernel_manager  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WIDGET = "application/vnd.jupyter.widget-view+json"
TIMEOUT = 10.0


@pytest.fixture
async def kernel() -> AsyncIterator[Any]:
    from jupyter_client.asynchronous import AsyncKernelClient

    manager = await asyncio.to_thread(kernel_manager)
    client = AsyncKernelClient()
    client.load_connection_info(manager.get_connection_info())
    client.start_channels()
    await client.wait_for_ready(timeout=60)
    yield client
    client.stop_channels()


async def next_iopub(client: Any, wanted: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    async def read() -> dict[str, Any]:
        while True:
            msg = await client.get_iopub_msg()
            if wanted(msg):
                return msg

    return await asyncio.wait_for(read(), TIMEOUT)


def report(client: Any, comm: str, html: str) -> None:
    """What the widget's ES module sends when the view it shows has changed."""
    content = {"comm_id": comm, "data": {"method": "custom", "content": {"static": html}}}
    client.shell_channel.send(client.session.msg("comm_msg", content=content))


async def test_a_client_report_updates_the_displayed_output(kernel):
    code = (f"import sys\nsys.path.insert(0, {ROOT!r})\nfrom liveui.jupyter import show\n"
            "from examples.counter import Counter\n_static_out = show(Counter)\n_static_out")
    msg_id = kernel.execute(code)
    shown = await next_iopub(kernel, lambda m: m["msg_type"] == "display_data"
                             and m["parent_header"].get("msg_id") == msg_id)
    display_id = shown["content"]["transient"]["display_id"]
    comm = shown["content"]["data"][WIDGET]["model_id"]
    assert '<span id="count">0</span>' in shown["content"]["data"]["text/html"]
    try:
        report(kernel, comm, '<div id="v" data-phx-session="secret">Count: <span id="count">5</span></div>')
        update = await next_iopub(kernel, lambda m: m["msg_type"] == "update_display_data")
        assert update["content"]["transient"]["display_id"] == display_id
        assert update["content"]["data"]["text/html"] == '<div id="v">Count: <span id="count">5</span></div>'
        assert update["content"]["data"][WIDGET]["model_id"] == comm  # the same live widget

        report(kernel, comm, '<div id="v">Count: <span id="count">5</span></div>')  # nothing new: no update
        report(kernel, comm, '<div id="v">Count: <span id="count">6</span></div>')
        update = await next_iopub(kernel, lambda m: m["msg_type"] == "update_display_data")
        assert 'id="count">6<' in update["content"]["data"]["text/html"]
    finally:
        kernel.execute("_static_out.close()")
