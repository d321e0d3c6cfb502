"""What agents do from the workspace: notes whose mentions notify, assignments that
notify, retrying a failed reply, macros (all steps or none), canned responses with their
variables, search with highlights, customer edits."""

from __future__ import annotations

import pytest

from conversations.actions.delivery import do_mark_failed
from conversations.actions.reply import ReplyError, do_retry_reply, do_send_reply
from conversations.actions.update import do_update_conversation
from conversations.models import ConversationStatus, Status
from conversations.search import START, STOP, search_messages
from jobs.models import Job
from macros.actions import MacroFailed, do_apply_macro, do_save_canned, do_save_macro
from macros.variables import fill, values_for
from realtime.models import RealtimeEvent
from tests.conftest import make_user
from workspace.models import Notification

pytestmark = pytest.mark.django_db


def test_a_note_notifies_the_agents_it_mentions_who_may_see_it(dana, agent_a, agent_b, team_a,
                                                               signed_in):
    colleague = make_user("sam", "agent", [team_a])
    answer = signed_in(agent_a).post(
        f"/conversations/{dana.pk}/reply/",
        {"mode": "note", "body": "@sam can you call her? @agent_b FYI @nobody"})
    assert answer.status_code == 200 and answer.json()["notified"] == ["sam"]
    notification = Notification.objects.get()
    assert (notification.recipient, notification.kind, notification.conversation_id) == (
        colleague, "mention", dana.pk)
    event = RealtimeEvent.objects.filter(name="notification.created").get()
    assert event.payload["text"].startswith("agent_a mentioned you: @sam can you call her?")
    assert list(event.groups.values_list("group", flat=True)) == [f"agent.{colleague.pk}"]
    html = signed_in(colleague).get("/notifications/").content.decode()
    assert 'data-unread="1"' in html and "mentioned you" in html
    assert signed_in(agent_b).get("/notifications/").content.decode().count("notif ") == 0


def test_an_assignment_by_someone_else_notifies_the_assignee(dana, agent_a, lead):
    do_update_conversation(dana, by=lead, changes={"assignee": agent_a})
    do_update_conversation(dana, by=agent_a, changes={"assignee": lead})
    do_update_conversation(dana, by=lead, changes={"assignee": lead})  # not news to her
    notifications = list(Notification.objects.order_by("id").values_list("recipient", "kind"))
    assert notifications == [(agent_a.pk, "assignment"), (lead.pk, "assignment")]


def test_a_failed_reply_is_sent_again_only_when_asked(dana, agent_a, signed_in):
    reply = do_send_reply(conversation=dana, author=agent_a, text="Refund sent.", channel="email")
    with pytest.raises(ReplyError, match="not failed"):
        do_retry_reply(reply, by=agent_a)
    do_mark_failed(reply.pk, "550 5.1.1 mailbox unavailable")
    html = signed_in(agent_a).get(f"/conversations/{dana.pk}/items/{reply.pk}/").content.decode()
    assert "Not sent: 550 5.1.1 mailbox unavailable" in html and "data-retry=" in html
    jobs_before = Job.objects.count()
    answer = signed_in(agent_a).post(f"/interactions/{reply.pk}/retry/")
    assert answer.status_code == 200
    reply.refresh_from_db()
    assert (reply.status, reply.error) == (Status.QUEUED, "")
    assert Job.objects.count() == jobs_before + 1


def test_a_macro_runs_every_step_or_none(dana, agent_a, bo):
    macro = do_save_macro(None, name="Refunded", owner=agent_a, actions=[
        {"type": "add_tags", "tags": ["refunded"]},
        {"type": "reply", "text": "Hi {{ customer.first_name }}, the refund is on its way.",
         "channel": "email"},
        {"type": "status", "status": "pending"},
        {"type": "priority", "priority": 2},
    ])
    assert do_apply_macro(macro, dana, by=agent_a) == [
        "Add tags", "Replied by email", "Status", "Priority"]
    dana.refresh_from_db()
    assert (dana.tags, dana.status, dana.priority) == (["refunded"], "pending", 2)
    assert dana.interactions.filter(text="Hi Dana, the refund is on its way.").exists()
    failing = do_save_macro(None, name="Text them", owner=agent_a, actions=[
        {"type": "add_tags", "tags": ["texted"]}, {"type": "reply", "text": "x", "channel": "sms"}])
    with pytest.raises(MacroFailed, match="Text them, step 2: The customer has no phone"):
        do_apply_macro(failing, bo, by=agent_a)
    bo.refresh_from_db()
    assert bo.tags == []  # the first step was undone with the rest


