"""`newest_in_groups` answers many sockets' "behind" at once: for every socket, an event
of one of its groups after `last` exactly when `has_missed` says so."""

from __future__ import annotations

import pytest
from django.db import transaction

from realtime import events
from realtime.audience import Audience
from realtime.publish import publish
from realtime.queries import has_missed, newest_in_groups

pytestmark = pytest.mark.django_db


def test_newest_in_groups_agrees_with_has_missed():
    with transaction.atomic():
        to_team = publish(events.CONVERSATION_UPDATED, {"n": 1}, Audience.team(3)).pk
        to_both = publish(events.CONVERSATION_UPDATED, {"n": 2},
                          Audience.team(3) | Audience.agent(7)).pk
        to_staff = publish(events.CONVERSATION_UPDATED, {"n": 3}, Audience.staff_only()).pk
    newest = newest_in_groups(["team.3", "agent.7", "staff", "team.4", "team.3"])
    assert newest == {"team.3": to_both, "agent.7": to_both, "staff": to_staff, "team.4": 0}
    sockets = [["agent.7", "team.3"], ["agent.7", "staff"], ["agent.8", "team.4"], ["staff"]]
    for groups in sockets:
        for last in (0, to_team - 1, to_team, to_both, to_staff, to_staff + 1):
            behind = any(newest.get(group, 0) > last for group in groups)
            assert behind == has_missed(groups=groups, since=last), (groups, last)
    assert newest_in_groups([]) == {}
