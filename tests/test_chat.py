"""The chat example (examples/chat.py) over every transport (memory, WebSocket, a Jupyter
kernel's comm, a pywebview window) with the in-process PubSub: its own message and presence."""

from __future__ import annotations

import os
import re
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from examples.gallery import make_app  # noqa: E402
from polling import wait_for  # noqa: E402


@pytest.fixture
def app():
    return make_app("chat-secret")


async def test_chat_shows_who_is_here_and_the_messages(live):
    view, html = await live("/chat?name=ada")
    assert '<li id="who-ada">ada</li>' in html
    await view.form("#say").render_submit({"text": "hello"})
    # the message comes back through PubSub, as a server push
    await wait_for(lambda: re.search(r"<b>ada</b>: hello", view.render()), "the message in the list")


async def test_a_dropped_client_leaves_the_list_until_it_reattaches(live):
    """A view waiting for its client (reconnect grace) hides its presence: no ghost users."""
    ada, _ = await live("/chat?name=ada")
    bob, _ = await live("/chat?name=bob")
    await wait_for(lambda: '<li id="who-ada">ada</li>' in bob.render(), "ada in bob's list")
    await ada.client.wire.drop()
    await wait_for(lambda: '<li id="who-ada">' not in bob.render(), "ada to leave bob's list")
    await ada.client.reconnect()
    await wait_for(lambda: '<li id="who-ada">ada</li>' in bob.render(), "ada back in bob's list")
    # ada's own list heard her leave while parked; her join comes back as a presence_diff too
    await wait_for(lambda: '<li id="who-ada">ada</li>' in ada.render(), "ada back in her own list")
    assert '<li id="who-bob">bob</li>' in ada.render()
