"""Who uses and who changes canned responses and macros.

Everyone's and their teams' are used by every agent of those teams (leads and admins:
every team's), personal ones by their owner alone. An agent creates and changes their
personal ones; leads and admins also those shared with a team or with everyone. What an
agent may not use is a 404.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Q, QuerySet
from django.http import Http404

from agents.access import agent_for, team_ids_of
from conversations.access import NotAgent
from macros.models import CannedResponse, Macro

S = TypeVar("S", CannedResponse, Macro)


class NotYours(PermissionError):
    """The agent may use it but not change it (403)."""


def usable(user: Any, model: type[S]) -> QuerySet[S]:
    agent = agent_for(user)
    if agent is None:
        raise NotAgent("not an agent")
    everyone = Q(owner__isnull=True, team__isnull=True)
    # Leads and admins use (and look after) every team's.
    shared = Q(owner__isnull=True) if agent.sees_everything else Q(
        owner__isnull=True, team_id__in=team_ids_of(agent))
    return model.objects.filter(everyone | Q(owner_id=user.pk) | shared).order_by("name", "id")


def access_shared(user: Any, model: type[S], pk: int | str, *, for_write: bool = False) -> S:
    try:
        item = usable(user, model).get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404("Not found.") from None
    if for_write:
        check_may_share(user, owner_id=item.owner_id)
    return item


def check_may_share(user: Any, *, owner_id: int | None) -> None:
    """Personal ones are their owner's; shared ones are for leads and admins."""
    agent = agent_for(user)
    if agent is None:
        raise NotAgent("not an agent")
    if owner_id is not None:
        if owner_id != user.pk:
            raise NotYours("Only its owner changes a personal one.")
        return
    if not agent.sees_everything:
        raise NotYours("Only leads and admins share with a team or with everyone; make it "
                       "personal instead.")
