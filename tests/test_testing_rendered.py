"""liveui.testing.rendered against the official client: the same diffs into phoenix_live_view's
own `Rendered` (npm 1.2.12, through tests/js/rendered_harness.mjs) and into ours; after every
step both must render the same HTML, compared without the attributes the client injects.

Diffs come from our server (the scripted and seeded-random sequences of test_client_merge.py)
and from hand-written sequences for what our server does not emit yet: `"p"` templates with
integer statics, components with statics sharing, keyed moves, streams, top-level `"s"`
rebuilding the components, top-level `"r"`/`"e"`/`"t"`. Where the client throws, ours must raise.
"""

from __future__ import annotations

import copy
import json
import random
import re
from collections.abc import Iterator
from typing import Any

import pytest

from liveui.diff import Differ
from liveui.template import from_string
from liveui.testing.rendered import DiffError, Rendered, extract
from official_client import Harness, running
from test_client_merge import BOARD, PAGE, TODO, Ids, View, items, mutate_board, mutate_todo, run_random


# What the harness strips from the client's HTML (its INJECTED): strip the same from ours.
INJECTED = re.compile(r' data-phx-(?:id|component|view)="[^"]*"| data-phx-skip(?:="[^"]*")?')


def strip_injected(html: str) -> str:
    return INJECTED.sub("", html)


@pytest.fixture(scope="module")
def harness() -> Iterator[Harness]:
    with running() as started:
        yield started


class Twin:
    """The official client and our `Rendered` fed the same diffs; their HTML must agree each step.

    Quacks like test_client_merge's harness client (`reset`, `apply`), so its `View` and
    `run_random` drive both at once.

    The harness renders like a patch: a component absent from the diff's `"c"` comes out as an
    empty skip placeholder (the DOM keeps its content), while ours renders it in full. So the
    client's copy of each later diff lists every component it holds with an empty diff
    (`{}`, which changes nothing), making it render them all. Root-flagged nodes of the main
    tree are also skipped by the client when a diff leaves them untouched; the hand-written
    diffs below touch or replace them whenever they carry one.
    """

    def __init__(self, harness: Harness) -> None:
        self.harness = harness
        self.rendered: Rendered | None = None
        self.steps = 0

    def reset(self) -> str:
        """The next diff is a join."""
        self.rendered = None
        self.steps = 0
        reply = self.harness.ask("reset")
        assert reply.get("ok"), reply
        return reply["version"]

    def apply(self, diff: dict[str, Any]) -> str:
        """Apply `diff` to both; return the client's HTML once ours is checked equal to it."""
        sent = copy.deepcopy(diff)
        body, _, _, _ = extract(diff)
        if self.rendered is None:
            for_client = diff
            self.rendered = Rendered("phx-test", body)
        else:
            for_client = self._unskipped(diff, self.rendered.component_cids())
            self.rendered.merge(body)
        assert diff == sent, "extract/Rendered modified the diff they were given"
        reply = self.harness.ask(for_client)
        if "error" in reply:
            pytest.fail(f"step {self.steps}: the client failed on {json.dumps(diff)}:\n{reply['error']}")
        ours = strip_injected(self.rendered.to_html())
        assert ours == reply["html"], (
            f"step {self.steps}: Rendered differs from the client (an empty element on the client's side"
            f" may be a skip placeholder)\ndiff: {json.dumps(diff)}\nclient: {reply['html']}\nours:   {ours}"
        )
        self.steps += 1
        return reply["html"]

    def apply_all(self, *diffs: dict[str, Any]) -> str:
        html = ""
        for diff in diffs:
            html = self.apply(diff)
        return html

    def rejects(self, diff: dict[str, Any], message: str) -> None:
        """The client throws on `diff` and ours raises DiffError matching `message`; both start over."""
        body, _, _, _ = extract(diff)
        for_client = diff if self.rendered is None else self._unskipped(diff, self.rendered.component_cids())
        with pytest.raises(DiffError, match=message):
            if self.rendered is None:
                Rendered("phx-test", body)
            else:
                self.rendered.merge(body)
        reply = self.harness.ask(for_client)
        assert "error" in reply, f"the client accepted {json.dumps(diff)}: {reply}"
        self.rendered = None

    @staticmethod
    def _unskipped(diff: dict[str, Any], cids: list[int]) -> dict[str, Any]:
        if "s" in diff or not cids:  # a top-level "s" rebuilds the components from the diff
            return diff
        return {**diff, "c": {**{str(cid): {} for cid in cids}, **diff.get("c", {})}}


