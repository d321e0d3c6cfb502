"""What the templates show, from the read layer's objects: a list row, a timeline item.
No queries here: everything read was selected or prefetched by workspace.queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from conversations.models import (
    Attachment,
    Conversation,
    Direction,
    Interaction,
    InteractionKind,
    Status,
)
from conversations.payloads import attachment_url
from conversations.sanitize import display_html, sanitize_html
from workspace.sla import sla_of


def customer_name(customer: Any) -> str:
    """The name, else the first identity (verified first: prefetched), else the id."""
    if customer.name:
        return str(customer.name)
    first = next(iter(customer.identities.all()), None)
    return first.value if first is not None else f"Customer #{customer.pk}"


@dataclass
class Row:
    id: int
    href: str
    name: str
    time: datetime | None
    preview: str
    channels: list[str]
    waiting: str
    assignee: Any
    tags: list[str]
    sla_state: str
    sla_due: datetime | None
    sla_risk: datetime | None
    unread: bool
    selected: bool
    sort: str
    priority: int
    status: str


def unread(conversation: Any) -> bool:
    last = conversation.last_message_at
    if last is None:
        return False
    read_at = getattr(conversation, "read_at", None)
    return read_at is None or last > read_at


def row_of(conversation: Conversation, *, query: str, sort_key: str, selected: int | None
           ) -> Row:
    sla = sla_of(conversation)
    value = getattr(conversation, sort_key, None) or conversation.last_activity_at
    href = reverse("conversation", args=[conversation.pk]) + (f"?{query}" if query else "")
    return Row(
        id=conversation.pk,
        href=href,
        name=customer_name(conversation.customer),
        time=conversation.last_message_at or conversation.last_activity_at,
        preview=conversation.last_message_preview or conversation.subject or "No messages yet",
        channels=list(conversation.channels),
        waiting=conversation.awaiting_channel if conversation.awaiting_since else "",
        assignee=conversation.assignee,
        tags=list(conversation.tags),
        sla_state=sla.state,
        sla_due=sla.due,
        sla_risk=sla.risk_at if sla.state == "ok" else None,
        unread=unread(conversation) and conversation.pk != selected,
        selected=conversation.pk == selected,
        sort=f"{value.isoformat()}|{conversation.pk}",
        priority=conversation.priority,
        status=conversation.status,
    )


def list_query(params: Any, drop: tuple[str, ...] = ("cursor",)) -> str:
    """The list's query string as the URL has it (for links that keep the list)."""
    kept = [(k, v) for k in params for v in params.getlist(k) if k not in drop and v]
    return urlencode(kept)


# --- timeline ----------------------------------------------------------------------------

EVENT_ICONS = {
    "status_changed": "circle-check", "assigned": "user-check", "team_changed": "users",
    "priority_changed": "triangle-alert", "tags_changed": "tag", "channel_switched":
    "arrow-left-right", "customer_merged": "git-merge", "conversation_merged": "git-merge",
    "conversation_split": "git-merge", "callback_requested": "phone-incoming",
    "sla_warning": "clock-alert", "sla_at_risk": "clock-alert", "sla_breached": "octagon-alert",
    "csat_answered": "star", "article_viewed": "file-text",
}
EVENT_TONES = {"sla_warning": "warn", "sla_at_risk": "warn", "sla_breached": "danger"}
SENDING = {Status.QUEUED, Status.SENDING}
FAILED = {Status.FAILED, Status.BOUNCED, Status.COMPLAINED}


@dataclass
class Item:
    id: int
    kind: str  # message | call | note | event | switch
    direction: str  # in | out | internal
    channel: str
    author: str
    author_type: str
    time: datetime
    sort: str
    subject: str = ""
    body: str = ""
    html: str = ""
    quoted: str = ""
    quoted_html: str = ""
    has_remote_images: bool = False
    remote_images_url: str = ""
    raw_url: str = ""
    attachments: list[dict[str, Any]] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)
    recordings: list[dict[str, Any]] = field(default_factory=list)
    status: str = ""
    failure: str = ""
    retry_url: str = ""
    call: dict[str, Any] = field(default_factory=dict)
    icon: str = ""
    tone: str = ""
    from_channel: str = ""
    to_channel: str = ""
    text: str = ""
    recipient: str = ""
    is_new: bool = False


def _seconds(value: Any) -> str:
    try:
        total = int(value)
    except (TypeError, ValueError):
        return ""
    return f"{total // 60}:{total % 60:02d}"


