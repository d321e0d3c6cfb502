"""The one way into omnidesk for an email: anymail webhooks, IMAP and the
ingest_email command all hand raw RFC 822 bytes to receive_raw_email.

It parses the message, chooses the inbox, recognizes our own mail, auto-replies,
bounces and loops, builds one InboundEvent and records it through the pipeline. In the
same transaction it schedules the follow-ups (channels_email.follow_ups): a DSN marks
the reply it reports as bounced; a new conversation from a real customer message gets
the inbox's acknowledgement. A message without a usable sender starts a conversation
of its own, tagged unknown-sender, and never joins another.
It never raises: `ReceiveOutcome.kept` says whether the message is safely recorded.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, Q, Subquery
from django.utils import timezone

from channels_email import conf
from channels_email.acknowledge import wants_acknowledgement
from channels_email.config import inbox_addresses
from channels_email.content import split_reply, trim_html_quote
from channels_email.follow_ups import acknowledge_task, mark_bounced_task
from channels_email.noise import (
    Bounce,
    LoopCount,
    auto_reply_reason,
    count_for_loop_limit,
    count_for_loop_limits,
    detect_bounce,
    uncount,
)
from channels_email.parse import ParsedEmail, ParsedPart, parse_email
from channels_email.recipients import Recipients, resolve_recipients
from channels_email.threading import (
    inbound_thread_refs,
    our_interaction_id,
    similar_subjects,
    storable_id,
    subject_tag_id,
    synthetic_message_id,
    verify_token,
)
from conversations.actions.ingest import do_record_inbound, recording_together
from conversations.actions.update import do_update_conversation
from conversations.inbound import InboundAttachment, InboundEvent, IngestResult
from conversations.models import (
    Conversation,
    ConversationStatus,
    Direction,
    Inbox,
    Interaction,
)
from conversations.queries import json_list_holds_any
from conversations.sanitize import sanitize_html
from customers.identities import InvalidIdentity, normalize_email
from customers.models import Identity
from jobs.outbox import enqueue_job
from omnidesk.fastsql import prepared_cursor
from realtime.publish import publishing_together

logger = logging.getLogger(__name__)

UNKNOWN_SENDER = "unknown-sender@invalid.invalid"
# The tag (and timeline line) on a conversation started by a message without a usable
# sender address: agents see that nobody can be answered there.
UNKNOWN_SENDER_TAG = "unknown-sender"


@dataclass
class ReceiveOutcome:
    # False only when the message could not be recorded (the caller must not drop it).
    kept: bool
    result: IngestResult | None
    # For people: which conversation it joined and how, or why it was refused/ignored.
    reason: str
    # True when the message was not taken as a customer message: our own mail coming
    # back (not recorded), an auto-reply, a bounce or a loop-limited sender (recorded).
    ignored: bool = False
    noise: str = ""  # "", "own_message", "auto_reply", "bounce", "loop_limited"
    message_id: str = ""
    # Follow-ups scheduled for after the commit (channels_email.follow_ups).
    acknowledging: bool = False  # acknowledge_task(result.interaction.pk)
    marking_bounced: int | None = None  # mark_bounced_task: the reply it will mark


@dataclass
class _Thread:
    refs: list[str]
    in_reply_to: list[str]
    known: dict[str, int]  # our recorded provider ids among refs -> conversation id
    hint: int | None = None
    how: str = ""


@dataclass
class _Noise:
    kind: str = ""
    meta: dict[str, object] = field(default_factory=dict)
    bounce: Bounce | None = None
    bounced: Interaction | None = None


def receive_raw_email(
    raw: bytes, *, inbox: Inbox | None = None, source: str = ""
) -> ReceiveOutcome:
    try:
        return record_raw_email(raw, inbox=inbox, source=source)
    except Exception as exc:
        logger.exception("email from %s could not be recorded", source or "unknown source")
        return ReceiveOutcome(kept=False, result=None, reason=f"not recorded: {exc}")


def receive_raw_emails(
    messages: Sequence[tuple[bytes, str]], *, inbox: Inbox | None = None,
    one_by_one_after_failure: bool = True,
) -> list[ReceiveOutcome]:
    """Several messages at once, (raw bytes, source) each (ingest_email given several
    files), in order, recorded together in one transaction (conversations.actions.ingest's
    recording_together: the senders locked in one statement, one commit, the live
    events written in one statement). If any of them fails or was recorded before, the
    batch is rolled back (with the files it stored) and its loop counts taken back; then
    each message is received on its own, as receive_raw_email does, and nothing is
    raised. With `one_by_one_after_failure=False` the batch's exception is raised instead,
    for a caller that goes one by one itself (the IMAP poller, whose block transaction
    must stop at the first message that cannot be kept)."""
    messages = [(bytes(raw), source) for raw, source in messages]
    if len(messages) > 1:
        together = _Together()
        try:
            return _receive_together(messages, inbox, together)
        except Exception:
            for count in together.counted:
                uncount(count)
            if not one_by_one_after_failure:
                raise
            logger.info("%d emails from %s on: receiving them together failed, one by one "
                        "now", len(messages), messages[0][1] or "unknown source", exc_info=True)
    return [receive_raw_email(raw, inbox=inbox, source=source) for raw, source in messages]


@dataclass
class _Together:
    """What the messages of one call share: the loop counts taken (a batch rolled back
    takes them back), and for a batch the interactions recorded under its messages' ids
    and thread references, (provider id, conversation id, inbox id) oldest first, read
    in one statement at its start and extended by each message it records (None: each
    message asks the database itself).

    A batch counts each message's sender against the loop limit up front, in one round
    trip (`precount`); a message that is not to be counted (noise, a redelivery, no
    usable sender) leaves its count unused, and the batch takes those back when it is
    done. A sender's later message in the batch may then be counted over the limit one
    message early."""

    counted: list[LoopCount] = field(default_factory=list)
    recorded: list[tuple[str | None, int, int | None]] | None = None
    precounted: dict[str, list[LoopCount]] = field(default_factory=dict)

    def precount(self, senders: list[str]) -> None:
        for sender, count in zip(senders, count_for_loop_limits(senders), strict=True):
            self.counted.append(count)
            self.precounted.setdefault(sender, []).append(count)

    def count(self, sender: str) -> LoopCount:
        counts = self.precounted.get(sender)
        if counts:
            return counts.pop(0)
        count = count_for_loop_limit(sender)
        self.counted.append(count)
        return count

    def take_back_unused(self) -> None:
        for counts in self.precounted.values():
            for count in counts:
                uncount(count)
        self.precounted.clear()

    def rows(self, provider_ids: list[str]) -> list[tuple[str | None, int, int | None]]:
        if self.recorded is None:
            return _recorded_rows(provider_ids)
        wanted = set(provider_ids)
        return [row for row in self.recorded if row[0] in wanted]

    def note(self, provider_id: str, result: IngestResult) -> None:
        if self.recorded is not None and result.created:
            interaction = result.interaction
            self.recorded.append((provider_id, interaction.conversation_id, interaction.inbox_id))


def _receive_together(
    messages: list[tuple[bytes, str]], inbox: Inbox | None, together: _Together
) -> list[ReceiveOutcome]:
    parsed = [parse_email(raw) for raw, _source in messages]
    addresses = [message.sender[1] for message in parsed if message.sender]
    together.precount(addresses)
    ids = [id_ for (raw, _source), message in zip(messages, parsed, strict=True)
           for id_ in (_provider_id(raw, message),
                       *inbound_thread_refs(message.in_reply_to, message.references))]
    with transaction.atomic():
        together.recorded = _recorded_rows(ids)
        named = {conversation_id for _pid, conversation_id, _inbox in together.recorded}
        with recording_together([("email", address) for address in addresses], named), \
                publishing_together():
            outcomes = [_receive_parsed(raw, message, inbox, source, together)
                        for (raw, source), message in zip(messages, parsed, strict=True)]
    together.take_back_unused()
    return outcomes


def _provider_id(raw: bytes, parsed: ParsedEmail) -> str:
    message_id = storable_id(parsed.message_id) if parsed.message_id else ""
    return message_id or synthetic_message_id(raw)


def _receive_parsed(
    raw: bytes,
    parsed: ParsedEmail,
    explicit_inbox: Inbox | None,
    source: str,
    together: _Together,
) -> ReceiveOutcome:
    provider_id = _provider_id(raw, parsed)
    recipients = resolve_recipients(parsed, explicit_inbox)
    inbox = _inbox_to_record(parsed, provider_id, recipients)
    if isinstance(inbox, ReceiveOutcome):
        return inbox
    noise = _classify(parsed, frozenset(inbox_addresses(inbox)))
    sender, sender_name = _sender(parsed, noise)
    unknown = sender == UNKNOWN_SENDER
    # A message without a sender may name any conversation; it joins none.
    refs = [] if unknown else inbound_thread_refs(parsed.in_reply_to, parsed.references)
    # With thread references, one query says which are recorded and whether this message
    # is (a redelivery). Without, the second question is asked only where it matters, at
    # the loop limit: a redelivery found by the pipeline takes its count back.
    duplicate, known = _recorded(together, inbox, provider_id, refs) if refs else (False, {})
    count = None
    if not noise.kind and not duplicate:
        count = together.count(sender)
        if count.over and (refs or not _recorded(together, inbox, provider_id, [])[0]):
            noise.kind = "loop_limited"
            noise.meta["loop_limited"] = True
    thread = (
        _Thread([], [], {}) if unknown
        else _thread(parsed, refs, known, recipients, sender, noise)
    )
    event = _event(parsed, raw, inbox, provider_id, sender, sender_name, recipients, thread, noise)
    event.meta["source"] = source
    bounced = noise.bounced if noise.bounce is not None and noise.bounce.failed else None
    follow_ups = _FollowUps(
        acknowledge=not noise.kind and not unknown and wants_acknowledgement(inbox, sender, parsed),
        mark_bounced=bounced is not None,
    )
    result = _record(event, follow_ups)
    together.note(provider_id, result)
    if not result.created and count is not None:
        uncount(count)
    return ReceiveOutcome(
        kept=True,
        result=result,
        reason=_describe(result, thread, noise, recipients, follow_ups, event),
        ignored=bool(noise.kind),
        noise=noise.kind,
        message_id=provider_id,
        acknowledging=follow_ups.acknowledged,
        marking_bounced=bounced.pk if bounced is not None and follow_ups.bounce_scheduled else None,
    )


def _inbox_to_record(
    parsed: ParsedEmail, provider_id: str, recipients: Recipients
) -> Inbox | ReceiveOutcome:
    """The inbox the message is recorded in, or the outcome of one that is not recorded
    at all (our own mail coming back: ignored; no inbox for its recipients: not kept)."""
    if _is_own_message(parsed):
        return ReceiveOutcome(
            kept=True,
            result=None,
            reason=f"our own message {parsed.message_id} came back; ignored",
            ignored=True,
            noise="own_message",
            message_id=provider_id,
        )
    if recipients.inbox is None:
        return ReceiveOutcome(kept=False, result=None, reason=recipients.how)
    return recipients.inbox


@dataclass(frozen=True)
class Admitted:
    """A message receive_raw_email would record: the inbox it goes to, its provider id
    and the sender it is filed under ("" when not a usable address)."""

    inbox: Inbox
    provider_id: str
    sender: str


def admit_raw_email(raw: bytes) -> Admitted | ReceiveOutcome:
    """Without recording anything: the outcome receive_raw_email would give at once for
    a message it does not record, else the message's inbox, id and sender (for a caller
    that keeps it to be recorded later: the email webhooks' spool)."""
    parsed = parse_email(raw)
    provider_id = _provider_id(raw, parsed)
    inbox = _inbox_to_record(parsed, provider_id, resolve_recipients(parsed, None))
    if isinstance(inbox, ReceiveOutcome):
        return inbox
    sender = parsed.sender[1] if parsed.sender and _valid(parsed.sender[1]) else ""
    return Admitted(inbox, provider_id, normalize_email(sender) if sender else "")


