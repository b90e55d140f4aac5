"""liveui.testing.dom and liveui.testing.events: the DOM helpers and the payload rules of docs/protocol.md §5.2.

The same rules run against the real client in tests/e2e/test_form_encoding.py.
"""

from __future__ import annotations

import re

import pytest

from liveui.params import decode_event_value, decode_query
from liveui.testing.dom import ElementNotFound, MultipleElements, Node, parse
from liveui.testing.values import dom_value
from liveui.testing.events import (
    Push,
    binding,
    click_value,
    form_value,
    js_commands,
    key_value,
    target_cid,
    target_cids,
    unused_name,
)


def node(html: str) -> Node:
    """The first element of `html`."""
    return parse(html).select("*")[0]


# -- dom ------------------------------------------------------------------------------------


def test_select_and_one_with_text_filters():
    doc = parse('<ul><li class="a b">Apple pie</li><li>Banana</li><li>Cherry pie</li></ul>')
    assert [n.text() for n in doc.select("li", "pie")] == ["Apple pie", "Cherry pie"]
    assert doc.one("li", re.compile(r"^Ban")).text() == "Banana"
    assert doc.one("li.b").get("class") == "a b"  # class stays one string
    assert doc.select("li", re.compile("^pie")) == []


def test_one_raises_with_selector_filter_and_excerpt():
    doc = parse("<div><button>+</button><button>-</button></div>")
    with pytest.raises(ElementNotFound) as missing:
        doc.one("button", "*")
    message = str(missing.value)
    assert "'button'" in message and "'*'" in message and "<button>+</button>" in message
    assert "['+', '-']" in message  # what the selector alone finds
    with pytest.raises(MultipleElements, match=r"2 elements match selector 'button'") as many:
        doc.one("button")
    assert "<button>-</button>" in str(many.value)
    assert isinstance(missing.value, AssertionError) and isinstance(many.value, AssertionError)


def test_not_found_excerpt_is_short():
    doc = parse("<p>" + "x" * 5000 + "</p>")
    with pytest.raises(ElementNotFound) as missing:
        doc.one("span")
    assert len(str(missing.value)) < 800


def test_node_accessors():
    doc = parse('<section id="s" data-phx-component="2"><p title="t">Hi <b>there</b></p></section>')
    p = doc.one("p")
    assert (p.tag, p.attrs, p.get("title"), p.get("nope", "d")) == ("p", {"title": "t"}, "t", "d")
    assert p.text() == "Hi there"
    assert p.inner_html() == "Hi <b>there</b>"
    assert p.outer_html() == '<p title="t">Hi <b>there</b></p>'
    assert p.closest("[data-phx-component]") == doc.one("#s")
    assert p.closest("p") == p and p.closest("table") is None
    assert p.parent == doc.one("section") and doc.one("section").parent is None
    assert [n.tag for n in doc.one("section").find_all("b")] == ["b"]
    assert p.document.one("b").text() == "there"


def test_nodes_compare_by_identity():
    doc = parse("<i></i><i></i>")
    first, second = doc.select("i")
    assert first != second and first == doc.select("i")[0]
    assert len({first, second, doc.select("i")[0]}) == 2


# -- bindings -------------------------------------------------------------------------------


def test_binding_plain_absent_and_empty():
    assert binding(node('<button phx-click="inc">+</button>'), "click") == [Push("inc", {}, None)]
    assert binding(node("<button>+</button>"), "click") is None
    assert binding(node('<button phx-click="">+</button>'), "click") is None


def test_binding_js_push_ops():
    ops = '[["push",{"event":"inc","value":{"a":1},"target":3}],["hide",{"to":"#x"}],["push",{"event":"log"}]]'
    el = node(f"<button phx-click='{ops}'>+</button>")
    assert binding(el, "click") == [Push("inc", {"a": 1}, 3), Push("log", {}, None)]
    assert js_commands(el, "click")[1] == ("hide", {"to": "#x"})


def test_binding_html_escaped_json_and_exec():
    el = node('<div phx-keydown="[[&quot;exec&quot;,{&quot;attr&quot;:&quot;data-go&quot;}]]" '
              "data-go='[[\"push\",{\"event\":\"go\",\"target\":\"#c\"}]]'></div>")
    assert binding(el, "keydown") == [Push("go", {}, "#c")]


