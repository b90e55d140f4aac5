"""Function components in Jinja2: `{% component %}` definitions and `{% slot %}`s at call sites.

    {% component card(title, tone="plain", footer=[], rest) %}
      <div class="card {{ tone }}"{{ rest|attrs }}><h2>{{ title }}</h2>{{ render_slot(inner_block) }}
      {% for f in footer %}<footer>{{ f() }}</footer>{% endfor %}</div>
    {% endcomponent %}

    {% call card(title="Hi", id="c1") %}body{% slot footer %}bye{% endslot %}{% endcall %}

A component is a Jinja2 macro whose parameters are its attributes: one without a default is
required (a clear error when missing), a parameter named `rest` collects the attributes not
declared (global attributes pass-through, rendered by the `attrs` filter). The body of a `{% call %}` is the default slot
(`inner_block`, Jinja2's `caller`; `render_slot(inner_block)` renders it or nothing); each `{% slot name(args), attr=value %}...{% endslot %}` inside it becomes a
`Slot` in the list passed as the attribute `name`, rendered by calling it with its arguments.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from typing import Any

from jinja2 import Undefined, nodes
from jinja2.ext import Extension
from jinja2.parser import Parser
from jinja2.runtime import Macro
from markupsafe import Markup, escape

_REQUIRE = "__lv_require"
_SLOT = "__lv_slot"
_counter = itertools.count()


class Slot:
    """One named slot given at a call site: call it to render it, read its attributes."""

    __slots__ = ("_body", "attrs")

    def __init__(self, body: Callable[..., Any], attrs: dict[str, Any]) -> None:
        self._body = body
        self.attrs = attrs

    def __call__(self, *args: Any) -> Markup:
        return _invoke(self._body, args)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.attrs[name]
        except KeyError:
            raise AttributeError(f"this slot has no attribute {name!r}; it has {sorted(self.attrs)}") from None


def render_slot(slots: Slot | Iterable[Slot] | Callable[..., Any] | None, *args: Any) -> Markup:
    """Render a slot, every slot of a list (in order), or a `caller`, with `args`."""
    if slots is None or isinstance(slots, Undefined):
        return Markup("")
    if callable(slots):
        return _invoke(slots, args)
    return Markup("").join(slot(*args) for slot in slots)


def _invoke(body: Callable[..., Any], args: tuple[Any, ...]) -> Markup:
    """Call a slot's body with the arguments it declares: a slot may ignore what it is given."""
    if isinstance(body, Macro) and not body.catch_varargs:
        args = args[:len(body.arguments)]
    return Markup(body(*args))


