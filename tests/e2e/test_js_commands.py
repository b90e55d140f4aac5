"""`liveui.JS` commands, the core components' modal and flash, and phoenix_html's data-confirm and
data-method, run by the official client in headless Chromium: the DOM after each command is what
LiveView documents for it.

Every wait is bounded (Playwright's `expect`); nothing sleeps.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

import liveui
from liveui import JS, LiveComponent, LiveView

from .support import LiveServer, goto_live

GATE: dict[str, asyncio.Event] = {}

HEAD = """<script>
window.addEventListener("lv:ping", e => { e.target.dataset.pinged = String(e.detail.n) })
window.addEventListener("phx:page-loading-start", e => {
  if (e.detail.kind === "element") document.documentElement.dataset.pageLoading = "started"
})
</script>
<style>.gone { display: none }</style>"""


class Bumper(LiveComponent):
    template = """<div id="bumper"><span id="bumps">{{ bumps }}</span>
    <button id="bump" phx-click="{{ JS.push('bump', target=myself) }}">bump</button></div>"""

    def mount(self, socket):
        socket.assign(bumps=0)

    def handle_event(self, event, params, socket):
        socket.assign(bumps=socket.assigns.bumps + 1)


class Commands(LiveView):
    template = """
<p id="count">{{ count }}</p><p id="tab">{{ tab }}</p><p id="last">{{ last }}</p>
<div id="target" class="box">target</div>
<div id="hidden" style="display: none">hidden</div>
<div id="spinner">spinner</div>
<div id="box"><p>text</p><input id="first"><input id="second"></div>
<input id="name">
<div id="runner" data-do="{{ JS.add_class('ran', to='#target') }}"></div>
<button id="push" phx-click="{{ JS.push('inc', value={'by': 2}) }}">push</button>
<button id="push-slow" phx-click="{{ JS.push('slow', loading='#spinner') }}">slow</button>
<button id="push-page" phx-click="{{ JS.push('inc', value={'by': 1}, page_loading=True) }}">page</button>
<button id="navigate" phx-click="{{ JS.navigate('/other') }}">navigate</button>
<button id="patch" phx-click="{{ JS.patch('/js?tab=2') }}">patch</button>
<button id="show" phx-click="{{ JS.show('#hidden', display='flex') }}">show</button>
<button id="hide" phx-click="{{ JS.hide('#target') }}">hide</button>
<button id="toggle" phx-click="{{ JS.toggle('#target') }}">toggle</button>
<button id="add-class" phx-click="{{ JS.add_class('warm hot', to='#target') }}">add</button>
<button id="remove-class" phx-click="{{ JS.remove_class('box', to='#target') }}">remove</button>
<button id="toggle-class" phx-click="{{ JS.toggle_class('lit', to='#target') }}">toggle class</button>
<button id="transition" phx-click="{{ JS.transition('shake', to='#target', time=1500) }}">shake</button>
<button id="set-attr" phx-click="{{ JS.set_attribute(('aria-expanded', 'true'), to='#target') }}">set</button>
<button id="remove-attr" phx-click="{{ JS.remove_attribute('aria-expanded', to='#target') }}">unset</button>
<button id="toggle-attr" phx-click="{{ JS.toggle_attribute(('data-state', 'open', 'closed'), to='#target') }}">flip</button>
<button id="dispatch" phx-click="{{ JS.dispatch('lv:ping', to='#target', detail={'n': 7}) }}">dispatch</button>
<button id="exec" phx-click="{{ JS.exec('data-do', to='#runner') }}">exec</button>
<button id="focus" phx-click="{{ JS.focus(to='#name') }}">focus</button>
<button id="focus-first" phx-click="{{ JS.focus_first(to='#box') }}">focus first</button>
<button id="push-focus" phx-click="{{ JS.push_focus().focus(to='#name') }}">push focus</button>
<button id="pop-focus" phx-click="{{ JS.pop_focus() }}">pop focus</button>
<button id="chain" phx-click="{{ JS.push('inc', value={'by': 10}).hide('#target').add_class('done', to='#count') }}">chain</button>
{{ live_component(Bumper, id="bumper") }}
"""

    def mount(self, params, session, socket):
        socket.assign(count=0, tab="1", last="")

    def handle_params(self, params, uri, socket):
        socket.assign(tab=params.get("tab", "1"))

    async def handle_event(self, event, params, socket):
        if event == "slow":  # held until the test opens the gate: the loading classes stay meanwhile
            gate = GATE["slow"] = asyncio.Event()
            await gate.wait()
        socket.assign(count=socket.assigns.count + int(params.get("by", 0)), last=event)


class Other(LiveView):
    template = '<h1 id="other">other</h1>'


class Dialogs(LiveView):
    template = """{% from "liveui/components.html.j2" import modal, show_modal, button %}
