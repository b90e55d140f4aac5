"""The example notebooks (notebooks/) run headless with nbclient on the kernelspec of kernels/, and
each live view's output carries its widget and, for viewers without a kernel, its HTML."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

nbclient = pytest.importorskip("nbclient", reason="the notebook tests need the test extra")
import nbformat  # noqa: E402
from jupyter_client.kernelspec import KernelSpecManager  # noqa: E402
from jupyter_client.manager import KernelManager  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
WIDGET = "application/vnd.jupyter.widget-view+json"

# notebook -> what each `show(...)` cell's static HTML shows, in order
EXPECTED = {
    "counter": ['Count: <b id="count">0</b>', 'Count: <b id="count">10</b>', 'Count: <span id="count">0</span>'],
    "form": ['<input name="name" value="" placeholder="your name"', 'id="signup"'],
    "streams": ["#1 the log starts"],
    "async": ['<p class="loading">Thinking...</p>', "Asking the weather service..."],
    "gallery": ["Anvil", "Blue in Green"],
    "uploads": ['data-phx-hook="Phoenix.LiveFileUpload"'],
}


def test_every_notebook_is_checked() -> None:
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_notebook_runs_and_shows_its_views(name: str) -> None:
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    assert notebook.metadata.kernelspec.name == "liveui"
    manager = KernelManager(kernel_name="liveui", kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(ROOT / "kernels")]))
    client = nbclient.NotebookClient(notebook, km=manager, timeout=60, resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute()  # raises CellExecutionError on any error

    shown = [output for cell in notebook.cells if cell.cell_type == "code" and "show(" in cell.source
             for output in cell.outputs if output.output_type == "display_data"]
    assert len(shown) == len(EXPECTED[name]), [cell.source for cell in notebook.cells]
    for output, expected in zip(shown, EXPECTED[name]):
        assert WIDGET in output.data and output.data[WIDGET]["model_id"]
        html = output.data["text/html"]
        assert expected in html, html
        assert "data-phx-session" not in html  # the static copy carries no session token
    assert not [o for cell in notebook.cells for o in cell.get("outputs", []) if o.output_type == "stream"
                and o.name == "stderr"], json.dumps([cell.get("outputs") for cell in notebook.cells])[:2000]
