"""Agent-facing voice endpoints under /voice/: SDK token, softphone, calls, recordings."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from agents.access import agent_for
from agents.models import Agent, Team
from channels_voice.errors import CallError
from channels_voice.outbound import check_click_to_call, place_call
from channels_voice.tokens import access_token, credentials_for
from channels_voice.transfer import transfer_call
from channels_voice.warm import complete_warm_transfer, start_warm_transfer
from conversations.access import NotAgent, visible_interactions
from conversations.models import Attachment, Interaction, InteractionKind
from conversations.payloads import interaction_payload
from conversations.transports import TransportError

# Every id is a database bigint: a larger number is no id, and would be an error to look up.
MAX_ID = 2**63 - 1


@login_required
@require_GET
def voice_token(request: HttpRequest) -> JsonResponse:
    agent = agent_for(request.user)
    if agent is None:
        return JsonResponse({"error": "Only agents take calls."}, status=403)
    creds = credentials_for(agent)
    if creds is None:
        return JsonResponse({"error": "Browser calling is not configured (no Twilio API key)."},
                            status=503)
    token, identity, ttl = access_token(agent, creds)
    response = JsonResponse({"token": token, "identity": identity, "ttl": ttl})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def softphone(request: HttpRequest) -> HttpResponse:
    agent = agent_for(request.user)
    if agent is None:
        return HttpResponse("Only agents take calls.", status=403)
    return render(request, "channels_voice/softphone.html", {"agent": agent})


def _id_field(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, **kwargs)


class PlaceCallSerializer(serializers.Serializer[Any]):
    customer_id = _id_field()
    conversation_id = _id_field()
    to = serializers.CharField(required=False, help_text="One of the customer's numbers.")


class TransferCallSerializer(serializers.Serializer[Any]):
    mode = serializers.ChoiceField(choices=["cold", "warm"], required=False, default="cold",
                                   help_text="warm: introduce the caller in a conference.")
    agent_id = _id_field(help_text="The agent's user id.")
    team_id = _id_field()


def _error(message: str, code: int) -> Response:
    return Response({"error": message}, status=code)


def _twilio_failed(exc: TransportError) -> Response:
    """503 when trying again may work (Twilio unreachable, busy), 502 when Twilio
    refused."""
    code = status.HTTP_502_BAD_GATEWAY if exc.permanent else status.HTTP_503_SERVICE_UNAVAILABLE
    return _error(exc.message, code)


def _valid(serializer_class: type[serializers.Serializer[Any]], data: Any,
           expected: str) -> dict[str, Any] | Response:
    """The validated body, or a 400 naming the first field that is wrong. A field sent
    empty ("" or null) counts as not sent."""
    if not hasattr(data, "items"):
        return _error(f"Send an object with {expected}.", status.HTTP_400_BAD_REQUEST)
    given = {key: value for key, value in data.items() if value not in ("", None)}
    serializer = serializer_class(data=given)
    if serializer.is_valid():
        return dict(serializer.validated_data)
    field, problems = next(iter(serializer.errors.items()))
    return Response({"error": f"{field}: {problems[0]}", "fields": serializer.errors},
                    status=status.HTTP_400_BAD_REQUEST)


@extend_schema(
    summary="Click-to-call: call the customer from a Twilio number",
    request=PlaceCallSerializer,
    responses={201: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 403: OpenApiTypes.OBJECT,
               404: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT, 502: OpenApiTypes.OBJECT,
               503: OpenApiTypes.OBJECT},
)
@api_view(["POST"])
def place_call_view(request: Request) -> Response:
    """{customer_id | conversation_id, to?}: call the customer from a Twilio number."""
    data = _valid(PlaceCallSerializer, request.data, "customer_id or conversation_id")
    if isinstance(data, Response):
        return data
    try:
        call = check_click_to_call(
            request.user,
            customer_id=data.get("customer_id"),
            conversation_id=data.get("conversation_id"),
            to=data.get("to"),
        )
        call = place_call(call)
    except NotAgent:
        return _error("Only agents place calls.", status.HTTP_403_FORBIDDEN)
    except CallError as exc:
        return _error(exc.message, exc.status)
    except TransportError as exc:
        return _twilio_failed(exc)
    return Response(interaction_payload(call), status=status.HTTP_201_CREATED)


def _visible_call(request: Request, interaction_id: int) -> Interaction:
    """Raises NotAgent or Http404."""
    call = (
        visible_interactions(request.user).select_related("inbox", "conversation")
        .filter(pk=interaction_id, kind=InteractionKind.CALL).first()
    )
    if call is None:
        raise Http404("No such call.")
    return call


@extend_schema(
    summary="Transfer a live call to an agent or a team, cold or warm",
    request=TransferCallSerializer,
    responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT,
               409: OpenApiTypes.OBJECT, 502: OpenApiTypes.OBJECT, 503: OpenApiTypes.OBJECT},
)
@api_view(["POST"])
def transfer_call_view(request: Request, interaction_id: int) -> Response:
    """{mode: cold|warm, agent_id (a user id) | team_id}: transfer the live call."""
    try:
        call = _visible_call(request, interaction_id)
    except NotAgent:
        return _error("Only agents transfer calls.", status.HTTP_403_FORBIDDEN)
    data = _valid(TransferCallSerializer, request.data, "agent_id or team_id")
    if isinstance(data, Response):
        return data
    mode = data["mode"]
    agent = team = None
    if data.get("agent_id"):
        agent = Agent.objects.select_related("user").filter(user_id=data["agent_id"]).first()
        if agent is None:
            return _error("No such agent.", status.HTTP_400_BAD_REQUEST)
    if data.get("team_id"):
        team = Team.objects.filter(pk=data["team_id"]).first()
        if team is None:
            return _error("No such team.", status.HTTP_400_BAD_REQUEST)
    try:
        if mode == "warm":
            if agent is None or team is not None:
                return _error("A warm transfer goes to one agent.", status.HTTP_400_BAD_REQUEST)
            call = start_warm_transfer(request.user, call, agent)
        else:
            call = transfer_call(request.user, call, agent=agent, team=team)
    except CallError as exc:
        return _error(exc.message, exc.status)
    except TransportError as exc:
        return _twilio_failed(exc)
    return Response(interaction_payload(call))


@extend_schema(
    summary="Finish a warm transfer: you leave, the caller stays with your colleague",
    request=None,
    responses={200: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT,
               502: OpenApiTypes.OBJECT, 503: OpenApiTypes.OBJECT},
)
@api_view(["POST"])
def complete_transfer_view(request: Request, interaction_id: int) -> Response:
    try:
        call = _visible_call(request, interaction_id)
        call = complete_warm_transfer(request.user, call)
    except NotAgent:
        return _error("Only agents transfer calls.", status.HTTP_403_FORBIDDEN)
    except CallError as exc:
        return _error(exc.message, exc.status)
    except TransportError as exc:
        return _twilio_failed(exc)
    return Response(interaction_payload(call))


@login_required
@require_GET
def recording_audio(request: HttpRequest, attachment_id: int) -> FileResponse:
    """A call recording, inline, for an <audio> player on the timeline."""
    try:
        calls = visible_interactions(request.user).filter(kind=InteractionKind.CALL)
    except NotAgent:
        raise Http404 from None
    attachment = Attachment.objects.filter(
        pk=attachment_id, interaction__in=calls, content_type__startswith="audio/"
    ).first()
    if attachment is None or not attachment.file:
        raise Http404("No such recording.")
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