<p id="cancels">{{ cancels }}</p><p id="deleted">{{ deleted }}</p>
<button id="open" phx-click="{{ show_modal('confirm') }}">open</button>
{% call modal(id="confirm", on_cancel=JS.push("cancelled")) %}
  <h2 id="confirm-title">Sure?</h2><input id="m-input"><button id="m-ok">OK</button>
{% endcall %}
<a id="delete" href="#" data-confirm="Really delete?" phx-click="delete">delete</a>
<a id="post" href="#" data-method="delete" data-to="/things/1" data-csrf="the-token">post</a>
<button id="say" phx-click="say">say</button>
"""

    def mount(self, params, session, socket):
        socket.assign(cancels=0, deleted=0)

    def handle_event(self, event, params, socket):
        if event == "cancelled":
            socket.assign(cancels=socket.assigns.cancels + 1)
        elif event == "delete":
            socket.assign(deleted=socket.assigns.deleted + 1)
        elif event == "say":
            socket.put_flash("info", "Saved the thing.")


@pytest.fixture(scope="module")
def js_server() -> Iterator[LiveServer]:
    app = liveui.App(secret_key="e2e-js", head=HEAD)
    app.live("/js", Commands)
    app.live("/other", Other)
    app.live("/dialogs", Dialogs)
    server = LiveServer(app, name="js-server").start()
    yield server
    server.stop()


@pytest.fixture
def gallery_server(js_server: LiveServer) -> LiveServer:
    """The conftest's `page` opens pages on this module's app instead of the gallery."""
    return js_server


def sent_events(page: Page) -> list[dict]:
    """The `event` payloads the page's LiveView socket sends (filled as they go)."""
    events: list[dict] = []

    def on_socket(ws):
        def on_frame(payload):
            frame = json.loads(payload)
            if frame[3] == "event":
                events.append(frame[4])
        ws.on("framesent", on_frame)

    page.on("websocket", on_socket)
    return events


def test_push_with_a_value_and_chained_commands(page: Page):
    goto_live(page, "/js")
    page.click("#push")
    expect(page.locator("#count")).to_have_text("2")
    page.click("#chain")
    expect(page.locator("#count")).to_have_text("12")
    expect(page.locator("#target")).to_be_hidden()
    expect(page.locator("#count")).to_have_class("done")


def test_push_to_a_component_by_myself(page: Page):
    goto_live(page, "/js")
    page.click("#bump")
    expect(page.locator("#bumps")).to_have_text("1")
    expect(page.locator("#last")).to_have_text("")  # the view did not get it


def test_push_loading_marks_the_loading_elements_until_the_reply(page: Page, js_server: LiveServer):
    goto_live(page, "/js")
    page.click("#push-slow")
    expect(page.locator("#spinner")).to_have_class("phx-click-loading")
    js_server.loop.call_soon_threadsafe(lambda: GATE["slow"].set())
    expect(page.locator("#last")).to_have_text("slow")
    expect(page.locator("#spinner")).not_to_have_class("phx-click-loading")


def test_push_page_loading_fires_the_page_loading_events(page: Page):
    goto_live(page, "/js")
    page.click("#push-page")
    expect(page.locator("#count")).to_have_text("1")
    expect(page.locator("html")).to_have_attribute("data-page-loading", "started")


def test_navigate_and_patch(page: Page):
    goto_live(page, "/js")
    page.click("#patch")
    expect(page.locator("#tab")).to_have_text("2")
    assert page.url.endswith("/js?tab=2")
    page.click("#navigate")
    expect(page.locator("#other")).to_have_text("other")
    assert page.url.endswith("/other")


def test_show_hide_and_toggle(page: Page):
    goto_live(page, "/js")
    expect(page.locator("#hidden")).to_be_hidden()
    page.click("#show")
    expect(page.locator("#hidden")).to_be_visible()
    expect(page.locator("#hidden")).to_have_css("display", "flex")
    page.click("#hide")
    expect(page.locator("#target")).to_be_hidden()
    page.click("#toggle")
    expect(page.locator("#target")).to_be_visible()
    page.click("#toggle")
    expect(page.locator("#target")).to_be_hidden()


def test_classes_stick_across_server_patches(page: Page):
    goto_live(page, "/js")
    page.click("#add-class")
    expect(page.locator("#target")).to_have_class("box warm hot")
    page.click("#remove-class")
    expect(page.locator("#target")).to_have_class("warm hot")
    page.click("#toggle-class")
    expect(page.locator("#target")).to_have_class("warm hot lit")
    page.click("#push")  # a server render keeps what the commands did
    expect(page.locator("#count")).to_have_text("2")
    expect(page.locator("#target")).to_have_class("warm hot lit")
    page.click("#toggle-class")
    expect(page.locator("#target")).to_have_class("warm hot")


