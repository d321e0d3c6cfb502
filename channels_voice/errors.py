"""What an agent's voice request (click-to-call, a transfer) can be refused with before
Twilio is asked. Twilio's own failures are TransportErrors (channels_voice.transport)."""

from __future__ import annotations


class CallError(ValueError):
    """The call cannot be placed or transferred as asked; the message says why, for the
    agent, and `status` is the HTTP status of the answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
