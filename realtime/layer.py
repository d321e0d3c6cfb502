"""What an unreachable channel layer looks like, and keeping its outage out of the logs'
way: one line per outage, not a traceback per second."""

from __future__ import annotations

import logging
import threading
import time

from redis.exceptions import RedisError

# What an unreachable channel layer raises: redis-py's errors, a refused or reset socket,
# an operation that took too long.
LAYER_ERRORS: tuple[type[BaseException], ...] = (RedisError, OSError, TimeoutError)
QUIET_SECONDS = 60.0


class LayerOutageFilter(logging.Filter):
    """channels_redis' pub/sub receiver logs a full traceback every second while Redis is
    unreachable ("Unexpected exception in receive task"). Let the first through as one
    warning line, and hide the repeats for a minute. Other records pass untouched."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._last = -QUIET_SECONDS

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if not isinstance(error, LAYER_ERRORS):
            return True
        with self._lock:
            now = time.monotonic()
            if now - self._last < QUIET_SECONDS:
                return False
            self._last = now
        message = record.getMessage()
        record.msg = "%s: %s (channel layer unreachable; repeats hidden for %d s)"
        record.args = (message, error, QUIET_SECONDS)
        record.exc_info = record.exc_text = None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def quiet_layer_outages() -> None:
    logging.getLogger("channels_redis.pubsub").addFilter(LayerOutageFilter())
