"""Forms: `to_form(...)` gives a `Form` whose fields carry the name, id, value and errors an input
needs, like Phoenix's `to_form/2` and `Phoenix.HTML.FormField`.

A form is built from a dict of params (what `phx-change`/`phx-submit` send), a dataclass or a
pydantic model instance, or from params validated against a dataclass or pydantic model class
(`schema=`). A field's errors are meant to be shown only once the user has interacted with it
(`field.used`): the client marks untouched fields with `_unused_` parameters, as Phoenix 1.0's
`used_input?/1` reads them.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
import types
import typing
from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["Form", "FormField", "Invalid", "to_form"]


class Invalid(ValueError):
    """Raise from a dataclass's `__post_init__` to reject its values field by field:
    `raise Invalid({"title": "is too short"})`. (It runs once every field converted; a check of
    one field alone goes in its metadata: `field(metadata={"validate": fn})`, `fn(value)`
    returning a message or None.)"""

    def __init__(self, errors: Mapping[str, Any]) -> None:
        super().__init__(errors)
        self.errors = dict(errors)


@dataclasses.dataclass(frozen=True, slots=True)
class FormField:
    """One field of a form (`form["title"]`): what an input needs to render itself."""

    form: Form
    field: str
    name: str
    id: str
    value: Any
    errors: list[str]

    @property
    def used(self) -> bool:
        """Whether the user has interacted with the field (Phoenix's `used_input?`): its param
        was sent without an `_unused_` marker beside it (a nested map: any of its params)."""
        return _used(self.form.params, self.field)

    @property
    def shown_errors(self) -> list[str]:
        """The errors to show: none until the field is used."""
        return self.errors if self.used else []

    def __str__(self) -> str:
        return "" if self.value is None else str(self.value)


class Form:
    """A form over some data: `form["title"]` (or `form.title`) is a `FormField`;
    `form.inputs_for("items")` gives the sub-forms of a nested field or a list of items."""

    __slots__ = ("data", "errors", "id", "name", "params", "source")

    def __init__(self, source: Any, params: Mapping[str, Any], errors: Mapping[str, Any], name: str | None,
                 id: str | None, data: Any = None) -> None:
        self.source = source  # what the form was built from (params, an instance)
        self.data = data      # the validated instance of a form built with `schema=`, else None
        self.params = params
        self.errors = errors
        self.name = name
        self.id = id

    @property
    def valid(self) -> bool:
        """No errors anywhere in the form."""
        return not self.errors

    def __getitem__(self, field: str) -> FormField:
        errors = self.errors.get(field)
        return FormField(
            form=self, field=field,
            name=f"{self.name}[{field}]" if self.name else field,
            id=f"{self.id}_{field}" if self.id else field,
            value=self._value(field),
            errors=list(errors) if isinstance(errors, list) else [],
        )

    def __getattr__(self, field: str) -> FormField:
        if field.startswith("_"):
            raise AttributeError(field)
        return self[field]

    def inputs_for(self, field: str) -> list[Form]:
        """The sub-forms of `field`: one for a nested object, one per item for a list (named
        `user[items][0][title]`, as Plug decodes them back into `{"items": {"0": {...}}}`)."""
        value, errors = self._value(field), self.errors.get(field)
        errors = errors if isinstance(errors, Mapping) else {}
        name = f"{self.name}[{field}]" if self.name else field
        id = f"{self.id}_{field}" if self.id else field
        items = _indexed(value) if isinstance(value, Mapping) else value if isinstance(value, list) else None
        if items is None:
            return [Form(value, value if isinstance(value, Mapping) and field in self.params else {}, errors, name, id)]
        sent = field in self.params  # the items are params the client sent, not data
        return [
            Form(item, item if sent and isinstance(item, Mapping) else {}, errors.get(str(i), {}), f"{name}[{i}]", f"{id}_{i}")
            for i, item in enumerate(items)
        ]

    def _value(self, field: str) -> Any:
        if field in self.params:
            return self.params[field]
        return _get(self.source, field)

    def __iter__(self) -> Iterator[FormField]:
        raise TypeError("a Form is not iterable; use form['field'] or form.inputs_for('items')")

    def __repr__(self) -> str:
        return f"<Form {self.name or ''} params={dict(self.params)!r} errors={dict(self.errors)!r}>"


def to_form(data: Any = None, errors: Any = None, *, as_: str | None = None, id: str | None = None,
            schema: type | None = None) -> Form:
    """A `Form` over `data`: a dict of params, a dataclass or a pydantic model instance.

    `errors` maps field names to a message or a list of messages (nested dicts for nested
    fields, `{index: {...}}` for lists), or is a pydantic `ValidationError`. With `schema`, a
    dataclass or pydantic model class, `data` are params validated against it: the form keeps
    the params as its values, holds the validation errors, and `form.data` is the instance when
    valid. `as_` prefixes input names (`as_="user"` gives `user[title]`), by default the
    snake-cased class name for objects and none for dicts; `id` prefixes ids (default `as_`).
    """
    data = {} if data is None else data
    instance = None
    if schema is not None:
        instance, found = _validate(schema, data)
        errors = _merge(found, _errors_tree(errors))
        as_ = as_ if as_ is not None else _snake(schema.__name__)
    else:
        errors = _errors_tree(errors)
        if as_ is None and not isinstance(data, Mapping):
            as_ = _snake(type(data).__name__)
    params = data if isinstance(data, Mapping) else {}
    return Form(data, params, errors, as_ or None, id if id is not None else as_, instance)


def _used(params: Mapping[str, Any], field: str) -> bool:
    if field.startswith("_unused_") or field not in params or f"_unused_{field}" in params:
        return False
    value = params[field]
    return any(_used(value, str(key)) for key in value) if isinstance(value, Mapping) else True


# -- values ------------------------------------------------------------------------------

def _get(source: Any, field: str) -> Any:
    if isinstance(source, Mapping):
        return source.get(field)
    return getattr(source, field, None)


def _indexed(params: Mapping[str, Any]) -> list[Any] | None:
    """`{"0": {...}, "1": {...}}` (list items as the client's names decode) in index order, else None."""
    keys = [k for k in params if not str(k).startswith("_unused_")]
    if not keys or not all(str(k).isdigit() for k in keys):
        return None
    return [params[k] for k in sorted(keys, key=int)]


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _clean(params: Mapping[str, Any]) -> dict[str, Any]:
    """Params without the client's `_unused_` markers, nested dicts included."""
    return {k: _clean(v) if isinstance(v, Mapping) else v for k, v in params.items() if not str(k).startswith("_unused_")}


# -- errors ------------------------------------------------------------------------------

def _errors_tree(errors: Any) -> dict[str, Any]:
    """Normalize errors into `{field: [messages]}` with nested dicts keyed by strings."""
    if errors is None:
        return {}
    if hasattr(errors, "errors") and callable(errors.errors):  # a pydantic ValidationError
        tree: dict[str, Any] = {}
        for error in errors.errors():
            _put_error(tree, [str(part) for part in error["loc"]], _pydantic_message(error))
        return tree
    tree = {}
    for key, value in errors.items():
        if isinstance(value, Mapping):
            tree[str(key)] = _errors_tree(value)
        elif value:
            tree[str(key)] = [value] if isinstance(value, str) else [str(v) for v in value]
    return tree


def _put_error(tree: dict[str, Any], path: list[str], message: str) -> None:
    node = tree
    for part in path[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node.setdefault(path[-1] if path else "base", []).append(message)


def _pydantic_message(error: Mapping[str, Any]) -> str:
    message = str(error.get("msg", "is invalid"))
    return message.removeprefix("Value error, ")


def _merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    merged = dict(a)
    for key, value in b.items():
        old = merged.get(key)
        if isinstance(old, dict) and isinstance(value, dict):
            merged[key] = _merge(old, value)
        elif isinstance(old, list) and isinstance(value, list):
            merged[key] = old + value
        else:
            merged[key] = value
    return merged


# -- validation against a schema ---------------------------------------------------------

def _validate(schema: type, params: Any) -> tuple[Any, dict[str, Any]]:
    """Validate params against a pydantic model or dataclass: `(instance or None, errors)`."""
    values = _clean(params) if isinstance(params, Mapping) else params
    if hasattr(schema, "model_validate"):  # pydantic, imported only when used
        from pydantic import ValidationError

        try:
            return schema.model_validate(values), {}
        except ValidationError as exc:
            return None, _errors_tree(exc)
    if dataclasses.is_dataclass(schema):
        return _validate_dataclass(schema, values)
    raise TypeError(f"to_form(schema=...) expects a dataclass or a pydantic model class, got {schema!r}")


def _validate_dataclass(schema: type, values: Mapping[str, Any]) -> tuple[Any, dict[str, Any]]:
    hints = typing.get_type_hints(schema)
    errors: dict[str, Any] = {}
    kwargs: dict[str, Any] = {}
    for field in dataclasses.fields(schema):
        if not field.init:
            continue
        required = field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        raw, hint = values.get(field.name), hints.get(field.name, Any)
        if raw is None or (raw == "" and hint is not str):  # "" is a str, but no number or date
            if _optional(hint):
                kwargs[field.name] = None
            elif required:
                errors[field.name] = ["can't be blank"]
            continue
        try:
            kwargs[field.name] = _convert(hint, raw)
        except (TypeError, ValueError):
            errors[field.name] = ["is invalid"]
            continue
        check = field.metadata.get("validate")
        message = check(kwargs[field.name]) if check is not None else None
        if message:
            errors[field.name] = [message]
    if errors:
        return None, errors
    try:
        return schema(**kwargs), {}
    except Invalid as exc:
        return None, _errors_tree(exc.errors)


def _optional(hint: Any) -> bool:
    return typing.get_origin(hint) in (typing.Union, types.UnionType) and type(None) in typing.get_args(hint)


def _convert(hint: Any, raw: Any) -> Any:
    """A form value (a string, or nested params) as the type a dataclass field declares."""
    if _optional(hint):
        hint = next(arg for arg in typing.get_args(hint) if arg is not type(None))
    if hint is bool:
        return raw in (True, "true", "on", "1")
    if hint in (int, float, str):
        return hint(raw)
    if hint is datetime.date:
        return datetime.date.fromisoformat(raw)
    return raw
