from __future__ import annotations

from typing import Any

from realtime.audience import may_receive
from realtime.models import RealtimeEvent

RESUME_LIMIT = 1000


def missed_events(
    *, since: int, sees_everything: bool, user_id: int, team_ids: list[int]
) -> list[dict[str, Any]]:
    """Events after `since` that this agent may see, oldest first (at most RESUME_LIMIT)."""
    rows = RealtimeEvent.objects.filter(id__gt=since).order_by("id")[: RESUME_LIMIT * 4]
    out: list[dict[str, Any]] = []
    for row in rows:
        if may_receive(
            sees_everything=sees_everything,
            user_id=user_id,
            team_ids=team_ids,
            event_team_ids=row.team_ids,
            event_user_ids=row.user_ids,
        ):
            out.append({"id": row.pk, "event": row.name, "data": row.payload})
            if len(out) >= RESUME_LIMIT:
                break
    return out
