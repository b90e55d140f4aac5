"""Jinja2 code generation that emits a render stream instead of plain text.

We keep Jinja2's own compiler (expressions, filters, tests, scoping, macros, include,
extends) and change only what the top-level output looks like: template text is yielded as
`Static` constants, each `{{ }}` slot is guarded by the assigns it reads, `if` branches and
`for` loops open nested nodes, and every loop iteration first asks the tracker whether its
entry must be rendered at all. Output inside macros, call blocks and `{% set %}` blocks keeps
Jinja2's buffered form: it becomes one dynamic string.
"""

from __future__ import annotations

from typing import Any

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame

_SPECIAL_NAMES = frozenset({"loop", "caller", "varargs", "kwargs", "self", "super"})


def _names(node: nodes.Node, ctxs: tuple[str, ...]) -> set[str]:
    found = {n.name for n in node.find_all(nodes.Name) if n.ctx in ctxs}
    if isinstance(node, nodes.Name) and node.ctx in ctxs:
        found.add(node.name)
    return found


def _stored(node: nodes.Node) -> set[str]:
    """Names a subtree binds: assignments, loop targets, macros, parameters, imports with context."""
    found = _names(node, ("store", "param"))
    found.update(macro.name for macro in node.find_all(nodes.Macro))
    for imp in node.find_all(nodes.Import):
        if imp.with_context:
            found.add(imp.target)
    for imp in node.find_all(nodes.FromImport):
        if imp.with_context:
            found.update(n if isinstance(n, str) else n[1] for n in imp.names)
    return found


def _free(node: nodes.Node) -> set[str]:
    """Names a subtree reads but does not bind itself."""
    return _names(node, ("load",)) - _stored(node)


def _constant_imports(node: nodes.Node) -> set[str]:
    """Names of imports without context: their macros depend on their arguments only."""
    found = {imp.target for imp in node.find_all(nodes.Import) if not imp.with_context}
    for imp in node.find_all(nodes.FromImport):
        if not imp.with_context:
            found.update(n if isinstance(n, str) else n[1] for n in imp.names)
    return found


