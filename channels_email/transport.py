"""Sending an outbound email interaction through anymail (any ESP backend, or SMTP).

From is the inbox, To the recipient the reply was queued for, Cc the conversation's
participants, Bcc whatever the agent added; the body carries the inbox's signature and
the interaction's attachments; the threading headers make the customer's client file
it in the same thread and their reply come back to the same conversation.
"""

from __future__ import annotations

import html as html_lib
import smtplib
from email.utils import formataddr
from typing import Any

from anymail.exceptions import (
    AnymailAPIError,
    AnymailError,
    AnymailInvalidAddress,
    AnymailRecipientsRefused,
    AnymailUnsupportedFeature,
)
from anymail.message import AnymailMessage
from anymail.utils import UNSET
from django.core.mail import get_connection

from channels_email import conf
from channels_email.config import inbox_addresses
from channels_email.recipients import email_inboxes, our_addresses
from channels_email.threading import (
    message_id_for,
    omnidesk_token,
    outbound_thread_headers,
    reply_address,
    reply_subject,
    tagged_subject,
)
from conversations.models import Conversation, Direction, Inbox, Interaction
from conversations.transports import ProviderResult, TransportError
from customers.identities import InvalidIdentity, normalize_email

METADATA_KEY = "omnidesk_interaction"


class EmailTransport:
    def check_reply(
        self, *, conversation: Conversation, inbox: Inbox, recipient: str, meta: dict[str, Any]
    ) -> None:
        if not inbox.address:
            raise TransportError(f"The inbox {inbox.name} has no email address.", permanent=True)
        _valid_addresses([recipient, *_listed(meta, "cc"), *_listed(meta, "bcc")])

    def send(self, interaction: Interaction) -> ProviderResult:
        inbox = interaction.inbox
        if inbox is None or not inbox.address:
            raise TransportError("No email inbox to send from.", permanent=True)
        message = build_message(interaction, inbox)
        message.connection = get_connection(
            (inbox.config or {}).get("email_backend") or None, fail_silently=False
        )
        _deliver(message)
        status = message.anymail_status
        esp_ids = status.message_id
        meta: dict[str, Any] = {
            "message_id": message.extra_headers["Message-ID"],
            "esp_name": getattr(message.connection, "esp_name", ""),
            "esp_message_id": "" if esp_ids is None or isinstance(esp_ids, set) else str(esp_ids),
            "cc": list(message.cc),
        }
        if isinstance(esp_ids, set):
            meta["esp_message_ids"] = sorted(str(esp_id) for esp_id in esp_ids)
        if message.bcc:
            meta["bcc"] = list(message.bcc)
        return ProviderResult(provider_id=meta["message_id"], status="sent", meta=meta)


def build_message(interaction: Interaction, inbox: Inbox) -> AnymailMessage:
    conversation = interaction.conversation
    config = inbox.config or {}
    domain = inbox.address.rpartition("@")[2] or conf.inbound_domain()
    to = str(interaction.meta.get("to") or "")
    _valid_addresses([to])
    in_reply_to, references = outbound_thread_headers(interaction)
    headers = {
        "Message-ID": message_id_for(interaction.pk, domain),
        "X-Omnidesk": omnidesk_token(interaction.pk),
    }
    if in_reply_to:
        headers["In-Reply-To"] = in_reply_to
        headers["References"] = " ".join(references)
    if interaction.meta.get("automatic"):
        # RFC 3834: tell other responders not to answer this one.
        headers["Auto-Submitted"] = "auto-replied"
        headers["X-Auto-Response-Suppress"] = "All"
    text, html = _bodies(interaction, str(config.get("signature") or ""))
    message = AnymailMessage(
        subject=_subject(interaction, conversation, inbox, bool(in_reply_to)),
        body=text,
        from_email=formataddr((str(config.get("from_name") or inbox.name), inbox.address)),
        to=[to],
        cc=_cc(interaction, conversation, to),
        bcc=_listed(interaction.meta, "bcc"),
        reply_to=[reply_address(conversation)],
        headers=headers,
    )
    if html:
        message.attach_alternative(html, "text/html")
    for attachment in interaction.attachments.all():
        if attachment.file:
            with attachment.file.open("rb") as handle:
                message.attach(attachment.name, handle.read(), attachment.content_type)
    message.metadata = {METADATA_KEY: str(interaction.pk)}
    return message