@pytest.fixture
def twin(harness: Harness) -> Twin:
    twin = Twin(harness)
    twin.reset()
    return twin


# -- our server's diffs --------------------------------------------------------------------


def test_server_page_sequence(twin: Twin) -> None:
    assigns = {"title": "<T>", "show": True, "cls": "a", "name": "n", "rows": items("a", "b")}
    view = View(twin, from_string(PAGE), assigns)
    for changes in [{"title": "T2"}, {"show": False}, {"name": "x"}, {"show": True}, {"rows": items("a", "b", "c")},
                    {"rows": items("c", "a", "b")}, {"rows": items("b")}, {"rows": []}, {"rows": items("x", "y")}]:
        view.step(changes)
    view.everything()
    view.reset()
    view.step({"rows": items("y", "x", "z")})


def test_server_random_todo(twin: Twin) -> None:
    ids = Ids()
    assigns = {"title": "Todo", "show_count": True, "items": [], "selected": None, "words": ["alpha"]}
    run_random(View(twin, TODO, assigns), random.Random(4321), lambda r, a: mutate_todo(r, a, ids), 200)


def test_server_random_board(twin: Twin) -> None:
    ids = Ids()
    assigns = {"columns": [], "mark": "!", "footer": ""}
    run_random(View(twin, BOARD, assigns), random.Random(17), lambda r, a: mutate_board(r, a, ids), 200)


def test_differ_output_needs_no_json_round_trip() -> None:
    """Our server's diffs as Python objects (Markup strings) are taken as they are."""
    template = from_string(PAGE)
    assigns = {"title": "<T>", "show": True, "cls": "a", "name": "n", "rows": items("a", "b")}
    differ = Differ()
    rendered = Rendered("v", differ.render(template, assigns, None))
    assigns["rows"] = items("b", "c", "a")
    rendered.merge(differ.render(template, assigns, {"rows"}))
    assert rendered.to_html() == template.render(assigns)


# -- templates "p" -------------------------------------------------------------------------

IF = ['<p class="note">Count: ', "</p>"]
LI = ["<li>", "</li>"]
PAGE_STATICS = ['<div id="root"><h1>', "</h1>", "<ul>", "</ul>", "</div>"]


def test_templates_resolve_through_the_nearest_p(twin: Twin) -> None:
    twin.apply_all(
        # 1.1+ join: all statics in the root "p"
        {"0": "Hello", "1": {"0": "3", "s": 0}, "2": {"s": 1, "k": {"0": {"0": "a"}, "1": {"0": "b"}, "kc": 2}},
         "3": "", "s": 2, "p": {"0": IF, "1": LI, "2": PAGE_STATICS}, "t": "Demo"},
        # a later "p" covers only the integer statics of its own diff
        {"1": {"0": "4", "s": 0}, "p": {"0": ["<em>", "</em>"]}},
        # no enclosing "p" any more: new entries resolve through the comprehension's own "p"
        {"2": {"k": {"2": {"0": {"s": 0, "0": "x"}}, "kc": 3}, "p": {"0": ["<b>", "</b>"]}}},
        # an enclosing "p" wins over the comprehension's own for its entries
        {"p": {"0": ["<i>", "</i>"]},
         "2": {"k": {"3": {"0": {"s": 0, "0": "y"}}, "kc": 4}, "p": {"0": ["<u>", "</u>"]}}},
        # a plain node's own "p" wins over the enclosing one
        {"p": {"0": ["<i>", "</i>"]}, "3": {"s": 0, "0": {"s": 0, "0": "z"}, "p": {"0": ["<q>", "</q>"]}}},
        # resolved statics are kept: entries merged later need no "p"
        {"1": {"0": "5"}, "2": {"k": {"0": {"0": "A"}, "kc": 4}}, "3": {"0": {"0": "Z"}}},
    )
    assert twin.rendered is not None
    assert twin.rendered.to_html() == (
        '<div id="root"><h1>Hello</h1><em>5</em><ul><li>A</li><li>b</li><li><b>x</b></li><li><i>y</i></li></ul>'
        "<q><q>Z</q></q></div>"
    )


