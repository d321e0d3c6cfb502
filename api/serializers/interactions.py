"""Interactions (messages, calls, notes, events) as the timeline and lists show them.
The serializers describe conversations.payloads for the schema and answer with it."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from api.schema import enum_field
from conversations.channels import INTERNAL, channel_choices
from conversations.models import Attachment, Direction, Interaction, InteractionKind
from conversations.models import Status as DeliveryStatus
from conversations.payloads import attachment_payload, interaction_payload


class AttachmentSerializer(serializers.Serializer[Attachment]):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    content_type = serializers.CharField(read_only=True)
    size = serializers.IntegerField(read_only=True)
    content_id = serializers.CharField(
        read_only=True, help_text="The Content-ID an email's HTML refers to (cid:)."
    )
    url = serializers.CharField(
        read_only=True, allow_null=True,
        help_text="Download path on this server, behind the conversation's permission check "
        "(a signed-in session); null when the bytes were not kept, `note` says why.",
    )
    note = serializers.CharField(read_only=True)

    def to_representation(self, instance: Attachment) -> dict[str, Any]:
        return attachment_payload(instance)


class AuthorSerializer(serializers.Serializer[Any]):
    type = serializers.ChoiceField(choices=["agent", "customer", "system"])
    agent_id = serializers.IntegerField(allow_null=True, help_text="The agent's user id.")
    identity_id = serializers.IntegerField(
        allow_null=True, help_text="The customer's identity the message came from."
    )
    name = serializers.CharField(help_text="The agent's name or the identity's value.")


class InteractionSerializer(serializers.Serializer[Interaction]):
    """conversations.payloads.interaction_payload: what the API answers and what
    `interaction.created` / `interaction.updated` carry. Context `show_remote_images`
    lets remote images through in `html`."""

    id = serializers.IntegerField(read_only=True)
    conversation_id = serializers.IntegerField(read_only=True)
    customer_id = serializers.IntegerField(read_only=True)
    inbox_id = serializers.IntegerField(read_only=True, allow_null=True)
    channel = enum_field(
        "Channel", [*channel_choices(), (INTERNAL, "Internal (notes, events)")], read_only=True
    )
    direction = enum_field("Direction", Direction.choices, read_only=True)
    kind = enum_field("InteractionKind", InteractionKind.choices, read_only=True)
    event_type = serializers.CharField(read_only=True, help_text="For kind `event`.")
    author = AuthorSerializer(read_only=True)
    text = serializers.CharField(read_only=True)
    html = serializers.CharField(
        read_only=True,
        help_text="Sanitized HTML for display: inline (cid:) images point at their "
        "attachments; remote images are blocked (`src=\"\"`, address in "
        "`data-blocked-src`) unless the request says `remote_images=show`.",
    )
    subject = serializers.CharField(read_only=True)
    status = enum_field("DeliveryStatus", DeliveryStatus.choices, read_only=True)
    error = serializers.CharField(read_only=True)
    provider_id = serializers.CharField(read_only=True, allow_null=True)
    meta = serializers.DictField(read_only=True)
    occurred_at = serializers.DateTimeField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    def to_representation(self, instance: Interaction) -> dict[str, Any]:
        return interaction_payload(
            instance, show_remote_images=bool(self.context.get("show_remote_images"))
        )
