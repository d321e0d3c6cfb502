from __future__ import annotations

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Reports for leads and admins, read from a daily rollup (reports.models.DailyRollup)."""

    name = "reports"
    verbose_name = "Reports"
