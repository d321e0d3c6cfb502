"""Writes of the chat app: a visitor's messages, typing, reads, contact details and sign-in,
their answers to satisfaction surveys, their sockets coming and going, and agent replies
reaching them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from channels_chat.availability import visitor_ids_of, visitor_online
from channels_chat.conf import CHAT_CHANNEL, VISITOR_IDENTITY
from channels_chat.models import ChatVisitor
from channels_chat.payloads import survey_state, visitor_message_payload
from conversations.actions.delivery import do_update_delivery
from conversations.actions.ingest import do_record_inbound
from conversations.inbound import InboundAttachment, InboundEvent, IngestResult
from conversations.models import (
    Conversation,
    ConversationStatus,
    Direction,
    Inbox,
    Interaction,
    Status,
)
from conversations.notify import conversation_audience
from conversations.transports import ProviderResult, TransportError
from csat.actions.send import SURVEY_MESSAGE
from csat.actions.survey import AnswerRefused, check_answer_survey
from customers.actions.identify import do_get_or_create_identity
from customers.actions.merge import do_merge_customers
from customers.actions.profile import IdentityTaken, do_add_identity
from customers.identities import (
    InvalidIdentity,
    normalize_email,
    normalize_opaque,
    normalize_phone,
)
from customers.models import Customer, Identity, IdentityKind
from realtime import events
from realtime.audience import Audience
from realtime.publish import publish

# Customer.attributes key of an email a visitor typed that belongs to someone else.
CLAIMED_EMAIL = "chat_claimed_email"
CLAIMED_PHONE = "chat_claimed_phone"
# Article reads kept for a visitor who has not written yet, at most.
MAX_KEPT_READS = 20


def reply_provider_id(interaction_id: int) -> str:
    """The provider id of an agent's reply sent to a visitor: read receipts name it."""
    return f"chat-reply:{interaction_id}"


def visitor_audience(customer_id: int) -> Audience | None:
    """Every browser of the customer (a signed-in user may chat from several)."""
    audience = None
    for visitor_id in visitor_ids_of(customer_id):
        one = Audience.visitor(visitor_id)
        audience = one if audience is None else audience | one
    return audience


def do_visitor_message(
    inbox: Inbox,
    visitor_id: str,
    *,
    client_id: str,
    text: str,
    attachments: list[InboundAttachment] | None = None,
) -> IngestResult:
    """Record a visitor's message through the one inbound pipeline, once per client
    message id, and show it in the visitor's other tabs."""
    event = InboundEvent(
        inbox=inbox,
        channel=CHAT_CHANNEL,
        sender_kind=VISITOR_IDENTITY,
        sender_value=visitor_id,
        provider_id=f"{visitor_id}:{client_id}",
        text=text,
        attachments=list(attachments or []),
        meta={"client_id": client_id},
    )
    with transaction.atomic():
        result = do_record_inbound(event)
        if result.conversation_created:
            _record_kept_reads(visitor_id, result.conversation.customer_id)
        if result.created:
            audience = visitor_audience(result.conversation.customer_id)
            if audience is not None:
                publish(
                    events.INTERACTION_CREATED,
                    visitor_message_payload(result.interaction, _stored(result.interaction)),
                    audience,
                )
    return result


def _stored(interaction: Interaction) -> list[Any]:
    return list(interaction.attachments.all())


def _open_conversation(customer_id: int) -> Conversation | None:
    """The conversation of the customer's latest chat message, unless it is resolved (by
    the interaction, not `channels__contains`: SQLite has no JSON containment)."""
    latest = (
        Interaction.objects.filter(customer_id=customer_id, channel=CHAT_CHANNEL)
        .order_by("-occurred_at", "-id")
        .values_list("conversation_id", flat=True)
        .first()
    )
    if latest is None:
        return None
    return Conversation.objects.filter(pk=latest).exclude(
        status=ConversationStatus.RESOLVED
    ).first()