def test_canned_response_variables(dana, agent_a):
    agent_a.first_name, agent_a.last_name = "Sam", "Carter"
    canned = do_save_canned(None, name="Hi", shortcut="hi", owner=agent_a,
                            body="Hi {{ customer.first_name }}, {{ agent.name }} here "
                                 "about #{{ conversation.id }}. {{ unknown.thing }}")
    assert fill(canned.body, values_for(dana, agent_a)) == (
        f"Hi Dana, Sam Carter here about #{dana.pk}. {{{{ unknown.thing }}}}")


def test_canned_responses_are_personal_team_or_everyones(agent_a, agent_b, lead, team_a,
                                                         client_for):
    do_save_canned(None, name="Mine", shortcut="mine", body="a", owner=agent_a)
    do_save_canned(None, name="Team A", shortcut="ta", body="b", team=team_a)
    do_save_canned(None, name="All", shortcut="all", body="c")
    names = {p: [c["name"] for c in client_for(u).get("/api/v1/canned-responses/").json()
                 ["results"]] for p, u in (("a", agent_a), ("b", agent_b), ("lead", lead))}
    assert names == {"a": ["All", "Mine", "Team A"], "b": ["All"], "lead": ["All", "Team A"]}
    refused = client_for(agent_a).post("/api/v1/canned-responses/", {
        "name": "x", "shortcut": "x", "body": "x", "scope": "everyone"}, format="json")
    assert refused.status_code == 403


def test_search_finds_words_with_highlights_as_far_as_the_agent_sees(dana, bo, agent_a, lead):
    hits = search_messages(agent_a, "card")
    assert [h.interaction.text for h in hits] == ["Still nothing on my card."]
    assert f"{START}card{STOP}" in hits[0].snippet
    assert search_messages(agent_a, "invoice") == []  # team B's
    assert [h.interaction.conversation_id for h in search_messages(lead, "invoice")] == [bo.pk]
    assert [h.interaction.pk for h in search_messages(lead, "refu")] != []  # a word's start


def test_the_search_page_escapes_what_customers_wrote(dana, email_inbox, lead, signed_in):
    from conversations.actions.ingest import do_record_inbound
    from tests.factories import inbound

    do_record_inbound(inbound(email_inbox, "email", "email", "dana@example.com",
                              "<script>alert(1)</script> pineapple & kiwi",
                              provider_id="<x1@x>"))
    html = signed_in(lead).get("/search/?q=pineapple").content.decode()
    assert "<mark>pineapple</mark> &amp; kiwi" in html
    assert "<script>alert(1)" not in html


def test_customer_edits_go_through_the_customer_actions(dana, agent_a, agent_b, signed_in):
    customer = dana.customer
    saved = signed_in(agent_a).post(f"/customers/{customer.pk}/edit/", {
        "name": "Dana R.", "tags": "vip, refund", "attributes": "plan = Business\norders = 14",
        "notes": "Prefers email"})
    assert saved.status_code == 200
    customer.refresh_from_db()
    assert (customer.name, customer.tags, customer.attributes, customer.notes) == (
        "Dana R.", ["refund", "vip"], {"plan": "Business", "orders": "14"}, "Prefers email")
    refused = signed_in(agent_b).post(f"/customers/{customer.pk}/edit/", {"name": "Eve"})
    assert refused.status_code == 403
    taken = signed_in(agent_a).post(f"/customers/{customer.pk}/identities/",
                                    {"kind": "email", "value": "bo@example.com"})
    assert taken.status_code == 200 or taken.status_code == 409
    bad = signed_in(agent_a).post(f"/customers/{customer.pk}/identities/",
                                  {"kind": "phone", "value": "not a number"})
    assert bad.status_code == 400 and "phone" in bad.json()["error"]


def test_status_snooze_needs_a_time_and_resolve_leaves_its_event(dana, agent_a, signed_in):
    client = signed_in(agent_a)
    assert client.post(f"/conversations/{dana.pk}/update/",
                       {"status": "snoozed"}).json()["error"] == "Choose until when to snooze."
    assert client.post(f"/conversations/{dana.pk}/update/", {"status": "resolved"}).json() == {
        "ok": True}
    dana.refresh_from_db()
    assert dana.status == ConversationStatus.RESOLVED
    assert dana.interactions.filter(event_type="status_changed").exists()
