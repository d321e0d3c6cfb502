"""The config of an email inbox: what the admin form writes and every module reads.

Inbox.config for kind "email":
    aliases          list of further addresses that deliver into this inbox
    from_name        display name on outgoing mail (default: the inbox name)
    signature        plain text appended to every outgoing message
    email_backend    dotted path of a Django/anymail email backend for this inbox
                     (default: settings.EMAIL_BACKEND)
    acknowledgement  {"subject": ..., "body": ...}: the automatic answer to a new
                     conversation; no body means none is sent
    imap             {"host", "port", "security": tls|starttls|none, "user", "folder",
                      "processed": flag|move, "move_to", "poll_interval"}; the password
                     lives in Inbox.secrets["imap_password"]
Keys this module does not know are kept as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

if TYPE_CHECKING:
    from conversations.models import Inbox

IMAP_SECURITY = ("tls", "starttls", "none")
IMAP_PROCESSED = ("flag", "move")
IMAP_DEFAULT_PORTS = {"tls": 993, "starttls": 143, "none": 143}
IMAP_PASSWORD_SECRET = "imap_password"  # noqa: S105 - the key's name, not a password


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    security: str
    user: str
    password: str
    folder: str
    processed: str
    move_to: str
    poll_interval: int


def validate_email_config(config: dict[str, Any]) -> dict[str, Any]:
    """The cleaned config of an email inbox; ValueError says what is wrong."""
    cleaned = dict(config)
    cleaned["aliases"] = _clean_aliases(config.get("aliases", []))
    for key in ("from_name", "signature", "email_backend"):
        value = config.get(key, "")
        if not isinstance(value, str):
            raise ValueError(f"{key} must be text")
        cleaned[key] = value.strip() if key != "signature" else value.rstrip()
    cleaned["acknowledgement"] = _clean_acknowledgement(config.get("acknowledgement"))
    imap = config.get("imap")
    if imap:
        cleaned["imap"] = _clean_imap(imap)
    else:
        cleaned.pop("imap", None)
    return cleaned


def _clean_aliases(raw: Any) -> list[str]:
    if isinstance(raw, str):
        raw = [part for part in raw.replace("\n", ",").split(",")]
    if not isinstance(raw, list):
        raise ValueError("aliases must be a list of email addresses")
    aliases: list[str] = []
    for item in raw:
        if not isinstance(item, str):
            raise ValueError("aliases must be a list of email addresses")
        value = item.strip().lower()
        if not value:
            continue
        try:
            validate_email(value)
        except ValidationError:
            raise ValueError(f"alias {value!r} is not an email address") from None
        if value not in aliases:
            aliases.append(value)
    return aliases


def _clean_acknowledgement(raw: Any) -> dict[str, str]:
    if not raw:
        return {}
    if not isinstance(raw, dict):
        raise ValueError("acknowledgement must be an object with subject and body")
    subject, body = raw.get("subject", ""), raw.get("body", "")
    if not isinstance(subject, str) or not isinstance(body, str):
        raise ValueError("acknowledgement subject and body must be text")
    if not body.strip():
        return {}
    return {"subject": subject.strip(), "body": body.strip()}


def _clean_imap(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ValueError("imap must be an object")
    host = str(raw.get("host", "")).strip()
    if not host:
        raise ValueError("imap host is required")
    security = str(raw.get("security") or "tls").strip().lower()
    if security not in IMAP_SECURITY:
        raise ValueError(f"imap security must be one of {', '.join(IMAP_SECURITY)}")
    port = _int_in(raw.get("port") or IMAP_DEFAULT_PORTS[security], "imap port", 1, 65535)
    processed = str(raw.get("processed") or "flag").strip().lower()
    if processed not in IMAP_PROCESSED:
        raise ValueError("imap processed must be flag or move")
    move_to = str(raw.get("move_to", "")).strip()
    if processed == "move" and not move_to:
        raise ValueError("imap move_to is required when processed mail is moved")
    return {
        **raw,
        "host": host,
        "port": port,
        "security": security,
        "user": str(raw.get("user", "")).strip(),
        "folder": str(raw.get("folder") or "INBOX").strip(),
        "processed": processed,
        "move_to": move_to,
        "poll_interval": _int_in(raw.get("poll_interval") or 60, "imap poll_interval", 5, 86400),
    }


def _int_in(value: Any, name: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a whole number") from None
    if not low <= number <= high:
        raise ValueError(f"{name} must be between {low} and {high}")
    return number


def inbox_addresses(inbox: Inbox) -> list[str]:
    """The inbox's own address and its aliases, lowercased."""
    addresses = [inbox.address.strip().lower()] if inbox.address else []
    for alias in (inbox.config or {}).get("aliases", []) or []:
        if isinstance(alias, str) and alias.strip().lower() not in addresses:
            addresses.append(alias.strip().lower())
    return addresses


def imap_settings(inbox: Inbox) -> ImapSettings | None:
    """The inbox's IMAP settings, None when it is not polled over IMAP."""
    raw = (inbox.config or {}).get("imap")
    if not raw:
        return None
    imap = _clean_imap(raw)
    return ImapSettings(
        host=imap["host"],
        port=imap["port"],
        security=imap["security"],
        user=imap["user"],
        password=str((inbox.secrets or {}).get(IMAP_PASSWORD_SECRET, "")),
        folder=imap["folder"],
        processed=imap["processed"],
        move_to=imap["move_to"],
        poll_interval=imap["poll_interval"],
    )
