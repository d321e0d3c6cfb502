"""`make test` installs Chromium and Dovecot with apt when they are missing. If another
install holds apt's lock, it waits for it instead of failing with apt's error 100.

apt runs here on directories of the test's own (package lists, cache, dpkg state), so
the test holds and releases their locks without touching the machine's apt.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.run.conftest import ROOT

pytestmark = pytest.mark.skipif(shutil.which("apt-get") is None, reason="needs apt-get")


@pytest.fixture
def apt_dirs(tmp_path: Path) -> Path:
    for folder in ("lists/partial", "cache/archives/partial", "sources.list.d", "dpkg",
                   "log"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "dpkg/status").touch()
    return tmp_path


def make_apt_install(apt_dirs: Path, packages: str = "",
                     wait: int = 60) -> subprocess.CompletedProcess[str]:
    options = " ".join(f"-o {name}={apt_dirs / path}" for name, path in (
        ("Dir::State::Lists", "lists"), ("Dir::Cache", "cache"),
        ("Dir::State::status", "dpkg/status"), ("Dir::Log", "log"),
        ("Dir::Etc::sourceparts", "sources.list.d"),
    )) + " -o Dir::Etc::sourcelist=/dev/null"
    return subprocess.run(
        ["make", "-s", "--no-print-directory", "apt-install", f"APT_PACKAGES={packages}",
         f"APT_OPTIONS={options}", f"APT_WAIT={wait}", "APT_RETRY_SECONDS=1"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.fixture
def hold() -> Iterator[object]:
    """Holds a file's lock (as apt does: fcntl) until released, or for `seconds`."""
    timers: list[threading.Timer] = []

    def lock(path: Path, seconds: float) -> None:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o640)
        fcntl.lockf(fd, fcntl.LOCK_EX)
        timer = threading.Timer(seconds, os.close, (fd,))  # closing releases the lock
        timer.start()
        timers.append(timer)

    yield lock
    for timer in timers:
        timer.join()


def test_waits_while_another_apt_get_update_holds_the_lists(apt_dirs, hold):
    hold(apt_dirs / "lists/lock", seconds=3)
    done = make_apt_install(apt_dirs)
    assert done.returncode == 0, done.stderr
    assert "apt is busy (another install holds its lock): waiting" in done.stderr


def test_waits_while_another_install_holds_dpkg(apt_dirs, hold):
    hold(apt_dirs / "dpkg/lock-frontend", seconds=3)
    done = make_apt_install(apt_dirs)
    assert done.returncode == 0, done.stderr


def test_gives_up_with_apts_error_after_apt_wait(apt_dirs, hold):
    hold(apt_dirs / "lists/lock", seconds=4)
    done = make_apt_install(apt_dirs, wait=0)
    assert done.returncode != 0
    assert f"Could not get lock {apt_dirs}/lists/lock" in done.stderr


def test_other_errors_fail_at_once(apt_dirs):
    done = make_apt_install(apt_dirs, packages="no-such-package-omnidesk")
    assert done.returncode != 0
    assert "Unable to locate package no-such-package-omnidesk" in done.stderr
    assert "waiting" not in done.stderr

