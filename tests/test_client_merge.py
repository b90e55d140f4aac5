"""The official client as judge: after every diff, the HTML that phoenix_live_view's own
`Rendered` (npm 1.2.12) builds from our diffs must equal our dead render of the same assigns.

One Node process (tests/js/rendered_harness.mjs) serves the whole module.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from liveui.diff import Differ
from liveui.template import Template, from_string, load
from official_client import Harness, running



class Client:
    """The official client, one view at a time: `reset` starts a view, `apply` merges a diff."""

    def __init__(self, harness: Harness) -> None:
        self.harness = harness

    def reset(self) -> str:
        """The next diff is a join: a fresh `Rendered`. Returns the client's version."""
        reply = self.harness.ask("reset")
        assert reply.get("ok"), reply
        return reply["version"]

    def apply(self, diff: dict[str, Any]) -> str:
        reply = self.harness.ask(diff)
        if "error" in reply:
            pytest.fail(f"the client failed on diff {json.dumps(diff)}:\n{reply['error']}")
        return reply["html"]


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with running() as harness:
        yield Client(harness)


class View:
    """One template rendered to the client diff by diff, checked after every step."""

    def __init__(self, client: Client, template: Template, assigns: dict[str, Any]) -> None:
        self.client = client
        self.template = template
        self.assigns = assigns
        self.differ = Differ()
        self.steps = 0
        client.reset()
        self._send(None)

    def step(self, changes: dict[str, Any]) -> dict[str, Any]:
        """New values for some assigns: those names changed."""
        self.assigns.update(changes)
        return self._send(set(changes))

    def touch(self, *names: str) -> dict[str, Any]:
        """Values mutated in place and re-assigned: changed though the same objects."""
        return self._send(set(names))

    def everything(self) -> dict[str, Any]:
        """A render told that every assign may have changed."""
        return self._send(None)

    def reset(self) -> dict[str, Any]:
        """A rejoin: the server forgets what the client held; the client starts over."""
        self.differ.reset()
        self.client.reset()
        return self._send(set())

    def _send(self, changed: set[str] | None) -> dict[str, Any]:
        diff = self.differ.render(self.template, self.assigns, changed)
        wire = json.loads(json.dumps(diff))
        html = self.client.apply(wire)
        expected = self.template.render(self.assigns)
        assert html == expected, (
            f"step {self.steps}: client HTML differs from the dead render\n"
            f"diff: {json.dumps(diff)}\nassigns: {self.assigns!r}"
        )
        self.steps += 1
        return diff


# -- scripted sequences --------------------------------------------------------------------

PAGE = (
    "<h1>{{ title }}</h1>{% if show %}<p class=\"{{ cls }}\">{{ name }}</p>{% endif %}"
    '<ul>{% for r in rows %}<li id="{{ r.id }}">{{ r.name }}</li>{% endfor %}</ul>'
)


def items(*names: str) -> list[dict[str, Any]]:
    return [{"id": n, "name": n.upper(), "done": False, "tags": []} for n in names]


def test_page_sequence(client: Client) -> None:
    view = View(client, from_string(PAGE), {"title": "<T>", "show": True, "cls": "a", "name": "n", "rows": items("a", "b")})
    view.step({"title": "T2"})
    view.step({"show": False})
    view.step({"name": "hidden"})
    view.step({"show": True})
    view.step({"cls": '"x"'})
    view.step({"rows": items("a", "b", "c")})
    view.step({"rows": items("c", "a", "b")})
    view.step({"rows": items("b")})
    view.step({"rows": []})
    view.step({"rows": []})
    view.step({"rows": items("x", "y")})
    view.assigns["rows"][0]["name"] = "changed"
    view.touch("rows")
    view.everything()
    view.touch()
    view.reset()
    view.step({"rows": items("y", "x", "z")})


