"""Request body limits: the email webhooks carry whole messages, everything else keeps
the ordinary limit.

Django checks one limit, DATA_UPLOAD_MAX_MEMORY_SIZE, for every request (a body read
at once, or the form fields of a multipart body: SendGrid's raw message is such a
field). settings.py sets it to the larger of OMNIDESK_EMAIL_WEBHOOK_MAX_BYTES and
OMNIDESK_REQUEST_MAX_BYTES; this middleware applies the right one to each request by
its declared length, before anything reads the body, and answers 413 above it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from inspect import iscoroutinefunction
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.decorators import sync_and_async_middleware

from channels_email import conf

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/anymail/"  # channels_email.urls.WEBHOOK_PREFIX, mounted at the root


def body_limit_refusal(request: HttpRequest) -> HttpResponse | None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None  # Django's own parsing deals with a nonsense header
    if request.path_info.startswith(WEBHOOK_PATH):
        limit, what = conf.webhook_max_bytes(), "email webhooks (OMNIDESK_EMAIL_WEBHOOK_MAX_BYTES)"
    else:
        limit, what = conf.request_max_bytes(), "requests (DATA_UPLOAD_MAX_MEMORY_SIZE)"
    if length <= limit:
        return None
    logger.warning("%s refused: a %s-byte body is over the %s-byte limit of %s",
                   request.path, length, limit, what)
    return HttpResponse(
        f"The request body ({length} bytes) is over the {limit}-byte limit of {what}.",
        status=413,
        content_type="text/plain; charset=utf-8",
    )


@sync_and_async_middleware
def body_size_limit(get_response: Callable[[HttpRequest], Any]) -> Callable[[HttpRequest], Any]:
    if iscoroutinefunction(get_response):

        async def async_middleware(request: HttpRequest) -> HttpResponse:
            refused = body_limit_refusal(request)
            if refused is not None:
                return refused
            response: Awaitable[HttpResponse] = get_response(request)
            return await response

        return async_middleware

    def middleware(request: HttpRequest) -> HttpResponse:
        refused = body_limit_refusal(request)
        if refused is not None:
            return refused
        result: HttpResponse = get_response(request)
        return result

    return middleware
