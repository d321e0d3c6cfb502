"""Figures the issue asks for whose records do not exist yet. Each returns None, which
the page, the CSV and the API show as "not recorded yet"; never a made-up number.

PLUG IN HERE when they land:
- SLA attainment per target: routing's SLAOutcome rows (one per response/resolution
  target, met or breached). Add `sla_met` / `sla_due` counts per target to DailyRollup
  (reports.rollup.compute_day counts the outcomes decided that day), then return
  met / due per target from reports.queries like the other rates.
- CSAT and its response rate: csat.models.CsatSurvey exists (one per resolution, rating
  and effort 1 to 5, sent_at/answered_at), but no channel sends surveys yet, so none is
  answered. Once they are sent: add `csat_sent`, `csat_answered`, `csat_score_sum` (or a
  1 to 5 histogram) and `effort_sum` to DailyRollup, counted in compute_day on the day
  of sending/answering, and return them here.
"""

from __future__ import annotations

from django.apps import apps

from reports.queries import Scope

NOT_RECORDED = "not recorded yet"


def _model_exists(app_label: str, name: str) -> bool:
    try:
        apps.get_model(app_label, name)
    except LookupError:
        return False
    return True


def sla_attainment(scope: Scope) -> dict[str, float] | None:
    """Share of SLA targets met, per target. None until routing records SLAOutcome rows
    and the rollup counts them (see above)."""
    if not _model_exists("routing", "SLAOutcome"):
        return None
    return None  # the rollup does not count outcomes yet: see the module's docstring


def csat(scope: Scope) -> dict[str, float] | None:
    """Average rating and response rate. None until surveys are sent and the rollup
    counts their answers (see above)."""
    return None
