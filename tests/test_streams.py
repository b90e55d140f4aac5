"""Streams: inserts at the bottom and top, updates in place, deletes, reset, limit, DOM ids,
streams in components, what travels on the wire, and that the server keeps no items."""

from __future__ import annotations

import gc
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from liveui import App, LiveComponent, LiveView  # noqa: E402
from wire import WireClient  # noqa: E402


class Songs(LiveView):
    template = (
        '<ul id="songs" phx-update="stream">{% for dom_id, song in streams.songs %}'
        '<li id="{{ dom_id }}">{{ song.title }}</li>{% endfor %}</ul>'
        "<p>{{ note }}</p>"
    )

    def mount(self, params, session, socket):
        self.next = 2
        socket.assign(note="")
        socket.stream("songs", [{"id": 1, "title": "one"}, {"id": 2, "title": "two"}])

    def handle_event(self, event, params, socket):
        if event == "append":
            self.next += 1
            socket.stream_insert("songs", {"id": self.next, "title": f"song {self.next}"})
        elif event == "prepend":
            self.next += 1
            socket.stream_insert("songs", {"id": self.next, "title": f"song {self.next}"}, at=0)
        elif event == "rename":
            socket.stream_insert("songs", {"id": int(params["id"]), "title": params["title"]})
        elif event == "delete":
            socket.stream_delete("songs", {"id": int(params["id"])})
        elif event == "reset":
            socket.stream("songs", [{"id": 9, "title": "nine"}], reset=True)
        elif event == "top3":
            self.next += 1
            socket.stream_insert("songs", {"id": self.next, "title": f"song {self.next}"}, at=0, limit=3)
        elif event == "bulk":
            start = self.next
            self.next += int(params["n"])
            socket.stream("songs", ({"id": i, "title": "x" * 40} for i in range(start, self.next)), limit=-10)
        elif event == "note":
            socket.assign(note=params["text"])


class Log(LiveComponent):
    template = (
        '<section id="log-{{ id }}"><ol id="lines-{{ id }}" phx-update="stream">'
        '{% for dom_id, line in streams.lines %}<li id="{{ dom_id }}">{{ line.text }}</li>{% endfor %}</ol>'
        '<button phx-click="log" phx-target="{{ myself }}">log</button></section>'
    )

    def mount(self, socket):
        socket.stream_configure("lines", dom_id=lambda line: f"line-{line['n']}")
        socket.stream("lines", [{"n": 0, "text": "start"}])
        self.count = 0

    def handle_event(self, event, params, socket):
        self.count += 1
        socket.stream_insert("lines", {"n": self.count, "text": f"entry {self.count}"}, at=0)


class Logs(LiveView):
    template = "{{ live_component(Log, id='a') }}"


class DictNames(LiveView):
    """Streams and an upload named like dict methods, read as attributes in the template."""

    template = (
        '<ul id="items" phx-update="stream">{% for dom_id, item in streams.items %}<li id="{{ dom_id }}">{{ item.name }}</li>{% endfor %}</ul>'
        '<ul id="keys" phx-update="stream">{% for dom_id, key in streams.keys %}<li id="{{ dom_id }}">{{ key.name }}</li>{% endfor %}</ul>'
        '<p id="upload">{{ uploads.values.name }} {{ uploads.values.max_entries }}</p>'
    )

    def mount(self, params, session, socket):
        socket.stream("items", [{"id": 1, "name": "an item"}])
        socket.stream("keys", [{"id": 1, "name": "a key"}])
        socket.allow_upload("values", accept="any", max_entries=3)

    def handle_event(self, event, params, socket):
        socket.stream_insert("items", {"id": 2, "name": "another item"})


@pytest.fixture
def app():
    app = App(secret_key="streams")
    app.live("/dict-names", DictNames)
    app.live("/songs", Songs)
    app.live("/logs", Logs)
    return app


def items(view) -> list[str]:
    return [node.text() for node in view.document().select("#songs li")]


