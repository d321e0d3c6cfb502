"""A channel added by an app of its own (tests/toy_channel: carrier pigeons, installed in
the test settings only) is configured, recorded, listed, filtered and replied to, with
no change to conversations/, customers/ or routing/."""

from __future__ import annotations

import pytest

from conversations.actions.ingest import do_record_inbound
from conversations.channels import channel_spec
from conversations.inbound import InboundEvent
from conversations.models import Inbox, Interaction
from customers.models import Identity
from tests.toy_channel.transport import SENT
from tests.waiting import wait_for


@pytest.mark.usefixtures("celery_worker")
def test_a_channel_app_plugs_in_without_touching_the_core(client_for, admin_user, agent_a,
                                                           team_a):
    admin = client_for(admin_user)
    refused = admin.post("/api/v1/inboxes/", {"kind": "loft", "name": "Roof", "slug": "roof",
                                              "config": {"birds": "many"}}, format="json")
    created = admin.post("/api/v1/inboxes/", {"kind": "loft", "name": "Roof", "slug": "roof",
                                              "team": team_a.pk, "config": {"birds": 12}},
                         format="json")
    assert refused.status_code == 400
    assert refused.json() == {"config": ["birds must be a whole number"]}
    assert created.status_code == 201
    assert created.json()["webhook_urls"] == [
        {"purpose": "Birds land at", "url": "https://loft.test/roof"}]

    landed = do_record_inbound(InboundEvent(
        inbox=Inbox.objects.get(slug="roof"), channel="pigeon", sender_kind="ring",
        sender_value=" r-1042 ", text="Coo. The parcel never came.", provider_id="bird-in-1",
    ))
    conversation = landed.conversation
    assert Identity.objects.get(customer=conversation.customer).value == "R-1042"

    agent = client_for(agent_a)

    def listed(query: str) -> list[int]:
        response = agent.get(f"/api/v1/conversations/?{query}")
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert listed("used_channel=pigeon") == [conversation.pk]
    assert listed("waiting_channel=pigeon") == [conversation.pk]
    assert listed("waiting_channel=email") == []

    reply = agent.post(f"/api/v1/conversations/{conversation.pk}/replies/",
                       {"text": "On its way by the next bird."}, format="json")
    assert reply.status_code == 201, reply.content
    assert reply.json()["channel"] == "pigeon"
    sent = wait_for(lambda: Interaction.objects.filter(pk=reply.json()["id"],
                                                        status="sent").first())
    assert sent.provider_id == f"bird-{sent.pk}"
    assert {"id": sent.pk, "to": "R-1042", "text": "On its way by the next bird."} in SENT
    assert channel_spec("pigeon").label == "Pigeon post"
