"""Verifying that a webhook request really comes from Twilio, for the inbox it names.

Twilio signs the URL it called plus the POST parameters with the account's auth token.
Behind a proxy the URL Django sees differs from the one Twilio called, so the URL is
rebuilt from PUBLIC_URL and the request's path and query.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from conversations.models import Inbox
from twilio_common.inbox import auth_token_of


def public_url_of(request: HttpRequest) -> str:
    return f"{settings.PUBLIC_URL}{request.get_full_path()}"


# Never a key: the placeholder that demo installs stored before each install got a
# random token (demo/loader.py) is printed in the source, so anyone could sign with it.
UNUSABLE_AUTH_TOKENS = frozenset({"demo-placeholder-not-a-real-twilio-token"})


def signature_is_valid(request: HttpRequest, inbox: Inbox | None) -> bool:
    token = auth_token_of(inbox)
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token.strip() or token in UNUSABLE_AUTH_TOKENS or not signature:
        return False
    params = {key: request.POST.getlist(key) for key in request.POST}
    flat = {k: v[0] if len(v) == 1 else v for k, v in params.items()}
    return bool(RequestValidator(token).validate(public_url_of(request), flat, signature))


InboxResolver = Callable[[HttpRequest], Inbox | None]


View = Callable[..., HttpResponse]


def twilio_webhook(resolve_inbox: InboxResolver) -> Callable[[View], View]:
    """POST-only, CSRF-exempt view whose request must be signed for the inbox that
    `resolve_inbox` finds; the view receives that inbox. 403 and nothing recorded
    otherwise."""

    def decorate(view: View) -> View:
        @csrf_exempt
        @require_POST
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            inbox = resolve_inbox(request)
            if inbox is None or not signature_is_valid(request, inbox):
                return HttpResponseForbidden("Twilio signature check failed.")
            return view(request, inbox, *args, **kwargs)

        return wrapper

    return decorate
