from __future__ import annotations

from django.db import models


class ChatVisitor(models.Model):
    """A browser that opened a widget: whether it is connected now (for the chat
    transport: a reply to a visitor who left goes by email) and the email it claimed."""

    visitor_id = models.CharField(max_length=64, unique=True)
    inbox = models.ForeignKey("conversations.Inbox", on_delete=models.CASCADE,
                              related_name="chat_visitors")
    # Open sockets (tabs); counted with F() on connect and disconnect.
    sockets = models.IntegerField(default=0)
    last_seen_at = models.DateTimeField()
    # Help articles opened before the visitor's first message ([slug, ISO time] pairs):
    # recorded on their timeline once that message gives them a conversation.
    articles_read = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.visitor_id