def test_first_render_with_empty_list(client: Client) -> None:
    view = View(client, from_string(PAGE), {"title": "", "show": False, "cls": "", "name": "", "rows": []})
    view.step({"rows": items("a")})
    view.step({"rows": []})
    view.step({"rows": items("b", "a")})


def test_branch_switches(client: Client) -> None:
    t = from_string(
        "{% if n == 1 %}<i>{{ a }}</i>{% elif n == 2 %}<b>{{ a }}!{% if deep %}<u>{{ a }}</u>{% endif %}</b>"
        "{% else %}{{ a }}{% endif %}|{{ 'yes' if n > 1 else 'no' }}"
    )
    view = View(client, t, {"n": 1, "a": "x", "deep": True})
    for changes in [{"n": 2}, {"a": "y"}, {"deep": False}, {"a": "z"}, {"deep": True}, {"n": 3}, {"n": 1}, {"n": 2}]:
        view.step(changes)


def test_for_else_sequence(client: Client) -> None:
    t = from_string("<ul>{% for x in xs %}<li>{{ x }}</li>{% else %}<em>{{ empty }}</em>{% endfor %}</ul>")
    view = View(client, t, {"xs": [], "empty": "none"})
    for changes in [{"empty": "nothing"}, {"xs": [1]}, {"xs": [1, 2]}, {"xs": []}, {"xs": [3]}, {"empty": "?"}, {"xs": []}]:
        view.step(changes)


def test_nested_if_and_for_inside_for(client: Client) -> None:
    t = from_string(
        "{% for g in groups %}<section id=\"{{ g.id }}\"><h2>{{ loop.index }} {{ g.name }}</h2>"
        "{% if g.open %}<ul>{% for x in g.xs %}<li>{{ x.v }}{% if x.v == hl %}*{% endif %}</li>{% endfor %}</ul>"
        "{% else %}<p>closed</p>{% endif %}</section>{% endfor %}"
    )
    groups = [
        {"id": "g1", "name": "one", "open": True, "xs": [{"id": 1, "v": "a"}, {"id": 2, "v": "b"}]},
        {"id": "g2", "name": "two", "open": False, "xs": []},
    ]
    view = View(client, t, {"groups": groups, "hl": "a"})
    view.step({"hl": "b"})
    groups[1]["open"] = True
    view.touch("groups")
    groups[1]["xs"].append({"id": 3, "v": "c"})
    view.touch("groups")
    groups[0]["xs"].reverse()
    view.touch("groups")
    groups.reverse()
    view.touch("groups")
    groups[1]["open"] = False
    view.touch("groups")
    view.step({"groups": groups[:1]})
    view.step({"hl": "c"})


def test_loop_neighbours_and_changed(client: Client) -> None:
    t = from_string(
        "{% for x in xs %}{% if loop.changed(x.g) %}<h>{{ x.g }}</h>{% endif %}"
        "<i>{{ x.id }}{% if loop.nextitem %}>{{ loop.nextitem.id }}{% endif %}</i>{% endfor %}"
    )
    a, b, c, d = ({"id": n, "g": 1} for n in "abcd")
    view = View(client, t, {"xs": [a, b, c]})
    view.step({"xs": [a, c, b]})
    view.step({"xs": [a, d, c, b]})
    c["g"] = 2
    view.touch("xs")
    view.step({"xs": [b, c]})


def test_macros_and_call_blocks(client: Client) -> None:
    t = from_string(
        "{% macro badge(v) %}<span class=\"b\">{{ v }}{{ suffix }}</span>{% endmacro %}"
        "{% macro panel(t) %}<div><h3>{{ t }}</h3>{{ caller() }}</div>{% endmacro %}"
        "{{ badge(n) }}{% call panel(title) %}{% for r in rows %}{{ badge(r) }}{% endfor %}{% endcall %}"
        "{% set twice = n * 2 %}<p>{{ twice }}</p>"
    )
    view = View(client, t, {"n": 1, "suffix": "!", "title": "P", "rows": [1, 2]})
    for changes in [{"n": 2}, {"suffix": "?"}, {"title": "<Q>"}, {"rows": [3]}, {"rows": []}]:
        view.step(changes)


