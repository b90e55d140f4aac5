"""The chat example in Chromium on two server processes sharing one Redis: a message typed on one
appears on the other, both presence lists show two users, and a SIGKILLed process's user leaves
the other's list within the documented bound."""

from __future__ import annotations

import os
import signal
import sys

from .support import new_context, wait_connected

sys.path.insert(0, os.path.dirname(os.path.dirname(__file__)))

from redis_server import redis_url  # noqa: E402,F401
from server_processes import BOUND, SECRET, SLACK, start, stop  # noqa: E402


def test_two_processes_one_chat(browser, redis_url):
    from playwright.sync_api import expect

    env = {"LIVEUI_SECRET_KEY": SECRET, "LIVEUI_PUBSUB_URL": redis_url}
    one, base_one = start(env=env)
    two, base_two = start(env=env)
    contexts = [new_context(browser, base_one), new_context(browser, base_two)]
    try:
        ada, bob = (context.new_page() for context in contexts)
        ada.goto("/chat?name=ada")
        bob.goto("/chat?name=bob")
        wait_connected(ada)
        wait_connected(bob)
        for page in (ada, bob):
            expect(page.locator("#who li")).to_have_text(["ada", "bob"])
        ada.fill("#text", "hello from process one")
        ada.click("#send")
        expect(bob.locator("#messages li")).to_have_text(["ada: hello from process one"])
        bob.fill("#text", "and from two")
        bob.click("#send")
        expect(ada.locator("#messages li")).to_have_text(["ada: hello from process one", "bob: and from two"])
        os.killpg(two.pid, signal.SIGKILL)
        expect(ada.locator("#who li")).to_have_text(["ada"], timeout=(BOUND + SLACK) * 1000)
    finally:
        for context in contexts:
            context.close()
        stop(one)
        stop(two)
