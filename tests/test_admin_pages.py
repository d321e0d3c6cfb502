"""Django admin: every model has a working list page, and a conversation changed in the
admin goes through the same action as everywhere else."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client

from conversations.actions.ingest import do_record_inbound
from conversations.models import Interaction
from tests.factories import inbound

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.test", "pw-root-123")


def test_every_registered_model_has_a_list_page(superuser, twilio_inbox):
    do_record_inbound(inbound(twilio_inbox, "sms", "phone", "+14155550100", "hi", provider_id="S1"))
    client = Client()
    client.force_login(superuser)
    for model in admin.site._registry:
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        response = client.get(url)
        assert response.status_code == 200, url


def test_changing_a_conversation_in_the_admin_leaves_timeline_events(superuser, twilio_inbox):
    conversation = do_record_inbound(
        inbound(twilio_inbox, "sms", "phone", "+14155550100", "hi", provider_id="S1")
    ).conversation
    client = Client()
    client.force_login(superuser)
    url = f"/admin/conversations/conversation/{conversation.pk}/change/"
    form = {
        "status": "resolved", "team": str(conversation.team_id), "assignee": "",
        "priority": "2", "tags": '["billing"]', "snoozed_until_0": "", "snoozed_until_1": "",
        "interactions-TOTAL_FORMS": "0", "interactions-INITIAL_FORMS": "0",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content[:2000]
    conversation.refresh_from_db()
    assert (conversation.status, conversation.priority, conversation.tags) == (
        "resolved", 2, ["billing"])
    events = Interaction.objects.filter(conversation=conversation, kind="event").order_by("id")
    assert [e.event_type for e in events] == ["status_changed", "priority_changed", "tags_changed"]
    assert client.get("/admin/conversations/conversation/add/").status_code == 403


def test_identities_typed_in_the_admin_are_normalized(superuser):
    from customers.models import Customer, Identity

    customer = Customer.objects.create(name="Ada")
    client = Client()
    client.force_login(superuser)
    response = client.post("/admin/customers/identity/add/", {
        "customer": str(customer.pk), "kind": "phone", "value": "+1 (415) 555-0100",
        "verified": "on",
    })
    assert response.status_code == 302
    assert Identity.objects.get().value == "+14155550100"
    response = client.post("/admin/customers/identity/add/", {
        "customer": str(customer.pk), "kind": "email", "value": "not an address",
    })
    assert response.status_code == 200
    assert b"not an email address" in response.content
