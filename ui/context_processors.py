from __future__ import annotations

from django.http import HttpRequest

from agents.access import agent_for
from agents.models import Presence
from ui.navigation import may_see_styleguide, safe_reverse, sections_for


def navigation(request: HttpRequest) -> dict[str, object]:
    """`nav_items` (the sections this person may open), `nav_agent` (their Agent or None)
    and the shell's optional links, for templates/base.html."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_agent": None}
    agent = agent_for(user)
    return {
        "nav_agent": agent,
        "nav_items": sections_for(agent, request.path),
        "nav_styleguide_url": safe_reverse("styleguide") if may_see_styleguide(user) else None,
        "nav_api_docs_url": safe_reverse("api-docs"),
        "nav_presence_url": safe_reverse("presence"),
        # An agent switches between these; "offline" is what signing out means.
        "nav_presence_choices": [(p.value, p.label) for p in (Presence.ONLINE, Presence.AWAY)],
        "nav_search_url": safe_reverse("search"),
    }
