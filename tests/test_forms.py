"""Forms: `to_form` from params, a dataclass or a pydantic model; fields' names, ids, values and
errors; the `_unused_` rule (errors show only for used fields); nested fields and lists of
inputs; then a form validated on change and submitted, over every transport, with a pydantic
model, a dataclass and plain params."""

from __future__ import annotations

import dataclasses
import re
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel, Field

from liveui import App, Invalid, LiveView, to_form
from liveui.template import from_string


class Todo(BaseModel):
    title: str = Field(min_length=3)
    priority: int = Field(ge=1, le=5)


def _between(low, high):
    return lambda n: None if low <= n <= high else f"should be between {low} and {high}"


@dataclasses.dataclass
class Task:
    title: str = dataclasses.field(metadata={"validate": lambda s: None if len(s) >= 3 else "should have at least 3 characters"})
    priority: int = dataclasses.field(metadata={"validate": _between(1, 5)})

    def __post_init__(self) -> None:
        if self.title.lower() == "nothing" and self.priority > 1:
            raise Invalid({"priority": "doing nothing cannot be urgent"})


def test_a_form_from_params_names_ids_values_and_errors():
    form = to_form({"title": "Milk", "priority": "2"}, errors={"title": "is taken"}, as_="todo")
    title = form["title"]
    assert (title.name, title.id, title.value, title.errors) == ("todo[title]", "todo_title", "Milk", ["is taken"])
    assert form.title.name == "todo[title]" and form["priority"].errors == []
    plain = to_form({"q": "x"})
    assert (plain["q"].name, plain["q"].id, plain["q"].value) == ("q", "q", "x")
    assert to_form({}, id="search", as_="s")["q"].id == "search_q"


def test_a_form_from_a_dataclass_or_a_pydantic_instance_takes_their_values_and_class_name():
    for source in (Task("Milk", 2), Todo(title="Milk", priority=2)):
        form = to_form(source)
        assert form["title"].value == "Milk" and form["priority"].value == 2
        assert form["title"].used is False  # nothing was sent yet
    assert to_form(Task("Milk", 2))["title"].name == "task[title]"
    assert to_form(Todo(title="Milk", priority=2), as_="item")["priority"].id == "item_priority"


def test_used_input_follows_the_unused_markers_of_the_client():
    form = to_form({"title": "a", "_unused_priority": "", "priority": "", "tags": {"_unused_0": "", "0": ""},
                    "address": {"_unused_city": "", "city": "", "zip": "1"}})
    assert form["title"].used and not form["priority"].used
    assert not form["tags"].used and form["address"].used  # a nested map is used when any key is
    assert not form["missing"].used


@pytest.mark.parametrize("schema", [Todo, Task])
def test_validation_against_a_schema_maps_errors_to_fields(schema):
    form = to_form({"title": "ab", "priority": "9", "_unused_priority": ""}, schema=schema, as_="todo")
    assert not form.valid and form.data is None
    assert form["title"].errors and form["priority"].errors
    assert form["title"].shown_errors == form["title"].errors and form["priority"].shown_errors == []
    assert form["title"].value == "ab"  # the values the user typed stay
    good = to_form({"title": "Milk", "priority": "2"}, schema=schema)
    assert good.valid and (good.data.title, good.data.priority) == ("Milk", 2)


def test_a_dataclass_field_left_blank_or_not_converting_is_an_error_and_post_init_may_refuse():
    form = to_form({"priority": "high"}, schema=Task)
    assert form["title"].errors == ["can't be blank"] and form["priority"].errors == ["is invalid"]
    form = to_form({"title": "", "priority": ""}, schema=Task)  # "" is a string, not a number
    assert form["title"].errors == ["should have at least 3 characters"] and form["priority"].errors == ["can't be blank"]
    form = to_form({"title": "Nothing", "priority": "3"}, schema=Task)
    assert form["priority"].errors == ["doing nothing cannot be urgent"] and form.data is None


