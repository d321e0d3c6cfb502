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


# Every shape PostgreSQL writes: fractions of 1-6 digits and none, offsets with minutes,
# years before 1000 and near 9999, read in the UTC session
# Django sets and in another zone.
ISO_LITERALS = [
    *LITERALS,
    "2026-11-30 10:00:00.1+00",
    "2026-11-30 10:00:00.12+00",
    "2026-11-30 10:00:00.123+00",
    "2026-11-30 10:00:00.1234+00",
    "2026-11-30 10:00:00.12345+00",
    "2026-11-30 10:00:00.123456+00",
    "2026-11-30 10:00:00.000001+00",
    "2026-11-30 10:00:00.100000+00",
    "0999-01-02 03:04:05+00",
    "0001-01-03 00:00:00+00",
    "9999-12-30 23:59:59.999999+00",
]


@pytest.mark.parametrize("zone", [None, "Asia/Kathmandu", "America/St_Johns"])
def test_iso_text_is_what_isoformat_writes(zone: str | None) -> None:
    from omnidesk.db_adapters import timestamps_as_iso_text

    with connection.cursor() as cursor:
        if zone is not None:
            cursor.execute("SELECT set_config('TimeZone', %s, true)", [zone])
        cursor.execute("SELECT unnest(%s::timestamptz[])", [ISO_LITERALS])
        as_datetimes = [row[0] for row in cursor.fetchall()]
        with timestamps_as_iso_text(), connection.cursor() as inner:
            inner.execute("SELECT unnest(%s::timestamptz[]), NULL::timestamptz",
                          [ISO_LITERALS])
            as_text = inner.fetchall()
    assert [text for text, _ in as_text] == [value.isoformat() for value in as_datetimes]
    assert {none for _, none in as_text} == {None}


def test_after_the_block_timestamps_are_datetimes_again() -> None:
    from omnidesk.db_adapters import timestamps_as_iso_text

    with timestamps_as_iso_text(), connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        assert isinstance(cursor.fetchone()[0], str)
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        assert isinstance(cursor.fetchone()[0], datetime)
    with pytest.raises(RuntimeError), timestamps_as_iso_text():
        raise RuntimeError("the loader is put back on the way out too")
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        assert isinstance(cursor.fetchone()[0], datetime)
