"""Writes for call interactions: one interaction per CallSid, completed by callbacks.

An inbound call is recorded through the one pipeline (do_record_inbound, provider_id =
CallSid), whichever request about it arrives first; the (inbox, provider_id) unique
constraint decides races. Later callbacks lock that interaction, fold into its meta
(channels_voice.callstate) and notify. A callback that cannot start the
interaction itself (a recording carries no From/To) waits as a PendingCallEvent and is
applied when the call is recorded.
"""

from __future__ import annotations

import copy
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from channels_voice.callstate import APPLY, CallState, derive
from channels_voice.conf import VOICE
from channels_voice.facts import CallFacts
from channels_voice.models import PendingCallEvent
from conversations.actions.ingest import do_record_inbound
from conversations.inbound import InboundEvent
from conversations.models import (
    Attachment,
    Direction,
    Inbox,
    Interaction,
    InteractionKind,
    Status,
)
from conversations.notify import notify_interaction
from customers.identities import InvalidIdentity, normalize_phone
from customers.models import IdentityKind
from jobs.outbox import enqueue_job

Event = tuple[str, dict[str, Any]]
CALL_TRANSFERRED = "call_transferred"  # the timeline event type


def lock_call(inbox: Inbox, call_sid: str, interaction_id: int | None = None) -> Interaction | None:
    """The call's interaction, locked. Sets `sid_attached` when this look-up gave an
    outbound interaction its CallSid."""
    found = (
        Interaction.objects.select_for_update(no_key=True)
        .select_related("conversation")
        .filter(inbox=inbox, provider_id=call_sid, kind=InteractionKind.CALL)
        .first()
    )
    if found is None and interaction_id is not None:
        # An outbound call whose CallSid is not stored yet: its callbacks name the
        # interaction in their URL (see channels_voice.outbound).
        found = (
            Interaction.objects.select_for_update(no_key=True)
            .select_related("conversation")
            .filter(pk=interaction_id, inbox=inbox, kind=InteractionKind.CALL)
            .first()
        )
        if found is not None and found.provider_id and found.provider_id != call_sid:
            return None
        if found is not None and not found.provider_id:
            found.provider_id = call_sid
            found.sid_attached = True  # type: ignore[attr-defined]
    return found


def _apply(interaction: Interaction, events: list[Event]) -> bool:
    """Fold events into the locked interaction; save and notify when anything changed."""
    state = CallState(meta=copy.deepcopy(interaction.meta), text=interaction.text)
    for kind, params in events:
        APPLY[kind](state, params)
    derive(state.meta)
    status_before = interaction.status
    if interaction.direction == Direction.OUTBOUND and state.meta.get("status") == "failed":
        interaction.status = Status.FAILED
    changed = (
        interaction.status != status_before
        or state.meta != interaction.meta
        or state.text != interaction.text
        or getattr(interaction, "sid_attached", False)
    )
    if changed:
        interaction.meta = state.meta
        interaction.text = state.text
        interaction.save()
        notify_interaction(interaction, created=False)
    _schedule_fetches(interaction, state.fetch)
    return changed


def _schedule_fetches(interaction: Interaction, recording_sids: list[str]) -> None:
    from channels_voice.tasks import fetch_recording_task

    for sid in recording_sids:
        enqueue_job(fetch_recording_task, interaction.pk, sid)


def _caller_identity(facts: CallFacts) -> tuple[str, str]:
    try:
        return IdentityKind.PHONE, normalize_phone(facts.from_)
    except InvalidIdentity:
        # A withheld or anonymous caller id still gets a customer of its own, so the
        # call (and any voicemail) is on the timeline for an agent to see.
        return IdentityKind.EXTERNAL, f"twilio-caller:{facts.call_sid}"


def is_recorded(inbox: Inbox, call_sid: str) -> bool:
    return Interaction.objects.filter(inbox=inbox, provider_id=call_sid).exists()


def do_record_inbound_call(inbox: Inbox, facts: CallFacts, raw: dict[str, str]) -> Interaction:
    """The call's interaction, recorded through the pipeline if it is new. Idempotent."""
    kind, value = _caller_identity(facts)
    started = (facts.timestamp or timezone.now()).isoformat()
    result = do_record_inbound(
        InboundEvent(
            inbox=inbox,
            channel=VOICE,
            sender_kind=kind,
            sender_value=value,
            sender_name=facts.caller_name if not facts.caller_name.startswith("+") else "",
            provider_id=facts.call_sid,
            occurred_at=facts.timestamp,
            kind=InteractionKind.CALL,
            meta={
                "direction": "in",
                "from": value if kind == IdentityKind.PHONE else facts.from_,
                "to": inbox.address,
                "status": "",
                "started_at": started,
            },
            raw=raw,
        )
    )
    if result.created:
        do_replay_pending(inbox, facts.call_sid)
    return result.interaction


