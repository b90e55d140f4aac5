"""Jinja2 templates compiled into render streams (see `stream.py`).

Templates are colocated with their view (`counter.py` beside `counter.html.j2`), given
inline, or returned by `render()`. Autoescaping is always on. Names in `include`/`extends`
are resolved next to the including template first, then on the search path.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from typing import Any

import jinja2
from jinja2.debug import rewrite_traceback_stack

from ..attrdict import AttrDict
from ..js import JS
from ..images import image
from .codegen import StreamCodeGenerator, compile_names
from .function_components import FunctionComponents, attach_slots
from .stream import RENDER_ALL, Tracker, to_html

__all__ = ["Template", "environment", "from_string", "load"]


# Templates shipped with liveui, importable from any template as "liveui/<name>"
# (`{% from "liveui/components.html.j2" import input %}`).
SHIPPED = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "templates")


class _Loader(jinja2.BaseLoader):
    """Loads absolute paths as they are, "liveui/..." from liveui's own templates and other
    names from a search path."""

    def __init__(self) -> None:
        self.search_path: list[str] = []

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        candidates = [template] if os.path.isabs(template) else [
            os.path.join(root, template) for root in self.search_path
        ]
        if template.startswith("liveui/"):
            candidates.append(os.path.join(SHIPPED, template.removeprefix("liveui/")))
        for path in candidates:
            if os.path.isfile(path):
                mtime = os.path.getmtime(path)
                with open(path, encoding="utf-8") as f:
                    source = f.read()
                if path.startswith(SHIPPED + os.sep):  # liveui's own: no file check on every use
                    return source, path, lambda: True
                return source, path, lambda: os.path.isfile(path) and os.path.getmtime(path) == mtime
        raise jinja2.TemplateNotFound(
            f"{template} (looked in {candidates or 'an empty search path'}; "
            "add its folder with liveui.template.environment().loader.search_path.append(...))"
        )


class LiveEnvironment(jinja2.Environment):
    """The Jinja2 environment of liveui: stream code generation, autoescape on."""

    code_generator_class = StreamCodeGenerator

    def __init__(self) -> None:
        super().__init__(loader=_Loader(), autoescape=True, auto_reload=True, extensions=[FunctionComponents])
        self.globals["JS"] = JS

    def _parse(self, source: str, name: str | None, filename: str | None) -> jinja2.nodes.Template:
        tree = super()._parse(source, name, filename)
        attach_slots(tree)
        tree.set_environment(self)
        return tree

    def getattr(self, obj: Any, attribute: str) -> Any:
        """`streams.items`, `uploads.values`: in liveui's dicts (streams, uploads, ...) the user's
        names come before the dict methods they share a name with."""
        if isinstance(obj, AttrDict) and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)

    def join_path(self, template: str, parent: str) -> str:
        if os.path.isabs(parent) and not os.path.isabs(template):
            sibling = os.path.normpath(os.path.join(os.path.dirname(parent), template))
            if os.path.isfile(sibling):
                return sibling
        return template


_environment = LiveEnvironment()
_environment.filters["image"] = image  # {{ chart|image(alt="...") }}: see liveui/images.py


def environment() -> LiveEnvironment:
    """The shared environment: add globals, filters and search paths here."""
    return _environment


class Template:
    """A compiled template: renders to HTML or to a render stream."""

    __slots__ = ("_jinja", "name")

    @property
    def jinja(self) -> jinja2.Template:
        """The Jinja2 template (to include it from another template)."""
        return self._jinja

    def __init__(self, jinja_template: jinja2.Template) -> None:
        self._jinja = jinja_template
        self.name = jinja_template.filename or jinja_template.name or "<inline template>"

    def stream(self, assigns: Mapping[str, Any], tracker: Tracker = RENDER_ALL) -> Iterator[Any]:
        """Yield the render stream for these assigns, asking `tracker` what to render."""
        jinja = self._jinja
        # What Jinja2's new_context builds, without copying its ChainMap of globals slowly.
        parent = {**jinja.environment.globals, **jinja.globals.maps[0], **assigns, "__lv__": tracker}
        context = jinja.environment.context_class(jinja.environment, parent, jinja.name, jinja.blocks)
        try:
            yield from self._jinja.root_render_func(context)
        except Exception as exc:
            raise _located(exc) from None

    def render(self, assigns: Mapping[str, Any]) -> str:
        """Render to HTML (the dead render)."""
        return to_html(self.stream(assigns))

    def __repr__(self) -> str:
        return f"<Template {self.name}>"


def _located(exc: BaseException) -> BaseException:
    """Rewrite the traceback onto template lines and name the file and line in the error."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return exc
    located = rewrite_traceback_stack(source=None)
    tb = located.__traceback__
    where = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not filename.endswith(".py"):  # Jinja2 rewrote this frame onto a template line
            where = f"{filename}, line {tb.tb_lineno}"
        tb = tb.tb_next
    if where is not None:
        located.add_note(f"in template {where}")
    return located


_inline: dict[tuple[str, str | None], Template] = {}


def load(path: str, names: Mapping[str, Any] | None = None) -> Template:
    """Load a template file (an absolute path, or a name on the search path); `names` are
    globals of this template (constants: slots reading only them are not re-evaluated)."""
    token = compile_names.set(names or {})
    try:
        return Template(_environment.get_template(path, globals=names))
    finally:
        compile_names.reset(token)


def from_string(source: str, anchor: str | None = None, names: Mapping[str, Any] | None = None) -> Template:
    """Compile inline template source (cached); `anchor`, an absolute path, names it in errors
    and is where its `include`/`extends` names resolve first; `names` as for `load`."""
    template = _inline.get((source, anchor))
    if template is None:
        env = _environment
        token = compile_names.set(names or {})
        try:
            code = env.compile(source, name=anchor, filename=anchor)
        finally:
            compile_names.reset(token)
        jinja = env.template_class.from_code(env, code, env.make_globals(names), None)
        template = _inline[(source, anchor)] = Template(jinja)
    return template


def forget_compiled() -> None:
    """Drop compiled templates (inline ones and the environment's cache): the next load reads and
    compiles the files again (the development server calls it when a template was edited)."""
    _inline.clear()
    _environment.cache.clear()  # type: ignore[union-attr]


def colocated(module_name: str, filename: str) -> str:
    """The absolute path of `filename` next to the module that defines a view."""
    module = sys.modules.get(module_name)
    base = os.path.dirname(os.path.abspath(module.__file__)) if module and getattr(module, "__file__", None) else os.getcwd()
    return os.path.join(base, filename)
