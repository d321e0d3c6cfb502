"""Against a real Dovecot, every message becomes exactly one interaction: across worker
restarts, a crash in the middle of a message, and a message that could not be kept."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from channels_email.imap.poller import poll_inbox
from channels_email.models import ImapMailboxState
from conversations.models import Inbox, Interaction
from tests.email_imap.conftest import append, folder_flags, mail, subjects_recorded
from tests.email_imap.dovecot import Account, Dovecot


def test_each_message_once_across_a_worker_restart(
    imap_inbox: Inbox, dovecot: Dovecot, account: Account, receive: Callable[..., Any]
) -> None:
    append(dovecot, account, mail("Order 1 late", "Where is order 1?"), mail("Order 2 late"),
           mail("Order 3 late"))

    first = poll_inbox(imap_inbox, receive)

    assert (first.fetched, first.recorded, first.duplicates, first.last_uid, first.error) == \
        (3, 3, 0, 3, "")
    assert subjects_recorded(imap_inbox) == Counter(
        {"Order 1 late": 1, "Order 2 late": 1, "Order 3 late": 1})
    assert Interaction.objects.get(subject="Order 1 late").text.strip() == "Where is order 1?"

    # A restarted worker: a fresh Inbox object, a new connection, the state read from the
    # database. More mail arrived while it was down.
    append(dovecot, account, mail("Order 4 late"), mail("Order 5 late"))
    restarted = poll_inbox(Inbox.objects.get(pk=imap_inbox.pk), receive)

    assert (restarted.fetched, restarted.recorded, restarted.last_uid) == (2, 2, 5)
    assert subjects_recorded(imap_inbox) == Counter({f"Order {n} late": 1 for n in range(1, 6)})
    state = ImapMailboxState.objects.get(inbox=imap_inbox, folder="INBOX")
    assert (state.last_uid, state.last_error) == (5, "")
    assert state.uidvalidity is not None and state.last_polled_at is not None

    # Nothing new: nothing fetched (IMAP answers "6:*" with message 5; it is not refetched).
    idle = poll_inbox(imap_inbox, receive)
    assert (idle.fetched, idle.recorded, idle.last_uid) == (0, 0, 5)
    assert Interaction.objects.filter(inbox=imap_inbox).count() == 5


def test_a_crash_after_receiving_refetches_without_duplicating(
    imap_inbox: Inbox, dovecot: Dovecot, account: Account, receive: Callable[..., Any]
) -> None:
    append(dovecot, account, mail("First"), mail("Second"), mail("Third"))
    calls: list[str] = []

    def crashing(raw: bytes, **kwargs: Any) -> Any:
        outcome = receive(raw, **kwargs)  # the adapter records the message...
        calls.append(kwargs["source"])
        if kwargs["source"].endswith(";UID=2"):
            # ...and the worker dies before the UID is stored: the recording and the UID
            # roll back together.
            raise RuntimeError("worker killed")
        return outcome

    crashed = poll_inbox(imap_inbox, crashing)

    assert (crashed.recorded, crashed.stopped_at_uid, crashed.last_uid) == (1, 2, 1)
    assert "UID 2 could not be kept (RuntimeError: worker killed)" in crashed.error
    # The block of three crashed at UID 2 and rolled back; one by one, UID 1 was recorded
    # in a transaction of its own and UID 2 crashed again. UID 3 was never handed over.
    assert [source.rsplit(";", 1)[1] for source in calls] == [
        "UID=1", "UID=2", "UID=1", "UID=2"]
    assert folder_flags(dovecot, account) == {"First": True, "Second": False, "Third": False}

    again = poll_inbox(imap_inbox, receive)

    assert (again.fetched, again.recorded, again.last_uid, again.error) == (2, 2, 3, "")
    assert subjects_recorded(imap_inbox) == Counter({"First": 1, "Second": 1, "Third": 1})
    assert folder_flags(dovecot, account) == {"First": True, "Second": True, "Third": True}


def test_refetching_what_was_recorded_records_nothing_twice(
    imap_inbox: Inbox, dovecot: Dovecot, account: Account, receive: Callable[..., Any]
) -> None:
    """Were the UID bookkeeping ever lost (a restored backup), the Message-ID dedupe
    absorbs the refetch."""
    append(dovecot, account, mail("Alpha"), mail("Beta"))
    poll_inbox(imap_inbox, receive)
    ImapMailboxState.objects.filter(inbox=imap_inbox).update(last_uid=0)

    refetch = poll_inbox(imap_inbox, receive)

    assert (refetch.fetched, refetch.recorded, refetch.duplicates, refetch.last_uid) == (2, 0, 2, 2)
    assert subjects_recorded(imap_inbox) == Counter({"Alpha": 1, "Beta": 1})


def test_a_message_that_could_not_be_kept_stops_the_poll_unprocessed(
    imap_inbox: Inbox, dovecot: Dovecot, account: Account, receive: Callable[..., Any]
) -> None:
    append(dovecot, account, mail("Fine"), mail("Trouble"), mail("After"))

    def refusing(raw: bytes, **kwargs: Any) -> Any:
        outcome = receive(raw, **kwargs)
        if b"Subject: Trouble" in raw:
            return type(outcome)(kept=False, result=None, reason="database unavailable",
                                 ignored=False)
        return outcome

    stopped = poll_inbox(imap_inbox, refusing)

    assert (stopped.recorded, stopped.stopped_at_uid, stopped.last_uid) == (1, 2, 1)
    state = ImapMailboxState.objects.get(inbox=imap_inbox)
    assert state.last_uid == 1
    assert state.last_error == stopped.error
    assert "UID 2 could not be kept (database unavailable)" in state.last_error
    assert subjects_recorded(imap_inbox) == Counter({"Fine": 1})
    assert folder_flags(dovecot, account) == {"Fine": True, "Trouble": False, "After": False}

    retried = poll_inbox(imap_inbox, receive)

    assert (retried.recorded, retried.last_uid, retried.error) == (2, 3, "")
    assert ImapMailboxState.objects.get(inbox=imap_inbox).last_error == ""
    assert subjects_recorded(imap_inbox) == Counter({"Fine": 1, "Trouble": 1, "After": 1})
