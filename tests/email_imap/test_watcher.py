"""The long-running watcher: IDLE picks up mail the moment it arrives, a server without
IDLE is polled on the interval, errors reconnect with back-off, and a restarted watcher
records nothing twice."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from pytest_django.fixtures import Settings

from channels_email.imap.watcher import ImapWatcher, start_imap_watchers
from channels_email.models import ImapMailboxState
from conversations.models import Inbox
from tests.email_imap.conftest import append, folder_flags, mail, make_inbox, subjects_recorded
from tests.email_imap.dovecot import Account, Dovecot
from tests.waiting import wait_for


@pytest.fixture
def watch() -> Iterator[Any]:
    """Start the watchers of every IMAP inbox; all are stopped and joined at the end."""
    started: list[tuple[threading.Event, list[ImapWatcher]]] = []

    def start() -> list[ImapWatcher]:
        stop = threading.Event()
        watchers = start_imap_watchers(stop)
        started.append((stop, watchers))
        return watchers

    yield start
    for stop, watchers in started:
        stop.set()
        for watcher in watchers:
            watcher.join(10)
            assert not watcher.is_alive()


def stop_and_join(watcher: ImapWatcher) -> None:
    watcher.stop()
    watcher.join(10)
    assert not watcher.is_alive()


def test_idle_picks_up_mail_at_once_and_a_restart_records_nothing_twice(
    transactional_db: Any, dovecot: Dovecot, account: Account, watch: Any
) -> None:
    # An hour between polls: only IDLE can bring the second message in within seconds.
    inbox = make_inbox(dovecot, account, poll_interval=3600)
    append(dovecot, account, mail("Sent before the watcher started"))

    [watcher] = watch()
    wait_for(watcher.idling.is_set, timeout=10)
    assert subjects_recorded(inbox) == Counter({"Sent before the watcher started": 1})

    append(dovecot, account, mail("Sent while it idles"))
    wait_for(lambda: subjects_recorded(inbox)["Sent while it idles"] == 1, timeout=10)
    wait_for(watcher.idling.is_set, timeout=10)  # back in IDLE after handling it
    stop_and_join(watcher)

    append(dovecot, account, mail("Sent while it was stopped"))
    [restarted] = watch()
    wait_for(restarted.idling.is_set, timeout=10)

    assert subjects_recorded(inbox) == Counter({
        "Sent before the watcher started": 1, "Sent while it idles": 1,
        "Sent while it was stopped": 1})
    assert set(folder_flags(dovecot, account).values()) == {True}
    assert ImapMailboxState.objects.get(inbox=inbox).last_uid == 3


def test_a_server_without_idle_is_polled_on_the_interval(
    transactional_db: Any, dovecot_basic: Dovecot, basic_account: Account, watch: Any
) -> None:
    inbox = make_inbox(dovecot_basic, basic_account, poll_interval=5)

    [watcher] = watch()
    wait_for(lambda: watcher.last_report is not None, timeout=10)
    append(dovecot_basic, basic_account, mail("Polled in"))

    wait_for(lambda: subjects_recorded(inbox)["Polled in"] == 1, timeout=15)
    assert not watcher.idling.is_set()
    assert folder_flags(dovecot_basic, basic_account) == {"Polled in": True}


def test_errors_reconnect_with_backoff_until_the_password_is_fixed(
    transactional_db: Any, dovecot: Dovecot, account: Account, watch: Any, settings: Settings
) -> None:
    settings.OMNIDESK_IMAP_MAX_BACKOFF = 1
    inbox = make_inbox(dovecot, account, password="wrong", poll_interval=3600)
    append(dovecot, account, mail("Waiting for a good password"))

    [watcher] = watch()
    state = wait_for(lambda: ImapMailboxState.objects.filter(
        inbox=inbox, last_error__contains="login refused").first(), timeout=10)
    assert state.last_error.endswith("[AUTHENTICATIONFAILED] Authentication failed.")
    assert watcher.is_alive()

    Inbox.objects.filter(pk=inbox.pk).update(secrets={"imap_password": account.password})

    wait_for(watcher.idling.is_set, timeout=10)
    assert subjects_recorded(inbox) == Counter({"Waiting for a good password": 1})
    assert ImapMailboxState.objects.get(inbox=inbox).last_error == ""


def test_a_watcher_ends_when_its_inbox_is_deactivated(
    transactional_db: Any, dovecot: Dovecot, account: Account, watch: Any, settings: Settings
) -> None:
    settings.OMNIDESK_IMAP_IDLE_SECONDS = 1  # each IDLE ends after a second: settings are reread
    inbox = make_inbox(dovecot, account, poll_interval=3600)
    [watcher] = watch()
    wait_for(watcher.idling.is_set, timeout=10)

    Inbox.objects.filter(pk=inbox.pk).update(is_active=False)

    wait_for(lambda: not watcher.is_alive(), timeout=10)
