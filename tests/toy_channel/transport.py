from __future__ import annotations

from conversations.models import Interaction
from conversations.transports import ProviderResult

# What the toy transport "sent", for the tests to read.
SENT: list[dict[str, object]] = []


class PigeonTransport:
    def send(self, interaction: Interaction) -> ProviderResult:
        SENT.append({"id": interaction.pk, "to": interaction.meta.get("to"),
                     "text": interaction.text})
        return ProviderResult(provider_id=f"bird-{interaction.pk}")