def do_visitor_typing(visitor_id: str) -> bool:
    """Tell the agents of the visitor's open conversation; False when there is none."""
    customer_id = _customer_id(visitor_id)
    conversation = _open_conversation(customer_id) if customer_id else None
    if conversation is None:
        return False
    with transaction.atomic():
        publish(
            events.TYPING,
            {"conversation_id": conversation.pk, "by": "visitor", "at": _now()},
            conversation_audience(conversation),
        )
    return True


def do_agent_typing(user: User, conversation: Conversation) -> bool:
    """Tell the conversation's chat visitor that an agent is typing (the agent socket's
    "typing" frame, through conversations.hooks.agent_typing)."""
    if CHAT_CHANNEL not in conversation.channels:
        return False
    audience = visitor_audience(conversation.customer_id)
    if audience is None:
        return False
    with transaction.atomic():
        publish(
            events.TYPING,
            {"conversation_id": conversation.pk, "by": "agent",
             "name": user.first_name or "Support", "at": _now()},
            audience,
        )
    return True


def do_visitor_read(visitor_id: str, up_to: int) -> int:
    """The visitor has seen the agents' replies up to interaction `up_to`: they become
    "read" (the agents see it). Returns how many changed."""
    customer_id = _customer_id(visitor_id)
    if customer_id is None:
        return 0
    unread = list(
        Interaction.objects.filter(
            customer_id=customer_id,
            channel=CHAT_CHANNEL,
            direction=Direction.OUTBOUND,
            status__in=[Status.SENT, Status.DELIVERED],
            pk__lte=up_to,
            inbox__isnull=False,
            provider_id__isnull=False,
        ).values_list("inbox_id", "provider_id")
    )
    changed = 0
    inboxes = {i.pk: i for i in Inbox.objects.filter(pk__in={row[0] for row in unread})}
    for inbox_id, provider_id in unread:
        if provider_id and do_update_delivery(inboxes[inbox_id], provider_id, Status.READ):
            changed += 1
    return changed


def do_deliver_to_visitor(interaction_id: int) -> ProviderResult:
    """The chat transport's send: an agent's reply goes to the visitor's sockets (and
    their catch-up); "delivered" if a browser of theirs is open, else "sent" (they see
    it in their history when they come back)."""
    with transaction.atomic():
        interaction = (
            Interaction.objects.select_related("author_agent")
            .prefetch_related("attachments")
            .get(pk=interaction_id)
        )
        audience = visitor_audience(interaction.customer_id)
        if audience is None:
            raise TransportError("The customer has no chat visitor to send to.", permanent=True)
        payload = visitor_message_payload(interaction)
        payload["status"] = Status.DELIVERED
        publish(events.INTERACTION_CREATED, payload, audience)
        online = visitor_online(interaction.customer_id)
    return ProviderResult(
        provider_id=reply_provider_id(interaction_id),
        status=Status.DELIVERED if online else Status.SENT,
    )


def do_visitor_answer_survey(
    visitor_id: str, survey_id: object, *, rating: object = None, effort: object = None,
    comment: object = None,
) -> dict[str, Any]:
    """The visitor's answer from the widget's rating control, as they sent it: csat checks
    that the survey is of their own chat and records it (on the timeline, live to the
    agents); the survey message's new state reaches the visitor's other tabs. Returns
    that state; AnswerRefused (nothing written) says what is wrong."""
    customer_id = _customer_id(visitor_id)
    if customer_id is None:
        raise AnswerRefused("not_found", "There is no such survey for you.")
    with transaction.atomic():
        survey = check_answer_survey(survey_id, customer_id=customer_id, channel=CHAT_CHANNEL,
                                     rating=rating, effort=effort, comment=comment)
        message = (
            Interaction.objects.filter(conversation_id=survey.conversation_id,
                                       channel=CHAT_CHANNEL, direction=Direction.OUTBOUND,
                                       **{f"meta__{SURVEY_MESSAGE}": survey.pk})
            .select_related("author_agent")
            .first()
        )
        audience = visitor_audience(customer_id)
        if message is not None and audience is not None:
            publish(events.INTERACTION_UPDATED,
                    visitor_message_payload(message, surveys={survey.pk: survey}), audience)
    return survey_state(survey)


