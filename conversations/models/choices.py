from __future__ import annotations

from django.db import models


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    CHAT = "chat", "Chat"
    SMS = "sms", "SMS"
    WHATSAPP = "whatsapp", "WhatsApp"
    VOICE = "voice", "Voice"
    API = "api", "API"
    INTERNAL = "internal", "Internal"  # notes and system events


class InboxKind(models.TextChoices):
    EMAIL = "email", "Mailbox"
    CHAT = "chat", "Chat widget"
    TWILIO = "twilio", "Twilio number"
    API = "api", "API"


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


# The inbox kind that carries each channel, for choosing where a reply goes out.
CHANNEL_INBOX_KIND: dict[str, str] = {
    Channel.EMAIL: InboxKind.EMAIL,
    Channel.CHAT: InboxKind.CHAT,
    Channel.SMS: InboxKind.TWILIO,
    Channel.WHATSAPP: InboxKind.TWILIO,
    Channel.VOICE: InboxKind.TWILIO,
    Channel.API: InboxKind.API,
}

# The identity kind that addresses a customer on each channel.
CHANNEL_IDENTITY_KIND: dict[str, str] = {
    Channel.EMAIL: "email",
    Channel.SMS: "phone",
    Channel.WHATSAPP: "phone",
    Channel.VOICE: "phone",
    Channel.CHAT: "chat",
}
