"""Which way imports may point, read statically from the source with `ast`: the core
(conversations, customers, agents, realtime, routing, api) imports no channel app; a
channel app imports no other channel app; a package channel apps share (twilio_common)
imports none. Channel apps plug into the core through its registries instead."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = ("conversations", "customers", "agents", "realtime", "routing", "api")
SHARED = ("twilio_common",)


def channel_apps() -> list[str]:
    return sorted(p.name for p in ROOT.iterdir() if p.is_dir() and p.name.startswith("channels_"))


def imports_of(package: str) -> Iterator[tuple[str, int, str]]:
    """(file, line, top-level package) of every absolute import in `package`, including
    those inside functions."""
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                yield str(path.relative_to(ROOT)), node.lineno, name.split(".")[0]


def violations(packages: tuple[str, ...] | list[str], allowed: str = "") -> list[str]:
    apps = set(channel_apps())
    return [
        f"{file}:{line} imports {top}"
        for package in packages
        for file, line, top in imports_of(package)
        if top in apps and top != allowed
    ]


def test_the_channel_apps_are_found():
    assert {"channels_email", "channels_sms", "channels_voice"} <= set(channel_apps())


def test_the_core_imports_no_channel_app():
    assert violations(CORE) == []


def test_a_channel_app_imports_no_other_channel_app():
    found = [v for app in channel_apps() for v in violations([app], allowed=app)]
    assert found == []


def test_shared_packages_import_no_channel_app():
    assert violations(SHARED) == []


def test_the_check_sees_an_import_inside_a_function(tmp_path, monkeypatch):
    """The walk finds imports anywhere in a module, not only at its top."""
    package = tmp_path / "channels_toy"
    package.mkdir()
    (package / "late.py").write_text("def f():\n    from channels_voice.tasks import x\n")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    (tmp_path / "channels_voice").mkdir()
    assert violations(["channels_toy"], allowed="channels_toy") == [
        "channels_toy/late.py:2 imports channels_voice"]
