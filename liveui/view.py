"""The LiveView base class: the callbacks a view implements."""

from __future__ import annotations

import importlib
import logging
import os
import re
import sys
from typing import Any, ClassVar

from . import template as templates
from .socket import Socket

log = logging.getLogger("liveui")

_TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2", ".html")
DEFAULT_LAYOUT = "liveui/layout.html.j2"  # liveui's own: the view, then the flash group
_EXTENDS = re.compile(r"{%-?\s*extends\b")


def find_class(ref: Any, base: type, helper: str) -> Any:
    """A subclass of `base` given as a class, "module:Class" or "module.Class" (a token's key)."""
    found = ref
    if isinstance(ref, str):
        module, _, name = ref.partition(":") if ":" in ref else ref.rpartition(".")
        try:
            found = importlib.import_module(module)
        except (ImportError, ValueError):
            found = None
        for part in name.split("."):
            found = getattr(found, part, None)
    if isinstance(found, type) and issubclass(found, base):
        return found
    raise TypeError(f"{helper} expects a {base.__name__} subclass or 'module:Class', got {ref!r}")


class Renderable:
    """What live views and live components share: a Jinja2 template found from the class.

    `template` is a file name next to the class's module (`counter.html.j2`) or inline Jinja2
    source; without it, `render` is called, and without either the colocated
    `<module>.html.j2` is used. The template sees the live views and live components of the
    class's module by name (`{{ live_component(LineItem, id=...) }}`).
    """

    template: ClassVar[str | None] = None

    def render(self, assigns: dict[str, Any]) -> str | templates.Template | None:
        """Return Jinja2 source or a Template; None means use `template`."""
        return None

    @classmethod
    def resolve_template(cls, nested: bool = False) -> templates.Template:
        """The class's template: the `template` attribute or the colocated `<module>.html.j2`,
        inside its `layout` when it has one (a nested view is never in the default layout)."""
        key = "_compiled_nested_template" if nested else "_compiled_template"
        cached = cls.__dict__.get(key)
        if cached is not None:
            return cached
        source = cls.template
        names = cls._template_names()
        if source is None or (source.endswith(_TEMPLATE_SUFFIXES) and "\n" not in source and "{" not in source):
            module_file = getattr(sys.modules.get(cls.__module__), "__file__", None) or "view"
            stem = os.path.splitext(os.path.basename(module_file))[0]
            anchor = templates.colocated(cls.__module__, source or f"{stem}.html.j2")
            compiled = templates.load(anchor, names)
            source = None
        else:
            anchor = cls._anchor()
            compiled = templates.from_string(source, anchor, names)
        layout = getattr(cls, "layout", None)
        if layout == DEFAULT_LAYOUT:
            if not nested:
                compiled = _in_default_layout(compiled, source, anchor, names)
        elif layout is not None:
            compiled = _in_layout(compiled, layout if layout.startswith("liveui/") else
                                  templates.colocated(cls.__module__, layout), cls._anchor(), names)
        setattr(cls, key, compiled)
        return compiled

    @classmethod
    def _anchor(cls) -> str:
        """Where inline source of this class lives: names it in errors, anchors its includes."""
        module_file = getattr(sys.modules.get(cls.__module__), "__file__", None)
        return f"{os.path.abspath(module_file) if module_file else os.getcwd()}:{cls.__qualname__}"

    @classmethod
    def _template_names(cls) -> dict[str, type]:
        """The live views and components of the class's module, as its template's globals."""
        module = sys.modules.get(cls.__module__)
        return {
            name: value for name, value in vars(module).items()
            if isinstance(value, type) and issubclass(value, Renderable) and not value.__module__.startswith("liveui.")
        } if module is not None else {}

    def template_for(self, assigns: dict[str, Any], render: Any = None, nested: bool = False) -> templates.Template:
        """The template of this render: from `render` (`socket.render_with`, else `self.render`)
        when it returns one, else the class's (`nested`: of a view placed by live_render)."""
        rendered = (render or self.render)(assigns)
        if rendered is None:
            return type(self).resolve_template(nested)
        if isinstance(rendered, templates.Template):
            return rendered
        if isinstance(rendered, str):
            return templates.from_string(rendered, type(self)._anchor(), type(self)._template_names())
        raise TypeError(
            f"{type(self).__name__}.render must return Jinja2 source, a Template or None, got {type(rendered).__name__}"
        )


