"""Normalizing identity values: one person is one (kind, value) whatever the channel,
the same answer every time a value comes back, and a bad value refused every time."""

from __future__ import annotations

import pytest

from customers.identities import InvalidIdentity, normalize_email, normalize_phone


@pytest.mark.parametrize("raw", ["+1 415 555 0100", "whatsapp:+14155550100",
                                 "tel:+1-415-555-0100", " sms:+14155550100 "])
def test_a_phone_in_any_dress_is_its_e164(raw):
    assert normalize_phone(raw) == "+14155550100"
    assert normalize_phone(raw) == "+14155550100"  # asked again: the kept answer


def test_a_national_number_takes_the_region_given():
    assert normalize_phone("020 7946 0018", "GB") == "+442079460018"
    with pytest.raises(InvalidIdentity):
        normalize_phone("020 7946 0018")  # no region: not a number


@pytest.mark.parametrize("bad", ["not a number", "+1", "whatsapp:"])
def test_a_bad_phone_is_refused_each_time(bad):
    for _ in range(2):  # a refusal is not kept as an answer
        with pytest.raises(InvalidIdentity):
            normalize_phone(bad)


def test_an_email_is_lower_cased_and_a_broken_one_refused_each_time():
    assert normalize_email(" <Ann.Lee@Example.COM> ") == "ann.lee@example.com"
    for _ in range(2):
        with pytest.raises(InvalidIdentity):
            normalize_email("ann@")
