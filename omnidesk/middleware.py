"""A database that cannot be reached answers a quick 503 with Retry-After, not a 500.

During a PostgreSQL restart, or when every pooled connection stays busy past
DATABASE_POOL_TIMEOUT, a query raises OperationalError (psycopg_pool's PoolTimeout is
one) or InterfaceError (a connection that broke mid-request). Both mean "retry later":
providers retry a webhook that answered 503, browsers and API clients read Retry-After.
The process keeps running; the pool replaces broken connections when PostgreSQL is back.
"""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.deprecation import MiddlewareMixin

logger = logging.getLogger(__name__)

DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5
MESSAGE = "The database is unavailable; retry later."


def database_unavailable(request: HttpRequest, exception: Exception,
                         body: dict[str, object] | None = None) -> HttpResponse:
    """The 503; JSON (`body`, or a detail message) for API clients, else plain text."""
    logger.warning("database unavailable (%s %s): %s", request.method, request.path,
                   str(exception).strip() or type(exception).__name__)
    response: HttpResponse
    if body is not None or _wants_json(request):
        response = JsonResponse(body or {"detail": MESSAGE}, status=503)
    else:
        response = HttpResponse(MESSAGE + "\n", status=503,
                                content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _wants_json(request: HttpRequest) -> bool:
    return (request.path.startswith("/api/") or request.content_type == "application/json"
            or "application/json" in request.headers.get("Accept", ""))


class DatabaseUnavailableMiddleware(MiddlewareMixin):
    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_UNAVAILABLE):
            return database_unavailable(request, exception)
        return None
