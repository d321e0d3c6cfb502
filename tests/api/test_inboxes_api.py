"""Inboxes through the API: readable by agents without secrets or token, configured by
admins only, config validated for the kind."""

from __future__ import annotations

import pytest

from conversations.models import Inbox

pytestmark = pytest.mark.django_db

FIELDS = {"id", "kind", "name", "slug", "address", "team", "is_active", "config",
          "webhook_urls", "embed_code", "created_at"}


def test_agents_list_inboxes_without_secrets_or_token(twilio_inbox, api_inbox, client_for,
                                                      agent_b):
    response = client_for(agent_b).get("/api/v1/inboxes/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["slug"] for r in rows] == ["shop", "support-line"]
    assert all(set(r) == FIELDS for r in rows)
    assert twilio_inbox.secrets["auth_token"] not in response.content.decode()
    assert twilio_inbox.token not in response.content.decode()


def test_admin_creates_an_api_inbox_with_validated_config(client_for, admin_user, team_a):
    response = client_for(admin_user).post("/api/v1/inboxes/", {
        "kind": "api", "name": "Shop", "slug": "shop-2", "team": team_a.pk,
        "config": {"outbound_url": " https://shop.example/omnidesk "},
        "secrets": {"note": "kept"},
    }, format="json")
    assert response.status_code == 201, response.content
    assert set(response.json()) == FIELDS
    inbox = Inbox.objects.get(slug="shop-2")
    assert inbox.config == {"outbound_url": "https://shop.example/omnidesk"}
    assert inbox.secrets == {"note": "kept"}
    assert inbox.team_id == team_a.pk and len(inbox.token) >= 32


@pytest.mark.parametrize("url", ["ftp://shop.example/x", "not a url", 42])
def test_bad_outbound_url_is_a_400_with_the_reason(url, client_for, admin_user):
    response = client_for(admin_user).post("/api/v1/inboxes/", {
        "kind": "api", "name": "Shop", "slug": "shop-3", "config": {"outbound_url": url}},
        format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["config"]
    assert "outbound_url must be" in response.json()["config"][0]
    assert not Inbox.objects.filter(slug="shop-3").exists()


def test_admin_updates_and_deactivates(api_inbox, client_for, admin_user):
    client = client_for(admin_user)
    url = f"/api/v1/inboxes/{api_inbox.pk}/"
    changed = client.patch(url, {"name": "Shop backend", "secrets": {"k": "v"}}, format="json")
    assert changed.status_code == 200
    assert changed.json()["name"] == "Shop backend" and "secrets" not in changed.json()
    kind = client.patch(url, {"kind": "email"}, format="json")
    assert kind.json() == {"kind": ["The kind of an inbox cannot change."]}
    bad = client.patch(url, {"config": {"outbound_url": "gopher://x"}}, format="json")
    assert bad.status_code == 400
    assert client.delete(url).status_code == 204
    api_inbox.refresh_from_db()
    assert (api_inbox.name, api_inbox.secrets, api_inbox.kind, api_inbox.is_active,
            api_inbox.config) == ("Shop backend", {"k": "v"}, "api", False, {})


def test_rotate_token_shows_the_new_token_once(api_inbox, client_for, admin_user):
    old = api_inbox.token
    response = client_for(admin_user).post(f"/api/v1/inboxes/{api_inbox.pk}/rotate-token/")
    assert response.status_code == 200
    api_inbox.refresh_from_db()
    assert response.json() == {"token": api_inbox.token}
    assert api_inbox.token != old


@pytest.mark.parametrize("persona", ["agent_a", "lead"])
def test_only_admins_change_inboxes(persona, api_inbox, client_for, request):
    client = client_for(request.getfixturevalue(persona))
    url = f"/api/v1/inboxes/{api_inbox.pk}/"
    assert client.patch(url, {"name": "Mine"}, format="json").status_code == 403
    assert client.delete(url).status_code == 403
    assert client.post(f"{url}rotate-token/").status_code == 403
    created = client.post("/api/v1/inboxes/", {"kind": "api", "name": "X", "slug": "x"},
                          format="json")
    assert created.status_code == 403
    assert created.json() == {"detail": "Only admins may change this."}
    api_inbox.refresh_from_db()
    assert (api_inbox.name, api_inbox.is_active) == ("Shop events", True)


def test_teams_and_agents_directory(client_for, agent_a, agent_b, team_a, team_b):
    client = client_for(agent_a)
    assert [t["name"] for t in client.get("/api/v1/teams/").json()["results"]] == [
        "Team A", "Team B"]
    agents = client.get("/api/v1/agents/").json()["results"]
    assert [(a["id"], a["username"], a["role"], a["teams"]) for a in agents] == [
        (agent_a.pk, "agent_a", "agent", [team_a.pk]),
        (agent_b.pk, "agent_b", "agent", [team_b.pk]),
    ]
    assert client.get(f"/api/v1/agents/{agent_b.pk}/").json()["username"] == "agent_b"


def test_each_inbox_lists_the_urls_its_provider_must_call(twilio_inbox, api_inbox, email_inbox,
                                                          client_for, admin_user):
    rows = client_for(admin_user).get("/api/v1/inboxes/").json()["results"]
    urls = {row["slug"]: [(u["purpose"], u["url"]) for u in row["webhook_urls"]] for row in rows}

    assert urls["support-line"] == [
        ("A message comes in (SMS, MMS, WhatsApp)", "http://testserver/webhooks/twilio/messaging/"),
        ("Message status callback", "http://testserver/webhooks/twilio/messaging/status/"),
        ("A call comes in", "http://testserver/webhooks/twilio/voice/"),
        ("Call status changes", "http://testserver/webhooks/twilio/voice/status/"),
    ]
    assert urls["shop"] == [("Push messages (POST, Authorization: Bearer <inbox token>)",
                             "http://testserver/api/v1/inbound/")]
    assert [url for _, url in urls["support-mail"]] == [
        "http://testserver/anymail/<esp>/inbound/", "http://testserver/anymail/<esp>/tracking/"]
