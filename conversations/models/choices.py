from __future__ import annotations

from django.db import models


class ConversationStatus(models.TextChoices):
    OPEN = "open", "Open"
    PENDING = "pending", "Pending (waiting on customer)"
    SNOOZED = "snoozed", "Snoozed"
    RESOLVED = "resolved", "Resolved"


class Priority(models.IntegerChoices):
    LOW = 0, "Low"
    NORMAL = 1, "Normal"
    HIGH = 2, "High"
    URGENT = 3, "Urgent"


class Direction(models.TextChoices):
    INBOUND = "in", "Inbound"
    OUTBOUND = "out", "Outbound"
    INTERNAL = "internal", "Internal"


class InteractionKind(models.TextChoices):
    MESSAGE = "message", "Message"
    CALL = "call", "Call"
    NOTE = "note", "Internal note"
    EVENT = "event", "System event"


class Status(models.TextChoices):
    """Delivery status. Inbound interactions are RECEIVED; outbound ones move forward."""

    RECEIVED = "received", "Received"
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    OPENED = "opened", "Opened"
    READ = "read", "Read"
    FAILED = "failed", "Failed"
    BOUNCED = "bounced", "Bounced"
    COMPLAINED = "complained", "Complained"


# A provider's callbacks may arrive out of order; a status only moves to one of higher
# rank, so "delivered" arriving before "sent" is not undone. Failures outrank all.
STATUS_RANK: dict[str, int] = {
    Status.RECEIVED: 0,
    Status.QUEUED: 1,
    Status.SENDING: 2,
    Status.SENT: 3,
    Status.DELIVERED: 4,
    Status.OPENED: 5,
    Status.READ: 6,
    Status.FAILED: 10,
    Status.BOUNCED: 10,
    Status.COMPLAINED: 11,
}