def test_nested_fields_and_lists_of_inputs():
    class Order(BaseModel):
        customer: str
        lines: list[dict]

    params = {"customer": "Ada", "lines": {"0": {"sku": "A1", "qty": "2"}, "1": {"sku": "", "_unused_qty": "", "qty": ""}}}
    form = to_form(params, errors={"lines": {1: {"sku": "can't be blank", "qty": "can't be blank"}}}, as_="order")
    lines = form.inputs_for("lines")
    assert [f["sku"].name for f in lines] == ["order[lines][0][sku]", "order[lines][1][sku]"]
    assert [f["qty"].id for f in lines] == ["order_lines_0_qty", "order_lines_1_qty"]
    assert lines[0]["qty"].value == "2" and lines[1]["sku"].shown_errors == ["can't be blank"]
    assert lines[1]["qty"].shown_errors == []  # not used yet
    from_data = to_form(Order(customer="Ada", lines=[{"sku": "B2"}])).inputs_for("lines")
    assert [f["sku"].value for f in from_data] == ["B2"] and from_data[0]["sku"].name == "order[lines][0][sku]"
    (address,) = to_form({"address": {"city": "Oslo"}}, as_="user").inputs_for("address")
    assert (address["city"].name, address["city"].value) == ("user[address][city]", "Oslo")


def test_pydantic_errors_of_nested_items_land_on_their_sub_forms():
    class Line(BaseModel):
        sku: str = Field(min_length=1)

    class Order(BaseModel):
        lines: list[Line]

    form = to_form({"lines": [{"sku": "A"}, {"sku": ""}]}, schema=Order)
    first, second = form.inputs_for("lines")
    assert first["sku"].errors == [] and second["sku"].errors == ["String should have at least 1 character"]


def test_the_input_component_renders_name_id_value_label_and_only_used_errors():
    t = from_string('{% from "liveui/components.html.j2" import input %}'
                    '{{ input(field=form.title, label="Title") }}{{ input(field=form.priority, type="number") }}')
    html = t.render({"form": to_form({"title": "ab", "_unused_priority": "", "priority": ""}, schema=Todo, as_="todo")})
    assert '<label class="lv-label" for="todo_title">Title</label>' in html
    assert '<input type="text" id="todo_title" name="todo[title]" value="ab" class="lv-input" aria-invalid="true">' in html
    assert '<p class="lv-error" id="todo_title-error">String should have at least 3 characters</p>' in html
    assert "todo_priority-error" not in html


FORM = """{% from "liveui/components.html.j2" import input, simple_form, button %}
{% call(f) simple_form(form=form, phx_change="validate", phx_submit="save") %}
  {{ input(field=f.title, label="Title") }}{{ input(field=f.priority, type="number", label="Priority") }}
  {% slot actions %}{{ button(label="Add", id="add") }}{% endslot %}
{% endcall %}
<ul id="todos">{% for t in todos %}<li>{{ t.title }} ({{ t.priority }})</li>{% endfor %}</ul>"""


class TodoForm(LiveView):
    template = FORM
    schema: type | None = None

    def mount(self, params, session, socket):
        socket.assign(form=to_form(schema=self.schema, as_="todo"), todos=[])

    def handle_event(self, event, params, socket):
        form = self.validate(params.get("todo", {}))
        if event == "save" and form.valid:
            socket.assign(todos=[*socket.assigns.todos, form.data], form=to_form(schema=self.schema, as_="todo"))
        else:
            socket.assign(form=form)

    def validate(self, params):
        return to_form(params, schema=self.schema, as_="todo")


class PydanticTodos(TodoForm):
    schema = Todo


class DataclassTodos(TodoForm):
    schema = Task


class ParamsTodos(TodoForm):
    """No schema: plain params and errors computed by hand."""

    def validate(self, params):
        errors = {}
        if len(params.get("title", "")) < 3:
            errors["title"] = "too short"
        if params.get("priority", "") not in list("12345"):
            errors["priority"] = "1 to 5"
        form = to_form(params, errors, as_="todo")
        form.data = Task(params["title"], int(params["priority"])) if not errors else None
        return form


