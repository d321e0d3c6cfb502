from __future__ import annotations

from datetime import timedelta

from celery import Task, shared_task
from django.utils import timezone
from twilio.base.exceptions import TwilioException

from channels_voice.models import PendingCallEvent
from channels_voice.voice.actions import do_attach_recording, do_note_recording_failed
from channels_voice.voice.legs import cancel_offer_legs, place_offer_legs
from channels_voice.voice.recordings import RecordingFetchError, fetch_recording
from conversations.models import Interaction

MAX_FETCH_RETRIES = 6
MAX_REST_RETRIES = 3


@shared_task(bind=True, acks_late=True, max_retries=MAX_FETCH_RETRIES)
def fetch_recording_task(self: Task, interaction_id: int, recording_sid: str) -> str:
    """Copy one recording's audio into an Attachment of the call, once."""
    interaction = Interaction.objects.select_related("inbox").filter(pk=interaction_id).first()
    if interaction is None or interaction.inbox is None:
        return "gone"
    recording = interaction.meta.get("recordings", {}).get(recording_sid, {})
    if recording.get("attachment_id"):
        return "skipped"
    try:
        audio = fetch_recording(interaction.inbox, recording_sid)
    except RecordingFetchError as exc:
        retries = self.request.retries or 0
        if exc.permanent or retries >= MAX_FETCH_RETRIES:
            do_note_recording_failed(interaction_id, recording_sid, exc.message)
            return "failed"
        raise self.retry(countdown=min(15 * 2**retries, 900)) from exc
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


@shared_task(bind=True, acks_late=True, max_retries=MAX_REST_RETRIES)
def offer_call_task(self: Task, interaction_id: int, user_ids: list[int]) -> list[str]:
    """Ring each offered agent with a leg of their own; safe to retry (an agent rung
    already is skipped, a call no longer waiting rings nobody)."""
    call = _call(interaction_id)
    if call is None:
        return []
    try:
        return place_offer_legs(call, user_ids)
    except TwilioException as exc:
        raise self.retry(countdown=2 ** (self.request.retries or 0)) from exc


@shared_task(bind=True, acks_late=True, max_retries=MAX_REST_RETRIES)
def cancel_offer_legs_task(self: Task, interaction_id: int, keep: str = "") -> list[str]:
    """Stop the offers nobody needs: another agent answered, or the caller left."""
    call = _call(interaction_id)
    if call is None:
        return []
    return cancel_offer_legs(call, keep)
