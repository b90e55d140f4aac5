"""A todo list: server-side validation, errors after interaction, JS commands, the default layout."""

from dataclasses import dataclass, field
from itertools import count

from liveui import LiveView, to_form


@dataclass
class Todo:
    title: str = field(metadata={"validate": lambda s: None if len(s.strip()) >= 3 else "At least 3 characters."})


class Todos(LiveView):
    template = "todo.html.j2"
    ids = count(1)

    def mount(self, params, session, socket):
        socket.assign(form=to_form(schema=Todo), todos=[], page_title="Todos")

    def handle_event(self, event, params, socket):
        todos = socket.assigns.todos
        if event == "delete":
            socket.assign(todos=[t for t in todos if t["id"] != params["id"]])
        elif event == "toggle":
            socket.assign(todos=[{**t, "done": not t["done"]} if t["id"] == int(params["id"]) else t for t in todos])
        else:  # "validate" (phx-change) or "add" (phx-submit)
            form = to_form(params["todo"], schema=Todo)
            if event == "add" and form.valid:
                todos, form = [*todos, {"id": next(self.ids), "title": form.data.title, "done": False}], to_form(schema=Todo)
                socket.put_flash("info", f"Added {todos[-1]['title']}.")
            socket.assign(form=form, todos=todos)
