"""`manage.py serve`: the ASGI app (HTTP and websockets) under uvicorn, plus its workers.

Embedded default (no REDIS_URL): one process; the ASGI lifespan starts the Celery worker
and beat as threads (omnidesk/embedded.py). With REDIS_URL: `celery worker` and
`celery beat` run as child processes of this command and stop with it, unless
--no-worker (workers run elsewhere, as in docker-compose.yml).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from omnidesk.env import env_bool, env_int, env_str

CHILD_STOP_TIMEOUT = 20


class Command(BaseCommand):
    help = "Serve omnidesk (HTTP + websockets) with uvicorn, with its Celery worker and beat."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=env_int("PORT", 8000))
        parser.add_argument("--host", default=env_str("HOST", "127.0.0.1"))
        parser.add_argument("--no-worker", action="store_true",
                            help="with REDIS_URL: do not start celery worker and beat here")
        parser.add_argument("--log-level", default=env_str("UVICORN_LOG_LEVEL", "info"))

    def handle(self, *args: Any, **options: Any) -> None:
        import uvicorn

        port: int = options["port"]
        url = self._public_url(port)
        self._print_banner(url)
        children = [] if options["no_worker"] else self._start_celery_children()
        # uvicorn shuts down on SIGTERM, then raises it again with the handler it found:
        # SIGTERM's default would end this process before the children are stopped.
        signal.signal(signal.SIGTERM, _exit_on_signal)
        try:
            uvicorn.run(
                "omnidesk.asgi:application",
                host=options["host"],
                port=port,
                lifespan="on",
                log_level=options["log_level"],
                proxy_headers=True,
                forwarded_allow_ips=env_str("FORWARDED_ALLOW_IPS", "127.0.0.1"),
                # Per-socket zlib state: 68 KiB an idle socket with it, 26 without
                # (deploy/README.md); browsers work either way.
                ws_per_message_deflate=env_bool("OMNIDESK_WS_DEFLATE", False),
            )
        finally:
            for child in children:
                _stop(child)

    def _public_url(self, port: int) -> str:
        """PUBLIC_URL when configured; else the local address on the port we serve, which
        then becomes the PUBLIC_URL of this process (absolute links, signature checks)."""
        if os.environ.get("PUBLIC_URL"):
            return str(settings.PUBLIC_URL)
        url = f"http://localhost:{port}"
        settings.PUBLIC_URL = url
        if url not in settings.CSRF_TRUSTED_ORIGINS:
            settings.CSRF_TRUSTED_ORIGINS = [*settings.CSRF_TRUSTED_ORIGINS, url]
        os.environ["PUBLIC_URL"] = url  # for the Celery child processes
        return url

    def _print_banner(self, url: str) -> None:
        write = self.stdout.write
        write("")
        write(f"omnidesk is starting at {url}")
        if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
            name = settings.DATABASES["default"]["NAME"]
            write(f"  database: SQLite at {name} (embedded default)")
        else:
            write(f"  database: PostgreSQL {settings.DATABASES['default'].get('NAME', '')}")
        if settings.REDIS_URL:
            write("  broker and channel layer: Redis")
        else:
            write("  broker and channel layer: in-process (worker and beat run as threads here)")
        for line in _demo_logins():
            write(line)
        for line in _email_webhooks(url):
            write(line)
        write("")
        self.stdout.flush()

    def _start_celery_children(self) -> list[subprocess.Popen[bytes]]:
        if not settings.REDIS_URL or settings.EMBEDDED_WORKER:
            return []  # the lifespan starts the embedded worker instead
        schedule = str(settings.VAR_DIR / "celerybeat-schedule")
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        celery = [sys.executable, "-m", "celery", "-A", "omnidesk"]
        commands = [
            [*celery, "worker", "--loglevel", "INFO", "--without-gossip", "--without-mingle"],
            [*celery, "beat", "--loglevel", "INFO", "--schedule", schedule],
        ]
        if settings.OMNIDESK_SPOOL_DRAIN == "process":
            commands.append([sys.executable, str(settings.BASE_DIR / "manage.py"), "drain_spool"])
        self.stdout.write("  starting celery worker and beat (child processes)")
        # Celery's prefork children would close a connection pool after every task.
        env = {**os.environ, "DATABASE_POOL": "0"}
        # Fixed argv (this interpreter, celery), no shell.
        return [subprocess.Popen(cmd, env=env, preexec_fn=_die_with_parent)  # noqa: S603
                for cmd in commands]


def _demo_logins() -> list[str]:
    if not apps.is_installed("demo"):
        return []
    from django.contrib.auth.models import User

    from demo.data import USERS

    usernames = [spec[0] for spec in USERS]
    names = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    if not names:
        return []
    lines = [f"  demo logins (password: {settings.OMNIDESK_DEMO_PASSWORD}):"]
    for username, first, last, role, teams, _ in USERS:
        if username in names:
            where = f", {', '.join(teams)}" if teams and role == "agent" else ""
            lines.append(f"    {username:<8} {first} {last} ({role}{where})")
    return lines


def _email_webhooks(url: str) -> list[str]:
    if not apps.is_installed("channels_email"):
        return []
    from channels_email.banner import webhook_banner

    return webhook_banner(url)


def _die_with_parent() -> None:
    """Linux: the child gets SIGTERM if this process dies without cleaning up."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _stop(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is not None:
        return
    child.send_signal(signal.SIGTERM)
    try:
        child.wait(timeout=CHILD_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
