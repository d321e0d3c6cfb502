"""django-anymail's webhooks, for every ESP it supports, mounted at /anymail/.

anymail verifies each request (the WEBHOOK_SECRET basic auth, plus the ESP's own
signature where it has one) and parses the ESP's payload; these receivers of its
`inbound` and `tracking` signals hand the result to omnidesk:

- inbound: the message's bytes go to the inbound spool (channels_email.spooled; with
  OMNIDESK_SPOOL off, straight to receive_raw_email). A message that could not be kept
  (no inbox for it; the spool or the database down) raises, so anymail answers 500 and
  the ESP delivers it again later.
- tracking: the outbound interaction is found by the metadata we attach when sending
  (METADATA_KEY), else by the event's message id as our RFC Message-ID (Mailgun, SES
  report that), else by the ESP's own message id stored in meta["esp_message_id"];
  its status moves through do_update_delivery, never backwards.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from email import encoders, policy
from email.message import Message
from typing import Any

from anymail.signals import AnymailInboundEvent, AnymailTrackingEvent, EventType

from channels_email.receive import receive_raw_email
from channels_email.spooled import spool_raw_email
from channels_email.threading import storable_id
from channels_email.transport import METADATA_KEY
from conversations.actions.delivery import do_update_delivery
from conversations.models import Direction, Interaction, Status
from spool import conf as spool_conf

logger = logging.getLogger(__name__)

# anymail's normalized event types -> our delivery statuses. Deferred, clicked and
# the rest say nothing new about delivery.
TRACKING_STATUS = {
    EventType.QUEUED: Status.SENT,
    EventType.SENT: Status.SENT,
    EventType.DELIVERED: Status.DELIVERED,
    EventType.OPENED: Status.OPENED,
    EventType.CLICKED: Status.OPENED,
    EventType.BOUNCED: Status.BOUNCED,
    EventType.COMPLAINED: Status.COMPLAINED,
    EventType.REJECTED: Status.FAILED,
    EventType.FAILED: Status.FAILED,
}


class RetryLater(Exception):
    """Raised by our receivers so that anymail answers 500 and the ESP delivers again.
    Any other exception comes from anymail's parsing of the payload: see
    channels_email.webhook_guard."""


class InboundNotKept(RetryLater):
    """The message could not be recorded."""


class TrackingTooEarly(RetryLater):
    """The event arrived before the send was recorded."""


class UnusableInbound(Exception):
    """anymail built the message from fields of the wrong JSON types (a dict where a
    string belongs, say): the payload is at fault, so the answer is 400 and the ESP does
    not deliver it again."""


def _or_retry_later(
    handle: Callable[[Any, str], None], event: Any, esp_name: str, failure: type[RetryLater]
) -> None:
    """Any error of ours becomes a RetryLater, so the ESP delivers the event again."""
    try:
        handle(event, esp_name)
    except (RetryLater, UnusableInbound):
        raise
    except Exception as exc:
        raise failure(f"{esp_name} {event.event_type} failed: {exc!r}") from exc


def handle_inbound(sender: Any, event: AnymailInboundEvent, esp_name: str, **kwargs: Any) -> None:
    _or_retry_later(_handle_inbound, event, esp_name, InboundNotKept)


def _handle_inbound(event: AnymailInboundEvent, esp_name: str) -> None:
    message = event.message
    if message is None:
        return
    check_field_types(event, message)
    _complete_headers(message, event, esp_name)
    encode_binary_parts(message)
    raw, source = message_bytes(message), f"anymail:{esp_name}"
    outcome = (spool_raw_email(raw, source=source) if spool_conf.enabled()
               else receive_raw_email(raw, source=source))
    logger.info("%s inbound %s: %s", esp_name, outcome.message_id, outcome.reason)
    if not outcome.kept:
        raise InboundNotKept(outcome.reason)


def check_field_types(event: AnymailInboundEvent, message: Message) -> None:
    """What anymail copied from the ESP's JSON without looking: the ids we read must be
    strings, every leaf part's body a string (or bytes), every header a string."""
    for name, value in (
        ("event_id", getattr(event, "event_id", None)),
        ("envelope_recipient", getattr(message, "envelope_recipient", None)),
    ):
        if value is not None and not isinstance(value, str):
            raise UnusableInbound(f"{name} is a {type(value).__name__}, not a string")
    for part in _parts(message):
        for header, value in part.raw_items():
            if not isinstance(header, str) or not isinstance(value, str):
                raise UnusableInbound(f"header {header!r} is a {type(value).__name__}")
        payload = part.get_payload()
        if isinstance(payload, list):
            if not all(isinstance(child, Message) for child in payload):
                raise UnusableInbound("a multipart holds something other than parts")
        elif payload is not None and not isinstance(payload, str | bytes):
            raise UnusableInbound(f"a {part.get_content_type()} body is a "
                                  f"{type(payload).__name__}, not text")


