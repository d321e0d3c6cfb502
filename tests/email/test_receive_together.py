"""Emails received together (receive_raw_emails, ingest_email given several files): one
transaction for the batch, the threads joined as one by one, and a batch that fails
leaves nothing behind (rows, files, loop counts): it is received again one message at
a time."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from channels_email.receive import receive_raw_email, receive_raw_emails
from conversations.models import Interaction
from jobs.outbox import _keys as job_keys
from tests.email.helpers import compose, database_refusing

pytestmark = pytest.mark.django_db(transaction=True)  # real BEGINs and COMMITs

# A conversation locked by its id, one statement per event (the batch's own lock of the
# conversations its references name is one `IN` for all).
_ONE_CONVERSATION = re.compile(
    r'FROM "conversations_conversation" .*WHERE "conversations_conversation"\."id" = '
)


def _batch(*raws: bytes) -> list:
    return receive_raw_emails([(raw, "test") for raw in raws])


_RUN = uuid.uuid4().hex[:8]  # stored files outlive a test database


def _id(name: str) -> str:
    return f"<{name}.{_RUN}@example.com>"


def _files_of(name: str) -> list[Path]:
    """The stored raw messages whose Message-ID is _id(name)."""
    header = f"Message-ID: {_id(name)}".encode()
    root = Path(settings.MEDIA_ROOT) / "raw"
    return [path for path in root.rglob("*.eml") if header in path.read_bytes()]


def test_a_batch_joins_threads_as_one_by_one_would_in_one_transaction(email_inbox):
    earlier = receive_raw_email(compose(sender="dana@example.com", subject="Order 1042",
                                        message_id=_id("a1")))
    messages = [
        compose(sender="dana@example.com", subject="Re: Order 1042",
                message_id=_id("a2"), in_reply_to=_id("a1")),
        compose(sender="eli@example.com", subject="Broken hinge",
                message_id=_id("b1")),
        compose(sender="eli@example.com", subject="Re: Broken hinge",
                message_id=_id("b2"), references=_id("b1")),
        compose(sender="dana@example.com", subject="Re: Order 1042",
                message_id=_id("a3"), in_reply_to=_id("a2")),
        compose(sender="fay@example.com", subject="Invoice", message_id=_id("c1")),
    ]
    # This process's block of job keys reserved now: that statement, waited for, would
    # have b1's conversation read again once (each block serves 100 jobs).
    job_keys.take()
    with CaptureQueriesContext(connection) as captured:
        outcomes = _batch(*messages)

    a, b, c = (earlier.result.conversation.pk, outcomes[1].result.conversation.pk,
               outcomes[4].result.conversation.pk)
    assert [o.result.conversation.pk for o in outcomes] == [a, b, b, a, c]
    assert len({a, b, c}) == 3
    assert [o.result.conversation_created for o in outcomes] == [
        False, True, False, False, True]
    assert "by In-Reply-To" in outcomes[0].reason and "by References" in outcomes[2].reason
    assert all(o.kept and o.result.created for o in outcomes)
    sql = [q["sql"] for q in captured.captured_queries]
    assert [s for s in sql if s in ("BEGIN", "COMMIT")] == ["BEGIN", "COMMIT"]
    # The batch's message ids and references are looked up once, not per message.
    assert sum("provider_id = ANY" in s for s in sql) == 1
    # a1's conversation was locked with the batch, and a2 handed it on to a3; b1 handed
    # the conversation it made on to b2 (nothing but their own writes, sent without
    # waiting, touched either after its save): no event reads a conversation.
    assert sum(bool(_ONE_CONVERSATION.search(s)) for s in sql) == 0
    assert Interaction.objects.filter(channel="email").count() == 6
    for name in ("a2", "b1", "b2", "a3", "c1"):
        assert len(_files_of(name)) == 1


def test_a_redelivery_in_the_batch_sends_it_one_by_one_without_counting_twice(
    email_inbox, settings
):
    """The second copy conflicts with the first (the batch rolls back, its stored files
    deleted and its loop counts taken back); one by one, the copy is found recorded."""
    settings.OMNIDESK_EMAIL_RATE_LIMIT = 2
    first = compose(sender="gus@example.com", subject="Lost parcel",
                    message_id=_id("redelivered-1"))
    outcomes = _batch(first, first)

    assert outcomes[0].result.created and not outcomes[1].result.created
    assert "already recorded" in outcomes[1].reason
    assert len(_files_of("redelivered-1")) == 1
    # Counted once for the recorded message: the next one is the second, within the limit.
    second = receive_raw_email(compose(sender="gus@example.com", subject="Re: Lost parcel",
                                       message_id=_id("redelivered-2")))
    assert second.noise == ""


def test_a_message_the_database_refuses_is_not_kept_and_the_rest_are(email_inbox):
    with database_refusing("Refuse me"):
        outcomes = _batch(
            compose(sender="hal@example.com", subject="First", message_id=_id("r1")),
            compose(sender="ida@example.com", subject="Refuse me",
                    message_id=_id("r2")),
            compose(sender="hal@example.com", subject="Re: First",
                    message_id=_id("r3"), in_reply_to=_id("r1")),
        )

    assert [o.kept for o in outcomes] == [True, False, True]
    assert "refused here" in outcomes[1].reason
    assert outcomes[2].result.conversation.pk == outcomes[0].result.conversation.pk
    assert list(Interaction.objects.order_by("id").values_list("subject", flat=True)) == [
        "First", "Re: First"]
    # The batch's own copies went with its rollback: one file per recorded message.
    assert len(_files_of("r1")) == 1 and len(_files_of("r3")) == 1


def test_a_batch_counts_its_senders_at_once_and_takes_back_what_it_did_not_use(
    email_inbox, settings
):
    """Every sender is counted against the loop limit in one round trip before the
    batch; the auto-reply's count goes unused and is taken back when the batch is done."""
    settings.OMNIDESK_EMAIL_RATE_LIMIT = 2
    outcomes = _batch(
        compose(sender="jo@example.com", subject="Out of office", message_id=_id("j1"),
                headers={"Auto-Submitted": "auto-replied"}),
        compose(sender="jo@example.com", subject="Question", message_id=_id("j2")),
    )
    assert [o.noise for o in outcomes] == ["auto_reply", ""]
    # One message counted: the next is the second, within the limit.
    later = receive_raw_email(compose(sender="jo@example.com", subject="Re: Question",
                                      message_id=_id("j3"), in_reply_to=_id("j2")))
    assert later.noise == ""
    third = receive_raw_email(compose(sender="jo@example.com", subject="Re: Question",
                                      message_id=_id("j4"), in_reply_to=_id("j3")))
    assert third.noise == "loop_limited"
