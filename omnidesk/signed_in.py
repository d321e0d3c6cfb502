"""Who is asking: the session, the user and the agent behind every page, API call and
socket, each read by one prepared statement compiled once per thread (`omnidesk.fastsql`).

Django compiles the three queries again for every request: 1.6-1.8 ms of CPU, against
0.6 ms this way (README, Benchmarks), of a conversation list request's 7-10. The
answers are the same rows from the same tables on every request, so a signed-out
session, a deactivated user or a changed password takes effect at once, as before:
nothing is cached between requests.

- `SessionStore` (SESSION_ENGINE): Django's database sessions, the row read compiled.
- `ModelBackend`: Django's, with `get_user` compiled; `SignInGuardBackend` has it too.
  Sessions signed in before this backend named Django's own path, which a session then
  reads as this one (`_renamed`), so nobody is signed out by the upgrade.
- `agent_of(user)`: the user's Agent row, cached on the user as `user.agent` would.
- `team_ids(agent_id)`: the ids of the agent's teams, by team name, as
  `agent.teams.values_list("id", flat=True)` reads them.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Any, cast

from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone
from django.utils.functional import LazyObject

from agents.models import Agent, Team
from omnidesk.fastsql import CompiledSelect, prepared_cursor

MODEL_BACKEND = "omnidesk.signed_in.ModelBackend"
# Backends that sessions may name, read as the one that replaced them.
RENAMED_BACKENDS = {"django.contrib.auth.backends.ModelBackend": MODEL_BACKEND}

_session_row: CompiledSelect[Session] = CompiledSelect(
    lambda key, now: Session.objects.filter(session_key=key, expire_date__gt=now),
    sentinels=("\x00session key\x00", datetime(1901, 2, 3, 4, 5, 6, 789, tzinfo=UTC)),
)
_user_row: CompiledSelect[Any] = CompiledSelect(
    lambda pk: get_user_model()._default_manager.filter(pk=pk), sentinels=(-73_190_417,)
)
_agent_row: CompiledSelect[Agent] = CompiledSelect(
    lambda user_id: Agent.objects.filter(user_id=user_id), sentinels=(-73_190_419,)
)


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self) -> Session | None:
        # Django's catches SuspiciousOperation too, which its get() never raises here.
        found = _session_row.first(self.session_key, timezone.now())
        if found is None:
            self._session_key = None
        return found

    def load(self) -> dict[str, Any]:
        return _renamed(super().load())


def _renamed(data: dict[str, Any]) -> dict[str, Any]:
    backend = data.get(BACKEND_SESSION_KEY)
    if backend in RENAMED_BACKENDS:
        data[BACKEND_SESSION_KEY] = RENAMED_BACKENDS[backend]
    return data


class CompiledUserLookup:
    """`get_user` of Django's ModelBackend (the user by primary key, if it may sign in)
    in one prepared statement."""

    def get_user(self, user_id: Any) -> Any:
        user = _user_row.first(user_id)
        if user is None or not self.user_can_authenticate(user):  # type: ignore[attr-defined]
            return None
        return user


class ModelBackend(CompiledUserLookup, DjangoModelBackend):
    pass


def agent_of(user: Any) -> Agent | None:
    """The user's Agent row or None, kept on the user as `user.agent` keeps it (so
    `user.agent` afterwards runs no query, and raises when there is none)."""
    user = _unwrapped(user)
    related = Agent._meta.get_field("user").remote_field
    if related.is_cached(user):
        return cast("Agent | None", related.get_cached_value(user))
    agent = _agent_row.first(user.pk)
    keep_agent(user, agent)
    return agent


def keep_agent(user: Any, agent: Agent | None) -> None:
    """Caches `agent` as `user.agent`, both ways, as the one-to-one's descriptors do."""
    user = _unwrapped(user)
    field = Agent._meta.get_field("user")
    field.remote_field.set_cached_value(user, agent)
    if agent is not None:
        field.set_cached_value(agent, user)


def _unwrapped(user: Any) -> Any:
    """The user itself, for `request.user` (a lazy object until first used)."""
    if isinstance(user, LazyObject):
        user.pk  # noqa: B018 - sets the lazy object up
        return user._wrapped
    return user


def team_ids(agent_id: int) -> list[int]:
    with prepared_cursor() as cursor:
        cursor.execute(_team_ids_sql(), [agent_id])
        return [team_id for (team_id,) in cursor.fetchall()]


@functools.cache
def _team_ids_sql() -> str:
    """The membership rows joined to the teams, in the teams' own order (their name)."""
    through = Agent.teams.through._meta
    quote = connection.ops.quote_name
    agent_column = through.get_field("agent").column
    team_column = through.get_field("team").column
    team = Team._meta
    assert team.ordering == ["name"], "keep this statement's ORDER BY the teams' own"
    assert team.pk is not None and team.pk.column is not None
    return (
        f"SELECT t.{quote(team.pk.column)} FROM {quote(through.db_table)} m "  # noqa: S608
        f"JOIN {quote(team.db_table)} t ON t.{quote(team.pk.column)} = m.{quote(team_column)} "
        f"WHERE m.{quote(agent_column)} = %s ORDER BY t.{quote('name')}"
    )
