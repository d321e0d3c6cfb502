"""omnidesk.fastsql and the pipeline's statements built with it (conversations.hotpath):
the same instances, related objects and rows as the ORM's, without compiling per call."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conversations import hotpath
from conversations.actions.ingest import do_record_inbound
from conversations.models import Conversation, ConversationStatus
from customers.models import Customer, Identity
from jobs.models import Job
from omnidesk.fastsql import CompiledSelect, insert_row, update_row
from routing.models.clock import ConversationSLA
from tests.factories import inbound

pytestmark = pytest.mark.django_db

RELATIONS = ("customer", "team", "assignee", "sla_clock")


def _same(by_sql: object, by_orm: object) -> None:
    assert type(by_sql) is type(by_orm)
    concrete = by_orm._meta.concrete_fields  # type: ignore[attr-defined]
    assert [getattr(by_sql, f.attname) for f in concrete] == [
        getattr(by_orm, f.attname) for f in concrete
    ]
    assert by_sql.__dict__.keys() == by_orm.__dict__.keys()
    for name, value in vars(by_orm).items():
        if not name.startswith("_"):
            assert getattr(by_sql, name) == value, name
    assert by_sql._state.db == by_orm._state.db  # type: ignore[attr-defined]
    assert by_sql._state.adding is by_orm._state.adding is False  # type: ignore[attr-defined]


def _same_conversation(by_sql: Conversation, by_orm: Conversation) -> None:
    _same(by_sql, by_orm)
    with CaptureQueriesContext(connection) as captured:  # all loaded with the row
        for relation in RELATIONS:
            related_sql = getattr(by_sql, relation, None)
            related_orm = getattr(by_orm, relation, None)
            if related_orm is None:
                assert related_sql is None, relation
            else:
                _same(related_sql, related_orm)
    assert captured.captured_queries == []


@pytest.fixture
def recorded(email_inbox, agent_a):
    first = do_record_inbound(inbound(email_inbox, "email", "email", "ann@example.com",
                                      "Ünïcode ✓", provider_id="<1@x>", sender_name="Ann"))
    return first


def test_the_sender_lock_loads_what_the_orm_loads(recorded):
    with transaction.atomic():
        by_sql = hotpath.lock_known_sender("email", "ann@example.com")
        by_orm = hotpath._identity_locking_customer("email", "ann@example.com").first()
        assert by_sql is not None and by_orm is not None
        _same(by_sql, by_orm)
        with CaptureQueriesContext(connection) as captured:
            _same(by_sql.customer, by_orm.customer)
        assert captured.captured_queries == []
        assert hotpath.lock_known_sender("email", "nobody@example.com") is None
        # A value like the made-up one is still just a parameter.
        assert hotpath.lock_known_sender("email", "\ue000value") is None


def test_the_conversation_locks_load_what_the_orm_loads(recorded, agent_a):
    conversation = recorded.conversation
    for assignee in (None, agent_a):
        Conversation.objects.filter(pk=conversation.pk).update(assignee=assignee)
        since = timezone.now() - timedelta(days=7)
        with transaction.atomic():
            _same_conversation(hotpath.lock_conversation(conversation.pk),
                               hotpath._conversation(conversation.pk).first())
            customer = Customer.objects.get(pk=conversation.customer_id)
            continued = hotpath.lock_continued_conversation(customer, since)
            _same_conversation(
                continued, hotpath._conversation(conversation.pk).first()
            )
            assert continued.customer is customer  # the caller's, not read again


def test_a_conversation_without_a_team_or_clock_loads_them_as_none(recorded):
    conversation = recorded.conversation
    ConversationSLA.objects.filter(conversation=conversation).delete()
    Conversation.objects.filter(pk=conversation.pk).update(team=None)
    with transaction.atomic():
        by_sql = hotpath.lock_conversation(conversation.pk)
        assert by_sql is not None
        _same_conversation(by_sql, hotpath._conversation(conversation.pk).first())
        assert by_sql.team is None
        with pytest.raises(ConversationSLA.DoesNotExist):
            by_sql.sla_clock  # noqa: B018 - the ORM's select_related says the same


def test_the_continued_conversation_is_the_newest_unresolved_in_the_window(recorded):
    customer_id = recorded.conversation.customer_id
    older = recorded.conversation
    newer = Conversation.objects.create(customer_id=customer_id, subject="newer",
                                        last_activity_at=timezone.now())
    resolved = Conversation.objects.create(customer_id=customer_id, subject="done",
                                           status=ConversationStatus.RESOLVED,
                                           last_activity_at=timezone.now() + timedelta(1))
    since = timezone.now() - timedelta(hours=1)
    with transaction.atomic():
        customer = Customer.objects.get(pk=customer_id)
        found = hotpath.lock_continued_conversation(customer, since)
        assert found is not None and found.pk == newer.pk != resolved.pk
        assert hotpath.lock_continued_conversation(customer, timezone.now() + timedelta(2)) \
            is None
        assert hotpath.lock_conversation(older.pk).pk == older.pk  # type: ignore[union-attr]


def test_each_call_runs_one_statement_and_the_lock_is_taken(recorded):
    conversation_id = recorded.conversation.pk
    with transaction.atomic():
        hotpath.lock_conversation(conversation_id)  # compiled on first use
        with CaptureQueriesContext(connection) as captured:
            hotpath.lock_conversation(conversation_id)
        [query] = captured.captured_queries
        assert 'FOR NO KEY UPDATE OF "conversations_conversation"' in query["sql"]


def test_a_sentinel_found_twice_is_refused():
    twice = CompiledSelect(lambda value: Identity.objects.filter(kind=value, value=value),
                           ("\ue000x",))
    with pytest.raises(ValueError, match="2 times"):
        twice.first("email")


def test_insert_and_update_row_store_what_save_stores(recorded):
    at = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def unsaved(subject: str) -> Conversation:
        return Conversation(customer_id=recorded.conversation.customer_id, subject=subject,
                            last_activity_at=at, channels=["email", "sms"],
                            participants=["bo@example.com"], tags=["vip"])

    by_orm, by_sql = unsaved("same"), unsaved("same")
    by_orm.save()
    assert insert_row(by_sql) is True and not by_sql._state.adding
    for changed in (by_orm, by_sql):
        changed.status = ConversationStatus.PENDING
        changed.tags = ["vip", "late"]
        changed.last_activity_at = at + timedelta(hours=1)
    by_orm.save()
    update_row(by_sql)

    ignored = {"id", "created_at", "updated_at", "reply_token"}  # a random default each
    stored_orm = model_to_dict(Conversation.objects.get(pk=by_orm.pk))
    stored_sql = model_to_dict(Conversation.objects.get(pk=by_sql.pk))
    assert {k: v for k, v in stored_sql.items() if k not in ignored} == {
        k: v for k, v in stored_orm.items() if k not in ignored
    }
    stamped = Conversation.objects.get(pk=by_sql.pk)
    assert stamped.updated_at == by_sql.updated_at > by_sql.created_at


def test_insert_row_takes_the_database_default_free_job_row():
    job = Job(task="routing.tasks.assign_team_task", args=[1], run_at=timezone.now(),
              due_at=timezone.now())
    assert insert_row(job) and Job.objects.get(pk=job.pk).args == [1]


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [statement for (statement,) in cursor.fetchall()]


def test_the_hot_statements_are_prepared_once_per_connection(recorded):
    """Parsed and planned once: each later call executes the connection's prepared
    statement (Django's own cursors prepare nothing)."""
    conversation_id = recorded.conversation.pk
    with transaction.atomic():
        hotpath.lock_conversation(conversation_id)
        before = _prepared_statements()
        hotpath.lock_conversation(conversation_id)  # its second run: prepared
        prepared = _prepared_statements()
        [added] = [s for s in prepared if s not in before]
        assert 'FOR NO KEY UPDATE OF "conversations_conversation"' in added
        Conversation.objects.filter(pk=conversation_id).exists()
        hotpath.lock_conversation(conversation_id)
        assert _prepared_statements() == prepared


def test_a_prepared_statement_still_answers_after_a_rollback(recorded):
    """psycopg forgets its prepared statements on a rollback: they are prepared again."""
    conversation_id = recorded.conversation.pk
    hotpath.lock_conversation(conversation_id)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert hotpath.lock_conversation(conversation_id).pk == conversation_id
        raise RuntimeError
    with transaction.atomic():
        assert hotpath.lock_conversation(conversation_id).pk == conversation_id


def test_update_row_of_named_fields_writes_only_those(recorded):
    conversation = Conversation.objects.get(pk=recorded.conversation.pk)
    due = datetime(2030, 1, 2, 3, 4, tzinfo=UTC)
    stored_before = Conversation.objects.get(pk=conversation.pk)
    conversation.first_response_due_at = due
    conversation.subject = "not written"
    update_row(conversation, ("first_response_due_at",))
    stored = Conversation.objects.get(pk=conversation.pk)
    assert stored.first_response_due_at == due
    assert stored.subject == stored_before.subject
    assert stored.updated_at == stored_before.updated_at  # as .update() and update_fields


def test_insert_row_writes_the_given_key_of_a_one_to_one(recorded):
    """The SLA clock's key is its conversation's: written, not generated."""
    conversation = recorded.conversation
    ConversationSLA.objects.filter(conversation=conversation).delete()
    clock = ConversationSLA(conversation=conversation, target="first_response", channel="email",
                            target_seconds=3600)
    assert insert_row(clock) is True and not clock._state.adding
    assert clock.pk == conversation.pk
    stored = ConversationSLA.objects.get(pk=conversation.pk)
    assert (stored.target, stored.channel, stored.target_seconds, stored.warn_percent) == (
        "first_response", "email", 3600, 75)
