"""Composing messages the way a mail client does, sending a queued reply with the
worker's own steps (claim, transport, mark sent) for tests that need no worker, and a
database that refuses one message."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import format_datetime

from django.db import connection
from django.utils import timezone

from channels_email.transport import EmailTransport
from conversations.actions.delivery import do_claim_for_sending, do_mark_sent
from conversations.models import Interaction


def compose(
    *,
    sender: str,
    to: str = "support@omnidesk.test",
    subject: str = "Hello",
    body: str = "Hello.",
    message_id: str,
    in_reply_to: str | None = None,
    references: str | None = None,
    cc: str | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    if cc:
        message["Cc"] = cc
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(timezone.now())
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes()


def send_now(interaction: Interaction) -> Interaction:
    """What send_interaction_task does, inline: for tests of what follows a send."""
    claimed = do_claim_for_sending(interaction.pk)
    assert claimed is not None
    do_mark_sent(interaction.pk, EmailTransport().send(claimed))
    return Interaction.objects.get(pk=interaction.pk)


@contextmanager
def database_refusing(subject: str) -> Iterator[None]:
    """PostgreSQL refuses to insert an interaction with this subject ('refused here'),
    as a constraint or a full disk would, until the block ends."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE OR REPLACE FUNCTION refuse_subject() RETURNS trigger LANGUAGE plpgsql "
            "AS $$ BEGIN IF NEW.subject = TG_ARGV[0] THEN RAISE EXCEPTION 'refused here'; "
            "END IF; RETURN NEW; END $$"
        )
        literal = "'" + subject.replace("'", "''") + "'"  # a trigger's argument is a literal
        cursor.execute(
            "CREATE TRIGGER refuse_subject BEFORE INSERT ON conversations_interaction "
            f"FOR EACH ROW EXECUTE FUNCTION refuse_subject({literal})"
        )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER IF EXISTS refuse_subject ON conversations_interaction")
            cursor.execute("DROP FUNCTION IF EXISTS refuse_subject()")
