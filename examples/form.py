"""A sign-up form validated as you type (phx-change, debounced) and submitted (phx-submit)."""

import re

from liveui import LiveView

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def validate(user: dict) -> dict:
    errors = {}
    if len(user.get("name", "").strip()) < 2:
        errors["name"] = "Name must have at least 2 characters."
    if not EMAIL.match(user.get("email", "")):
        errors["email"] = "Enter an email address like ada@example.com."
    return errors


class SignupForm(LiveView):
    template = "form.html.j2"

    def mount(self, params, session, socket):
        socket.assign(user={"name": "", "email": ""}, errors={}, touched=[], page_title="Form", signed_up=None)

    def handle_event(self, event, params, socket):
        user = {k: str(v) for k, v in params.get("user", {}).items() if not k.startswith("_unused_")}
        if event == "validate":
            touched = sorted({*socket.assigns.touched, *params.get("_target", [])[1:]})
            socket.assign(user=user, errors=validate(user), touched=touched)
        elif event == "save":
            errors = validate(user)
            if errors:
                socket.assign(user=user, errors=errors, touched=["email", "name"])
            else:
                socket.put_flash("info", f"Welcome, {user['name']}!")
                socket.assign(user={"name": "", "email": ""}, errors={}, touched=[], signed_up=user["name"])
