"""Publishing to Redis reuses one redis-py client per channel (omnidesk.broker)."""

from __future__ import annotations

import redis.client

from omnidesk.broker import Channel
from omnidesk.celery import app


def test_publishes_share_one_client_and_reach_the_queue(monkeypatch):
    app.control.purge()
    with app.producer_or_acquire() as producer:
        assert isinstance(producer.channel, Channel)
        first = producer.channel._create_client()
        built = []
        original = redis.client.Redis.__init__

        def counted(self, *args, **kwargs):
            built.append(self)
            original(self, *args, **kwargs)

        monkeypatch.setattr(redis.client.Redis, "__init__", counted)
        for _ in range(3):
            app.send_task("routing.tasks.assign_team_task", args=[0], producer=producer)
        assert built == []
        assert producer.channel._create_client() is first
        assert first.llen(app.conf.task_default_queue) == 3
    app.control.purge()
