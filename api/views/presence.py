"""The signed-in agent's presence: GET, PUT /api/v1/me/presence/ {"presence": ...}."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.actions.presence import PresenceError, do_set_presence
from agents.models import Agent, Presence
from api.views.base import AgentViewSet, Refused


class PresenceSerializer(serializers.Serializer):  # type: ignore[type-arg]
    presence = serializers.ChoiceField(choices=[Presence.ONLINE, Presence.AWAY])


class PresenceAnswerSerializer(serializers.Serializer):  # type: ignore[type-arg]
    presence = serializers.CharField(help_text="What others see: online, away or offline.")
    away = serializers.BooleanField(help_text="Set away by hand.")


def presence_body(agent: Agent) -> dict[str, object]:
    return {"presence": agent.presence, "away": agent.away}


@extend_schema(tags=["agents"])
class MyPresenceView(APIView):
    authentication_classes = AgentViewSet.authentication_classes
    permission_classes = AgentViewSet.permission_classes
    parser_classes = AgentViewSet.parser_classes

    @extend_schema(responses={200: PresenceAnswerSerializer})
    def get(self, request: Request) -> Response:
        # Read afresh: the request's user may carry a cached profile.
        agent = Agent.objects.get(user_id=int(request.user.pk or 0))
        return Response(presence_body(agent))

    @extend_schema(request=PresenceSerializer, responses={200: PresenceAnswerSerializer})
    def put(self, request: Request) -> Response:
        given = PresenceSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            agent = do_set_presence(
                request.user, given.validated_data["presence"]  # type: ignore[arg-type]
            )
        except PresenceError as exc:
            raise Refused(str(exc)) from exc
        return Response(presence_body(agent))
