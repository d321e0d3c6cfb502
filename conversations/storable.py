"""Making provider data storable: PostgreSQL text and jsonb refuse NUL characters and lone
surrogates. Inbound content is kept with those characters removed rather than lost (a
broken mail client's NUL in a header must not cost the customer's message)."""

from __future__ import annotations

from dataclasses import fields, is_dataclass, replace
from typing import Any, TypeVar

T = TypeVar("T")


def _is_storable(text: str) -> bool:
    """The common case, answered in C: ASCII without NUL (else storable_text decides)."""
    return text.isascii() and "\x00" not in text


def storable_text(text: str) -> str:
    if "\x00" in text:
        text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def storable(value: Any) -> Any:
    """`value` with every string inside it (keys too, and those of dataclasses inside
    lists, such as attachments) made storable."""
    if isinstance(value, str):
        return storable_text(value)
    if is_dataclass(value) and not isinstance(value, type):
        return storable_dataclass(value)
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(storable(v) for v in value)
    return value


def storable_dataclass(obj: T) -> T:
    """A copy of a dataclass whose str, list and dict fields are made storable (other
    fields, such as model instances and bytes, are left alone)."""
    changes = {}
    for f in fields(obj):  # type: ignore[arg-type]
        value = getattr(obj, f.name)
        if isinstance(value, str):
            if not _is_storable(value) and (clean := storable_text(value)) != value:
                changes[f.name] = clean
        elif isinstance(value, list | dict) and value:
            clean = storable(value)
            if clean != value:
                changes[f.name] = clean
    return replace(obj, **changes) if changes else obj  # type: ignore[type-var]
