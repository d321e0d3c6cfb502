"""Points Django at the benchmark's own database and Redis db before anything imports it.

The benchmark never touches DATABASE_URL / REDIS_URL of the shell it runs in (they may
name a real deployment): it uses BENCH_DATABASE_URL (default: database omnidesk_bench on
the local PostgreSQL, omnidesk_bench_10m at BENCH_SCALE=10m) and BENCH_REDIS_URL
(default: Redis db 15).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The data set's size (bench.dataset.SCALES); each scale has a database of its own.
SCALE = os.environ.get("BENCH_SCALE", "100k")
if SCALE not in ("100k", "10m"):
    raise SystemExit(f"BENCH_SCALE={SCALE!r}: use 100k or 10m")
_DEFAULT_DATABASE = "omnidesk_bench" if SCALE == "100k" else f"omnidesk_bench_{SCALE}"
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{_DEFAULT_DATABASE}"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")


def configure() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="omnidesk.settings",
        DATABASE_URL=DATABASE_URL,
        REDIS_URL=REDIS_URL,
        OMNIDESK_EMBEDDED_WORKER="0",
        OMNIDESK_VAR_DIR=os.environ.get("BENCH_VAR_DIR", str(ROOT / "var" / "bench")),
        ALLOWED_HOSTS="testserver,localhost",
        LOG_LEVEL="WARNING",
    )
    os.environ.pop("CELERY_BROKER_URL", None)


def setup_django() -> None:
    configure()
    import django

    django.setup()


def step(message: str) -> None:
    print(f"  · {message}", flush=True)


def ensure_database(regen: bool = False, log: Callable[[str], None] = step) -> None:
    """Creates the benchmark's database where this machine has none (drops it first on regen)."""
    import dj_database_url
    import psycopg

    name = dj_database_url.parse(DATABASE_URL)["NAME"]
    admin_dsn = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        if regen:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            log(f"dropped database {name}")
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')
            log(f"created database {name}")