def test_transition_applies_its_classes_for_its_time(page: Page):
    goto_live(page, "/js")
    page.click("#transition")
    expect(page.locator("#target")).to_have_class("box shake")
    expect(page.locator("#target")).to_have_class("box")


def test_set_remove_and_toggle_attributes(page: Page):
    goto_live(page, "/js")
    target = page.locator("#target")
    page.click("#set-attr")
    expect(target).to_have_attribute("aria-expanded", "true")
    page.click("#remove-attr")
    expect(target).not_to_have_attribute("aria-expanded", "true")
    assert target.get_attribute("aria-expanded") is None
    page.click("#toggle-attr")
    expect(target).to_have_attribute("data-state", "open")
    page.click("#toggle-attr")
    expect(target).to_have_attribute("data-state", "closed")


def test_dispatch_and_exec(page: Page):
    goto_live(page, "/js")
    page.click("#dispatch")
    expect(page.locator("#target")).to_have_attribute("data-pinged", "7")
    page.click("#exec")
    expect(page.locator("#target")).to_have_class("box ran")


def test_focus_focus_first_push_focus_and_pop_focus(page: Page):
    goto_live(page, "/js")
    page.click("#focus")
    expect(page.locator("#name")).to_be_focused()
    page.click("#focus-first")
    expect(page.locator("#first")).to_be_focused()
    page.click("#push-focus")
    expect(page.locator("#name")).to_be_focused()
    page.click("#pop-focus")
    expect(page.locator("#push-focus")).to_be_focused()


def test_the_modal_opens_traps_focus_and_closes_on_escape_its_button_and_a_click_away(page: Page):
    goto_live(page, "/dialogs")
    modal = page.locator("#confirm-container")  # the dialog's box (the modal's root has no size of its own)
    expect(modal).to_be_hidden()
    page.click("#open")
    expect(modal).to_be_visible()
    expect(page.locator("#m-input")).to_be_focused()  # focus_first of the content
    expect(page.locator("body")).to_have_class("lv-modal-open")
    for _ in range(5):  # tabbing never leaves the dialog
        page.keyboard.press("Tab")
        assert page.evaluate("document.getElementById('confirm-container').contains(document.activeElement)")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.getElementById('confirm-container').contains(document.activeElement)")
    page.keyboard.press("Escape")
    expect(modal).to_be_hidden()
    expect(page.locator("#confirm")).to_have_css("display", "none")
    expect(page.locator("#cancels")).to_have_text("1")  # on_cancel ran
    expect(page.locator("#open")).to_be_focused()  # focus went back to the opener
    expect(page.locator("body")).not_to_have_class("lv-modal-open")
    page.click("#open")
    expect(modal).to_be_visible()
    page.click("#confirm-close")
    expect(modal).to_be_hidden()
    expect(page.locator("#cancels")).to_have_text("2")
    page.click("#open")
    expect(modal).to_be_visible()
    page.mouse.click(2, 2)  # outside the dialog's box
    expect(modal).to_be_hidden()
    expect(page.locator("#cancels")).to_have_text("3")


def test_data_confirm_accepted_and_dismissed(page: Page):
    goto_live(page, "/dialogs")
    asked: list[str] = []

    def answer(accept: bool):
        def on_dialog(dialog):
            asked.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()
        return on_dialog

    page.once("dialog", answer(False))
    page.click("#delete")
    page.click("#say")  # a round trip after the dismissed click: had it been pushed, it came first
    expect(page.locator("#flash-info")).to_have_text("Saved the thing.")
    expect(page.locator("#deleted")).to_have_text("0")
    page.once("dialog", answer(True))
    page.click("#delete")
    expect(page.locator("#deleted")).to_have_text("1")
    assert asked == ["Really delete?", "Really delete?"]


def test_data_method_links_submit_a_form_with_the_method_and_token(page: Page):
    goto_live(page, "/dialogs")
    page.route("**/things/1", lambda route: route.fulfill(status=200, content_type="text/html", body="<p id=done>done</p>"))
    with page.expect_request(lambda r: r.url.endswith("/things/1")) as request:
        page.click("#post")
    assert request.value.method == "POST"
    assert request.value.post_data == "_csrf_token=the-token&_method=delete"
    expect(page.locator("#done")).to_have_text("done")


def test_the_default_layout_shows_the_flash_and_its_button_clears_it(page: Page):
    events = sent_events(page)
    goto_live(page, "/dialogs")
    expect(page.locator("#flash-info")).to_have_count(0)
    expect(page.locator("#client-error")).to_be_hidden()
    page.click("#say")
    expect(page.locator("#flash-info")).to_have_text("Saved the thing.")
    page.click("#flash-info .lv-flash-close")
    expect(page.locator("#flash-info")).to_have_count(0)  # hidden at once, then gone from the server's render
    assert any(e["event"] == "lv:clear-flash" and e["value"] == {"key": "info"} for e in events)
