"""Interactions (messages, calls, notes, events) as the timeline and lists show them."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.schema import enum_field
from api.serializers.directory import display_name
from conversations.models import (
    Attachment,
    Channel,
    Interaction,
    InteractionKind,
    Status,
)


class AttachmentSerializer(serializers.ModelSerializer[Attachment]):
    url = serializers.SerializerMethodField(
        help_text="Download link (behind the conversation's permission check); null when "
        "the bytes were not kept, `note` says why."
    )

    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "content_id", "url", "note"]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_url(self, attachment: Attachment) -> str | None:
        if not attachment.file:
            return None
        path = reverse("attachment-download", args=[attachment.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class AuthorSerializer(serializers.Serializer[Any]):
    type = serializers.ChoiceField(choices=["agent", "customer", "system"])
    agent_id = serializers.IntegerField(allow_null=True, help_text="The agent's user id.")
    identity_id = serializers.IntegerField(
        allow_null=True, help_text="The customer's identity the message came from."
    )
    name = serializers.CharField(help_text="The agent's name or the identity's value.")


class InteractionSerializer(serializers.ModelSerializer[Interaction]):
    conversation = serializers.IntegerField(source="conversation_id", read_only=True)
    customer = serializers.IntegerField(source="customer_id", read_only=True)
    inbox = serializers.IntegerField(source="inbox_id", read_only=True, allow_null=True)
    channel = enum_field("Channel", Channel.choices, read_only=True)
    kind = enum_field("InteractionKind", InteractionKind.choices, read_only=True)
    status = enum_field("DeliveryStatus", Status.choices, read_only=True)
    meta = serializers.DictField(read_only=True)
    author = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Interaction
        fields = [
            "id", "conversation", "customer", "inbox", "channel", "direction", "kind",
            "event_type", "text", "html", "subject", "status", "error", "provider_id", "meta",
            "occurred_at", "created_at", "updated_at", "author", "attachments",
        ]
        read_only_fields = fields

    @extend_schema_field(AuthorSerializer)
    def get_author(self, interaction: Interaction) -> dict[str, Any]:
        """Needs author_agent and author_identity selected with the interaction."""
        if interaction.author_agent_id is not None:
            agent = interaction.author_agent
            return {"type": "agent", "agent_id": interaction.author_agent_id,
                    "identity_id": None, "name": display_name(agent)}
        if interaction.author_identity_id is not None:
            identity = interaction.author_identity
            return {"type": "customer", "agent_id": None,
                    "identity_id": interaction.author_identity_id,
                    "name": identity.value if identity is not None else ""}
        return {"type": "system", "agent_id": None, "identity_id": None, "name": ""}


# The relations InteractionSerializer reads, for every queryset that feeds it.
INTERACTION_SELECT = ("author_agent", "author_identity")
INTERACTION_PREFETCH = ("attachments",)

