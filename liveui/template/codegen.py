"""Jinja2 code generation that emits a render stream instead of plain text.

We keep Jinja2's own compiler (expressions, filters, tests, scoping, macros, include,
extends) and change only what the top-level output looks like: template text is yielded as
`Static` constants, each `{{ }}` slot is guarded by the assigns it reads, `if` branches and
`for` loops open nested nodes, and every loop iteration first asks the tracker whether its
entry must be rendered at all. Output inside macros, call blocks and `{% set %}` blocks keeps
Jinja2's buffered form: it becomes one dynamic string (a `{% call %}` or `{% filter %}` block is
guarded like a `{{ }}` slot).

Markers are yielded only to a diff tracker: rendered with `RENDER_ALL` (a dead render, a
template module, anything consumed into a buffer) a template yields text only, so Jinja2's own
buffering of includes, blocks and imports keeps working.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame, find_undeclared

from .function_components import is_slot

compile_names: ContextVar[Mapping[str, Any]] = ContextVar("liveui_compile_names", default={})
"""Globals of the template being compiled besides the environment's (a view's components)."""

_SPECIAL_NAMES = frozenset({"loop", "caller", "varargs", "kwargs", "self", "super"})


def _names(node: nodes.Node, ctxs: tuple[str, ...]) -> set[str]:
    found = {n.name for n in node.find_all(nodes.Name) if n.ctx in ctxs}
    if isinstance(node, nodes.Name) and node.ctx in ctxs:
        found.add(node.name)
    return found


def _stored(node: nodes.Node) -> set[str]:
    """Names a subtree binds: assignments, loop targets, macros, parameters, imports with context."""
    return _names(node, ("store", "param")) | _assigned(node)


_OPAQUE = (nodes.Include, nodes.Block)
_POSITIONAL = frozenset(
    {"index", "index0", "revindex", "revindex0", "first", "last", "length", "cycle", "depth", "depth0"}
)
_MACRO_LOCALS = frozenset({"caller", "varargs", "kwargs"})


def _free(node: nodes.Node) -> set[str] | None:
    """Names a subtree reads but does not bind itself.

    None when it can read names we cannot see at compile time: an include renders another
    template with the whole context, and a block may be overridden by a child template.
    """
    if isinstance(node, _OPAQUE) or next(node.find_all(_OPAQUE), None) is not None:
        return None
    return _outer_loads(node) - (_assigned(node) - _set_late(node))


def _outer_loads(node: nodes.Node) -> set[str]:
    """Names read where no enclosing loop target, `with` name or macro/call parameter inside
    the subtree binds them (`{% call(org) async_result(org) %}` reads the outer `org`)."""
    found: set[str] = set()

    def walk(child: nodes.Node, bound: frozenset[str]) -> None:
        if isinstance(child, nodes.Name):
            if child.ctx == "load" and child.name not in bound:
                found.add(child.name)
        elif isinstance(child, (nodes.CallBlock, nodes.Macro)):
            outer = [child.call] if isinstance(child, nodes.CallBlock) else []
            walk_all([*outer, *child.defaults], bound)
            walk_all(child.body, bound | {arg.name for arg in child.args})
        elif isinstance(child, nodes.For):
            walk(child.iter, bound)
            inner = bound | _names(child.target, ("store",))
            walk_all([*child.body, *([child.test] if child.test is not None else [])], inner)
            walk_all(child.else_, bound)
        elif isinstance(child, nodes.With):
            walk_all(child.values, bound)
            walk_all(child.body, bound | {n for target in child.targets for n in _names(target, ("store",))})
        else:
            walk_all(child.iter_child_nodes(), bound)

    def walk_all(children: Any, bound: frozenset[str]) -> None:
        for child in children:
            walk(child, bound)

    walk(node, frozenset())
    return found


def _assigned(node: nodes.Node) -> set[str]:
    """Names a subtree binds for what follows it: `set`, macros, imports with context."""
    found = {n for a in node.find_all((nodes.Assign, nodes.AssignBlock)) for n in _names(a.target, ("store",))}
    found.update(macro.name for macro in node.find_all(nodes.Macro))
    for imp in node.find_all(nodes.Import):
        if imp.with_context:
            found.add(imp.target)
    for imp in node.find_all(nodes.FromImport):
        if imp.with_context:
            found.update(n if isinstance(n, str) else n[1] for n in imp.names)
    return found


_OWN_SCOPES = (nodes.Scope, nodes.For, nodes.Macro, nodes.CallBlock, nodes.FilterBlock, nodes.With)


def _set_late(node: nodes.Node) -> set[str]:
    """Names a subtree `{% set %}`s but may read where the set has not run: their outer value.

    A `set` at the top of a scope (a loop body, macro, call, filter or `with`), before anything
    there reads the name, binds it for the rest of that scope. The name is safe only if every
    read of it in the subtree is inside such a scope; a `set` in a branch may not have run.
    """
    assigned = {n for a in node.find_all((nodes.Assign, nodes.AssignBlock)) for n in _names(a.target, ("store",))}
    if not assigned:
        return set()
    scopes = [node, *node.find_all(_OWN_SCOPES)] if isinstance(node, _OWN_SCOPES) else [*node.find_all(_OWN_SCOPES)]
    covered: Counter[str] = Counter()
    for scope in scopes:
        first: set[str] = set()
        read: set[str] = set()
        for stmt in scope.body:  # type: ignore[attr-defined]
            read |= _names(stmt, ("load",))
            if isinstance(stmt, (nodes.Assign, nodes.AssignBlock)):
                first |= _names(stmt.target, ("store",)) - read
        covered.update(_loads(nodes.Scope(scope.body), first))  # type: ignore[attr-defined]
    return {name for name, count in _loads(node, assigned).items() if covered[name] != count}


def _loads(node: nodes.Node, names: set[str]) -> Counter[str]:
    return Counter(n.name for n in node.find_all(nodes.Name) if n.ctx == "load" and n.name in names)


_BINDERS = (nodes.Assign, nodes.AssignBlock, nodes.Import, nodes.FromImport, nodes.Macro)


def _binds_outside(children: Any) -> bool:
    """Whether statements bind names (`set`, `import`, `macro`) that stay visible after them.

    Not inside a loop (body or `else`), macro, call, filter or `with`: each is its own scope.
    """
    for child in children:
        if isinstance(child, _BINDERS) and not is_slot(child):
            return True
        if not isinstance(child, _OWN_SCOPES) and _binds_outside(child.iter_child_nodes()):
            return True
    return False


def _sets_namespace(node: nodes.Node) -> bool:
    """Whether a subtree sets a namespace attribute (`{% set ns.found = true %}`), in any scope."""
    return next(node.find_all(nodes.NSRef), None) is not None


def _has_effects(node: nodes.Node) -> bool:
    """Whether skipping this subtree could change what the rest of the template sees.

    Skipping an `if` whose branch sets a name, or a loop that sets a namespace attribute,
    would leave later slots reading stale or missing values.
    """
    if _sets_namespace(node):
        return True
    return not isinstance(node, _OWN_SCOPES) and _binds_outside(node.iter_child_nodes())


def _reads_neighbours(body: nodes.Node) -> bool:
    """Whether a loop body reads `loop` beyond the position of its item.

    `loop.previtem`, `loop.nextitem`, `loop.changed()` (or `loop` handed on whole) make an
    entry depend on the other items, so comparing its own item and position is not enough.
    """
    uses = sum(1 for name in body.find_all(nodes.Name) if name.name == "loop")
    positional = sum(
        1
        for attr in body.find_all(nodes.Getattr)
        if isinstance(attr.node, nodes.Name) and attr.node.name == "loop" and attr.attr in _POSITIONAL
    )
    return uses != positional


def _constant_imports(node: nodes.Node) -> set[str]:
    """Names of imports without context: their macros depend on their arguments only."""
    found = {imp.target for imp in node.find_all(nodes.Import) if not imp.with_context}
    for imp in node.find_all(nodes.FromImport):
        if not imp.with_context:
            found.update(n if isinstance(n, str) else n[1] for n in imp.names)
    return found


def _plain(node: nodes.For) -> bool:
    """A loop without `loop`, filter, else or scoped blocks: its entries can be chosen in bulk."""
    return not (
        node.else_
        or node.test is not None
        or "loop" in find_undeclared(node.iter_child_nodes(only=("body",)), ("loop",))
        or any(block.scoped for block in node.find_all(nodes.Block))
    )


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
        self._lv_inject: str | None = None
        self._lv_streaming = False
        self._lv_globals = compile_names.get()

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

    def _lv_deps_of(self, names: set[str] | None) -> frozenset[str] | None:
        """The assigns a piece of template reads, or None when it reads a local or unknown name."""
        if names is None:
            return None
        deps: set[str] = set()
        for name in names:
            if name in self._lv_macros:
                macro_deps = self._lv_macros[name]
                if macro_deps is None:
                    return None
                deps |= macro_deps
            elif name in self._lv_bound or name in _SPECIAL_NAMES:
                return None
            elif name not in self._lv_constants and name not in self.environment.globals and name not in self._lv_globals:
                deps.add(name)
        return frozenset(deps)

    def _lv_deps(self, node: nodes.Node, ignore: frozenset[str] = frozenset()) -> str | None:
        free = _free(node)
        deps = self._lv_deps_of(None if free is None else free - ignore)
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
            free = _free(macro)
            self._lv_macros[macro.name] = self._lv_deps_of(None if free is None else free - _MACRO_LOCALS)
        super().visit_Template(node, frame)
        self.writeline(
            "from liveui.template.stream import CLOSE as _LV_CLOSE, SKIP as _LV_SKIP, "
            "RENDER_ALL as _LV_ALL, Static as _LV_Static, Open as _LV_Open, "
            "OpenFor as _LV_OpenFor, OpenElse as _LV_OpenElse, Shadowed as _LV_Shadowed, "
            "StreamMacro as _LV_StreamMacro, component_slot as _LV_component"
        )
        for name, source in self._lv_consts.items():
            self.writeline(f"{name} = {source}")

    def write_commons(self) -> None:
        super().write_commons()
        self.writeline("_lv = context.parent.get('__lv__', _LV_ALL)")
        self.writeline("_lv_mark = _lv is not _LV_ALL")

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
            deps = self._lv_guard(self._lv_deps(child))
            if self._lv_places_component(child):
                self.writeline("yield _LV_component(_lv_mark, ", child)
                self.visit(child, frame)
                self.write(")")
            elif self._lv_streams(child):
                self._lv_stream_call(child, frame, child, lambda: self._lv_output(child, frame, finalize))
            else:
                self._lv_output(child, frame, finalize)
            if deps is not None:
                self.outdent()

    def _lv_output(self, child: nodes.Expr, frame: Frame, finalize: Any) -> None:
        self.writeline("yield ", child)
        self._output_child_pre(child, frame, finalize)
        self.visit(child, frame)
        self._output_child_post(child, frame, finalize)

    def _lv_places_component(self, child: nodes.Expr) -> bool:
        """`{{ live_component(...) }}` as a whole slot: the call goes to the tracker unescaped."""
        return (
            isinstance(child, nodes.Call)
            and isinstance(child.node, nodes.Name)
            and child.node.name == "live_component"
            and "live_component" not in self._lv_bound
        )

    # -- macros as nested nodes ---------------------------------------------------------

    def _lv_streams(self, call: nodes.Node) -> bool:
        """A call of a macro of this template, as a whole slot: its body can stream."""
        return (
            isinstance(call, nodes.Call)
            and isinstance(call.node, nodes.Name)
            and call.node.name in self._lv_macros
            and call.dyn_args is None
            and call.dyn_kwargs is None
        )

    def _lv_stream_call(self, node: nodes.Node, frame: Frame, call: nodes.Call, plain: Any,
                        forward_caller: bool = False) -> None:
        """Stream the macro's body in a nested node when its streaming twin exists, else `plain()`."""
        self.writeline("if _lv_mark and hasattr(", node)
        self.visit(call.node, frame)
        self.write(", '_lv_streamer'):")
        self.indent()
        self.writeline(f"yield {self._lv_marker('Open', node, 'call')}")
        streamer = nodes.Call(
            nodes.Getattr(call.node, "_lv_streamer", "load", lineno=call.lineno),
            call.args, call.kwargs, None, None, lineno=call.lineno,
        )
        self.writeline("yield from ", node)
        self.visit_Call(streamer, frame, forward_caller=forward_caller)
        self.writeline("yield _LV_CLOSE")
        self.outdent()
        self.writeline("else:")
        self.indent()
        plain()
        self.outdent()

    def visit_Macro(self, node: nodes.Macro, frame: Frame) -> None:
        """A macro defined where output streams gets a twin whose body streams (see StreamMacro)."""
        super().visit_Macro(node, frame)
        if frame.buffer is not None or node.name not in self._lv_macros:
            return
        self._lv_streaming = True
        macro_frame, macro_ref = self.macro_body(node, frame)
        args = ", ".join(repr(arg.name) for arg in node.args) + ("," if len(node.args) == 1 else "")
        self.writeline(
            f"{frame.symbols.ref(node.name)}._lv_streamer = _LV_StreamMacro(environment, macro, {node.name!r}, "
            f"({args}), {macro_ref.accesses_kwargs!r}, {macro_ref.accesses_varargs!r}, "
            f"{macro_ref.accesses_caller!r}, context.eval_ctx.autoescape)"
        )

    def buffer(self, frame: Frame) -> None:
        if self._lv_streaming:  # the twin's own body (not macros nested in it) yields, unbuffered
            self._lv_streaming = False
            self.writeline("if 0: yield None")
            return
        super().buffer(frame)

    def return_buffer_contents(self, frame: Frame, force_unescaped: bool = False) -> None:
        if frame.buffer is not None:  # a streaming twin returns nothing: it yielded its output
            super().return_buffer_contents(frame, force_unescaped)

    def _lv_guarded(self, node: nodes.Node, ignore: frozenset[str] = frozenset()) -> str | None:
        """Guard a whole if/for/call block by the assigns it reads (see `_lv_guard`)."""
        return self._lv_guard(None if _has_effects(node) else self._lv_deps(node, ignore))

    def _lv_guard(self, deps: str | None) -> str | None:
        """Open `if not dirty(deps): SKIP / else:` around what follows; the caller outdents."""
        if deps is not None:
            self.writeline(f"if not _lv.dirty({deps}, context):")
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

    def visit_CallBlock(self, node: nodes.CallBlock, frame: Frame) -> None:
        if not (self._lv_active(frame) and self._lv_streams(node.call)):
            return self._lv_slot(super().visit_CallBlock, node, frame)
        deps = self._lv_guarded(node)
        call_frame, macro_ref = self.macro_body(node, frame)  # `caller`, as Jinja2 defines it
        self.writeline("caller = ")
        self.macro_def(macro_ref, call_frame)

        def plain() -> None:
            self.start_write(frame, node)
            self.visit_Call(node.call, frame, forward_caller=True)
            self.end_write(frame)

        self._lv_stream_call(node, frame, node.call, plain, forward_caller=True)
        if deps is not None:
            self.outdent()

    def visit_FilterBlock(self, node: nodes.FilterBlock, frame: Frame) -> None:
        self._lv_slot(super().visit_FilterBlock, node, frame)

    def _lv_slot(self, visit: Any, node: nodes.Node, frame: Frame) -> None:
        """A block whose output is one dynamic string: guarded like a `{{ }}` slot."""
        deps = self._lv_guarded(node) if self._lv_active(frame) else None
        visit(node, frame)
        if deps is not None:
            self.outdent()

    def _lv_branch(self, node: nodes.Node, label: str, body: list[nodes.Node], frame: Frame) -> None:
        self.indent()
        self.writeline(f"if _lv_mark: yield {self._lv_marker('Open', node, label)}")
        self.blockvisit(body, frame)
        self.writeline("if _lv_mark: yield _LV_CLOSE")
        self.outdent()

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        if not self._lv_active(frame) or node.recursive:
            return super().visit_For(node, frame)
        deps = self._lv_guarded(node, frozenset({"loop"}))
        self.writeline(f"if _lv_mark: yield {self._lv_marker('OpenFor', node, 'for')}")
        body = nodes.Scope(node.body)
        free = _free(body)
        outer = None
        if free is not None and not _reads_neighbours(body) and not _sets_namespace(body):
            outer = self._lv_deps_of(free - _stored(node.target) - {"loop"})
        outer_name = None
        if outer is not None:
            outer_name = self._lv_const("d", outer, f"frozenset({sorted(outer)!r})")
        if _plain(node):
            self._lv_hooks[id(node.iter)] = ("entries", outer_name)
        else:
            self._lv_hooks[id(node.iter)] = ("source",)
            self._lv_hooks[id(node.body)] = ("entry", node.target, outer_name)
        if node.else_:
            self._lv_hooks[id(node.else_)] = ("else", self._lv_marker("OpenElse", node, "for-else"))
        super().visit_For(node, frame)
        self.writeline("if _lv_mark: yield _LV_CLOSE")
        if deps is not None:
            self.outdent()

    def visit(self, node: nodes.Node, *args: Any, **kwargs: Any) -> Any:
        hook = self._lv_hooks.pop(id(node), None) if self._lv_hooks else None
        if hook is None or hook[0] not in ("entries", "source"):
            if hook is not None:
                self._lv_hooks[id(node)] = hook
            return super().visit(node, *args, **kwargs)
        self.write(f"_lv.{hook[0]}(")  # a loop's iterable: the tracker picks what to render
        super().visit(node, *args, **kwargs)
        self.write(f", {hook[1]}, context)" if hook[0] == "entries" else ")")

    def blockvisit(self, body: Any, frame: Frame) -> None:
        hook = self._lv_hooks.pop(id(body), None)
        if hook is None:
            return super().blockvisit(body, frame)
        if hook[0] == "else":
            self.writeline(f"if _lv_mark: yield {hook[1]}")
            return super().blockvisit(body, frame)
        _, target, outer = hook
        loop_ref = frame.symbols.refs.get("loop")
        self.writeline(f"if _lv.entry({self._lv_target(target, frame)}, {outer}, {loop_ref}, context):")
        self.indent()
        super().blockvisit(body, frame)
        self.outdent()

    def _lv_target(self, target: nodes.Node, frame: Frame) -> str:
        if isinstance(target, nodes.Name):
            return frame.symbols.ref(target.name)
        items = [self._lv_target(item, frame) for item in target.items]  # type: ignore[attr-defined]
        return "(" + ", ".join(items) + ",)"

    # -- other templates --------------------------------------------------------------

    def dump_local_context(self, frame: Frame) -> str:
        """The locals handed to an included or imported template, with the tracker chosen for it."""
        local = super().dump_local_context(frame)
        return local if self._lv_inject is None else f"{{**{local}, '__lv__': {self._lv_inject}}}"

    def _lv_injecting(self, tracker: str | None, visit: Any, node: nodes.Node, frame: Frame) -> None:
        self._lv_inject = tracker
        try:
            visit(node, frame)
        finally:
            self._lv_inject = None

    def visit_Include(self, node: nodes.Include, frame: Frame) -> None:
        """An include streams into ours; into a buffer it renders text.

        Names this template binds (`set`, `with`, loop targets) may hide assigns of the same
        name from the included template: slots reading them there are always evaluated.
        """
        tracker = None
        if frame.buffer is not None:
            tracker = "_LV_ALL"
        elif self._lv_bound:
            names = self._lv_const("d", self._lv_bound, f"frozenset({sorted(self._lv_bound)!r})")
            tracker = f"(_LV_Shadowed(_lv, {names}) if _lv_mark else _lv)"
        self._lv_injecting(tracker, super().visit_Include, node, frame)

    def visit_Import(self, node: nodes.Import, frame: Frame) -> None:
        """A module imported with context renders its body as text: it is never streamed."""
        self._lv_injecting("_LV_ALL", super().visit_Import, node, frame)

    def visit_FromImport(self, node: nodes.FromImport, frame: Frame) -> None:
        self._lv_injecting("_LV_ALL", super().visit_FromImport, node, frame)

    def visit_Block(self, node: nodes.Block, frame: Frame) -> None:
        """A block rendered into a buffer renders text: it gets a context that says so."""
        if frame.buffer is None:
            return super().visit_Block(node, frame)
        self._context_reference_stack.append(f"{self.get_context_ref()}.derived({{'__lv__': _LV_ALL}})")
        try:
            super().visit_Block(node, frame)
        finally:
            self._context_reference_stack.pop()
