"""What a visitor's browser is told about a message: never the agents' view of it (no
meta, no provider ids, no agent emails)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from conversations.links import public_attachment_url
from conversations.models import Attachment, Direction, Interaction
from conversations.payloads import iso
from csat.actions.send import SURVEY_MESSAGE
from csat.actions.survey import survey_open
from csat.models import CsatSurvey


def survey_id_of(interaction: Interaction) -> int | None:
    """The survey an agent-side message carries (the widget shows its rating control)."""
    if interaction.direction != Direction.OUTBOUND:
        return None
    value = (interaction.meta or {}).get(SURVEY_MESSAGE)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def surveys_of(interactions: Iterable[Interaction]) -> dict[int, CsatSurvey]:
    """The surveys these messages carry, in one query."""
    ids = {i for i in map(survey_id_of, interactions) if i is not None}
    return CsatSurvey.objects.in_bulk(ids) if ids else {}


def survey_state(survey: CsatSurvey) -> dict[str, Any]:
    """The visitor's own answer as far as the widget needs it (not their comment's text,
    nor anything of the conversation)."""
    return {
        "id": survey.pk,
        "rating": survey.rating,
        "effort": survey.effort,
        "commented": bool(survey.comment),
        "open": survey_open(survey),
    }


def visitor_message_payload(
    interaction: Interaction,
    attachments: Sequence[Attachment] | None = None,
    surveys: Mapping[int, CsatSurvey] | None = None,
) -> dict[str, Any]:
    """`surveys`: the surveys of a page of messages (`surveys_of`); looked up when
    not given."""
    if attachments is None:
        attachments = list(interaction.attachments.all())
    author = ""
    if interaction.direction == Direction.OUTBOUND and interaction.author_agent is not None:
        agent = interaction.author_agent
        author = agent.first_name or agent.get_full_name() or "Support"
    survey_id = survey_id_of(interaction)
    if survey_id is not None and surveys is None:
        surveys = surveys_of([interaction])
    survey = (surveys or {}).get(survey_id) if survey_id is not None else None
    return {
        "id": interaction.pk,
        "conversation_id": interaction.conversation_id,
        "direction": interaction.direction,
        "kind": interaction.kind,
        "text": interaction.text,
        "author_name": author,
        "status": interaction.status,
        "client_id": str((interaction.meta or {}).get("client_id") or ""),
        "occurred_at": iso(interaction.occurred_at),
        "attachments": [
            {"name": a.name, "size": a.size, "content_type": a.content_type,
             "url": public_attachment_url(a) if a.file else None}
            for a in attachments
        ],
        # A satisfaction survey: the widget shows its rating control (the text keeps the
        # rating page's link, for the transcript email).
        "survey": survey_state(survey) if survey is not None else None,
    }
