"""Workers of the voice channel: Twilio REST work a webhook must not wait for (offering
a call to agents, cancelling offers), fetching recordings, pruning stale callbacks."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import Task, shared_task
from django.utils import timezone

from channels_voice import conf
from channels_voice.actions import do_attach_recording, do_note_recording_failed
from channels_voice.legs import cancel_offer_legs, place_offer_legs
from channels_voice.models import PendingCallEvent
from channels_voice.recordings import fetch_recording
from conversations.models import Interaction
from conversations.transports import TransportError
from twilio_common.media import MediaTooLarge, next_try_in
from twilio_common.renamed_tasks import forward_old_name

logger = logging.getLogger(__name__)

MAX_REST_RETRIES = 3


@shared_task(bind=True, acks_late=True, max_retries=None)
def fetch_recording_task(self: Task, interaction_id: int, recording_sid: str) -> str:
    """Copy one recording's audio into an Attachment of the call, once. Temporary
    failures retry with back-off; a permanent one, or running out of retries, is noted
    on the recording."""
    interaction = Interaction.objects.select_related("inbox").filter(pk=interaction_id).first()
    if interaction is None or interaction.inbox is None:
        return "gone"
    recording = interaction.meta.get("recordings", {}).get(recording_sid, {})
    if recording.get("attachment_id"):
        return "skipped"
    try:
        audio = fetch_recording(interaction.inbox, recording_sid)
    except TransportError as exc:
        retries = self.request.retries or 0
        delay = next_try_in(exc, retries, max_retries=conf.RECORDING_FETCH_RETRIES,
                            first_delay=conf.RECORDING_RETRY_SECONDS, max_delay=900)
        if delay is not None:
            raise self.retry(countdown=delay) from exc
        note = f"Not kept: {exc.message}." if isinstance(exc, MediaTooLarge) else exc.message
        do_note_recording_failed(interaction_id, recording_sid, note)
        return "failed"
    do_attach_recording(interaction_id, recording_sid, audio)
    return "stored"


@shared_task
def prune_pending_call_events_task(older_than_hours: int = 48) -> int:
    """Drop callbacks that never found their call (a CallSid of another system, an
    outbound leg we did not place); a real call is recorded within seconds."""
    cutoff = timezone.now() - timedelta(hours=older_than_hours)
    deleted, _ = PendingCallEvent.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def _call(interaction_id: int) -> Interaction | None:
    return (
        Interaction.objects.select_related("inbox", "conversation")
        .filter(pk=interaction_id, inbox__isnull=False).first()
    )


def _retry_rest(task: Task, interaction_id: int, exc: TransportError) -> None:
    retries = task.request.retries or 0
    if exc.permanent or retries >= MAX_REST_RETRIES:
        logger.warning("%s for call %s gave up: %s", task.name, interaction_id, exc)
        return
    raise task.retry(countdown=2**retries) from exc


@shared_task(bind=True, acks_late=True, max_retries=MAX_REST_RETRIES)
def offer_call_task(self: Task, interaction_id: int, user_ids: list[int]) -> list[str]:
    """Ring each offered agent with a leg of their own; safe to retry (an agent rung
    already is skipped, a call no longer waiting rings nobody). A caller nobody could
    be offered to still hears the hold music, then voicemail or a callback offer."""
    call = _call(interaction_id)
    if call is None:
        return []
    try:
        return place_offer_legs(call, user_ids)
    except TransportError as exc:
        _retry_rest(self, interaction_id, exc)
        return []


@shared_task(bind=True, acks_late=True, max_retries=MAX_REST_RETRIES)
def cancel_offer_legs_task(self: Task, interaction_id: int, keep: str = "") -> list[str]:
    """Stop the offers nobody needs: another agent answered, or the caller left. Safe
    to retry: a leg that ended is not stopped again."""
    call = _call(interaction_id)
    if call is None:
        return []
    try:
        return cancel_offer_legs(call, keep)
    except TransportError as exc:
        _retry_rest(self, interaction_id, exc)
        return []


# Their names before channels_voice.voice was flattened (see twilio_common.renamed_tasks).
forward_old_name("channels_voice.voice.tasks.fetch_recording_task", fetch_recording_task)
forward_old_name("channels_voice.voice.tasks.prune_pending_call_events_task",
                 prune_pending_call_events_task)
forward_old_name("channels_voice.voice.tasks.offer_call_task", offer_call_task)
forward_old_name("channels_voice.voice.tasks.cancel_offer_legs_task", cancel_offer_legs_task)