def test_macros_stream_as_nested_nodes(client: Client) -> None:
    t = from_string(
        "{% macro item(x, hot=false) %}<li class=\"{{ 'hot' if hot }}\">{{ x.name }}"
        "{% if x.tags %}{% for g in x.tags %}<em>{{ g }}</em>{% endfor %}{% endif %}{{ mark }}</li>{% endmacro %}"
        "{% macro list(xs) %}<ul>{% for x in xs %}{{ item(x, hot=x.id == hot) }}{% endfor %}</ul>"
        "{% if caller %}{{ caller() }}{% endif %}{% endmacro %}"
        "{{ list(xs) }}{% call list(ys) %}<b>{{ mark }}</b>{% endcall %}{{ item(xs[0]) if xs else 'none' }}"
    )
    xs = [{"id": 1, "name": "a", "tags": ["t"]}, {"id": 2, "name": "b", "tags": []}]
    view = View(client, t, {"xs": xs, "ys": [{"id": 9, "name": "y", "tags": []}], "hot": 1, "mark": "."})
    for changes in [{"hot": 2}, {"mark": "!"}, {"ys": []}, {"xs": xs[::-1]}, {"xs": []}, {"xs": xs}, {"mark": "?"}]:
        view.step(changes)
    xs[0]["tags"].append("u")
    view.touch("xs")


def test_function_components_with_slots(client: Client) -> None:
    t = from_string(
        '{% component card(title, tone="plain", footer=[], rest) %}<div class="card {{ tone }}"{{ rest|attrs }}>'
        "<h2>{{ title }}</h2>{{ render_slot(inner_block) }}{% for f in footer %}<footer>{{ f() }}</footer>{% endfor %}"
        "</div>{% endcomponent %}"
        "{% component table(rows, col) %}<table><tr>{% for c in col %}<th>{{ c.label }}</th>{% endfor %}</tr>"
        "{% for row in rows %}<tr>{% for c in col %}<td>{{ c(row) }}</td>{% endfor %}</tr>{% endfor %}</table>"
        "{% endcomponent %}"
        '{% call card(title=title, tone=tone, id="c1") %}<p>{{ body }}</p>'
        "{% slot footer %}<small>{{ note }}</small>{% endslot %}{% endcall %}"
        '{% call table(rows=users) %}{% slot col(u), label="Name" %}{{ u.name }}{% endslot %}'
        '{% slot col(u) label=age_label %}{{ u.age }}{% endslot %}{% endcall %}'
        "{{ card(title='bare') }}"
    )
    users = [{"id": 1, "name": "ada", "age": 36}, {"id": 2, "name": "bob", "age": 41}]
    view = View(client, t, {"title": "T", "tone": "hot", "body": "b", "note": "n", "users": users, "age_label": "Age"})
    for changes in [{"title": "U"}, {"note": "<m>"}, {"users": users[::-1]}, {"age_label": "Years"},
                    {"users": []}, {"tone": "cold", "body": "c"}]:
        view.step(changes)


def test_call_parameters_shadow_only_inside_the_call(client: Client) -> None:
    t = from_string(
        "{% macro show(v) %}<b>{{ caller(v) }}</b>{% endmacro %}"
        "{% call(org) show(org) %}<i>{{ org }}</i>{% endcall %}"
        "{% with x = org %}<u>{{ x }}</u>{% endwith %}{% for org in [org] %}{{ org }}{% endfor %}"
    )
    view = View(client, t, {"org": "a"})
    view.step({"org": "b"})
    view.step({"org": "<c>"})


