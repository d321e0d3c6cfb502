"""The inbound pipeline's round trips, pinned, and its hand-written INSERT checked
against the ORM's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from conversations.actions.ingest import do_record_inbound
from conversations.hotpath import insert_interaction_unless_recorded
from conversations.models import Conversation, Interaction
from jobs.models import Job
from tests.factories import inbound

pytestmark = pytest.mark.django_db


def statements(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"].split(" ", 1)[0] for q in captured.captured_queries]


@pytest.mark.django_db(transaction=True)  # a real BEGIN and COMMIT, not a test savepoint
def test_a_known_customers_email_costs_seven_statements(email_inbox):
    do_record_inbound(inbound(email_inbox, "email", "email", "ann@example.com", "first",
                              provider_id="<1@x>"))
    with CaptureQueriesContext(connection) as captured:
        result = do_record_inbound(inbound(email_inbox, "email", "email", "ann@example.com",
                                           "second", provider_id="<2@x>"))
    assert result.created and not result.conversation_created
    assert result.conversation.assignee_id is None and result.conversation.team_id is not None
    # Outer transaction, sender and customer locked, conversation locked (with the team,
    # assignee and SLA clock the payload names), the interaction, the conversation, the
    # realtime events with their audience rows (one statement: realtime.rows). No routing
    # job: the conversation already waits in its team's queue. No savepoint, no re-read
    # of customer or team; the SLA policies are the process's copy (omnidesk.config_cache);
    # CSAT passes an email over unread.
    assert statements(captured) == [
        "BEGIN", "SELECT", "SELECT", "INSERT", "UPDATE", "WITH", "COMMIT",
    ]
    assert not Job.objects.filter(task="routing.tasks.route_inbound_task",
                                  args__1=result.interaction.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_a_message_into_an_assigned_conversation_costs_no_routing_job(email_inbox, agent_a):
    first = do_record_inbound(inbound(email_inbox, "email", "email", "ann@example.com",
                                      "first", provider_id="<1@x>"))
    Conversation.objects.filter(pk=first.conversation.pk).update(assignee=agent_a)
    jobs_before = Job.objects.count()
    with CaptureQueriesContext(connection) as captured:
        result = do_record_inbound(inbound(email_inbox, "email", "email", "ann@example.com",
                                           "second", provider_id="<2@x>"))
    assert result.conversation.pk == first.conversation.pk
    # Rules run on new conversations and channel switches, and it needs no assignment.
    assert statements(captured) == [
        "BEGIN", "SELECT", "SELECT", "INSERT", "UPDATE", "WITH", "COMMIT",
    ]
    assert Job.objects.count() == jobs_before


@pytest.mark.django_db(transaction=True)
def test_a_channel_switch_into_an_assigned_conversation_is_routed(email_inbox, chat_inbox,
                                                                  agent_a):
    first = do_record_inbound(inbound(email_inbox, "email", "email", "ann@example.com",
                                      "first", provider_id="<1@x>"))
    Conversation.objects.filter(pk=first.conversation.pk).update(assignee=agent_a)
    jobs_before = Job.objects.filter(task="routing.tasks.route_inbound_task").count()
    switched = do_record_inbound(inbound(chat_inbox, "chat", "email", "ann@example.com",
                                         "now by chat", provider_id="c-2"))
    assert switched.conversation.pk == first.conversation.pk
    assert Job.objects.filter(task="routing.tasks.route_inbound_task").count() == jobs_before + 1


def test_a_providers_retry_writes_nothing_and_returns_the_original(email_inbox):
    first = do_record_inbound(inbound(email_inbox, "email", "email", "ann@example.com", "hi",
                                      provider_id="<1@x>"))
    retry = do_record_inbound(inbound(email_inbox, "email", "email", "ann@example.com", "hi",
                                      provider_id="<1@x>"))
    assert not retry.created
    assert retry.interaction.pk == first.interaction.pk
    assert Interaction.objects.count() == 1
    assert Conversation.objects.count() == 1


def test_the_hand_written_insert_stores_what_save_stores(email_inbox):
    conversation = do_record_inbound(
        inbound(email_inbox, "email", "email", "ann@example.com", "hi", provider_id="<1@x>")
    ).conversation
    at = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def unsaved(provider_id: str) -> Interaction:
        return Interaction(
            conversation=conversation, customer_id=conversation.customer_id, inbox=email_inbox,
            channel="email", direction="in", kind="message", text="Ünïcode ✓", html="<p>x</p>",
            subject="S", provider_id=provider_id, status="received",
            meta={"headers": {"x": ["1", 2]}}, raw={"k": None}, occurred_at=at,
        )

    by_orm = unsaved("<orm@x>")
    by_orm.save()
    by_sql = unsaved("<sql@x>")
    assert insert_interaction_unless_recorded(by_sql) is True
    assert by_sql.pk is not None and not by_sql._state.adding

    ignored = {"id", "provider_id"}
    stored_orm = model_to_dict(Interaction.objects.get(pk=by_orm.pk))
    stored_sql = model_to_dict(Interaction.objects.get(pk=by_sql.pk))
    assert {k: v for k, v in stored_sql.items() if k not in ignored} == {
        k: v for k, v in stored_orm.items() if k not in ignored
    }
    stamped = Interaction.objects.get(pk=by_sql.pk)
    assert (stamped.created_at, stamped.updated_at) == (by_sql.created_at, by_sql.updated_at)

    again = unsaved("<sql@x>")
    assert insert_interaction_unless_recorded(again) is False
    assert again.pk is None
    assert Interaction.objects.filter(provider_id="<sql@x>").count() == 1


def test_a_participants_message_leaves_the_conversation_with_its_customer(email_inbox):
    first = do_record_inbound(inbound(email_inbox, "email", "email", "ann@example.com", "hi",
                                      provider_id="<1@x>", participants=["bo@example.com"]))
    reply = do_record_inbound(inbound(email_inbox, "email", "email", "bo@example.com", "me too",
                                      provider_id="<2@x>", thread_refs=["<1@x>"]))
    assert reply.conversation.pk == first.conversation.pk
    assert reply.interaction.customer_id == first.conversation.customer_id
    stored = Conversation.objects.get(pk=first.conversation.pk)
    assert stored.customer_id == first.conversation.customer_id
    assert reply.interaction.author_identity.value == "bo@example.com"


def test_thread_refs_the_adapter_resolved_are_not_looked_up_again(email_inbox):
    first = do_record_inbound(inbound(email_inbox, "email", "email", "ann@example.com", "hi",
                                      provider_id="<1@x>"))

    def reply(n: int, known: dict[str, int] | None) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            result = do_record_inbound(inbound(
                email_inbox, "email", "email", "ann@example.com", "again",
                provider_id=f"<r{n}@x>", thread_refs=["<1@x>"], use_continuity=False,
                thread_ref_conversations=known,
            ))
        return result.conversation.pk, len(captured.captured_queries)

    looked_up, with_lookup = reply(1, None)
    given, without_lookup = reply(2, {"<1@x>": first.conversation.pk})
    assert looked_up == given == first.conversation.pk
    assert without_lookup == with_lookup - 1


def test_a_retried_raw_message_leaves_no_second_file(email_inbox, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)

    def event() -> object:
        return inbound(email_inbox, "email", "email", "ann@example.com", "hi",
                       provider_id="<raw@x>", raw_bytes=b"From: ann@example.com\r\n\r\nhi\r\n",
                       raw_filename="message.eml")

    first = do_record_inbound(event())
    retry = do_record_inbound(event())
    assert not retry.created
    stored = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert [p.relative_to(tmp_path).as_posix() for p in stored] == [first.interaction.raw_file.name]
    assert stored[0].read_bytes() == b"From: ann@example.com\r\n\r\nhi\r\n"
