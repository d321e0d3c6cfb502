"""Every anymail endpoint refuses what it cannot authenticate, and says why an endpoint
cannot work: 404 when the ESP's package is not installed, 503 when a setting it needs
is missing or the ESP posts to the wrong URL, each with the reason in the log. Never
400 ("could not be parsed"), which would make the ESP drop the message."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from anymail import urls as anymail_urls
from anymail.exceptions import AnymailImproperlyInstalled, _LazyError
from django.test import Client
from django.urls import resolve

from conversations.models import Interaction
from tests.email.conftest import BASIC_AUTH, WEBHOOK_SECRET, payload

pytestmark = pytest.mark.django_db

# Statuses of an empty JSON POST without credentials, with the generated webhook secret
# configured (the default install) and with no secret at all, when no ESP key is set.
EXPECTED = {
    # url: (with a secret, without one)
    "/anymail/amazon_ses/inbound/": (404, 404),
    "/anymail/amazon_ses/tracking/": (404, 404),
    "/anymail/brevo/inbound/": (503, 503),
    "/anymail/brevo/tracking/": (401, 403),
    "/anymail/mailersend/inbound/": (503, 503),
    "/anymail/mailersend/tracking/": (503, 503),
    "/anymail/mailgun/inbound/": (503, 503),
    "/anymail/mailgun/inbound_mime/": (503, 503),
    "/anymail/mailgun/tracking/": (503, 503),
    "/anymail/mailjet/inbound/": (401, 403),
    "/anymail/mailjet/tracking/": (401, 403),
    "/anymail/mailtrap/inbound/": (503, 503),
    "/anymail/mailtrap/tracking/": (401, 403),
    "/anymail/mandrill/": (401, 503),
    "/anymail/mandrill/tracking/": (401, 503),
    "/anymail/postal/inbound/": (503, 503),
    "/anymail/postal/tracking/": (503, 503),
    "/anymail/postmark/inbound/": (401, 403),
    "/anymail/postmark/tracking/": (401, 403),
    "/anymail/resend/inbound/": (503, 503),
    "/anymail/resend/tracking/": (401, 403),
    "/anymail/sendgrid/inbound/": (401, 403),
    "/anymail/sendgrid/tracking/": (401, 403),
    "/anymail/sendinblue/inbound/": (503, 503),
    "/anymail/sendinblue/tracking/": (401, 403),
    "/anymail/sparkpost/inbound/": (401, 403),
    "/anymail/sparkpost/tracking/": (401, 403),
    "/anymail/unisender_go/tracking/": (503, 503),
}


def _not_installed(package: str, extra: str) -> Any:
    return _LazyError(AnymailImproperlyInstalled(missing_package=package, install_extra=extra))


@pytest.fixture(autouse=True)
def without_optional_packages(monkeypatch):
    """As an install without the extras: anymail's own stand-ins for missing packages
    (what its modules define when the import fails), whatever this test venv holds."""
    monkeypatch.setattr("anymail.webhooks.amazon_ses._get_anymail_boto3_params",
                        _not_installed("boto3", "amazon-ses"))
    monkeypatch.setattr("anymail.webhooks.resend.SvixWebhook", _not_installed("svix", "resend"))


def test_the_table_covers_every_anymail_url():
    assert {resolve(url).url_name for url in EXPECTED} == {
        p.name for p in anymail_urls.urlpatterns
    }


@pytest.mark.parametrize("url", sorted(EXPECTED))
@pytest.mark.parametrize("secret", [True, False], ids=["secret", "no-secret"])
def test_no_endpoint_accepts_an_unauthenticated_post(url, secret, settings, email_inbox):
    settings.ANYMAIL = {"WEBHOOK_SECRET": WEBHOOK_SECRET} if secret else {}
    response = Client().post(url, data="{}", content_type="application/json")
    assert response.status_code == EXPECTED[url][0 if secret else 1]
    assert not Interaction.objects.exists()


@pytest.mark.parametrize(
    ("url", "setting"),
    [
        ("/anymail/mailgun/inbound_mime/", "MAILGUN_WEBHOOK_SIGNING_KEY"),
        ("/anymail/mailgun/tracking/", "MAILGUN_WEBHOOK_SIGNING_KEY"),
        ("/anymail/brevo/inbound/", "BREVO_API_KEY"),
        ("/anymail/mailersend/inbound/", "MAILERSEND_INBOUND_SECRET"),
        ("/anymail/mailersend/tracking/", "MAILERSEND_SIGNING_SECRET"),
        ("/anymail/postal/inbound/", "POSTAL_WEBHOOK_KEY"),
        ("/anymail/resend/inbound/", "RESEND_API_KEY"),
        ("/anymail/mailtrap/inbound/", "MAILTRAP_API_TOKEN"),
        ("/anymail/mandrill/", "MANDRILL_WEBHOOK_KEY"),
        ("/anymail/unisender_go/tracking/", "UNISENDER_GO_API_KEY"),
    ],
)
def test_a_missing_esp_setting_is_a_503_naming_it(url, setting, settings, caplog, email_inbox):
    settings.ANYMAIL = {"WEBHOOK_SECRET": WEBHOOK_SECRET}
    with caplog.at_level(logging.ERROR, logger="channels_email.webhook_guard"):
        response = Client().post(
            url, data="{}", content_type="application/json", HTTP_AUTHORIZATION=BASIC_AUTH
        )
    assert response.status_code == 503
    assert response.content == (
        b"This email webhook is not configured; the reason is in the server log."
    )
    assert "is misconfigured" in caplog.text and setting in caplog.text
    assert not Interaction.objects.exists()


@pytest.mark.parametrize(
    ("url", "extra_settings", "package"),
    [
        ("/anymail/amazon_ses/inbound/", {}, "boto3"),
        ("/anymail/amazon_ses/tracking/", {}, "boto3"),
        ("/anymail/resend/tracking/", {"RESEND_SIGNING_SECRET": "whsec_c2VjcmV0"}, "svix"),
    ],
)
def test_an_esp_whose_package_is_missing_is_a_404_naming_it(
    url, extra_settings, package, settings, caplog
):
    settings.ANYMAIL = {"WEBHOOK_SECRET": WEBHOOK_SECRET, **extra_settings}
    with caplog.at_level(logging.ERROR, logger="channels_email.webhook_guard"):
        response = Client().post(
            url, data="{}", content_type="application/json", HTTP_AUTHORIZATION=BASIC_AUTH
        )
    assert response.status_code == 404
    assert response.content == b"This email provider is not available in this install."
    assert "is not available in this install" in caplog.text
    assert f"The {package} package isn't installed" in caplog.text


def test_an_esp_posting_to_the_wrong_url_is_a_503(settings, caplog, email_inbox):
    # Postmark's bounce webhook pointed at the inbound URL: the operator must fix it.
    with caplog.at_level(logging.ERROR, logger="channels_email.webhook_guard"):
        response = Client().post(
            "/anymail/postmark/inbound/", data=payload("postmark_bounce.json"),
            content_type="application/json", HTTP_AUTHORIZATION=BASIC_AUTH,
        )
    assert response.status_code == 503
    assert "You seem to have set Postmark's *Bounce* webhook" in caplog.text
    assert not Interaction.objects.exists()


def test_a_head_request_to_verify_the_url_needs_no_credentials(settings):
    # ESPs check a webhook URL with HEAD when it is configured; it records nothing.
    assert Client().head("/anymail/postmark/inbound/").status_code == 200
