"""A customer's answer from a channel's own control (the chat widget) is checked before
csat records it: only their own survey of that channel, sent and still open; a rating
1 to 5, once; then once an effort score and comment of sane size. Every refusal names
its reason and writes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conversations.actions.ingest import do_record_inbound
from conversations.actions.update import do_update_conversation
from conversations.models import Interaction
from csat.actions.send import do_send_survey
from csat.actions.survey import CSAT_ANSWERED, AnswerRefused, check_answer_survey
from csat.models import CsatSurvey
from tests.factories import inbound

pytestmark = pytest.mark.django_db


def _chat_survey(inbox, agent, visitor: str) -> CsatSurvey:
    conversation = do_record_inbound(inbound(inbox, "chat", "chat", visitor, "Hi")).conversation
    do_update_conversation(conversation, by=agent, changes={"status": "resolved"})
    survey = do_send_survey(conversation.pk)
    assert survey is not None and survey.sent_at is not None and survey.channel == "chat"
    return survey


@pytest.fixture
def survey(chat_inbox, agent_a) -> CsatSurvey:
    return _chat_survey(chat_inbox, agent_a, "visitor-ana")


def _answers() -> list[str]:
    return list(Interaction.objects.filter(event_type=CSAT_ANSWERED)
                .order_by("id").values_list("text", flat=True))


def _refused(code: str, survey: CsatSurvey, survey_id: object = None, **answer: object) -> None:
    before = CsatSurvey.objects.values().get(pk=survey.pk)
    events = _answers()
    with pytest.raises(AnswerRefused) as refused:
        check_answer_survey(survey.pk if survey_id is None else survey_id,
                            customer_id=survey.customer_id, channel="chat", **answer)
    assert refused.value.code == code, str(refused.value)
    assert CsatSurvey.objects.values().get(pk=survey.pk) == before
    assert _answers() == events


def test_a_rating_then_once_an_effort_score_and_comment(survey):
    answered = check_answer_survey(survey.pk, customer_id=survey.customer_id, channel="chat",
                                   rating=4)
    assert (answered.rating, answered.effort, answered.comment) == (4, None, "")
    answered = check_answer_survey(survey.pk, customer_id=survey.customer_id, channel="chat",
                                   effort=5, comment="  Quick and kind. ")
    assert (answered.rating, answered.effort, answered.comment) == (4, 5, "Quick and kind.")
    assert _answers() == ["Customer rated 4/5 (Happy)",
                          "Customer rated 4/5 (Happy): “Quick and kind.”"]


@pytest.mark.parametrize("rating", [0, 6, -1, "x", "4", 4.0, True, [4], {"n": 4}])
def test_a_rating_that_is_not_a_whole_number_from_1_to_5_is_refused(survey, rating):
    _refused("invalid", survey, rating=rating)


@pytest.mark.parametrize("effort", [0, 6, "3", True])
def test_an_effort_score_outside_1_to_5_is_refused(survey, effort):
    _refused("invalid", survey, rating=4, effort=effort)


def test_a_huge_or_non_text_comment_is_refused(survey):
    _refused("too_long", survey, rating=4, comment="x" * 5001)
    _refused("invalid", survey, rating=4, comment={"text": "hi"})
    check_answer_survey(survey.pk, customer_id=survey.customer_id, channel="chat", rating=4)
    _refused("too_long", survey, comment="x" * 100_000)


@pytest.mark.parametrize("survey_id", [0, -5, 2**63, "1", True, None, 1.5])
def test_a_survey_id_that_names_no_survey_is_refused(survey, survey_id):
    if survey_id is None:  # "no id at all", not the fixture's own
        with pytest.raises(AnswerRefused, match="no such survey"):
            check_answer_survey(None, customer_id=survey.customer_id, channel="chat", rating=4)
        return
    _refused("not_found", survey, survey_id=survey_id, rating=4)


def test_another_customers_survey_is_refused_as_not_found(survey, chat_inbox, agent_a):
    other = _chat_survey(chat_inbox, agent_a, "visitor-bo")
    with pytest.raises(AnswerRefused) as refused:
        check_answer_survey(other.pk, customer_id=survey.customer_id, channel="chat", rating=1)
    assert refused.value.code == "not_found"
    other.refresh_from_db()
    assert other.rating is None and _answers() == []


def test_a_survey_of_another_channel_is_refused(survey):
    CsatSurvey.objects.filter(pk=survey.pk).update(channel="email")
    _refused("not_found", survey, rating=4)


def test_an_unsent_or_closed_survey_is_refused(survey, settings):
    CsatSurvey.objects.filter(pk=survey.pk).update(sent_at=None)
    _refused("not_found", survey, rating=4)
    old = timezone.now() - timedelta(days=settings.CSAT_LINK_DAYS, minutes=1)
    CsatSurvey.objects.filter(pk=survey.pk).update(sent_at=old)
    _refused("closed", survey, rating=4)


def test_a_replayed_rating_or_follow_up_is_refused(survey):
    check_answer_survey(survey.pk, customer_id=survey.customer_id, channel="chat", rating=4)
    _refused("already_rated", survey, rating=4)
    _refused("already_rated", survey, rating=1)
    check_answer_survey(survey.pk, customer_id=survey.customer_id, channel="chat", effort=2)
    _refused("already_answered", survey, effort=2)
    _refused("already_answered", survey, comment="Changed my mind")
    survey.refresh_from_db()
    assert (survey.rating, survey.effort, survey.comment) == (4, 2, "")


def test_a_follow_up_before_a_rating_or_an_empty_one_is_refused(survey):
    _refused("not_rated", survey, effort=3)
    _refused("invalid", survey)
    check_answer_survey(survey.pk, customer_id=survey.customer_id, channel="chat", rating=5)
    _refused("invalid", survey, comment="   ")
