"""Creating a survey for a resolution and recording the customer's answer."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from conversations.actions.timeline import record_event
from conversations.channels import find_channel
from conversations.models import Conversation, ConversationStatus
from conversations.transports import has_transport
from csat.models import CsatSurvey
from customers.models import Consent, ConsentStatus

logger = logging.getLogger(__name__)

CSAT_ANSWERED = "csat_answered"  # Interaction.event_type of the answer on the timeline
LABELS = {1: "Very unhappy", 2: "Unhappy", 3: "Neutral", 4: "Happy", 5: "Very happy"}
MAX_COMMENT = 5000


class SurveyRefused(ValueError):
    """No survey for this resolution; the message says why."""


def opted_out(conversation: Conversation, channel: str) -> bool:
    return Consent.objects.filter(identity__customer_id=conversation.customer_id,
                                  channel=channel, status=ConsentStatus.OPTED_OUT).exists()


def survey_channel(conversation: Conversation) -> str:
    """The channel the customer used last, or its written counterpart (a call's survey
    goes out as a text)."""
    channel = conversation.last_inbound_channel or (conversation.channels or [""])[0]
    spec = find_channel(channel)
    fallback = spec.written_fallback if spec is not None else None
    if fallback and not has_transport(channel) and has_transport(fallback):
        return fallback
    return channel


def do_create_survey(conversation: Conversation) -> CsatSurvey:
    """The survey of the conversation's current resolution (the same one if it exists).
    SurveyRefused when it is not resolved or the customer opted out on its channel.
    csat.actions.send sends it."""
    if conversation.status != ConversationStatus.RESOLVED or conversation.resolved_at is None:
        raise SurveyRefused("The conversation is not resolved.")
    channel = survey_channel(conversation)
    if opted_out(conversation, channel):
        raise SurveyRefused(f"The customer opted out of {channel}.")
    try:
        with transaction.atomic():
            survey, _created = CsatSurvey.objects.get_or_create(
                conversation=conversation, resolved_at=conversation.resolved_at,
                defaults={"customer_id": conversation.customer_id, "channel": channel})
    except IntegrityError:  # two workers raced on the same resolution
        survey = CsatSurvey.objects.get(conversation=conversation,
                                        resolved_at=conversation.resolved_at)
    return survey


def do_answer_survey(survey: CsatSurvey, *, rating: int, comment: str | None = None,
                     effort: int | None = None) -> CsatSurvey:
    """Record (or change) the answer; the first answer, and each change, lands on the
    conversation's timeline, which is the customer's timeline too."""
    if rating not in LABELS or (effort is not None and effort not in LABELS):
        raise ValueError("A rating is a whole number from 1 to 5.")
    with transaction.atomic():
        locked = CsatSurvey.objects.select_for_update().get(pk=survey.pk)
        before = (locked.rating, locked.comment, locked.effort)
        locked.rating = rating
        if comment is not None:
            locked.comment = comment.strip()[:MAX_COMMENT]
        if effort is not None:
            locked.effort = effort
        if (locked.rating, locked.comment, locked.effort) == before:
            return locked
        locked.answered_at = timezone.now()
        locked.save(update_fields=["rating", "comment", "effort", "answered_at"])
        conversation = Conversation.objects.select_for_update().get(pk=locked.conversation_id)
        text = f"Customer rated {rating}/5 ({LABELS[rating]})"
        if locked.comment:
            text += f": “{locked.comment}”"
        record_event(conversation, CSAT_ANSWERED, text,
                     meta={"survey": locked.pk, "rating": rating, "effort": locked.effort})
    logger.info("csat survey %s answered %s", locked.pk, rating)
    return locked


class AnswerRefused(ValueError):
    """An answer not recorded (nothing was written): `code` names why for a client, the
    message says it in the customer's words."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _score(value: object, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value not in LABELS:
        raise AnswerRefused("invalid", f"{what} is a whole number from 1 to 5.")
    return value


def _comment(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise AnswerRefused("invalid", "A comment is text.")
    if len(value.strip()) > MAX_COMMENT:
        raise AnswerRefused("too_long", f"A comment is at most {MAX_COMMENT} characters.")
    return value.strip()


def survey_open(survey: CsatSurvey) -> bool:
    """Sent, and not older than its link (CSAT_LINK_DAYS): a channel's own control
    closes when the link would stop working."""
    if survey.sent_at is None:
        return False
    return survey.sent_at > timezone.now() - timedelta(days=settings.CSAT_LINK_DAYS)


def check_answer_survey(
    survey_id: object, *, customer_id: int, channel: str, rating: object = None,
    effort: object = None, comment: object = None,
) -> CsatSurvey:
    """A customer's answer from a channel's own control (the chat widget), checked, then
    recorded by `do_answer_survey`: only their own survey sent on that channel and still
    open; the rating once; then, once, an optional effort score and comment. Input as it
    came from outside (any JSON value); AnswerRefused says what is wrong."""
    rating_given, effort_given = _score(rating, "A rating"), _score(effort, "An effort score")
    comment_given = _comment(comment)
    if isinstance(survey_id, bool) or not isinstance(survey_id, int) or not 0 < survey_id < 2**63:
        raise AnswerRefused("not_found", "There is no such survey for you.")
    if rating_given is None and effort_given is None and not comment_given:
        raise AnswerRefused("invalid", "Choose a rating, an effort score or write a comment.")
    with transaction.atomic():
        # The checks below read the state the answer changes: hold the row meanwhile
        # (two tabs of one visitor answering at once).
        survey = (
            CsatSurvey.objects.select_for_update(of=("self",))
            .filter(pk=survey_id, conversation__customer_id=customer_id, channel=channel)
            .first()
        )
        if survey is None or survey.sent_at is None:
            raise AnswerRefused("not_found", "There is no such survey for you.")
        if not survey_open(survey):
            raise AnswerRefused("closed", "This survey has closed.")
        if rating_given is not None and survey.rating is not None:
            raise AnswerRefused("already_rated", "You have rated this conversation already.")
        if rating_given is None:
            if survey.rating is None:
                raise AnswerRefused("not_rated", "Choose a rating first.")
            if survey.effort is not None or survey.comment:
                raise AnswerRefused("already_answered", "We have your answer already.")
            rating_given = survey.rating
        return do_answer_survey(survey, rating=rating_given, effort=effort_given,
                                comment=comment_given)
