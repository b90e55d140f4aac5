"""A sign-up form validated as you type (phx-change, debounced) and submitted (phx-submit)."""

import re
from dataclasses import dataclass, field

from liveui import LiveView, to_form

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class User:
    name: str = field(metadata={"validate": lambda s: None if len(s.strip()) >= 2 else "Name must have at least 2 characters."})
    email: str = field(metadata={"validate": lambda s: None if EMAIL.match(s) else "Enter an email address like ada@example.com."})


class SignupForm(LiveView):
    template = "form.html.j2"

    def mount(self, params, session, socket):
        socket.assign(form=to_form(schema=User), page_title="Form", signed_up=None)

    def handle_event(self, event, params, socket):
        form = to_form(params.get("user", {}), schema=User)  # errors show for the fields the user touched
        if event == "save" and form.valid:
            socket.put_flash("info", f"Welcome, {form.data.name}!")
            socket.assign(form=to_form(schema=User), signed_up=form.data.name)  # a fresh form: inputs cleared
        else:
            socket.assign(form=form)
