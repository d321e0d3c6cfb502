"""Recording a parsed Twilio message through the pipeline, with what the message itself
means for us: a STOP/START keyword's consent, and media to fetch."""

from __future__ import annotations

from django.db import transaction

from channels_sms.optout import record_keyword
from channels_sms.parse import FETCHING, ParsedMessage, parse_message
from channels_sms.senders import sender_number
from channels_sms.tasks import fetch_media_task
from conversations.actions.ingest import do_record_inbound
from conversations.inbound import IngestResult
from conversations.models import Inbox
from jobs.outbox import enqueue_job
from omnidesk.fastsql import CompiledSelect
from spool.accept import spool_event
from spool.handlers import Payload, recorder
from twilio_common.inbox import twilio_inboxes

SPOOLED_MESSAGE = "twilio-message"

_INBOX = CompiledSelect(lambda pk: Inbox.objects.filter(pk=pk), (-5_300_017,))


def do_accept_message(parsed: ParsedMessage, params: dict[str, str]) -> None:
    """Spool the message (one INSERT); the drain records it with do_record_message. A
    retry while the first copy waits is not spooled twice."""
    event = parsed.event
    spool_event(
        SPOOLED_MESSAGE,
        {"inbox": event.inbox.pk, "params": params},
        sender_kind=event.sender_kind,
        sender_value=event.sender_value,
        dedupe_key=f"{event.inbox.pk}:{event.provider_id}",
    )


@recorder(SPOOLED_MESSAGE)
def record_spooled_message(payload: Payload) -> IngestResult:
    pk = payload["inbox"]
    # The cached copy; the table for an inbox deactivated since the webhook was accepted.
    inbox = next((i for i in twilio_inboxes() if i.pk == pk), None) or _INBOX.first(pk)
    if inbox is None:
        raise LookupError(f"inbox {pk} is gone")
    return do_record_message(parse_message(inbox, payload["params"]))


def do_record_message(parsed: ParsedMessage) -> IngestResult:
    """One transaction: the message and the consent it states are recorded together, or
    neither; a retried webhook (same MessageSid) changes nothing."""
    event = parsed.event
    # No savepoint of its own: inside a caller's transaction (the spool's drain), an
    # error here fails that transaction as a whole.
    with transaction.atomic(savepoint=False):
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
        if not event.attachments:
            return result
        for attachment_id in result.interaction.attachments.filter(note=FETCHING).values_list(
            "pk", flat=True
        ):
            enqueue_job(fetch_media_task, attachment_id)
    return result
