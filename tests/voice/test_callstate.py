"""Folding callbacks into a call's state gives one result whatever their order."""

from __future__ import annotations

import random

from channels_voice.callstate import APPLY, CallState, derive
from tests.voice.helpers import payload

REC = "RE3b2a1c0d9e8f7a6b5c4d3e2f1a0b9c8d"


def _fold(events):
    state = CallState(meta={}, text="")
    for kind, params in events:
        APPLY[kind](state, params)
    derive(state.meta)
    return state


def _answered_events():
    leg = {"agent_id": 7, "agent": "agent_a"}
    return [
        ("status", payload("status_ringing")),
        ("status", payload("status_in_progress")),
        ("status", payload("status_completed")),
        ("leg", {**payload("agent_leg_ringing"), **leg}),
        ("leg", {**payload("agent_leg_answered"), **leg}),
        ("leg", {**payload("agent_leg_completed"), **leg}),
        ("dial", payload("dial_completed")),
        ("recording", payload("recording_completed", RecordingSource="DialVerb")),
    ]


def test_every_order_and_repetition_gives_the_same_call():
    events = _answered_events()
    expected = _fold(events)
    assert expected.meta["status"] == "completed"
    assert (expected.meta["duration_seconds"], expected.meta["talk_seconds"],
            expected.meta["wait_seconds"]) == (124, 72, 52)
    assert expected.meta["answered_by"] == {"id": 7, "username": "agent_a"}
    assert expected.meta["ended_at"] == "2025-10-14T09:14:07+00:00"
    generator = random.Random(7)
    for _ in range(300):
        shuffled = events * generator.randint(1, 3)
        generator.shuffle(shuffled)
        state = _fold(shuffled)
        assert state.meta == expected.meta


def test_a_final_status_is_never_replaced():
    state = _fold([("status", payload("status_completed")),
                   ("status", payload("status_completed", CallStatus="busy", CallDuration="0"))])
    assert state.meta["status"] == "completed"
    assert state.meta["duration_seconds"] == 124


def test_recording_is_fetched_once_however_often_it_is_reported():
    state = CallState(meta={}, text="")
    for _ in range(3):
        APPLY["recording"](state, payload("recording_completed"))
    assert state.fetch == [REC]


def test_a_late_in_progress_recording_does_not_undo_completed():
    state = _fold([("recording", payload("recording_completed")),
                   ("recording", payload("recording_completed", RecordingStatus="in-progress"))])
    assert state.meta["recordings"][REC]["status"] == "completed"


def test_a_late_failure_does_not_undo_a_completed_transcription():
    state = _fold([("transcription", payload("transcription_completed")),
                   ("transcription", payload("transcription_completed",
                                             TranscriptionStatus="failed", TranscriptionText=""))])
    assert state.meta["transcription"]["status"] == "completed"
    assert state.text == "Hi, this is Dana about order 1042, please call me back."
