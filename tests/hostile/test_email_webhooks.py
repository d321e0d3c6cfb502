"""anymail's inbound webhooks (Postmark JSON, SendGrid raw MIME) given hostile bodies:
never a 500 while an inbox can hold the message (anymail answers 400 for what it cannot
parse), every message anymail can parse is kept, a repeat records nothing new."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from hypothesis import example, given
from hypothesis import strategies as st

from conversations.models import Direction, Interaction
from tests.hostile.conftest import FUZZ, clear_email_cache_keys, row_counts

pytestmark = pytest.mark.django_db

PAYLOADS = Path(__file__).parent / "payloads"
POSTMARK = json.loads((PAYLOADS / "postmark_inbound.json").read_text())
SENDGRID = json.loads((PAYLOADS / "sendgrid_inbound_raw.json").read_text())
SECRET = "anymail-user:anymail-pass"
AUTH = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(SECRET.encode()).decode()}
POSTMARK_URL = "/anymail/postmark/inbound/"
SENDGRID_URL = "/anymail/sendgrid/inbound/"


@pytest.fixture(autouse=True)
def email_settings(settings: Any) -> Iterator[Any]:
    settings.OMNIDESK_INBOUND_EMAIL_DOMAIN = "in.omnidesk.test"
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    clear_email_cache_keys()
    yield settings
    clear_email_cache_keys()


def inbound_count() -> int:
    return Interaction.objects.filter(direction=Direction.INBOUND, channel="email").count()


# A 500 is how we ask the ESP to retry a message we could not keep; with an inbox
# configured there is no such message, so a 500 here is a bug.
client = Client(raise_request_exception=True)

JUNK = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
              st.text(max_size=30),
              st.sampled_from(["", "\x00", "\ud800", "=?utf-8?B?////?=", "<>", "@", "a" * 5000])),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=3),
    max_leaves=8,
)


def post_json_bytes(url: str, body: bytes) -> Any:
    return client.post(url, data=body, content_type="application/json", **AUTH)


@FUZZ
@given(changes=st.dictionaries(st.sampled_from(sorted(POSTMARK)), JUNK, max_size=4),
       header_junk=st.lists(st.fixed_dictionaries({"Name": JUNK, "Value": JUNK}), max_size=3))
# Found by randomized runs: each was a 500 (a body or an id that is no string).
@example(changes={"HtmlBody": {}}, header_junk=[])
@example(changes={"TextBody": {"a": None}}, header_junk=[])
@example(changes={"OriginalRecipient": []}, header_junk=[])
@example(changes={"MessageID": 0.5}, header_junk=[])
def test_postmark_payload_with_wrong_types_is_kept_or_a_400(email_inbox, changes, header_junk):
    body = copy.deepcopy(POSTMARK)
    body.update(changes)
    if isinstance(body.get("Headers"), list):
        body["Headers"] = [*body["Headers"], *header_junk]
    before = inbound_count()
    response = post_json_bytes(POSTMARK_URL, json.dumps(body, ensure_ascii=True).encode())
    assert response.status_code in (200, 400), response.content[:300]
    if response.status_code == 400:
        assert response.content in (b"The payload could not be parsed.",)
        assert inbound_count() == before
        return
    # Kept, or a repeat of a message an earlier example already recorded.
    assert inbound_count() - before in (0, 1)
    again = post_json_bytes(POSTMARK_URL, json.dumps(body, ensure_ascii=True).encode())
    assert again.status_code == 200
    assert inbound_count() - before in (0, 1)


@FUZZ
@given(body=st.one_of(
    st.binary(max_size=300),
    st.sampled_from([json.dumps(POSTMARK).encode()[:n] for n in (1, 10, 100, 1000, 3000)]),
    st.sampled_from([b"[]", b"null", b"1", b'"x"', b"{}", b'{"Headers": 5}']),
))
def test_truncated_or_non_object_postmark_json_is_never_a_500(email_inbox, body):
    before = inbound_count()
    response = Client(raise_request_exception=False).post(
        POSTMARK_URL, data=body, content_type="application/json", **AUTH)
    assert response.status_code in (200, 400), response.content[:300]
    # One message at most (an empty one, from nobody, starts a conversation of its own).
    assert inbound_count() - before in (0, 1)


def sendgrid_post(email: bytes | str, **extra: str) -> Any:
    fields = {**SENDGRID, "email": email, **extra}
    return client.post(SENDGRID_URL, data=fields, **AUTH)


@FUZZ
@given(raw=st.binary(max_size=1500).map(lambda b: b.decode("latin-1")))
def test_sendgrid_raw_mime_of_random_bytes_is_kept_once(email_inbox, raw):
    before = inbound_count()
    response = sendgrid_post(raw)
    assert response.status_code in (200, 400), response.content[:300]
    if response.status_code == 200:
        recorded = inbound_count() - before
        assert recorded in (0, 1)
        assert sendgrid_post(raw).status_code == 200
        assert inbound_count() - before == recorded


def test_sendgrid_gigantic_header_is_kept(email_inbox):
    raw = ("From: Huge <huge@example.com>\r\nTo: support@omnidesk.test\r\nSubject: "
           + "B" * 1_000_000 + "\r\nMessage-ID: <sg-huge@example.com>\r\n\r\nbody\r\n")
    assert sendgrid_post(raw).status_code == 200
    interaction = Interaction.objects.get(provider_id="<sg-huge@example.com>")
    assert (interaction.author_identity.value, interaction.subject) == (
        "huge@example.com", "B" * 500)


@pytest.mark.slow
def test_sendgrid_mime_bomb_is_kept(email_inbox):
    boundary_parts = "".join(
        "--w\r\nContent-Type: text/plain\r\n\r\npart\r\n" for _ in range(3000))
    nested = "Content-Type: text/plain\r\n\r\ninnermost\r\n"
    for level in range(300):
        nested = (f'Content-Type: multipart/mixed; boundary="n{level}"\r\n\r\n--n{level}\r\n'
                  f"{nested}\r\n--n{level}--\r\n")
    raw = ("From: Bomb <bomb@example.com>\r\nTo: support@omnidesk.test\r\n"
           "Message-ID: <sg-bomb@example.com>\r\nMIME-Version: 1.0\r\n"
           'Content-Type: multipart/mixed; boundary="w"\r\n\r\n' + boundary_parts
           + "--w\r\n" + nested + "--w--\r\n")
    assert sendgrid_post(raw).status_code == 200
    assert sendgrid_post(raw).status_code == 200
    interaction = Interaction.objects.get(provider_id="<sg-bomb@example.com>")
    assert interaction.author_identity.value == "bomb@example.com"


@pytest.mark.parametrize("auth", [None, "Basic " + base64.b64encode(b"x:y").decode(),
                                  "Basic !!!notbase64", "Bearer " + SECRET])
def test_forged_inbound_records_nothing(email_inbox, auth):
    extra = {"HTTP_AUTHORIZATION": auth} if auth else {}
    response = Client().post(POSTMARK_URL, data=json.dumps(POSTMARK),
                             content_type="application/json", **extra)
    assert response.status_code == 401
    assert row_counts() == (0, 0, 0)
