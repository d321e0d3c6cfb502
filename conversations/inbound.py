"""The normalized inbound event every channel adapter builds, whatever the provider."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from conversations.models import InteractionKind, Status

if TYPE_CHECKING:
    from conversations.models import Conversation, Inbox, Interaction


@dataclass
class InboundAttachment:
    name: str
    content_type: str = "application/octet-stream"
    # None when the bytes were not kept (over the size limit, not fetched yet); `note`
    # then says why and `size` what they would have weighed.
    content: bytes | None = None
    content_id: str = ""
    size: int | None = None
    note: str = ""


@dataclass
class InboundEvent:
    inbox: Inbox
    channel: str
    sender_kind: str  # an IdentityKind
    sender_value: str  # normalized by the pipeline
    sender_name: str = ""
    # False for an identity the sender merely claims (a chat pre-form email).
    sender_verified: bool = True
    provider_id: str | None = None
    occurred_at: datetime | None = None
    kind: str = InteractionKind.MESSAGE
    status: str = Status.RECEIVED
    text: str = ""
    html: str = ""  # as received; the pipeline sanitizes it
    subject: str = ""
    attachments: list[InboundAttachment] = field(default_factory=list)
    # Provider ids of earlier interactions this one answers, most specific first
    # (an email's In-Reply-To, then its References, newest first).
    thread_refs: list[str] = field(default_factory=list)
    # The conversation of each of thread_refs already recorded, when the adapter has just
    # looked them up (saves the pipeline the same query); None: the pipeline looks.
    thread_ref_conversations: dict[str, int] | None = None
    # A conversation the adapter already identified (a reply address token, a subject
    # tag). The pipeline still checks that the sender may join it.
    conversation_hint: int | None = None
    # Channels without threads of their own join the customer's open conversation;
    # an adapter sets False for a message that plainly starts a new matter.
    use_continuity: bool = True
    # Whether this event may reopen a resolved conversation and count as awaiting an
    # answer. Auto-replies and bounces set False.
    counts_as_customer_message: bool = True
    # Other identity values on the message (Cc) who may later reply into the thread.
    participants: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] | None = None
    raw_bytes: bytes | None = None
    raw_filename: str = "raw"


@dataclass(frozen=True)
class IngestResult:
    interaction: Interaction
    conversation: Conversation
    created: bool  # False: a retry of an event already recorded; nothing was written
    conversation_created: bool = False
