"""The email webhook URLs as `manage.py serve` prints them: every ESP's inbound and
tracking URL with the basic-auth credentials written in, so that a demo install (whose
secret was generated on its first start) can be wired to an ESP by copying a line."""

from __future__ import annotations

import re
from urllib.parse import quote

from anymail import urls as anymail_urls
from django.conf import settings

from channels_email.urls import WEBHOOK_PREFIX
from conversations.channels import WebhookUrl
from conversations.models import Inbox
from omnidesk.install_secrets import secret_path

# Old names anymail keeps for compatibility; Mandrill has one combined URL.
_ALIASES = {"sendinblue", "mandrill"}  # mandrill: a line of its own


def esp_routes(kind: str) -> list[str]:
    """ESP path segments that have a `kind` ("inbound" or "tracking") webhook."""
    found = set()
    for pattern in anymail_urls.urlpatterns:
        match = re.match(rf"\^?(\w+)/{kind}\b", str(pattern.pattern))
        if match and match.group(1) not in _ALIASES:
            found.add(match.group(1))
    return sorted(found)


def credentials(secret: str) -> str:
    user, _sep, password = secret.partition(":")
    return f"{quote(user, safe='')}:{quote(password, safe='')}"


def webhook_banner(public_url: str) -> list[str]:
    secret = settings.ANYMAIL.get("WEBHOOK_SECRET")
    if isinstance(secret, list | tuple):
        secret = secret[0] if secret else None
    if not secret:
        return ["  email webhooks: refused until ANYMAIL_WEBHOOK_SECRET is set"]
    scheme, _sep, rest = public_url.partition("://")
    if settings.ANYMAIL_WEBHOOK_SECRET_GENERATED:
        where = secret_path(settings.VAR_DIR, "anymail_webhook_secret")
        title = f"email webhooks (basic auth generated for this install, kept in {where}):"
        base = f"{scheme}://{credentials(str(secret))}@{rest}/{WEBHOOK_PREFIX}"
    else:
        title = "email webhooks (basic auth: ANYMAIL_WEBHOOK_SECRET):"
        base = f"{scheme}://<ANYMAIL_WEBHOOK_SECRET>@{rest}/{WEBHOOK_PREFIX}"
    inbound, tracking = esp_routes("inbound"), esp_routes("tracking")
    return [
        f"  {title}",
        f"    inbound:  {base}<esp>/inbound/",
        f"    tracking: {base}<esp>/tracking/",
        f"      <esp> inbound:  {', '.join(inbound)}",
        f"      <esp> tracking: {', '.join(tracking)}",
        f"    Mandrill (inbound and tracking): {base}mandrill/",
    ]


def email_webhook_urls(inbox: Inbox) -> list[WebhookUrl]:
    """What an admin gives their email provider (ESP) for a mailbox: the inbound and
    tracking URLs, authenticated with the webhook secret (printed by `manage.py serve`
    for an install that generated it). IMAP mailboxes need none."""
    base = f"{settings.PUBLIC_URL}/{WEBHOOK_PREFIX}"
    who = "basic auth: the webhook secret"
    return [
        WebhookUrl(f"Inbound email ({who}; <esp>: {', '.join(esp_routes('inbound'))})",
                   f"{base}<esp>/inbound/"),
        WebhookUrl(f"Delivery tracking ({who}; <esp>: {', '.join(esp_routes('tracking'))})",
                   f"{base}<esp>/tracking/"),
    ]
