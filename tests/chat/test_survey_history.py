"""The widget's history carries each survey message's state, read in one query for the
whole page (not one per survey), and nothing of the agents' view."""

from __future__ import annotations

import pytest

from channels_chat.queries import visitor_history
from conversations.actions.ingest import do_record_inbound
from conversations.actions.update import do_update_conversation
from csat.actions.send import do_send_survey
from csat.actions.survey import check_answer_survey
from csat.models import CsatSurvey
from tests.factories import inbound

pytestmark = pytest.mark.django_db


def _resolved_chat(inbox, agent, text: str) -> int:
    event = inbound(inbox, "chat", "chat", "visitor-ana", text)
    conversation = do_record_inbound(event).conversation
    do_update_conversation(conversation, by=agent, changes={"status": "resolved"})
    survey = do_send_survey(conversation.pk)
    assert survey is not None
    return survey.pk


def test_the_history_holds_every_survey_state_in_a_fixed_number_of_queries(
    chat_inbox, agent_a, django_assert_num_queries
):
    first = _resolved_chat(chat_inbox, agent_a, "Where is my order?")
    with django_assert_num_queries(4):  # visitor, messages, attachments, surveys
        history = visitor_history("visitor-ana")
    assert [(m["direction"], m["survey"]) for m in history] == [
        ("in", None),
        ("out", {"id": first, "rating": None, "effort": None, "commented": False,
                 "open": True}),
    ]
    customer_id = CsatSurvey.objects.get(pk=first).customer_id
    check_answer_survey(first, customer_id=customer_id, channel="chat", rating=5,
                        comment="Great")
    for text in ("Another question", "And a third"):
        _resolved_chat(chat_inbox, agent_a, text)
    with django_assert_num_queries(4):
        history = visitor_history("visitor-ana")
    states = [m["survey"] for m in history if m["survey"] is not None]
    assert [(s["id"] == first, s["rating"], s["commented"]) for s in states] == [
        (True, 5, True), (False, None, False), (False, None, False)]
    assert all("meta" not in m for m in history)