def record_raw_email(
    raw: bytes, *, inbox: Inbox | None = None, source: str = ""
) -> ReceiveOutcome:
    """receive_raw_email without its safety net, for a caller that records several events
    in one transaction (the spool's drain): an error is raised, for the caller to roll
    back, not answered."""
    raw = bytes(raw)
    return _receive_parsed(raw, parse_email(raw), inbox, source, _Together())


def _is_own_message(parsed: ParsedEmail) -> bool:
    if parsed.message_id and our_interaction_id(parsed.message_id) is not None:
        return True
    token = parsed.header("X-Omnidesk")
    return bool(token) and verify_token(token) is not None


def _classify(parsed: ParsedEmail, own_addresses: frozenset[str]) -> _Noise:
    bounce = detect_bounce(parsed)
    if bounce is not None:
        bounced = _bounced_interaction(bounce.original_message_id)
        meta: dict[str, object] = {
            "bounce": {
                "original_message_id": bounce.original_message_id,
                "failed": bounce.failed,
                "recipients": bounce.recipients,
                "diagnostic": bounce.diagnostic,
                "interaction_id": bounced.pk if bounced else None,
            }
        }
        return _Noise("bounce", meta, bounce, bounced)
    reason = auto_reply_reason(parsed, own_addresses)
    if reason:
        return _Noise("auto_reply", {"auto_reply": reason})
    return _Noise()


