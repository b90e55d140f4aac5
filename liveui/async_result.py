"""The state of work that loads an assign in the background, and its template component.

An `AsyncResult` is loading, ok (with its result) or failed (with a reason); a reload keeps the
last good result so a page can show it while new data loads. In templates:

    {% call(org) async_result(org) %}
      {% slot loading %}Loading...{% endslot %}
      {% slot failed(reason) %}Could not load: {{ reason }}{% endslot %}
      {{ org.name }}
    {% endcall %}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from .template import environment
from .template.function_components import render_slot


@dataclass(frozen=True, slots=True)
class AsyncResult:
    """Loading (`loading` is truthy), ok (`ok` and `result`) or failed (`failed` is the reason)."""

    loading: Any = True
    ok: bool = False
    failed: Any = None
    result: Any = None

    def succeeded(self, result: Any) -> AsyncResult:
        """Done: ok with `result`."""
        return AsyncResult(loading=None, ok=True, result=result)

    def errored(self, reason: Any) -> AsyncResult:
        """Done: failed with `reason`, keeping the last good result."""
        return AsyncResult(loading=None, ok=self.ok, failed=reason, result=self.result)

    def reloading(self, state: Any = True) -> AsyncResult:
        """Loading again (`state` says what), keeping the last good result."""
        return AsyncResult(loading=state, ok=self.ok, result=self.result)


def async_result(assign: AsyncResult, *, caller: Any = None, loading: Any = (), failed: Any = ()) -> Markup:
    """The result with the call's body once ok, else the `loading` or the `failed` slot."""
    if assign.ok:
        return render_slot(caller, assign.result)
    if assign.loading:
        return render_slot(loading, assign.loading)
    if assign.failed is not None:
        return render_slot(failed, assign.failed)
    return Markup("")


environment().globals["async_result"] = async_result
