"""Plain HTTP routes beside live ones: a login form that writes the session, a live page only a
logged-in user may open, and logout. Run it with `python -m liveui run examples.login:make_app`.

The session written by the login handler is the one live views receive in `mount`; an
`on_mount` hook of the live session refuses anonymous visitors (the dead render and a join alike).
"""

from __future__ import annotations

from liveui import App, Halt, LiveView
from liveui.http import RequestHandler

USERS = {"ada": "lovelace", "alan": "turing"}  # a demo: check against your user store instead

FORM = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Log in</title></head><body>
<h1>Log in</h1>{error}
<form method="post" action="/login">
  <input type="hidden" name="_csrf_token" value="{csrf}">
  <label>User <input name="user" autocomplete="username"></label>
  <label>Password <input name="password" type="password" autocomplete="current-password"></label>
  <button type="submit">Log in</button>
</form>
<p>Try ada / lovelace.</p></body></html>"""


class Login(RequestHandler):
    def get(self) -> None:
        self.finish(FORM.format(error="", csrf=self.csrf_token))

    def post(self) -> None:
        user = self.get_body_argument("user", "")
        if USERS.get(user) != self.get_body_argument("password", ""):
            self.set_status(401)
            self.finish(FORM.format(error='<p role="alert">Wrong user or password.</p>', csrf=self.csrf_token))
            return
        self.clear_session()  # a new session id at login: an id known before cannot be reused
        self.put_session(user_id=user)
        self.redirect("/account")


class Logout(RequestHandler):
    def get(self) -> None:  # a page with a form: logging out is a POST, carrying the CSRF token
        self.finish('<!DOCTYPE html><title>Log out</title><form method="post" action="/logout">'
                    f'<input type="hidden" name="_csrf_token" value="{self.csrf_token}">'
                    '<button id="logout" type="submit">Log out</button></form>')

    def post(self) -> None:
        self.clear_session()
        self.redirect("/login")


def require_user(params, session, socket):
    """on_mount hook: anonymous visitors go to the login page."""
    if not session.get("user_id"):
        socket.redirect(to="/login")
        return Halt()
    socket.assign(current_user=session["user_id"])
    return None


class Account(LiveView):
    template = """<h1>Hello, <span id="user">{{ current_user }}</span></h1>
<p>Clicks: <span id="clicks">{{ clicks }}</span> <button id="click" phx-click="click">Click</button></p>
<p><a id="logout" href="/logout">Log out</a></p>"""

    def mount(self, params, session, socket):
        socket.assign(clicks=0, page_title="Account")

    def handle_event(self, event, params, socket):
        if event == "click":
            socket.assign(clicks=socket.assigns.clicks + 1)


def make_app(secret_key: str | None = None) -> App:
    app = App(secret_key=secret_key, title="liveui login")
    app.route("/login", Login)
    app.route("/logout", Logout)
    app.route("/health", lambda handler: {"status": "ok"})
    with app.live_session("users", on_mount=[require_user]):
        app.live("/account", Account)
    return app
