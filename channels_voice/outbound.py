"""Click-to-call: an agent calls a customer, recorded as an outbound call interaction.

The customer's phone is called first (that leg's CallSid is the interaction's
provider_id, so "busy" and "no-answer" describe the customer); when they pick up,
Twilio asks our outbound step, which <Dial>s the agent who clicked, in the browser or
on their phone. The agent has just clicked, so they are there to answer at once.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from agents.access import agent_for
from channels_voice.actions import do_apply_call_event
from channels_voice.conf import VOICE
from channels_voice.errors import CallError
from channels_voice.links import hook_url
from channels_voice.transport import create_call
from conversations.access import access_conversation, visibility_filter, visible_conversations
from conversations.models import (
    Conversation,
    ConversationStatus,
    Direction,
    Inbox,
    Interaction,
    InteractionKind,
    Status,
)
from conversations.notify import notify_conversation, notify_interaction
from conversations.transports import TransportError
from customers.access import access_customer
from customers.identities import InvalidIdentity, normalize_phone
from customers.models import Customer, IdentityKind
from twilio_common.inbox import TWILIO_INBOX

CALL_EVENTS = ["initiated", "ringing", "answered", "completed"]


def _number(customer: Customer, to: str | None) -> str:
    phones = list(
        customer.identities.filter(kind=IdentityKind.PHONE)
        .order_by("-verified", "id")
        .values_list("value", flat=True)
    )
    if to:
        try:
            number = normalize_phone(to)
        except InvalidIdentity as exc:
            raise CallError(str(exc)) from exc
        # Only a number of this customer: click-to-call is no free dial pad.
        if number not in phones:
            raise CallError("That number is not one of the customer's phone numbers.")
        return number
    if not phones:
        raise CallError("The customer has no phone number to call.")
    return phones[0]


def _inbox(conversation: Conversation | None, agent_team_ids: list[int]) -> Inbox:
    inboxes = Inbox.objects.filter(kind=TWILIO_INBOX, is_active=True).order_by("id")
    if conversation is not None:
        last = conversation.last_inbound_inbox
        if last is not None and last.kind == TWILIO_INBOX and last.is_active:
            return last
        if conversation.team_id is not None:
            chosen = inboxes.filter(team_id=conversation.team_id).first()
            if chosen is not None:
                return chosen
    chosen = inboxes.filter(team_id__in=agent_team_ids).first() or inboxes.first()
    if chosen is None:
        raise CallError("No Twilio number is configured for calls.", status=409)
    return chosen


def check_click_to_call(
    user: Any, *, customer_id: int | None = None, conversation_id: int | None = None,
    to: str | None = None,
) -> Interaction:
    """Validate, then record the call (queued). Http404/NotAgent for what the user may
    not see; CallError for what cannot be called.

    A customer is called by an agent who may see one of their conversations (leads
    and admins see all): the directory is shared, the conversations are not, and a call
    starts one in the caller's sight."""
    agent = agent_for(user)
    if conversation_id is not None:
        conversation: Conversation | None = access_conversation(user, conversation_id)
        customer = conversation.customer  # type: ignore[union-attr]
    elif customer_id is not None:
        customer = access_customer(user, customer_id)
        visible = visible_conversations(user).filter(customer=customer)
        if visibility_filter(user) is not None and not visible.exists():
            raise Http404("No such customer.")
        conversation = (
            visible.exclude(status=ConversationStatus.RESOLVED).order_by("-last_activity_at")
            .first()
        )
    else:
        raise CallError("Name a customer_id or a conversation_id.")
    number = _number(customer, to)
    team_ids = list(agent.teams.values_list("id", flat=True)) if agent else []
    inbox = _inbox(conversation, team_ids)
    return do_start_outbound_call(
        user=user, customer=customer, conversation=conversation, inbox=inbox, number=number
    )


def do_start_outbound_call(
    *, user: Any, customer: Customer, conversation: Conversation | None, inbox: Inbox, number: str
) -> Interaction:
    now = timezone.now()
    with transaction.atomic():
        created = conversation is None
        if conversation is None:
            conversation = Conversation.objects.create(
                customer=customer, team_id=inbox.team_id, last_activity_at=now
            )
        else:
            conversation = Conversation.objects.select_for_update(no_key=True).get(
                pk=conversation.pk
            )
        call = Interaction.objects.create(
            conversation=conversation,
            customer=customer,
            inbox=inbox,
            channel=VOICE,
            direction=Direction.OUTBOUND,
            kind=InteractionKind.CALL,
            author_agent=user,
            status=Status.QUEUED,
            meta={
                "direction": "out",
                "from": inbox.address,
                "to": number,
                "status": "queued",
                "agent_id": user.pk,
                "agent": user.get_username(),
                "started_at": now.isoformat(),
            },
            occurred_at=now,
        )
        if VOICE not in conversation.channels:
            conversation.channels = [*conversation.channels, VOICE]
        conversation.last_activity_at = max(conversation.last_activity_at, now)
        conversation.save()
        notify_interaction(call)
        notify_conversation(conversation, created=created)
    return call


def place_call(call: Interaction) -> Interaction:
    """Ask Twilio to call the customer. Runs after the call was committed, so a status
    callback that overtakes our answer finds the interaction (by the id in its URL).
    A TransportError fails the call with its reason, then goes to the agent: the agent
    who clicked decides whether to try again, not a worker minutes later."""
    inbox = call.inbox
    assert inbox is not None
    try:
        placed = create_call(
            inbox,
            unanswered="the call may or may not have been placed",
            to=call.meta["to"],
            from_=inbox.address,
            url=hook_url("outbound", inbox, interaction=call.pk, agent=call.author_agent_id),
            method="POST",
            status_callback=hook_url("status", inbox, interaction=call.pk),
            status_callback_event=CALL_EVENTS,
            status_callback_method="POST",
        )
    except TransportError as exc:
        do_mark_call_failed(call.pk, exc.message)
        raise
    return do_mark_call_placed(call.pk, str(placed.sid), str(placed.status or "queued"))


def do_mark_call_placed(interaction_id: int, call_sid: str, status: str) -> Interaction:
    with transaction.atomic():
        call = (
            Interaction.objects.select_for_update(no_key=True)
            .select_related("conversation")
            .get(pk=interaction_id)
        )
        call.status = Status.SENT
        call.save(update_fields=["status", "updated_at"])
        notify_interaction(call, created=False)
    inbox = call.inbox
    assert inbox is not None
    updated = do_apply_call_event(
        inbox, call_sid, "status", {"CallStatus": status}, interaction_id=interaction_id
    )
    return updated or call


def do_mark_call_failed(interaction_id: int, error: str) -> None:
    with transaction.atomic():
        call = (
            Interaction.objects.select_for_update(no_key=True)
            .select_related("conversation")
            .get(pk=interaction_id)
        )
        call.status = Status.FAILED
        call.error = error[:2000]
        call.meta = {**call.meta, "status": "failed", "outcome": "failed"}
        call.save(update_fields=["status", "error", "meta", "updated_at"])
        notify_interaction(call, created=False)
