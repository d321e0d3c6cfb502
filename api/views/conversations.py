"""Conversations: the agent's list, changes, the timeline, replies and notes. Reads go
through the read layer (conversations.queries); answers are conversations.payloads."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from api.pagination import KeysetPagination
from api.serializers.conversations import (
    ConversationSerializer,
    ConversationUpdateSerializer,
    MergeConversationSerializer,
    NoteInputSerializer,
    ReplyInputSerializer,
    SplitConversationSerializer,
)
from api.serializers.interactions import InteractionSerializer
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
from conversations.payloads import (
    CONVERSATION_SELECT,
    conversation_payload,
    conversation_payload_from_values,
    interaction_payload,
)
from conversations.queries import (
    CONVERSATION_PARAMETERS,
    ConversationFilters,
    conversation_list,
    conversation_timeline,
    show_remote_images,
    timeline_ordering,
    with_payload_relations,
)

ID_PATH = OpenApiParameter("id", int, OpenApiParameter.PATH)
LIST_FILTERS = [
    OpenApiParameter(name, str, description=description)
    for name, description in CONVERSATION_PARAMETERS.items()
]
REMOTE_IMAGES = OpenApiParameter(
    "remote_images", str, enum=["block", "show"],
    description="`show` lets remote images load in `html`; default `block` (tracking pixels).",
)
TIMELINE_PARAMETERS = [
    ID_PATH,
    OpenApiParameter("order", str, enum=["asc", "desc"], description="Time order; default asc."),
    REMOTE_IMAGES,
]


@extend_schema(tags=["conversations"])
class ConversationViewSet(AgentViewSet):
    """An agent sees the conversations of their teams and those assigned to them; admins
    and leads see all. Any other conversation is a 404."""

    serializer_class = ConversationSerializer
    pagination_class = KeysetPagination

    def get_queryset(self) -> QuerySet[Conversation]:
        return visible_conversations(self.user).select_related(*CONVERSATION_SELECT)

    def _fresh(self, pk: int) -> Response:
        conversation = Conversation.objects.select_related(*CONVERSATION_SELECT).get(pk=pk)
        return Response(conversation_payload(conversation))

    @extend_schema(parameters=LIST_FILTERS)
    def list(self, request: Request) -> Response:
        filters = ConversationFilters.parse(request.query_params)
        page = conversation_list(self.user, filters, self.keyset.page_request(request))
        payloads = [conversation_payload_from_values(row) for row in page.items]
        return self.keyset.respond(page, payloads)

    @extend_schema(parameters=[ID_PATH])
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(conversation_payload(self.get_object()))

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
        return self._fresh(conversation.pk)

    @extend_schema(parameters=TIMELINE_PARAMETERS, responses=InteractionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def interactions(self, request: Request, pk: str) -> Response:
        """The conversation's timeline: every message, call, note and event."""
        ordering = timeline_ordering("conversation-timeline", request.query_params)
        show = show_remote_images(request.query_params)
        page = conversation_timeline(self.user, pk, ordering, self.keyset.page_request(request))
        return self.keyset.respond(
            page, [interaction_payload(i, show_remote_images=show) for i in page.items]
        )

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
        return self._fresh(conversation.pk)

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
        response = self._fresh(split.pk)
        response.status_code = status.HTTP_201_CREATED
        return response

    def _created(self, interaction: Interaction) -> Response:
        fresh = with_payload_relations(Interaction.objects.filter(pk=interaction.pk)).get()
        return Response(interaction_payload(fresh), status=status.HTTP_201_CREATED)
