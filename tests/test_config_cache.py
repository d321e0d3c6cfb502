"""omnidesk.config_cache: configuration read on every event is kept per process, never
kept uncommitted, dropped on a change in this process and at most N seconds stale."""

from __future__ import annotations

import time

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from routing.models import SLAPolicy
from routing.policies import active_policies, matching_policy

pytestmark = pytest.mark.django_db(transaction=True)


def _policy(name: str, channel: str = "email", **extra: object) -> SLAPolicy:
    return SLAPolicy.objects.create(name=name, channel=channel, first_response_seconds=600,
                                    **extra)


def test_the_policies_are_read_once_until_one_changes():
    first = _policy("Email")
    assert matching_policy("email", 2, "") == first
    with CaptureQueriesContext(connection) as captured:
        assert matching_policy("email", 2, "") == first
        assert matching_policy("sms", 2, "") is None
    assert len(captured) == 0

    first.first_response_seconds = 60
    first.save()
    with CaptureQueriesContext(connection) as captured:
        assert matching_policy("email", 2, "").first_response_seconds == 60
    assert len(captured) == 1


def test_the_most_specific_policy_wins_as_before():
    _policy("Any channel", channel="")
    by_channel = _policy("Email")
    urgent = _policy("Urgent email", priority=4)
    assert matching_policy("email", 4, "") == urgent
    assert matching_policy("email", 2, "") == by_channel
    assert matching_policy("sms", 2, "").name == "Any channel"


def test_a_deleted_policy_is_forgotten():
    policy = _policy("Email")
    assert matching_policy("email", 2, "") == policy
    policy.delete()
    assert matching_policy("email", 2, "") is None


def test_an_uncommitted_change_is_never_kept():
    with pytest.raises(RuntimeError), transaction.atomic():
        _policy("Never committed")
        assert matching_policy("email", 2, "") is not None  # this transaction sees it
        raise RuntimeError
    assert matching_policy("email", 2, "") is None


def test_another_process_change_arrives_within_the_configured_seconds():
    assert matching_policy("email", 2, "") is None
    with override_settings(OMNIDESK_CONFIG_CACHE_SECONDS=0.2):
        active_policies.clear()
        assert matching_policy("email", 2, "") is None
        # As another process writes it: no signal in this one.
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO routing_slapolicy (name, active, channel, customer_tier, "
                "first_response_seconds, warn_percent, pause_outside_hours, "
                "escalate_notify_lead, escalate_raise_priority, created_at) "
                "VALUES ('Elsewhere', true, 'email', '', 600, 75, false, true, false, now())"
            )
        assert matching_policy("email", 2, "") is None  # still the copy
        time.sleep(0.25)
        assert matching_policy("email", 2, "").name == "Elsewhere"


@override_settings(OMNIDESK_CONFIG_CACHE_SECONDS=0)
def test_zero_seconds_reads_every_time():
    _policy("Email")
    with CaptureQueriesContext(connection) as captured:
        matching_policy("email", 2, "")
        matching_policy("email", 2, "")
    assert len(captured) == 2
