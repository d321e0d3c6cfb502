"""A worker offers a queued call to each online agent with a call leg of their own, and
cancels the legs nobody needs once an agent has the caller or the caller has left."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from conversations.models import Interaction
from tests.twilio import ACCOUNT_SID
from tests.twilio.signing import post_signed
from tests.voice.helpers import hook, payload
from tests.waiting import wait_for

pytestmark = pytest.mark.slow

SID = "CA4a1f2b3c4d5e6f708192a3b4c5d6e7f8"
CALLS = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Calls"


def _query(url):
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


def _placed_legs(web, fake_twilio, count):
    post_signed(web, hook("incoming"), payload("incoming_call"))
    call = Interaction.objects.get(provider_id=SID)
    wait_for(lambda: len(fake_twilio.calls_created()) == count)

    def noted():
        call.refresh_from_db()
        return len(call.meta.get("legs", {})) == count

    wait_for(noted)
    return call, {leg["agent_id"]: sid for sid, leg in call.meta["legs"].items()}


def _updates(fake_twilio):
    return {urlparse(r.url).path.rsplit("/", 1)[-1][:-5]: r.data["Status"]
            for r in fake_twilio.requests if r.method == "POST" and "/Calls/" in r.url}


def test_the_worker_places_one_leg_per_online_agent(
    celery_worker, fake_twilio, web, twilio_inbox, online_agent_a, online_agent_c, agent_b
):
    call, legs = _placed_legs(web, fake_twilio, 2)
    sent = fake_twilio.calls_created()
    assert [r.url for r in sent] == [f"{CALLS}.json"] * 2
    custom = f"conversation_id={call.conversation_id}&caller=%2B14155550134"
    by_to = {r.data["To"]: r for r in sent}
    assert set(by_to) == {f"client:agent_a?{custom}", f"client:agent_c?{custom}"}
    first = by_to[f"client:agent_a?{custom}"]
    assert first.data["From"] == "+15005550006"
    assert first.data["Url"].startswith("http://testserver/webhooks/twilio/voice/bridge/")
    assert _query(first.data["Url"]) == {"inbox": "support-line", "call": str(call.pk),
                                         "agent": str(online_agent_a.pk)}
    assert first.data["StatusCallback"].startswith("http://testserver/webhooks/twilio/voice/agent/")
    assert _query(first.data["StatusCallback"]) == _query(first.data["Url"])
    assert first.data["StatusCallbackEvent"] == ["initiated", "ringing", "answered", "completed"]
    assert first.data["Timeout"] == 25
    assert first.auth == (ACCOUNT_SID, "12345678901234567890123456789012")
    assert set(legs) == {online_agent_a.pk, online_agent_c.pk}  # agent_b: another team
    assert all(leg["offer"] and leg["status"] == "queued" for leg in call.meta["legs"].values())


def test_the_first_agent_bridged_cancels_the_other_legs(
    celery_worker, fake_twilio, web, twilio_inbox, online_agent_a, online_agent_c
):
    call, legs = _placed_legs(web, fake_twilio, 2)
    mine, theirs = legs[online_agent_a.pk], legs[online_agent_c.pk]
    joined = hook("agent-joined", twilio_inbox, call=call.pk, agent=online_agent_a.pk)
    response = post_signed(web, joined, payload("queue_agent_joined", DequeingCallSid=mine))
    assert response.status_code == 200
    wait_for(lambda: _updates(fake_twilio))
    assert _updates(fake_twilio) == {theirs: "canceled"}
    call.refresh_from_db()
    assert call.meta["answered_by"] == {"id": online_agent_a.pk, "username": "agent_a"}
    assert call.conversation.assignee == online_agent_a


def test_a_leg_that_answered_too_late_is_hung_up(
    celery_worker, fake_twilio, web, twilio_inbox, online_agent_a, online_agent_c
):
    call, legs = _placed_legs(web, fake_twilio, 2)
    mine, theirs = legs[online_agent_a.pk], legs[online_agent_c.pk]
    late = hook("agent", twilio_inbox, call=call.pk, agent=online_agent_c.pk)
    post_signed(web, late, payload("offer_leg_answered", CallSid=theirs))
    joined = hook("agent-joined", twilio_inbox, call=call.pk, agent=online_agent_a.pk)
    post_signed(web, joined, payload("queue_agent_joined", DequeingCallSid=mine))
    wait_for(lambda: _updates(fake_twilio))
    assert _updates(fake_twilio) == {theirs: "completed"}


def test_the_caller_leaving_the_queue_cancels_every_leg(
    celery_worker, fake_twilio, web, twilio_inbox, online_agent_a, online_agent_c
):
    call, legs = _placed_legs(web, fake_twilio, 2)
    after = hook("after-queue", twilio_inbox, call=call.pk)
    assert post_signed(web, after, payload("queue_left")).status_code == 200
    wait_for(lambda: len(_updates(fake_twilio)) == 2)
    assert _updates(fake_twilio) == {sid: "canceled" for sid in legs.values()}
