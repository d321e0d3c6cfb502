"""The navigation each person sees: only the sections they may open, and only those whose
page exists (a URL name that does not resolve yet is left out, so the navigation grows
as the consoles land)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse

from agents.access import agent_for
from agents.models import Agent, Role


@dataclass(frozen=True)
class Section:
    label: str
    url_names: tuple[str, ...]  # the first that resolves wins
    icon: str
    roles: frozenset[str]


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    icon: str
    current: bool


EVERYONE = frozenset({Role.AGENT.value, Role.LEAD.value, Role.ADMIN.value})
LEADS = frozenset({Role.LEAD.value, Role.ADMIN.value})
ADMINS = frozenset({Role.ADMIN.value})

SECTIONS = [
    Section("Inbox", ("inbox", "home"), "inbox", EVERYONE),
    Section("Queues", ("queues",), "layers", LEADS),
    Section("Reports", ("reports",), "chart-column", LEADS),
    Section("Settings", ("settings",), "settings", ADMINS),
    Section("Admin", ("admin:index",), "shield", ADMINS),
]


def safe_reverse(*names: str) -> str | None:
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


def is_current(url: str, path: str) -> bool:
    """The root URL is current only on itself and on conversations (the inbox's own
    pages); any other section owns every path under it."""
    if url == "/":
        return path == "/" or path.startswith("/conversations/")
    return path.startswith(url)


def sections_for(agent: Agent | None, path: str) -> list[NavItem]:
    if agent is None:
        return []
    items = []
    for section in SECTIONS:
        if str(agent.role) not in section.roles:
            continue
        url = safe_reverse(*section.url_names)
        if url is None:
            continue
        items.append(NavItem(section.label, url, section.icon, is_current(url, path)))
    return items


def may_see_styleguide(user: Any) -> bool:
    """Leads, admins and Django staff: the people who shape the product's pages."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    agent = agent_for(user)
    return agent is not None and agent.sees_everything
