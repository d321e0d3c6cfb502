"""The inbox list at `/`: rows as UI.md draws them (customer, preview, channels with
the waiting one, assignee, tags, SLA, unread), filters in the URL, live rows, and a query
count that does not grow with the rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conversations.actions.ingest import do_record_inbound
from conversations.actions.note import do_add_note
from conversations.actions.reads import do_mark_read
from conversations.actions.reply import do_send_reply
from conversations.models import Conversation
from tests.factories import inbound
from workspace.sla import derived_sla

pytestmark = pytest.mark.django_db


def test_the_pipeline_the_reply_and_the_note_write_the_preview(dana, agent_a, email_inbox):
    assert dana.last_message_preview == "Call"
    do_record_inbound(inbound(email_inbox, "email", "email", "dana@example.com",
                              "Any   news\non the refund?", provider_id="<e2@x>"))
    dana.refresh_from_db()
    assert dana.last_message_preview == "Any news on the refund?"
    agent_a.first_name = "Sam"
    agent_a.save()
    do_send_reply(conversation=dana, author=agent_a, text="It went out today.", channel="email")
    dana.refresh_from_db()
    assert dana.last_message_preview == "Sam: It went out today."
    do_add_note(conversation=dana, author=agent_a, text="Checked with the bank")
    dana.refresh_from_db()
    assert dana.last_message_preview == "Note: Checked with the bank"


def test_rows_show_name_or_identity_preview_channels_and_unread(
    dana, twilio_inbox, agent_a, signed_in
):
    unknown = do_record_inbound(inbound(twilio_inbox, "sms", "phone", "+14155550999",
                                        "Who do I talk to?", provider_id="SM-u1")).conversation
    page = signed_in(agent_a).get("/?view=my_teams")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'data-row-id="{unknown.pk}"' in html
    assert "+14155550999" in html  # no name: the identity stands in
    assert "Who do I talk to?" in html
    assert "Dana Reyes" in html
    # Dana waits since her chat: the oldest unanswered inbound's channel is highlighted
    assert 'title="Chat, waiting for a reply"' in html
    assert html.count("is-unread") == 2
    do_mark_read(agent_a, dana.pk)
    html = signed_in(agent_a).get("/").content.decode()
    assert html.count("is-unread") == 1


def test_filters_live_in_the_url_and_a_bad_one_is_a_400(dana, bo, lead, signed_in):
    client = signed_in(lead)
    html = client.get("/?view=all&channel=chat").content.decode()
    assert f'data-row-id="{dana.pk}"' in html and f'data-row-id="{bo.pk}"' not in html
    html = client.get("/?view=all&channel=email").content.decode()
    assert f'data-row-id="{bo.pk}"' in html and f'data-row-id="{dana.pk}"' not in html
    html = client.get("/?view=all&status=resolved").content.decode()
    assert "data-row-id" not in html and "No conversations here" in html
    bad = client.get("/?view=all&priority=sky-high")
    assert bad.status_code == 400
    assert "priority" in bad.content.decode()


def test_sla_filter_and_chip_follow_the_due_times(dana, bo, lead, signed_in):
    now = timezone.now()
    Conversation.objects.filter(pk=dana.pk).update(
        awaiting_since=now - timedelta(hours=3), first_response_due_at=now - timedelta(minutes=5))
    Conversation.objects.filter(pk=bo.pk).update(
        awaiting_since=now - timedelta(minutes=30), first_response_due_at=now + timedelta(hours=3))
    client = signed_in(lead)
    breached = client.get("/?view=all&sla=breached").content.decode()
    assert f'data-row-id="{dana.pk}"' in breached and f'data-row-id="{bo.pk}"' not in breached
    ok = client.get("/?view=all&sla=ok").content.decode()
    assert f'data-row-id="{bo.pk}"' in ok and f'data-row-id="{dana.pk}"' not in ok
    assert 'data-sla-state="ok"' in ok and "data-sla-risk=" in ok
    bo.refresh_from_db()
    sla = derived_sla(bo, now)
    assert (sla.state, sla.due) == ("ok", bo.first_response_due_at)
    assert derived_sla(bo, bo.first_response_due_at - timedelta(minutes=10)).state == "at_risk"


def test_one_row_answers_for_the_list_it_belongs_to(dana, bo, lead, agent_a, signed_in):
    client = signed_in(agent_a)
    row = client.get(f"/inbox/rows/{dana.pk}/?view=my_teams")
    assert row.status_code == 200 and f'data-row-id="{dana.pk}"' in row.content.decode()
    assert client.get(f"/inbox/rows/{dana.pk}/?view=mine").status_code == 204  # not hers
    assert client.get(f"/inbox/rows/{bo.pk}/?view=my_teams").status_code == 204  # team B
    assert client.get(f"/inbox/rows/{dana.pk}/?view=all").status_code == 400  # leads only


def test_inbox_page_queries_do_not_grow_with_rows(
    dana, twilio_inbox, agent_a, signed_in, django_assert_num_queries
):
    client = signed_in(agent_a)
    client.get("/")  # warm the session's user
    # session, user, agent, teams, list page, identities, inboxes, realtime id,
    # and the shell's navigation (agent)
    with django_assert_num_queries(8):
        assert client.get("/").status_code == 200
    for n in range(12):
        do_record_inbound(inbound(twilio_inbox, "sms", "phone", f"+141555503{n:02d}", "hi",
                                  provider_id=f"SM-q{n}", sender_name=f"Q {n}"))
    with django_assert_num_queries(8):
        assert client.get("/").status_code == 200


def test_the_next_page_comes_by_cursor(twilio_inbox, lead, signed_in):
    for n in range(35):
        do_record_inbound(inbound(twilio_inbox, "sms", "phone", f"+141555504{n:02d}", "hi",
                                  provider_id=f"SM-p{n}"))
    client = signed_in(lead)
    html = client.get("/?view=all").content.decode()
    assert html.count("data-row-id=") == 30
    start = html.index('data-next-url="') + len('data-next-url="')
    url = html[start:html.index('"', start)].replace("&amp;", "&")
    more = client.get(url).content.decode()
    assert more.count("data-row-id=") == 5 and "data-next-url" not in more
