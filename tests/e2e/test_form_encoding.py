"""`liveui.testing.events` against the real phoenix_live_view client in headless Chromium.

One static page (no server: Playwright answers the requests) loads liveui's bundle of the 1.2
client with auto-connect off, and builds a `View` on it that never joins. Its `pushWithReply`
is replaced by a recorder, so calling the client's own `pushEvent` / `pushInput` / `submitForm`
yields exactly the `event` payload it would send; each case compares that with what
`liveui.testing.events` builds from the same HTML. Plain sync tests (see conftest.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from liveui.testing.dom import Document, parse
from liveui.testing.events import binding, click_value, form_value, key_value, target_cids

from .support import new_context

BUNDLE = Path(__file__).resolve().parents[2] / "liveui" / "static" / "liveui.js"
ORIGIN = "http://liveui.test"

# -- the page -------------------------------------------------------------------------------

FORMS: dict[str, str] = {
    # field order, escaping, checkboxes, radios, selects, textarea, skipped controls
    "mixed": """
      <input name="q" value="a b&amp;c=d+e~f*g%h é 🙂">
      <input type="checkbox" name="tags[]" value="x" checked>
      <input type="checkbox" name="tags[]" value="y">
      <input type="checkbox" name="tags[]" value="z" checked>
      <input type="checkbox" name="agree">
      <input type="checkbox" name="on" checked>
      <input type="radio" name="size" value="s" checked>
      <input type="radio" name="size" value="m" checked>
      <input type="radio" name="size" value="l">
      <select name="first"><option>  One   two </option><option value="2">Two</option></select>
      <select name="picked"><option value="a">A</option><option value="b" selected>B</option></select>
      <select name="multi[]" multiple><option value="1" selected>1</option><option value="2">2</option>
        <option value="3" selected>3</option><option value="4" selected disabled>4</option></select>
      <select name="none" size="3"><option value="a">A</option></select>
      <select name="offgroup"><optgroup label="g" disabled><option value="a">A</option></optgroup>
        <option value="b">B</option></select>
      <textarea name="note">
line one
line two</textarea>
      <input name="off" value="1" disabled>
      <fieldset disabled><legend><input name="in-legend" value="1"></legend><input name="in-set" value="1"></fieldset>
      <input value="no name">
      <input type="file" name="avatar">
      <input type="hidden" name="avatar" value="dropped with the file">
      <button name="btn" value="1">Go</button>
      <input type="submit" name="sub" value="Send">
      <input type="image" name="img" alt="i">
      <input type="reset" name="rst">
      <datalist id="dl"><input name="in-datalist" value="1"></datalist>
      <input type="hidden" name="_charset_">
      <input type="hidden" name="id" value="7">
    """,
    # value sanitization of the input types
    "types": """
      <input type="number" name="n1" value="1.5e3"><input type="number" name="n2" value="abc">
      <input type="number" name="n3" value="1.">
      <input type="email" name="e1" value="  a@b.c "><input type="email" name="e2" multiple value=" a@b.c , d@e.f">
      <input type="url" name="u" value=" http://x.y/ ">
      <input type="range" name="r1"><input type="range" name="r2" min="0" max="5">
      <input type="range" name="r3" value="150"><input type="range" name="r4" min="0" max="10" step="3" value="10">
      <input type="range" name="r5" value="7.4" step="0.5">
      <input type="color" name="c1" value="#ABCDEF"><input type="color" name="c2" value="nope">
      <input type="color" name="c3" value=" #aBc "><input type="color" name="c4" value="#11223344">
      <input type="date" name="d1" value="2024-02-29"><input type="date" name="d2" value="2023-02-29">
      <input type="month" name="m" value="2024-13"><input type="week" name="w" value="2020-W53">
      <input type="time" name="t" value="10:30:00"><input type="datetime-local" name="dt" value="2020-01-01 10:00:00">
      <input type="text" name="nl" value="a&#10;b&#13;c"><input type="search" name="s" value=" keep  spaces ">
      <input type="bogus" name="bogus" value="x">
    """,
    # _unused_ markers
    "unused": """
      <input name="user[email]" value="a@b.c"><input name="user[name]" value="">
      <input type="checkbox" name="user[roles][]" value="a" checked>
      <input type="checkbox" name="user[roles][]" value="b" checked>
      <input type="hidden" name="token" value="t">
      <input type="hidden" name="user[admin]" value="false"><input type="checkbox" name="user[admin]" value="true">
      <input name="quiet" value="q" phx-no-unused-field>
      <input name="plain" value="p">
    """,
    "formskip": '<input name="a" value="1"><input name="b" value="2">',
}
FORM_ATTRS: dict[str, str] = {
    "mixed": 'phx-change="validate" phx-value-step="1"',
    "types": 'phx-change="validate"',
    "unused": 'phx-change="validate"',
    "formskip": 'phx-change="validate" phx-no-unused-field',
}
EXTRA = """
<form id="sub" phx-submit="save" phx-value-kind="x" phx-value-_target="no">
  <input type="checkbox" name="pick[]" value="1" checked>
  <button name="action" value="draft">Draft</button>
  <input type="checkbox" name="pick[]" value="2" checked>
  <button name="action" value="publish" id="publish">Publish</button>
  <input name="title" value="T">
  <input name="elsewhere" form="other" value="no">
