"""Timestamps read by psycopg's C loader.

Django sets the connection's time zone on every `timestamptz` it reads with a loader of
its own (`django.db.backends.postgresql.psycopg_any.BaseTzLoader`), a subclass of
psycopg's pure-Python loader: psycopg's C loader cannot be subclassed, so every timestamp
of every row was parsed by Python code (about 4 µs each; a conversation list page reads
560). `FastTzLoader` has the C loader parse and sets the time zone as Django's does
(about 1.4 µs), registered on the adapters Django gives each new connection.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from django.conf import settings
from django.db import connections
from psycopg.adapt import Loader

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
