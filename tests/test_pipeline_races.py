"""Racing first contacts and racing provider retries on real PostgreSQL connections."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from conversations.actions.ingest import do_record_inbound
from conversations.inbound import IngestResult
from conversations.models import Conversation, Interaction, InteractionKind
from customers.models import Customer, Identity
from tests.factories import inbound

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8
ROUNDS = 6


def race(calls: list[Callable[[], IngestResult]]) -> list[IngestResult]:
    """Run every call in its own thread and DB connection, released at once by a barrier."""
    barrier = threading.Barrier(len(calls))
    results: list[IngestResult | BaseException] = [None] * len(calls)  # type: ignore[list-item]

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = calls[i]()
        except BaseException as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    return results  # type: ignore[return-value]


def sms(inbox, phone: str, text: str, sid: str) -> Callable[[], IngestResult]:
    return lambda: do_record_inbound(inbound(inbox, "sms", "phone", phone, text, provider_id=sid))


def test_racing_first_messages_from_a_new_customer_make_one_customer_and_conversation(
    twilio_inbox,
):
    for round_no in range(ROUNDS):
        phone = f"+1415555{round_no:04d}"
        calls = [
            sms(twilio_inbox, phone, f"message {i}", f"SM{round_no}-{i}") for i in range(THREADS)
        ]
        results = race(calls)
        identity = Identity.objects.get(kind="phone", value=phone)
        assert Customer.objects.filter(identities=identity).count() == 1
        conversations = Conversation.objects.filter(customer=identity.customer)
        assert conversations.count() == 1
        messages = Interaction.objects.filter(
            conversation=conversations.get(), kind=InteractionKind.MESSAGE
        )
        assert sorted(messages.values_list("text", flat=True)) == sorted(
            f"message {i}" for i in range(THREADS)
        )
        assert all(r.created for r in results)
        assert sum(r.conversation_created for r in results) == 1
    assert Customer.objects.count() == ROUNDS


def test_a_retry_racing_the_original_records_one_interaction(twilio_inbox):
    for round_no in range(ROUNDS):
        phone = f"+1628555{round_no:04d}"
        calls = [sms(twilio_inbox, phone, "same event", f"SMdup{round_no}") for _ in range(THREADS)]
        results = race(calls)
        assert Interaction.objects.filter(provider_id=f"SMdup{round_no}").count() == 1
        assert Customer.objects.filter(identities__value=phone).count() == 1
        assert Conversation.objects.filter(customer__identities__value=phone).count() == 1
        assert sum(r.created for r in results) == 1
        assert len({r.interaction.pk for r in results}) == 1


def test_racing_messages_from_a_known_customer_without_an_open_conversation_agree(twilio_inbox):
    """The identity exists, so its unique constraint does not serialize these: the
    customer row lock must."""
    from customers.actions.profile import do_create_customer

    for round_no in range(ROUNDS):
        phone = f"+1312555{round_no:04d}"
        customer = do_create_customer(identities=[("phone", phone)], name=f"Known {round_no}")
        calls = [sms(twilio_inbox, phone, f"hi {i}", f"SMk{round_no}-{i}") for i in range(THREADS)]
        race(calls)
        assert Conversation.objects.filter(customer=customer).count() == 1
        messages = Interaction.objects.filter(customer=customer, kind=InteractionKind.MESSAGE)
        assert messages.count() == THREADS