def test_binding_rejects_nonsense():
    with pytest.raises(ValueError, match="no event"):
        binding(node("""<a phx-click='[["push",{}]]'></a>"""), "click")
    with pytest.raises(ValueError, match="not JSON"):
        binding(node('<a phx-click="[oops"></a>'), "click")


# -- click / key / focus values -------------------------------------------------------------


@pytest.mark.parametrize(("html", "expected"), [
    ('<button phx-value-id="1" phx-value-User-Id="2" value="5"></button>', {"id": "1", "user-id": "2", "value": "5"}),
    ("<button></button>", {"value": ""}),
    ('<a href="#" phx-value-x="1"></a>', {"x": "1"}),
    ('<div phx-value-value="kept"></div>', {"value": "kept"}),
    ('<span></span>', {}),
    ('<input value="typed" phx-value-value="lost">', {"value": "typed"}),
    ('<input type="checkbox" value="yes" checked>', {"value": "yes"}),
    ('<input type="checkbox" checked>', {"value": "on"}),
    ('<input type="checkbox" value="yes" phx-value-value="gone">', {}),
    ('<input type="radio" value="r">', {}),
    ('<select><option value="a">A</option><option value="b" selected>B</option></select>', {"value": "b"}),
    ("<select><option>  First   one </option></select>", {"value": "First one"}),
    ("<select></select>", {"value": ""}),
    ("<textarea>\nsome\r\ntext</textarea>", {"value": "some\ntext"}),
    ('<li value="3"></li>', {"value": 3}),
    ("<li></li>", {"value": 0}),
    ('<meter value="0.5"></meter>', {"value": 0.5}),
    ('<progress value="3" max="2"></progress>', {"value": 2}),
    ('<form phx-value-a="1"></form>', {"a": "1"}),
])
def test_click_value(html, expected):
    assert click_value(node(html)) == expected


def test_click_value_push_and_extra_win():
    el = node('<button phx-value-id="1" phx-value-x="a" value="v"></button>')
    assert click_value(el, {"x": "extra"}, push=Push("go", {"id": 2})) == {"id": 2, "x": "extra", "value": "v"}


def test_key_and_focus_values():
    el = node('<input phx-value-x="1" value="v">')
    assert key_value(el, "Enter") == {"key": "Enter", "x": "1", "value": "v"}
    assert list(key_value(el, "a")) == ["key", "x", "value"]
    assert key_value(node('<div phx-value-key="mine"></div>'), "a") == {"key": "mine"}
    assert key_value(el, None) == {"x": "1", "value": "v"}
    assert key_value(el, "a", {"key": "b"}) == {"key": "b", "x": "1", "value": "v"}


@pytest.mark.parametrize(("attrs", "value"), [
    ('type="number" value="1.5e3"', "1.5e3"), ('type="number" value="1."', ""),
    ('type="email" value=" a@b.c "', "a@b.c"), ('type="url" value=" http://x/ "', "http://x/"),
    ('type="range"', "50"), ('type="range" min="0" max="10" step="3" value="10"', "9"),
    ('type="color" value="#ABC"', "#aabbcc"), ('type="color" value="red"', "#000000"),
    ('type="date" value="2023-02-29"', ""), ('type="datetime-local" value="2020-01-01 10:00:00"', "2020-01-01T10:00"),
    ('value="a&#10;b"', "ab"), ('type="BOGUS" value=" x "', " x "), ('type="file" value="x"', ""),
])
def test_input_value_sanitization(attrs, value):
    assert dom_value(node(f"<input {attrs}>")) == value


def test_last_checked_radio_of_a_group_wins():
    doc = parse('<input type="radio" name="r" value="a" checked><input type="radio" name="r" value="b" checked>')
    first, second = doc.select("input")
    assert click_value(first) == {} and click_value(second) == {"value": "b"}


# -- forms ----------------------------------------------------------------------------------

ORDER = """
<form id="f" phx-change="v" phx-value-page="2">
  <input name="q" value="a b&amp;c~d*e">
  <input type="checkbox" name="tags[]" value="x" checked><input type="checkbox" name="tags[]" value="y">
  <input type="checkbox" name="tags[]" value="z" checked>
  <input type="radio" name="size" value="s"><input type="radio" name="size" value="m" checked>
  <select name="first"><option value="1">1</option><option value="2">2</option></select>
  <select name="multi[]" multiple><option selected>a</option><option>b</option><option selected>c</option></select>
  <textarea name="note">
hi</textarea>
  <input name="off" value="1" disabled>
  <fieldset disabled><input name="in-set" value="1"></fieldset>
  <input value="no name"><input type="file" name="pic"><input type="hidden" name="pic" value="gone">
  <button name="btn" value="1">Go</button><input type="submit" name="sub" value="S">
</form>"""


