"""DATABASES from the environment: on PostgreSQL a connection pool sized by
DATABASE_POOL_* (CONN_MAX_AGE 0, as the pool requires) and a connect timeout; without
the pool, Django's persistent connections."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from tests.run.conftest import NOT_EMBEDDED, ROOT

pytestmark = pytest.mark.slow  # real servers and processes: scheduled first

PRINT_DATABASE = (
    "import json, django; django.setup(); from django.conf import settings; "
    "print(json.dumps(settings.DATABASES['default'], default=str))"
)
URL = "postgres://omnidesk@db.example:5432/omnidesk"


def database(tmp_path: Any, **settings: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items()
           if k not in NOT_EMBEDDED and not k.startswith("DATABASE_")}
    env.update(DJANGO_SETTINGS_MODULE="omnidesk.settings", OMNIDESK_VAR_DIR=str(tmp_path),
               **settings)
    done = subprocess.run([sys.executable, "-c", PRINT_DATABASE], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=True)
    return dict(json.loads(done.stdout))


def test_postgres_gets_a_pool_with_defaults(tmp_path):
    db = database(tmp_path, DATABASE_URL=URL)
    assert db["OPTIONS"] == {
        "connect_timeout": 5,
        "pool": {"name": "omnidesk", "min_size": 2, "max_size": 10, "timeout": 5,
                 "reconnect_timeout": 5},
    }
    assert (db["CONN_MAX_AGE"], db["CONN_HEALTH_CHECKS"]) == (0, True)
    assert db["ENGINE"] == "omnidesk.db_backend"  # Django's, with a quieter pool check


def test_pool_size_and_timeouts_come_from_the_environment(tmp_path):
    db = database(tmp_path, DATABASE_URL=URL, DATABASE_POOL_MIN_SIZE="1",
                  DATABASE_POOL_MAX_SIZE="25", DATABASE_POOL_TIMEOUT="3",
                  DATABASE_CONNECT_TIMEOUT="2", DATABASE_CONN_MAX_AGE="60")
    assert db["OPTIONS"] == {
        "connect_timeout": 2,
        "pool": {"name": "omnidesk", "min_size": 1, "max_size": 25, "timeout": 3,
                 "reconnect_timeout": 3},
    }
    assert db["CONN_MAX_AGE"] == 0  # the pool refuses persistent connections


def test_without_the_pool_connections_persist(tmp_path):
    db = database(tmp_path, DATABASE_URL=URL, DATABASE_POOL="0")
    assert db["OPTIONS"] == {"connect_timeout": 5}
    assert db["CONN_MAX_AGE"] == 60
    assert database(tmp_path, DATABASE_URL=URL, DATABASE_POOL="0",
                    DATABASE_CONN_MAX_AGE="0")["CONN_MAX_AGE"] == 0


def test_a_connect_timeout_in_the_url_is_kept(tmp_path):
    db = database(tmp_path, DATABASE_URL=f"{URL}?connect_timeout=9")
    assert db["OPTIONS"]["connect_timeout"] == 9


def test_sqlite_by_default_has_no_pool(tmp_path):
    db = database(tmp_path)
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert "pool" not in db["OPTIONS"]
