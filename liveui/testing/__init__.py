"""Test helpers for liveui views (LiveViewTest for Python); see docs/testing.md.

Imported lazily: the pytest plugin in this package loads for every pytest run, and the client
needs the `test` extra (BeautifulSoup).
"""

from __future__ import annotations

from typing import Any

__all__ = ["Client", "Element", "Form", "Redirected", "Upload", "View", "ViewCrashed", "follow_redirect", "live",
           "live_isolated", "render_component"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import client

        return getattr(client, name)
    raise AttributeError(f"module 'liveui.testing' has no attribute {name!r}")