def test_comprehension_statics_resolve_only_through_an_enclosing_p(twin: Twin) -> None:
    twin.rejects({"s": ["<ul>", "</ul>"], "0": {"s": 0, "p": {"0": LI}, "k": {"0": {"0": "a"}, "kc": 1}}}, "template")


def test_integer_statics_without_p_are_rejected(twin: Twin) -> None:
    twin.apply({"s": ["<div>", "</div>"], "0": ""})
    twin.rejects({"0": {"s": 3, "0": "x"}}, "template")


# -- components ----------------------------------------------------------------------------

SPAN = ['<span id="c">n=', "</span>"]
CARD = ['\n  <!-- card -->\n  <div class="card">', "<ul>", "</ul></div>\n"]


def test_components_and_statics_sharing(twin: Twin) -> None:
    twin.apply_all(
        {"s": ["<main>", "|", "|", "</main>"], "0": 1, "1": 2, "2": "",
         "c": {"1": {"0": "3", "s": SPAN, "r": 1}, "2": {"0": "4", "s": 1}}},  # +1: statics of this diff's 1
        {"c": {"1": {"0": "5"}}},  # component-only
        {"2": 3, "c": {"3": {"0": "9", "s": -1}}},  # -1: statics of the cached 1
        {"c": {"4": {"s": 3, "0": "10"}, "3": {"s": -2, "0": "11"}}, "0": 4},  # +3 sees 3 as merged in this diff
        {"1": "", "c": {"2": {"0": "12"}}},
        {"1": 2},  # back on the page unchanged
    )
    assert twin.rendered is not None
    assert twin.rendered.component_cids() == [1, 2, 3, 4]
    assert twin.rendered.to_html() == (
        '<main><span data-phx-component="4" id="c">n=10</span>|<span data-phx-component="2" id="c">n=12</span>'
        '|<span data-phx-component="3" id="c">n=11</span></main>'
    )


def test_nested_components_with_keyed_rows_and_templates(twin: Twin) -> None:
    rows = {"s": 0, "k": {"0": {"0": "a", "1": 2}, "1": {"0": "b", "1": 3}, "kc": 2}}
    leaf = {"s": ["<i>", "</i>"], "r": 1}
    twin.apply_all(
        {"s": ["", ""], "0": 1,
         "c": {"1": {"s": CARD, "r": 1, "p": {"0": ["<li>", "", "</li>"]}, "0": "title", "1": rows},
               "2": {**leaf, "0": "x"}, "3": {"s": 2, "0": "y"}}},
        {"c": {"1": {"1": {"k": {"0": 1, "1": [0, {"0": "A"}], "kc": 2, "km": True}}}, "3": {"0": "Y"}}},
        {"c": {"1": {"1": {"k": {"2": {"0": "c", "1": 4}, "kc": 3}}}, "4": {"s": -2, "0": "z"}}},
        {"c": {"1": {"0": "<b>new</b>", "1": {"k": {"0": 2, "kc": 1, "km": True}}}}},
    )
    assert twin.rendered is not None
    assert twin.rendered.to_html() == (
        '\n  <!-- card -->\n  <div data-phx-component="1" class="card"><b>new</b><ul>'
        '<li>c<i data-phx-component="4">z</i></li></ul></div>\n'
    )


