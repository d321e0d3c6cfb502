"""Inbound payloads with a wrong JSON type in a field (a dict where a string belongs):
a 400 with nothing recorded, or the message kept; never a 500, which would make the
ESP deliver the same garbage again and again. Each ESP that posts the message itself
(Postmark, SendGrid, Mailjet, SparkPost) gets every field it has replaced by each
wrong type, top-level and nested."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from conversations.models import Direction, Interaction
from tests.hostile.conftest import clear_email_cache_keys
from tests.hostile.esp_payloads import basic_auth, fixture

pytestmark = pytest.mark.django_db

SECRET = "anymail-user:anymail-pass"
WRONG = [{}, [], 7, 1.5, True, None, [{"Name": {}}]]

# A 500 is how we ask the ESP to retry a message we could not keep; with an inbox that
# can hold it, a 500 here is a bug.
client = Client(raise_request_exception=True)


@pytest.fixture(autouse=True)
def mail_settings(settings: Any) -> Iterator[Any]:
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    clear_email_cache_keys()
    yield settings
    clear_email_cache_keys()


def inbound_count() -> int:
    return Interaction.objects.filter(direction=Direction.INBOUND, channel="email").count()


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every key path into a JSON document (lists: their first two items)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*prefix, key)
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:2]):
            yield (*prefix, index)
            yield from paths(item, (*prefix, index))


def replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    changed = copy.deepcopy(document)
    target = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return changed


def post(url: str, body: Any) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json",
                       **basic_auth(SECRET))


def assert_kept_or_refused(response: Any, before: int) -> None:
    assert response.status_code in (200, 400), response.content[:300]
    if response.status_code == 400:
        assert response.content == b"The payload could not be parsed."
        assert inbound_count() == before
    else:
        assert inbound_count() - before in (0, 1)


@pytest.mark.parametrize("field", ["HtmlBody", "TextBody"])
@pytest.mark.parametrize("value", [{}, {"a": "b"}], ids=["empty", "object"])
def test_postmark_body_that_is_an_object_is_a_400(email_inbox, field, value):
    response = post("/anymail/postmark/inbound/",
                    {**fixture("postmark_inbound.json"), field: value})
    assert response.status_code == 400
    assert response.content == b"The payload could not be parsed."
    assert inbound_count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [("OriginalRecipient", {}), ("MessageID", {"id": 1}), ("MessageID", 12)],
)
def test_postmark_ids_we_read_that_are_no_strings_are_a_400(email_inbox, field, value):
    response = post("/anymail/postmark/inbound/",
                    {**fixture("postmark_inbound.json"), field: value})
    assert response.status_code == 400
    assert inbound_count() == 0


POSTMARK = fixture("postmark_inbound.json")
MAILJET = fixture("mailjet_inbound.json")
MAILJET["Parts"].append({"Headers": {"Content-Type": "image/png",
                                     "Content-Disposition": 'attachment; filename="a.png"'},
                         "ContentRef": "Attachment1"})
MAILJET["Attachment1"] = "iVBORw0KGgo="
SPARKPOST = fixture("sparkpost_inbound.json")


@pytest.mark.parametrize("path", list(paths(POSTMARK)), ids=str)
def test_postmark_field_of_a_wrong_type(email_inbox, path):
    for value in WRONG:
        before = inbound_count()
        assert_kept_or_refused(post("/anymail/postmark/inbound/",
                                    replaced(POSTMARK, path, value)), before)


@pytest.mark.parametrize("path", list(paths(MAILJET)), ids=str)
def test_mailjet_field_of_a_wrong_type(email_inbox, path):
    for value in WRONG:
        before = inbound_count()
        assert_kept_or_refused(post("/anymail/mailjet/inbound/",
                                    replaced(MAILJET, path, value)), before)


SPARKPOST_PROTOCOL = (0, "msys", "relay_message", "protocol")


@pytest.mark.parametrize("path", [p for p in paths(SPARKPOST) if p != SPARKPOST_PROTOCOL],
                         ids=str)
def test_sparkpost_field_of_a_wrong_type(email_inbox, path):
    for value in WRONG:
        before = inbound_count()
        assert_kept_or_refused(post("/anymail/sparkpost/inbound/",
                                    replaced(SPARKPOST, path, value)), before)


def test_sparkpost_relay_of_another_protocol_is_a_configuration_error(email_inbox):
    # anymail handles SMTP relays only: another protocol's relay webhook pointed here is
    # the operator's to fix (503, the ESP retries), not garbage.
    for value in ["http", {}, 7]:
        response = post("/anymail/sparkpost/inbound/",
                        replaced(SPARKPOST, SPARKPOST_PROTOCOL, value))
        assert response.status_code == 503
    assert inbound_count() == 0


SENDGRID = fixture("sendgrid_inbound_raw.json")


@pytest.mark.parametrize("field", ["envelope", "charsets"])
def test_sendgrid_json_field_of_a_wrong_type(email_inbox, field):
    # Form fields are strings; these two hold JSON that anymail decodes.
    for value in WRONG:
        before = inbound_count()
        response = client.post("/anymail/sendgrid/inbound/",
                                data={**SENDGRID, field: json.dumps(value)}, **basic_auth(SECRET))
        assert_kept_or_refused(response, before)


def test_sendgrid_parsed_post_with_an_envelope_of_the_wrong_type(email_inbox):
    parsed = {"headers": "From: a@example.com\nTo: support@omnidesk.test\nSubject: x\n",
              "from": "a@example.com", "to": "support@omnidesk.test", "subject": "x",
              "text": "hi", "charsets": json.dumps({"text": {}}), "envelope": "{}"}
    response = client.post("/anymail/sendgrid/inbound/", data=parsed, **basic_auth(SECRET))
    assert_kept_or_refused(response, 0)
