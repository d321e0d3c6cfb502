"""Security headers and the API's schema (issue 7): a Content-Security-Policy on every
page, HSTS and an https redirect when PUBLIC_URL is https, `/api/schema/` and
`/api/docs/` for signed-in agents only, and `check --deploy` clean with the production
settings the README documents."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings
from rest_framework.test import APIClient

ROOT = Path(__file__).resolve().parents[2]
# Left out of the subprocesses' environment: the test settings' own, and anything a
# developer's shell may carry that production would not.
NOT_PRODUCTION = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "OMNIDESK_EMBEDDED_WORKER",
                  "PUBLIC_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE")


def production_env(tmp_path: Path) -> dict[str, str]:
    """README "Security": the settings a production install sets."""
    env = {k: v for k, v in os.environ.items() if k not in NOT_PRODUCTION}
    env.update(
        DJANGO_SETTINGS_MODULE="omnidesk.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        PUBLIC_URL="https://help.example.com",
        OMNIDESK_VAR_DIR=str(tmp_path / "var"),
    )
    return env


@pytest.mark.slow
def test_check_deploy_is_clean_with_the_production_settings(tmp_path):
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=production_env(tmp_path), capture_output=True, text=True, timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


HTTPS_PROBE = """
import django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="help.example.com")
plain = client.get("/accounts/login/?next=/")
print("plain", plain.status_code, plain["Location"])
secure = client.get("/accounts/login/", secure=True)
print("secure", secure.status_code, secure["Strict-Transport-Security"])
print("cookies", client.get("/accounts/login/", secure=True).cookies["csrftoken"]["secure"])
"""


@pytest.mark.slow
def test_an_https_public_url_redirects_plain_http_and_sends_hsts(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", HTTPS_PROBE], cwd=ROOT, env=production_env(tmp_path),
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "plain 301 https://help.example.com/accounts/login/?next=/",
        "secure 200 max-age=31536000; includeSubDomains",
        "cookies True",
    ]


def csp(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split("; ")}


@pytest.mark.django_db
def test_every_page_carries_a_content_security_policy(world):
    agent = world.browser("agent_a")
    staff = world.browser("admin")
    pages = [
        (Client(), "/accounts/login/"), (agent, "/"), (agent, "/api/docs/"),
        (agent, "/api/schema/"), (agent, "/api/v1/conversations/"), (staff, "/admin/"),
        (staff, "/admin/conversations/inbox/add/"), (Client(), "/api/v1/teams/"),
    ]
    for client, path in pages:
        response = client.get(path)
        assert response.status_code in (200, 401), path
        policy = csp(response)
        assert policy["default-src"] == ["'self'"], path
        assert policy["script-src"][0] == "'self'", path
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], path
        assert policy["frame-ancestors"] == ["'none'"], path
        assert policy["object-src"] == ["'none'"], path


@pytest.mark.django_db
def test_the_docs_page_runs_its_inline_code_by_nonce_only(agent_a):
    client = Client()
    client.force_login(agent_a)
    response = client.get("/api/docs/")
    policy = csp(response)
    nonce = policy["script-src"][1]
    assert re.fullmatch(r"'nonce-[A-Za-z0-9+/=]+'", nonce)
    assert policy["style-src"] == ["'self'", nonce]
    page = response.content.decode()
    value = nonce[len("'nonce-"):-1]
    tags = re.findall(r"<(script|style)([^>]*)>", page)
    inline = [(tag, attrs) for tag, attrs in tags if "src=" not in attrs]
    assert inline == [("style", f' nonce="{value}"'), ("script", f' nonce="{value}"')]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/"])
def test_schema_and_docs_are_for_signed_in_agents(path, outsider, agent_b):
    anonymous = Client().get(path)
    if path == "/api/docs/":
        assert (anonymous.status_code, anonymous["Location"]) == (
            302, "/accounts/login/?next=/api/docs/")
    else:
        assert anonymous.status_code == 401
        assert anonymous["WWW-Authenticate"] == "Token"
    not_agent = Client()
    not_agent.force_login(outsider)
    assert not_agent.get(path).status_code == 403
    agent = APIClient()
    agent.force_authenticate(agent_b)
    assert agent.get(path).status_code == 200


@pytest.mark.django_db
@override_settings(OMNIDESK_PUBLIC_API_SCHEMA=True)
@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/"])
def test_a_setting_publishes_schema_and_docs(path):
    assert Client().get(path).status_code == 200
