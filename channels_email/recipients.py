"""Which inbox a message was sent to, and who else it was sent to.

The inbox is chosen by the recipients (To, Cc, Delivered-To, X-Original-To) against
each active email inbox's address and aliases, or by our per-conversation reply
address. A message addressed to none of them is filed in the first email inbox
rather than lost.
"""

from __future__ import annotations

from dataclasses import dataclass

from agents.models import Team
from channels_email.conf import EMAIL_INBOX
from channels_email.config import inbox_addresses
from channels_email.parse import ParsedEmail
from channels_email.threading import is_reply_address, reply_token_of
from conversations.models import Conversation, Inbox, Interaction
from omnidesk.config_cache import ConfigCache


@dataclass(frozen=True)
class Recipients:
    inbox: Inbox | None
    how: str  # how the inbox was chosen, for the outcome's reason
    reply_conversation: Conversation | None  # named by a reply+token address
    participants: list[str]  # To/Cc addresses other than ours and the sender's


def _load_email_inboxes() -> list[Inbox]:
    return list(Inbox.objects.filter(kind=EMAIL_INBOX, is_active=True)
                .select_related("team").order_by("id"))


# Read for every message received (which inbox it was sent to).
_email_inboxes = ConfigCache("email-inboxes", _load_email_inboxes, [Inbox, Team])


def email_inboxes() -> list[Inbox]:
    return _email_inboxes.get()


def our_addresses(inboxes: list[Inbox]) -> set[str]:
    return {address for inbox in inboxes for address in inbox_addresses(inbox)}


def resolve_recipients(parsed: ParsedEmail, explicit: Inbox | None) -> Recipients:
    inboxes = email_inboxes()
    ours = our_addresses(inboxes)
    if explicit is not None:
        ours |= set(inbox_addresses(explicit))
    visible = [addr for _name, addr in [*parsed.to, *parsed.cc]]
    candidates = [*visible, *parsed.delivered_to]
    reply_conversation = _reply_conversation(candidates)
    sender = parsed.sender[1] if parsed.sender else ""
    participants = []
    for addr in visible:
        if addr in ours or is_reply_address(addr) or addr == sender or addr in participants:
            continue
        participants.append(addr)
    inbox, how = _choose_inbox(candidates, inboxes, explicit, reply_conversation)
    return Recipients(inbox, how, reply_conversation, participants)


def _reply_conversation(candidates: list[str]) -> Conversation | None:
    for addr in candidates:
        token = reply_token_of(addr)
        if token:
            conversation = Conversation.objects.filter(reply_token=token).first()
            if conversation is not None:
                return conversation
    return None


def _choose_inbox(
    candidates: list[str],
    inboxes: list[Inbox],
    explicit: Inbox | None,
    reply_conversation: Conversation | None,
) -> tuple[Inbox | None, str]:
    if explicit is not None:
        return explicit, f"inbox {explicit.slug} (given)"
    for addr in candidates:
        for inbox in inboxes:
            if addr in inbox_addresses(inbox):
                return inbox, f"inbox {inbox.slug} (addressed to {addr})"
    if reply_conversation is not None:
        used = _conversation_inbox(reply_conversation, inboxes)
        if used is not None:
            return used, f"inbox {used.slug} (reply address)"
    if inboxes:
        return inboxes[0], f"inbox {inboxes[0].slug} (no recipient matched an inbox)"
    return None, "no active email inbox is configured"


def _conversation_inbox(conversation: Conversation, inboxes: list[Inbox]) -> Inbox | None:
    by_id = {inbox.pk: inbox for inbox in inboxes}
    if conversation.last_inbound_inbox_id in by_id:
        return by_id[conversation.last_inbound_inbox_id]
    used = (
        Interaction.objects.filter(conversation=conversation, channel="email", inbox__in=inboxes)
        .order_by("-occurred_at")
        .values_list("inbox_id", flat=True)
        .first()
    )
    return by_id.get(used) if used is not None else None
