"""Agent replies: recorded as queued interactions, sent by a worker after commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from conversations import hooks
from conversations.channels import channel_spec, find_channel
from conversations.models import (
    Attachment,
    Conversation,
    Direction,
    Inbox,
    Interaction,
    InteractionKind,
    Status,
)
from conversations.notify import (
    conversation_event,
    interaction_event,
    notify,
    notify_interaction,
)
from conversations.preview import apply_preview, author_name, preview_text
from conversations.sanitize import sanitize_html
from conversations.transports import TransportError, check_reply, has_transport
from customers.models import Identity
from jobs.outbox import enqueue_job


class ReplyError(ValueError):
    """The reply cannot go out as asked; the message says why, for the agent."""


@dataclass(frozen=True)
class OutgoingFile:
    """A file an agent attaches to a reply."""

    name: str
    content_type: str
    content: bytes


# Types a browser may not be handed back as they are, and that providers refuse.
REFUSED_ATTACHMENT_TYPES = frozenset({
    "application/x-msdownload", "application/x-msdos-program", "application/x-sh",
    "application/x-executable", "application/vnd.microsoft.portable-executable",
})
REFUSED_ATTACHMENT_SUFFIXES = (".exe", ".bat", ".cmd", ".com", ".msi", ".scr", ".js", ".vbs")
MAX_REPLY_ATTACHMENTS = 10


def check_outgoing_files(files: Sequence[OutgoingFile]) -> None:
    """ReplyError naming the first file that may not go out (size, type, count)."""
    if len(files) > MAX_REPLY_ATTACHMENTS:
        raise ReplyError(f"Attach at most {MAX_REPLY_ATTACHMENTS} files to one reply.")
    limit = settings.OMNIDESK_ATTACHMENT_MAX_BYTES
    total = 0
    for item in files:
        name = item.name.strip() or "attachment"
        if len(item.content) > limit:
            raise ReplyError(f"{name} is {_megabytes(len(item.content))}; the limit is "
                             f"{_megabytes(limit)} a file.")
        if (item.content_type.lower() in REFUSED_ATTACHMENT_TYPES
                or name.lower().endswith(REFUSED_ATTACHMENT_SUFFIXES)):
            raise ReplyError(f"{name}: programs and scripts cannot be sent as attachments.")
        total += len(item.content)
    if total > limit:
        raise ReplyError(f"The attachments add up to {_megabytes(total)}; the limit is "
                         f"{_megabytes(limit)} a reply.")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _store_attachments(reply: Interaction, files: Sequence[OutgoingFile]) -> list[Attachment]:
    stored = []
    for item in files:
        attachment = Attachment(
            interaction=reply,
            name=(item.name.strip() or "attachment")[:255],
            content_type=(item.content_type or "application/octet-stream")[:255],
            size=len(item.content),
        )
        attachment.file.save(attachment.name, ContentFile(item.content), save=False)
        attachment.save()
        stored.append(attachment)
    return stored


def do_send_reply(
    *,
    conversation: Conversation,
    author: User,
    text: str,
    html: str = "",
    channel: str | None = None,
    subject: str = "",
    meta: dict[str, object] | None = None,
    attachments: Sequence[OutgoingFile] = (),
) -> Interaction:
    """Queue a reply on `channel` (default: the channel of the last inbound), with
    `attachments` (files the agent uploaded, checked by check_outgoing_files)."""
    from conversations.tasks import send_interaction_task

    if not text.strip() and not html.strip():
        raise ReplyError("A reply needs some text.")
    check_outgoing_files(attachments)
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update(no_key=True).get(pk=conversation.pk)
        channel = channel or _default_channel(conversation)
        if not channel:
            raise ReplyError("This conversation has no inbound channel yet; choose one.")
        if not has_transport(channel):
            raise ReplyError(f"Replies on the {channel} channel are not available.")
        inbox = _reply_inbox(conversation, channel)
        recipient = _recipient(conversation, channel, inbox)
        try:
            check_reply(
                channel,
                conversation=conversation,
                inbox=inbox,
                recipient=recipient.value,
                meta=dict(meta or {}),
            )
        except TransportError as exc:
            raise ReplyError(exc.message) from exc
        now = timezone.now()
        reply = new_outbound(
            conversation,
            inbox=inbox,
            channel=channel,
            recipient=recipient,
            author=author,
            text=text,
            html=html,
            subject=subject or _reply_subject(conversation),
            status=Status.QUEUED,
            meta=meta,
            at=now,
        )
        stored = _store_attachments(reply, attachments)
        _mark_answered(conversation, channel, now, reply)
        notify(interaction_event(reply, attachments=stored), conversation_event(conversation))
        enqueue_job(send_interaction_task, reply.pk)
        hooks.run_after_reply(conversation.pk, reply.pk)
    return reply


def do_record_sent_reply(
    *,
    conversation: Conversation,
    author: User,
    text: str,
    channel: str,
    at: datetime,
    provider_id: str | None = None,
    status: str = Status.DELIVERED,
) -> Interaction:
    """A reply that went out outside omnidesk (imported history, demo data): recorded
    with the same response-time bookkeeping as do_send_reply, nothing queued."""
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update(no_key=True).get(pk=conversation.pk)
        inbox = _reply_inbox(conversation, channel)
        reply = new_outbound(
            conversation,
            inbox=inbox,
            channel=channel,
            recipient=_recipient(conversation, channel, inbox),
            author=author,
            text=text,
            subject=_reply_subject(conversation),
            status=status,
            provider_id=provider_id,
            at=at,
        )
        _mark_answered(conversation, channel, at, reply)
        notify(interaction_event(reply), conversation_event(conversation))
        hooks.run_after_reply(conversation.pk, reply.pk)
    return reply


def new_outbound(
    conversation: Conversation,
    *,
    inbox: Inbox,
    channel: str,
    recipient: Identity | str,
    text: str,
    at: datetime,
    status: str,
    author: User | None = None,
    html: str = "",
    subject: str = "",
    provider_id: str | None = None,
    meta: dict[str, object] | None = None,
) -> Interaction:
    """The outbound message row every kind of reply writes (inside the caller's
    transaction). `recipient` is an Identity, or a bare normalized value."""
    to = {"to": recipient} if isinstance(recipient, str) else {
        "to": recipient.value, "to_identity_id": recipient.pk
    }
    return Interaction.objects.create(
        conversation=conversation,
        customer_id=conversation.customer_id,
        inbox=inbox,
        channel=channel,
        direction=Direction.OUTBOUND,
        kind=InteractionKind.MESSAGE,
        author_agent=author,
        text=text,
        html=sanitize_html(html),
        subject=subject[:500],
        provider_id=provider_id,
        status=status,
        meta={**(meta or {}), **to},
        occurred_at=at,
    )


def _default_channel(conversation: Conversation) -> str:
    """The channel the customer last used, or its written counterpart (a call cannot
    carry a written reply; the caller's phone can take a text)."""
    channel = conversation.last_inbound_channel
    spec = find_channel(channel)
    fallback = spec.written_fallback if spec is not None else None
    if fallback and not has_transport(channel) and has_transport(fallback):
        return fallback
    return channel


def _reply_inbox(conversation: Conversation, channel: str) -> Inbox:
    last_inbox = conversation.last_inbound_inbox
    if last_inbox is not None and conversation.last_inbound_channel == channel:
        return last_inbox
    used = (
        Interaction.objects.filter(
            conversation=conversation, channel=channel, inbox__isnull=False, inbox__is_active=True
        )
        .order_by("-occurred_at")
        .values_list("inbox_id", flat=True)
        .first()
    )
    if used is not None:
        return Inbox.objects.get(pk=used)
    candidates = Inbox.objects.filter(
        kind=channel_spec(channel).inbox_kind, is_active=True
    ).order_by("id")
    chosen = (
        candidates.filter(team=conversation.team).first() if conversation.team_id else None
    ) or candidates.first()
    if chosen is None:
        raise ReplyError(f"No active {channel} inbox is configured.")
    return chosen


def _recipient(conversation: Conversation, channel: str, inbox: Inbox) -> Identity:
    """Who the reply addresses: the identity that last wrote on this channel, else one
    of the customer's identities of the channel's kind."""
    last_author = (
        Interaction.objects.filter(
            conversation=conversation,
            channel=channel,
            direction=Direction.INBOUND,
            author_identity__isnull=False,
        )
        .order_by("-occurred_at", "-id")
        .values_list("author_identity_id", flat=True)
        .first()
    )
    if last_author is not None:
        identity = Identity.objects.filter(pk=last_author).first()
        if identity is not None:
            return identity
    kind = channel_spec(channel).identity_kind
    identities = Identity.objects.filter(customer_id=conversation.customer_id)
    if kind:
        identities = identities.filter(kind=kind)
    identity = identities.order_by("-verified", "id").first()
    if identity is None:
        raise ReplyError(
            f"The customer has no {kind or channel} identity to reply to on {channel}."
        )
    return identity


def _reply_subject(conversation: Conversation) -> str:
    subject = conversation.subject.strip()
    if subject and not subject.lower().startswith("re:"):
        return f"Re: {subject}"
    return subject


def _mark_answered(
    conversation: Conversation, channel: str, at: datetime, reply: Interaction
) -> None:
    apply_preview(conversation, preview_text(
        kind=reply.kind, direction=reply.direction, text=reply.text, html=reply.html,
        subject=reply.subject, author=author_name(reply.author_agent),
    ), at)
    if channel not in conversation.channels:  # the "used channel" filter reads it
        conversation.channels = [*conversation.channels, channel]
    conversation.first_response_at = conversation.first_response_at or at
    conversation.last_response_at = at
    conversation.awaiting_since = None
    conversation.awaiting_channel = ""
    conversation.next_response_due_at = None
    conversation.last_activity_at = at
    conversation.save()
    hooks.run_after_change(conversation)


RETRYABLE = frozenset({Status.FAILED})


def do_retry_reply(interaction: Interaction, *, by: User) -> Interaction:
    """Send a failed reply again, as an agent decided (a worker never resends a failure
    by itself: it may have reached the customer). The channel's check runs again first,
    so an opted-out number or a closed WhatsApp window refuses with its reason."""
    from conversations.tasks import send_interaction_task

    with transaction.atomic():
        reply = (
            Interaction.objects.select_for_update(no_key=True, of=("self",))
            .select_related("conversation", "inbox")
            .get(pk=interaction.pk)
        )
        if reply.direction != Direction.OUTBOUND or reply.kind != InteractionKind.MESSAGE:
            raise ReplyError("Only a reply can be sent again.")
        if reply.status not in RETRYABLE:
            raise ReplyError(f"This reply is {reply.status}, not failed: nothing to retry.")
        if reply.inbox is None or not has_transport(reply.channel):
            raise ReplyError(f"Replies on the {reply.channel} channel are not available.")
        try:
            check_reply(reply.channel, conversation=reply.conversation, inbox=reply.inbox,
                        recipient=str(reply.meta.get("to") or ""), meta=dict(reply.meta))
        except TransportError as exc:
            raise ReplyError(exc.message) from exc
        reply.status = Status.QUEUED
        reply.error = ""
        reply.send_attempts = 0
        reply.meta = {**reply.meta, "retried_by": by.pk, "retried_at": timezone.now().isoformat()}
        reply.save(update_fields=["status", "error", "send_attempts", "meta", "updated_at"])
        notify_interaction(reply, created=False)
        enqueue_job(send_interaction_task, reply.pk)
    return reply
