"""/queues/: who may open it, exact figures from a hand-built set of open conversations,
clocks and today's SLA outcome rows, a pinned query count, the board fragment, the
wallboard and the one-click reassign."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agents.models import Presence
from consoles import queues
from consoles.queues import board
from conversations.models import Conversation, Interaction
from customers.models import Customer, Identity
from reports.rollup import day_bounds, local_day
from routing.models import ConversationSLA, SLAOutcome
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_cached_outcomes() -> None:
    """Today's outcome figures are cached for 15 s per scope: none from another test."""
    cache.clear()


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def conversation(team: Any, channel: str, *, waiting_min: int | None = None,
                 assignee: Any = None, state: str = "") -> Conversation:
    now = timezone.now()
    conv = Conversation.objects.create(
        customer=Customer.objects.create(name=f"{channel} customer"), team=team,
        assignee=assignee, status="open", channels=[channel], last_inbound_channel=channel,
        awaiting_since=now - timedelta(minutes=waiting_min) if waiting_min else None,
        last_activity_at=now,
    )
    if state:
        ConversationSLA.objects.create(conversation=conv, target="first_response",
                                       channel=channel, state=state,
                                       due_at=now + timedelta(minutes=5))
    return conv


def outcome(conv: Conversation, team: Any, met: bool, wait_s: int | None,
            target: str = "first_response", days_ago: int = 0, channel: str = "") -> None:
    started = timezone.now() - timedelta(hours=1)
    row = SLAOutcome.objects.create(
        conversation=conv, target=target, channel=channel or conv.last_inbound_channel,
        team_id=team.pk, started_at=started, met=met,
        achieved_at=started + timedelta(seconds=wait_s) if wait_s is not None else None,
    )
    if days_ago:
        SLAOutcome.objects.filter(pk=row.pk).update(
            created_at=timezone.now() - timedelta(days=days_ago))


@pytest.fixture
def floor(team_a: Any, team_b: Any, lead: Any, agent_a: Any, agent_b: Any) -> dict[str, Any]:
    lead.agent.teams.add(team_a)
    agent_a.agent.presence = Presence.ONLINE
    agent_a.agent.save()
    at_risk = conversation(team_a, "email", waiting_min=10, state="at_risk")
    breached = conversation(team_a, "email", waiting_min=5, assignee=agent_a, state="breached")
    chat = conversation(team_a, "chat", assignee=agent_a)
    other = conversation(team_b, "email", waiting_min=30, state="breached")
    outcome(chat, team_a, True, 60)
    outcome(at_risk, team_a, True, 120)
    outcome(breached, team_a, False, 600)
    outcome(breached, team_a, False, None, target="resolution")  # counted, no wait
    outcome(breached, team_a, True, 5, days_ago=2)  # not today
    outcome(other, team_b, False, 900)
    return {"at_risk": at_risk, "breached": breached, "chat": chat, "other": other}


@pytest.mark.parametrize("who", ["agent_a", "outsider"])
def test_agents_and_outsiders_get_403(who, request):
    response = client_for(request.getfixturevalue(who)).get(reverse("queues"))
    assert response.status_code == 403
    response = client_for(request.getfixturevalue(who)).get(reverse("queues-board"))
    assert response.status_code == 403


