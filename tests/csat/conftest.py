from __future__ import annotations

from tests.twilio.fake import fake_twilio  # noqa: F401  (the fixture)
