"""Twilio's incoming-message webhook parameters -> one InboundEvent.

The same parameters arrive for SMS, MMS and WhatsApp; WhatsApp addresses carry a
"whatsapp:" prefix and add ProfileName and WaId. Media come as MediaUrlN /
MediaContentTypeN; the bytes are fetched later by a worker (tasks.fetch_media_task).
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from typing import Any

from channels_sms.conf import SMS, WHATSAPP
from channels_sms.optout import keyword_of
from channels_sms.senders import is_whatsapp_address
from conversations.inbound import InboundAttachment, InboundEvent
from conversations.models import Inbox
from customers.identities import InvalidIdentity, normalize_phone
from customers.models import IdentityKind

FETCHING = "fetching"
# Twilio sends at most 10 media per message; more would be a forged request.
MAX_MEDIA = 10


class InvalidMessage(ValueError):
    """The parameters cannot be recorded (no usable sender, no MessageSid)."""


@dataclass(frozen=True)
class ParsedMessage:
    event: InboundEvent
    keyword: str  # STOP, START, HELP… when the whole message is one, else ""


def parse_message(inbox: Inbox, params: dict[str, str]) -> ParsedMessage:
    message_sid = params.get("MessageSid") or params.get("SmsMessageSid") or ""
    if not message_sid:
        raise InvalidMessage("MessageSid is missing.")
    sender = params.get("From", "")
    try:
        phone = normalize_phone(sender)
    except InvalidIdentity as exc:
        raise InvalidMessage(
            f"From must be a phone number (E.164, optionally whatsapp:+…); got {sender!r}."
        ) from exc
    channel = WHATSAPP if is_whatsapp_address(sender) else SMS
    text = params.get("Body", "")
    media = _media(params)
    # With Advanced Opt-Out, Twilio names the keyword class itself (STOP, START, HELP),
    # which also covers custom keywords configured in its console.
    keyword = keyword_of(params.get("OptOutType", "")) or keyword_of(text)
    event = InboundEvent(
        inbox=inbox,
        channel=channel,
        sender_kind=IdentityKind.PHONE,
        sender_value=phone,
        sender_name=params.get("ProfileName", ""),
        provider_id=message_sid,
        text=text,
        attachments=[
            InboundAttachment(name=item["name"], content_type=item["content_type"], note=FETCHING)
            for item in media
        ],
        meta=_meta(params, media, keyword),
        raw=dict(params),
    )
    return ParsedMessage(event, keyword)


def _media(params: dict[str, str]) -> list[dict[str, str]]:
    try:
        count = min(int(params.get("NumMedia") or 0), MAX_MEDIA)
    except ValueError:
        count = 0
    media = []
    for index in range(count):
        url = params.get(f"MediaUrl{index}", "")
        if not url:
            continue
        content_type = params.get(f"MediaContentType{index}") or "application/octet-stream"
        name = _media_name(url, index, content_type)
        media.append({"url": url, "content_type": content_type, "name": name})
    return media


def _media_name(url: str, index: int, content_type: str) -> str:
    """The media's ME… sid with an extension for its type: unique within the message."""
    sid = url.rstrip("/").rsplit("/", 1)[-1] or f"media-{index}"
    extension = mimetypes.guess_extension(content_type.split(";")[0].strip()) or ""
    return f"{sid}{extension}"


def _meta(params: dict[str, str], media: list[dict[str, str]], keyword: str) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "to": params.get("To", ""),
        "num_media": len(media),
        "num_segments": params.get("NumSegments", ""),
    }
    optional = {
        "profile_name": "ProfileName",
        "wa_id": "WaId",
        "message_type": "MessageType",
        "messaging_service_sid": "MessagingServiceSid",
        "from_city": "FromCity",
        "from_state": "FromState",
        "from_country": "FromCountry",
    }
    for key, param in optional.items():
        if params.get(param):
            meta[key] = params[param]
    if media:
        meta["media"] = media
    if keyword:
        meta["keyword"] = keyword
    return meta
