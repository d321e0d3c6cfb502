from __future__ import annotations

from django.db import models

from channels_email.conf import EMAIL_INBOX
from conversations.models import Inbox


class ImapMailboxState(models.Model):
    """Where IMAP polling of one inbox's folder stands, so that across restarts no
    message is fetched twice and none is skipped.

    A change of UIDVALIDITY means the server renumbered the folder: the stored UIDs no
    longer name the same messages and the folder is read again from the start (the
    pipeline's (inbox, Message-ID) constraint keeps that from recording anything twice).
    """

    inbox = models.ForeignKey("conversations.Inbox", on_delete=models.CASCADE, related_name="+")
    folder = models.CharField(max_length=255, default="INBOX")
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["inbox", "folder"], name="imap_state_unique_inbox_folder"
            )
        ]

    def __str__(self) -> str:
        return f"{self.inbox_id}:{self.folder} uid>{self.last_uid}"


class EmailInbox(Inbox):
    """The email inboxes, for their own admin page (which shows only kind "email")."""

    class Meta:
        proxy = True
        verbose_name = "email inbox"
        verbose_name_plural = "email inboxes"

    def clean(self) -> None:
        self.kind = EMAIL_INBOX  # before the config is validated as a mailbox's
        super().clean()

    def save(self, *args: object, **kwargs: object) -> None:
        self.kind = EMAIL_INBOX
        super().save(*args, **kwargs)  # type: ignore[arg-type]
