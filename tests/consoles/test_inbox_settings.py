"""Inboxes set up through the form of their kind, saved by conversations.actions.inbox:
secrets write-only, config validated by the kind's validator, webhook URLs shown."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from conversations.models import Inbox

SID = "AC" + "a1" * 16
TOKEN = "f" * 32


@pytest.fixture
def admin_client(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def test_an_admin_creates_a_twilio_number_and_sees_its_webhook_urls(admin_client, team_a):
    response = admin_client.post(reverse("settings-inbox-new", args=["twilio"]), {
        "name": "Support line", "slug": "", "address": "+1 (415) 555-0100",
        "team": team_a.pk, "is_active": "on", "account_sid": SID, "auth_token": TOKEN,
        "capabilities": ["sms", "voice"], "voice_greeting": "Thanks for calling Acme.",
        "voice_voicemail": "on",
    }, follow=True)
    inbox = Inbox.objects.get()
    assert (inbox.kind, inbox.name, inbox.slug, inbox.address, inbox.team) == (
        "twilio", "Support line", "support-line", "+14155550100", team_a)
    assert inbox.config == {"account_sid": SID, "capabilities": ["sms", "voice"],
                            "voice": {"voicemail": True, "greeting": "Thanks for calling Acme."}}
    assert inbox.secrets == {"auth_token": TOKEN}
    page = response.content.decode()
    assert response.redirect_chain == [(reverse("settings-inbox", args=[inbox.pk]), 302)]
    assert f"{settings.PUBLIC_URL}{reverse('twilio-messaging-inbound')}" in page
    assert f"{settings.PUBLIC_URL}{reverse('twilio-messaging-status')}" in page
    assert TOKEN not in page  # the auth token is never shown back


def test_a_blank_auth_token_keeps_the_stored_one(admin_client, twilio_inbox):
    stored = dict(twilio_inbox.secrets)
    page = admin_client.get(reverse("settings-inbox", args=[twilio_inbox.pk])).content.decode()
    assert stored["auth_token"] not in page
    assert "Leave blank to keep it" in page
    response = admin_client.post(reverse("settings-inbox", args=[twilio_inbox.pk]), {
        "name": "Renamed line", "slug": twilio_inbox.slug, "address": twilio_inbox.address,
        "account_sid": twilio_inbox.config["account_sid"], "auth_token": "",
        "is_active": "on",
    })
    assert response.status_code == 302
    twilio_inbox.refresh_from_db()
    assert twilio_inbox.name == "Renamed line"
    assert twilio_inbox.secrets == stored
    assert twilio_inbox.is_active is True
    assert twilio_inbox.team is None  # the form's team was left empty


def test_the_kinds_validator_refuses_a_bad_account_sid(admin_client):
    response = admin_client.post(reverse("settings-inbox-new", args=["twilio"]), {
        "name": "Line", "address": "+14155550100", "account_sid": "AC123", "is_active": "on",
    })
    assert response.status_code == 400
    assert "account_sid must be AC followed by 32 hexadecimal characters." in (
        response.content.decode())
    assert not Inbox.objects.exists()


def test_a_phone_number_must_be_a_number(admin_client):
    response = admin_client.post(reverse("settings-inbox-new", args=["twilio"]), {
        "name": "Line", "address": "call us", "account_sid": SID})
    assert response.status_code == 400
    assert "international form" in response.content.decode()
    assert not Inbox.objects.exists()


def test_an_email_inbox_keeps_config_it_does_not_show(admin_client, email_inbox):
    email_inbox.config = {"aliases": [], "email_backend": "anymail.backends.test.EmailBackend",
                          "acknowledgement": {"subject": "We got it", "body": "Thanks"}}
    email_inbox.save()
    response = admin_client.post(reverse("settings-inbox", args=[email_inbox.pk]), {
        "name": email_inbox.name, "slug": email_inbox.slug, "address": "Help@Omnidesk.test",
        "aliases": "billing@omnidesk.test\nsales@omnidesk.test", "signature": "— Acme support",
        "acknowledgement_body": "Thanks, we read every message.", "is_active": "on",
    })
    assert response.status_code == 302
    email_inbox.refresh_from_db()
    assert email_inbox.address == "help@omnidesk.test"
    assert email_inbox.config == {
        "aliases": ["billing@omnidesk.test", "sales@omnidesk.test"], "from_name": "",
        "signature": "— Acme support", "email_backend": "anymail.backends.test.EmailBackend",
        "acknowledgement": {"subject": "We got it", "body": "Thanks, we read every message."},
    }


def test_an_api_inbox_shows_its_push_url_and_rotates_its_token(admin_client, team_a):
    response = admin_client.post(reverse("settings-inbox-new", args=["api"]), {
        "name": "Shop events", "team": team_a.pk, "outbound_url": "https://shop.test/hook",
        "is_active": "on"}, follow=True)
    inbox = Inbox.objects.get()
    assert inbox.config == {"outbound_url": "https://shop.test/hook"}
    page = response.content.decode()
    assert f"{settings.PUBLIC_URL}{reverse('api-inbound')}" in page
    assert inbox.token not in page
    old = inbox.token
    response = admin_client.post(reverse("settings-inbox-token", args=[inbox.pk]), follow=True)
    inbox.refresh_from_db()
    assert inbox.token != old
    assert inbox.token in response.content.decode()  # shown once, in the message


def test_every_registered_kind_has_a_new_inbox_page(admin_client):
    from conversations.channels import inbox_kind_specs

    kinds = [spec.kind for spec in inbox_kind_specs()]
    assert {"api", "chat", "email", "twilio"} <= set(kinds)  # and any a test plugs in
    for kind in kinds:
        assert admin_client.get(reverse("settings-inbox-new", args=[kind])).status_code == 200
    assert admin_client.get(reverse("settings-inbox-new", args=["fax"])).status_code == 404


def test_the_inbox_list_takes_a_fixed_number_of_queries(admin_client, django_assert_max_num_queries,
                                                         email_inbox, twilio_inbox, api_inbox):
    with django_assert_max_num_queries(8):
        response = admin_client.get(reverse("settings-inboxes"))
    page = response.content.decode()
    assert all(name in page for name in ("Support mail", "Support line", "Shop events"))
