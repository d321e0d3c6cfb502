"""Workers of the Twilio messaging channel: fetching MMS / WhatsApp media to storage."""

from __future__ import annotations

import logging

import requests
from celery import Task, shared_task

from channels_voice.messaging import conf
from channels_voice.messaging.rest import fetch_media
from conversations.actions.attachments import (
    do_note_attachment_unavailable,
    do_store_attachment_content,
)
from conversations.models import Attachment, Inbox

logger = logging.getLogger(__name__)


class _Temporary(Exception):
    """Worth another try: Twilio answered 5xx or 429, or could not be reached."""


class _Permanent(Exception):
    """Another try would get the same answer (404, 403…)."""


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
        content, content_type = _download(interaction.inbox, source["url"])
    except _Temporary as exc:
        retries = self.request.retries or 0
        if retries < conf.media_fetch_retries():
            raise self.retry(countdown=conf.media_retry_seconds() * 2**retries) from exc
        logger.warning("giving up on media of attachment %s: %s", attachment_id, exc)
        do_note_attachment_unavailable(
            attachment_id, f"Could not fetch the media from Twilio after {retries + 1} tries: {exc}"
        )
        return "failed"
    except _Permanent as exc:
        do_note_attachment_unavailable(
            attachment_id, f"Could not fetch the media from Twilio: {exc}"
        )
        return "failed"
    do_store_attachment_content(
        attachment_id, content, content_type=content_type or source.get("content_type", "")
    )
    return "stored"


def _download(inbox: Inbox, url: str) -> tuple[bytes, str]:
    try:
        media = fetch_media(inbox, url)
    except requests.RequestException as exc:
        raise _Temporary(f"connection failed ({exc.__class__.__name__})") from exc
    if media.status == 429 or media.status >= 500:
        raise _Temporary(f"HTTP {media.status}")
    if media.status >= 400:
        raise _Permanent(f"HTTP {media.status}")
    return media.content, media.content_type
