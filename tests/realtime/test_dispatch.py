"""realtime.dispatch: one event's sends to its groups, published together on the Redis
pub/sub layer (one pipelined round trip), each group's message once and in order."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from channels.layers import get_channel_layer
from redis.asyncio.client import Pipeline

from realtime import dispatch

GROUPS = ["staff", "team.41", "agent.7"]


def test_the_pubsub_layer_is_published_to_in_one_pipeline() -> None:
    """channels_redis' internals that the pipelined publish uses are there (an upgrade
    that moves them would quietly fall back to one PUBLISH per group)."""
    layer = get_channel_layer()

    async def check() -> Any:
        return dispatch.pipelined_layer(layer)

    assert asyncio.run(check()) is not None


def test_each_group_gets_its_message_once_and_in_order(monkeypatch: Any) -> None:
    """Two events to three groups: six messages, in order, two pipelines (one each)."""
    layer = get_channel_layer()
    pipelines: list[int] = []
    execute = Pipeline.execute

    async def counted(self: Pipeline, *args: Any, **kwargs: Any) -> Any:
        pipelines.append(len(self.command_stack))
        return await execute(self, *args, **kwargs)

    monkeypatch.setattr(Pipeline, "execute", counted)

    async def scenario() -> list[dict[str, Any]]:
        channel = await layer.new_channel(prefix="test-dispatch.")
        for group in GROUPS:
            await layer.group_add(group, channel)
        try:
            for n in (1, 2):
                message = {"type": "realtime.event", "id": n, "event": "conversation.updated",
                           "data": {"n": n}}
                await asyncio.wrap_future(dispatch.dispatch(GROUPS, message))
            return [await asyncio.wait_for(layer.receive(channel), 5) for _ in range(6)]
        finally:
            for group in GROUPS:
                await layer.group_discard(group, channel)

    received = asyncio.run(scenario())
    assert [(m["id"], m["group"]) for m in received] == [
        (n, group) for n in (1, 2) for group in GROUPS]
    assert all(m["data"] == {"n": m["id"]} for m in received)
    assert pipelines == [len(GROUPS), len(GROUPS)]


def test_other_layers_get_one_group_send_per_group(settings: Any) -> None:
    from omnidesk.settings import IN_MEMORY_CHANNEL_LAYER

    settings.CHANNEL_LAYERS = {"default": IN_MEMORY_CHANNEL_LAYER}
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    try:
        layer = get_channel_layer()
        sent: list[tuple[str, dict[str, Any]]] = []

        async def group_send(group: str, message: dict[str, Any]) -> None:
            sent.append((group, message))

        layer.group_send = group_send  # type: ignore[method-assign]

        async def scenario() -> Any:
            assert dispatch.pipelined_layer(layer) is None
            await dispatch._publish(layer, [(g, {"group": g}) for g in GROUPS])

        asyncio.run(scenario())
        assert sent == [(g, {"group": g}) for g in GROUPS]
    finally:
        channel_layers.backends.clear()


def _hold_shard_lock(seconds: float) -> None:
    """On the dispatch loop: take the Redis shard's lock that sends to GROUPS wait on, and
    keep it for `seconds` (what a loaded loop's queue of sends does to the next one)."""
    async def hold() -> None:
        loop_layer = dispatch.pipelined_layer(get_channel_layer())
        shard = loop_layer._get_shard(loop_layer._get_group_channel_name(GROUPS[0]))
        async with shard._lock:
            await asyncio.sleep(seconds)

    asyncio.run_coroutine_threadsafe(hold(), dispatch._target_loop())


def test_a_send_behind_the_processes_other_sends_is_late_not_lost(monkeypatch: Any) -> None:
    """Waiting for the shard (a loaded process's queue of sends) has no time limit; only
    the layer's answer does."""
    monkeypatch.setattr(dispatch, "breaker", dispatch.SendBreaker())
    monkeypatch.setattr(dispatch, "SEND_TIMEOUT", 0.3)
    layer = get_channel_layer()

    async def scenario() -> tuple[float, dict[str, Any]]:
        channel = await layer.new_channel(prefix="test-dispatch.")
        await layer.group_add(GROUPS[0], channel)
        try:
            _hold_shard_lock(1.0)
            await asyncio.sleep(0.1)  # the lock is held
            started = time.monotonic()
            message = {"type": "realtime.event", "id": 5, "event": "conversation.updated",
                       "data": {}}
            await asyncio.wrap_future(dispatch.dispatch([GROUPS[0]], message))
            waited = time.monotonic() - started
            return waited, await asyncio.wait_for(layer.receive(channel), 5)
        finally:
            await layer.group_discard(GROUPS[0], channel)

    waited, received = asyncio.run(scenario())
    assert waited > 0.6  # three times SEND_TIMEOUT behind the lock, then sent
    assert received["id"] == 5
    assert not dispatch.breaker.is_paused() and dispatch.breaker.failures == 0
