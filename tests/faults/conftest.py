"""Fault tests on the real services: omnidesk's web process and Celery worker run as
subprocesses on the test database, with a private Redis the test can stop and start
(never the machine's shared one)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings
from django.db import connection

from tests.run.conftest import ROOT, free_port, wait_until_healthy
from tests.run.conftest import Server as WebServer


class PrivateRedis:
    """A redis-server of this test's own on a fixed free port: stop() is an outage,
    start() brings back an empty one, as a restarted Redis without persistence is."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        log = (self.directory / f"redis-{self.port}.log").open("ab")
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(self.url, socket_connect_timeout=0.2).ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise AssertionError("private redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@dataclass
class Stack:
    """The environment of omnidesk's processes, and the processes started with it."""

    env: dict[str, str]
    tmp: Path
    processes: list[subprocess.Popen[str]] = field(default_factory=list)

    def serve(self) -> WebServer:
        port = int(self.env["PORT"])
        log = self.tmp / f"serve-{port}.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                [sys.executable, "manage.py", "serve", "--no-worker", "--port", str(port)],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, text=True,
                start_new_session=True,
            )
        self.processes.append(process)
        server = WebServer(process, port, log)
        wait_until_healthy(server)
        return server

    def worker(self, name: str) -> subprocess.Popen[str]:
        """A Celery worker with beat embedded (-B), in its own process group."""
        log = self.tmp / f"worker-{name}.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "omnidesk", "worker", "-B",
                 "--schedule", str(self.tmp / f"beat-{name}"), "--pool", "prefork",
                 "--concurrency", "2", "--loglevel", "INFO", "--without-gossip",
                 "--without-mingle", "-n", f"{name}@%h"],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, text=True,
                start_new_session=True,
            )
        self.processes.append(process)
        return process

    def worker_log(self, name: str) -> str:
        return (self.tmp / f"worker-{name}.log").read_text()

    def kill(self, process: subprocess.Popen[str]) -> None:
        """SIGKILL the process and its children: no clean shutdown, no acks."""
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except (ProcessLookupError, PermissionError):
                    process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def stack(transactional_db: Any, private_redis: PrivateRedis, tmp_path: Path) -> Iterator[Stack]:
    """Processes on the test database (this test commits for real) and the private Redis.
    Short relay and redelivery windows so a test sees them act."""
    db = settings.DATABASES["default"]
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DJANGO_SETTINGS_MODULE="omnidesk.settings",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{connection.settings_dict['NAME']}",
        REDIS_URL=private_redis.url,
        CELERY_BROKER_URL=private_redis.url,
        OMNIDESK_EMBEDDED_WORKER="0",
        OMNIDESK_VAR_DIR=str(tmp_path / "var"),
        STATIC_ROOT=str(tmp_path / "static"),
        SECRET_KEY="fault-test-secret-key-" + "x" * 40,
        PUBLIC_URL=f"http://localhost:{port}",
        PORT=str(port),
        OMNIDESK_IMAP_BEAT_SECONDS="0",
        OMNIDESK_CELERY_LOG_LEVEL="INFO",  # the worker logs each task it finished
        OMNIDESK_JOB_RELAY_SECONDS="1",
        OMNIDESK_JOB_REDELIVER_SECONDS="60",
        OMNIDESK_SEND_STUCK_SECONDS="8",
        PYTHONUNBUFFERED="1",
    )
    (tmp_path / "static").mkdir()
    running = Stack(env, tmp_path)
    yield running
    running.stop_all()
