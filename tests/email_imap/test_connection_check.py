"""The admin's "test connection" check, and polling over TLS and STARTTLS."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from pytest_django.fixtures import Settings as SettingsWrapper

from channels_email.imap import client as imap_client
from channels_email.imap.poller import poll_inbox
from tests.email_imap.conftest import append, mail, make_inbox, subjects_recorded
from tests.email_imap.dovecot import HOST, Account, Dovecot, _free_port


def test_ok_says_how_many_messages_and_that_idle_is_offered(
    db: Any, dovecot: Dovecot, account: Account
) -> None:
    inbox = make_inbox(dovecot, account)
    append(dovecot, account, mail("One"), mail("Two"))

    assert imap_client.test_connection(inbox) == (
        f"OK: logged in to {HOST}:{dovecot.port} as {account.user} (none); INBOX holds "
        "2 messages; IDLE is offered, so new mail arrives at once."
    )


def test_checking_changes_nothing_in_the_mailbox(
    db: Any, dovecot: Dovecot, account: Account, receive: Callable[..., Any]
) -> None:
    inbox = make_inbox(dovecot, account)
    append(dovecot, account, mail("Untouched"))

    imap_client.test_connection(inbox)

    probe = dovecot.client(account)
    probe.select_folder("INBOX", readonly=True)
    assert probe.search(["UNSEEN"]) == [1]
    probe.logout()
    assert poll_inbox(inbox, receive).recorded == 1


def test_a_server_without_idle_is_said_to_be_polled(
    db: Any, dovecot_basic: Dovecot, basic_account: Account
) -> None:
    inbox = make_inbox(dovecot_basic, basic_account, poll_interval=120)

    assert imap_client.test_connection(inbox) == (
        f"OK: logged in to {HOST}:{dovecot_basic.port} as {basic_account.user} (none); INBOX "
        "holds 0 messages; IDLE is not offered, so the folder is polled every 120 s."
    )


def test_a_wrong_password_is_reported_clearly(
    db: Any, dovecot: Dovecot, account: Account
) -> None:
    inbox = make_inbox(dovecot, account, password="not-the-password")

    assert imap_client.test_connection(inbox) == (
        f"IMAP connection to {HOST}:{dovecot.port} as {account.user} failed: login refused: "
        "[AUTHENTICATIONFAILED] Authentication failed."
    )


def test_a_closed_port_and_a_missing_folder_are_reported_clearly(
    db: Any, dovecot: Dovecot, account: Account
) -> None:
    closed = _free_port()
    nobody = make_inbox(dovecot, account, slug="closed", port=closed)
    no_folder = make_inbox(dovecot, account, slug="no-folder", folder="Archive")

    assert imap_client.test_connection(nobody) == (
        f"IMAP connection to {HOST}:{closed} as {account.user} failed: connection refused.")
    assert imap_client.test_connection(no_folder).startswith(
        f"IMAP connection to {HOST}:{dovecot.port} as {account.user} failed: select failed: "
        "Mailbox doesn't exist: Archive")


def test_tls_and_starttls_verify_the_server_certificate(
    db: Any, dovecot: Dovecot, account: Account, settings: SettingsWrapper
) -> None:
    tls = make_inbox(dovecot, account, slug="tls", security="tls", port=dovecot.tls_port)
    starttls = make_inbox(dovecot, account, slug="starttls", security="starttls")

    # Not trusted: the test server's certificate is self-signed.
    settings.OMNIDESK_IMAP_CA_FILE = ""
    assert imap_client.test_connection(tls) == (
        f"IMAP connection to {HOST}:{dovecot.tls_port} as {account.user} failed: "
        "TLS certificate not trusted: self-signed certificate.")
    assert imap_client.test_connection(starttls).endswith(
        "failed: TLS certificate not trusted: self-signed certificate.")

    settings.OMNIDESK_IMAP_CA_FILE = str(dovecot.cert)
    assert imap_client.test_connection(tls).startswith(
        f"OK: logged in to {HOST}:{dovecot.tls_port} as {account.user} (tls); INBOX holds")
    assert imap_client.test_connection(starttls).startswith(
        f"OK: logged in to {HOST}:{dovecot.port} as {account.user} (starttls); INBOX holds")


def test_polling_over_tls(
    db: Any, dovecot: Dovecot, account: Account, settings: SettingsWrapper,
    receive: Callable[..., Any],
) -> None:
    settings.OMNIDESK_IMAP_CA_FILE = str(dovecot.cert)
    inbox = make_inbox(dovecot, account, security="tls", port=dovecot.tls_port)
    append(dovecot, account, mail("Sent over TLS"))

    report = poll_inbox(inbox, receive)

    assert (report.recorded, report.error) == (1, "")
    assert subjects_recorded(inbox) == Counter({"Sent over TLS": 1})


def test_a_poll_that_cannot_log_in_records_the_error(
    db: Any, dovecot: Dovecot, account: Account, receive: Callable[..., Any]
) -> None:
    from channels_email.models import ImapMailboxState

    inbox = make_inbox(dovecot, account, password="wrong")

    report = poll_inbox(inbox, receive)

    expected = (f"{HOST}:{dovecot.port}: login refused: "
                "[AUTHENTICATIONFAILED] Authentication failed.")
    assert (report.error, report.connection_lost) == (expected, True)
    assert ImapMailboxState.objects.get(inbox=inbox, folder="INBOX").last_error == expected
