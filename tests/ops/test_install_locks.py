"""Installs are repeatable: `make run` and `make test` install from lock files
(requirements/run.txt, requirements/test.txt) that pin every package with hashes, and
`make run` installs no test tool. The lock files follow pyproject.toml: a dependency
added there without `make lock` fails here."""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.run.conftest import ROOT

RUN_LOCK = ROOT / "requirements/run.txt"
TEST_LOCK = ROOT / "requirements/test.txt"
TOOLS_LOCK = ROOT / "requirements/tools.txt"
# "name==version \" or, where it applies only to some platforms, "name==version ; marker \"
# (one lock serves every platform, so a package may have one pin per platform).
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)(?: ; ([^\n]*))? \\$", re.M)


def pins(lock: Path) -> set[tuple[str, str, str]]:
    """(name, version, marker) of every pin."""
    return {(canonicalize_name(name), version, marker)
            for name, version, marker in PIN.findall(lock.read_text())}


def names(lock: Path) -> set[str]:
    return {name for name, _, _ in pins(lock)}


def declared(group: str | None) -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = (project["dependencies"] if group is None
                    else project["optional-dependencies"][group])
    return {canonicalize_name(Requirement(line).name) for line in requirements}


def test_every_dependency_is_pinned_in_its_lock():
    assert declared(None) - names(RUN_LOCK) == set()
    assert declared("test") - names(TEST_LOCK) == set()


def test_the_test_lock_has_every_run_pin_unchanged():
    # Same versions; a marker may widen (a test tool needs cffi on every interpreter, the
    # running product only off PyPy), never the version.
    versions = {(name, version) for name, version, _ in pins(TEST_LOCK)}
    assert {(name, version) for name, version, _ in pins(RUN_LOCK)} - versions == set()


def test_the_installers_are_pinned():
    assert pins(TOOLS_LOCK) == {("uv", make_variable("UV_VERSION"), ""),
                                ("pip", make_variable("PIP_VERSION"), "")}


def test_the_run_lock_has_no_test_tools():
    tools = {"pytest", "pytest-django", "hypothesis", "playwright", "mypy", "ruff",
             "django-stubs", "daphne"}
    assert tools & names(RUN_LOCK) == set()
    assert tools <= names(TEST_LOCK)


@pytest.mark.parametrize("lock", [RUN_LOCK, TEST_LOCK, TOOLS_LOCK],
                         ids=["run", "test", "tools"])
def test_every_pin_carries_hashes(lock):
    # A requirement and its indented lines (hashes, "# via" notes).
    requirements = re.findall(r"^[A-Za-z0-9][^\n]*(?:\n[ \t]+[^\n]*)*", lock.read_text(),
                              re.M)
    assert len(requirements) == len(pins(lock))
    for entry in requirements:
        assert "--hash=sha256:" in entry, entry.splitlines()[0]


def make_variable(name: str) -> str:
    done = subprocess.run(["make", "-s", "--no-print-directory", "-f", "Makefile", "-f", "-",
                           "print"], input=f"print:\n\t@echo $({name})\n", cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=True)
    return done.stdout.strip()


def dry_run(target: str, **variables: str) -> str:
    done = subprocess.run(["make", "-n", "--no-print-directory", target,
                           *(f"{k}={v}" for k, v in variables.items())],
                          cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    return done.stdout


@pytest.mark.parametrize(("target", "stamp", "lock"), [
    ("run", "RUN_STAMP", "requirements/run.txt"),
    ("test", "TEST_STAMP", "requirements/test.txt"),
])
def test_make_installs_from_its_lock_when_the_lock_changes(tmp_path, target, stamp, lock):
    def installs(output: str) -> list[str]:
        return [line for line in output.splitlines() if " pip install " in line]

    marker = tmp_path / "installed"
    marker.touch()
    os.utime(marker, (1, 1))  # older than the lock: the lock changed since
    [install] = installs(dry_run(target, **{stamp: str(marker)}))
    assert "--require-hashes" in install.split()
    assert f"-r {lock}" in install
    os.utime(marker)  # newer: nothing to install
    assert installs(dry_run(target, **{stamp: str(marker)})) == []
    assert "requirements/test.txt" not in dry_run("run", RUN_STAMP=str(tmp_path / "none"))