def _subject(
    interaction: Interaction, conversation: Conversation, inbox: Inbox, reply: bool
) -> str:
    subject = (interaction.subject or conversation.subject or "").strip()
    # An automatic message's subject is the admin's template, exactly.
    if reply and not interaction.meta.get("automatic"):
        subject = reply_subject(subject)
    if not subject:
        subject = f"Your conversation with {inbox.name}"
    return tagged_subject(subject, conversation.pk)


def _bodies(interaction: Interaction, signature: str) -> tuple[str, str]:
    text, html = interaction.text, interaction.html
    if signature:
        text = f"{text.rstrip()}\n\n-- \n{signature}"
        if html:
            signature_html = html_lib.escape(signature).replace("\n", "<br>\n")
            html = f'{html}\n<div class="signature">-- <br>\n{signature_html}</div>'
    return text, html


def _cc(interaction: Interaction, conversation: Conversation, to: str) -> list[str]:
    ours = our_addresses(email_inboxes())
    if interaction.inbox is not None:
        ours |= set(inbox_addresses(interaction.inbox))
    cc: list[str] = []
    automatic = bool(interaction.meta.get("automatic"))
    participants = [] if automatic else list(conversation.participants or [])
    # A reply to a participant (someone in Cc who wrote last) keeps the customer in copy.
    customer = "" if automatic else _customer_address(conversation)
    for address in [customer, *participants, *_listed(interaction.meta, "cc")]:
        address = address.strip().lower()
        if address and address != to and address not in ours and address not in cc:
            cc.append(address)
    return cc


def _customer_address(conversation: Conversation) -> str:
    """The customer's address in this conversation: the one they last wrote from."""
    used = (
        Interaction.objects.filter(
            conversation=conversation,
            channel="email",
            direction=Direction.INBOUND,
            author_identity__customer_id=conversation.customer_id,
            author_identity__kind="email",
        )
        .order_by("-occurred_at", "-id")
        .values_list("author_identity__value", flat=True)
        .first()
    )
    return used or ""


def _listed(meta: dict[str, Any], key: str) -> list[str]:
    value = meta.get(key) or []
    if isinstance(value, str):
        value = value.split(",")
    return [str(item).strip() for item in value if str(item).strip()]


def _valid_addresses(addresses: list[str]) -> None:
    for address in addresses:
        try:
            normalize_email(address)
        except InvalidIdentity:
            raise TransportError(f"{address!r} is not an email address.", permanent=True) from None


def _deliver(message: AnymailMessage) -> None:
    try:
        try:
            message.send()
        except AnymailUnsupportedFeature:
            # The ESP cannot carry metadata; nothing was sent yet, so send without it
            # (tracking then finds the message by its ESP id).
            message.metadata = UNSET
            message.send()
    except (AnymailRecipientsRefused, AnymailInvalidAddress) as exc:
        raise TransportError(_describe(exc), permanent=True) from exc
    except AnymailAPIError as exc:
        status = exc.status_code
        temporary = status is None or status >= 500 or status == 429
        raise TransportError(_describe(exc), permanent=not temporary) from exc
    except AnymailError as exc:
        raise TransportError(_describe(exc), permanent=True) from exc
    except smtplib.SMTPRecipientsRefused as exc:
        raise TransportError(f"Recipients refused: {exc.recipients}", permanent=True) from exc
    except smtplib.SMTPResponseException as exc:
        temporary = exc.smtp_code < 500
        raise TransportError(
            f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", permanent=not temporary
        ) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise TransportError(f"Mail server unreachable: {exc}", permanent=False) from exc


def _describe(exc: Exception) -> str:
    try:
        return str(exc)
    except Exception:  # anymail's str() reads the ESP response, which may be missing
        return str(exc.args[0]) if exc.args else exc.__class__.__name__
