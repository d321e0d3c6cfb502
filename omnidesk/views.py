from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from agents.access import agent_for
from conversations.keyset import PageRequest
from conversations.models import ConversationStatus
from conversations.queries import ConversationFilters, conversation_list, count_conversations

RECENT_SIZE = 20


@login_required
def home(request: HttpRequest) -> HttpResponse:
    agent = agent_for(request.user)
    context: dict[str, object] = {"agent": agent}
    if agent is not None:
        open_only = ConversationFilters(statuses=(ConversationStatus.OPEN,))
        context["open_count"] = count_conversations(request.user, open_only)
        recent = PageRequest(size=RECENT_SIZE)
        context["recent"] = conversation_list(request.user, ConversationFilters(), recent).items
    return render(request, "home.html", context)


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})
