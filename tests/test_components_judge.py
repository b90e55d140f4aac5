"""The official client as judge of component diffs: phoenix_live_view's own `Rendered` merges
what a real view channel sends (join, replies, shared statics +N/-N, nested components, the
destroy handshake) and must show the page our test client shows, step by step."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from official_client import Harness, running
from test_components import app  # noqa: F401  (the fixture)
from wire import WireClient

from liveui.testing.rendered import Rendered, extract

INJECTED = re.compile(r' data-phx-(?:id|component|view)="[^"]*"| data-phx-skip(?:="[^"]*")?')


@pytest.fixture(scope="module")
def harness() -> Iterator[Harness]:
    with running() as harness:
        yield harness


class Judge:
    """One view's frames, merged by the official client and by ours; both must agree."""

    def __init__(self, harness: Harness, client: WireClient) -> None:
        self.harness = harness
        self.client = client
        self.ours: Rendered | None = None
        self.html = ""

    async def join(self) -> str:
        assert self.harness.ask("reset")["ok"]
        reply = await self.client.join()
        self.ours = Rendered("phx-judge", extract(reply["response"]["rendered"])[0])
        return self._check(self.harness.ask(reply["response"]["rendered"]))

    async def event(self, name: str, value: Any = None, **extra: Any) -> str:
        reply = await self.client.event(name, value, **extra)
        assert reply["status"] == "ok", reply
        diff = reply["response"].get("diff", {})
        assert self.ours is not None
        self.ours.merge(extract(diff)[0])
        html = self._check(self.harness.ask({"full": diff}))
        await self._free()
        return html

    async def _free(self) -> None:
        """The client's side of the destroy handshake for components that left the page."""
        assert self.ours is not None
        gone = self.ours.orphan_cids()
        if gone:
            await self.client.call("cids_will_destroy", {"cids": gone})
            freed = (await self.client.call("cids_destroyed", {"cids": gone}))["response"]["cids"]
            assert freed == gone
            self.ours.prune(freed)
            assert self.harness.ask({"prune": freed})["ok"]

    def _check(self, answer: dict[str, Any]) -> str:
        if "error" in answer:
            pytest.fail(f"the official client failed on our diff:\n{answer['error']}")
        assert self.ours is not None
        assert answer["html"] == INJECTED.sub("", self.ours.to_html())
        self.html = answer["html"]
        return self.html


def line(item_id: int, name: str, qty: int) -> str:
    return f'<li id="line-{item_id}"><span class="name">{name}</span> <b class="qty">{qty}</b>'


async def test_cart_session_judged_by_the_official_client(app, harness):  # noqa: F811
    async with WireClient.memory(app, "/cart?n=5") as client:
        judge = Judge(harness, client)
        html = await judge.join()  # cids 2-5 share the statics of cid 1 (+1)
        assert html.count('<b class="qty">1</b>') == 5
        await judge.event("inc", cid=3)
        html = await judge.event("inc", cid=3)
        assert line(2, "item 2", 3) in html
        html = await judge.event("add", {"id": "7"})  # a new component: statics of one held (-N)
        assert line(7, "new", 1) in html
        html = await judge.event("drop")  # item 0 leaves: freed through the handshake
        assert 'id="line-0"' not in html and line(1, "item 1", 1) in html
        html = await judge.event("add", {"id": "0"})
        assert line(0, "new", 1) in html
        html = await judge.event("rename")
        assert line(1, "renamed", 1) in html and line(2, "item 2", 3) in html


async def test_nested_components_judged_by_the_official_client(app, harness):  # noqa: F811
    async with WireClient.memory(app, "/board") as client:
        judge = Judge(harness, client)
        await judge.join()
        await judge.event("grow", cid=2)
        html = await judge.event("grow", cid=2)  # Inner b-2 takes the statics of b-1 as the client holds them (-8)
        assert '<em id="inner-b-2" phx-click="poke" phx-target="9">0</em>' in html
        html = await judge.event("poke", cid=9)
        assert '<em id="inner-b-2" phx-click="poke" phx-target="9">1</em>' in html
        assert '<span id="b-2">2/3</span>' in html
