"""Several server processes (`python -m liveui run ... --workers N`, liveui/workers.py) sharing
one Redis: a dead render by one process and the join by another, PubSub and Presence across
them, a SIGKILLed process's user leaving the others' presence lists within the documented bound."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import re
import signal
import subprocess
import sys
from html import unescape


sys.path.insert(0, os.path.dirname(__file__))

from liveui.pubsub import RedisPubSub  # noqa: E402
from liveui.testing.client import Client  # noqa: E402
from liveui.testing.wire import WebSocketWire  # noqa: E402
from polling import wait_for  # noqa: E402
from redis_server import redis_url  # noqa: E402,F401
from server_processes import BOUND, REPO, SECRET, SLACK, start, stop  # noqa: E402

def test_several_workers_refuse_a_random_secret():
    env = {k: v for k, v in os.environ.items() if k != "LIVEUI_SECRET_KEY"}
    result = subprocess.run([sys.executable, "-m", "liveui", "run", "examples.gallery:make_app", "--workers", "2",
                             "--port", "0"], cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "set LIVEUI_SECRET_KEY" in result.stderr


def messages(view) -> list[str]:
    html = view.render()
    found = re.search(r'<ol id="messages">(.*?)</ol>', html, re.S)
    return [unescape(re.sub("<[^>]+>", "", item)) for item in re.findall(r"<li>(.*?)</li>", found.group(1))]


def who(view) -> list[str]:
    return re.findall(r'<li id="who-([^"]+)"', view.render())


async def open_chat(render_at: str, join_at: str, name: str) -> tuple[Client, object]:
    """A tab whose page came from `render_at` and whose WebSocket went to `join_at`."""
    client = Client(None, transport="websocket", timeout=5)
    client.wire = WebSocketWire(None, session=None, timeout=5, base_url=render_at)
    page = await client.wire.render(f"/chat?name={name}")
    client.wire.base_url = join_at
    view, _ = await client.open(page)
    return client, view


async def test_two_processes_share_pubsub_and_presence_and_a_killed_one_leaves(redis_url):
    env = {"LIVEUI_SECRET_KEY": SECRET, "LIVEUI_PUBSUB_URL": redis_url}
    one, base_one = start(env=env)
    two, base_two = start(env=env)
    clients = []
    try:
        ada_client, ada = await open_chat(base_two, base_one, "ada")  # rendered by two, joined on one
        bob_client, bob = await open_chat(base_one, base_two, "bob")
        clients += [ada_client, bob_client]
        await wait_for(lambda: who(ada) == ["ada", "bob"] and who(bob) == ["ada", "bob"], "both presence lists", 8)
        await ada.form("#say").render_submit({"text": "hello from one"})
        await wait_for(lambda: messages(bob) == ["ada: hello from one"], "ada's message in bob's tab", 5)
        await bob.form("#say").render_submit({"text": "hi from two"})
        await wait_for(lambda: messages(ada) == ["ada: hello from one", "bob: hi from two"], "bob's reply", 5)
        os.killpg(two.pid, signal.SIGKILL)
        await wait_for(lambda: who(ada) == ["ada"], "bob to leave after his process died", BOUND + SLACK)
    finally:
        for client in clients:
            await client.close()
        stop(one)
        stop(two)


async def test_workers_on_one_port_serve_and_a_killed_worker_is_replaced(redis_url):
    env = {"LIVEUI_SECRET_KEY": SECRET, "LIVEUI_PUBSUB_URL": redis_url}
    parent, base = start("--workers", "2", env=env)
    clients = []
    try:
        for name in ("cy", "di", "ed"):
            client, view = await open_chat(base, base, name)
            clients.append((client, view))
        last = clients[-1][1]
        await wait_for(lambda: who(last) == ["cy", "di", "ed"], "three users across the workers", 8)
        children = subprocess.run(["pgrep", "-P", str(parent.pid)], capture_output=True, text=True).stdout.split()
        assert len(children) == 2
        os.kill(int(children[0]), signal.SIGKILL)
        await wait_for(lambda: len(subprocess.run(["pgrep", "-P", str(parent.pid)], capture_output=True,
                                                  text=True).stdout.split()) == 2 and
                       str(children[0]) not in subprocess.run(["pgrep", "-P", str(parent.pid)],
                                                              capture_output=True, text=True).stdout.split(),
                       "the parent to replace the killed worker", 10)
        client, view = await open_chat(base, base, "fy")
        clients.append((client, view))
        await wait_for(lambda: "fy" in who(view), "a new tab after the restart", 8)
    finally:
        for client, _ in clients:
            await client.close()
        stop(parent)


def _node_after_start(pubsub, answers) -> None:
    async def started() -> str:
        pubsub.start()
        await pubsub.close()
        return pubsub.node

    answers.put(asyncio.run(started()))


def test_a_forked_worker_is_a_node_of_its_own(redis_url):
    """`--workers` forks after the app (and its PubSub) is made: each worker needs its own node
    id, or the workers would take each other's broadcasts and presences for their own echo."""
    pubsub = RedisPubSub(redis_url, "fork-test")
    fork = multiprocessing.get_context("fork")
    answers = fork.Queue()
    children = [fork.Process(target=_node_after_start, args=(pubsub, answers)) for _ in range(2)]
    for child in children:
        child.start()
    nodes = {answers.get(timeout=30) for _ in children}
    for child in children:
        child.join(10)
    assert len(nodes) == 2 and pubsub.node not in nodes
