"""A poll records each FETCH block of messages in one transaction with the folder's
state (the adapter's receive_raw_emails, \\Seen, the state advanced once), and a block
with a message that cannot be kept is handled again one by one, up to that message."""

from __future__ import annotations

import re
import uuid
from collections import Counter
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from imapclient import IMAPClient
from pytest_django.fixtures import Settings

from channels_email.imap.poller import PollReport, poll_inbox
from channels_email.models import ImapMailboxState
from conversations.models import Direction, Inbox, Interaction
from tests.email.helpers import database_refusing
from tests.email_imap.conftest import append, folder_flags, mail, make_inbox, subjects_recorded
from tests.email_imap.dovecot import Account, Dovecot

pytestmark = pytest.mark.django_db(transaction=True)  # real BEGINs and COMMITs

# The folder's state advanced to a UID.
_ADVANCE = re.compile(r'UPDATE "channels_email_imapmailboxstate" SET "last_uid" = (\d+)')


@pytest.fixture
def inbox(transactional_db: Any, dovecot: Dovecot, account: Account) -> Inbox:
    return make_inbox(dovecot, account)


def polled(inbox: Inbox) -> tuple[PollReport, list[str]]:
    """A poll with the poller's own adapter (no test wrapper), and its statements."""
    with CaptureQueriesContext(connection) as captured:
        report = poll_inbox(inbox)
    return report, [query["sql"] for query in captured.captured_queries]


def _sender(name: str) -> str:
    return f"{name}.{uuid.uuid4().hex[:12]}@customer.test"


def _advances(sql: list[str]) -> list[int]:
    """The UIDs the folder's state was advanced to, statement by statement."""
    return [int(match.group(1)) for statement in sql if (match := _ADVANCE.search(statement))]


def _transactions(sql: list[str]) -> list[str]:
    return [statement for statement in sql if statement in ("BEGIN", "COMMIT", "ROLLBACK")]


def _raw_files_with(message_id: str) -> list[Path]:
    """The stored raw messages with this Message-ID."""
    header = f"Message-ID: {message_id}".encode()
    return [path for path in (Path(settings.MEDIA_ROOT) / "raw").rglob("*.eml")
            if header in path.read_bytes()]


def _conversation_of(inbox: Inbox) -> dict[str, int]:
    return dict(
        Interaction.objects.filter(inbox=inbox, direction=Direction.INBOUND)
        .values_list("subject", "conversation_id")
    )


def test_each_block_is_recorded_in_one_transaction_and_replies_join_their_threads(
    inbox: Inbox, dovecot: Dovecot, account: Account, settings: Settings
) -> None:
    settings.OMNIDESK_IMAP_BATCH_SIZE = 4
    dana, eli = _sender("dana"), _sender("eli")
    order, hinge, order_again = (make_msgid(domain="customer.test") for _ in range(3))
    append(
        dovecot, account,
        mail("Order 1042", sender=dana, message_id=order),
        mail("Broken hinge", sender=eli, message_id=hinge),
        mail("Re: Order 1042", sender=dana, message_id=order_again, in_reply_to=order),
        mail("Invoice copy"),
        # The second block: replies to messages of the first.
        mail("Re: Broken hinge", sender=eli, in_reply_to=hinge),
        mail("Re: Re: Order 1042", sender=dana, in_reply_to=order_again),
    )

    report, sql = polled(inbox)

    assert (report.fetched, report.recorded, report.duplicates, report.ignored,
            report.last_uid, report.error) == (6, 6, 0, 0, 6, "")
    # The state synced, one transaction per block of four, the poll's time recorded.
    assert _transactions(sql) == ["BEGIN", "COMMIT"] * 4
    assert _advances(sql) == [4, 6]
    assert ImapMailboxState.objects.get(inbox=inbox).last_uid == 6
    assert set(folder_flags(dovecot, account).values()) == {True}
    conversation = _conversation_of(inbox)
    assert conversation["Re: Order 1042"] == conversation["Order 1042"]
    assert conversation["Re: Re: Order 1042"] == conversation["Order 1042"]
    assert conversation["Re: Broken hinge"] == conversation["Broken hinge"]
    assert len(set(conversation.values())) == 3


