"""The navigation shows each person only the sections they may open, and only those
whose page exists."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from agents.models import Role
from tests.conftest import make_user
from ui.navigation import sections_for


def nav_labels(client: Client, path: str = "/") -> list[str]:
    html = client.get(path).content.decode()
    nav = html.split('aria-label="Main"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'<span class="nav-label">([^<]+)</span>', nav.split('class="nav-extras"')[0])


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.urls("tests.ui.urls_with_consoles")
def test_each_role_sees_its_sections(agent_a, lead, admin_user):
    assert nav_labels(signed_in(agent_a)) == ["Inbox"]
    assert nav_labels(signed_in(lead)) == ["Inbox", "Queues", "Reports"]
    assert nav_labels(signed_in(admin_user)) == ["Inbox", "Queues", "Reports", "Settings", "Admin"]


def test_every_section_exists_now(lead, admin_user):
    assert nav_labels(signed_in(lead)) == ["Inbox", "Queues", "Reports"]
    assert nav_labels(signed_in(admin_user)) == ["Inbox", "Queues", "Reports", "Settings",
                                                 "Admin"]


@pytest.mark.urls("tests.ui.urls_without_queues")
def test_sections_whose_page_does_not_exist_are_left_out(lead, admin_user):
    assert nav_labels(signed_in(lead)) == ["Inbox", "Reports"]
    assert nav_labels(signed_in(admin_user)) == ["Inbox", "Reports", "Settings", "Admin"]


def test_a_user_who_is_not_an_agent_sees_no_sections(outsider):
    assert sections_for(None, "/") == []
    html = signed_in(outsider).get("/").content.decode()
    assert 'class="nav-link"' not in html


@pytest.mark.urls("tests.ui.urls_with_consoles")
def test_the_open_section_is_marked_current(db):
    admin = make_user("boss", Role.ADMIN)
    from agents.access import agent_for

    agent = agent_for(admin)
    current = {item.label: item.current for item in sections_for(agent, "/reports/weekly/")}
    assert current == {"Inbox": False, "Queues": False, "Reports": True, "Settings": False,
                       "Admin": False}
    inbox = {item.label: item.current for item in sections_for(agent, "/conversations/7/")}
    assert inbox["Inbox"] is True
    html = signed_in(admin).get("/").content.decode()
    assert re.search(r'href="/"[^>]*aria-current="page"', html)


def test_the_shell_has_its_landmarks_and_skip_link(agent_a):
    html = signed_in(agent_a).get("/").content.decode()
    assert '<a class="skip-link" href="#main">Skip to content</a>' in html
    assert '<header class="app-header">' in html
    assert '<nav class="app-sidebar" id="app-sidebar" aria-label="Main">' in html
    # the inbox's conversation pane is the page's main landmark
    assert re.search(r'<main class="pane pane-main" id="main" tabindex="-1"', html)
    # CSP-friendly: no inline scripts or style attributes in the shell
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert " style=" not in html
