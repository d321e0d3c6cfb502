"""Agents merge two conversations of one customer and split messages off into a new one."""

from __future__ import annotations

import pytest

from conversations.actions.ingest import do_record_inbound
from conversations.models import Conversation, Interaction, InteractionKind
from tests.factories import inbound

pytestmark = pytest.mark.django_db


def _email(inbox, text, mid, sender="kim@example.com", subject="", **extra):
    return do_record_inbound(
        inbound(inbox, "email", "email", sender, text, provider_id=mid, subject=subject,
                use_continuity=False, **extra)
    )


def _messages(conversation_id):
    return list(
        Interaction.objects.filter(conversation_id=conversation_id)
        .exclude(kind=InteractionKind.EVENT).order_by("occurred_at", "id")
        .values_list("text", flat=True)
    )


def test_merge_moves_the_other_conversation_in_and_resolves_it(email_inbox, agent_a, client_for):
    first = _email(email_inbox, "Printer broken", "<p1@x>", subject="Printer").conversation
    second = _email(email_inbox, "Also the scanner", "<p2@x>", subject="Scanner").conversation
    response = client_for(agent_a).post(
        f"/api/v1/conversations/{first.pk}/merge/", {"other": second.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    assert _messages(first.pk) == ["Printer broken", "Also the scanner"]
    second.refresh_from_db()
    assert second.status == "resolved"
    events = Interaction.objects.filter(event_type="conversation_merged").order_by("id")
    assert [(e.conversation_id, e.text) for e in events] == [
        (first.pk, f"Conversation #{second.pk} was merged into this one"),
        (second.pk, f"Merged into conversation #{first.pk}"),
    ]


def test_merge_refuses_two_customers_and_hidden_conversations(
    email_inbox, team_b, agent_a, client_for
):
    mine = _email(email_inbox, "one", "<a@x>").conversation
    other_customer = _email(email_inbox, "two", "<b@x>", sender="lee@example.com").conversation
    response = client_for(agent_a).post(
        f"/api/v1/conversations/{mine.pk}/merge/", {"other": other_customer.pk}, format="json"
    )
    assert response.status_code == 400
    assert "different customers" in response.json()["detail"]
    hidden = _email(email_inbox, "three", "<c@x>").conversation
    Conversation.objects.filter(pk=hidden.pk).update(team=team_b)
    response = client_for(agent_a).post(
        f"/api/v1/conversations/{mine.pk}/merge/", {"other": hidden.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"other": ["No such conversation."]}


def test_split_moves_chosen_messages_to_a_new_conversation(email_inbox, agent_a, client_for):
    conversation = _email(email_inbox, "Invoice wrong", "<i1@x>", subject="Invoice").conversation
    _email(email_inbox, "Unrelated: change my address", "<i2@x>", thread_refs=["<i1@x>"],
           subject="Re: Invoice")
    moved = Interaction.objects.get(provider_id="<i2@x>")
    response = client_for(agent_a).post(
        f"/api/v1/conversations/{conversation.pk}/split/", {"interactions": [moved.pk]},
        format="json",
    )
    assert response.status_code == 201, response.content
    split_id = response.json()["id"]
    assert _messages(conversation.pk) == ["Invoice wrong"]
    assert _messages(split_id) == ["Unrelated: change my address"]
    split = Conversation.objects.get(pk=split_id)
    assert (split.customer_id, split.subject, split.last_inbound_channel) == (
        conversation.customer_id, "Re: Invoice", "email")
    # Later replies to the moved message follow it.
    reply = _email(email_inbox, "any news?", "<i3@x>", thread_refs=["<i2@x>"])
    assert reply.conversation.pk == split_id


def test_split_refuses_everything_or_foreign_messages(email_inbox, agent_a, client_for):
    conversation = _email(email_inbox, "only one", "<o1@x>").conversation
    only = Interaction.objects.get(provider_id="<o1@x>")
    url = f"/api/v1/conversations/{conversation.pk}/split/"
    response = client_for(agent_a).post(url, {"interactions": [only.pk]}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "Leave at least one message in this conversation."
    foreign = _email(email_inbox, "other", "<o2@x>", sender="zed@example.com").interaction
    response = client_for(agent_a).post(url, {"interactions": [foreign.pk]}, format="json")
    detail = response.json()["detail"]
    assert detail == "Only messages and calls of this conversation can be split off."
