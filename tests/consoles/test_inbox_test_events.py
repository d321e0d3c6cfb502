""""Send a test event" on an inbox's page: one customer message through the same door a
real one uses (the inbound API view, the email intake, the chat action, the signed
Twilio webhook), recorded in that inbox, in a conversation tagged "test" that the page
links to; refusals shown as they happened; admins only."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from consoles.inbox_test_events import TEST_EMAIL, TEST_NAME, TEST_PHONE, TEST_TEXT
from conversations.models import Direction, Inbox, Interaction

# The channel and the sender identity a test event of each kind records.
EXPECTED = {
    "api_inbox": ("api", "external", "omnidesk-inbox-test"),
    "email_inbox": ("email", "email", TEST_EMAIL),
    "chat_inbox": ("chat", "chat", None),  # the widget's test visitor
    "twilio_inbox": ("sms", "phone", TEST_PHONE),
}


@pytest.fixture
def admin_client(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def send_test(client: Client, inbox: Inbox) -> str:
    response = client.post(reverse("settings-inbox-test", args=[inbox.pk]), follow=True)
    assert response.redirect_chain == [
        (f"{reverse('settings-inbox', args=[inbox.pk])}#test-event", 302)]
    return response.content.decode()


@pytest.mark.parametrize("kind", EXPECTED)
def test_a_test_event_records_one_message_in_the_inbox_and_links_to_it(
    request, admin_client, kind
):
    inbox = request.getfixturevalue(kind)
    page = send_test(admin_client, inbox)

    interaction = Interaction.objects.get(direction=Direction.INBOUND)
    assert list(Interaction.objects.filter(inbox=inbox)) == [interaction]
    channel, identity_kind, identity_value = EXPECTED[kind]
    assert (interaction.inbox, interaction.channel, interaction.direction) == (
        inbox, channel, Direction.INBOUND)
    assert interaction.text.strip() == TEST_TEXT
    author = interaction.author_identity
    assert author is not None and author.kind == identity_kind
    if identity_value is not None:
        assert author.value == identity_value
    conversation = interaction.conversation
    assert conversation.tags == ["test"]
    assert conversation.customer.name == TEST_NAME
    assert f"Recorded in conversation #{conversation.pk}." in page
    assert (f'<a href="{reverse("conversation", args=[conversation.pk])}">Open conversation '
            f"#{conversation.pk}</a>") in page

    # The result is shown once; the next visit shows the button alone.
    again = admin_client.get(reverse("settings-inbox", args=[inbox.pk])).content.decode()
    assert "Recorded in conversation" not in again
    assert "Send a test event" in again


def test_a_second_test_joins_the_test_conversation(admin_client, chat_inbox):
    send_test(admin_client, chat_inbox)
    page = send_test(admin_client, chat_inbox)
    first, second = Interaction.objects.filter(direction=Direction.INBOUND).order_by("id")
    assert first.conversation_id == second.conversation_id
    assert first.customer_id == second.customer_id
    assert f"Recorded in conversation #{first.conversation_id}." in page


def test_an_email_test_goes_through_the_address_of_the_mailbox(admin_client, email_inbox):
    other = Inbox.objects.create(kind="email", name="Sales", slug="sales",
                                 address="sales@omnidesk.test")
    send_test(admin_client, other)
    interaction = Interaction.objects.get(direction=Direction.INBOUND)
    assert interaction.inbox == other
    assert interaction.meta["source"] == "inbox test (settings page)"


def test_a_mailbox_whose_address_another_inbox_claims_is_told_so(admin_client, team_a):
    # An older mailbox lists the address as an alias: mail to it lands there, and the test
    # says so instead of pretending.
    Inbox.objects.create(kind="email", name="Old mailbox", slug="old",
                         address="old@omnidesk.test",
                         config={"aliases": ["support@omnidesk.test"]})
    mailbox = Inbox.objects.create(kind="email", name="Support mail", slug="support",
                                   address="support@omnidesk.test", team=team_a)
    page = send_test(admin_client, mailbox)
    interaction = Interaction.objects.get(direction=Direction.INBOUND)
    assert interaction.inbox.name == "Old mailbox"
    assert ("The test message was recorded in another inbox, “Old mailbox”: check this "
            "inbox&#x27;s address.") in page
    assert interaction.conversation.tags == ["test"]


def test_a_mailbox_with_an_automatic_answer_says_it_is_queued(admin_client, email_inbox,
                                                              settings):
    settings.OMNIDESK_EMAIL_RATE_LIMIT = 0  # earlier runs' tests counted in Redis
    email_inbox.config = {"acknowledgement": {"body": "Thanks, we read every message."}}
    email_inbox.save()
    page = send_test(admin_client, email_inbox)
    conversation_id = Interaction.objects.get(direction=Direction.INBOUND).conversation_id
    assert (f"Recorded in conversation #{conversation_id}. Its automatic answer is queued "
            f"to {TEST_EMAIL} (example.com takes no mail).") in page


def test_a_test_sender_over_the_email_loop_limit_is_flagged_as_a_real_one_would_be(
    admin_client, email_inbox, settings
):
    settings.OMNIDESK_EMAIL_RATE_LIMIT = 1
    send_test(admin_client, email_inbox)
    page = send_test(admin_client, email_inbox)
    _, second = Interaction.objects.filter(direction=Direction.INBOUND).order_by("id")
    assert second.meta["loop_limited"] is True
    assert (f"Recorded in conversation #{second.conversation_id}. The email intake flagged "
            "it (loop_limited): sender over the loop limit") in page


def test_an_inactive_inbox_is_refused_and_nothing_is_recorded(admin_client, api_inbox):
    api_inbox.is_active = False
    api_inbox.save()
    page = send_test(admin_client, api_inbox)
    assert "The inbox is inactive, so it takes nothing in" in page
    assert not Interaction.objects.exists()


def test_a_twilio_number_without_an_auth_token_says_twilio_would_be_refused(
    admin_client, twilio_inbox, settings
):
    settings.TWILIO_AUTH_TOKEN = ""
    twilio_inbox.secrets = {}
    twilio_inbox.save()
    page = send_test(admin_client, twilio_inbox)
    assert "The number has no auth token" in page
    assert not Interaction.objects.exists()


def test_the_twilio_test_is_checked_by_the_webhooks_signature_check(
    admin_client, twilio_inbox, settings
):
    # A demo install's placeholder token is refused by the webhook whoever signs with it:
    # the test goes through that check, so it fails as Twilio's request would.
    twilio_inbox.secrets = {"auth_token": "demo-placeholder-not-a-real-twilio-token"}
    twilio_inbox.save()
    page = send_test(admin_client, twilio_inbox)
    assert "Our Twilio webhook answered 403: Twilio signature check failed." in page
    assert not Interaction.objects.exists()


def test_a_whatsapp_only_number_gets_a_whatsapp_message(admin_client, twilio_inbox):
    twilio_inbox.config = {**twilio_inbox.config, "capabilities": ["whatsapp"]}
    twilio_inbox.save()
    send_test(admin_client, twilio_inbox)
    interaction = Interaction.objects.get(direction=Direction.INBOUND)
    assert (interaction.inbox, interaction.channel) == (twilio_inbox, "whatsapp")


@pytest.mark.parametrize("who", ["lead", "agent_a", "outsider"])
def test_only_admins_send_test_events(request, api_inbox, who):
    client = Client()
    client.force_login(request.getfixturevalue(who))
    response = client.post(reverse("settings-inbox-test", args=[api_inbox.pk]))
    assert response.status_code == 403
    assert not Interaction.objects.exists()


def test_a_test_event_is_sent_by_post_only(admin_client, api_inbox):
    response = admin_client.get(reverse("settings-inbox-test", args=[api_inbox.pk]))
    assert response.status_code == 405
    assert not Interaction.objects.exists()
