"""Secrets generated once per install and kept in the var folder (settings.VAR_DIR).

A default install must not run on a key printed in the source: whatever the operator
leaves unset (SECRET_KEY, ANYMAIL_WEBHOOK_SECRET) is generated on the first start,
written to `<var>/secrets/<name>` (directory 0700, file 0600) and read back on every
later start, by every process sharing the var folder (web, worker, beat).

Imported by omnidesk/settings.py, so it uses nothing from Django.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from pathlib import Path

SECRETS_DIRNAME = "secrets"


class InstallSecretError(RuntimeError):
    """The var folder cannot hold the install's secrets (not writable, or a secret file
    that is empty)."""


def random_token() -> str:
    """64 URL-safe characters (384 bits)."""
    return secrets.token_urlsafe(48)


def secret_path(var_dir: Path, name: str) -> Path:
    return var_dir / SECRETS_DIRNAME / name


def install_secret(
    var_dir: Path, name: str, generate: Callable[[], str] = random_token
) -> str:
    """The install's secret called `name`: read from the var folder, or generated and
    stored there on first use. Two processes starting at once agree on one value: the
    file appears whole (written aside, then hard-linked into place), and the loser of
    the race reads the winner's."""
    path = secret_path(var_dir, name)
    existing = _read(path)
    if existing is not None:
        return existing
    value = generate().strip()
    if not value or "\n" in value:
        raise InstallSecretError(f"generator for {name} returned an unusable value")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _publish(path, value)
    except FileExistsError:
        pass  # another process wrote it first: use theirs
    except OSError as exc:
        raise _unusable(path, name, exc) from exc
    stored = _read(path)
    if stored is None:
        raise InstallSecretError(f"{path} vanished right after it was written")
    return stored


def _unusable(path: Path, name: str, exc: OSError) -> InstallSecretError:
    return InstallSecretError(
        f"cannot keep the {name} in {path.parent} ({exc.strerror or exc}); make the var "
        "folder (OMNIDESK_VAR_DIR) a writable directory or set the value in the environment"
    )


def _read(path: Path) -> str | None:
    try:
        value = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _unusable(path, path.name, exc) from exc
    if not value:
        raise InstallSecretError(f"{path} is empty; delete it to generate a new secret")
    return value


def _publish(path: Path, value: str) -> None:
    staging = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(value + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.link(staging, path)  # atomic; FileExistsError when someone was faster
    finally:
        with contextlib.suppress(FileNotFoundError):
            staging.unlink()


def webhook_basic_auth() -> str:
    """A `user:password` pair for anymail's WEBHOOK_SECRET (URL-safe, no colon in the
    password, so it can be written into a webhook URL as is)."""
    return f"omnidesk:{secrets.token_urlsafe(24)}"