def _in_layout(compiled: templates.Template, layout: Any, anchor: str, names: dict[str, Any]) -> templates.Template:
    """The view's template included in the `content` block of `layout` (a template name or path,
    or a compiled Jinja2 template)."""
    wrapper = "{% extends __lv_layout %}{% block content %}{% include __lv_inner %}{% endblock %}"
    return templates.from_string(wrapper, anchor + ":layout", {**names, "__lv_layout": layout, "__lv_inner": compiled.jinja})


def _in_default_layout(compiled: templates.Template, source: str | None, anchor: str,
                       names: dict[str, Any]) -> templates.Template:
    """The view's template inside the default layout. Its source goes into the layout's block
    (on the first line, so errors keep its file and lines): no include on every render. A
    template that extends another one is included instead."""
    if source is None:
        with open(anchor, encoding="utf-8") as f:
            source = f.read()
    layout = templates.load(DEFAULT_LAYOUT).jinja
    if _EXTENDS.search(source):
        return _in_layout(compiled, layout, anchor, names)
    return templates.from_string("{% extends __lv_layout %}{% block content %}" + source + "{% endblock %}",
                                 anchor, {**names, "__lv_layout": layout})


class LiveView(Renderable):
    """A live view: state in `socket.assigns`, callbacks for the lifecycle, a Jinja2 template
    (see `Renderable`). Callbacks may be plain functions or coroutines."""

    container: ClassVar[tuple[str, dict[str, str]]] = ("div", {})
    # a template beside the module whose {% block content %} holds the view; None for none
    layout: ClassVar[str | None] = DEFAULT_LAYOUT
    log_level: ClassVar[int | None] = logging.DEBUG  # events and messages are logged at this level; None: not
    hibernate_after: ClassVar[float | None] = 15.0  # idle seconds before the view compacts its state
    reconnect_grace: ClassVar[float | None] = None  # seconds it outlives a dropped connection; None: the app's
    on_mount: ClassVar[tuple[Any, ...]] = ()  # hooks fn(params, session, socket), after the live session's

    def mount(self, params: dict[str, Any], session: dict[str, Any], socket: Socket) -> Any:
        """Set up the initial assigns; runs for the dead render and again once connected."""

    def handle_params(self, params: dict[str, Any], uri: str, socket: Socket) -> Any:
        """React to the URL (after mount, and on every push_patch or live patch link)."""

    def handle_event(self, event: str, params: Any, socket: Socket) -> Any:
        """Handle a client event; return a dict to reply to the client (hook pushEvent)."""
        log.warning("%s has no handle_event for event %r (params %r)", type(self).__name__, event, params)

    def handle_info(self, message: Any, socket: Socket) -> Any:
        """Handle a message sent with `socket.ref.send(...)` or from PubSub."""
        log.warning("%s has no handle_info for message %r", type(self).__name__, message)

    def handle_call(self, message: Any, socket: Socket) -> Any:
        """Answer `await socket.ref.call(message)` from other code: the return value is the answer."""
        raise NotImplementedError(f"{type(self).__name__} has no handle_call for {message!r}")

    def handle_cast(self, message: Any, socket: Socket) -> Any:
        """Handle `socket.ref.cast(message)` (no answer)."""
        log.warning("%s has no handle_cast for message %r", type(self).__name__, message)

    def handle_async(self, name: str, result: Any, socket: Socket) -> Any:
        """The outcome of `socket.start_async(name, ...)`: `("ok", value)` or `("exit", reason)`."""
        log.warning("%s has no handle_async for %r (result %r)", type(self).__name__, name, result)

    def terminate(self, reason: Any, socket: Socket) -> Any:
        """Called once when the connected view ends (leave, navigation, crash, disconnect)."""
