"""Settings → an inbox → "Send a test event": one made-up customer message, sent in
through the same door a real one uses, so the admin sees the inbox take it in.

- API inbox: a JSON push to our own /api/v1/inbound/ view, with the inbox's token as
  the Bearer token (authentication, the serializer and the pipeline all run).
- Mailbox: a generated RFC 822 message addressed to the inbox, through
  channels_email.receive.receive_raw_email (recipient resolution, noise checks,
  threading, the pipeline), as a provider's webhook or IMAP hands it over.
- Chat widget: a visitor of the widget (found by its key, as the socket finds it) gives
  a name as on the pre-chat form and writes a message through the chat action.
- Twilio number: an inbound SMS (WhatsApp for a WhatsApp-only number) webhook request
  signed as Twilio signs it (twilio's RequestValidator, the inbox's auth token) and
  posted to our own webhook view in process: the signature check runs too.

The conversation it lands in is tagged "test" and its customer is named "Test customer
(inbox test)", so nobody mistakes it for a real one. It is routed and counted like any
other: resolve it when done. Channel apps are imported when a test runs (this module
names kinds by their strings).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.utils import timezone

from conversations.actions.update import do_update_conversation
from conversations.models import Conversation, Inbox, Interaction

TEST_TAG = "test"
TEST_NAME = "Test customer (inbox test)"
TEST_TEXT = "This is a test message sent from the inbox's settings page."
# A fictional number (555-01xx is set aside for fiction) and a reserved domain.
TEST_PHONE = "+15555550123"
TEST_EMAIL = "inbox-test@example.com"
TEST_EXTERNAL_ID = "omnidesk-inbox-test"


@dataclass(frozen=True)
class InboxTestOutcome:
    ok: bool
    summary: str  # what happened, in the product's words
    conversation_id: int | None = None
    interaction_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "summary": self.summary,
                "conversation_id": self.conversation_id, "interaction_id": self.interaction_id}


@dataclass(frozen=True)
class Recorded:
    interaction: Interaction
    note: str = ""  # anything else the intake did, for the admin


class InboxTestFailed(Exception):
    """The inbox did not take the event in; the message says what happened."""


# What the button does, per kind, as the page says it.
DESCRIPTIONS = {
    "api": "Pushes a message to the inbound API with this inbox's token, as your system "
           "would.",
    "email": "Hands a generated email addressed to this mailbox to the email intake, as your "
             "provider's webhook or the IMAP fetch would.",
    "chat": "A test visitor writes a message to this widget, through the same action a "
            "visitor's browser uses.",
    "twilio": "Posts an incoming text to our Twilio webhook, signed with this number's auth "
              "token as Twilio signs it.",
}


def has_test_event(kind: str) -> bool:
    return kind in _TESTS


def describe_test_event(kind: str) -> str:
    return DESCRIPTIONS.get(kind, "")


def send_test_event(inbox: Inbox, *, by: User) -> InboxTestOutcome:
    """Send one test event into `inbox`; the outcome says what happened."""
    if not inbox.is_active:
        return InboxTestOutcome(False, "The inbox is inactive, so it takes nothing in: tick "
                                "Active and save, then send the test again.")
    test = _TESTS.get(inbox.kind)
    if test is None:
        return InboxTestOutcome(False, "This kind of inbox has no test event.")
    try:
        recorded = test(inbox)
    except InboxTestFailed as exc:
        return InboxTestOutcome(False, str(exc))
    interaction = recorded.interaction
    _mark_as_test(interaction.conversation_id, by)
    if interaction.inbox_id != inbox.pk:
        other = interaction.inbox.name if interaction.inbox is not None else "none"
        return InboxTestOutcome(
            False, f"The test message was recorded in another inbox, “{other}”: check "
            "this inbox's address.",
            interaction.conversation_id, interaction.pk)
    summary = f"Recorded in conversation #{interaction.conversation_id}. {recorded.note}"
    return InboxTestOutcome(True, summary.strip(), interaction.conversation_id, interaction.pk)


def _mark_as_test(conversation_id: int, by: User) -> None:
    conversation = Conversation.objects.get(pk=conversation_id)
    if TEST_TAG not in conversation.tags:
        do_update_conversation(conversation, by=by,
                               changes={"tags": [*conversation.tags, TEST_TAG]})


def _own_view(path: str, request: Any) -> HttpResponse:
    """Our own view at `path`, called in process with `request` as the provider's server
    would send it (no browser session, no CSRF token)."""
    response: HttpResponse = resolve(path).func(request)
    return response


def _api(inbox: Inbox) -> Recorded:
    path = reverse("api-inbound")
    body = {"sender": {"kind": "external", "value": TEST_EXTERNAL_ID, "name": TEST_NAME},
            "text": TEST_TEXT, "subject": "Inbox test",
            "provider_id": f"inbox-test-{secrets.token_hex(8)}", "meta": {"inbox_test": True}}
    request = RequestFactory().post(path, data=json.dumps(body),
                                    content_type="application/json",
                                    HTTP_AUTHORIZATION=f"Bearer {inbox.token}")
    response = _own_view(path, request)
    data = getattr(response, "data", None)
    if response.status_code != 201 or not isinstance(data, dict):
        raise InboxTestFailed(f"The inbound API answered {response.status_code}: {data}")
    return Recorded(Interaction.objects.get(pk=data["interaction"]))


def _email(inbox: Inbox) -> Recorded:
    from channels_email.receive import receive_raw_email

    if not inbox.address:
        raise InboxTestFailed("The mailbox has no address to send the test message to.")
    message = EmailMessage()
    message["From"] = f"{TEST_NAME} <{TEST_EMAIL}>"
    message["To"] = inbox.address
    message["Subject"] = "Inbox test"
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = make_msgid("inbox-test", domain="example.com")
    message.set_content(TEST_TEXT)
    outcome = receive_raw_email(message.as_bytes(), source="inbox test (settings page)")
    if outcome.result is None:
        raise InboxTestFailed(f"The email intake did not record it ({outcome.reason}).")
    note = ""
    if outcome.acknowledging:
        note = f"Its automatic answer is queued to {TEST_EMAIL} (example.com takes no mail)."
    elif outcome.noise:
        # A real message would be flagged the same way (a sender over the loop limit).
        note = f"The email intake flagged it ({outcome.noise}): {outcome.reason}."
    return Recorded(outcome.result.interaction, note)


def _chat(inbox: Inbox) -> Recorded:
    from channels_chat.actions import do_claim_contact, do_visitor_message
    from channels_chat.widget import widget_for_key, widget_key

    widget = widget_for_key(widget_key(inbox))
    if widget is None or widget.pk != inbox.pk:
        raise InboxTestFailed("No active widget answers to this inbox's key: a visitor's "
                              "browser could not connect.")
    visitor_id = f"inbox-test-{inbox.pk}"
    do_claim_contact(visitor_id, name=TEST_NAME)
    result = do_visitor_message(widget, visitor_id, client_id=secrets.token_hex(8),
                                text=TEST_TEXT)
    return Recorded(result.interaction)


def _twilio(inbox: Inbox) -> Recorded:
    from twilio.request_validator import RequestValidator

    from spool.drain import drain_waiting
    from twilio_common.inbox import account_sid_of, auth_token_of, has_capability

    token = auth_token_of(inbox)
    if not token.strip():
        raise InboxTestFailed("The number has no auth token (nor does the server, "
                              "TWILIO_AUTH_TOKEN): every request from Twilio would be refused.")
    config = inbox.config or {}
    whatsapp_only = not (has_capability(config, "sms") or has_capability(config, "mms")) and (
        has_capability(config, "whatsapp"))
    sender, to = TEST_PHONE, inbox.address
    if whatsapp_only:
        sender = f"whatsapp:{TEST_PHONE}"
        to = f"whatsapp:{config.get('whatsapp_sender') or inbox.address}"
    sid = "SM" + secrets.token_hex(16)
    params = {"MessageSid": sid, "SmsMessageSid": sid, "AccountSid": account_sid_of(inbox),
              "From": sender, "To": to, "Body": TEST_TEXT, "NumMedia": "0",
              "NumSegments": "1", "ProfileName": TEST_NAME}
    path = reverse("twilio-messaging-inbound")
    signature = RequestValidator(token).compute_signature(f"{settings.PUBLIC_URL}{path}", params)
    request = RequestFactory().post(path, data=urlencode(params),
                                    content_type="application/x-www-form-urlencoded",
                                    HTTP_X_TWILIO_SIGNATURE=signature)
    response = _own_view(path, request)
    if response.status_code != 200:
        raise InboxTestFailed(f"Our Twilio webhook answered {response.status_code}: "
                              f"{response.content.decode(errors='replace')[:200]}")
    interaction = Interaction.objects.filter(provider_id=sid).first()
    if interaction is None:
        # Spooled (spool/): recorded by the drain in a moment; here at once.
        drain_waiting(wait=5.0)
        interaction = Interaction.objects.filter(provider_id=sid).first()
    if interaction is None:
        raise InboxTestFailed("Our Twilio webhook answered 200 but recorded nothing.")
    return Recorded(interaction)


_TESTS: dict[str, Callable[[Inbox], Recorded]] = {
    "api": _api, "email": _email, "chat": _chat, "twilio": _twilio,
}