</form>
<input name="outside" form="sub" value="yes">
<button id="outside-btn" form="sub" name="ext" value="1">Ext</button>
<form id="other"></form>
<form id="one" phx-change="validate"><input name="a" value="1">
  <input id="solo" name="b" value="2" phx-change="solo"></form>
<form id="jsform" phx-change='[["push",{"event":"v","value":{"extra":1}}]]' phx-target="3"
      phx-submit='[["push",{"event":"s","value":{"k":"v"}}]]'><input id="jsin" name="a" value="1"></form>
<div data-phx-component="5">
  <form id="compform" phx-change="v" phx-target="#comp-root"><input id="compin" name="a"></form>
  <span id="comp-root"></span></div>
<form id="fill" phx-change="validate">
  <input name="user[email]" value="">
  <input type="checkbox" name="tags[]" value="a"><input type="checkbox" name="tags[]" value="b" checked>
  <select name="s"><option value="1">1</option><option value="2">2</option></select>
  <input type="radio" name="r" value="a" checked><input type="radio" name="r" value="b">
  <select name="ms[]" multiple>
    <option value="1" selected>1</option><option value="2">2</option><option value="3">3</option></select>
  <textarea name="t">old</textarea>
</form>
<form id="filled" phx-change="validate">
  <input name="user[email]" value="x y">
  <input type="checkbox" name="tags[]" value="a" checked><input type="checkbox" name="tags[]" value="b">
  <select name="s"><option value="1">1</option><option value="2" selected>2</option></select>
  <input type="radio" name="r" value="a"><input type="radio" name="r" value="b" checked>
  <select name="ms[]" multiple>
    <option value="1">1</option><option value="2" selected>2</option><option value="3" selected>3</option></select>
  <textarea name="t">new
text</textarea>
</form>
"""
CLICKS = """
<button id="b1" phx-click="go" phx-value-id="1" phx-value-Other-Name="x" value="5">B</button>
<button id="b2" phx-click="go">B</button>
<a id="a1" href="#" phx-click="go" phx-value-x="1">A</a>
<div id="d1" phx-click="go" phx-value-value="kept">D</div>
<input id="i1" phx-click="go" value="typed" phx-value-value="lost">
<input id="i2" type="checkbox" phx-click="go" value="yes" checked>
<input id="i3" type="checkbox" phx-click="go" value="yes" phx-value-value="gone">
<input id="i4" type="radio" name="rr" phx-click="go">
<input id="i5" type="radio" name="rr" phx-click="go" checked>
<input id="i6" type="range" phx-click="go" min="0" max="5">
<select id="s1" phx-click="go"><option value="a">A</option><option value="b" selected>B</option></select>
<select id="s2" phx-click="go"></select>
<textarea id="t1" phx-click="go">
text</textarea>
<ul><li id="l1" phx-click="go" value="3">L</li><li id="l2" phx-click="go">L</li></ul>
<select><option id="o1" phx-click="go">  spaced   text </option></select>
<meter id="m1" phx-click="go" value="0.25">m</meter><meter id="m2" phx-click="go" value="7" max="5">m</meter>
<progress id="p1" phx-click="go" value="3" max="4">p</progress><progress id="p2" phx-click="go">p</progress>
<output id="out" phx-click="go">shown</output>
<data id="data" phx-click="go" value="42">x</data>
<span id="js1" phx-value-id="attr"
  phx-click='[["push",{"event":"inc","value":{"a":1,"id":"js"}}],["show",{"to":"#x"}],["push",{"event":"dec"}]]'>J</span>
<div data-phx-component="3"><span id="in-comp" phx-click="go" phx-target="" >C</span>
  <span id="comp-target" class="ct"></span></div>
