"""The embedded default really runs Celery tasks inside the process: delay() and countdown."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.run.conftest import ROOT

pytestmark = pytest.mark.slow  # real servers and processes: scheduled first


def test_embedded_worker_runs_delayed_and_countdown_tasks(embedded_env):
    done = subprocess.run(
        [sys.executable, "tests/run/embedded_probe.py"], cwd=ROOT, env=embedded_env,
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["engine"] == "django.db.backends.sqlite3"
    assert report["broker"].startswith("memory://")
    assert report["started"] is True
    # The pipeline's routing hook queued route_inbound_task with delay(); the embedded
    # worker ran it and set the API channel's 4-hour first-response target.
    assert report["delay_seconds"] is not None
    assert report["due_minus_inbound"] == 4 * 3600
    # A countdown task waits for its ETA, then runs.
    assert report["countdown_seconds"] is not None
    assert 2.0 <= report["countdown_seconds"] < 15
