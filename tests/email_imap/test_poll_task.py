"""The beat task queues one poll per IMAP inbox; a real Celery worker runs them."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from django.utils import timezone

from channels_email.imap.tasks import poll_imap_task
from channels_email.models import ImapMailboxState
from tests.email_imap.conftest import append, folder_flags, mail, make_inbox, subjects_recorded
from tests.email_imap.dovecot import Dovecot
from tests.waiting import wait_for


def test_the_beat_task_polls_every_imap_inbox_through_the_worker(
    celery_worker: Any, dovecot: Dovecot
) -> None:
    first_account, second_account = dovecot.new_account(), dovecot.new_account()
    first = make_inbox(dovecot, first_account, slug="first")
    second = make_inbox(dovecot, second_account, slug="second", processed="move",
                        move_to="Done")
    append(dovecot, first_account, mail("Hello first"))
    append(dovecot, second_account, mail("Hello second"), mail("Again second"))

    poll_imap_task.delay()

    # Each poll records its time last of all: then its work is done.
    wait_for(lambda: ImapMailboxState.objects.filter(last_polled_at__isnull=False).count() == 2,
             timeout=20)
    assert subjects_recorded(first) == Counter({"Hello first": 1})
    assert subjects_recorded(second) == Counter({"Hello second": 1, "Again second": 1})
    assert folder_flags(dovecot, second_account, "Done") == {
        "Hello second": False, "Again second": False}

    # Beat fires again a minute later: only an inbox whose poll interval has passed is
    # polled again (called here directly, to see how many polls it queues).
    assert poll_imap_task() == 0
    ImapMailboxState.objects.filter(inbox=first).update(
        last_polled_at=timezone.now() - timedelta(seconds=61))
    append(dovecot, first_account, mail("Later first"))
    append(dovecot, second_account, mail("Later second"))

    assert poll_imap_task() == 1

    wait_for(lambda: subjects_recorded(first)["Later first"] == 1, timeout=20)
    assert subjects_recorded(first) == Counter({"Hello first": 1, "Later first": 1})
    assert subjects_recorded(second) == Counter({"Hello second": 1, "Again second": 1})
    assert set(ImapMailboxState.objects.values_list("last_error", flat=True)) == {""}
