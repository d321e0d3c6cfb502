"""Settings pages are for admins: leads, agents and outsiders get a 403 and never see the
link; signed-out people go to the sign-in page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

PAGES = ["settings-inboxes", "settings-teams", "settings-agents", "settings-canned",
         "settings-macros", "settings-team-new", "settings-canned-new", "settings-macros-new"]


@pytest.mark.parametrize("name", PAGES)
def test_only_admins_open_settings(name, admin_user, lead, agent_a, outsider):
    url = reverse(name)
    for user, status in ((admin_user, 200), (lead, 403), (agent_a, 403), (outsider, 403)):
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == status, (user.username, url)
    assert Client().get(url).status_code == 302


def test_only_admins_post_an_inbox(lead, team_a):
    client = Client()
    client.force_login(lead)
    response = client.post(reverse("settings-inbox-new", args=["api"]),
                           {"name": "Shop", "slug": "shop", "team": team_a.pk})
    assert response.status_code == 403


def test_the_settings_link_shows_for_admins_alone(admin_user, lead, agent_a):
    for user, shown in ((admin_user, True), (lead, False), (agent_a, False)):
        client = Client()
        client.force_login(user)
        page = client.get("/search/").content.decode()
        assert ('href="/settings/"' in page) is shown, user.username
