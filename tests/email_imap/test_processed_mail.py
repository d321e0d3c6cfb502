"""Processed mail is flagged \\Seen, or moved to another folder (MOVE where the server
offers it, COPY + \\Deleted + EXPUNGE where it does not)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from channels_email.imap.poller import poll_inbox
from tests.email_imap.conftest import (
    append,
    folder_flags,
    imap_config,
    mail,
    make_inbox,
    subjects_recorded,
)
from tests.email_imap.dovecot import Account, Dovecot


def test_processed_mail_is_flagged_seen_and_earlier_flags_are_left_alone(
    db: Any, dovecot: Dovecot, account: Account, receive: Callable[..., Any]
) -> None:
    inbox = make_inbox(dovecot, account, processed="flag")
    append(dovecot, account, mail("Refund please"), mail("Invoice copy"))

    report = poll_inbox(inbox, receive)

    assert report.recorded == 2
    assert folder_flags(dovecot, account) == {"Refund please": True, "Invoice copy": True}
    # The customer's own mail client marks one unread again: a later poll does not touch it.
    client = dovecot.client(account)
    client.select_folder("INBOX")
    client.remove_flags(client.search(["SUBJECT", "Refund please"]), [b"\\Seen"])
    client.logout()
    append(dovecot, account, mail("Third"))

    poll_inbox(inbox, receive)

    assert folder_flags(dovecot, account) == {
        "Refund please": False, "Invoice copy": True, "Third": True}
    assert subjects_recorded(inbox) == Counter({"Refund please": 1, "Invoice copy": 1, "Third": 1})


@pytest.mark.parametrize("server_name", ["dovecot", "dovecot_basic"])
def test_processed_mail_is_moved_to_the_configured_folder(
    db: Any, server_name: str, request: pytest.FixtureRequest, receive: Callable[..., Any]
) -> None:
    server: Dovecot = request.getfixturevalue(server_name)
    account = server.new_account()
    inbox = make_inbox(server, account, processed="move", move_to="Handled")
    append(server, account, mail("Broken zipper"), mail("Wrong size"))
    offers_move = server_name == "dovecot"
    probe = server.client(account)
    assert probe.has_capability("MOVE") is offers_move
    probe.logout()

    report = poll_inbox(inbox, receive)

    assert (report.recorded, report.error) == (2, "")
    assert folder_flags(server, account, "INBOX") == {}
    # Moved as they were: the folder was created, nothing is marked \Seen or \Deleted.
    assert folder_flags(server, account, "Handled") == {"Broken zipper": False, "Wrong size": False}
    assert subjects_recorded(inbox) == Counter({"Broken zipper": 1, "Wrong size": 1})

    append(server, account, mail("Thanks"))
    later = poll_inbox(inbox, receive)

    assert (later.recorded, later.duplicates) == (1, 0)
    assert folder_flags(server, account, "INBOX") == {}
    assert set(folder_flags(server, account, "Handled")) == {
        "Broken zipper", "Wrong size", "Thanks"}


def test_mail_handled_but_not_moved_yet_is_moved_by_the_next_poll(
    db: Any, dovecot: Dovecot, account: Account, receive: Callable[..., Any]
) -> None:
    """A poll that broke off between recording and moving, or an inbox switched from
    flagging to moving, leaves handled mail in the folder: the next poll moves it."""
    inbox = make_inbox(dovecot, account, processed="flag")
    append(dovecot, account, mail("Handled while flagging"))
    poll_inbox(inbox, receive)
    inbox.config = imap_config(dovecot, account, processed="move", move_to="Handled")
    inbox.save()
    append(dovecot, account, mail("New after the switch"))

    report = poll_inbox(inbox, receive)

    assert (report.recorded, report.duplicates, report.error) == (1, 0, "")
    assert folder_flags(dovecot, account, "INBOX") == {}
    assert folder_flags(dovecot, account, "Handled") == {
        "Handled while flagging": True, "New after the switch": False}
    assert subjects_recorded(inbox) == Counter({
        "Handled while flagging": 1, "New after the switch": 1})
