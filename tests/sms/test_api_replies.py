"""Replies through the REST API reach Twilio the same way; refusals come back as 400
with the reason."""

from __future__ import annotations

import pytest

from conversations.models import Interaction
from tests.sms.conftest import CUSTOMER, INBOUND_PATH, STATUS_PATH, payload
from tests.twilio.fake import sent_sid
from tests.twilio.signing import post_signed
from tests.waiting import wait_for


def _conversation(client, body="Any news on order 1042?", n=1):
    params = payload("sms_inbound", sid=f"SM{n:032x}", Body=body)
    assert post_signed(client, INBOUND_PATH, params).status_code == 200
    return Interaction.objects.get(provider_id=f"SM{n:032x}").conversation


@pytest.mark.django_db(transaction=True)
def test_api_reply_goes_out_through_twilio_and_is_delivered(client, client_for, inbox, agent_a,
                                                            fake_twilio, celery_worker):
    conversation = _conversation(client)

    response = client_for(agent_a).post(
        f"/api/v1/conversations/{conversation.pk}/replies/", {"text": "It ships today."},
        format="json",
    )

    assert response.status_code == 201, response.content
    reply_id = response.json()["id"]
    wait_for(lambda: Interaction.objects.get(pk=reply_id).status == "sent")
    [request] = fake_twilio.sends()
    assert request.data == {
        "To": CUSTOMER,
        "From": "+15005550006",
        "Body": "It ships today.",
        "StatusCallback": f"http://testserver{STATUS_PATH}?interaction={reply_id}",
    }
    reply = Interaction.objects.get(pk=reply_id)
    assert reply.provider_id == sent_sid(1)
    for name in ("status_sent", "status_delivered"):
        params = payload(name, sid=reply.provider_id)
        path = f"{STATUS_PATH}?interaction={reply_id}"
        assert post_signed(client, path, params).status_code == 204
    assert Interaction.objects.get(pk=reply_id).status == "delivered"


@pytest.mark.django_db
def test_api_reply_after_stop_is_refused_with_the_reason(client, client_for, inbox, agent_a):
    conversation = _conversation(client)
    _conversation(client, body="STOP", n=2)

    response = client_for(agent_a).post(
        f"/api/v1/conversations/{conversation.pk}/replies/", {"text": "Hello?"}, format="json"
    )

    assert response.status_code == 400
    assert "+14155550134 opted out of SMS messages from +15005550006" in str(response.json())
    assert not Interaction.objects.filter(direction="out").exists()
