"""Pictures of Python objects in templates: a matplotlib figure, or anything with IPython's
`_repr_svg_`, `_repr_png_` or `_repr_jpeg_`, as an `<img>` with the picture inline. Assign the
object and write `{{ chart|image(alt="Sales") }}`: when the assign changes, the slot is evaluated
again and the diff carries the new picture (nothing when it did not change)."""

from __future__ import annotations

import base64
import io
from html import escape
from typing import Any

from markupsafe import Markup

_REPRS = (("svg", "_repr_svg_", "image/svg+xml"), ("png", "_repr_png_", "image/png"), ("jpeg", "_repr_jpeg_", "image/jpeg"))


def image(obj: Any, alt: str = "", format: str | None = None, **attrs: Any) -> Markup:
    """An `<img>` showing `obj` (a data URL); `format` picks "svg", "png" or "jpeg" (default: a
    figure's PNG, else the first representation the object has, SVG first); `attrs` become
    attributes (`class_` for class)."""
    mime, data = _picture(obj, format)
    extra = "".join(f' {name.rstrip("_").replace("_", "-")}="{escape(str(value))}"' for name, value in attrs.items())
    encoded = base64.b64encode(data).decode("ascii")
    return Markup(f'<img src="data:{mime};base64,{encoded}" alt="{escape(alt)}"{extra}>')


def _picture(obj: Any, format: str | None) -> tuple[str, bytes]:
    if hasattr(obj, "savefig"):  # a matplotlib Figure (it has no _repr_png_ of its own)
        kind = format or "png"
        buffer = io.BytesIO()
        obj.savefig(buffer, format=kind, bbox_inches="tight")
        return dict((k, m) for k, _, m in _REPRS).get(kind, f"image/{kind}"), buffer.getvalue()
    for kind, method, mime in _REPRS:
        if format not in (None, kind) or not hasattr(obj, method):
            continue
        data = getattr(obj, method)()
        if isinstance(data, tuple):  # (data, metadata), as IPython allows
            data = data[0]
        if data is None:
            continue
        if isinstance(data, str):
            data = data.encode() if kind == "svg" else base64.b64decode(data)
        return mime, data
    wanted = f"a {format} representation" if format else "savefig, _repr_svg_, _repr_png_ or _repr_jpeg_"
    raise TypeError(f"cannot picture {type(obj).__name__}: it has no {wanted}")
