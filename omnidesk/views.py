from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotAuthenticated

from api.authentication import ThrottledTokenAuthentication
from api.permissions import MayReadApiSchema
from omnidesk.middleware import DATABASE_UNAVAILABLE, database_unavailable


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
