"""Recorders: what a channel registers to record the events it spooled.

A channel names its recorder when it spools an event (spool.accept) and registers the
function under that name when its module is imported (its AppConfig.ready). The drain
calls the recorder with the payload the webhook stored; the recorder raises to leave
the event in the spool for a later attempt.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Payload = dict[str, Any]
Recorder = Callable[[Payload], object]

_recorders: dict[str, Recorder] = {}


class UnknownRecorder(LookupError):
    """No recorder of this name in this process (an app removed, a deploy in progress)."""


def recorder(name: str) -> Callable[[Recorder], Recorder]:
    """Register the decorated function as the recorder named `name`."""

    def register(function: Recorder) -> Recorder:
        existing = _recorders.get(name)
        if existing is not None and existing is not function:
            raise ValueError(f"two spool recorders named {name!r}")
        _recorders[name] = function
        return function

    return register


def recorder_named(name: str) -> Recorder:
    try:
        return _recorders[name]
    except KeyError:
        raise UnknownRecorder(f"no spool recorder named {name!r}") from None
