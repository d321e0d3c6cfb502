"""do_get_or_create_identity: a new sender costs no savepoint; an identity recorded
meanwhile (a racing first contact) is found, and the customer made for it is dropped."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.actions.identify import do_get_or_create_identity
from customers.models import Customer, Identity

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
