"""Figures the issue asks for whose records do not exist yet. Each returns None, which
the page, the CSV and the API show as "not recorded yet"; never a made-up number.

PLUG IN HERE when they land:
(SLA attainment per target is counted: DailyRollup.sla_<target>_due/_met from routing's
SLAOutcome rows, reports.rollup._count_sla_outcomes.)
- CSAT and its response rate: csat.models.CsatSurvey exists (one per resolution, rating
  and effort 1 to 5, sent_at/answered_at), but no channel sends surveys yet, so none is
  answered. Once they are sent: add `csat_sent`, `csat_answered`, `csat_score_sum` (or a
  1 to 5 histogram) and `effort_sum` to DailyRollup, counted in compute_day on the day
  of sending/answering, and return them here.
"""

from __future__ import annotations

from reports.queries import Scope

NOT_RECORDED = "not recorded yet"


def csat(scope: Scope) -> dict[str, float] | None:
    """Average rating and response rate. None until surveys are sent and the rollup
    counts their answers (see above)."""
    return None
