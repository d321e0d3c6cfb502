"""A folder the server renumbers (a new UIDVALIDITY) is read again from the start:
nothing is skipped, and what was recorded before is not recorded twice."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from channels_email.imap.poller import poll_inbox
from channels_email.models import ImapMailboxState
from tests.email_imap.conftest import append, mail, make_inbox, subjects_recorded
from tests.email_imap.dovecot import Account, Dovecot


def test_a_recreated_folder_is_read_again_without_duplicates(
    db: Any, dovecot: Dovecot, account: Account, receive: Callable[..., Any]
) -> None:
    client = dovecot.client(account)
    client.create_folder("Support")
    client.logout()
    inbox = make_inbox(dovecot, account, folder="Support")
    earlier = [mail("Parcel lost"), mail("Parcel found")]
    append(dovecot, account, *earlier, folder="Support")
    first = poll_inbox(inbox, receive)
    before = ImapMailboxState.objects.get(inbox=inbox, folder="Support")
    assert (first.recorded, before.last_uid) == (2, 2)

    # The folder is deleted and made anew (a migration between servers does the same):
    # UIDs start at 1 again, under a new UIDVALIDITY. The new message gets UID 1, which
    # UID bookkeeping alone would take for one handled already.
    client = dovecot.client(account)
    client.delete_folder("Support")
    client.create_folder("Support")
    client.logout()
    append(dovecot, account, mail("Where is my refund"), earlier[0], folder="Support")

    second = poll_inbox(inbox, receive)

    after = ImapMailboxState.objects.get(inbox=inbox, folder="Support")
    assert after.uidvalidity != before.uidvalidity
    assert (second.renumbered, second.fetched, second.recorded, second.duplicates) == \
        (True, 2, 1, 1)
    assert after.last_uid == 2
    assert "UIDVALIDITY changed" in second.summary()
    assert subjects_recorded(inbox) == Counter(
        {"Parcel lost": 1, "Parcel found": 1, "Where is my refund": 1})