def test_sets_in_branches_loops_and_namespaces(client: Client) -> None:
    t = from_string(
        "{% set ns = namespace(n=0) %}{% if p %}{% set a = 'set:' ~ b %}{% endif %}<p>{{ a }}</p>"
        "{% for x in xs %}<i>{{ a }}{% set a = x.v %}{{ a }}{% if x.ok %}{% set ns.n = ns.n + 1 %}{% endif %}</i>"
        "{% else %}{% set a = 'empty' %}{% endfor %}<p>{{ a }} {{ ns.n }}</p>"
        "{% for x in xs %}{% set d = x.v ~ '!' %}<b>{{ d }}</b>{% endfor %}{{ c }}"
    )
    xs = [{"id": 1, "v": "one", "ok": True}, {"id": 2, "v": "two", "ok": False}]
    view = View(client, t, {"p": True, "a": "A", "b": "B", "c": 0, "xs": xs})
    for changes in [{"c": 1}, {"b": "C"}, {"p": False}, {"a": "Z"}, {"c": 2}, {"xs": []}, {"c": 3}, {"xs": xs}]:
        view.step(changes)
    xs[1]["ok"] = True
    view.touch("xs")
    xs[0]["v"] = "uno"
    view.touch("xs")


def test_set_and_with(client: Client) -> None:
    t = from_string(
        "{% set label = 'n=' ~ n %}{% with doubled = n * 2 %}<p>{{ label }} {{ doubled }}</p>{% endwith %}"
        "{% set block %}<b>{{ n }}</b>{% endset %}{{ block }}{{ other }}"
    )
    view = View(client, t, {"n": 1, "other": 0})
    for changes in [{"n": 2}, {"other": 1}, {"n": 3}]:
        view.step(changes)


FILES = {
    "base.html.j2": (
        "<html><title>{% block title %}Site{% endblock %}</title><body>"
        "{% if nav %}<nav>{% block nav %}{{ user }}{% endblock %}</nav>{% endif %}"
        "{% block body %}{% endblock %}</body></html>"
    ),
    "page.html.j2": (
        '{% extends "base.html.j2" %}{% block title %}{{ title }} | {{ super() }}{% endblock %}'
        "{% block nav %}<b>{{ user }}</b>{% endblock %}"
        '{% block body %}<main>{% for r in rows %}{% include "row.html.j2" %}{% endfor %}'
        '{% include "parts/footer.html.j2" %}</main>{% endblock %}'
    ),
    "row.html.j2": '<p id="{{ r.id }}">{{ r.name }}{% if r.id == selected %} (selected){% endif %}</p>',
    "parts/footer.html.j2": '<footer>{% include "note.html.j2" %}</footer>',
    "parts/note.html.j2": "{% if note %}<small>{{ note }}</small>{% endif %}",
    "header.html.j2": "<h2>{{ title }}{% if user %} for {{ user }}{% endif %}</h2>",
    "partials.html.j2": (
        '{% macro panel(r) %}<div class="panel">{% include "row.html.j2" %}</div>{% endmacro %}'
        '{% set title = "Hello " ~ user %}{% include "header.html.j2" %}'
        '{% with title = note %}{% include "header.html.j2" %}{% endwith %}'
        '{% for r in rows %}{{ panel(r) }}{% include "header.html.j2" %}{% endfor %}'
        '{% macro box() %}<section>{{ caller() }}</section>{% endmacro %}'
        '{% call box() %}{% include "header.html.j2" %}{% endcall %}'
        '{% filter upper %}{% include "parts/footer.html.j2" %}{% endfilter %}'
    ),
}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("templates")
    for name, text in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_includes_in_macros_and_shadowed_names(client: Client, files: Path) -> None:
    t = load(str(files / "partials.html.j2"))
    view = View(client, t, {"title": "T", "user": "u", "rows": items("a", "b"), "selected": None, "note": "n"})
    for changes in [
        {"user": "v"},
        {"title": "U"},
        {"note": "m"},
        {"selected": "b"},
        {"rows": items("b")},
        {"user": ""},
        {"note": ""},
    ]:
        view.step(changes)