<div data-phx-component="4"><span class="ct"></span></div>
<span id="t-cid" phx-click="go" phx-target="7">T</span>
<span id="t-sel" phx-click="go" phx-target="#comp-target">T</span>
<span id="t-many" phx-click="go" phx-target=".ct">T</span>
<span id="t-view" phx-click="go" phx-target="#x-view">T</span><span id="x-view"></span>
<span id="js-target" phx-click='[["push",{"event":"go","target":".ct"}],["push",{"event":"go","target":9}]]'>T</span>
<input id="k1" phx-keydown="key" phx-value-x="1" value="v">
<div id="k2" phx-keyup='[["push",{"event":"up","value":{"key":"mine"}}]]'>K</div>
<input id="f1" phx-blur="left" phx-value-x="1" value="v">
<div id="f2" phx-focus="entered" phx-value-x="1">F</div>
"""


def page_html() -> str:
    forms = "".join(f'<form id="{name}" {FORM_ATTRS[name]}>{body}</form>' for name, body in FORMS.items())
    return f'<div id="root" data-phx-main data-phx-session="s" data-phx-static="s">{forms}{EXTRA}{CLICKS}</div>'


SETUP = """() => {
  const socket = new liveui.LiveSocket("/live", liveui.Socket, {});
  const view = socket.newRootView(document.getElementById("root"));
  window.captured = [];
  view.pushWithReply = (_refGen, event, payload) => {
    window.captured.push(payload);
    return new Promise(() => {});
  };
  // what js.js exec_push does to find the target context of a push
  window.contexts = (target) => {
    if (target instanceof Element) return [target];
    if (typeof target === "number" || /^(0|[1-9]\\d*)$/.test(target)) return [parseInt(target)];
    return Array.from(document.querySelectorAll(target));
  };
  window.commands = (attr) => attr.startsWith("[") ? JSON.parse(attr) : [["push", {event: attr}]];
  window.lv = view;
}"""

FIRE = """({sel, type, key}) => {
  const el = document.querySelector(sel);
  captured = [];
  for (const [kind, args] of commands(el.getAttribute("phx-" + type))) {
    if (kind !== "push") continue;
    const target = args.target || el.getAttribute("phx-target") || el;
    for (const ctx of contexts(target)) {
      const data = key === null ? {} : {key};
      lv.pushEvent(type, el, ctx, args.event, data, {value: args.value, target: args.target});
    }
  }
  return captured;
}"""

CHANGE = """({input, touched}) => {
  const el = document.querySelector(input);
  const form = el.form;
  for (const field of form.elements) {
    if (touched.includes(field.name)) field.phxPrivate = {...field.phxPrivate, "phx-has-focused": true};
  }
  el.phxPrivate = {...el.phxPrivate, "phx-has-focused": true};  // live_socket does this first
  const dispatcher = el.getAttribute("phx-change") ? el : form;
  captured = [];
  for (const [kind, args] of commands(dispatcher.getAttribute("phx-change"))) {
    if (kind !== "push") continue;
    const target = args.target || dispatcher.getAttribute("phx-target") || dispatcher;
    const opts = {value: args.value, target: args.target};
    if (el.name) opts._target = el.name;
    lv.pushInput(el, contexts(target)[0], undefined, args.event, opts);
  }
  return captured;
}"""

SUBMIT = """({form, submitter}) => {
  const el = document.getElementById(form);
  const button = submitter ? document.querySelector(submitter) : null;
  captured = [];
  for (const [kind, args] of commands(el.getAttribute("phx-submit"))) {
    if (kind !== "push") continue;
    const target = args.target || el.getAttribute("phx-target") || el;
    lv.submitForm(el, contexts(target)[0], args.event, button, {value: args.value, target: args.target});
  }
  return captured;
}"""


@pytest.fixture(scope="module")
def client(browser: Any) -> Iterator[Any]:
    """A page with the real client's `View` (never joined) whose pushes are recorded."""
    html = ("<!doctype html><meta charset=utf-8><script>window.liveuiManualConnect = true</script>"
            f"<script src='/liveui.js'></script><body>{page_html()}</body>")
    bundle = BUNDLE.read_text(encoding="utf-8")

    def answer(route: Any) -> None:
        if route.request.url.endswith("/liveui.js"):
            route.fulfill(body=bundle, content_type="text/javascript")
        else:
            route.fulfill(body=html, content_type="text/html; charset=utf-8")

    context = new_context(browser, ORIGIN)
    context.route(f"{ORIGIN}/**", answer)
    page = context.new_page()
    page.goto("/")
    page.evaluate(SETUP)
    yield page
    context.close()