def test_top_level_statics_rebuild_the_components(twin: Twin) -> None:
    twin.apply_all(
        {"s": ["<p>", "</p>"], "0": 1, "c": {"1": {"s": SPAN, "r": 1, "0": "1"}, "2": {"s": 1, "0": "2"}}},
        {"s": ["<section>", "</section>"], "0": 3, "c": {"3": {"s": SPAN, "r": 1, "0": "3"}}},
    )
    assert twin.rendered is not None
    assert twin.rendered.component_cids() == [3]
    twin.rejects({"s": ["<p>", "</p>"], "0": 4, "c": {"4": {"s": -3, "0": "4"}}}, "not held by the client")


def test_component_without_root_flag_gets_no_attribute(twin: Twin) -> None:
    html = twin.apply({"s": ["", ""], "0": 1, "c": {"1": {"s": ["plain ", " text"], "0": "1"}}})
    assert twin.rendered is not None and twin.rendered.to_html() == html == "plain 1 text"


def test_component_errors(twin: Twin) -> None:
    twin.rejects({"s": ["", ""], "0": 7}, "no component for CID 7")
    twin.reset()
    twin.rejects({"s": ["", ""], "0": 1, "c": {"1": {"s": ["text <b>", "</b>"], "0": "", "r": 1}}}, "malformed")
    twin.reset()
    twin.rejects({"s": ["", ""], "0": 1, "c": {"1": {"s": 5, "0": "x"}}}, "not in this diff")


# -- keyed comprehensions ------------------------------------------------------------------


def test_keyed_moves_merges_and_drops(twin: Twin) -> None:
    def entry(name: str, tags: list[str]) -> dict[str, Any]:
        """An `<li>` entry: a name, then a nested keyed comprehension of `<em>` tags."""
        ems = {str(i): {"0": tag} for i, tag in enumerate(tags)}
        return {"0": name, "1": {"s": ["<em>", "</em>"], "k": {**ems, "kc": len(tags)}}}

    rows = {"0": entry("a", ["x"]), "1": entry("b", []), "2": entry("c", ["y", "z"]), "kc": 3}
    twin.apply_all(
        {"s": ["<ul>", "</ul>"], "0": {"s": ["<li>", "", "</li>"], "k": rows}},
        {"0": {"k": {"0": 1, "1": [0, {"0": "A"}], "kc": 3, "km": True}}},
        {"0": {"k": {"0": [2, {"1": {"k": {"0": 1, "1": 0, "kc": 2, "km": True}}}], "2": 0, "kc": 3, "km": True}}},
        {"0": {"k": {"1": {"1": {"k": {"1": {"0": "w"}, "kc": 2}}}, "3": entry("d", ["v"]), "kc": 4}}},
        {"0": {"k": {"0": 3, "kc": 2, "km": True}}},
        {"0": {"k": {"1": {"1": {"s": ["<b>", "</b>"], "0": "replaced"}}, "kc": 2}}},
        {"0": {"k": {"kc": 0}}},
        {"0": {"k": {"0": entry("e", []), "kc": 1}}},
    )
    assert twin.rendered is not None and twin.rendered.to_html() == "<ul><li>e</li></ul>"


def test_entries_past_kc_are_dropped(twin: Twin) -> None:
    """A position emptied and filled again holds a new entry, not the old one merged."""
    def entry(name: str) -> dict[str, Any]:
        return {"0": name, "1": {"s": ["<em>", "</em>"], "0": name.upper()}}

    twin.apply_all(
        {"s": ["", ""], "0": {"s": ["<li>", "", "</li>"], "k": {"0": entry("a"), "1": entry("b"), "kc": 2}}},
        {"0": {"k": {"kc": 1}}},
        {"0": {"k": {"1": {"0": "c", "1": {"k": {"kc": 0}}}, "kc": 2}}},  # an empty comprehension needs no statics
    )
    twin.apply({"0": {"k": {"kc": 1}}})
    twin.rejects({"0": {"k": {"1": {"0": "d", "1": {"0": "partial"}}, "kc": 2}}}, "without statics")