class OrderForm(LiveView):
    """A form with sub-items: one SKU input per line, each line's errors after its own use."""

    template = """{% use "liveui/components.html.j2" %}<form id="order" phx-change="validate">
    {{ input(field=form.customer, label="Customer") }}
    {% for line in form.inputs_for("lines") %}{{ input(field=line.sku, label="SKU") }}{% endfor %}</form>"""

    def mount(self, params, session, socket):
        socket.assign(form=to_form({"customer": "", "lines": [{"sku": "A"}, {"sku": "B"}]}, as_="order"))

    def handle_event(self, event, params, socket):
        lines = params["order"].get("lines", {})
        errors = {"lines": {i: {"sku": "too short"} for i, line in lines.items() if len(line.get("sku", "")) < 2}}
        socket.assign(form=to_form(params["order"], errors, as_="order"))


@pytest.fixture
def app():
    app = App(secret_key="forms")
    app.live("/order", OrderForm)
    app.live("/pydantic", PydanticTodos)
    app.live("/dataclass", DataclassTodos)
    app.live("/params", ParamsTodos)
    return app


@pytest.mark.parametrize("path", ["/pydantic", "/dataclass", "/params"])
async def test_validate_on_change_submit_with_errors_then_without(live, path):
    view, html = await live(path)
    assert "lv-error" not in html  # nothing used yet: no errors shown
    html = await view.form("#todo").render_change({"todo": {"title": "ab"}})
    assert 'id="todo_title-error"' in html and 'id="todo_priority-error"' not in html  # only the touched field
    html = await view.form("#todo").render_submit({"todo": {"title": "ab", "priority": "9"}})
    assert 'id="todo_title-error"' in html and 'id="todo_priority-error"' in html  # a submit uses every field
    assert 'name="todo[title]" value="ab"' in html and 'name="todo[priority]" value="9"' in html  # values kept
    html = await view.form("#todo").render_change({"todo": {"title": "abc"}})
    assert 'id="todo_title-error"' not in html  # fixed
    assert 'id="todo_priority-error"' in html  # the client counts a submitted form's fields used from then on
    html = await view.form("#todo").render_submit({"todo": {"title": "Milk", "priority": "2"}})
    assert "<li>Milk (2)</li>" in html and "lv-error" not in html
    assert 'name="todo[title]" value=""' in html and 'name="todo[priority]" value=""' in html  # reset


async def test_a_form_with_sub_items_shows_each_items_errors_after_its_use(live):
    view, html = await live("/order")
    assert 'name="order[lines][0][sku]" value="A"' in html and 'id="order_lines_1_sku"' in html
    html = await view.form("#order").render_change({"order": {"lines": {"1": {"sku": "C"}}}})
    assert '<p class="lv-error" id="order_lines_1_sku-error">too short</p>' in html
    assert "order_lines_0_sku-error" not in html  # line 0 is too short too, but untouched
    assert 'name="order[lines][1][sku]" value="C"' in html


# -- the gallery's todo example -------------------------------------------------------------

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
if str(EXAMPLES.parent) not in sys.path:  # `examples` is not an installed package
    sys.path.insert(0, str(EXAMPLES.parent))


def test_the_todo_example_is_at_most_45_lines_and_the_readme_shows_it():
    sources = [(EXAMPLES / name).read_text() for name in ("todo.py", "todo.html.j2")]
    lines = sum(len(source.splitlines()) for source in sources)
    assert lines <= 45, f"examples/todo.py and todo.html.j2 together are {lines} lines"
    readme = (EXAMPLES.parent / "README.md").read_text()
    assert all(source in readme for source in sources), "README.md shows another todo example than examples/"


async def test_the_todo_example_validates_adds_toggles_and_deletes(live):
    from examples.todo import Todos

    app = App(secret_key="todo")
    app.live("/todo", Todos)
    view, html = await live(app, "/todo")
    assert "lv-error" not in html and "0 left" in html
    html = await view.form("form").render_change({"todo": {"title": "ab"}})
    assert "At least 3 characters." in html
    html = await view.form("form").render_submit({"todo": {"title": "Milk"}})
    assert "Added Milk." in html and "1 left" in html and 'name="todo[title]" value=""' in html
    (row,) = re.findall(r'<tr id="todos-(\d+)">', html)
    html = await view.element(f"#todos-{row} input[type=checkbox]").render_click()
    assert "0 left" in html
    html = await view.element(f"#todos-{row} a", "Delete").render_click()
    assert f'id="todos-{row}"' not in html
