"""realtime.publish.publishing_together: the events of several changes in one transaction
(the spool's batch) are written in one statement at the end, and sent in order on commit;
an error drops them."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from realtime.audience import Audience
from realtime.models import RealtimeEvent
from realtime.publish import LAYER_BATCH_TYPE, publish, publishing_together

pytestmark = pytest.mark.django_db

STAFF = Audience.of([1], [])


def test_events_of_the_block_are_written_once_at_its_end_in_order():
    with CaptureQueriesContext(connection) as captured, publishing_together():
        for n in range(4):
            publish("conversation.updated", {"id": n}, STAFF)
        assert not RealtimeEvent.objects.exists()
    writes = [q for q in captured.captured_queries if q["sql"].startswith("WITH input")]
    assert len(writes) == 1
    assert [e.payload["id"] for e in RealtimeEvent.objects.order_by("id")] == [0, 1, 2, 3]


@pytest.mark.django_db(transaction=True)
def test_they_reach_the_channel_layer_in_order_after_commit():
    group = Audience.of([424242], []).groups()[-1]  # a team group no other test uses

    async def scenario() -> list[int]:
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(group, channel)

        def commit_two() -> None:
            with transaction.atomic(), publishing_together():
                publish("conversation.updated", {"id": 1}, Audience.of([424242], []))
                publish("conversation.updated", {"id": 2}, Audience.of([424242], []))
            connection.close()  # this thread's, so the test database can be dropped

        await sync_to_async(commit_two)()
        async with asyncio.timeout(10):
            message = await layer.receive(channel)
        await layer.group_discard(group, channel)
        # one audience: both in one layer message, in order (realtime.publish._runs)
        assert message["type"] == LAYER_BATCH_TYPE
        return [event["data"]["id"] for event in message["events"]]

    assert asyncio.run(scenario()) == [1, 2]


def test_an_error_in_the_block_writes_nothing():
    with pytest.raises(RuntimeError), publishing_together():
        publish("conversation.updated", {"id": 1}, STAFF)
        raise RuntimeError("the batch failed")
    assert not RealtimeEvent.objects.exists()
    publish("conversation.updated", {"id": 2}, STAFF)  # outside: written at once
    assert RealtimeEvent.objects.count() == 1