def test_keyed_move_without_km_is_rejected(twin: Twin) -> None:
    twin.apply({"s": ["", ""], "0": {"s": LI, "k": {"0": {"0": "a"}, "1": {"0": "b"}, "kc": 2}}})
    twin.rejects({"0": {"k": {"0": 1, "1": 0, "kc": 2}}}, "km")


# -- streams, root flags, extraction -------------------------------------------------------

SONG = ['<li id="', '">', "</li>"]


def test_streams_render_the_latest_inserts_only(twin: Twin) -> None:
    def songs(*ids: str, deletes: tuple[str, ...] = (), reset: bool = False) -> dict[str, Any]:
        """A stream update: inserts (appended) of `ids`, then `deletes`, as our server would send them."""
        stream: list[Any] = ["0", [[i, -1, None, False] for i in ids], list(deletes)] + ([True] if reset else [])
        entries = {str(n): {"0": i, "1": i.upper()} for n, i in enumerate(ids)}
        return {"k": {**entries, "kc": len(ids)}, "stream": stream}

    twin.apply_all(
        {"s": ['<ul id="songs" phx-update="stream">', "</ul><p>", "</p>"],
         "0": {"s": SONG, **songs("s1", "s2")}, "1": "2 songs"},
        {"1": "2 songs!"},  # rendered items are gone from the tree: only the DOM has them
        {"0": songs("s3"), "1": "3 songs"},
        {"0": songs(deletes=("s1",)), "1": "2 songs"},
        {"1": "still 2"},
        {"0": songs("s9", reset=True)},
    )
    assert twin.rendered is not None
    assert twin.rendered.to_html() == '<ul id="songs" phx-update="stream"><li id="s9">S9</li></ul><p>still 2</p>'
    assert twin.rendered.to_html() == twin.rendered.to_html(), "to_html renders once per diff, not per call"


def test_root_flagged_nodes_of_the_main_tree(twin: Twin) -> None:
    twin.apply_all(
        {"s": ["<div>", "", "</div>"], "0": {"s": ["<!-- x --> <p>", "</p> tail"], "0": "a", "r": 1}, "1": "1"},
        {"0": {"0": "b"}, "1": "2"},
        {"0": {"s": ["<hr>"], "r": 1}, "1": "3"},
    )
    twin.rejects({"0": {"s": ["no tag ", ""], "0": "c", "r": 1}}, "malformed")


def test_extraction_and_top_level_r(twin: Twin) -> None:
    join = {"s": ["<p>", "</p>"], "0": "x", "r": 1, "t": "Title", "e": [["hello", {"a": 1}]]}
    assert extract(join) == ({"s": ["<p>", "</p>"], "0": "x"}, 1, [["hello", {"a": 1}]], "Title")
    assert extract({"0": "y", "r": 0, "e": None}) == ({"0": "y"}, None, [], None)
    assert extract({"r": {}, "t": ""}) == ({}, {}, [], "")
    twin.apply_all(join, {"0": "y", "r": {"ok": True}, "t": "T2"}, {"e": [["ping", {}]], "0": "z"})


def test_an_empty_diff_keeps_the_last_render() -> None:
    rendered = Rendered("v", {"s": ["<ul>", "</ul>"], "0": {"s": SONG, "k": {"0": {"0": "a", "1": "A"}, "kc": 1},
                                                             "stream": ["0", [["a", -1, None, False]], []]}})
    rendered.merge({})
    assert rendered.to_html() == '<ul><li id="a">A</li></ul>'
    rendered.merge({"0": {"k": {"kc": 0}, "stream": ["0", [], ["a"]]}})
    assert rendered.to_html() == "<ul></ul>"
