"""/healthz: 200 with the database's state while PostgreSQL answers (its 503 during an
outage is in test_postgres_outage.py)."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_healthz_reports_the_database(django_assert_num_queries):
    with django_assert_num_queries(1):
        answer = Client().get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"ok": True, "database": "ok"}
