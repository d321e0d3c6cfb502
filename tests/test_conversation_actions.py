"""Status, assignment, team, priority and tag changes leave timeline events; merges lose
nothing; delivery statuses never move backwards; a claimed send is never claimed twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conversations.actions.delivery import do_claim_for_sending, do_update_delivery
from conversations.actions.ingest import do_record_inbound
from conversations.actions.note import do_add_note
from conversations.actions.update import do_update_conversation
from conversations.models import Direction, Interaction, InteractionKind, Status
from customers.actions.merge import MergeError, do_merge_customers
from customers.models import Customer, CustomerMerge, Identity
from tests.factories import inbound

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(twilio_inbox):
    return do_record_inbound(
        inbound(
            twilio_inbox,
            "sms",
            "phone",
            "+14155550100",
            "hi",
            provider_id="SM1",
            sender_name="Ana Lima",
        )
    ).conversation


def _events(conversation):
    return list(
        Interaction.objects.filter(conversation=conversation, kind=InteractionKind.EVENT)
        .order_by("id")
        .values_list("event_type", "text")
    )


def test_changes_write_one_timeline_event_each(conversation, agent_a, team_b, lead):
    do_update_conversation(
        conversation,
        by=lead,
        changes={
            "status": "pending",
            "assignee": agent_a,
            "team": team_b,
            "priority": 3,
            "tags": ["refund", "vip"],
        },
    )
    conversation.refresh_from_db()
    assert (conversation.status, conversation.assignee_id, conversation.team_id) == (
        "pending",
        agent_a.pk,
        team_b.pk,
    )
    assert conversation.priority == 3 and conversation.tags == ["refund", "vip"]
    assert _events(conversation) == [
        ("status_changed", "lead changed the status from open to pending"),
        ("assigned", "lead assigned the conversation to agent_a"),
        ("team_changed", "lead moved the conversation to Team B"),
        ("priority_changed", "lead set the priority to Urgent"),
        ("tags_changed", "lead changed the tags, added refund, vip"),
    ]


def test_unchanged_values_write_nothing(conversation, lead):
    do_update_conversation(conversation, by=lead, changes={"status": "open", "priority": 1})
    assert _events(conversation) == []


def test_snooze_needs_a_time(conversation, lead):
    with pytest.raises(ValueError, match="snoozed_until"):
        do_update_conversation(conversation, by=lead, changes={"status": "snoozed"})
    until = timezone.now() + timedelta(hours=3)
    do_update_conversation(
        conversation, by=lead, changes={"status": "snoozed", "snoozed_until": until}
    )
    conversation.refresh_from_db()
    assert conversation.snoozed_until == until


def test_customer_message_reopens_a_snoozed_conversation(conversation, twilio_inbox, lead):
    until = timezone.now() + timedelta(hours=3)
    do_update_conversation(
        conversation, by=lead, changes={"status": "snoozed", "snoozed_until": until}
    )
    again = do_record_inbound(
        inbound(twilio_inbox, "sms", "phone", "+14155550100", "still there?", provider_id="SM2")
    )
    assert again.conversation.pk == conversation.pk
    conversation.refresh_from_db()
    assert conversation.status == "open" and conversation.snoozed_until is None


def test_note_is_internal(conversation, agent_a):
    note = do_add_note(conversation=conversation, author=agent_a, text="Called the courier")
    assert (note.kind, note.direction, note.channel) == ("note", "internal", "internal")


def test_merge_moves_identities_conversations_and_interactions(conversation, email_inbox, lead):
    other = do_record_inbound(
        inbound(
            email_inbox,
            "email",
            "email",
            "ana@example.com",
            "email from Ana",
            provider_id="<e1@x>",
            subject="Refund",
        )
    ).conversation
    target, source = conversation.customer, other.customer
    source.attributes = {"plan": "pro"}
    source.save()
    merge = do_merge_customers(target=target, source=source, by=lead)
    target.refresh_from_db()
    source.refresh_from_db()
    assert source.merged_into_id == target.pk
    assert sorted(Identity.objects.filter(customer=target).values_list("value", flat=True)) == [
        "+14155550100",
        "ana@example.com",
    ]
    assert set(target.conversations.values_list("pk", flat=True)) == {conversation.pk, other.pk}
    assert not Interaction.objects.filter(customer=source).exists()
    assert target.attributes == {"plan": "pro"}
    assert merge.moved["conversations"] == [other.pk]
    assert _events(other) == [
        ("customer_merged", f"customer #{source.pk} was merged into Ana Lima")
    ]
    assert CustomerMerge.objects.get().merged_by == lead
    with pytest.raises(MergeError):
        do_merge_customers(target=target, source=source, by=lead)


def test_later_messages_from_a_merged_identity_join_the_surviving_customer(
    conversation, email_inbox, lead
):
    other = do_record_inbound(
        inbound(email_inbox, "email", "email", "ana@example.com", "x", provider_id="<e2@x>")
    ).conversation
    do_merge_customers(target=conversation.customer, source=other.customer, by=lead)
    later = do_record_inbound(
        inbound(email_inbox, "email", "email", "ANA@example.com", "y", provider_id="<e3@x>")
    )
    assert later.conversation.customer_id == conversation.customer_id
    assert Customer.objects.filter(merged_into__isnull=True).count() == 1


def _outbound(conversation, inbox, status=Status.QUEUED, provider_id=None):
    return Interaction.objects.create(
        conversation=conversation,
        customer_id=conversation.customer_id,
        inbox=inbox,
        channel="sms",
        direction=Direction.OUTBOUND,
        kind=InteractionKind.MESSAGE,
        text="reply",
        status=status,
        provider_id=provider_id,
    )


def test_a_send_is_claimed_once(conversation, twilio_inbox):
    reply = _outbound(conversation, twilio_inbox)
    first = do_claim_for_sending(reply.pk)
    assert first is not None and first.status == "sending" and first.send_attempts == 1
    assert do_claim_for_sending(reply.pk) is None


def test_delivery_callbacks_never_move_status_backwards(conversation, twilio_inbox):
    reply = _outbound(conversation, twilio_inbox, status=Status.SENT, provider_id="SMout")
    do_update_delivery(twilio_inbox, "SMout", "delivered")
    do_update_delivery(twilio_inbox, "SMout", "sent")
    reply.refresh_from_db()
    assert reply.status == "delivered"
    do_update_delivery(twilio_inbox, "SMout", "failed", error="30003: Unreachable")
    reply.refresh_from_db()
    assert (reply.status, reply.error) == ("failed", "30003: Unreachable")
    assert do_update_delivery(twilio_inbox, "SMunknown", "delivered") is None


def test_snoozed_conversation_wakes_when_its_time_comes(conversation, lead):
    from conversations.tasks import wake_snoozed_task

    soon = timezone.now() + timedelta(minutes=5)
    changes = {"status": "snoozed", "snoozed_until": soon}
    do_update_conversation(conversation, by=lead, changes=changes)
    assert wake_snoozed_task() == 0
    type(conversation).objects.filter(pk=conversation.pk).update(
        snoozed_until=timezone.now() - timedelta(seconds=1)
    )
    assert wake_snoozed_task() == 1
    conversation.refresh_from_db()
    assert conversation.status == "open"
    assert _events(conversation)[-1] == (
        "status_changed", "omnidesk changed the status from snoozed to open"
    )


def test_a_wake_up_never_reopens_what_an_agent_resolved_after_the_sweep_listed_it(
    conversation, lead
):
    from conversations.actions.update import do_wake_snoozed

    past = timezone.now() - timedelta(seconds=1)
    do_update_conversation(conversation, by=lead,
                           changes={"status": "snoozed", "snoozed_until": past})
    # The sweep has listed it as due; before it gets to it, the agent resolves it.
    do_update_conversation(conversation, by=lead, changes={"status": "resolved"})

    assert do_wake_snoozed(conversation.pk) is False
    conversation.refresh_from_db()
    assert conversation.status == "resolved"
    assert _events(conversation)[-1] == (
        "status_changed", "lead changed the status from snoozed to resolved"
    )


def test_a_provider_id_already_given_to_another_message_still_records_the_send(
    conversation, twilio_inbox, lead
):
    from conversations.actions.delivery import do_mark_sent
    from conversations.actions.reply import do_send_reply
    from conversations.transports import ProviderResult

    first = do_send_reply(conversation=conversation, author=lead, text="One", channel="sms")
    second = do_send_reply(conversation=conversation, author=lead, text="Two", channel="sms")
    do_mark_sent(first.pk, ProviderResult(provider_id="SMdup"))

    do_mark_sent(second.pk, ProviderResult(provider_id="SMdup"))

    second.refresh_from_db()
    assert (second.status, second.provider_id) == ("sent", None)
    assert second.meta["provider_id_conflict"] == "SMdup"
    assert Interaction.objects.get(provider_id="SMdup").pk == first.pk
