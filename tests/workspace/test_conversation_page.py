"""The conversation page: one timeline across channels, the customer's earlier
conversations folded in, the "new since you last looked" line, the composer's channels
with their reasons, and a query count that does not grow with the timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conversations.actions.ingest import do_record_inbound
from conversations.actions.note import do_add_note
from conversations.actions.update import do_update_conversation
from conversations.models import Conversation, ConversationStatus, Interaction
from conversations.reply_options import reply_options
from tests.factories import inbound

pytestmark = pytest.mark.django_db


def test_one_timeline_holds_chat_email_and_call_in_order(dana, agent_a, signed_in):
    html = signed_in(agent_a).get(f"/conversations/{dana.pk}/").content.decode()
    chat = html.index("my refund for order 20418 is late")
    email = html.index("Still nothing on my card.")
    call = html.index("Incoming call")
    assert chat < email < call
    assert "Customer switched from chat to email" in html
    assert "Show quoted text" in html and "We are on it" in html  # folded, kept
    assert "4:12" in html and "Answered" in html  # the call's duration and outcome


def test_the_page_marks_what_is_new_since_the_agent_last_looked(dana, email_inbox, agent_a,
                                                                 signed_in):
    client = signed_in(agent_a)
    assert "New since you last looked" not in client.get(f"/conversations/{dana.pk}/")\
        .content.decode()
    do_record_inbound(inbound(email_inbox, "email", "email", "dana@example.com", "Hello again",
                              provider_id="<e9@x>", occurred_at=timezone.now()))
    html = client.get(f"/conversations/{dana.pk}/").content.decode()
    timeline = html[html.index('id="timeline"'):]
    assert timeline.index("New since you last looked") < timeline.index("Hello again")
    assert "New since you last looked" not in client.get(f"/conversations/{dana.pk}/")\
        .content.decode()


def test_earlier_conversations_fold_in_collapsed(dana, email_inbox, agent_a, signed_in):
    do_update_conversation(dana, by=agent_a, changes={"status": ConversationStatus.RESOLVED})
    later = do_record_inbound(inbound(email_inbox, "email", "email", "dana@example.com",
                                      "A new question", provider_id="<n1@x>",
                                      subject="New matter")).conversation
    assert later.pk != dana.pk
    client = signed_in(agent_a)
    html = client.get(f"/conversations/{later.pk}/").content.decode()
    assert f'data-embed-url="/conversations/{dana.pk}/timeline/?embed=1"' in html
    assert "<details class=\"earlier-conv\"" in html  # collapsed until opened
    embedded = client.get(f"/conversations/{dana.pk}/timeline/?embed=1").content.decode()
    assert "Still nothing on my card." in embedded


def test_reply_options_say_why_a_channel_is_unavailable(dana, bo, twilio_inbox):
    options = reply_options(dana)
    assert options.default == "sms"  # the last inbound was a call: answer by text
    email = options.get("email")
    assert email is not None and email.available and email.address == "dana@example.com"
    bo_options = reply_options(bo)
    sms = bo_options.get("sms")
    assert sms is not None and not sms.available
    assert sms.reason == "The customer has no phone identity to reply to on sms."


def test_whatsapp_outside_its_window_offers_the_template(dana, twilio_inbox):
    twilio_inbox.config = {**twilio_inbox.config, "whatsapp": True}
    twilio_inbox.save()
    options = reply_options(dana)
    whatsapp = options.get("whatsapp")
    assert whatsapp is not None and whatsapp.template_only
    assert "send an approved template" in whatsapp.reason


def test_conversation_page_queries_do_not_grow_with_200_interactions(
    dana, agent_a, signed_in, django_assert_num_queries
):
    client = signed_in(agent_a)
    client.get(f"/conversations/{dana.pk}/")
    start = timezone.now() - timedelta(days=1)
    Interaction.objects.bulk_create([
        Interaction(conversation=dana, customer_id=dana.customer_id, channel="internal",
                    direction="internal", kind="note", author_agent=agent_a, text=f"Note {n}",
                    occurred_at=start + timedelta(seconds=n))
        for n in range(200)
    ])
    with django_assert_num_queries(QUERIES_OF_A_CONVERSATION_PAGE):
        response = client.get(f"/conversations/{dana.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Show earlier messages" in html and html.count('data-item-id=') == 50


# session, user, agent, teams; the conversation (access, then with its relations); the
# read mark (read, upsert); the timeline page, its attachments; earlier conversations;
# the customer, identities, consents and conversations, the CSAT answers and articles
# read (one query over their timeline events); agents and
# teams (header);
# reply options (a few a registered written channel: email, SMS, WhatsApp, chat and the test
# settings' toy pigeon channel); canned responses, macros, agents to mention; the list
# pane's filter bar (inboxes; its rows come after, from /inbox/rows/); the newest event id.
QUERIES_OF_A_CONVERSATION_PAGE = 47


def test_an_agent_of_another_team_gets_404s(dana, agent_b, signed_in):
    client = signed_in(agent_b)
    for path in (f"/conversations/{dana.pk}/", f"/conversations/{dana.pk}/header/",
                 f"/conversations/{dana.pk}/timeline/",
                 f"/conversations/{dana.pk}/items/{dana.interactions.first().pk}/"):
        assert client.get(path).status_code == 404, path
    note = client.post(f"/conversations/{dana.pk}/reply/", {"mode": "note", "body": "x"})
    assert note.status_code == 404
    assert not Conversation.objects.get(pk=dana.pk).interactions.filter(text="x").exists()


def test_a_timeline_item_answers_with_its_current_state(dana, agent_a, signed_in):
    note = do_add_note(conversation=dana, author=agent_a, text="Call the bank")
    html = signed_in(agent_a).get(f"/conversations/{dana.pk}/items/{note.pk}/").content.decode()
    assert f'data-item-id="{note.pk}"' in html and "Internal" in html and "Call the bank" in html


def test_html_from_an_interactions_meta_is_cleaned_before_it_is_shown(dana, agent_a,
                                                                      signed_in):
    email = dana.interactions.get(channel="email")
    email.html = "<p>Still nothing on my card.</p>"
    email.meta = {**email.meta, "full_html": '<p>Still nothing.</p><img src=x onerror="alert(1)">'
                  "<script>alert(2)</script><blockquote>old</blockquote>"}
    email.save()
    html = signed_in(agent_a).get(f"/conversations/{dana.pk}/items/{email.pk}/").content.decode()
    assert "<blockquote>old</blockquote>" in html
    assert "onerror" not in html and "alert(2)" not in html