def test_form_fields_in_dom_order_escaped_like_urlsearchparams():
    form = parse(ORDER).one("form")
    encoded, _ = form_value(form, kind="submit")
    assert encoded == ("q=a+b%26c%7Ed*e&tags%5B%5D=x&tags%5B%5D=z&size=m&first=1&multi%5B%5D=a&multi%5B%5D=c"
                       "&note=hi")


def test_change_marks_untouched_fields_unused():
    form = parse(ORDER).one("form")
    encoded, meta = form_value(form, target="q", touched=["tags[]"])
    assert meta == {"_target": "q", "page": "2"}
    assert decode_query(encoded) == {
        "q": "a b&c~d*e", "tags": ["x", "z"], "_unused_size": "", "size": "m", "_unused_first": "",
        "first": "1", "_unused_multi": ["", ""], "multi": ["a", "c"], "_unused_note": "", "note": "hi",
    }
    # one marker before every entry of an unused field, as the client does
    assert encoded.count("_unused_multi%5B%5D=&multi%5B%5D=") == 2


def test_unused_marker_names():
    assert unused_name("user[email]") == "user[_unused_email]"
    assert unused_name("email") == "_unused_email"
    assert unused_name("tags[]") == "_unused_tags[]"
    assert unused_name("user[roles][]") == "user[_unused_roles][]"


def test_unused_skips_hidden_only_fields_and_opt_outs():
    html = """<form>
      <input type="hidden" name="token" value="t">
      <input type="hidden" name="admin" value="false"><input type="checkbox" name="admin" value="true">
      <input name="quiet" phx-no-unused-field><input name="loud">
    </form>"""
    encoded, _ = form_value(parse(html).one("form"), target="other")
    assert encoded == "token=t&_unused_admin=&admin=false&quiet=&_unused_loud=&loud="
    skipping = parse(html.replace("<form>", "<form phx-no-unused-field>")).one("form")
    assert form_value(skipping, target="x")[0] == "token=t&admin=false&quiet=&loud="


def test_change_without_target_sends_undefined():
    form = parse('<form phx-no-unused-field><input name="a"></form>').one("form")
    assert form_value(form, kind="change") == ("a=", {"_target": "undefined"})


def test_submit_has_no_markers_and_puts_the_submitter_in_place():
    doc = parse("""<form id="f" phx-value-k="1">
      <input name="a" value="1"><button name="act" value="draft">D</button>
      <input name="b" value="2"><button id="pub" name="act" value="publish">P</button><button id="anon">X</button>
    </form><button id="ext" form="f" name="ext" value="e">E</button><input form="f" name="c" value="3">""")
    form = doc.one("form")
    assert form_value(form) == ("a=1&b=2&c=3", {"k": "1"})
    assert form_value(form, submitter=doc.one("#pub"))[0] == "a=1&b=2&act=publish&c=3"
    assert form_value(form, submitter=doc.one("#anon"))[0] == "a=1&b=2&c=3"
    assert form_value(form, submitter=doc.one("#ext"))[0] == "a=1&b=2&ext=e&c=3"


def test_submitter_must_belong_to_the_form_and_be_enabled():
    doc = parse('<form><button disabled name="x">X</button></form><button id="away" name="y">Y</button>')
    with pytest.raises(ValueError, match="not a control of the form"):
        form_value(doc.one("form"), submitter=doc.one("#away"))
    with pytest.raises(ValueError, match="disabled submitter"):
        form_value(doc.one("form"), submitter=doc.one("button[disabled]"))


def test_only_limits_fields_and_push_value_joins_meta():
    form = parse('<form phx-value-a="1"><input name="a" value="1"><input name="b" value="2"></form>').one("form")
    assert form_value(form, target="b", only=["b"], push=Push("v", {"x": 1})) == (
        "b=2", {"_target": "b", "a": "1", "x": 1})


def test_meta_merges_into_params_like_the_server():
    form = parse('<form phx-no-unused-field><input name="user[email]" value="a@b"></form>').one("form")
    encoded, meta = form_value(form, target="user[email]")
    payload = {"type": "form", "event": "v", "value": encoded, "meta": meta}
    assert decode_event_value(payload) == {"user": {"email": "a@b"}, "_target": ["user", "email"]}