def test_signed_out_goes_to_sign_in(db):
    response = Client().get(reverse("queues"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_leads_board_counts_their_teams_exactly(floor, lead, team_a):
    b = board((team_a.pk,))
    email = next(r for r in b.channels if r.key == "email")
    assert (email.waiting, email.unassigned, email.at_risk, email.breached) == (2, 1, 1, 1)
    assert email.oldest_waiting == floor["at_risk"].awaiting_since
    assert email.median_wait_seconds == 360.0  # 120 and 600
    assert (email.met, email.outcomes) == (1, 3)  # the resolution miss counts, not 2 days ago
    chat = next(r for r in b.channels if r.key == "chat")
    assert (chat.waiting, chat.unassigned, chat.median_wait_seconds, chat.met,
            chat.outcomes) == (0, 0, 60.0, 1, 1)
    [team] = b.teams
    assert team.label == "Team A"
    assert (team.waiting, team.unassigned, team.at_risk, team.breached) == (2, 1, 1, 1)
    assert (team.median_wait_seconds, team.met, team.outcomes) == (120.0, 2, 4)
    assert [c.pk for c in b.attention] == [floor["breached"].pk, floor["at_risk"].pk]
    # agent_a (online first) and the lead; agent_b is not in Team A.
    assert [r.agent.user.username for r in b.agents] == ["agent_a", "lead"]
    row = b.agents[0]
    loads = {x.channel: (x.load, x.capacity) for x in row.loads}
    assert loads["email"] == (1, 10) and loads["chat"] == (1, 3)
    assert b.presence_counts == {"online": 1, "away": 0, "offline": 1}


def test_todays_figures_go_to_the_channel_the_customer_waited_on(team_a, lead):
    """A conversation begun by email whose reply clock ran on SMS (the customer wrote
    there next): its wait counts for SMS here, while Reports count it under email."""
    conv = conversation(team_a, "email")
    outcome(conv, team_a, True, 90, channel="sms")
    b = board((team_a.pk,))
    sms = next(r for r in b.channels if r.key == "sms")
    email = next(r for r in b.channels if r.key == "email")
    assert (sms.median_wait_seconds, sms.met, sms.outcomes) == (90.0, 1, 1)
    assert (email.median_wait_seconds, email.outcomes, email.unassigned) == (None, 0, 1)


@pytest.mark.parametrize("scope", ["lead", "admin"])
def test_the_embedded_databases_reading_gives_the_same_figures(floor, team_a, scope):
    """SQLite (the embedded default) has no GROUPING SETS nor percentile_cont: its
    reading in Python must give what PostgreSQL's one scan gives."""
    team_ids = (team_a.pk,) if scope == "lead" else None
    start = day_bounds(local_day(timezone.now()))[0]
    outcome(floor["chat"], team_a, True, 30, target="next_response")  # an even count

    def ordered(outcomes: Any) -> Any:
        return [sorted(rows, key=lambda r: (str(r["channel"]), str(r["team_id"])))
                for rows in outcomes]

    in_sql = ordered(queues._read_outcomes(team_ids, start))
    assert in_sql == ordered(queues._outcomes_in_python(team_ids, start))
    chat = next(r for r in in_sql[0] if r["channel"] == "chat")
    assert (chat["total"], chat["met_n"], chat["median_wait"]) == (2, 2, 45.0)


def test_an_admin_sees_every_team(floor, admin_user):
    b = board(None)
    assert [t.label for t in b.teams] == ["Team A", "Team B"]
    email = next(r for r in b.channels if r.key == "email")
    assert (email.waiting, email.breached, email.outcomes) == (3, 2, 4)
    response = client_for(admin_user).get(reverse("queues"))
    assert response.status_code == 200
    assert b'data-queue-row="team-' in response.content
    assert response.content.count(b"data-attention=") == 3


def test_the_page_and_fragment_show_the_leads_rows(floor, lead):
    client = client_for(lead)
    page = client.get(reverse("queues")).content.decode()
    assert "Team B" not in page
    assert f'data-attention="{floor["at_risk"].pk}"' in page
    assert f'data-attention="{floor["other"].pk}"' not in page
    assert 'id="realtime-status"' in page and "js/queues.js" in page
    fragment = client.get(reverse("queues-board")).content.decode()
    assert "<html" not in fragment and 'data-queue-row="channel-email"' in fragment
    # What "by channel" means here, and where the reports differ.
    assert "Today's figures: the channel the customer waited on (the SLA clock's)" in page
    assert "Reports count a conversation under the channel it began on." in page


def test_the_wallboard_has_no_controls(floor, lead):
    page = client_for(lead).get(reverse("queues") + "?wallboard=1").content.decode()
    assert "page-wallboard" in page
    assert "queue-reassign" not in page and "Wallboard</a>" not in page
    fragment = client_for(lead).get(reverse("queues-board") + "?wallboard=1").content.decode()
    assert "queue-reassign" not in fragment


def test_the_query_count_does_not_grow_with_the_floor(floor, lead, team_a):
    client = client_for(lead)
    client.get(reverse("queues"))  # warm caches (sessions, content types)
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        assert client.get(reverse("queues")).status_code == 200
    with CaptureQueriesContext(connection) as first:
        assert client.get(reverse("queues")).status_code == 200
    for i in range(5):
        extra = make_user(f"extra{i}", "agent", [team_a])
        conversation(team_a, "sms", waiting_min=3, assignee=extra, state="at_risk")
    with CaptureQueriesContext(connection) as second:
        assert client.get(reverse("queues")).status_code == 200
    # 13 when today's outcome figures are read, 12 while they are cached.
    assert len(cold) == 13
    assert len(first) == len(second) == 12


def test_todays_outcome_figures_are_read_once_per_scope_for_15_seconds(floor, team_a, team_b):
    now = timezone.now()
    mine = board((team_a.pk,), now)
    email = next(r for r in mine.channels if r.key == "email")
    assert (email.met, email.outcomes, email.median_wait_seconds) == (1, 3, 360.0)
    outcome(floor["at_risk"], team_a, True, 1200)
    with CaptureQueriesContext(connection) as again:
        cached = board((team_a.pk,), now)
    assert not any("routing_slaoutcome" in q["sql"] for q in again.captured_queries)
    email = next(r for r in cached.channels if r.key == "email")
    assert (email.met, email.outcomes, email.median_wait_seconds) == (1, 3, 360.0)
    # Another scope is read on its own, with the new row.
    both = board((team_a.pk, team_b.pk), now)
    email = next(r for r in both.channels if r.key == "email")
    assert (email.met, email.outcomes, email.median_wait_seconds) == (2, 5, 750.0)
    # Once the key expires (15 s; deleted here), the lead's scope is read again.
    assert queues.OUTCOMES_FRESH_SECONDS == 15
    cache.delete(queues._outcomes_key((team_a.pk,), day_bounds(local_day(now))[0]))
    email = next(r for r in board((team_a.pk,), now).channels if r.key == "email")
    assert (email.met, email.outcomes, email.median_wait_seconds) == (2, 4, 600.0)


def test_customers_without_a_name_cost_one_query_not_one_each(floor, lead, team_a):
    client = client_for(lead)
    client.get(reverse("queues"))
    for i in range(3):
        conv = conversation(team_a, "sms", waiting_min=2, state="breached")
        Customer.objects.filter(pk=conv.customer_id).update(name="")
        Identity.objects.create(customer_id=conv.customer_id, kind="phone",
                                value=f"+4470000000{i}")
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("queues")).content.decode()
    assert len(queries) == 13  # 12, and the unnamed customers' identities
    assert "+44700000002" in page and "+44700000000" in page


def test_one_click_reassign_goes_through_the_update_action(floor, lead, agent_a, agent_b):
    client = client_for(lead)
    conv = floor["at_risk"]
    page = client.get(reverse("queues")).content.decode()
    assert f'<option value="{agent_a.pk}">' in page  # online, room on email
    response = client.post(reverse("queues-reassign", args=[conv.pk]),
                           {"assignee": agent_a.pk})
    assert response.status_code == 302
    conv.refresh_from_db()
    assert conv.assignee_id == agent_a.pk
    event = Interaction.objects.filter(conversation=conv, event_type="assigned").get()
    assert event.meta == {"from": None, "to": agent_a.pk}
    # Not an agent of the conversation's team; nor a conversation of another team.
    assert client.post(reverse("queues-reassign", args=[conv.pk]),
                       {"assignee": agent_b.pk}).status_code == 400
    assert client.post(reverse("queues-reassign", args=[floor["other"].pk]),
                       {"assignee": agent_a.pk}).status_code == 404
    assert client.get(reverse("queues-reassign", args=[conv.pk])).status_code == 405


def test_reassign_by_htmx_answers_with_the_board(floor, lead, agent_a):
    response = client_for(lead).post(reverse("queues-reassign", args=[floor["at_risk"].pk]),
                                     {"assignee": agent_a.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'data-queue-row="channel-email"' in response.content.decode()


def test_the_queues_link_shows_for_leads_and_admins(admin_user, lead, agent_a):
    for user, shown in ((admin_user, True), (lead, True), (agent_a, False)):
        page = client_for(user).get("/").content.decode()
        assert (f'href="{reverse("queues")}"' in page) is shown
