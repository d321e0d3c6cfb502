from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotAuthenticated

from agents.access import agent_for
from api.authentication import ThrottledTokenAuthentication
from api.permissions import MayReadApiSchema
from conversations.keyset import PageRequest
from conversations.models import ConversationStatus
from conversations.queries import ConversationFilters, conversation_list, count_conversations
from omnidesk.middleware import DATABASE_UNAVAILABLE, database_unavailable

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


def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and probes: 200 while the database answers, else 503 (with
    Retry-After) until it does again."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DATABASE_UNAVAILABLE as exc:
        return database_unavailable(request, exc, body={"ok": False, "database": "unavailable"})
    return JsonResponse({"ok": True, "database": "ok"})


# The OpenAPI schema and its Swagger UI: for agents (token or session) unless published.
api_schema = SpectacularAPIView.as_view(
    authentication_classes=[ThrottledTokenAuthentication, SessionAuthentication],
    permission_classes=[MayReadApiSchema],
)


class ApiDocsView(SpectacularSwaggerView):
    """The docs are a page: a browser that is not signed in is sent to sign in."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [MayReadApiSchema]
    template_name = "api/swagger_ui.html"
    url_name = "schema"

    # DRF's stubs say Response; any HttpResponse is accepted (finalize_response).
    def handle_exception(self, exc: Exception) -> HttpResponseBase:  # type: ignore[override]
        if isinstance(exc, NotAuthenticated):
            return redirect_to_login(self.request.get_full_path())
        response: HttpResponseBase = super().handle_exception(exc)
        return response


api_docs = ApiDocsView.as_view()
