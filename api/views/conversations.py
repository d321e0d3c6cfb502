"""Conversations: the agent's list, changes, the timeline, replies and notes."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from api.filters import filter_conversations, order_interactions
from api.serializers.conversations import (
    CONVERSATION_SELECT,
    ConversationSerializer,
    ConversationUpdateSerializer,
    MergeConversationSerializer,
    NoteInputSerializer,
    ReplyInputSerializer,
    SplitConversationSerializer,
)
from api.serializers.interactions import (
    INTERACTION_PREFETCH,
    INTERACTION_SELECT,
    InteractionSerializer,
)
from api.views.base import AgentViewSet, Refused
from conversations.access import visible_conversations
from conversations.actions.merge import (
    ConversationMergeError,
    do_merge_conversations,
    do_split_conversation,
)
from conversations.actions.note import do_add_note
from conversations.actions.reply import ReplyError, do_send_reply
from conversations.actions.update import do_update_conversation
from conversations.models import Conversation, Interaction

ID_PATH = OpenApiParameter("id", int, OpenApiParameter.PATH)
LIST_FILTERS = [
    OpenApiParameter("status", str, description="open, pending, snoozed, resolved; "
                     "comma-separated for several."),
    OpenApiParameter("channel", str, description="Conversations that used this channel "
                     "(email, chat, sms, whatsapp, voice, api); comma-separated for several."),
    OpenApiParameter("team", str, description="A team id, or `none`."),
    OpenApiParameter("assignee", str, description="An agent's user id, `me` or `none`."),
    OpenApiParameter("customer", int),
    OpenApiParameter("updated_since", str, description="ISO 8601 datetime."),
    OpenApiParameter("priority", str, description="0-3 or low, normal, high, urgent; "
                     "comma-separated for several."),
    OpenApiParameter("tag", str, description="Conversations that carry this tag."),
]


@extend_schema(tags=["conversations"])
class ConversationViewSet(AgentViewSet):
    """An agent sees the conversations of their teams and those assigned to them; admins
    and leads see all. Any other conversation is a 404."""

    serializer_class = ConversationSerializer

    def get_queryset(self) -> QuerySet[Conversation]:
        return visible_conversations(self.user).select_related(*CONVERSATION_SELECT)

    def _fresh(self, pk: int) -> Conversation:
        return Conversation.objects.select_related(*CONVERSATION_SELECT).get(pk=pk)

    @extend_schema(parameters=LIST_FILTERS)
    def list(self, request: Request) -> Response:
        qs = filter_conversations(self.get_queryset(), request.query_params, user_id=self.user.pk)
        page = self.paginate_queryset(qs.order_by("-last_activity_at", "-id"))
        return self.get_paginated_response(ConversationSerializer(page, many=True).data)

    @extend_schema(parameters=[ID_PATH])
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(ConversationSerializer(self.get_object()).data)

    @extend_schema(parameters=[ID_PATH], request=ConversationUpdateSerializer,
                   responses=ConversationSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        conversation = self.get_object()
        data = ConversationUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            do_update_conversation(conversation, by=self.user, changes=dict(data.validated_data))
        except ValueError as exc:
            raise Refused(str(exc)) from exc
        return Response(ConversationSerializer(self._fresh(conversation.pk)).data)

    @extend_schema(
        parameters=[ID_PATH, OpenApiParameter("order", str, enum=["asc", "desc"],
                                              description="Time order; default asc.")],
        responses=InteractionSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def interactions(self, request: Request, pk: str) -> Response:
        conversation = self.get_object()
        qs = (
            Interaction.objects.filter(conversation=conversation)
            .select_related(*INTERACTION_SELECT)
            .prefetch_related(*INTERACTION_PREFETCH)
        )
        page = self.paginate_queryset(order_interactions(qs, request.query_params, "asc"))
        serializer = InteractionSerializer(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)

    @extend_schema(parameters=[ID_PATH], request=ReplyInputSerializer,
                   responses={201: InteractionSerializer})
    @action(detail=True, methods=["post"])
    def replies(self, request: Request, pk: str) -> Response:
        """Queue a reply to the customer; a worker sends it and its `status` moves on."""
        conversation = self.get_object()
        data = ReplyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            reply = do_send_reply(
                conversation=conversation, author=self.user, **data.validated_data
            )
        except ReplyError as exc:
            raise Refused(str(exc)) from exc
        return self._created(reply)

    @extend_schema(parameters=[ID_PATH], request=NoteInputSerializer,
                   responses={201: InteractionSerializer})
    @action(detail=True, methods=["post"])
    def notes(self, request: Request, pk: str) -> Response:
        """An internal note: agents only, never sent to the customer."""
        conversation = self.get_object()
        data = NoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            note = do_add_note(conversation=conversation, author=self.user, **data.validated_data)
        except ValueError as exc:
            raise ValidationError({"text": [str(exc)]}) from exc
        return self._created(note)

    @extend_schema(parameters=[ID_PATH], request=MergeConversationSerializer,
                   responses=ConversationSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str) -> Response:
        """Move every interaction of `other` into this conversation (same customer)."""
        conversation = self.get_object()
        data = MergeConversationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        other = self.get_queryset().filter(pk=data.validated_data["other"]).first()
        if other is None:
            raise ValidationError({"other": ["No such conversation."]})
        try:
            do_merge_conversations(target=conversation, source=other, by=self.user)
        except ConversationMergeError as exc:
            raise Refused(str(exc)) from exc
        return Response(ConversationSerializer(self._fresh(conversation.pk)).data)

    @extend_schema(parameters=[ID_PATH], request=SplitConversationSerializer,
                   responses={201: ConversationSerializer})
    @action(detail=True, methods=["post"])
    def split(self, request: Request, pk: str) -> Response:
        """Move the chosen messages and calls into a new conversation of the customer."""
        conversation = self.get_object()
        data = SplitConversationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            split = do_split_conversation(
                conversation=conversation,
                interaction_ids=data.validated_data["interactions"],
                by=self.user,
            )
        except ConversationMergeError as exc:
            raise Refused(str(exc)) from exc
        body = ConversationSerializer(self._fresh(split.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

    def _created(self, interaction: Interaction) -> Response:
        fresh = (
            Interaction.objects.select_related(*INTERACTION_SELECT)
            .prefetch_related(*INTERACTION_PREFETCH)
            .get(pk=interaction.pk)
        )
        body = InteractionSerializer(fresh, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)
