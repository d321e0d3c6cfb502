"""Running omnidesk the way a new user does: manage.py commands in subprocesses, on the
embedded default (SQLite, in-process broker and channel layer) in a fresh directory."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
# Set by omnidesk.settings_test in this process; the embedded default has none of them.
NOT_EMBEDDED = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "OMNIDESK_EMBEDDED_WORKER",
                "PUBLIC_URL", "PORT", "HOST")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def embedded_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in NOT_EMBEDDED}
    env.update(
        DJANGO_SETTINGS_MODULE="omnidesk.settings",
        OMNIDESK_VAR_DIR=str(tmp_path / "var"),
        STATIC_ROOT=str(tmp_path / "static"),
        PYTHONUNBUFFERED="1",
    )
    (tmp_path / "static").mkdir()
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=timeout, check=False,
    )
    assert done.returncode == 0, f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@dataclass
class Server:
    process: subprocess.Popen[str]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    def output(self) -> str:
        return self.log.read_text()


def wait_until_healthy(server: Server, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            code = server.process.returncode
            raise AssertionError(f"serve exited with {code}:\n{server.output()}")
        try:
            if requests.get(f"{server.url}/healthz", timeout=2).json()["ok"] is True:
                return
        except (requests.ConnectionError, requests.Timeout, ValueError, KeyError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"serve did not answer /healthz within {timeout}s:\n{server.output()}")


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[Any]:
    """Starts `manage.py serve --port <free>` with the given environment; stops it after."""
    started: list[Server] = []

    def start(env: dict[str, str], *extra: str) -> Server:
        port = free_port()
        log = tmp_path / f"serve-{port}.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                [sys.executable, "manage.py", "serve", "--port", str(port), *extra],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, text=True,
            )
        server = Server(process, port, log)
        started.append(server)
        wait_until_healthy(server)
        return server

    yield start
    for server in started:
        if server.process.poll() is None:
            server.process.terminate()
            try:
                server.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait()