def attrs(values: dict[str, Any]) -> Markup:
    """HTML attributes from a dict (a component's `rest`): ` name="value"` each, escaped;
    `_` in a name becomes `-` (`phx_click=` gives `phx-click`), True is a bare attribute,
    None and False are left out."""
    out = []
    for name, value in values.items():
        if value is None or value is False:
            continue
        name = name.replace("_", "-")
        out.append(f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"')
    return Markup("".join(out))


def _require(component: str, name: str, value: Any) -> str:
    if isinstance(value, Undefined):
        raise TypeError(f"component {component}: the attribute {name!r} is required")
    return ""


class FunctionComponents(Extension):
    """The `component` and `slot` tags (see the module docstring)."""

    tags = {"component", "slot", "use"}

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        environment.globals.update({_REQUIRE: _require, _SLOT: Slot, "render_slot": render_slot})
        environment.filters["attrs"] = attrs

    def parse(self, parser: Parser) -> nodes.Node | list[nodes.Node]:
        tag = next(parser.stream)
        if tag.value == "use":
            return self._use(parser, tag.lineno)
        return self._component(parser, tag.lineno) if tag.value == "component" else self._slot(parser, tag.lineno)

    def _use(self, parser: Parser, lineno: int) -> list[nodes.Node]:
        """`{% use "library.html.j2" %}`: the library's components become this template's own, so
        they stream as nested nodes (only their changed slots travel, a stream inside one works)."""
        name = parser.parse_expression()
        if not isinstance(name, nodes.Const) or not isinstance(name.value, str):
            parser.fail("{% use %} takes a template name in quotes", lineno)
        env = self.environment
        path = env.join_path(name.value, parser.filename or parser.name or "")
        source, filename, _ = env.loader.get_source(env, path)
        tree = Parser(env, source, path, filename).parse()  # its slots are attached with this template's
        return [node for node in tree.body if isinstance(node, nodes.Macro)]

    def _component(self, parser: Parser, lineno: int) -> nodes.Macro:
        name = parser.parse_assign_target(name_only=True).name
        params = _signature(parser) if parser.stream.current.type == "lparen" else []
        body = parser.parse_statements(("name:endcomponent",), drop_needle=True)
        checks: list[nodes.Node] = []
        required = [param for param, default in params if default is None and param != "rest"]
        for param in required:
            call = nodes.Call(nodes.Name(_REQUIRE, "load"), [nodes.Const(name), nodes.Const(param),
                              nodes.Name(param, "load")], [], None, None)
            checks.append(nodes.ExprStmt(call, lineno=lineno))
        if any(param == "rest" for param, _ in params):
            checks.append(nodes.Assign(nodes.Name("rest", "store"), nodes.Name("kwargs", "load"), lineno=lineno))
        # the default slot: any component may be given a body with {% call %}
        checks.append(nodes.Assign(nodes.Name("inner_block", "store"), nodes.Name("caller", "load"), lineno=lineno))
        optional = [(param, default) for param, default in params if default is not None]
        macro = nodes.Macro(lineno=lineno)
        macro.name = name
        macro.args = [nodes.Name(param, "param") for param in [*required, *(p for p, _ in optional)]]
        macro.defaults = [default for _, default in optional]
        macro.body = [*checks, *body]
        macro.set_lineno(lineno)
        return macro

    def _slot(self, parser: Parser, lineno: int) -> nodes.Macro:
        name = parser.parse_assign_target(name_only=True).name
        params = _signature(parser) if parser.stream.current.type == "lparen" else []
        attrs = []
        while parser.stream.current.type != "block_end":
            parser.stream.skip_if("comma")
            key = parser.stream.expect("name").value
            parser.stream.expect("assign")
            attrs.append(nodes.Keyword(key, parser.parse_expression()))
        body = parser.parse_statements(("name:endslot",), drop_needle=True)
        macro = nodes.Macro(lineno=lineno)
        macro.name = f"_lv_slot_{name}_{next(_counter)}"
        macro.args = [nodes.Name(param, "param") for param, _ in params]
        macro.defaults = [default for _, default in params if default is not None]
        macro.body = body
        macro.lv_slot = (name, attrs)  # type: ignore[attr-defined]  # read by attach_slots
        macro.set_lineno(lineno)
        return macro


def _signature(parser: Parser) -> list[tuple[str, nodes.Expr | None]]:
    """`(a, b=1, c)`: parameters in any order, each with its default or None."""
    params: list[tuple[str, nodes.Expr | None]] = []
    parser.stream.expect("lparen")
    while parser.stream.current.type != "rparen":
        if params:
            parser.stream.expect("comma")
        name = parser.parse_assign_target(name_only=True).name
        params.append((name, parser.parse_expression() if parser.stream.skip_if("assign") else None))
    parser.stream.expect("rparen")
    return params


def is_slot(node: nodes.Node) -> bool:
    """Whether a node is a slot's body (a private macro that binds nothing a template reads)."""
    return hasattr(node, "lv_slot")


def attach_slots(node: nodes.Node) -> None:
    """Move each `{% slot %}` out of its `{% call %}` (defined just before it) and pass the
    slots of each name as a list attribute of the call."""
    for field in node.fields:
        value = getattr(node, field)
        if isinstance(value, list) and value and all(isinstance(item, nodes.Node) for item in value):
            setattr(node, field, list(_with_slots(value)))
        elif isinstance(value, nodes.Node):
            attach_slots(value)


def _with_slots(body: list[nodes.Node]) -> Iterable[nodes.Node]:
    for item in body:
        if is_slot(item):
            raise _misplaced(item)
        if isinstance(item, nodes.CallBlock):
            slots = [child for child in item.body if is_slot(child)]
            item.body = [child for child in item.body if not is_slot(child)]
            named: dict[str, list[nodes.Expr]] = {}
            for slot in slots:
                name, attrs = slot.lv_slot  # type: ignore[attr-defined]
                pairs = [nodes.Pair(nodes.Const(keyword.key), keyword.value) for keyword in attrs]
                named.setdefault(name, []).append(
                    nodes.Call(nodes.Name(_SLOT, "load"), [nodes.Name(slot.name, "load"), nodes.Dict(pairs)], [], None, None)
                )
                attach_slots(slot)
                yield slot
            item.call.kwargs = [*item.call.kwargs, *(nodes.Keyword(k, nodes.List(v)) for k, v in named.items())]
            item.call.set_lineno(item.lineno)
        attach_slots(item)
        yield item


def _misplaced(slot: nodes.Node) -> Exception:
    from jinja2 import TemplateSyntaxError

    name = slot.lv_slot[0]  # type: ignore[attr-defined]
    return TemplateSyntaxError(f"{{% slot {name} %}} must be directly inside a {{% call %}} block", slot.lineno)
