"""Named enums in the OpenAPI schema.

Several resources have a `status`, `kind` or `channel` field with different choice sets
(a conversation's status is not a delivery status). drf-spectacular names enums after
the field, so these would collide; a field made here carries its enum as a named
component instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

Choices = Iterable[tuple[str, str]] | Iterable[str]


def _pairs(choices: Choices) -> list[tuple[str, str]]:
    return [(c, c) if isinstance(c, str) else (c[0], c[1]) for c in choices]


@cache
def _field_class(name: str, values: tuple[tuple[str, str], ...]) -> type[serializers.ChoiceField]:
    schema = {
        "type": "string",
        "enum": [value for value, _ in values],
        "description": "\n".join(f"* `{value}` - {label}" for value, label in values),
    }
    cls = type(f"{name}Field", (serializers.ChoiceField,), {})
    return extend_schema_field(schema, component_name=name)(cls)  # type: ignore[no-any-return]


def enum_field(name: str, choices: Choices, **kwargs: Any) -> serializers.ChoiceField:
    """A ChoiceField whose schema is the `{name}` enum component."""
    pairs = _pairs(choices)
    if kwargs.get("allow_blank"):
        pairs = [("", "(none)"), *pairs]
    return _field_class(name, tuple(pairs))(choices=pairs, **kwargs)