def do_apply_call_event(
    inbox: Inbox,
    call_sid: str,
    kind: str,
    params: dict[str, Any],
    *,
    interaction_id: int | None = None,
) -> Interaction | None:
    """Apply one callback to the call's interaction, or keep it until the call is
    recorded. None when it was kept."""
    if kind not in APPLY:
        raise ValueError(f"unknown call event {kind!r}")
    with transaction.atomic():
        interaction = lock_call(inbox, call_sid, interaction_id)
        if interaction is None:
            PendingCallEvent.objects.create(
                inbox=inbox, call_sid=call_sid, kind=kind, params=params
            )
        else:
            _apply(interaction, [(kind, params)])
    if interaction is None:
        # The call may have been recorded between our look-up and our commit, after its
        # own replay ran: replay again so this event is not left behind.
        return do_replay_pending(inbox, call_sid)
    return interaction


def do_replay_pending(inbox: Inbox, call_sid: str) -> Interaction | None:
    with transaction.atomic():
        interaction = lock_call(inbox, call_sid)
        if interaction is None:
            return None
        pending = list(
            PendingCallEvent.objects.select_for_update(no_key=True).filter(
                inbox=inbox, call_sid=call_sid
            )
        )
        if pending:
            _apply(interaction, [(p.kind, p.params) for p in pending])
            PendingCallEvent.objects.filter(pk__in=[p.pk for p in pending]).delete()
    return interaction


def do_update_call_meta(inbox: Inbox, call_sid: str, changes: dict[str, Any]) -> Interaction | None:
    """Set plain facts our own flow decides (the team chosen in the menu, offers)."""
    with transaction.atomic():
        interaction = lock_call(inbox, call_sid)
        if interaction is None:
            return None
        merged = {**interaction.meta, **changes}
        derive(merged)
        if merged != interaction.meta:
            interaction.meta = merged
            interaction.save(update_fields=["meta", "updated_at"])
            notify_interaction(interaction, created=False)
    return interaction


def do_attach_recording(interaction_id: int, recording_sid: str, audio: bytes) -> Attachment | None:
    """Store a recording's audio as an Attachment of the call; a second run stores nothing."""
    with transaction.atomic():
        interaction = _lock_interaction(interaction_id)
        if interaction is None:
            return None
        meta = copy.deepcopy(interaction.meta)
        recording = meta.setdefault("recordings", {}).setdefault(recording_sid, {})
        if recording.get("attachment_id"):
            return Attachment.objects.filter(pk=recording["attachment_id"]).first()
        name = f"{recording_sid}.mp3"
        attachment = Attachment(
            interaction=interaction, name=name, content_type="audio/mpeg", size=len(audio)
        )
        attachment.file.save(name, ContentFile(audio), save=False)
        attachment.save()
        recording["attachment_id"] = attachment.pk
        recording.pop("error", None)
        interaction.meta = meta
        interaction.save(update_fields=["meta", "updated_at"])
        notify_interaction(interaction, created=False)
    return attachment


def do_note_recording_failed(interaction_id: int, recording_sid: str, error: str) -> None:
    with transaction.atomic():
        interaction = _lock_interaction(interaction_id)
        if interaction is None:
            return
        meta = copy.deepcopy(interaction.meta)
        meta.setdefault("recordings", {}).setdefault(recording_sid, {})["error"] = error[:500]
        interaction.meta = meta
        interaction.save(update_fields=["meta", "updated_at"])
        notify_interaction(interaction, created=False)


def do_note_transfer(inbox: Inbox, call_sid: str, transfer: dict[str, Any], text: str) -> None:
    """Add a transfer to the call's meta and the conversation's timeline."""
    from conversations.actions.timeline import record_event

    with transaction.atomic():
        call = lock_call(inbox, call_sid)
        if call is None:
            return
        call.meta = {**call.meta, "transfers": [*call.meta.get("transfers", []), transfer]}
        call.save(update_fields=["meta", "updated_at"])
        notify_interaction(call, created=False)
        record_event(
            call.conversation, CALL_TRANSFERRED, text, meta={**transfer, "call_sid": call_sid}
        )


def _lock_interaction(interaction_id: int) -> Interaction | None:
    """The call interaction, row-locked: callbacks for one call arrive concurrently."""
    return (
        Interaction.objects.select_for_update(no_key=True)
        .select_related("conversation")
        .filter(pk=interaction_id)
        .first()
    )
