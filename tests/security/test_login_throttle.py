"""Sign-in throttling (issue 7: "60 wrong passwords, 60 wrong API tokens, no lock-out"):
failures are counted per account and per client address, on the sign-in page, the
admin's and the API's tokens; a locked-out client is told so and when to retry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

ACCOUNT_LIMIT = 5  # OMNIDESK_LOGIN_FAILURE_LIMIT's default
ADDRESS_LIMIT = 20  # OMNIDESK_LOGIN_IP_FAILURE_LIMIT's default
PAUSED = "Signing in is paused"


def sign_in(username: str, password: str, address: str = "203.0.113.7", path: str =
            "/accounts/login/") -> tuple[Client, object]:
    client = Client(REMOTE_ADDR=address)
    response = client.post(path, {"username": username, "password": password})
    return client, response


def cool_off_passes() -> None:
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))


def test_wrong_passwords_lock_the_account_and_say_so(agent_a):
    for _ in range(ACCOUNT_LIMIT - 1):
        _, response = sign_in("agent_a", "wrong")
        assert response.status_code == 200
        assert b"Please enter a correct username and password" in response.content
    _, locked = sign_in("agent_a", "wrong")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert PAUSED in page
    assert "try again in 15 minutes" in page
    assert 840 < int(locked["Retry-After"]) <= 900

    # The right password does not get in while the account is paused, from anywhere.
    _, right = sign_in("agent_a", PASSWORD, address="198.51.100.20")
    assert right.status_code == 429
    assert PAUSED in right.content.decode()

    cool_off_passes()
    client, after = sign_in("agent_a", PASSWORD)
    assert after.status_code == 302
    assert client.get("/").status_code == 200


def test_one_address_is_paused_after_failures_on_many_accounts(agent_a, agent_b, lead):
    names = [f"nobody{i}" for i in range(ADDRESS_LIMIT - 1)]
    for name in names:
        _, response = sign_in(name, "wrong")
        assert response.status_code == 200
    _, locked = sign_in("nobody-last", "wrong")
    assert locked.status_code == 429
    # Any account from that address is refused, even with its password...
    _, right = sign_in("agent_b", PASSWORD)
    assert right.status_code == 429
    # ...while the same account from another address signs in.
    _, elsewhere = sign_in("agent_b", PASSWORD, address="198.51.100.20")
    assert elsewhere.status_code == 302


def test_the_admin_sign_in_is_throttled_too(django_user_model):
    django_user_model.objects.create_superuser("root", "root@example.test", PASSWORD)
    for _ in range(ACCOUNT_LIMIT - 1):
        _, response = sign_in("root", "wrong", path="/admin/login/")
        assert response.status_code == 200
    _, locked = sign_in("root", "wrong", path="/admin/login/")
    assert locked.status_code == 429
    assert PAUSED in locked.content.decode()
    _, right = sign_in("root", PASSWORD, path="/admin/login/")
    assert right.status_code == 429


def token_client(key: str, address: str = "203.0.113.9") -> APIClient:
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_wrong_api_tokens_pause_the_address_with_a_json_answer(agent_a):
    good = Token.objects.create(user=agent_a).key
    statuses = [
        token_client(f"{i:040x}").get("/api/v1/conversations/").status_code for i in range(60)
    ]
    assert statuses == [401] * (ADDRESS_LIMIT - 1) + [429] * (60 - ADDRESS_LIMIT + 1)

    paused = token_client(good).get("/api/v1/conversations/")
    assert paused.status_code == 429
    body = paused.json()
    assert set(body) == {"detail", "retry_after"}
    assert body["detail"].startswith("Too many failed sign-in attempts.")
    assert "try again in 15 minutes" in body["detail"]
    assert 840 < body["retry_after"] <= 900
    assert paused["Retry-After"] == str(body["retry_after"])
    # Refused attempts during the pause do not extend it.
    assert AccessAttempt.objects.get().failures_since_start == ADDRESS_LIMIT

    assert token_client(good, address="198.51.100.30").get(
        "/api/v1/conversations/").status_code == 200
    cool_off_passes()
    assert token_client(good).get("/api/v1/conversations/").status_code == 200


def test_a_wrong_token_does_not_pause_an_account(agent_a):
    """A wrong token names no account: token failures never lock a user's password."""
    for i in range(ADDRESS_LIMIT - 1):
        assert token_client(f"{i:040x}").get("/api/v1/teams/").status_code == 401
    _, response = sign_in("agent_a", PASSWORD, address="198.51.100.40")
    assert response.status_code == 302


def test_test_clients_still_sign_in(agent_a, client):
    """The suite's fixtures (client.login without a request, force_login) work with the
    guard backend first in AUTHENTICATION_BACKENDS."""
    assert client.login(username="agent_a", password=PASSWORD)
    assert client.get("/").status_code == 200
    other = Client()
    other.force_login(agent_a)
    assert other.get("/api/v1/conversations/").status_code == 200
    assert not Client().login(username="agent_a", password="wrong")
