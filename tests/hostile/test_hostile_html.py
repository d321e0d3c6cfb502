"""Hostile HTML in inbound email and API messages: what is stored, and what the REST API
returns, holds nothing that runs in an agent's browser."""

from __future__ import annotations

import json
from email.message import EmailMessage
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from channels_email.receive import receive_raw_email
from conversations.models import Interaction
from conversations.sanitize import sanitize_html
from tests.hostile.conftest import FUZZ, dangerous_markup, dangerous_parts

pytestmark = pytest.mark.django_db

ATTACKS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)>",
    "<img src=x oNeRrOr = 'alert(1)'>",
    "<a href=\"javascript:alert(1)\">click</a>",
    "<a href=\"JaVaScRiPt&colon;alert(1)\">x</a>",
    "<a href=\"&#106;avascript:alert(1)\">x</a>",
    "<a href=\" javascript:alert(1)\">x</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<img src=\"data:image/svg+xml,<svg onload=alert(1)>\">",
    "<div style=\"width: expression(alert(1))\">x</div>",
    "<p style=\"background:url(javascript:alert(1))\">x</p>",
    "<svg><script>alert(1)</script></svg>",
    "<svg onload=alert(1)><circle r=1 /></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<object data=\"x.swf\"></object><embed src=x>",
    "<body onload=alert(1)><form action=x><input autofocus onfocus=alert(1)></form>",
    "<style>@import 'javascript:alert(1)';</style>",
    "<base href=\"javascript:/\"><meta http-equiv=refresh content=\"0;url=javascript:x\">",
    "<p>unclosed <b>bold <i>italic <a href=x>link",
    "<<p>>double<</p>>",
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<details open ontoggle=alert(1)>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<table background=\"javascript:alert(1)\"><td onmouseover=alert(1)>x</td></table>",
]


def assert_safe(html: str) -> None:
    assert dangerous_parts(html) == [], html
    assert dangerous_markup(html) == [], html


def assert_safe_markup(html: str) -> None:
    assert dangerous_markup(html) == [], html


def api_message(inbox: Any, html: str, provider_id: str) -> Interaction:
    response = APIClient().post(
        "/api/v1/inbound/",
        {"sender": {"kind": "email", "value": "mallory@example.com"}, "html": html,
         "provider_id": provider_id},
        format="json", HTTP_AUTHORIZATION=f"Bearer {inbox.token}",
    )
    assert response.status_code == 201, response.content
    return Interaction.objects.get(pk=response.json()["interaction"])


def rest_html(user: Any, interaction: Interaction) -> str:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(f"/api/v1/interactions/{interaction.pk}/")
    assert response.status_code == 200
    return str(response.json()["html"])


@pytest.mark.parametrize("attack", ATTACKS)
def test_api_message_html_is_stored_and_served_sanitized(api_inbox, admin_user, attack):
    interaction = api_message(api_inbox, f"<p>Hello</p>{attack}", "html-1")
    assert_safe(interaction.html)
    assert_safe(rest_html(admin_user, interaction))


@pytest.mark.parametrize("attack", ATTACKS)
def test_email_html_is_stored_and_served_sanitized(email_inbox, admin_user, settings, attack):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    message = EmailMessage()
    message["From"] = "Mallory <mallory@example.com>"
    message["To"] = "support@omnidesk.test"
    message["Subject"] = "<script>alert(1)</script>"
    message["Message-ID"] = "<hostile-html@example.com>"
    message.set_content("plain part")
    message.add_alternative(f"<html><body><p>Hello</p>{attack}</body></html>", subtype="html")
    outcome = receive_raw_email(message.as_bytes())
    assert outcome.kept and outcome.result is not None
    interaction = outcome.result.interaction
    assert_safe(interaction.html)
    assert_safe(str(interaction.meta.get("full_html", "")))
    assert_safe(rest_html(admin_user, interaction))


FRAGMENTS = st.sampled_from([
    "<", ">", "/", "script", "img", "svg", "a", " ", "=", "\"", "'", "on", "error", "load",
    "javascript", ":", "&#106;", "&colon;", "\x00", "\t", "\n", "src", "href", "alert(1)",
    "expression(", "style", "<!--", "-->", "data:text/html,", "<![CDATA[", "]]>", "iframe",
])


@FUZZ
@given(html=st.lists(FRAGMENTS, min_size=1, max_size=40).map("".join))
def test_sanitizer_output_never_holds_dangerous_parts(html):
    cleaned = sanitize_html(html)
    assert_safe_markup(cleaned)
    # Sanitizing twice changes nothing: what is stored is already its final form.
    assert sanitize_html(cleaned) == cleaned


@FUZZ
@given(html=st.lists(FRAGMENTS, min_size=1, max_size=30).map("".join))
def test_fuzzed_api_html_is_stored_safe(api_inbox, html):
    response = APIClient().post(
        "/api/v1/inbound/",
        json.dumps({"sender": {"kind": "external", "value": "fuzz"}, "html": html + " x"}),
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {api_inbox.token}",
    )
    assert response.status_code in (201, 400), response.content
    if response.status_code == 201:
        assert_safe_markup(Interaction.objects.get(pk=response.json()["interaction"]).html)
