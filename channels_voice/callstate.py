"""Folding Twilio's voice callbacks into a call interaction's state, in any order.

Each callback is an event (kind, params) applied to a `CallState` (the interaction's
meta and text). Every rule is order-free and idempotent, so callbacks that arrive
shuffled or twice give the same result:
- the call status only moves forward, and a final status is never replaced;
- facts are keyed by Twilio's own sids (agent legs by child CallSid, recordings by
  RecordingSid), so a repeat overwrites a value with itself;
- durations and the outcome are derived from those facts after every event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from channels_voice.facts import TERMINAL, rank


@dataclass
class CallState:
    meta: dict[str, Any]
    text: str
    # Recording sids whose audio should now be fetched to storage.
    fetch: list[str] = field(default_factory=list)


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _iso(value: Any) -> str | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(str(value)).isoformat()
    except (TypeError, ValueError):
        try:
            return datetime.fromisoformat(str(value)).isoformat()
        except ValueError:
            return None


def _earliest(current: str | None, new: str | None) -> str | None:
    if not current or not new:
        return current or new
    return min(current, new, key=datetime.fromisoformat)


def _advance(current: str, new: str) -> str:
    """The status a call has after seeing `new`: forward only, final stays final."""
    if current in TERMINAL or not new:
        return current
    return new if rank(new) > rank(current) else current


def apply_status(state: CallState, params: dict[str, Any]) -> None:
    """A status callback of the call itself (the parent leg)."""
    meta = state.meta
    status = str(params.get("CallStatus", ""))
    meta["status"] = _advance(meta.get("status", ""), status)
    at = _iso(params.get("Timestamp"))
    if status in ("initiated", "ringing", "queued"):
        meta["started_at"] = _earliest(meta.get("started_at"), at)
    if status in TERMINAL and meta["status"] == status:
        # Only the callback that carries the final status speaks for how it ended.
        duration = _int(params.get("CallDuration"))
        if duration is not None:
            meta["duration_seconds"] = duration
        if at:
            meta["ended_at"] = at
        if status != "completed" and params.get("SipResponseCode"):
            meta["sip_response_code"] = str(params["SipResponseCode"])


def apply_leg(state: CallState, params: dict[str, Any]) -> None:
    """A status callback of one agent's (or the fallback number's) leg of the call."""
    sid = str(params.get("CallSid", ""))
    if not sid:
        return
    legs = state.meta.setdefault("legs", {})
    leg = legs.setdefault(sid, {"status": ""})
    for key in ("agent_id", "agent"):
        if params.get(key) not in (None, ""):
            leg[key] = params[key]
    if params.get("offer"):
        leg["offer"] = True  # a leg placed to offer a queued call (sticky)
    if params.get("To") and "to" not in leg:
        leg["to"] = str(params["To"])
    status = str(params.get("CallStatus", ""))
    leg["status"] = _advance(leg["status"], status)
    at = _iso(params.get("Timestamp"))
    if status == "in-progress" and at:
        leg["answered_at"] = _earliest(leg.get("answered_at"), at)
    if status in TERMINAL and _int(params.get("CallDuration")) is not None:
        leg["duration"] = _int(params.get("CallDuration"))


def apply_dial(state: CallState, params: dict[str, Any]) -> None:
    """The <Dial> action: how the attempt to reach agents ended (DialCallStatus)."""
    status = str(params.get("DialCallStatus", ""))
    state.meta["dial_status"] = status
    sid = str(params.get("DialCallSid", ""))
    if sid:
        apply_leg(state, {"CallSid": sid, "CallStatus": status,
                          "CallDuration": params.get("DialCallDuration")})


def apply_bridge(state: CallState, params: dict[str, Any]) -> None:
    """<Dial><Queue url> on the caller's side: this agent leg took the caller out of
    the queue. Only a bridged offer leg counts as answered (see `_answered_legs`)."""
    sid = str(params.get("DequeingCallSid", ""))
    if not sid:
        return
    apply_leg(state, {"CallSid": sid, "offer": True, "agent_id": params.get("agent_id"),
                      "agent": params.get("agent")})
    state.meta["legs"][sid]["bridged"] = True
    queue_time = _int(params.get("QueueTime"))
    if queue_time is not None:
        state.meta["queue_seconds"] = queue_time


def apply_queue(state: CallState, params: dict[str, Any]) -> None:
    """<Enqueue action>: how the caller's wait in the queue ended (QueueResult)."""
    result = str(params.get("QueueResult", ""))
    if result and state.meta.get("queue_result") != "bridged":
        state.meta["queue_result"] = result  # "bridged" is final: a repeat never undoes it
    queue_time = _int(params.get("QueueTime"))
    if queue_time is not None and "queue_seconds" not in state.meta:
        state.meta["queue_seconds"] = queue_time


