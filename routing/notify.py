"""Realtime events of SLA timers: to the conversation's team, its assignee and the leads.
Called by actions only."""

from __future__ import annotations

from conversations.models import Conversation
from conversations.notify import conversation_audience
from conversations.payloads import conversation_payload
from realtime.publish import publish


def notify_sla(name: str, conversation: Conversation) -> None:
    """`sla.at_risk` or `sla.breached`, carrying the conversation (with its `sla`)."""
    publish(name, conversation_payload(conversation), conversation_audience(conversation))
