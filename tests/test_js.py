"""`liveui.JS` encodes the command lists of Phoenix.LiveView.JS: each command's JSON as Phoenix's
module produces it (keys of its small maps in order, nil options left out), chaining, escaping
in attributes, and a component's `myself` as a push target."""

from __future__ import annotations

import pytest

from liveui import CID, JS
from liveui.template import from_string

CASES = [
    (JS.push("inc"), '[["push",{"event":"inc"}]]'),
    (JS.push("delete", value={"id": "row-1"}, target=CID(3), loading=".thermo", page_loading=True),
     '[["push",{"event":"delete","loading":".thermo","page_loading":true,"target":3,"value":{"id":"row-1"}}]]'),
    (JS.push("search", target="#form"), '[["push",{"event":"search","target":"#form"}]]'),
    (JS.navigate("/items"), '[["navigate",{"href":"/items","replace":false}]]'),
    (JS.patch("/items?page=2", replace=True), '[["patch",{"href":"/items?page=2","replace":true}]]'),
    (JS.show(), '[["show",{}]]'),
    (JS.show("#modal", transition="fade-in", display="flex", time=300),
     '[["show",{"display":"flex","time":300,"to":"#modal","transition":[["fade-in"],[],[]]}]]'),
    (JS.hide(to="#row", transition=("ease-out duration-300", "opacity-100", "opacity-0"), blocking=False),
     '[["hide",{"blocking":false,"to":"#row","transition":[["ease-out","duration-300"],["opacity-100"],["opacity-0"]]}]]'),
    (JS.toggle("#menu", in_="fade-in", out="fade-out"),
     '[["toggle",{"ins":[["fade-in"],[],[]],"outs":[["fade-out"],[],[]],"to":"#menu"}]]'),
    (JS.add_class("warm hot", to=("closest", "tr")), '[["add_class",{"names":["warm","hot"],"to":{"closest":"tr"}}]]'),
    (JS.remove_class("warm", to=("inner", ".x")), '[["remove_class",{"names":["warm"],"to":{"inner":".x"}}]]'),
    (JS.toggle_class("active", to=("document", "#a")), '[["toggle_class",{"names":["active"],"to":"#a"}]]'),
    (JS.transition("shake", time=100), '[["transition",{"time":100,"transition":[["shake"],[],[]]}]]'),
    (JS.set_attribute(("aria-expanded", "true"), to="#dd"), '[["set_attr",{"attr":["aria-expanded","true"],"to":"#dd"}]]'),
    (JS.set_attribute("open", ""), '[["set_attr",{"attr":["open",""]}]]'),
    (JS.remove_attribute("aria-expanded", to="#dd"), '[["remove_attr",{"attr":"aria-expanded","to":"#dd"}]]'),
    (JS.toggle_attribute(("open", "true")), '[["toggle_attr",{"attr":["open","true"]}]]'),
    (JS.toggle_attribute(("aria-expanded", "true", "false"), to="#dd"),
     '[["toggle_attr",{"attr":["aria-expanded","true","false"],"to":"#dd"}]]'),
    (JS.dispatch("copy", to="#text", detail={"n": 1}, bubbles=False),
     '[["dispatch",{"bubbles":false,"detail":{"n":1},"event":"copy","to":"#text"}]]'),
    (JS.dispatch("click"), '[["dispatch",{"event":"click"}]]'),
    (JS.exec("phx-remove", to="#modal"), '[["exec",{"attr":"phx-remove","to":"#modal"}]]'),
    (JS.focus(to="#name"), '[["focus",{"to":"#name"}]]'),
    (JS.focus_first("#modal"), '[["focus_first",{"to":"#modal"}]]'),
    (JS.push_focus(), '[["push_focus",{}]]'),
    (JS.pop_focus(), '[["pop_focus",{}]]'),
]


@pytest.mark.parametrize(("js", "expected"), CASES, ids=[c[0].ops[0][0] + str(i) for i, c in enumerate(CASES)])
def test_each_command_encodes_as_phoenix_does(js, expected):
    assert str(js) == expected


def test_commands_chain_from_the_class_or_an_instance_and_concat():
    js = JS.push("delete", value={"id": 1}).hide("#row-1")
    assert str(js) == '[["push",{"event":"delete","value":{"id":1}}],["hide",{"to":"#row-1"}]]'
    assert JS().push("delete", value={"id": 1}).hide("#row-1") == js
    assert JS.push("delete", value={"id": 1}) + JS.hide("#row-1") == js == JS.push("delete", value={"id": 1}).concat(JS.hide("#row-1"))
    assert str(JS()) == "[]" and not JS()


def test_rendered_into_an_attribute_it_is_escaped_and_parses_back():
    t = from_string("""<button phx-click="{{ JS.push('say', value={'text': text}).hide('#x') }}">""")
    html = t.render({"text": """<b>"it's" & more</b>"""})
    assert html == (
        '<button phx-click="[[&#34;push&#34;,{&#34;event&#34;:&#34;say&#34;,&#34;value&#34;:{&#34;text&#34;:'
        '&#34;&lt;b&gt;\\&#34;it&#39;s\\&#34; &amp; more&lt;/b&gt;&#34;}}],[&#34;hide&#34;,{&#34;to&#34;:&#34;#x&#34;}]]">'
    )


def test_a_components_myself_is_its_cid_as_target():
    t = from_string("""<button phx-click="{{ JS.push('inc', target=myself) }}">""")
    assert t.render({"myself": CID(7)}) == '<button phx-click="[[&#34;push&#34;,{&#34;event&#34;:&#34;inc&#34;,&#34;target&#34;:7}]]">'


def test_bad_options_are_clear_errors():
    with pytest.raises(TypeError, match="value expected to be a dict"):
        JS.push("x", value=[1])
    with pytest.raises(ValueError, match="click events cannot be dispatched with details"):
        JS.dispatch("click", detail={"a": 1})
    with pytest.raises(ValueError, match="invalid selector"):
        JS.show(to=("sideways", ".x"))
    with pytest.raises(ValueError, match="3-tuple"):
        JS.hide(transition=("a", "b"))
    with pytest.raises(TypeError, match="toggle_attribute expects"):
        JS.toggle_attribute("open")
