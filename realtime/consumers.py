"""The agent websocket at /ws/agent/: live events for what this agent may see.

The socket joins the groups of who the agent is (`realtime.audience`), re-joins them when
an `agent.updated` event says their role or teams changed, and answers "resume" from the
outbox table by those same groups.

Close codes:
- 4403: not signed in as an agent. Refused at the handshake (browsers report 1006).
- 4403 after `hello`: the agent's profile is gone or the user was deactivated.
- 1013 (try again later): the channel layer (Redis) is unreachable. The socket is
  accepted and closed at once so that a browser sees the code; the client reconnects
  with back-off and resumes.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from channels.db import database_sync_to_async
from django.contrib.auth.models import User
from django.http import Http404

from agents.access import agent_for, team_ids_of
from agents.actions.presence import do_heartbeat
from agents.models import Agent
from conversations import hooks
from conversations.access import access_conversation
from realtime.audience import agent_socket_groups
from realtime.events import AGENT_UPDATED
from realtime.layer import LAYER_ERRORS
from realtime.pings import pings
from realtime.queries import RESUME_LIMIT, missed_events, newest_event_id
from realtime.socket_base import JsonSocketConsumer
from realtime.wire import Frame

logger = logging.getLogger(__name__)

CLOSE_FORBIDDEN = 4403
CLOSE_TRY_LATER = 1013
LAYER_TIMEOUT = 5.0
BAD_FRAME = {"type": "error", "error": "frames must be JSON objects"}
BAD_SINCE = {"type": "error", "error": "since must be an event id"}
BAD_LAST = {"type": "error", "error": "last must be an event id"}
BAD_CONVERSATION = {"type": "error", "error": "conversation_id must be a conversation id"}
BAD_LIMIT = {"type": "error", "error": "limit must be a positive whole number"}


class LayerState:
    """One warning when sockets start being refused, one when they are served again."""

    refusing = False

    @classmethod
    def down(cls, error: BaseException) -> None:
        if not cls.refusing:
            logger.warning(
                "agent websocket: channel layer unreachable (%s); refusing sockets with %d",
                str(error) or type(error).__name__,
                CLOSE_TRY_LATER,
            )
        cls.refusing = True

    @classmethod
    def up(cls) -> None:
        if cls.refusing:
            logger.warning("agent websocket: channel layer reachable again")
        cls.refusing = False


def _event_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: 1e400
        return None
    return number if 0 <= number < 2**63 else None


class AgentConsumer(JsonSocketConsumer):
    TURN_EVENTS = frozenset({AGENT_UPDATED})

    async def connect(self) -> None:
        profile = await database_sync_to_async(self._first_profile)(self.scope.get("user"))
        if profile is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.user_id, groups = profile
        if not await self._join(groups):
            await self.accept()
            await self.close(code=CLOSE_TRY_LATER)
            return
        LayerState.up()
        await self.accept()
        newest = await database_sync_to_async(self._joined)(self.user_id)
        await self.send_json({"type": "hello", "user_id": self.user_id, "last_event_id": newest})

    @staticmethod
    def _joined(user_id: int) -> int:
        """Online (presence), and the newest event id, read after joining: a client that
        has seen no event yet resumes from there. One trip to the sync thread."""
        do_heartbeat(user_id)
        return newest_event_id()

    @staticmethod
    def _first_profile(user: Any) -> tuple[int, list[str]] | None:
        agent = agent_for(user)
        if agent is None:
            return None
        groups = agent_socket_groups(
            user_id=user.pk, sees_everything=agent.sees_everything, team_ids=team_ids_of(agent)
        )
        return user.pk, groups

    @staticmethod
    def _current_groups(user_id: int) -> list[str] | None:
        """Read afresh (the scope's user caches its profile): None if no longer an agent."""
        agent = Agent.objects.filter(user_id=user_id, user__is_active=True).first()
        if agent is None:
            return None
        return agent_socket_groups(
            user_id=user_id,
            sees_everything=agent.sees_everything,
            team_ids=agent.teams.values_list("id", flat=True),
        )

    async def _join(self, groups: list[str]) -> bool:
        """Joins `groups` (leaving the joined ones not among them); False if the layer
        is unreachable."""
        try:
            async with asyncio.timeout(LAYER_TIMEOUT):
                for group in [g for g in self.joined if g not in groups]:
                    await self.leave(group)
                for group in [g for g in groups if g not in self.joined]:
                    await self.join(group)
        except LAYER_ERRORS as error:
            LayerState.down(error)
            await self.leave_all()
            return False
        return True

    async def disconnect(self, code: int) -> None:
        await self.leave_all()

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        # A client's junk must not kill its socket (an exception here closes it with
        # 1011): anything but a JSON text frame is answered with an error.
        if text_data is None:
            await self.send_json(BAD_FRAME)
            return
        try:
            content = await self.decode_json(text_data)
        except (ValueError, RecursionError):
            await self.send_json(BAD_FRAME)
            return
        await self.receive_json(content, **kwargs)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "ping":
            await self._pong(content)
        elif kind == "resume":
            await self._resume(content)
        elif kind == "typing":
            await self._typing(content)

    async def _pong(self, content: dict[str, Any]) -> None:
        """A ping keeps the agent online (presence). `last`: the newest event id the
        client has; `behind` tells it to resume (live sends are skipped while the layer
        is down). Answered with the other sockets' pings (`realtime.pings`)."""
        last = _event_id(content["last"]) if "last" in content else None
        behind = await pings().ping(self.user_id, self.joined, last)
        if last is None and "last" in content:
            await self.send_json(BAD_LAST)
        elif behind is None:
            await self.send_json({"type": "pong"})
        else:
            await self.send_json({"type": "pong", "behind": behind})

    async def _typing(self, content: dict[str, Any]) -> None:
        """`{"type": "typing", "conversation_id": N}`: the agent is writing a reply; the
        channel's hooks tell the customer (a chat visitor sees "typing…")."""
        conversation_id = _event_id(content.get("conversation_id"))
        if conversation_id is None:
            await self.send_json(BAD_CONVERSATION)
            return
        await database_sync_to_async(self._run_typing_hooks)(conversation_id)

    def _run_typing_hooks(self, conversation_id: int) -> None:
        user = User.objects.filter(pk=self.user_id, is_active=True).first()
        if user is None:
            return
        try:
            conversation = access_conversation(user, conversation_id)
        except Http404:
            return
        hooks.run_agent_typing(user, conversation)

    async def _resume(self, content: dict[str, Any]) -> None:
        since = _event_id(content.get("since", 0))
        if since is None:
            await self.send_json(BAD_SINCE)
            return
        limit = _event_id(content.get("limit", RESUME_LIMIT))
        if not limit:
            await self.send_json(BAD_LIMIT)
            return
        page = await database_sync_to_async(missed_events)(
            groups=list(self.joined), since=since, limit=limit
        )
        for event in page.events:
            await self.deliver(event["id"], event["event"], event["data"])
        await self.send_json(
            {
                "type": "resumed",
                "since": since,
                "count": len(page.events),
                "has_more": page.has_more,
                "next_since": page.next_since,
            }
        )

    async def live_event(self, event_id: int, name: str, frame: Frame) -> None:
        await super().live_event(event_id, name, frame)
        if name == AGENT_UPDATED:
            await self._rejoin(after=event_id)

    async def _rejoin(self, *, after: int) -> None:
        """The agent's role or teams changed: join the groups they have now, and send
        what the new groups got since the change (published before this socket joined)."""
        groups = await database_sync_to_async(self._current_groups)(self.user_id)
        if groups is None:
            await self.leave_all()
            await self.close(code=CLOSE_FORBIDDEN)
            return
        added = [g for g in groups if g not in self.joined]
        if not await self._join(groups):
            await self.close(code=CLOSE_TRY_LATER)
            return
        since = after
        while added:
            page = await database_sync_to_async(missed_events)(groups=added, since=since)
            for event in page.events:
                await self.deliver(event["id"], event["event"], event["data"])
            if not page.has_more:
                break
            since = page.next_since