def do_visitor_connected(inbox: Inbox, visitor_id: str) -> None:
    now = timezone.now()
    updated = ChatVisitor.objects.filter(visitor_id=visitor_id).update(
        sockets=F("sockets") + 1, last_seen_at=now
    )
    if not updated:
        ChatVisitor.objects.update_or_create(
            visitor_id=visitor_id,
            defaults={"inbox": inbox, "last_seen_at": now},
            create_defaults={"inbox": inbox, "last_seen_at": now, "sockets": 1},
        )


def do_visitor_seen(visitor_id: str) -> None:
    ChatVisitor.objects.filter(visitor_id=visitor_id).update(last_seen_at=timezone.now())


def do_visitor_disconnected(visitor_id: str) -> None:
    ChatVisitor.objects.filter(visitor_id=visitor_id, sockets__gt=0).update(
        sockets=F("sockets") - 1, last_seen_at=timezone.now()
    )


def _customer_id(visitor_id: str) -> int | None:
    return (
        Identity.objects.filter(kind=VISITOR_IDENTITY, value=visitor_id)
        .values_list("customer_id", flat=True)
        .first()
    )


def _visitor_identity(visitor_id: str, name: str = "") -> Identity:
    identity, _ = do_get_or_create_identity(VISITOR_IDENTITY, visitor_id, name=name)
    return identity


@dataclass(frozen=True)
class ContactResult:
    email: str
    # False: the address belongs to another customer; the visitor stays apart from them
    # (agents see "claims to be …") and replies by email are not offered.
    linked: bool
    phone: str = ""


def do_claim_contact(
    visitor_id: str, *, email: str = "", name: str = "", phone: str = ""
) -> ContactResult:
    """What the visitor typed into the pre-chat or offline form. Unverified: an email or
    phone links to the visitor's customer only if nobody has it yet; else it is kept as
    a claim (`attributes.chat_claimed_email` / `chat_claimed_phone`) and the visitor
    stays apart from its owner. Raises InvalidIdentity."""
    email = normalize_email(email) if email.strip() else ""
    phone = normalize_phone(phone) if phone.strip() else ""
    linked = True
    with transaction.atomic():
        identity = _visitor_identity(visitor_id, name)
        customer = Customer.objects.select_for_update(no_key=True).get(pk=identity.customer_id)
        if name and not customer.name:
            customer.name = name[:200]
            customer.save(update_fields=["name", "updated_at"])
        for kind, value, claim in ((IdentityKind.EMAIL, email, CLAIMED_EMAIL),
                                   (IdentityKind.PHONE, phone, CLAIMED_PHONE)):
            if not value:
                continue
            try:
                do_add_identity(customer, kind, value, verified=False)
            except IdentityTaken:
                customer.attributes = {**customer.attributes, claim: value}
                customer.save(update_fields=["attributes", "updated_at"])
                linked = linked and kind != IdentityKind.EMAIL
    return ContactResult(email, linked=linked, phone=phone)


class VisitorIsSomeoneElse(Exception):
    """The browser's visitor was signed in as another user before (a shared computer):
    the caller starts a new visitor instead of merging two people."""


