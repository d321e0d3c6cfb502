"""Raw RFC 822 bytes -> ParsedEmail: addresses, threading ids, text, HTML, attachments.

Real mail is often broken (missing or duplicate headers, bad boundaries, unknown
charsets, 8-bit headers). parse_email never raises: whatever cannot be understood is
kept as text or as an attachment, and the raw bytes are kept by the caller.
"""

from __future__ import annotations

import functools
import logging
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import Message
from email.parser import BytesParser
from email.policy import Compat32

from channels_email.headers import (
    addresses,
    decode_bytes,
    decode_header_text,
    header_date,
    header_text,
    message_ids,
    part_param,
    raw_headers,
)
from channels_email.mime_depth import (
    FLATTENED_HEADER,
    Flattening,
    flattened_by_header,
    shallow_mime,
)
from conversations.sanitize import html_to_text

logger = logging.getLogger(__name__)

# Names for parts that come without one.
_DEFAULT_NAMES = {
    "message/rfc822": "message.eml",
    "message/delivery-status": "delivery-status.txt",
    "message/disposition-notification": "disposition-notification.txt",
    "text/rfc822-headers": "headers.txt",
    "text/calendar": "invite.ics",
    "application/ics": "invite.ics",
}


@dataclass
class ParsedPart:
    name: str
    content_type: str
    content: bytes
    content_id: str = ""


@dataclass
class ParsedEmail:
    message: Message
    message_id: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    subject: str = ""
    sender: tuple[str, str] | None = None  # (name, address) of From, else Sender
    to: list[tuple[str, str]] = field(default_factory=list)
    cc: list[tuple[str, str]] = field(default_factory=list)
    delivered_to: list[str] = field(default_factory=list)
    date: datetime | None = None
    text: str = ""
    html: str = ""
    parts: list[ParsedPart] = field(default_factory=list)
    # Set when the message nested its parts too deep and was read flattened.
    flattened: Flattening | None = None

    def header(self, name: str) -> str:
        return header_text(self.message, name)

    def has_header(self, name: str) -> bool:
        return bool(raw_headers(self.message, name))


def parse_email(raw: bytes) -> ParsedEmail:
    try:
        shallow, flattening = shallow_mime(raw)
    except Exception:
        logger.exception("the MIME depth check failed; parsing the message as it is")
        shallow, flattening = raw, None
    message = _parse_message(shallow)
    parsed = ParsedEmail(message=message, flattened=flattening)
    try:
        _read_headers(parsed)
        # anymail flattened it already (channels_email.mime_depth): its signed header.
        parsed.flattened = parsed.flattened or flattened_by_header(
            header_text(message, FLATTENED_HEADER)
        )
    except Exception:
        logger.exception("unreadable headers; keeping the message with what could be read")
    try:
        text, html = _bodies(message)
        parsed.html = html
        parsed.text = text or _html_text(html)
        parsed.parts = _attachments(message)
    except Exception:
        logger.exception("unreadable MIME structure; keeping the message as plain text")
        parsed.text = _fallback_text(raw)
    return parsed


class _AsReceived(Compat32):
    """compat32 with every header value returned as it was received. The default policy
    parses a header into an object on every access (a message's walk asks Content-Type
    several times, about a millisecond each), and compat32 turns a value with raw 8-bit
    bytes into an `email.header.Header` whose text has lost them; our readers
    (channels_email.headers) decode raw values themselves, 8-bit bytes included."""

    def header_fetch_parse(self, name: str, value: str) -> str:
        return value


_AS_RECEIVED = _AsReceived()


def _parse_message(raw: bytes) -> Message:
    return BytesParser(policy=_AS_RECEIVED).parsebytes(raw)


