"""Settings of IMAP polling (defined in omnidesk/settings.py), read at call time so tests
and deployments can override them."""

from __future__ import annotations

from django.conf import settings


def timeout_seconds() -> int:
    """Socket timeout for connecting and for every command (IDLE waits apart)."""
    return int(settings.OMNIDESK_IMAP_TIMEOUT)


def ca_file() -> str:
    """A CA bundle to trust instead of the system's (a company CA, a self-signed server)."""
    return str(settings.OMNIDESK_IMAP_CA_FILE)


def batch_size() -> int:
    """Messages fetched per FETCH command: bounds the memory one poll holds at a time."""
    return max(1, int(settings.OMNIDESK_IMAP_BATCH_SIZE))


def idle_seconds() -> int:
    """How long one IDLE lasts before it is renewed (RFC 2177: under 29 minutes)."""
    return max(1, int(settings.OMNIDESK_IMAP_IDLE_SECONDS))


def max_backoff_seconds() -> int:
    """The longest a watcher waits before reconnecting after repeated errors."""
    return max(1, int(settings.OMNIDESK_IMAP_MAX_BACKOFF))
