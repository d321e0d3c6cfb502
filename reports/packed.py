"""Counts packed into one PostgreSQL numeric, so that SUM() adds whole vectors of them.

A vector of counts (a histogram's buckets, a month's days, a week's hours) is stored as
the integer sum(count[i] * 10^(DIGITS * i)): cell i is the i-th group of DIGITS
decimal digits from the right. Adding two packed numbers adds their cells one by one
as long as no cell reaches 10^DIGITS (a trillion: no report counts that many of
anything), so a report merges a year of histograms with one SUM(numeric) per column,
a loop in C over a few dozen base-10000 digits a row, instead of a SUM per bucket (98
array subscripts a row: most of the time a year's report took before).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import models

DIGITS = 12
CELL = 10**DIGITS


def pack(counts: Sequence[int]) -> int:
    packed = 0
    for count in reversed(counts):
        packed = packed * CELL + count
    return packed


def unpack(packed: int | Decimal | None, cells: int) -> list[int]:
    """The `cells` counts of `packed` (a SUM's numeric, or None for no rows)."""
    value = int(packed or 0)
    counts = []
    for _ in range(cells):
        value, count = divmod(value, CELL)
        counts.append(count)
    return counts


class PackedCountsField(models.Field):  # type: ignore[type-arg]
    """A packed vector of counts: a Python int, an unconstrained numeric column."""

    description = "Counts packed into one integer (reports.packed)"

    def db_type(self, connection: Any) -> str:
        return "numeric"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> int | None:
        return None if value is None else int(value)

    def to_python(self, value: Any) -> int | None:
        return None if value is None else int(value)

    def get_prep_value(self, value: Any) -> Decimal | None:
        return None if value is None else Decimal(int(value))
