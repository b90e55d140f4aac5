"""The static copy of a live output, in a real kernel (the test is the frontend): `show` displays
under a display id, and what a client reports the view shows becomes the output's text/html; a
second copy of an output on the page gets a dead render of its own."""

from __future__ import annotations

import asyncio
import os
import re
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


def send_custom(client: Any, comm: str, message: dict[str, Any]) -> None:
    """A custom message of the widget's ES module to the kernel."""
    content = {"comm_id": comm, "data": {"method": "custom", "content": message}}
    client.shell_channel.send(client.session.msg("comm_msg", content=content))


def report(client: Any, comm: str, html: str) -> None:
    """What the widget's ES module sends when the view it shows has changed."""
    send_custom(client, comm, {"static": html})


async def show_counter(client: Any) -> dict[str, Any]:
    """`_static_out = show(Counter)` as a cell's last expression: its display_data message."""
    code = (f"import sys\nsys.path.insert(0, {ROOT!r})\nfrom liveui.jupyter import show\n"
            "from examples.counter import Counter\n_static_out = show(Counter)\n_static_out")
    msg_id = client.execute(code)
    return await next_iopub(client, lambda m: m["msg_type"] == "display_data"
                            and m["parent_header"].get("msg_id") == msg_id)


async def test_a_client_report_updates_the_displayed_output(kernel):
    shown = await show_counter(kernel)
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


async def test_a_second_copy_of_an_output_gets_a_dead_render_of_its_own(kernel):
    shown = await show_counter(kernel)
    comm = shown["content"]["data"][WIDGET]["model_id"]
    first_id = re.match(r'<div id="([^"]+)"', shown["content"]["data"]["text/html"]).group(1)
    try:
        send_custom(kernel, comm, {"render": "r1"})
        reply = await next_iopub(kernel, lambda m: m["msg_type"] == "comm_msg"
                                 and m["content"]["data"].get("content", {}).get("rendered") == "r1")
        html = reply["content"]["data"]["content"]["html"]
        assert 'data-phx-session="' in html and '<span id="count">0</span>' in html
        second_id = re.match(r'<div id="([^"]+)"', html).group(1)
        assert second_id != first_id
    finally:
        kernel.execute("_static_out.close()")
