"""A "twilio" inbox: a Twilio number (or Messaging Service) that SMS, WhatsApp and
voice share. Its config is validated here when an admin saves it; a channel app adds
the section it owns (voice: "voice") through `register_twilio_inbox`, so this module
never names a channel app. A section no installed app claims passes through untouched.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.conf import settings

from agents.models import Team
from conversations.channels import InboxKindSpec, WebhookUrl, register_inbox_kind
from conversations.models import Inbox
from customers.identities import InvalidIdentity, normalize_phone
from omnidesk.config_cache import ConfigCache

CAPABILITIES = ("sms", "mms", "whatsapp", "voice")
ACCOUNT_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")
MESSAGING_SERVICE_SID = re.compile(r"^MG[0-9a-fA-F]{32}$")

# The inbox kind of a Twilio number, which SMS, WhatsApp and voice share.
TWILIO_INBOX = "twilio"

SectionValidator = Callable[[Any], dict[str, Any]]
UrlsOf = Callable[[Inbox], list[WebhookUrl]]
_sections: dict[str, SectionValidator] = {}
_urls: dict[str, UrlsOf] = {}


def register_twilio_inbox(
    app: str, *, sections: dict[str, SectionValidator] | None = None, urls: UrlsOf | None = None
) -> None:
    """Called from each Twilio channel app's AppConfig.ready() (`app` names the caller):
    the config sections it validates, the webhook URLs it needs Twilio to call."""
    _sections.update(sections or {})
    if urls is not None:
        _urls[app] = urls
    register_inbox_kind(InboxKindSpec(
        TWILIO_INBOX, "Twilio number", validate_twilio_config, twilio_webhook_urls
    ))


def twilio_webhook_urls(inbox: Inbox) -> list[WebhookUrl]:
    return [url for urls_of in _urls.values() for url in urls_of(inbox)]


def validate_twilio_config(config: dict[str, Any]) -> dict[str, Any]:
    """The cleaned config; ValueError names the first thing wrong."""
    cleaned = dict(config)
    _check_account_sid(cleaned)
    _check_messaging_service_sid(cleaned)
    _check_capabilities(cleaned)
    _check_whatsapp_sender(cleaned)
    for key, validate in _sections.items():
        if key in cleaned:
            cleaned[key] = validate(cleaned[key])
    return cleaned


def account_sid_of(inbox: Inbox | None) -> str:
    own = inbox.config.get("account_sid") if inbox is not None else None
    return str(own or settings.TWILIO_ACCOUNT_SID or "")


def auth_token_of(inbox: Inbox | None) -> str:
    own = inbox.secrets.get("auth_token") if inbox is not None else None
    return str(own or settings.TWILIO_AUTH_TOKEN or "")


def _load_twilio_inboxes() -> list[Inbox]:
    return list(Inbox.objects.filter(kind=TWILIO_INBOX, is_active=True)
                .select_related("team").order_by("id"))


# Read by every Twilio webhook (which inbox it is for): no query per request.
_twilio_inboxes = ConfigCache("twilio-inboxes", _load_twilio_inboxes, [Inbox, Team])


def twilio_inboxes() -> list[Inbox]:
    """The active Twilio inboxes, oldest first (omnidesk.config_cache's copy)."""
    return _twilio_inboxes.get()


def inbox_for_number(number: str) -> Inbox | None:
    """The active Twilio inbox whose number is `number`."""
    try:
        e164 = normalize_phone(number)
    except InvalidIdentity:
        return None
    return next((inbox for inbox in twilio_inboxes() if inbox.address == e164), None)


def _check_account_sid(config: dict[str, Any]) -> None:
    value = config.get("account_sid")
    if value in (None, ""):
        config.pop("account_sid", None)
        if not settings.TWILIO_ACCOUNT_SID:
            raise ValueError("account_sid is required (or set TWILIO_ACCOUNT_SID).")
        return
    if not isinstance(value, str) or not ACCOUNT_SID.match(value.strip()):
        raise ValueError("account_sid must be AC followed by 32 hexadecimal characters.")
    config["account_sid"] = value.strip()


def _check_messaging_service_sid(config: dict[str, Any]) -> None:
    value = config.get("messaging_service_sid")
    if value in (None, ""):
        config.pop("messaging_service_sid", None)
        return
    if not isinstance(value, str) or not MESSAGING_SERVICE_SID.match(value.strip()):
        raise ValueError("messaging_service_sid must be MG followed by 32 hexadecimal characters.")
    config["messaging_service_sid"] = value.strip()


def _check_capabilities(config: dict[str, Any]) -> None:
    if "capabilities" not in config:
        return
    value = config["capabilities"]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"capabilities must be a list drawn from {', '.join(CAPABILITIES)}.")
    unknown = sorted({item.strip().lower() for item in value} - set(CAPABILITIES))
    if unknown:
        raise ValueError(
            f"unknown capabilities: {', '.join(unknown)} (choose from {', '.join(CAPABILITIES)})."
        )
    config["capabilities"] = [c for c in CAPABILITIES if c in {i.strip().lower() for i in value}]


def _check_whatsapp_sender(config: dict[str, Any]) -> None:
    value = config.get("whatsapp_sender")
    if value in (None, ""):
        config.pop("whatsapp_sender", None)
        return
    message = "whatsapp_sender must be a phone number in E.164 form (+15551234567)."
    if not isinstance(value, str):
        raise ValueError(message)
    try:
        config["whatsapp_sender"] = normalize_phone(value)
    except InvalidIdentity as exc:
        raise ValueError(message) from exc


def has_capability(config: dict[str, Any], capability: str) -> bool:
    """An inbox that lists no capabilities is taken to have them all."""
    listed = config.get("capabilities")
    return listed is None or capability in listed
