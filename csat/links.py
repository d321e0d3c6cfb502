"""The survey's signed link: the survey id signed with SECRET_KEY (no token to store,
none to guess); it stops working after CSAT_LINK_DAYS."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "csat.survey"


def survey_token(survey_id: int) -> str:
    return signing.dumps(survey_id, salt=SALT, compress=False)


def survey_id_from(token: str) -> int | None:
    try:
        value = signing.loads(token, salt=SALT, max_age=settings.CSAT_LINK_DAYS * 86400)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def rating_url(survey_id: int, rating: int | None = None) -> str:
    """The absolute link for an email: one per rating, so one click answers."""
    token = survey_token(survey_id)
    if rating is None:
        return settings.PUBLIC_URL + reverse("csat-survey", args=[token])
    return settings.PUBLIC_URL + reverse("csat-rate", args=[token, rating])
