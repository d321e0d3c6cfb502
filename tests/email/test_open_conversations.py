"""The sender's open conversations a new email thread may join: PostgreSQL's written
query answers as the ORM's (which the embedded SQLite runs)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from channels_email.receive import _open_conversations, open_conversations_by_orm, receive_raw_email
from conversations.models import Conversation, ConversationStatus
from tests.email.helpers import compose

pytestmark = pytest.mark.django_db


def test_the_written_query_finds_what_the_orm_finds(email_inbox):
    for n, (sender, cc) in enumerate([("dana@example.com", "eli@example.com"),
                                      ("dana@example.com", None),
                                      ("eli@example.com", None),
                                      ("fay@example.com", None)]):
        receive_raw_email(compose(sender=sender, cc=cc, subject=f"Order {n}",
                                  message_id=f"<{n}@example.com>"))
    dana = Conversation.objects.filter(customer__identities__value="dana@example.com")
    resolved, old = dana.order_by("id")[:2]
    Conversation.objects.filter(pk=resolved.pk).update(status=ConversationStatus.RESOLVED)
    Conversation.objects.filter(pk=old.pk).update(
        last_activity_at=timezone.now() - timedelta(days=30))
    since = timezone.now() - timedelta(days=7)
    for sender in ("dana@example.com", "eli@example.com", "fay@example.com", "nobody@x.org"):
        assert _open_conversations(sender, since) == open_conversations_by_orm(sender, since)
    # Eli takes part in Dana's first thread (copied) and has one of his own.
    assert [(mine, channels) for _pk, _subject, channels, mine
            in _open_conversations("eli@example.com", since)] == [(True, ["email"])]
    assert len(_open_conversations("fay@example.com", since)) == 1