def _bounced_interaction(original_message_id: str) -> Interaction | None:
    if not original_message_id:
        return None
    outbound = Interaction.objects.filter(direction=Direction.OUTBOUND, channel="email")
    ours = our_interaction_id(original_message_id)
    if ours is not None:
        return outbound.filter(pk=ours).first()
    return outbound.filter(provider_id=storable_id(original_message_id)).first()


def _sender(parsed: ParsedEmail, noise: _Noise) -> tuple[str, str]:
    """The address the message is filed under. A bounce of our message is filed under
    the address that bounced, in that message's conversation: the mailer daemon is no
    customer of ours."""
    if noise.bounced is not None:
        to = str(noise.bounced.meta.get("to") or "")
        if _valid(to):
            return to.lower(), ""
    if parsed.sender and _valid(parsed.sender[1]):
        return parsed.sender[1], parsed.sender[0]
    noise.meta["sender_unknown"] = True
    return UNKNOWN_SENDER, "Unknown sender"


def _valid(address: str) -> bool:
    try:
        normalize_email(address)
    except InvalidIdentity:
        return False
    return True


def _recorded(
    together: _Together, inbox: Inbox, provider_id: str, refs: list[str]
) -> tuple[bool, dict[str, int]]:
    """One query for two questions: is this message already recorded in this inbox (a
    redelivery), and which of its thread references are recorded, in which
    conversation. Oldest first, so an id recorded twice (two inboxes) maps to its
    newest interaction, as the pipeline reads it (it takes this mapping as is)."""
    wanted = set(refs)
    duplicate = False
    known: dict[str, int] = {}
    for pid, conversation_id, inbox_id in together.rows([provider_id, *refs]):
        if pid == provider_id and inbox_id == inbox.pk:
            duplicate = True
        if pid and pid in wanted:
            known[pid] = conversation_id
    return duplicate, known


