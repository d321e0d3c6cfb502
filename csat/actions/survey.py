"""Creating a survey for a resolution and recording the customer's answer."""

from __future__ import annotations

import logging

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
            locked.comment = comment.strip()[:5000]
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
