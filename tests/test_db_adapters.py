"""omnidesk.db_adapters: timestamps read by psycopg's C loader give what Django's own
loader gives."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import register_tzloader
from psycopg.pq import Format

from omnidesk.db_adapters import FastTzLoader

pytestmark = pytest.mark.django_db

TIMESTAMPTZ = 1184
LITERALS = [
    "2026-03-29 01:30:00.5+02",
    "1999-12-31 23:59:59.999999-08",
    "2026-11-30 00:00:00+00",
    "1970-01-01 00:00:00+00",
    "2026-10-25 02:30:00+05:45",
]


def _read(cursor: Any) -> list[datetime]:
    cursor.execute("SELECT unnest(%s::timestamptz[])", [LITERALS])
    return [row[0] for row in cursor.fetchall()]


def test_connections_read_timestamps_with_the_fast_loader():
    with connection.cursor() as cursor:
        loader = cursor.cursor.adapters.get_loader(TIMESTAMPTZ, Format.TEXT)
    assert issubclass(loader, FastTzLoader)
    assert loader.timezone == connection.timezone


def test_the_fast_loader_reads_what_djangos_reads():
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as fast, raw.cursor() as django:
        register_tzloader(connection.timezone, django)
        by_fast, by_django = _read(fast), _read(django)
    assert by_fast == by_django
    assert [value.tzinfo for value in by_fast] == [connection.timezone] * len(LITERALS)
    assert [value.utcoffset() for value in by_fast] == [UTC.utcoffset(None)] * len(LITERALS)
    assert by_fast[0].microsecond == 500000
