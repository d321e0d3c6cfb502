"""Composing messages the way a mail client does, and sending a queued reply with the
worker's own steps (claim, transport, mark sent) for tests that need no worker."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime

from django.utils import timezone

from channels_email.transport import EmailTransport
from conversations.actions.delivery import do_claim_for_sending, do_mark_sent
from conversations.models import Interaction


def compose(
    *,
    sender: str,
    to: str = "support@omnidesk.test",
    subject: str = "Hello",
    body: str = "Hello.",
    message_id: str,
    in_reply_to: str | None = None,
    references: str | None = None,
    cc: str | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    if cc:
        message["Cc"] = cc
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(timezone.now())
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes()


def send_now(interaction: Interaction) -> Interaction:
    """What send_interaction_task does, inline: for tests of what follows a send."""
    claimed = do_claim_for_sending(interaction.pk)
    assert claimed is not None
    do_mark_sent(interaction.pk, EmailTransport().send(claimed))
    return Interaction.objects.get(pk=interaction.pk)
