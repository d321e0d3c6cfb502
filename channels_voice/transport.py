"""Calls out to Twilio's Voice REST API: placing a call (click-to-call, an agent's leg),
moving a live call to new TwiML (transfers), ending a leg.

Every failure is a TransportError (twilio_common.errors): temporary when Twilio could
not be reached, did not answer, or answered 429 / 5xx; permanent when it refused.
Views answer it with a 503 or a 502; tasks retry the temporary ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from conversations.models import Inbox
from twilio_common.client import twilio_client
from twilio_common.errors import twilio_errors

if TYPE_CHECKING:
    from twilio.rest.api.v2010.account.call import CallInstance


def create_call(inbox: Inbox, *, unanswered: str = "", **params: Any) -> CallInstance:
    """Place a call from the inbox's number. `unanswered` says what a lost answer
    leaves unknown ("the call may or may not have been placed")."""
    with twilio_errors(unanswered=unanswered):
        return twilio_client(inbox).calls.create(**params)


def redirect_call(inbox: Inbox, call_sid: str, twiml: str) -> None:
    """Twilio leaves what the call is doing (a <Dial>, a queue) and runs `twiml`."""
    with twilio_errors():
        twilio_client(inbox).calls(call_sid).update(twiml=twiml)


def end_call(inbox: Inbox, call_sid: str, *, answered: bool) -> None:
    """Hang up an answered call; cancel one that is still ringing (Twilio cancels only
    a call that has not answered, and completes only one that has)."""
    with twilio_errors():
        twilio_client(inbox).calls(call_sid).update(status="completed" if answered else "canceled")