def do_identify_visitor(visitor_id: str, *, identifier: str, name: str = "") -> Customer:
    """The host site vouched (HMAC checked by the caller) that this visitor is its user
    `identifier` (an email address or the site's own user id): the visitor joins that
    customer, verified, bringing any chat they had before signing in. Raises
    VisitorIsSomeoneElse when the visitor was verified as another user."""
    identifier = identifier.strip()
    try:
        kind, value = IdentityKind.EMAIL, normalize_email(identifier)
    except InvalidIdentity:
        kind, value = IdentityKind.EXTERNAL, normalize_opaque(identifier, "external")
    with transaction.atomic():
        known = Identity.objects.select_related("customer").filter(kind=kind, value=value).first()
        visitor = Identity.objects.select_related("customer").filter(
            kind=VISITOR_IDENTITY, value=visitor_id
        ).first()
        if visitor is not None and _verified_as_other(visitor.customer_id, kind, value):
            raise VisitorIsSomeoneElse(visitor_id)
        if known is None and visitor is None:
            identity, _ = do_get_or_create_identity(kind, value, name=name)
            do_add_identity(identity.customer, VISITOR_IDENTITY, visitor_id)
            return identity.customer
        if known is None:
            assert visitor is not None
            do_add_identity(visitor.customer, kind, value)
            return visitor.customer
        if visitor is None:
            do_add_identity(known.customer, VISITOR_IDENTITY, visitor_id)
        elif visitor.customer_id != known.customer_id:
            do_merge_customers(target=known.customer, source=visitor.customer, by=None)
        if not known.verified:
            Identity.objects.filter(pk=known.pk).update(verified=True)
        return known.customer


def _verified_as_other(customer_id: int, kind: str, value: str) -> bool:
    return (
        Identity.objects.filter(customer_id=customer_id, verified=True,
                                kind__in=[IdentityKind.EMAIL, IdentityKind.EXTERNAL])
        .exclude(kind=kind, value=value)
        .exists()
    )


def do_request_transcript(visitor_id: str) -> str | None:
    """The visitor asked for their chat by email: queued for the address on their
    customer record (verified first). None when there is no address."""
    from channels_chat.tasks import send_transcript_task
    from jobs.outbox import enqueue_job

    customer_id = _customer_id(visitor_id)
    if customer_id is None:
        return None
    email = (
        Identity.objects.filter(customer_id=customer_id, kind=IdentityKind.EMAIL)
        .order_by("-verified", "id").values_list("value", flat=True).first()
    )
    if email is None:
        return None
    with transaction.atomic():
        enqueue_job(send_transcript_task, visitor_id, email)
    return email


def do_visitor_read_article(visitor_id: str, slug: str) -> Interaction | None:
    """The visitor opened a help article from the widget: on their customer's timeline
    (helpcenter's action). Before their first message they have no conversation yet:
    the read is kept and recorded, at its time, when the message arrives."""
    from helpcenter.actions import do_record_article_view
    from helpcenter.models import Article, ArticleStatus

    article = Article.objects.filter(slug=slug, status=ArticleStatus.PUBLISHED).first()
    if article is None:
        return None
    customer_id = _customer_id(visitor_id)
    if customer_id is None or not Conversation.objects.filter(customer_id=customer_id).exists():
        with transaction.atomic():
            row = ChatVisitor.objects.select_for_update().filter(visitor_id=visitor_id).first()
            if row is not None and len(row.articles_read) < MAX_KEPT_READS:
                row.articles_read = [*row.articles_read, [slug, timezone.now().isoformat()]]
                row.save(update_fields=["articles_read"])
        return None
    return do_record_article_view(customer_id, article)


def _record_kept_reads(visitor_id: str, customer_id: int) -> None:
    """The reads kept before the visitor had a conversation (inside the caller's
    transaction, after their first message is recorded)."""
    from helpcenter.actions import do_record_article_view
    from helpcenter.models import Article, ArticleStatus

    row = ChatVisitor.objects.select_for_update().filter(visitor_id=visitor_id).first()
    if row is None or not row.articles_read:
        return
    articles = {a.slug: a for a in Article.objects.filter(
        slug__in=[slug for slug, _ in row.articles_read], status=ArticleStatus.PUBLISHED)}
    for slug, at in row.articles_read:
        if slug in articles:
            do_record_article_view(customer_id, articles[slug],
                                   at=datetime.fromisoformat(at))
    row.articles_read = []
    row.save(update_fields=["articles_read"])


def _now() -> str:
    return timezone.now().isoformat()
