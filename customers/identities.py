"""Normalizing identity values, so one person is one (kind, value) whatever the channel."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from customers.models import IdentityKind


class InvalidIdentity(ValueError):
    """The value cannot name anyone of that kind (an unparseable phone, a broken address)."""


def normalize_email(value: str) -> str:
    value = value.strip().strip("<>").strip()
    try:
        validate_email(value)
    except ValidationError as exc:
        raise InvalidIdentity(f"not an email address: {value!r}") from exc
    return value.lower()


def normalize_phone(value: str, default_region: str | None = None) -> str:
    """E.164 for any phone-like value, including Twilio's "whatsapp:+1…" addresses."""
    raw = value.strip()
    for prefix in ("whatsapp:", "tel:", "sms:"):
        if raw.lower().startswith(prefix):
            raw = raw[len(prefix) :]
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidIdentity(f"not a phone number: {value!r} ({exc})") from exc
    if not phonenumbers.is_possible_number(number):
        raise InvalidIdentity(f"not a possible phone number: {value!r}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_identity(kind: str, value: str) -> str:
    if kind == IdentityKind.EMAIL:
        return normalize_email(value)
    if kind == IdentityKind.PHONE:
        return normalize_phone(value)
    if kind in (IdentityKind.CHAT, IdentityKind.EXTERNAL):
        value = value.strip()
        if not value or len(value) > 255:
            raise InvalidIdentity(f"{kind} identity must be 1-255 characters")
        return value
    raise InvalidIdentity(f"unknown identity kind: {kind!r}")
