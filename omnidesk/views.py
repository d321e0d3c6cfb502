from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from agents.access import agent_for
from conversations.access import visible_conversations
from conversations.models import ConversationStatus
from omnidesk.middleware import DATABASE_UNAVAILABLE, database_unavailable


@login_required
def home(request: HttpRequest) -> HttpResponse:
    agent = agent_for(request.user)
    context: dict[str, object] = {"agent": agent}
    if agent is not None:
        conversations = visible_conversations(request.user).select_related(
            "customer", "team", "assignee"
        )
        context["open_count"] = conversations.filter(status=ConversationStatus.OPEN).count()
        context["recent"] = conversations.order_by("-last_activity_at", "-id")[:20]
    return render(request, "home.html", context)


def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and probes: 200 while the database answers, else 503 (with
    Retry-After) until it does again."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DATABASE_UNAVAILABLE as exc:
        return database_unavailable(request, exc, body={"ok": False, "database": "unavailable"})
    return JsonResponse({"ok": True, "database": "ok"})
