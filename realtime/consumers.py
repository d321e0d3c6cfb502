"""The agent websocket at /ws/agent/: live events for what this agent may see."""

from __future__ import annotations

from collections import deque
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from agents.access import agent_for, team_ids_of
from realtime.audience import STAFF_GROUP, agent_group, may_receive, team_group
from realtime.queries import missed_events

BAD_FRAME = {"type": "error", "error": "frames must be JSON objects"}


class AgentConsumer(AsyncJsonWebsocketConsumer):
    groups: list[str] = []

    async def connect(self) -> None:
        user = self.scope.get("user")
        profile = await database_sync_to_async(self._load_profile)(user)
        if profile is None:
            await self.close(code=4403)
            return
        self.user_id, self.sees_everything, self.team_ids = profile
        self.joined: list[str] = [agent_group(self.user_id)]
        if self.sees_everything:
            self.joined.append(STAFF_GROUP)
        self.joined += [team_group(t) for t in self.team_ids]
        for group in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        # An event addressed to two of our groups arrives twice; deliver it once.
        self.delivered: deque[int] = deque(maxlen=2000)
        await self.accept()
        await self.send_json({"type": "hello", "user_id": self.user_id})

    @staticmethod
    def _load_profile(user: Any) -> tuple[int, bool, list[int]] | None:
        if user is None:
            return None
        agent = agent_for(user)
        if agent is None:
            return None
        return user.pk, agent.sees_everything, team_ids_of(agent)

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

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
            await self.send_json({"type": "pong"})
        elif kind == "resume":
            try:
                since = int(content.get("since", 0))
            except (TypeError, ValueError, OverflowError):  # OverflowError: 1e400
                await self.send_json({"type": "error", "error": "since must be an event id"})
                return
            events = await database_sync_to_async(missed_events)(
                since=since,
                sees_everything=self.sees_everything,
                user_id=self.user_id,
                team_ids=self.team_ids,
            )
            for event in events:
                await self._deliver(event["id"], event["event"], event["data"])
            await self.send_json({"type": "resumed", "since": since, "count": len(events)})

    async def realtime_event(self, message: dict[str, Any]) -> None:
        if not may_receive(
            sees_everything=self.sees_everything,
            user_id=self.user_id,
            team_ids=self.team_ids,
            event_team_ids=message.get("team_ids", []),
            event_user_ids=message.get("user_ids", []),
        ):
            return
        await self._deliver(message["id"], message["event"], message["data"])

    async def _deliver(self, event_id: int, name: str, data: dict[str, Any]) -> None:
        if event_id in self.delivered:
            return
        self.delivered.append(event_id)
        await self.send_json({"type": "event", "id": event_id, "event": name, "data": data})
