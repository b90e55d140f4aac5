"""The pytest plugin of liveui (loaded through the `pytest11` entry point).

Fixtures: `live` (`view, html = await live("/path")` with the test module's `app` fixture, or
`await live(app, "/path")`; `await live.isolated(View, session=...)` mounts an unrouted view), and
`live_transport`, which runs each test using them once per
transport listed in the ini option `liveui_transports` (default: memory and websocket; hosts add
theirs: `comm` runs them over a real Jupyter kernel, `webview` through a real pywebview window).
A test marked `liveui_same_process` reaches into the server's memory and is skipped over
transports whose views run in another process.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .client import View

DEFAULT_TRANSPORTS = ("memory", "websocket")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("liveui_transports", "transports the `live` fixture runs each test over", type="args",
                  default=list(DEFAULT_TRANSPORTS))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "liveui_same_process: the test reaches into the server's memory (view refs, "
                                       "captured logs); transports whose views run in another process skip it")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "live_transport" in metafunc.fixturenames:
        from .wire import WIRES, wire_class

        transports = metafunc.config.getini("liveui_transports") or list(DEFAULT_TRANSPORTS)
        unknown = sorted(set(transports) - set(WIRES))
        if unknown:
            raise pytest.UsageError(f"liveui_transports: unknown {unknown}; known: {sorted(WIRES)}")
        same_process = metafunc.definition.get_closest_marker("liveui_same_process") is not None
        metafunc.parametrize("live_transport", [
            pytest.param(name, marks=pytest.mark.skip(reason=f"the views of {name} run in another process"))
            if same_process and not wire_class(name).same_process else name
            for name in transports
        ])


try:
    import pytest_asyncio
except ImportError:  # the fixtures need pytest-asyncio: `pip install liveui[test]`
    pytest_asyncio = None

if pytest_asyncio is not None:

    @pytest_asyncio.fixture
    async def live(request: pytest.FixtureRequest, live_transport: str) -> AsyncIterator[Callable[..., Any]]:
        """Open live views for this test (over `live_transport`); all are closed afterwards."""
        from .client import ISOLATED_PATH, Client, isolate  # here: every pytest run loads this plugin

        clients: list[Client] = []

        async def open_view(app_or_path: Any, path: str | None = None, **options: Any) -> tuple[View, str]:
            app, path = (request.getfixturevalue("app"), app_or_path) if path is None else (app_or_path, path)
            client = Client(app, transport=options.pop("transport", live_transport), **options)
            clients.append(client)
            return await client.live(path)

        async def open_isolated(view_class: type, *, app: Any = None, **options: Any) -> tuple[View, str]:
            return await open_view(isolate(app or request.getfixturevalue("app"), view_class), ISOLATED_PATH, **options)

        open_view.isolated = open_isolated  # type: ignore[attr-defined]
        yield open_view
        for client in clients:
            await client.close()