def test_computed_include_names(client: Client, files: Path) -> None:
    """A different included template changes the statics the client holds: sent again."""
    (files / "a.html.j2").write_text("<a>{{ v }}</a>")
    (files / "b.html.j2").write_text("<b>{{ v }}{% if v %}!{% endif %}</b>")
    (files / "computed.html.j2").write_text(
        '{% include top %}{% if show %}<div>{% include inner %}</div>{% endif %}'
        "{% for r in rows %}<p>{% include each %}</p>{% endfor %}"
    )
    t = load(str(files / "computed.html.j2"))
    names = ["a.html.j2", "b.html.j2"]
    view = View(client, t, {"top": names[0], "inner": names[0], "each": names[0], "show": True, "v": 1, "rows": items("x")})
    for changes in [
        {"top": names[1]},
        {"v": 0},
        {"inner": names[1]},
        {"show": False},
        {"inner": names[0], "show": True},
        {"each": names[1]},
        {"rows": items("x", "y")},
        {"each": names[0], "v": 2},
        {"top": names[0]},
    ]:
        view.step(changes)


def test_recursive_loop(client: Client) -> None:
    t = from_string(
        "<ul>{% for n in tree recursive %}<li>{{ n.v }}{% if n.c %}<ul>{{ loop(n.c) }}</ul>{% endif %}</li>"
        "{% endfor %}</ul>"
    )
    tree = [{"id": 1, "v": "a", "c": [{"id": 2, "v": "b", "c": []}]}, {"id": 3, "v": "c", "c": []}]
    view = View(client, t, {"tree": tree})
    tree[1]["c"].append({"id": 4, "v": "d", "c": []})
    view.touch("tree")
    tree.reverse()
    view.touch("tree")


def test_ids_duplicate_missing_and_mixed(client: Client) -> None:
    t = from_string("{% for r in rs %}<i>{{ r.v if r.v is defined else r }}</i>{% endfor %}")
    view = View(client, t, {"rs": [{"id": 1, "v": "a"}, {"id": 1, "v": "b"}, "plain", {"v": "no id"}]})
    for rs in [
        [{"id": 1, "v": "b"}, {"id": 1, "v": "a"}, "plain", {"v": "no id"}],
        ["plain", {"id": 1, "v": "a"}, {"v": "no id"}],
        [{"id": 2, "v": "c"}, "plain", {"id": None, "v": "none"}, {"id": 1, "v": "a"}],
        [{"id": 1, "v": "a"}, {"id": 1, "v": "a"}, {"id": 1, "v": "a"}],
        ["x", "y", "z"],
        ["z", "x"],
    ]:
        view.step({"rs": rs})


def test_include_and_extends(client: Client, files: Path) -> None:
    t = load(str(files / "page.html.j2"))
    view = View(client, t, {"title": "T", "nav": True, "user": "u", "rows": items("a", "b"), "selected": None, "note": ""})
    for changes in [
        {"user": "<v>"},
        {"selected": "a"},
        {"note": "hi"},
        {"nav": False},
        {"user": "w"},
        {"nav": True},
        {"rows": items("b", "c", "a")},
        {"selected": "c"},
        {"title": "U"},
        {"note": ""},
    ]:
        view.step(changes)


# -- randomized sequences ------------------------------------------------------------------

TODO = from_string(
    "<h1>{{ title }}</h1>"
    "{% if show_count %}<p>{{ items|length }} items, {{ items|selectattr('done')|list|length }} done</p>{% endif %}"
    "<ul>{% for it in items %}"
    '<li id="item-{{ it.id }}" class="{{ "done" if it.done }}">{{ loop.index }}. {{ it.name }}'
    "{% if it.tags %}<span>{% for t in it.tags %}<em>{{ t }}</em>{% endfor %}</span>{% else %}-{% endif %}"
    "{% if it.id == selected %}<b>selected</b>{% endif %}</li>"
    "{% else %}<li>empty</li>{% endfor %}</ul>"
    "<p>{% for w in words %}{{ w }}{% if not loop.last %}, {% endif %}{% endfor %}</p>"
)

