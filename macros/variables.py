"""{{ customer.name }}-style variables in canned responses and macro texts. A small fixed
set filled by substitution, never Django's template engine: the text is the agent's, and
must not reach anything but these values."""

from __future__ import annotations

import re
from typing import Any

from conversations.models import Conversation

VARIABLE = re.compile(r"\{\{\s*([a-z_]+)\.([a-z_]+)\s*\}\}")
NAMES = ("customer.name", "customer.first_name", "agent.name", "agent.first_name",
         "conversation.id")


def values_for(conversation: Conversation, agent_user: Any) -> dict[str, str]:
    customer = conversation.customer
    name = customer.name or ""
    agent_name = (agent_user.get_full_name() or agent_user.get_username()) if agent_user else ""
    return {
        "customer.name": name or "there",
        "customer.first_name": (name.split()[0] if name.split() else "there"),
        "agent.name": agent_name,
        "agent.first_name": (getattr(agent_user, "first_name", "") or agent_name.split(" ")[0]),
        "conversation.id": str(conversation.pk),
    }


def fill(text: str, values: dict[str, str]) -> str:
    """Known variables filled in; an unknown one is left as written (the agent sees it)."""

    def replace(match: re.Match[str]) -> str:
        key = f"{match.group(1)}.{match.group(2)}"
        return values.get(key, match.group(0))

    return VARIABLE.sub(replace, text)