def _parts(message: Message) -> list[Message]:
    """Every part, without recursion."""
    found, pending = [], [message]
    while pending:
        part = pending.pop()
        found.append(part)
        payload = part.get_payload()
        if isinstance(payload, list):
            pending.extend(child for child in payload if isinstance(child, Message))
    return found


def encode_binary_parts(message: Message) -> None:
    """anymail builds attachments of parsed-field ESPs (Postmark, Mailjet, SendGrid's
    default post, ...) as raw bytes without a transfer encoding; serialized like that,
    every CR and LF in them is rewritten and the file comes back corrupted. Such parts
    are base64-encoded first."""
    for part in _parts(message):
        payload = part.get_payload()
        if not isinstance(payload, str):
            continue
        encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
        if encoding not in ("", "7bit", "8bit", "binary"):
            continue
        textual = part.get_content_maintype() == "text"
        if textual and payload.isascii() and "\r" not in payload:
            continue
        data = part.get_payload(decode=True)
        del part["Content-Transfer-Encoding"]
        part.set_payload(data if isinstance(data, bytes) else b"")
        encoders.encode_base64(part)


def _complete_headers(message: Message, event: AnymailInboundEvent, esp_name: str) -> None:
    # ESPs that post parsed fields may drop the Message-ID; the ESP's event id is the
    # next best stable id (a retry of the same delivery carries the same one).
    if "Message-ID" not in message:
        domain = f"{esp_name.lower().replace(' ', '-')}.anymail.invalid"
        message["Message-ID"] = f"<{event.event_id or _content_digest(message)}@{domain}>"
    # The envelope recipient chooses the inbox when the headers do not name it (Bcc).
    recipient = getattr(message, "envelope_recipient", None)
    if recipient and "Delivered-To" not in message and "X-Original-To" not in message:
        message["X-Original-To"] = recipient


def _content_digest(message: Message) -> str:
    """Without an id from the ESP either: a digest of what the sender wrote. (The bytes
    of a message anymail rebuilt from parsed fields differ on every retry: its MIME
    boundaries are random.)"""
    parts = [str(message.get(name, "")) for name in ("From", "To", "Cc", "Subject", "Date")]
    text = getattr(message, "text", None) or ""
    html = getattr(message, "html", None) or ""
    digest = hashlib.sha256("\x1f".join([*parts, text, html]).encode("utf-8", "replace"))
    return digest.hexdigest()[:40]


def message_bytes(message: Message) -> bytes:
    """The message as RFC 822 bytes (anymail nests it at most mime_depth.MAX_DEPTH
    levels, which the serializer handles); UnusableInbound when no serializer can."""
    for attempt in (
        lambda: message.as_bytes(),
        lambda: message.as_bytes(policy=policy.compat32),
        lambda: message.as_string(policy=policy.compat32).encode("utf-8", "surrogateescape"),
    ):
        try:
            return attempt()
        except Exception:  # noqa: S112 - fall through to a more lenient serializer
            continue
    raise UnusableInbound("the message anymail built cannot be serialized")


def handle_tracking(sender: Any, event: AnymailTrackingEvent, esp_name: str, **kwargs: Any) -> None:
    _or_retry_later(_handle_tracking, event, esp_name, RetryLater)


def _handle_tracking(event: AnymailTrackingEvent, esp_name: str) -> None:
    status = TRACKING_STATUS.get(event.event_type)
    if status is None:
        return
    interaction = find_tracked_interaction(event)
    if interaction is None:
        logger.info(
            "%s %s event for unknown message %s", esp_name, event.event_type, event.message_id
        )
        return
    if interaction.inbox is None or not interaction.provider_id:
        raise TrackingTooEarly(f"interaction {interaction.pk} is not recorded as sent yet")
    error = ""
    if status in (Status.BOUNCED, Status.FAILED, Status.COMPLAINED):
        error = str(event.description or event.mta_response or event.reject_reason or status)
    do_update_delivery(
        interaction.inbox,
        interaction.provider_id,
        status,
        error=error[:2000],
        meta={"esp_event": f"{esp_name}:{event.event_type}"},
    )


def find_tracked_interaction(event: AnymailTrackingEvent) -> Interaction | None:
    outbound = Interaction.objects.filter(direction=Direction.OUTBOUND, channel="email")
    metadata = event.metadata if isinstance(event.metadata, dict) else {}
    tagged = str(metadata.get(METADATA_KEY, ""))
    if tagged.isdigit():
        found = outbound.filter(pk=int(tagged)).select_related("inbox").first()
        if found is not None:
            return found
    message_id = str(event.message_id or "").strip()
    if not message_id:
        return None
    if message_id.startswith("<"):
        found = outbound.filter(provider_id=storable_id(message_id)).select_related("inbox").first()
        if found is not None:
            return found
    return outbound.filter(meta__esp_message_id=message_id).select_related("inbox").first()
