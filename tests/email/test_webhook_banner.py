"""`manage.py serve` prints the email webhook URLs with the install's generated
basic-auth secret written in: copied into an ESP's settings, they work."""

from __future__ import annotations

import base64
import json
from io import StringIO
from urllib.parse import unquote, urlsplit

import pytest
from django.test import Client

from channels_email.banner import webhook_banner
from conversations.models import Interaction
from omnidesk.management.commands.serve import Command
from tests.email.conftest import payload

pytestmark = pytest.mark.django_db

INBOUND = ("amazon_ses, brevo, mailersend, mailgun, mailjet, mailtrap, postal, postmark, "
           "resend, sendgrid, sparkpost")
TRACKING = ("amazon_ses, brevo, mailersend, mailgun, mailjet, mailtrap, postal, postmark, "
            "resend, sendgrid, sparkpost, unisender_go")


def test_a_generated_secret_is_printed_in_every_url(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.ANYMAIL = {"WEBHOOK_SECRET": "omnidesk:s3cr3t-generated"}
    settings.ANYMAIL_WEBHOOK_SECRET_GENERATED = True
    base = "https://omnidesk:s3cr3t-generated@help.example.com/anymail/"
    assert webhook_banner("https://help.example.com") == [
        "  email webhooks (basic auth generated for this install, kept in "
        f"{tmp_path}/secrets/anymail_webhook_secret):",
        f"    inbound:  {base}<esp>/inbound/",
        f"    tracking: {base}<esp>/tracking/",
        f"      <esp> inbound:  {INBOUND}",
        f"      <esp> tracking: {TRACKING}",
        f"    Mandrill (inbound and tracking): {base}mandrill/",
    ]


def test_a_secret_from_the_environment_is_not_printed(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "ops:chosen-by-the-operator"}
    settings.ANYMAIL_WEBHOOK_SECRET_GENERATED = False
    lines = webhook_banner("http://localhost:8000")
    assert lines[0] == "  email webhooks (basic auth: ANYMAIL_WEBHOOK_SECRET):"
    assert lines[1] == (
        "    inbound:  http://<ANYMAIL_WEBHOOK_SECRET>@localhost:8000/anymail/<esp>/inbound/")
    assert not any("chosen-by-the-operator" in line for line in lines)


def test_the_printed_url_is_accepted_by_the_webhook(settings, email_inbox):
    settings.ANYMAIL_WEBHOOK_SECRET_GENERATED = True
    settings.ANYMAIL = {"WEBHOOK_SECRET": "omnidesk:A-b_c9"}
    out = StringIO()
    Command(stdout=out)._print_banner("http://testserver")
    line = next(line for line in out.getvalue().splitlines() if "inbound:" in line)
    url = urlsplit(line.split()[-1].replace("<esp>", "postmark"))
    auth = f"{unquote(url.username or '')}:{unquote(url.password or '')}"
    response = Client().post(
        url.path, data=json.dumps(payload("postmark_inbound.json")),
        content_type="application/json",
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(auth.encode()).decode(),
    )
    assert response.status_code == 200
    assert Interaction.objects.filter(channel="email").count() == 1
