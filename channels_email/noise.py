"""Mail that no person wrote: auto-replies, bounces (DSNs), and mail loops.

Such mail is kept and recorded as such, but it never reopens a conversation, never
counts as the customer waiting, and never triggers an acknowledgement.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesHeaderParser, HeaderParser
from email.policy import compat32

from django.core.cache import caches

from channels_email import conf
from channels_email.headers import decode_header_text, message_ids, raw_headers
from channels_email.parse import ParsedEmail
from omnidesk.cache import UNREACHABLE, count_in_windows

_AUTO_SUBJECT = re.compile(
    r"^\s*(automatic reply|auto(matic)?[- ]?(reply|response|antwort)|autoreply|auto|"
    r"out of (the )?office|abwesenheitsnotiz|abwesend|réponse automatique|"
    r"respuesta automática|risposta automatica|automatisch antwoord|frånvaro|"
    r"fraværsmelding)\s*:",
    re.IGNORECASE,
)
_OUT_OF_OFFICE = re.compile(r"\bout of (the )?office\b", re.IGNORECASE)
_BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
_AUTO_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Reply")
_BOUNCE_SENDERS = re.compile(r"^(mailer-daemon|postmaster|mail-daemon)@", re.IGNORECASE)
_BOUNCE_SUBJECT = re.compile(
    r"(undeliver|delivery status notification|returned mail|mail delivery (failed|failure|"
    r"system)|delivery failure|failure notice|could not be delivered|nondeliverable)",
    re.IGNORECASE,
)


def auto_reply_reason(parsed: ParsedEmail, own_addresses: frozenset[str] = frozenset()) -> str:
    """Why this message is an automatic one (RFC 3834 and the de-facto headers), or "".

    `own_addresses`: our inboxes' addresses. A support address that is itself a
    mailing list (a Google Group) marks every customer's message "Precedence: list";
    that list is ours, not a bulk sender."""
    auto_submitted = parsed.header("Auto-Submitted").lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return f"Auto-Submitted: {auto_submitted}"
    for name in _AUTO_HEADERS:
        if parsed.has_header(name):
            return f"{name} header"
    for name in ("Precedence", "X-Precedence"):
        value = parsed.header(name).lower()
        if value in _BULK_PRECEDENCE and not (value == "list" and _our_list(parsed, own_addresses)):
            return f"{name}: {value}"
    if _AUTO_SUBJECT.match(parsed.subject) or _OUT_OF_OFFICE.search(parsed.subject):
        return "out-of-office subject"
    if _content_type(parsed.message) == "multipart/report":
        return "automatic report"
    return ""


def _our_list(parsed: ParsedEmail, own_addresses: frozenset[str]) -> bool:
    list_id = parsed.header("List-Id").lower()
    match = re.search(r"<([^<>\s]+)>", list_id)
    list_id = match.group(1) if match else list_id.strip()
    return bool(list_id) and list_id in {a.replace("@", ".", 1) for a in own_addresses}


@dataclass
class Bounce:
    original_message_id: str = ""
    failed: bool = True  # False for "delayed" warnings and success notices
    recipients: list[str] = field(default_factory=list)
    diagnostic: str = ""


def detect_bounce(parsed: ParsedEmail) -> Bounce | None:
    """A delivery status notification: standard (RFC 3464 multipart/report) or the
    free-form kind some servers still send from MAILER-DAEMON."""
    message = parsed.message
    is_dsn = (
        _content_type(message) == "multipart/report"
        and _param(message, "report-type") == "delivery-status"
    )
    sender = parsed.sender[1] if parsed.sender else ""
    if not is_dsn and not (
        _BOUNCE_SENDERS.match(sender) and _BOUNCE_SUBJECT.search(parsed.subject)
    ):
        return None
    bounce = Bounce(original_message_id=_original_message_id(message))
    statuses = _delivery_statuses(message)
    if statuses:
        failed = [s for s in statuses if s.get("action", "failed") == "failed"]
        bounce.failed = bool(failed)
        chosen = failed or statuses
        bounce.recipients = [s["recipient"] for s in chosen if s.get("recipient")]
        bounce.diagnostic = "; ".join(
            s.get("diagnostic") or s.get("status", "")
            for s in chosen
            if s.get("diagnostic") or s.get("status")
        )
    if not bounce.diagnostic:
        bounce.diagnostic = parsed.subject or "Delivery failed"
    return bounce


def _content_type(message: Message) -> str:
    try:
        return message.get_content_type().lower()
    except Exception:
        return ""


def _param(message: Message, name: str) -> str:
    try:
        value = message.get_param(name)
    except Exception:
        return ""
    return str(value).lower() if isinstance(value, str) else ""


def _walk(message: Message) -> list[Message]:
    try:
        return list(message.walk())
    except Exception:
        return [message]


def _original_message_id(message: Message) -> str:
    for part in _walk(message):
        ctype = _content_type(part)
        headers: Message | None = None
        if ctype == "message/rfc822":
            payload = part.get_payload()
            first = payload[0] if isinstance(payload, list) and payload else None
            headers = first if isinstance(first, Message) else None
        elif ctype == "text/rfc822-headers":
            headers = _header_block(part)
        if headers is not None:
            for raw in raw_headers(headers, "Message-ID"):
                ids = message_ids(raw)
                if ids:
                    return ids[0]
    # Free-form bounces quote the original headers in the body.
    for part in _walk(message):
        if _content_type(part).startswith("text/"):
            body = _payload_text(part)
            match = re.search(r"^\s*Message-ID:\s*(<[^<>\s]+>)", body, re.I | re.M)
            if match:
                return match.group(1)
    return ""


def _header_block(part: Message) -> Message:
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return BytesHeaderParser(policy=compat32).parsebytes(payload)
    return HeaderParser(policy=compat32).parsestr(str(part.get_payload()))


def _payload_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    return payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""


def _delivery_statuses(message: Message) -> list[dict[str, str]]:
    statuses: list[dict[str, str]] = []
    for part in _walk(message):
        if _content_type(part) != "message/delivery-status":
            continue
        payload = part.get_payload()
        blocks = payload if isinstance(payload, list) else []
        for block in blocks:
            if not isinstance(block, Message):
                continue
            recipient = _field(block, "Final-Recipient") or _field(block, "Original-Recipient")
            if not recipient:
                continue
            statuses.append(
                {
                    "recipient": recipient.split(";", 1)[-1].strip().lower(),
                    "action": _field(block, "Action").lower(),
                    "status": _field(block, "Status"),
                    "diagnostic": _field(block, "Diagnostic-Code").split(";", 1)[-1].strip(),
                }
            )
    return statuses


def _field(block: Message, name: str) -> str:
    values = raw_headers(block, name)
    return " ".join(decode_header_text(values[0]).split()) if values else ""


# --- Mail loops ---------------------------------------------------------------------


@dataclass(frozen=True)
class LoopCount:
    """One message counted against its sender's loop limit."""

    key: str  # "" when nothing was counted (no limit, or Redis unreachable)
    over: bool  # the sender is over the limit within the current window


