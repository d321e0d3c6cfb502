"""Email webhooks through the inbound spool (spool/), as Twilio's messages go.

The webhook checks that an inbox will hold the message (receive.admit_raw_email: one
with no inbox is refused at once, so the ESP delivers it again, and our own mail coming
back is ignored), stores its bytes as a file and keeps one spool row naming the file,
then answers. The drain records it with the other events of its batch in one
transaction (spool.drain), through the email adapter's own code (record_raw_email);
the file is deleted once that commits. A message the drain cannot record stays in the
spool with its error and is tried again (5 s doubling to an hour). A sender's messages
share a lane, so they are recorded in the order they came.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from channels_email.receive import (
    Admitted,
    ReceiveOutcome,
    admit_raw_email,
    record_raw_email,
)
from spool.accept import spool_event
from spool.handlers import recorder

logger = logging.getLogger(__name__)

HANDLER = "email-message"  # as "twilio-message" and "api-message"
FOLDER = "spool/email"


class SpooledEmailNotKept(Exception):
    """The drain could not record the message: it stays in the spool for later."""


def spool_raw_email(raw: bytes, *, source: str) -> ReceiveOutcome:
    """Keep the message for the drain; the outcome says what the webhook answers."""
    admitted = admit_raw_email(raw)
    if not isinstance(admitted, Admitted):
        return admitted
    name = default_storage.save(f"{FOLDER}/{uuid.uuid4().hex}.eml", ContentFile(raw))
    try:
        waiting = not spool_event(
            HANDLER,
            {"file": name, "source": source},
            sender_kind="email" if admitted.sender else "",
            sender_value=admitted.sender,
            # The same delivery again (an ESP's retry) while the first copy waits.
            dedupe_key=f"{admitted.inbox.pk} {admitted.provider_id}"[:300],
        )
    except BaseException:
        _delete(name)
        raise
    if waiting:
        _delete(name)
    reason = "already waiting in the spool" if waiting else "accepted into the spool"
    return ReceiveOutcome(kept=True, result=None, reason=reason,
                          message_id=admitted.provider_id)


@recorder(HANDLER)
def record_spooled_email(payload: dict[str, Any]) -> ReceiveOutcome:
    name = str(payload["file"])
    with default_storage.open(name, "rb") as stored:
        raw = stored.read()
    outcome = record_raw_email(raw, source=str(payload.get("source", "")))
    if not outcome.kept:
        raise SpooledEmailNotKept(outcome.reason)
    logger.info("spooled email %s: %s", outcome.message_id, outcome.reason)
    transaction.on_commit(lambda: _delete(name))
    return outcome


def _delete(name: str) -> None:
    """Best effort: a file left behind is only disk space."""
    try:
        default_storage.delete(name)
    except OSError:
        logger.warning("could not delete the spooled message %s", name, exc_info=True)
