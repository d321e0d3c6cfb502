"""What one Twilio voice request tells about a call, parsed from its form parameters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime

from django.http import QueryDict

# Call statuses in the order a call moves through them; the last five end a call and
# none of them is ever replaced (a "completed" arriving first stays "completed").
STATUS_RANK = {"queued": 0, "initiated": 1, "ringing": 2, "in-progress": 3}
TERMINAL = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})


def rank(status: str) -> int:
    return 10 if status in TERMINAL else STATUS_RANK.get(status, -1)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class CallFacts:
    call_sid: str
    status: str
    direction: str  # Twilio's: inbound, outbound-api, outbound-dial
    from_: str
    to: str
    parent_sid: str = ""
    duration: int | None = None  # CallDuration, on the final status callback only
    timestamp: datetime | None = None
    caller_name: str = ""

    @property
    def is_inbound(self) -> bool:
        return self.direction == "inbound"


def call_facts(post: QueryDict) -> CallFacts:
    return CallFacts(
        call_sid=post.get("CallSid", ""),
        status=post.get("CallStatus", ""),
        direction=post.get("Direction", ""),
        from_=post.get("From", "") or post.get("Caller", ""),
        to=post.get("To", "") or post.get("Called", ""),
        parent_sid=post.get("ParentCallSid", ""),
        duration=_int(post.get("CallDuration")),
        timestamp=_when(post.get("Timestamp")),
        caller_name=post.get("CallerName", ""),
    )


def int_param(post: QueryDict, name: str) -> int | None:
    return _int(post.get(name))


def flat_params(post: QueryDict) -> dict[str, str]:
    """The request as stored in Interaction.raw."""
    return {key: post.get(key, "") for key in post}
