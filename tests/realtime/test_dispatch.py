"""realtime.dispatch: one event's sends to its groups, published together on the Redis
pub/sub layer (one pipelined round trip), each group's message once and in order."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
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


def _timed_out_send(monkeypatch: Any) -> None:
    """One send that waits on the held lock past SEND_TIMEOUT, settled with the breaker."""
    monkeypatch.setattr(dispatch, "SEND_TIMEOUT", 0.3)
    _hold_shard_lock(1.0)
    message = {"type": "realtime.event", "id": 3, "event": "conversation.updated", "data": {}}
    future = dispatch.dispatch([GROUPS[0]], message)
    assert future is not None
    with pytest.raises(TimeoutError):
        future.result(timeout=5)
    deadline = time.monotonic() + 5
    while dispatch.breaker.in_flight and time.monotonic() < deadline:  # the callback ran
        time.sleep(0.01)
    assert dispatch.breaker.in_flight == 0


def test_a_send_that_times_out_while_others_get_through_does_not_pause_sends(
    monkeypatch: Any,
) -> None:
    monkeypatch.setattr(dispatch, "breaker", dispatch.SendBreaker())
    message = {"type": "realtime.event", "id": 1, "event": "conversation.updated", "data": {}}
    dispatch.dispatch(GROUPS, message).result(timeout=5)  # the layer answers

    _timed_out_send(monkeypatch)

    assert dispatch.breaker.slow == 1
    assert not dispatch.breaker.is_paused()
    monkeypatch.setattr(dispatch, "SEND_TIMEOUT", 5.0)
    still = dispatch.dispatch(GROUPS, message)
    assert still is not None  # admitted, and delivered once the lock is free
    still.result(timeout=5)


def test_a_send_that_times_out_with_no_answer_for_a_while_pauses_sends(monkeypatch: Any) -> None:
    monkeypatch.setattr(dispatch, "breaker", dispatch.SendBreaker())  # nothing answered yet

    _timed_out_send(monkeypatch)

    assert dispatch.breaker.slow == 0
    assert dispatch.breaker.is_paused()
