"""Keyset (cursor) pagination: a page is the rows after the last one seen, in a fixed
order of (sort key, id), fetched with LIMIT size+1 so the extra row says whether there
is more. No OFFSET (it reads every skipped row) and no COUNT(*) (it reads every row);
a total only when the caller asks for one.

A cursor is opaque to clients and signed: it names the order it belongs to and the
position (sort key, id) of the last row of the page. A tampered or foreign cursor is
an InvalidFilter, never a silently different page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.core import signing
from django.db.models import Expression, F, Q, QuerySet
from django.db.models.expressions import OrderBy

from conversations.params import InvalidFilter, Params, flag, raw

# A page holds model instances, or `values()` rows (dicts with an "id").
R = TypeVar("R")

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
CURSOR_SALT = "omnidesk.keyset.cursor"
MAX_CURSOR_LENGTH = 300


@dataclass(frozen=True)
class PageRequest:
    cursor: str | None = None
    size: int = DEFAULT_PAGE_SIZE
    with_total: bool = False

    @classmethod
    def parse(cls, params: Params, *, default_size: int = DEFAULT_PAGE_SIZE) -> PageRequest:
        """`?cursor=` (from a previous page), `?page_size=` (1 to 200), `?count=true`."""
        size_text = raw(params, "page_size")
        size = default_size
        if size_text:
            try:
                size = int(size_text)
            except ValueError:
                raise InvalidFilter("page_size", "must be a number") from None
            if not 1 <= size <= MAX_PAGE_SIZE:
                raise InvalidFilter("page_size", f"must be from 1 to {MAX_PAGE_SIZE}")
        cursor = raw(params, "cursor") or None
        if cursor is not None and len(cursor) > MAX_CURSOR_LENGTH:
            raise InvalidFilter("cursor", "is not a cursor of this list")
        return cls(cursor=cursor, size=size, with_total=flag(params, "count"))


@dataclass(frozen=True)
class Page(Generic[R]):
    items: list[R]
    next_cursor: str | None  # None: this is the last page
    total: int | None = None  # only when asked for


@dataclass(frozen=True)
class Ordering:
    """Rows by `key` then id, both ascending or both descending. `key` is a datetime
    field, or the name under which `expression` (a datetime) is annotated. `name` is
    bound into cursors, so a cursor of one list or order never pages another."""

    name: str
    key: str
    descending: bool
    expression: Expression | None = None

    def order_by(self) -> tuple[OrderBy, OrderBy]:
        if self.descending:
            return F(self.key).desc(), F("id").desc()
        return F(self.key).asc(), F("id").asc()

    def after(self, value: datetime, row_id: int) -> Q:
        """Rows after (value, id). The first, redundant-looking condition lets the
        database seek the index to the position instead of scanning up to it."""
        op = "lt" if self.descending else "gt"
        bound = "lte" if self.descending else "gte"
        return Q(**{f"{self.key}__{bound}": value}) & (
            Q(**{f"{self.key}__{op}": value}) | Q(**{self.key: value, f"id__{op}": row_id})
        )

    def cursor_for(self, row: Any) -> str:
        """The cursor after `row`: a model instance, or a `values()` row with its id."""
        if isinstance(row, dict):
            value, row_id = row[self.key], row["id"]
        else:
            value, row_id = getattr(row, self.key), row.pk
        # A `values()` row read as ISO text (`omnidesk.db_adapters`) has the same string.
        text = value if isinstance(value, str) else value.isoformat()
        return signing.dumps([self.name, text, row_id], salt=CURSOR_SALT)

    def position(self, cursor: str) -> tuple[datetime, int]:
        try:
            name, value, row_id = signing.loads(cursor, salt=CURSOR_SALT)
            if name != self.name or not isinstance(row_id, int):
                raise ValueError(name)
            return datetime.fromisoformat(value), row_id
        except (signing.BadSignature, ValueError, TypeError):
            raise InvalidFilter("cursor", "is not a cursor of this list") from None


def paginate(qs: QuerySet[Any, R], ordering: Ordering, page: PageRequest) -> Page[R]:
    """One query for the page (two with a total), whatever the row count."""
    if ordering.expression is not None:
        qs = qs.annotate(**{ordering.key: ordering.expression})
    total = qs.order_by().count() if page.with_total else None
    rows = qs.order_by(*ordering.order_by())
    if page.cursor is not None:
        rows = rows.filter(ordering.after(*ordering.position(page.cursor)))
    items = list(rows[: page.size + 1])
    more = len(items) > page.size
    items = items[: page.size]
    return Page(items, ordering.cursor_for(items[-1]) if more else None, total)

