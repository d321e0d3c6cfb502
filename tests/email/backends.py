"""anymail's test backend, answering as a failing ESP would: the provider's edge."""

from __future__ import annotations

from typing import Any, ClassVar

from anymail.backends.test import EmailBackend


class RespondingBackend(EmailBackend):
    """Answers every send with `response` (an AnymailAPIError to raise, or a
    recipient_status dict), as set by the test."""

    response: ClassVar[Any] = None

    def post_to_esp(self, payload: Any, message: Any) -> Any:
        if RespondingBackend.response is not None:
            message.anymail_test_response = RespondingBackend.response
        return super().post_to_esp(payload, message)
