"""A worker killed (SIGKILL) in the middle of a send: the reply goes out exactly once,
and the agent sees what happened."""

from __future__ import annotations

import threading

import pytest
import requests
from rest_framework.authtoken.models import Token

from agents.models import Role
from conversations.models import Inbox, Interaction, Status
from jobs.models import Job
from tests.conftest import make_user
from tests.waiting import wait_for

pytestmark = pytest.mark.slow

STUCK_ERROR = "The worker stopped while sending; it was not retried to avoid a duplicate."


def test_a_reply_interrupted_by_a_killed_worker_is_sent_once_and_marked(
    stack, team_a, receiver
):
    shop = Inbox.objects.create(kind="api", name="Shop", slug="shop", team=team_a,
                                config={"outbound_url": receiver.url})
    agent = make_user("sam", Role.AGENT, [team_a])
    agent_token = Token.objects.create(user=agent).key
    server = stack.serve()
    pushed = requests.post(
        f"{server.url}/api/v1/inbound/", headers={"Authorization": f"Bearer {shop.token}"},
        json={"sender": {"kind": "email", "value": "ana@example.com"}, "text": "Hello?",
              "provider_id": "shop-1"}, timeout=30,
    ).json()
    arrived, release = threading.Event(), threading.Event()
    receiver.hold(arrived, release)  # the provider takes the message and is slow to answer

    worker = stack.worker("doomed")
    reply = requests.post(
        f"{server.url}/api/v1/conversations/{pushed['conversation']}/replies/",
        headers={"Authorization": f"Token {agent_token}"}, json={"text": "On its way"},
        timeout=30,
    ).json()
    assert arrived.wait(60), stack.worker_log("doomed")
    stack.kill(worker)  # mid-send: the provider has the request, we never hear back
    release.set()

    stack.worker("second")

    failed = wait_for(
        lambda: Interaction.objects.filter(pk=reply["id"], status=Status.FAILED).first(),
        timeout=60, interval=0.5,
    )
    assert failed.error == STUCK_ERROR
    wait_for(lambda: not Job.objects.exists(), timeout=90, interval=0.5)
    assert [r["delivery"] for r in receiver.requests] == [str(reply["id"])]