def _call(interaction: Interaction) -> dict[str, Any]:
    meta = interaction.meta or {}
    outcome = str(meta.get("outcome") or meta.get("status") or "")
    words = {"answered": "Answered", "missed": "Missed", "voicemail": "Voicemail",
             "callback-requested": "Callback requested", "no-answer": "No answer",
             "busy": "Busy", "failed": "Failed", "canceled": "Cancelled",
             "in-progress": "In progress", "ringing": "Ringing", "queued": "Calling…",
             "initiated": "Calling…", "completed": "Completed"}
    answered_by = meta.get("answered_by") or {}
    return {
        "outcome": words.get(outcome, outcome.capitalize()),
        "live": outcome in ("in-progress", "ringing", "queued", "initiated"),
        "missed": outcome in ("missed", "no-answer", "busy", "failed", "canceled"),
        "duration": _seconds(meta.get("duration_seconds")),
        "talk": _seconds(meta.get("talk_seconds")),
        "wait": _seconds(meta.get("wait_seconds") if meta.get("wait_seconds") is not None
                         else meta.get("queue_seconds")),
        "answered_by": answered_by.get("username", "") if isinstance(answered_by, dict) else "",
        "number": meta.get("from") if interaction.direction == Direction.INBOUND
        else meta.get("to"),
        "transcript": interaction.text if (meta.get("transcription") or {}).get("status")
        == "completed" else "",
        "transcribing": (meta.get("transcription") or {}).get("status") == "in-progress",
    }


def _attachments(attachments: list[Attachment], item: Item, kind: str) -> None:
    for attachment in attachments:
        url = attachment_url(attachment)
        entry = {"id": attachment.pk, "name": attachment.name, "size": attachment.size,
                 "url": url, "note": attachment.note, "type": attachment.content_type}
        if url and attachment.content_type.startswith("audio/") and kind == "call":
            item.recordings.append({**entry, "url": reverse("voice-recording-audio",
                                                            args=[attachment.pk])})
        elif url and attachment.content_type.startswith("image/") and not attachment.content_id:
            item.images.append(entry)
        elif not attachment.content_id or not url:
            item.attachments.append(entry)


def item_of(interaction: Interaction, *, remote_images: bool = False,
            new_since: datetime | None = None, customer: str = "") -> Item:
    """One timeline entry. `remote_images`: this item's remote images may load;
    `customer`: the customer's name, shown for what they wrote (else the address)."""
    attachments = list(interaction.attachments.all())
    author = ""
    author_type = "system"
    if interaction.author_agent_id is not None and interaction.author_agent is not None:
        author = interaction.author_agent.get_full_name() or interaction.author_agent.username
        author_type = "agent"
    elif interaction.author_identity_id is not None and interaction.author_identity is not None:
        author = customer or interaction.author_identity.value
        author_type = "customer"
    kind = interaction.kind
    if kind == InteractionKind.EVENT and interaction.event_type == "channel_switched":
        kind = "switch"
    occurred = interaction.occurred_at
    item = Item(
        id=interaction.pk, kind=kind, direction=interaction.direction,
        channel=interaction.channel, author=author, author_type=author_type, time=occurred,
        sort=f"{occurred.isoformat()}|{interaction.pk}",
        is_new=bool(new_since and occurred > new_since and author_type != "agent"),
    )
    meta = interaction.meta or {}
    if kind in ("event", "switch"):
        item.text = interaction.text
        item.icon = EVENT_ICONS.get(interaction.event_type, "info")
        item.tone = EVENT_TONES.get(interaction.event_type, "")
        item.from_channel = str(meta.get("from") or "")
        item.to_channel = str(meta.get("to") or "")
        return item
    item.subject = interaction.subject if interaction.channel == "email" else ""
    item.body = interaction.text
    if interaction.html and interaction.channel == "email":
        urls = {a.content_id: u for a in attachments if a.content_id and (u := attachment_url(a))}
        item.html = display_html(interaction.html, urls, show_remote_images=remote_images)
        item.has_remote_images = "data-blocked-src" in item.html
        # meta is free-form (an API inbox's integrator can write it): cleaned again here.
        full_html = sanitize_html(str(meta.get("full_html") or ""))
        if full_html and len(full_html) > len(interaction.html):
            item.quoted_html = display_html(full_html, urls, show_remote_images=remote_images)
    full_text = str(meta.get("full_text") or "")
    if full_text and not item.quoted_html and full_text.strip() != interaction.text.strip():
        item.quoted = full_text
    if interaction.raw_file:
        item.raw_url = reverse("interaction-raw", args=[interaction.pk])
    if kind == InteractionKind.CALL:
        item.call = _call(interaction)
        item.body = ""
    _attachments(attachments, item, kind)
    if interaction.direction == Direction.OUTBOUND and kind == InteractionKind.MESSAGE:
        item.status = interaction.status
        item.recipient = str(meta.get("to") or "")
        if interaction.status in FAILED:
            item.failure = interaction.error
            if interaction.status == Status.FAILED:
                item.retry_url = reverse("ws-retry", args=[interaction.pk])
        elif interaction.error and interaction.status in SENDING:
            item.failure = interaction.error  # "Retrying: ..." while the worker backs off
    return item


def day_label(moment: datetime) -> str:
    local = timezone.localtime(moment).date()
    today = timezone.localtime().date()
    if local == today:
        return "Today"
    if (today - local).days == 1:
        return "Yesterday"
    return local.strftime("%a %-d %b %Y") if local.year != today.year else local.strftime(
        "%a %-d %b")
