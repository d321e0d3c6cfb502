"""Registers this part of the Twilio channel with the core (transports, inbox config)."""

from __future__ import annotations


def register() -> None:
    pass
