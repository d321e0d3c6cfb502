"""Every anymail webhook view (inbound and tracking, every ESP), wrapped so that:

- nothing is accepted unauthenticated. anymail itself only warns and accepts when
  WEBHOOK_SECRET is unset; here a POST needs the basic-auth secret when one is
  configured (401 with a Basic challenge otherwise: Amazon SNS sends credentials only
  after one), and without it, a view on which anymail verifies the ESP's own signature
  (403 and a log line naming ANYMAIL_WEBHOOK_SECRET otherwise). A wrong signature is 403.
- an endpoint that cannot work says so: the ESP's package missing (boto3 for SES, svix
  for Resend signatures, cryptography for Postal) is 404, a missing setting (a signing
  key, an API key) or an ESP webhook pointed at the wrong URL is 503, each with the
  reason in the log; never 400, which tells the ESP to drop the message.
- a body over the webhook size limit is 413; a payload anymail cannot parse, or whose
  fields have the wrong types, is 400; our receivers' RetryLater stays a 500, so the
  ESP delivers again.
"""

from __future__ import annotations

import logging
from functools import wraps
from typing import Any

from anymail.exceptions import (
    AnymailConfigurationError,
    AnymailImproperlyInstalled,
    AnymailWebhookValidationFailure,
)
from anymail.utils import get_request_basic_auth
from django.core.exceptions import ImproperlyConfigured, RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt

from channels_email import conf
from channels_email.webhooks import RetryLater

logger = logging.getLogger(__name__)

BASIC_REALM = 'Basic realm="omnidesk email webhooks (ANYMAIL_WEBHOOK_SECRET)"'
SECRET_SETTING = "ANYMAIL_WEBHOOK_SECRET"  # noqa: S105 - the name of the setting

def _text(status: int, message: str) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def unavailable(view_name: str, exc: Exception) -> HttpResponse:
    logger.error("email webhook %s is not available in this install: %s", view_name, exc)
    return _text(404, "This email provider is not available in this install.")


def misconfigured(view_name: str, exc: Exception) -> HttpResponse:
    logger.error("email webhook %s is misconfigured: %s", view_name, exc)
    return _text(503, "This email webhook is not configured; the reason is in the server log.")


def too_large(view_name: str) -> HttpResponse:
    limit = conf.webhook_max_bytes()
    logger.warning("email webhook %s refused a body over %s bytes", view_name, limit)
    return _text(413, f"The request body is over the {limit}-byte limit of email webhooks.")


def unparseable(request: HttpRequest) -> HttpResponse:
    logger.warning("unparseable payload on %s", request.path, exc_info=True)
    return _text(400, "The payload could not be parsed.")


def refusal(view: Any, request: HttpRequest) -> HttpResponse | None:
    """Why this POST may not reach anymail's view, or None when it is authenticated
    (or will be, by the ESP signature check anymail runs on this view)."""
    esp = getattr(view, "esp_name", type(view).__name__)
    allowed = view.basic_auth or []
    if allowed:
        given = get_request_basic_auth(request) or ""
        if any(constant_time_compare(given, secret) for secret in allowed):
            return None
        logger.warning(
            "%s webhook %s refused: missing or wrong basic auth (%s)",
            esp, request.path, SECRET_SETTING,
        )
        response = _text(401, "This webhook needs the webhook secret as basic auth.")
        response["WWW-Authenticate"] = BASIC_REALM
        return response
    # anymail clears warn_if_no_basic_auth exactly on the views where it verifies the
    # ESP's signature with a configured key (Mailgun, Mandrill, Postal, MailerSend,
    # Unisender Go; Mailtrap, Resend and SendGrid tracking when their key is set).
    if not view.warn_if_no_basic_auth:
        return None
    logger.error(
        "%s webhook %s refused: no %s is set and this view has no signature check; "
        "set %s (or the ESP's signing key)",
        esp, request.path, SECRET_SETTING, SECRET_SETTING,
    )
    return _text(403, f"Email webhooks are refused until {SECRET_SETTING} is set.")


def guard(pattern: URLPattern) -> URLPattern:
    callback = pattern.callback
    view_class = callback.view_class  # type: ignore[attr-defined]
    initkwargs = callback.view_initkwargs  # type: ignore[attr-defined]
    name = pattern.name or view_class.__name__

    @csrf_exempt
    @wraps(callback)
    def endpoint(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            view = view_class(**initkwargs)
        except AnymailImproperlyInstalled as exc:
            return unavailable(name, exc)
        except ImproperlyConfigured as exc:  # AnymailConfigurationError among them
            return misconfigured(name, exc)
        if request.method == "POST":
            refused = refusal(view, request)
            if refused is not None:
                return refused
        view.setup(request, *args, **kwargs)
        return _dispatch(view, request, name, *args, **kwargs)

    return URLPattern(pattern.pattern, endpoint, pattern.default_args, pattern.name)


def _dispatch(view: Any, request: HttpRequest, name: str, *args: Any, **kwargs: Any) -> Any:
    try:
        return view.dispatch(request, *args, **kwargs)
    except RetryLater:
        raise  # 500: the ESP delivers the message again later
    except AnymailWebhookValidationFailure as exc:
        logger.warning("email webhook %s refused: %s", name, exc)
        return _text(403, "The webhook signature does not verify.")
    except RequestDataTooBig:
        return too_large(name)
    except AnymailImproperlyInstalled as exc:
        return unavailable(name, exc)
    except (AnymailConfigurationError, ImproperlyConfigured) as exc:
        return misconfigured(name, exc)
    except SuspiciousOperation:
        raise  # Django answers 400 (too many fields, a disallowed host, ...)
    except Exception:
        return unparseable(request)


def guarded(patterns: list[Any]) -> list[URLPattern]:
    return [guard(p) for p in patterns if isinstance(p, URLPattern)]
