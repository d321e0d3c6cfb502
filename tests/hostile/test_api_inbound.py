"""POST /api/v1/inbound/ under hostile JSON: a 400 naming what is wrong, or 201/200;
never a 500; a refused body writes nothing; a repeated provider_id never doubles."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from conversations.models import Interaction
from tests.hostile.conftest import FUZZ, row_counts

pytestmark = pytest.mark.django_db

URL = "/api/v1/inbound/"
BASE = json.loads((Path(__file__).parent / "payloads" / "api_inbound.json").read_text())
_ids = itertools.count(1)

# Strings a hostile system sends: NUL, lone surrogates (legal as JSON escapes), huge.
NASTY_TEXT = st.sampled_from([
    "", " ", "\x00", "a\x00b", "\ud800", "x\udfffy", "\u202e", "\U0001f600" * 50,
    "<script>alert(1)</script>", "x" * 300, "NaN", "null", "-1", "0" * 40,
])
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=10**20, max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True), NASTY_TEXT, st.text(max_size=40),
)
JUNK = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.one_of(st.text(max_size=8), NASTY_TEXT), inner, max_size=4),
    max_leaves=12,
)
SENDER_VALUES = st.one_of(
    NASTY_TEXT, st.text(max_size=30), JUNK,
    st.sampled_from([
        "dana@example.com", "DANA@EXAMPLE.COM ", "<dana@example.com>", "dana@", "@example.com",
        "dana@exa mple.com", "+14155550134", "(415) 555-0134", "+1", "+999999999999999999",
        "whatsapp:+14155550134", "tel:+44 20 7946 0958", "shop-user-42", " ", "x" * 256,
    ]),
)
SENDERS = st.one_of(
    JUNK,
    st.fixed_dictionaries(
        {"kind": st.one_of(st.sampled_from(["email", "phone", "external", "chat", "EMAIL",
                                            ""]), JUNK),
         "value": SENDER_VALUES},
        optional={"name": st.one_of(NASTY_TEXT, JUNK)},
    ),
)
OCCURRED = st.one_of(
    JUNK,
    st.sampled_from([
        "notadate", "2026-13-45T00:00:00Z", "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00", "2026-03-02T09:15:00", "1970-01-01T00:00:00Z",
        "2026-03-02", "2026-03-02T09:15:00+25:00", "+002026-03-02T09:15:00Z",
    ]),
)
FIELDS = {
    "sender": SENDERS,
    "text": st.one_of(NASTY_TEXT, JUNK),
    "html": st.one_of(NASTY_TEXT, JUNK),
    "subject": st.one_of(NASTY_TEXT, JUNK),
    "provider_id": st.one_of(NASTY_TEXT, JUNK),
    "occurred_at": OCCURRED,
    "meta": JUNK,
    "unexpected": JUNK,
    "\x00": JUNK,
}


def post_raw(inbox: Any, body: bytes) -> Any:
    client = Client()
    return client.post(URL, data=body, content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {inbox.token}")


def encode(body: Any) -> bytes:
    # ensure_ascii: lone surrogates and NUL travel as \\u escapes, as any client may send.
    return json.dumps(body, ensure_ascii=True, allow_nan=True).encode()


def assert_clean_400(response: Any) -> None:
    assert response.status_code == 400, response.content[:500]
    assert response["Content-Type"] == "application/json"
    assert response.json()  # names the field(s) or the parse error


@FUZZ
@given(changes=st.dictionaries(st.sampled_from(list(FIELDS)), st.none(), max_size=4).flatmap(
    lambda keys: st.fixed_dictionaries({k: FIELDS[k] for k in keys})),
    drop=st.sets(st.sampled_from(["sender", "text", "provider_id", "occurred_at"]), max_size=2))
def test_hostile_json_is_a_400_or_recorded_once(api_inbox, changes, drop):
    body = {**BASE, "provider_id": f"shop-{next(_ids)}", **changes}
    for key in drop:
        body.pop(key, None)
    before = row_counts()

    response = post_raw(api_inbox, encode(body))

    assert response.status_code in (200, 201, 400), response.content[:500]
    if response.status_code == 400:
        assert_clean_400(response)
        assert row_counts() == before
        return
    after = row_counts()
    interaction = Interaction.objects.get(pk=response.json()["interaction"])
    assert after[0] - before[0] == (1 if response.status_code == 201 else 0)
    again = post_raw(api_inbox, encode(body))
    if interaction.provider_id:
        # A retry of a recorded provider_id records nothing and names the original.
        assert again.status_code == 200
        assert again.json()["interaction"] == interaction.pk
        assert row_counts() == after


@FUZZ
@given(body=st.one_of(
    JUNK,
    st.binary(max_size=200).map(lambda b: b"\x00" + b),
    st.sampled_from([
        b'{"sender": {"kind": "email", "value": "a@b.co"}, "text": "hi"',  # truncated
        b"", b"{", b"[]", b"null", b"\xff\xfe{}", b'{"text": "\\ud800"}', b"NaN",
        b'{"sender": 1e999999}', b'{"a":' * 2000 + b"1" + b"}" * 2000,
        b'{"text": ' + b"9" * 5000 + b"}",
    ]),
))
def test_unparseable_or_non_object_body_is_a_400(api_inbox, body):
    raw = body if isinstance(body, bytes) else encode(body)
    response = post_raw(api_inbox, raw)
    assert_clean_400(response)
    assert row_counts() == (0, 0, 0)


@pytest.mark.parametrize(
    ("sender", "field_error"),
    [
        ({"kind": "email", "value": "dana@"}, "not an email address: 'dana@'"),
        ({"kind": "phone", "value": "+1"}, "not a phone number: '+1'"),
        ({"kind": "phone", "value": "call me"}, "not a phone number: 'call me'"),
        ({"kind": "external", "value": "   "}, "This field may not be blank."),
    ],
)
def test_invalid_identity_of_each_kind_names_the_sender_value(api_inbox, sender, field_error):
    response = post_raw(api_inbox, encode({**BASE, "sender": sender}))
    assert_clean_400(response)
    assert field_error in json.dumps(response.json()["sender"], ensure_ascii=False)
    assert row_counts() == (0, 0, 0)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("meta", {"note": "a\x00b"}),
        ("meta", {"a\x00": 1}),
        ("meta", {"note": "\ud800"}),
        ("unexpected", "a\x00b"),
        ("text", "a\x00b"),
        ("text", "half a pair \ud83d"),
        ("subject", "\udc00"),
        ("provider_id", "id\x00"),
    ],
)
def test_values_postgresql_cannot_store_are_a_400_naming_the_field(api_inbox, field, value):
    response = post_raw(api_inbox, encode({**BASE, field: value}))
    assert_clean_400(response)
    assert field in response.json()
    assert row_counts() == (0, 0, 0)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_are_a_parse_error(api_inbox, constant):
    body = encode(BASE).replace(b'"1042"', constant.encode())
    response = post_raw(api_inbox, body)
    assert_clean_400(response)
    assert response.json()["detail"].startswith("JSON parse error")
    assert row_counts() == (0, 0, 0)


@pytest.mark.parametrize(
    "occurred_at",
    ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "1900-01-01T00:00:00Z",
     "2999-01-01T00:00:00Z"],
)
def test_occurred_at_outside_any_plausible_time_is_a_400(api_inbox, occurred_at):
    # A known customer, so the pipeline also looks back over the continuity window.
    assert post_raw(api_inbox, encode(BASE)).status_code == 201
    before = row_counts()
    response = post_raw(api_inbox, encode({**BASE, "provider_id": "p2",
                                           "occurred_at": occurred_at}))
    assert_clean_400(response)
    assert "occurred_at" in response.json()
    assert row_counts() == before


def test_body_over_the_upload_limit_is_a_clean_400(api_inbox, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = encode({**BASE, "text": "x" * 20_000})
    response = Client(raise_request_exception=False).post(
        URL, data=body, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api_inbox.token}",
    )
    assert response.status_code == 400
    assert row_counts() == (0, 0, 0)


@pytest.mark.parametrize(
    "authorization",
    ["", "Bearer", "Bearer a b", "Bearer \u00e9\u00e9", "Bearer wrong", "Basic Zm9vOmJhcg==",
     "Bearer " + "x" * 10_000, "Token abc"],
)
def test_bad_or_missing_inbox_token_records_nothing(api_inbox, authorization):
    extra = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    response = Client().post(URL, data=encode(BASE), content_type="application/json", **extra)
    assert response.status_code in (401, 403)
    assert row_counts() == (0, 0, 0)