_INTERACTION = Interaction._meta
# `= ANY` of one array: one statement for any number of ids, prepared once per connection
# (an IN list is a statement of its own per length, compiled by the ORM on each call).
_RECORDED_ROWS = (
    f"SELECT provider_id, conversation_id, inbox_id FROM {_INTERACTION.db_table} "  # noqa: S608
    "WHERE provider_id = ANY(%s) ORDER BY id"
)


def _recorded_rows(provider_ids: list[str]) -> list[tuple[str | None, int, int | None]]:
    """(provider id, conversation id, inbox id) of the interactions recorded under any of
    `provider_ids`, oldest first."""
    if connection.vendor != "postgresql":
        return list(
            Interaction.objects.filter(provider_id__in=provider_ids)
            .order_by("id")
            .values_list("provider_id", "conversation_id", "inbox_id")
        )
    with prepared_cursor() as cursor:
        cursor.execute(_RECORDED_ROWS, [provider_ids])
        return cursor.fetchall()


def _thread(
    parsed: ParsedEmail,
    refs: list[str],
    known: dict[str, int],
    recipients: Recipients,
    sender: str,
    noise: _Noise,
) -> _Thread:
    """What the pipeline gets to find the conversation, in the issue's order: reply
    address token, In-Reply-To, References (the pipeline matches those), subject tag,
    then a similar subject among the customer's open conversations. `known`: which of
    `refs` are recorded, in which conversation."""
    thread = _Thread(refs=refs, in_reply_to=parsed.in_reply_to, known=known)
    if recipients.reply_conversation is not None:
        thread.hint, thread.how = recipients.reply_conversation.pk, "reply address"
    elif noise.bounced is not None:
        thread.hint, thread.how = noise.bounced.conversation_id, "bounced message"
    elif known:
        pass
    elif (tagged := subject_tag_id(parsed.subject)) is not None:
        thread.hint, thread.how = tagged, "subject tag"
    else:
        similar = _similar_open_conversation(sender, parsed.subject)
        if similar is not None:
            thread.hint, thread.how = similar, "same subject as an open conversation"
    return thread


def _similar_open_conversation(sender: str, subject: str) -> int | None:
    """A new email thread joins an open conversation only when it is about the same
    thing: one of the sender's own with a similar subject, or on a channel without
    subjects (chat, SMS, calls) that this email continues; or one the sender takes part
    in (a colleague copied on it, replying without thread headers) with a similar
    subject. One query: the sender's customer is a scalar subquery (PostgreSQL runs it
    once, as an InitPlan), not a round trip of its own."""
    since = timezone.now() - timedelta(days=settings.OMNIDESK_CONTINUITY_DAYS)
    for pk, conversation_subject, channels, mine in _open_conversations(sender, since):
        if conversation_subject and similar_subjects(subject, conversation_subject):
            return pk
        if mine and not conversation_subject and "email" not in (channels or []):
            return pk
    return None


