"""Presence: online while a workspace socket pings, away when set so by hand, offline
once no socket has pinged for the grace period (a page reload is not a log-off).

Every change of the shown presence is `_apply`: the row, a log line (the agent's audit)
and an `agent.presence` event to the leads and the agent. Hooks in `after_presence`
(filled by routing) run inside that transaction: an agent coming online takes waiters.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from agents.models import Agent, Presence
from agents.notify import notify_presence

logger = logging.getLogger(__name__)

# A socket's pings refresh the heartbeat at most this often (one UPDATE per agent per
# this many seconds, whatever the number of their sockets).
HEARTBEAT_WRITE_SECONDS = 10

# Called with (agent, previous presence) inside the change's transaction.
after_presence: list[Callable[[Agent, str], None]] = []


class PresenceError(ValueError):
    """A presence an agent may not choose by hand."""


def grace() -> timedelta:
    return timedelta(seconds=settings.OMNIDESK_PRESENCE_GRACE_SECONDS)


def _connected(agent: Agent) -> bool:
    return agent.last_heartbeat_at is not None and (
        agent.last_heartbeat_at > timezone.now() - grace()
    )


def _shown(agent: Agent) -> str:
    if not _connected(agent):
        return Presence.OFFLINE
    return Presence.AWAY if agent.away else Presence.ONLINE


def _apply(agent: Agent, by: User | None, reason: str) -> bool:
    """Bring the locked agent's shown presence in line with its state; saved by caller."""
    previous = agent.presence
    agent.presence = _shown(agent)
    if agent.presence == previous:
        return False
    logger.info(
        "agent %s presence: %s -> %s (%s, by %s)",
        agent.user_id,
        previous,
        agent.presence,
        reason,
        by.get_username() if by is not None else "omnidesk",
    )
    notify_presence(agent, previous)
    for hook in after_presence:
        hook(agent, previous)
    return True


def do_set_presence(user: User, presence: str, *, by: User | None = None) -> Agent:
    """The agent chose online or away by hand. Online shows online only while a socket
    pings (else offline until one does)."""
    if presence not in (Presence.ONLINE, Presence.AWAY):
        raise PresenceError("Choose online or away; offline is what signing out means.")
    with transaction.atomic():
        agent = Agent.objects.select_for_update().get(user_id=user.pk)
        agent.away = presence == Presence.AWAY
        _apply(agent, by or user, f"set {presence} by hand")
        agent.save(update_fields=["away", "presence"])
    return agent


def go_offline(agent: Agent, *, by: User | None, reason: str) -> None:
    """The locked agent is offline now, whatever their sockets say (deactivated); saved
    by the caller with `OFFLINE_FIELDS`."""
    agent.last_heartbeat_at = None
    agent.away = False
    _apply(agent, by, reason)


OFFLINE_FIELDS = ["last_heartbeat_at", "away", "presence"]


def do_heartbeat(user_id: int) -> bool:
    """A workspace socket of the agent opened or pinged; True if it wrote the heartbeat."""
    now = timezone.now()
    fresh = now - timedelta(seconds=HEARTBEAT_WRITE_SECONDS)
    with transaction.atomic():
        # A deactivated agent's last socket may ping once more before it is closed.
        written = Agent.objects.filter(
            Q(last_heartbeat_at__isnull=True) | Q(last_heartbeat_at__lt=fresh), user_id=user_id,
            user__is_active=True,
        ).update(last_heartbeat_at=now)
        if not written:
            return False  # beat recently: the presence was brought in line then
        agent = Agent.objects.select_for_update().filter(user_id=user_id).first()
        if agent is not None and _apply(agent, None, "workspace socket"):
            agent.save(update_fields=["presence"])
    return True


def do_heartbeats(user_ids: Collection[int]) -> set[int]:
    """`do_heartbeat` for the pings of several agents' sockets at once (the sockets of a
    web process, batched by `realtime.pings`): one statement locks, in id order, the
    agents whose heartbeat is older than `HEARTBEAT_WRITE_SECONDS` and writes it; the
    presence of those it wrote is brought in line as one ping's would be. Returns the
    user ids written."""
    if not user_ids:
        return set()
    if connection.vendor != "postgresql":  # the embedded SQLite: one at a time
        return {user_id for user_id in user_ids if do_heartbeat(user_id)}
    now = timezone.now()
    fresh = now - timedelta(seconds=HEARTBEAT_WRITE_SECONDS)
    agents, users = Agent._meta.db_table, User._meta.db_table
    # Locked in id order: two processes' batches that share an agent never deadlock.
    sql = f"""
        WITH stale AS (
            SELECT a.id FROM {agents} a JOIN {users} u ON u.id = a.user_id
            WHERE a.user_id = ANY(%s) AND u.is_active
              AND (a.last_heartbeat_at IS NULL OR a.last_heartbeat_at < %s)
            ORDER BY a.id FOR UPDATE OF a
        )
        UPDATE {agents} a SET last_heartbeat_at = %s FROM stale WHERE a.id = stale.id
        RETURNING a.id, a.user_id, a.presence, a.away
    """  # noqa: S608 (table names from the models, values as parameters)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, [sorted(user_ids), fresh, now])
            written = cursor.fetchall()
        # Already locked by the statement above; read whole for `_apply`.
        changing = [pk for pk, _, presence, away in written
                    if presence != (Presence.AWAY if away else Presence.ONLINE)]
        for agent in Agent.objects.filter(pk__in=changing).order_by("pk"):
            if _apply(agent, None, "workspace socket"):
                agent.save(update_fields=["presence"])
    return {user_id for _, user_id, _, _ in written}


def do_expire_presence() -> int:
    """Offline for the agents whose sockets all stopped pinging (beat); returns how many."""
    stale = timezone.now() - grace()
    ids = list(
        Agent.objects.exclude(presence=Presence.OFFLINE)
        .filter(Q(last_heartbeat_at__isnull=True) | Q(last_heartbeat_at__lte=stale))
        .values_list("pk", flat=True)
    )
    changed = 0
    for pk in ids:
        with transaction.atomic():
            agent = Agent.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if agent is not None and _apply(agent, None, "no heartbeat"):
                agent.save(update_fields=["presence"])
                changed += 1
    return changed
