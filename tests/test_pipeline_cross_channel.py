"""One customer, one conversation: email, then SMS, then a call, through the pipeline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conversations.actions.ingest import do_record_inbound
from conversations.models import Conversation, Interaction, InteractionKind
from customers.actions.profile import do_add_identity
from customers.identities import InvalidIdentity
from customers.models import Customer
from tests.factories import inbound

pytestmark = pytest.mark.django_db


def test_email_then_sms_then_call_is_one_customer_one_conversation(email_inbox, twilio_inbox):
    t0 = timezone.now() - timedelta(hours=2)
    first = do_record_inbound(
        inbound(
            email_inbox,
            "email",
            "email",
            "Dana.Reyes@Example.COM",
            "My order #1042 is late",
            provider_id="<a1@mail.example.com>",
            occurred_at=t0,
            subject="Order 1042 late",
            sender_name="Dana Reyes",
        )
    )
    customer = first.conversation.customer
    do_add_identity(customer, "phone", "+1 (415) 555-0134")
    sms = do_record_inbound(
        inbound(
            twilio_inbox,
            "sms",
            "phone",
            "+14155550134",
            "Any news on 1042?",
            provider_id="SM1",
            occurred_at=t0 + timedelta(minutes=30),
        )
    )
    call = do_record_inbound(
        inbound(
            twilio_inbox,
            "voice",
            "phone",
            "+14155550134",
            "",
            provider_id="CA1",
            occurred_at=t0 + timedelta(minutes=50),
            kind=InteractionKind.CALL,
        )
    )
    assert first.created and sms.created and call.created
    assert Customer.objects.count() == 1
    assert Conversation.objects.count() == 1
    conversation = Conversation.objects.get()
    assert conversation.customer.name == "Dana Reyes"
    assert conversation.channels == ["email", "sms", "voice"]
    assert conversation.last_inbound_channel == "voice"
    assert conversation.subject == "Order 1042 late"
    messages = Interaction.objects.filter(conversation=conversation).exclude(kind="event")
    assert [(i.channel, i.text) for i in messages] == [
        ("email", "My order #1042 is late"),
        ("sms", "Any news on 1042?"),
        ("voice", ""),
    ]
    switches = Interaction.objects.filter(event_type="channel_switched").order_by("id")
    assert [s.meta for s in switches] == [
        {"from": "email", "to": "sms"},
        {"from": "sms", "to": "voice"},
    ]
    assert first.interaction.author_identity.value == "dana.reyes@example.com"


def test_retry_of_the_same_provider_id_records_nothing_new(twilio_inbox):
    event = inbound(twilio_inbox, "sms", "phone", "+14155550100", "hello", provider_id="SM-dup")
    original = do_record_inbound(event)
    retry = do_record_inbound(
        inbound(twilio_inbox, "sms", "phone", "+14155550100", "hello", provider_id="SM-dup")
    )
    assert original.created and not retry.created
    assert retry.interaction.pk == original.interaction.pk
    assert Interaction.objects.filter(kind="message").count() == 1


def test_same_provider_id_in_another_inbox_is_a_different_message(twilio_inbox, api_inbox):
    do_record_inbound(inbound(twilio_inbox, "sms", "phone", "+14155550100", "a", provider_id="X1"))
    second = do_record_inbound(
        inbound(api_inbox, "api", "phone", "+14155550100", "b", provider_id="X1")
    )
    assert second.created
    assert Interaction.objects.filter(kind="message").count() == 2


def test_resolved_conversation_is_not_continued_but_thread_reply_reopens_it(
    email_inbox, admin_user
):
    from conversations.actions.update import do_update_conversation

    first = do_record_inbound(
        inbound(email_inbox, "email", "email", "a@example.com", "hi", provider_id="<m1@x>")
    )
    do_update_conversation(first.conversation, by=admin_user, changes={"status": "resolved"})
    fresh = do_record_inbound(
        inbound(email_inbox, "email", "email", "a@example.com", "new matter", provider_id="<m2@x>")
    )
    assert fresh.conversation_created
    threaded = do_record_inbound(
        inbound(
            email_inbox,
            "email",
            "email",
            "a@example.com",
            "re: hi",
            provider_id="<m3@x>",
            thread_refs=["<m1@x>"],
        )
    )
    assert threaded.conversation.pk == first.conversation.pk
    threaded.conversation.refresh_from_db()
    assert threaded.conversation.status == "open"
    assert threaded.conversation.resolved_at is None


def test_continuity_window_ends(twilio_inbox, settings):
    settings.OMNIDESK_CONTINUITY_DAYS = 7
    old = do_record_inbound(
        inbound(
            twilio_inbox,
            "sms",
            "phone",
            "+14155550100",
            "old",
            provider_id="S1",
            occurred_at=timezone.now() - timedelta(days=8),
        )
    )
    new = do_record_inbound(
        inbound(twilio_inbox, "sms", "phone", "+14155550100", "new", provider_id="S2")
    )
    assert new.conversation.pk != old.conversation.pk
    assert new.conversation.customer_id == old.conversation.customer_id


def test_forged_thread_reference_does_not_join_a_strangers_conversation(email_inbox):
    victim = do_record_inbound(
        inbound(
            email_inbox, "email", "email", "victim@example.com", "private", provider_id="<v1@x>"
        )
    )
    attacker = do_record_inbound(
        inbound(
            email_inbox,
            "email",
            "email",
            "evil@example.com",
            "hi",
            provider_id="<e1@x>",
            thread_refs=["<v1@x>"],
            use_continuity=False,
        )
    )
    assert attacker.conversation.pk != victim.conversation.pk
    assert attacker.conversation.customer.identities.get().value == "evil@example.com"


def test_participant_in_cc_may_reply_into_the_thread(email_inbox):
    first = do_record_inbound(
        inbound(
            email_inbox,
            "email",
            "email",
            "owner@example.com",
            "hi",
            provider_id="<o1@x>",
            participants=["colleague@example.com"],
        )
    )
    reply = do_record_inbound(
        inbound(
            email_inbox,
            "email",
            "email",
            "colleague@example.com",
            "adding context",
            provider_id="<c1@x>",
            thread_refs=["<o1@x>"],
        )
    )
    assert reply.conversation.pk == first.conversation.pk


def test_unparseable_phone_is_a_clear_error_and_records_nothing(twilio_inbox):
    with pytest.raises(InvalidIdentity, match="phone"):
        do_record_inbound(
            inbound(twilio_inbox, "sms", "phone", "not-a-number", "x", provider_id="S")
        )
    assert Interaction.objects.count() == 0
    assert Customer.objects.count() == 0


def test_html_is_sanitized_before_it_is_stored(email_inbox):
    result = do_record_inbound(
        inbound(
            email_inbox,
            "email",
            "email",
            "a@example.com",
            "hi",
            provider_id="<h@x>",
            html='<p onclick="steal()">Hi<script>alert(1)</script><a href="javascript:x">l</a></p>',
        )
    )
    assert result.interaction.html == '<p>Hi<a rel="noopener noreferrer nofollow">l</a></p>'


def test_nul_characters_from_a_provider_are_dropped_not_the_message(email_inbox):
    from conversations.inbound import InboundAttachment

    result = do_record_inbound(inbound(
        email_inbox, "email", "email", "a@example.com", "hel\x00lo", provider_id="<n\x00ul@x>",
        subject="Sub\x00ject", raw={"hea\x00der": ["va\x00lue"]},
        attachments=[InboundAttachment(name="f\x00.txt", content=b"a\x00b")],
    ))
    interaction = Interaction.objects.get(pk=result.interaction.pk)
    assert (interaction.text, interaction.subject, interaction.provider_id) == (
        "hello", "Subject", "<nul@x>")
    assert interaction.raw == {"header": ["value"]}
    attachment = interaction.attachments.get()
    assert attachment.name == "f.txt"
    assert attachment.file.read() == b"a\x00b"  # bytes are kept as they came
