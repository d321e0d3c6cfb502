"""Customers through the API: create, find, edit, identities, merge."""

from __future__ import annotations

import pytest

from conversations.models import Conversation, Interaction
from customers.models import Customer, CustomerMerge, Identity

pytestmark = pytest.mark.django_db


def _create(client, **body):
    return client.post("/api/v1/customers/", body, format="json")


def test_create_with_identities_normalized(client_for, agent_a):
    response = _create(client_for(agent_a), name="Ana Lima", tags=["vip", " vip ", "b2b"],
                       attributes={"plan": "pro"}, identities=[
                           {"kind": "email", "value": "Ana@Example.COM"},
                           {"kind": "phone", "value": "+1 (415) 555-0100"}])
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["tags"], body["attributes"]) == ("Ana Lima", ["b2b", "vip"],
                                                                {"plan": "pro"})
    assert [(i["kind"], i["value"], i["verified"]) for i in body["identities"]] == [
        ("email", "ana@example.com", True), ("phone", "+14155550100", True)]


def test_create_refuses_a_bad_or_taken_identity_and_creates_nothing(client_for, agent_a,
                                                                    conversation_a):
    client = client_for(agent_a)
    bad = _create(client, name="X", identities=[{"kind": "phone", "value": "call me maybe"}])
    assert bad.status_code == 400
    assert bad.json() == {"identities": ["not a phone number: 'call me maybe' ((1) The string "
                                         "supplied did not seem to be a phone number.)"]}
    taken = _create(client, name="Y", identities=[{"kind": "phone", "value": "+14155550100"}])
    assert taken.status_code == 409
    assert taken.json()["customer"] == conversation_a.customer_id
    assert Customer.objects.count() == 1


def test_search_and_exact_identity(client_for, agent_a):
    client = client_for(agent_a)
    ana = _create(client, name="Ana Lima", identities=[
        {"kind": "phone", "value": "+14155550100"}]).json()
    bo = _create(client, name="Bo Chen", identities=[
        {"kind": "email", "value": "bo@shop.example"}, {"kind": "external", "value": "crm-77"}
    ]).json()

    def ids(query):
        response = client.get(f"/api/v1/customers/{query}")
        assert response.status_code == 200
        return [c["id"] for c in response.json()["results"]]

    assert ids("?search=lima") == [ana["id"]]
    assert ids("?search=shop.exa") == [bo["id"]]
    assert ids("?search=555") == [ana["id"]]
    assert ids("?identity=(415) 555-0100") == []  # no country code: not a full number
    assert ids("?identity=%2B1 415 555 0100") == [ana["id"]]
    assert ids("?identity=BO@Shop.Example") == [bo["id"]]
    assert ids("?identity=crm-77") == [bo["id"]]
    assert ids("?identity=crm-7") == []


def test_patch_profile(client_for, agent_a, conversation_a):
    url = f"/api/v1/customers/{conversation_a.customer_id}/"
    response = client_for(agent_a).patch(url, {
        "notes": "Prefers mornings", "language": "pt", "preferred_channel": "sms",
        "attributes": {"plan": "basic"}}, format="json")
    assert response.status_code == 200
    customer = Customer.objects.get(pk=conversation_a.customer_id)
    assert (customer.name, customer.notes, customer.language, customer.preferred_channel,
            customer.attributes) == ("Ana Lima", "Prefers mornings", "pt", "sms",
                                     {"plan": "basic"})
    bad = client_for(agent_a).patch(url, {"preferred_channel": "fax"}, format="json")
    assert bad.status_code == 400


def test_add_and_remove_identities(client_for, agent_a, conversation_a, conversation_b):
    client = client_for(agent_a)
    url = f"/api/v1/customers/{conversation_a.customer_id}/identities/"
    added = client.post(url, {"kind": "email", "value": "Ana@Example.com", "verified": False},
                        format="json")
    assert added.status_code == 201
    assert (added.json()["value"], added.json()["verified"]) == ("ana@example.com", False)

    invalid = client.post(url, {"kind": "email", "value": "ana at example"}, format="json")
    assert invalid.status_code == 400
    assert invalid.json() == {"value": ["not an email address: 'ana at example'"]}

    taken = client.post(url, {"kind": "email", "value": "BO@example.com"}, format="json")
    assert taken.status_code == 409
    bo = conversation_b.customer_id
    assert taken.json()["customer"] == bo
    assert taken.json()["merge_url"] == f"/api/v1/customers/{conversation_a.customer_id}/merge/"
    assert f"customer #{bo}" in taken.json()["detail"]
    assert f'POST {{"other": {bo}}}' in taken.json()["detail"]

    identity_id = added.json()["id"]
    assert client.delete(f"{url}{identity_id}/").status_code == 204
    assert not Identity.objects.filter(pk=identity_id).exists()
    assert client.delete(f"{url}{identity_id}/").status_code == 404
    others = Identity.objects.get(value="bo@example.com").pk
    assert client.delete(f"{url}{others}/").status_code == 404
    assert Identity.objects.filter(pk=others).exists()


def test_merge_moves_identities_and_conversations_and_leaves_an_event(
    client_for, lead, conversation_a, conversation_b
):
    ana, bo = conversation_a.customer_id, conversation_b.customer_id
    response = client_for(lead).post(f"/api/v1/customers/{ana}/merge/", {"other": bo},
                                     format="json")
    assert response.status_code == 200, response.content
    assert sorted(i["value"] for i in response.json()["identities"]) == [
        "+14155550100", "bo@example.com"]
    assert set(Conversation.objects.values_list("customer_id", flat=True)) == {ana}
    assert Customer.objects.get(pk=bo).merged_into_id == ana
    merge = CustomerMerge.objects.get()
    assert (merge.source_id, merge.target_id, merge.merged_by_id) == (bo, ana, lead.pk)
    event = Interaction.objects.get(event_type="customer_merged")
    assert event.conversation_id == conversation_b.pk
    assert event.text == "Bo Chen was merged into Ana Lima"
    client = client_for(lead)
    assert client.get(f"/api/v1/customers/{bo}/").status_code == 404
    assert [c["id"] for c in client.get("/api/v1/customers/").json()["results"]] == [ana]
    timeline = client.get(f"/api/v1/customers/{ana}/timeline/").json()
    assert [i["text"] for i in timeline["results"] if i["kind"] == "message"] == [
        "Where is my parcel?", "Invoice 77 is wrong"]


def test_merge_refusals(client_for, lead, conversation_a):
    ana = conversation_a.customer_id
    client = client_for(lead)
    itself = client.post(f"/api/v1/customers/{ana}/merge/", {"other": ana}, format="json")
    assert itself.status_code == 400
    assert itself.json() == {"other": ["A customer cannot be merged into itself."]}
    missing = client.post(f"/api/v1/customers/{ana}/merge/", {"other": 999999}, format="json")
    assert missing.status_code == 400
    assert missing.json() == {"other": ["No such customer."]}
