"""Twilio's messaging webhooks: incoming SMS / MMS / WhatsApp, and status callbacks of
what we sent. Verify (twilio_webhook), parse, hand over; answer fast."""

from __future__ import annotations

import logging
import re

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from twilio.twiml.messaging_response import MessagingResponse

from channels_sms.actions import do_accept_message, do_record_message
from channels_sms.conf import SMS, WHATSAPP
from channels_sms.parse import InvalidMessage, parse_message
from channels_sms.senders import inbox_for_address, inbox_for_messaging_service
from conversations.actions.delivery import do_mark_sent, do_update_delivery
from conversations.models import Direction, Inbox, Interaction, Status
from conversations.transports import ProviderResult
from spool import conf as spool_conf
from twilio_common.errors import explain_error
from twilio_common.signature import twilio_webhook

logger = logging.getLogger(__name__)

# Twilio's MessageStatus -> ours. "undelivered" (the carrier gave up) is a failure to
# the agent; the exact word stays in meta and the ErrorCode in the error.
STATUSES: dict[str, str] = {
    "accepted": Status.QUEUED,
    "scheduled": Status.QUEUED,
    "queued": Status.QUEUED,
    "sending": Status.SENDING,
    "sent": Status.SENT,
    "delivered": Status.DELIVERED,
    "partially_delivered": Status.DELIVERED,
    "read": Status.READ,
    "undelivered": Status.FAILED,
    "failed": Status.FAILED,
    "canceled": Status.FAILED,
}
FAILURE_WITHOUT_CODE = {
    "undelivered": "The carrier could not deliver the message.",
    "failed": "Twilio could not send the message.",
    "canceled": "The message was canceled before it was sent.",
}


def _params(request: HttpRequest) -> dict[str, str]:
    # A signed request can still carry NUL characters (%00), which PostgreSQL refuses in
    # text and JSON: drop them once here, after the signature check saw the real bytes.
    return {
        key.replace("\x00", ""): request.POST.get(key, "").replace("\x00", "")
        for key in request.POST
    }


def _inbox_for_message(request: HttpRequest) -> Inbox | None:
    # A Messaging Service's pool may hold numbers no inbox names; the service does.
    return inbox_for_address(request.POST.get("To", "")) or inbox_for_messaging_service(
        request.POST.get("MessagingServiceSid", "")
    )


def _inbox_for_status(request: HttpRequest) -> Inbox | None:
    # With a Messaging Service, From is whichever number of its pool Twilio chose.
    return inbox_for_address(request.POST.get("From", "")) or inbox_for_messaging_service(
        request.POST.get("MessagingServiceSid", "")
    )


@twilio_webhook(_inbox_for_message)
def inbound_message(request: HttpRequest, inbox: Inbox) -> HttpResponse:
    params = _params(request)
    try:
        parsed = parse_message(inbox, params)
    except InvalidMessage as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain")
    if spool_conf.enabled():
        do_accept_message(parsed, params)  # recorded by the spool's drain, in batches
    else:
        do_record_message(parsed)
    # An empty <Response/>: no automatic reply; agents answer from the inbox.
    return HttpResponse(str(MessagingResponse()), content_type="text/xml")


@twilio_webhook(_inbox_for_status)
def message_status(request: HttpRequest, inbox: Inbox) -> HttpResponse:
    params = _params(request)
    sid = params.get("MessageSid") or params.get("SmsSid") or ""
    twilio_status = (params.get("MessageStatus") or params.get("SmsStatus") or "").lower()
    status = STATUSES.get(twilio_status)
    if not sid or status is None:
        return HttpResponse(status=204)
    error, meta = _error_and_meta(params, twilio_status)
    interaction = do_update_delivery(inbox, sid, status, error=error, meta=meta)
    if interaction is None and _attach_provider_id(request, inbox, sid):
        interaction = do_update_delivery(inbox, sid, status, error=error, meta=meta)
    if interaction is None:
        logger.info("status %s for unknown message %s on inbox %s", twilio_status, sid, inbox.pk)
    return HttpResponse(status=204)


def _error_and_meta(params: dict[str, str], twilio_status: str) -> tuple[str, dict[str, str]]:
    code = params.get("ErrorCode", "").strip()
    meta: dict[str, str] = {}
    if code:
        meta["twilio_error_code"] = code
    if twilio_status in FAILURE_WITHOUT_CODE:
        meta["twilio_status"] = twilio_status
    if twilio_status not in FAILURE_WITHOUT_CODE:
        # A code beside a successful status is a warning; the message still went out.
        return "", meta
    if code:
        return explain_error(code, params.get("ErrorMessage", "")), meta
    return FAILURE_WITHOUT_CODE[twilio_status], meta


def _attach_provider_id(request: HttpRequest, inbox: Inbox, sid: str) -> bool:
    """A callback can arrive before the worker recorded the Message SID Twilio returned.
    The interaction id we put in the StatusCallback URL (signed by Twilio with the rest)
    names the message; give it the SID now so this and later callbacks apply."""
    interaction_id = request.GET.get("interaction", "")
    # ASCII digits only ("²".isdigit() is True), and within a bigint.
    if not re.fullmatch(r"[0-9]{1,18}", interaction_id):
        return False
    pending = Interaction.objects.filter(
        pk=int(interaction_id),
        inbox=inbox,
        direction=Direction.OUTBOUND,
        channel__in=[SMS, WHATSAPP],
        provider_id__isnull=True,
    ).exists()
    if not pending:
        return False
    do_mark_sent(int(interaction_id), ProviderResult(provider_id=sid, status=Status.SENDING))
    return True
