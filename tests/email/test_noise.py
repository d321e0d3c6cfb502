"""Auto-replies and bounces are recorded as such and never reopen a conversation;
our own mail coming back is ignored; a sender over the loop limit is kept but
triggers nothing automatic."""

from __future__ import annotations

import uuid

import pytest
from django.core import mail

from channels_email.acknowledge import acknowledge
from channels_email.follow_ups import mark_bounced
from channels_email.receive import receive_raw_email
from conversations.actions.reply import do_send_reply
from conversations.actions.update import do_update_conversation
from conversations.models import Conversation, Interaction
from tests.email.conftest import corpus_bytes
from tests.email.helpers import compose, send_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(email_inbox, agent_a, admin_user):
    """Dana wrote, an agent answered (sent), and the conversation was resolved."""
    first = receive_raw_email(
        compose(
            sender="dana.reyes@example.com",
            subject="Order 1042 is late",
            message_id="<order@example.com>",
        )
    )
    conversation = first.result.conversation
    sent = send_now(do_send_reply(conversation=conversation, author=agent_a, text="Shipped."))
    do_update_conversation(conversation, by=admin_user, changes={"status": "resolved"})
    return {"conversation": conversation, "sent": sent}


def test_an_auto_reply_is_recorded_as_such_and_does_not_reopen(answered):
    outcome = receive_raw_email(
        compose(
            sender="dana.reyes@example.com",
            subject="Automatic reply: Re: Order 1042 is late",
            body="I am away until Monday.",
            message_id="<ooo@example.com>",
            in_reply_to=answered["sent"].provider_id,
            headers={"Auto-Submitted": "auto-replied"},
        )
    )
    assert outcome.kept and outcome.ignored and outcome.noise == "auto_reply"
    interaction = outcome.result.interaction
    assert interaction.conversation == answered["conversation"]
    assert interaction.meta["auto_reply"] == "Auto-Submitted: auto-replied"
    conversation = Conversation.objects.get(pk=answered["conversation"].pk)
    assert conversation.status == "resolved"
    assert conversation.awaiting_since is None
    assert outcome.reason.startswith("auto-reply (Auto-Submitted: auto-replied) joined")


def test_a_dsn_marks_the_outbound_bounced_and_is_filed_in_its_conversation(answered):
    sent = answered["sent"]
    raw = corpus_bytes("dsn_bounce.eml").replace(
        b"<original-placeholder@omnidesk.test>", sent.provider_id.encode()
    )
    outcome = receive_raw_email(raw)

    assert outcome.kept and outcome.noise == "bounce"
    assert outcome.marking_bounced == sent.pk
    notice = outcome.result.interaction
    assert mark_bounced(notice.pk) == "marked"  # what mark_bounced_task runs
    assert mark_bounced(notice.pk) == "already marked"
    sent.refresh_from_db()
    assert sent.status == "bounced"
    assert sent.meta["bounce_interaction_id"] == notice.pk
    assert sent.error == (
        "Bounced: 550 5.1.1 <nobody@example.com>: Recipient address rejected: "
        "User unknown in virtual mailbox table"
    )
    assert notice.conversation == answered["conversation"]
    assert notice.author_identity.value == "dana.reyes@example.com"
    assert notice.meta["bounce"] == {
        "original_message_id": sent.provider_id,
        "failed": True,
        "recipients": ["nobody@example.com"],
        "diagnostic": "550 5.1.1 <nobody@example.com>: Recipient address rejected: "
        "User unknown in virtual mailbox table",
        "interaction_id": sent.pk,
    }
    assert Conversation.objects.get(pk=answered["conversation"].pk).status == "resolved"
    assert outcome.reason.endswith(f"; interaction #{sent.pk} to be marked bounced")


def test_our_own_message_coming_back_is_ignored(answered):
    own = mail.outbox[-1].message().as_bytes()
    before = Interaction.objects.count()
    outcome = receive_raw_email(own)
    assert outcome.kept and outcome.ignored and outcome.noise == "own_message"
    assert outcome.result is None
    assert Interaction.objects.count() == before


def test_a_forged_omnidesk_header_is_not_taken_for_ours(email_inbox):
    outcome = receive_raw_email(
        compose(
            sender="someone@example.com",
            message_id="<x@example.com>",
            headers={"X-Omnidesk": "1.00000000000000000000"},
        )
    )
    assert outcome.noise == "" and outcome.result.created


def test_a_sender_over_the_loop_limit_is_kept_but_triggers_nothing(email_inbox, settings):
    settings.OMNIDESK_EMAIL_RATE_LIMIT = 3
    email_inbox.config = {"acknowledgement": {"body": "We got it."}}
    email_inbox.save()
    outcomes = [
        receive_raw_email(
            compose(
                sender="robot@loop.example",
                subject=f"Ticket {n}",
                message_id=f"<loop-{n}@loop.example>",
            )
        )
        for n in range(5)
    ]
    assert [o.noise for o in outcomes] == ["", "", "", "loop_limited", "loop_limited"]
    assert all(o.kept and o.result.created for o in outcomes)
    limited = outcomes[3].result
    assert limited.interaction.meta["loop_limited"] is True
    assert limited.conversation.awaiting_since is None
    assert [o.acknowledging for o in outcomes] == [True, True, True, False, False]
    # Only the first new conversation is acknowledged (one per address per interval).
    acks = [acknowledge(o.result.interaction.pk) for o in outcomes]
    assert [ack is not None for ack in acks] == [True, False, False, False, False]


def test_retries_do_not_count_towards_the_loop_limit(email_inbox, settings):
    settings.OMNIDESK_EMAIL_RATE_LIMIT = 1
    raw = compose(sender="dana@example.com", message_id="<once@example.com>")
    outcomes = [receive_raw_email(raw) for _ in range(3)]
    assert [o.noise for o in outcomes] == ["", "", ""]
    assert Interaction.objects.filter(channel="email").count() == 1


def test_a_redelivery_takes_its_loop_count_back(email_inbox, settings):
    """A message without thread headers is counted before anyone asks whether it is a
    redelivery; the pipeline finds out, and the count is taken back."""
    settings.OMNIDESK_EMAIL_RATE_LIMIT = 2
    sender = f"dana-{uuid.uuid4().hex[:8]}@example.com"
    first = compose(sender=sender, subject="One", message_id="<one@example.com>")
    outcomes = [receive_raw_email(first) for _ in range(3)]
    for n, subject in enumerate(("Two", "Three")):
        outcomes.append(receive_raw_email(
            compose(sender=sender, subject=subject, message_id=f"<next-{n}@example.com>")
        ))
    assert [o.result.created for o in outcomes] == [True, False, False, True, True]
    assert [o.noise for o in outcomes] == ["", "", "", "", "loop_limited"]


def test_our_own_support_group_is_no_bulk_sender(email_inbox):
    """support@ as a Google Group adds "Precedence: list" to every customer's message."""
    grouped = receive_raw_email(
        compose(
            sender="customer@example.com",
            message_id="<g@example.com>",
            headers={"Precedence": "list", "List-Id": "<support.omnidesk.test>"},
        )
    )
    foreign = receive_raw_email(
        compose(
            sender="news@example.com",
            message_id="<n@example.com>",
            headers={"Precedence": "list", "List-Id": "News <news.example.com>"},
        )
    )
    assert grouped.noise == ""
    assert foreign.noise == "auto_reply"
