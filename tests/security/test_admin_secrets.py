"""The admin never shows an inbox's secrets (issue 7: "Admin shows inbox secrets in
clear"): the Twilio auth token and the API inbox token are write-only there, as in the
API."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from conversations.models import Inbox

pytestmark = pytest.mark.django_db

AUTH_TOKEN = "12345678901234567890123456789012"  # tests/conftest.py's twilio_inbox


@pytest.fixture
def admin_client(django_user_model) -> Client:
    client = Client()
    client.force_login(django_user_model.objects.create_superuser("root", "r@x.test", "pw"))
    return client


def change_url(inbox: Inbox) -> str:
    return f"/admin/conversations/inbox/{inbox.pk}/change/"


def form(inbox: Inbox, **overrides: str) -> dict[str, str]:
    data = {
        "kind": inbox.kind, "name": inbox.name, "slug": inbox.slug, "address": inbox.address,
        "team": str(inbox.team_id or ""), "config": '{"account_sid": "AC' + "0" * 32 + '"}',
        "is_active": "on", "new_secrets": "",
    }
    data.update(overrides)
    return data


def test_the_change_page_shows_no_secret(admin_client, twilio_inbox, api_inbox):
    for inbox in (twilio_inbox, api_inbox):
        page = admin_client.get(change_url(inbox)).content.decode()
        assert inbox.token not in page
        assert AUTH_TOKEN not in page
    page = admin_client.get(change_url(twilio_inbox)).content.decode()
    assert "auth_token (values hidden)" in page
    assert re.search(r'<input type="password" name="new_secrets"[^>]*>', page)
    listing = admin_client.get("/admin/conversations/inbox/").content.decode()
    assert AUTH_TOKEN not in listing and api_inbox.token not in listing


def test_a_blank_secret_field_keeps_the_stored_secrets(admin_client, twilio_inbox):
    response = admin_client.post(change_url(twilio_inbox), form(twilio_inbox, name="Renamed"))
    assert response.status_code == 302, response.content.decode()[:2000]
    twilio_inbox.refresh_from_db()
    assert (twilio_inbox.name, twilio_inbox.secrets) == ("Renamed", {"auth_token": AUTH_TOKEN})


def test_named_secrets_are_set_and_null_removes_one(admin_client, twilio_inbox):
    Inbox.objects.filter(pk=twilio_inbox.pk).update(
        secrets={"auth_token": AUTH_TOKEN, "api_key_secret": "old"})
    response = admin_client.post(change_url(twilio_inbox), form(
        twilio_inbox, new_secrets='{"auth_token": "new-token", "api_key_secret": null}'))
    assert response.status_code == 302
    twilio_inbox.refresh_from_db()
    assert twilio_inbox.secrets == {"auth_token": "new-token"}


def test_a_refused_form_does_not_echo_the_typed_secret(admin_client, twilio_inbox):
    response = admin_client.post(change_url(twilio_inbox), form(
        twilio_inbox, slug="", new_secrets='{"auth_token": "typed-secret-value"}'))
    assert response.status_code == 200
    assert "typed-secret-value" not in response.content.decode()
    twilio_inbox.refresh_from_db()
    assert twilio_inbox.secrets == {"auth_token": AUTH_TOKEN}
    bad = admin_client.post(change_url(twilio_inbox), form(twilio_inbox, new_secrets='["x"]'))
    assert bad.status_code == 200
    assert "Enter a JSON object of names and text values" in bad.content.decode()


def test_rotating_the_token_shows_the_new_one_once(admin_client, api_inbox):
    old = api_inbox.token
    response = admin_client.post("/admin/conversations/inbox/", {
        "action": "rotate_token", "_selected_action": [str(api_inbox.pk)]}, follow=True)
    api_inbox.refresh_from_db()
    assert api_inbox.token != old
    assert f"new token {api_inbox.token}" in response.content.decode()
    assert api_inbox.token not in admin_client.get(change_url(api_inbox)).content.decode()


def test_api_tokens_are_never_shown_but_once_when_made(admin_client, agent_a, agent_b):
    from rest_framework.authtoken.models import Token

    key = Token.objects.create(user=agent_a).key
    listing = admin_client.get("/admin/authtoken/tokenproxy/").content.decode()
    assert key not in listing
    assert f"{key[:4]}… (hidden)" in listing
    change = admin_client.get(f"/admin/authtoken/tokenproxy/{agent_a.pk}/change/")
    assert change.status_code == 403
    delete_url = f"/admin/authtoken/tokenproxy/{agent_a.pk}/delete/"
    assert delete_url in listing
    confirm = admin_client.get(delete_url).content.decode()
    assert key not in confirm and f"{key[:4]}… (hidden) of agent_a" in confirm
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not Token.objects.filter(user=agent_a).exists()

    made = admin_client.post("/admin/authtoken/tokenproxy/add/", {"user": agent_b.pk},
                             follow=True)
    new_key = Token.objects.get(user=agent_b).key
    assert made.content.decode().count(new_key) == 1
    assert new_key not in admin_client.get("/admin/authtoken/tokenproxy/").content.decode()