class StreamCodeGenerator(CodeGenerator):
    """A Jinja2 code generator whose templates yield a liveui render stream."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lv_consts: dict[str, str] = {}
        self._lv_names: dict[tuple[str, Any], str] = {}
        self._lv_bound: frozenset[str] = frozenset()
        self._lv_macros: dict[str, frozenset[str] | None] = {}
        self._lv_constants: set[str] = set()
        self._lv_hooks: dict[int, tuple[Any, ...]] = {}

    # -- module constants -------------------------------------------------------------

    def _lv_const(self, kind: str, key: Any, source: str) -> str:
        name = self._lv_names.get((kind, key))
        if name is None:
            name = f"_lv_{kind}{len(self._lv_consts)}"
            self._lv_names[(kind, key)] = name
            self._lv_consts[name] = source
        return name

    def _lv_marker(self, cls: str, node: nodes.Node, label: str) -> str:
        where = f"{self.name or '<string>'}:{node.lineno} {label}"
        return self._lv_const("m", (cls, id(node), label), f"_LV_{cls}({where!r})")

    def _lv_deps_of(self, names: set[str]) -> frozenset[str] | None:
        """The assigns a piece of template reads, or None when it reads a local name."""
        deps: set[str] = set()
        for name in names:
            if name in self._lv_macros:
                macro_deps = self._lv_macros[name]
                if macro_deps is None:
                    return None
                deps |= macro_deps
            elif name in self._lv_bound or name in _SPECIAL_NAMES:
                return None
            elif name not in self._lv_constants and name not in self.environment.globals:
                deps.add(name)
        return frozenset(deps)

    def _lv_deps(self, node: nodes.Node, ignore: frozenset[str] = frozenset()) -> str | None:
        deps = self._lv_deps_of(_free(node) - ignore)
        if deps is None:
            return None
        return self._lv_const("d", deps, f"frozenset({sorted(deps)!r})")

    def _lv_active(self, frame: Frame) -> bool:
        """Whether this frame yields the stream (not a macro buffer, not hidden by extends)."""
        return frame.buffer is None and not frame.require_output_check

    # -- template ---------------------------------------------------------------------

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        self._lv_constants = _constant_imports(node)
        self._lv_bound = frozenset(_stored(node)) - {m.name for m in node.find_all(nodes.Macro)}
        for macro in node.find_all(nodes.Macro):
            self._lv_macros[macro.name] = None  # a macro calling itself reads locals
            self._lv_macros[macro.name] = self._lv_deps_of(_free(macro))
        super().visit_Template(node, frame)
        self.writeline(
            "from liveui.template.stream import CLOSE as _LV_CLOSE, SKIP as _LV_SKIP, "
            "RENDER_ALL as _LV_ALL, Static as _LV_Static, Open as _LV_Open, "
            "OpenFor as _LV_OpenFor, OpenElse as _LV_OpenElse"
        )
        for name, source in self._lv_consts.items():
            self.writeline(f"{name} = {source}")

    def write_commons(self) -> None:
        super().write_commons()
        self.writeline("_lv = context.parent.get('__lv__', _LV_ALL)")

    # -- output -----------------------------------------------------------------------

    def visit_Output(self, node: nodes.Output, frame: Frame) -> None:
        if not self._lv_active(frame):
            return super().visit_Output(node, frame)
        finalize = self._make_finalize()
        for child in node.nodes:
            const: Any = None
            if finalize.const or isinstance(child, nodes.TemplateData):
                try:
                    const = self._output_child_to_const(child, frame, finalize)
                except Exception:  # not constant here: Jinja2 evaluates it at runtime too
                    const = None
            if const is not None:
                text = str(const)
                static = self._lv_const("s", text, f"_LV_Static({text!r})")
                self.writeline(f"yield {static}")
                continue
            deps = self._lv_deps(child)
            if deps is not None:
                self.writeline(f"if not _lv.dirty({deps}):")
                self.indent()
                self.writeline("yield _LV_SKIP")
                self.outdent()
                self.writeline("else:")
                self.indent()
            self.writeline("yield ", child)
            self._output_child_pre(child, frame, finalize)
            self.visit(child, frame)
            self._output_child_post(child, frame, finalize)
            if deps is not None:
                self.outdent()

    def _lv_guarded(self, node: nodes.Node, ignore: frozenset[str] = frozenset()) -> str | None:
        """Open `if dirty(deps):` around a whole if/for; return its deps constant."""
        deps = self._lv_deps(node, ignore)
        if deps is not None:
            self.writeline(f"if not _lv.dirty({deps}):")
            self.indent()
            self.writeline("yield _LV_SKIP")
            self.outdent()
            self.writeline("else:")
            self.indent()
        return deps

    def visit_If(self, node: nodes.If, frame: Frame) -> None:
        if not self._lv_active(frame):
            return super().visit_If(node, frame)
        deps = self._lv_guarded(node)
        if_frame = frame.soft()
        branches = [(node.test, node.body), *((e.test, e.body) for e in node.elif_)]
        for index, (test, body) in enumerate(branches):
            self.writeline("if " if index == 0 else "elif ", test)
            self.visit(test, if_frame)
            self.write(":")
            self._lv_branch(node, f"if#{index}", body, if_frame)
        self.writeline("else:")
        if node.else_:
            self._lv_branch(node, "else", node.else_, if_frame)
        else:
            self.indent()
            self.writeline("yield ''")
            self.outdent()
        if deps is not None:
            self.outdent()

    def _lv_branch(self, node: nodes.Node, label: str, body: list[nodes.Node], frame: Frame) -> None:
        self.indent()
        self.writeline(f"yield {self._lv_marker('Open', node, label)}")
        self.blockvisit(body, frame)
        self.writeline("yield _LV_CLOSE")
        self.outdent()

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        if not self._lv_active(frame) or node.recursive:
            return super().visit_For(node, frame)
        deps = self._lv_guarded(node, frozenset({"loop"}))
        self.writeline(f"yield {self._lv_marker('OpenFor', node, 'for')}")
        outer = self._lv_deps_of(_free(nodes.Scope(node.body)) - _stored(node.target) - {"loop"})
        outer_name = None
        if outer is not None:
            outer_name = self._lv_const("d", outer, f"frozenset({sorted(outer)!r})")
        self._lv_hooks[id(node.body)] = ("entry", node.target, outer_name)
        if node.else_:
            self._lv_hooks[id(node.else_)] = ("else", self._lv_marker("OpenElse", node, "for-else"))
        super().visit_For(node, frame)
        self.writeline("yield _LV_CLOSE")
        if deps is not None:
            self.outdent()

    def blockvisit(self, body: Any, frame: Frame) -> None:
        hook = self._lv_hooks.pop(id(body), None)
        if hook is None:
            return super().blockvisit(body, frame)
        if hook[0] == "else":
            self.writeline(f"yield {hook[1]}")
            return super().blockvisit(body, frame)
        _, target, outer = hook
        loop_ref = frame.symbols.refs.get("loop")
        self.writeline(f"if _lv.entry({self._lv_target(target, frame)}, {outer}, {loop_ref}):")
        self.indent()
        super().blockvisit(body, frame)
        self.outdent()

    def _lv_target(self, target: nodes.Node, frame: Frame) -> str:
        if isinstance(target, nodes.Name):
            return frame.symbols.ref(target.name)
        items = [self._lv_target(item, frame) for item in target.items]  # type: ignore[attr-defined]
        return "(" + ", ".join(items) + ",)"
