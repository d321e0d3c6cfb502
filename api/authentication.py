"""Token authentication with failed tokens counted by django-axes (per client address):
a client that sent too many wrong tokens gets 429 with the time to retry, until its
cool-off ends. See omnidesk/login_throttle.py for the limits."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.signals import user_login_failed
from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.exceptions import APIException, AuthenticationFailed
from rest_framework.request import Request

from omnidesk.login_throttle import is_locked_out, paused_message, retry_after

# A wrong token names no account: it is counted for the client's address only.
TOKEN_CREDENTIALS: dict[str, Any] = {"username": None, "token": "********"}


class SignInPaused(APIException):
    status_code = 429
    default_code = "signin_paused"

    def __init__(self, seconds: int) -> None:
        super().__init__(paused_message(seconds))
        # The body: the sentence and the seconds as a number (DRF would make it text).
        self.detail = cast(Any, {"detail": self.detail, "retry_after": seconds})
        self.wait = seconds  # DRF's handler turns it into a Retry-After header


class ThrottledTokenAuthentication(TokenAuthentication):
    def authenticate(self, request: Request) -> Any:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None  # no token offered: nothing to count
        client = request._request
        # Checked before the token is: a locked client must not learn whether a token
        # is valid.
        if is_locked_out(client, TOKEN_CREDENTIALS):
            raise SignInPaused(retry_after(client, TOKEN_CREDENTIALS))
        try:
            return super().authenticate(request)
        except AuthenticationFailed:
            # Django's own signal for a failed sign-in: axes counts it like a wrong
            # password on the sign-in page.
            user_login_failed.send(
                sender=type(self), credentials=dict(TOKEN_CREDENTIALS), request=client
            )
            if getattr(client, "axes_locked_out", False):
                raise SignInPaused(retry_after(client, TOKEN_CREDENTIALS)) from None
            raise
