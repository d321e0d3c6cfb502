"""The chat inbox's config and the snippet the API shows."""

from __future__ import annotations

import pytest
from django.conf import settings

from conversations.models import Inbox
from tests.conftest import api_client_for

pytestmark = pytest.mark.django_db


def test_the_inbox_list_shows_the_chat_snippet(admin_user, chat_inbox, email_inbox):
    response = api_client_for(admin_user).get("/api/v1/inboxes/")
    assert response.status_code == 200
    codes = {row["kind"]: row["embed_code"] for row in response.json()["results"]}
    assert codes["chat"] == (
        f'<script src="{settings.PUBLIC_URL}/chat/widget.js" data-widget="web-chat" '
        "async></script>"
    )
    assert codes["email"] == ""


def test_a_new_chat_inbox_gets_a_widget_key_and_checks_its_origins(admin_user):
    client = api_client_for(admin_user)
    created = client.post("/api/v1/inboxes/", {
        "kind": "chat", "name": "Shop chat", "slug": "shop-chat",
        "config": {"allowed_origins": ["https://Shop.example/any/path"]},
    }, format="json")
    assert created.status_code == 201, created.json()
    config = Inbox.objects.get(slug="shop-chat").config
    assert config["allowed_origins"] == ["https://shop.example"]
    assert len(config["widget_key"]) == 16
    assert f'data-widget="{config["widget_key"]}"' in created.json()["embed_code"]
    refused = client.post("/api/v1/inboxes/", {
        "kind": "chat", "name": "Bad", "slug": "bad", "config": {"allowed_origins": ["shop"]},
    }, format="json")
    assert refused.status_code == 400
    assert "not an origin" in str(refused.json())


def test_the_inbox_admin_page_shows_the_snippet(django_user_model, chat_inbox):
    from django.test import Client

    client = Client()
    client.force_login(django_user_model.objects.create_superuser("root", "r@example.test",
                                                                  "pw-root-123"))
    page = client.get(f"/admin/conversations/inbox/{chat_inbox.pk}/change/")
    assert page.status_code == 200
    assert (f'&lt;script src=&quot;{settings.PUBLIC_URL}/chat/widget.js&quot; '
            'data-widget=&quot;web-chat&quot; async&gt;&lt;/script&gt;') in page.content.decode()
