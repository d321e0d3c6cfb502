"""Reading query parameters from a plain mapping (a query string, a page's GET, a
test's dict) into typed values. A bad value raises InvalidFilter naming the parameter;
callers (the API, pages) turn it into a 400. No web framework here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from django.utils.dateparse import parse_datetime
from django.utils.timezone import is_naive, make_aware

Params = Mapping[str, str]

# Ids are positive 64-bit integers. A larger number is no id at all, and SQLite cannot
# even compare with one (OverflowError, a 500), so it is refused here.
MAX_ID = 2**63 - 1
MAX_LIST_VALUES = 50


class InvalidFilter(ValueError):
    """A parameter the read layer cannot use: `param` names it, `message` says why."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(f"{param}: {message}")
        self.param = param
        self.message = message


def raw(params: Params, name: str) -> str:
    """The parameter, stripped; PostgreSQL refuses NUL in any string it compares."""
    value = (params.get(name) or "").strip()
    if "\x00" in value:
        raise InvalidFilter(name, "must not contain NUL characters")
    return value


def text(params: Params, name: str, *, max_length: int = 255) -> str:
    value = raw(params, name)
    if len(value) > max_length:
        raise InvalidFilter(name, f"must be at most {max_length} characters")
    return value


def parse_id(value: str, name: str) -> int:
    """A database id: a whole number from 1 to 2^63-1."""
    try:
        number = int(value)
    except ValueError:
        raise InvalidFilter(name, f"must be a number, got {value[:40]!r}") from None
    if not 1 <= number <= MAX_ID:
        raise InvalidFilter(name, f"must be an id from 1 to {MAX_ID}, got {value[:40]}")
    return number


def optional_id(params: Params, name: str) -> int | None:
    value = raw(params, name)
    return parse_id(value, name) if value else None


def choices(params: Params, name: str, allowed: Iterable[str]) -> tuple[str, ...]:
    """A comma-separated list of allowed values (`?status=open,pending`), in the order
    given, without repeats."""
    allowed = list(allowed)
    values: list[str] = []
    for value in raw(params, name).split(","):
        value = value.strip()
        if not value or value in values:
            continue
        if value not in allowed:
            raise InvalidFilter(
                name, f"unknown value {value[:40]!r}; expected one of {', '.join(allowed)}"
            )
        values.append(value)
    if len(values) > MAX_LIST_VALUES:
        raise InvalidFilter(name, f"at most {MAX_LIST_VALUES} values")
    return tuple(values)


def choice(params: Params, name: str, allowed: Iterable[str], default: str) -> str:
    """One of `allowed`; `default` when the parameter is absent or empty."""
    value = raw(params, name) or default
    allowed = list(allowed)
    if value not in allowed:
        raise InvalidFilter(name, f"must be one of {', '.join(allowed)}, got {value[:40]!r}")
    return value


def moment(params: Params, name: str) -> datetime | None:
    """An ISO 8601 datetime; naive ones are UTC."""
    value = raw(params, name)
    if not value:
        return None
    try:
        parsed = parse_datetime(value.replace(" ", "+"))  # an unencoded "+" arrives as a space
    except ValueError:  # well formed but no such time: 2026-02-30
        parsed = None
    if parsed is None:
        raise InvalidFilter(name, f"must be an ISO 8601 datetime, got {value[:40]!r}")
    return make_aware(parsed, UTC) if is_naive(parsed) else parsed


def flag(params: Params, name: str) -> bool:
    value = raw(params, name).lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise InvalidFilter(name, f"must be true or false, got {value[:40]!r}")
