"""Who may call the API: helpdesk staff only, admins for settings.

Team scoping of conversations is not a permission class: querysets come from
conversations.access, so a conversation outside the agent's teams is a 404, not a 403.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from agents.access import agent_for, is_admin


class IsAgent(BasePermission):
    """Signed in (session or token) and an Agent: a user without one gets 403."""

    message = "Only helpdesk agents may use the API."

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated and agent_for(request.user))


class IsAdminForWrites(BasePermission):
    """After IsAgent: any agent may read; only admins may change (inboxes hold channel
    credentials)."""

    message = "Only admins may change this."

    def has_permission(self, request: Request, view: Any) -> bool:
        return request.method in SAFE_METHODS or is_admin(agent_for(request.user))


class MayReadApiSchema(BasePermission):
    """/api/schema/ and /api/docs/: agents only, unless OMNIDESK_PUBLIC_API_SCHEMA
    publishes them."""

    message = IsAgent.message

    def has_permission(self, request: Request, view: Any) -> bool:
        if settings.OMNIDESK_PUBLIC_API_SCHEMA:
            return True
        return IsAgent().has_permission(request, view)
