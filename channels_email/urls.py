"""anymail's inbound and tracking webhooks for every ESP: /anymail/<esp>/inbound/ and
/anymail/<esp>/tracking/ (Mandrill: /anymail/mandrill/). See channels_email.webhooks.

Each of anymail's views is wrapped so that a payload anymail itself cannot parse (wrong
types, truncated fields: anymail raises TypeError and the like) is a 400, not a 500 that
would make the ESP retry garbage forever. Our receivers raise RetryLater when a real
message could not be kept: that stays a 500, so the ESP delivers it again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from anymail import urls as anymail_urls
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import URLPattern, URLResolver, include, path

from channels_email.webhooks import RetryLater

logger = logging.getLogger(__name__)


def refuse_unparseable(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except (RetryLater, SuspiciousOperation):
            raise  # 500: the ESP retries; 400: anymail's own validation failure
        except Exception:
            logger.warning("unparseable payload on %s", request.path, exc_info=True)
            return HttpResponseBadRequest(
                "The payload could not be parsed.", content_type="text/plain"
            )

    return wrapper


def _wrapped(pattern: URLPattern) -> URLPattern:
    return URLPattern(
        pattern.pattern, refuse_unparseable(pattern.callback), pattern.default_args, pattern.name
    )


_anymail_patterns = [
    _wrapped(p) for p in anymail_urls.urlpatterns if isinstance(p, URLPattern)
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("anymail/", include((_anymail_patterns, anymail_urls.app_name))),
]
