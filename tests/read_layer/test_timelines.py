"""The conversation timeline, the customer timeline across conversations and the screen
pop's history: what each shows to whom, in which order, and their pinned query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.http import Http404
from django.utils import timezone

from conversations.actions.ingest import do_record_inbound
from conversations.actions.note import do_add_note
from conversations.keyset import Ordering, PageRequest
from conversations.models import Interaction, InteractionKind
from conversations.payloads import interaction_payload
from conversations.queries import InvalidFilter, conversation_timeline, timeline_ordering
from customers.actions.profile import do_add_identity
from customers.payloads import screen_pop_history_payload
from customers.queries import customer_timeline, screen_pop_history
from tests.factories import inbound

pytestmark = pytest.mark.django_db

ASC = Ordering("test-timeline:asc", "occurred_at", descending=False)
DESC = Ordering("test-timeline:desc", "occurred_at", descending=True)


@pytest.fixture
def dana(email_inbox, twilio_inbox, email_inbox_b, lead):
    """Dana emails Team A, texts and calls the same conversation, and emails Team B about
    something else; a lead notes the first conversation. Returns her interactions."""
    t0 = timezone.now() - timedelta(hours=5)
    first = do_record_inbound(inbound(email_inbox, "email", "email", "dana@example.com",
                                      "Order 1042 is late", provider_id="<d1@x>", occurred_at=t0,
                                      sender_name="Dana Reyes"))
    do_add_identity(first.conversation.customer, "phone", "+14155550134")
    sms = do_record_inbound(inbound(twilio_inbox, "sms", "phone", "+14155550134", "Any news?",
                                    provider_id="SM1", occurred_at=t0 + timedelta(hours=1)))
    call = do_record_inbound(inbound(twilio_inbox, "voice", "phone", "+14155550134", "",
                                     provider_id="CA1", occurred_at=t0 + timedelta(hours=2),
                                     kind=InteractionKind.CALL))
    billing = do_record_inbound(inbound(email_inbox_b, "email", "email", "dana@example.com",
                                        "Invoice question", provider_id="<d2@x>",
                                        occurred_at=t0 + timedelta(hours=3),
                                        use_continuity=False))
    note = do_add_note(conversation=first.conversation, author=lead, text="VIP, be quick")
    return {"first": first, "sms": sms, "call": call, "billing": billing, "note": note}


def _texts(page):
    return [(i.kind, i.channel, i.text) for i in page.items]


def test_conversation_timeline_in_order_and_by_cursor(dana, agent_a):
    conversation = dana["first"].conversation
    whole = conversation_timeline(agent_a, conversation.pk, ASC, PageRequest())
    assert _texts(whole) == [
        ("message", "email", "Order 1042 is late"),
        ("message", "sms", "Any news?"),
        ("event", "internal", "Customer switched from email to sms"),
        ("call", "voice", ""),
        ("event", "internal", "Customer switched from sms to voice"),
        ("note", "internal", "VIP, be quick"),
    ]
    seen, cursor = [], None
    while True:
        page = conversation_timeline(agent_a, conversation.pk, DESC,
                                     PageRequest(cursor=cursor, size=4))
        seen += page.items
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == list(reversed(whole.items))
    with pytest.raises(InvalidFilter):  # a descending cursor does not page ascending
        conversation_timeline(agent_a, conversation.pk, ASC, PageRequest(cursor=cursor))


def test_conversation_timeline_of_another_team_is_404(dana, agent_a, agent_b):
    with pytest.raises(Http404):
        conversation_timeline(agent_b, dana["first"].conversation.pk, ASC, PageRequest())
    with pytest.raises(Http404):
        conversation_timeline(agent_a, 2**63 + 5, ASC, PageRequest())


def test_customer_timeline_shows_only_what_the_user_may_see(dana, agent_a, agent_b, lead):
    customer_id = dana["first"].conversation.customer_id
    assert "Invoice question" not in [t for *_, t in _texts(
        customer_timeline(agent_a, customer_id, ASC, PageRequest()))]
    assert _texts(customer_timeline(agent_b, customer_id, ASC, PageRequest())) == [
        ("message", "email", "Invoice question")]
    everything = customer_timeline(lead, customer_id, DESC, PageRequest(with_total=True))
    assert everything.total == 7
    assert everything.items[0].text == "VIP, be quick"


def test_timeline_order_is_read_from_the_query_string():
    assert timeline_ordering("x", {}).descending is False
    assert timeline_ordering("x", {"order": "desc"}).descending is True
    with pytest.raises(InvalidFilter) as caught:
        timeline_ordering("x", {"order": "sideways"})
    assert caught.value.param == "order"


def test_screen_pop_history_is_the_callers_recent_visible_messages_newest_first(
    dana, agent_a
):
    call = dana["call"].interaction
    history = screen_pop_history(agent_a, call.customer_id, exclude_interaction_id=call.pk)
    assert history.customer.name == "Dana Reyes"
    assert [(i.kind, i.text) for i in history.interactions] == [
        ("note", "VIP, be quick"), ("message", "Any news?"), ("message", "Order 1042 is late")]
    payload = screen_pop_history_payload(history)
    assert [(i["kind"], i["value"]) for i in payload["customer"]["identities"]] == [
        ("email", "dana@example.com"), ("phone", "+14155550134")]
    assert payload["history"] == [interaction_payload(i) for i in history.interactions]
    assert len(screen_pop_history(agent_a, call.customer_id, size=2).interactions) == 2


def _attach(interaction: Interaction, n: int) -> None:
    attachment = interaction.attachments.create(name=f"photo{n}.jpg", content_type="image/jpeg")
    attachment.file.save(f"p{n}.jpg", ContentFile(b"jpg"))


def _more(dana, count, start=0):
    for n in range(start, start + count):
        result = do_record_inbound(inbound(dana["sms"].interaction.inbox, "sms", "phone",
                                           "+14155550134", f"more {n}", provider_id=f"SM-m{n}"))
        _attach(result.interaction, n)


@pytest.mark.parametrize(("persona", "extra"), [("lead", 0), ("agent_a", 1)])
def test_timeline_query_counts_are_pinned_and_independent_of_rows(
    persona, extra, request, dana, fresh, django_assert_num_queries
):
    """Conversation timeline: agent, conversation, page, attachments. Customer timeline:
    agent, customer, page, attachments. Screen pop: agent, customer, identities,
    history, attachments. An agent's teams cost one more, once."""
    user = request.getfixturevalue(persona)
    conversation = dana["first"].conversation
    customer_id = conversation.customer_id
    for rows in (0, 8):
        _more(dana, rows, start=100 + rows)
        as_new = fresh(user)
        with django_assert_num_queries(4 + extra):
            conversation_page = conversation_timeline(as_new, conversation.pk, ASC,
                                                      PageRequest())
        as_new = fresh(user)
        with django_assert_num_queries(4 + extra):
            customer_page = customer_timeline(as_new, customer_id, DESC, PageRequest())
        as_new = fresh(user)
        with django_assert_num_queries(5 + extra):
            pop = screen_pop_history(as_new, customer_id)
        with django_assert_num_queries(0):
            [interaction_payload(i) for i in conversation_page.items + customer_page.items]
            screen_pop_history_payload(pop)
    assert len(conversation_page.items) == 6 + 8 + 1  # and the switch back to sms
