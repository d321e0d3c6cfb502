"""The customer's rating page, reached by the signed link (no sign-in): a rating in the
link is recorded on arrival (one click from the email); the page then offers to change
it and add a comment."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from csat.actions.survey import LABELS, do_answer_survey
from csat.links import survey_id_from
from csat.models import CsatSurvey

CHOICES = [(n, f"{n}: {label}") for n, label in LABELS.items()]


class AnswerForm(forms.Form):
    rating = forms.TypedChoiceField(choices=CHOICES, coerce=int, widget=forms.RadioSelect,
                                    label="How did we do?")
    effort = forms.TypedChoiceField(
        choices=[("", "Rather not say"), *[(n, str(n)) for n in LABELS]], coerce=int,
        empty_value=None, required=False,
        label="How easy was it to get what you needed? (1 very hard, 5 very easy)")
    comment = forms.CharField(required=False, max_length=5000, label="Anything to add?",
                              widget=forms.Textarea(attrs={"rows": 4}))


def _survey(token: str) -> CsatSurvey:
    survey_id = survey_id_from(token)
    survey = CsatSurvey.objects.filter(pk=survey_id).first() if survey_id else None
    if survey is None:
        raise Http404("This survey link is not valid any more.")
    return survey


@require_http_methods(["GET"])
def rate(request: HttpRequest, token: str, rating: int) -> HttpResponse:
    survey = _survey(token)
    if rating not in LABELS:
        raise Http404("No such rating.")
    do_answer_survey(survey, rating=rating)
    return redirect("csat-survey", token=token)


@require_http_methods(["GET", "POST"])
def survey_page(request: HttpRequest, token: str) -> HttpResponse:
    survey = _survey(token)
    initial = {"rating": survey.rating, "effort": survey.effort, "comment": survey.comment}
    form = AnswerForm(request.POST or None, initial=initial)
    thanks = False
    if request.method == "POST" and form.is_valid():
        survey = do_answer_survey(survey, rating=form.cleaned_data["rating"],
                                  effort=form.cleaned_data["effort"],
                                  comment=form.cleaned_data["comment"])
        thanks = True
    return render(request, "csat/survey.html", {"form": form, "survey": survey,
                                                "thanks": thanks},
                  status=400 if form.errors else 200)
