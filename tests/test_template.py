"""The template compiler: dead renders equal plain Jinja2, change tracking, error locations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
import pytest
from markupsafe import Markup

from liveui.diff import Differ
from liveui.template import from_string, load

ITEMS = [{"id": 1, "name": "a<b", "ok": True}, {"id": 2, "name": "c&d", "ok": False}, {"id": 3, "name": "e", "ok": True}]

CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("text only", "<p>Hello</p>", {}),
    ("expression", "<p>{{ a }} + {{ b }} = {{ a + b }}</p>", {"a": 1, "b": 2}),
    ("undefined prints empty", "<p>[{{ missing }}]</p>", {}),
    ("if true", "{% if a %}<b>yes {{ a }}</b>{% endif %}!", {"a": 1}),
    ("if false", "{% if a %}<b>yes {{ a }}</b>{% endif %}!", {"a": 0}),
    ("if elif else 1", "{% if n == 1 %}one{% elif n == 2 %}<i>two</i>{% else %}many {{ n }}{% endif %}", {"n": 1}),
    ("if elif else 2", "{% if n == 1 %}one{% elif n == 2 %}<i>two</i>{% else %}many {{ n }}{% endif %}", {"n": 2}),
    ("if elif else 3", "{% if n == 1 %}one{% elif n == 2 %}<i>two</i>{% else %}many {{ n }}{% endif %}", {"n": 7}),
    ("inline if", "{{ 'on' if a else 'off' }}", {"a": True}),
    ("for", "<ul>{% for x in xs %}<li>{{ x }}</li>{% endfor %}</ul>", {"xs": [1, "<2>", 3]}),
    ("for else, items", "{% for x in xs %}<i>{{ x }}</i>{% else %}<em>none</em>{% endfor %}", {"xs": [1, 2]}),
    ("for else, empty", "{% for x in xs %}<i>{{ x }}</i>{% else %}<em>none</em>{% endfor %}", {"xs": []}),
    (
        "loop variables",
        "{% for x in xs %}{{ loop.index }}/{{ loop.index0 }}/{{ loop.length }}/{{ loop.revindex }}"
        "{% if loop.first %}F{% endif %}{% if loop.last %}L{% endif %}{{ loop.cycle('odd', 'even') }};{% endfor %}",
        {"xs": "abc"},
    ),
    ("loop neighbours", "{% for x in xs %}{{ loop.previtem }}<{{ x }}>{{ loop.nextitem }};{% endfor %}", {"xs": [1, 2, 3]}),
    (
        "loop.changed",
        "{% for x in xs %}{% if loop.changed(x.g) %}<h>{{ x.g }}</h>{% endif %}{{ x.n }}{% endfor %}",
        {"xs": [{"g": 1, "n": 1}, {"g": 1, "n": 2}, {"g": 2, "n": 3}]},
    ),
    ("loop filter", "{% for x in xs if x.ok %}<li>{{ x.name }} {{ loop.index }}</li>{% endfor %}", {"xs": ITEMS}),
    (
        "nested loops",
        "<table>{% for row in rows %}<tr>{% for cell in row %}<td>{{ loop.index }}:{{ cell }}</td>{% endfor %}</tr>"
        "{% endfor %}</table>",
        {"rows": [[1, 2], [], ["<3>"]]},
    ),
    ("outer loop from inner", "{% for a in xs %}{% for b in xs %}{{ a }}{{ b }}{% endfor %}|{% endfor %}", {"xs": [1, 2]}),
    ("tuple unpacking", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", {"d": {"a": 1, "b": "<x>"}}),
    ("recursive loop", "{% for n in tree recursive %}[{{ n.v }}{% if n.c %}{{ loop(n.c) }}{% endif %}]{% endfor %}",
     {"tree": [{"v": 1, "c": [{"v": 2, "c": []}]}, {"v": 3}]}),
    ("set", "{% set y = x * 2 %}{{ y }} {{ x }}", {"x": 21}),
    ("block set", "{% set box %}<b>{{ x }}</b>{% endset %}{{ box }}{{ box }}", {"x": "<x>"}),
    ("set in loop", "{% for x in xs %}{% set t = x * 10 %}{{ t }},{% endfor %}", {"xs": [1, 2]}),
    (
        "namespace",
        "{% set ns = namespace(total=0) %}{% for x in xs %}{% set ns.total = ns.total + x %}{% endfor %}{{ ns.total }}",
        {"xs": [1, 2, 3]},
    ),
    ("with", "{% with z = x + 1, w = '<w>' %}{{ z }}{{ w }}{% endwith %}{{ z }}", {"x": 1}),
    ("macro", "{% macro m(a, b='<d>') %}<m>{{ a }}{{ b }}</m>{% endmacro %}{{ m(x) }}{{ m(1, b=x) }}", {"x": "<s>"}),
    ("macro reads assigns", "{% macro greet() %}Hi {{ name }}{% endmacro %}<p>{{ greet() }}</p>", {"name": "<n>"}),
    (
        "call block",
        "{% macro wrap(t) %}<w title=\"{{ t }}\">{{ caller() }}</w>{% endmacro %}"
        "{% call wrap(x) %}in {{ y }}{% endcall %}",
        {"x": '"q"', "y": "<y>"},
    ),
    (
        "call block with arguments",
        "{% macro each(xs) %}{% for x in xs %}{{ caller(x) }}{% endfor %}{% endmacro %}"
        "{% call(v) each(items) %}<i>{{ v.name }}</i>{% endcall %}",
        {"items": ITEMS},
    ),
    ("filters", "{{ xs|join(', ') }} {{ s|upper }} {{ n|default('d') }} {{ s|length }} {{ f|round(1) }}",
     {"xs": [1, "<2>"], "s": "ab", "f": 2.345}),
    ("filter block", "{% filter upper %}hi {{ x }}{% endfilter %}", {"x": "<x>"}),
    ("escape", "<p>{{ s }}</p>", {"s": "<script>alert('x')</script>"}),
    ("escape attribute", '<a href="{{ u }}" title=\'{{ u }}\'>x</a>', {"u": "\"><script>alert(1)</script>&'"}),
    ("markup passthrough", "<p>{{ m }}{{ s|safe }}{{ m|e }}</p>", {"m": Markup("<b>ok</b>"), "s": "<i>raw</i>"}),
    ("string literal", "{{ '<lit>' }}{{ 1 + 2 }}{{ none }}", {}),
    ("whitespace control", "<p>  {%- if a -%}  A  {%- endif -%}  </p>", {"a": 1}),
    ("raw", "{% raw %}{{ x }}{% endraw %}", {"x": 1}),
    ("comment", "a{# hidden {{ x }} #}b", {"x": 1}),
    ("tests", "{% if x is even %}even{% endif %}{% if y is defined %}y{% endif %}{% if xs is iterable %}it{% endif %}",
     {"x": 2, "xs": []}),
    ("attribute and item", "{{ o.a }}{{ o['b'] }}{{ xs[1] }}", {"o": {"a": 1, "b": 2}, "xs": [3, 4]}),
]


def plain(source: str, assigns: dict[str, Any], loader: jinja2.BaseLoader | None = None) -> str:
    return jinja2.Environment(autoescape=True, loader=loader).from_string(source).render(**assigns)


@pytest.mark.parametrize(("source", "assigns"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_dead_render_equals_jinja(source: str, assigns: dict[str, Any]) -> None:
    assert from_string(source).render(assigns) == plain(source, assigns)


@pytest.mark.parametrize(("source", "assigns"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_first_diff_render_equals_dead_render(source: str, assigns: dict[str, Any]) -> None:
    """The full render of the diff engine carries exactly the dead render's text."""
    diff = Differ().render(from_string(source), assigns, None)
    assert to_html(diff) == plain(source, assigns)


