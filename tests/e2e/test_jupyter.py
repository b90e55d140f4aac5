"""Live views in real JupyterLab 4 (and Notebook 7), in headless Chromium: run a cell, click in its
output, see it update; several cells stay independent; a kernel that is gone shows the disconnected
state; the notebook page never reloads nor changes its URL."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from .jupyter_server import JupyterServer, notebook
from .support import new_context

IDLE = ".jp-Notebook-ExecutionIndicator[data-status='idle']"
UI_TIMEOUT_MS = 30_000  # JupyterLab's first load builds its UI; a passing run is far quicker

COUNTER = "from liveui.jupyter import show\nfrom examples.counter import Counter\nshow(Counter)"


@pytest.fixture(scope="module")
def lab() -> Iterator[JupyterServer]:
    server = JupyterServer("jupyterlab").start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def notebook7() -> Iterator[JupyterServer]:
    server = JupyterServer("notebook").start()
    yield server
    server.stop()


@pytest.fixture
def lab_page(browser: Any, lab: JupyterServer) -> Iterator[Any]:
    yield from _page(browser, lab)


@pytest.fixture
def notebook7_page(browser: Any, notebook7: JupyterServer) -> Iterator[Any]:
    yield from _page(browser, notebook7)


def _page(browser: Any, lab: JupyterServer) -> Iterator[Any]:
    """A fresh browser context on the server; the kernels the test started are shut down after it."""
    context = new_context(browser, lab.url)
    page = context.new_page()
    log: list[str] = []
    page.on("console", lambda message: log.append(f"console.{message.type}: {message.text}"))
    page.on("pageerror", lambda error: log.append(f"pageerror: {error}"))
    yield page
    context.close()
    for kernel in lab.api("GET", "/api/kernels"):  # each test's notebook kernel ends with it
        lab.api("DELETE", f"/api/kernels/{kernel['id']}")
    print("\n".join(log))  # shown when the test failed


def open_notebook(page: Any, lab: JupyterServer, name: str, *cells: str) -> None:
    lab.write(name, notebook(*cells))
    page.goto(f"{lab.TREE[lab.app]}/{name}?reset&token={lab.token}")  # reset: no tab of an earlier test comes back
    page.wait_for_selector(IDLE, timeout=UI_TIMEOUT_MS)
    page.wait_for_function(f"""(() => {{
        const panel = window.jupyterapp?.shell.currentWidget
        const session = panel?.sessionContext
        return panel?.context?.path === {name!r} && session.isReady && session.kernelDisplayStatus === "idle"
            && session.session?.kernel?.connectionStatus === "connected"
    }})()""", timeout=UI_TIMEOUT_MS)


def run_cell(page: Any, index: int) -> Any:
    """Run the `index`-th cell of the open notebook (Lab's own command) and return its output area."""
    page.evaluate("""async (index) => {
        const notebook = window.jupyterapp.shell.currentWidget.content
        notebook.activeCellIndex = index
        await window.jupyterapp.commands.execute("notebook:run-cell")
    }""", index)
    cell = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell").nth(index)
    return cell.locator(".jp-OutputArea")


def live_output(cell_output: Any) -> Any:
    """The connected live view in a cell output."""
    view = cell_output.locator(".liveui-cell [data-phx-session]")
    try:
        view.and_(cell_output.locator(".phx-connected")).wait_for(timeout=UI_TIMEOUT_MS)
    except PlaywrightTimeout:
        status = cell_output.page.evaluate("window.jupyterapp.shell.currentWidget.sessionContext.kernelDisplayStatus")
        prompt = cell_output.page.evaluate("window.jupyterapp.shell.currentWidget.content.activeCell.model.executionCount")
        raise AssertionError(f"no connected live view in the cell output (kernel {status}, prompt {prompt}):\n"
                             f"{cell_output.inner_html()[:3000]}") from None
    return view


def test_show_counter_then_click(lab_page: Any, lab: JupyterServer) -> None:
    page = lab_page
    open_notebook(page, lab, "counter.ipynb", COUNTER)
    url = page.url
    view = live_output(run_cell(page, 0))
    assert view.locator("#count").inner_text() == "0"
    view.locator("#inc").click()
    view.locator("#count", has_text="1").wait_for()
    view.locator("#inc").click()
    view.locator("#count", has_text="2").wait_for()
    assert page.url == url


def test_notebook7_show_counter_then_click(notebook7_page: Any, notebook7: JupyterServer) -> None:
    page = notebook7_page
    open_notebook(page, notebook7, "counter.ipynb", COUNTER)
    view = live_output(run_cell(page, 0))
    assert view.locator("#count").inner_text() == "0"
    view.locator("#inc").click()
    view.locator("#count", has_text="1").wait_for()
    wait_for_output_html(page, '<span id="count">1</span>')  # the output was updated and rendered again...
    view.locator("#inc").click()
    view.locator("#count", has_text="2").wait_for()  # ...with the same running view


def wait_for_output_html(page: Any, fragment: str, cell: int = 0) -> None:
    """Until the text/html of the cell's first output in the notebook's model (what a save writes)
    contains `fragment`."""
    page.wait_for_function("""([fragment, cell]) => {
        const outputs = window.jupyterapp.shell.currentWidget.content.widgets[cell].model.outputs
        return outputs.length > 0 && (outputs.get(0).data["text/html"] || "").includes(fragment)
    }""", arg=[fragment, cell], timeout=UI_TIMEOUT_MS)


def test_the_output_keeps_the_last_state_for_viewers_without_a_kernel(lab_page: Any, lab: JupyterServer) -> None:
    page = lab_page
    open_notebook(page, lab, "static.ipynb", COUNTER)
    view = live_output(run_cell(page, 0))
    wait_for_output_html(page, '<span id="count">0</span>')
    for n in ("1", "2", "3"):
        view.locator("#inc").click()
        view.locator("#count", has_text=n).wait_for()
    # once the view is quiet its client reports it; the kernel updates the output's text/html, and
    # the frontend, rendering the output again, gets the running view moved in (no second join)
    wait_for_output_html(page, '<span id="count">3</span>')
    view.locator("#inc").click()
    view.locator("#count", has_text="4").wait_for()  # the same view, its state intact: a new join would be at 0
    expect(page.locator(".liveui-cell")).to_have_count(1)
    wait_for_output_html(page, '<span id="count">4</span>')
    page.evaluate("window.jupyterapp.commands.execute('docmanager:save')")
    page.wait_for_function("!window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=UI_TIMEOUT_MS)
    saved = json.loads((lab.root / "static.ipynb").read_text(encoding="utf-8"))
    (output,) = saved["cells"][0]["outputs"]
    html = "".join(output["data"]["text/html"])
    assert '<span id="count">4</span>' in html
    assert "data-phx-session" not in html and not re.search(r'class="[^"]*\bphx-connected', html)  # no live client's state


def test_an_output_displayed_twice_is_two_independent_views(lab_page: Any, lab: JupyterServer) -> None:
    """Element ids are unique in a page: the second copy joins with a dead render of its own."""
    page = lab_page
    open_notebook(page, lab, "twice.ipynb", COUNTER.replace("show(Counter)", "out = show(Counter)\nout"), "display(out)")
    first = live_output(run_cell(page, 0))
    second = live_output(run_cell(page, 1))
    assert first.get_attribute("id") != second.get_attribute("id")
    second.locator("#inc").click()
    second.locator("#count", has_text="1").wait_for()
    for n in ("1", "2"):
        first.locator("#inc").click()
        first.locator("#count", has_text=n).wait_for()
    assert second.locator("#count").inner_text() == "1"
    # both outputs show one display: a client's report re-renders both, and each keeps its own view
    wait_for_output_html(page, '<span id="count">2</span>')
    wait_for_output_html(page, '<span id="count">2</span>', cell=1)
    first.locator("#inc").click()
    first.locator("#count", has_text="3").wait_for()
    second.locator("#inc").click()
    second.locator("#count", has_text="2").wait_for()
    expect(page.locator(".liveui-cell")).to_have_count(2)
    topics = kernel_says(lab, "", "sorted(t for c in out.widget.connections.values() for t in c.channels)")
    assert topics.count("lv:") == 2 and len(set(re.findall(r"lv:[\w-]+", topics))) == 2, topics


ECHO = '''from liveui import LiveView
from liveui.jupyter import show

class Echo(LiveView):
    template = """<form phx-change="typed"><input id="q" name="q" value="{{ q }}"></form><p id="echo">{{ q }}</p>"""

    def mount(self, params, session, socket):
        socket.assign(q="")

    def handle_event(self, event, params, socket):
        socket.assign(q=params["q"])

show(Echo)'''


def test_typing_goes_on_while_the_output_is_updated(lab_page: Any, lab: JupyterServer) -> None:
    page = lab_page
    open_notebook(page, lab, "typing.ipynb", ECHO)
    view = live_output(run_cell(page, 0))
    view.locator("#q").click()
    page.keyboard.type("abc")
    view.locator("#echo", has_text="abc").wait_for()
    wait_for_output_html(page, '<p id="echo">abc</p>')
    page.keyboard.type("def")  # the moved view kept its focus: the keys reach the input, not the notebook
    view.locator("#echo", has_text="abcdef").wait_for()
    assert view.locator("#q").input_value() == "abcdef"


ITEMS = "from liveui.jupyter import show\nfrom examples.gallery import make_app\nshow(make_app(), '/items')"


def test_navigation_stays_in_the_cell(lab_page: Any, lab: JupyterServer) -> None:
    page = lab_page
    open_notebook(page, lab, "items.ipynb", ITEMS)
    url = page.url
    output = run_cell(page, 0)
    live_output(output)
    history = page.evaluate("history.length")
    cell = output.locator(".liveui-cell")
    assert cell.get_attribute("data-liveui-url") == "/items"
    output.locator("#sort-price").click()  # push_patch: handle_params re-sorts, the cell's URL changes
    output.locator("#sort-price.active").wait_for()
    assert cell.get_attribute("data-liveui-url") == "/items?sort=price"
    names = output.locator("#items li a").all_inner_texts()
    assert names.index("Chisel") < names.index("Anvil")
    output.locator("#item-3 button").click()  # push_navigate: the item's view replaces the list in the cell
    output.locator("#item-name", has_text="Chisel").wait_for()
    assert cell.get_attribute("data-liveui-url") == "/items/3"
    output.locator("#buy").click()  # push_navigate back with a flash
    output.locator("text=You bought a Chisel.").wait_for()
    assert cell.get_attribute("data-liveui-url") == "/items"
    output.locator("#item-2 a").click()  # a live link (data-phx-link="redirect")
    output.locator("#item-name").wait_for()
    assert cell.get_attribute("data-liveui-url") == "/items/2"
    output.locator("a.brand").click()  # a plain link to one of the app's paths: loads in the cell
    output.locator("#pages").wait_for()
    assert cell.get_attribute("data-liveui-url") == "/"
    assert page.url == url and page.evaluate("history.length") == history  # the page never navigated


CLICKS = '''from liveui import LiveView
from liveui.jupyter import show
ENDED = []

class Clicks(LiveView):
    template = '<p id="n">{{ n }}</p><button id="inc" phx-click="inc">+</button>'

    def mount(self, params, session, socket):
        socket.assign(n=0)

    def handle_event(self, event, params, socket):
        socket.assign(n=socket.assigns.n + 1)

    def terminate(self, reason, socket):
        ENDED.append(socket.assigns.n)'''
SHOW = "show(Clicks)"
ENDED = '''import asyncio
for _ in range(250):  # until the old view's terminate ran (bounded: 5 s)
    if ENDED:
        break
    await asyncio.sleep(0.02)
print("ended", ENDED)'''


def test_cells_are_independent_a_rerun_replaces_and_a_dead_kernel_disconnects(lab_page: Any, lab: JupyterServer) -> None:
    page = lab_page
    open_notebook(page, lab, "cells.ipynb", CLICKS, SHOW, SHOW, ENDED)  # ENDED survives re-running a SHOW
    run_cell(page, 0)
    first = live_output(run_cell(page, 1))
    second = live_output(run_cell(page, 2))
    first.locator("#inc").click()
    first.locator("#n", has_text="1").wait_for()
    first.locator("#inc").click()
    first.locator("#n", has_text="2").wait_for()
    second.locator("#inc").click()
    second.locator("#n", has_text="1").wait_for()
    assert first.locator("#n").inner_text() == "2"

    rerun = live_output(run_cell(page, 1))  # the old view (at 2) ends, a new one starts at 0
    assert rerun.locator("#n").inner_text() == "0"
    ended = run_cell(page, 3)
    ended.locator(".jp-OutputArea-output").wait_for()
    assert ended.inner_text().strip() == "ended [2]"
    assert second.locator("#n").inner_text() == "1"

    kernels = lab.api("GET", "/api/kernels")
    for kernel in kernels:
        lab.api("DELETE", f"/api/kernels/{kernel['id']}")
    disconnected = page.locator(".liveui-cell [data-phx-session].phx-client-error")
    expect(disconnected).to_have_count(2, timeout=UI_TIMEOUT_MS)


LEAVING = '''from liveui import LiveView
from liveui.jupyter import show

class Leaver(LiveView):
    template = '<p id="where">{{ flash.info or "start" }}</p><button id="away" phx-click="away">away</button>'

    def mount(self, params, session, socket):
        pass

    def handle_event(self, event, params, socket):
        socket.redirect(external="https://example.org/docs")

class Broken(LiveView):
    template = "<p>never shown live</p>"

    def mount(self, params, session, socket):
        if socket.connected:
            raise RuntimeError("this view cannot join")

show(Leaver)'''
BROKEN = "show(Broken)"


def test_an_external_redirect_renders_a_link_and_a_failed_join_shows_an_error(lab_page: Any, lab: JupyterServer) -> None:
    page = lab_page
    open_notebook(page, lab, "leaving.ipynb", LEAVING, BROKEN)
    url, history = page.url, page.evaluate("history.length")
    leaver = run_cell(page, 0)
    live_output(leaver).locator("#away").click()
    link = leaver.locator('.liveui-notice[data-kind="redirect"] a[href="https://example.org/docs"]')
    link.wait_for()
    broken = run_cell(page, 1)
    broken.locator('.liveui-notice[data-kind="error"]').wait_for(timeout=UI_TIMEOUT_MS)
    assert broken.locator(".phx-connected").count() == 0
    assert page.url == url and page.evaluate("history.length") == history
    assert len(page.context.pages) == 1  # nothing opened by itself


def test_the_server_extension_of_the_extra_is_enabled(lab: JupyterServer) -> None:
    """jupyter-config/ (installed under etc/jupyter by the wheel) turns on TCP_NODELAY for kernel sockets."""
    log = lab.log.read_text(encoding="utf-8", errors="replace")
    assert "liveui: kernel WebSockets send without Nagle's delay" in log, log[-2000:]


def kernel_says(lab: JupyterServer, code: str, expression: str) -> str:
    """Run `code` in the server's only kernel, as a second frontend would, and return `expression`."""
    from jupyter_client.blocking import BlockingKernelClient

    (kernel,) = lab.api("GET", "/api/kernels")
    client = BlockingKernelClient(connection_file=str(lab.runtime_dir / f"kernel-{kernel['id']}.json"))
    client.load_connection_file()
    client.start_channels()
    try:
        reply = client.execute_interactive(code, user_expressions={"x": expression}, timeout=30, output_hook=lambda msg: None)
    finally:
        client.stop_channels()
    assert reply["content"]["status"] == "ok", reply["content"]
    return reply["content"]["user_expressions"]["x"]["data"]["text/plain"]


def test_a_page_reload_comes_back_to_the_same_view(lab_page: Any, lab: JupyterServer) -> None:
    """Reloading JupyterLab while the kernel lives: the cell's view is rejoined, state intact."""
    page = lab_page
    mounts = "\nMOUNTS = []\nClicks.mount = lambda self, params, session, socket: (socket.assign(n=0), MOUNTS.append(socket.connected))\n"
    open_notebook(page, lab, "reload.ipynb", CLICKS + mounts, SHOW)
    run_cell(page, 0)
    view = live_output(run_cell(page, 1))
    for n in ("1", "2", "3"):
        view.locator("#inc").click()
        view.locator("#n", has_text=n).wait_for()
    page.evaluate("window.jupyterapp.commands.execute('docmanager:save')")
    page.wait_for_function("!window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=UI_TIMEOUT_MS)

    page.reload()
    page.wait_for_selector(IDLE, timeout=UI_TIMEOUT_MS)
    cell = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell").nth(1)
    view = live_output(cell.locator(".jp-OutputArea"))
    assert view.locator("#n").inner_text() == "3"
    expect(page.locator(".liveui-cell")).to_have_count(1)  # the output did not duplicate
    view.locator("#inc").click()
    view.locator("#n", has_text="4").wait_for()
    assert kernel_says(lab, "", "MOUNTS") == "[False, True]"  # the dead render, then one connected mount
    assert kernel_says(lab, "", "ENDED") == "[]"


def test_closing_the_notebook_ends_its_views(lab_page: Any, lab: JupyterServer) -> None:
    """A closed notebook can no longer send anything: the kernel notices its views' silence and
    ends them after their reconnect grace period (its timer fires on time in an idle kernel)."""
    page = lab_page
    quick = "import liveui.jupyter\nliveui.jupyter.HEARTBEAT = 0.3  # seconds: the silence is noticed within 1 s\n"
    quick_end = "\nClicks.reconnect_grace = 0.3  # a short wait for a rejoin (a reload comes back: see above)\n"
    open_notebook(page, lab, "closing.ipynb", quick + CLICKS + quick_end, SHOW, SHOW)
    run_cell(page, 0)
    live_output(run_cell(page, 1)).locator("#inc").click()
    page.locator(".liveui-cell #n", has_text="1").wait_for()
    live_output(run_cell(page, 2))
    assert kernel_says(lab, "", "ENDED") == "[]"
    page.evaluate("""async () => {
        await window.jupyterapp.commands.execute("docmanager:save")
        window.jupyterapp.shell.currentWidget.dispose()
    }""")
    page.locator(".liveui-cell").first.wait_for(state="detached")
    # polled from here, a quick cell at a time: a running cell holds the views (and their timers) up
    deadline = time.monotonic() + 10
    while (ended := kernel_says(lab, "", "sorted(ENDED)")) != "[0, 1]" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert ended == "[0, 1]"  # both views ended (terminate ran), the kernel lives on


def test_a_kernel_restart_shows_the_disconnected_state(lab_page: Any, lab: JupyterServer) -> None:
    page = lab_page
    open_notebook(page, lab, "restart.ipynb", COUNTER)
    view = live_output(run_cell(page, 0))
    (kernel,) = lab.api("GET", "/api/kernels")
    lab.api("POST", f"/api/kernels/{kernel['id']}/restart")  # the views die with the old process
    # seen at once: the old process's shutdown reply on iopub (the new one's first messages can come
    # before the page listens again; a kernel that dies without a word is found by the heartbeat)
    expect(view).to_have_class(re.compile(r"\bphx-client-error\b"), timeout=10_000)  # the heartbeat takes 30 s
    assert view.locator("#count").inner_text() == "0"  # the last state stays on screen


LINES = '''from liveui import LiveView
from liveui.jupyter import show


class Lines(LiveView):
    template = """<form id="f" phx-change="validate" phx-submit="count">{{ live_file_input(uploads.doc) }}
    {% for e in uploads.doc.entries %}<span class="progress">{{ e.client_name }} {{ e.progress }}%</span>{% endfor %}
    <button id="go">count</button></form><p id="result">{{ result }}</p>"""

    def mount(self, params, session, socket):
        socket.assign(result="")
        socket.allow_upload("doc", accept=[".txt"], auto_upload=True)

    def handle_event(self, event, params, socket):
        if event == "count":
            def count(meta, entry):
                with open(meta["path"], "rb") as stored:
                    return ("ok", f"{entry.client_name}: {sum(1 for _ in stored)} lines")
            socket.assign(result=", ".join(socket.consume_uploaded_entries("doc", count)))


show(Lines)'''


def test_upload_a_file_in_a_cell(lab_page: Any, lab: JupyterServer) -> None:
    page = lab_page
    open_notebook(page, lab, "upload.ipynb", LINES)
    view = live_output(run_cell(page, 0))
    poem = b"".join(b"line %d\n" % i for i in range(20000))  # several chunks over the comm
    view.locator("input[type=file]").set_input_files(files=[{"name": "poem.txt", "mimeType": "text/plain",
                                                             "buffer": poem}])
    view.locator(".progress", has_text="poem.txt 100%").wait_for()
    view.locator("#go").click()
    view.locator("#result", has_text="poem.txt: 20000 lines").wait_for()


KEYS = '''from liveui import App, LiveView
from liveui.jupyter import show

class Keys(LiveView):
    template = """<form id="f" phx-change="level" phx-submit="save">
<input id="r" type="range" name="level" min="0" max="10" value="{{ level }}"> <input id="t" name="text">
<button type="submit">Save</button></form><p id="level">{{ level }}</p><p id="saved">{{ saved }}</p>"""

    def mount(self, params, session, socket):
        socket.assign(level=5, saved="", saves=0)

    def handle_event(self, event, params, socket):
        if event == "level":
            socket.assign(level=int(params["level"]))
        else:
            socket.assign(saves=socket.assigns.saves + 1)
            socket.assign(saved=f"{params['text']} {socket.assigns.saves}")

app = App(head="<style>#level { color: rgb(0, 128, 0) }</style>")
app.live("/", Keys)
show(app)'''


def test_the_keyboard_works_inside_the_output_and_the_app_styles_apply(lab_page: Any, lab: JupyterServer) -> None:
    page = lab_page
    open_notebook(page, lab, "keys.ipynb", KEYS)
    view = live_output(run_cell(page, 0))
    expect(view.locator("#level")).to_have_css("color", "rgb(0, 128, 0)")  # App(head=...) styles reach the cell
    view.locator("#r").focus()
    page.keyboard.press("ArrowRight")  # JupyterLab's shortcuts (select the next cell, ...) must not take it
    expect(view.locator("#level")).to_have_text("6")
    assert view.locator("#r").input_value() == "6"
    view.locator("#t").click()
    page.keyboard.type("hi")
    page.keyboard.press("Enter")  # submits the form, once, instead of entering the notebook's edit mode
    expect(view.locator("#saved")).to_have_text("hi 1")
    assert page.evaluate("window.jupyterapp.shell.currentWidget.content.mode") == "command"
    view.locator("#r").focus()
    page.keyboard.press("ArrowRight")  # handled after any second submit would have been: there was none
    expect(view.locator("#level")).to_have_text("7")
    assert view.locator("#saved").inner_text() == "hi 1"
