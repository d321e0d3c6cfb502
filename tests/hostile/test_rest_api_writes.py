"""The REST API as a signed-in agent, given junk: every write and every query string
answers 4xx with a reason, never a 500, and a refused write changes no row."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from conversations.actions.ingest import do_record_inbound
from conversations.models import Conversation
from customers.models import Customer, Identity
from tests.factories import inbound
from tests.hostile.conftest import FUZZ, row_counts

pytestmark = pytest.mark.django_db

NASTY_TEXT = st.sampled_from([
    "", " ", "\x00", "a\x00b", "\ud800", "\U0001f600", "x" * 600, "-1", "0", "1e3", "NaN",
    "99999999999999999999", "none", "me", "snoozed", "open", "<script>", "2026-13-45",
])
JUNK = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(),
              st.integers(min_value=2**63, max_value=10**30).flatmap(
                  lambda n: st.sampled_from([n, -n])),
              st.floats(allow_nan=False, allow_infinity=False), NASTY_TEXT,
              st.text(max_size=20)),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                 max_size=3),
    max_leaves=8,
)


def body_of(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=True).encode()


def send(client: APIClient, method: str, url: str, data: Any) -> Any:
    return client.generic(method, url, body_of(data), content_type="application/json")


def assert_4xx_or_ok(response: Any, ok: tuple[int, ...]) -> None:
    assert response.status_code in (*ok, 400, 404, 409), response.content[:400]
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/json"
        assert response.json()


@pytest.fixture
def agent_client(agent_a: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(agent_a)
    return client


@pytest.fixture
def conversation(twilio_inbox: Any) -> Conversation:
    return do_record_inbound(inbound(
        twilio_inbox, "sms", "phone", "+14155550100", "Where is my parcel?",
        provider_id="SM-hostile-1", sender_name="Ana Lima",
    )).conversation


@FUZZ
@given(changes=st.dictionaries(
    st.sampled_from(["status", "snoozed_until", "assignee", "team", "priority", "tags", "x"]),
    st.one_of(JUNK, st.sampled_from(["snoozed", "9999-12-31T23:59:59-14:00",
                                     "0001-01-01T00:00:00+14:00", "2030-01-01T00:00:00Z"])),
    max_size=4,
) | JUNK)
def test_patch_conversation_with_junk_is_a_400_or_a_change(agent_client, conversation, changes):
    before = Conversation.objects.values().get(pk=conversation.pk)
    response = send(agent_client, "PATCH", f"/api/v1/conversations/{conversation.pk}/", changes)
    assert_4xx_or_ok(response, (200,))
    if response.status_code == 400:
        assert Conversation.objects.values().get(pk=conversation.pk) == before


@FUZZ
@given(
    kind=st.sampled_from(["replies", "notes"]),
    data=st.dictionaries(
        st.sampled_from(["text", "html", "channel", "subject", "whatsapp_template"]),
        st.one_of(JUNK, st.just({"content_sid": "HX" + "0" * 32, "variables": {"1": "\x00"}})),
        max_size=4,
    ) | JUNK,
)
def test_reply_or_note_with_junk_is_a_400_or_one_interaction(
    agent_client, conversation, kind, data
):
    before = row_counts()
    response = send(agent_client, "POST", f"/api/v1/conversations/{conversation.pk}/{kind}/",
                    data)
    assert_4xx_or_ok(response, (201,))
    after = row_counts()
    assert after[0] - before[0] == (1 if response.status_code == 201 else 0)
    assert after[1:] == before[1:]


@FUZZ
@given(
    action=st.sampled_from(["merge", "split"]),
    data=st.one_of(
        JUNK,
        st.fixed_dictionaries({"other": JUNK}),
        st.fixed_dictionaries({"interactions": st.one_of(JUNK, st.lists(JUNK, max_size=4))}),
    ),
)
def test_merge_or_split_with_junk_ids_is_a_400(agent_client, conversation, action, data):
    before = row_counts()
    response = send(agent_client, "POST",
                    f"/api/v1/conversations/{conversation.pk}/{action}/", data)
    assert_4xx_or_ok(response, ())
    assert row_counts() == before


@FUZZ
@given(data=st.dictionaries(
    st.sampled_from(["name", "attributes", "tags", "notes", "language", "preferred_channel",
                     "identities"]),
    st.one_of(JUNK, st.lists(st.fixed_dictionaries({"kind": JUNK, "value": JUNK}), max_size=2)),
    max_size=4,
) | JUNK, patch=st.booleans())
def test_customer_create_or_patch_with_junk_is_a_400_or_saved(
    agent_client, conversation, data, patch
):
    customer = conversation.customer
    before_rows = row_counts()
    before = Customer.objects.values().get(pk=customer.pk)
    if patch:
        response = send(agent_client, "PATCH", f"/api/v1/customers/{customer.pk}/", data)
        assert_4xx_or_ok(response, (200,))
    else:
        response = send(agent_client, "POST", "/api/v1/customers/", data)
        assert_4xx_or_ok(response, (201,))
    if response.status_code >= 400:
        assert row_counts() == before_rows
        assert Customer.objects.values().get(pk=customer.pk) == before


@FUZZ
@given(data=st.fixed_dictionaries(
    {"kind": st.one_of(st.sampled_from(["email", "phone", "external", "chat"]), JUNK),
     "value": st.one_of(JUNK, st.sampled_from(["+1", "a@", "+14155550100", "x" * 256]))},
    optional={"verified": JUNK},
) | JUNK)
def test_add_identity_with_junk_is_a_4xx_or_one_identity(agent_client, conversation, data):
    customer = conversation.customer
    before = set(Identity.objects.values_list("pk", flat=True))
    response = send(agent_client, "POST", f"/api/v1/customers/{customer.pk}/identities/", data)
    assert_4xx_or_ok(response, (201,))
    after = set(Identity.objects.values_list("pk", flat=True))
    if response.status_code != 201:
        assert after == before
        return
    # Adding an identity the customer already has is answered with that identity.
    identity = response.json()["id"]
    assert after == before | {identity}
    assert Identity.objects.get(pk=identity).customer_id == customer.pk


@FUZZ
@given(data=st.one_of(JUNK, st.fixed_dictionaries({"other": JUNK})))
def test_customer_merge_with_junk_is_a_400(agent_client, conversation, data):
    before = row_counts()
    customer = conversation.customer
    response = send(agent_client, "POST", f"/api/v1/customers/{customer.pk}/merge/", data)
    assert_4xx_or_ok(response, ())
    assert row_counts() == before


# A URL cannot carry a lone surrogate (Django decodes with "replace"): none here.
QUERY_VALUES = st.one_of(
    NASTY_TEXT.filter(lambda t: "\ud800" not in t),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=20), st.sampled_from([
    "-1", "abc", "0", "9" * 30, "notadate", "9999-99-99", "2026-02-30T00:00:00",
    "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "2026-01-01T00:00:00+99:00",
    "open,,pending", "me", "none", "asc", "desc", "high,urgent", "%00",
]))
LIST_URLS = [
    "/api/v1/conversations/", "/api/v1/customers/", "/api/v1/interactions/",
    "/api/v1/inboxes/", "/api/v1/teams/", "/api/v1/agents/",
    "/api/v1/customers/{customer}/timeline/", "/api/v1/conversations/{conversation}/interactions/",
]
PARAMS = ["page", "page_size", "status", "channel", "team", "assignee", "customer",
          "updated_since", "priority", "tag", "search", "identity", "order", "direction",
          "kind", "conversation", "cursor", "count", "view", "sort", "waiting_channel",
          "used_channel", "inbox", "remote_images"]


@FUZZ
@given(url=st.sampled_from(LIST_URLS),
       params=st.dictionaries(st.sampled_from(PARAMS), QUERY_VALUES, max_size=4))
def test_list_query_junk_is_a_4xx_or_a_page(agent_client, conversation, url, params):
    url = url.format(customer=conversation.customer_id, conversation=conversation.pk)
    response = agent_client.get(url, params)
    assert_4xx_or_ok(response, (200,))


@pytest.mark.parametrize(
    ("query", "status", "body"),
    [
        ("page=-1", 400, {"page": ["this list pages by cursor: follow `next`"]}),
        ("cursor=abc", 400, {"cursor": ["is not a cursor of this list"]}),
        ("updated_since=notadate",
         400, {"updated_since": ["must be an ISO 8601 datetime, got 'notadate'"]}),
        ("updated_since=2026-02-30T00:00:00",
         400, {"updated_since": ["must be an ISO 8601 datetime, got '2026-02-30T00:00:00'"]}),
        ("assignee=abc", 400, {"assignee": ["must be a number, got 'abc'"]}),
        ("updated_since=0001-01-01T00:00:00%2B14:00", 200, "all"),
        ("updated_since=9999-12-31T23:59:59-14:00", 200, None),
        ("customer=99999999999999999999", 400,
         {"customer": ["must be an id from 1 to 9223372036854775807, got 99999999999999999999"]}),
        ("assignee=-99999999999999999999", 400,
         {"assignee": ["must be an id from 1 to 9223372036854775807, got "
                       "-99999999999999999999"]}),
        ("tag=a%00b", 400, {"tag": ["must not contain NUL characters"]}),
    ],
)
def test_named_query_junk_answers_exactly(agent_client, conversation, query, status, body):
    response = agent_client.get(f"/api/v1/conversations/?{query}")
    assert response.status_code == status
    if body == "all":
        assert [c["id"] for c in response.json()["results"]] == [conversation.pk]
    elif body is not None:
        assert response.json() == body
    else:
        assert response.json()["results"] == []


@pytest.mark.parametrize("param", PARAMS)
@pytest.mark.parametrize("url", LIST_URLS)
def test_nul_in_any_query_parameter_is_never_a_500(agent_client, conversation, url, param):
    url = url.format(customer=conversation.customer_id, conversation=conversation.pk)
    response = agent_client.get(url, {param: "a\x00b"})
    assert response.status_code in (200, 400, 404), response.content[:300]
    if response.status_code == 400:
        assert list(response.json()) == [param]


@pytest.mark.parametrize("path", [
    "/api/v1/conversations/99999999999999999999999/",
    "/api/v1/customers/99999999999999999999999/",
    "/api/v1/interactions/99999999999999999999999/",
    "/api/v1/customers/99999999999999999999999/timeline/",
    "/api/v1/conversations/99999999999999999999999/interactions/",
])
def test_huge_ids_in_the_path_are_404(agent_client, conversation, path):
    assert agent_client.get(path).status_code == 404


def test_delete_identity_with_a_huge_id_is_404(agent_client, conversation):
    url = f"/api/v1/customers/{conversation.customer_id}/identities/99999999999999999999999/"
    assert agent_client.delete(url).status_code == 404
    assert Identity.objects.count() == 1


@pytest.mark.parametrize("bad", ["a\x00b", "\ud800"])
@pytest.mark.parametrize(
    ("method", "url", "make"),
    [
        ("PATCH", "/api/v1/customers/{customer}/", lambda v: {"attributes": {"plan": v}}),
        ("PATCH", "/api/v1/customers/{customer}/", lambda v: {"attributes": {v: "gold"}}),
        ("PATCH", "/api/v1/customers/{customer}/", lambda v: {"name": v}),
        ("PATCH", "/api/v1/customers/{customer}/", lambda v: {"tags": [v]}),
        ("POST", "/api/v1/customers/", lambda v: {"name": "Bo", "attributes": {"x": [v]}}),
        ("POST", "/api/v1/customers/{customer}/identities/",
         lambda v: {"kind": "external", "value": v}),
        ("PATCH", "/api/v1/conversations/{conversation}/", lambda v: {"tags": [v]}),
        ("POST", "/api/v1/conversations/{conversation}/notes/", lambda v: {"text": v}),
        ("POST", "/api/v1/conversations/{conversation}/replies/",
         lambda v: {"text": "hi", "subject": v}),
        ("POST", "/api/v1/conversations/{conversation}/replies/",
         lambda v: {"text": "hi", "channel": "whatsapp", "whatsapp_template": {
             "content_sid": "HX" + "0" * 32, "variables": {"1": v}}}),
    ],
)
def test_unstorable_text_in_any_field_is_a_400(agent_client, conversation, method, url, make,
                                               bad):
    before = row_counts()
    customer = Customer.objects.values().get(pk=conversation.customer_id)
    url = url.format(customer=conversation.customer_id, conversation=conversation.pk)
    response = send(agent_client, method, url, make(bad))
    assert response.status_code == 400, response.content[:300]
    assert row_counts() == before
    assert Customer.objects.values().get(pk=conversation.customer_id) == customer


@pytest.mark.parametrize("url", [
    "/api/v1/customers/{customer}/", "/api/v1/conversations/{conversation}/",
])
def test_json_nested_beyond_the_recursion_limit_is_a_400(agent_client, conversation, url):
    url = url.format(customer=conversation.customer_id, conversation=conversation.pk)
    body = b'{"tags": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = agent_client.generic("PATCH", url, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == "JSON parse error - nested too deeply."