def apply_recording(state: CallState, params: dict[str, Any]) -> None:
    sid = str(params.get("RecordingSid", ""))
    if not sid:
        return
    recordings = state.meta.setdefault("recordings", {})
    recording = recordings.setdefault(sid, {})
    for param, key in (("RecordingStatus", "status"), ("RecordingSource", "source"),
                       ("RecordingChannels", "channels"), ("RecordingUrl", "url")):
        if params.get(param):
            if key == "status" and recording.get("status") == "completed":
                continue  # a late "in-progress" never undoes "completed"
            recording[key] = str(params[param])
    duration = _int(params.get("RecordingDuration"))
    if duration is not None:
        recording["duration"] = duration
    if str(params.get("ErrorCode") or "0") != "0":  # Twilio sends ErrorCode=0 when all is well
        recording["error_code"] = str(params["ErrorCode"])
    if recording.get("source") == "RecordVerb":
        state.meta["voicemail"] = True
    if recording.get("status") == "completed" and not recording.get("fetch_queued"):
        # Queued once: a repeated callback must not fetch the audio twice.
        recording["fetch_queued"] = True
        state.fetch.append(sid)


def apply_transcription(state: CallState, params: dict[str, Any]) -> None:
    status = str(params.get("TranscriptionStatus", ""))
    if state.meta.get("transcription", {}).get("status") == "completed" and status != "completed":
        return  # a repeated or late callback never takes the transcript away
    state.meta["transcription"] = {
        "sid": str(params.get("TranscriptionSid", "")),
        "status": status,
        "recording_sid": str(params.get("RecordingSid", "")),
    }
    if status == "completed":
        state.text = str(params.get("TranscriptionText", ""))


def apply_voicemail(state: CallState, params: dict[str, Any]) -> None:
    """The <Record> action: the caller left a voicemail."""
    state.meta["voicemail"] = True


APPLY: dict[str, Callable[[CallState, dict[str, Any]], None]] = {
    "status": apply_status,
    "leg": apply_leg,
    "dial": apply_dial,
    "recording": apply_recording,
    "transcription": apply_transcription,
    "voicemail": apply_voicemail,
    "bridge": apply_bridge,
    "queue": apply_queue,
}


def _answered_legs(meta: dict[str, Any]) -> list[dict[str, Any]]:
    # An offer leg that answered but lost the race to the queued caller talked to no
    # one: offer legs count only once bridged. <Dial> legs count when answered.
    return [
        leg for leg in meta.get("legs", {}).values()
        if (leg.get("bridged") or not leg.get("offer")) and (
            leg.get("answered_at") or (leg.get("status") == "completed" and leg.get("duration"))
            or leg.get("status") == "in-progress" or leg.get("bridged"))
    ]


def derive(meta: dict[str, Any]) -> None:
    """Talk, wait, who answered and the outcome, from the facts gathered so far."""
    answered = _answered_legs(meta)
    talk = sum(leg.get("duration") or 0 for leg in answered)
    meta["talk_seconds"] = talk
    if meta.get("duration_seconds") is not None:
        meta["wait_seconds"] = max(0, meta["duration_seconds"] - talk)
    with_agent = sorted(
        (leg for leg in answered if leg.get("agent_id")),
        key=lambda leg: leg.get("answered_at") or "9999",
    )
    if with_agent:
        first = with_agent[0]
        meta["answered_by"] = {"id": first["agent_id"], "username": first.get("agent", "")}
        meta["answered_at"] = first.get("answered_at")
    meta["outcome"] = _outcome(meta, bool(answered))


def _outcome(meta: dict[str, Any], answered: bool) -> str:
    if meta.get("voicemail"):
        return "voicemail"
    if meta.get("callback_requested"):
        return "callback-requested"
    if answered:
        return "answered"
    status = meta.get("status", "")
    if status not in TERMINAL:
        return ""
    if status == "completed":
        return "missed"
    return status