_CONVERSATION = Conversation._meta
_IDENTITY = Identity._meta
_SENDERS_CUSTOMER = (
    f"(SELECT customer_id FROM {_IDENTITY.db_table} "  # noqa: S608
    "WHERE kind = 'email' AND value = %(sender)s LIMIT 1)"
)
# open_conversations_by_orm's query, written once instead of built and compiled by the
# ORM for each new thread. Not prepared: the best plan depends on the sender (a generic
# one scans every recently active conversation).
_OPEN_CONVERSATIONS = f"""
SELECT id, subject, channels, customer_id = {_SENDERS_CUSTOMER} AS mine
FROM {_CONVERSATION.db_table}
WHERE (participants @> %(holds)s::jsonb OR customer_id = {_SENDERS_CUSTOMER})
  AND last_activity_at >= %(since)s AND NOT (status = 'resolved')
ORDER BY last_activity_at DESC, id DESC
LIMIT 20
""".strip()  # noqa: S608


def _open_conversations(sender: str, since: datetime) -> list[tuple[int, str, list[str], bool]]:
    """(id, subject, channels, the sender's own) of the 20 latest open conversations
    active since `since` that are the sender's or that they take part in."""
    if connection.vendor != "postgresql":
        return open_conversations_by_orm(sender, since)
    with connection.cursor() as cursor:
        cursor.execute(_OPEN_CONVERSATIONS,
                       {"sender": sender, "holds": json.dumps([sender]), "since": since})
        rows = cursor.fetchall()
    # Django reads jsonb as text (its JSONField decodes it).
    return [(pk, subject, json.loads(channels) if isinstance(channels, str) else channels,
             bool(mine)) for pk, subject, channels, mine in rows]


def open_conversations_by_orm(
    sender: str, since: datetime
) -> list[tuple[int, str, list[str], bool]]:
    """_open_conversations by the ORM (SQLite: json_list_holds_any has its own SQL there)."""
    senders_customer = Subquery(
        Identity.objects.filter(kind="email", value=sender).values("customer_id")[:1]
    )
    # Served by conv_customer_activity and the GIN index on participants (PostgreSQL).
    mine_or_shared = json_list_holds_any("participants", (sender,)) | Q(
        customer_id=senders_customer
    )
    return [
        (pk, subject, channels, bool(mine))
        for pk, subject, channels, mine in (
            Conversation.objects.filter(mine_or_shared, last_activity_at__gte=since)
            .exclude(status=ConversationStatus.RESOLVED)
            .annotate(mine=ExpressionWrapper(
                Q(customer_id=senders_customer), output_field=BooleanField()
            ))
            .order_by("-last_activity_at", "-id")
            .values_list("pk", "subject", "channels", "mine")[:20]
        )
    ]


def _event(
    parsed: ParsedEmail,
    raw: bytes,
    inbox: Inbox,
    provider_id: str,
    sender: str,
    sender_name: str,
    recipients: Recipients,
    thread: _Thread,
    noise: _Noise,
) -> InboundEvent:
    text = split_reply(parsed.text)
    html = trim_html_quote(parsed.html)
    meta: dict[str, object] = {
        "message_id": parsed.message_id,
        "from": parsed.sender[1] if parsed.sender else "",
        "to": [addr for _name, addr in parsed.to],
        "cc": [addr for _name, addr in parsed.cc],
        **noise.meta,
    }
    if parsed.flattened is not None:
        meta["mime_flattened"] = {
            "levels": parsed.flattened.levels,
            "parts": parsed.flattened.parts,
            "note": parsed.flattened.note,
        }
    if text != parsed.text.strip():
        meta["full_text"] = parsed.text
    if html != parsed.html:
        meta["full_html"] = sanitize_html(parsed.html)
    return InboundEvent(
        inbox=inbox,
        channel="email",
        sender_kind="email",
        sender_value=sender,
        sender_name=clean(sender_name)[:200],
        provider_id=provider_id,
        occurred_at=_occurred_at(parsed),
        text=clean(text),
        html=clean(html),
        subject=clean(parsed.subject)[:500],
        attachments=[_attachment(part) for part in parsed.parts],
        thread_refs=thread.refs,
        thread_ref_conversations=thread.known,
        conversation_hint=thread.hint,
        use_continuity=False,
        counts_as_customer_message=not noise.kind,
        participants=recipients.participants,
        meta={key: _clean_meta(value) for key, value in meta.items()},
        raw_bytes=raw,
        raw_filename="message.eml",
    )


