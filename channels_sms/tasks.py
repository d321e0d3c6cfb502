"""Workers of the SMS channel: fetching MMS / WhatsApp media to storage."""

from __future__ import annotations

import logging

from celery import Task, shared_task

from channels_sms import conf
from conversations.actions.attachments import (
    do_note_attachment_unavailable,
    do_store_attachment_content,
)
from conversations.models import Attachment
from conversations.transports import TransportError
from twilio_common import conf as twilio_conf
from twilio_common.media import MediaTooLarge, download_media, next_try_in
from twilio_common.renamed_tasks import forward_old_name

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=None)
def fetch_media_task(self: Task, attachment_id: int) -> str:
    """Download one attachment's media from Twilio into storage. Idempotent: a stored
    file is never fetched again. Temporary failures retry with back-off; anything else,
    or running out of retries, leaves a note on the attachment saying why."""
    attachment = (
        Attachment.objects.select_related("interaction__inbox").filter(pk=attachment_id).first()
    )
    if attachment is None or attachment.file:
        return "skipped"
    interaction = attachment.interaction
    source = next(
        (m for m in interaction.meta.get("media", []) if m.get("name") == attachment.name), None
    )
    if source is None or interaction.inbox is None:
        do_note_attachment_unavailable(attachment_id, "Not fetched: the media URL is unknown.")
        return "failed"
    try:
        media = download_media(
            interaction.inbox, source["url"], max_bytes=twilio_conf.attachment_max_bytes()
        )
    except MediaTooLarge as exc:
        do_note_attachment_unavailable(attachment_id, f"Not kept: {exc.message}.")
        return "too large"
    except TransportError as exc:
        retries = self.request.retries or 0
        delay = next_try_in(exc, retries, max_retries=conf.media_fetch_retries(),
                            first_delay=conf.media_retry_seconds())
        if delay is not None:
            raise self.retry(countdown=delay) from exc
        if exc.permanent:
            note = f"Could not fetch the media from Twilio: {exc.message}"
        else:
            logger.warning("giving up on media of attachment %s: %s", attachment_id, exc)
            note = f"Could not fetch the media from Twilio after {retries + 1} tries: {exc.message}"
        do_note_attachment_unavailable(attachment_id, note)
        return "failed"
    content_type = media.content_type or source.get("content_type", "")
    do_store_attachment_content(attachment_id, media.content, content_type=content_type)
    return "stored"


# Its name before SMS moved out of channels_voice (see twilio_common.renamed_tasks).
forward_old_name("channels_voice.messaging.tasks.fetch_media_task", fetch_media_task)
