"""Recording a parsed Twilio message through the pipeline, with what the message itself
means for us: a STOP/START keyword's consent, and media to fetch."""

from __future__ import annotations

from django.db import transaction

from channels_sms.optout import record_keyword
from channels_sms.parse import FETCHING, ParsedMessage
from channels_sms.senders import sender_number
from channels_sms.tasks import fetch_media_task
from conversations.actions.ingest import do_record_inbound
from conversations.inbound import IngestResult
from jobs.outbox import enqueue_job


def do_record_message(parsed: ParsedMessage) -> IngestResult:
    """One transaction: the message and the consent it states are recorded together, or
    neither; a retried webhook (same MessageSid) changes nothing."""
    event = parsed.event
    with transaction.atomic():
        result = do_record_inbound(event)
        if not result.created:
            return result
        identity = result.interaction.author_identity
        if parsed.keyword and identity is not None:
            record_keyword(
                identity,
                parsed.keyword,
                channel=event.channel,
                scope=sender_number(event.inbox, event.channel),
            )
        for attachment_id in result.interaction.attachments.filter(note=FETCHING).values_list(
            "pk", flat=True
        ):
            enqueue_job(fetch_media_task, attachment_id)
    return result
