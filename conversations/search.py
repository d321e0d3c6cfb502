"""Search over message text, as far as the agent may see: PostgreSQL full-text search
(ranked, with highlights) on the GIN index of migration 0004, or LIKE on SQLite.

Highlights come back as plain text with the matches marked by two control characters
(START, STOP), so the page escapes the text first and then turns the marks into
<mark>: nothing the customer wrote is ever taken as HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import BooleanField, F, FloatField, Q, QuerySet
from django.db.models.expressions import RawSQL

from conversations.access import visible_interactions
from conversations.models import Interaction, InteractionKind

START, STOP = "\x02", "\x03"
MAX_QUERY = 200
# The expression of the GIN index ix_interaction_search (migration 0004): PostgreSQL
# uses the index only for this very expression (the columns qualified here, since the
# query joins the conversation, which has a subject too).
_T = "conversations_interaction"
SEARCH_VECTOR = (
    f"to_tsvector('simple'::regconfig, coalesce({_T}.subject, '') || ' ' || "
    f"coalesce({_T}.text, ''))"
)
_WORD = re.compile(r"\w[\w@.+-]*", re.UNICODE)


@dataclass(frozen=True)
class MessageHit:
    interaction: Interaction  # conversation and customer joined
    snippet: str  # plain text, matches between START and STOP


def search_words(query: str) -> list[str]:
    return _WORD.findall(query[:MAX_QUERY])[:8]


def _tsquery(words: list[str]) -> str:
    """Every word must occur; the last may be the start of a word (typing)."""
    quoted = ["'" + w.replace("'", "''").replace("\\", "") + "'" for w in words]
    quoted[-1] += ":*"
    return " & ".join(quoted)


def search_messages(user: Any, query: str, *, limit: int = 20) -> list[MessageHit]:
    """Messages, calls and notes whose subject or text holds every word of `query`,
    best first: one query. NotAgent for a user who is not an agent."""
    words = search_words(query)
    if not words:
        return []
    qs: QuerySet[Interaction] = visible_interactions(user).filter(
        kind__in=[InteractionKind.MESSAGE, InteractionKind.CALL, InteractionKind.NOTE]
    ).select_related("conversation", "customer")
    if connection.vendor == "postgresql":
        return _postgres(qs, _tsquery(words), limit)
    return _like(qs, words, limit)


def _postgres(qs: QuerySet[Interaction], tsquery: str, limit: int) -> list[MessageHit]:
    options = f"StartSel={START}, StopSel={STOP}, MaxWords=24, MinWords=8, MaxFragments=2"
    match = RawSQL(f"{SEARCH_VECTOR} @@ to_tsquery('simple'::regconfig, %s)",  # noqa: S611
                   (tsquery,), output_field=BooleanField())
    rank = RawSQL(f"ts_rank({SEARCH_VECTOR}, to_tsquery('simple'::regconfig, %s))",  # noqa: S611
                  (tsquery,), output_field=FloatField())
    headline = RawSQL(  # noqa: S611 - our columns; the query and options are parameters
        f"ts_headline('simple'::regconfig, coalesce(nullif({_T}.text, ''), {_T}.subject), "
        "to_tsquery('simple'::regconfig, %s), %s)",
        (tsquery, options),
    )
    rows = (
        qs.filter(match).annotate(rank=rank, snippet=headline)
        .order_by(F("rank").desc(), F("occurred_at").desc(), F("id").desc())[:limit]
    )
    return [MessageHit(row, row.snippet) for row in rows]  # type: ignore[attr-defined]


def _like(qs: QuerySet[Interaction], words: list[str], limit: int) -> list[MessageHit]:
    for word in words:
        qs = qs.filter(Q(text__icontains=word) | Q(subject__icontains=word))
    rows = list(qs.order_by("-occurred_at", "-id")[:limit])
    return [MessageHit(row, mark_words(row.text or row.subject, words)) for row in rows]


def mark_words(text: str, words: list[str], width: int = 160) -> str:
    """A window of `text` around the first match, every match marked."""
    lowered = text.lower()
    first = min((i for w in words if (i := lowered.find(w.lower())) >= 0), default=0)
    start = max(0, first - width // 3)
    window = text[start:start + width]
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    marked = pattern.sub(lambda m: f"{START}{m.group(0)}{STOP}", window)
    return ("…" if start else "") + marked + ("…" if start + width < len(text) else "")