BOARD = from_string(
    "{% macro card(c) %}<div class=\"card {{ c.kind }}\">{{ c.text }}</div>{% endmacro %}"
    "{% for col in columns %}<section id=\"col-{{ col.id }}\">"
    "{% if col.collapsed %}<h2>{{ col.title }} ({{ col.cards|length }})</h2>"
    "{% elif col.cards %}<h2>{{ col.title }}</h2>{% for c in col.cards %}{{ card(c) }}"
    "{% if c.kind == 'urgent' %}<i>!{{ mark }}</i>{% endif %}{% endfor %}"
    "{% else %}<h2>{{ col.title }}</h2><p>no cards</p>{% endif %}"
    "</section>{% else %}<p>no columns</p>{% endfor %}"
    "{% if footer %}<footer>{{ footer }}</footer>{% endif %}"
)


@dataclass
class Ids:
    next: int = 0

    def __call__(self) -> int:
        self.next += 1
        return self.next


def random_list_ops(rng: random.Random, xs: list[Any], new: Callable[[], Any], update: Callable[[Any], None]) -> None:
    """One random change to a list of items with ids: insert, delete, move, update, shuffle, clear."""
    op = rng.choices(["insert", "delete", "move", "update", "shuffle", "clear", "replace"], [5, 4, 3, 6, 1, 0.3, 1])[0]
    if op == "insert" or not xs:
        xs.insert(rng.randint(0, len(xs)), new())
    elif op == "delete":
        del xs[rng.randrange(len(xs))]
    elif op == "move":
        xs.insert(rng.randint(0, len(xs) - 1), xs.pop(rng.randrange(len(xs))))
    elif op == "update":
        update(rng.choice(xs))
    elif op == "shuffle":
        rng.shuffle(xs)
    elif op == "clear":
        xs.clear()
    else:  # a fresh object with the same id
        i = rng.randrange(len(xs))
        xs[i] = copy.deepcopy(xs[i])
        update(xs[i])


Mutate = Callable[[random.Random, dict[str, Any]], set[str]]


def run_random(view: View, rng: random.Random, mutate: Mutate, steps: int) -> None:
    """Random steps: mostly 1-3 mutations, sometimes nothing, everything changed, or a rejoin."""
    for _ in range(steps):
        kind = rng.random()
        if kind < 0.02:
            view.reset()
        elif kind < 0.06:
            view.everything()
        elif kind < 0.09:
            view.touch()
        else:
            touched: set[str] = set()
            for _ in range(rng.choice([1, 1, 1, 2, 3])):
                touched |= mutate(rng, view.assigns)
            view.touch(*touched)


def mutate_todo(rng: random.Random, a: dict[str, Any], ids: Ids) -> set[str]:
    def new() -> dict[str, Any]:
        i = ids()
        return {"id": i, "name": f"task <{i}>", "done": rng.random() < 0.3, "tags": rng.sample("xyz", rng.randint(0, 2))}

    def update(it: dict[str, Any]) -> None:
        what = rng.choice(["name", "done", "tags", "tags"])
        if what == "name":
            it["name"] = f"renamed {rng.randint(0, 99)} & co"
        elif what == "done":
            it["done"] = not it["done"]
        elif it["tags"] and rng.random() < 0.5:
            it["tags"].pop(rng.randrange(len(it["tags"])))
        else:
            it["tags"].insert(rng.randint(0, len(it["tags"])), rng.choice("xyzw"))

    what = rng.choices(["items", "title", "show_count", "selected", "words"], [10, 1, 1, 2, 2])[0]
    if what == "items":
        random_list_ops(rng, a["items"], new, update)
    elif what == "title":
        a["title"] = rng.choice(["Todo", "<Todo>", "", "To & do"])
    elif what == "show_count":
        a["show_count"] = not a["show_count"]
    elif what == "selected":
        a["selected"] = rng.choice([None, *(it["id"] for it in a["items"])])
    else:
        words = a["words"]
        if words and rng.random() < 0.4:
            words.pop(rng.randrange(len(words)))
        elif words and rng.random() < 0.5:
            words[rng.randrange(len(words))] = rng.choice(["alpha", "beta", "<gamma>"])
        else:
            words.insert(rng.randint(0, len(words)), rng.choice(["alpha", "beta", "<gamma>"]))
    return {what}


