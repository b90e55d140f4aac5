"""Exact wire diffs of the diff engine (phoenix_live_view 1.2 format, docs/protocol.md §4)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from liveui.diff import Differ
from liveui.template import from_string

PAGE = from_string(
    "<p>{{ count }}</p>{% if show %}<b>{{ name }}</b>{% endif %}"
    '<ul>{% for r in rows %}<li id="{{ r.id }}">{{ r.name }}</li>{% endfor %}</ul>'
)
LI = ['<li id="', '">', "</li>"]


def rows(*names: str) -> list[dict[str, Any]]:
    return [{"id": name, "name": name.upper()} for name in names]


def entry(name: str) -> dict[str, str]:
    return {"0": name, "1": name.upper()}


def start(template: Any = PAGE, **assigns: Any) -> tuple[Differ, dict[str, Any], dict[str, Any]]:
    differ = Differ()
    first = differ.render(template, assigns, None)
    return differ, assigns, first


def step(differ: Differ, template: Any, assigns: dict[str, Any], **changes: Any) -> dict[str, Any]:
    assigns.update(changes)
    return differ.render(template, assigns, set(changes))


def test_first_render_is_full() -> None:
    _, _, first = start(count=1, show=True, name="<n>", rows=rows("a", "b"))
    assert first == {
        "s": ["<p>", "</p>", "<ul>", "</ul>"],
        "0": "1",
        "1": {"s": ["<b>", "</b>"], "0": "&lt;n&gt;"},
        "2": {"s": LI, "k": {"0": entry("a"), "1": entry("b"), "kc": 2}},
    }
    json.dumps(first)  # the diff is plain JSON


def test_one_assign_change() -> None:
    differ, assigns, _ = start(count=1, show=True, name="n", rows=rows("a"))
    assert step(differ, PAGE, assigns, count=2) == {"0": "2"}
    assert step(differ, PAGE, assigns, name="m") == {"1": {"0": "m"}}


def test_unchanged_render_is_empty() -> None:
    differ, assigns, _ = start(count=1, show=True, name="n", rows=rows("a"))
    assert differ.render(PAGE, assigns, set()) == {}
    assert step(differ, PAGE, assigns, count=1) == {"0": "1"}  # told it changed: sent again
    assert differ.render(PAGE, assigns, {"unrelated"}) == {}


def test_everything_changed_resends_dynamics_not_statics() -> None:
    differ, assigns, _ = start(count=1, show=True, name="n", rows=rows("a"))
    assert differ.render(PAGE, assigns, None) == {"0": "1", "1": {"0": "n"}, "2": {"k": {"0": entry("a"), "kc": 1}}}


def test_if_false_then_true_again() -> None:
    differ, assigns, _ = start(count=1, show=True, name="n", rows=[])
    assert step(differ, PAGE, assigns, show=False) == {"1": ""}
    assert step(differ, PAGE, assigns, count=2) == {"0": "2"}
    assert step(differ, PAGE, assigns, name="m") == {"1": ""}  # the `if` reads name: re-evaluated, still empty
    assert step(differ, PAGE, assigns, show=True) == {"1": {"s": ["<b>", "</b>"], "0": "m"}}
    assert step(differ, PAGE, assigns, name="k") == {"1": {"0": "k"}}


def test_if_branch_switch_resends_statics() -> None:
    t = from_string("{% if n == 1 %}<i>{{ a }}</i>{% elif n == 2 %}<b>{{ a }}!</b>{% else %}{{ a }}{% endif %}")
    differ, assigns, first = start(t, n=1, a="x")
    assert first == {"s": ["", ""], "0": {"s": ["<i>", "</i>"], "0": "x"}}
    assert step(differ, t, assigns, n=2) == {"0": {"s": ["<b>", "!</b>"], "0": "x"}}
    assert step(differ, t, assigns, a="y") == {"0": {"0": "y"}}
    assert step(differ, t, assigns, n=3) == {"0": {"s": ["", ""], "0": "y"}}
    assert step(differ, t, assigns, n=1) == {"0": {"s": ["<i>", "</i>"], "0": "y"}}


def test_for_append() -> None:
    differ, assigns, _ = start(count=0, show=False, name="", rows=rows("a", "b"))
    assert step(differ, PAGE, assigns, rows=rows("a", "b", "c")) == {"2": {"k": {"2": entry("c"), "kc": 3}}}


def test_for_remove() -> None:
    differ, assigns, _ = start(count=0, show=False, name="", rows=rows("a", "b", "c"))
    assert step(differ, PAGE, assigns, rows=rows("a", "b")) == {"2": {"k": {"kc": 2}}}
    assert step(differ, PAGE, assigns, rows=rows("b")) == {"2": {"k": {"0": 1, "kc": 1, "km": True}}}


def test_for_change_one_item_in_place() -> None:
    differ, assigns, _ = start(count=0, show=False, name="", rows=rows("a", "b", "c"))
    assigns["rows"][1]["name"] = "changed"  # mutated in place, then re-assigned
    # a re-rendered entry is sent whole (entries are compared by their data, not slot by slot)
    assert step(differ, PAGE, assigns, rows=assigns["rows"]) == {"2": {"k": {"1": {"0": "b", "1": "changed"}, "kc": 3}}}
    assert step(differ, PAGE, assigns, rows=assigns["rows"]) == {}


def test_for_change_item_id_is_a_new_entry() -> None:
    differ, assigns, _ = start(count=0, show=False, name="", rows=rows("a", "b"))
    assert step(differ, PAGE, assigns, rows=rows("a", "x")) == {"2": {"k": {"1": entry("x"), "kc": 2}}}


def test_for_reorder_sends_moves() -> None:
    differ, assigns, _ = start(count=0, show=False, name="", rows=rows("a", "b", "c"))
    assert step(differ, PAGE, assigns, rows=rows("c", "a", "b")) == {
        "2": {"k": {"0": 2, "1": 0, "2": 1, "kc": 3, "km": True}}
    }


def test_for_move_and_change() -> None:
    differ, assigns, _ = start(count=0, show=False, name="", rows=rows("a", "b"))
    new = rows("b", "a")
    new[0]["name"] = "B!"
    assert step(differ, PAGE, assigns, rows=new) == {
        "2": {"k": {"0": [1, {"0": "b", "1": "B!"}], "1": 0, "kc": 2, "km": True}}
    }


def test_for_insert_at_front() -> None:
    differ, assigns, _ = start(count=0, show=False, name="", rows=rows("a", "b"))
    assert step(differ, PAGE, assigns, rows=rows("z", "a", "b")) == {
        "2": {"k": {"0": entry("z"), "1": 0, "2": 1, "kc": 3, "km": True}}
    }


def test_for_emptied_and_refilled() -> None:
    differ, assigns, _ = start(count=0, show=False, name="", rows=rows("a"))
    assert step(differ, PAGE, assigns, rows=[]) == {"2": {"k": {"kc": 0}}}
    assert step(differ, PAGE, assigns, rows=[]) == {}
    assert step(differ, PAGE, assigns, rows=rows("b")) == {"2": {"k": {"0": entry("b"), "kc": 1}}}


def test_for_first_render_empty() -> None:
    differ, assigns, first = start(count=0, show=False, name="", rows=[])
    assert first["2"] == ""
    assert step(differ, PAGE, assigns, rows=rows("a")) == {"2": {"s": LI, "k": {"0": entry("a"), "kc": 1}}}


def test_for_without_ids_is_keyed_by_position() -> None:
    t = from_string("{% for x in xs %}<i>{{ x }}</i>{% endfor %}")
    differ, assigns, first = start(t, xs=["a", "b"])
    assert first == {"s": ["", ""], "0": {"s": ["<i>", "</i>"], "k": {"0": {"0": "a"}, "1": {"0": "b"}, "kc": 2}}}
    assert step(differ, t, assigns, xs=["a", "c", "d"]) == {"0": {"k": {"1": {"0": "c"}, "2": {"0": "d"}, "kc": 3}}}


def test_for_items_with_id_attribute() -> None:
    @dataclass
    class Row:
        id: int
        name: str

    t = from_string("{% for r in rs %}<i>{{ r.name }}</i>{% endfor %}")
    a, b = Row(1, "a"), Row(2, "b")
    differ, assigns, _ = start(t, rs=[a, b])
    b.name = "B"
    assert step(differ, t, assigns, rs=[b, a]) == {"0": {"k": {"0": [1, {"0": "B"}], "1": 0, "kc": 2, "km": True}}}


def test_for_else() -> None:
    t = from_string("<ul>{% for x in xs %}<li>{{ x }}</li>{% else %}<em>{{ empty }}</em>{% endfor %}</ul>")
    differ, assigns, first = start(t, xs=[], empty="none")
    assert first == {"s": ["<ul>", "</ul>"], "0": {"s": ["<em>", "</em>"], "0": "none"}}
    assert step(differ, t, assigns, empty="nothing") == {"0": {"0": "nothing"}}
    assert step(differ, t, assigns, xs=[1]) == {"0": {"s": ["<li>", "</li>"], "k": {"0": {"0": "1"}, "kc": 1}}}
    assert step(differ, t, assigns, xs=[1, 2]) == {"0": {"k": {"1": {"0": "2"}, "kc": 2}}}
    assert step(differ, t, assigns, xs=[]) == {"0": {"s": ["<em>", "</em>"], "0": "nothing"}}


def test_loop_index_changes_follow_position() -> None:
    t = from_string("{% for r in rs %}<i>{{ loop.index }}:{{ r.id }}</i>{% endfor %}")
    differ, assigns, _ = start(t, rs=[{"id": "a"}, {"id": "b"}])
    assert step(differ, t, assigns, rs=[{"id": "b"}]) == {"0": {"k": {"0": [1, {"0": "1", "1": "b"}], "kc": 1, "km": True}}}


def test_nested_if_inside_for() -> None:
    t = from_string("{% for r in rs %}<li>{% if r.done %}<s>{{ r.t }}</s>{% else %}{{ r.t }}{% endif %}</li>{% endfor %}")
    differ, assigns, first = start(t, rs=[{"id": 1, "t": "a", "done": False}, {"id": 2, "t": "b", "done": True}])
    assert first == {"s": ["", ""], "0": {"s": ["<li>", "</li>"], "k": {
        "0": {"0": {"s": ["", ""], "0": "a"}},
        "1": {"0": {"s": ["<s>", "</s>"], "0": "b"}},
        "kc": 2,
    }}}
    assigns["rs"][0]["done"] = True
    assert step(differ, t, assigns, rs=assigns["rs"]) == {
        "0": {"k": {"0": {"0": {"s": ["<s>", "</s>"], "0": "a"}}, "kc": 2}}
    }
    assigns["rs"][0]["t"] = "A"
    assert step(differ, t, assigns, rs=assigns["rs"]) == {"0": {"k": {"0": {"0": {"0": "A"}}, "kc": 2}}}


def test_nested_for_inside_for() -> None:
    t = from_string("{% for g in gs %}<ul>{% for x in g.xs %}<li>{{ x }}</li>{% endfor %}</ul>{% endfor %}")
    differ, assigns, first = start(t, gs=[{"id": 1, "xs": ["a"]}, {"id": 2, "xs": []}])
    assert first == {"s": ["", ""], "0": {"s": ["<ul>", "</ul>"], "k": {
        "0": {"0": {"s": ["<li>", "</li>"], "k": {"0": {"0": "a"}, "kc": 1}}},
        "1": {"0": ""},
        "kc": 2,
    }}}
    assigns["gs"][1]["xs"].append("b")
    assert step(differ, t, assigns, gs=assigns["gs"]) == {
        "0": {"k": {"1": {"0": {"s": ["<li>", "</li>"], "k": {"0": {"0": "b"}, "kc": 1}}}, "kc": 2}}
    }
    assigns["gs"][0]["xs"].append("c")
    assert step(differ, t, assigns, gs=assigns["gs"]) == {
        "0": {"k": {"0": {"0": {"k": {"0": {"0": "a"}, "1": {"0": "c"}, "kc": 2}}}, "kc": 2}}
    }


def test_outer_assign_in_loop_body_rerenders_entries() -> None:
    t = from_string("{% for r in rs %}<i>{{ r.id }}{{ sep }}</i>{% endfor %}{{ other }}")
    differ, assigns, _ = start(t, rs=[{"id": 1}, {"id": 2}], sep=",", other=0)
    assert step(differ, t, assigns, other=1) == {"1": "1"}
    assert step(differ, t, assigns, sep=";") == {
        "0": {"k": {"0": {"0": "1", "1": ";"}, "1": {"0": "2", "1": ";"}, "kc": 2}}
    }


def test_duplicate_ids_still_render_every_item() -> None:
    t = from_string("{% for r in rs %}<i>{{ r.v }}</i>{% endfor %}")
    differ, assigns, first = start(t, rs=[{"id": 1, "v": "a"}, {"id": 1, "v": "b"}])
    assert first["0"]["k"] == {"0": {"0": "a"}, "1": {"0": "b"}, "kc": 2}
    diff = step(differ, t, assigns, rs=[{"id": 1, "v": "a"}, {"id": 1, "v": "c"}])
    assert diff == {"0": {"k": {"1": {"0": "c"}, "kc": 2}}}


def test_large_table_one_row_change_sends_one_entry() -> None:
    t = from_string(
        "<table>{% for r in rows %}<tr id=\"row-{{ r.id }}\"><td>{{ r.name }}</td><td>{{ r.value }}</td></tr>"
        "{% endfor %}</table>"
    )
    table = [{"id": i, "name": f"row {i}", "value": i * 3} for i in range(1000)]
    differ, assigns, first = start(t, rows=table)
    assert first["0"]["k"]["kc"] == 1000
    table[500]["value"] = "changed"
    diff = step(differ, t, assigns, rows=table)
    assert diff == {"0": {"k": {"500": {"0": "500", "1": "row 500", "2": "changed"}, "kc": 1000}}}
    assert len(json.dumps(diff)) < 300


def test_reset_makes_next_render_full() -> None:
    differ, assigns, first = start(count=1, show=True, name="n", rows=rows("a"))
    assert differ.render(PAGE, assigns, set()) == {}
    differ.reset()
    assert differ.render(PAGE, assigns, set()) == first


def test_other_template_is_a_full_render() -> None:
    other = from_string("<div>{{ count }}</div>")
    differ, assigns, _ = start(count=1, show=True, name="n", rows=[])
    assert differ.render(other, assigns, set()) == {"s": ["<div>", "</div>"], "0": "1"}


def test_macro_call_is_a_nested_node_with_its_own_slots() -> None:
    t = from_string(
        "{% macro card(title) %}<div><h2>{{ title }}</h2><p>{{ body }}</p>{{ caller() if caller }}</div>{% endmacro %}"
        "<main>{{ card(heading) }}{% call card('c') %}{{ body }}!{% endcall %}</main>"
    )
    differ = Differ()
    assigns = {"heading": "H", "body": "b"}
    card = ["<div><h2>", "</h2><p>", "</p>", "</div>"]
    assert differ.render(t, assigns, None) == {
        "0": {"0": "H", "1": "b", "2": "", "s": card},
        "1": {"0": "c", "1": "b", "2": "b!", "s": card},
        "s": ["<main>", "", "</main>"],
    }
    assigns["body"] = "B"
    assert differ.render(t, assigns, {"body"}) == {
        "0": {"0": "H", "1": "B", "2": ""},
        "1": {"0": "c", "1": "B", "2": "B!"},
    }
    assigns["heading"] = "H2"
    assert differ.render(t, assigns, {"heading"}) == {"0": {"0": "H2", "2": ""}}


def test_a_name_that_is_no_assign_is_unchanged_until_assigned() -> None:
    """`{{ pre_script }}` with no such assign (an optional one): sent once, then only when it
    becomes an assign; in a slot, an `if` and a loop body alike."""
    page = from_string(
        "<p>{{ count }}</p>{{ pre_script }}{% if pre_script %}<i>{{ pre_script }}</i>{% endif %}"
        '<ul>{% for r in rows %}<li id="{{ r.id }}">{{ r.name }}{{ suffix }}</li>{% endfor %}</ul>'
    )
    differ, assigns, _ = start(page, count=1, rows=rows("a"))
    assert step(differ, page, assigns, count=2) == {"0": "2"}
    assert differ.render(page, assigns, set()) == {}
    assert step(differ, page, assigns, pre_script="<s>") == {
        "1": "&lt;s&gt;", "2": {"s": ["<i>", "</i>"], "0": "&lt;s&gt;"}}
    assert step(differ, page, assigns, suffix="!") == {"3": {"k": {"0": {"0": "a", "1": "A", "2": "!"}, "kc": 1}}}


def test_a_name_a_child_template_sets_is_still_tracked(tmp_path) -> None:
    """A layout reading a name that the template extending it `set`s: re-evaluated each render."""
    from liveui.template import load

    (tmp_path / "layout.html.j2").write_text("<title>{{ title }}</title><main>{% block main %}{% endblock %}</main>")
    (tmp_path / "child.html.j2").write_text(
        '{% extends "layout.html.j2" %}{% set title = "Page " ~ count %}{% block main %}{{ count }}{% endblock %}')
    child = load(str(tmp_path / "child.html.j2"))
    differ, assigns, _ = start(child, count=1)
    assert step(differ, child, assigns, count=2) == {"0": "Page 2", "1": "2"}
