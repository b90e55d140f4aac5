"""Function components: `{% component %}` attributes (defaults, required, rest), slots (default
and named, with arguments and attributes), a component library imported from a file, and the
`async_result` component; then the same in a live view over every transport."""

from __future__ import annotations

import pytest
from jinja2 import TemplateSyntaxError

from liveui import App, AsyncResult, LiveView
from liveui.template import from_string

LIBRARY = """
{% component button(label, kind="primary", rest) -%}
<button class="btn btn-{{ kind }}"{{ rest|attrs }}>{{ label }}{{ render_slot(inner_block) }}</button>
{%- endcomponent %}
{% component table(rows, col, empty=[]) -%}
<table><tr>{% for c in col %}<th>{{ c.label }}</th>{% endfor %}</tr>
{%- for row in rows %}<tr>{% for c in col %}<td>{{ c(row) }}</td>{% endfor %}</tr>
{%- else %}<tr><td>{{ render_slot(empty) }}</td></tr>{% endfor %}</table>
{%- endcomponent %}
"""


def test_attributes_defaults_and_rest():
    t = from_string(LIBRARY + '{{ button(label="Save") }}|{{ button(label=x, kind="danger", id="b1", title=t) }}')
    html = t.render({"x": "<Go>", "t": 'say "hi"'})
    assert html.strip().endswith(
        '<button class="btn btn-primary">Save</button>|'
        '<button class="btn btn-danger" id="b1" title="say &#34;hi&#34;">&lt;Go&gt;</button>'
    )


def test_a_missing_required_attribute_is_a_clear_error():
    t = from_string(LIBRARY + "{{ button(kind='x') }}")
    with pytest.raises(TypeError, match="component button: the attribute 'label' is required"):
        t.render({})


def test_an_undeclared_attribute_without_rest_is_refused():
    t = from_string("{% component chip(label) %}<i>{{ label }}</i>{% endcomponent %}{{ chip(label=1, color=2) }}")
    with pytest.raises(TypeError, match="takes no keyword argument 'color'"):
        t.render({})


def test_default_and_named_slots_with_arguments_and_attributes():
    t = from_string(
        LIBRARY
        + '{% call button(label="Go") %} <em>{{ n }}</em>{% endcall %}'
        + '{% call table(rows=users) %}{% slot col(u), label="Name" %}{{ u.name }}{% endslot %}'
        + '{% slot col(u) label=age %}{{ u.age }}{% endslot %}{% slot empty %}nobody{% endslot %}{% endcall %}'
    )
    html = t.render({"n": 3, "age": "Age", "users": [{"name": "ada", "age": 36}]})
    assert '<button class="btn btn-primary">Go <em>3</em></button>' in html
    assert "<table><tr><th>Name</th><th>Age</th></tr><tr><td>ada</td><td>36</td></tr></table>" in html
    assert "<tr><td>nobody</td></tr>" in t.render({"n": 3, "age": "Age", "users": []})


def test_a_slot_outside_a_call_block_is_a_syntax_error():
    with pytest.raises(TemplateSyntaxError, match="must be directly inside a {% call %} block"):
        from_string("{% slot footer %}x{% endslot %}")


def test_a_component_library_imported_from_a_file(tmp_path):
    (tmp_path / "core_components.html.j2").write_text(LIBRARY)
    t = from_string(
        '{% from "core_components.html.j2" import button %}{{ button(label=label, phx_click="save") }}',
        str(tmp_path / "views.py") + ":View",
    )
    assert t.render({"label": "Save"}) == '<button class="btn btn-primary" phx-click="save">Save</button>'


def test_async_result_shows_loading_ok_and_failed():
    t = from_string(
        "{% call(org) async_result(org) %}{% slot loading %}Loading...{% endslot %}"
        "{% slot failed(reason) %}Failed: {{ reason }}{% endslot %}<b>{{ org.name }}</b>{% endcall %}"
    )
    loading = AsyncResult()
    assert t.render({"org": loading}) == "Loading..."
    done = loading.succeeded({"name": "Acme"})
    assert t.render({"org": done}) == "<b>Acme</b>"
    assert t.render({"org": done.reloading()}) == "<b>Acme</b>"  # the last good result while reloading
    assert t.render({"org": loading.errored("<timeout>")}) == "Failed: &lt;timeout&gt;"


class Profile(LiveView):
    template = LIBRARY + (
        "{% call(org) async_result(org) %}{% slot loading %}<p>Loading...</p>{% endslot %}"
        '{% slot failed(reason) %}<p class="error">{{ reason }}</p>{% endslot %}<h1>{{ org.name }}</h1>{% endcall %}'
        '{{ button(label="Load", id="load", phx_click="load") }}{{ button(label="Fail", id="fail", phx_click="fail") }}'
    )

    def mount(self, params, session, socket):
        socket.assign(org=AsyncResult())

    def handle_event(self, event, params, socket):
        org = socket.assigns.org
        socket.assign(org=org.succeeded({"name": "Acme"}) if event == "load" else org.errored("no network"))


@pytest.fixture
def app():
    app = App(secret_key="function-components")
    app.live("/profile", Profile)
    return app


async def test_function_components_in_a_live_view(live):
    view, html = await live("/profile")
    assert "<p>Loading...</p>" in html
    html = await view.element("#load").render_click()
    assert "<h1>Acme</h1>" in html and "Loading" not in html
    html = await view.element("#fail").render_click()
    assert "<h1>Acme</h1>" in html  # failed after a success keeps the good result (ok wins)
