"""Settings of IMAP polling, read at call time so tests and deployments can override them."""

from __future__ import annotations

from django.conf import settings

from omnidesk.env import env_int, env_str


def timeout_seconds() -> int:
    """Socket timeout for connecting and for every command (IDLE waits apart)."""
    return int(getattr(settings, "OMNIDESK_IMAP_TIMEOUT", env_int("OMNIDESK_IMAP_TIMEOUT", 30)))


def ca_file() -> str:
    """A CA bundle to trust instead of the system's (a company CA, a self-signed server)."""
    return str(getattr(settings, "OMNIDESK_IMAP_CA_FILE", env_str("OMNIDESK_IMAP_CA_FILE", "")))


def batch_size() -> int:
    """Messages fetched per FETCH command: bounds the memory one poll holds at a time."""
    return max(
        1,
        int(getattr(settings, "OMNIDESK_IMAP_BATCH_SIZE", env_int("OMNIDESK_IMAP_BATCH_SIZE", 20))),
    )


def idle_seconds() -> int:
    """How long one IDLE lasts before it is renewed (RFC 2177: under 29 minutes)."""
    return max(
        1,
        int(
            getattr(
                settings, "OMNIDESK_IMAP_IDLE_SECONDS", env_int("OMNIDESK_IMAP_IDLE_SECONDS", 1500)
            )
        ),
    )


def max_backoff_seconds() -> int:
    """The longest a watcher waits before reconnecting after repeated errors."""
    return max(
        1,
        int(
            getattr(
                settings, "OMNIDESK_IMAP_MAX_BACKOFF", env_int("OMNIDESK_IMAP_MAX_BACKOFF", 300)
            )
        ),
    )
