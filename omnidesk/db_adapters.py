"""Timestamps read by psycopg's C loader.

Django sets the connection's time zone on every `timestamptz` it reads with a loader of
its own (`django.db.backends.postgresql.psycopg_any.BaseTzLoader`), a subclass of
psycopg's pure-Python loader: psycopg's C loader cannot be subclassed, so every timestamp
of every row was parsed by Python code (about 4 µs each; a conversation list page reads
560). `FastTzLoader` has the C loader parse and sets the time zone as Django's does
(about 1.4 µs), registered on the adapters Django gives each new connection.

Where timestamps are read only to be written out again as ISO 8601 (the conversation
list's payloads: 560 a page), `timestamps_as_iso_text()` has them read as the strings
`datetime.isoformat()` would make of them, from PostgreSQL's own text (about 0.9 µs
instead of 3.4 for the parse and the `isoformat()`); anything but the usual shape (an
offset with minutes, a year past 9999) is parsed and written out as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, tzinfo
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from psycopg.adapt import Loader
from psycopg.pq import Format

try:
    from psycopg_binary._psycopg import (  # type: ignore[attr-defined]
        TimestamptzLoader as _CTimestamptzLoader,
    )
except ImportError:  # psycopg without its binary part: Django's loader stays
    _CTimestamptzLoader = None


class FastTzLoader(Loader):
    # Django re-registers its own loader on a cursor whose loader's `timezone` is not the
    # connection's (DatabaseWrapper.create_cursor): each subclass carries it.
    timezone: tzinfo | None = None

    def __init__(self, oid: int, context: Any = None) -> None:
        super().__init__(oid, context)
        assert _CTimestamptzLoader is not None
        self._parse = _CTimestamptzLoader(oid, context).load

    def load(self, data: Any) -> datetime:
        value: datetime = self._parse(data)
        return value.replace(tzinfo=self.timezone)


class IsoTextTzLoader(FastTzLoader):
    """A timestamp as the string its `datetime.isoformat()` is (in the connection's
    zone), written from PostgreSQL's text (ISO DateStyle, as Django sets it):
    `2026-11-30 10:00:00.1234+00` is `2026-11-30T10:00:00.123400+00:00`."""

    def load(self, data: Any) -> str:  # type: ignore[override]
        text = bytes(data).decode()
        # The usual shape: a 4-digit year, whole-hour offset, no era.
        if len(text) >= 22 and text[10] == " " and text[-3] in "+-" and text[4] == "-":
            body, offset = text[:-3], text[-3:] + ":00"
            if len(body) in (19, 26):  # no fraction (Python omits it too), or 6 digits
                return f"{body[:10]}T{body[11:]}{offset}"
            return f"{body[:10]}T{body[11:].ljust(15, '0')}{offset}"
        return super().load(data).isoformat()


_iso_loaders: dict[tzinfo | None, type[IsoTextTzLoader]] = {}


@contextmanager
def timestamps_as_iso_text(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """In this block, the `timestamptz` values that queries on this thread's connection
    read are ISO 8601 strings, not datetimes. (Elsewhere than PostgreSQL with psycopg's
    C part, they stay datetimes: code in the block takes both.)"""
    wrapper = connections[using]
    if wrapper.vendor != "postgresql" or _CTimestamptzLoader is None:
        yield
        return
    wrapper.ensure_connection()
    adapters = wrapper.connection.adapters
    oid = adapters.types["timestamptz"].oid
    previous = adapters.get_loader(oid, Format.TEXT)
    zone = wrapper.timezone
    loader = _iso_loaders.get(zone)
    if loader is None:
        attributes = {"timezone": zone, "__module__": __name__}
        loader = _iso_loaders[zone] = type("ConnectionIsoTextTzLoader", (IsoTextTzLoader,),
                                           attributes)
    adapters.register_loader(oid, loader)
    try:
        yield
    finally:
        adapters.register_loader(oid, previous)


def install() -> None:
    """Register FastTzLoader on the adapters template of each PostgreSQL database (the
    object Django's cached `get_adapters_template` hands to its new connections)."""
    if _CTimestamptzLoader is None:
        return
    from django.db.backends.postgresql.psycopg_any import get_adapters_template

    for connection in connections.all(initialized_only=False):
        if connection.vendor != "postgresql":
            continue
        zone = connection.timezone
        attributes = {"timezone": zone, "__module__": __name__}
        loader = type("ConnectionTzLoader", (FastTzLoader,), attributes)
        get_adapters_template(settings.USE_TZ, zone).register_loader("timestamptz", loader)