def _occurred_at(parsed: ParsedEmail) -> datetime:
    now = timezone.now()
    # A Date header in the future (a wrong clock) must not reorder the timeline.
    return min(parsed.date, now) if parsed.date else now


def _attachment(part: ParsedPart) -> InboundAttachment:
    limit = conf.attachment_max_bytes()
    size = len(part.content)
    if size > limit:
        return InboundAttachment(
            name=clean(part.name),
            content_type=part.content_type,
            content=None,
            content_id=clean(part.content_id),
            size=size,
            note=f"Not kept: {size} bytes is over the {limit}-byte attachment limit.",
        )
    return InboundAttachment(
        name=clean(part.name),
        content_type=part.content_type,
        content=part.content,
        content_id=clean(part.content_id),
        size=size,
    )


def clean(text: str) -> str:
    """Text PostgreSQL accepts: no NUL characters, no lone surrogates."""
    return text.replace("\x00", "").encode("utf-8", errors="replace").decode("utf-8")


def _clean_meta(value: object) -> object:
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {str(k): _clean_meta(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean_meta(v) for v in value]
    return value


@dataclass
class _FollowUps:
    acknowledge: bool  # if the message starts a conversation
    mark_bounced: bool
    acknowledged: bool = False  # scheduled
    bounce_scheduled: bool = False


def _record(event: InboundEvent, follow_ups: _FollowUps) -> IngestResult:
    """The message, its unknown-sender flag and its follow-up tasks, in the pipeline's one
    transaction: the tasks are jobs of its commit."""

    def follow_up(result: IngestResult) -> None:
        unknown = bool(event.meta.get("sender_unknown"))
        if unknown and result.conversation_created:
            conversation = result.conversation
            do_update_conversation(
                conversation, by=None, changes={"tags": [*conversation.tags, UNKNOWN_SENDER_TAG]}
            )
        if follow_ups.mark_bounced:
            enqueue_job(mark_bounced_task, result.interaction.pk)
            follow_ups.bounce_scheduled = True
        if follow_ups.acknowledge and result.conversation_created and not unknown:
            enqueue_job(acknowledge_task, result.interaction.pk)
            follow_ups.acknowledged = True

    try:
        return do_record_inbound(event, then=follow_up)
    except InvalidIdentity:
        # The sender cannot be named: a conversation of its own, never another's.
        event.sender_value, event.sender_name = UNKNOWN_SENDER, "Unknown sender"
        event.meta["sender_unknown"] = True
        event.thread_refs, event.conversation_hint = [], None
        return do_record_inbound(event, then=follow_up)


def _describe(
    result: IngestResult,
    thread: _Thread,
    noise: _Noise,
    recipients: Recipients,
    follow_ups: _FollowUps,
    event: InboundEvent,
) -> str:
    conversation = result.conversation
    if not result.created:
        return (
            f"already recorded as interaction #{result.interaction.pk} "
            f"in conversation #{conversation.pk}"
        )
    if result.conversation_created:
        where = f"started conversation #{conversation.pk}"
    else:
        where = f"joined conversation #{conversation.pk} by {_matched_by(result, thread)}"
    prefix = {
        "auto_reply": f"auto-reply ({noise.meta.get('auto_reply')}) ",
        "bounce": "bounce ",
        "loop_limited": "sender over the loop limit, kept without automatic reactions; ",
    }.get(noise.kind, "")
    suffix = ""
    if event.meta.get("sender_unknown"):
        suffix += f"; no usable sender address, tagged {UNKNOWN_SENDER_TAG}"
    if noise.bounced is not None and follow_ups.bounce_scheduled:
        suffix += f"; interaction #{noise.bounced.pk} to be marked bounced"
    if follow_ups.acknowledged:
        suffix += "; acknowledgement queued"
    return f"{prefix}{where} in {recipients.how}{suffix}"


def _matched_by(result: IngestResult, thread: _Thread) -> str:
    conversation_id = result.conversation.pk
    if thread.hint == conversation_id:
        return thread.how
    for ref in thread.refs:
        if thread.known.get(ref) == conversation_id:
            return "In-Reply-To" if ref in thread.in_reply_to else "References"
    return "continuity"
