"""Inboxes (channel accounts). Their secrets and token are never read back."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agents.models import Team
from api.schema import enum_field
from api.storable import unstorable
from conversations.channels import embed_code, inbox_kind_choices, webhook_urls
from conversations.models import Inbox


class WebhookUrlSerializer(serializers.Serializer[Any]):
    purpose = serializers.CharField(help_text="What the provider calls it for.")
    url = serializers.CharField()


class InboxSerializer(serializers.ModelSerializer[Inbox]):
    kind = enum_field("InboxKind", inbox_kind_choices())
    webhook_urls = serializers.SerializerMethodField(
        help_text="The URLs to give the provider of this inbox (Twilio, the ESP, the "
        "outside system), as registered by its channel app."
    )
    embed_code = serializers.SerializerMethodField(
        help_text="The snippet to paste into a website (a chat widget's script tag); "
        "empty for kinds that have none."
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), allow_null=True, required=False
    )
    config = serializers.DictField(
        required=False, help_text="Kind-specific settings, validated for the inbox's kind."
    )
    secrets = serializers.DictField(
        write_only=True, required=False,
        help_text="Provider credentials (write-only; replaced as a whole when sent).",
    )

    class Meta:
        model = Inbox
        fields = ["id", "kind", "name", "slug", "address", "team", "is_active", "config",
                  "webhook_urls", "embed_code", "secrets", "created_at"]
        read_only_fields = ["id", "created_at"]

    @extend_schema_field(WebhookUrlSerializer(many=True))
    def get_webhook_urls(self, inbox: Inbox) -> list[dict[str, str]]:
        return [{"purpose": url.purpose, "url": url.url} for url in webhook_urls(inbox)]

    def get_embed_code(self, inbox: Inbox) -> str:
        return embed_code(inbox)

    def _storable(self, value: dict[str, Any]) -> dict[str, Any]:
        problem = unstorable(value)
        if problem:
            raise serializers.ValidationError(problem)
        return value

    def validate_config(self, config: dict[str, Any]) -> dict[str, Any]:
        return self._storable(config)

    def validate_secrets(self, secrets: dict[str, Any]) -> dict[str, Any]:
        return self._storable(secrets)

    def validate_kind(self, kind: str) -> str:
        if self.instance is not None and kind != self.instance.kind:
            raise serializers.ValidationError("The kind of an inbox cannot change.")
        return kind


class InboxTokenSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(
        help_text="The new token: `Authorization: Bearer <token>` for pushes into an API "
        "inbox, and the key of the signatures on what omnidesk sends back. Shown once."
    )