def test_a_message_the_database_refuses_stops_its_block_right_there(
    inbox: Inbox, dovecot: Dovecot, account: Account
) -> None:
    ids = {subject: make_msgid(domain="customer.test")
           for subject in ("First", "Second", "Refuse me", "After")}
    first = ids["First"]
    fay = _sender("fay")
    append(
        dovecot, account,
        mail("First", sender=fay, message_id=first),
        mail("Second", message_id=ids["Second"]),
        mail("Refuse me", message_id=ids["Refuse me"]),
        mail("After", message_id=ids["After"]),
        mail("Re: First", sender=fay, in_reply_to=first),
    )

    with database_refusing("Refuse me"):
        stopped, _sql = polled(inbox)

    # The block was rolled back and handled again one message per transaction: the two
    # before the refused one are recorded once, nothing after it is.
    assert (stopped.fetched, stopped.recorded, stopped.duplicates, stopped.stopped_at_uid,
            stopped.last_uid) == (3, 2, 0, 3, 2)
    assert stopped.error.startswith("UID 3 could not be kept (not recorded: refused here")
    assert stopped.error.endswith("; it stays unprocessed and is retried")
    state = ImapMailboxState.objects.get(inbox=inbox)
    assert (state.last_uid, state.last_error) == (2, stopped.error)
    assert subjects_recorded(inbox) == Counter({"First": 1, "Second": 1})
    # The block's attempt left no file behind: one stored raw message each.
    assert [len(_raw_files_with(message_id)) for message_id in ids.values()] == [1, 1, 0, 0]
    assert folder_flags(dovecot, account) == {
        "First": True, "Second": True, "Refuse me": False, "After": False, "Re: First": False}

    retried, sql = polled(inbox)  # the database takes it now

    assert (retried.fetched, retried.recorded, retried.duplicates, retried.last_uid,
            retried.error) == (3, 3, 0, 5, "")
    assert _advances(sql) == [5]  # the rest in one block
    assert subjects_recorded(inbox) == Counter(
        {"First": 1, "Second": 1, "Refuse me": 1, "After": 1, "Re: First": 1})
    assert set(folder_flags(dovecot, account).values()) == {True}
    assert ImapMailboxState.objects.get(inbox=inbox).last_error == ""
    conversation = _conversation_of(inbox)
    assert conversation["Re: First"] == conversation["First"]


def test_a_block_refetched_after_its_state_was_lost_counts_duplicates_once(
    inbox: Inbox, dovecot: Dovecot, account: Account
) -> None:
    """The state reset (a restored backup) while more mail came in, one message twice:
    the block cannot be recorded together (it holds redeliveries), so it is handled one
    message per transaction, where the Message-ID dedupe absorbs them."""
    append(dovecot, account, mail("Alpha"), mail("Beta"))
    polled(inbox)
    ImapMailboxState.objects.filter(inbox=inbox).update(last_uid=0)
    gamma_id = make_msgid(domain="customer.test")
    gamma = mail("Gamma", message_id=gamma_id)
    append(dovecot, account, gamma, gamma)

    refetch, sql = polled(inbox)

    assert (refetch.fetched, refetch.recorded, refetch.duplicates, refetch.ignored,
            refetch.last_uid, refetch.error) == (4, 1, 3, 0, 4, "")
    assert _advances(sql) == [1, 2, 3, 4]
    assert subjects_recorded(inbox) == Counter({"Alpha": 1, "Beta": 1, "Gamma": 1})
    assert len(_raw_files_with(gamma_id)) == 1
    assert set(folder_flags(dovecot, account).values()) == {True}


def test_uids_another_poller_handled_meanwhile_are_left_to_it(
    inbox: Inbox, dovecot: Dovecot, account: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A beat task next to a watcher: the other one committed UIDs 1 and 2 between this
    poll's SEARCH and its block's lock. Only the rest of the block is this poll's."""
    append(dovecot, account, mail("One"), mail("Two"), mail("Three"), mail("Four"))
    fetch = IMAPClient.fetch

    def fetch_while_another_poller_advances(client: IMAPClient, *args: Any, **kwargs: Any) -> Any:
        ImapMailboxState.objects.filter(inbox=inbox).update(last_uid=2)
        return fetch(client, *args, **kwargs)

    monkeypatch.setattr(IMAPClient, "fetch", fetch_while_another_poller_advances)
    report, sql = polled(inbox)

    assert (report.fetched, report.recorded, report.last_uid, report.error) == (2, 2, 4, "")
    assert _advances(sql) == [2, 4]  # the other poller's, then this poll's for its block
    assert subjects_recorded(inbox) == Counter({"Three": 1, "Four": 1})
    assert folder_flags(dovecot, account) == {
        "One": False, "Two": False, "Three": True, "Four": True}
