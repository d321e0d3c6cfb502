"""Normalizing identity values, so one person is one (kind, value) whatever the channel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from customers.models import IdentityKind


class InvalidIdentity(ValueError):
    """The value cannot name anyone of that kind (an unparseable phone, a broken address)."""


# Every value a provider sends is normalized several times on its way in (the webhook's
# parse, the pipeline's identity, the thread's participants): phonenumbers' parse was
# 0.37 ms of a spooled SMS's 3.9 ms. Both functions depend on their arguments alone; an
# invalid value raises, and is not kept.
NORMALIZED_KEPT = 4096


@lru_cache(maxsize=NORMALIZED_KEPT)
def normalize_email(value: str) -> str:
    value = value.strip().strip("<>").strip()
    try:
        validate_email(value)
    except ValidationError as exc:
        raise InvalidIdentity(f"not an email address: {value!r}") from exc
    return value.lower()


@lru_cache(maxsize=NORMALIZED_KEPT)
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


def normalize_opaque(value: str, kind: str = "this") -> str:
    """An id someone else gave (an outside system's, a chat visitor's): kept as written,
    without the surrounding spaces."""
    value = value.strip()
    if not value or len(value) > 255:
        raise InvalidIdentity(f"{kind} identity must be 1-255 characters")
    return value


@dataclass(frozen=True)
class IdentityKindSpec:
    kind: str  # stored in Identity.kind: at most 10 characters
    label: str  # "Email", "Chat visitor"
    normalize: Callable[[str], str]  # raises InvalidIdentity
    # A value people type: an agent may add it to a customer, and an exact look-up by
    # value (the directory's ?identity=) tries it. False for opaque tokens (a chat
    # visitor's browser id).
    typed: bool = True


_kinds: dict[str, IdentityKindSpec] = {}


def register_identity_kind(spec: IdentityKindSpec) -> None:
    """The built-in kinds register below; a channel app registers its own (a chat
    visitor) from its AppConfig.ready()."""
    if len(spec.kind) > 10:
        raise ValueError("an identity kind is at most 10 characters")
    _kinds[spec.kind] = spec


def unregister_identity_kind(kind: str) -> None:
    _kinds.pop(kind, None)


def identity_kinds() -> list[IdentityKindSpec]:
    return list(_kinds.values())


def identity_kind_choices() -> list[tuple[str, str]]:
    return [(spec.kind, spec.label) for spec in _kinds.values()]


def normalize_identity(kind: str, value: str) -> str:
    spec = _kinds.get(kind)
    if spec is None:
        raise InvalidIdentity(f"unknown identity kind: {kind!r}")
    return spec.normalize(value)


register_identity_kind(IdentityKindSpec(IdentityKind.EMAIL, "Email", normalize_email))
register_identity_kind(IdentityKindSpec(IdentityKind.PHONE, "Phone", normalize_phone))
register_identity_kind(IdentityKindSpec(
    IdentityKind.EXTERNAL, "External id", lambda v: normalize_opaque(v, IdentityKind.EXTERNAL)
))
