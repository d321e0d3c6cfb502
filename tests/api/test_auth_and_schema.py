"""Token authentication (drf_create_token) and a clean OpenAPI schema."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_drf_create_token_gives_a_working_api_token(agent_a, conversation_a):
    out = StringIO()
    call_command("drf_create_token", "agent_a", stdout=out)
    key = Token.objects.get(user=agent_a).key
    assert key in out.getvalue()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get("/api/v1/conversations/")
    assert response.status_code == 200
    assert [c["id"] for c in response.json()["results"]] == [conversation_a.pk]
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/conversations/").status_code == 401


def test_session_authentication_works_too(agent_a, conversation_a, session_client):
    response = session_client(agent_a).get(f"/api/v1/conversations/{conversation_a.pk}/")
    assert response.status_code == 200
    assert response.json()["customer"]["name"] == "Ana Lima"


def test_openapi_schema_validates_without_warnings(tmp_path: Path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    paths = set(schema["paths"])
    assert {
        "/api/v1/customers/", "/api/v1/customers/{id}/timeline/",
        "/api/v1/customers/{id}/identities/{identity_id}/", "/api/v1/customers/{id}/merge/",
        "/api/v1/conversations/", "/api/v1/conversations/{id}/replies/",
        "/api/v1/conversations/{id}/notes/", "/api/v1/interactions/{id}/",
        "/api/v1/inboxes/{id}/rotate-token/", "/api/v1/teams/", "/api/v1/agents/",
        "/api/v1/inbound/",
    } <= paths
    inbox = schema["components"]["schemas"]["Inbox"]["properties"]
    assert "token" not in inbox and inbox["secrets"]["writeOnly"] is True


def test_schema_and_docs_are_served(agent_a, client_for):
    client = client_for(agent_a)
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    # Swagger UI is served from our static files: no CDN for a self-hosted install.
    assert b"/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in docs.content
    assert b"cdn.jsdelivr" not in docs.content
