import pytest

from liveui.params import decode_event_value, decode_query, encode_query


@pytest.mark.parametrize(
    ("qs", "expected"),
    [
        ("", {}),
        ("a=1", {"a": "1"}),
        ("a=1&b=2", {"a": "1", "b": "2"}),
        ("a=1&a=2", {"a": "2"}),
        ("a=x%3Dy=z", {"a": "x=y=z"}),
        ("q=hello+world%21", {"q": "hello world!"}),
        ("name=J%C3%BCrgen", {"name": "Jürgen"}),
        ("a+b=1", {"a b": "1"}),
        ("a", {"a": ""}),
        ("a=", {"a": ""}),
        ("a=1&&b=2&", {"a": "1", "b": "2"}),
        ("a[b][c]=1", {"a": {"b": {"c": "1"}}}),
        ("a%5Bb%5D=1", {"a": {"b": "1"}}),
        ("a[b]=1&a[c]=2", {"a": {"b": "1", "c": "2"}}),
        ("a[]=1&a[]=2", {"a": ["1", "2"]}),
        ("tags%5B%5D=x&tags%5B%5D=y", {"tags": ["x", "y"]}),
        ("a[][x]=1&a[][y]=2", {"a": [{"x": "1", "y": "2"}]}),
        ("a[][x]=1&a[][x]=2", {"a": [{"x": "1"}, {"x": "2"}]}),
        (
            "a[][x]=1&a[][y]=2&a[][x]=3&a[][y]=4",
            {"a": [{"x": "1", "y": "2"}, {"x": "3", "y": "4"}]},
        ),
        ("a[b][]=1&a[b][]=2", {"a": {"b": ["1", "2"]}}),
        ("a[0][x]=1&a[1][x]=2", {"a": {"0": {"x": "1"}, "1": {"x": "2"}}}),
        ("a[b=1", {"a[b": "1"}),
        ("a]=1", {"a]": "1"}),
    ],
)
def test_decode_query(qs, expected):
    assert decode_query(qs) == expected


@pytest.mark.parametrize(
    ("qs", "expected"),
    [
        ("a=1&a[b]=2", {"a": {"b": "2"}}),
        ("a[b]=2&a=1", {"a": "1"}),
        ("a[]=1&a[b]=2", {"a": {"b": "2"}}),
        ("a[b]=2&a[]=1", {"a": ["1"]}),
        ("a=1&a[]=2", {"a": ["2"]}),
        ("a[]=1&a[][x]=2", {"a": ["1", {"x": "2"}]}),
    ],
)
def test_decode_query_conflicting_shapes_last_wins(qs, expected):
    assert decode_query(qs) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ""),
        ({"a": "1", "b": "x y"}, "a=1&b=x+y"),
        ({"user": {"email": "a@b.c"}}, "user%5Bemail%5D=a%40b.c"),
        ({"tags": ["a", "b"]}, "tags%5B%5D=a&tags%5B%5D=b"),
        ({"a": [{"x": "1"}, {"x": "2"}]}, "a%5B%5D%5Bx%5D=1&a%5B%5D%5Bx%5D=2"),
        ({"n": 3, "t": True, "f": False, "z": None}, "n=3&t=true&f=false&z="),
        ({"e": {}, "l": [], "k": "v"}, "k=v"),
        ({"s": "*-._~!'()&=+"}, "s=*-._%7E%21%27%28%29%26%3D%2B"),
        ({"ü": "é"}, "%C3%BC=%C3%A9"),
    ],
)
def test_encode_query(params, expected):
    assert encode_query(params) == expected


def test_encode_decode_round_trip():
    params = {
        "user": {"name": "Ann Lee", "email": "a+b@c.d", "roles": ["x", "y"]},
        "items": [{"id": "1", "q": "2"}, {"id": "3", "q": "4"}],
        "q": "50% & more",
    }
    assert decode_query(encode_query(params)) == params


def test_form_event_from_protocol_example():
    payload = {
        "type": "form",
        "event": "validate",
        "value": "user%5B_unused_name%5D=&user%5Bname%5D=&user%5Bemail%5D=a%40b.c",
        "meta": {"_target": "user[email]"},
        "uploads": {},
    }
    assert decode_event_value(payload) == {
        "user": {"_unused_name": "", "name": "", "email": "a@b.c"},
        "_target": ["user", "email"],
    }


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("email", ["email"]),
        ("user[email]", ["user", "email"]),
        ("tags[]", ["tags"]),
        ("a[][x]", ["a", "x"]),
        ("undefined", ["undefined"]),
    ],
)
def test_form_target_becomes_path(target, expected):
    payload = {"type": "form", "event": "v", "value": "", "meta": {"_target": target}}
    assert decode_event_value(payload)["_target"] == expected


def test_form_target_from_value_string_is_decoded_too():
    payload = {"type": "form", "event": "v", "value": "x=1&_target=user%5Bx%5D"}
    assert decode_event_value(payload) == {"x": "1", "_target": ["user", "x"]}


def test_form_meta_wins_over_fields():
    payload = {"type": "form", "event": "save", "value": "id=1&a=2", "meta": {"id": "9"}}
    assert decode_event_value(payload) == {"id": "9", "a": "2"}


def test_form_without_meta():
    payload = {"type": "form", "event": "save", "value": "a=1"}
    assert decode_event_value(payload) == {"a": "1"}


def test_form_value_must_be_a_string():
    with pytest.raises(ValueError, match="URL-encoded string.*got dict"):
        decode_event_value({"type": "form", "event": "save", "value": {"a": "1"}})


def test_meta_must_be_an_object():
    with pytest.raises(ValueError, match="meta to be an object, got list"):
        decode_event_value({"type": "click", "event": "x", "value": {}, "meta": []})


def test_click_value_passes_through():
    payload = {"type": "click", "event": "inc", "value": {"by": "2", "value": ""}}
    assert decode_event_value(payload) == {"by": "2", "value": ""}


def test_non_form_value_is_not_query_decoded():
    payload = {"type": "hook", "event": "h", "value": "a=1"}
    assert decode_event_value(payload) == "a=1"


def test_hook_value_may_be_any_json():
    assert decode_event_value({"type": "hook", "event": "h", "value": [1, 2]}) == [1, 2]


def test_missing_value_is_empty_dict():
    assert decode_event_value({"type": "click", "event": "x"}) == {}
    assert decode_event_value({"type": "click", "event": "x", "value": None}) == {}


def test_non_form_meta_merges_over_dict_value_without_target_decoding():
    payload = {"type": "keyup", "event": "k", "value": {"key": "a"}, "meta": {"_target": "a[b]"}}
    assert decode_event_value(payload) == {"key": "a", "_target": "a[b]"}


def test_non_form_meta_ignored_for_non_dict_value():
    payload = {"type": "hook", "event": "h", "value": [1], "meta": {"x": 1}}
    assert decode_event_value(payload) == [1]


def test_payload_value_is_not_mutated():
    value = {"a": "1"}
    decode_event_value({"type": "click", "event": "x", "value": value, "meta": {"b": "2"}})
    assert value == {"a": "1"}
