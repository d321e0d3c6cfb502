"""What PostgreSQL cannot store, refused at the API's door with a 400 naming the field.

Text and jsonb columns refuse NUL characters; lone UTF-16 surrogates (legal as JSON
escapes) cannot be encoded; jsonb has no NaN or Infinity. DRF's CharField already
refuses the first two in the fields it declares; this covers free-form JSON (meta,
attributes) and the raw body we keep.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from rest_framework.exceptions import ValidationError

MAX_DEPTH = 32


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return "NUL characters cannot be stored."
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "Lone surrogate characters cannot be stored."
    return None


def unstorable(value: Any, depth: int = 0) -> str | None:
    """Why `value` (parsed JSON) cannot be stored, or None when it can."""
    if depth > MAX_DEPTH:
        return f"Nested deeper than {MAX_DEPTH} levels."
    if isinstance(value, str):
        return _text_problem(value)
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN and Infinity cannot be stored."
    if isinstance(value, Mapping):
        for key, item in value.items():
            problem = _text_problem(str(key)) or unstorable(item, depth + 1)
            if problem:
                return problem
    elif isinstance(value, list | tuple):
        for item in value:
            problem = unstorable(item, depth + 1)
            if problem:
                return problem
    return None


def check_storable(data: Any) -> None:
    """Raise a 400 naming the first top-level field (or key) that cannot be stored."""
    if not isinstance(data, Mapping):
        problem = unstorable(data)
        if problem:
            raise ValidationError({"non_field_errors": [problem]})
        return
    for key, item in data.items():
        problem = unstorable(item, 1)
        if _text_problem(str(key)) or problem:
            name = str(key).replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode()
            raise ValidationError({name: [problem or "This key cannot be stored."]})