def test_form_value_needs_a_form():
    with pytest.raises(ValueError, match="<form>"):
        form_value(node("<div></div>"))


# -- overrides ------------------------------------------------------------------------------

FILL = """<form id="signup">
  <input name="user[email]" value="old"><input type="hidden" name="user[id]" value="7">
  <input type="hidden" name="user[admin]" value="false"><input type="checkbox" name="user[admin]" value="true">
  <input type="checkbox" name="tags[]" value="a"><input type="checkbox" name="tags[]" value="b" checked>
  <select name="role"><option value="u">User</option><option value="m">Mod</option></select>
  <input type="radio" name="plan" value="free" checked><input type="radio" name="plan" value="pro">
  <input name="off" disabled><input type="submit" name="go" value="Go"><input type="file" name="pic">
</form>"""


def test_overrides_set_fields_in_place():
    form = parse(FILL).one("form")
    data = {"user": {"email": "new one", "admin": True}, "tags": ["a"], "role": "m", "plan": "pro"}
    encoded, _ = form_value(form, data)
    assert encoded == ("user%5Bemail%5D=new+one&user%5Bid%5D=7&user%5Badmin%5D=false&user%5Badmin%5D=true"
                       "&tags%5B%5D=a&role=m&plan=pro")
    assert decode_query(encoded)["user"] == {"email": "new one", "id": "7", "admin": "true"}
    assert decode_query(form_value(form, {"tags": []})[0]).get("tags") is None


def test_override_of_a_missing_field_names_it_and_lists_the_fields():
    form = parse(FILL).one("form")
    with pytest.raises(ValueError) as error:
        form_value(form, {"user": {"nick": "x"}})
    message = str(error.value)
    assert "'user[nick]'" in message and "#signup" in message
    assert "['user[email]', 'user[id]', 'user[admin]', 'tags[]', 'role', 'plan', 'go', 'pic']" in message
    with pytest.raises(ValueError, match="'off'"):
        form_value(form, {"off": "1"})  # disabled fields cannot be filled
    with pytest.raises(ValueError, match="'tags'"):
        form_value(form, {"tags": "a"})  # a list field needs a list


@pytest.mark.parametrize(("data", "pattern"), [
    ({"role": "admin"}, r"value for select 'role' must be one of \['u', 'm'\], got: 'admin'"),
    ({"tags": ["c"]}, r"value for checkbox 'tags\[\]' must be one of \['a', 'b'\]"),
    ({"user": {"id": "8"}}, r"value for hidden 'user\[id\]' must be one of \['7'\]"),
    ({"go": "x"}, "submit input"),
    ({"pic": "x"}, "file input"),
])
def test_overrides_are_checked_against_the_dom(data, pattern):
    with pytest.raises(ValueError, match=pattern):
        form_value(parse(FILL).one("form"), data)


# -- targets --------------------------------------------------------------------------------

TARGETS = """
<div data-phx-component="3"><button id="plain" phx-click="x">in component, no target</button>
  <button id="empty" phx-click="x" phx-target="">empty target</button><span class="t"></span></div>
<div data-phx-component="4"><span class="t"></span></div>
<button id="cid" phx-click="x" phx-target="7"></button>
<button id="sel" phx-click="x" phx-target=".t"></button>
<button id="view" phx-click="x" phx-target="#lonely"></button><i id="lonely"></i>
<button id="gone" phx-click="x" phx-target="#nothing"></button>
<form id="form" phx-target="3"><input id="input"></form>
"""


@pytest.mark.parametrize(("selector", "cid"), [
    ("#plain", None), ("#empty", 3), ("#cid", 7), ("#sel", 3), ("#view", None), ("#form", 3),
])
def test_target_cid(selector, cid):
    doc = parse(TARGETS)
    assert target_cid(doc.one(selector), doc) == cid


def test_target_cids_one_per_matched_element_and_push_targets():
    doc = parse(TARGETS)
    assert target_cids(doc.one("#sel"), doc) == [3, 4]
    assert target_cid(doc.one("#plain"), doc, push=Push("x", {}, 9)) == 9
    assert target_cid(doc.one("#cid"), doc, push=Push("x", {}, "#lonely")) is None
    assert target_cid(doc.one("#cid"), doc, push=Push("x", {}, 0)) == 7  # JS: `0 || attribute`
    with pytest.raises(ElementNotFound, match="'#nothing'"):
        target_cid(doc.one("#gone"), doc)