async def test_insert_update_delete_reset_and_limit(live):
    view, html = await live("/songs")
    assert items(view) == ["one", "two"]
    await view.push_event({"type": "click", "event": "append", "value": {}})
    await view.push_event({"type": "click", "event": "prepend", "value": {}})
    assert items(view) == ["song 4", "one", "two", "song 3"]
    await view.push_event({"type": "click", "event": "rename", "value": {"id": "1", "title": "uno"}})
    assert items(view) == ["song 4", "uno", "two", "song 3"]  # updated in place
    await view.push_event({"type": "click", "event": "delete", "value": {"id": "2"}})
    assert items(view) == ["song 4", "uno", "song 3"]
    await view.push_event({"type": "click", "event": "note", "value": {"text": "hi"}})
    assert items(view) == ["song 4", "uno", "song 3"]  # a render without stream changes keeps the items
    await view.push_event({"type": "click", "event": "top3", "value": {}})
    assert items(view) == ["song 5", "song 4", "uno"]  # inserted at the top, the rest cut to 3
    await view.push_event({"type": "click", "event": "reset", "value": {}})
    assert items(view) == ["nine"]


async def test_streams_in_components(live):
    view, html = await live("/logs")
    button = view.element("#log-a button")
    await button.render_click()
    await button.render_click()
    assert [n.text() for n in view.document().select("#lines-a li")] == ["entry 2", "entry 1", "start"]
    assert view.has_element("#line-2")


def test_items_need_a_dom_id():
    from liveui import Socket

    with pytest.raises(ValueError, match="stream 'xs': the item {'name': 'no id'} has no `id` key or attribute"):
        Socket(view_id="v", connected=True).stream("xs", [{"name": "no id"}])


# -- the wire --------------------------------------------------------------------------------


async def test_only_new_items_travel_with_their_instructions(app):
    async with WireClient.memory(app, "/songs") as client:
        joined = (await client.join())["response"]["rendered"]
        assert joined["0"]["stream"] == ["0", [["songs-1", -1, None, False], ["songs-2", -1, None, False]], []]
        assert joined["0"]["k"]["kc"] == 2
        reply = await client.event("top3")
        assert reply["response"]["diff"] == {
            "0": {"k": {"0": {"0": "songs-3", "1": "song 3"}, "kc": 1}, "stream": ["0", [["songs-3", 0, 3, False]], []]}
        }
        reply = await client.event("delete", {"id": "1"})
        assert reply["response"]["diff"] == {"0": {"k": {"kc": 0}, "stream": ["0", [], ["songs-1"]]}}
        reply = await client.event("reset")
        assert reply["response"]["diff"]["0"]["stream"] == ["0", [["songs-9", -1, None, False]], [], True]
        assert await client.event("note", {"text": "x"}) == {"status": "ok", "response": {"diff": {"1": "x"}}}


async def test_the_server_keeps_no_items(app):
    """100,000 items streamed through a view: the process does not grow with them (kept, they
    would take well over 20 MB here)."""
    async with WireClient.memory(app, "/songs") as client:
        await client.join()
        for _ in range(10):  # warm up: allocator pools, caches, prints
            await client.event("bulk", {"n": "1000"})
        gc.collect()
        before = rss()
        for _ in range(100):
            await client.event("bulk", {"n": "1000"})
        gc.collect()
        grown = rss() - before
        assert grown < 4_000_000, f"the process grew {grown} bytes while streaming 100,000 items"


def rss() -> int:
    """This process's resident memory now, in bytes."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


async def test_streams_and_uploads_named_like_dict_methods(live):
    view, _ = await live("/dict-names")
    await view.render_hook("more", {})
    assert [n.text() for n in view.document().select("#items li")] == ["an item", "another item"]
    assert [n.text() for n in view.document().select("#keys li")] == ["a key"]
    assert view.document().one("#upload").text() == "values 3"
