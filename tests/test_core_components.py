"""liveui's core components (liveui/components.html.j2): each renders what a user sees, imported
with `{% from %}` or brought in with `{% use %}` (then they stream like the template's own: a
table over a stream keeps its rows across renders); the default layout renders the flash group."""

from __future__ import annotations

import pytest

from liveui import App, LiveView, to_form
from liveui.template import from_string

LIB = '{% from "liveui/components.html.j2" import input, button, simple_form, header, list, table, modal, flash, flash_group %}'


def render(source: str, **assigns) -> str:
    return from_string(LIB + source).render(assigns)


def test_input_types_with_label_value_and_errors():
    form = to_form({"kind": "b", "tags": ["x", "z"], "done": "true", "bio": "<hi>", "secret": "s"},
                   errors={"bio": ["too short", "too plain"]}, as_="p")
    html = render('{{ input(field=f.kind, type="select", options=["a", ("Bee", "b")], prompt="Pick", label="Kind") }}'
                  '{{ input(field=f.tags, type="select", multiple=true, options=["x", "y", "z"]) }}'
                  '{{ input(field=f.done, type="checkbox", label="Done") }}'
                  '{{ input(field=f.bio, type="textarea") }}{{ input(field=f.secret, type="hidden") }}'
                  '{{ input(name="q", id="q", value=3, type="number", placeholder="n") }}', f=form)
    assert ('<label class="lv-label" for="p_kind">Kind</label><select id="p_kind" name="p[kind]" class="lv-input">'
            '<option value="">Pick</option><option value="a">a</option><option value="b" selected>Bee</option></select>') in html
    assert ('<select id="p_tags" name="p[tags][]" class="lv-input" multiple><option value="x" selected>x</option>'
            '<option value="y">y</option><option value="z" selected>z</option></select>') in html
    assert ('<input type="hidden" name="p[done]" value="false"><label class="lv-check"><input type="checkbox" id="p_done" '
            'name="p[done]" value="true" checked> Done</label>') in html
    assert '<textarea id="p_bio" name="p[bio]" class="lv-input">&lt;hi&gt;</textarea>' in html
    assert '<p class="lv-error" id="p_bio-error">too short</p><p class="lv-error">too plain</p>' in html
    assert '<input type="hidden" id="p_secret" name="p[secret]" value="s">' in html and "lv-field\"><input type=\"hidden\" id" not in html
    assert '<input type="number" id="q" name="q" value="3" class="lv-input" placeholder="n">' in html


def test_button_simple_form_header_and_list():
    html = render('{% call(f) simple_form(form=form, phx_submit="save") %}{{ f.title.name }}'
                  '{% slot actions %}{{ button(label="Save", id="s") }}{% endslot %}{% endcall %}'
                  '{% call button(type="button", variant="danger") %}<b>x</b>{% endcall %}'
                  '{% call header() %}Todos{% slot subtitle %}3 left{% endslot %}{% slot actions %}A{% endslot %}{% endcall %}'
                  '{% call list() %}{% slot item, title="Name" %}Ada{% endslot %}{% endcall %}', form=to_form({}, as_="todo"))
    assert ('<form class="lv-form" id="todo" phx-submit="save">todo[title]<div class="lv-actions">'
            '<button class="lv-btn lv-btn-primary" id="s">Save</button></div></form>') in html
    assert '<button type="button" class="lv-btn lv-btn-danger"><b>x</b></button>' in html
    assert ('<header class="lv-header"><div><h1>Todos</h1><p class="lv-subtitle">3 left</p></div>'
            '<div class="lv-actions">A</div></header>') in html
    assert '<dl class="lv-list"><div><dt>Name</dt><dd>Ada</dd></div></dl>' in html


def test_table_of_a_list_with_an_action_column():
    html = render('{% call table(id="users", rows=users, row_id="id") %}{% slot col(u), label="Name" %}{{ u.name }}{% endslot %}'
                  '{% slot action(u) %}<a id="edit-{{ u.id }}">Edit</a>{% endslot %}{% endcall %}',
                  users=[{"id": 1, "name": "Ada"}, {"id": 2, "name": "Bo"}])
    assert ('<thead><tr><th>Name</th><th><span class="lv-sr-only">Actions</span></th></tr></thead><tbody id="users-rows">'
            '<tr id="users-1"><td>Ada</td><td class="lv-row-actions"><a id="edit-1">Edit</a></td></tr>'
            '<tr id="users-2"><td>Bo</td><td class="lv-row-actions"><a id="edit-2">Edit</a></td></tr></tbody>') in html