def to_html(node: Any) -> str:
    """Concatenate a full (first-render) diff the way the client does."""
    if isinstance(node, str):
        return str(node)  # a plain str: Markup would escape what it is concatenated with
    statics = node["s"]
    if "k" in node:
        keyed = node["k"]
        return "".join(to_html({**keyed[str(i)], "s": statics}) for i in range(keyed["kc"]))
    return statics[0] + "".join(to_html(node[str(i)]) + statics[i + 1] for i in range(len(statics) - 1))


# -- files: include, extends, import -------------------------------------------------------


def write_files(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


FILES = {
    "macros.html.j2": (
        "{% macro btn(label, kind='plain') %}<button class=\"{{ kind }}\">{{ label }}</button>{% endmacro %}\n"
        "{% macro card(title) %}<div class=\"card\"><h3>{{ title }}</h3>{{ caller() }}</div>{% endmacro %}\n"
    ),
    "base.html.j2": (
        "<html><head><title>{% block title %}Site{% endblock %}</title></head>\n"
        "<body>{% block body %}<p>default {{ x }}</p>{% endblock %}<footer>{% block footer %}(c) {{ year }}{% endblock %}"
        "</footer></body></html>"
    ),
    "page.html.j2": (
        '{% extends "base.html.j2" %}'
        "{% block title %}{{ title }} | {{ super() }}{% endblock %}"
        "{% block body %}<main>{% for r in rows %}<p>{{ r.name }}</p>{% endfor %}"
        '{% include "part.html.j2" %}</main>{% endblock %}'
    ),
    "part.html.j2": "<aside>{{ x }}{% if flag %}<b>!</b>{% endif %}</aside>",
    "imports.html.j2": (
        '{% import "macros.html.j2" as m %}{% from "macros.html.j2" import btn, card %}'
        "{{ m.btn(x) }}{{ btn('<b>', kind=x) }}{% call card(title) %}<p>{{ x }}</p>{% endcall %}"
        "{% for r in rows %}{{ btn(r.name) }}{% endfor %}"
    ),
    "loop_include.html.j2": '<ul>{% for r in rows %}{% include "row.html.j2" %}{% endfor %}</ul>',
    "row.html.j2": "<li>{{ r.name }} {{ x }}</li>",
    "sub/inner.html.j2": '<div>{% include "leaf.html.j2" %}</div>',
    "sub/leaf.html.j2": "<leaf>{{ x }}</leaf>",
    "nested.html.j2": '<section>{% include "sub/inner.html.j2" %}</section>',
    "child_of_sub.html.j2": '{% extends "sub/layout.html.j2" %}{% block main %}<p>{{ x }}</p>{% endblock %}',
    "sub/layout.html.j2": '<div class="layout">{% block main %}{% endblock %}{% include "leaf.html.j2" %}</div>',
}


@pytest.fixture
def files(tmp_path: Path) -> Path:
    write_files(tmp_path, FILES)
    return tmp_path


BUFFERED = {
    "include in macro": '{% macro m() %}<m>{% include "part.html.j2" %}</m>{% endmacro %}{{ m() }}',
    "include in call block": (
        '{% macro w() %}<w>{{ caller() }}</w>{% endmacro %}{% call w() %}{% include "part.html.j2" %}{% endcall %}'
    ),
    "include in set block": '{% set b %}{% include "part.html.j2" %}{% endset %}[{{ b }}]',
    "include in filter block": '{% filter upper %}{% include "part.html.j2" %}{% endfilter %}',
    "include of a template that includes": '{% macro m() %}{% include "loop_include.html.j2" %}{% endmacro %}{{ m() }}',
    "import with context": '{% import "with_loop.html.j2" as w with context %}<p>{{ w.mm() }}</p>',
    "from import with context in loop": (
        '{% for r in rows %}{% from "with_loop.html.j2" import mm with context %}<i>{{ r.id }}{{ mm() }}</i>{% endfor %}'
    ),
    "module as text": '{% import "with_loop.html.j2" as w %}{{ w }}',
    "block in filter block": (
        "{% filter upper %}{% block b %}{% if x %}<b>{{ x }}</b>{% endif %}{% endblock %}{% endfilter %}"
    ),
    "scoped block in loop": (
        "{% for r in rows %}{% block b scoped %}{% if flag %}<b>{{ r.id }}</b>{% endif %}{% endblock %}{% endfor %}"
    ),
}


@pytest.mark.parametrize("source", BUFFERED.values(), ids=BUFFERED.keys())
def test_templates_rendered_into_buffers(files: Path, source: str) -> None:
    """Includes, imports and blocks whose output Jinja2 buffers render as text, also while diffing."""
    (files / "with_loop.html.j2").write_text(
        "{% for i in [1, 2] %}<i>{{ i }}{{ x }}</i>{% endfor %}{% if flag %}!{% endif %}"
        "{% macro mm() %}M{{ x }}{% endmacro %}"
    )
    path = files / "buffered.html.j2"
    path.write_text(source)
    assigns = dict(FILE_ASSIGNS)
    want = plain(source, assigns, jinja2.FileSystemLoader(files))
    template = load(str(path))
    assert template.render(assigns) == want
    differ = Differ()
    assert to_html(differ.render(template, assigns, None)) == want
    for key, value in [("x", "y"), ("flag", False), ("rows", ITEMS[1:])]:
        assigns[key] = value
        differ.render(template, assigns, {key})


FILE_ASSIGNS = {"x": "<x>", "title": "T&T", "year": 2024, "flag": True, "rows": ITEMS}


@pytest.mark.parametrize("name", ["page.html.j2", "imports.html.j2", "loop_include.html.j2"])
def test_files_equal_jinja(files: Path, name: str) -> None:
    want = plain((files / name).read_text(), FILE_ASSIGNS, jinja2.FileSystemLoader(files))
    assert load(str(files / name)).render(FILE_ASSIGNS) == want


def test_names_resolve_next_to_the_including_file(files: Path) -> None:
    """`sub/inner` includes "leaf.html.j2", which lives next to it, not at the root."""
    assert load(str(files / "nested.html.j2")).render({"x": 1}) == "<section><div><leaf>1</leaf></div></section>"
    assert load(str(files / "child_of_sub.html.j2")).render({"x": 2}) == (
        '<div class="layout"><p>2</p><leaf>2</leaf></div>'
    )


def test_extends_with_super(files: Path) -> None:
    html = load(str(files / "page.html.j2")).render(FILE_ASSIGNS)
    assert html.startswith("<html><head><title>T&amp;T | Site</title>")
    assert "<footer>(c) 2024</footer>" in html


# -- change tracking -----------------------------------------------------------------------


class Counter:
    """A function passed as an assign that counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, value: Any) -> str:
        self.calls += 1
        return f"f({value})"


def test_slot_evaluated_only_when_its_assigns_change() -> None:
    t = from_string("<p>{{ f(x) }}</p><p>{{ y }}</p>")
    f = Counter()
    differ = Differ()
    assigns = {"f": f, "x": 1, "y": 1}
    assert differ.render(t, assigns, None) == {"0": "f(1)", "1": "1", "s": ["<p>", "</p><p>", "</p>"]}
    assert f.calls == 1
    assigns["y"] = 2
    assert differ.render(t, assigns, {"y"}) == {"1": "2"}
    assert f.calls == 1
    assigns["x"] = 2
    assert differ.render(t, assigns, {"x"}) == {"0": "f(2)"}
    assert f.calls == 2
    assert differ.render(t, assigns, set()) == {}
    assert f.calls == 2
    assert differ.render(t, assigns, None) == {"0": "f(2)", "1": "2"}
    assert f.calls == 3


def test_if_and_for_not_evaluated_when_their_assigns_do_not_change() -> None:
    t = from_string(
        "{% if f(show) %}<b>{{ f(name) }}</b>{% endif %}<ul>{% for r in rows %}<li>{{ f(r) }}</li>{% endfor %}</ul>{{ y }}"
    )
    f = Counter()
    differ = Differ()
    assigns = {"f": f, "show": True, "name": "n", "rows": [1, 2, 3], "y": 0}
    differ.render(t, assigns, None)
    assert f.calls == 5
    assigns["y"] = 1
    assert differ.render(t, assigns, {"y"}) == {"2": "1"}
    assert f.calls == 5
    assigns["name"] = "m"
    assert differ.render(t, assigns, {"name"}) == {"0": {"0": "f(m)"}}
    assert f.calls == 7  # the condition and the name, not the loop


def test_loop_renders_only_changed_entries() -> None:
    t = from_string("<ul>{% for r in rows %}<li>{{ f(r.name) }}</li>{% endfor %}</ul>")
    f = Counter()
    differ = Differ()
    rows = [{"id": i, "name": str(i)} for i in range(10)]
    assigns = {"f": f, "rows": rows}
    differ.render(t, assigns, None)
    assert f.calls == 10
    rows[4]["name"] = "four"
    assert differ.render(t, assigns, {"rows"}) == {"0": {"k": {"4": {"0": "f(four)"}, "kc": 10}}}
    assert f.calls == 11


def test_macro_slot_tracks_the_assigns_the_macro_reads() -> None:
    t = from_string("{% macro greet() %}Hi {{ name }}{% endmacro %}<p>{{ greet() }}</p><i>{{ other }}</i>")
    differ = Differ()
    assigns = {"name": "a", "other": 1}
    differ.render(t, assigns, None)
    assigns["name"] = "b"
    assert differ.render(t, assigns, {"name"}) == {"0": {"0": "b"}}  # the macro is a nested node
    assigns["other"] = 2
    assert differ.render(t, assigns, {"other"}) == {"1": "2"}


def test_call_block_tracks_its_body() -> None:
    t = from_string(
        "{% macro box() %}<div>{{ caller() }}</div>{% endmacro %}{% call box() %}{{ f(x) }}{% endcall %}{{ y }}"
    )
    f = Counter()
    differ = Differ()
    assigns = {"f": f, "x": 1, "y": 1}
    differ.render(t, assigns, None)
    assigns["y"] = 2
    assert differ.render(t, assigns, {"y"}) == {"1": "2"}
    assert f.calls == 1
    assigns["x"] = 2
    assert differ.render(t, assigns, {"x"}) == {"0": {"0": "f(2)"}}  # the macro is a nested node


def test_set_names_are_recomputed() -> None:
    """A `{% set %}` name is local: slots reading it are evaluated on every render."""
    t = from_string("{% set double = x * 2 %}<p>{{ double }}</p>")
    differ = Differ()
    assigns = {"x": 1}
    differ.render(t, assigns, None)
    assigns["x"] = 5
    assert differ.render(t, assigns, {"x"}) == {"0": "10"}


def test_set_inside_if_is_never_skipped() -> None:
    """Skipping the `if` would skip its `set`: later slots would read the assign instead."""
    t = from_string('{% if p %}{% set a = "set" %}{% endif %}{{ a }}|{{ b }}')
    differ = Differ()
    assigns = {"p": True, "a": "assign", "b": 1}
    differ.render(t, assigns, None)
    assigns["b"] = 2
    assert differ.render(t, assigns, {"b"}) == {"1": "set", "2": "2"}


def test_namespace_set_in_loop_is_never_skipped() -> None:
    t = from_string(
        "{% set ns = namespace(found=false) %}{% for x in xs %}{% if x.ok %}{% set ns.found = true %}{% endif %}"
        "{% endfor %}{% if ns.found %}found{% endif %}|{{ y }}"
    )
    differ = Differ()
    assigns = {"xs": [{"id": 1, "ok": True}], "y": 1}
    differ.render(t, assigns, None)
    assigns["y"] = 2
    assert differ.render(t, assigns, {"y"}) == {"2": "2"}
    assert t.render(assigns) == "found|2"


def test_loop_reading_a_name_before_setting_it_reads_the_assign() -> None:
    t = from_string("{% for x in xs %}<i>{{ a }}{% set a = x.v %}{{ a }}</i>{% endfor %}{% for x in xs %}{{ a }}{% endfor %}")
    differ = Differ()
    assigns = {"xs": [{"id": 1, "v": "v"}], "a": "A"}
    differ.render(t, assigns, None)
    assigns["a"] = "B"
    assert differ.render(t, assigns, {"a"}) == {
        "0": {"k": {"0": {"0": "B", "1": "v"}, "kc": 1}},
        "1": {"k": {"0": {"0": "B"}, "kc": 1}},
    }


def test_set_at_top_of_loop_body_keeps_entries_tracked() -> None:
    t = from_string(
        "{% for g in gs %}<g>{% set n = g.xs|length %}{{ n }}{% for x in g.xs %}{% set d = x * 2 %}{{ d }}"
        "{% endfor %}</g>{% endfor %}{{ y }}"
    )
    differ = Differ()
    assigns = {"gs": [{"id": 1, "xs": [1]}, {"id": 2, "xs": [2]}], "y": 0}
    differ.render(t, assigns, None)
    assigns["y"] = 1
    assert differ.render(t, assigns, {"y"}) == {"1": "1"}
    assigns["gs"][1]["xs"].append(3)
    assert differ.render(t, assigns, {"gs"}) == {
        "0": {"k": {"1": {"0": "2", "1": {"k": {"0": {"0": "4"}, "1": {"0": "6"}, "kc": 2}}}, "kc": 2}}
    }


def test_include_inside_if_and_loop_tracks_the_included_names(files: Path) -> None:
    """The names an include reads are not visible to the including template's compiler."""
    (files / "if_include.html.j2").write_text('{% if show %}<div>{% include "part.html.j2" %}</div>{% endif %}')
    template = load(str(files / "if_include.html.j2"))
    differ = Differ()
    assigns = {"show": True, "x": "a", "flag": False}
    differ.render(template, assigns, None)
    assigns["x"] = "b"
    assert differ.render(template, assigns, {"x"}) == {"0": {"0": "b"}}

    template = load(str(files / "loop_include.html.j2"))
    differ = Differ()
    assigns = {"rows": ITEMS[:2], "x": "a"}
    differ.render(template, assigns, None)
    assigns["x"] = "b"
    assert differ.render(template, assigns, {"x"}) == {
        "0": {"k": {"0": {"0": "a&lt;b", "1": "b"}, "1": {"0": "c&amp;d", "1": "b"}, "kc": 2}}
    }


def test_include_sees_names_bound_by_the_includer(files: Path) -> None:
    """`{% set %}`/`{% with %}` may hide an assign from an included template: re-evaluated."""
    (files / "header.html.j2").write_text("<h>{{ title }}</h>")
    (files / "shadow.html.j2").write_text(
        '{% set title = other ~ "!" %}{% include "header.html.j2" %}'
        '{% with title = other %}{% include "header.html.j2" %}{% endwith %}<p>{{ count }}</p>'
    )
    template = load(str(files / "shadow.html.j2"))
    differ = Differ()
    assigns = {"title": "T", "other": "o", "count": 0}
    assert differ.render(template, assigns, None)["0"] == "o!"
    assigns["other"] = "p"
    assert differ.render(template, assigns, {"other"}) == {"0": "p!", "1": "p"}


def test_block_inside_if_tracks_the_overriding_block(files: Path) -> None:
    (files / "base_if.html.j2").write_text("{% if show %}<main>{% block main %}{% endblock %}</main>{% endif %}")
    (files / "child_if.html.j2").write_text('{% extends "base_if.html.j2" %}{% block main %}{{ x }}{% endblock %}')
    template = load(str(files / "child_if.html.j2"))
    differ = Differ()
    assigns = {"show": True, "x": 1}
    differ.render(template, assigns, None)
    assigns["x"] = 2
    assert differ.render(template, assigns, {"x"}) == {"0": {"0": "2"}}


def test_loop_reading_neighbours_rerenders_entries() -> None:
    """`loop.nextitem` makes an entry depend on the next item, not only on its own."""
    t = from_string("{% for x in xs %}{{ x.id }}{% if loop.nextitem %}>{{ loop.nextitem.id }}{% endif %};{% endfor %}")
    differ = Differ()
    a, b, c = {"id": "a"}, {"id": "b"}, {"id": "c"}
    assigns = {"xs": [a, b, c]}
    differ.render(t, assigns, None)
    assigns["xs"] = [a, c, b]
    diff = differ.render(t, assigns, {"xs"})
    assert diff["0"]["k"]["0"] == {"0": "a", "1": {"0": "c"}}


# -- errors --------------------------------------------------------------------------------


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.html.j2"
    path.write_text("<div>\n{% if x %}\n{{ x }\n</div>\n")
    with pytest.raises(jinja2.TemplateSyntaxError) as info:
        load(str(path))
    assert info.value.filename == str(path)
    assert info.value.lineno == 3


def test_syntax_error_inline_has_line() -> None:
    with pytest.raises(jinja2.TemplateSyntaxError) as info:
        from_string("<p>\n\n{% for x in %}{% endfor %}")
    assert info.value.lineno == 3


@pytest.mark.parametrize(
    ("source", "line", "error"),
    [
        ("<p>\n{{ x }}\n{{ 1 // 0 }}\n</p>", 3, ZeroDivisionError),
        ("a\n\n\n{{ nope() }}", 4, jinja2.UndefinedError),
        (
            "{% for r in rows %}\n<li>{{ r.name.upper() }}</li>\n<li>{{ r.missing() }}</li>{% endfor %}",
            3,
            jinja2.UndefinedError,
        ),
        ("{% if x %}\n<b>{{ x + 'a' }}</b>{% endif %}", 2, TypeError),
    ],
)
def test_runtime_error_names_file_and_line(tmp_path: Path, source: str, line: int, error: type) -> None:
    path = tmp_path / "boom.html.j2"
    path.write_text(source)
    assigns = {"x": 1, "rows": [{"name": "n"}]}
    for render in (lambda: load(str(path)).render(assigns), lambda: Differ().render(load(str(path)), assigns, None)):
        with pytest.raises(error) as info:
            render()
        assert f"in template {path}, line {line}" in info.value.__notes__


def test_runtime_error_in_include_names_the_included_file(files: Path) -> None:
    (files / "bad.html.j2").write_text("ok\n{{ 1 // 0 }}")
    (files / "outer.html.j2").write_text('<div>\n{% include "bad.html.j2" %}</div>')
    with pytest.raises(ZeroDivisionError) as info:
        load(str(files / "outer.html.j2")).render({})
    assert f"in template {files / 'bad.html.j2'}, line 2" in info.value.__notes__


def test_runtime_error_inline_template() -> None:
    with pytest.raises(ZeroDivisionError) as info:
        from_string("a\n{{ 1 // 0 }}").render({})
    assert any(note.endswith("line 2") for note in info.value.__notes__)
