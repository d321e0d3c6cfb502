"""Reports read PostgreSQL's arrays, numeric sums and percentile_cont: on the embedded
default (SQLite) they are off, and the page, the API and the rollup say so plainly."""

from __future__ import annotations

from django.db import connection

UNAVAILABLE = (
    "Reports need PostgreSQL: set DATABASE_URL (see the README's Configuration). "
    "The embedded SQLite default records and answers conversations but keeps no report "
    "rollups."
)


def reports_available() -> bool:
    return connection.vendor == "postgresql"
