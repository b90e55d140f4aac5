import base64
import re

import pytest
from tornado.web import create_signed_value

from liveui.tokens import InvalidToken, Signer, check_csrf, csrf_token, random_id

SECRET = "s3cret-key-for-tests-only"
DAY = 86400.0


class FakeClock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def signer(clock):
    return Signer(SECRET, clock=clock)


def test_round_trip_keeps_json_data(signer):
    data = {"id": "phx-1", "view": "app.Counter", "n": [1, 2.5, None, True], "s": "é"}
    token = signer.sign("session", data)
    assert isinstance(token, str)
    assert signer.verify("session", token, 60) == data


def test_bytes_secret_and_default_clock():
    signer = Signer(SECRET.encode())
    assert signer.verify("x", signer.sign("x", 5), 60) == 5


def test_token_from_one_signer_verifies_with_same_secret(signer, clock):
    other = Signer(SECRET, clock=clock)
    assert other.verify("p", signer.sign("p", "v"), 60) == "v"


def test_wrong_secret_is_invalid(signer, clock):
    other = Signer("another-secret", clock=clock)
    with pytest.raises(InvalidToken) as info:
        other.verify("p", signer.sign("p", "v"), 60)
    assert info.value.reason == "invalid"


def test_wrong_purpose_is_invalid(signer):
    token = signer.sign("static", {"id": "phx-1"})
    with pytest.raises(InvalidToken) as info:
        signer.verify("session", token, 60)
    assert info.value.reason == "invalid"
    assert "'session'" in str(info.value)


@pytest.mark.parametrize("index", [2, 10, 25, -3, -1])
def test_tampered_token_is_invalid(signer, index):
    token = signer.sign("p", {"admin": False})
    flipped = "A" if token[index] != "A" else "B"
    tampered = token[:index] + flipped + token[index + 1 :]
    with pytest.raises(InvalidToken) as info:
        signer.verify("p", tampered, 60)
    assert info.value.reason == "invalid"


def test_tampered_payload_is_invalid(signer):
    token = signer.sign("p", {"admin": False})
    fields = token.split("|")
    body = base64.b64encode(b'{"iat":1700000000,"data":{"admin":true}}').decode()
    fields[4] = f"{len(body)}:{body}"
    forged = "|".join(fields)
    with pytest.raises(InvalidToken, match="altered"):
        signer.verify("p", forged, 60)


@pytest.mark.parametrize("token", [None, "", "garbage", "2|1:0|", "1|2|3", "2|x:y|z", "é|é"])
def test_malformed_token_is_invalid(signer, token):
    with pytest.raises(InvalidToken) as info:
        signer.verify("p", token, 60)
    assert info.value.reason == "invalid"


def test_tornado_signed_cookie_with_same_secret_is_not_a_token(signer, clock):
    cookie = create_signed_value(SECRET, "p", "not json", version=2, clock=clock).decode()
    with pytest.raises(InvalidToken, match="altered"):
        signer.verify("p", cookie, 60)
    cookie = create_signed_value(SECRET, "liveui.p", "[1]", version=2, clock=clock).decode()
    with pytest.raises(InvalidToken) as info:
        signer.verify("p", cookie, 60)
    assert info.value.reason == "invalid"


def test_expiry_in_seconds(signer, clock):
    token = signer.sign("p", "v")
    clock.now += 10
    assert signer.verify("p", token, 10) == "v"
    clock.now += 0.5
    with pytest.raises(InvalidToken) as info:
        signer.verify("p", token, 10)
    assert info.value.reason == "expired"
    assert "at most 10s old" in str(info.value)


def test_expiry_over_days(signer, clock):
    token = signer.sign("p", "v")
    clock.now += 14 * DAY - 1
    assert signer.verify("p", token, 14 * DAY) == "v"
    clock.now += 2
    with pytest.raises(InvalidToken) as info:
        signer.verify("p", token, 14 * DAY)
    assert info.value.reason == "expired"


def test_invalid_token_is_value_error():
    assert issubclass(InvalidToken, ValueError)


def test_empty_secret_rejected():
    with pytest.raises(ValueError, match="non-empty secret"):
        Signer("")


def test_random_id_shape():
    ids = {random_id() for _ in range(200)}
    assert len(ids) == 200
    for value in ids:
        assert re.fullmatch(r"phx-[A-Za-z0-9_-]{16}", value)
    assert re.fullmatch(r"lv-[A-Za-z0-9_-]{16}", random_id("lv-"))
    assert re.fullmatch(r"[A-Za-z0-9_-]{16}", random_id(""))


def test_csrf_round_trip(signer):
    token = csrf_token(signer, "sess-1")
    assert check_csrf(signer, token, "sess-1")


def test_csrf_bound_to_session(signer):
    assert not check_csrf(signer, csrf_token(signer, "sess-1"), "sess-2")


@pytest.mark.parametrize("token", [None, "", "junk", 42, b"bytes"])
def test_csrf_bad_input_is_false(signer, token):
    assert check_csrf(signer, token, "sess-1") is False


def test_csrf_rejects_other_purpose_token(signer):
    assert not check_csrf(signer, signer.sign("session", "sess-1"), "sess-1")


def test_csrf_rejects_non_string_binding(signer):
    assert not check_csrf(signer, signer.sign("csrf", {"id": "sess-1"}), "sess-1")


def test_csrf_valid_for_14_days(signer, clock):
    token = csrf_token(signer, "sess-1")
    clock.now += 14 * DAY
    assert check_csrf(signer, token, "sess-1")
    clock.now += 1
    assert not check_csrf(signer, token, "sess-1")
