"""hibernate_after: an idle view keeps digests of its loop entries instead of copies, and goes
on sending only what changed when it wakes up."""

from __future__ import annotations

import asyncio

from wire import WireClient

from liveui import App, LiveView
from liveui.diff import Digest


class Table(LiveView):
    hibernate_after = 0.01
    template = '<table>{% for r in rows %}<tr id="r{{ r.id }}"><td>{{ r.name }}</td><td>{{ r.n }}</td></tr>{% endfor %}</table>'

    def mount(self, params, session, socket):
        socket.assign(rows=[{"id": i, "name": f"row {i}", "n": 0} for i in range(50)])

    def handle_event(self, event, params, socket):
        rows = socket.assigns["rows"]
        if event == "bump":
            rows[7]["n"] += 1  # mutated in place, assigned again
        socket.assign(rows=rows)


def states(channel) -> list:
    return [entry.state for entry in channel.differ.prints.children[0].entries.values()]


async def hibernated(channel, timeout: float = 2.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not all(type(state) is Digest for state in states(channel)):
        assert loop.time() < deadline, "the idle view did not hibernate"
        await asyncio.sleep(0.005)


async def test_an_idle_view_compacts_and_still_sends_only_changes():
    app = App(secret_key="hibernate")
    app.live("/table", Table)
    async with WireClient.memory(app, "/table") as client:
        await client.join()
        channel = client.connection.channels[client.topic]
        await hibernated(channel)
        assert await client.event("same") == {"status": "ok", "response": {}}  # digests compare equal
        reply = await client.event("bump")
        assert reply["response"]["diff"] == {"0": {"k": {"7": {"0": "7", "1": "row 7", "2": "1"}, "kc": 50}}}
        await hibernated(channel)  # idle again after the events
        reply = await client.event("bump")
        assert reply["response"]["diff"] == {"0": {"k": {"7": {"0": "7", "1": "row 7", "2": "2"}, "kc": 50}}}


def test_digest_equality():
    a = Digest.of({"id": 1, "tags": ["x"]})
    assert a == {"id": 1, "tags": ["x"]}
    assert a != {"id": 1, "tags": ["y"]}
    assert type(Digest.of(lambda: 1)) is not Digest  # unpicklable: kept as "never equal"
