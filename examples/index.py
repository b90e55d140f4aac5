"""The gallery's index page."""

from liveui import LiveView

PAGES = [
    ("/counter", "Counter", "phx-click and server state"),
    ("/form", "Form", "phx-change validation with phx-debounce, phx-submit, flash"),
    ("/items", "Items", "push_patch, push_navigate, live links"),
    ("/hooks", "Hooks", "push_event to a client hook, hook pushEvent with a reply"),
]


class Index(LiveView):
    template = """{% extends "layout.html.j2" %}{% block content %}
<h1>liveui demo gallery</h1>
<ul id="pages">{% for path, title, what in pages %}
  <li><a href="{{ path }}">{{ title }}</a> — {{ what }}</li>{% endfor %}
</ul>{% endblock %}"""

    def mount(self, params, session, socket):
        socket.assign(pages=PAGES, page_title="liveui")
