"""The issue's attack on the email webhooks: anyone posting to /anymail/<esp>/inbound/
a spoofed From with "Re: [#N]" in the subject (which joined, reopened and wrote into
conversation N), or to /anymail/<esp>/tracking/ a bounce for our outbound message.
Refused, with nothing recorded, in the default install (a generated webhook secret),
with a wrong secret, and when the secret is removed from the settings; the same posts
with the secret do land, so the payloads are real."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from channels_email.receive import receive_raw_email
from conversations.actions.reply import do_send_reply
from conversations.actions.update import do_update_conversation
from conversations.models import Conversation, Interaction
from tests.email.helpers import compose, send_now
from tests.hostile.conftest import clear_email_cache_keys, row_counts
from tests.hostile.esp_payloads import (
    INBOUND_ESPS,
    TRACKING_ESPS,
    basic_auth,
    bounce_event,
    post_inbound,
    post_tracking,
)

pytestmark = pytest.mark.django_db

CUSTOMER = "dana.reyes@example.com"


@pytest.fixture(autouse=True)
def mail_settings(settings: Any) -> Iterator[Any]:
    settings.OMNIDESK_INBOUND_EMAIL_DOMAIN = "in.omnidesk.test"
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    clear_email_cache_keys()
    yield settings
    clear_email_cache_keys()


@pytest.fixture
def answered(email_inbox, agent_a, admin_user) -> dict[str, Any]:
    """Dana wrote, an agent's reply went out, the conversation was resolved."""
    first = receive_raw_email(
        compose(sender=CUSTOMER, subject="Order 1042 is late", message_id="<order@example.com>")
    )
    conversation = first.result.conversation
    sent = send_now(do_send_reply(conversation=conversation, author=agent_a, text="Shipped."))
    do_update_conversation(conversation, by=admin_user, changes={"status": "resolved"})
    return {"conversation": Conversation.objects.get(pk=conversation.pk), "sent": sent}


def spoof(client: Client, esp: str, conversation: Conversation, auth: dict[str, str]) -> Any:
    return post_inbound(
        client, esp, sender=CUSTOMER, subject=f"Re: [#{conversation.pk}] Order 1042 is late",
        body="Pay the refund to https://evil.example/pay instead.",
        message_id=f"<spoof-{esp}@evil.example>", auth=auth,
    )


def unchanged(answered: dict[str, Any], before: tuple[int, int, int]) -> None:
    conversation = Conversation.objects.get(pk=answered["conversation"].pk)
    assert row_counts() == before
    assert conversation.status == "resolved"
    assert conversation.last_activity_at == answered["conversation"].last_activity_at
    assert not Interaction.objects.filter(text__contains="evil.example").exists()
    answered["sent"].refresh_from_db()
    assert answered["sent"].status == "sent"


def test_the_default_install_has_a_generated_webhook_secret(settings):
    secret = settings.ANYMAIL["WEBHOOK_SECRET"]
    user, _, password = secret.partition(":")
    assert user == "omnidesk" and len(password) >= 32


@pytest.mark.parametrize("esp", INBOUND_ESPS)
@pytest.mark.parametrize("credentials", ["none", "wrong"])
def test_spoofed_inbound_without_the_secret_is_refused(esp, credentials, answered, caplog):
    auth = basic_auth("omnidesk:guessed") if credentials == "wrong" else {}
    before = row_counts()
    response = spoof(Client(), esp, answered["conversation"], auth)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic ")
    assert "ANYMAIL_WEBHOOK_SECRET" in caplog.text
    unchanged(answered, before)


@pytest.mark.parametrize("esp", TRACKING_ESPS)
@pytest.mark.parametrize("credentials", ["none", "wrong"])
def test_forged_bounce_without_the_secret_is_refused(esp, credentials, answered, caplog):
    auth = basic_auth("omnidesk:guessed") if credentials == "wrong" else {}
    before = row_counts()
    response = post_tracking(Client(), esp, bounce_event(esp, answered["sent"].pk), auth=auth)
    assert response.status_code == 401
    assert "ANYMAIL_WEBHOOK_SECRET" in caplog.text
    unchanged(answered, before)


@pytest.mark.parametrize("esp", INBOUND_ESPS)
def test_with_the_secret_removed_inbound_is_refused_and_the_log_says_why(
    esp, answered, settings, caplog
):
    settings.ANYMAIL = {}
    before = row_counts()
    with caplog.at_level(logging.ERROR, logger="channels_email.webhook_guard"):
        response = spoof(Client(), esp, answered["conversation"], {})
    assert response.status_code == 403
    assert "ANYMAIL_WEBHOOK_SECRET" in response.content.decode()
    assert [r.getMessage() for r in caplog.records if "refused" in r.getMessage()] == [
        f"{esp_name(esp)} webhook /anymail/{esp}/inbound/ refused: no ANYMAIL_WEBHOOK_SECRET "
        "is set and this view has no signature check; set ANYMAIL_WEBHOOK_SECRET "
        "(or the ESP's signing key)"
    ]
    unchanged(answered, before)


@pytest.mark.parametrize("esp", TRACKING_ESPS)
def test_with_the_secret_removed_tracking_is_refused(esp, answered, settings, caplog):
    settings.ANYMAIL = {"WEBHOOK_SECRET": None}
    before = row_counts()
    response = post_tracking(Client(), esp, bounce_event(esp, answered["sent"].pk), auth={})
    assert response.status_code == 403
    assert "ANYMAIL_WEBHOOK_SECRET" in caplog.text
    unchanged(answered, before)


@pytest.mark.parametrize("esp", INBOUND_ESPS)
def test_with_the_secret_the_same_inbound_lands(esp, answered, settings):
    auth = basic_auth(settings.ANYMAIL["WEBHOOK_SECRET"])
    response = spoof(Client(), esp, answered["conversation"], auth)
    assert response.status_code == 200
    interaction = Interaction.objects.get(provider_id=f"<spoof-{esp}@evil.example>")
    assert interaction.conversation_id == answered["conversation"].pk
    assert interaction.text == "Pay the refund to https://evil.example/pay instead."


@pytest.mark.parametrize("esp", TRACKING_ESPS)
def test_with_the_secret_the_same_bounce_lands(esp, answered, settings):
    auth = basic_auth(settings.ANYMAIL["WEBHOOK_SECRET"])
    response = post_tracking(Client(), esp, bounce_event(esp, answered["sent"].pk), auth=auth)
    assert response.status_code == 200
    answered["sent"].refresh_from_db()
    assert answered["sent"].status == "bounced"


def esp_name(esp: str) -> str:
    return {"postmark": "Postmark", "sendgrid": "SendGrid", "mailjet": "Mailjet",
            "sparkpost": "SparkPost"}[esp]
