"""One poll of an inbox's IMAP folder: every message not handled yet goes to the email
adapter, exactly once, in UID order.

The messages of one FETCH (conf.batch_size() UIDs, a block) are handled in one
transaction that locks the folder's state row once: the adapter records them together
(channels_email.receive.receive_raw_emails, one commit for the block), \\Seen is set on
their UIDs in one command, and the state's last_uid moves to the block's last UID. A
crash at any point rolls all three back together, so the block is fetched again next
time and nothing is recorded twice (were it recorded anyway, the adapter's Message-ID
dedupe would absorb it). Processed mail is moved after the commit.

A block with a message the adapter could not keep (or an adapter that failed outright)
is rolled back whole and handled again one message per transaction: the messages before
that one are recorded, and the poll stops right there, that message unmarked, to be
retried by the next poll. Mail is never skipped, and nothing after it is recorded,
marked or advanced past.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
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
from channels_email.imap.state import (
    do_advance,
    do_record_poll,
    do_sync_uidvalidity,
    lock_for_uid,
    lock_for_uids,
)

if TYPE_CHECKING:
    from conversations.models import Inbox

logger = logging.getLogger(__name__)


class Outcome(Protocol):
    kept: bool
    ignored: bool
    reason: str
    result: Any


class ReceiveFn(Protocol):
    """The adapter for one message (receive_raw_email), as a caller may pass it."""

    def __call__(self, raw: bytes, *, inbox: Inbox | None = ..., source: str = ...) -> Outcome: ...


class ReceiveManyFn(Protocol):
    """The adapter for several messages, (raw bytes, source) each, answering one outcome
    per message in order (receive_raw_emails): what the poller calls."""

    def __call__(
        self, messages: Sequence[tuple[bytes, str]], *, inbox: Inbox | None = ...
    ) -> Sequence[Outcome]: ...


def default_receive_many() -> ReceiveManyFn:
    # Imported when used: the adapter imports the core, and the poller must stay
    # importable by the Celery worker before the app registry is complete.
    from channels_email.receive import receive_raw_emails

    # A block that cannot be received together raises: the poller rolls it back and goes
    # one by one itself, stopping at a message that cannot be kept (receive_raw_emails'
    # own fallback would record the messages after it in the block's transaction).
    return partial(receive_raw_emails, one_by_one_after_failure=False)


def one_by_one(receive: ReceiveFn) -> ReceiveManyFn:
    """A caller's one-message adapter (tests wrap it to crash or refuse) called for each
    message of a block in turn, all in the block's transaction."""

    def receive_many(
        messages: Sequence[tuple[bytes, str]], *, inbox: Inbox | None = None
    ) -> list[Outcome]:
        return [receive(raw, inbox=inbox, source=source) for raw, source in messages]

    return receive_many


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
    receive_many = default_receive_many() if receive is None else one_by_one(receive)
    try:
        _poll(client, inbox, settings, receive_many, report)
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
    receive_many: ReceiveManyFn,
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
    poll = _Poll(client, inbox, settings, uidvalidity, receive_many, report)
    size = conf.batch_size()
    for start in range(0, len(uids), size):
        batch = uids[start : start + size]
        bodies = client.fetch(batch, ["BODY.PEEK[]"])
        # None: expunged by another client between SEARCH and FETCH, nothing left to keep
        # (its UID is handled all the same).
        block = [(uid, bodies.get(uid, {}).get(b"BODY[]")) for uid in batch]
        if not poll.handle_block(block):
            return


