"""Durations as a log-bucket histogram, for reports too large to sort every duration:
bucket 0 holds 0 s, bucket k ≥ 1 holds [RATIO^(k-1), RATIO^k) seconds, the last one
everything longer. Percentiles read from it are within half a bucket (±10%) of exact;
reports.queries uses it only above REPORTS_EXACT_LIMIT durations. The rollups store
each histogram packed into one number (reports.packed: cell k = bucket k)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from reports.packed import pack

RATIO = 1.2
BUCKETS = 98  # RATIO ** 96 ≈ 40 M seconds: past a year


def bucket_of(seconds: int) -> int:
    if seconds < 1:
        return 0
    return min(BUCKETS - 1, 1 + math.floor(math.log(seconds) / math.log(RATIO)))


def bounds(bucket: int) -> tuple[float, float]:
    if bucket == 0:
        return (0.0, 0.0)
    return (RATIO ** (bucket - 1), RATIO ** bucket)


def histogram(durations: Iterable[int]) -> list[int]:
    counts = [0] * BUCKETS
    for seconds in durations:
        counts[bucket_of(seconds)] += 1
    return counts


def packed_histogram(durations: Iterable[int]) -> int:
    return pack(histogram(durations))


def _value_at(counts: Sequence[int], rank: int) -> float:
    """The estimated rank-th smallest duration (0-based): its bucket, and its place in
    the bucket in proportion to its rank there."""
    seen = 0
    for bucket, count in enumerate(counts):
        if count and rank < seen + count:
            low, high = bounds(bucket)
            return low + (high - low) * (rank - seen + 0.5) / count
        seen += count
    return bounds(BUCKETS - 1)[1]


def percentile(counts: Sequence[int], fraction: float) -> int | None:
    """Like percentile_cont: between the values at the ranks either side of
    fraction * (n - 1), in proportion."""
    total = sum(counts)
    if not total:
        return None
    position = fraction * (total - 1)
    below = math.floor(position)
    low = _value_at(counts, below)
    if below + 1 >= total:
        return round(low)
    high = _value_at(counts, below + 1)
    return round(low + (high - low) * (position - below))
