"""An email reply costs the pipeline's statements and nothing around them: no outer
transaction with a savepoint, the email inboxes read from the process's copy."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from channels_email.receive import receive_raw_email
from conversations.models import Conversation
from tests.email.helpers import compose

pytestmark = pytest.mark.django_db(transaction=True)  # a real BEGIN and COMMIT


def test_a_reply_to_an_assigned_conversation_costs_eight_statements(email_inbox, agent_a):
    first = receive_raw_email(compose(sender="dana@example.com", subject="Order 1042",
                                      message_id="<first@example.com>"))
    Conversation.objects.filter(pk=first.result.conversation.pk).update(assignee=agent_a)
    reply = compose(sender="dana@example.com", subject="Re: Order 1042",
                    message_id="<second@example.com>", in_reply_to="<first@example.com>")
    with CaptureQueriesContext(connection) as captured:
        outcome = receive_raw_email(reply)
    assert outcome.kept and outcome.result.conversation.pk == first.result.conversation.pk
    # The thread's references looked up, then the pipeline's one transaction: sender,
    # conversation, the interaction, the conversation's update, its realtime rows.
    assert [q["sql"].split(" ", 1)[0] for q in captured.captured_queries] == [
        "SELECT", "BEGIN", "SELECT", "SELECT", "INSERT", "UPDATE", "WITH", "COMMIT",
    ]


def test_a_message_without_thread_headers_costs_one_select_before_the_pipeline(
    email_inbox, agent_a
):
    """No references to look up: whether it is a redelivery is left to the pipeline's
    unique constraint (asked first only at the loop limit), and the similar open
    conversation is one query, the sender's customer a subquery of it."""
    first = receive_raw_email(compose(sender="dana@example.com", subject="Order 1042",
                                      message_id="<first@example.com>"))
    Conversation.objects.filter(pk=first.result.conversation.pk).update(assignee=agent_a)
    again = compose(sender="dana@example.com", subject="RE: Order 1042",
                    message_id="<again@example.com>")
    with CaptureQueriesContext(connection) as captured:
        outcome = receive_raw_email(again)
    assert outcome.kept and outcome.result.conversation.pk == first.result.conversation.pk
    assert "same subject as an open conversation" in outcome.reason
    assert [q["sql"].split(" ", 1)[0] for q in captured.captured_queries] == [
        "SELECT", "BEGIN", "SELECT", "SELECT", "INSERT", "UPDATE", "WITH", "COMMIT",
    ]