def _read_headers(parsed: ParsedEmail) -> None:
    message = parsed.message
    ids = [i for raw in raw_headers(message, "Message-ID") for i in message_ids(raw)]
    parsed.message_id = ids[0] if ids else ""
    parsed.in_reply_to = [
        i for raw in raw_headers(message, "In-Reply-To") for i in message_ids(raw)
    ]
    parsed.references = [i for raw in raw_headers(message, "References") for i in message_ids(raw)]
    parsed.subject = header_text(message, "Subject")
    senders = addresses(message, "From") or addresses(message, "Sender")
    parsed.sender = senders[0] if senders else None
    parsed.to = addresses(message, "To")
    parsed.cc = addresses(message, "Cc")
    parsed.delivered_to = [
        addr for _name, addr in addresses(message, "Delivered-To", "X-Original-To", "Envelope-To")
    ]
    parsed.date = header_date(message)


def _per_part(read: Callable[[Message], str]) -> Callable[[Message], str]:
    """`read(part)` once per part: the email package parses a header anew on every
    access (the default policy's Content-Type takes about a millisecond), and walking a
    message asks each part's type and file name several times."""
    key = f"_omnidesk{read.__name__}"

    @functools.wraps(read)
    def once(part: Message) -> str:
        value = part.__dict__.get(key)
        if value is None:
            value = part.__dict__[key] = read(part)
        return value

    return once


@_per_part
def _content_type(part: Message) -> str:
    try:
        return part.get_content_type().lower()
    except Exception:
        return "application/octet-stream"


def _disposition(part: Message) -> str:
    raw = raw_headers(part, "Content-Disposition")
    return raw[0].split(";", 1)[0].strip().lower() if raw else ""


@_per_part
def _filename(part: Message) -> str:
    name = ""
    try:
        name = part.get_filename() or ""
    except Exception:  # malformed RFC 2231 parameters
        name = ""
    if not name:
        name = part_param(part, "filename", "content-disposition") or part_param(part, "name")
    return _clean_filename(decode_header_text(str(name)))


def _clean_filename(name: str) -> str:
    # Only the last path component, no control characters: it is shown and downloaded.
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().strip(".")
    return name[:255]


def _is_body(part: Message) -> bool:
    ctype = _content_type(part)
    if ctype not in ("text/plain", "text/html"):
        return False
    return _disposition(part) != "attachment" and not _filename(part)


def _is_container(part: Message) -> bool:
    """A multipart whose children we can walk (message/* parts are kept whole)."""
    return (
        _content_type(part).startswith("multipart/")
        and part.is_multipart()
        and isinstance(part.get_payload(), list)
    )


def _children(part: Message) -> list[Message]:
    payload = part.get_payload()
    return (
        [child for child in payload if isinstance(child, Message)]
        if isinstance(payload, list)
        else []
    )


def _provides(part: Message, kind: str) -> bool:
    if _is_container(part):
        return any(_provides(child, kind) for child in _children(part))
    return _is_body(part) and _content_type(part) == f"text/{kind}"


def _body_texts(part: Message, kind: str) -> list[str]:
    if _is_container(part):
        children = _children(part)
        if part.get_content_subtype() == "alternative":
            # The last alternative is the richest the sender offers.
            candidates = [child for child in children if _provides(child, kind)]
            return _body_texts(candidates[-1], kind) if candidates else []
        return [text for child in children for text in _body_texts(child, kind)]
    ctype = _content_type(part)
    if ctype.startswith("multipart/") and kind == "plain":
        # A multipart whose boundary never appears: its body is all we have.
        return [_leaf_text(part)]
    if _is_body(part) and ctype == f"text/{kind}":
        return [_leaf_text(part)]
    return []


def _bodies(message: Message) -> tuple[str, str]:
    texts = [t for t in _body_texts(message, "plain") if t.strip()]
    htmls = [h for h in _body_texts(message, "html") if h.strip()]
    text = "\n\n".join(_normalize_text(t) for t in texts).strip()
    return text, "\n".join(htmls).strip()


def _leaf_bytes(part: Message) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # a transfer encoding damaged beyond repair
        payload = None
    if isinstance(payload, bytes):
        return payload
    raw = part.get_payload()
    if isinstance(raw, str):
        return raw.encode("utf-8", errors="surrogateescape")
    return _serialized_body(part)


