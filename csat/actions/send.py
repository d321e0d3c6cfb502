"""Sending a resolution's survey on the channel the customer used, as an automatic
message through the normal outbound path (queued, sent by the worker, on the timeline):

- email: the one-click rating links (csat.links), one per rating;
- SMS and WhatsApp: "Reply 1 to 5"; a single-digit reply is the rating
  (`record_reply_rating`, an after_inbound hook);
- chat: the rating page's link in the text (for the transcript email); the widget
  shows its own rating control in its place (channels_chat, `check_answer_survey`);
- any other channel: the rating page's link.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from html import escape

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from conversations.actions.automatic import do_send_automatic_message
from conversations.actions.reply import ReplyError
from conversations.hooks import RecordedInbound
from conversations.models import Conversation, ConversationStatus, Direction, Interaction
from csat.actions.survey import LABELS, SurveyRefused, do_answer_survey, do_create_survey
from csat.links import rating_url
from csat.models import CsatSurvey

logger = logging.getLogger(__name__)

RATING_REPLY = "csat_rating_for"  # Interaction.meta of a digit reply: the survey id
SURVEY_MESSAGE = "csat_survey"  # Interaction.meta of the survey's message: the survey id
REPLY_CHANNELS = frozenset({"sms", "whatsapp"})
SMS_TEXT = "How did we do? Reply with a number from 1 to 5 (1 very unhappy, 5 very happy)."
_DIGIT = re.compile(r"\s*([1-5])\s*[.!]?\s*")


def do_send_survey(conversation_id: int) -> CsatSurvey | None:
    """Create the survey of the conversation's current resolution and queue its message,
    once: a survey already sent, a conversation reopened meanwhile, a customer who opted
    out, CSAT turned off, or a channel that cannot carry it, send nothing."""
    if not settings.CSAT_ENABLED:
        return None
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_for_update(no_key=True, of=("self",))
            .select_related("customer")
            .filter(pk=conversation_id, status=ConversationStatus.RESOLVED)
            .first()
        )
        if conversation is None:
            return None
        if _rating_replies_only(conversation):
            return None
        try:
            survey = do_create_survey(conversation)
        except SurveyRefused as exc:
            logger.info("no survey for conversation %s: %s", conversation_id, exc)
            return None
        survey = CsatSurvey.objects.select_for_update().get(pk=survey.pk)
        if survey.sent_at is not None:
            return survey
        text, html, subject = _message(conversation, survey)
        try:
            do_send_automatic_message(
                conversation=conversation, channel=survey.channel, text=text, html=html,
                subject=subject, meta={SURVEY_MESSAGE: survey.pk},
            )
        except ReplyError as exc:
            logger.info("survey %s not sent on %s: %s", survey.pk, survey.channel, exc)
            return survey
        survey.sent_at = timezone.now()
        survey.save(update_fields=["sent_at"])
    return survey


def _rating_replies_only(conversation: Conversation) -> bool:
    """A conversation opened by a survey's digit reply (and nothing else since)."""
    inbound = Interaction.objects.filter(conversation=conversation, direction=Direction.INBOUND)
    return inbound.filter(meta__has_key=RATING_REPLY).exists() and not inbound.exclude(
        meta__has_key=RATING_REPLY).exists()


def _message(conversation: Conversation, survey: CsatSurvey) -> tuple[str, str, str]:
    """(text, html, subject) of the survey on its channel."""
    if survey.channel in REPLY_CHANNELS:
        return SMS_TEXT, "", ""
    if survey.channel != "email":
        return f"How did we do? Rate this conversation: {rating_url(survey.pk)}", "", ""
    name = conversation.customer.name
    topic = conversation.subject.strip()
    subject = f"How did we do? ({topic})" if topic else "How did we do?"
    ratings = sorted(LABELS.items(), reverse=True)
    text = "\n".join([
        f"Hello {name}," if name else "Hello,",
        "",
        "Your conversation with us was resolved. How did we do? One click rates it:",
        "",
        *[f"{n} ({label}): {rating_url(survey.pk, n)}" for n, label in ratings],
        "",
        "You can add a comment on the page that opens.",
    ])
    links = "".join(
        f'<li><a href="{escape(rating_url(survey.pk, n))}">{n}: {escape(label)}</a></li>'
        for n, label in ratings
    )
    html = (
        f"<p>{escape(f'Hello {name},' if name else 'Hello,')}</p>"
        "<p>Your conversation with us was resolved. How did we do? One click rates it:</p>"
        f"<ul>{links}</ul><p>You can add a comment on the page that opens.</p>"
    )
    return text, html, subject


def record_reply_rating(recorded: RecordedInbound) -> None:
    """conversations.hooks.after_inbound: an SMS or WhatsApp message that is a single
    digit 1-5, from a customer sent a survey on that channel within CSAT_REPLY_HOURS
    and not answered yet, is that survey's rating (the message stays on the timeline).
    Any other message is passed over without a query."""
    interaction = recorded.interaction
    if interaction.channel not in REPLY_CHANNELS or interaction.direction != Direction.INBOUND:
        return
    if not (match := _DIGIT.fullmatch(interaction.text or "")):
        return
    since = interaction.occurred_at - timedelta(hours=settings.CSAT_REPLY_HOURS)
    survey = (
        CsatSurvey.objects.filter(
            customer_id=interaction.customer_id, channel=interaction.channel,
            sent_at__gte=since, sent_at__lte=interaction.occurred_at,
            answered_at__isnull=True,
        )
        .order_by("-sent_at", "-id")
        .first()
    )
    if survey is None:
        return
    do_answer_survey(survey, rating=int(match.group(1)))
    interaction.meta = {**(interaction.meta or {}), RATING_REPLY: survey.pk}
    interaction.save(update_fields=["meta"])
    if recorded.conversation_created:
        # Ingest does not continue a resolved conversation, so the digit opened a new
        # one: it asks nothing of an agent, so it is resolved at once (and, holding
        # rating replies only, gets no survey of its own).
        from conversations.actions.update import do_update_conversation

        do_update_conversation(recorded.conversation, by=None,
                               changes={"status": ConversationStatus.RESOLVED})
