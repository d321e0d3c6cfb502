"""A real Dovecot for the IMAP tests, one account per test, email inboxes reading it,
and messages put in with IMAP APPEND."""

from __future__ import annotations

import shutil
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

import pytest
from django.utils import timezone

from conversations.models import Direction, Inbox, Interaction
from tests.email_imap.dovecot import HOST, Account, Dovecot, start_dovecot

SUPPORT_ADDRESS = "support@omnidesk.test"


def _serve(imap_settings: str = "") -> Iterator[Dovecot]:
    try:
        server = start_dovecot(imap_settings)
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.root, ignore_errors=True)


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    """Dovecot as Debian ships it: IDLE, MOVE, UIDPLUS, STARTTLS and a TLS port."""
    yield from _serve()


@pytest.fixture(scope="session")
def dovecot_basic() -> Iterator[Dovecot]:
    """A server that offers neither IDLE nor MOVE: polled on an interval, processed mail
    moved with COPY, \\Deleted and EXPUNGE."""
    yield from _serve("  imap_capability = IMAP4rev1 LITERAL+ UIDPLUS")


@pytest.fixture
def account(dovecot: Dovecot) -> Account:
    return dovecot.new_account()


@pytest.fixture
def basic_account(dovecot_basic: Dovecot) -> Account:
    return dovecot_basic.new_account()


def imap_config(server: Dovecot, account: Account, **imap: Any) -> dict[str, Any]:
    return {"imap": {"host": HOST, "port": server.port, "security": "none",
                     "user": account.user, "folder": "INBOX", "processed": "flag",
                     "poll_interval": 60, **imap}}


def make_inbox(server: Dovecot, account: Account, *, slug: str = "support-imap",
               password: str | None = None, **imap: Any) -> Inbox:
    return Inbox.objects.create(
        kind="email", name=f"Mailbox {slug}", slug=slug, address=SUPPORT_ADDRESS,
        config=imap_config(server, account, **imap),
        secrets={"imap_password": account.password if password is None else password},
    )


@pytest.fixture
def imap_inbox(db: Any, dovecot: Dovecot, account: Account) -> Inbox:
    return make_inbox(dovecot, account)


def mail(subject: str, body: str = "", *, sender: str = "", message_id: str = "",
         in_reply_to: str = "") -> bytes:
    """A plain message as a customer's mail client sends it; each from a customer of its
    own unless told (the adapter's per-sender loop limit counts across test runs)."""
    sender = sender or f"ana.{uuid.uuid4().hex[:12]}@customer.test"
    message = EmailMessage()
    message["From"] = f"Ana Lima <{sender}>"
    message["To"] = SUPPORT_ADDRESS
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = message_id or make_msgid(domain="customer.test")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    message.set_content(body or f"Body of {subject}.")
    return message.as_bytes()


def append(server: Dovecot, account: Account, *messages: bytes, folder: str = "INBOX") -> None:
    client = server.client(account)
    try:
        for raw in messages:
            client.append(folder, raw)
    finally:
        client.logout()


def folder_flags(server: Dovecot, account: Account, folder: str = "INBOX") -> dict[str, bool]:
    """Subject of each message in `folder` -> whether it is \\Seen."""
    client = server.client(account)
    try:
        client.select_folder(folder, readonly=True)
        fetched = client.fetch(client.search("ALL"),
                               ["FLAGS", "BODY.PEEK[HEADER.FIELDS (SUBJECT)]"])
    finally:
        client.logout()
    result = {}
    for data in fetched.values():
        header = data[b"BODY[HEADER.FIELDS (SUBJECT)]"].decode().strip()
        result[header.removeprefix("Subject: ")] = b"\\Seen" in data[b"FLAGS"]
    return result


def subjects_recorded(inbox: Inbox) -> Counter[str]:
    """How many inbound interactions the inbox recorded, per subject."""
    return Counter(
        Interaction.objects.filter(inbox=inbox, direction=Direction.INBOUND)
        .values_list("subject", flat=True)
    )


@pytest.fixture
def receive() -> Callable[..., Any]:
    """The email adapter, end to end: what the poller calls by default."""
    from channels_email.receive import receive_raw_email

    return receive_raw_email
