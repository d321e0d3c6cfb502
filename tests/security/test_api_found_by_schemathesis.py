"""5xx that schemathesis found, each kept as a plain reproduction."""

from __future__ import annotations

import pytest

from conversations.models import Inbox

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("field", ["secrets", "config"])
@pytest.mark.parametrize("value", [{"auth_token": "a\u0000b"}, {"a\u0000b": "x"}])
def test_inbox_json_that_postgresql_cannot_store_is_a_400(world, field, value):
    """PATCH /api/v1/inboxes/{id}/ with a NUL in `secrets` answered 500 (jsonb refuses
    \\u0000)."""
    admin = world.api("admin")
    inbox = Inbox.objects.get(pk=world.ids["inbox_a"])
    before = (inbox.config, inbox.secrets)
    response = admin.patch(f"/api/v1/inboxes/{inbox.pk}/", {field: value}, format="json")
    assert response.status_code == 400
    assert response.json() == {field: ["NUL characters cannot be stored."]}
    inbox.refresh_from_db()
    assert (inbox.config, inbox.secrets) == before
    created = admin.post("/api/v1/inboxes/", {"kind": "chat", "name": "Chat", "slug": "chat",
                                              field: value}, format="json")
    assert created.status_code == 400
    assert not Inbox.objects.filter(slug="chat").exists()
