"""The satisfaction survey inside the widget: the survey message reaches the visitor's
socket carrying its state (and nothing of the agents' view), the visitor rates it over
their own socket, the rating lands on the timeline and reaches the agents live, the
visitor's other tab sees it given, a reload shows it given; a stranger's, a replayed or
a malformed answer gets an error frame and writes nothing."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from conversations.actions.update import do_update_conversation
from conversations.models import Conversation, Interaction
from conversations.tasks import send_interaction_task
from csat.actions.send import do_send_survey
from csat.actions.survey import CSAT_ANSWERED
from csat.models import CsatSurvey
from tests.chat.helpers import frames_until, hello, next_event, visitor_socket
from tests.realtime_helpers import connect_agent_socket, receive_events, session_cookie_for

pytestmark = pytest.mark.django_db(transaction=True)

VISITOR_KEYS = {"id", "conversation_id", "direction", "kind", "text", "author_name", "status",
                "client_id", "occurred_at", "attachments", "survey"}


def _resolve_and_send_survey(conversation_id: int, agent: Any) -> CsatSurvey:
    conversation = Conversation.objects.get(pk=conversation_id)
    do_update_conversation(conversation, by=agent, changes={"status": "resolved"})
    survey = do_send_survey(conversation_id)
    assert survey is not None
    message = Interaction.objects.get(conversation_id=conversation_id, direction="out",
                                      meta__csat_survey=survey.pk)
    send_interaction_task.apply(args=(message.pk,))  # the worker's send: to the sockets
    return survey


def _survey_row(survey_id: int) -> tuple[Any, ...]:
    return tuple(CsatSurvey.objects.filter(pk=survey_id).values_list(
        "rating", "effort", "comment", "answered_at").get())


def _answers() -> list[str]:
    return list(Interaction.objects.filter(event_type=CSAT_ANSWERED).order_by("id")
                .values_list("text", flat=True))


async def _answer(comm: Any, **frame: Any) -> dict[str, Any]:
    await comm.send_json_to({"type": "survey_answer", **frame})
    while True:
        reply = await comm.receive_json_from(timeout=5)
        if reply["type"] in ("survey_saved", "error"):
            return reply


def test_the_visitor_rates_inside_the_widget_and_the_agents_see_it_live(chat_inbox, agent_a):
    cookie = session_cookie_for(agent_a)

    async def scenario() -> None:
        tab = visitor_socket(chat_inbox)
        welcome = await hello(tab)
        await tab.send_json_to({"type": "message", "client_id": "c1", "text": "Late parcel"})
        ack = (await frames_until(tab, "ack"))[-1]
        other_tab = visitor_socket(chat_inbox)
        await hello(other_tab, token=welcome["token"], since=welcome["last_event_id"])
        conversation_id = await sync_to_async(
            lambda: Interaction.objects.get(pk=ack["id"]).conversation_id)()

        survey = await sync_to_async(_resolve_and_send_survey)(conversation_id, agent_a)
        frame = await next_event(tab, "interaction.created", direction="out")
        data = frame["data"]
        assert set(data) == VISITOR_KEYS
        assert data["survey"] == {"id": survey.pk, "rating": None, "effort": None,
                                  "commented": False, "open": True}
        assert data["text"].startswith("How did we do? Rate this conversation: http")
        for agent_only in ("meta", "automatic", "to_identity_id", "csat_survey", "team"):
            assert agent_only not in json.dumps(frame)

        agent = await connect_agent_socket(cookie)
        assert (await agent.connect())[0]
        assert (await agent.receive_json_from())["type"] == "hello"
        saved = await _answer(tab, survey=survey.pk, rating=4)
        assert saved == {"type": "survey_saved", "survey": {
            "id": survey.pk, "rating": 4, "effort": None, "commented": False, "open": True}}
        answered = (await receive_events(agent, 1))[0]
        assert (answered["event"], answered["data"]["event_type"], answered["data"]["text"]) == (
            "interaction.created", CSAT_ANSWERED, "Customer rated 4/5 (Happy)")
        updated = await next_event(other_tab, "interaction.updated", id=data["id"])
        assert updated["data"]["survey"]["rating"] == 4
        assert set(updated["data"]) == VISITOR_KEYS

        saved = await _answer(tab, survey=survey.pk, effort=5, comment="Quick and kind.")
        assert saved["survey"] == {"id": survey.pk, "rating": 4, "effort": 5,
                                   "commented": True, "open": True}
        answered = (await receive_events(agent, 1))[0]
        assert answered["data"]["text"] == "Customer rated 4/5 (Happy): “Quick and kind.”"
        await other_tab.disconnect()

        # A reload: the history shows the survey answered.
        await tab.disconnect()
        again = visitor_socket(chat_inbox)
        history = (await hello(again, token=welcome["token"]))["history"]
        assert [m["survey"] for m in history] == [None, {
            "id": survey.pk, "rating": 4, "effort": 5, "commented": True, "open": True}]
        assert all(m["direction"] in ("in", "out") for m in history)  # no timeline events
        await again.disconnect()
        assert await agent.receive_nothing(timeout=0.3)
        await agent.disconnect()

    asyncio.run(scenario())
    survey = CsatSurvey.objects.get()
    assert (survey.rating, survey.effort, survey.comment) == (4, 5, "Quick and kind.")


def test_a_strangers_replayed_or_malformed_answer_is_refused_and_writes_nothing(
    chat_inbox, agent_a
):
    async def scenario() -> None:
        owner = visitor_socket(chat_inbox)
        await hello(owner)
        await owner.send_json_to({"type": "message", "client_id": "c1", "text": "Hi"})
        ack = (await frames_until(owner, "ack"))[-1]
        conversation_id = await sync_to_async(
            lambda: Interaction.objects.get(pk=ack["id"]).conversation_id)()
        survey = await sync_to_async(_resolve_and_send_survey)(conversation_id, agent_a)
        stranger = visitor_socket(chat_inbox)
        await hello(stranger)
        await stranger.send_json_to({"type": "message", "client_id": "s1", "text": "Me too"})
        await frames_until(stranger, "ack")

        before = await sync_to_async(_survey_row)(survey.pk)
        refusals = [
            (stranger, {"survey": survey.pk, "rating": 1}, "not_found"),
            (owner, {"survey": survey.pk + 1000, "rating": 4}, "not_found"),
            (owner, {"survey": str(survey.pk), "rating": 4}, "not_found"),
            (owner, {"survey": survey.pk, "rating": 0}, "invalid"),
            (owner, {"survey": survey.pk, "rating": 6}, "invalid"),
            (owner, {"survey": survey.pk, "rating": "x"}, "invalid"),
            (owner, {"survey": survey.pk, "rating": 4, "comment": "x" * 6000}, "too_long"),
            (owner, {"survey": survey.pk, "effort": 3}, "not_rated"),
        ]
        for comm, frame, code in refusals:
            error = await _answer(comm, **frame)
            assert (error["type"], error["error"], error["code"]) == ("error", "survey", code)
            assert error["message"]
        assert await sync_to_async(_survey_row)(survey.pk) == before
        assert await sync_to_async(_answers)() == []

        assert (await _answer(owner, survey=survey.pk, rating=2))["type"] == "survey_saved"
        rated = await sync_to_async(_survey_row)(survey.pk)
        replay = await _answer(owner, survey=survey.pk, rating=2)
        assert (replay["code"], replay["message"]) == (
            "already_rated", "You have rated this conversation already.")
        assert (await _answer(owner, survey=survey.pk, rating=5))["code"] == "already_rated"
        assert await sync_to_async(_survey_row)(survey.pk) == rated
        assert await sync_to_async(_answers)() == ["Customer rated 2/5 (Unhappy)"]
        await owner.disconnect()
        await stranger.disconnect()

    asyncio.run(scenario())
