"""Replies on the API channel: a signed JSON POST to the inbox's outbound_url.

The receiver checks `X-Omnidesk-Signature: sha256=<hex HMAC-SHA256 of the body, keyed
with the inbox token>` and de-duplicates on `X-Omnidesk-Delivery` (the interaction id,
the same on every retry). If it answers JSON with an "id", that becomes the message's
provider id.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import requests

from channels_api.conf import outbound_timeout
from conversations.models import Conversation, Inbox, Interaction
from conversations.transports import ProviderResult, TransportError
from customers.models import Identity


def sign(body: bytes, token: str) -> str:
    return "sha256=" + hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


def _outbound_url(inbox: Inbox | None) -> str:
    url = (inbox.config.get("outbound_url") if inbox is not None else None) or ""
    if not url:
        name = inbox.name if inbox is not None else "(none)"
        raise TransportError(
            f"The API inbox {name} has no outbound_url, so replies cannot be delivered; "
            "an admin can set one in the inbox's config.",
            permanent=True,
        )
    return str(url)


def outbound_payload(interaction: Interaction) -> dict[str, Any]:
    identity_id = interaction.meta.get("to_identity_id")
    identity = Identity.objects.filter(pk=identity_id).first() if identity_id else None
    recipient = (
        {"kind": identity.kind, "value": identity.value}
        if identity is not None
        else {"kind": None, "value": interaction.meta.get("to")}
    )
    return {
        "interaction_id": interaction.pk,
        "conversation_id": interaction.conversation_id,
        "customer_id": interaction.customer_id,
        "recipient": recipient,
        "text": interaction.text,
        "html": interaction.html,
        "subject": interaction.subject,
        "occurred_at": interaction.occurred_at.isoformat(),
    }


class ApiTransport:
    def check_reply(
        self, *, conversation: Conversation, inbox: Inbox, recipient: str, meta: dict[str, Any]
    ) -> None:
        _outbound_url(inbox)

    def send(self, interaction: Interaction) -> ProviderResult:
        inbox = interaction.inbox
        url = _outbound_url(inbox)
        assert inbox is not None  # _outbound_url refused a missing inbox
        body = json.dumps(outbound_payload(interaction), separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "omnidesk",
            "X-Omnidesk-Signature": sign(body, inbox.token),
            "X-Omnidesk-Delivery": str(interaction.pk),
        }
        try:
            response = requests.post(
                url, data=body, headers=headers, timeout=outbound_timeout(), allow_redirects=False
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise TransportError(f"Could not reach {url}: {exc}", permanent=False) from exc
        except requests.RequestException as exc:
            raise TransportError(f"Could not post to {url}: {exc}", permanent=True) from exc
        _raise_for_status(response, url)
        return ProviderResult(provider_id=_provider_id(response))


def _raise_for_status(response: requests.Response, url: str) -> None:
    code = response.status_code
    if code < 300:
        return
    said = response.text[:300].strip()
    message = f"{url} answered HTTP {code}" + (f": {said}" if said else "")
    # 429 and 5xx are the receiver's passing trouble; any other answer will not change
    # by sending again (a redirect is refused too: POSTs are not followed blindly).
    raise TransportError(message, permanent=not (code == 429 or code >= 500))


def _provider_id(response: requests.Response) -> str | None:
    try:
        answer = response.json()
    except ValueError:
        return None
    value = answer.get("id") if isinstance(answer, dict) else None
    return str(value)[:255] if value not in (None, "") else None