def test_flash_and_flash_group():
    html = render('{{ flash_group(flash=fl) }}', fl={"info": "Saved", "error": "Oops"})
    assert '<div id="flash-info" class="lv-flash lv-flash-info" role="alert"' in html and "<p>Saved</p>" in html
    assert '<div id="flash-error" class="lv-flash lv-flash-error" role="alert"' in html and "<p>Oops</p>" in html
    assert '&#34;event&#34;:&#34;lv:clear-flash&#34;,&#34;value&#34;:{&#34;key&#34;:&#34;info&#34;}' in html
    assert 'id="client-error"' in html and " hidden " in html  # shown by phx-disconnected only
    assert "flash-info" not in render('{{ flash_group(flash={}) }}')
    assert "<p>Body</p>" in render('{% call flash(kind="info", id="f") %}Body{% endcall %}')


def test_modal_markup_runs_commands_from_attributes():
    html = render('{% call modal(id="m", show=true) %}Hi{% endcall %}')
    assert '<div id="m" class="lv-modal" style="display: none" phx-mounted="[[&#34;push_focus&#34;' in html
    assert 'phx-hook="Phoenix.FocusWrap"' in html and 'phx-key="escape"' in html
    assert 'data-cancel="[[&#34;exec&#34;,{&#34;attr&#34;:&#34;phx-remove&#34;}]]"' in html


def test_use_brings_in_a_library_whose_components_call_each_other_with_slots(tmp_path):
    (tmp_path / "lib.html.j2").write_text(
        "{% component box(item) %}<ul>{% for i in item %}<li>{{ i() }}</li>{% endfor %}</ul>{% endcomponent %}\n"
        "{% component pair(a, b) %}{% call box() %}{% slot item %}{{ a }}{% endslot %}"
        "{% slot item %}{{ b }}{% endslot %}{% endcall %}{% endcomponent %}\n<p>not a component: left out</p>")
    t = from_string('{% use "lib.html.j2" %}{{ pair(a=1, b=x) }}', str(tmp_path / "page.html.j2"))
    assert t.render({"x": "<2>"}) == "<ul><li>1</li><li>&lt;2&gt;</li></ul>"


class StreamTable(LiveView):
    layout = None
    template = """{% use "liveui/components.html.j2" %}
{% call table(id="songs", rows=streams.songs) %}{% slot col(s), label="Title" %}{{ s.title }}{% endslot %}
{% slot action(s) %}<button id="del-{{ s.id }}" phx-click="{{ JS.push('delete', value={'id': s.id}) }}">x</button>{% endslot %}
{% endcall %}<button id="add" phx-click="add">add</button>"""

    def mount(self, params, session, socket):
        socket.stream("songs", [{"id": 1, "title": "One"}, {"id": 2, "title": "Two"}])

    def handle_event(self, event, params, socket):
        if event == "add":
            socket.stream_insert("songs", {"id": 3, "title": "Three"})
        else:
            socket.stream_delete_by_dom_id("songs", f"songs-{params['id']}")


class Layouts(LiveView):
    template = '<p id="body">body</p><button id="say" phx-click="say">say</button>'

    def handle_event(self, event, params, socket):
        socket.put_flash("info", "Said.")


class Nested(LiveView):
    template = '{{ live_render(Layouts, id="child") }}'


@pytest.fixture
def app():
    app = App(secret_key="core-components")
    app.live("/songs", StreamTable)
    app.live("/layout", Layouts)
    app.live("/nested", Nested)
    return app


async def test_used_components_stream_a_table_over_a_stream(live):
    view, html = await live("/songs")
    assert '<tr id="songs-1"><td>One</td>' in html and '<tr id="songs-2"><td>Two</td>' in html
    html = await view.element("#add").render_click()
    assert all(f'<tr id="songs-{n}">' in html for n in (1, 2, 3))  # the rows sent before stay
    html = await view.element("#del-1").render_click()
    assert '<tr id="songs-1">' not in html and '<tr id="songs-3">' in html


async def test_the_default_layout_renders_the_flash_group_and_a_nested_view_none(live):
    view, html = await live("/layout")
    assert html.startswith('<div class="lv-page"><p id="body">body</p>') and 'id="flash-group"' in html
    html = await view.element("#say").render_click()
    assert '<div id="flash-info" class="lv-flash lv-flash-info"' in html and "<p>Said.</p>" in html
    html = await view.element("#flash-info").render_click()  # its phx-click pushes lv:clear-flash
    assert 'id="flash-info"' not in html
    view, html = await live("/nested")
    assert '<p id="body">body</p>' in html and html.count('id="flash-group"') == 1  # the parent's only
