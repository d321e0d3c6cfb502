"""Email threading, both ways.

Outbound: our Message-ID (derived from the interaction and signed, so a retry reuses
it and a copy coming back is recognized without a query), In-Reply-To and References
from the conversation's email history, "Re: " subjects with the conversation tag, and a
per-conversation reply address.

Inbound: the reply address token, the subject tag and subject similarity; the
In-Reply-To/References ids themselves are matched by the pipeline.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from typing import TYPE_CHECKING

from django.utils.crypto import constant_time_compare, salted_hmac

from channels_email import conf
from conversations.models import Direction, Interaction

if TYPE_CHECKING:
    from conversations.models import Conversation

_SALT = "channels_email.message-id"
SYNTHETIC_DOMAIN = "missing-message-id.invalid"
MAX_ID_LENGTH = 255


# --- Message-IDs ------------------------------------------------------------------------


def _signature(interaction_id: int) -> str:
    return salted_hmac(_SALT, str(interaction_id)).hexdigest()[:20]


def omnidesk_token(interaction_id: int) -> str:
    """The value of our X-Omnidesk header: which interaction, signed."""
    return f"{interaction_id}.{_signature(interaction_id)}"


def message_id_for(interaction_id: int, domain: str) -> str:
    return f"<omnidesk.{omnidesk_token(interaction_id)}@{domain}>"


_OUR_ID = re.compile(r"^<?omnidesk\.(\d+)\.([0-9a-f]{20})@[^>]+>?$")


def our_interaction_id(message_id: str) -> int | None:
    """The interaction a Message-ID of ours was made for; None for anyone else's."""
    match = _OUR_ID.match(message_id.strip())
    return _verified(match.group(1), match.group(2)) if match else None


def verify_token(token: str) -> int | None:
    number, _sep, signature = token.strip().partition(".")
    return _verified(number, signature) if number.isdigit() else None


def _verified(number: str, signature: str) -> int | None:
    return int(number) if constant_time_compare(signature, _signature(int(number))) else None


def synthetic_message_id(raw: bytes) -> str:
    """A stable id for a message that has none: the same bytes give the same id, so a
    second delivery of the same message is still recognized."""
    return f"<{hashlib.sha256(raw).hexdigest()[:40]}@{SYNTHETIC_DOMAIN}>"


def storable_id(message_id: str) -> str:
    """Message-IDs longer than the column are stored (and looked up) by their hash."""
    if len(message_id) <= MAX_ID_LENGTH:
        return message_id
    return f"<{hashlib.sha256(message_id.encode()).hexdigest()}@long-message-id.invalid>"


def inbound_thread_refs(in_reply_to: list[str], references: list[str]) -> list[str]:
    """In-Reply-To first, then References newest first, each id once."""
    refs: list[str] = []
    for ref in [*in_reply_to, *reversed(references)]:
        ref = storable_id(ref)
        if ref not in refs:
            refs.append(ref)
    return refs[:100]


def outbound_thread_headers(interaction: Interaction) -> tuple[str, list[str]]:
    """(In-Reply-To, References) for an outbound email: it answers the latest message
    we received in the conversation, and references the conversation's email history."""
    history = list(
        Interaction.objects.filter(
            conversation_id=interaction.conversation_id,
            channel="email",
            provider_id__isnull=False,
        )
        .exclude(pk=interaction.pk)
        .order_by("occurred_at", "id")
        .values_list("provider_id", "direction")
    )
    ids = [(pid, direction) for pid, direction in history if pid and _is_real_id(pid)]
    if not ids:
        return "", []
    inbound = [pid for pid, direction in ids if direction == Direction.INBOUND]
    in_reply_to = inbound[-1] if inbound else ids[-1][0]
    references: list[str] = []
    for pid, _direction in ids:
        if pid not in references and pid != in_reply_to:
            references.append(pid)
    # Keep the first (the thread's root) and the most recent; clients do the same.
    if len(references) > 19:
        references = [references[0], *references[-18:]]
    return in_reply_to, [*references, in_reply_to]


def _is_real_id(provider_id: str) -> bool:
    return (
        provider_id.startswith("<")
        and provider_id.endswith(">")
        and not provider_id.endswith(".invalid>")
    )


# --- Reply addresses ----------------------------------------------------------------------


def reply_address(conversation: Conversation) -> str:
    return f"reply+{conversation.reply_token}@{conf.inbound_domain()}"


_REPLY_LOCAL = re.compile(r"^reply\+([0-9a-z]{8,32})$")


def reply_token_of(address: str) -> str | None:
    local, _at, domain = address.strip().lower().rpartition("@")
    if domain != conf.inbound_domain():
        return None
    match = _REPLY_LOCAL.match(local)
    return match.group(1) if match else None


def is_reply_address(address: str) -> bool:
    return reply_token_of(address) is not None


# --- Subjects -------------------------------------------------------------------------


def _tag_pattern() -> re.Pattern[str] | None:
    tag = conf.subject_tag() or "[#{id}]"
    if "{id}" not in tag:
        return None
    return re.compile(re.escape(tag).replace(re.escape("{id}"), r"(\d{1,12})"))


def subject_tag_id(subject: str) -> int | None:
    pattern = _tag_pattern()
    match = pattern.search(subject) if pattern else None
    return int(match.group(1)) if match else None


def tagged_subject(subject: str, conversation_id: int) -> str:
    tag = conf.subject_tag()
    if not tag or "{id}" not in tag or subject_tag_id(subject) == conversation_id:
        return subject
    return f"{subject} {tag.replace('{id}', str(conversation_id))}".strip()


_PREFIX = re.compile(
    r"^\s*((re|fw|fwd|aw|wg|sv|vs|antw|tr|rif|r|ref|odp|res|enc)(\[\d+\])?\s*:\s*)+",
    re.IGNORECASE,
)


def reply_subject(subject: str) -> str:
    subject = subject.strip()
    if _PREFIX.match(subject):
        return subject
    return f"Re: {subject}" if subject else subject


def normalized_subject(subject: str) -> str:
    pattern = _tag_pattern()
    text = pattern.sub(" ", subject) if pattern else subject
    text = _PREFIX.sub("", text)
    return re.sub(r"\s+", " ", text).strip().lower()


def similar_subjects(a: str, b: str) -> bool:
    left, right = normalized_subject(a), normalized_subject(b)
    if not left or not right:
        return False
    return left == right or difflib.SequenceMatcher(None, left, right).ratio() >= 0.9
