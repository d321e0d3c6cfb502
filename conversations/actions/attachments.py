"""Filling in an attachment after the fact: bytes a worker fetched from a provider
(Twilio MMS media) or the reason it could not keep them."""

from __future__ import annotations

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from conversations.models import Attachment
from conversations.notify import notify_interaction


def _locked(attachment_id: int) -> Attachment:
    return (
        Attachment.objects.select_for_update(no_key=True, of=("self",))
        .select_related("interaction__conversation")
        .get(pk=attachment_id)
    )


def do_store_attachment_content(
    attachment_id: int, content: bytes, *, content_type: str = ""
) -> Attachment:
    """Keep `content` as the attachment's file, unless it is over the size limit (then
    only the note and size say so). Storing twice keeps the first file: a retried
    fetch task must not leave two copies behind."""
    with transaction.atomic():
        attachment = _locked(attachment_id)
        if attachment.file:
            return attachment
        limit = settings.OMNIDESK_ATTACHMENT_MAX_BYTES
        attachment.size = len(content)
        if len(content) > limit:
            attachment.note = (
                f"Not kept: {_size(len(content))} is over the limit of {_size(limit)}."
            )
        else:
            attachment.file.save(attachment.name, ContentFile(content), save=False)
            attachment.note = ""
        if content_type:
            attachment.content_type = content_type[:255]
        attachment.save()
        notify_interaction(attachment.interaction, created=False)
    return attachment


def do_note_attachment_unavailable(attachment_id: int, note: str) -> Attachment:
    """Say why the bytes are missing (the fetch failed for good); a stored file wins."""
    with transaction.atomic():
        attachment = _locked(attachment_id)
        if attachment.file:
            return attachment
        attachment.note = note[:255]
        attachment.save(update_fields=["note"])
        notify_interaction(attachment.interaction, created=False)
    return attachment


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