def mutate_board(rng: random.Random, a: dict[str, Any], ids: Ids) -> set[str]:
    def new_card() -> dict[str, Any]:
        i = ids()
        return {"id": f"c{i}", "text": f"card {i}", "kind": rng.choice(["plain", "urgent"])}

    def update_card(c: dict[str, Any]) -> None:
        if rng.random() < 0.5:
            c["kind"] = "urgent" if c["kind"] == "plain" else "plain"
        else:
            c["text"] = f"edited <{rng.randint(0, 9)}>"

    def new_column() -> dict[str, Any]:
        i = ids()
        return {"id": i, "title": f"col {i}", "collapsed": False, "cards": [new_card() for _ in range(rng.randint(0, 3))]}

    def update_column(col: dict[str, Any]) -> None:
        r = rng.random()
        if r < 0.2:
            col["collapsed"] = not col["collapsed"]
        elif r < 0.3:
            col["title"] = f"title {rng.randint(0, 9)}"
        else:
            random_list_ops(rng, col["cards"], new_card, update_card)

    what = rng.choices(["columns", "mark", "footer"], [10, 1, 1])[0]
    if what == "columns":
        random_list_ops(rng, a["columns"], new_column, update_column)
    elif what == "mark":
        a["mark"] = rng.choice(["!", "!!", "<!>"])
    else:
        a["footer"] = rng.choice(["", "bye", "<b>"])
    return {what}


def test_random_todo(client: Client) -> None:
    rng = random.Random(1234)
    assigns = {"title": "Todo", "show_count": True, "items": [], "selected": None, "words": ["alpha"]}
    ids = Ids()
    run_random(View(client, TODO, assigns), rng, lambda r, a: mutate_todo(r, a, ids), 220)


def test_random_board(client: Client) -> None:
    rng = random.Random(99)
    assigns = {"columns": [], "mark": "!", "footer": ""}
    ids = Ids()
    run_random(View(client, BOARD, assigns), rng, lambda r, a: mutate_board(r, a, ids), 220)


def test_random_files(client: Client, files: Path) -> None:
    rng = random.Random(7)
    t = load(str(files / "page.html.j2"))
    assigns = {"title": "T", "nav": True, "user": "u", "rows": items("a", "b", "c"), "selected": None, "note": ""}
    view = View(client, t, assigns)
    ids = Ids()

    def mutate(r: random.Random, a: dict[str, Any]) -> set[str]:
        what = r.choices(["rows", "selected", "note", "nav", "user", "title"], [6, 2, 1, 1, 1, 1])[0]
        if what == "rows":
            random_list_ops(
                r, a["rows"], lambda: {"id": f"n{ids()}", "name": "new"}, lambda x: x.update(name=f"n{r.randint(0, 9)}")
            )
        elif what == "selected":
            a["selected"] = r.choice([None, *(x["id"] for x in a["rows"])])
        elif what in ("note", "user", "title"):
            a[what] = r.choice(["", "x", "<y>"])
        else:
            a["nav"] = not a["nav"]
        return {what}

    run_random(view, rng, mutate, 150)
