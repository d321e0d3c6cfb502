"""do_get_or_create_identity: a new sender costs no savepoint; an identity recorded
meanwhile (a racing first contact) is found, and the customer made for it is dropped."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from customers.actions.identify import do_get_or_create_identity
from customers.models import Customer, Identity
from omnidesk.fastsql import Conflict, pipelined, reserve_keys_of

pytestmark = pytest.mark.django_db


def test_a_new_identity_is_two_inserts_and_no_savepoint():
    with CaptureQueriesContext(connection) as captured:
        identity, created = do_get_or_create_identity("email", "ann@example.com", name="Ann",
                                                      probably_new=True)
    assert created and identity.customer.name == "Ann"
    assert [q["sql"].split(" ", 1)[0] for q in captured.captured_queries] == ["INSERT", "INSERT"]
    assert Identity.objects.get(kind="email", value="ann@example.com").customer_id == (
        identity.customer_id)


def test_an_identity_recorded_meanwhile_is_found_and_no_customer_is_left_over():
    first, _ = do_get_or_create_identity("phone", "+14155550100", name="First")
    customers = Customer.objects.count()
    # The caller saw no identity a moment ago; another first contact recorded it since.
    again, created = do_get_or_create_identity("phone", "+14155550100", name="Second",
                                               probably_new=True)
    assert not created
    assert (again.pk, again.customer_id) == (first.pk, first.customer_id)
    assert Customer.objects.count() == customers
    assert Identity.objects.filter(value="+14155550100").count() == 1


def _reserved() -> tuple[int, int]:
    keys = reserve_keys_of({Customer: 1, Identity: 1})
    return keys[Customer][0], keys[Identity][0]


def test_with_reserved_keys_in_a_pipelined_block_both_rows_wait_for_no_answer(pipeline_syncs):
    keys = _reserved()
    with transaction.atomic(), pipelined():
        before = pipeline_syncs[0]
        identity, created = do_get_or_create_identity("email", "bo@example.com", name="Bo",
                                                      probably_new=True, keys=keys)
        assert pipeline_syncs[0] == before
        assert created and (identity.customer_id, identity.pk) == keys
    stored = Identity.objects.select_related("customer").get(value="bo@example.com")
    assert (stored.customer_id, stored.pk, stored.customer.name) == (*keys, "Bo")


def test_with_reserved_keys_a_racing_first_contact_fails_the_block():
    do_get_or_create_identity("email", "cy@example.com", name="First")
    with pytest.raises(Conflict), transaction.atomic(), pipelined():
        do_get_or_create_identity("email", "cy@example.com", name="Second",
                                  probably_new=True, keys=_reserved())
    assert list(Customer.objects.filter(name__in=["First", "Second"])
                .values_list("name", flat=True)) == ["First"]
