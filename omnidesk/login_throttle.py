"""Sign-in throttling with django-axes: failed sign-ins are counted per account and per
client address, on the sign-in page, the Django admin and the API's tokens
(api/authentication.py); a client over a limit is refused until its cool-off ends.

Limits: `OMNIDESK_LOGIN_FAILURE_LIMIT` failures for one account (from anywhere), or
`OMNIDESK_LOGIN_IP_FAILURE_LIMIT` failures from one address (any account, wrong API
tokens included), within `OMNIDESK_LOGIN_COOLOFF_MINUTES`. The address limit is the
higher one by default: an office behind one address must not be locked out by a few
people's typos.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from axes.backends import AxesBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off, get_lockout_parameters
from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from omnidesk.signed_in import CompiledUserLookup

ACCOUNT = "username"
ADDRESS = "ip_address"


class SignInGuardBackend(CompiledUserLookup, AxesBackend):
    """First of AUTHENTICATION_BACKENDS: refuses a locked-out client before any password
    is checked (ModelBackend, next in the list, checks passwords).

    authenticate() without a request comes from code in this process (the test client's
    login(), a management command), never from a client over the network: there is no
    client to count, so it passes to the next backend instead of failing."""

    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None, username: str | None = None,
        password: str | None = None, **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_parameters(request: Any, credentials: dict[str, Any] | None = None) -> list[str]:
    """What failures are counted by: the account and the address. A failure that names
    no account (a wrong API token) counts for its address only; counting it under an
    empty account name would lock every token client everywhere at once."""
    username = (credentials or {}).get(ACCOUNT)
    if username is None and credentials is None:
        username = getattr(request, "POST", {}).get(ACCOUNT)
    return [ACCOUNT, ADDRESS] if username else [ADDRESS]


class SignInAttemptHandler(AxesDatabaseHandler):
    """axes' database handler with a limit per account and another per address."""

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        # axes compares one count with one limit (AXES_FAILURE_LIMIT, the account's), so
        # the address's count is given in units of the account limit: with integer
        # division, failures * account // address >= account exactly when
        # failures >= address.
        account_limit = int(settings.AXES_FAILURE_LIMIT)
        address_limit = max(1, int(settings.OMNIDESK_LOGIN_IP_FAILURE_LIMIT))
        parameters = get_lockout_parameters(request, credentials)
        counts = [0]
        for parameter, attempts in zip(
            parameters, self.get_user_attempts(request, credentials), strict=True
        ):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            if parameter == ADDRESS:
                failures = failures * account_limit // address_limit
            counts.append(failures)
        return max(counts)

    def retry_after(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        """Seconds until every counted failure of this client has cooled off (at least 1)."""
        cool_off = get_cool_off(request) or timedelta(0)
        latest = None
        for attempts in self.get_user_attempts(request, credentials):
            found = attempts.aggregate(latest=Max("attempt_time"))["latest"]
            if found is not None and (latest is None or found > latest):
                latest = found
        if latest is None:
            return max(1, int(cool_off.total_seconds()))
        remaining = (latest + cool_off - timezone.now()).total_seconds()
        return max(1, math.ceil(remaining))


def _handler() -> SignInAttemptHandler:
    from axes.handlers.proxy import AxesProxyHandler

    handler = AxesProxyHandler.get_implementation()
    assert isinstance(handler, SignInAttemptHandler), "AXES_HANDLER must be ours"
    return handler


def is_locked_out(request: HttpRequest, credentials: dict[str, Any]) -> bool:
    from axes.handlers.proxy import AxesProxyHandler

    if not getattr(settings, "AXES_ENABLED", True):
        return False
    return not AxesProxyHandler.is_allowed(request, credentials)


def retry_after(request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
    from axes.handlers.proxy import AxesProxyHandler

    AxesProxyHandler.update_request(request)
    return _handler().retry_after(request, credentials)


def paused_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many failed sign-in attempts. Signing in is paused; try again in {minutes} {unit}."


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: what a locked-out client gets from the sign-in page or the
    admin's (429). axes' async middleware passes the credentials where the original
    response belongs, so neither argument is relied on."""
    seconds = retry_after(request, credentials if isinstance(credentials, dict) else None)
    message = paused_message(seconds)
    response: HttpResponse
    if request.path.startswith("/api/") or "json" in request.headers.get("Accept", ""):
        response = JsonResponse({"detail": message, "retry_after": seconds}, status=429)
    else:
        context = {"message": message, "retry_after": seconds}
        response = render(request, "registration/locked_out.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response