@dataclass
class _Poll:
    """What handling one block or message of a poll needs."""

    client: IMAPClient
    inbox: Inbox
    settings: ImapSettings
    uidvalidity: int
    receive_many: ReceiveManyFn
    report: PollReport

    def handle_block(self, block: list[tuple[int, bytes | None]]) -> bool:
        """The block's messages in one transaction; False when one could not be kept
        (the poll stops there)."""
        try:
            counted = self._record_block(block)
        except _NotKept as exc:
            # Everything of the block rolled back: one message per transaction now, up to
            # the one that cannot be kept.
            logger.info("IMAP UIDs %d-%d of %s not kept together (%s); one by one now",
                        block[0][0], block[-1][0], self.inbox.slug, exc, exc_info=True)
            return all(self.handle(uid, raw) for uid, raw in block)
        if counted is None:
            return True
        self.report.last_uid = block[-1][0]
        for _uid, count in counted:
            self._tally(count)
        if counted and self.settings.processed == "move":
            # After the commit: moving first could lose a message whose recording then failed.
            _move(self.client, self.settings, [uid for uid, _count in counted])
        return True

    def _record_block(
        self, block: list[tuple[int, bytes | None]]
    ) -> list[tuple[int, str]] | None:
        """(UID, the report's count it adds to) of each message received; None when none
        of the block was this poller's. Raises _NotKept, the transaction rolled back, when
        the adapter could not keep one of them."""
        with transaction.atomic():
            locked = lock_for_uids(
                self.inbox, self.settings.folder, self.uidvalidity, [uid for uid, _ in block]
            )
            if locked is None:
                return None
            state, pending = locked
            received = [(uid, raw) for uid, raw in block if uid in pending and raw is not None]
            counts = self._receive(received)
            counted = [(uid, count) for (uid, _raw), count in zip(received, counts, strict=True)]
            if counted and self.settings.processed == "flag":
                # Inside the transaction: if the commit fails after this, the UIDs are not
                # advanced and the messages are fetched again, \Seen or not.
                self.client.add_flags([uid for uid, _ in counted], [SEEN], silent=True)
            do_advance(state, block[-1][0])
        return counted

    def handle(self, uid: int, raw: bytes | None) -> bool:
        """One message in its own transaction; False when it could not be kept."""
        counted = ""
        try:
            with transaction.atomic():
                state = lock_for_uid(self.inbox, self.settings.folder, self.uidvalidity, uid)
                if state is None:
                    return True
                if raw is not None:
                    [counted] = self._receive([(uid, raw)])
                    if self.settings.processed == "flag":
                        # As for a block: \Seen inside the transaction.
                        self.client.add_flags([uid], [SEEN], silent=True)
                do_advance(state, uid)
        except _NotKept as exc:
            self.report.fetched += 1
            self.report.stopped_at_uid = uid
            self.report.error = (
                f"UID {uid} could not be kept ({exc}); it stays unprocessed and is retried"
            )
            return False
        self.report.last_uid = uid
        if counted:
            self._tally(counted)
        if counted and self.settings.processed == "move":
            _move(self.client, self.settings, [uid])
        return True

    def _receive(self, messages: list[tuple[int, bytes]]) -> list[str]:
        """Which count of the report each message adds to; _NotKept when the adapter
        failed or could not keep one of them."""
        if not messages:
            return []
        sources = [self._source(uid) for uid, _raw in messages]
        try:
            outcomes = self.receive_many(
                [(raw, source) for (_uid, raw), source in zip(messages, sources, strict=True)],
                inbox=self.inbox,
            )
        except Exception as exc:
            if len(sources) == 1:  # a block's failure is logged as it goes one by one
                logger.exception("email adapter failed on %s", sources[0])
            raise _NotKept(f"{type(exc).__name__}: {exc}") from exc
        if len(outcomes) != len(messages):
            raise _NotKept(f"{len(outcomes)} outcomes for {len(messages)} messages")
        return [_count(outcome) for outcome in outcomes]

    def _source(self, uid: int) -> str:
        settings = self.settings
        return (
            f"imap://{quote(settings.user, safe='')}@{settings.host}:{settings.port}/"
            f"{quote(settings.folder)};UIDVALIDITY={self.uidvalidity}/;UID={uid}"
        )

    def _tally(self, count: str) -> None:
        self.report.fetched += 1
        setattr(self.report, count, getattr(self.report, count) + 1)


def _count(outcome: Outcome) -> str:
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
