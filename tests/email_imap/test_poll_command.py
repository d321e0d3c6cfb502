"""`manage.py poll_imap --once`: one poll of each IMAP inbox, a line per inbox, a
non-zero exit when an inbox could not be polled completely."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from collections import Counter
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from channels_email.models import ImapMailboxState
from conversations.models import Inbox
from tests.email_imap.conftest import append, mail, make_inbox, subjects_recorded
from tests.email_imap.dovecot import HOST, Account, Dovecot
from tests.waiting import wait_for


def test_once_polls_every_imap_inbox_and_says_which_failed(
    db: Any, dovecot: Dovecot, account: Account
) -> None:
    good = make_inbox(dovecot, account, slug="a-good")
    make_inbox(dovecot, account, slug="b-bad", password="wrong")
    Inbox.objects.create(kind="email", name="Webhook only", slug="c-webhook",
                         address="hooks@omnidesk.test")
    append(dovecot, account, mail("Stuck parcel"), mail("Gift wrap"))
    out = io.StringIO()

    with pytest.raises(CommandError, match=r"^1 inbox\(es\) could not be polled completely$"):
        call_command("poll_imap", "--once", stdout=out)

    assert out.getvalue().splitlines() == [
        "a-good INBOX: 2 fetched, 2 recorded, 0 already recorded, 0 ignored; last UID 2",
        f"b-bad INBOX: 0 fetched, 0 recorded, 0 already recorded, 0 ignored; last UID 0; "
        f"ERROR: {HOST}:{dovecot.port}: login refused: "
        "[AUTHENTICATIONFAILED] Authentication failed.",
    ]
    assert subjects_recorded(good) == Counter({"Stuck parcel": 1, "Gift wrap": 1})


def test_once_for_one_inbox(db: Any, dovecot: Dovecot, account: Account) -> None:
    inbox = make_inbox(dovecot, account, slug="only-me")
    make_inbox(dovecot, account, slug="not-me", password="wrong")
    append(dovecot, account, mail("Just this one"))
    out = io.StringIO()

    call_command("poll_imap", "--once", "--inbox", "only-me", stdout=out)
    call_command("poll_imap", "--once", "--inbox", "only-me", stdout=out)

    assert out.getvalue().splitlines() == [
        "only-me INBOX: 1 fetched, 1 recorded, 0 already recorded, 0 ignored; last UID 1",
        "only-me INBOX: 0 fetched, 0 recorded, 0 already recorded, 0 ignored; last UID 1",
    ]
    assert subjects_recorded(inbox) == Counter({"Just this one": 1})


def test_an_unknown_inbox_is_an_error(db: Any) -> None:
    with pytest.raises(CommandError, match="no active email inbox 'nope' with IMAP configured"):
        call_command("poll_imap", "--once", "--inbox", "nope")


def test_without_once_it_watches_until_terminated(
    transactional_db: Any, dovecot: Dovecot, account: Account
) -> None:
    """The deployed form: `manage.py poll_imap` as a long-running process, stopped by
    SIGTERM as a service manager stops it."""
    inbox = make_inbox(dovecot, account, slug="watched", poll_interval=3600)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "omnidesk.settings_test",
           "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}"}
    process = subprocess.Popen(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "poll_imap"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        wait_for(lambda: ImapMailboxState.objects.filter(
            inbox=inbox, last_polled_at__isnull=False).exists(), timeout=30)
        append(dovecot, account, mail("Seen by the service"))
        wait_for(lambda: subjects_recorded(inbox)["Seen by the service"] == 1, timeout=10)
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=20)

    assert process.returncode == 0, output
    assert output.splitlines()[0] == "Watching 1 IMAP inbox(es); Ctrl-C to stop."
    assert output.splitlines()[-1] == "Stopped."
