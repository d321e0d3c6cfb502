"""One survey per resolution, none to a customer who opted out; a signed link answers it
in one click; the answer lands on the conversation's (and customer's) timeline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from conversations.models import Conversation, Interaction
from csat.actions.survey import CSAT_ANSWERED, SurveyRefused, do_answer_survey, do_create_survey
from csat.links import rating_url, survey_token
from csat.models import CsatSurvey
from customers.models import Consent, Customer, Identity

RESOLVED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def resolved(db) -> Conversation:
    customer = Customer.objects.create(name="Ann")
    return Conversation.objects.create(
        customer=customer, status="resolved", resolved_at=RESOLVED, channels=["sms"],
        last_inbound_channel="sms", first_inbound_at=RESOLVED - timedelta(hours=1),
        last_activity_at=RESOLVED)


def test_one_survey_per_resolution(resolved):
    first = do_create_survey(resolved)
    assert do_create_survey(resolved) == first
    assert (first.channel, first.customer_id, first.resolved_at) == (
        "sms", resolved.customer_id, RESOLVED)
    resolved.resolved_at = RESOLVED + timedelta(days=1)  # reopened, resolved again
    resolved.save()
    assert do_create_survey(resolved) != first
    assert CsatSurvey.objects.count() == 2


def test_no_survey_for_an_open_conversation_or_an_opted_out_customer(resolved):
    identity = Identity.objects.create(customer=resolved.customer, kind="phone",
                                       value="+14155550100")
    Consent.objects.create(identity=identity, channel="sms", status="opted_out",
                           changed_at=RESOLVED)
    with pytest.raises(SurveyRefused, match="opted out of sms"):
        do_create_survey(resolved)
    resolved.status = "open"
    with pytest.raises(SurveyRefused, match="not resolved"):
        do_create_survey(resolved)
    assert not CsatSurvey.objects.exists()


def test_one_click_from_the_email_records_the_rating(resolved, settings):
    survey = do_create_survey(resolved)
    url = rating_url(survey.pk, 4)
    assert url.startswith(settings.PUBLIC_URL + "/csat/")
    client = Client()
    response = client.get(url.removeprefix(settings.PUBLIC_URL), follow=True)
    assert response.status_code == 200
    survey.refresh_from_db()
    assert survey.rating == 4 and survey.answered_at is not None
    assert "You rated us 4 out of 5" in response.content.decode()
    events = list(Interaction.objects.filter(conversation=resolved, event_type=CSAT_ANSWERED)
                  .values_list("text", "customer_id"))
    assert events == [("Customer rated 4/5 (Happy)", resolved.customer_id)]


def test_the_page_takes_a_comment_and_effort_and_a_changed_rating(resolved):
    survey = do_create_survey(resolved)
    token = survey_token(survey.pk)
    response = Client().post(reverse("csat-survey", args=[token]),
                             {"rating": "2", "effort": "1", "comment": " Took three emails. "})
    assert response.status_code == 200
    survey.refresh_from_db()
    assert (survey.rating, survey.effort, survey.comment) == (2, 1, "Took three emails.")
    assert list(Interaction.objects.filter(event_type=CSAT_ANSWERED).values_list(
        "text", flat=True)) == ["Customer rated 2/5 (Unhappy): “Took three emails.”"]


def test_a_forged_or_bad_link_is_refused(resolved):
    survey = do_create_survey(resolved)
    token = survey_token(survey.pk)
    client = Client()
    assert client.get(f"/csat/{token}x/").status_code == 404
    assert client.get(f"/csat/{survey.pk}/5/").status_code == 404
    assert client.get(f"/csat/{token}/9/").status_code == 404
    survey.refresh_from_db()
    assert survey.rating is None
    with pytest.raises(ValueError, match="1 to 5"):
        do_answer_survey(survey, rating=0)
