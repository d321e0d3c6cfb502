"""A chat widget set up in its settings form: every key of its config as a field, the
identity secret write-only (blank keeps it, a new one is generated and shown once), the
chat kind's validator as the judge, the snippet to paste and the preview's contrast."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from channels_chat.widget import DEFAULTS, identity_hash
from conversations.models import Inbox

SECRET = "kept-identity-secret-0123456789"


@pytest.fixture
def admin_client(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def chat_post(inbox: Inbox, **changes: str) -> dict[str, str]:
    data = {
        "name": inbox.name, "slug": inbox.slug, "address": "https://shop.example.com",
        "is_active": "on", "color": "#7c2d12", "position": "left",
        "launcher_text": "Questions?", "greeting": "Hello from Acme!", "language": "de",
        "reply_time": "within the hour", "offline_message": "Leave us a note.",
        "prechat_name": "required", "prechat_email": "optional", "prechat_phone": "",
        "allowed_origins": "https://shop.example.com\nHTTPS://Blog.Example.com/\n\n",
        "identity_secret": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def widget(chat_inbox: Inbox) -> Inbox:
    chat_inbox.config = {"widget_key": "acme-widget-key"}
    chat_inbox.secrets = {"identity_secret": SECRET}
    chat_inbox.save()
    return chat_inbox


def test_every_widget_setting_round_trips_and_a_blank_secret_keeps_the_stored_one(
    admin_client, widget
):
    response = admin_client.post(reverse("settings-inbox", args=[widget.pk]), chat_post(widget))
    assert response.status_code == 302
    widget.refresh_from_db()
    assert widget.config == {
        "widget_key": "acme-widget-key", "color": "#7c2d12", "position": "left",
        "launcher_text": "Questions?", "greeting": "Hello from Acme!", "language": "de",
        "reply_time": "within the hour", "offline_message": "Leave us a note.",
        "prechat": [{"name": "name", "required": True}, {"name": "email", "required": False}],
        "allowed_origins": ["https://shop.example.com", "https://blog.example.com"],
    }
    assert widget.secrets == {"identity_secret": SECRET}
    assert widget.address == "https://shop.example.com"

    page = admin_client.get(reverse("settings-inbox", args=[widget.pk])).content.decode()
    assert SECRET not in page
    assert "Leave blank to keep it" in page
    for shown in ('value="#7c2d12"', 'value="Questions?"', 'value="Hello from Acme!"',
                  'value="within the hour"', ">\nLeave us a note.</textarea>",
                  '<option value="left" selected>', '<option value="de" selected>',
                  ">\nhttps://shop.example.com\nhttps://blog.example.com</textarea>"):
        assert shown in page
    assert page.count('<option value="required" selected>') == 1
    assert page.count('<option value="optional" selected>') == 1


def test_a_blank_text_takes_the_widgets_default_which_the_form_shows(admin_client, widget):
    widget.config = {**widget.config, "greeting": "Old greeting"}
    widget.save()
    response = admin_client.post(reverse("settings-inbox", args=[widget.pk]),
                                 chat_post(widget, greeting="  ", launcher_text=""))
    assert response.status_code == 302
    widget.refresh_from_db()
    assert "greeting" not in widget.config and "launcher_text" not in widget.config
    page = admin_client.get(reverse("settings-inbox", args=[widget.pk])).content.decode()
    assert f'value="{DEFAULTS["greeting"]}"' in page
    assert f'value="{DEFAULTS["launcher_text"]}"' in page


def test_a_new_secret_replaces_the_stored_one_and_can_be_forgotten(admin_client, widget):
    admin_client.post(reverse("settings-inbox", args=[widget.pk]),
                      chat_post(widget, identity_secret="a-brand-new-secret"))
    widget.refresh_from_db()
    assert widget.secrets == {"identity_secret": "a-brand-new-secret"}
    admin_client.post(reverse("settings-inbox", args=[widget.pk]),
                      chat_post(widget, forget_identity_secret="on"))
    widget.refresh_from_db()
    assert widget.secrets == {}
    assert identity_hash(widget, "user-1") is None  # identification is off
    page = admin_client.get(reverse("settings-inbox", args=[widget.pk])).content.decode()
    assert "Forget the identity secret" not in page  # nothing stored to forget


@pytest.mark.parametrize(("field", "value", "error"), [
    ("color", "blue", "color must look like #2563eb"),
    ("color", "#12345", "color must look like #2563eb"),
    ("allowed_origins", "shop.example.com", "not an origin: &#x27;shop.example.com&#x27; "
                                            "(use https://shop.example)"),
])
def test_the_chat_validator_refuses_under_the_field(admin_client, widget, field, value, error):
    before = dict(widget.config)
    response = admin_client.post(reverse("settings-inbox", args=[widget.pk]),
                                 chat_post(widget, **{field: value}))
    assert response.status_code == 400
    page = response.content.decode()
    assert f'<div class="field-error" id="id_{field}_error">' in page
    error_at = page.index(f'id="id_{field}_error"')
    assert error in page[error_at:error_at + 400]
    assert 'aria-invalid="true"' in page
    widget.refresh_from_db()
    assert widget.config == before


def test_a_new_widget_gets_a_key_and_the_page_shows_its_snippet(admin_client, team_a):
    response = admin_client.post(reverse("settings-inbox-new", args=["chat"]), {
        "name": "Shop chat", "address": "https://shop.example.com", "is_active": "on",
        "team": team_a.pk, "color": DEFAULTS["color"], "position": "right",
        "language": "en"}, follow=True)
    inbox = Inbox.objects.get()
    key = inbox.config["widget_key"]
    assert inbox.config == {"widget_key": key, "color": DEFAULTS["color"],
                            "position": "right", "language": "en", "allowed_origins": [],
                            "prechat": []}
    page = response.content.decode()
    assert (f'&lt;script src=&quot;{settings.PUBLIC_URL}/chat/widget.js&quot; '
            f'data-widget=&quot;{key}&quot; async&gt;&lt;/script&gt;') in page
    assert "Webhook URLs" not in page  # a widget has none; its snippet stands there


def test_the_new_widget_form_starts_from_the_widgets_defaults(admin_client):
    page = admin_client.get(reverse("settings-inbox-new", args=["chat"])).content.decode()
    assert f'value="{DEFAULTS["color"]}"' in page
    assert f'value="{DEFAULTS["greeting"]}"' in page
    assert "meets WCAG AA" in page
    assert "Shown here once the widget is created." in page
    assert "Webhook URLs" not in page


def test_generating_a_secret_shows_it_once_and_it_signs_identities(admin_client, widget):
    response = admin_client.post(
        reverse("settings-inbox-identity-secret", args=[widget.pk]), follow=True)
    widget.refresh_from_db()
    secret = widget.secrets["identity_secret"]
    assert secret != SECRET and len(secret) == 43  # 32 random bytes, base64url
    assert f"New identity secret, shown this once: {secret}" in response.content.decode()
    page = admin_client.get(reverse("settings-inbox", args=[widget.pk])).content.decode()
    assert secret not in page
    assert identity_hash(widget, "user-1") is not None


def test_only_a_chat_widget_has_an_identity_secret(admin_client, api_inbox):
    response = admin_client.post(reverse("settings-inbox-identity-secret", args=[api_inbox.pk]))
    assert response.status_code == 404
    api_inbox.refresh_from_db()
    assert api_inbox.secrets == {}


def test_a_colour_white_text_cannot_be_read_on_is_saved_with_a_warning(admin_client, widget):
    response = admin_client.post(reverse("settings-inbox", args=[widget.pk]),
                                 chat_post(widget, color="#FFCC00"), follow=True)
    widget.refresh_from_db()
    assert widget.config["color"] == "#FFCC00"
    page = response.content.decode()
    assert ("White text on #FFCC00 has a contrast of 1.51:1, below the 4.5:1 WCAG AA asks "
            "for") in page
    # The preview's own line says the same (and the page's script keeps it current).
    fails = page.index('data-contrast="fails"')
    assert "hidden" not in page[fails:fails + 40]
    passes = page.index('data-contrast="passes"')
    assert "hidden" in page[passes:passes + 40]


def test_a_readable_colour_saves_without_a_warning(admin_client, widget):
    response = admin_client.post(reverse("settings-inbox", args=[widget.pk]),
                                 chat_post(widget), follow=True)
    assert "WCAG AA asks for" not in response.content.decode()


@pytest.mark.parametrize("who", ["lead", "agent_a", "outsider"])
def test_only_admins_generate_secrets(request, widget, who):
    client = Client()
    client.force_login(request.getfixturevalue(who))
    response = client.post(reverse("settings-inbox-identity-secret", args=[widget.pk]))
    assert response.status_code == 403
    widget.refresh_from_db()
    assert widget.secrets == {"identity_secret": SECRET}


@pytest.mark.parametrize(("color", "ratio"), [
    ("#767676", 4.54),  # the lightest grey that passes AA on white
    ("#777777", 4.47),  # one step lighter: fails
    ("#000000", 21.0),
    ("#ffffff", 1.0),
    ("#2563eb", 5.16),  # the widget's default
])
def test_the_contrast_of_white_text_is_wcags(color, ratio):
    from consoles.contrast import white_text_contrast

    assert white_text_contrast(color) == pytest.approx(ratio, abs=0.011)
    assert white_text_contrast("2563eb") is None
