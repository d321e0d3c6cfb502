"""Redis down while webhooks and replies arrive: every request is answered 2xx and
recorded once; when Redis is back every job and every reply runs exactly once."""

from __future__ import annotations

import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
import requests
from rest_framework.authtoken.models import Token
from twilio.request_validator import RequestValidator

from agents.models import Role
from conversations.models import Conversation, Inbox, Interaction, Status
from jobs.models import Job
from tests.conftest import make_user
from tests.waiting import wait_for

pytestmark = pytest.mark.slow

TWILIO_TOKEN = "f" * 32
INBOX_NUMBER = "+15005550006"
SMS_PATH = "/webhooks/twilio/messaging/"
PHONES = [f"+1415555{n:04d}" for n in range(50)]


def _signed_sms(base: str, n: int) -> requests.Response:
    params = {
        "MessageSid": f"SM{n:032d}", "AccountSid": "AC" + "0" * 32, "From": PHONES[n % 50],
        "To": INBOX_NUMBER, "Body": f"Message {n}", "NumMedia": "0",
    }
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(f"{base}{SMS_PATH}", params)
    return requests.post(
        f"{base}{SMS_PATH}", data=urlencode(params), timeout=30,
        headers={"X-Twilio-Signature": signature,
                 "Content-Type": "application/x-www-form-urlencoded"},
    )


def _succeeded(log: str, task: str) -> Counter[str]:
    return Counter(re.findall(rf"Task {re.escape(task)}\[(job-\d+)\] succeeded", log))


def test_redis_outage_loses_and_doubles_nothing(stack, private_redis, team_a, receiver):
    Inbox.objects.create(
        kind="twilio", name="Line", slug="line", address=INBOX_NUMBER, team=team_a,
        config={"account_sid": "AC" + "0" * 32}, secrets={"auth_token": TWILIO_TOKEN},
    )
    shop = Inbox.objects.create(kind="api", name="Shop", slug="shop", team=team_a,
                                config={"outbound_url": receiver.url})
    agent = make_user("sam", Role.AGENT, [team_a])
    agent_token = Token.objects.create(user=agent).key
    server = stack.serve()
    stack.worker("first")
    base = server.url

    pushes = [
        requests.post(f"{base}/api/v1/inbound/", timeout=30,
                      headers={"Authorization": f"Bearer {shop.token}"},
                      json={"sender": {"kind": "email", "value": f"c{n}@example.com"},
                            "text": f"Order {n}?", "provider_id": f"shop-{n}"})
        for n in range(20)
    ]
    assert [p.status_code for p in pushes] == [201] * 20

    private_redis.stop()
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda n: _signed_sms(base, n), range(200)))
    replies = [
        requests.post(f"{base}/api/v1/conversations/{p.json()['conversation']}/replies/",
                      headers={"Authorization": f"Token {agent_token}"},
                      json={"text": f"Answer {n}"}, timeout=30)
        for n, p in enumerate(pushes)
    ]

    assert Counter(a.status_code for a in answers) == {200: 200}
    assert Counter(r.status_code for r in replies) == {201: 20}
    # Accepted into the spool at once; the web process's drain records them (Redis plays
    # no part in that).
    sms = Interaction.objects.filter(provider_id__startswith="SM")
    wait_for(lambda: sms.count() == 200, timeout=60, interval=0.2)
    sms_conversations = Conversation.objects.filter(channels=["sms"])
    assert sms_conversations.count() == 50
    assert Interaction.objects.filter(direction="out").count() == 20
    # A routing job per new SMS conversation (a follow-up into a conversation already
    # waiting in its team's queue needs none) and 20 sends, none run yet.
    assert Job.objects.filter(task="routing.tasks.route_inbound_task").count() >= 50
    assert Job.objects.filter(task="conversations.tasks.send_interaction_task").count() == 20

    private_redis.start()  # empty: whatever was queued before the outage is gone

    wait_for(lambda: not Job.objects.exists(), timeout=120, interval=0.5)
    assert not sms_conversations.filter(first_response_due_at__isnull=True).exists()
    sent = Interaction.objects.filter(direction="out")
    assert Counter(sent.values_list("status", flat=True)) == {Status.SENT: 20}
    deliveries = Counter(r["delivery"] for r in receiver.requests)
    assert sorted(deliveries) == sorted(str(pk) for pk in sent.values_list("pk", flat=True))
    assert set(deliveries.values()) == {1}
    log = stack.worker_log("first")
    routed = _succeeded(log, "routing.tasks.route_inbound_task")
    sends = _succeeded(log, "conversations.tasks.send_interaction_task")
    assert len(routed) == 20 + 50 and set(routed.values()) == {1}
    assert len(sends) == 20 and set(sends.values()) == {1}
