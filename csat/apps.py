from __future__ import annotations

from django.apps import AppConfig


class CsatConfig(AppConfig):
    """Customer satisfaction: one survey per resolution, sent on the customer's channel,
    answered by a signed link or (SMS, WhatsApp) a reply 1 to 5."""

    name = "csat"
    verbose_name = "Satisfaction surveys"

    def ready(self) -> None:
        from conversations import hooks
        from csat.actions.send import record_reply_rating
        from csat.hooks import queue_survey

        if queue_survey not in hooks.after_resolve:
            hooks.after_resolve.append(queue_survey)
        if record_reply_rating not in hooks.after_inbound:
            hooks.after_inbound.append(record_reply_rating)
