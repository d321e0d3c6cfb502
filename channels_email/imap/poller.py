"""One poll of an inbox's IMAP folder: every message not handled yet goes to the email
adapter, exactly once, in UID order.

Each message is handled in one transaction that locks the folder's state row: the
adapter records it, \\Seen is set, and the state's last_uid moves to its UID. A crash at
any point rolls all three back together, so the message is fetched again next time and
nothing is recorded twice (were it recorded anyway, the adapter's Message-ID dedupe
would absorb it). A message the adapter could not keep stops the poll right there,
unmarked, to be retried by the next poll: mail is never skipped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

from django.db import transaction
from imapclient import SEEN, IMAPClient

from channels_email.config import ImapSettings
from channels_email.imap import conf
from channels_email.imap.client import (
    IMAP_ERRORS,
    ImapConfigError,
    connected,
    describe_error,
    load_settings,
    where,
)
from channels_email.imap.state import do_advance, do_record_poll, do_sync_uidvalidity, lock_for_uid

if TYPE_CHECKING:
    from conversations.models import Inbox

logger = logging.getLogger(__name__)


class Outcome(Protocol):
    kept: bool
    ignored: bool
    reason: str
    result: Any


class ReceiveFn(Protocol):
    def __call__(self, raw: bytes, *, inbox: Inbox | None = ..., source: str = ...) -> Outcome: ...


def default_receive() -> ReceiveFn:
    # Imported when used: the adapter imports the core, and the poller must stay
    # importable by the Celery worker before the app registry is complete.
    from channels_email.receive import receive_raw_email

    return receive_raw_email


@dataclass
class PollReport:
    inbox: str
    folder: str
    fetched: int = 0
    recorded: int = 0  # new interactions
    duplicates: int = 0  # kept earlier (a refetch the Message-ID dedupe absorbed)
    ignored: int = 0  # recognized and deliberately dropped by the adapter (our own mail)
    last_uid: int = 0
    renumbered: bool = False  # UIDVALIDITY changed: the folder was read again from UID 1
    stopped_at_uid: int | None = None  # a message that could not be kept, retried next poll
    error: str = ""
    connection_lost: bool = False

    @property
    def ok(self) -> bool:
        return not self.error

    def summary(self) -> str:
        line = (
            f"{self.inbox} {self.folder}: {self.fetched} fetched, {self.recorded} recorded, "
            f"{self.duplicates} already recorded, {self.ignored} ignored; "
            f"last UID {self.last_uid}"
        )
        if self.renumbered:
            line += "; UIDVALIDITY changed, folder read again from the start"
        if self.error:
            line += f"; ERROR: {self.error}"
        return line


class _NotKept(Exception):
    pass


def poll_inbox(inbox: Inbox, receive: ReceiveFn | None = None) -> PollReport:
    """Connect, poll the inbox's folder once, disconnect. Never raises for IMAP trouble:
    the report (and the folder's state row) says what went wrong."""
    try:
        settings = load_settings(inbox)
    except ImapConfigError as exc:
        folder = ((inbox.config or {}).get("imap") or {}).get("folder") or "INBOX"
        return PollReport(inbox.slug, str(folder), error=str(exc))
    try:
        with connected(settings) as client:
            return poll_mailbox(client, inbox, settings, receive)
    except IMAP_ERRORS as exc:
        report = PollReport(
            inbox.slug,
            settings.folder,
            connection_lost=True,
            error=f"{where(settings)}: {describe_error(exc)}",
        )
        do_record_poll(inbox, settings.folder, report.error)
        return report


def poll_mailbox(
    client: IMAPClient, inbox: Inbox, settings: ImapSettings, receive: ReceiveFn | None = None
) -> PollReport:
    """Poll over a logged-in connection (the watcher keeps one open between polls)."""
    report = PollReport(inbox.slug, settings.folder)
    try:
        _poll(client, inbox, settings, receive or default_receive(), report)
    except IMAP_ERRORS as exc:
        report.error = f"{where(settings)}: {describe_error(exc)}"
        report.connection_lost = True
    if report.error:
        logger.warning("IMAP poll of %s: %s", inbox.slug, report.error)
    do_record_poll(inbox, settings.folder, report.error)
    return report


def _poll(
    client: IMAPClient,
    inbox: Inbox,
    settings: ImapSettings,
    receive: ReceiveFn,
    report: PollReport,
) -> None:
    selected = client.select_folder(settings.folder)
    uidvalidity = int(selected[b"UIDVALIDITY"])
    last_uid, report.renumbered = do_sync_uidvalidity(inbox, settings.folder, uidvalidity)
    report.last_uid = last_uid
    if settings.processed == "move" and last_uid:
        _move_leftovers(client, settings, last_uid)
    # "n:*" always matches the folder's last message, even when its UID is below n.
    uids = sorted(uid for uid in client.search(["UID", f"{last_uid + 1}:*"]) if uid > last_uid)
    if uids and settings.processed == "move":
        _ensure_folder(client, settings.move_to)
    size = conf.batch_size()
    for start in range(0, len(uids), size):
        batch = uids[start : start + size]
        bodies = client.fetch(batch, ["BODY.PEEK[]"])
        for uid in batch:
            raw = bodies.get(uid, {}).get(b"BODY[]")
            if not _handle(client, inbox, settings, uidvalidity, uid, raw, receive, report):
                return


def _handle(
    client: IMAPClient,
    inbox: Inbox,
    settings: ImapSettings,
    uidvalidity: int,
    uid: int,
    raw: bytes | None,
    receive: ReceiveFn,
    report: PollReport,
) -> bool:
    """Hand one message to the adapter; False when it could not be kept (stop here)."""
    # None: expunged by another client between SEARCH and FETCH, nothing left to keep.
    counted = ""
    try:
        with transaction.atomic():
            state = lock_for_uid(inbox, settings.folder, uidvalidity, uid)
            if state is None:
                return True
            if raw is not None:
                counted = _receive(inbox, settings, uidvalidity, uid, raw, receive)
                if settings.processed == "flag":
                    # Inside the transaction: if the commit fails after this, the UID is
                    # not advanced and the message is fetched again, \Seen or not.
                    client.add_flags([uid], [SEEN], silent=True)
            do_advance(state, uid)
    except _NotKept as exc:
        report.fetched += 1
        report.stopped_at_uid = uid
        report.error = f"UID {uid} could not be kept ({exc}); it stays unprocessed and is retried"
        return False
    report.last_uid = uid
    if counted:
        report.fetched += 1
        setattr(report, counted, getattr(report, counted) + 1)
    if counted and settings.processed == "move":
        # After the commit: moving first could lose a message whose recording then failed.
        _move(client, settings, [uid])
    return True


def _receive(
    inbox: Inbox,
    settings: ImapSettings,
    uidvalidity: int,
    uid: int,
    raw: bytes,
    receive: ReceiveFn,
) -> str:
    """Which count of the report the message adds to."""
    source = (
        f"imap://{quote(settings.user, safe='')}@{settings.host}:{settings.port}/"
        f"{quote(settings.folder)};UIDVALIDITY={uidvalidity}/;UID={uid}"
    )
    try:
        outcome = receive(raw, inbox=inbox, source=source)
    except Exception as exc:
        logger.exception("email adapter failed on %s", source)
        raise _NotKept(f"{type(exc).__name__}: {exc}") from exc
    if outcome.ignored:
        return "ignored"
    if not outcome.kept:
        raise _NotKept(outcome.reason or "refused by the email adapter")
    if outcome.result is not None and not outcome.result.created:
        return "duplicates"
    return "recorded"


def _move_leftovers(client: IMAPClient, settings: ImapSettings, last_uid: int) -> None:
    """Messages handled already but still in the folder: a poll that broke off between
    recording and moving, or mail handled before the inbox switched to moving."""
    leftovers = [uid for uid in client.search(["UID", f"1:{last_uid}"]) if uid <= last_uid]
    if leftovers:
        _ensure_folder(client, settings.move_to)
        _move(client, settings, leftovers)


def _ensure_folder(client: IMAPClient, folder: str) -> None:
    if not client.folder_exists(folder):
        client.create_folder(folder)


def _move(client: IMAPClient, settings: ImapSettings, uids: list[int]) -> None:
    if client.has_capability("MOVE"):
        client.move(uids, settings.move_to)
        return
    client.copy(uids, settings.move_to)
    client.add_flags(uids, [b"\\Deleted"], silent=True)
    if client.has_capability("UIDPLUS"):
        client.uid_expunge(uids)
    else:
        # Without UIDPLUS, EXPUNGE also removes whatever else is marked \Deleted in the
        # folder, as any mail client's "compact" would.
        client.expunge()
