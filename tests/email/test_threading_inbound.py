"""A reply threaded only by In-Reply-To, only by References, only by the reply address
and only by the subject tag each lands in the right conversation; a stranger's forged
In-Reply-To or tag does not join someone else's conversation."""

from __future__ import annotations

import pytest

from channels_email.receive import receive_raw_email
from conversations.actions.ingest import do_record_inbound
from conversations.actions.reply import do_send_reply
from conversations.models import Conversation, Interaction
from customers.actions.profile import do_add_identity
from tests.email.conftest import INBOUND_DOMAIN
from tests.email.helpers import compose, send_now
from tests.factories import inbound

pytestmark = pytest.mark.django_db

DANA = "Dana Reyes <dana.reyes@example.com>"


@pytest.fixture
def thread(email_inbox, agent_a):
    """Dana wrote about order 1042 (Cc Lars), an agent answered, and the answer went out.
    Bob has a conversation of his own."""
    first = receive_raw_email(
        compose(
            sender=DANA,
            subject="Order 1042 is late",
            body="Where is my order?",
            message_id="<first@example.com>",
            cc="Lars Berg <lars.berg@example.com>",
        )
    )
    conversation = first.result.conversation
    reply = do_send_reply(conversation=conversation, author=agent_a, text="It ships today.")
    sent = send_now(reply)
    bob = receive_raw_email(
        compose(sender="bob@example.net", subject="Refund", message_id="<bob-1@example.net>")
    )
    return {"conversation": conversation, "sent": sent, "bob": bob.result.conversation}


def test_reply_threaded_only_by_in_reply_to(thread):
    outcome = receive_raw_email(
        compose(
            sender=DANA,
            subject="Something else entirely",
            message_id="<irt@example.com>",
            in_reply_to=thread["sent"].provider_id,
        )
    )
    assert outcome.result.conversation == thread["conversation"]
    assert outcome.reason == (
        f"joined conversation #{thread['conversation'].pk} by In-Reply-To "
        "in inbox support-mail (addressed to support@omnidesk.test)"
    )


def test_reply_threaded_only_by_references(thread):
    references = f"<unknown-root@elsewhere.example> {thread['sent'].provider_id} <x@y.example>"
    outcome = receive_raw_email(
        compose(
            sender=DANA,
            subject="Different words here",
            message_id="<refs@example.com>",
            references=references,
        )
    )
    assert outcome.result.conversation == thread["conversation"]
    assert "by References" in outcome.reason


def test_reply_threaded_only_by_the_reply_address(thread):
    conversation = thread["conversation"]
    outcome = receive_raw_email(
        compose(
            sender=DANA,
            to=f"reply+{conversation.reply_token}@{INBOUND_DOMAIN}",
            subject="No headers, no tag",
            message_id="<reply-address@example.com>",
        )
    )
    assert outcome.result.conversation == conversation
    assert outcome.result.interaction.inbox == thread["sent"].inbox
    assert outcome.reason == (
        f"joined conversation #{conversation.pk} by reply address "
        "in inbox support-mail (reply address)"
    )


def test_reply_threaded_only_by_the_subject_tag(thread):
    conversation = thread["conversation"]
    outcome = receive_raw_email(
        compose(
            sender=DANA,
            subject=f"Any update? [#{conversation.pk}]",
            message_id="<tag@example.com>",
        )
    )
    assert outcome.result.conversation == conversation
    assert "by subject tag" in outcome.reason


def test_a_strangers_forged_in_reply_to_and_tag_start_a_new_conversation(thread):
    conversation = thread["conversation"]
    outcome = receive_raw_email(
        compose(
            sender="mallory@evil.example",
            subject=f"Re: Order 1042 is late [#{conversation.pk}]",
            message_id="<forged@evil.example>",
            in_reply_to=thread["sent"].provider_id,
            references=thread["sent"].provider_id,
        )
    )
    assert outcome.result.conversation_created
    assert outcome.result.conversation.customer.identities.get().value == "mallory@evil.example"
    assert not Interaction.objects.filter(
        conversation=conversation, author_identity__value="mallory@evil.example"
    ).exists()


def test_a_cc_participant_may_reply_into_the_thread(thread):
    outcome = receive_raw_email(
        compose(
            sender="Lars Berg <lars.berg@example.com>",
            subject="Re: Order 1042 is late",
            message_id="<lars@example.com>",
            in_reply_to=thread["sent"].provider_id,
        )
    )
    assert outcome.result.conversation == thread["conversation"]
    assert outcome.result.interaction.author_identity.value == "lars.berg@example.com"


def test_a_new_thread_with_an_unlike_subject_starts_its_own_conversation(thread):
    outcome = receive_raw_email(
        compose(sender=DANA, subject="Question about invoices", message_id="<new@example.com>")
    )
    assert outcome.result.conversation_created
    assert outcome.reason.startswith(f"started conversation #{outcome.result.conversation.pk}")
    assert Conversation.objects.filter(customer=thread["conversation"].customer).count() == 2


def test_a_new_thread_with_the_same_subject_joins_the_open_conversation(thread):
    outcome = receive_raw_email(
        compose(sender=DANA, subject="RE: order 1042 is LATE", message_id="<same@example.com>")
    )
    assert outcome.result.conversation == thread["conversation"]
    assert "by same subject as an open conversation" in outcome.reason


def test_a_copied_colleague_replying_without_thread_headers_joins_by_subject(thread):
    # Lars was in Cc on Dana's first message; his client dropped In-Reply-To/References.
    outcome = receive_raw_email(
        compose(sender="lars.berg@example.com", subject="AW: Order 1042 is late",
                message_id="<lars-bare@example.com>")
    )
    assert outcome.result.conversation == thread["conversation"]
    assert outcome.result.interaction.author_identity.value == "lars.berg@example.com"
    assert "by same subject as an open conversation" in outcome.reason


def test_a_stranger_with_the_same_subject_does_not_join(thread):
    outcome = receive_raw_email(
        compose(sender="mallory@example.org", subject="Re: Order 1042 is late",
                message_id="<mallory@example.org>")
    )
    assert outcome.result.conversation_created
    assert outcome.result.conversation != thread["conversation"]


def test_a_colleague_with_another_subject_does_not_join(thread):
    outcome = receive_raw_email(
        compose(sender="lars.berg@example.com", subject="Lunch on Friday?",
                message_id="<lars-lunch@example.com>")
    )
    assert outcome.result.conversation_created


def test_an_email_continues_an_open_chat_conversation(chat_inbox, email_inbox):
    chat = do_record_inbound(inbound(chat_inbox, "chat", "chat", "visitor-77", "Hi, my order?"))
    do_add_identity(chat.conversation.customer, "email", "vera@example.com")
    outcome = receive_raw_email(
        compose(sender="vera@example.com", subject="My order", message_id="<vera@example.com>")
    )
    assert outcome.result.conversation == chat.conversation
    assert outcome.result.conversation.channels == ["chat", "email"]
