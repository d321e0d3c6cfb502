"""The "Email inboxes" admin: settings in, config and secrets out, the provider
URLs shown, the IMAP connection check, and the inbox kind's config validation."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from channels_email.config import validate_email_config
from conversations.models import Inbox

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/channels_email/emailinbox/add/"


@pytest.fixture
def admin_client_logged_in(client):
    user = User.objects.create_superuser("root", "root@omnidesk.test", "pw")
    client.force_login(user)
    return client


def form_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Billing",
        "slug": "billing",
        "address": "Billing@Omnidesk.test",
        "is_active": "on",
        "aliases": "invoices@omnidesk.test\nACCOUNTS@omnidesk.test",
        "from_name": "Acme Billing",
        "signature": "Acme Billing team",
        "email_backend": "",
        "acknowledgement_subject": "",
        "acknowledgement_body": "Thanks {customer_name}, we are on it.",
        "imap_host": "imap.omnidesk.test",
        "imap_port": "",
        "imap_security": "starttls",
        "imap_user": "billing",
        "imap_password": "s3cret",
        "imap_folder": "INBOX",
        "imap_processed": "move",
        "imap_move_to": "Processed",
        "imap_poll_interval": "30",
    }
    data.update(overrides)
    return data


def test_adding_an_email_inbox_writes_config_and_secrets(admin_client_logged_in):
    response = admin_client_logged_in.post(ADD_URL, form_data())
    assert response.status_code == 302, response.content.decode()[:2000]
    inbox = Inbox.objects.get(slug="billing")
    assert inbox.kind == "email"
    assert inbox.address == "billing@omnidesk.test"
    assert inbox.config == {
        "aliases": ["invoices@omnidesk.test", "accounts@omnidesk.test"],
        "from_name": "Acme Billing",
        "signature": "Acme Billing team",
        "email_backend": "",
        "acknowledgement": {"subject": "", "body": "Thanks {customer_name}, we are on it."},
        "imap": {
            "host": "imap.omnidesk.test",
            "port": 143,
            "security": "starttls",
            "user": "billing",
            "folder": "INBOX",
            "processed": "move",
            "move_to": "Processed",
            "poll_interval": 30,
        },
    }
    assert inbox.secrets == {"imap_password": "s3cret"}


def test_saving_without_a_password_keeps_the_stored_one(admin_client_logged_in):
    admin_client_logged_in.post(ADD_URL, form_data())
    inbox = Inbox.objects.get(slug="billing")
    url = f"/admin/channels_email/emailinbox/{inbox.pk}/change/"
    response = admin_client_logged_in.post(url, form_data(imap_password="", signature="New"))
    assert response.status_code == 302
    inbox.refresh_from_db()
    assert inbox.secrets == {"imap_password": "s3cret"}
    assert inbox.config["signature"] == "New"


def test_an_invalid_alias_is_refused(admin_client_logged_in):
    response = admin_client_logged_in.post(ADD_URL, form_data(aliases="not an address"))
    assert response.status_code == 200
    assert "alias &#x27;not an address&#x27; is not an email address" in response.content.decode()
    assert not Inbox.objects.filter(slug="billing").exists()


def test_the_change_page_shows_the_provider_webhook_urls(admin_client_logged_in, email_inbox):
    response = admin_client_logged_in.get(
        f"/admin/channels_email/emailinbox/{email_inbox.pk}/change/"
    )
    page = response.content.decode()
    assert response.status_code == 200
    for url in (
        "http://testserver/anymail/postmark/inbound/",
        "http://testserver/anymail/postmark/tracking/",
        "http://testserver/anymail/mailgun/inbound/",
        "http://testserver/anymail/sendgrid/inbound/",
        "http://testserver/anymail/amazon_ses/tracking/",
        "http://testserver/anymail/mandrill/",
    ):
        assert f"<code>{url}</code>" in page
    assert "python manage.py ingest_email --inbox support-mail" in page


def test_the_list_holds_only_email_inboxes(admin_client_logged_in, email_inbox, chat_inbox):
    response = admin_client_logged_in.get("/admin/channels_email/emailinbox/")
    page = response.content.decode()
    assert "Support mail" in page and "Website chat" not in page


def test_the_imap_check_reports_a_refused_connection(admin_client_logged_in, email_inbox):
    email_inbox.config = {
        "imap": {"host": "127.0.0.1", "port": 1, "security": "none", "user": "support"}
    }
    email_inbox.save()
    response = admin_client_logged_in.post(
        "/admin/channels_email/emailinbox/",
        {"action": "test_imap_connection", "_selected_action": [email_inbox.pk]},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1
    assert messages[0].startswith("Support mail: IMAP connection to 127.0.0.1:1 as support failed:")


@pytest.mark.parametrize(
    ("config", "error"),
    [
        ({"aliases": ["ok@example.com", "nope"]}, "alias 'nope' is not an email address"),
        ({"aliases": "a@example.com"}, None),
        ({"imap": {"host": "imap.example.com", "port": "abc"}}, "imap port must be a whole number"),
        ({"imap": {"host": "imap.example.com", "security": "ssl"}}, "imap security must be one of"),
        ({"imap": {"host": "imap.example.com", "processed": "move"}}, "imap move_to is required"),
        ({"imap": {"port": 993}}, "imap host is required"),
        ({"acknowledgement": "hello"}, "acknowledgement must be an object"),
    ],
)
def test_the_email_config_validator(config, error, email_inbox):
    if error is None:
        assert validate_email_config(config)["aliases"] == ["a@example.com"]
        return
    with pytest.raises(ValueError, match=error):
        validate_email_config(config)
    email_inbox.config = config
    with pytest.raises(ValidationError):
        email_inbox.full_clean()