@pytest.fixture(scope="module")
def document() -> Document:
    return parse(page_html())


def py_fire(document: Document, sel: str, type_: str, key: str | None = None) -> list[dict[str, Any]]:
    node = document.one(sel)
    pushes = binding(node, type_) or []
    out = []
    for push in pushes:
        value = click_value(node, push=push) if key is None else key_value(node, key, push=push)
        out.extend({"type": type_, "event": push.event, "value": value, "cid": cid}
                   for cid in target_cids(node, document, push=push))
    return out


CLICK_CASES = [
    "#b1", "#b2", "#a1", "#d1", "#i1", "#i2", "#i3", "#i4", "#i5", "#i6", "#s1", "#s2", "#t1", "#l1", "#l2",
    "#o1", "#m1", "#m2", "#p1", "#p2", "#out", "#data", "#js1", "#in-comp", "#t-cid", "#t-sel", "#t-many",
    "#t-view", "#js-target",
]


@pytest.mark.parametrize("sel", CLICK_CASES)
def test_click_payload_matches_client(client: Any, document: Document, sel: str) -> None:
    sent = client.evaluate(FIRE, {"sel": sel, "type": "click", "key": None})
    assert sent, f"the client sent nothing for {sel}"
    assert py_fire(document, sel, "click") == sent


@pytest.mark.parametrize(("sel", "type_", "key"), [
    ("#k1", "keydown", "Enter"), ("#k2", "keyup", "a"), ("#f1", "blur", None), ("#f2", "focus", None),
])
def test_key_and_focus_payloads_match_client(client: Any, document: Document, sel: str, type_: str,
                                             key: str | None) -> None:
    sent = client.evaluate(FIRE, {"sel": sel, "type": type_, "key": key})
    assert py_fire(document, sel, type_, key) == sent


CHANGE_CASES = [
    # (input selector, touched field names)
    ('#mixed [name="q"]', ["tags[]", "size"]),
    ('#types [name="n1"]', []),
    ('#unused [name="user[email]"]', ["user[name]"]),
    ('#formskip [name="a"]', []),
    ("#solo", []),
    ("#jsin", []),
    ("#compin", []),
]


@pytest.mark.parametrize(("input_sel", "touched"), CHANGE_CASES)
def test_change_payload_matches_client(client: Any, document: Document, input_sel: str, touched: list[str]) -> None:
    sent = client.evaluate(CHANGE, {"input": input_sel, "touched": touched})
    node = document.one(input_sel)
    form = node.closest("form")
    assert form is not None
    dispatcher = node if node.get("phx-change") else form
    expected = []
    for push in binding(dispatcher, "change") or []:
        only = [node.get("name")] if dispatcher is node else None
        encoded, meta = form_value(form, target=node.get("name"), touched=touched, push=push, only=only)
        cid = target_cids(dispatcher, document, push=push)[0]
        expected.append({"type": "form", "event": push.event, "value": encoded, "meta": meta,
                         "uploads": {}, "cid": cid})
    assert expected == sent


@pytest.mark.parametrize(("form_id", "submitter"), [("sub", None), ("sub", "#publish"), ("sub", "#outside-btn"),
                                                     ("jsform", None)])
def test_submit_payload_matches_client(client: Any, document: Document, form_id: str, submitter: str | None) -> None:
    # each submit marks the whole form used in the browser: later cases see no _unused_ either way
    sent = client.evaluate(SUBMIT, {"form": form_id, "submitter": submitter})
    form = document.one(f"#{form_id}")
    button = document.one(submitter) if submitter else None
    expected = []
    for push in binding(form, "submit") or []:
        encoded, meta = form_value(form, submitter=button, push=push)
        cid = target_cids(form, document, push=push)[0]
        expected.append({"type": "form", "event": push.event, "value": encoded, "meta": meta, "cid": cid})
    assert expected == sent


def test_overrides_match_a_filled_in_form(client: Any, document: Document) -> None:
    """`form_value(form, overrides)` equals what the client sends for the same form filled in by hand."""
    sent = client.evaluate(CHANGE, {"input": '#filled [name="t"]', "touched": []})
    overrides = {"user": {"email": "x y"}, "tags": ["a"], "s": "2", "r": "b", "ms": ["2", "3"], "t": "new\ntext"}
    encoded, meta = form_value(document.one("#fill"), overrides, target="t")
    assert (encoded, meta) == (sent[0]["value"], sent[0]["meta"])
