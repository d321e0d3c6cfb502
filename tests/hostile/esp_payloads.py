"""Real ESP webhook payloads (fixture files in payloads/), filled in for one message or
one event, and posted the way each ESP posts them, for the hostile email tests."""

from __future__ import annotations

import base64
import copy
import json
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from django.test import Client

PAYLOADS = Path(__file__).parent / "payloads"
INBOX_ADDRESS = "support@omnidesk.test"

INBOUND_ESPS = ["postmark", "sendgrid", "mailjet", "sparkpost"]
TRACKING_ESPS = ["postmark", "sendgrid", "mailjet", "sparkpost"]


def fixture(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text())


def basic_auth(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


def raw_message(*, sender: str, subject: str, body: str, message_id: str) -> str:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = INBOX_ADDRESS
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message["Date"] = "Tue, 14 Jan 2025 09:12:44 +0000"
    message.set_content(body)
    return message.as_string()


def post_inbound(
    client: Client,
    esp: str,
    *,
    sender: str,
    subject: str,
    body: str,
    message_id: str,
    auth: dict[str, str],
) -> Any:
    """One inbound message as `esp` delivers it to /anymail/<esp>/inbound/."""
    url = f"/anymail/{esp}/inbound/"
    if esp == "postmark":
        payload = fixture("postmark_inbound.json")
        payload["FromFull"] = {"Email": sender, "Name": "", "MailboxHash": ""}
        payload["From"] = sender
        payload["Subject"] = subject
        payload["TextBody"] = body
        payload["HtmlBody"] = ""
        payload["CcFull"] = []
        payload["Attachments"] = []
        payload["Headers"] = [h for h in payload["Headers"] if h["Name"] != "Message-ID"]
        payload["Headers"].append({"Name": "Message-ID", "Value": message_id})
        return client.post(url, data=json.dumps(payload), content_type="application/json", **auth)
    raw = raw_message(sender=sender, subject=subject, body=body, message_id=message_id)
    if esp == "sendgrid":
        fields = {**fixture("sendgrid_inbound_raw.json"), "email": raw, "from": sender}
        return client.post(url, data=fields, **auth)
    if esp == "mailjet":
        payload = fixture("mailjet_inbound.json")
        payload["Sender"] = sender
        payload["Headers"].update({"From": sender, "Subject": subject, "Message-ID": message_id})
        payload["Text-part"] = body
        payload["Html-part"] = ""
        return client.post(url, data=json.dumps(payload), content_type="application/json", **auth)
    if esp == "sparkpost":
        payload = fixture("sparkpost_inbound.json")
        relay = payload[0]["msys"]["relay_message"]
        relay["content"]["email_rfc822"] = raw
        relay["msg_from"] = relay["friendly_from"] = sender
        return client.post(url, data=json.dumps(payload), content_type="application/json", **auth)
    raise ValueError(esp)


def bounce_event(esp: str, interaction_id: int) -> Any:
    """A hard bounce event naming our outbound interaction by the metadata we send."""
    tag = str(interaction_id)
    if esp == "postmark":
        payload = fixture("postmark_bounce.json")
        payload["Metadata"] = {"omnidesk_interaction": tag}
        return payload
    if esp == "sendgrid":
        payload = fixture("sendgrid_tracking_bounce.json")
        payload[0]["omnidesk_interaction"] = tag
        return payload
    if esp == "mailjet":
        payload = fixture("mailjet_tracking_bounce.json")
        payload["Payload"] = json.dumps({"omnidesk_interaction": tag})
        return payload
    if esp == "sparkpost":
        payload = fixture("sparkpost_tracking_bounce.json")
        payload[0]["msys"]["message_event"]["rcpt_meta"] = {"omnidesk_interaction": tag}
        return copy.deepcopy(payload)
    raise ValueError(esp)


def post_tracking(client: Client, esp: str, event: Any, *, auth: dict[str, str]) -> Any:
    return client.post(
        f"/anymail/{esp}/tracking/", data=json.dumps(event), content_type="application/json",
        **auth,
    )
