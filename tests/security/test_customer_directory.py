"""Customer directory writes across teams (issue 7): an agent of Billing could edit,
add and remove identities of, and merge a Support-only customer, and the merge moved a
Support conversation. Reading stays shared (OMNIDESK_CUSTOMER_DIRECTORY=shared) or
becomes team-scoped (team); changing needs one of the customer's conversations in
view, or a lead/admin role."""

from __future__ import annotations

import pytest
from django.test import override_settings

from conversations.models import Conversation
from customers.access import CustomerNotYours, access_customer, visible_customers
from customers.models import Customer, CustomerMerge, Identity

pytestmark = pytest.mark.django_db

REFUSED = ("This customer's conversations belong to other teams: only an agent of one of "
           "them, a lead or an admin may change this customer.")


def test_an_agent_of_another_team_reads_but_cannot_change_a_customer(world):
    support_customer, billing_customer = world.ids["cust_a"], world.ids["cust_b"]
    billing = world.api("agent_b")
    assert billing.get(f"/api/v1/customers/{support_customer}/").json()["name"] == "Ana Lima"

    patch = billing.patch(f"/api/v1/customers/{support_customer}/", {"name": "Mallory"},
                          format="json")
    assert (patch.status_code, patch.json()) == (403, {"detail": REFUSED})
    added = billing.post(f"/api/v1/customers/{support_customer}/identities/",
                         {"kind": "email", "value": "mallory@example.com"}, format="json")
    assert added.status_code == 403
    removed = billing.delete(
        f"/api/v1/customers/{support_customer}/identities/{world.ids['identity_a']}/")
    assert removed.status_code == 403
    # Merging the Support customer into a Billing one would move a Support conversation.
    merge = billing.post(f"/api/v1/customers/{billing_customer}/merge/",
                         {"other": support_customer}, format="json")
    assert merge.status_code == 403
    assert merge.json()["detail"] == REFUSED

    assert Customer.objects.get(pk=support_customer).name == "Ana Lima"
    assert list(Identity.objects.filter(customer_id=support_customer).values_list(
        "value", flat=True)) == ["+14155550100"]
    assert Conversation.objects.get(pk=world.ids["conv_a"]).customer_id == support_customer
    assert not CustomerMerge.objects.exists()


def test_the_team_directory_hides_customers_of_other_teams(world):
    with override_settings(OMNIDESK_CUSTOMER_DIRECTORY="team"):
        billing = world.api("agent_b")
        assert billing.get(f"/api/v1/customers/{world.ids['cust_a']}/").status_code == 404
        timeline = billing.get(f"/api/v1/customers/{world.ids['cust_a']}/timeline/")
        assert timeline.status_code == 404
        names = {c["name"] for c in billing.get("/api/v1/customers/").json()["results"]}
        assert names == {"Bo Chen", "Cy Diaz", "Dee New"}


def test_access_rules_in_one_place(world):
    users, ids = world.users, world.ids
    assert access_customer(users["agent_a"], ids["cust_a"], for_write=True).name == "Ana Lima"
    with pytest.raises(CustomerNotYours):
        access_customer(users["agent_a"], ids["cust_c"], for_write=True)
    # Assigned across teams: the agent holds the customer of their conversation.
    assert access_customer(users["agent_none"], ids["cust_c"], for_write=True).pk == ids[
        "cust_c"]
    # Nobody holds a customer without conversations: any agent completes it.
    assert access_customer(users["agent_b"], ids["cust_new"], for_write=True).pk == ids[
        "cust_new"]
    assert visible_customers(users["lead"]).count() == 4
    with override_settings(OMNIDESK_CUSTOMER_DIRECTORY="team"):
        assert {c.name for c in visible_customers(users["agent_none"])} == {"Cy Diaz",
                                                                           "Dee New"}


def test_merge_by_an_agent_needs_both_customers_in_view(world):
    agent_a = world.api("agent_a")
    ok = agent_a.post(f"/api/v1/customers/{world.ids['cust_a']}/merge/",
                      {"other": world.ids["cust_new"]}, format="json")
    assert ok.status_code == 200
    assert Customer.objects.get(pk=world.ids["cust_new"]).merged_into_id == world.ids["cust_a"]
    lead = world.api("lead").post(f"/api/v1/customers/{world.ids['cust_a']}/merge/",
                                  {"other": world.ids["cust_b"]}, format="json")
    assert lead.status_code == 200
    assert Conversation.objects.get(pk=world.ids["conv_b"]).customer_id == world.ids["cust_a"]