def count_for_loop_limit(sender: str) -> LoopCount:
    """Count one message from `sender`. Over the limit, the message is still kept; only
    automatic reactions stop."""
    return count_for_loop_limits([sender])[0]


def count_for_loop_limits(senders: list[str]) -> list[LoopCount]:
    """count_for_loop_limit of several messages in one round trip, in order (a sender's
    second message counts after their first)."""
    limit, window = conf.rate_limit(), conf.rate_window()
    if limit <= 0 or window <= 0:
        return [LoopCount("", over=False) for _ in senders]
    bucket = int(time.time()) // window
    keys = [f"channels_email:rate:{hashlib.sha256(sender.encode()).hexdigest()[:32]}:{bucket}"
            for sender in senders]
    # With Redis down no sender is counted over the limit (its automatic reactions go
    # on, as with the counter expired).
    counts = count_in_windows(keys, window * 2)
    if counts is None:
        return [LoopCount("", over=False) for _ in senders]
    return [LoopCount(key, over=count > limit) for key, count in zip(keys, counts, strict=True)]


def uncount(counted: LoopCount) -> None:
    """Take back a count: the message was a provider's redelivery of one already recorded
    (found out only when recording it), and a retry is no loop. Best effort: an expired
    counter or Redis down leaves nothing to take back."""
    if not counted.key:
        return
    try:
        caches["default"].decr(counted.key)
    except (ValueError, *UNREACHABLE):
        pass