def _leaf_text(part: Message) -> str:
    charset = part_param(part, "charset") or None
    text = decode_bytes(_leaf_bytes(part), charset)
    if part_param(part, "format").lower() == "flowed":
        text = _unflow(text, delsp=part_param(part, "delsp").lower() == "yes")
    return text


def _serialized_body(part: Message) -> bytes:
    """The body of a part as bytes, for message/* parts whose payload is parsed."""
    for attempt in (
        lambda: part.as_bytes(),
        lambda: part.as_bytes(policy=policy.compat32),
        lambda: part.as_string(policy=policy.compat32).encode("utf-8", "surrogateescape"),
    ):
        try:
            data = attempt()
            break
        except Exception:  # noqa: S112 - try the next, more lenient serializer
            continue
    else:
        return b""
    match = re.search(rb"\r?\n\r?\n", data)
    return data[match.end() :] if match else b""


def _normalize_text(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


_QUOTE_PREFIX = re.compile(r"^(>+) ?")


def _unflow(text: str, *, delsp: bool) -> str:
    """RFC 3676 format=flowed: a line ending in a space continues on the next line of
    the same quote depth."""
    out: list[str] = []
    pending: tuple[int, str] | None = None  # (quote depth, text so far)
    for line in _normalize_text(text).split("\n"):
        match = _QUOTE_PREFIX.match(line)
        depth = len(match.group(1)) if match else 0
        content = line[match.end() :] if match else line.removeprefix(" ")
        if pending is not None and pending[0] != depth:
            out.append(_quoted(*pending))
            pending = None
        joined = (pending[1] if pending else "") + content
        if content.endswith(" ") and content != "-- ":
            pending = (depth, joined[:-1] if delsp else joined)
        else:
            out.append(_quoted(depth, joined))
            pending = None
    if pending is not None:
        out.append(_quoted(*pending))
    return "\n".join(out)


def _quoted(depth: int, content: str) -> str:
    if not depth:
        return content
    return ">" * depth + (f" {content}" if content else "")


def _attachments(message: Message) -> list[ParsedPart]:
    found: list[ParsedPart] = []
    _collect_attachments(message, found, top=True)
    return found


def _collect_attachments(part: Message, found: list[ParsedPart], *, top: bool = False) -> None:
    if _is_container(part):
        for child in _children(part):
            _collect_attachments(child, found)
        return
    ctype = _content_type(part)
    if _is_body(part) or (ctype.startswith("multipart/") and not part.is_multipart()):
        return
    content = _message_part_bytes(part) if ctype.startswith("message/") else _leaf_bytes(part)
    found.append(
        ParsedPart(
            name=_filename(part) or _default_name(ctype),
            content_type=ctype,
            content=content,
            content_id=_content_id(part),
        )
    )


def _message_part_bytes(part: Message) -> bytes:
    payload = part.get_payload()
    if isinstance(payload, list) and len(payload) == 1 and isinstance(payload[0], Message):
        inner = payload[0]
        if _content_type(part) == "message/rfc822":
            for attempt in (
                lambda: inner.as_bytes(),
                lambda: inner.as_bytes(policy=policy.compat32),
            ):
                try:
                    return attempt()
                except Exception:  # noqa: S112
                    continue
    return _leaf_bytes(part) if not isinstance(payload, list) else _serialized_body(part)


def _default_name(ctype: str) -> str:
    if ctype in _DEFAULT_NAMES:
        return _DEFAULT_NAMES[ctype]
    extension = mimetypes.guess_extension(ctype) or ".bin"
    return f"attachment{extension}"


def _content_id(part: Message) -> str:
    raw = raw_headers(part, "Content-ID")
    return decode_header_text(raw[0]).strip().strip("<>").strip()[:255] if raw else ""


_INVISIBLE = re.compile(r"<(head|style|script|title)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


def _html_text(html: str) -> str:
    return html_to_text(_INVISIBLE.sub("", html)) if html else ""


def _fallback_text(raw: bytes) -> str:
    head, _sep, body = raw.partition(b"\n\n")
    return _normalize_text(decode_bytes(body or head)).strip()
