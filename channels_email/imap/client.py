"""Connecting to an email inbox's IMAP mailbox, and the admin's "test connection" check."""

from __future__ import annotations

import re
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import replace
from typing import TYPE_CHECKING

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from channels_email.conf import EMAIL_INBOX
from channels_email.config import ImapSettings, imap_settings
from channels_email.imap import conf

if TYPE_CHECKING:
    from conversations.models import Inbox

# Everything a broken connection, a refused login or a server's NO/BAD can raise:
# ssl.SSLError and socket timeouts are OSErrors.
IMAP_ERRORS: tuple[type[BaseException], ...] = (IMAPClientError, OSError)


class ImapConfigError(ValueError):
    """The inbox's IMAP settings are missing or unusable."""


def load_settings(inbox: Inbox) -> ImapSettings:
    """The inbox's IMAP settings as the email config module reads them (the one place
    that knows the layout of Inbox.config); ImapConfigError when they are unusable."""
    if inbox.kind != EMAIL_INBOX:
        raise ImapConfigError("only email inboxes read IMAP mailboxes")
    try:
        settings = imap_settings(inbox)
    except ValueError as exc:
        raise ImapConfigError(str(exc)) from exc
    if settings is None:
        raise ImapConfigError("no IMAP mailbox is configured for this inbox")
    if settings.processed == "move" and settings.move_to == settings.folder:
        raise ImapConfigError("processed mail must be moved to another folder than the polled one")
    if not settings.user:
        settings = replace(settings, user=inbox.address)
    return settings


def is_imap_inbox(inbox: Inbox) -> bool:
    return inbox.kind == EMAIL_INBOX and bool((inbox.config or {}).get("imap"))


def where(settings: ImapSettings) -> str:
    return f"{settings.host}:{settings.port}"


def _ssl_context() -> ssl.SSLContext:
    # Certificates are always verified; a private CA is trusted through the setting.
    return ssl.create_default_context(cafile=conf.ca_file() or None)


def connect(settings: ImapSettings) -> IMAPClient:
    """A logged-in connection; raises one of IMAP_ERRORS."""
    timeout = conf.timeout_seconds()
    if settings.security == "tls":
        client = IMAPClient(
            settings.host, settings.port, ssl=True, ssl_context=_ssl_context(), timeout=timeout
        )
    else:
        client = IMAPClient(settings.host, settings.port, ssl=False, timeout=timeout)
    try:
        if settings.security == "starttls":
            client.starttls(_ssl_context())
        client.login(settings.user, settings.password)
    except BaseException:
        # A failed TLS handshake leaves the socket closed: what matters is why it failed.
        with suppress(Exception):
            client.shutdown()
        raise
    return client


@contextmanager
def connected(settings: ImapSettings) -> Iterator[IMAPClient]:
    client = connect(settings)
    try:
        yield client
    finally:
        close_quietly(client)


def close_quietly(client: IMAPClient) -> None:
    """Log out; a connection that already broke is simply dropped."""
    try:
        client.logout()
    except Exception:
        with suppress(Exception):  # nothing left to close
            client.shutdown()


def describe_error(exc: BaseException) -> str:
    """One line an admin can act on, from whatever connecting or polling raised."""
    if isinstance(exc, LoginError):
        return f"login refused: {_unwrap(str(exc))}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate not trusted: {exc.verify_message}"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed: {exc.reason or exc}"
    if isinstance(exc, TimeoutError):
        return f"timed out after {conf.timeout_seconds()} s"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return f"host not found ({exc.strerror})"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc) or type(exc).__name__
    return _unwrap(str(exc)) or type(exc).__name__


def _unwrap(message: str) -> str:
    # imaplib hands the server's text over as the repr of bytes: b'[AUTHENTICATIONFAILED] ...'
    match = re.fullmatch(r"b(['\"])(.*)\1", message.strip(), flags=re.DOTALL)
    return match.group(2) if match else message


def test_connection(inbox: Inbox) -> str:
    """A sentence for the admin: OK with the folder's size and whether IDLE is offered,
    or exactly what went wrong."""
    try:
        settings = load_settings(inbox)
    except ImapConfigError as exc:
        return f"IMAP is not usable: {exc}."
    try:
        with connected(settings) as client:
            # EXAMINE (read-only) so that checking changes nothing in the mailbox.
            selected = client.select_folder(settings.folder, readonly=True)
            idle = client.has_capability("IDLE")
    except Exception as exc:
        problem = describe_error(exc).rstrip(".")
        return f"IMAP connection to {where(settings)} as {settings.user} failed: {problem}."
    count = int(selected.get(b"EXISTS", 0))
    waiting = (
        "IDLE is offered, so new mail arrives at once"
        if idle
        else f"IDLE is not offered, so the folder is polled every {settings.poll_interval} s"
    )
    return (
        f"OK: logged in to {where(settings)} as {settings.user} ({settings.security}); "
        f"{settings.folder} holds {count} message{'' if count == 1 else 's'}; {waiting}."
    )
