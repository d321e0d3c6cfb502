"""Twilio's failures as the core's one provider error, TransportError(permanent=...),
and Twilio's error codes in words an agent can act on.

Temporary (worth another try): Twilio answered 429 or 5xx, could not be reached, or
did not answer in time. Permanent: Twilio refused (4xx), or the library itself failed.
A caller that must not repeat a request whose answer was lost (a send: the customer
would get it twice) checks for requests.Timeout itself before asking here.

The codes come from Twilio's error dictionary (https://www.twilio.com/docs/api/errors);
these are the ones a helpdesk meets in practice. Anything else still shows its code and
the link, so nothing is hidden.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException

from conversations.transports import TransportError

ERROR_CODES: dict[str, str] = {
    # Delivery (status callbacks)
    "30001": "Queue overflow: Twilio could not send it fast enough; try again later.",
    "30002": "The Twilio account is suspended.",
    "30003": "Unreachable destination handset: the phone is off, out of coverage or "
             "cannot receive messages.",
    "30004": "Message blocked: the recipient blocked it, or their carrier or plan does not "
             "accept such messages.",
    "30005": "Unknown destination handset: the number does not exist or is no longer in "
             "service.",
    "30006": "Landline or unreachable carrier: the number cannot receive text messages.",
    "30007": "Carrier filtered: the carrier flagged the message as spam or not compliant.",
    "30008": "Unknown error from the carrier; trying again later may work.",
    "30009": "Missing segment: part of a long message was lost on the way.",
    "30010": "The message price exceeds the maximum price set for it.",
    "30034": "The sending number is not registered for US A2P 10DLC messaging.",
    # Refused by the API when sending a message or placing a call
    "21211": "Invalid 'To' number: it is not a valid phone number.",
    "21408": "Sending to this country or region is not enabled for the Twilio account.",
    "21606": "The 'From' number cannot send messages to this destination.",
    "21610": "Unsubscribed recipient: the customer replied STOP to this number; they must "
             "text START before they can receive messages again.",
    "21612": "The 'To' number cannot be reached from this sender.",
    "21614": "The 'To' number is not a mobile number, so it cannot receive text messages.",
    "21617": "The message body is longer than 1,600 characters.",
    "21620": "An attachment URL is invalid or unreachable for Twilio.",
    "21659": "The 'From' number is not a Twilio number of this account.",
    "20003": "Twilio refused the credentials: check the inbox's account SID and auth token.",
    "20429": "Too many requests to Twilio at once.",
    # WhatsApp
    "63003": "The WhatsApp 'To' address is not a WhatsApp user.",
    "63007": "The WhatsApp sender is not set up for this Twilio account.",
    "63016": "Outside WhatsApp's 24-hour window: only an approved template can be sent "
             "until the customer writes again.",
    "63018": "WhatsApp's rate limit for this sender was exceeded.",
    "63024": "Invalid WhatsApp recipient.",
    "63049": "Meta chose not to deliver this WhatsApp marketing message.",
}


def explain_error(code: str | int | None, message: str = "") -> str:
    """A sentence for the interaction's error: Twilio's code, what it means, the link."""
    code_text = str(code or "").strip()
    meaning = ERROR_CODES.get(code_text) or message.strip() or "Twilio reported an error."
    if not code_text:
        return meaning
    return f"Twilio error {code_text}: {meaning} (https://www.twilio.com/docs/errors/{code_text})"


def provider_error(exc: Exception, *, unanswered: str = "") -> TransportError:
    """`exc`, raised by the twilio library or its HTTP client, as a TransportError.
    `unanswered` completes the sentence of a timeout ("the call may or may not have
    been placed")."""
    if isinstance(exc, TwilioRestException | TwilioServiceException):
        return _refusal(exc)
    if isinstance(exc, requests.ConnectionError):  # also a connect timeout
        return TransportError(f"Could not reach Twilio: {exc}", permanent=False)
    if isinstance(exc, requests.Timeout):
        tail = f"; {unanswered}" if unanswered else ""
        return TransportError(f"Twilio did not answer in time{tail}.", permanent=False)
    if isinstance(exc, requests.RequestException):
        return TransportError(f"The request to Twilio failed: {exc}", permanent=False)
    return TransportError(f"Twilio client error: {exc}", permanent=True)


@contextmanager
def twilio_errors(*, unanswered: str = "") -> Iterator[None]:
    """Raise what the twilio library or the network raise inside as a TransportError."""
    try:
        yield
    except (TwilioException, requests.RequestException) as exc:
        raise provider_error(exc, unanswered=unanswered) from exc


def _refusal(exc: TwilioRestException | TwilioServiceException) -> TransportError:
    status = int(exc.status or 0)
    # Without a Twilio code in the body, the library repeats the HTTP status as the code.
    code = exc.code if exc.code and exc.code != status else None
    detail = exc.msg if isinstance(exc, TwilioRestException) else (exc.detail or exc.title)
    text = explain_error(code, str(detail or ""))
    if status == 429 or status >= 500:
        return TransportError(f"Twilio is unavailable (HTTP {status}): {text}", permanent=False)
    return TransportError(text, permanent=True)
